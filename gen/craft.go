package gen

import (
	"encoding/binary"

	"github.com/port0/port0/label"
)

// This file crafts packets from byte templates straight into a chunk's
// output buffer: a pcap record header, an optional Ethernet header, and the
// IPv4 packet, with every checksum computed here. gopacket's serializer is the
// oracle the tests check these bytes against; the hot path never calls it.

// IP protocol numbers.
const (
	protoICMP = 1
	protoTCP  = 6
	protoUDP  = 17
)

// TCP flag bits.
const (
	flagFIN = 0x01
	flagSYN = 0x02
	flagRST = 0x04
	flagPSH = 0x08
	flagACK = 0x10
	flagURG = 0x20
	flagECE = 0x40
	flagCWR = 0x80
)

const (
	ipv4HeaderLen = 20
	tcpHeaderLen  = 20
	udpHeaderLen  = 8
	ethHeaderLen  = 14
	ethMinFrame   = 60 // minimum Ethernet frame without FCS: shorter frames are padded
	pcapRecordLen = 16
	truthRecLen   = 8
	ipDF          = 0x4000
	ipMF          = 0x2000
)

// ethTemplate is the Ethernet header of every generated frame: the telescope's
// capture port sees frames from its upstream router (locally administered
// MACs), EtherType IPv4.
var ethTemplate = [ethHeaderLen]byte{
	0x02, 0x00, 0x5e, 0x00, 0x00, 0x01, // destination: telescope sensor
	0x02, 0x00, 0x5e, 0x00, 0x00, 0xfe, // source: upstream router
	0x08, 0x00,
}

// truthRec is the ground truth of one packet, as stored in a .truth file.
type truthRec struct {
	actor  uint32
	class  label.Class
	tool   label.Tool
	detail uint8 // family-specific: probe number of fingerprint bundles, 1 for orphan-train fragments
}

// ipHdr holds the IPv4 fields a packet varies.
type ipHdr struct {
	src, dst uint32
	id       uint16
	frag     uint16 // flags and fragment offset (in 8-byte units)
	ttl      uint8
	proto    uint8
}

// tcpHdr holds the TCP fields a packet varies. With forceOff, dataOff is
// written as the data offset field (in 32-bit words) instead of the real
// header length 5 + len(opts)/4: the crafted-malformed class.
type tcpHdr struct {
	sport, dport uint16
	seq, ack     uint32
	flags        uint8
	window       uint16
	dataOff      uint8
	forceOff     bool
	opts         []byte // a multiple of 4 bytes
}

// chunkBuf receives the packets of one or more consecutive chunks (a
// batch): pcap records and truth records, plus per-class counts. It is
// reused across batches.
type chunkBuf struct {
	k        int    // chunk index (Generate: the batch index)
	pcap     []byte // pcap records (no file header)
	truth    []byte // truth records (no file header)
	gz       []byte // pcap compressed, one gzip member a chunk, when gzip is on
	packets  int64
	classes  [16]int64 // packets per label.Class
	ethernet bool
	nano     bool
}

func (c *chunkBuf) reset(k int) {
	c.k = k
	c.pcap = c.pcap[:0]
	c.truth = c.truth[:0]
	c.gz = c.gz[:0]
	c.packets = 0
	c.classes = [16]int64{}
}

// grow extends b by n zero bytes and returns the extended slice.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), 2*cap(b)+n)
		copy(nb, b)
		b = nb
	}
	b = b[:len(b)+n]
	clear(b[len(b)-n:])
	return b
}

// packet appends a pcap record for an IPv4 packet of ipLen bytes sent at ts
// (ns since the epoch), records its truth, and returns the IPv4 bytes for the
// caller to fill. Ethernet frames shorter than 60 bytes are zero-padded, as
// on the wire; the IP length fields, not the frame, tell the real length.
func (c *chunkBuf) packet(ts int64, ipLen int, t truthRec) []byte {
	frame := ipLen
	if c.ethernet {
		frame += ethHeaderLen
		if frame < ethMinFrame {
			frame = ethMinFrame
		}
	}
	start := len(c.pcap)
	c.pcap = grow(c.pcap, pcapRecordLen+frame)
	rec := c.pcap[start:]
	sec := ts / 1e9
	frac := ts % 1e9
	if !c.nano {
		frac /= 1000
	}
	binary.LittleEndian.PutUint32(rec[0:], uint32(sec))
	binary.LittleEndian.PutUint32(rec[4:], uint32(frac))
	binary.LittleEndian.PutUint32(rec[8:], uint32(frame))
	binary.LittleEndian.PutUint32(rec[12:], uint32(frame))
	ip := rec[pcapRecordLen:]
	if c.ethernet {
		copy(ip, ethTemplate[:])
		ip = ip[ethHeaderLen:]
	}
	tstart := len(c.truth)
	c.truth = grow(c.truth, truthRecLen)
	tr := c.truth[tstart:]
	binary.LittleEndian.PutUint32(tr[0:], t.actor)
	tr[4] = uint8(t.class)
	tr[5] = uint8(t.tool)
	tr[6] = t.detail
	c.packets++
	c.classes[t.class&15]++
	return ip[:ipLen]
}

// putIPv4 writes a 20-byte IPv4 header with its checksum.
func putIPv4(b []byte, h *ipHdr, totalLen int) {
	b[0] = 0x45
	b[1] = 0
	binary.BigEndian.PutUint16(b[2:], uint16(totalLen))
	binary.BigEndian.PutUint16(b[4:], h.id)
	binary.BigEndian.PutUint16(b[6:], h.frag)
	b[8] = h.ttl
	b[9] = h.proto
	binary.BigEndian.PutUint32(b[12:], h.src)
	binary.BigEndian.PutUint32(b[16:], h.dst)
	// The header's words summed from the fields (the checksum word is 0):
	// the one's-complement sum does not depend on how the words are
	// grouped, so this is sum16 of the bytes (TestChecksumFromFields).
	acc := 0x4500 + uint64(totalLen) + uint64(h.id) + uint64(h.frag) + uint64(h.ttl)<<8 + uint64(h.proto) +
		uint64(h.src>>16) + uint64(h.src&0xffff) + uint64(h.dst>>16) + uint64(h.dst&0xffff)
	binary.BigEndian.PutUint16(b[10:], fold(acc))
}

// sum16 adds b to acc as big-endian 16-bit words (RFC 1071), an odd last
// byte padded with zero.
func sum16(b []byte, acc uint64) uint64 {
	for len(b) >= 8 {
		acc += uint64(binary.BigEndian.Uint32(b)) + uint64(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		acc += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	return acc
}

// fold folds a one's-complement sum to 16 bits and complements it.
func fold(acc uint64) uint16 {
	for acc>>16 != 0 {
		acc = (acc & 0xffff) + acc>>16
	}
	return ^uint16(acc)
}

// pseudo is the IPv4 pseudo-header sum for a transport checksum.
func pseudo(src, dst uint32, proto uint8, length int) uint64 {
	return uint64(src>>16) + uint64(src&0xffff) + uint64(dst>>16) + uint64(dst&0xffff) +
		uint64(proto) + uint64(length)
}

// tcp appends a TCP packet. The header physically holds 20 bytes plus opts.
func (c *chunkBuf) tcp(ts int64, ip *ipHdr, h *tcpHdr, payload []byte, t truthRec) {
	hl := tcpHeaderLen + len(h.opts)
	segLen := hl + len(payload)
	total := ipv4HeaderLen + segLen
	b := c.packet(ts, total, t)
	ip.proto = protoTCP
	putIPv4(b, ip, total)
	s := b[ipv4HeaderLen:]
	binary.BigEndian.PutUint16(s[0:], h.sport)
	binary.BigEndian.PutUint16(s[2:], h.dport)
	binary.BigEndian.PutUint32(s[4:], h.seq)
	binary.BigEndian.PutUint32(s[8:], h.ack)
	off := uint8(hl / 4)
	if h.forceOff {
		off = h.dataOff
	}
	s[12] = off << 4
	s[13] = h.flags
	binary.BigEndian.PutUint16(s[14:], h.window)
	copy(s[tcpHeaderLen:], h.opts)
	copy(s[hl:], payload)
	// The fixed header's words from the fields (checksum and urgent
	// pointer 0), the options and payload from the bytes.
	acc := pseudo(ip.src, ip.dst, protoTCP, segLen) + uint64(h.sport) + uint64(h.dport) +
		uint64(h.seq>>16) + uint64(h.seq&0xffff) + uint64(h.ack>>16) + uint64(h.ack&0xffff) +
		uint64(s[12])<<8 + uint64(s[13]) + uint64(h.window)
	binary.BigEndian.PutUint16(s[16:], fold(sum16(s[tcpHeaderLen:], acc)))
}

// udp appends a UDP datagram with its checksum and returns its UDP
// segment.
func (c *chunkBuf) udp(ts int64, ip *ipHdr, sport, dport uint16, payload []byte, t truthRec) []byte {
	segLen := udpHeaderLen + len(payload)
	total := ipv4HeaderLen + segLen
	b := c.packet(ts, total, t)
	ip.proto = protoUDP
	putIPv4(b, ip, total)
	putUDP(b[ipv4HeaderLen:], ip.src, ip.dst, sport, dport, payload)
	return b[ipv4HeaderLen:]
}

// udpNoSum appends a UDP datagram without a checksum (0, RFC 768: the
// sender computed none), as ZMap sends its UDP probes.
func (c *chunkBuf) udpNoSum(ts int64, ip *ipHdr, sport, dport uint16, payload []byte, t truthRec) {
	s := c.udp(ts, ip, sport, dport, payload, t)
	s[6], s[7] = 0, 0
}

// putUDP writes a UDP header and payload into s with the checksum.
func putUDP(s []byte, src, dst uint32, sport, dport uint16, payload []byte) {
	segLen := udpHeaderLen + len(payload)
	binary.BigEndian.PutUint16(s[0:], sport)
	binary.BigEndian.PutUint16(s[2:], dport)
	binary.BigEndian.PutUint16(s[4:], uint16(segLen))
	s[6], s[7] = 0, 0
	copy(s[udpHeaderLen:], payload)
	sum := fold(sum16(s[:segLen], pseudo(src, dst, protoUDP, segLen)))
	if sum == 0 {
		sum = 0xffff // RFC 768: a computed zero is sent as all ones
	}
	binary.BigEndian.PutUint16(s[6:], sum)
}

// icmpEcho appends an ICMP echo request (typ 8) or reply (typ 0).
func (c *chunkBuf) icmpEcho(ts int64, ip *ipHdr, typ uint8, id, seq uint16, payload []byte, t truthRec) {
	msgLen := 8 + len(payload)
	total := ipv4HeaderLen + msgLen
	b := c.packet(ts, total, t)
	ip.proto = protoICMP
	putIPv4(b, ip, total)
	m := b[ipv4HeaderLen:]
	m[0], m[1] = typ, 0
	m[2], m[3] = 0, 0
	binary.BigEndian.PutUint16(m[4:], id)
	binary.BigEndian.PutUint16(m[6:], seq)
	copy(m[8:], payload)
	binary.BigEndian.PutUint16(m[2:], fold(sum16(m, 0)))
}

// icmpUnreachUDP appends an ICMP destination unreachable (type 3, code 3:
// port unreachable) whose body quotes an empty UDP datagram inner.src:sport →
// inner.dst:dport, as a victim sends when a datagram hits a closed port.
func (c *chunkBuf) icmpUnreachUDP(ts int64, ip *ipHdr, inner *ipHdr, sport, dport uint16, t truthRec) {
	const quoted = ipv4HeaderLen + udpHeaderLen
	msgLen := 8 + quoted
	total := ipv4HeaderLen + msgLen
	b := c.packet(ts, total, t)
	ip.proto = protoICMP
	putIPv4(b, ip, total)
	m := b[ipv4HeaderLen:]
	m[0], m[1] = 3, 3
	m[2], m[3], m[4], m[5], m[6], m[7] = 0, 0, 0, 0, 0, 0
	q := m[8:]
	inner.proto = protoUDP
	putIPv4(q, inner, quoted)
	putUDP(q[ipv4HeaderLen:], inner.src, inner.dst, sport, dport, nil)
	binary.BigEndian.PutUint16(m[2:], fold(sum16(m, 0)))
}

// fragment appends one IPv4 fragment: data is the slice of the transport
// segment that this fragment carries, offset its position in bytes (a
// multiple of 8), more whether fragments follow.
func (c *chunkBuf) fragment(ts int64, ip *ipHdr, data []byte, offset int, more bool, t truthRec) {
	total := ipv4HeaderLen + len(data)
	b := c.packet(ts, total, t)
	ip.frag = uint16(offset / 8)
	if more {
		ip.frag |= ipMF
	}
	putIPv4(b, ip, total)
	copy(b[ipv4HeaderLen:], data)
}

// tcpSegment writes a whole TCP segment (header, opts, payload) into s and
// returns its length, with the checksum, for fragment trains.
func tcpSegment(s []byte, src, dst uint32, h *tcpHdr, payload []byte) int {
	hl := tcpHeaderLen + len(h.opts)
	segLen := hl + len(payload)
	clear(s[:segLen])
	binary.BigEndian.PutUint16(s[0:], h.sport)
	binary.BigEndian.PutUint16(s[2:], h.dport)
	binary.BigEndian.PutUint32(s[4:], h.seq)
	binary.BigEndian.PutUint32(s[8:], h.ack)
	s[12] = uint8(hl/4) << 4
	s[13] = h.flags
	binary.BigEndian.PutUint16(s[14:], h.window)
	copy(s[tcpHeaderLen:], h.opts)
	copy(s[hl:], payload)
	binary.BigEndian.PutUint16(s[16:], fold(sum16(s[:segLen], pseudo(src, dst, protoTCP, segLen))))
	return segLen
}
