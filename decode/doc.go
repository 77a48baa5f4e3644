// Package decode is the second stage of the analysis: it says what the
// headers of one captured frame say.
//
//	capture.Packet ──► decode ──► Record (link, IP, fragment, ports, port 0, quoted packet, reason)
//
// Input: a frame's link type and bytes. Output: a Record, filled in place
// by (*Record).Decode, which never allocates, never panics and never
// fails: a short or odd frame just sets Record.Link, Record.Ports and
// Record.Reason. Beside it is the plain path, PlainIPv4: the header rules
// of the packets most of a capture is (unfragmented IPv4 TCP or UDP with a
// 20-byte header, no port 0, nothing malformed), recognised from their
// bytes without a Record, for the scan's hot path. Every header offset and
// link header length is a constant of this package (headers.go,
// decode.go), used by Decode, PlainIPv4, UDPDatagram, UDPPayload and the reference
// decoder alike.
//
// # Aliasing
//
// (*Record).Decode does not retain its input; a Record holds only values
// (integers and fixed arrays, no pointers: addresses are Addr, 16 bytes,
// and SrcAddr and DstAddr return them as netip.Addr), so it may be kept,
// copied and compared with ==.
//
// # What the headers say (the first question of docs/BACKGROUND.md)
//
// (*Record).Decode answers the first question of docs/BACKGROUND.md from
// one packet: Record.Ports says whether the packet has ports and, if not,
// why (the false-positive traps of docs/BACKGROUND.md), and Record.Port0 where port 0
// is. The rules:
//
//   - Ports are present when a TCP or UDP header follows IPv4 or IPv6 (after
//     the IPv6 extension headers, after any VLAN tags) and its whole fixed
//     part is inside both the capture and the IP length: 20 bytes for TCP,
//     8 for UDP. A packet cut before that is PortsTruncated (or, a first
//     fragment, PortsShortFirstFragment); its ports and Port0 are still
//     filled when the 4 port bytes are in the capture and the IP length
//     (PortsCut): a port 0 there counts.
//   - First fragments (MF set, offset 0; or an IPv6 Fragment header with
//     offset 0 and M set) are decoded like unfragmented packets when they
//     hold the whole fixed header. A shorter first fragment is a tiny
//     fragment (RFC 1858): PortsShortFirstFragment with ReasonShortFragment.
//     An IPv6 atomic fragment (offset 0, M clear, RFC 6946) is not a
//     fragment.
//   - Non-first fragments never have ports: PortsNonFirstFragment.
//   - ICMP, ICMPv6 and every protocol other than TCP and UDP: PortsNone. An
//     ICMP error (ICMPv4 3, 4, 5, 11, 12; ICMPv6 1-4) fills Record.Inner
//     with the quoted IP header and the first 8 bytes of its transport
//     header: quoted port 0 is backscatter evidence, not a port-0 packet.
//     8 quoted bytes are enough for quoted ports (RFC 792 guarantees 8).
//   - TCP data offset < 5 and UDP length < 8 are malformed (Reason) but the
//     ports are real and present.
//   - Lengths come from the IPv4 total length, the IPv6 payload length and
//     the UDP length, clipped to the capture; never from the frame length
//     (Ethernet pads frames to 60 bytes).
//   - The link layers: Ethernet (802.1Q and QinQ tags, MPLS label stacks
//     up to MaxMPLSLabels, PPPoE sessions), Linux cooked v1 and v2, BSD and
//     OpenBSD loopback, raw IP (12, 14, 101, 228, 229), PPP (9, 50),
//     Cisco HDLC (104), FDDI (10), IEEE 802.11 with and without radiotap
//     (105, 127), Frame Relay (107), ARCNET (129), IPoIB (242), ipnet
//     (226) and NFLOG (239), each as tcpdump's printer reads it (links.go
//     names the function). Record.NetOff is where the IP header starts.
//     Radiotap fields are not read (no FCS trimming; the IP lengths bound
//     the packet anyway), nor is 802.11 mesh control.
//   - Tunnels (tunnel.go): IP-in-IP and 6in4 (protocols 4, 41), GRE
//     (IP, Ethernet, MPLS, PPTP's PPP; ERSPAN I-III), VXLAN, Geneve and
//     GTP-U are followed, out of unfragmented packets, up to MaxTunnels
//     deep, to an IP header in the capture: the Record is then the inner
//     packet's, with Encap, Tunnels and the outer addresses.
//   - IPv4 total length 0 with TCP or UDP is a TSO capture (NoteTSO);
//     IPv6 payload length 0 is a jumbogram with a Jumbo Payload option
//     (NoteJumbogram), or BIG TCP with TCP or UDP right after the fixed
//     header (NoteBigTCP); otherwise ReasonIPLength. A Jumbo Payload
//     option in a packet with a payload length is ReasonIPv6Options.
//     At most 8 extension headers are walked; more, or a second Fragment
//     header, is ReasonIPv6ExtChain.
//
// The reference decoder (package reference) fills the same Record from
// gopacket, and three differential tests hold the two together.
package decode
