package reference

import (
	"testing"

	"github.com/port0/port0/decode"
)

// benchPackets are the packet kinds the decoder benchmarks run, taken
// from the table cases by name.
var benchPackets = []struct{ bench, tcase string }{
	{"TCPSYNEthernet", "ethernet/tcp-syn-dport0"},
	{"UDP", "ethernet/padding-udp-dport0"},
	{"ICMPError", "icmp4/unreachable-quoting-tcp-dport0"},
	{"IPv6ExtHeaders", "ipv6/ext-hbh-routing-dest/udp"},
	{"NonFirstFragment", "ipv4/non-first-fragment"},
}

func benchCase(tb testing.TB, name string) decodeCase {
	for _, c := range decodeCases() {
		if c.name == name {
			return c
		}
	}
	tb.Fatalf("no case %q", name)
	return decodeCase{}
}

// decodeWorkload decodes every benchmark packet once with the fast
// decoder. The benchmarks and the zero-allocation test share it.
func decodeWorkload(r *decode.Record, cs []decodeCase) {
	for i := range cs {
		r.Decode(cs[i].link, cs[i].data)
	}
}

func TestDecodeZeroAllocs(t *testing.T) {
	var cs []decodeCase
	for _, b := range benchPackets {
		cs = append(cs, benchCase(t, b.tcase))
	}
	cs = append(cs, decodeCases()...) // every odd packet too
	var r decode.Record
	if n := testing.AllocsPerRun(100, func() { decodeWorkload(&r, cs) }); n != 0 {
		t.Fatalf("fast decoder: %v allocations per run, want 0", n)
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, bp := range benchPackets {
		c := benchCase(b, bp.tcase)
		cs := []decodeCase{c}
		b.Run(bp.bench+"/fast", func(b *testing.B) {
			var r decode.Record
			b.ReportAllocs()
			b.SetBytes(int64(len(c.data)))
			for b.Loop() {
				decodeWorkload(&r, cs)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
		})
		b.Run(bp.bench+"/ref", func(b *testing.B) {
			var r decode.Record
			d := NewRefDecoder()
			b.ReportAllocs()
			b.SetBytes(int64(len(c.data)))
			for b.Loop() {
				d.Decode(c.link, c.data, &r)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
		})
	}
}
