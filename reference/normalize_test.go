package reference

import (
	"testing"

	"github.com/port0/port0/decode"
)

// TestNormalize checks each rule of Normalize on hand-made record pairs:
// the known differences disappear and real ones stay.
func TestNormalize(t *testing.T) {
	syn := withSYN(rIPv4(decode.ProtoTCP, 48), 40000, 0)
	first := syn
	first.MF, first.Frag = true, decode.FragFirst
	firstRef := rIPv4(decode.ProtoTCP, 48)
	firstRef.MF, firstRef.Frag = true, decode.FragFirst

	badVer := decode.Record{Link: decode.LinkOK, Reason: decode.ReasonIPVersion}
	badVerRef := syn

	tl0 := rIPv4(decode.ProtoUDP, 0)
	tl0.Frag, tl0.Ports, tl0.Reason = decode.FragUnknown, decode.PortsMalformed, decode.ReasonIPv4TotalLen
	tl0Ref := withUDP(rIPv4(decode.ProtoUDP, 0), 1, 2, 3)

	udp0 := withUDP(rIPv4(decode.ProtoUDP, 30), 0, 0, 0)
	udp0.UDPLen, udp0.Reason = 0, decode.ReasonUDPLength
	udp0Ref := udp0
	udp0Ref.Reason, udp0Ref.PayloadLen = 0, 2

	pad1 := rIPv6(59, 8)
	pad1.Ext, pad1.NExt, pad1.Ports = [decode.MaxExt]uint8{0}, 1, decode.PortsNone
	pad1Ref := rIPv6(0, 8)
	pad1Ref.Ports, pad1Ref.Reason = decode.PortsMalformed, decode.ReasonTruncated

	bothBad := rIPv4(decode.ProtoTCP, 48)
	bothBad.Ports, bothBad.Reason = decode.PortsMalformed, decode.ReasonIPv4Options
	bothBadRef := bothBad
	bothBadRef.Ports, bothBadRef.Reason = decode.PortsTruncated, decode.ReasonTruncated

	wrongPort := syn
	wrongPort.DstPort, wrongPort.Port0 = 1, decode.Port0None

	for _, c := range []struct {
		name      string
		fast, ref decode.Record
		equal     bool
	}{
		{"identical", syn, syn, true},
		{"first-fragment-transport-from-fast", first, firstRef, true},
		{"first-fragment-real-difference", first, func() decode.Record { r := firstRef; r.TTL = 1; return r }(), false},
		{"ip-version", badVer, badVerRef, true},
		{"ipv4-total-length-0", tl0, tl0Ref, true},
		{"udp-length-0-jumbogram", udp0, udp0Ref, true},
		{"pad1-at-end-of-data", pad1, pad1Ref, true},
		{"both-bad-different-kinds", bothBad, bothBadRef, true},
		{"one-bad-only", bothBad, syn, false},
		{"port-differs", syn, wrongPort, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, r := Normalize(c.fast, c.ref)
			if got := f == r; got != c.equal {
				t.Errorf("equal after Normalize = %v, want %v\n%s", got, c.equal, FormatDiffs(DiffRecords(f, r)))
			}
			if f != c.fast {
				t.Errorf("Normalize changed the fast record")
			}
		})
	}
}
