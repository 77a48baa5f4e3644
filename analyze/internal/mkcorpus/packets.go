package main

import (
	"encoding/binary"
	"hash/crc32"
)

// Byte-level packet construction. Checksums are computed over the bytes as
// built, so they are correct even for the deliberately odd headers (a TCP
// data offset below 5, an IPv4 IHL below 5) unless a case says otherwise.

// IP protocol numbers.
const (
	protoHopByHop = 0
	protoICMP     = 1
	protoTCP      = 6
	protoUDP      = 17
	protoRouting  = 43
	protoFragment = 44
	protoICMPv6   = 58
	protoNoNext   = 59
	protoDstOpts  = 60
)

// EtherTypes.
const (
	etIPv4 = 0x0800
	etARP  = 0x0806
	etIPv6 = 0x86dd
	et1Q   = 0x8100
	et1AD  = 0x88a8
)

// TCP flags.
const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpPSH = 0x08
	tcpACK = 0x10
)

type addr4 = [4]byte
type addr6 = [16]byte

func v4(a, b, c, d byte) addr4 { return addr4{a, b, c, d} }

// v6 returns 2001:db8:<net>::<host>.
func v6(net, host uint16) addr6 {
	var a addr6
	a[0], a[1], a[2], a[3] = 0x20, 0x01, 0x0d, 0xb8
	binary.BigEndian.PutUint16(a[4:], net)
	binary.BigEndian.PutUint16(a[14:], host)
	return a
}

// sum adds b to a ones'-complement accumulator.
func sum(acc uint32, b []byte) uint32 {
	for len(b) >= 2 {
		acc += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint32(b[0]) << 8
	}
	return acc
}

func fold(acc uint32) uint16 {
	for acc > 0xffff {
		acc = acc>>16 + acc&0xffff
	}
	return ^uint16(acc)
}

// csumOffset is where the checksum lives in each upper-layer header.
func csumOffset(proto byte) int {
	switch proto {
	case protoTCP:
		return 16
	case protoUDP:
		return 6
	case protoICMP, protoICMPv6:
		return 2
	}
	return -1
}

// setL4Sum fills the checksum of segment seg (a whole TCP, UDP or ICMP
// message) given the pseudo-header sum.
func setL4Sum(proto byte, pseudo uint32, seg []byte) {
	o := csumOffset(proto)
	if o < 0 || len(seg) < o+2 {
		return
	}
	seg[o], seg[o+1] = 0, 0
	acc := sum(0, seg)
	if proto != protoICMP {
		acc += pseudo
	}
	c := fold(acc)
	if c == 0 && proto == protoUDP {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(seg[o:], c)
}

func pseudo4(src, dst addr4, proto byte, n int) uint32 {
	acc := sum(0, src[:])
	acc = sum(acc, dst[:])
	return acc + uint32(proto) + uint32(n)
}

func pseudo6(src, dst addr6, proto byte, n int) uint32 {
	acc := sum(0, src[:])
	acc = sum(acc, dst[:])
	return acc + uint32(proto) + uint32(n)
}

// tcp is a TCP header to build.
type tcp struct {
	sport, dport uint16
	seq, ack     uint32
	flags        byte
	doff         int // data offset in words; 0 = computed from opts
	opts         []byte
}

func (t tcp) bytes(payload []byte) []byte {
	opts := pad(t.opts, 4, 1) // NOP padding
	hl := 20 + len(opts)
	doff := t.doff
	if doff == 0 {
		doff = hl / 4
	}
	b := make([]byte, hl+len(payload))
	binary.BigEndian.PutUint16(b[0:], t.sport)
	binary.BigEndian.PutUint16(b[2:], t.dport)
	binary.BigEndian.PutUint32(b[4:], t.seq)
	binary.BigEndian.PutUint32(b[8:], t.ack)
	b[12] = byte(doff) << 4
	b[13] = t.flags
	binary.BigEndian.PutUint16(b[14:], 65535)
	copy(b[20:], opts)
	copy(b[hl:], payload)
	return b
}

func udp(sport, dport uint16, payload []byte) []byte {
	b := make([]byte, 8+len(payload))
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], uint16(len(b)))
	copy(b[8:], payload)
	return b
}

// icmp builds an ICMP or ICMPv6 message with a zero rest-of-header.
func icmp(typ, code byte, rest uint32, body []byte) []byte {
	b := make([]byte, 8+len(body))
	b[0], b[1] = typ, code
	binary.BigEndian.PutUint32(b[4:], rest)
	copy(b[8:], body)
	return b
}

// pad pads b to a multiple of n bytes with fill.
func pad(b []byte, n int, fill byte) []byte {
	out := append([]byte(nil), b...)
	for len(out)%n != 0 {
		out = append(out, fill)
	}
	return out
}

// ip4 is an IPv4 header to build.
type ip4 struct {
	src, dst addr4
	proto    byte
	ttl      byte // 0 = 64
	id       uint16
	df, mf   bool
	off      uint16 // fragment offset in 8-byte units
	opts     []byte // padded with EOL to a multiple of 4
	ihl      int    // 0 = computed; else written as is
	tot      int    // 0 = computed; else written as is
}

// packet returns the IPv4 datagram (or fragment) carrying payload, which
// must already hold its own checksum.
func (h ip4) packet(payload []byte) []byte {
	opts := pad(h.opts, 4, 0)
	hl := 20 + len(opts)
	ihl, tot := hl/4, hl+len(payload)
	if h.ihl != 0 {
		ihl = h.ihl
	}
	if h.tot != 0 {
		tot = h.tot
	}
	ttl := h.ttl
	if ttl == 0 {
		ttl = 64
	}
	b := make([]byte, hl+len(payload))
	b[0] = 0x40 | byte(ihl&0xf)
	binary.BigEndian.PutUint16(b[2:], uint16(tot))
	binary.BigEndian.PutUint16(b[4:], h.id)
	ff := h.off & 0x1fff
	if h.df {
		ff |= 0x4000
	}
	if h.mf {
		ff |= 0x2000
	}
	binary.BigEndian.PutUint16(b[6:], ff)
	b[8], b[9] = ttl, h.proto
	copy(b[12:], h.src[:])
	copy(b[16:], h.dst[:])
	copy(b[20:], opts)
	binary.BigEndian.PutUint16(b[10:], fold(sum(0, b[:hl])))
	copy(b[hl:], payload)
	return b
}

// pkt4 builds an unfragmented IPv4 datagram, filling the upper-layer
// checksum.
func pkt4(h ip4, seg []byte) []byte {
	setL4Sum(h.proto, pseudo4(h.src, h.dst, h.proto, len(seg)), seg)
	return h.packet(seg)
}

// fragments4 checksums seg as a whole and returns fragments cut at the given
// byte offsets (multiples of 8) within seg.
func fragments4(h ip4, seg []byte, cuts ...int) [][]byte {
	setL4Sum(h.proto, pseudo4(h.src, h.dst, h.proto, len(seg)), seg)
	bounds := append(append([]int{0}, cuts...), len(seg))
	var out [][]byte
	for i := 0; i+1 < len(bounds); i++ {
		f := h
		f.off = uint16(bounds[i] / 8)
		f.mf = i+2 < len(bounds)
		out = append(out, f.packet(seg[bounds[i]:bounds[i+1]]))
	}
	return out
}

// ip6 is an IPv6 header with a chain of extension headers to build.
type ip6 struct {
	src, dst addr6
	hop      byte // 0 = 64
	exts     []ext
}

// ext is one IPv6 extension header; its Next Header field is filled in
// when the chain is assembled.
type ext struct {
	proto byte   // the header's own protocol number (0, 43, 44, 60)
	body  []byte // everything after the Next Header byte
}

// extOpts is a hop-by-hop (0) or destination options (60) header holding
// opts, padded with PadN to a multiple of 8 bytes.
func extOpts(proto byte, opts []byte) ext {
	n := 2 + len(opts)
	padded := (n + 7) &^ 7
	body := make([]byte, padded-1)
	body[0] = byte(padded/8 - 1)
	copy(body[1:], opts)
	if p := padded - n; p == 1 {
		body[1+len(opts)] = 0 // Pad1
	} else if p >= 2 {
		body[1+len(opts)] = 1 // PadN
		body[2+len(opts)] = byte(p - 2)
	}
	return ext{proto: proto, body: body}
}

// extRouting is a type 0 routing header with segments left 0.
func extRouting(addrs ...addr6) ext {
	body := make([]byte, 7+16*len(addrs))
	body[0] = byte(2 * len(addrs))
	body[1] = 0 // routing type 0
	body[2] = 0 // segments left
	for i, a := range addrs {
		copy(body[7+16*i:], a[:])
	}
	return ext{proto: protoRouting, body: body}
}

// extFrag is a fragment header; off is in 8-byte units.
func extFrag(off uint16, more bool, id uint32) ext {
	body := make([]byte, 7)
	v := off << 3
	if more {
		v |= 1
	}
	binary.BigEndian.PutUint16(body[1:], v)
	binary.BigEndian.PutUint32(body[3:], id)
	return ext{proto: protoFragment, body: body}
}

// packet returns the IPv6 packet: header, extension chain, then payload
// of protocol upper.
func (h ip6) packet(upper byte, payload []byte) []byte {
	var chain []byte
	for i, e := range h.exts {
		next := upper
		if i+1 < len(h.exts) {
			next = h.exts[i+1].proto
		}
		chain = append(chain, next)
		chain = append(chain, e.body...)
	}
	first := upper
	if len(h.exts) > 0 {
		first = h.exts[0].proto
	}
	hop := h.hop
	if hop == 0 {
		hop = 64
	}
	b := make([]byte, 40, 40+len(chain)+len(payload))
	b[0] = 0x60
	binary.BigEndian.PutUint16(b[4:], uint16(len(chain)+len(payload)))
	b[6], b[7] = first, hop
	copy(b[8:], h.src[:])
	copy(b[24:], h.dst[:])
	b = append(b, chain...)
	return append(b, payload...)
}

// pkt6 builds an unfragmented IPv6 packet, filling the upper-layer checksum.
func pkt6(h ip6, upper byte, seg []byte) []byte {
	setL4Sum(upper, pseudo6(h.src, h.dst, upper, len(seg)), seg)
	return h.packet(upper, seg)
}

// fragments6 checksums seg and returns fragments cut at the given byte offsets,
// each with h's extension headers followed by a fragment header.
func fragments6(h ip6, id uint32, upper byte, seg []byte, cuts ...int) [][]byte {
	setL4Sum(upper, pseudo6(h.src, h.dst, upper, len(seg)), seg)
	bounds := append(append([]int{0}, cuts...), len(seg))
	var out [][]byte
	for i := 0; i+1 < len(bounds); i++ {
		f := h
		f.exts = append(append([]ext(nil), h.exts...), extFrag(uint16(bounds[i]/8), i+2 < len(bounds), id))
		out = append(out, f.packet(upper, seg[bounds[i]:bounds[i+1]]))
	}
	return out
}

// Link-layer framing.

var (
	macDst = []byte{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01}
	macSrc = []byte{0x02, 0x00, 0x5e, 0x00, 0x00, 0x02}
)

// eth frames p as Ethernet II after the given 802.1Q/802.1ad tags (pairs of
// TPID, TCI), padded to 60 bytes with fill.
func ethTagged(et uint16, p []byte, fill byte, tags ...uint16) []byte {
	b := append(append([]byte(nil), macDst...), macSrc...)
	for _, t := range tags {
		b = binary.BigEndian.AppendUint16(b, t)
	}
	b = binary.BigEndian.AppendUint16(b, et)
	b = append(b, p...)
	for len(b) < 60 {
		b = append(b, fill)
	}
	return b
}

// eth frames p as untagged Ethernet II, zero-padded to 60 bytes.
func eth(et uint16, p []byte) []byte { return ethTagged(et, p, 0) }

// withFCS appends the Ethernet CRC-32 in wire (little-endian) order.
func withFCS(frame []byte) []byte {
	return binary.LittleEndian.AppendUint32(append([]byte(nil), frame...), crc32.ChecksumIEEE(frame))
}

// sll frames p as Linux cooked capture v1 (packet type 0 = to us).
func sll(proto uint16, p []byte) []byte {
	b := make([]byte, 16, 16+len(p))
	binary.BigEndian.PutUint16(b[0:], 0) // LINUX_SLL_HOST
	binary.BigEndian.PutUint16(b[2:], 1) // ARPHRD_ETHER
	binary.BigEndian.PutUint16(b[4:], 6)
	copy(b[6:], macSrc)
	binary.BigEndian.PutUint16(b[14:], proto)
	return append(b, p...)
}

// sll2 frames p as Linux cooked capture v2.
func sll2(proto uint16, p []byte) []byte {
	b := make([]byte, 20, 20+len(p))
	binary.BigEndian.PutUint16(b[0:], proto)
	binary.BigEndian.PutUint32(b[4:], 2) // interface index
	binary.BigEndian.PutUint16(b[8:], 1) // ARPHRD_ETHER
	b[10] = 0                            // LINUX_SLL_HOST
	b[11] = 6
	copy(b[12:], macSrc)
	return append(b, p...)
}

// afHeader prefixes p with a 4-byte address family in byte order bo.
func afHeader(bo order, af uint32, p []byte) []byte {
	return append(bo.AppendUint32(nil, af), p...)
}

// arp is an ARP request frame body (not IP).
func arp() []byte {
	b := []byte{0, 1, 8, 0, 6, 4, 0, 1}
	b = append(b, macSrc...)
	b = append(b, 198, 18, 0, 1)
	b = append(b, 0, 0, 0, 0, 0, 0)
	return append(b, 198, 18, 0, 2)
}
