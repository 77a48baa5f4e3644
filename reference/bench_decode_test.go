package reference

import (
	"testing"

	"github.com/port0/port0/decode"
	"github.com/port0/port0/decode/decodetest"
)

// benchPackets are the packet kinds the reference decoder's benchmarks
// run, taken from the table cases by name: the ones package decode's
// BenchmarkDecode runs the fast decoder on.
var benchPackets = []struct{ bench, tcase string }{
	{"TCPSYNEthernet", "ethernet/tcp-syn-dport0"},
	{"UDP", "ethernet/padding-udp-dport0"},
	{"ICMPError", "icmp4/unreachable-quoting-tcp-dport0"},
	{"IPv6ExtHeaders", "ipv6/ext-hbh-routing-dest/udp"},
	{"NonFirstFragment", "ipv4/non-first-fragment"},
}

// BenchmarkDecode measures the reference decoder; compare with package
// decode's BenchmarkDecode (the fast decoder, same packets and names).
func BenchmarkDecode(b *testing.B) {
	for _, bp := range benchPackets {
		c, ok := decodetest.Find(bp.tcase)
		if !ok {
			b.Fatalf("no case %q", bp.tcase)
		}
		b.Run(bp.bench+"/ref", func(b *testing.B) {
			var r decode.Record
			d := NewRefDecoder()
			b.ReportAllocs()
			b.SetBytes(int64(len(c.Data)))
			for b.Loop() {
				d.Decode(c.Link, c.Data, &r)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "packets/s")
		})
	}
}
