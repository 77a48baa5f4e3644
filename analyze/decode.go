package analyze

import (
	"encoding/binary"
	"net/netip"
)

// EtherTypes the link layers dispatch on.
const (
	etherIPv4  = 0x0800
	etherIPv6  = 0x86dd
	etherDot1Q = 0x8100
	etherQinQ  = 0x88a8
	etherQinQ2 = 0x9100 // pre-standard QinQ
)

// Link header lengths.
const (
	ethHdrLen  = 14
	vlanTagLen = 4
	sllHdrLen  = 16
	sll2HdrLen = 20
	nullHdrLen = 4
)

// Ports count as present when the whole fixed transport header is there:
// 20 bytes for TCP, 8 for UDP. A first fragment shorter than that is a
// tiny fragment (RFC 1858) and malformed. In an ICMP error quote, 8 bytes
// (what RFC 792 guarantees) are enough: quotedMinLen.
const quotedMinLen = 8

// Decode fills r with what the headers of one captured frame say. It never
// allocates, never panics and never fails: an odd or short frame just sets
// r.Link, r.Ports and r.Reason. data is not retained.
func (r *Record) Decode(link LinkType, data []byte) {
	*r = Record{}
	switch link {
	case LinkEthernet:
		if len(data) < ethHdrLen {
			r.truncLink()
			return
		}
		r.etherType(binary.BigEndian.Uint16(data[12:14]), data[ethHdrLen:])
	case LinkSLL:
		if len(data) < sllHdrLen {
			r.truncLink()
			return
		}
		r.etherType(binary.BigEndian.Uint16(data[14:16]), data[sllHdrLen:])
	case LinkSLL2:
		if len(data) < sll2HdrLen {
			r.truncLink()
			return
		}
		r.etherType(binary.BigEndian.Uint16(data[0:2]), data[sll2HdrLen:])
	case LinkRaw, LinkRawBSD12, LinkRawBSD14:
		r.Link = LinkOK
		if len(data) == 0 {
			r.Reason = ReasonTruncated
			return
		}
		switch data[0] >> 4 {
		case 4:
			r.ipv4(data)
		case 6:
			r.ipv6(data)
		default:
			r.Reason = ReasonIPVersion
		}
	case LinkIPv4:
		r.Link = LinkOK
		r.ipv4(data)
	case LinkIPv6:
		r.Link = LinkOK
		r.ipv6(data)
	case LinkNull, LinkLoop:
		if len(data) < nullHdrLen {
			r.truncLink()
			return
		}
		var af uint32
		if link == LinkLoop {
			af = binary.BigEndian.Uint32(data)
		} else if data[0] == 0 && data[1] == 0 {
			// Host byte order, unknown host: a family is < 256, so two
			// leading zero bytes mean big endian.
			af = binary.BigEndian.Uint32(data)
		} else {
			af = binary.LittleEndian.Uint32(data)
		}
		switch af {
		case 2: // AF_INET
			r.Link = LinkOK
			r.ipv4(data[nullHdrLen:])
		case 10, 24, 28, 30: // AF_INET6: Linux, NetBSD/OpenBSD, FreeBSD, Darwin
			r.Link = LinkOK
			r.ipv6(data[nullHdrLen:])
		default:
			r.Link = LinkNotIP
		}
	default:
		r.Link = LinkUnsupported
	}
}

func (r *Record) truncLink() {
	r.Link = LinkTruncated
	r.Reason = ReasonTruncated
}

// etherType dispatches on an EtherType, skipping 802.1Q and QinQ tags.
func (r *Record) etherType(et uint16, b []byte) {
	for et == etherDot1Q || et == etherQinQ || et == etherQinQ2 {
		if len(b) < vlanTagLen {
			r.truncLink()
			return
		}
		if r.VLANs < 255 {
			r.VLANs++
		}
		et = binary.BigEndian.Uint16(b[2:4])
		b = b[vlanTagLen:]
	}
	switch et {
	case etherIPv4:
		r.Link = LinkOK
		r.ipv4(b)
	case etherIPv6:
		r.Link = LinkOK
		r.ipv6(b)
	default:
		r.Link = LinkNotIP
	}
}

// ipv4 decodes an IPv4 header and what follows.
func (r *Record) ipv4(b []byte) {
	h := ipv4Header(b)
	if !h.complete() {
		r.Reason = ReasonTruncated
		return
	}
	if h.version() != 4 {
		r.Reason = ReasonIPVersion
		return
	}
	r.IPVersion = 4
	r.TTL = h.ttl()
	r.IPID = uint32(h.id())
	r.IPLen = h.totalLen()
	r.Proto = h.protocol()
	r.Src = netip.AddrFrom4(h.src())
	r.Dst = netip.AddrFrom4(h.dst())
	r.IPHdrLen = uint8(h.hdrLen())
	r.IPOptions = h.hdrLen() > ipv4MinLen
	ff := h.flagsFrag()
	r.DF = ff&0x4000 != 0
	r.MF = ff&0x2000 != 0
	r.FragOffset = ff & 0x1fff
	hl := h.hdrLen()
	switch {
	case hl < ipv4MinLen:
		r.bad(ReasonIPv4HeaderLen)
		return
	case int(r.IPLen) < hl:
		r.bad(ReasonIPv4TotalLen)
		return
	case len(b) < hl:
		r.Reason = ReasonTruncated
		r.Ports = PortsTruncated
		return
	}
	if !ipv4OptionsOK(b[ipv4MinLen:hl]) {
		r.bad(ReasonIPv4Options)
		return
	}
	end := int(r.IPLen) // declared end of the packet
	r.fragKind()
	r.transport(b, hl, end)
}

// bad marks a packet whose IP layer is malformed: ports cannot be located.
func (r *Record) bad(reason Reason) {
	r.Reason = reason
	r.Ports = PortsMalformed
}

func (r *Record) fragKind() {
	switch {
	case r.FragOffset > 0:
		r.Frag = FragNonFirst
	case r.MF:
		r.Frag = FragFirst
	default:
		r.Frag = FragNone
	}
}

// ipv4OptionsOK reports whether the IPv4 options are well formed: End of
// list ends them, NOP is one byte, and every other option has a length of
// at least 3 (no option of length 2 is defined; gopacket rejects them too)
// that fits in the header.
func ipv4OptionsOK(o []byte) bool {
	for len(o) > 0 {
		switch o[0] {
		case 0:
			return true
		case 1:
			o = o[1:]
			continue
		}
		if len(o) < 2 || o[1] <= 2 || int(o[1]) > len(o) {
			return false
		}
		o = o[o[1]:]
	}
	return true
}

// ipv6 decodes an IPv6 header, walks its extension headers and decodes
// what follows.
func (r *Record) ipv6(b []byte) {
	h := ipv6Header(b)
	if !h.complete() {
		r.Reason = ReasonTruncated
		return
	}
	if h.version() != 6 {
		r.Reason = ReasonIPVersion
		return
	}
	r.IPVersion = 6
	r.TTL = h.hopLimit()
	r.IPLen = h.payloadLen()
	r.Src = netip.AddrFrom16(h.src())
	r.Dst = netip.AddrFrom16(h.dst())
	r.Proto = h.nextHeader()
	if r.IPLen == 0 {
		// Jumbograms are not supported: a telescope never sees one.
		r.bad(ReasonIPLength)
		return
	}
	end := ipv6HdrLen + int(r.IPLen)
	off := ipv6HdrLen
	r.Frag = FragNone
	for {
		nh := r.Proto
		if nh != ProtoHopByHop && nh != ProtoRouting && nh != ProtoDestOpts && nh != ProtoFragment {
			break
		}
		if r.NExt == maxExt {
			r.bad(ReasonIPv6ExtChain)
			return
		}
		n := 8 // fragment header length
		if nh != ProtoFragment {
			if !r.need(b, off, 2, end) {
				return
			}
			n = (int(b[off+1]) + 1) * 8
		}
		if !r.need(b, off, n, end) {
			return
		}
		e := b[off : off+n]
		r.Ext[r.NExt] = nh
		r.NExt++
		r.Proto = e[0]
		switch nh {
		case ProtoHopByHop, ProtoDestOpts:
			if !ipv6OptionsOK(e[2:], nh == ProtoHopByHop) {
				r.bad(ReasonIPv6Options)
				return
			}
		case ProtoFragment:
			if r.Frag != FragNone { // a second Fragment header
				r.bad(ReasonIPv6ExtChain)
				return
			}
			fo := binary.BigEndian.Uint16(e[2:4])
			r.FragOffset = fo >> 3
			r.MF = fo&1 != 0
			r.IPID = binary.BigEndian.Uint32(e[4:8])
			r.fragKind()
		}
		off += n
		if r.Frag == FragNonFirst {
			break
		}
	}
	r.transport(b, off, end)
}

// need reports whether n header bytes at off are within the IP length
// (end) and the capture; if not it records why.
func (r *Record) need(b []byte, off, n, end int) bool {
	switch {
	case off+n > end:
		r.bad(ReasonIPLength)
		return false
	case off+n > len(b):
		r.Reason = ReasonTruncated
		r.Ports = PortsTruncated
		return false
	}
	return true
}

// ipv6OptionsOK reports whether the TLV options of a hop-by-hop or
// destination options header fit in it. A Jumbo Payload option (0xc2) in
// a hop-by-hop header is refused too: jumbograms are not supported, and
// one in a packet with a payload length is malformed (RFC 2675).
func ipv6OptionsOK(o []byte, hopByHop bool) bool {
	for len(o) > 0 {
		if o[0] == 0 { // Pad1
			o = o[1:]
			continue
		}
		if len(o) < 2 || 2+int(o[1]) > len(o) || hopByHop && o[0] == 0xc2 {
			return false
		}
		o = o[2+int(o[1]):]
	}
	return true
}

// transport decodes what follows the IP header (and extension headers)
// that ends at off, in a packet whose IP length says it ends at end.
func (r *Record) transport(b []byte, off, end int) {
	if r.Frag == FragNonFirst {
		r.Ports = PortsNonFirstFragment
		r.payload(b, off, end)
		return
	}
	declared := end - off // transport bytes the IP header declares
	l4 := b[off:]
	if len(l4) > declared {
		l4 = l4[:declared]
	}
	switch r.Proto {
	case ProtoTCP, ProtoUDP:
		n := udpHdrLen
		if r.Proto == ProtoTCP {
			n = tcpMinLen
		}
		if !r.l4need(len(l4), declared, n, PortsShortFirstFragment) {
			return
		}
		r.Ports = PortsPresent
		r.SrcPort = binary.BigEndian.Uint16(l4[0:2])
		r.DstPort = binary.BigEndian.Uint16(l4[2:4])
		r.Port0 = port0(r.SrcPort, r.DstPort)
		if r.Proto == ProtoUDP {
			r.udp(udpHeader(l4))
		} else {
			r.tcp(tcpHeader(l4), declared)
		}
	case ProtoICMP, ProtoICMPv6:
		r.Ports = PortsNone
		if !r.l4need(len(l4), declared, icmpHdrLen, PortsNone) {
			return
		}
		r.ICMP = true
		r.ICMPType, r.ICMPCode = l4[0], l4[1]
		r.PayloadLen = uint16(len(l4) - icmpHdrLen)
		if isICMPError(r.Proto, r.ICMPType) {
			r.Inner.decode(l4[icmpHdrLen:])
		}
	default:
		r.Ports = PortsNone
		r.payload(b, off, end)
	}
}

// l4need reports whether n transport bytes are available. If not it sets
// Ports and Reason: short and ReasonShortFragment for a first fragment the
// IP length cuts short, ReasonIPLength for another packet the IP length
// cuts short, ReasonTruncated when the capture does. For ICMP (short is
// PortsNone) Ports stays PortsNone.
func (r *Record) l4need(have, declared, n int, short PortsKind) bool {
	if have >= n {
		return true
	}
	switch {
	case declared < n && r.Frag == FragFirst:
		r.Ports = short
		r.Reason = ReasonShortFragment
	case declared < n:
		r.Ports = PortsMalformed
		r.Reason = ReasonIPLength
		if short == PortsNone {
			r.Ports = PortsNone
		}
	default:
		r.Ports = PortsTruncated
		r.Reason = ReasonTruncated
		if short == PortsNone {
			r.Ports = PortsNone
		}
	}
	return false
}

// payload sets PayloadLen to the bytes from off to the IP end, clipped to
// the capture.
func (r *Record) payload(b []byte, off, end int) {
	n := min(end, len(b)) - off
	if n > 0 {
		r.PayloadLen = uint16(n)
	}
}

func (r *Record) udp(u udpHeader) {
	r.UDPLen = u.length()
	if r.UDPLen < udpHdrLen {
		r.Reason = ReasonUDPLength
		return
	}
	r.PayloadLen = uint16(min(int(r.UDPLen), len(u)) - udpHdrLen)
}

// tcp decodes a TCP header of which at least 20 bytes are available;
// declared is what the IP length leaves for it.
func (r *Record) tcp(t tcpHeader, declared int) {
	r.Seq = t.seq()
	r.Ack = t.ack()
	r.Window = t.window()
	r.Flags = t.flags()
	r.DataOffset = t.dataOffset()
	hl := int(r.DataOffset) * 4
	switch {
	case r.DataOffset < 5:
		r.Reason = ReasonTCPDataOffset
		return
	case hl > len(t):
		if hl > declared && r.Frag != FragFirst {
			r.Reason = ReasonIPLength
		} else if hl <= declared {
			r.Reason = ReasonTruncated
		}
		return
	}
	if !r.tcpOptions(t[tcpMinLen:hl]) {
		r.Reason = ReasonTCPOptions
		return
	}
	r.PayloadLen = uint16(len(t) - hl)
}

// tcpOptions records the TCP option kinds and the MSS and window scale
// values. It reports false for an option with a bad length.
func (r *Record) tcpOptions(o []byte) bool {
	n := 0 // options seen
	ok := true
	for i := 0; i < len(o); {
		kind := o[i]
		if n < len(r.Opts) {
			r.Opts[n] = kind
		}
		n++
		if kind == 0 { // End of option list
			break
		}
		if kind == 1 { // NOP
			i++
			continue
		}
		if i+1 >= len(o) {
			ok = false
			break
		}
		l := int(o[i+1])
		if l < 2 || i+l > len(o) {
			ok = false
			break
		}
		switch {
		case kind == 2 && l == 4:
			r.MSS = uint16(o[i+2])<<8 | uint16(o[i+3])
		case kind == 3 && l == 3:
			r.WScale = o[i+2]
		}
		i += l
	}
	r.NOpts = uint8(min(n, 255))
	return ok
}

// isICMPError reports whether an ICMP (proto 1) or ICMPv6 (proto 58) type
// is an error message that quotes the offending packet.
func isICMPError(proto, typ uint8) bool {
	if proto == ProtoICMP {
		switch typ {
		case 3, 4, 5, 11, 12:
			return true
		}
		return false
	}
	return typ >= 1 && typ <= 4
}

// decode fills q from the packet an ICMP error quotes. The quoted length
// fields are not held against the quote (it is cut short by design), and
// IPv6 extension headers are not walked.
func (q *Quoted) decode(b []byte) {
	if len(b) == 0 {
		return
	}
	var l4 []byte
	var nonFirst bool
	switch b[0] >> 4 {
	case 4:
		h := ipv4Header(b)
		hl := h.hdrLen()
		if !h.complete() || hl < ipv4MinLen || len(b) < hl {
			return
		}
		// A quoted total length describes the original packet, but one
		// shorter than the header (0 aside) or bad options make the
		// quote itself malformed.
		if tl := int(h.totalLen()); tl != 0 && tl < hl || !ipv4OptionsOK(b[ipv4MinLen:hl]) {
			return
		}
		q.Version = 4
		q.Proto = h.protocol()
		q.Src = netip.AddrFrom4(h.src())
		q.Dst = netip.AddrFrom4(h.dst())
		nonFirst = h.flagsFrag()&0x1fff != 0
		l4 = b[hl:]
	case 6:
		h := ipv6Header(b)
		if !h.complete() {
			return
		}
		q.Version = 6
		q.Proto = h.nextHeader()
		q.Src = netip.AddrFrom16(h.src())
		q.Dst = netip.AddrFrom16(h.dst())
		l4 = b[ipv6HdrLen:]
	default:
		return
	}
	switch {
	case q.Proto != ProtoTCP && q.Proto != ProtoUDP:
		q.Ports = PortsNone
	case nonFirst:
		q.Ports = PortsNonFirstFragment
	case len(l4) < quotedMinLen:
		q.Ports = PortsTruncated
	default:
		q.Ports = PortsPresent
		copy(q.Transport[:], l4)
		q.SrcPort = binary.BigEndian.Uint16(l4[0:2])
		q.DstPort = binary.BigEndian.Uint16(l4[2:4])
		q.Port0 = port0(q.SrcPort, q.DstPort)
	}
}
