package gen

import (
	"os"
	"testing"
)

// benchPlan is the default scenario at a scale that makes about 2.8 million
// packets (the scale `make` uses).
func benchPlan(tb testing.TB, scale float64) *Plan {
	tb.Helper()
	p, err := NewPlan(Paper(), 1, scale)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkGenerate writes the default scenario (scale 1e-5, ~2.8 M packets)
// with both cores, as daily shards (1,096 pcap + truth files) and as one
// file, to a temporary folder, or below $PORT0_BENCH_DIR (say /dev/shm, to
// measure without the disk file system). Every file is sha256-hashed.
func BenchmarkGenerate(b *testing.B) {
	p := benchPlan(b, 1e-5)
	for _, mode := range []ShardMode{ShardDay, ShardSingle} {
		b.Run(mode.String(), func(b *testing.B) {
			dir := b.TempDir()
			if d := os.Getenv("PORT0_BENCH_DIR"); d != "" {
				var err error
				if dir, err = os.MkdirTemp(d, "port0-bench"); err != nil {
					b.Fatal(err)
				}
				defer os.RemoveAll(dir)
			}
			var packets, bytes int64
			for b.Loop() {
				m, err := Generate(p, Options{Out: dir, Shard: mode})
				if err != nil {
					b.Fatal(err)
				}
				packets += m.Packets
				bytes = 0
				for _, f := range m.Files {
					bytes += f.Bytes
				}
			}
			b.SetBytes(bytes)
			b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
		})
	}
}

// chunkWorkload generates chunks k0..k0+n of p into one reused buffer: the
// hot path, shared by BenchmarkGenChunk and TestGenChunkAllocs.
func chunkWorkload(w *worker, c *chunkBuf, k0, n int) int64 {
	var packets int64
	for k := k0; k < k0+n; k++ {
		w.genChunk(k, c)
		packets += c.packets
	}
	return packets
}

// BenchmarkGenChunk is the single-core packet hot path without file output.
func BenchmarkGenChunk(b *testing.B) {
	p := benchPlan(b, 1e-4)
	w := newWorker(p)
	c := &chunkBuf{ethernet: true}
	var packets int64
	for b.Loop() {
		packets += chunkWorkload(w, c, 5000, 20)
	}
	b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
}
