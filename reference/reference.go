package reference

import (
	"encoding/binary"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
)

// RefDecoder builds a Record with gopacket's DecodingLayerParser. It is the
// oracle the fast decoder is checked against (tests, FuzzDecoders and
// "port0 crosscheck"), not a production path: it is about ten times slower
// and allocates on malformed packets. The known differences to the fast
// decoder, and the places where this decoder works around gopacket by
// hand, are listed in the package documentation; Normalize removes them.
//
// A RefDecoder is not safe for concurrent use.
type RefDecoder struct {
	eth     refEthernet
	dot1q   refDot1Q
	sll     refSLL
	loop    layers.Loopback
	ip4     refIPv4
	ip6     refIPv6
	hbh     refHopByHop
	dest    refDestination
	routing noTunnel
	frag6   refIPv6Fragment
	tcp     layers.TCP
	udp     layers.UDP
	icmp4   layers.ICMPv4
	icmp6   layers.ICMPv6
	payload gopacket.Payload
	frag    gopacket.Fragment

	skipper layers.IPv6ExtensionSkipper

	// One parser per first layer; they share the layers above.
	pEth, pSLL, pLoop, pIPv4, pIPv6, pDot1Q *gopacket.DecodingLayerParser

	// For the packet an ICMP error quotes.
	in4 layers.IPv4
	in6 layers.IPv6

	decoded []gopacket.LayerType
	first   map[*gopacket.DecodingLayerParser]gopacket.LayerType
}

// NewRefDecoder returns a reference decoder with its layers allocated once.
func NewRefDecoder() *RefDecoder {
	d := &RefDecoder{decoded: make([]gopacket.LayerType, 0, 16)}
	d.routing.DecodingLayer = &d.skipper
	var dlc gopacket.DecodingLayerContainer = gopacket.DecodingLayerSparse(nil)
	// The skipper claims every extension header type; the specific layers
	// put after it take theirs back, leaving it the routing header, for
	// which gopacket has no DecodingLayer.
	for _, l := range []gopacket.DecodingLayer{
		&d.routing, &d.eth, &d.dot1q, &d.sll, &d.loop, &d.ip4, &d.ip6, &d.hbh, &d.dest, &d.frag6,
		&d.tcp, &d.udp, &d.icmp4, &d.icmp6, &d.payload, &d.frag,
	} {
		dlc = dlc.Put(l)
	}
	d.first = make(map[*gopacket.DecodingLayerParser]gopacket.LayerType)
	mk := func(first gopacket.LayerType) *gopacket.DecodingLayerParser {
		p := gopacket.NewDecodingLayerParser(first)
		d.first[p] = first
		p.SetDecodingLayerContainer(dlc)
		p.IgnoreUnsupported = true
		return p
	}
	d.pEth = mk(layers.LayerTypeEthernet)
	d.pSLL = mk(layers.LayerTypeLinuxSLL)
	d.pLoop = mk(layers.LayerTypeLoopback)
	d.pIPv4 = mk(layers.LayerTypeIPv4)
	d.pIPv6 = mk(layers.LayerTypeIPv6)
	d.pDot1Q = mk(layers.LayerTypeDot1Q)
	return d
}

// Decode fills r from data with gopacket, following tunnels (tunnel.go).
func (d *RefDecoder) Decode(link capture.LinkType, data []byte, r *decode.Record) {
	d.decodeOne(link, data, r)
	d.tunnels(data, r)
}

// decodeOne fills r from data with gopacket, up to a tunnel.
func (d *RefDecoder) decodeOne(link capture.LinkType, data []byte, r *decode.Record) {
	*r = decode.Record{}
	frame := data // data loses the link headers stripped by hand
	var p *gopacket.DecodingLayerParser
	switch link {
	case capture.LinkEthernet:
		p = d.pEth
	case capture.LinkSLL:
		p = d.pSLL
		// gopacket slices the address by the address length field and
		// panics when it exceeds the frame; the header is 16 bytes
		// whatever that field says, so start after it by hand.
		if len(data) >= decode.SLLHdrLen && int(binary.BigEndian.Uint16(data[4:6]))+6 > len(data) {
			if et := binary.BigEndian.Uint16(data[14:16]); et == decode.EtherMPLS || et == decode.EtherMPLSMulti || et == decode.EtherPPPoESession {
				d.byEtherType(data, 14, decode.SLLHdrLen, r)
				return
			}
			p = d.etherParser(binary.BigEndian.Uint16(data[14:16]), r)
			data = data[decode.SLLHdrLen:]
		}
	case capture.LinkSLL2:
		// gopacket has no SLL2 layer: strip its 20 bytes by hand.
		if len(data) < decode.SLL2HdrLen {
			truncLink(r)
			return
		}
		if et := binary.BigEndian.Uint16(data[0:2]); et == decode.EtherMPLS || et == decode.EtherMPLSMulti || et == decode.EtherPPPoESession {
			d.byEtherType(data, 0, decode.SLL2HdrLen, r)
			return
		}
		p = d.etherParser(binary.BigEndian.Uint16(data[0:2]), r)
		data = data[decode.SLL2HdrLen:]
	case capture.LinkNull:
		if len(data) < decode.NullHdrLen {
			truncLink(r)
			return
		}
		p = d.pLoop
	case capture.LinkLoop:
		// gopacket guesses the byte order; LOOP is always big endian, so
		// a family is only read when the two high bytes are zero.
		if len(data) < decode.NullHdrLen {
			truncLink(r)
			return
		}
		if data[0] != 0 || data[1] != 0 {
			r.Link = decode.LinkNotIP
			return
		}
		p = d.pLoop
	case capture.LinkRaw, capture.LinkRawBSD12, capture.LinkRawBSD14:
		r.Link = decode.LinkOK
		if len(data) == 0 {
			r.Reason = decode.ReasonTruncated
			return
		}
		switch data[0] >> 4 {
		case 4:
			p = d.pIPv4
		case 6:
			p = d.pIPv6
		default:
			r.Reason = decode.ReasonIPVersion
			return
		}
	case capture.LinkIPv4:
		r.Link = decode.LinkOK
		p = d.pIPv4
	case capture.LinkIPv6:
		r.Link = decode.LinkOK
		p = d.pIPv6
	default:
		if !d.decodeOtherLink(link, data, r) {
			r.Link = decode.LinkUnsupported
		}
		return
	}
	if p == nil {
		return // etherParser set the result
	}
	prefix := len(frame) - len(data)
	err := p.DecodeLayers(data, &d.decoded)
	d.fill(r, link, p, data, err)
	if r.Link == decode.LinkNotIP && err == nil {
		// MPLS and PPPoE have no DecodingLayer: gopacket's own layers
		// take over where the parser stopped.
		if next, rest := d.stop(d.first[p], data); next == layers.LayerTypeMPLS || (next == layers.LayerTypePPPoE && d.lastEtherType() == decode.EtherPPPoESession) {
			vlans := r.VLANs
			*r = decode.Record{}
			off := prefix + d.linkLen()
			switch {
			case next == layers.LayerTypeMPLS:
				d.viaPacket(gopacket.NewPacket(rest, next, gopacket.NoCopy), frame, off, r)
			case pppoeOK(rest, r):
				// gopacket's PPPoE layer slices by its length field and
				// fails past the capture; tcpdump clamps it: strip the
				// header by hand and decode the PPP after it.
				d.ppp(frame, off+decode.PPPoEHdrLen, r)
			}
			r.VLANs = uint8(min(int(r.VLANs)+int(vlans), 255))
			return
		}
	}
	if r.Link == decode.LinkOK {
		r.NetOff = uint16(prefix + d.linkLen())
	}
}

// lastEtherType is the EtherType of the last link layer decoded (0x8863,
// PPPoE discovery, and 0x8864, its session stage, are one layer type to
// gopacket).
func (d *RefDecoder) lastEtherType() uint16 {
	if n := len(d.decoded); n > 0 {
		switch d.decoded[n-1] {
		case layers.LayerTypeEthernet:
			return uint16(d.eth.EthernetType)
		case layers.LayerTypeDot1Q:
			return uint16(d.dot1q.Type)
		case layers.LayerTypeLinuxSLL:
			return uint16(d.sll.EthernetType)
		}
	}
	return 0
}

// linkLen is the length of the link layers gopacket decoded: what lies
// before the IP header in the bytes it was given.
func (d *RefDecoder) linkLen() int {
	n := 0
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeEthernet:
			n += len(d.eth.Contents)
		case layers.LayerTypeDot1Q:
			n += len(d.dot1q.Contents)
		case layers.LayerTypeLinuxSLL:
			n += len(d.sll.Contents)
		case layers.LayerTypeLoopback:
			n += len(d.loop.Contents)
		}
	}
	return n
}

// etherParser picks the parser for what an SLL or SLL2 protocol field
// names, or sets r.Link to LinkNotIP and returns nil.
func (d *RefDecoder) etherParser(et uint16, r *decode.Record) *gopacket.DecodingLayerParser {
	r.Link = decode.LinkOK
	switch et {
	case decode.EtherIPv4:
		return d.pIPv4
	case decode.EtherIPv6:
		return d.pIPv6
	case decode.EtherDot1Q, decode.EtherQinQ, decode.EtherQinQ2:
		return d.pDot1Q
	}
	r.Link = decode.LinkNotIP
	return nil
}

// layer returns the DecodingLayer this decoder uses for t.
func (d *RefDecoder) layer(t gopacket.LayerType) gopacket.DecodingLayer {
	switch t {
	case layers.LayerTypeEthernet:
		return &d.eth
	case layers.LayerTypeDot1Q:
		return &d.dot1q
	case layers.LayerTypeLinuxSLL:
		return &d.sll
	case layers.LayerTypeLoopback:
		return &d.loop
	case layers.LayerTypeIPv4:
		return &d.ip4
	case layers.LayerTypeIPv6:
		return &d.ip6
	case layers.LayerTypeIPv6HopByHop:
		return &d.hbh
	case layers.LayerTypeIPv6Destination:
		return &d.dest
	case layers.LayerTypeIPv6Routing:
		return &d.routing
	case layers.LayerTypeIPv6Fragment:
		return &d.frag6
	case layers.LayerTypeTCP:
		return &d.tcp
	case layers.LayerTypeUDP:
		return &d.udp
	case layers.LayerTypeICMPv4:
		return &d.icmp4
	case layers.LayerTypeICMPv6:
		return &d.icmp6
	case gopacket.LayerTypePayload:
		return &d.payload
	case gopacket.LayerTypeFragment:
		return &d.frag
	}
	return nil
}

// fill turns the layers gopacket decoded into a Record: what each
// decoded layer says (fillLayers), then where gopacket stopped and why.
func (d *RefDecoder) fill(r *decode.Record, link capture.LinkType, p *gopacket.DecodingLayerParser, data []byte, err error) {
	ipSeen := d.fillLayers(r)
	next, rest := d.stop(d.first[p], data)
	if len(d.decoded) == 0 && err != nil && !firstFailed(r, next) {
		return
	}
	switch {
	case err == nil && len(rest) > 0:
		stoppedAtUnknown(r, rest, ipSeen)
	case err == nil:
		ranOut(r, next, ipSeen)
	default:
		d.failed(r, next, rest, p.Truncated)
	}
}

// fillLayers fills r from each layer gopacket decoded, and says whether
// one was IP.
func (d *RefDecoder) fillLayers(r *decode.Record) (ipSeen bool) {
	for _, t := range d.decoded {
		switch t {
		case layers.LayerTypeEthernet, layers.LayerTypeLinuxSLL, layers.LayerTypeLoopback:
			r.Link = decode.LinkOK
		case layers.LayerTypeDot1Q:
			r.Link = decode.LinkOK
			if r.VLANs < 255 {
				r.VLANs++
			}
		case layers.LayerTypeIPv4:
			ipSeen = true
			d.fillIPv4(r)
			r.Ports = decode.PortsUnknown
		case layers.LayerTypeIPv6:
			ipSeen = true
			d.fillIPv6(r)
			if d.ip6.Length == 0 { // decoded: a jumbogram, or BIG TCP (refIPv6)
				r.Note = decode.NoteBigTCP
				if d.ip6.HopByHop != nil {
					r.Note = decode.NoteJumbogram
				}
			}
			if d.ip6.HopByHop != nil {
				addExt(r, decode.ProtoHopByHop, uint8(d.ip6.HopByHop.NextHeader))
			}
		case layers.LayerTypeIPv6HopByHop:
			addExt(r, decode.ProtoHopByHop, uint8(d.hbh.NextHeader))
		case layers.LayerTypeIPv6Destination:
			addExt(r, decode.ProtoDestOpts, uint8(d.dest.NextHeader))
		case layers.LayerTypeIPv6Routing:
			addExt(r, decode.ProtoRouting, uint8(d.skipper.NextHeader))
		case layers.LayerTypeIPv6Fragment:
			f := &d.frag6
			addExt(r, decode.ProtoFragment, f.next)
			r.FragOffset, r.MF, r.IPID = f.offset, f.more, f.id
			r.Frag = decode.FragKindOf(r.FragOffset, r.MF)
		case layers.LayerTypeTCP:
			d.fillTCP(r)
			r.PayloadLen = uint16(len(d.tcp.Payload))
		case layers.LayerTypeUDP:
			r.Ports = decode.PortsPresent
			r.SrcPort, r.DstPort = uint16(d.udp.SrcPort), uint16(d.udp.DstPort)
			r.Port0 = decode.Port0Of(r.SrcPort, r.DstPort)
			r.UDPLen = d.udp.Length
			r.PayloadLen = uint16(len(d.udp.Payload))
		case layers.LayerTypeICMPv4:
			r.Ports = decode.PortsNone
			r.ICMP = true
			r.ICMPType, r.ICMPCode = d.icmp4.TypeCode.Type(), d.icmp4.TypeCode.Code()
			r.PayloadLen = uint16(len(d.icmp4.Payload))
			if decode.IsICMPError(decode.ProtoICMP, r.ICMPType) {
				d.quoted(&r.Inner, d.icmp4.Payload)
			}
		case layers.LayerTypeICMPv6:
			r.Ports = decode.PortsNone
			// gopacket's ICMPv6 header is 4 bytes; ours is 8 like ICMPv4.
			if len(d.icmp6.Payload) < 4 {
				r.Reason = decode.ReasonTruncated
				break
			}
			r.ICMP = true
			r.ICMPType, r.ICMPCode = d.icmp6.TypeCode.Type(), d.icmp6.TypeCode.Code()
			r.PayloadLen = uint16(len(d.icmp6.Payload) - 4)
			if decode.IsICMPError(decode.ProtoICMPv6, r.ICMPType) {
				d.quoted(&r.Inner, d.icmp6.Payload[4:])
			}
		case gopacket.LayerTypeFragment:
			if r.Frag == decode.FragNonFirst {
				r.Ports = decode.PortsNonFirstFragment
				r.PayloadLen = uint16(len(d.frag))
			}
		case gopacket.LayerTypePayload:
			if r.Ports == decode.PortsUnknown { // after IP: a protocol we do not decode
				r.Ports = decode.PortsNone
				r.PayloadLen = uint16(len(d.payload))
			}
		}
	}
	return ipSeen
}

// firstFailed fills r when the first layer failed; false when that is all
// there is to say (a cut or foreign link header), true when the failed
// layer is IP, whose fixed fields failed tells more of.
func firstFailed(r *decode.Record, next gopacket.LayerType) bool {
	switch next {
	case layers.LayerTypeIPv4, layers.LayerTypeIPv6:
		r.Link = decode.LinkOK
	case layers.LayerTypeDot1Q:
		truncLink(r)
		return false
	case layers.LayerTypeLoopback:
		r.Link = decode.LinkNotIP // family > 255
		return false
	default:
		truncLink(r)
		return false
	}
	return true
}

// stoppedAtUnknown fills r when gopacket stopped at a layer nobody
// decodes, rest its bytes.
func stoppedAtUnknown(r *decode.Record, rest []byte, ipSeen bool) {
	if !ipSeen {
		if r.Link == decode.LinkOK {
			r.Link = decode.LinkNotIP
		}
		return
	}
	if r.Ports == decode.PortsUnknown && r.Frag != decode.FragFirst {
		r.Ports = decode.PortsNone
		r.PayloadLen = uint16(len(rest))
	}
}

// ranOut fills r when gopacket stopped because nothing was left: a layer
// it would decode next (next) is then missing.
func ranOut(r *decode.Record, next gopacket.LayerType, ipSeen bool) {
	switch next {
	case layers.LayerTypeDot1Q:
		truncLink(r)
	case layers.LayerTypeIPv4, layers.LayerTypeIPv6:
		r.Reason = decode.ReasonTruncated
	case layers.LayerTypeTCP, layers.LayerTypeUDP:
		r.Ports = decode.PortsTruncated
		r.Reason = decode.ReasonTruncated
	case layers.LayerTypeICMPv4, layers.LayerTypeICMPv6:
		r.Ports = decode.PortsNone
		r.Reason = decode.ReasonTruncated
	case layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Destination, layers.LayerTypeIPv6Routing, layers.LayerTypeIPv6Fragment:
		r.Ports = decode.PortsTruncated
		r.Reason = decode.ReasonTruncated
	case gopacket.LayerTypeFragment:
		if r.Frag == decode.FragNonFirst {
			r.Ports = decode.PortsNonFirstFragment
		}
	default:
		if ipSeen && r.Ports == decode.PortsUnknown && r.Frag != decode.FragFirst {
			r.Ports = decode.PortsNone
		}
		if !ipSeen && r.Link == decode.LinkOK {
			r.Link = decode.LinkNotIP
		}
	}
}

// failed fills r when a layer (next, from rest) failed. gopacket fills a
// layer's fixed fields before it checks lengths and options, so read them
// where they were filled and name the problem from them; truncated is
// whether the capture cut the packet.
func (d *RefDecoder) failed(r *decode.Record, next gopacket.LayerType, rest []byte, truncated bool) {
	r.Reason = decode.ReasonTruncated
	bad := func(reason decode.Reason) {
		if !truncated {
			r.Reason = reason
		}
	}
	switch next {
	case layers.LayerTypeDot1Q:
		truncLink(r)
	case layers.LayerTypeIPv4:
		if len(rest) < decode.IPv4MinLen {
			break
		}
		d.fillIPv4(r)
		r.Frag = decode.FragUnknown
		r.Ports = decode.PortsMalformed
		ip := &d.ip4
		switch {
		case ip.IHL < 5:
			bad(decode.ReasonIPv4HeaderLen)
		case int(ip.IHL)*4 > int(ip.Length):
			bad(decode.ReasonIPv4TotalLen)
		case int(ip.IHL)*4 > len(rest):
			r.Ports = decode.PortsTruncated
		default:
			bad(decode.ReasonIPv4Options)
		}
	case layers.LayerTypeIPv6:
		if len(rest) < decode.IPv6HdrLen {
			break
		}
		d.fillIPv6(r)
		r.Ports = decode.PortsMalformed
		bad(decode.ReasonIPLength)
	case layers.LayerTypeIPv6HopByHop, layers.LayerTypeIPv6Destination, layers.LayerTypeIPv6Routing, layers.LayerTypeIPv6Fragment:
		// The failed header was decoded into the instance an earlier
		// header of its type used: Proto is its number, not a field.
		r.Proto = map[gopacket.LayerType]uint8{
			layers.LayerTypeIPv6HopByHop: decode.ProtoHopByHop, layers.LayerTypeIPv6Destination: decode.ProtoDestOpts,
			layers.LayerTypeIPv6Routing: decode.ProtoRouting, layers.LayerTypeIPv6Fragment: decode.ProtoFragment,
		}[next]
		r.Ports = decode.PortsMalformed
		bad(decode.ReasonIPv6Options)
	case layers.LayerTypeTCP:
		if len(rest) < decode.TCPMinLen {
			r.Ports = decode.PortsTruncated
			cutPorts(r, rest)
			break
		}
		d.fillTCP(r)
		if d.tcp.DataOffset < 5 {
			bad(decode.ReasonTCPDataOffset)
		} else {
			bad(decode.ReasonTCPOptions)
		}
	case layers.LayerTypeUDP:
		if len(rest) < decode.UDPHdrLen {
			r.Ports = decode.PortsTruncated
			cutPorts(r, rest)
			break
		}
		r.Ports = decode.PortsPresent
		r.SrcPort, r.DstPort = uint16(d.udp.SrcPort), uint16(d.udp.DstPort)
		r.Port0 = decode.Port0Of(r.SrcPort, r.DstPort)
		r.UDPLen = d.udp.Length
		bad(decode.ReasonUDPLength)
	case layers.LayerTypeICMPv4, layers.LayerTypeICMPv6:
		r.Ports = decode.PortsNone
	}
}

// stop returns the layer type gopacket would have decoded next and the
// bytes it would have decoded it from.
func (d *RefDecoder) stop(first gopacket.LayerType, data []byte) (gopacket.LayerType, []byte) {
	if n := len(d.decoded); n > 0 {
		l := d.layer(d.decoded[n-1])
		return l.NextLayerType(), l.LayerPayload()
	}
	return first, data
}

// cutPorts reads the ports of a TCP or UDP header cut after them, by
// hand: gopacket's layers refuse a header shorter than their fixed part.
func cutPorts(r *decode.Record, b []byte) {
	if len(b) >= 4 {
		r.SrcPort, r.DstPort = binary.BigEndian.Uint16(b[0:]), binary.BigEndian.Uint16(b[2:])
		r.Port0 = decode.Port0Of(r.SrcPort, r.DstPort)
	}
}

// truncLink marks a record cut inside its link header.
func truncLink(r *decode.Record) {
	r.Link = decode.LinkTruncated
	r.Reason = decode.ReasonTruncated
}

// addExt records an IPv6 extension header h followed by next.
func addExt(r *decode.Record, h, next uint8) {
	if r.NExt < decode.MaxExt {
		r.Ext[r.NExt] = h
		r.NExt++
	}
	r.Proto = next
}

func (d *RefDecoder) fillIPv4(r *decode.Record) {
	ip := &d.ip4.IPv4
	r.IPVersion = 4
	r.TTL = ip.TTL
	r.IPID = uint32(ip.Id)
	r.IPLen = binary.BigEndian.Uint16(ip.Contents[2:4]) // gopacket rewrites a zero Length
	if r.IPLen == 0 && (ip.Protocol == layers.IPProtocolTCP || ip.Protocol == layers.IPProtocolUDP) {
		r.Note = decode.NoteTSO // gopacket presumes TSO for every protocol; tcpdump, and we, for TCP and UDP
	}
	r.Proto = uint8(ip.Protocol)
	setAddr(&r.Src, ip.SrcIP)
	setAddr(&r.Dst, ip.DstIP)
	r.IPHdrLen = ip.IHL * 4
	r.IPOptions = ip.IHL > 5
	r.DF = ip.Flags&layers.IPv4DontFragment != 0
	r.MF = ip.Flags&layers.IPv4MoreFragments != 0
	r.FragOffset = ip.FragOffset
	r.Frag = decode.FragKindOf(r.FragOffset, r.MF)
}

func (d *RefDecoder) fillIPv6(r *decode.Record) {
	ip := &d.ip6.IPv6
	r.IPVersion = 6
	r.TTL = ip.HopLimit
	r.IPLen = ip.Length
	r.Proto = uint8(ip.NextHeader)
	setAddr(&r.Src, ip.SrcIP)
	setAddr(&r.Dst, ip.DstIP)
	r.Frag = decode.FragNone
}

func (d *RefDecoder) fillTCP(r *decode.Record) {
	t := &d.tcp
	r.Ports = decode.PortsPresent
	r.SrcPort, r.DstPort = uint16(t.SrcPort), uint16(t.DstPort)
	r.Port0 = decode.Port0Of(r.SrcPort, r.DstPort)
	r.Seq = t.Seq
	r.Ack = t.Ack
	r.Window = t.Window
	r.DataOffset = t.DataOffset
	flags := []bool{t.FIN, t.SYN, t.RST, t.PSH, t.ACK, t.URG, t.ECE, t.CWR, t.NS}
	for i, f := range flags {
		if f {
			r.Flags |= 1 << i
		}
	}
	for _, o := range t.Options {
		if int(r.NOpts) < len(r.Opts) {
			r.Opts[r.NOpts] = uint8(o.OptionType)
		}
		if r.NOpts < 255 {
			r.NOpts++
		}
		switch {
		case o.OptionType == layers.TCPOptionKindMSS && len(o.OptionData) == 2:
			r.MSS = binary.BigEndian.Uint16(o.OptionData)
		case o.OptionType == layers.TCPOptionKindWindowScale && len(o.OptionData) == 1:
			r.WScale = o.OptionData[0]
		}
	}
}

// quoted fills q from the packet an ICMP error quotes: gopacket decodes the
// IP header; the 8 transport bytes are taken by hand after it, since the
// quote is shorter than the TCP header gopacket needs and its length
// fields describe the original packet, not the quote.
func (d *RefDecoder) quoted(q *decode.Quoted, b []byte) {
	if len(b) == 0 {
		return
	}
	var l4 []byte
	var nonFirst bool
	switch b[0] >> 4 {
	case 4:
		if err := d.in4.DecodeFromBytes(b, gopacket.NilDecodeFeedback); err != nil {
			return
		}
		q.Version = 4
		q.Proto = uint8(d.in4.Protocol)
		setAddr(&q.Src, d.in4.SrcIP)
		setAddr(&q.Dst, d.in4.DstIP)
		nonFirst = d.in4.FragOffset != 0
		l4 = b[len(d.in4.Contents):]
	case 6:
		// Errors come from extension headers or the length; the fixed
		// header fields are filled before either is checked.
		if len(b) < decode.IPv6HdrLen {
			return
		}
		_ = d.in6.DecodeFromBytes(b, gopacket.NilDecodeFeedback)
		q.Version = 6
		q.Proto = uint8(d.in6.NextHeader)
		setAddr(&q.Src, d.in6.SrcIP)
		setAddr(&q.Dst, d.in6.DstIP)
		// The extension headers of the quote, with gopacket's skipper
		// (the Fragment header by hand: the skipper does not say its
		// offset). gopacket's IPv6 layer folds a hop-by-hop header into
		// itself; the walk starts after the fixed header either way.
		off := decode.IPv6HdrLen
		for n := 0; n < decode.MaxExt; n++ {
			p := q.Proto
			if p != decode.ProtoHopByHop && p != decode.ProtoRouting && p != decode.ProtoFragment && p != decode.ProtoDestOpts {
				break
			}
			if p == decode.ProtoFragment {
				if len(b) < off+8 {
					q.Ports = decode.PortsTruncated
					return
				}
				nonFirst = nonFirst || binary.BigEndian.Uint16(b[off+2:])&0xfff8 != 0
				q.Proto = b[off]
				off += 8
				continue
			}
			var sk layers.IPv6ExtensionSkipper
			if err := sk.DecodeFromBytes(b[off:], gopacket.NilDecodeFeedback); err != nil || len(sk.Contents) == 0 {
				q.Ports = decode.PortsTruncated
				return
			}
			q.Proto = uint8(sk.NextHeader)
			off += len(sk.Contents)
		}
		l4 = b[off:]
	default:
		return
	}
	q.SetPorts(l4, nonFirst)
}

// setAddr stores ip (4 or 16 bytes, as gopacket holds addresses) at a;
// the zero Addr for another length. It writes a in place: an Addr built
// in a temporary and copied costs a store-forwarding stall.
func setAddr(a *decode.Addr, ip []byte) {
	switch len(ip) {
	case 4:
		binary.LittleEndian.PutUint64(a[0:8], 0)
		decode.PutAddr4(a, ip)
	case 16:
		*a = decode.Addr(ip)
	default:
		*a = decode.Addr{}
	}
}

// refEthernet is gopacket's Ethernet layer that also treats the
// pre-standard QinQ EtherType 0x9100 as a VLAN tag, as the fast decoder
// does; gopacket does not know it.
type refEthernet struct{ layers.Ethernet }

// NextLayerType maps 0x9100 to Dot1Q.
func (e *refEthernet) NextLayerType() gopacket.LayerType {
	return etherNext(e.EthernetType)
}

// refSLL is gopacket's LinuxSLL layer with the same 0x9100 mapping.
type refSLL struct{ layers.LinuxSLL }

// NextLayerType maps 0x9100 to Dot1Q.
func (s *refSLL) NextLayerType() gopacket.LayerType { return etherNext(s.EthernetType) }

// refDot1Q is gopacket's Dot1Q layer with the same 0x9100 mapping.
type refDot1Q struct{ layers.Dot1Q }

// NextLayerType maps 0x9100 to Dot1Q.
func (q *refDot1Q) NextLayerType() gopacket.LayerType { return etherNext(q.Type) }

func etherNext(t layers.EthernetType) gopacket.LayerType {
	if t == decode.EtherQinQ2 {
		return layers.LayerTypeDot1Q
	}
	if !ipEtherType(uint16(t)) {
		// A type that never leads to IP (gopacket decodes some, such as
		// 0x6558 Ethernet bridging or an 802.3 length's LLC, and fails
		// on short ones): the parser stops, not-ip.
		return gopacket.LayerTypeZero
	}
	return t.LayerType()
}

// refIPv4 is gopacket's IPv4 layer that does not follow tunnels (IP in IP,
// IPv6 in IPv4) nor IPv6 extension header numbers, which the fast decoder
// counts as protocols without ports: one layer instance would otherwise
// be overwritten by the inner header.
type refIPv4 struct{ layers.IPv4 }

// NextLayerType stops at protocols the fast decoder does not decode.
func (ip *refIPv4) NextLayerType() gopacket.LayerType {
	t := ip.IPv4.NextLayerType()
	switch t {
	case gopacket.LayerTypeFragment, layers.LayerTypeTCP, layers.LayerTypeUDP, layers.LayerTypeICMPv4, layers.LayerTypeICMPv6:
		return t
	}
	return gopacket.LayerTypePayload
}

// refIPv6 is gopacket's IPv6 layer without tunnels, and with the payload
// after a hop-by-hop header clipped to the payload length: gopacket
// forgets to subtract the hop-by-hop header's own length.
type refIPv6 struct{ layers.IPv6 }

// DecodeFromBytes decodes with gopacket and fixes the payload length.
// gopacket refuses payload length 0 without a Jumbo Payload option,
// which tcpdump and the fast decoder read as BIG TCP when TCP or UDP
// follows: that header is read by hand. And after a Jumbo Payload option
// gopacket leaves the hop-by-hop header in the payload: it is cut off.
func (ip *refIPv6) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) >= decode.IPv6HdrLen && data[0]>>4 == 6 && binary.BigEndian.Uint16(data[4:]) == 0 &&
		(data[6] == decode.ProtoTCP || data[6] == decode.ProtoUDP) {
		v := &ip.IPv6
		v.Version, v.TrafficClass = 6, data[0]<<4|data[1]>>4
		v.FlowLabel = binary.BigEndian.Uint32(data[0:4]) & 0xfffff
		v.Length, v.NextHeader, v.HopLimit = 0, layers.IPProtocol(data[6]), data[7]
		v.SrcIP, v.DstIP, v.HopByHop = data[8:24], data[24:40], nil
		v.BaseLayer = layers.BaseLayer{Contents: data[:40], Payload: data[40:]}
		return nil
	}
	if err := ip.IPv6.DecodeFromBytes(data, df); err != nil {
		return err
	}
	if h := ip.HopByHop; h != nil && ip.Length == 0 && h.ActualLength <= len(ip.Payload) {
		// gopacket takes a Jumbo Payload option that overruns its
		// header; RFC 8200's TLVs must fit (the fast decoder's
		// ipv6Options).
		if !optionsFit(ip.Payload[2:h.ActualLength]) {
			return errBadOption
		}
		ip.Payload = ip.Payload[h.ActualLength:]
	}
	if h := ip.HopByHop; h != nil && ip.Length != 0 {
		n := int(ip.Length) - h.ActualLength
		if n < 0 {
			return errHBHBeyondLength
		}
		if n < len(ip.Payload) {
			ip.Payload = ip.Payload[:n]
		}
	}
	return nil
}

// NextLayerType stops at tunnels.
func (ip *refIPv6) NextLayerType() gopacket.LayerType { return noTunnelType(ip.IPv6.NextLayerType()) }

var (
	errHBHBeyondLength = refError("IPv6 hop-by-hop header beyond payload length")
	errBadOption       = refError("IPv6 option beyond its header")
)

// optionsFit reports whether the TLV options o of a hop-by-hop or
// destination options header (after its first two bytes) fit in it:
// RFC 8200 section 4.2, read here apart from the fast decoder's walk so
// that the two can disagree.
func optionsFit(o []byte) bool {
	for len(o) > 0 {
		if o[0] == 0 { // Pad1
			o = o[1:]
			continue
		}
		if len(o) < 2 || 2+int(o[1]) > len(o) {
			return false
		}
		o = o[2+int(o[1]):]
	}
	return true
}

type refError string

func (e refError) Error() string { return string(e) }

// refHopByHop makes gopacket's IPv6HopByHop a DecodingLayer (v1.1.19
// lacks CanDecode and NextLayerType) that stops at tunnels. gopacket itself
// decodes a hop-by-hop header right after the IPv6 header inside its IPv6
// layer; this one decodes a misplaced later one.
type refHopByHop struct{ layers.IPv6HopByHop }

// CanDecode returns LayerTypeIPv6HopByHop.
func (h *refHopByHop) CanDecode() gopacket.LayerClass { return layers.LayerTypeIPv6HopByHop }

// DecodeFromBytes decodes and, on error, keeps the previous header's
// fields (see refDestination).
func (h *refHopByHop) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	saved := h.IPv6HopByHop
	err := h.IPv6HopByHop.DecodeFromBytes(data, df)
	if err != nil {
		h.IPv6HopByHop = saved
	}
	return err
}

// NextLayerType returns the next header's layer type.
func (h *refHopByHop) NextLayerType() gopacket.LayerType {
	return noTunnelType(h.NextHeader.LayerType())
}

// refDestination makes gopacket's IPv6Destination a DecodingLayer that
// stops at tunnels.
type refDestination struct{ layers.IPv6Destination }

// CanDecode returns LayerTypeIPv6Destination.
func (h *refDestination) CanDecode() gopacket.LayerClass { return layers.LayerTypeIPv6Destination }

// DecodeFromBytes resets the options, which gopacket appends to without
// resetting, and decodes.
//
// On error it keeps the previous header's fields: the parser then reads
// the next layer type from the last header it decoded, which is this
// instance when two destination options headers follow each other.
func (h *refDestination) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	saved := h.IPv6Destination
	h.Options = h.Options[:0]
	err := h.IPv6Destination.DecodeFromBytes(data, df)
	if err != nil {
		h.IPv6Destination = saved
	}
	return err
}

// NextLayerType returns the next header's layer type.
func (h *refDestination) NextLayerType() gopacket.LayerType {
	return noTunnelType(h.NextHeader.LayerType())
}

// noTunnel wraps an IPv6 extension header layer so it stops at tunnels.
type noTunnel struct{ gopacket.DecodingLayer }

// NextLayerType stops at tunnels.
func (n *noTunnel) NextLayerType() gopacket.LayerType {
	return noTunnelType(n.DecodingLayer.NextLayerType())
}

func noTunnelType(t gopacket.LayerType) gopacket.LayerType {
	if t == layers.LayerTypeIPv4 || t == layers.LayerTypeIPv6 {
		return gopacket.LayerTypePayload
	}
	return t
}

// refIPv6Fragment decodes the IPv6 Fragment header, for which gopacket
// has no DecodingLayer. Like gopacket's own decoder it hands a fragment to
// the Fragment layer, except an atomic fragment (offset 0, M clear, RFC
// 6946), whose transport header it decodes as the fast decoder does.
type refIPv6Fragment struct {
	layers.BaseLayer
	next   uint8
	offset uint16
	more   bool
	id     uint32
}

// CanDecode returns LayerTypeIPv6Fragment.
func (f *refIPv6Fragment) CanDecode() gopacket.LayerClass { return layers.LayerTypeIPv6Fragment }

// DecodeFromBytes decodes the 8-byte header.
func (f *refIPv6Fragment) DecodeFromBytes(data []byte, df gopacket.DecodeFeedback) error {
	if len(data) < 8 {
		df.SetTruncated()
		return errShortFragment
	}
	f.next = data[0]
	f.offset = binary.BigEndian.Uint16(data[2:4]) >> 3
	f.more = data[3]&1 != 0
	f.id = binary.BigEndian.Uint32(data[4:8])
	f.BaseLayer = layers.BaseLayer{Contents: data[:8], Payload: data[8:]}
	return nil
}

// NextLayerType returns Fragment for a fragment, else the next header.
func (f *refIPv6Fragment) NextLayerType() gopacket.LayerType {
	if f.offset != 0 || f.more {
		return gopacket.LayerTypeFragment
	}
	return noTunnelType(layers.IPProtocol(f.next).LayerType())
}

var errShortFragment = refError("IPv6 fragment header shorter than 8 bytes")
