// Package reference is the analysis' check on its own decoder: a second
// decoder of the same Record built on gopacket, and crosscheck, which runs
// both over whole captures.
//
//	capture.Packet ──► decode.Record.Decode ──┐
//	               └─► RefDecoder.Decode  ────┴─► Normalize ──► DiffRecords (a difference is a bug)
//
// Input: a frame (link type and bytes), or captures (Crosscheck). Output:
// a decode.Record from gopacket's DecodingLayerParser (RefDecoder), the
// pair normalized for the documented differences (Normalize), and the
// fields that still differ (DiffRecords); Crosscheck reports them per
// packet ("port0 crosscheck"). It is the only package of the module that
// imports gopacket outside tests, so that the analyzer of real captures
// does not depend on it.
//
// # Fast and reference decoders
//
// RefDecoder fills the same Record from gopacket's DecodingLayerParser.
// Normalize removes the known differences, so that after it a difference
// is a bug. They are:
//
//  1. gopacket stops at its Fragment layer for FIRST fragments too and
//     never reports their transport header (nor IPv6 extension headers
//     after the Fragment header). Normalize takes those fields from the
//     fast record: for first fragments the transport is checked by the
//     table tests only.
//  2. gopacket does not check the IP version nibble against the link layer
//     (EtherType 0x0800 with version 6 decodes as IPv4). The fast decoder
//     says ReasonIPVersion; Normalize drops the reference's IP fields.
//  3. Problems only the fast decoder finds: IPv4 total length 0 (gopacket
//     takes it as TSO and uses the capture length), headers beyond the IP
//     length after a hop-by-hop header, IPv6 TLV options that overrun their
//     header but not the packet (gopacket checks them against the end of
//     the data), a Jumbo Payload option (which gopacket validates only in a
//     first hop-by-hop header), more than 8 extension headers or two
//     Fragment headers.
//     Normalize cuts the reference after the IP header.
//  4. UDP length 0: gopacket takes it as a jumbogram and the rest of the
//     packet as payload; the fast decoder says ReasonUDPLength.
//  5. gopacket rejects a Pad1 option in the last byte of the data (it
//     wants two bytes for every option), so a hop-by-hop or destination
//     options header that ends the capture fails there. When it fails in
//     such a header and the fast decoder fails later, or not at all, the
//     rest of the chain is taken from the fast record.
//  6. Reasons are this package's vocabulary; gopacket only says "error" or
//     "truncated". When both decoders find a problem, Normalize compares
//     that there is one and the fields both filled, not its kind.
//
// Places where the reference decoder works around gopacket v1.1.19 by
// hand, documented in reference.go:
//   - SLL2 (276) has no gopacket layer: its 20 bytes are stripped by hand.
//   - LinuxSLL slices its address by the address length field and can
//     panic: when that field overruns the frame the 16 bytes are skipped by
//     hand.
//   - LOOP (108) is network byte order; gopacket's Loopback guesses, so
//     the reference reads a family only when the two high bytes are 0.
//   - EtherType 0x9100 (pre-standard QinQ) is mapped to Dot1Q.
//   - IPv6Routing, IPv6Fragment, IPv6HopByHop and IPv6Destination are not
//     DecodingLayers in v1.1.19: wrappers add CanDecode/NextLayerType, the
//     routing header goes through IPv6ExtensionSkipper, and the Fragment
//     header is decoded by hand (atomic fragments continue to the
//     transport header).
//   - IPv6Destination appends options without resetting them; a failed
//     extension header would clobber the instance an earlier header of the
//     same type filled; the payload after a hop-by-hop header is not
//     clipped to the payload length. All three are fixed in wrappers.
//   - The link types beyond Ethernet, SLL, loopback and raw IP (links.go):
//     gopacket decodes PPP (9), 802.11 (105) after radiotap (127), the LLC
//     of FDDI (10), and MPLS and PPPoE's PPP inside Ethernet-type frames,
//     with gopacket.NewPacket (they have no DecodingLayer), and the IP
//     header found there is decoded as raw IP. By hand, because gopacket
//     v1.1.19 has no layer for them: Cisco HDLC (104, and Cisco framing in
//     PPP_HDLC 50), Frame Relay (107), ARCNET (129), IPoIB (242), ipnet
//     (226) and NFLOG (239): a second reading of tcpdump's formats, so
//     crosscheck there checks everything above the link header. Also by
//     hand, where gopacket reads differently from tcpdump: which 802.11
//     frames carry LLC (data, not null, not protected; 24 bytes at least),
//     the 802.11 header length (gopacket always takes the last 4 bytes for
//     an FCS: 4 bytes of padding give it one), radiotap's it_len (its fields
//     are not read), FDDI's frame control (only asynchronous LLC) and
//     RFC 948 LLC, SNAP's OUI, which EtherTypes lead to IP (gopacket reads
//     one below 0x600 after a tag as an 802.3 length), PPPoE's session
//     code and header (gopacket's PPPoE slices by its length field and fails
//     past the capture; tcpdump clamps it), pppd's direction marker and IP
//     EtherTypes as PPP protocols, MPLS's payload guess (tcpdump's: labels
//     0, 3, 2, then the first byte) and its 16-label limit, and NFLOG's TLV
//     byte order (the writer's host order, which a record does not carry:
//     little endian unless only big endian makes the first TLV fit, in
//     both decoders). A gopacket failure counts as a cut link header when
//     its error speaks of a short buffer or a bounds error, else as not-ip.
//   - Tunnels are not followed (one layer instance per type).
//   - ICMPv6's header is 8 bytes here (4 in gopacket); the packet an ICMP
//     error quotes is decoded with a separate gopacket IPv4/IPv6 layer and
//     its 8 transport bytes are read by hand (gopacket wants 20 for TCP).
//   - When a layer fails, gopacket has already filled its fixed fields;
//     the reference reads them (e.g. the ports of a TCP header with data
//     offset < 5) and names the problem from them.
//
// The three differential tests are TestDecode (table, each case through
// both decoders as subtests), FuzzDecoders, and "port0 crosscheck" on
// whole captures.
package reference
