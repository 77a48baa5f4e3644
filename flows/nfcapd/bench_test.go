package nfcapd

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"testing"
)

// benchRead reads every flow of data and returns how many there were.
func benchRead(b *testing.B, data []byte) int {
	r, err := NewReader(bytes.NewReader(data), "bench")
	if err != nil {
		b.Fatal(err)
	}
	var f Flow
	n := 0
	for {
		err := r.Next(&f)
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	r.Close()
	return n
}

// runBench reads data in a b.Loop and reports records per second.
func runBench(b *testing.B, data []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	total := 0
	for b.Loop() {
		total += benchRead(b, data)
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkFixture reads the committed realtools fixtures (185 flows) in
// each compression nfdump 1.7.1 wrote them.
func BenchmarkFixture(b *testing.B) {
	for _, name := range []string{"realtools-none", "realtools-lzo", "realtools-lz4", "realtools-bz2"} {
		b.Run(name, func(b *testing.B) {
			data, err := os.ReadFile(fixturePath(name))
			if err != nil {
				b.Fatal(err)
			}
			runBench(b, data)
		})
	}
}

// largeFile lays out copies of the realtools fixture's records, in
// blocks of 10,000 records (about 770 KB, near nfdump 1.7.1's 1 MiB
// flush size), compressed with c: 185 × copies flows.
func largeFile(b testing.TB, c Compression, copies int) []byte {
	p := fixtureParts(b, "realtools-none")
	var recs [][]byte
	for range copies {
		recs = append(recs, p.recs...)
	}
	return buildFile(b, p.hdr, c, split(recs, 10000), p.appendix).data
}

// BenchmarkLarge reads 92,500 flows (500 copies of the fixture's records)
// laid out in memory from the committed fixture, in each compression a Go
// encoder is at hand for. Its LZO blocks are literal runs (no LZO
// compressor is at hand), so they measure the reader, not LZO decoding.
func BenchmarkLarge(b *testing.B) {
	for _, c := range []Compression{None, LZO, LZ4, ZSTD} {
		b.Run(c.String(), func(b *testing.B) { runBench(b, largeFile(b, c, 500)) })
	}
}

// BenchmarkFile reads the nfcapd file named by $NFCAPD_BENCH_FILE, as made
// by scripts/nfcapd-fixtures.sh bench, to set beside nfdump's own time.
func BenchmarkFile(b *testing.B) {
	path := os.Getenv("NFCAPD_BENCH_FILE")
	if path == "" {
		b.Skip("set NFCAPD_BENCH_FILE to an nfcapd file")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	runBench(b, data)
}

// TestNextAllocs: once its buffers have grown, Next allocates nothing per
// record.
func TestNextAllocs(t *testing.T) {
	for _, c := range []Compression{None, LZ4, ZSTD} {
		t.Run(fmt.Sprint(c), func(t *testing.T) {
			data := largeFile(t, c, 100)
			r, err := NewReader(bytes.NewReader(data), "allocs")
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var f Flow
			if err := r.Next(&f); err != nil {
				t.Fatal(err)
			}
			if a := testing.AllocsPerRun(5000, func() {
				if err := r.Next(&f); err != nil {
					t.Fatal(err)
				}
			}); a != 0 {
				t.Errorf("%v allocations per record", a)
			}
		})
	}
}
