package flows

import (
	"net/netip"
	"testing"
)

func TestJudge(t *testing.T) {
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.18.0.5")
	rec := func(proto uint8, sp, dp uint16, has Field, mod func(*Record)) Record {
		r := Record{Src: a, Dst: b, Proto: proto, SrcPort: sp, DstPort: dp, Has: has, Packets: 1}
		if mod != nil {
			mod(&r)
		}
		return r
	}
	tests := []struct {
		name   string
		r      Record
		want   Judgement
		reason Reason
	}{
		{"ports non-zero", rec(6, 40000, 80, HasTCPFlags, nil), NotPort0, ReasonNone},
		{"ICMP echo reply reads 0/0", rec(1, 0, 0, HasICMP, nil), NoPorts, ReasonProto},
		{"ICMP port unreachable in the port field", rec(1, 0, 0x0303, HasICMP, nil), NoPorts, ReasonProto},
		{"IPv6 fragment header as the protocol", rec(44, 0, 0, 0, nil), NoPorts, ReasonProto},
		{"GRE", rec(47, 0, 0, 0, nil), NoPorts, ReasonProto},
		{"non-first fragment with its offset exported", rec(17, 0, 0, HasFragOffset, func(r *Record) { r.FragOffset = 1480 }), NoPorts, ReasonNonFirstFrag},
		{"offset > 0 wins over one port non-zero", rec(17, 0, 53, HasFragOffset, func(r *Record) { r.FragOffset = 8 }), NoPorts, ReasonNonFirstFrag},
		{"UDP to port 0 from a port", rec(17, 33000, 0, 0, nil), Real, ReasonOnePort},
		{"TCP from port 0 to 445", rec(6, 0, 445, HasTCPFlags, func(r *Record) { r.TCPFlags = 0x02 }), Real, ReasonOnePort},
		{"first fragment 0/0", rec(17, 0, 0, HasFragOffset|HasFragFlags, func(r *Record) { r.MoreFragments = true }), Real, ReasonFirstFrag},
		{"offset 0 exported, no MF", rec(17, 0, 0, HasFragOffset|HasFragFlags, nil), Real, ReasonNotFragment},
		{"TCP 0/0 with SYN seen", rec(6, 0, 0, HasTCPFlags, func(r *Record) { r.TCPFlags = 0x02 }), Real, ReasonTCPFlags},
		{"TCP 0/0 without flags", rec(6, 0, 0, HasTCPFlags, nil), Undecidable, ReasonBothNoFlags},
		{"TCP 0/0, flags not exported", rec(6, 0, 0, 0, func(r *Record) { r.TCPFlags = 0x02 }), Undecidable, ReasonBothNoFlags},
		{"UDP 0/0 (NetFlow v5: no fragment fields)", rec(17, 0, 0, HasTCPFlags, nil), Undecidable, ReasonBothUDP},
		{"fragment flags alone (nfdump's EXipInfo) cannot tell", rec(17, 0, 0, HasFragFlags, func(r *Record) { r.MoreFragments = true }), Undecidable, ReasonBothUDP},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j, why := Judge(&tc.r)
			if j != tc.want || why != tc.reason {
				t.Errorf("Judge(%v) = %s (%s), want %s (%s)", tc.r, j, why, tc.want, tc.reason)
			}
		})
	}
}

func TestNames(t *testing.T) {
	for _, j := range Judgements() {
		if j.String() == "" || j.String()[0] == 'j' {
			t.Errorf("judgement %d has no name", j)
		}
	}
	if Format(99).String() != "format(99)" || NetFlow9.String() != "netflow9" {
		t.Error("format names")
	}
}
