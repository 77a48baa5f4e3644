package decode

import (
	"encoding/binary"

	"github.com/port0/port0/label"
)

// Tunnels: an IP packet inside another IP packet's payload, after
// tcpdump's printers (named with each) and the RFCs. The decoder follows
// a tunnel only to an IP packet whose fixed header is in the capture;
// anything else (a tunnel header cut by the snap length, a payload that is
// not IP, an Ethernet frame carrying ARP) leaves the outer packet as it
// is: a protocol without ports, or a UDP packet with its ports.
const (
	// IP protocol numbers of tunnels (RFC 2003, RFC 4213 and RFC 2473,
	// RFC 2784).
	ProtoIPIP = 4
	ProtoIPv6 = 41
	ProtoGRE  = 47

	// UDP destination ports of tunnels (IANA; the ports tcpdump's udp_print
	// and Wireshark register): VXLAN (RFC 7348), Geneve (RFC 8926), GTP-U
	// (3GPP TS 29.281).
	PortVXLAN  = 4789
	PortGeneve = 6081
	PortGTPU   = 2152

	greMinLen    = 4  // flags and version, protocol type (RFC 2784)
	vxlanHdrLen  = 8  // flags (I = 0x08), reserved, VNI, reserved (RFC 7348 section 5)
	geneveMinLen = 8  // version, option length, flags, protocol type, VNI (RFC 8926 section 3.4)
	gtpuMinLen   = 8  // flags, message type, length, TEID (TS 29.281 section 5.1)
	erspan2Len   = 8  // ERSPAN type II header (print-erspan.c erspan_i_ii_print)
	erspan3Len   = 12 // ERSPAN type III header, plus 8 when its O flag is set (erspan_iii_print)
	etherHdrLen  = ethHdrLen

	greTEB      = 0x6558 // Transparent Ethernet Bridging: an Ethernet frame (NVGRE, gretap)
	greERSPAN12 = 0x88be // ERSPAN type I (no GRE sequence number) or II
	greERSPAN3  = 0x22eb // ERSPAN type III
	grePPP      = 0x880b // PPP in enhanced GRE, version 1 (RFC 2637, PPTP)

	// MaxTunnels bounds the tunnels followed one inside another; a packet
	// nested deeper is decoded as the packet the last tunnel followed
	// carries (a protocol without ports, or UDP), with NoteTunnelDepth.
	MaxTunnels = 4

	// maxGREEntries and maxGTPExt bound the GRE source route entries
	// (RFC 1701) and GTP-U extension headers walked.
	maxGREEntries = 8
	maxGTPExt     = 8
)

// Encap is the kind of tunnel a packet was found in.
type Encap uint8

// Tunnel kinds. The zero value means the packet is not tunneled.
const (
	EncapNone   Encap = iota
	EncapIPIP         // IPv4 in IPv4 or IPv6, IP protocol 4 (RFC 2003, RFC 2473)
	Encap6in4         // IPv6 in IPv4 or IPv6, IP protocol 41 (RFC 4213, RFC 2473)
	EncapGRE          // GRE, IP protocol 47: IP, an Ethernet frame, MPLS or PPTP's PPP inside
	EncapERSPAN       // GRE carrying ERSPAN type I, II or III, then an Ethernet frame
	EncapVXLAN        // UDP to port 4789, then an Ethernet frame
	EncapGeneve       // UDP to port 6081, then an Ethernet frame or IP
	EncapGTPU         // UDP to port 2152, a G-PDU carrying IP
	NumEncaps
)

var encapNames = [...]string{"none", "ipip", "6in4", "gre", "erspan", "vxlan", "geneve", "gtp-u"}

// String returns a short lower-case name.
func (e Encap) String() string { return label.EnumName(encapNames[:], uint8(e)) }

// MarshalText returns the String name (CSV, JSON).
func (e Encap) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText parses a String name.
func (e *Encap) UnmarshalText(b []byte) error {
	v, err := label.ParseEnum("encapsulation", encapNames[:], b)
	*e = Encap(v)
	return err
}

// protoEncap is the tunnel an IP protocol number carries; EncapNone for
// every other protocol.
func protoEncap(proto uint8) Encap {
	switch proto {
	case ProtoIPIP:
		return EncapIPIP
	case ProtoIPv6:
		return Encap6in4
	case ProtoGRE:
		return EncapGRE
	}
	return EncapNone
}

// portEncap is the tunnel a UDP destination port carries; EncapNone for
// every other port.
func portEncap(dp uint16) Encap {
	switch dp {
	case PortVXLAN:
		return EncapVXLAN
	case PortGeneve:
		return EncapGeneve
	case PortGTPU:
		return EncapGTPU
	}
	return EncapNone
}

// tunnel decodes the packet a tunnel of kind carries in p, the payload
// of the IP packet that starts at b (p is a subslice of b), and, when it
// reaches an IP header, makes r that inner packet: its fields are the
// inner packet's, Encap and the outer addresses the outermost packet's,
// NetOff the inner IP header's offset in the frame. Otherwise r stays as
// it is.
func (r *Record) tunnel(kind Encap, b, p []byte) {
	if r.Frag != FragNone {
		return // a fragment holds part of the inner packet: not followed
	}
	if r.Tunnels == MaxTunnels {
		r.Note = NoteTunnelDepth
		return
	}
	if kind == EncapGRE && len(p) >= greMinLen {
		if pt := binary.BigEndian.Uint16(p[2:4]); pt == greERSPAN12 || pt == greERSPAN3 {
			kind = EncapERSPAN
		}
	}
	var in Record
	in.VLANs, in.MPLS, in.Tunnels = r.VLANs, r.MPLS, r.Tunnels+1
	if r.Tunnels == 0 {
		in.Encap, in.OuterVersion, in.OuterSrc, in.OuterDst = kind, r.IPVersion, r.Src, r.Dst
	} else {
		in.Encap, in.OuterVersion, in.OuterSrc, in.OuterDst = r.Encap, r.OuterVersion, r.OuterSrc, r.OuterDst
	}
	switch kind {
	case EncapIPIP:
		in.ip(p, 0, 4)
	case Encap6in4:
		in.ip(p, 0, 6)
	case EncapGRE, EncapERSPAN:
		in.gre(p)
	case EncapVXLAN:
		// The I flag says the VNI is valid (RFC 7348); tcpdump's
		// vxlan_print reports its absence and decodes the frame all the
		// same, and so does the decoder.
		if len(p) < vxlanHdrLen {
			return
		}
		in.etherAt(p, vxlanHdrLen+12, vxlanHdrLen+etherHdrLen)
	case EncapGeneve:
		in.geneve(p)
	case EncapGTPU:
		in.gtpu(p)
	}
	if in.Link != LinkOK || in.IPVersion == 0 {
		return // not IP inside, or its header is cut: the outer packet stands
	}
	// in.NetOff is relative to p; p starts cap(b)-cap(p) bytes into b
	// (both share the frame's backing array), b at r.NetOff.
	in.NetOff += r.NetOff + uint16(cap(b)-cap(p))
	*r = in
}

// gre decodes a GRE header (gre_print_0, gre_print_1) and what follows:
// version 0 with its optional checksum, key, sequence number and source
// route entries (RFC 1701, RFC 2784, RFC 2890), or version 1, PPTP's
// enhanced GRE carrying PPP (RFC 2637).
func (r *Record) gre(p []byte) {
	if len(p) < greMinLen {
		return
	}
	flags := binary.BigEndian.Uint16(p[0:2])
	proto := binary.BigEndian.Uint16(p[2:4])
	n := greMinLen
	switch flags & 7 {
	case 0:
		if flags&0xc000 != 0 { // checksum or routing: checksum and offset
			n += 4
		}
		if flags&0x2000 != 0 { // key
			n += 4
		}
		if flags&0x1000 != 0 { // sequence number
			n += 4
		}
		if flags&0x4000 != 0 { // source route entries, up to a null one
			for i := 0; ; i++ {
				if i == maxGREEntries || len(p) < n+4 {
					return
				}
				af, l := binary.BigEndian.Uint16(p[n:]), int(p[n+3])
				n += 4 + l
				if af == 0 && l == 0 {
					break
				}
			}
		}
	case 1:
		// Key (payload length and call ID) mandatory, protocol PPP.
		if proto != grePPP || flags&0x2000 == 0 {
			return
		}
		n += 4
		if flags&0x1000 != 0 {
			n += 4
		}
		if flags&0x0080 != 0 { // acknowledgment number
			n += 4
		}
		if len(p) < n {
			return
		}
		r.ppp(p, n)
		return
	default:
		return
	}
	if len(p) < n {
		return
	}
	switch proto {
	case greTEB:
		r.etherAt(p, n+12, n+etherHdrLen)
	case greERSPAN12:
		if flags&0x1000 != 0 { // type II; type I has no header (no sequence number)
			n += erspan2Len
		}
		r.etherAt(p, n+12, n+etherHdrLen)
	case greERSPAN3:
		if len(p) < n+erspan3Len {
			return
		}
		if p[n+11]&1 != 0 { // O: a platform-specific subheader follows
			n += 8
		}
		n += erspan3Len
		r.etherAt(p, n+12, n+etherHdrLen)
	default:
		r.etherType(proto, p, n) // IPv4, IPv6, MPLS; anything else is not followed
	}
}

// geneve decodes a Geneve header (geneve_print): version 0, its options,
// then the protocol type: an Ethernet frame (0x6558) or an EtherType.
func (r *Record) geneve(p []byte) {
	if len(p) < geneveMinLen || p[0]>>6 != 0 {
		return
	}
	n := geneveMinLen + int(p[0]&0x3f)*4
	if len(p) < n {
		return
	}
	if pt := binary.BigEndian.Uint16(p[2:4]); pt == greTEB {
		r.etherAt(p, n+12, n+etherHdrLen)
	} else {
		r.etherType(pt, p, n)
	}
}

// gtpu decodes a GTPv1-U header (gtp_v1_print): version 1, protocol type
// GTP, message type 255 (G-PDU); the sequence number, N-PDU number and
// next extension type when any of the E, S and PN flags is set; the
// extension headers (a length in 4-byte units first, the next type last);
// then an IP packet, its version nibble saying which.
func (r *Record) gtpu(p []byte) {
	if len(p) < gtpuMinLen || p[0]>>5 != 1 || p[0]&0x10 == 0 || p[1] != 0xff {
		return
	}
	n := gtpuMinLen
	if p[0]&0x07 != 0 {
		n += 4
		if len(p) < n {
			return
		}
		next := p[n-1]
		for i := 0; next != 0 && p[0]&0x04 != 0; i++ {
			if i == maxGTPExt || len(p) < n+1 || p[n] == 0 || len(p) < n+int(p[n])*4 {
				return
			}
			n += int(p[n]) * 4
			next = p[n-1]
		}
	}
	if len(p) <= n {
		return
	}
	switch p[n] >> 4 {
	case 4:
		r.ip(p, n, 4)
	case 6:
		r.ip(p, n, 6)
	}
}
