package main

import "encoding/binary"

// The link layers beyond Ethernet, SLL, loopback and raw IP, framed as
// tcpdump's printers read them (decode/links.go cites each).

func cat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }

// pppProto is the PPP protocol number of an IP version.
func pppProto(ver int) uint16 {
	if ver == 6 {
		return 0x0057
	}
	return 0x0021
}

// pppFrame is PPP with the HDLC-like address and control bytes.
func pppFrame(p ipPkt) []byte { return cat([]byte{0xff, 0x03}, be16(pppProto(p.ver)), p.b) }

// pppCompressed is PPP without address and control, its protocol
// compressed to one byte (RFC 1661 section 6.5).
func pppCompressed(p ipPkt) []byte { return cat([]byte{byte(pppProto(p.ver))}, p.b) }

// chdlcFrame is Cisco HDLC: unicast address, control 0, EtherType.
func chdlcFrame(p ipPkt) []byte { return cat([]byte{0x0f, 0x00}, be16(etherType(p.ver)), p.b) }

// snap is 802.2 LLC/SNAP with OUI 0 and the IP EtherType.
func snap(ver int) []byte { return cat([]byte{0xaa, 0xaa, 0x03, 0, 0, 0}, be16(etherType(ver))) }

// fddiFrame is an asynchronous LLC frame (frame control 0x50), then SNAP.
func fddiFrame(p ipPkt) []byte { return cat([]byte{0x50}, macDst, macSrc, snap(p.ver), p.b) }

// dot11Frame is an 802.11 data frame to the distribution system: frame
// control (data, ToDS), duration, three addresses, sequence control, then
// SNAP; with qos, a QoS data frame and its 2-byte QoS control.
func dot11Frame(p ipPkt, qos bool) []byte {
	fc := []byte{0x08, 0x01}
	var q []byte
	if qos {
		fc[0], q = 0x88, []byte{0x00, 0x00}
	}
	return cat(fc, []byte{0, 0}, macDst, macSrc, macDst, []byte{0x10, 0x00}, q, snap(p.ver), p.b)
}

// radiotapFrame is an 8-byte radiotap header (no fields present), then
// 802.11.
func radiotapFrame(p ipPkt) []byte {
	return cat([]byte{0, 0, 8, 0, 0, 0, 0, 0}, dot11Frame(p, false))
}

// frFrame is Frame Relay: a 2-byte Q.922 address (DLCI 16), UI control,
// and the NLPID of the IP version (RFC 2427).
func frFrame(p ipPkt) []byte {
	nlpid := byte(0xcc)
	if p.ver == 6 {
		nlpid = 0x8e
	}
	return cat([]byte{0x04, 0x01, 0x03, nlpid}, p.b)
}

// arcnetFrame is Linux's ARCNET header with the RFC 1201 IP id (212) or
// the IPv6 id (0xc4): source, destination, offset, id, split flag,
// sequence.
func arcnetFrame(p ipPkt) []byte {
	id := byte(212)
	if p.ver == 6 {
		id = 0xc4
	}
	return cat([]byte{0x01, 0x02, 0, 0, id, 0, 0, 1}, p.b)
}

// ipoibFrame is RFC 4391's header: EtherType, 2 reserved bytes.
func ipoibFrame(p ipPkt) []byte { return cat(be16(etherType(p.ver)), []byte{0, 0}, p.b) }

// ipoibLongFrame is the header tcpdump's printer reads: two 20-byte
// hardware addresses before the EtherType and reserved bytes.
func ipoibLongFrame(p ipPkt) []byte { return cat(make([]byte, 40), ipoibFrame(p)) }

// ipnetFrame is Solaris ipnet's 24-byte header, family 2 (IPv4) or 26
// (IPv6).
func ipnetFrame(p ipPkt) []byte {
	fam := byte(2)
	if p.ver == 6 {
		fam = 26
	}
	h := make([]byte, 24)
	h[0], h[1] = 2, fam
	binary.BigEndian.PutUint32(h[4:], uint32(len(p.b)))
	binary.BigEndian.PutUint32(h[8:], 2) // interface index
	return cat(h, p.b)
}

// nflogFrame is an NFLOG record of a little-endian host: family (2 or 10),
// version 0, resource id, an NFULA_PACKET_HDR TLV (type 1) and the
// NFULA_PAYLOAD TLV (type 9), each padded to 4 bytes.
func nflogFrame(p ipPkt) []byte {
	fam := byte(2)
	if p.ver == 6 {
		fam = 10
	}
	b := []byte{fam, 0, 0, 1}
	b = append(b, 8, 0, 1, 0) // NFULA_PACKET_HDR: hw protocol, hook, pad
	b = append(b, be16(etherType(p.ver))...)
	b = append(b, 3, 0)
	n := 4 + len(p.b)
	b = binary.LittleEndian.AppendUint16(b, uint16(n))
	b = binary.LittleEndian.AppendUint16(b, 9)
	b = append(b, p.b...)
	for n%4 != 0 {
		b = append(b, 0)
		n++
	}
	return b
}

// mplsFrame is Ethernet with two MPLS labels (100, then 200 at the bottom
// of the stack) above the IP packet.
func mplsFrame(p ipPkt) []byte {
	l1 := binary.BigEndian.AppendUint32(nil, 100<<12|64)
	l2 := binary.BigEndian.AppendUint32(nil, 200<<12|1<<8|64)
	return eth(0x8847, cat(l1, l2, p.b))
}

// pppoeFrame is Ethernet with a PPPoE session header (version and type 1,
// code 0, session 0x1234) and a 2-byte PPP protocol.
func pppoeFrame(p ipPkt) []byte {
	ppp := cat(be16(pppProto(p.ver)), p.b)
	return eth(0x8864, cat([]byte{0x11, 0x00}, be16(0x1234), be16(uint16(len(ppp))), ppp))
}
