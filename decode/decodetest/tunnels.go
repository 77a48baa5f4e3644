package decodetest

import (
	"encoding/binary"
	"net/netip"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
)

// Outer addresses of the tunnel cases: a tunnel endpoint pair apart from
// the inner packet's.
var (
	Outer4a, Outer4b = netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	Outer6a, Outer6b = netip.MustParseAddr("2001:db8:ffff::1"), netip.MustParseAddr("2001:db8:ffff::2")
)

// outerIP4 is an IPv4 header of protocol proto around payload.
func outerIP4(proto uint8, payload []byte) []byte {
	return Ser(&IPv4{TTL: 60, ID: 7, Proto: proto, Src: Outer4a, Dst: Outer4b}, Payload(payload))
}

// outerUDP4 is IPv4 and UDP from port 50000 to port dport around payload.
func outerUDP4(dport uint16, payload []byte) []byte {
	return Ser(&IPv4{TTL: 60, ID: 7, Proto: decode.ProtoUDP, Src: Outer4a, Dst: Outer4b}, UDP(50000, dport), Payload(payload))
}

// outerIP6 is an IPv6 header of next header nh around payload.
func outerIP6(nh uint8, payload []byte) []byte {
	return Ser(&IPv6{HopLimit: 60, Next: nh, Src: Outer6a, Dst: Outer6b}, Payload(payload))
}

// tunneled is the record inner of an IP packet found at offset off of a
// frame inside a tunnel of kind with the given outer addresses.
func tunneled(inner decode.Record, off int, kind decode.Encap, tunnels uint8, src, dst netip.Addr) decode.Record {
	r := inner
	r.NetOff, r.Encap, r.Tunnels = uint16(off), kind, tunnels
	r.OuterVersion = 4
	if src.Is6() {
		r.OuterVersion = 6
	}
	r.OuterSrc, r.OuterDst = decode.AddrFrom(src), decode.AddrFrom(dst)
	return r
}

// outerRecord is the Record of outerIP4(proto, payload) when the tunnel
// is not followed: the outer packet stands.
func outerRecord(proto uint8, payloadLen int) decode.Record {
	r := IPv4Record(proto, uint16(20+payloadLen))
	r.TTL, r.IPID, r.Src, r.Dst, r.Ports, r.PayloadLen = 60, 7, decode.AddrFrom(Outer4a), decode.AddrFrom(Outer4b), decode.PortsNone, uint16(payloadLen)
	return r
}

// TunnelCases are the tunnels the decoders follow, the ones they do not,
// and the presumed lengths (decode.Note), all on raw IP.
func TunnelCases() []Case {
	var cs []Case
	add := func(name string, data []byte, want decode.Record) {
		cs = append(cs, Case{Name: name, Link: capture.LinkRaw, Data: data, Want: want})
	}
	syn, synRec := SYNPacket(), SYNRecord
	udp6, udp6Rec := UDP6Packet(), UDP6Record
	eth4 := EthHeader(0x0800)
	ethVLAN := Cat(eth4[:12], Hex("8100 0064 0800"))
	arp := Cat(eth4[:12], Hex("0806"), make([]byte, 28))

	// IP in IP, 6in4, and both in IPv6.
	add("tunnel/ipip", outerIP4(decode.ProtoIPIP, syn), tunneled(synRec, 20, decode.EncapIPIP, 1, Outer4a, Outer4b))
	add("tunnel/6in4", outerIP4(decode.ProtoIPv6, udp6), tunneled(udp6Rec, 20, decode.Encap6in4, 1, Outer4a, Outer4b))
	add("tunnel/4in6", outerIP6(decode.ProtoIPIP, syn), tunneled(synRec, 40, decode.EncapIPIP, 1, Outer6a, Outer6b))
	add("tunnel/6in6", outerIP6(decode.ProtoIPv6, udp6), tunneled(udp6Rec, 40, decode.Encap6in4, 1, Outer6a, Outer6b))
	// IP in IP whose inner version is not 4: the outer packet stands.
	add("tunnel/ipip-not-ipv4", outerIP4(decode.ProtoIPIP, udp6), outerRecord(decode.ProtoIPIP, len(udp6)))

	// GRE: plain, with checksum, key and sequence number, Ethernet (TEB)
	// with a VLAN tag, PPTP's enhanced GRE, ERSPAN types I, II and III.
	add("tunnel/gre-ipv4", outerIP4(decode.ProtoGRE, Cat(Hex("0000 0800"), syn)), tunneled(synRec, 24, decode.EncapGRE, 1, Outer4a, Outer4b))
	add("tunnel/gre-csum-key-seq-ipv6", outerIP4(decode.ProtoGRE, Cat(Hex("b000 86dd 00000000 0000002a 00000001"), udp6)), tunneled(udp6Rec, 20+16, decode.EncapGRE, 1, Outer4a, Outer4b))
	rv := tunneled(synRec, 24+18, decode.EncapGRE, 1, Outer4a, Outer4b)
	rv.VLANs = 1
	// The A bit (0x0080) is reserved in version 0 and ignored (RFC 2784).
	add("tunnel/gre-v0-reserved-ack-bit", outerIP4(decode.ProtoGRE, Cat(Hex("0080 0800"), syn)), tunneled(synRec, 24, decode.EncapGRE, 1, Outer4a, Outer4b))
	add("tunnel/gre-teb-vlan", outerIP4(decode.ProtoGRE, Cat(Hex("0000 6558"), ethVLAN, syn)), rv)
	add("tunnel/gre-pptp-ppp", outerIP4(decode.ProtoGRE, Cat(Hex("3001 880b 0030 0001 00000005"), Hex("ff03 0021"), syn)), tunneled(synRec, 20+12+4, decode.EncapGRE, 1, Outer4a, Outer4b))
	add("tunnel/erspan-i", outerIP4(decode.ProtoGRE, Cat(Hex("0000 88be"), eth4, syn)), tunneled(synRec, 20+4+14, decode.EncapERSPAN, 1, Outer4a, Outer4b))
	add("tunnel/erspan-ii", outerIP4(decode.ProtoGRE, Cat(Hex("1000 88be 00000001"), Hex("1000 0001 0000 0000"), eth4, syn)), tunneled(synRec, 20+8+8+14, decode.EncapERSPAN, 1, Outer4a, Outer4b))
	add("tunnel/erspan-iii-subheader", outerIP4(decode.ProtoGRE, Cat(Hex("1000 22eb 00000001"), Hex("2000 0001 00000000 00000001"), make([]byte, 8), eth4, syn)), tunneled(synRec, 20+8+12+8+14, decode.EncapERSPAN, 1, Outer4a, Outer4b))
	// GRE carrying ARP in an Ethernet frame: not IP, the outer packet stands.
	add("tunnel/gre-teb-arp-not-followed", outerIP4(decode.ProtoGRE, Cat(Hex("0000 6558"), arp)), outerRecord(decode.ProtoGRE, 4+len(arp)))

	// UDP tunnels: VXLAN, Geneve with an option, GTP-U with an extension
	// header; VXLAN without its I flag is followed, as tcpdump's
	// vxlan_print does; Geneve of version 1 is not Geneve.
	add("tunnel/vxlan", outerUDP4(decode.PortVXLAN, Cat(Hex("08000000 00000100"), eth4, syn)), tunneled(synRec, 28+8+14, decode.EncapVXLAN, 1, Outer4a, Outer4b))
	add("tunnel/geneve-option", outerUDP4(decode.PortGeneve, Cat(Hex("01000800 00000100"), Hex("0102 0300"), syn)), tunneled(synRec, 28+12, decode.EncapGeneve, 1, Outer4a, Outer4b))
	add("tunnel/geneve-ethernet", outerUDP4(decode.PortGeneve, Cat(Hex("00006558 00000100"), eth4, syn)), tunneled(synRec, 28+8+14, decode.EncapGeneve, 1, Outer4a, Outer4b))
	gtp := Cat(Hex("34ff 0000 00000001 0000 00 85"), Hex("01 0009 00"), udp6)
	binary.BigEndian.PutUint16(gtp[2:4], uint16(len(gtp)-8))
	add("tunnel/gtp-u-extension", outerUDP4(decode.PortGTPU, gtp), tunneled(udp6Rec, 28+16, decode.EncapGTPU, 1, Outer4a, Outer4b))
	add("tunnel/vxlan-without-i-flag", outerUDP4(decode.PortVXLAN, Cat(Hex("00000000 00000100"), eth4, syn)), tunneled(synRec, 28+8+14, decode.EncapVXLAN, 1, Outer4a, Outer4b))
	g1 := outerUDP4(decode.PortGeneve, Cat(Hex("40000800 00000100"), syn))
	r := WithUDP(IPv4Record(decode.ProtoUDP, uint16(len(g1))), 50000, decode.PortGeneve, len(g1)-28)
	r.TTL, r.IPID, r.Src, r.Dst = 60, 7, decode.AddrFrom(Outer4a), decode.AddrFrom(Outer4b)
	add("tunnel/geneve-version-1", g1, r)

	// Nested: GRE in IP-in-IP in VXLAN (3 tunnels; the outermost names
	// the kind), and MaxTunnels+1 IP-in-IP headers, of which the last is
	// not followed.
	nested := outerUDP4(decode.PortVXLAN, Cat(Hex("08000000 00000100"), eth4, outerIP4(decode.ProtoIPIP, outerIP4(decode.ProtoGRE, Cat(Hex("0000 0800"), syn)))))
	add("tunnel/nested-3", nested, tunneled(synRec, 28+8+14+20+20+4, decode.EncapVXLAN, 3, Outer4a, Outer4b))
	deep := syn
	for range decode.MaxTunnels + 1 {
		deep = outerIP4(decode.ProtoIPIP, deep)
	}
	r = outerRecord(decode.ProtoIPIP, len(syn))
	r.NetOff, r.Encap, r.Tunnels, r.Note, r.OuterVersion = 20*decode.MaxTunnels, decode.EncapIPIP, decode.MaxTunnels, decode.NoteTunnelDepth, 4
	r.OuterSrc, r.OuterDst = decode.AddrFrom(Outer4a), decode.AddrFrom(Outer4b)
	add("tunnel/depth-limit", deep, r)

	// IPv4 total length 0 (TSO): TCP decoded from the capture, other
	// protocols malformed.
	tso := append([]byte(nil), syn...)
	tso[2], tso[3] = 0, 0
	r = WithSYN(IPv4Record(decode.ProtoTCP, 0), 40000, 0)
	r.Note = decode.NoteTSO
	add("ipv4/tso-length-0", tso, r)
	// IPv6 payload length 0: BIG TCP with UDP right after the header; a
	// jumbogram with a hop-by-hop Jumbo Payload option; payload length 0
	// with a hop-by-hop header and no option is malformed.
	big := append([]byte(nil), udp6...)
	big[4], big[5] = 0, 0
	r = WithUDP(IPv6Record(decode.ProtoUDP, 0), 0, 53, 1)
	r.Note = decode.NoteBigTCP
	add("ipv6/big-tcp-length-0", big, r)
	jumbo := Cat(udp6[:40], Hex("11 00 c2 04 00010000"), udp6[40:])
	jumbo[4], jumbo[5], jumbo[6] = 0, 0, 0
	binary.BigEndian.PutUint16(jumbo[48+4:], 0) // UDP length 0 (RFC 2675)
	r = WithUDP(IPv6Record(decode.ProtoUDP, 0), 0, 53, 1)
	r.Note, r.Ext, r.NExt, r.UDPLen = decode.NoteJumbogram, [decode.MaxExt]uint8{0}, 1, 0
	add("ipv6/jumbogram", jumbo, r)
	noOpt := Cat(udp6[:40], Hex("11 00 01 04 00000000"), udp6[40:])
	noOpt[4], noOpt[5], noOpt[6] = 0, 0, 0
	r = IPv6Record(decode.ProtoUDP, 0)
	r.Ext, r.NExt, r.Ports, r.Reason = [decode.MaxExt]uint8{0}, 1, decode.PortsMalformed, decode.ReasonIPLength
	add("ipv6/length-0-no-jumbo-option", noOpt, r)
	return cs
}
