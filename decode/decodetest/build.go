package decodetest

import (
	"encoding/binary"
	"net/netip"
)

// The addresses of the base layers.
var (
	Src4 = netip.MustParseAddr("192.0.2.1")
	Dst4 = netip.MustParseAddr("198.18.0.5")
	Src6 = netip.MustParseAddr("2001:db8::1")
	Dst6 = netip.MustParseAddr("2001:db8::2")
)

// A Layer is one header (or a payload) of a packet Ser builds.
type Layer interface {
	// wrap returns the layer's bytes followed by payload, with its length
	// fields fixed and, when ps is not nil, its checksum computed (ps is
	// the pseudo-header of the packet's first IP layer).
	wrap(payload []byte, ps *pseudo) []byte
}

// Ser serializes layers, the first outermost, as gopacket's serializer
// does with FixLengths and, when a layer is IPv4 or IPv6, ComputeChecksums
// (TCP and UDP checksums then use the first IP layer's pseudo-header).
func Ser(ls ...Layer) []byte {
	var ps *pseudo
	for _, l := range ls {
		switch x := l.(type) {
		case *IPv4:
			ps = &pseudo{src: x.Src.AsSlice(), dst: x.Dst.AsSlice()}
		case *IPv6:
			ps = &pseudo{src: x.Src.AsSlice(), dst: x.Dst.AsSlice()}
		}
		if ps != nil {
			break
		}
	}
	var b []byte
	for i := len(ls) - 1; i >= 0; i-- {
		b = ls[i].wrap(b, ps)
	}
	return b
}

// pseudo is the part of a TCP or UDP pseudo-header an IP layer gives.
type pseudo struct{ src, dst []byte }

// sum is the transport checksum of seg (its checksum field zero) for
// protocol proto.
func (p *pseudo) sum(proto uint8, seg []byte) uint16 {
	var s uint32
	for _, a := range [][]byte{p.src, p.dst} {
		for i := 0; i < len(a); i += 2 {
			s += uint32(a[i])<<8 | uint32(a[i+1])
		}
	}
	n := uint32(len(seg))
	s += uint32(proto) + n&0xffff + n>>16
	return checksum(seg, s)
}

// checksum is the Internet checksum of b, starting from the partial sum s.
func checksum(b []byte, s uint32) uint16 {
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}

// Payload is raw bytes.
type Payload []byte

func (p Payload) wrap(payload []byte, _ *pseudo) []byte { return Cat(p, payload) }

// Ethernet is an Ethernet header 02:00:00:00:00:01 → 02:00:00:00:00:02
// of EtherType Type; the frame is padded to 60 bytes.
type Ethernet struct{ Type uint16 }

// Eth is an Ethernet header of EtherType et.
func Eth(et uint16) *Ethernet { return &Ethernet{Type: et} }

func (e *Ethernet) wrap(payload []byte, _ *pseudo) []byte {
	b := Cat(EthHeader(e.Type), payload)
	if len(b) < 60 {
		b = append(b, make([]byte, 60-len(b))...)
	}
	return b
}

// EthHeader is the 14 bytes of an Ethernet header of EtherType et, with
// the addresses of Eth.
func EthHeader(et uint16) []byte {
	return binary.BigEndian.AppendUint16([]byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}, et)
}

// IPv4 is an IPv4 header; Options are written as given, padded with zeros
// to a multiple of 4 bytes.
type IPv4 struct {
	TTL        uint8
	ID         uint16
	Proto      uint8
	Src, Dst   netip.Addr
	Flags      uint8 // the 3 flag bits: 2 DF, 1 MF
	FragOffset uint16
	Options    []byte
}

// IP4 is an IPv4 header Src4 → Dst4, TTL 64, IP ID 0x1234.
func IP4(proto uint8) *IPv4 {
	return &IPv4{TTL: 64, ID: 0x1234, Proto: proto, Src: Src4, Dst: Dst4}
}

func (ip *IPv4) wrap(payload []byte, ps *pseudo) []byte {
	opts := append([]byte(nil), ip.Options...)
	for len(opts)%4 != 0 {
		opts = append(opts, 0)
	}
	h := make([]byte, 20, 20+len(opts)+len(payload))
	h[0] = 4<<4 | uint8(5+len(opts)/4)
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(opts)+len(payload)))
	binary.BigEndian.PutUint16(h[4:], ip.ID)
	binary.BigEndian.PutUint16(h[6:], uint16(ip.Flags)<<13|ip.FragOffset)
	h[8], h[9] = ip.TTL, ip.Proto
	copy(h[12:16], ip.Src.AsSlice())
	copy(h[16:20], ip.Dst.AsSlice())
	h = append(h, opts...)
	if ps != nil {
		binary.BigEndian.PutUint16(h[10:], checksum(h, 0))
	}
	return append(h, payload...)
}

// IPv6 is an IPv6 header without extension headers (put them in a
// Payload).
type IPv6 struct {
	HopLimit uint8
	Next     uint8
	Src, Dst netip.Addr
}

// IP6 is an IPv6 header Src6 → Dst6, hop limit 255.
func IP6(next uint8) *IPv6 { return &IPv6{HopLimit: 255, Next: next, Src: Src6, Dst: Dst6} }

func (ip *IPv6) wrap(payload []byte, _ *pseudo) []byte {
	h := make([]byte, 40, 40+len(payload))
	h[0] = 6 << 4
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	h[6], h[7] = ip.Next, ip.HopLimit
	copy(h[8:24], ip.Src.AsSlice())
	copy(h[24:40], ip.Dst.AsSlice())
	return append(h, payload...)
}

// TCPHeader is a TCP header (ack and urgent pointer 0). Options are written as
// given, padded with zeros to a multiple of 4 bytes.
type TCPHeader struct {
	SrcPort, DstPort uint16
	Seq              uint32
	Flags            uint8 // FIN 0x01 ... URG 0x20
	Window           uint16
	Options          []byte
}

// The TCP options of SYN.
var (
	OptMSS1460 = []byte{2, 4, 0x05, 0xb4}
	OptNOP     = []byte{1}
	OptWScale7 = []byte{3, 3, 7}
)

// SYN is a TCP SYN, seq 0xdeadbeef, window 1024, options MSS 1460, NOP,
// window scale 7.
func SYN(sport, dport uint16) *TCPHeader {
	return &TCPHeader{SrcPort: sport, DstPort: dport, Seq: 0xdeadbeef, Flags: 0x02, Window: 1024, Options: Cat(OptMSS1460, OptNOP, OptWScale7)}
}

// TCP is a TCP header, seq 7, with flags given as letters of FSRPAU.
func TCP(sport, dport uint16, window uint16, flags string) *TCPHeader {
	t := &TCPHeader{SrcPort: sport, DstPort: dport, Seq: 7, Window: window}
	for _, f := range flags {
		switch f {
		case 'F':
			t.Flags |= 0x01
		case 'S':
			t.Flags |= 0x02
		case 'R':
			t.Flags |= 0x04
		case 'P':
			t.Flags |= 0x08
		case 'A':
			t.Flags |= 0x10
		case 'U':
			t.Flags |= 0x20
		}
	}
	return t
}

func (t *TCPHeader) wrap(payload []byte, ps *pseudo) []byte {
	opts := append([]byte(nil), t.Options...)
	for len(opts)%4 != 0 {
		opts = append(opts, 0)
	}
	h := make([]byte, 20, 20+len(opts)+len(payload))
	binary.BigEndian.PutUint16(h[0:], t.SrcPort)
	binary.BigEndian.PutUint16(h[2:], t.DstPort)
	binary.BigEndian.PutUint32(h[4:], t.Seq)
	h[12] = uint8(5+len(opts)/4) << 4
	h[13] = t.Flags
	binary.BigEndian.PutUint16(h[14:], t.Window)
	h = append(append(h, opts...), payload...)
	if ps != nil {
		binary.BigEndian.PutUint16(h[16:], ps.sum(6, h))
	}
	return h
}

// UDPHeader is a UDP header.
type UDPHeader struct{ SrcPort, DstPort uint16 }

// UDP is a UDP header.
func UDP(sport, dport uint16) *UDPHeader { return &UDPHeader{sport, dport} }

func (u *UDPHeader) wrap(payload []byte, ps *pseudo) []byte {
	h := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(h[0:], u.SrcPort)
	binary.BigEndian.PutUint16(h[2:], u.DstPort)
	binary.BigEndian.PutUint16(h[4:], uint16(8+len(payload)))
	h = append(h, payload...)
	if ps != nil {
		binary.BigEndian.PutUint16(h[6:], ps.sum(17, h))
	}
	return h
}

// ICMPv4 is an ICMPv4 header of the given type and code, identifier and
// sequence number (or unused field) 0.
type ICMPv4 struct{ Type, Code uint8 }

func (c *ICMPv4) wrap(payload []byte, ps *pseudo) []byte {
	b := Cat([]byte{c.Type, c.Code, 0, 0, 0, 0, 0, 0}, payload)
	if ps != nil {
		binary.BigEndian.PutUint16(b[2:], checksum(b, 0))
	}
	return b
}

// Hex decodes hex digits, skipping everything else (spaces).
func Hex(s string) []byte {
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

// Cat concatenates byte slices into a new one.
func Cat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}
