package exporter

import (
	"net/netip"
	"os"
	"testing"

	"github.com/port0/port0/flows"
)

// datagram is one UDP payload of a capture, with what Decode is given
// beside it.
type datagram struct {
	payload []byte
	from    netip.AddrPort
	ts      int64
}

// loadDatagrams reads the capture at path and keeps its whole UDP
// datagrams' payloads (fragments and other packets left out, as
// ReadCapture leaves them).
func loadDatagrams(b *testing.B, path string) (dgs []datagram, size int64) {
	_, err := eachDatagram(path, func(payload []byte, from netip.AddrPort, ts int64, _ *ReadStats) {
		pl := append([]byte(nil), payload...)
		dgs = append(dgs, datagram{pl, from, ts})
		size += int64(len(pl))
	})
	if err != nil {
		b.Fatal(err)
	}
	return dgs, size
}

// BenchmarkCaptureFile reads the capture of exporters' datagrams named
// by $FLOWS_BENCH_FILE (such as scripts/flows-bench.sh records), to set
// beside `port0 analyze -flows` on the same file. decode: the decoder
// alone, on the datagrams' payloads read into memory before the loop (a
// fresh Decoder each pass: templates are learnt from the datagrams, as
// in a run of port0 analyze -flows); read: ReadCapture on the file (pcap
// reading, IP/UDP headers and the decoder). Both report records/s.
func BenchmarkCaptureFile(b *testing.B) {
	path := os.Getenv("FLOWS_BENCH_FILE")
	if path == "" {
		b.Skip("set FLOWS_BENCH_FILE to a capture of exporters' datagrams")
	}
	b.Run("decode", func(b *testing.B) {
		dgs, size := loadDatagrams(b, path)
		records, failed := 0, 0
		out := func(*flows.Record) { records++ }
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			d := NewDecoder()
			for i := range dgs {
				if d.Decode(dgs[i].payload, dgs[i].from, dgs[i].ts, out, nil) != nil {
					failed++
				}
			}
		}
		if records == 0 {
			b.Fatal("no records")
		}
		b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
		b.ReportMetric(float64(failed)/float64(b.N), "failed/op")
	})
	b.Run("read", func(b *testing.B) {
		records := 0
		out := func(*flows.Record) { records++ }
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ReadCapture(path, NewDecoder(), out, nil); err != nil {
				b.Fatal(err)
			}
		}
		if records == 0 {
			b.Fatal("no records")
		}
		b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	})
}
