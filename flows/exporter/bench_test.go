package exporter

import (
	"testing"

	"github.com/port0/port0/flows"
)

// BenchmarkDecode decodes data datagrams of 30 records (softflowd sends
// up to 30 flows a datagram) after their template, as a collector does
// most of the time.
func BenchmarkDecode(b *testing.B) {
	const n = 30
	v9Recs := make([][]byte, n)
	ipfixRecs := make([][]byte, n)
	for i := range n {
		v9Recs[i] = rec(v9Frag, hostA, hostB, 1024+i, 0, 17, 0, 1500, 1, 49_000, 49_900, i, 0x20, 55)
		ipfixRecs[i] = rec(ipfixRich, host6, dst6, 1024+i, 0, 17, 0, uint64(secs)*1000+1, uint64(secs)*1000+2, 64, i, 0, 2, 3000, 99)
	}
	v5Recs := make([]v5Record, n)
	for i := range v5Recs {
		v5Recs[i] = v5Record{src: hostA, dst: hostB, packets: 1, octets: 40, sport: uint16(1024 + i), proto: 6, flags: 2}
	}
	for _, bc := range []struct {
		name  string
		prime []byte
		dg    []byte
	}{
		{"netflow5", nil, buildV5(v5Header{uptime: 1, secs: secs}, v5Recs...)},
		{"netflow9", newV9(7, secs, 50_000).template(257, v9Frag...).bytes(), newV9(7, secs, 50_000).data(257, v9Recs...).bytes()},
		{"ipfix", newIPFIX(1, secs).template(302, ipfixRich...).bytes(), newIPFIX(1, secs).data(302, ipfixRecs...).bytes()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			d := NewDecoder()
			if bc.prime != nil {
				if err := d.Decode(bc.prime, expA, 0, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
			records := 0
			out := func(*flows.Record) { records++ }
			b.SetBytes(int64(len(bc.dg)))
			b.ReportAllocs()
			for b.Loop() {
				if err := d.Decode(bc.dg, expA, 0, out, nil); err != nil {
					b.Fatal(err)
				}
			}
			if records == 0 {
				b.Fatal("no records")
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
