package reference

import (
	"encoding/binary"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/internal/pkttest"
)

// Expected records are built from a few bases.
func rIPv4(proto uint8, totalLen uint16) decode.Record {
	return decode.Record{Link: decode.LinkOK, IPVersion: 4, TTL: 64, IPHdrLen: 20, Frag: decode.FragNone, IPID: 0x1234, IPLen: totalLen,
		Src: decode.AddrFrom(pkttest.Src4), Dst: decode.AddrFrom(pkttest.Dst4), Proto: proto}
}

func rIPv6(proto uint8, payloadLen uint16) decode.Record {
	return decode.Record{Link: decode.LinkOK, IPVersion: 6, TTL: 255, Frag: decode.FragNone, IPLen: payloadLen, Src: decode.AddrFrom(pkttest.Src6), Dst: decode.AddrFrom(pkttest.Dst6), Proto: proto}
}

func withSYN(r decode.Record, sport, dport uint16) decode.Record {
	r.Ports, r.SrcPort, r.DstPort, r.Port0 = decode.PortsPresent, sport, dport, decode.Port0Of(sport, dport)
	r.Seq, r.Window, r.Flags, r.DataOffset = 0xdeadbeef, 1024, decode.TCPFlagSYN, 7
	r.Opts, r.NOpts, r.MSS, r.WScale = [8]uint8{2, 1, 3}, 3, 1460, 7
	return r
}

func withUDP(r decode.Record, sport, dport uint16, payload int) decode.Record {
	r.Ports, r.SrcPort, r.DstPort, r.Port0 = decode.PortsPresent, sport, dport, decode.Port0Of(sport, dport)
	r.UDPLen, r.PayloadLen = uint16(8+payload), uint16(payload)
	return r
}

func ptr(r decode.Record) *decode.Record { return &r }

// gotWant formats the differences between a decoder's record and the
// expected one.
func gotWant(got, want decode.Record) string {
	var s string
	for _, d := range DiffRecords(got, want) {
		s += "  " + d.Field + ": got " + d.Fast + ", want " + d.Ref + "\n"
	}
	return s
}

type decodeCase struct {
	name string
	link capture.LinkType
	data []byte
	want decode.Record
	// refWant, when set, is what the reference decoder says before
	// Normalize (a known difference); the normalised pair must equal want.
	refWant *decode.Record
}

// hexb decodes hex with spaces and comments-free annotations.
func hexb(s string) []byte {
	var out []byte
	var hi byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		default:
			continue
		}
		if n%2 == 0 {
			hi = v
		} else {
			out = append(out, hi<<4|v)
		}
		n++
	}
	return out
}

func cat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

func decodeCases() []decodeCase {
	var cs []decodeCase
	add := func(name string, link capture.LinkType, data []byte, want decode.Record) *decodeCase {
		if want.Link == decode.LinkOK && want.NetOff == 0 {
			// The IP header follows the link header and its tags.
			want.NetOff = map[capture.LinkType]uint16{capture.LinkEthernet: 14, capture.LinkSLL: 16, capture.LinkSLL2: 20, capture.LinkNull: 4, capture.LinkLoop: 4}[link] + 4*uint16(want.VLANs)
		}
		cs = append(cs, decodeCase{name: name, link: link, data: data, want: want})
		return &cs[len(cs)-1]
	}

	syn := pkttest.Ser(nil, pkttest.IP4(layers.IPProtocolTCP), pkttest.SYN(40000, 0))
	synRec := withSYN(rIPv4(decode.ProtoTCP, 48), 40000, 0)
	ethHdr := pkttest.Ser(nil, pkttest.Eth(layers.EthernetTypeIPv4))[:14] // gopacket pads frames to 60 bytes
	ethHdr6 := pkttest.Ser(nil, pkttest.Eth(layers.EthernetTypeIPv6))[:14]

	// Link layers.
	add("ethernet/tcp-syn-dport0", capture.LinkEthernet, pkttest.Ser(nil, pkttest.Eth(layers.EthernetTypeIPv4), pkttest.IP4(layers.IPProtocolTCP), pkttest.SYN(40000, 0)), synRec)
	add("raw101/tcp-syn", capture.LinkRaw, syn, synRec)
	add("raw12/tcp-syn", capture.LinkRawBSD12, syn, synRec)
	add("raw14/tcp-syn", capture.LinkRawBSD14, syn, synRec)
	add("ipv4-228/tcp-syn", capture.LinkIPv4, syn, synRec)
	add("null-le/tcp-syn", capture.LinkNull, cat(hexb("02000000"), syn), synRec)
	add("null-be/tcp-syn", capture.LinkNull, cat(hexb("00000002"), syn), synRec)
	add("loop/tcp-syn", capture.LinkLoop, cat(hexb("00000002"), syn), synRec)
	add("loop/little-endian-is-not-ip", capture.LinkLoop, cat(hexb("02000000"), syn), decode.Record{Link: decode.LinkNotIP})
	add("sll/tcp-syn", capture.LinkSLL, cat(hexb("0000 0001 0006 020000000001 0000 0800"), syn), synRec)
	add("sll2/tcp-syn", capture.LinkSLL2, cat(hexb("0800 0000 00000002 0001 00 06 020000000001 0000"), syn), synRec)
	add("unsupported-link", 147, syn, decode.Record{Link: decode.LinkUnsupported})
	add("ethernet/arp-not-ip", capture.LinkEthernet, cat(ethHdr[:12], hexb("0806"), make([]byte, 46)), decode.Record{Link: decode.LinkNotIP})
	add("ethernet/short", capture.LinkEthernet, hexb("0200000000020200"), decode.Record{Link: decode.LinkTruncated, Reason: decode.ReasonTruncated})
	add("empty/ethernet", capture.LinkEthernet, nil, decode.Record{Link: decode.LinkTruncated, Reason: decode.ReasonTruncated})
	add("empty/raw", capture.LinkRaw, nil, decode.Record{Link: decode.LinkOK, Reason: decode.ReasonTruncated})
	add("garbage/raw", capture.LinkRaw, hexb("ff 01 02 03 04 05 06 07 08 09"), decode.Record{Link: decode.LinkOK, Reason: decode.ReasonIPVersion})
	add("garbage/ethernet-ipv4-too-short", capture.LinkEthernet, cat(ethHdr, hexb("45 00 00")), decode.Record{Link: decode.LinkOK, Reason: decode.ReasonTruncated})

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
	add("ethernet/802.1q", capture.LinkEthernet, cat(dot1q(0x8100, 0x0800), syn), r)
	r.VLANs = 2
	add("ethernet/qinq-88a8", capture.LinkEthernet, cat(dot1q(0x88a8, 0x8100, 0x0800), syn), r)
	add("ethernet/qinq-9100", capture.LinkEthernet, cat(dot1q(0x9100, 0x8100, 0x0800), syn), r)
	add("ethernet/vlan-truncated", capture.LinkEthernet, dot1q(0x8100, 0x8100)[:16], decode.Record{Link: decode.LinkTruncated, Reason: decode.ReasonTruncated}) // half a tag

	// IPv4 options: NOP NOP NOP End-of-list.
	ipo := pkttest.IP4(layers.IPProtocolUDP)
	ipo.Options = []layers.IPv4Option{{OptionType: 1}, {OptionType: 1}, {OptionType: 1}, {OptionType: 0}}
	r = withUDP(rIPv4(decode.ProtoUDP, 24+8+4), 0, 53, 4)
	r.IPHdrLen, r.IPOptions, r.Port0 = 24, true, decode.Port0Src
	add("ipv4-options/udp-sport0", capture.LinkRaw, pkttest.Ser(nil, ipo, pkttest.UDP(0, 53), gopacket.Payload("abcd")), r)

	// Port 0 in every position, UDP and TCP.
	for _, p := range []struct {
		name       string
		sport, dpt uint16
	}{{"none", 1234, 80}, {"src", 0, 80}, {"dst", 1234, 0}, {"both", 0, 0}} {
		add("ipv4/udp-port0-"+p.name, capture.LinkIPv4, pkttest.Ser(nil, pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(p.sport, p.dpt), gopacket.Payload("xy")),
			withUDP(rIPv4(decode.ProtoUDP, 30), p.sport, p.dpt, 2))
		add("ipv6/tcp-port0-"+p.name, capture.LinkIPv6, pkttest.Ser(nil, pkttest.IP6(layers.IPProtocolTCP), pkttest.SYN(p.sport, p.dpt)),
			withSYN(rIPv6(decode.ProtoTCP, 28), p.sport, p.dpt))
	}

	// Ethernet padding: a 2-byte UDP payload padded to 60 bytes.
	padded := pkttest.Ser(nil, pkttest.Eth(layers.EthernetTypeIPv4), pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(5000, 0), gopacket.Payload("hi"))
	padded = append(padded, make([]byte, 60-len(padded))...)
	add("ethernet/padding-udp-dport0", capture.LinkEthernet, padded, withUDP(rIPv4(decode.ProtoUDP, 30), 5000, 0, 2))

	// IPv6 extension headers: hop-by-hop, routing, destination options.
	hbh := hexb("2b 00 0104 00000000")   // next routing, len 0, PadN(4)
	rt := hexb("3c 00 00 00 00000000")   // next dest opts, type 0, segments left 0
	dopt := hexb("11 00 01 04 00000000") // next UDP, PadN(4)
	u := pkttest.Ser(nil, pkttest.UDP(0, 7), gopacket.Payload("pay"))
	u6 := cat(pkttest.Ser(nil, pkttest.IP6(layers.IPProtocolNoNextHeader))[:40], hbh, rt, dopt, u)
	u6[6] = 0
	binary.BigEndian.PutUint16(u6[4:6], uint16(len(u6)-40))
	r = withUDP(rIPv6(decode.ProtoUDP, uint16(len(u6)-40)), 0, 7, 3)
	r.Ext, r.NExt = [decode.MaxExt]uint8{0, 43, 60}, 3
	add("ipv6/ext-hbh-routing-dest/udp", capture.LinkIPv6, u6, r)

	// Fragments. IPv4 first fragment holding a whole TCP SYN.
	f := append([]byte(nil), syn...)
	f[6] |= 0x20 // MF
	r = synRec
	r.MF, r.Frag = true, decode.FragFirst
	rw := rIPv4(decode.ProtoTCP, 48)
	rw.MF, rw.Frag = true, decode.FragFirst
	add("ipv4/first-fragment-tcp", capture.LinkRaw, f, r).refWant = ptr(rw)
	// Non-first fragment: offset 185 (1480 bytes), 28 bytes of data that look like ports 0.
	nf := pkttest.Ser(nil, pkttest.IP4(layers.IPProtocolUDP), gopacket.Payload(make([]byte, 28)))
	binary.BigEndian.PutUint16(nf[6:8], 185)
	r = rIPv4(decode.ProtoUDP, 48)
	r.FragOffset, r.Frag, r.Ports, r.PayloadLen = 185, decode.FragNonFirst, decode.PortsNonFirstFragment, 28
	add("ipv4/non-first-fragment", capture.LinkRaw, nf, r)
	// Tiny first fragment: 4 bytes of UDP (the ports only).
	tf := pkttest.Ser(nil, pkttest.IP4(layers.IPProtocolUDP), gopacket.Payload(hexb("0000 0035")))
	tf[6] |= 0x20
	r = rIPv4(decode.ProtoUDP, 24)
	r.MF, r.Frag, r.Ports, r.Reason = true, decode.FragFirst, decode.PortsShortFirstFragment, decode.ReasonShortFragment
	// The ports are there: they count (PortsCut).
	rw = r
	rw.Ports, rw.Reason = decode.PortsUnknown, 0
	r.SrcPort, r.DstPort, r.Port0 = 0, 53, decode.Port0Src
	add("ipv4/tiny-first-fragment", capture.LinkRaw, tf, r).refWant = ptr(rw)
	// IPv6 first fragment with UDP port 0, and a non-first one.
	fh := hexb("11 00 0001 cafebabe") // next UDP, offset 0, M=1, id
	v6f := cat(pkttest.Ser(nil, pkttest.IP6(layers.IPProtocolIPv6Fragment))[:40], fh, u)
	binary.BigEndian.PutUint16(v6f[4:6], uint16(len(v6f)-40))
	r = withUDP(rIPv6(decode.ProtoUDP, uint16(len(v6f)-40)), 0, 7, 3)
	r.Ext, r.NExt, r.MF, r.IPID, r.Frag = [decode.MaxExt]uint8{44}, 1, true, 0xcafebabe, decode.FragFirst
	rw = rIPv6(decode.ProtoUDP, r.IPLen)
	rw.Ext, rw.NExt, rw.MF, rw.IPID, rw.Frag = r.Ext, 1, true, 0xcafebabe, decode.FragFirst
	add("ipv6/first-fragment-udp", capture.LinkIPv6, v6f, r).refWant = ptr(rw)
	v6nf := append([]byte(nil), v6f...)
	binary.BigEndian.PutUint16(v6nf[42:44], 185<<3)
	r = rIPv6(decode.ProtoUDP, r.IPLen)
	r.Ext, r.NExt, r.IPID, r.Frag, r.FragOffset, r.Ports, r.PayloadLen = [decode.MaxExt]uint8{44}, 1, 0xcafebabe, decode.FragNonFirst, 185, decode.PortsNonFirstFragment, 11
	add("ipv6/non-first-fragment", capture.LinkIPv6, v6nf, r)

	// Truncated capture: snaplen cuts the TCP header after 6 bytes, then
	// after 12: the fixed header is incomplete, but the ports are there
	// and count (PortsCut). After 3 bytes they are not.
	r = rIPv4(decode.ProtoTCP, 48)
	r.Ports, r.Reason = decode.PortsTruncated, decode.ReasonTruncated
	add("ipv4/snaplen-in-sport", capture.LinkRaw, syn[:23], r)
	r.SrcPort, r.DstPort, r.Port0 = 40000, 0, decode.Port0Dst
	add("ipv4/snaplen-in-tcp", capture.LinkRaw, syn[:26], r)
	add("ipv4/snaplen-after-ports", capture.LinkRaw, syn[:32], r)
	// Snaplen in the options: header fields are real.
	r = withSYN(rIPv4(decode.ProtoTCP, 48), 40000, 0)
	r.Opts, r.NOpts, r.MSS, r.WScale, r.Reason = [8]uint8{}, 0, 0, 0, decode.ReasonTruncated
	add("ipv4/snaplen-in-tcp-options", capture.LinkRaw, syn[:44], r)

	// TCP data offset < 5: ports still real.
	do := append([]byte(nil), syn...)
	do[20+12] = 0x30
	r = withSYN(rIPv4(decode.ProtoTCP, 48), 40000, 0)
	r.DataOffset, r.Opts, r.NOpts, r.MSS, r.WScale, r.Reason = 3, [8]uint8{}, 0, 0, 0, decode.ReasonTCPDataOffset
	add("ipv4/tcp-data-offset-3", capture.LinkRaw, do, r)

	// UDP length < 8: ports still real.
	ul := pkttest.Ser(nil, pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(0, 0), gopacket.Payload("xy"))
	binary.BigEndian.PutUint16(ul[24:26], 4)
	r = withUDP(rIPv4(decode.ProtoUDP, 30), 0, 0, 0)
	r.UDPLen, r.Reason = 4, decode.ReasonUDPLength
	add("ipv4/udp-length-4", capture.LinkRaw, ul, r)

	// IPv4 IHL < 5 and total length < header length.
	bad := append([]byte(nil), syn...)
	bad[0] = 0x44
	r = rIPv4(decode.ProtoTCP, 48)
	r.IPHdrLen, r.Frag, r.Ports, r.Reason = 16, decode.FragUnknown, decode.PortsMalformed, decode.ReasonIPv4HeaderLen
	add("ipv4/ihl-4", capture.LinkRaw, bad, r)
	bad = append([]byte(nil), syn...)
	binary.BigEndian.PutUint16(bad[2:4], 16)
	r = rIPv4(decode.ProtoTCP, 16)
	r.Frag, r.Ports, r.Reason = decode.FragUnknown, decode.PortsMalformed, decode.ReasonIPv4TotalLen
	add("ipv4/total-length-16", capture.LinkRaw, bad, r)

	// ICMP errors quoting port-0 packets (backscatter).
	quoted := pkttest.Ser(nil, pkttest.IP4(layers.IPProtocolTCP), pkttest.SYN(40000, 0))[:28]
	qsrc, qdst := pkttest.Src4, pkttest.Dst4
	icmp := pkttest.Ser(nil, &layers.IPv4{Version: 4, IHL: 5, TTL: 250, Id: 0x1234, Protocol: layers.IPProtocolICMPv4, SrcIP: pkttest.Dst4.AsSlice(), DstIP: pkttest.Src4.AsSlice()},
		&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 3)}, gopacket.Payload(quoted))
	r = rIPv4(decode.ProtoICMP, uint16(len(icmp)))
	r.TTL, r.Src, r.Dst, r.Ports, r.ICMP, r.ICMPType, r.ICMPCode, r.PayloadLen = 250, decode.AddrFrom(pkttest.Dst4), decode.AddrFrom(pkttest.Src4), decode.PortsNone, true, 3, 3, 28
	r.Inner = decode.Quoted{Version: 4, Proto: decode.ProtoTCP, Src: decode.AddrFrom(qsrc), Dst: decode.AddrFrom(qdst), Ports: decode.PortsPresent, SrcPort: 40000, DstPort: 0, Port0: decode.Port0Dst}
	copy(r.Inner.Transport[:], quoted[20:])
	add("icmp4/unreachable-quoting-tcp-dport0", capture.LinkEthernet, cat(ethHdr, icmp), r)

	quoted6 := pkttest.Ser(nil, pkttest.IP6(layers.IPProtocolUDP), pkttest.UDP(0, 53), gopacket.Payload("q"))
	icmp6 := cat(pkttest.Ser(nil, &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolICMPv6, SrcIP: pkttest.Dst6.AsSlice(), DstIP: pkttest.Src6.AsSlice()})[:40],
		hexb("01 04 0000 00000000"), quoted6)
	binary.BigEndian.PutUint16(icmp6[4:6], uint16(len(icmp6)-40))
	r = rIPv6(decode.ProtoICMPv6, uint16(len(icmp6)-40))
	r.TTL, r.Src, r.Dst, r.Ports, r.ICMP, r.ICMPType, r.ICMPCode, r.PayloadLen = 64, decode.AddrFrom(pkttest.Dst6), decode.AddrFrom(pkttest.Src6), decode.PortsNone, true, 1, 4, uint16(len(quoted6))
	r.Inner = decode.Quoted{Version: 6, Proto: decode.ProtoUDP, Src: decode.AddrFrom(pkttest.Src6), Dst: decode.AddrFrom(pkttest.Dst6), Ports: decode.PortsPresent, SrcPort: 0, DstPort: 53, Port0: decode.Port0Src}
	copy(r.Inner.Transport[:], quoted6[40:])
	add("icmp6/unreachable-quoting-udp-sport0", capture.LinkEthernet, cat(ethHdr6, icmp6), r)

	// ICMP echo: no ports, not port 0 (flow tools put type/code in the ports).
	echo := pkttest.Ser(nil, pkttest.IP4(layers.IPProtocolICMPv4), &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(0, 0)})
	r = rIPv4(decode.ProtoICMP, 28)
	r.Ports, r.ICMP = decode.PortsNone, true
	add("icmp4/echo-reply-no-ports", capture.LinkRaw, echo, r)

	// GRE: a protocol without ports.
	gre := pkttest.Ser(nil, pkttest.IP4(layers.IPProtocolGRE), gopacket.Payload(hexb("0000 0800 45")))
	r = rIPv4(47, 25)
	r.Ports, r.PayloadLen = decode.PortsNone, 5
	add("ipv4/gre-no-ports", capture.LinkRaw, gre, r)
	for _, c := range tunnelCases() {
		add(c.name, c.link, c.data, c.want).refWant = c.refWant
	}
	return cs
}

// TestDecode runs every case through both decoders, as named subtests,
// against one expected Record.
func TestDecode(t *testing.T) {
	ref := NewRefDecoder()
	for _, c := range decodeCases() {
		t.Run(c.name, func(t *testing.T) {
			var fast, slow decode.Record
			t.Run("fast", func(t *testing.T) {
				fast.Decode(c.link, c.data)
				if fast != c.want {
					t.Errorf("got != want\n%s", gotWant(fast, c.want))
				}
			})
			t.Run("ref", func(t *testing.T) {
				ref.Decode(c.link, c.data, &slow)
				want := c.want
				if c.refWant != nil {
					want = *c.refWant
				}
				if slow != want {
					t.Errorf("got != want\n%s", gotWant(slow, want))
				}
			})
			t.Run("normalized", func(t *testing.T) {
				nf, nr := Normalize(fast, slow)
				if nf != nr {
					t.Errorf("fast != ref after Normalize\n%s", FormatDiffs(DiffRecords(nf, nr)))
				}
			})
		})
	}
}
