// Package analyze reads captures and decodes their packets for port-0
// analysis: readers for pcap (µs and ns, both byte orders), pcapng, gzip,
// zstd and stdin; a zero-allocation fast decoder; a gopacket reference decoder that
// checks it; and, on top, the classifier and aggregators.
//
// # Aliasing
//
// Packet.Data aliases the reader's buffer and is valid only until the
// next call to (*Capture).Next: copy it to keep it. (*Record).Decode does
// not retain its input; a Record holds only values (integers and fixed
// arrays, no pointers: addresses are Addr, 16 bytes, and SrcAddr and
// DstAddr return them as netip.Addr), so it may be kept, copied and
// compared with ==.
//
// # What the headers say
//
// (*Record).Decode answers the first question of DESIGN.md from one
// packet: Record.Ports says whether the packet has ports and, if not, why
// (the false-positive traps of REFERENCE.md), and Record.Port0 where port 0
// is. The rules:
//
//   - Ports are present when a TCP or UDP header follows IPv4 or IPv6 (after
//     the IPv6 extension headers, after any VLAN tags) and its whole fixed
//     part is inside both the capture and the IP length: 20 bytes for TCP,
//     8 for UDP. A packet cut before that is PortsTruncated, never port 0.
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
//   - IP-in-IP and other tunnels are not followed: protocol without ports.
//   - IPv6 jumbograms are not supported: payload length 0 is ReasonIPLength,
//     a Jumbo Payload option ReasonIPv6Options.
//     At most 8 extension headers are walked; more, or a second Fragment
//     header, is ReasonIPv6ExtChain.
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
//
// # Counting
//
// Analyze ("port0 analyze") reads files on a pool of workers. Each worker
// reuses its decoder scratch space, chunk buffers and fragment table from
// file to file, so the hot path allocates nothing per packet; each file's
// Counts are kept apart and summed in input order (Counts.Add), so the
// Summary does not depend on the number of workers. A pcap file of 16 MiB
// or more, compressed input and standard input are, besides, decoded by
// Options.Workers goroutines at once: one goroutine reads (and inflates)
// the stream into chunks of whole records, the others decode them, and the
// chunks' results are merged in order, fragments included, so that every
// count, the spool and the orphans are those of a record-by-record scan
// (chunk.go says how; TestChunkedScan cuts captures at every chunk size).
// pcapng files are read record by record. In a pcap chunk, the packets
// most of a capture is — unfragmented IPv4 TCP or UDP with a 20-byte IP
// header, no TCP options or a common layout of them, no port 0, nothing
// malformed — are counted from their header bytes without a Record
// ((*part).plain); every other packet is decoded in full. TestPlainPath
// holds the two to the same counts. A port-0 packet is one with
// Ports == PortsPresent and Port0 src, dst or both; an ICMP error quoting
// a port 0 is counted apart. The orphan-fragment rule and its bounds are
// documented at FragWindow.
//
// Distinct sources of all traffic are counted per hour in a HyperLogLog
// (HLL: 1 KiB, about 3.3 % standard error, merged by register-wise
// maximum), never in a map of addresses, so the per-packet cost is one
// hash and one register update and memory grows with hours, not sources.
//
// gzip input is inflated by github.com/klauspost/compress, with
// compress/gzip taking over on a damaged stream so that the bytes and the
// error are the standard library's (gzip.go); zstd input is decompressed
// by the same module's zstd package (zstd.go).
package analyze
