package reference

import (
	"encoding/binary"
	"strings"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
)

// decodeOtherLink decodes the link types beyond Ethernet, SLL, loopback and
// raw IP, and reports whether it knew link. FDDI, PPP, IEEE 802.11 and
// radiotap go through gopacket's own layers (gopacket.NewPacket: they
// have no DecodingLayer); for Cisco HDLC (and Cisco framing in PPP_HDLC),
// Frame Relay, ARCNET, IPoIB, ipnet and NFLOG gopacket v1.1.19 has no
// layer, and their headers are stripped here by hand from the formats of
// tcpdump's printers (doc.go): a second reading of the same format, so
// crosscheck checks everything above the link header there, and the link
// header only against it.
func (d *RefDecoder) decodeOtherLink(link capture.LinkType, data []byte, r *decode.Record) bool {
	switch link {
	case capture.LinkIEEE80211, capture.LinkRadiotap:
		d.dot11(link, data, r)
	case capture.LinkFDDI:
		d.fddi(data, r)
	case capture.LinkPPP:
		d.ppp(data, 0, r)
	case capture.LinkPPPHDLC:
		d.pppHDLC(data, r)
	case capture.LinkCHDLC:
		d.byEtherType(data, 2, 4, r)
	case capture.LinkIPoIB:
		d.ipoib(data, r)
	case capture.LinkIPNet:
		if len(data) < 24 {
			truncLink(r)
			break
		}
		d.atIP(data, 24, family(data[1], 2, 26), r)
	case capture.LinkARCNET:
		d.arcnet(data, r)
	case capture.LinkFrameRelay:
		d.frameRelay(data, r)
	case capture.LinkNFLog:
		d.nflog(data, r)
	default:
		return false
	}
	return true
}

// dot11 strips an IEEE 802.11 data frame's header (behind radiotap's on
// link type 127) and its LLC.
func (d *RefDecoder) dot11(link capture.LinkType, data []byte, r *decode.Record) {
	// Only unprotected data frames with a body carry LLC; gopacket
	// decodes the bodies of the others too, and fails on them.
	hdr := 0
	if link == capture.LinkRadiotap {
		if len(data) < 4 {
			truncLink(r)
			return
		}
		if hdr = int(binary.LittleEndian.Uint16(data[2:])); hdr < 8 {
			r.Link = decode.LinkNotIP // a radiotap header shorter than its fixed part
			return
		}
	}
	if len(data) < hdr+24 { // the shortest data frame header
		truncLink(r)
		return
	}
	// The frame control says which frames carry LLC (gopacket
	// decodes, and fails on, the bodies of the others): data, not
	// null, not protected.
	fc0, fc1 := data[hdr], data[hdr+1]
	if fc0>>2&3 != 2 || fc0>>4&0x04 != 0 || fc1&0x40 != 0 {
		r.Link = decode.LinkNotIP
		return
	}
	n := 24
	if fc1&3 == 3 {
		n += 6
	}
	if fc0>>4&0x08 != 0 {
		n += 2
		if fc1&0x80 != 0 {
			n += 4
		}
	}
	if len(data) < hdr+n {
		truncLink(r)
		return
	}
	if rfc948(data[hdr+n:]) {
		d.atIP(data, hdr+n+3, 4, r)
		return
	}
	if !d.snapOK(data[hdr+n:], r) {
		return
	}
	// The radiotap fields are not read (as by the fast decoder: its
	// FCS and data-pad flags are not applied); gopacket's RadioTap
	// layer fails on fields that overrun it_len, where it_len alone
	// says where 802.11 starts.
	// gopacket's Dot11 always takes the last 4 bytes for an FCS,
	// which tcpdump never assumes on link type 105: 4 bytes of
	// padding give it one (the offsets come from the headers'
	// lengths, and the IP packet is read from data itself).
	fcs := append(append(make([]byte, 0, len(data)-hdr+4), data[hdr:]...), 0, 0, 0, 0)
	d.viaPacket(gopacket.NewPacket(fcs, layers.LinkTypeIEEE802_11, gopacket.NoCopy), data, hdr, r)
}

// fddi strips an FDDI header and its LLC.
func (d *RefDecoder) fddi(data []byte, r *decode.Record) {
	// gopacket decodes LLC whatever the frame control says; tcpdump
	// only for asynchronous LLC frames (0x5X). gopacket knows no RFC
	// 948 IP (LLC 06 06 03), nor that only OUI 0 and 0x0000f8 make
	// SNAP's type an EtherType.
	if len(data) >= decode.FDDIHdrLen && data[0]&0xf0 != 0x50 {
		r.Link = decode.LinkNotIP
		return
	}
	if rfc948(data[min(len(data), decode.FDDIHdrLen):]) {
		d.atIP(data, decode.FDDIHdrLen+3, 4, r)
		return
	}
	if len(data) < decode.FDDIHdrLen {
		truncLink(r)
		return
	}
	if !d.snapOK(data[decode.FDDIHdrLen:], r) {
		return
	}
	// gopacket's FDDI layer knows a few frame control values of the
	// sixteen asynchronous LLC ones: its LLC layer takes over after
	// the 13 bytes.
	d.viaPacket(gopacket.NewPacket(data[decode.FDDIHdrLen:], layers.LayerTypeLLC, gopacket.NoCopy), data, decode.FDDIHdrLen, r)
}

// pppHDLC strips PPP in HDLC-like framing, or Cisco HDLC framing.
func (d *RefDecoder) pppHDLC(data []byte, r *decode.Record) {
	switch {
	case len(data) < 1:
		truncLink(r)
	case data[0] == 0x0f || data[0] == 0x8f:
		d.byEtherType(data, 2, 4, r)
	case data[0] != 0xff:
		r.Link = decode.LinkNotIP
	case len(data) < 4:
		truncLink(r)
	default:
		d.pppType(binary.BigEndian.Uint16(data[2:]), data, 4, r)
	}
}

// ipoib strips the header of IP over InfiniBand.
func (d *RefDecoder) ipoib(data []byte, r *decode.Record) {
	// The RFC 4391 header first when it names IP with zero reserved
	// bytes, else after 40 bytes of hardware addresses as tcpdump's
	// printer reads it.
	if len(data) >= 4 && (data[0] == 0x08 && data[1] == 0x00 || data[0] == 0x86 && data[1] == 0xdd) && data[2] == 0 && data[3] == 0 {
		d.byEtherType(data, 0, 4, r)
		return
	}
	if len(data) < 4 {
		truncLink(r)
		return
	}
	d.byEtherType(data, 40, 44, r)
}

// arcnet strips an ARCNET header (Linux).
func (d *RefDecoder) arcnet(data []byte, r *decode.Record) {
	if len(data) < 5 {
		truncLink(r)
		return
	}
	switch data[4] {
	case 240:
		d.atIP(data, 5, 4, r)
	case 212:
		d.atIPChecked(data, 8, 4, r)
	case 0xc4:
		d.atIPChecked(data, 8, 6, r)
	default:
		r.Link = decode.LinkNotIP
	}
}

// ipEtherType reports whether an EtherType can lead to IP: IP, a VLAN
// tag, MPLS or a PPPoE session.
func ipEtherType(et uint16) bool {
	switch et {
	case decode.EtherIPv4, decode.EtherIPv6, decode.EtherDot1Q, decode.EtherQinQ, decode.EtherQinQ2, decode.EtherMPLS, decode.EtherMPLSMulti, decode.EtherPPPoESession:
		return true
	}
	return false
}

// pppoeOK reports whether b starts with a PPPoE session data header (code
// 0: pppoe_print), and otherwise sets r: gopacket's PPPoE layer hands any
// code to PPP.
func pppoeOK(b []byte, r *decode.Record) bool {
	switch {
	case len(b) < decode.PPPoEHdrLen:
		truncLink(r)
	case b[1] != 0:
		r.Link = decode.LinkNotIP
	default:
		return true
	}
	return false
}

// rfc948 reports whether b starts with the LLC header of RFC 948 IP
// (DSAP and SSAP 0x06 but for their low bits, UI control), which gopacket
// does not know: llc_print reads IPv4 right after it.
func rfc948(b []byte) bool {
	return len(b) >= 3 && b[0]&^1 == 0x06 && b[1]&^1 == 0x06 && b[2] == 0x03
}

// snapOK reports whether b starts with the LLC/SNAP header that leads to
// an EtherType (DSAP and SSAP 0xaa but for their low bits, UI control,
// OUI 0 or 0x0000f8: tcpdump's llc_print and snap_print), and otherwise
// sets r: gopacket decodes other LLC and SNAP too, into layers that never
// reach IP.
func (d *RefDecoder) snapOK(b []byte, r *decode.Record) bool {
	switch {
	case len(b) < 3:
		truncLink(r)
	case b[0]&^1 != 0xaa || b[1]&^1 != 0xaa || b[2] != 0x03:
		r.Link = decode.LinkNotIP
	case len(b) < 8:
		truncLink(r)
	case !(b[3] == 0 && b[4] == 0 && (b[5] == 0 || b[5] == 0xf8)) || !ipEtherType(binary.BigEndian.Uint16(b[6:])):
		r.Link = decode.LinkNotIP
	default:
		return true
	}
	return false
}

// ppp decodes PPP at data[base:] with gopacket's PPP layer, but for what
// gopacket does not know: pppd's direction marker (0x00 or 0x01, then
// 0x03) before the protocol, and the IP EtherTypes as PPP protocols,
// which tcpdump accepts.
func (d *RefDecoder) ppp(data []byte, base int, r *decode.Record) {
	b := data[base:]
	if len(b) >= 2 && b[0] <= 0x01 && b[1] == 0x03 {
		base += 2
		b = b[2:]
	}
	if len(b) == 1 && b[0] == 0xff { // gopacket reads a control byte that is not there
		truncLink(r)
		return
	}
	if len(b) >= 4 && b[0] == 0xff && b[1] == 0x03 {
		if et := binary.BigEndian.Uint16(b[2:]); et == decode.EtherIPv4 || et == decode.EtherIPv6 {
			d.pppType(et, data, base+4, r)
			return
		}
	}
	if len(b) >= 2 && b[0]&1 == 0 {
		if et := binary.BigEndian.Uint16(b); et == decode.EtherIPv4 || et == decode.EtherIPv6 {
			d.pppType(et, data, base+2, r)
			return
		}
	}
	d.viaPacket(gopacket.NewPacket(b, layers.LinkTypePPP, gopacket.NoCopy), data, base, r)
}

// pppType decodes what follows a PPP protocol number at data[off:].
func (d *RefDecoder) pppType(proto uint16, data []byte, off int, r *decode.Record) {
	switch proto {
	case decode.EtherIPv4, decode.EtherIPv6:
		d.viaPacket(gopacket.NewPacket(data[off:], layers.EthernetType(proto), gopacket.NoCopy), data, off, r)
	default:
		d.viaPacket(gopacket.NewPacket(data[off:], layers.PPPType(proto), gopacket.NoCopy), data, off, r)
	}
}

// family is the IP version an address family number names: 4 for v4, 6
// for v6, 0 for any other.
func family(f, v4, v6 byte) uint8 {
	switch f {
	case v4:
		return 4
	case v6:
		return 6
	}
	return 0
}

// atIP decodes the IP packet of version ver (0: not IP) at data[off:].
func (d *RefDecoder) atIP(data []byte, off int, ver uint8, r *decode.Record) {
	var link capture.LinkType
	switch ver {
	case 4:
		link = capture.LinkIPv4
	case 6:
		link = capture.LinkIPv6
	default:
		r.Link = decode.LinkNotIP
		return
	}
	vlans, labels := r.VLANs, r.MPLS
	d.decodeOne(link, data[off:], r)
	r.VLANs, r.MPLS = vlans, labels
	r.NetOff = uint16(off)
}

// atEthernet decodes the Ethernet frame a tunnel carries at data[off:]
// (VXLAN, Geneve, GRE's TEB, ERSPAN) as a frame of link type Ethernet is
// decoded, with the 0x9100 tag gopacket does not know (refEthernet); its
// tags and labels add to the tunnel's.
func (d *RefDecoder) atEthernet(data []byte, off int, r *decode.Record) {
	vlans, labels := r.VLANs, r.MPLS
	d.decodeOne(capture.LinkEthernet, data[off:], r)
	r.VLANs, r.MPLS = satAdd(vlans, r.VLANs), satAdd(labels, r.MPLS)
	r.NetOff += uint16(off)
}

// satAdd is a + b, saturated at 255 as the record's counts are.
func satAdd(a, b uint8) uint8 { return uint8(min(int(a)+int(b), 255)) }

// atIPChecked is atIP when off may lie beyond the capture: a cut link
// header.
func (d *RefDecoder) atIPChecked(data []byte, off int, ver uint8, r *decode.Record) {
	if len(data) < off {
		truncLink(r)
		return
	}
	d.atIP(data, off, ver, r)
}

// byEtherType decodes what follows a header of n bytes holding an
// EtherType at data[at:], with gopacket's Ethernet-type decoders (802.1Q,
// MPLS, PPPoE, IP).
func (d *RefDecoder) byEtherType(data []byte, at, n int, r *decode.Record) {
	if len(data) < n {
		truncLink(r)
		return
	}
	et := binary.BigEndian.Uint16(data[at:])
	switch {
	case ipEtherType(et):
		if et == decode.EtherQinQ2 {
			et = decode.EtherDot1Q // gopacket knows 0x9100 only as the pre-standard tag it is
		}
		if et == decode.EtherPPPoESession {
			if pppoeOK(data[n:], r) {
				d.ppp(data, n+decode.PPPoEHdrLen, r) // as in Decode: gopacket's PPPoE layer trusts its length
			}
			return
		}
		d.viaPacket(gopacket.NewPacket(data[n:], layers.EthernetType(et), gopacket.NoCopy), data, n, r)
	default:
		r.Link = decode.LinkNotIP // an EtherType that never leads to IP
	}
}

// viaPacket finds the IP header in a packet gopacket decoded from
// data[base:] and decodes it and what follows with the DecodingLayer
// parsers, as for raw IP; the link layers before it add to r's VLANs and
// MPLS.
// A link layer gopacket could not decode, or one that leads elsewhere,
// is a cut link header or not-ip.
func (d *RefDecoder) viaPacket(pk gopacket.Packet, data []byte, base int, r *decode.Record) {
	var vlans, labels int // a stack can hold more than 255 of either
	rest := data[base:]
	var next gopacket.LayerType
	cut := false     // the stack's bottom label ends the capture
	snapped := false // SNAP reached: its EtherType ends the header
	other := false   // a tag names a type that never leads to IP
	for _, l := range pk.Layers() {
		t := l.LayerType()
		if t == layers.LayerTypeIPv4 || t == layers.LayerTypeIPv6 {
			next = t
			break
		}
		if t == gopacket.LayerTypeDecodeFailure || t == gopacket.LayerTypePayload {
			break
		}
		switch t {
		case layers.LayerTypeDot1Q:
			vlans++
		case layers.LayerTypeMPLS:
			labels++
		}
		p := l.LayerPayload()
		// The layers' headers add up to the offset of what follows
		// (gopacket's PPP leaves the address and control bytes out of
		// its header).
		skip := len(l.LayerContents())
		if pp, ok := l.(*layers.PPP); ok && pp.HasPPTPHeader {
			skip += 2
		}
		rest = rest[min(skip, len(rest)):]
		next = 0
		if n, ok := l.(interface{ NextLayerType() gopacket.LayerType }); ok {
			next = n.NextLayerType()
		}
		switch x := l.(type) { // layers without a NextLayerType
		case *layers.FDDI:
			next = layers.LayerTypeLLC
		case *layers.SNAP:
			snapped = true
		case *layers.Dot1Q:
			// gopacket reads a type below 0x600 as an 802.3 length, and
			// decodes LLC after it: only the types that lead to IP go on.
			switch {
			case !ipEtherType(uint16(x.Type)):
				other = true
			case uint16(x.Type) == decode.EtherQinQ2, uint16(x.Type) == decode.EtherPPPoESession:
				// gopacket does not know 0x9100, and its PPPoE layer trusts
				// its length field: go on as from an EtherType.
				snapped = true
			}
		}
		if snapped || other {
			break // the EtherType's layers are decoded as for C_HDLC
		}
		if pp, ok := l.(*layers.PPP); ok { // PPP has no NextLayerType
			switch pp.PPPType {
			case layers.PPPTypeIPv4:
				next = layers.LayerTypeIPv4
			case layers.PPPTypeIPv6:
				next = layers.LayerTypeIPv6
			case layers.PPPTypeMPLSUnicast, layers.PPPTypeMPLSMulticast:
				next = layers.LayerTypeMPLS
			}
		}
		if m, ok := l.(*layers.MPLS); ok && !m.StackBottom {
			next = layers.LayerTypeMPLS // another label is due
		}
		if m, ok := l.(*layers.MPLS); ok && m.StackBottom {
			// gopacket guesses by the version nibble; tcpdump by the
			// label, then by the first byte: decode as tcpdump does.
			next = 0
			switch {
			case m.Label == 0 || m.Label == 3:
				next = layers.LayerTypeIPv4
			case m.Label == 2:
				next = layers.LayerTypeIPv6
			case len(p) == 0:
				cut = true
			case p[0] >= 0x45 && p[0] <= 0x4f:
				next = layers.LayerTypeIPv4
			case p[0]>>4 == 6:
				next = layers.LayerTypeIPv6
			}
			break
		}
	}
	off := len(data) - len(rest)
	r.VLANs, r.MPLS = uint8(min(int(r.VLANs)+vlans, 255)), uint8(min(int(r.MPLS)+labels, decode.MaxMPLSLabels))
	switch {
	case other:
		r.Link = decode.LinkNotIP
	case snapped:
		d.byEtherType(data, off-2, off, r)
	case labels > decode.MaxMPLSLabels:
		r.Link = decode.LinkNotIP
	case cut:
		truncLink(r)
	case next == layers.LayerTypeIPv4:
		d.atIP(data, off, 4, r)
	case next == layers.LayerTypeIPv6:
		d.atIP(data, off, 6, r)
	case pk.ErrorLayer() != nil && shortData(pk.ErrorLayer().Error()):
		truncLink(r)
	case len(rest) == 0 && next != 0 && next != gopacket.LayerTypePayload:
		truncLink(r) // a layer was due and nothing is left
	default:
		r.Link = decode.LinkNotIP
	}
}

// shortData reports whether a gopacket decoding error says its data was
// too short (a cut header) rather than of a kind it cannot decode.
func shortData(err error) bool {
	m := strings.ToLower(err.Error())
	for _, w := range []string{"short", "length", "truncat", "too small", "out of range", "index", "bounds"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// frameRelay strips a Q.922 address and the RFC 2427 NLPID header.
func (d *RefDecoder) frameRelay(data []byte, r *decode.Record) {
	i := 0
	for i < len(data) && data[i]&1 == 0 && i < 4 {
		i++
	}
	switch {
	case i == 4 || (i == 0 && len(data) > 0):
		r.Link = decode.LinkNotIP // longer than Q.922 allows, or EA on the first byte
		return
	case i == len(data):
		truncLink(r)
		return
	}
	i++ // the byte with the EA bit
	if len(data) < i+2 {
		truncLink(r)
		return
	}
	if data[i] != 0x03 {
		// Cisco's encapsulation: an EtherType after the address, when
		// the DLCI is not 0 (fr_print).
		if dlci(data[:i]) == 0 {
			r.Link = decode.LinkNotIP
			return
		}
		d.byEtherType(data, i, i+2, r)
		return
	}
	i++
	if data[i] == 0 {
		i++
		if i >= len(data) {
			truncLink(r)
			return
		}
	}
	switch data[i] {
	case 0xcc:
		d.atIP(data, i+1, 4, r)
	case 0x8e:
		d.atIP(data, i+1, 6, r)
	case 0x80:
		d.byEtherType(data, i+4, i+6, r)
	case 0xcf:
		d.ppp(data, i+1, r)
	default:
		r.Link = decode.LinkNotIP
	}
}

// dlci is the DLCI of a Q.922 address: 6 bits of its first byte, 4 of the
// second, then 7 of a third and 6 of a fourth (Q.922 figure A.1).
func dlci(a []byte) uint32 {
	v := uint32(a[0]&0xfc)<<2 | uint32(a[1]&0xf0)>>4
	if len(a) > 2 {
		v = v<<7 | uint32(a[2]&0xfe)>>1
	}
	if len(a) > 3 {
		v = v<<6 | uint32(a[3]&0xfc)>>2
	}
	return v
}

// nflog finds the NFULA_PAYLOAD TLV (type 9; values padded to 4 bytes)
// after the 4-byte NFLOG header (version 0). Length and type are in the
// writing host's byte order, which a record does not carry: little
// endian, unless only big endian gives the first TLV a length that fits.
func (d *RefDecoder) nflog(data []byte, r *decode.Record) {
	if len(data) < 4 {
		truncLink(r)
		return
	}
	ver := family(data[0], 2, 10)
	if ver == 0 || data[1] != 0 {
		r.Link = decode.LinkNotIP
		return
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if len(data) >= 8 {
		fits := func(n uint16) bool { return n >= 4 && int(n) <= len(data)-4 }
		if !fits(binary.LittleEndian.Uint16(data[4:])) && fits(binary.BigEndian.Uint16(data[4:])) {
			bo = binary.BigEndian
		}
	}
	for off := 4; ; {
		if len(data) < off+4 {
			truncLink(r)
			return
		}
		n := int(bo.Uint16(data[off:]))
		if n < 4 {
			r.Link = decode.LinkNotIP
			return
		}
		if bo.Uint16(data[off+2:])&0x7fff == 9 {
			d.atIP(data[:min(len(data), off+n)], off+4, ver, r)
			return
		}
		off += (n + 3) &^ 3
	}
}
