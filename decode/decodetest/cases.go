package decodetest

import (
	"encoding/binary"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
)

// A Case is one frame and the Record decode.(*Record).Decode gives for it.
type Case struct {
	Name string
	Link capture.LinkType
	Data []byte
	Want decode.Record
}

// IPv4Record is the Record of an IPv4 header IP4(proto) of total length
// totalLen, before the transport header.
func IPv4Record(proto uint8, totalLen uint16) decode.Record {
	return decode.Record{Link: decode.LinkOK, IPVersion: 4, TTL: 64, IPHdrLen: 20, Frag: decode.FragNone, IPID: 0x1234, IPLen: totalLen,
		Src: decode.AddrFrom(Src4), Dst: decode.AddrFrom(Dst4), Proto: proto}
}

// IPv6Record is the Record of an IPv6 header IP6(proto) of payload length
// payloadLen, before the transport header.
func IPv6Record(proto uint8, payloadLen uint16) decode.Record {
	return decode.Record{Link: decode.LinkOK, IPVersion: 6, TTL: 255, Frag: decode.FragNone, IPLen: payloadLen, Src: decode.AddrFrom(Src6), Dst: decode.AddrFrom(Dst6), Proto: proto}
}

// WithSYN is r with the TCP header SYN(sport, dport).
func WithSYN(r decode.Record, sport, dport uint16) decode.Record {
	r.Ports, r.SrcPort, r.DstPort, r.Port0 = decode.PortsPresent, sport, dport, decode.Port0Of(sport, dport)
	r.Seq, r.Window, r.Flags, r.DataOffset = 0xdeadbeef, 1024, decode.TCPFlagSYN, 7
	r.Opts, r.NOpts, r.MSS, r.WScale = [8]uint8{2, 1, 3}, 3, 1460, 7
	return r
}

// WithUDP is r with the header UDP(sport, dport) and payload bytes after
// it.
func WithUDP(r decode.Record, sport, dport uint16, payload int) decode.Record {
	r.Ports, r.SrcPort, r.DstPort, r.Port0 = decode.PortsPresent, sport, dport, decode.Port0Of(sport, dport)
	r.UDPLen, r.PayloadLen = uint16(8+payload), uint16(payload)
	return r
}

// The Records of the packets most cases are built on.
var (
	// SYNRecord is SYNPacket's Record.
	SYNRecord = WithSYN(IPv4Record(decode.ProtoTCP, 48), 40000, 0)
	// UDP6Record is UDP6Packet's Record.
	UDP6Record = WithUDP(IPv6Record(decode.ProtoUDP, 9), 0, 53, 1)
)

// SYNPacket is IPv4 and SYN(40000, 0): a TCP SYN to port 0, 48 bytes.
func SYNPacket() []byte { return Ser(IP4(decode.ProtoTCP), SYN(40000, 0)) }

// UDP6Packet is IPv6 and UDP(0, 53) with a 1-byte payload, 49 bytes.
func UDP6Packet() []byte { return Ser(IP6(decode.ProtoUDP), UDP(0, 53), Payload("q")) }

// linkHdrLen is the length of the link header of each link type the
// cases' NetOff defaults to.
var linkHdrLen = map[capture.LinkType]uint16{capture.LinkEthernet: 14, capture.LinkSLL: 16, capture.LinkSLL2: 20, capture.LinkNull: 4, capture.LinkLoop: 4}

// Cases are the decoders' table: every link layer's plain case, VLAN
// tags, port 0 in every position, IPv4 options and IPv6 extension headers,
// fragments, truncated and malformed headers, ICMP errors, then the rarer
// paths (edgeCases) and TunnelCases. LinkCases are apart.
func Cases() []Case {
	var cs []Case
	add := func(name string, link capture.LinkType, data []byte, want decode.Record) {
		if want.Link == decode.LinkOK && want.NetOff == 0 {
			// The IP header follows the link header and its tags.
			want.NetOff = linkHdrLen[link] + 4*uint16(want.VLANs)
		}
		cs = append(cs, Case{Name: name, Link: link, Data: data, Want: want})
	}

	syn, synRec := SYNPacket(), SYNRecord
	ethHdr, ethHdr6 := EthHeader(0x0800), EthHeader(0x86dd)

	// Link layers.
	add("ethernet/tcp-syn-dport0", capture.LinkEthernet, Ser(Eth(0x0800), IP4(decode.ProtoTCP), SYN(40000, 0)), synRec)
	add("raw101/tcp-syn", capture.LinkRaw, syn, synRec)
	add("raw12/tcp-syn", capture.LinkRawBSD12, syn, synRec)
	add("raw14/tcp-syn", capture.LinkRawBSD14, syn, synRec)
	add("ipv4-228/tcp-syn", capture.LinkIPv4, syn, synRec)
	add("null-le/tcp-syn", capture.LinkNull, Cat(Hex("02000000"), syn), synRec)
	add("null-be/tcp-syn", capture.LinkNull, Cat(Hex("00000002"), syn), synRec)
	add("loop/tcp-syn", capture.LinkLoop, Cat(Hex("00000002"), syn), synRec)
	add("loop/little-endian-is-not-ip", capture.LinkLoop, Cat(Hex("02000000"), syn), decode.Record{Link: decode.LinkNotIP})
	add("sll/tcp-syn", capture.LinkSLL, Cat(Hex("0000 0001 0006 020000000001 0000 0800"), syn), synRec)
	add("sll2/tcp-syn", capture.LinkSLL2, Cat(Hex("0800 0000 00000002 0001 00 06 020000000001 0000"), syn), synRec)
	add("unsupported-link", 147, syn, decode.Record{Link: decode.LinkUnsupported})
	add("ethernet/arp-not-ip", capture.LinkEthernet, Cat(ethHdr[:12], Hex("0806"), make([]byte, 46)), decode.Record{Link: decode.LinkNotIP})
	add("ethernet/short", capture.LinkEthernet, Hex("0200000000020200"), decode.Record{Link: decode.LinkTruncated, Reason: decode.ReasonTruncated})
	add("empty/ethernet", capture.LinkEthernet, nil, decode.Record{Link: decode.LinkTruncated, Reason: decode.ReasonTruncated})
	add("empty/raw", capture.LinkRaw, nil, decode.Record{Link: decode.LinkOK, Reason: decode.ReasonTruncated})
	add("garbage/raw", capture.LinkRaw, Hex("ff 01 02 03 04 05 06 07 08 09"), decode.Record{Link: decode.LinkOK, Reason: decode.ReasonIPVersion})
	add("garbage/ethernet-ipv4-too-short", capture.LinkEthernet, Cat(ethHdr, Hex("45 00 00")), decode.Record{Link: decode.LinkOK, Reason: decode.ReasonTruncated})

	// VLAN tags.
	dot1q := func(tpid uint16, inner ...uint16) []byte { // Ethernet header with TPID, then tags
		b := append([]byte(nil), ethHdr[:12]...)
		b = binary.BigEndian.AppendUint16(b, tpid)
		for _, et := range inner {
			b = binary.BigEndian.AppendUint16(b, 100) // VLAN 100
			b = binary.BigEndian.AppendUint16(b, et)
		}
		return b
	}
	r := synRec
	r.VLANs = 1
	add("ethernet/802.1q", capture.LinkEthernet, Cat(dot1q(0x8100, 0x0800), syn), r)
	r.VLANs = 2
	add("ethernet/qinq-88a8", capture.LinkEthernet, Cat(dot1q(0x88a8, 0x8100, 0x0800), syn), r)
	add("ethernet/qinq-9100", capture.LinkEthernet, Cat(dot1q(0x9100, 0x8100, 0x0800), syn), r)
	add("ethernet/vlan-truncated", capture.LinkEthernet, dot1q(0x8100, 0x8100)[:16], decode.Record{Link: decode.LinkTruncated, Reason: decode.ReasonTruncated}) // half a tag

	// IPv4 options: NOP NOP NOP End-of-list.
	ipo := IP4(decode.ProtoUDP)
	ipo.Options = []byte{1, 1, 1, 0}
	r = WithUDP(IPv4Record(decode.ProtoUDP, 24+8+4), 0, 53, 4)
	r.IPHdrLen, r.IPOptions, r.Port0 = 24, true, decode.Port0Src
	add("ipv4-options/udp-sport0", capture.LinkRaw, Ser(ipo, UDP(0, 53), Payload("abcd")), r)

	// Port 0 in every position, UDP and TCP.
	for _, p := range []struct {
		name       string
		sport, dpt uint16
	}{{"none", 1234, 80}, {"src", 0, 80}, {"dst", 1234, 0}, {"both", 0, 0}} {
		add("ipv4/udp-port0-"+p.name, capture.LinkIPv4, Ser(IP4(decode.ProtoUDP), UDP(p.sport, p.dpt), Payload("xy")),
			WithUDP(IPv4Record(decode.ProtoUDP, 30), p.sport, p.dpt, 2))
		add("ipv6/tcp-port0-"+p.name, capture.LinkIPv6, Ser(IP6(decode.ProtoTCP), SYN(p.sport, p.dpt)),
			WithSYN(IPv6Record(decode.ProtoTCP, 28), p.sport, p.dpt))
	}

	// Ethernet padding: a 2-byte UDP payload padded to 60 bytes.
	add("ethernet/padding-udp-dport0", capture.LinkEthernet, Ser(Eth(0x0800), IP4(decode.ProtoUDP), UDP(5000, 0), Payload("hi")), WithUDP(IPv4Record(decode.ProtoUDP, 30), 5000, 0, 2))

	// IPv6 extension headers: hop-by-hop, routing, destination options.
	hbh := Hex("2b 00 0104 00000000")   // next routing, len 0, PadN(4)
	rt := Hex("3c 00 00 00 00000000")   // next dest opts, type 0, segments left 0
	dopt := Hex("11 00 01 04 00000000") // next UDP, PadN(4)
	u := Ser(UDP(0, 7), Payload("pay"))
	u6 := Ser(IP6(decode.ProtoHopByHop), Payload(Cat(hbh, rt, dopt, u)))
	r = WithUDP(IPv6Record(decode.ProtoUDP, uint16(len(u6)-40)), 0, 7, 3)
	r.Ext, r.NExt = [decode.MaxExt]uint8{0, 43, 60}, 3
	add("ipv6/ext-hbh-routing-dest/udp", capture.LinkIPv6, u6, r)

	// Fragments. IPv4 first fragment holding a whole TCP SYN.
	f := append([]byte(nil), syn...)
	f[6] |= 0x20 // MF
	r = synRec
	r.MF, r.Frag = true, decode.FragFirst
	add("ipv4/first-fragment-tcp", capture.LinkRaw, f, r)
	// Non-first fragment: offset 185 (1480 bytes), 28 bytes of data that look like ports 0.
	nf := Ser(IP4(decode.ProtoUDP), Payload(make([]byte, 28)))
	binary.BigEndian.PutUint16(nf[6:8], 185)
	r = IPv4Record(decode.ProtoUDP, 48)
	r.FragOffset, r.Frag, r.Ports, r.PayloadLen = 185, decode.FragNonFirst, decode.PortsNonFirstFragment, 28
	add("ipv4/non-first-fragment", capture.LinkRaw, nf, r)
	// Tiny first fragment: 4 bytes of UDP (the ports only). The ports are
	// there: they count (PortsCut).
	tf := Ser(IP4(decode.ProtoUDP), Payload(Hex("0000 0035")))
	tf[6] |= 0x20
	r = IPv4Record(decode.ProtoUDP, 24)
	r.MF, r.Frag, r.Ports, r.Reason = true, decode.FragFirst, decode.PortsShortFirstFragment, decode.ReasonShortFragment
	r.SrcPort, r.DstPort, r.Port0 = 0, 53, decode.Port0Src
	add("ipv4/tiny-first-fragment", capture.LinkRaw, tf, r)
	// IPv6 first fragment with UDP port 0, and a non-first one.
	fh := Hex("11 00 0001 cafebabe") // next UDP, offset 0, M=1, id
	v6f := Ser(IP6(decode.ProtoFragment), Payload(Cat(fh, u)))
	r = WithUDP(IPv6Record(decode.ProtoUDP, uint16(len(v6f)-40)), 0, 7, 3)
	r.Ext, r.NExt, r.MF, r.IPID, r.Frag = [decode.MaxExt]uint8{44}, 1, true, 0xcafebabe, decode.FragFirst
	add("ipv6/first-fragment-udp", capture.LinkIPv6, v6f, r)
	v6nf := append([]byte(nil), v6f...)
	binary.BigEndian.PutUint16(v6nf[42:44], 185<<3)
	r = IPv6Record(decode.ProtoUDP, r.IPLen)
	r.Ext, r.NExt, r.IPID, r.Frag, r.FragOffset, r.Ports, r.PayloadLen = [decode.MaxExt]uint8{44}, 1, 0xcafebabe, decode.FragNonFirst, 185, decode.PortsNonFirstFragment, 11
	add("ipv6/non-first-fragment", capture.LinkIPv6, v6nf, r)

	// Truncated capture: snaplen cuts the TCP header after 3 bytes, then
	// after 6 and 12: the fixed header is incomplete, but from 4 bytes on
	// the ports are there and count (PortsCut).
	r = IPv4Record(decode.ProtoTCP, 48)
	r.Ports, r.Reason = decode.PortsTruncated, decode.ReasonTruncated
	add("ipv4/snaplen-in-sport", capture.LinkRaw, syn[:23], r)
	r.SrcPort, r.DstPort, r.Port0 = 40000, 0, decode.Port0Dst
	add("ipv4/snaplen-in-tcp", capture.LinkRaw, syn[:26], r)
	add("ipv4/snaplen-after-ports", capture.LinkRaw, syn[:32], r)
	// Snaplen in the options: header fields are real.
	r = WithSYN(IPv4Record(decode.ProtoTCP, 48), 40000, 0)
	r.Opts, r.NOpts, r.MSS, r.WScale, r.Reason = [8]uint8{}, 0, 0, 0, decode.ReasonTruncated
	add("ipv4/snaplen-in-tcp-options", capture.LinkRaw, syn[:44], r)

	// TCP data offset < 5: ports still real.
	do := append([]byte(nil), syn...)
	do[20+12] = 0x30
	r = WithSYN(IPv4Record(decode.ProtoTCP, 48), 40000, 0)
	r.DataOffset, r.Opts, r.NOpts, r.MSS, r.WScale, r.Reason = 3, [8]uint8{}, 0, 0, 0, decode.ReasonTCPDataOffset
	add("ipv4/tcp-data-offset-3", capture.LinkRaw, do, r)

	// UDP length < 8: ports still real.
	ul := Ser(IP4(decode.ProtoUDP), UDP(0, 0), Payload("xy"))
	binary.BigEndian.PutUint16(ul[24:26], 4)
	r = WithUDP(IPv4Record(decode.ProtoUDP, 30), 0, 0, 0)
	r.UDPLen, r.Reason = 4, decode.ReasonUDPLength
	add("ipv4/udp-length-4", capture.LinkRaw, ul, r)

	// IPv4 IHL < 5 and total length < header length.
	bad := append([]byte(nil), syn...)
	bad[0] = 0x44
	r = IPv4Record(decode.ProtoTCP, 48)
	r.IPHdrLen, r.Frag, r.Ports, r.Reason = 16, decode.FragUnknown, decode.PortsMalformed, decode.ReasonIPv4HeaderLen
	add("ipv4/ihl-4", capture.LinkRaw, bad, r)
	bad = append([]byte(nil), syn...)
	binary.BigEndian.PutUint16(bad[2:4], 16)
	r = IPv4Record(decode.ProtoTCP, 16)
	r.Frag, r.Ports, r.Reason = decode.FragUnknown, decode.PortsMalformed, decode.ReasonIPv4TotalLen
	add("ipv4/total-length-16", capture.LinkRaw, bad, r)

	// ICMP errors quoting port-0 packets (backscatter).
	quoted := syn[:28]
	icmp := Ser(&IPv4{TTL: 250, ID: 0x1234, Proto: decode.ProtoICMP, Src: Dst4, Dst: Src4}, &ICMPv4{Type: 3, Code: 3}, Payload(quoted))
	r = IPv4Record(decode.ProtoICMP, uint16(len(icmp)))
	r.TTL, r.Src, r.Dst, r.Ports, r.ICMP, r.ICMPType, r.ICMPCode, r.PayloadLen = 250, decode.AddrFrom(Dst4), decode.AddrFrom(Src4), decode.PortsNone, true, 3, 3, 28
	r.Inner = decode.Quoted{Version: 4, Proto: decode.ProtoTCP, Src: decode.AddrFrom(Src4), Dst: decode.AddrFrom(Dst4), Ports: decode.PortsPresent, SrcPort: 40000, DstPort: 0, Port0: decode.Port0Dst}
	copy(r.Inner.Transport[:], quoted[20:])
	add("icmp4/unreachable-quoting-tcp-dport0", capture.LinkEthernet, Cat(ethHdr, icmp), r)

	quoted6 := UDP6Packet()
	icmp6 := Ser(&IPv6{HopLimit: 64, Next: decode.ProtoICMPv6, Src: Dst6, Dst: Src6}, Payload(Cat(Hex("01 04 0000 00000000"), quoted6)))
	r = IPv6Record(decode.ProtoICMPv6, uint16(len(icmp6)-40))
	r.TTL, r.Src, r.Dst, r.Ports, r.ICMP, r.ICMPType, r.ICMPCode, r.PayloadLen = 64, decode.AddrFrom(Dst6), decode.AddrFrom(Src6), decode.PortsNone, true, 1, 4, uint16(len(quoted6))
	r.Inner = decode.Quoted{Version: 6, Proto: decode.ProtoUDP, Src: decode.AddrFrom(Src6), Dst: decode.AddrFrom(Dst6), Ports: decode.PortsPresent, SrcPort: 0, DstPort: 53, Port0: decode.Port0Src}
	copy(r.Inner.Transport[:], quoted6[40:])
	add("icmp6/unreachable-quoting-udp-sport0", capture.LinkEthernet, Cat(ethHdr6, icmp6), r)

	// ICMP echo: no ports, not port 0 (flow tools put type/code in the ports).
	echo := Ser(IP4(decode.ProtoICMP), &ICMPv4{Type: 0, Code: 0})
	r = IPv4Record(decode.ProtoICMP, 28)
	r.Ports, r.ICMP = decode.PortsNone, true
	add("icmp4/echo-reply-no-ports", capture.LinkRaw, echo, r)

	// GRE: a protocol without ports.
	gre := Ser(IP4(decode.ProtoGRE), Payload(Hex("0000 0800 45")))
	r = IPv4Record(decode.ProtoGRE, 25)
	r.Ports, r.PayloadLen = decode.PortsNone, 5
	add("ipv4/gre-no-ports", capture.LinkRaw, gre, r)
	for _, c := range append(edgeCases(), TunnelCases()...) {
		add(c.Name, c.Link, c.Data, c.Want)
	}
	return cs
}

// Find returns the case of Cases named name.
func Find(name string) (Case, bool) {
	for _, c := range Cases() {
		if c.Name == name {
			return c, true
		}
	}
	return Case{}, false
}
