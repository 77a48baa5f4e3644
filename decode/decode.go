package decode

import (
	"encoding/binary"

	"github.com/port0/port0/capture"
)

// EtherTypes the link layers dispatch on.
const (
	EtherIPv4  = 0x0800
	EtherIPv6  = 0x86dd
	EtherDot1Q = 0x8100
	EtherQinQ  = 0x88a8
	EtherQinQ2 = 0x9100 // pre-standard QinQ

	EtherMPLS         = 0x8847 // MPLS unicast
	EtherMPLSMulti    = 0x8848 // MPLS multicast
	EtherPPPoESession = 0x8864 // PPPoE session stage (RFC 2516)
)

// Link header lengths.
const (
	ethHdrLen  = 14
	vlanTagLen = 4
	SLLHdrLen  = 16
	SLL2HdrLen = 20
	NullHdrLen = 4
)

// Ports count as present when the whole fixed transport header is there:
// 20 bytes for TCP, 8 for UDP. A first fragment shorter than that is a
// tiny fragment (RFC 1858) and malformed. In an ICMP error quote, 8 bytes
// (what RFC 792 guarantees) are enough: quotedMinLen.
const quotedMinLen = 8

// Decode fills r with what the headers of one captured frame say. It never
// allocates, never panics and never fails: an odd or short frame just sets
// r.Link, r.Ports and r.Reason. data is not retained.
func (r *Record) Decode(link capture.LinkType, data []byte) {
	*r = Record{}
	// The common cases first, without the link switch: IPv4 over
	// Ethernet or raw IP.
	switch {
	case link == capture.LinkEthernet && len(data) >= ethHdrLen && binary.BigEndian.Uint16(data[12:14]) == EtherIPv4:
		r.Link = LinkOK
		r.NetOff = ethHdrLen
		r.ipv4(data[ethHdrLen:])
	case isRawLink(link) && len(data) > 0 && data[0]>>4 == 4:
		r.Link = LinkOK
		r.ipv4(data)
	default:
		r.decodeLink(link, data)
	}
}

// isRawLink reports whether link starts with an IPv4 or IPv6 header,
// the version saying which.
func isRawLink(link capture.LinkType) bool {
	return link == capture.LinkRaw || link == capture.LinkRawBSD12 || link == capture.LinkRawBSD14
}

// decodeLink decodes the link layers other than Ethernet.
func (r *Record) decodeLink(link capture.LinkType, data []byte) {
	switch link {
	case capture.LinkSLL:
		r.etherAt(data, 14, SLLHdrLen)
	case capture.LinkSLL2:
		r.etherAt(data, 0, SLL2HdrLen)
	case capture.LinkRaw, capture.LinkRawBSD12, capture.LinkRawBSD14:
		r.ipAny(data, 0)
	case capture.LinkIPv4:
		r.ip(data, 0, 4)
	case capture.LinkIPv6:
		r.ip(data, 0, 6)
	case capture.LinkNull, capture.LinkLoop:
		if len(data) < NullHdrLen {
			r.truncLink()
			return
		}
		var af uint32
		if link == capture.LinkLoop {
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
			r.ip(data, NullHdrLen, 4)
		case 10, 24, 28, 30: // AF_INET6: Linux, NetBSD/OpenBSD, FreeBSD, Darwin
			r.ip(data, NullHdrLen, 6)
		default:
			r.Link = LinkNotIP
		}
	case capture.LinkEthernet:
		r.etherAt(data, 12, ethHdrLen)
	default:
		r.otherLink(link, data)
	}
}

func (r *Record) truncLink() {
	r.Link = LinkTruncated
	r.Reason = ReasonTruncated
}

// ip decodes the IP packet of version ver (4 or 6) at data[off:].
func (r *Record) ip(data []byte, off int, ver uint8) {
	if off > len(data) || off > 0xffff {
		r.truncLink()
		return
	}
	r.Link = LinkOK
	r.NetOff = uint16(off)
	if ver == 4 {
		r.ipv4(data[off:])
	} else {
		r.ipv6(data[off:])
	}
}

// ipAny decodes the IP packet at data[off:] whose first nibble says its
// version (raw IP).
func (r *Record) ipAny(data []byte, off int) {
	r.Link = LinkOK
	r.NetOff = uint16(off)
	if len(data) <= off {
		r.Reason = ReasonTruncated
		return
	}
	switch data[off] >> 4 {
	case 4:
		r.ipv4(data[off:])
	case 6:
		r.ipv6(data[off:])
	default:
		r.Reason = ReasonIPVersion
	}
}

// etherAt decodes a link header of n bytes whose EtherType is at
// data[at:at+2] and what follows it.
func (r *Record) etherAt(data []byte, at, n int) {
	if len(data) < n {
		r.truncLink()
		return
	}
	r.etherType(binary.BigEndian.Uint16(data[at:at+2]), data, n)
}

// etherType dispatches on the EtherType et of what starts at data[off:],
// skipping 802.1Q and QinQ tags, MPLS labels and a PPPoE session header.
func (r *Record) etherType(et uint16, data []byte, off int) {
	for et == EtherDot1Q || et == EtherQinQ || et == EtherQinQ2 {
		if len(data) < off+vlanTagLen {
			r.truncLink()
			return
		}
		if r.VLANs < 255 {
			r.VLANs++
		}
		et = binary.BigEndian.Uint16(data[off+2 : off+4])
		off += vlanTagLen
	}
	switch et {
	case EtherIPv4:
		r.ip(data, off, 4)
	case EtherIPv6:
		r.ip(data, off, 6)
	case EtherMPLS, EtherMPLSMulti:
		r.mpls(data, off)
	case EtherPPPoESession:
		// Session data (code 0), then PPP (pppoe_print).
		if len(data) < off+PPPoEHdrLen {
			r.truncLink()
			return
		}
		if data[off+1] != 0 {
			r.Link = LinkNotIP
			return
		}
		r.ppp(data, off+PPPoEHdrLen)
	default:
		r.Link = LinkNotIP
	}
}

// ipv4 decodes an IPv4 header and what follows.
func (r *Record) ipv4(b []byte) {
	if len(b) < IPv4MinLen {
		r.Reason = ReasonTruncated
		return
	}
	h := (*[IPv4MinLen]byte)(b) // one bounds check for the fixed header
	if h[0]>>4 != 4 {
		r.Reason = ReasonIPVersion
		return
	}
	hl := int(h[0]&0x0f) * 4
	tl := binary.BigEndian.Uint16(h[2:4])
	ff := binary.BigEndian.Uint16(h[6:8])
	r.IPVersion = 4
	r.TTL = h[8]
	r.IPHdrLen = uint8(hl)
	r.IPOptions = hl > IPv4MinLen
	r.DF = ff&0x4000 != 0
	r.MF = ff&0x2000 != 0
	r.Proto = h[9]
	r.IPLen = tl
	r.FragOffset = ff & 0x1fff
	r.IPID = uint32(binary.BigEndian.Uint16(h[4:6]))
	PutAddr4(&r.Src, h[12:16])
	PutAddr4(&r.Dst, h[16:20])
	// The declared end of the packet is the total length, or, for TCP or
	// UDP with a total length of 0, the capture: a segmentation offload
	// (TSO, GSO) hands the stack's packet to the capture before the
	// hardware splits it and writes the lengths (tcpdump's ip_print).
	end := int(tl)
	if tl == 0 && (r.Proto == ProtoTCP || r.Proto == ProtoUDP) {
		r.Note = NoteTSO
		end = max(len(b), hl)
	}
	if hl != IPv4MinLen || end < hl {
		// Options, or a malformed header.
		switch {
		case hl < IPv4MinLen:
			r.bad(ReasonIPv4HeaderLen)
			return
		case end < hl:
			r.bad(ReasonIPv4TotalLen)
			return
		case len(b) < hl:
			r.Reason = ReasonTruncated
			r.Ports = PortsTruncated
			return
		}
		if !ipv4OptionsOK(b[IPv4MinLen:hl]) {
			r.bad(ReasonIPv4Options)
			return
		}
	}
	// What transport does, without a call.
	if r.FragOffset > 0 {
		r.Frag = FragNonFirst
		r.Ports = PortsNonFirstFragment
		r.payload(b, hl, end)
		return
	}
	r.Frag = FragKindOf(0, r.MF)
	l4 := b[hl:min(end, len(b))]
	switch r.Proto {
	case ProtoTCP:
		r.tcp(l4, end-hl)
	case ProtoUDP:
		r.udp(b, l4, end-hl)
	default:
		r.other(b, l4, end-hl)
	}
}

// bad marks a packet whose IP layer is malformed: ports cannot be located.
func (r *Record) bad(reason Reason) {
	r.Reason = reason
	r.Ports = PortsMalformed
}

// FragKindOf classifies a packet by its fragment offset and MF flag.
func FragKindOf(offset uint16, mf bool) FragKind {
	switch {
	case offset > 0:
		return FragNonFirst
	case mf:
		return FragFirst
	}
	return FragNone
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
	if len(b) < IPv6HdrLen {
		r.Reason = ReasonTruncated
		return
	}
	h := (*[IPv6HdrLen]byte)(b) // one bounds check for the fixed header
	if h[0]>>4 != 6 {
		r.Reason = ReasonIPVersion
		return
	}
	pl := binary.BigEndian.Uint16(h[4:6])
	nh := h[6]
	r.IPVersion = 6
	r.TTL = h[7]
	r.Proto = nh
	r.IPLen = pl
	r.Src = Addr(h[8:24])
	r.Dst = Addr(h[24:40])
	r.Frag = FragNone
	if pl == 0 {
		// A jumbogram (RFC 2675): its hop-by-hop header says the length.
		// Or, with TCP or UDP right after the header, BIG TCP (an
		// offload beyond 64 KiB that drops the Jumbo Payload option
		// before the capture): the capture says it (tcpdump's ip6_print).
		switch nh {
		case ProtoHopByHop:
			r.ipv6Ext(b, nh, jumboEnd)
		case ProtoTCP, ProtoUDP:
			r.Note = NoteBigTCP
			r.transport(b, IPv6HdrLen, len(b))
		default:
			r.bad(ReasonIPLength)
		}
		return
	}
	end := IPv6HdrLen + int(pl)
	if isExtHeader(nh) {
		r.ipv6Ext(b, nh, end)
		return
	}
	r.transport(b, IPv6HdrLen, end)
}

// isExtHeader reports whether nh is an IPv6 extension header the decoder
// walks: hop-by-hop (0), routing (43), fragment (44) or destination
// options (60).
func isExtHeader(nh uint8) bool {
	const walked uint64 = 1<<ProtoHopByHop | 1<<ProtoRouting | 1<<ProtoFragment | 1<<ProtoDestOpts
	return nh < 64 && walked>>nh&1 != 0
}

// jumboEnd is the end ipv6Ext is given for a packet of payload length 0:
// the Jumbo Payload option of its hop-by-hop header says where it ends.
const jumboEnd = -1

// ipv6Ext walks the IPv6 extension headers from the first one, nh, and
// decodes what follows them. The walk keeps its state in locals and
// stores Proto, NExt and Frag once, whatever ends it.
func (r *Record) ipv6Ext(b []byte, nh uint8, end int) {
	off := IPv6HdrLen
	jumbo := end == jumboEnd
	if jumbo {
		end = len(b) // until the option says (tcpdump does the same)
	}
	var next uint8 // extension headers walked
	frag := FragNone
	ok := true
	for isExtHeader(nh) {
		if next == MaxExt {
			r.bad(ReasonIPv6ExtChain)
			ok = false
			break
		}
		n := 8 // fragment header length
		if nh != ProtoFragment {
			if ok = r.need(b, off, 2, end); !ok {
				break
			}
			n = (int(b[off+1]) + 1) * 8
		}
		if ok = r.need(b, off, n, end); !ok {
			break
		}
		e := b[off : off+n]
		r.Ext[next] = nh
		next++
		h := nh
		nh = e[0]
		off += n
		if h == ProtoFragment {
			if frag != FragNone { // a second Fragment header
				r.bad(ReasonIPv6ExtChain)
				ok = false
				break
			}
			fo := binary.BigEndian.Uint16(e[2:4])
			r.FragOffset = fo >> 3
			r.MF = fo&1 != 0
			r.IPID = binary.BigEndian.Uint32(e[4:8])
			if frag = FragKindOf(r.FragOffset, r.MF); frag == FragNonFirst {
				break
			}
		} else if h != ProtoRouting && (jumbo || !ipv6OptionsOK(e[2:], h == ProtoHopByHop)) {
			// A packet of payload length 0, a bad option or a Jumbo
			// Payload option: the slow path.
			if ok = r.jumboOptions(e[2:], h == ProtoHopByHop, jumbo && next == 1, &end); !ok {
				break
			}
			jumbo = false
		}
	}
	r.NExt, r.Proto, r.Frag = next, nh, frag
	if ok {
		r.transport(b, off, end)
	}
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
// destination options header fit in it and a hop-by-hop header holds no
// Jumbo Payload option (0xc2): the common case, small enough to inline.
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

// jumboOptions checks the options of a header ipv6OptionsOK refused, or
// of the first header of a packet of payload length 0 (first): a bad
// option, or a Jumbo Payload option anywhere but in the first header of
// such a packet, is ReasonIPv6Options; such a packet without a Jumbo
// Payload option of 65536 or more is ReasonIPLength; a jumbogram gets
// NoteJumbogram and its end from the option.
func (r *Record) jumboOptions(o []byte, hopByHop, first bool, end *int) bool {
	jl, good := ipv6Options(o, hopByHop)
	switch {
	case !good || jl != 0 && !first:
		r.bad(ReasonIPv6Options)
		return false
	case first && jl < 1<<16:
		r.bad(ReasonIPLength)
		return false
	case first:
		r.Note = NoteJumbogram
		*end = IPv6HdrLen + int(jl)
	}
	return true
}

// ipv6Options reports whether the TLV options of a hop-by-hop or
// destination options header fit in it, and returns the length a Jumbo
// Payload option (0xc2, RFC 2675) of a hop-by-hop header gives (0 when
// there is none). One of a length other than 4, or a second one, is
// refused.
func ipv6Options(o []byte, hopByHop bool) (jumbo uint32, ok bool) {
	for len(o) > 0 {
		if o[0] == 0 { // Pad1
			o = o[1:]
			continue
		}
		if len(o) < 2 || 2+int(o[1]) > len(o) {
			return 0, false
		}
		if hopByHop && o[0] == 0xc2 {
			if o[1] != 4 || jumbo != 0 {
				return 0, false
			}
			if jumbo = binary.BigEndian.Uint32(o[2:6]); jumbo == 0 {
				return 0, false
			}
		}
		o = o[2+int(o[1]):]
	}
	return jumbo, true
}

// transport decodes what follows the IP header (and extension headers)
// that ends at off, in a packet whose IP length says it ends at end. The
// callers guarantee off <= len(b) and off <= end. ipv4 does the same
// inline.
func (r *Record) transport(b []byte, off, end int) {
	if r.Frag == FragNonFirst {
		r.Ports = PortsNonFirstFragment
		r.payload(b, off, end)
		return
	}
	// The transport bytes, clipped to the IP length.
	l4 := b[off:min(end, len(b))]
	switch r.Proto {
	case ProtoTCP:
		r.tcp(l4, end-off)
	case ProtoUDP:
		r.udp(b, l4, end-off)
	default:
		r.other(b, l4, end-off)
	}
}

// other decodes what follows the IP header for protocols other than TCP
// and UDP: ICMP and ICMPv6 headers; IP-in-IP, 6in4 and GRE tunnels (b is
// where the IP header starts, l4 a subslice of it); or just the payload
// length.
func (r *Record) other(b, l4 []byte, declared int) {
	switch r.Proto {
	case ProtoICMP, ProtoICMPv6:
		r.icmp(l4, declared)
		return
	}
	r.Ports = PortsNone
	if len(l4) > 0 {
		r.PayloadLen = u16(len(l4))
	}
	if k := protoEncap(r.Proto); k != EncapNone {
		r.tunnel(k, b, l4)
	}
}

// u16 is n as a length field holds it, saturating at 65535 (a jumbogram
// or an offloaded packet can be longer).
func u16(n int) uint16 { return uint16(min(n, 0xffff)) }

// short sets Ports and Reason for a transport header of which only have
// of the n bytes it needs are available: short and ReasonShortFragment
// for a first fragment the IP length cuts short, ReasonIPLength for
// another packet the IP length cuts short, ReasonTruncated when the
// capture does. For ICMP (short is PortsNone) Ports stays PortsNone.
func (r *Record) short(declared, n int, short PortsKind) {
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
}

// payload sets PayloadLen to the bytes from off to the IP end, clipped to
// the capture.
func (r *Record) payload(b []byte, off, end int) {
	n := min(end, len(b)) - off
	if n > 0 {
		r.PayloadLen = u16(n)
	}
}

// cutPorts reads the ports of a TCP or UDP header of which only l4, less
// than its fixed part, is there (within the capture and the IP length),
// after short has set Ports and Reason: the ports count when both are in
// l4 (PortsCut).
func (r *Record) cutPorts(l4 []byte) {
	if len(l4) >= 4 {
		r.SrcPort, r.DstPort = binary.BigEndian.Uint16(l4[0:2]), binary.BigEndian.Uint16(l4[2:4])
		r.Port0 = Port0Of(r.SrcPort, r.DstPort)
	}
}

// udp decodes a UDP header from l4, the transport bytes clipped to the IP
// length (a subslice of b, where the IP header starts); declared is what
// the IP length leaves for it. A UDP packet to a tunnel's port from a
// port other than 0 is followed into the tunnel.
func (r *Record) udp(b, l4 []byte, declared int) {
	if len(l4) < UDPHdrLen {
		r.short(declared, UDPHdrLen, PortsShortFirstFragment)
		r.cutPorts(l4)
		return
	}
	u := (*[UDPHdrLen]byte)(l4)
	sp := binary.BigEndian.Uint16(u[0:2])
	dp := binary.BigEndian.Uint16(u[2:4])
	ul := binary.BigEndian.Uint16(u[4:6])
	r.Ports = PortsPresent
	r.Port0 = Port0Of(sp, dp)
	r.SrcPort, r.DstPort = sp, dp
	r.UDPLen = ul
	n := int(ul)
	if ul < UDPHdrLen {
		// UDP length 0 is the rest of a jumbogram (RFC 2675 section 4),
		// and of an offloaded IPv6 packet.
		if ul != 0 || r.Note != NoteJumbogram && r.Note != NoteBigTCP {
			r.Reason = ReasonUDPLength
			return
		}
		n = len(l4)
	}
	p := l4[UDPHdrLen:min(n, len(l4))]
	r.PayloadLen = u16(len(p))
	if k := portEncap(dp); k != EncapNone && sp != 0 {
		r.tunnel(k, b, p)
	}
}

// tcp decodes a TCP header from l4, the transport bytes clipped to the IP
// length; declared is what the IP length leaves for it.
func (r *Record) tcp(l4 []byte, declared int) {
	if len(l4) < TCPMinLen {
		r.short(declared, TCPMinLen, PortsShortFirstFragment)
		r.cutPorts(l4)
		return
	}
	t := (*[TCPMinLen]byte)(l4)
	sp := binary.BigEndian.Uint16(t[0:2])
	dp := binary.BigEndian.Uint16(t[2:4])
	do := t[12] >> 4
	r.Ports = PortsPresent
	r.Port0 = Port0Of(sp, dp)
	r.SrcPort, r.DstPort = sp, dp
	r.Seq = binary.BigEndian.Uint32(t[4:8])
	r.Ack = binary.BigEndian.Uint32(t[8:12])
	r.Window = binary.BigEndian.Uint16(t[14:16])
	r.Flags = uint16(t[13]) | uint16(t[12]&1)<<8
	r.DataOffset = do
	hl := int(do) * 4
	switch {
	case do < 5:
		r.Reason = ReasonTCPDataOffset
		return
	case hl > len(l4):
		if hl > declared && r.Frag != FragFirst {
			r.Reason = ReasonIPLength
		} else if hl <= declared {
			r.Reason = ReasonTruncated
		}
		return
	}
	if hl > TCPMinLen && !r.tcpOptions(l4[TCPMinLen:hl]) {
		r.Reason = ReasonTCPOptions
		return
	}
	r.PayloadLen = u16(len(l4) - hl)
}

// The option layouts most SYNs carry, matched whole before the walk: the
// kinds of each, little endian as in Opts, and how many there are.
const (
	// Linux: MSS, SACK-permitted, timestamps, NOP, window scale.
	linuxOptKinds = 2 | 4<<8 | 8<<16 | 1<<24 | 3<<32
	// Windows: MSS, NOP, window scale, NOP, NOP, SACK-permitted.
	windowsOptKinds = 2 | 1<<8 | 3<<16 | 1<<24 | 1<<32 | 4<<40
)

// tcpOptions records the TCP option kinds and the MSS and window scale
// values. It reports false for an option with a bad length. The Linux,
// Windows and MSS-only layouts are recognised whole; every other layout
// is walked (walkOptions, which gives the same Record for those three).
func (r *Record) tcpOptions(o []byte) bool {
	if kinds, n, mss, ws, ok := optionLayout(o); ok {
		binary.LittleEndian.PutUint64(r.Opts[:], kinds)
		r.NOpts, r.MSS, r.WScale = n, mss, ws
		return true
	}
	return r.walkOptions(o)
}

// optionLayout recognises the Linux, Windows and MSS-only option layouts
// whole: their kinds (as Opts, little endian), how many, and the MSS and
// window scale. ok is false for every other layout.
func optionLayout(o []byte) (kinds uint64, n uint8, mss uint16, ws uint8, ok bool) {
	switch len(o) {
	case 4:
		if binary.BigEndian.Uint16(o) == 0x0204 {
			return 2, 1, binary.BigEndian.Uint16(o[2:]), 0, true
		}
	case 12:
		if binary.BigEndian.Uint16(o) == 0x0204 && binary.BigEndian.Uint64(o[4:]) == 0x0103030001010402|uint64(o[7])<<32 {
			return windowsOptKinds, 6, binary.BigEndian.Uint16(o[2:]), o[7], true
		}
	case 20:
		if binary.BigEndian.Uint16(o) == 0x0204 && binary.BigEndian.Uint32(o[4:]) == 0x0402080a && binary.BigEndian.Uint32(o[16:])>>8 == 0x010303 {
			return linuxOptKinds, 5, binary.BigEndian.Uint16(o[2:]), o[19], true
		}
	}
	return 0, 0, 0, 0, false
}

// walkOptions is tcpOptions for any layout: it walks the options one by
// one.
func (r *Record) walkOptions(o []byte) bool {
	var kinds uint64 // the first 8 kinds, little endian: Opts
	n := 0           // options seen
	ok := true
	for i := 0; i < len(o); {
		kind := o[i]
		if n < len(r.Opts) {
			kinds |= uint64(kind) << (8 * n)
		}
		n++
		if kind <= 1 {
			if kind == 0 { // End of option list
				break
			}
			i++ // NOP
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
	binary.LittleEndian.PutUint64(r.Opts[:], kinds)
	r.NOpts = uint8(min(n, 255))
	return ok
}

// icmp decodes an ICMPv4 or ICMPv6 header from l4, the transport bytes
// clipped to the IP length, and the packet an error message quotes.
func (r *Record) icmp(l4 []byte, declared int) {
	r.Ports = PortsNone
	if len(l4) < icmpHdrLen {
		r.short(declared, icmpHdrLen, PortsNone)
		return
	}
	r.ICMP = true
	r.ICMPType, r.ICMPCode = l4[0], l4[1]
	r.PayloadLen = u16(len(l4) - icmpHdrLen)
	if IsICMPError(r.Proto, r.ICMPType) {
		r.Inner.decode(l4[icmpHdrLen:])
	}
}

// IsICMPError reports whether an ICMP (proto 1) or ICMPv6 (proto 58) type
// is an error message that quotes the offending packet.
func IsICMPError(proto, typ uint8) bool {
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
		if !h.complete() || hl < IPv4MinLen || len(b) < hl {
			return
		}
		// A quoted total length describes the original packet, but one
		// shorter than the header (0 aside) or bad options make the
		// quote itself malformed.
		if tl := int(h.totalLen()); tl != 0 && tl < hl || !ipv4OptionsOK(b[IPv4MinLen:hl]) {
			return
		}
		q.Version = 4
		q.Proto = h.protocol()
		PutAddr4(&q.Src, b[12:16])
		PutAddr4(&q.Dst, b[16:20])
		nonFirst = h.flagsFrag()&0x1fff != 0
		l4 = b[hl:]
	case 6:
		h := ipv6Header(b)
		if !h.complete() {
			return
		}
		q.Version = 6
		q.Proto = h.nextHeader()
		q.Src = h.src()
		q.Dst = h.dst()
		off, ok := quotedExt(b, &q.Proto, &nonFirst)
		if !ok {
			q.Ports = PortsTruncated // the quote ends inside an extension header
			return
		}
		l4 = b[off:]
	default:
		return
	}
	q.SetPorts(l4, nonFirst)
}

// quotedExt walks the extension headers of a quoted IPv6 packet b (at
// most MaxExt of them, as for a packet itself), leaving *proto the
// protocol after them and setting *nonFirst for a Fragment header with a
// non-zero offset. It returns the offset of the transport header, and
// false when b ends inside an extension header.
func quotedExt(b []byte, proto *uint8, nonFirst *bool) (int, bool) {
	off := IPv6HdrLen
	for n := 0; isExtHeader(*proto) && n < MaxExt; n++ {
		if len(b) < off+8 {
			return 0, false
		}
		l := 8
		if *proto == ProtoFragment {
			if binary.BigEndian.Uint16(b[off+2:off+4])&0xfff8 != 0 {
				*nonFirst = true
			}
		} else {
			l = (int(b[off+1]) + 1) * 8
		}
		if len(b) < off+l {
			return 0, false
		}
		*proto = b[off]
		off += l
	}
	return off, true
}

// SetPorts fills the ports of a quote from its transport bytes l4 (both
// decoders share it: the quote is read by hand either way).
func (q *Quoted) SetPorts(l4 []byte, nonFirst bool) {
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
		q.Port0 = Port0Of(q.SrcPort, q.DstPort)
	}
}
