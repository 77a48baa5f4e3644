package decode_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/port0/port0/decode"
	"github.com/port0/port0/decode/decodetest"
)

// The decoder's table tests: every case of decodetest (the same table
// package reference runs the gopacket reference decoder against) decodes
// to the Record the table states.

// allCases are decodetest's Cases and LinkCases.
func allCases() []decodetest.Case {
	return append(decodetest.Cases(), decodetest.LinkCases()...)
}

// diff lists the fields in which got and want differ, one a line.
func diff(got, want decode.Record) string {
	var s string
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		if gf, wf := g.Field(i).Interface(), w.Field(i).Interface(); gf != wf {
			s += fmt.Sprintf("  %s: got %v, want %v\n", g.Type().Field(i).Name, gf, wf)
		}
	}
	return s
}

// TestDecode decodes every case into a fresh Record and into one that
// holds the previous case's Record: Decode leaves nothing of an earlier
// packet behind.
func TestDecode(t *testing.T) {
	var prev decode.Record
	for _, c := range allCases() {
		t.Run(c.Name, func(t *testing.T) {
			var r decode.Record
			r.Decode(c.Link, c.Data)
			if r != c.Want {
				t.Errorf("got != want\n%s", diff(r, c.Want))
			}
			reused := prev
			reused.Decode(c.Link, c.Data)
			if reused != r {
				t.Errorf("decoded over the previous case's Record\n%s", diff(reused, r))
			}
			if r.Link == decode.LinkOK && r.Encap == decode.EncapNone && r.NetOff > 0 {
				// The frame cut at the IP header is a truncated link
				// header or (an IP version nibble short) not IP.
				var cut decode.Record
				cut.Decode(c.Link, c.Data[:r.NetOff-1])
				if cut.Link == decode.LinkOK && cut.IPVersion != 0 {
					t.Errorf("cut before its IP header, the frame decodes as IP: %+v", cut)
				}
			}
			prev = r
		})
	}
}

// TestDecodeCasesZeroAllocs checks that Decode allocates nothing on any
// case of the table.
func TestDecodeCasesZeroAllocs(t *testing.T) {
	cs := allCases()
	var r decode.Record
	if n := testing.AllocsPerRun(100, func() {
		for i := range cs {
			r.Decode(cs[i].Link, cs[i].Data)
		}
	}); n != 0 {
		t.Fatalf("%v allocations per run of %d cases, want 0", n, len(cs))
	}
}

// BenchPackets are the packet kinds the decoder benchmarks run (here and
// in package reference), taken from the table cases by name.
var benchPackets = []struct{ bench, tcase string }{
	{"TCPSYNEthernet", "ethernet/tcp-syn-dport0"},
	{"UDP", "ethernet/padding-udp-dport0"},
	{"ICMPError", "icmp4/unreachable-quoting-tcp-dport0"},
	{"IPv6ExtHeaders", "ipv6/ext-hbh-routing-dest/udp"},
	{"NonFirstFragment", "ipv4/non-first-fragment"},
}

func BenchmarkDecode(b *testing.B) {
	for _, bp := range benchPackets {
		c, ok := decodetest.Find(bp.tcase)
		if !ok {
			b.Fatalf("no case %q", bp.tcase)
		}
		b.Run(bp.bench, func(b *testing.B) {
			var r decode.Record
			b.ReportAllocs()
			b.SetBytes(int64(len(c.Data)))
			for b.Loop() {
				r.Decode(c.Link, c.Data)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
		})
	}
}

// TestRecordQueries checks the Record's questions on cases of the table:
// the outer addresses of a tunnel, the quoted addresses, Port0Related and
// PortsCut.
func TestRecordQueries(t *testing.T) {
	get := func(name string) decode.Record {
		t.Helper()
		c, ok := decodetest.Find(name)
		if !ok {
			t.Fatalf("no case %q", name)
		}
		var r decode.Record
		r.Decode(c.Link, c.Data)
		return r
	}
	if r := get("tunnel/4in6"); r.OuterSrcAddr() != decodetest.Outer6a || r.OuterDstAddr() != decodetest.Outer6b {
		t.Errorf("tunnel/4in6: outer %v → %v", r.OuterSrcAddr(), r.OuterDstAddr())
	}
	if r := get("raw101/tcp-syn"); r.OuterSrcAddr().IsValid() || r.OuterDstAddr().IsValid() {
		t.Error("a packet that is not tunneled has outer addresses")
	}
	if r := get("icmp4/unreachable-quoting-tcp-dport0"); r.Inner.SrcAddr() != decodetest.Src4 || r.Inner.DstAddr() != decodetest.Dst4 {
		t.Errorf("quoted %v → %v", r.Inner.SrcAddr(), r.Inner.DstAddr())
	}
	for _, tt := range []struct {
		name                   string
		port0Related, portsCut bool
	}{
		{"raw101/tcp-syn", true, false},
		{"ipv4/udp-port0-none", false, false},
		{"ipv4/snaplen-in-tcp", true, true},
		{"ipv4/snaplen-in-sport", false, false},
		{"ipv4/tiny-first-fragment", true, true},
		{"ipv4/non-first-fragment", false, false},
		{"icmp4/unreachable-quoting-tcp-dport0", true, false},
		{"icmp4/quote-cut-in-ports", false, false},
		{"icmp4/echo-reply-no-ports", false, false},
	} {
		r := get(tt.name)
		if r.Port0Related() != tt.port0Related || r.PortsCut() != tt.portsCut {
			t.Errorf("%s: Port0Related %v, PortsCut %v; want %v, %v", tt.name, r.Port0Related(), r.PortsCut(), tt.port0Related, tt.portsCut)
		}
	}
}

// TestEnumNames checks that every value of the Record's enums has its own
// name, and that Encap's names read back.
func TestEnumNames(t *testing.T) {
	check := func(kind string, n int, name func(i int) string) {
		seen := map[string]bool{}
		for i := range n {
			s := name(i)
			if s == "" || seen[s] {
				t.Errorf("%s %d: name %q empty or repeated", kind, i, s)
			}
			seen[s] = true
		}
	}
	check("LinkResult", int(decode.LinkTruncated)+1, func(i int) string { return decode.LinkResult(i).String() })
	check("FragKind", int(decode.FragNonFirst)+1, func(i int) string { return decode.FragKind(i).String() })
	check("PortsKind", int(decode.PortsMalformed)+1, func(i int) string { return decode.PortsKind(i).String() })
	check("Note", int(decode.NumNotes), func(i int) string { return decode.Note(i).String() })
	check("Encap", int(decode.NumEncaps), func(i int) string { return decode.Encap(i).String() })
	for _, r := range []decode.Reason{decode.ReasonTruncated, decode.ReasonIPLength, decode.ReasonIPv6ExtChain} {
		if r.String() == "" || r.String() != r.Error() {
			t.Errorf("Reason %d: String %q, Error %q", r, r.String(), r.Error())
		}
	}
	for e := range decode.NumEncaps {
		b, err := e.MarshalText()
		var got decode.Encap
		if err != nil || got.UnmarshalText(b) != nil || got != e {
			t.Errorf("Encap %d: %q reads back as %d", e, b, got)
		}
	}
	var e decode.Encap
	if e.UnmarshalText([]byte("carrier-pigeon")) == nil {
		t.Error("an unknown encapsulation reads without an error")
	}
}
