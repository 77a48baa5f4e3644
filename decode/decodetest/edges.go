package decodetest

import (
	"bytes"
	"encoding/binary"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
)

// edgeCases are the rarer paths of Cases, on raw IP: IPv6 extension
// header chains and options that end the walk, ICMP headers cut short and
// the quotes ICMP errors hold, and tunnels that are not followed.
func edgeCases() []Case {
	var cs []Case
	add := func(name string, link capture.LinkType, data []byte, want decode.Record) {
		cs = append(cs, Case{Name: name, Link: link, Data: data, Want: want})
	}
	raw := capture.LinkRaw
	syn, synRec := SYNPacket(), SYNRecord
	u := Ser(UDP(0, 7), Payload("pay")) // 11 bytes, no checksum
	// v6 is IPv6 of first next header nh around the extension headers and
	// transport bytes in rest.
	v6 := func(nh uint8, rest ...[]byte) []byte { return Ser(IP6(nh), Payload(Cat(rest...))) }
	ext := func(ns ...uint8) [decode.MaxExt]uint8 {
		var e [decode.MaxExt]uint8
		copy(e[:], ns)
		return e
	}

	// IPv6 extension headers.
	dopt := Hex("3c 00 01 04 00000000") // next destination options, PadN(4)
	chain := v6(decode.ProtoDestOpts, bytes.Repeat(dopt, decode.MaxExt), Hex("11 00 01 04 00000000"), u)
	r := IPv6Record(decode.ProtoDestOpts, uint16(len(chain)-40))
	r.Ext, r.NExt, r.Ports, r.Reason = ext(60, 60, 60, 60, 60, 60, 60, 60), decode.MaxExt, decode.PortsMalformed, decode.ReasonIPv6ExtChain
	add("ipv6/ext-chain-too-long", raw, chain, r)

	twoFrag := v6(decode.ProtoFragment, Hex("2c 00 0001 00000001"), Hex("11 00 0001 00000001"), u)
	r = IPv6Record(decode.ProtoUDP, uint16(len(twoFrag)-40))
	r.Ext, r.NExt, r.MF, r.IPID, r.Frag, r.Ports, r.Reason = ext(44, 44), 2, true, 1, decode.FragFirst, decode.PortsMalformed, decode.ReasonIPv6ExtChain
	add("ipv6/two-fragment-headers", raw, twoFrag, r)

	hbhU := v6(decode.ProtoHopByHop, Hex("11 00 01 04 00000000"), u)
	r = IPv6Record(decode.ProtoHopByHop, 19)
	r.Ports, r.Reason = decode.PortsTruncated, decode.ReasonTruncated
	add("ipv6/ext-cut-by-capture", raw, hbhU[:44], r)

	long := v6(decode.ProtoHopByHop, Hex("11 01 01 0c 00000000 00000000 00000000"), u)
	binary.BigEndian.PutUint16(long[4:6], 8)
	r = IPv6Record(decode.ProtoHopByHop, 8)
	r.Ports, r.Reason = decode.PortsMalformed, decode.ReasonIPLength
	add("ipv6/ext-beyond-payload-length", raw, long, r)

	pad1 := v6(decode.ProtoHopByHop, Hex("11 00 00 00 01 02 0000"), u)
	r = WithUDP(IPv6Record(decode.ProtoUDP, 19), 0, 7, 3)
	r.Ext, r.NExt = ext(0), 1
	add("ipv6/hop-by-hop-pad1", raw, pad1, r)

	jumboLen := v6(decode.ProtoHopByHop, Hex("11 00 c2 04 00010000"), u)
	r = IPv6Record(decode.ProtoUDP, 19)
	r.Ext, r.NExt, r.Ports, r.Reason = ext(0), 1, decode.PortsMalformed, decode.ReasonIPv6Options
	add("ipv6/jumbo-option-with-payload-length", raw, jumboLen, r)

	badOpt := v6(decode.ProtoDestOpts, Hex("11 00 01 09 00000000"), u)
	r = IPv6Record(decode.ProtoUDP, 19)
	r.Ext, r.NExt, r.Ports, r.Reason = ext(60), 1, decode.PortsMalformed, decode.ReasonIPv6Options
	add("ipv6/option-longer-than-header", raw, badOpt, r)

	add("raw/ipv6-cut-in-header", raw, UDP6Packet()[:30], decode.Record{Link: decode.LinkOK, Reason: decode.ReasonTruncated})
	add("ipv6-229/ipv4-packet", capture.LinkIPv6, syn, decode.Record{Link: decode.LinkOK, Reason: decode.ReasonIPVersion})
	icmpLen0 := Ser(IP6(decode.ProtoICMPv6), Payload(Hex("80 00 0000 00000000")))
	icmpLen0[4], icmpLen0[5] = 0, 0
	r = IPv6Record(decode.ProtoICMPv6, 0)
	r.Ports, r.Reason = decode.PortsMalformed, decode.ReasonIPLength
	add("ipv6/length-0-icmp", raw, icmpLen0, r)

	// ICMP headers cut by the IP length and by the capture.
	cutICMP := Ser(IP4(decode.ProtoICMP), Payload(Hex("0303 0000")))
	r = IPv4Record(decode.ProtoICMP, 24)
	r.Ports, r.Reason = decode.PortsNone, decode.ReasonIPLength
	add("icmp4/header-cut-by-ip-length", raw, cutICMP, r)
	echo := Ser(IP4(decode.ProtoICMP), &ICMPv4{Type: 8})
	r = IPv4Record(decode.ProtoICMP, 28)
	r.Ports, r.Reason = decode.PortsNone, decode.ReasonTruncated
	add("icmp4/header-cut-by-capture", raw, echo[:24], r)

	// ICMP errors quoting what holds no ports, or not enough of them.
	// icmp4 is an ICMPv4 time exceeded from Dst4 quoting q; icmp6 an
	// ICMPv6 destination unreachable from Dst6.
	icmp4 := func(q []byte) ([]byte, decode.Record) {
		b := Ser(&IPv4{TTL: 250, ID: 0x1234, Proto: decode.ProtoICMP, Src: Dst4, Dst: Src4}, &ICMPv4{Type: 11}, Payload(q))
		r := IPv4Record(decode.ProtoICMP, uint16(len(b)))
		r.TTL, r.Src, r.Dst, r.Ports, r.ICMP, r.ICMPType, r.PayloadLen = 250, decode.AddrFrom(Dst4), decode.AddrFrom(Src4), decode.PortsNone, true, 11, uint16(len(q))
		return b, r
	}
	icmp6 := func(q []byte) ([]byte, decode.Record) {
		b := Ser(&IPv6{HopLimit: 64, Next: decode.ProtoICMPv6, Src: Dst6, Dst: Src6}, Payload(Cat(Hex("01 00 0000 00000000"), q)))
		r := IPv6Record(decode.ProtoICMPv6, uint16(len(b)-40))
		r.TTL, r.Src, r.Dst, r.Ports, r.ICMP, r.ICMPType, r.PayloadLen = 64, decode.AddrFrom(Dst6), decode.AddrFrom(Src6), decode.PortsNone, true, 1, uint16(len(q))
		return b, r
	}
	quoted4 := func(proto uint8, ports decode.PortsKind) decode.Quoted {
		return decode.Quoted{Version: 4, Proto: proto, Src: decode.AddrFrom(Src4), Dst: decode.AddrFrom(Dst4), Ports: ports}
	}
	quoted6 := func(proto uint8, ports decode.PortsKind) decode.Quoted {
		return decode.Quoted{Version: 6, Proto: proto, Src: decode.AddrFrom(Src6), Dst: decode.AddrFrom(Dst6), Ports: ports}
	}
	b, r := icmp4(Ser(IP4(decode.ProtoICMP), &ICMPv4{Type: 8}))
	r.Inner = quoted4(decode.ProtoICMP, decode.PortsNone)
	add("icmp4/quoting-echo", raw, b, r)
	b, r = icmp4(syn[:24])
	r.Inner = quoted4(decode.ProtoTCP, decode.PortsTruncated)
	add("icmp4/quote-cut-in-ports", raw, b, r)
	nf := Ser(&IPv4{TTL: 64, ID: 0x1234, Proto: decode.ProtoUDP, Src: Src4, Dst: Dst4, FragOffset: 185}, Payload(make([]byte, 8)))
	b, r = icmp4(nf)
	r.Inner = quoted4(decode.ProtoUDP, decode.PortsNonFirstFragment)
	add("icmp4/quoting-non-first-fragment", raw, b, r)
	ihl4 := append([]byte(nil), syn[:28]...)
	ihl4[0] = 0x44
	b, r = icmp4(ihl4)
	add("icmp4/quote-ihl-4", raw, b, r)
	b, r = icmp6(Ser(IP6(decode.ProtoFragment), Payload(Cat(Hex("11 00 05c8 00000001"), make([]byte, 8)))))
	r.Inner = quoted6(decode.ProtoUDP, decode.PortsNonFirstFragment)
	add("icmp6/quoting-non-first-fragment", raw, b, r)
	q := Ser(IP6(decode.ProtoHopByHop), Payload(Cat(Hex("11 00 01 04 00000000"), Ser(UDP(0, 53)))))
	b, r = icmp6(q)
	r.Inner = quoted6(decode.ProtoUDP, decode.PortsPresent)
	r.Inner.DstPort, r.Inner.Port0 = 53, decode.Port0Src
	copy(r.Inner.Transport[:], q[48:])
	add("icmp6/quoting-hop-by-hop-udp", raw, b, r)
	b, r = icmp6(q[:44])
	r.Inner = quoted6(decode.ProtoHopByHop, decode.PortsTruncated)
	add("icmp6/quote-cut-in-extension-header", raw, b, r)

	// Tunnels not followed: a first fragment, a GRE header cut short,
	// enhanced GRE carrying IP (not PPP), a VXLAN header cut short; and
	// two that are: GRE with a source route, GTP-U without extension.
	r = outerRecord(decode.ProtoIPIP, len(syn))
	r.MF, r.Frag = true, decode.FragFirst
	add("tunnel/ipip-first-fragment", raw, Ser(&IPv4{TTL: 60, ID: 7, Proto: decode.ProtoIPIP, Src: Outer4a, Dst: Outer4b, Flags: 1}, Payload(syn)), r)
	add("tunnel/gre-cut", raw, outerIP4(decode.ProtoGRE, Hex("0000")), outerRecord(decode.ProtoGRE, 2))
	v1 := Cat(Hex("3001 0800 0030 0001 00000005"), syn)
	add("tunnel/gre-v1-not-ppp", raw, outerIP4(decode.ProtoGRE, v1), outerRecord(decode.ProtoGRE, len(v1)))
	vx := outerUDP4(decode.PortVXLAN, Hex("08000000"))
	r = WithUDP(IPv4Record(decode.ProtoUDP, uint16(len(vx))), 50000, decode.PortVXLAN, 4)
	r.TTL, r.IPID, r.Src, r.Dst = 60, 7, decode.AddrFrom(Outer4a), decode.AddrFrom(Outer4b)
	add("tunnel/vxlan-cut", raw, vx, r)
	sre := Cat(Hex("4000 0800 00000000"), Hex("0800 00 04 c0000201"), Hex("0000 00 00"), syn)
	add("tunnel/gre-source-route", raw, outerIP4(decode.ProtoGRE, sre), tunneled(synRec, 20+20, decode.EncapGRE, 1, Outer4a, Outer4b))
	gtp := Cat(Hex("30ff 0000 00000001"), syn)
	binary.BigEndian.PutUint16(gtp[2:4], uint16(len(syn)))
	add("tunnel/gtp-u-ipv4", raw, outerUDP4(decode.PortGTPU, gtp), tunneled(synRec, 28+8, decode.EncapGTPU, 1, Outer4a, Outer4b))
	return cs
}
