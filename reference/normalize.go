package reference

import (
	"github.com/port0/port0/decode"
)

// Normalize removes the known differences between a record from the fast
// decoder and one from the reference decoder for the same frame (see the
// package documentation), so that fast != ref afterwards means a bug in
// one of them. It returns the adjusted pair; what neither side can see is
// copied from the fast record, never invented.
func Normalize(fast, ref decode.Record) (decode.Record, decode.Record) {
	// 1. gopacket stops at the Fragment layer for first fragments too, so
	// it never sees their transport header. Take it from fast.
	if fast.Frag == decode.FragFirst && ref.Frag == decode.FragFirst && ref.Ports == decode.PortsUnknown {
		copyAfterIP(&ref, &fast)
		// The IPv6 extension headers after the Fragment header.
		ref.Ext, ref.NExt, ref.Proto = fast.Ext, fast.NExt, fast.Proto
	}

	// 2. gopacket does not check the IP version against the link layer.
	if fast.Reason == decode.ReasonIPVersion && ref.IPVersion != 0 {
		ref = decode.Record{Link: ref.Link, VLANs: ref.VLANs, MPLS: ref.MPLS, NetOff: ref.NetOff, Reason: fast.Reason}
	}

	// 3. Problems the fast decoder finds and gopacket does not: it
	// decodes on, the fast decoder stops after the IP header.
	switch fast.Reason {
	case decode.ReasonIPv4TotalLen, decode.ReasonIPLength, decode.ReasonIPv6Options, decode.ReasonIPv6ExtChain:
		if ref.IPVersion == fast.IPVersion && fast.Ports == decode.PortsMalformed {
			// The port fields both read when the IP length leaves 4 bytes
			// of a cut TCP/UDP header (PortsCut) are kept: compared.
			sp, dp, p0 := ref.SrcPort, ref.DstPort, ref.Port0
			cutAfterIP(&ref)
			if fast.Port0 != decode.Port0Unknown {
				ref.SrcPort, ref.DstPort, ref.Port0 = sp, dp, p0
			}
			copyExt(&ref, &fast)
			ref.Ports, ref.Reason = fast.Ports, fast.Reason
			// A jumbogram note from the header the fast decoder refused
			// (gopacket takes a second Jumbo Payload option).
			if ref.Note == decode.NoteJumbogram {
				ref.Note = fast.Note
			}
		}
	}

	// 4. gopacket reads UDP length 0 as a jumbogram (RFC 2675) and takes
	// the rest of the packet; we do not support jumbograms.
	if fast.Reason == decode.ReasonUDPLength && fast.UDPLen == 0 && ref.Reason == 0 && ref.UDPLen == 0 {
		ref.Reason, ref.PayloadLen = fast.Reason, fast.PayloadLen
	}

	// 5. gopacket rejects a Pad1 option in the last byte of the data (it
	// wants two bytes for every TLV option), so a hop-by-hop or
	// destination options header that ends the capture fails there.
	if fast.Reason == 0 && fast.IPVersion == 6 && fast.NExt > 0 && fast.Ports == decode.PortsNone && fast.PayloadLen == 0 &&
		(fast.Ext[fast.NExt-1] == decode.ProtoHopByHop || fast.Ext[fast.NExt-1] == decode.ProtoDestOpts) &&
		ref.Reason != 0 && ref.Ports == decode.PortsMalformed {
		takeOptionsHeader(&ref, &fast)
	}

	// 6. Both see a problem. Reasons are our vocabulary: gopacket only
	// says "error" (and "truncated"), so the kind is not compared, only
	// that there is one, and the fields both filled before it.
	if fast.Reason != 0 && ref.Reason != 0 {
		ref.Reason = fast.Reason
		// gopacket fails in a hop-by-hop or destination options header
		// (see 5) and the fast decoder fails later: take the rest of the
		// chain from fast. (gopacket decodes a first hop-by-hop header
		// inside its IPv6 layer, so then not even that header is known.)
		if ref.IPVersion == 6 && ref.Ports == decode.PortsMalformed && ref.NExt < fast.NExt &&
			(fast.Ext[ref.NExt] == decode.ProtoHopByHop || fast.Ext[ref.NExt] == decode.ProtoDestOpts) {
			takeOptionsHeader(&ref, &fast)
		}
		if isBadPorts(fast.Ports) && isBadPorts(ref.Ports) {
			ref.Ports = fast.Ports
		}
	}
	return fast, ref
}

// takeOptionsHeader takes from fast what follows the IP header when
// gopacket failed in a hop-by-hop or destination options header (rules 5
// and 6; it also refuses a TLV option of length 0, which RFC 8200
// allows): the extension chain, the transport fields, and the jumbogram
// note that header's Jumbo Payload option gives.
func takeOptionsHeader(ref, fast *decode.Record) {
	copyExt(ref, fast)
	copyAfterIP(ref, fast)
	if fast.Note == decode.NoteJumbogram {
		ref.Note = fast.Note
	}
}

func isBadPorts(p decode.PortsKind) bool {
	return p == decode.PortsTruncated || p == decode.PortsMalformed
}

// copyAfterIP copies the transport fields (everything after the IP layer
// and its extension headers) from src to dst.
func copyAfterIP(dst, src *decode.Record) {
	dst.Ports, dst.SrcPort, dst.DstPort, dst.Port0 = src.Ports, src.SrcPort, src.DstPort, src.Port0
	dst.Seq, dst.Ack, dst.Window, dst.Flags = src.Seq, src.Ack, src.Window, src.Flags
	dst.DataOffset, dst.Opts, dst.NOpts, dst.MSS, dst.WScale = src.DataOffset, src.Opts, src.NOpts, src.MSS, src.WScale
	dst.UDPLen, dst.ICMP, dst.ICMPType, dst.ICMPCode, dst.Inner = src.UDPLen, src.ICMP, src.ICMPType, src.ICMPCode, src.Inner
	dst.PayloadLen, dst.Reason = src.PayloadLen, src.Reason
}

// copyExt copies what the IPv6 extension headers (or IPv4 fragment
// fields) say from src to dst.
func copyExt(dst, src *decode.Record) {
	dst.Ext, dst.NExt, dst.Proto = src.Ext, src.NExt, src.Proto
	dst.Frag, dst.FragOffset, dst.MF, dst.IPID = src.Frag, src.FragOffset, src.MF, src.IPID
}

// cutAfterIP zeroes the transport fields.
func cutAfterIP(r *decode.Record) {
	var zero decode.Record
	copyAfterIP(r, &zero)
}
