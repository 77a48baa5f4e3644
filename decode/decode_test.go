package decode

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/internal/pkttest"
)

// The table tests of Decode (every field of the Record, against the
// Records decodetest's tables state) are in cases_test.go; package
// reference runs the gopacket reference decoder on the same tables. The
// tests here are the decoder's own: its plain path, the UDP payload
// offset, the small helpers, and that neither decoder path allocates.

// Link headers for the link types gopacket does not serialize.
var (
	sllHdr  = []byte{0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00}             // SLL, IPv4
	sll2Hdr = []byte{0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0} // SLL2, IPv4
	nullHdr = []byte{2, 0, 0, 0}                                                       // BSD null, AF_INET, little endian
	loopHdr = []byte{0, 0, 0, 2}                                                       // OpenBSD loop, AF_INET
)

// dot1Q is an Ethernet header with one 802.1Q tag (VLAN 100), IPv4 next.
func dot1Q(t testing.TB) []byte {
	tag := &layers.Dot1Q{VLANIdentifier: 100, Type: layers.EthernetTypeIPv4}
	return pkttest.Ser(t, pkttest.Eth(layers.EthernetTypeDot1Q), tag)[:ethHdrLen+vlanTagLen] // gopacket pads frames to 60 bytes
}

// tcpWith is pkttest.TCP(40000, 445, 1024, "S") with the given options.
func tcpWith(opts ...layers.TCPOption) *layers.TCP {
	t := pkttest.TCP(40000, 445, 1024, "S")
	t.Options = opts
	return t
}

var (
	optMSS   = layers.TCPOption{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}
	optNOP   = layers.TCPOption{OptionType: layers.TCPOptionKindNop}
	optWS    = layers.TCPOption{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}}
	optSACK  = layers.TCPOption{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2}
	optTS    = layers.TCPOption{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: make([]byte, 8)}
	linuxOpt = []layers.TCPOption{optMSS, optSACK, optTS, optNOP, optWS}
	winOpt   = []layers.TCPOption{optMSS, optNOP, optWS, optNOP, optNOP, optSACK}
)

// ip4With is pkttest.IP4(proto) changed by f.
func ip4With(proto layers.IPProtocol, f func(*layers.IPv4)) *layers.IPv4 {
	ip := pkttest.IP4(proto)
	f(ip)
	return ip
}

// plainCase is one frame and whether it takes the plain path.
type plainCase struct {
	name  string
	link  capture.LinkType
	data  []byte
	plain bool
}

// plainCases are frames the plain path takes and frames it must leave to
// Decode, one for each of its rules.
func plainCases(t testing.TB) []plainCase {
	ser := func(ls ...gopacket.SerializableLayer) []byte { return pkttest.Ser(t, ls...) }
	tcp4 := ser(pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(40000, 445, 1024, "S"))
	udp4 := ser(pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(5353, 53), gopacket.Payload("abcd"))
	set := func(b []byte, f func([]byte)) []byte {
		b = bytes.Clone(b)
		f(b)
		return b
	}
	return []plainCase{
		{"ethernet/tcp", capture.LinkEthernet, ser(pkttest.Eth(layers.EthernetTypeIPv4), pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(40000, 445, 1024, "S")), true},
		{"ethernet/udp-padded", capture.LinkEthernet, ser(pkttest.Eth(layers.EthernetTypeIPv4), pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(5353, 53), gopacket.Payload("abcd")), true},
		{"raw/tcp", capture.LinkRaw, tcp4, true},
		{"raw/udp", capture.LinkRaw, udp4, true},
		{"raw12/udp", capture.LinkRawBSD12, udp4, true},
		{"raw14/tcp", capture.LinkRawBSD14, tcp4, true},
		{"raw/tcp-ack-psh-payload", capture.LinkRaw, ser(pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(443, 51000, 29200, "AP"), gopacket.Payload("hello")), true},
		{"raw/dont-fragment", capture.LinkRaw, ser(ip4With(layers.IPProtocolTCP, func(ip *layers.IPv4) { ip.Flags = layers.IPv4DontFragment }), pkttest.TCP(40000, 445, 1024, "S")), true},
		{"raw/tcp-mss", capture.LinkRaw, ser(pkttest.IP4(layers.IPProtocolTCP), tcpWith(optMSS)), true},
		{"raw/tcp-linux-options", capture.LinkRaw, ser(pkttest.IP4(layers.IPProtocolTCP), tcpWith(linuxOpt...)), true},
		{"raw/tcp-windows-options", capture.LinkRaw, ser(pkttest.IP4(layers.IPProtocolTCP), tcpWith(winOpt...)), true},

		{"raw/tcp-other-options", capture.LinkRaw, ser(pkttest.IP4(layers.IPProtocolTCP), pkttest.SYN(40000, 445)), false},
		{"raw/tcp-bad-option-length", capture.LinkRaw, set(ser(pkttest.IP4(layers.IPProtocolTCP), tcpWith(optMSS)), func(b []byte) { b[41] = 5 }), false},
		{"ipv4-228/tcp", capture.LinkIPv4, tcp4, false},
		{"null/tcp", capture.LinkNull, append(bytes.Clone(nullHdr), tcp4...), false},
		{"sll/tcp", capture.LinkSLL, append(bytes.Clone(sllHdr), tcp4...), false},
		{"ethernet/802.1q", capture.LinkEthernet, append(dot1Q(t), tcp4...), false},
		{"ethernet/ipv6", capture.LinkEthernet, ser(pkttest.Eth(layers.EthernetTypeIPv6), pkttest.IP6(layers.IPProtocolTCP), pkttest.TCP(40000, 445, 1024, "S")), false},
		{"raw/ipv6", capture.LinkRaw, ser(pkttest.IP6(layers.IPProtocolUDP), pkttest.UDP(5353, 53)), false},
		{"raw/ip-options", capture.LinkRaw, ser(ip4With(layers.IPProtocolUDP, func(ip *layers.IPv4) {
			ip.Options = []layers.IPv4Option{{OptionType: 1}, {OptionType: 1}, {OptionType: 1}, {OptionType: 0}}
		}), pkttest.UDP(5353, 53)), false},
		{"raw/first-fragment", capture.LinkRaw, ser(ip4With(layers.IPProtocolTCP, func(ip *layers.IPv4) { ip.Flags = layers.IPv4MoreFragments }), pkttest.TCP(40000, 445, 1024, "S")), false},
		{"raw/non-first-fragment", capture.LinkRaw, ser(ip4With(layers.IPProtocolUDP, func(ip *layers.IPv4) { ip.FragOffset = 185 }), gopacket.Payload(make([]byte, 16))), false},
		{"raw/tcp-sport0", capture.LinkRaw, ser(pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(0, 445, 1024, "S")), false},
		{"raw/tcp-dport0", capture.LinkRaw, ser(pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(40000, 0, 1024, "S")), false},
		{"raw/udp-both0", capture.LinkRaw, ser(pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(0, 0)), false},
		{"raw/icmp", capture.LinkRaw, ser(pkttest.IP4(layers.IPProtocolICMPv4), &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0)}), false},
		{"raw/gre", capture.LinkRaw, ser(pkttest.IP4(layers.IPProtocolGRE), gopacket.Payload([]byte{0, 0, 8, 0})), false},
		{"raw/udp-length-4", capture.LinkRaw, set(udp4, func(b []byte) { binary.BigEndian.PutUint16(b[24:26], 4) }), false},
		{"raw/tcp-data-offset-4", capture.LinkRaw, set(tcp4, func(b []byte) { b[32] = 4 << 4 }), false},
		{"raw/tcp-data-offset-beyond", capture.LinkRaw, set(tcp4, func(b []byte) { b[32] = 6 << 4 }), false},
		{"raw/ihl-6", capture.LinkRaw, set(tcp4, func(b []byte) { b[0] = 0x46 }), false},
		{"raw/total-length-16", capture.LinkRaw, set(tcp4, func(b []byte) { binary.BigEndian.PutUint16(b[2:4], 16) }), false},
		{"raw/total-length-cuts-tcp", capture.LinkRaw, set(tcp4, func(b []byte) { binary.BigEndian.PutUint16(b[2:4], 30) }), false},
		{"raw/tcp-truncated", capture.LinkRaw, tcp4[:39], false},
		{"raw/ip-truncated", capture.LinkRaw, tcp4[:19], false},
		{"ethernet/short", capture.LinkEthernet, make([]byte, 10), false},
		{"empty", capture.LinkRaw, nil, false},
	}
}

// checkPlain checks what PlainIPv4's doc promises for a frame it takes:
// it returns the frame's IPv4 header in place, and Decode fills a Record
// with Link OK, IPVersion 4, ports present, no port 0, no fragment and
// no Reason, from that header.
func checkPlain(t *testing.T, name string, link capture.LinkType, data []byte) (ok bool) {
	t.Helper()
	h, ok := PlainIPv4(link, data)
	if !ok {
		return false
	}
	off := 0
	if link == capture.LinkEthernet {
		off = ethHdrLen
	}
	if &h[0] != &data[off] {
		t.Errorf("%s: the header returned is not the frame's", name)
	}
	var r Record
	r.Decode(link, data)
	if r.Link != LinkOK || r.IPVersion != 4 || r.IPHdrLen != IPv4MinLen || r.Ports != PortsPresent || r.Port0 != Port0None || r.Frag != FragNone || r.Reason != 0 ||
		(r.Proto != ProtoTCP && r.Proto != ProtoUDP) || r.Proto != h[9] || r.TTL != h[8] ||
		r.SrcPort != binary.BigEndian.Uint16(data[off+20:]) || r.DstPort != binary.BigEndian.Uint16(data[off+22:]) ||
		r.SrcAddr() != netip.AddrFrom4([4]byte(h[12:16])) || r.DstAddr() != netip.AddrFrom4([4]byte(h[16:20])) {
		t.Errorf("%s (% x): PlainIPv4 takes it, but Decode gives %+v", name, data, r)
	}
	return true
}

func TestPlainIPv4(t *testing.T) {
	for _, c := range plainCases(t) {
		if got := checkPlain(t, c.name, c.link, c.data); got != c.plain {
			t.Errorf("%s: PlainIPv4 = %v, want %v", c.name, got, c.plain)
		}
	}
}

// TestPlainIPv4Damage holds PlainIPv4 to Decode on frames with a few
// random header bytes changed or cut short: whatever it takes, Decode
// decodes as plain (checkPlain).
func TestPlainIPv4Damage(t *testing.T) {
	var bases []plainCase
	for _, c := range plainCases(t) {
		if c.plain {
			bases = append(bases, c)
		}
	}
	rng := rand.New(rand.NewPCG(3, 9))
	plains := 0
	const n = 50000
	for i := range n {
		c := bases[i%len(bases)]
		b := bytes.Clone(c.data)
		for range rng.IntN(3) {
			b[rng.IntN(min(len(b), 14+20+40))] = byte(rng.Uint32())
		}
		if rng.IntN(8) == 0 {
			b = b[:rng.IntN(len(b)+1)]
		}
		if checkPlain(t, c.name+" damaged", c.link, b) {
			plains++
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	if plains < n/10 || plains > n*9/10 {
		t.Errorf("%d of %d damaged frames took the plain path: the test does not exercise both outcomes", plains, n)
	}
}

// decodeFrames are frames for the allocation test beyond plainCases: the
// other link types, IPv6 extension headers and ICMP errors.
func decodeFrames(t testing.TB) []plainCase {
	ser := func(ls ...gopacket.SerializableLayer) []byte { return pkttest.Ser(t, ls...) }
	udp4 := ser(pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(0, 53), gopacket.Payload("abcd"))
	hbh := append(ser(pkttest.IP6(layers.IPProtocolNoNextHeader))[:IPv6HdrLen:IPv6HdrLen], 17, 0, 1, 4, 0, 0, 0, 0) // hop-by-hop, PadN(4), next UDP
	hbh[6] = ProtoHopByHop
	hbh = append(hbh, ser(pkttest.UDP(0, 7), gopacket.Payload("pay"))...)
	binary.BigEndian.PutUint16(hbh[4:6], uint16(len(hbh)-IPv6HdrLen))
	quote := ser(pkttest.IP4(layers.IPProtocolTCP), pkttest.SYN(40000, 0))[:28]
	return []plainCase{
		{"sll2/udp", capture.LinkSLL2, append(bytes.Clone(sll2Hdr), udp4...), false},
		{"loop/udp", capture.LinkLoop, append(bytes.Clone(loopHdr), udp4...), false},
		{"ipv6-229/tcp-syn", capture.LinkIPv6, ser(pkttest.IP6(layers.IPProtocolTCP), pkttest.SYN(40000, 0)), false},
		{"ipv6/hop-by-hop-udp", capture.LinkIPv6, hbh, false},
		{"icmp4/unreachable-quoting-syn", capture.LinkRaw, ser(pkttest.IP4(layers.IPProtocolICMPv4), &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 3)}, gopacket.Payload(quote)), false},
		{"unsupported-link", 147, udp4, false},
	}
}

// TestDecodeZeroAllocs checks that Decode and PlainIPv4 allocate nothing,
// on every frame of the tables.
func TestDecodeZeroAllocs(t *testing.T) {
	cs := append(plainCases(t), decodeFrames(t)...)
	var r Record
	t.Run("Decode", func(t *testing.T) {
		if n := testing.AllocsPerRun(100, func() {
			for i := range cs {
				r.Decode(cs[i].link, cs[i].data)
			}
		}); n != 0 {
			t.Errorf("%v allocations per run of %d frames, want 0", n, len(cs))
		}
	})
	t.Run("PlainIPv4", func(t *testing.T) {
		plains := 0
		if n := testing.AllocsPerRun(100, func() {
			plains = 0
			for i := range cs {
				if _, ok := PlainIPv4(cs[i].link, cs[i].data); ok {
					plains++
				}
			}
		}); n != 0 {
			t.Errorf("%v allocations per run of %d frames, want 0", n, len(cs))
		}
		if plains == 0 {
			t.Error("no frame took the plain path")
		}
	})
}

// TestUDPPayload checks the payload UDPPayload finds behind every link
// header, and where it gives none.
// TestUDPChecksum reads, in the datagram UDPDatagram finds, the
// checksum a sender wrote, and 0 where it wrote none (ZMap's UDP
// probes, docs/TOOLS.md section 1).
func TestUDPChecksum(t *testing.T) {
	udp4 := pkttest.Ser(t, pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(0, 53), gopacket.Payload("abcd"))
	none := bytes.Clone(udp4)
	none[26], none[27] = 0, 0
	for _, c := range []struct {
		name string
		data []byte
		want uint16
	}{
		{"computed", udp4, binary.BigEndian.Uint16(udp4[26:])},
		{"none", none, 0},
	} {
		var r Record
		r.Decode(capture.LinkRaw, c.data)
		d := UDPDatagram(c.data, &r)
		if d == nil || binary.BigEndian.Uint16(d[6:]) != c.want {
			t.Errorf("%s: datagram %x, want checksum %#04x", c.name, d, c.want)
		}
	}
	if binary.BigEndian.Uint16(udp4[26:]) == 0 {
		t.Fatal("the serializer wrote no checksum: the test proves nothing")
	}
}

func TestUDPPayload(t *testing.T) {
	ser := func(ls ...gopacket.SerializableLayer) []byte { return pkttest.Ser(t, ls...) }
	udp4 := ser(pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(0, 53), gopacket.Payload("abcd"))
	opts := ser(ip4With(layers.IPProtocolUDP, func(ip *layers.IPv4) {
		ip.Options = []layers.IPv4Option{{OptionType: 1}, {OptionType: 1}, {OptionType: 1}, {OptionType: 0}}
	}), pkttest.UDP(1234, 0), gopacket.Payload("abcd"))
	udp6 := ser(pkttest.IP6(layers.IPProtocolUDP), pkttest.UDP(0, 53), gopacket.Payload("abcd"))
	hbh := decodeFrames(t)[3]
	tests := []struct {
		name string
		link capture.LinkType
		data []byte
		want string // "-" for nil
	}{
		{"ethernet padded", capture.LinkEthernet, ser(pkttest.Eth(layers.EthernetTypeIPv4), pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(0, 53), gopacket.Payload("abcd")), "abcd"},
		{"ethernet 802.1q", capture.LinkEthernet, append(dot1Q(t), udp4...), "abcd"},
		{"sll", capture.LinkSLL, append(bytes.Clone(sllHdr), udp4...), "abcd"},
		{"sll2", capture.LinkSLL2, append(bytes.Clone(sll2Hdr), udp4...), "abcd"},
		{"null", capture.LinkNull, append(bytes.Clone(nullHdr), udp4...), "abcd"},
		{"loop", capture.LinkLoop, append(bytes.Clone(loopHdr), udp4...), "abcd"},
		{"raw", capture.LinkRaw, udp4, "abcd"},
		{"raw12", capture.LinkRawBSD12, udp4, "abcd"},
		{"raw14", capture.LinkRawBSD14, udp4, "abcd"},
		{"ipv4-228", capture.LinkIPv4, udp4, "abcd"},
		{"ipv4 options", capture.LinkRaw, opts, "abcd"},
		{"ipv6", capture.LinkIPv6, udp6, "abcd"},
		{"cut in the payload", capture.LinkRaw, udp4[:30], "ab"},
		{"cut before the payload", capture.LinkRaw, udp4[:28], ""},
		{"ipv6 extension header", hbh.link, hbh.data, "-"},
		{"tcp", capture.LinkRaw, ser(pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(40000, 0, 1024, "S"), gopacket.Payload("abcd")), "-"},
		{"udp cut in the header", capture.LinkRaw, udp4[:26], "-"},
		{"unsupported link", 147, udp4, "-"},
	}
	for _, tt := range tests {
		var r Record
		r.Decode(tt.link, tt.data)
		got := UDPPayload(tt.data, &r)
		if d := UDPDatagram(tt.data, &r); (d != nil) != (got != nil) || d != nil && !bytes.Equal(d[UDPHdrLen:], got) {
			t.Errorf("%s: UDPDatagram %x, payload %q", tt.name, d, got)
		}
		if tt.want == "-" {
			if got != nil {
				t.Errorf("%s: payload %q, want none", tt.name, got)
			}
			continue
		}
		if got == nil || string(got) != tt.want {
			t.Errorf("%s: payload %q (nil %v), want %q", tt.name, got, got == nil, tt.want)
		}
	}
}

func TestPort0Of(t *testing.T) {
	for _, tt := range []struct {
		src, dst uint16
		want     Port0Pos
	}{{1, 2, Port0None}, {0, 2, Port0Src}, {1, 0, Port0Dst}, {0, 0, Port0Both}, {65535, 65535, Port0None}} {
		if got := Port0Of(tt.src, tt.dst); got != tt.want {
			t.Errorf("Port0Of(%d, %d) = %v, want %v", tt.src, tt.dst, got, tt.want)
		}
	}
}

// TestPort0PosText checks that every Port0Pos reads back what it writes,
// and that an unknown name is an error.
func TestPort0PosText(t *testing.T) {
	for p := Port0Unknown; p <= Port0Both; p++ {
		b, err := p.MarshalText()
		var got Port0Pos
		if err != nil || got.UnmarshalText(b) != nil || got != p {
			t.Errorf("%d: %q reads back as %d", p, b, got)
		}
	}
	var p Port0Pos
	if err := p.UnmarshalText([]byte("left")); err == nil {
		t.Error("an unknown name reads without an error")
	}
}

func TestFragKindOf(t *testing.T) {
	for _, tt := range []struct {
		offset uint16
		mf     bool
		want   FragKind
	}{{0, false, FragNone}, {0, true, FragFirst}, {1, true, FragNonFirst}, {185, false, FragNonFirst}} {
		if got := FragKindOf(tt.offset, tt.mf); got != tt.want {
			t.Errorf("FragKindOf(%d, %v) = %v, want %v", tt.offset, tt.mf, got, tt.want)
		}
	}
}

func TestIsICMPError(t *testing.T) {
	errs := map[uint8][]uint8{ProtoICMP: {3, 4, 5, 11, 12}, ProtoICMPv6: {1, 2, 3, 4}}
	for _, proto := range []uint8{ProtoICMP, ProtoICMPv6} {
		for typ := range 256 {
			want := bytes.IndexByte(errs[proto], uint8(typ)) >= 0
			if got := IsICMPError(proto, uint8(typ)); got != want {
				t.Errorf("IsICMPError(%d, %d) = %v, want %v", proto, typ, got, want)
			}
		}
	}
}

// TestAddr checks the Record's address form: AddrFrom, String, PutAddr4
// and the addresses a Record gives back.
func TestAddr(t *testing.T) {
	for _, s := range []string{"192.0.2.1", "0.0.0.0", "2001:db8::1", "::ffff:0:1"} {
		ip := netip.MustParseAddr(s)
		a := AddrFrom(ip)
		if a.As16() != ip.As16() || a.String() != ip.Unmap().String() {
			t.Errorf("%s: As16 %x, String %q", s, a.As16(), a.String())
		}
	}
	var a Addr
	PutAddr4(&a, []byte{198, 18, 0, 5})
	if a != AddrFrom(netip.MustParseAddr("198.18.0.5")) {
		t.Errorf("PutAddr4: %x", a)
	}
	var r Record
	r.Decode(capture.LinkRaw, pkttest.Ser(t, pkttest.IP6(layers.IPProtocolUDP), pkttest.UDP(1, 2)))
	if r.SrcAddr() != pkttest.Src6 || r.DstAddr() != pkttest.Dst6 {
		t.Errorf("IPv6: %v → %v", r.SrcAddr(), r.DstAddr())
	}
	r.Decode(capture.LinkRaw, pkttest.Ser(t, pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(1, 2)))
	if r.SrcAddr() != pkttest.Src4 || r.DstAddr() != pkttest.Dst4 {
		t.Errorf("IPv4: %v → %v", r.SrcAddr(), r.DstAddr())
	}
	if (&Record{}).SrcAddr().IsValid() {
		t.Error("a Record without IP gives a valid address")
	}
}
