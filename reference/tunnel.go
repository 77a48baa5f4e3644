package reference

import (
	"encoding/binary"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/port0/port0/decode"
)

// tunnels follows the tunnels of the packet decodeOne left in r, frame
// being the whole frame: gopacket's GRE, ERSPAN type II and VXLAN
// layers find the inner packet, decodeOne decodes it. What
// gopacket does not check or know is done by hand: the
// Geneve header (its option TLVs fail gopacket's layer), the GTP-U
// header (gopacket's layer holds its length to the capture),
// ERSPAN type I (no header: gopacket reads every 0x88be as type II) and
// type III (no gopacket layer), and the IP version nibble of IP-in-IP.
func (d *RefDecoder) tunnels(frame []byte, r *decode.Record) {
	for {
		if int(r.NetOff) >= len(frame) || frame[r.NetOff]>>4 != r.IPVersion {
			return // gopacket took a header of another version for this one: the fast decoder stops there
		}
		kind, p := d.carried(r)
		if kind == decode.EncapNone {
			return
		}
		if r.Tunnels == decode.MaxTunnels {
			r.Note = decode.NoteTunnelDepth
			return
		}
		var in decode.Record
		in.VLANs, in.MPLS = r.VLANs, r.MPLS
		if !d.inner(kind, p, &in) || in.Link != decode.LinkOK || in.IPVersion == 0 ||
			int(in.NetOff) >= len(p) || p[in.NetOff]>>4 != in.IPVersion {
			return // gopacket does not hold the version to the type that led to it; the fast decoder does
		}
		in.NetOff += uint16(cap(frame) - cap(p))
		in.Tunnels = r.Tunnels + 1
		in.Encap, in.OuterVersion, in.OuterSrc, in.OuterDst = r.Encap, r.OuterVersion, r.OuterSrc, r.OuterDst
		if r.Tunnels == 0 {
			in.Encap, in.OuterVersion, in.OuterSrc, in.OuterDst = kind, r.IPVersion, r.Src, r.Dst
		}
		*r = in
	}
}

// carried says which tunnel, if any, the packet in r carries, and its
// payload as gopacket's last layer holds it (a subslice of the frame).
func (d *RefDecoder) carried(r *decode.Record) (decode.Encap, []byte) {
	if r.IPVersion == 0 || r.Reason != 0 || r.Frag != decode.FragNone || len(d.decoded) == 0 {
		return decode.EncapNone, nil
	}
	if r.IPVersion == 4 && r.IPLen == 0 && r.Note != decode.NoteTSO {
		// gopacket presumes TSO for every protocol; the fast decoder (and
		// tcpdump) only for TCP and UDP, and stops at any other.
		return decode.EncapNone, nil
	}
	last := d.decoded[len(d.decoded)-1]
	if r.Proto == decode.ProtoUDP && r.UDPLen == 0 && r.Note != decode.NoteJumbogram && r.Note != decode.NoteBigTCP {
		// gopacket reads UDP length 0 as a jumbogram's (Normalize rule
		// 4); the fast decoder calls it malformed and follows no tunnel.
		return decode.EncapNone, nil
	}
	if r.Ports == decode.PortsPresent && r.Proto == decode.ProtoUDP && last == layers.LayerTypeUDP && r.SrcPort != 0 {
		switch r.DstPort {
		case decode.PortVXLAN:
			return decode.EncapVXLAN, d.udp.Payload
		case decode.PortGeneve:
			return decode.EncapGeneve, d.udp.Payload
		case decode.PortGTPU:
			return decode.EncapGTPU, d.udp.Payload
		}
		return decode.EncapNone, nil
	}
	if r.Ports != decode.PortsNone {
		return decode.EncapNone, nil
	}
	var p []byte
	if last == gopacket.LayerTypePayload {
		p = d.payload
	} else {
		p = d.layer(last).LayerPayload()
	}
	switch r.Proto {
	case decode.ProtoIPIP:
		return decode.EncapIPIP, p
	case decode.ProtoIPv6:
		return decode.Encap6in4, p
	case decode.ProtoGRE:
		if len(p) >= 4 {
			if pt := binary.BigEndian.Uint16(p[2:]); pt == uint16(layers.EthernetTypeERSPAN) || pt == erspan3 {
				return decode.EncapERSPAN, p
			}
		}
		return decode.EncapGRE, p
	}
	return decode.EncapNone, nil
}

// erspan3 is the GRE protocol type of ERSPAN type III.
const erspan3 = 0x22eb

// inner decodes the packet a tunnel of kind carries in p into in (NetOff
// relative to p); false when the tunnel header is not one the fast
// decoder follows.
func (d *RefDecoder) inner(kind decode.Encap, p []byte, in *decode.Record) bool {
	switch kind {
	case decode.EncapIPIP, decode.Encap6in4:
		ver := uint8(4)
		if kind == decode.Encap6in4 {
			ver = 6
		}
		if len(p) == 0 || p[0]>>4 != ver {
			return false
		}
		d.atIP(p, 0, ver, in)
		return true
	case decode.EncapVXLAN:
		if len(p) < 8 {
			return false
		}
		d.atEthernet(p, 8, in)
	case decode.EncapGeneve:
		if len(p) < 8 || p[0]>>6 != 0 {
			return false
		}
		// By hand: gopacket's Geneve layer fails on an option TLV that
		// overruns, where the header's own length (RFC 8926), which
		// tcpdump's geneve_print and the fast decoder use, finds the
		// payload all the same.
		n := 8 + int(p[0]&0x3f)*4
		if len(p) < n {
			return false
		}
		pt := layers.EthernetType(binary.BigEndian.Uint16(p[2:]))
		if pt == layers.EthernetTypeTransparentEthernetBridging {
			d.atEthernet(p, n, in)
		} else {
			d.viaPacket(gopacket.NewPacket(p[n:], pt, gopacket.NoCopy), p, n, in)
		}
	case decode.EncapGTPU:
		if len(p) < 8 || p[0]>>5 != 1 || p[0]&0x10 == 0 || p[1] != 0xff {
			return false
		}
		// By hand: gopacket's GTPv1U layer refuses a message length
		// beyond the capture, which a snap length makes common; tcpdump's
		// gtp_v1_print and the fast decoder walk the header regardless.
		n := 8
		if p[0]&0x07 != 0 {
			n += 4
			for i, ok := 0, len(p) >= n; ; i++ {
				if !ok || i == 8 {
					return false
				}
				if p[0]&0x04 == 0 || p[n-1] == 0 {
					break
				}
				ext := len(p) > n && p[n] != 0
				ok = ext && len(p) >= n+4*int(p[n])
				if ok {
					n += 4 * int(p[n])
				}
			}
		}
		if len(p) <= n || p[n]>>4 != 4 && p[n]>>4 != 6 {
			return false
		}
		d.atIP(p, n, p[n]>>4, in)
	case decode.EncapGRE, decode.EncapERSPAN:
		return d.gre(p, in)
	}
	return true
}

// gre decodes what a GRE packet carries: with gopacket's GRE layer, but
// ERSPAN type I and III by hand.
func (d *RefDecoder) gre(p []byte, in *decode.Record) bool {
	if len(p) >= 4 && p[1]&7 == 1 {
		// Version 1 (PPTP, RFC 2637) by hand: gopacket reads a checksum
		// and routing entries wherever the C and R bits say, which
		// version 1 does not have and tcpdump's gre_print_1 ignores.
		flags := binary.BigEndian.Uint16(p)
		if layers.EthernetType(binary.BigEndian.Uint16(p[2:])) != layers.EthernetTypePPP || flags&0x2000 == 0 {
			return false
		}
		n := 8 // flags, protocol, payload length, call ID
		if flags&0x1000 != 0 {
			n += 4 // sequence number
		}
		if flags&0x0080 != 0 {
			n += 4 // acknowledgment number
		}
		if len(p) < n {
			return false
		}
		d.ppp(p, n, in)
		return true
	}
	pk := gopacket.NewPacket(p, layers.LayerTypeGRE, gopacket.NoCopy)
	g, ok := pk.Layer(layers.LayerTypeGRE).(*layers.GRE)
	if !ok || g.Version != 0 || g.Protocol == layers.EthernetTypePPP { // PPP only in PPTP's version 1, as the fast decoder follows it
		return false
	}
	n := len(g.Contents)
	// gopacket reads the acknowledgment number whenever the A bit is set;
	// only version 1 has one (RFC 2637). In version 0 the bit is reserved
	// and ignored on receipt (RFC 2784), as tcpdump's gre_print_0 and the
	// fast decoder do: the payload starts 4 bytes earlier.
	ack0 := g.AckPresent
	if ack0 {
		n -= 4
	}
	if n > len(p) {
		return false // gopacket's GRE layer read past the data: a cut header
	}
	switch {
	case g.Protocol == layers.EthernetTypeERSPAN && !g.SeqPresent:
		// Type I: an Ethernet frame right after the GRE header.
		d.atEthernet(p, n, in)
	case g.Protocol == layers.EthernetTypeERSPAN:
		// Type II: an 8-byte header, then the frame.
		if len(p) < n+8 {
			return false
		}
		d.atEthernet(p, n+8, in)
	case g.Protocol == layers.EthernetTypeTransparentEthernetBridging:
		d.atEthernet(p, n, in)
	case g.Protocol == erspan3:
		if len(p) < n+12 {
			return false
		}
		if p[n+11]&1 != 0 {
			n += 8
		}
		if n += 12; len(p) < n {
			return false // the subheader is cut
		}
		d.atEthernet(p, n, in)
	case ack0:
		d.viaPacket(gopacket.NewPacket(p[n:], g.Protocol, gopacket.NoCopy), p, n, in)
	default:
		d.viaPacket(pk, p, 0, in)
	}
	return true
}
