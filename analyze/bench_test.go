package analyze

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/gen"
)

// BenchmarkAnalyzeStudy is the whole port0 analyze path — Run: scan,
// study and every table — over the default scenario at scale 1e-5 (2.8 M
// packets in 1,096 daily shards, read from the page cache) with all cores.
// Peak memory against a 10x larger capture is measured on the command line
// (BENCHMARKS.md).
func BenchmarkAnalyzeStudy(b *testing.B) {
	_, shards := generateShards(b, gen.Paper(), 3, 1e-5)
	var bytes int64
	for _, s := range shards {
		if fi, err := os.Stat(s); err == nil {
			bytes += fi.Size()
		}
	}
	b.SetBytes(bytes)
	analyzeStudyLoop(b, shards, 0)
}

// BenchmarkAnalyzeFiles is the whole port0 analyze path (Run: scan,
// study, every table) over the captures named in $PORT0_BENCH_FILES
// (space-separated files or folders), with one worker and with two. It is
// skipped when the variable is unset: it is meant for large captures in
// the page cache and for CPU and allocation profiles (BENCHMARKS.md,
// "Analyzer hot path").
func BenchmarkAnalyzeFiles(b *testing.B) {
	env := os.Getenv("PORT0_BENCH_FILES")
	if env == "" {
		b.Skip("PORT0_BENCH_FILES not set")
	}
	inputs, err := capture.ExpandInputs(strings.Fields(env))
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	for _, in := range inputs {
		if fi, err := os.Stat(in); err == nil {
			size += fi.Size()
		}
	}
	for _, workers := range []int{1, 2} {
		b.Run("workers="+strconv.Itoa(workers), func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			analyzeStudyLoop(b, inputs, workers)
		})
	}
}

// benchDir returns a new folder for a benchmark's outputs, removed at its
// end: below $PORT0_BENCH_DIR when that is set (say /dev/shm, where a
// file's creation costs what the analyzer's own work does, not the ~1 ms
// seen on some disks and in /tmp here), else a test temporary folder.
func benchDir(b *testing.B) string {
	d := os.Getenv("PORT0_BENCH_DIR")
	if d == "" {
		return b.TempDir()
	}
	dir, err := os.MkdirTemp(d, "port0-bench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// analyzeStudyLoop is the whole analyze path, Run with every output, as
// the benchmark's loop; it reports packets/s.
func analyzeStudyLoop(b *testing.B, inputs []string, workers int) {
	var packets int64
	for b.Loop() {
		sum, err := Run(inputs, nil, benchDir(b), options(workers))
		if err != nil {
			b.Fatal(err)
		}
		packets += sum.Total.Packets
	}
	b.ReportMetric(float64(packets)/b.Elapsed().Seconds(), "packets/s")
}
