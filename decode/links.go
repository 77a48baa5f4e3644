package decode

import (
	"encoding/binary"

	"github.com/port0/port0/capture"
)

// Link header lengths and values of the link types beyond Ethernet, SLL,
// loopback and raw IP, after tcpdump's printers (print-*.c, named with
// each function) and the tcpdump.org LINKTYPE_* pages.
const (
	FDDIHdrLen   = 13 // frame control, destination, source (print-fddi.c FDDI_HDRLEN)
	llcSNAPLen   = 8  // 802.2 LLC AA AA 03, SNAP OUI (3 bytes), EtherType
	CHDLCHdrLen  = 4  // address, control, EtherType (print-chdlc.c CHDLC_HDRLEN)
	IPoIBHdrLen  = 4  // EtherType, reserved (RFC 4391 section 6; the LINKTYPE_IPOIB page)
	ipoibLongLen = 44 // two 20-byte hardware addresses, then EtherType and reserved (print-ipoib.c)
	IPNetHdrLen  = 24 // Solaris ipnet (print-ipnet.c)
	NFLogHdrLen  = 4  // family, version, resource id (print-nflog.c)
	PPPoEHdrLen  = 6  // version/type, code, session id, length (RFC 2516)
	mplsLabelLen = 4
	// MaxMPLSLabels is the most labels walked; a deeper stack is not-ip.
	MaxMPLSLabels = 16

	pppIPv4 = 0x0021 // PPP protocol numbers (RFC 1332, RFC 5072; ppp.h)
	pppIPv6 = 0x0057
	pppMPLS = 0x0281 // unicast; 0x0283 multicast

	nflogPayload = 9 // NFULA_PAYLOAD
)

// otherLink decodes the link types beyond those of decodeLink.
func (r *Record) otherLink(link capture.LinkType, data []byte) {
	switch link {
	case capture.LinkPPP:
		r.ppp(data, 0)
	case capture.LinkPPPHDLC:
		// 0xff: PPP in HDLC-like framing, the address and control bytes
		// always there and the protocol never compressed; 0x0f, 0x8f:
		// Cisco PPP with HDLC framing, an EtherType like C_HDLC's
		// (ppp_hdlc_if_print).
		switch {
		case len(data) < 1:
			r.truncLink()
		case data[0] == 0x0f || data[0] == 0x8f:
			r.chdlc(data)
		case data[0] != 0xff:
			r.Link = LinkNotIP
		case len(data) < 4:
			r.truncLink()
		default:
			r.pppProto(binary.BigEndian.Uint16(data[2:4]), data, 4)
		}
	case capture.LinkCHDLC:
		r.chdlc(data)
	case capture.LinkFDDI:
		// Only asynchronous LLC frames (frame control 0x5X) carry LLC
		// (fddi_print).
		if len(data) < FDDIHdrLen {
			r.truncLink()
			return
		}
		if data[0]&0xf0 != 0x50 {
			r.Link = LinkNotIP
			return
		}
		r.llc(data, FDDIHdrLen)
	case capture.LinkIEEE80211:
		r.dot11(data, 0)
	case capture.LinkRadiotap:
		if len(data) < 4 {
			r.truncLink()
			return
		}
		// it_len counts the whole radiotap header, 8 bytes at least.
		n := int(binary.LittleEndian.Uint16(data[2:4]))
		if n < 8 {
			r.Link = LinkNotIP
			return
		}
		r.dot11(data, n)
	case capture.LinkFrameRelay:
		r.frameRelay(data)
	case capture.LinkARCNET:
		r.arcnet(data)
	case capture.LinkIPoIB:
		// The LINKTYPE_IPOIB page puts RFC 4391's 4-byte header first;
		// tcpdump's printer (and its test capture) two 20-byte hardware
		// addresses before it. The short form is taken when it names IP
		// with zero reserved bytes, else the long one.
		if len(data) < IPoIBHdrLen {
			r.truncLink()
			return
		}
		if ipoibHeader(data) {
			r.etherAt(data, 0, IPoIBHdrLen)
			return
		}
		r.etherAt(data, 40, ipoibLongLen)
	case capture.LinkIPNet:
		if len(data) < IPNetHdrLen {
			r.truncLink()
			return
		}
		switch data[1] {
		case 2: // IPH_AF_INET
			r.ip(data, IPNetHdrLen, 4)
		case 26: // IPH_AF_INET6
			r.ip(data, IPNetHdrLen, 6)
		default:
			r.Link = LinkNotIP
		}
	case capture.LinkNFLog:
		r.nflog(data)
	default:
		r.Link = LinkUnsupported
	}
}

// ipoibHeader reports whether data starts with an RFC 4391 header naming
// IPv4 or IPv6.
func ipoibHeader(data []byte) bool {
	et := binary.BigEndian.Uint16(data[0:2])
	return (et == EtherIPv4 || et == EtherIPv6) && data[2] == 0 && data[3] == 0
}

// mpls walks an MPLS label stack at data[off:] to its bottom and decodes
// the IP packet below it as tcpdump guesses it (mpls_print): bottom label
// 0 (IPv4 explicit null) or 3 (implicit null) is IPv4, 2 is IPv6, and
// another label is IPv4 when the first byte is 0x45–0x4f and IPv6 when it
// is 0x6X. Anything else below the stack (a pseudowire's control word and
// Ethernet, say) is not-ip.
func (r *Record) mpls(data []byte, off int) {
	var label uint32
	for {
		if len(data) < off+mplsLabelLen {
			r.truncLink()
			return
		}
		if r.MPLS == MaxMPLSLabels {
			r.Link = LinkNotIP
			return
		}
		r.MPLS++
		label = binary.BigEndian.Uint32(data[off:]) >> 12
		bottom := data[off+2]&0x01 != 0
		off += mplsLabelLen
		if bottom {
			break
		}
	}
	switch {
	case label == 0 || label == 3:
		r.ip(data, off, 4)
	case label == 2:
		r.ip(data, off, 6)
	case len(data) <= off: // nothing to guess from
		r.truncLink()
	case data[off] >= 0x45 && data[off] <= 0x4f:
		r.ip(data, off, 4)
	case data[off]>>4 == 6:
		r.ip(data, off, 6)
	default:
		r.Link = LinkNotIP
	}
}

// ppp decodes a PPP frame at data[off:]: the optional HDLC-like address
// and control bytes (0xff 0x03), or pppd's direction marker (0x00 or 0x01,
// then 0x03), then the protocol, one byte when it is compressed (odd, RFC
// 1661 section 6.5), else two (ppp_print).
func (r *Record) ppp(data []byte, off int) {
	if len(data) >= off+2 && data[off] <= 0x01 && data[off+1] == 0x03 { // pppd's direction marker
		off += 2
	}
	switch {
	case len(data) >= off+2 && data[off] == 0xff && data[off+1] == 0x03:
		off += 2
	case len(data) == off+1 && data[off] == 0xff: // an address without its control byte
		r.truncLink()
		return
	}
	if len(data) < off+1 {
		r.truncLink()
		return
	}
	if data[off]&0x01 != 0 {
		r.pppProto(uint16(data[off]), data, off+1)
		return
	}
	if len(data) < off+2 {
		r.truncLink()
		return
	}
	r.pppProto(binary.BigEndian.Uint16(data[off:]), data, off+2)
}

// pppProto dispatches on a PPP protocol number (handle_ppp: the IP
// EtherTypes are accepted too).
func (r *Record) pppProto(proto uint16, data []byte, off int) {
	switch proto {
	case pppIPv4, EtherIPv4:
		r.ip(data, off, 4)
	case pppIPv6, EtherIPv6:
		r.ip(data, off, 6)
	case pppMPLS, pppMPLS + 2:
		r.mpls(data, off)
	default:
		r.Link = LinkNotIP
	}
}

// chdlc decodes Cisco HDLC: address, control, then an EtherType.
func (r *Record) chdlc(data []byte) { r.etherAt(data, 2, CHDLCHdrLen) }

// llc decodes 802.2 LLC at data[off:] (llc_print, snap_print): SNAP
// (DSAP and SSAP 0xaa, I/G and C/R bits aside, UI control 0x03) with OUI
// 0 or 0x0000f8 carries an EtherType; DSAP and SSAP 0x06 with UI control
// is IPv4 right after the 3 LLC bytes (RFC 948); other LLC is not-ip.
func (r *Record) llc(data []byte, off int) {
	if len(data) < off+3 {
		r.truncLink()
		return
	}
	dsap, ssap, ctl := data[off]&^1, data[off+1]&^1, data[off+2]
	switch {
	case dsap == 0x06 && ssap == 0x06 && ctl == 0x03:
		r.ip(data, off+3, 4)
		return
	case dsap != 0xaa || ssap != 0xaa || ctl != 0x03:
		r.Link = LinkNotIP
		return
	}
	if len(data) < off+llcSNAPLen {
		r.truncLink()
		return
	}
	if oui := uint32(data[off+3])<<16 | uint32(data[off+4])<<8 | uint32(data[off+5]); oui != 0 && oui != 0xf8 {
		r.Link = LinkNotIP
		return
	}
	r.etherType(binary.BigEndian.Uint16(data[off+6:off+8]), data, off+llcSNAPLen)
}

// dot11 decodes an IEEE 802.11 frame at data[off:]: a data frame's MAC
// header (24 bytes, 30 with four addresses, 2 more with QoS, 4 more with
// an HT control field), then LLC/SNAP. Management and control frames,
// null-data frames and protected (encrypted) frames are not-ip.
func (r *Record) dot11(data []byte, off int) {
	// 24 bytes, the shortest data frame header: a shorter frame (some
	// control frames are 10 or 16 bytes) is counted as cut, not read.
	if len(data) < off+24 {
		r.truncLink()
		return
	}
	fc0, fc1 := data[off], data[off+1]
	typ, sub := fc0>>2&0x03, fc0>>4
	if typ != 2 || sub&0x04 != 0 || fc1&0x40 != 0 { // data, not null data, not protected
		r.Link = LinkNotIP
		return
	}
	n := 24
	if fc1&0x03 == 0x03 { // to DS and from DS: four addresses
		n += 6
	}
	if sub&0x08 != 0 { // QoS data
		n += 2
		if fc1&0x80 != 0 { // +HTC (the order bit in a QoS frame)
			n += 4
		}
	}
	if len(data) < off+n {
		r.truncLink()
		return
	}
	r.llc(data, off+n)
}

// frameRelay decodes a Q.922 address (2 to 4 bytes, ending at the byte
// with its EA bit set) and the RFC 2427 encapsulation after it: the
// UI control byte 0x03, an optional pad byte 0x00, and an NLPID (0xcc
// IPv4, 0x8e IPv6, 0x80 SNAP).
func (r *Record) frameRelay(data []byte) {
	off := 0
	for {
		if len(data) <= off {
			r.truncLink()
			return
		}
		ea := data[off]&0x01 != 0
		off++
		if ea {
			break
		}
		if off == 4 {
			r.Link = LinkNotIP // an address longer than Q.922 allows
			return
		}
	}
	if off < 2 {
		r.Link = LinkNotIP
		return
	}
	if len(data) < off+2 {
		r.truncLink()
		return
	}
	if data[off] != 0x03 {
		// Cisco's encapsulation: an EtherType right after the address
		// (fr_print, when the DLCI is not 0).
		if frDLCI(data[:off]) == 0 {
			r.Link = LinkNotIP
			return
		}
		r.etherType(binary.BigEndian.Uint16(data[off:off+2]), data, off+2)
		return
	}
	off++
	if data[off] == 0x00 { // pad
		off++
		if len(data) <= off {
			r.truncLink()
			return
		}
	}
	switch data[off] {
	case 0xcc:
		r.ip(data, off+1, 4)
	case 0x8e:
		r.ip(data, off+1, 6)
	case 0x80: // SNAP: OUI (3 bytes), then an EtherType
		if len(data) < off+6 {
			r.truncLink()
			return
		}
		r.etherType(binary.BigEndian.Uint16(data[off+4:off+6]), data, off+6)
	case 0xcf: // PPP
		r.ppp(data, off+1)
	default:
		r.Link = LinkNotIP
	}
}

// frDLCI is the DLCI of a Q.922 address of 2 to 4 bytes: the high 6 bits
// of the first byte, the high 4 of the second, and for longer addresses 7
// (then 6) more bits from the next bytes.
func frDLCI(a []byte) uint32 {
	d := uint32(a[0]>>2)<<4 | uint32(a[1]>>4)
	if len(a) >= 3 {
		d = d<<7 | uint32(a[2]>>1)
	}
	if len(a) == 4 {
		d = d<<6 | uint32(a[3]>>2)
	}
	return d
}

// arcnet decodes Linux's ARCNET header: source, destination, a 2-byte
// offset, the protocol id, then (but for ids 240, 241 and 0x80) a split
// flag and a 2-byte sequence number (arcnet_linux_if_print).
func (r *Record) arcnet(data []byte) {
	const short, long = 5, 8
	if len(data) < short {
		r.truncLink()
		return
	}
	switch id := data[4]; id {
	case 240: // ARCTYPE_IP_OLD (RFC 1051): no split flag and sequence
		r.ip(data, short, 4)
	case 212, 0xc4: // ARCTYPE_IP (RFC 1201), ARCTYPE_INET6
		if len(data) < long {
			r.truncLink()
			return
		}
		if id == 212 {
			r.ip(data, long, 4)
		} else {
			r.ip(data, long, 6)
		}
	default:
		r.Link = LinkNotIP
	}
}

// nflog decodes Linux NFLOG (nflog_if_print): family, version (0),
// resource id, then TLVs whose length and type are in the byte order of
// the host that wrote the capture, each padded to 4 bytes; the packet is
// the value of NFULA_PAYLOAD, an IP packet of the header's family (2
// AF_INET, 10 AF_INET6). A record does not know its file's byte order:
// the TLVs are read little endian (the x86 and arm hosts that write
// nearly all of them) unless the first TLV's length only makes sense big
// endian.
func (r *Record) nflog(data []byte) {
	if len(data) < NFLogHdrLen {
		r.truncLink()
		return
	}
	if data[1] != 0 {
		r.Link = LinkNotIP
		return
	}
	var ver uint8
	switch data[0] {
	case 2:
		ver = 4
	case 10:
		ver = 6
	default:
		r.Link = LinkNotIP
		return
	}
	off := NFLogHdrLen
	var bo binary.ByteOrder = binary.LittleEndian
	if len(data) >= off+4 {
		if le, be := int(binary.LittleEndian.Uint16(data[off:])), int(binary.BigEndian.Uint16(data[off:])); (le < 4 || le > len(data)-off) && be >= 4 && be <= len(data)-off {
			bo = binary.BigEndian
		}
	}
	for {
		if len(data) < off+4 {
			r.truncLink()
			return
		}
		n := int(bo.Uint16(data[off:]))
		typ := bo.Uint16(data[off+2:]) & 0x7fff // NLA_TYPE_MASK
		if n < 4 {
			r.Link = LinkNotIP // a malformed TLV: no packet can be found
			return
		}
		if typ == nflogPayload {
			r.ip(data[:min(len(data), off+n)], off+4, ver)
			return
		}
		off += (n + 3) &^ 3
	}
}
