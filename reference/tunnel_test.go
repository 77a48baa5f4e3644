package reference

import (
	"encoding/binary"
	"net/netip"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/internal/pkttest"
)

// Outer addresses of the tunnel cases: a tunnel endpoint pair apart from
// the inner packet's.
var (
	outer4a, outer4b = netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	outer6a, outer6b = netip.MustParseAddr("2001:db8:ffff::1"), netip.MustParseAddr("2001:db8:ffff::2")
)

// outerIP4 is an IPv4 header of protocol proto around payload.
func outerIP4(proto layers.IPProtocol, payload []byte) []byte {
	return pkttest.Ser(nil, &layers.IPv4{Version: 4, IHL: 5, TTL: 60, Id: 7, Protocol: proto, SrcIP: outer4a.AsSlice(), DstIP: outer4b.AsSlice()}, gopacket.Payload(payload))
}

// outerUDP4 is IPv4 and UDP from port 50000 to port dport around payload.
func outerUDP4(dport uint16, payload []byte) []byte {
	ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 60, Id: 7, Protocol: layers.IPProtocolUDP, SrcIP: outer4a.AsSlice(), DstIP: outer4b.AsSlice()}
	return pkttest.Ser(nil, ip, pkttest.UDP(50000, dport), gopacket.Payload(payload))
}

// outerIP6 is an IPv6 header of next header nh around payload.
func outerIP6(nh uint8, payload []byte) []byte {
	h := pkttest.Ser(nil, &layers.IPv6{Version: 6, HopLimit: 60, NextHeader: layers.IPProtocol(nh), SrcIP: outer6a.AsSlice(), DstIP: outer6b.AsSlice()})[:40]
	b := cat(h, payload)
	binary.BigEndian.PutUint16(b[4:6], uint16(len(payload)))
	return b
}

// tunneled is the record of the inner IP packet in (decoded alone) found
// at offset off of a frame inside a tunnel of kind with the given outer
// addresses.
func tunneled(in []byte, off int, kind decode.Encap, tunnels uint8, src, dst netip.Addr) decode.Record {
	var r decode.Record
	r.Decode(capture.LinkRaw, in)
	r.NetOff, r.Encap, r.Tunnels = uint16(off), kind, tunnels
	r.OuterVersion = 4
	if src.Is6() {
		r.OuterVersion = 6
	}
	r.OuterSrc, r.OuterDst = decode.AddrFrom(src), decode.AddrFrom(dst)
	return r
}

// tunnelCases are the tunnels the decoders follow, the ones they do not,
// and the presumed lengths (decode.Note).
func tunnelCases() []decodeCase {
	var cs []decodeCase
	add := func(name string, data []byte, want decode.Record) {
		cs = append(cs, decodeCase{name: name, link: capture.LinkRaw, data: data, want: want})
	}
	syn := pkttest.Ser(nil, pkttest.IP4(layers.IPProtocolTCP), pkttest.SYN(40000, 0))
	udp6 := pkttest.Ser(nil, pkttest.IP6(layers.IPProtocolUDP), pkttest.UDP(0, 53), gopacket.Payload("q"))
	eth4 := pkttest.Ser(nil, pkttest.Eth(layers.EthernetTypeIPv4))[:14]
	ethVLAN := cat(eth4[:12], hexb("8100 0064 0800"))
	arp := cat(eth4[:12], hexb("0806"), make([]byte, 28))

	// IP in IP, 6in4, and both in IPv6.
	add("tunnel/ipip", outerIP4(layers.IPProtocolIPv4, syn), tunneled(syn, 20, decode.EncapIPIP, 1, outer4a, outer4b))
	add("tunnel/6in4", outerIP4(layers.IPProtocolIPv6, udp6), tunneled(udp6, 20, decode.Encap6in4, 1, outer4a, outer4b))
	add("tunnel/4in6", outerIP6(4, syn), tunneled(syn, 40, decode.EncapIPIP, 1, outer6a, outer6b))
	add("tunnel/6in6", outerIP6(41, udp6), tunneled(udp6, 40, decode.Encap6in4, 1, outer6a, outer6b))
	// IP in IP whose inner version is not 4: the outer packet stands.
	r := rIPv4(decode.ProtoIPIP, uint16(20+len(udp6)))
	r.TTL, r.IPID, r.Src, r.Dst, r.Ports, r.PayloadLen = 60, 7, decode.AddrFrom(outer4a), decode.AddrFrom(outer4b), decode.PortsNone, uint16(len(udp6))
	add("tunnel/ipip-not-ipv4", outerIP4(layers.IPProtocolIPv4, udp6), r)

	// GRE: plain, with checksum, key and sequence number, Ethernet (TEB)
	// with a VLAN tag, PPTP's enhanced GRE, ERSPAN types I, II and III.
	add("tunnel/gre-ipv4", outerIP4(layers.IPProtocolGRE, cat(hexb("0000 0800"), syn)), tunneled(syn, 24, decode.EncapGRE, 1, outer4a, outer4b))
	add("tunnel/gre-csum-key-seq-ipv6", outerIP4(layers.IPProtocolGRE, cat(hexb("b000 86dd 00000000 0000002a 00000001"), udp6)), tunneled(udp6, 20+16, decode.EncapGRE, 1, outer4a, outer4b))
	rv := tunneled(syn, 24+18, decode.EncapGRE, 1, outer4a, outer4b)
	rv.VLANs = 1
	// The A bit (0x0080) is reserved in version 0 and ignored (RFC 2784).
	add("tunnel/gre-v0-reserved-ack-bit", outerIP4(layers.IPProtocolGRE, cat(hexb("0080 0800"), syn)), tunneled(syn, 24, decode.EncapGRE, 1, outer4a, outer4b))
	add("tunnel/gre-teb-vlan", outerIP4(layers.IPProtocolGRE, cat(hexb("0000 6558"), ethVLAN, syn)), rv)
	add("tunnel/gre-pptp-ppp", outerIP4(layers.IPProtocolGRE, cat(hexb("3001 880b 0030 0001 00000005"), hexb("ff03 0021"), syn)), tunneled(syn, 20+12+4, decode.EncapGRE, 1, outer4a, outer4b))
	add("tunnel/erspan-i", outerIP4(layers.IPProtocolGRE, cat(hexb("0000 88be"), eth4, syn)), tunneled(syn, 20+4+14, decode.EncapERSPAN, 1, outer4a, outer4b))
	add("tunnel/erspan-ii", outerIP4(layers.IPProtocolGRE, cat(hexb("1000 88be 00000001"), hexb("1000 0001 0000 0000"), eth4, syn)), tunneled(syn, 20+8+8+14, decode.EncapERSPAN, 1, outer4a, outer4b))
	add("tunnel/erspan-iii-subheader", outerIP4(layers.IPProtocolGRE, cat(hexb("1000 22eb 00000001"), hexb("2000 0001 00000000 00000001"), make([]byte, 8), eth4, syn)), tunneled(syn, 20+8+12+8+14, decode.EncapERSPAN, 1, outer4a, outer4b))
	// GRE carrying ARP in an Ethernet frame: not IP, the outer packet stands.
	r = rIPv4(decode.ProtoGRE, uint16(20+4+len(arp)))
	r.TTL, r.IPID, r.Src, r.Dst, r.Ports, r.PayloadLen = 60, 7, decode.AddrFrom(outer4a), decode.AddrFrom(outer4b), decode.PortsNone, uint16(4+len(arp))
	add("tunnel/gre-teb-arp-not-followed", outerIP4(layers.IPProtocolGRE, cat(hexb("0000 6558"), arp)), r)

	// UDP tunnels: VXLAN, Geneve with an option, GTP-U with an extension
	// header; VXLAN without its I flag is followed, as tcpdump's
	// vxlan_print does; Geneve of version 1 is not Geneve.
	add("tunnel/vxlan", outerUDP4(decode.PortVXLAN, cat(hexb("08000000 00000100"), eth4, syn)), tunneled(syn, 28+8+14, decode.EncapVXLAN, 1, outer4a, outer4b))
	add("tunnel/geneve-option", outerUDP4(decode.PortGeneve, cat(hexb("01000800 00000100"), hexb("0102 0300"), syn)), tunneled(syn, 28+12, decode.EncapGeneve, 1, outer4a, outer4b))
	add("tunnel/geneve-ethernet", outerUDP4(decode.PortGeneve, cat(hexb("00006558 00000100"), eth4, syn)), tunneled(syn, 28+8+14, decode.EncapGeneve, 1, outer4a, outer4b))
	gtp := cat(hexb("34ff 0000 00000001 0000 00 85"), hexb("01 0009 00"), udp6)
	binary.BigEndian.PutUint16(gtp[2:4], uint16(len(gtp)-8))
	add("tunnel/gtp-u-extension", outerUDP4(decode.PortGTPU, gtp), tunneled(udp6, 28+16, decode.EncapGTPU, 1, outer4a, outer4b))
	add("tunnel/vxlan-without-i-flag", outerUDP4(decode.PortVXLAN, cat(hexb("00000000 00000100"), eth4, syn)), tunneled(syn, 28+8+14, decode.EncapVXLAN, 1, outer4a, outer4b))
	g1 := outerUDP4(decode.PortGeneve, cat(hexb("40000800 00000100"), syn))
	r = withUDP(rIPv4(decode.ProtoUDP, uint16(len(g1))), 50000, decode.PortGeneve, len(g1)-28)
	r.TTL, r.IPID, r.Src, r.Dst = 60, 7, decode.AddrFrom(outer4a), decode.AddrFrom(outer4b)
	add("tunnel/geneve-version-1", g1, r)

	// Nested: GRE in IP-in-IP in VXLAN (3 tunnels; the outermost names
	// the kind), and MaxTunnels+1 IP-in-IP headers, of which the last is
	// not followed.
	nested := outerUDP4(decode.PortVXLAN, cat(hexb("08000000 00000100"), eth4, outerIP4(layers.IPProtocolIPv4, outerIP4(layers.IPProtocolGRE, cat(hexb("0000 0800"), syn)))))
	add("tunnel/nested-3", nested, tunneled(syn, 28+8+14+20+20+4, decode.EncapVXLAN, 3, outer4a, outer4b))
	deep := syn
	for range decode.MaxTunnels + 1 {
		deep = outerIP4(layers.IPProtocolIPv4, deep)
	}
	r = rIPv4(decode.ProtoIPIP, uint16(20+len(syn)))
	r.TTL, r.IPID, r.Src, r.Dst, r.Ports, r.PayloadLen = 60, 7, decode.AddrFrom(outer4a), decode.AddrFrom(outer4b), decode.PortsNone, uint16(len(syn))
	r.NetOff, r.Encap, r.Tunnels, r.Note, r.OuterVersion = 20*decode.MaxTunnels, decode.EncapIPIP, decode.MaxTunnels, decode.NoteTunnelDepth, 4
	r.OuterSrc, r.OuterDst = decode.AddrFrom(outer4a), decode.AddrFrom(outer4b)
	add("tunnel/depth-limit", deep, r)

	// IPv4 total length 0 (TSO): TCP decoded from the capture, other
	// protocols malformed.
	tso := append([]byte(nil), syn...)
	tso[2], tso[3] = 0, 0
	r = withSYN(rIPv4(decode.ProtoTCP, 0), 40000, 0)
	r.Note = decode.NoteTSO
	add("ipv4/tso-length-0", tso, r)
	// IPv6 payload length 0: BIG TCP with UDP right after the header; a
	// jumbogram with a hop-by-hop Jumbo Payload option; payload length 0
	// with a hop-by-hop header and no option is malformed.
	big := append([]byte(nil), udp6...)
	big[4], big[5] = 0, 0
	r = withUDP(rIPv6(decode.ProtoUDP, 0), 0, 53, 1)
	r.Note = decode.NoteBigTCP
	add("ipv6/big-tcp-length-0", big, r)
	jumbo := cat(udp6[:40], hexb("11 00 c2 04 00010000"), udp6[40:])
	jumbo[4], jumbo[5], jumbo[6] = 0, 0, 0
	binary.BigEndian.PutUint16(jumbo[48+4:], 0) // UDP length 0 (RFC 2675)
	r = withUDP(rIPv6(decode.ProtoUDP, 0), 0, 53, 1)
	r.Note, r.Ext, r.NExt, r.UDPLen = decode.NoteJumbogram, [decode.MaxExt]uint8{0}, 1, 0
	add("ipv6/jumbogram", jumbo, r)
	noOpt := cat(udp6[:40], hexb("11 00 01 04 00000000"), udp6[40:])
	noOpt[4], noOpt[5], noOpt[6] = 0, 0, 0
	r = rIPv6(decode.ProtoUDP, 0)
	r.Ext, r.NExt, r.Ports, r.Reason = [decode.MaxExt]uint8{0}, 1, decode.PortsMalformed, decode.ReasonIPLength
	add("ipv6/length-0-no-jumbo-option", noOpt, r)
	// gopacket fails inside its IPv6 layer, which holds the hop-by-hop
	// header: it knows neither that header nor what follows.
	rw := r
	rw.Ext, rw.NExt, rw.Proto = [decode.MaxExt]uint8{}, 0, decode.ProtoHopByHop
	cs[len(cs)-1].refWant = &rw
	return cs
}
