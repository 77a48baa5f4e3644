package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/memfs"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/gen"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

func TestMain(m *testing.M) {
	beam.Init()
	// Every in-process run leaves a beamloopbackworker-* file in the
	// temporary folder: one of the tests' own.
	tmp, err := os.MkdirTemp("", "port0-beam-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("TMPDIR", tmp)
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

// runPipeline runs the study of inputs on runner ("prism" in-process, its
// job server on 127.0.0.1 as port0-beam runs it, or "universal" with the
// job flags set) into cfg.Out.
func runPipeline(t *testing.T, runner string, inputs []string, cfg Config) {
	t.Helper()
	p, s := beam.NewPipelineWithRoot()
	Build(s, inputs, cfg)
	run := func() (beam.PipelineResult, error) { return beam.Run(context.Background(), runner, p) }
	if runner == "prism" {
		// Beam's prism runner listens on every interface.
		run = func() (beam.PipelineResult, error) { return prism.ExecuteLoopback(context.Background(), p) }
	}
	if _, err := run(); err != nil {
		t.Fatalf("pipeline on %s: %v", runner, err)
	}
}

// analyzeInto runs port0 analyze's Run on inputs into dir.
func analyzeInto(t *testing.T, inputs []string, dir string, o analyze.Options) {
	t.Helper()
	if _, err := analyze.Run(inputs, nil, dir, o); err != nil {
		t.Fatalf("analyze: %v", err)
	}
}

// sameTree fails unless the folders a and b hold the same files with the
// same bytes, and returns how many files they hold.
func sameTree(t *testing.T, what, a, b string) int {
	t.Helper()
	x, y := testcap.Tree(t, a), testcap.Tree(t, b)
	for name, bx := range x {
		by, ok := y[name]
		switch {
		case !ok:
			t.Errorf("%s: %s is missing from the pipeline's output", what, name)
		case !bytes.Equal(bx, by):
			t.Errorf("%s: %s differs (%d bytes from analyze, %d from the pipeline)", what, name, len(bx), len(by))
		}
	}
	for name := range y {
		if _, ok := x[name]; !ok {
			t.Errorf("%s: the pipeline wrote %s, which analyze does not", what, name)
		}
	}
	return len(x)
}

// multiDay generates the default scenario over its three years in daily
// shards (gzip), the form a telescope's archive has.
func multiDay(t *testing.T, scale float64) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "gen")
	p, err := gen.NewPlan(gen.Paper(), 3, scale)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gen.Generate(p, gen.Options{Out: dir, Gzip: true}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSameBytes runs the pipeline on Prism in-process over the committed
// sample, the corpus of odd and broken captures and a generated
// three-year telescope in 1,096 daily shards, with 1 to 3 branches, 1 to
// 64 shards, records flushed whole or in pieces of a few records, sorted
// in memory or in runs on disk, CSV and Parquet, the packets table in one
// chunk or in many (each written by its own writer), and compares every
// output file with port0 analyze's.
func TestSameBytes(t *testing.T) {
	sample := filepath.Join(testcap.Root(), "testdata", "gen-sample")
	days := multiDay(t, 1e-6)
	cases := []struct {
		name      string
		input     string
		format    tables.Format
		chunkRows int64 // the packets table's chunks (0: tables.DefaultChunkRows)
		cfgs      []Config
	}{
		{"sample", sample, tables.CSV, 0, []Config{{Workers: 1, Shards: 1, Splits: 1}, {Workers: 2, Shards: 64, FlushBytes: 3 * 84}, {Workers: 3, Shards: 7, Splits: 3, MemLimit: 50 * 84}}},
		{"corpus", testcap.CorpusDir(), tables.Both, 3, []Config{{Workers: 2, Shards: 5, FlushBytes: 84, MemLimit: 84}, {Workers: 1, Shards: 64}}},
		{"days", days, tables.Both, 0, []Config{{Workers: 2, Shards: 64}}},
		{"days in chunks", days, tables.Both, 40, []Config{{Workers: 3, Shards: 2, Splits: 16, FlushBytes: 40 * 84, ScanWorkers: 1, MemLimit: 500 * 84}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.chunkRows > 0 {
				defer tables.SetChunkRows(c.chunkRows)()
			}
			inputs, err := capture.ExpandInputs([]string{c.input})
			if err != nil {
				t.Fatal(err)
			}
			o := analyze.Options{Study: study.DefaultOptions(), Format: c.format}
			want := filepath.Join(t.TempDir(), "analyze")
			analyzeInto(t, inputs, want, o)
			for _, cfg := range c.cfgs {
				base := ConfigOf(o, filepath.Join(t.TempDir(), "beam"), cfg.Workers, cfg.Shards)
				base.FlushBytes, base.ScanWorkers, base.MemLimit, base.Splits = cfg.FlushBytes, cfg.ScanWorkers, cfg.MemLimit, cfg.Splits
				runPipeline(t, "prism", inputs, base)
				n := sameTree(t, c.name, want, base.Out)
				t.Logf("%s, %d branches, %d shards, %d splits, flush %d, sort in memory %d, chunks of %d rows: %d files the same",
					c.name, cfg.Workers, cfg.Shards, base.splits(), cfg.FlushBytes, cfg.MemLimit, tables.ChunkRows(), n)
			}
		})
	}
}

// TestStudyFlags runs the pipeline with every study flag away from its
// default (telescope, events, bundles, scanner breadth, a 15-minute interval): the same
// bytes as port0 analyze with those flags.
func TestStudyFlags(t *testing.T) {
	inputs, err := capture.ExpandInputs([]string{filepath.Join(testcap.Root(), "testdata", "gen-sample")})
	if err != nil {
		t.Fatal(err)
	}
	fs := analyzeFlags(t, "-telescope", "198.18.0.0/15", "-event-timeout", "2m", "-event-min-packets", "5",
		"-event-min-duration", "10s", "-bundle-gap", "90s", "-bundle-min-probes", "2", "-scan-min-dsts", "64", "-interval", "15m", "-format", "both")
	want := filepath.Join(t.TempDir(), "analyze")
	analyzeInto(t, inputs, want, fs)
	cfg := ConfigOf(fs, filepath.Join(t.TempDir(), "beam"), 2, 3)
	runPipeline(t, "prism", inputs, cfg)
	sameTree(t, "study flags", want, cfg.Out)
}

// TestNoInputRead gives the pipeline only inputs that cannot be read: the
// job succeeds and writes summary.json with every read error, as port0
// analyze does, and no table.
func TestNoInputRead(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pcap")
	if err := os.WriteFile(bad, []byte("not a capture"), 0o644); err != nil {
		t.Fatal(err)
	}
	inputs := []string{bad, filepath.Join(dir, "missing.pcap")}
	o := analyze.Options{Study: study.DefaultOptions()}
	want := filepath.Join(dir, "analyze")
	analyze.Run(inputs, nil, want, o) // ErrNoInput, with summary.json
	cfg := ConfigOf(o, filepath.Join(dir, "beam"), 2, 4)
	runPipeline(t, "prism", inputs, cfg)
	sameTree(t, "no input", want, cfg.Out)
	sum, err := analyze.ReadSummary(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.ReadErrors) != 2 || sum.Total.Files != 0 {
		t.Errorf("%d read errors, %d files read; want 2 and 0", len(sum.ReadErrors), sum.Total.Files)
	}
}

// analyzeFlags parses port0 analyze's study flags.
func analyzeFlags(t *testing.T, args ...string) analyze.Options {
	t.Helper()
	fs := newFlagSet()
	f := analyze.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	o, err := f.Options()
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestShardOf checks that the shards are fixed by the address alone and
// spread: the same shard on every call, every shard used by 10,000
// addresses.
func TestShardOf(t *testing.T) {
	seen := make([]int, 64)
	for i := range 10000 {
		a := addrN(i)
		k := ShardOf(a, 64)
		if k != ShardOf(a, 64) || k < 0 || k >= 64 {
			t.Fatalf("%v: shard %d", a, k)
		}
		seen[k]++
	}
	if slices.Contains(seen, 0) {
		t.Errorf("a shard of 64 got none of 10,000 addresses: %v", seen)
	}
}

// TestBeamFilesystem reads the inputs through a Beam filesystem (memfs,
// the in-memory one; gs:// and s3:// are read the same way) and writes
// the outputs there: a Hive-partitioned glob is matched by the
// filesystem's List, each file read through OpenRead, the analysis folder
// written through OpenWrite, and it is port0 analyze's on the same files
// on disk, but for the file names. A file that cannot be read is a read
// error, as on disk.
func TestBeamFilesystem(t *testing.T) {
	sample := filepath.Join(testcap.Root(), "testdata", "gen-sample")
	local := filepath.Join(t.TempDir(), "tele")
	files := map[string]string{
		"year=2016/month=01/day=01/hour=00/a.pcap":    filepath.Join(sample, "2016-01-01.pcap"),
		"year=2016/month=01/day=02/hour=00/b.pcap":    filepath.Join(sample, "2016-01-02.pcap"),
		"year=2016/month=01/day=02/hour=01/c.pcap":    filepath.Join(testcap.CorpusDir(), "cut_mid_record.pcap"),
		"year=2016/month=01/day=02/hour=02/d.pcap.gz": filepath.Join(testcap.CorpusDir(), "gzip_truncated.pcap.gz"),
	}
	for rel, src := range files {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		memfs.Write("memfs://tele/"+rel, b)
		if err := os.MkdirAll(filepath.Dir(filepath.Join(local, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(local, rel), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inputs, _, err := Match(context.Background(), []string{"memfs://tele/year=*/month=*/day=*/hour=*/*.pcap*"})
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := Match(context.Background(), []string{filepath.Join(local, "year=*/month=*/day=*/hour=*/*.pcap*")})
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) != 4 || len(want) != 4 {
		t.Fatalf("matched %q and %q", inputs, want)
	}
	o := analyze.Options{Study: study.DefaultOptions()}
	dir := filepath.Join(t.TempDir(), "analyze")
	analyzeInto(t, want, dir, o)
	// The outputs go to the filesystem too.
	cfg := ConfigOf(o, "memfs://out/analysis", 2, 4)
	runPipeline(t, "prism", inputs, cfg)
	x, y := testcap.Tree(t, dir), memTree(t, cfg.Out)
	if len(x) != len(y) || len(x) < 6 {
		t.Fatalf("%d files from analyze, %d from the pipeline", len(x), len(y))
	}
	for name, b := range x {
		b = bytes.ReplaceAll(b, []byte(local+"/"), []byte("memfs://tele/"))
		if !bytes.Equal(b, y[name]) {
			t.Errorf("%s differs but for the file names: %s", name, firstDiff(b, y[name]))
		}
	}
	sum, err := ReadSummary(context.Background(), cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.ReadErrors) != 2 || sum.Total.Files != 4 {
		t.Errorf("%d read errors, %d files read; want 2 and 4", len(sum.ReadErrors), sum.Total.Files)
	}
	// CSV and Parquet, the packets table in chunks of a few rows: the
	// chunks' writers copy their files to the filesystem under flat names,
	// and the folder written there is the one written on disk.
	defer tables.SetChunkRows(2)()
	o.Format = tables.Both
	cfg = ConfigOf(o, "memfs://out/both", 2, 4)
	runPipeline(t, "prism", inputs, cfg)
	disk := ConfigOf(o, filepath.Join(t.TempDir(), "both"), 2, 4)
	runPipeline(t, "prism", inputs, disk)
	x, y = testcap.Tree(t, disk.Out), memTree(t, cfg.Out)
	parquet := 0
	for name, b := range x {
		if !bytes.Equal(b, y[name]) {
			t.Errorf("-format both: %s differs (%d bytes on disk, %d through the filesystem)", name, len(b), len(y[name]))
		}
		if strings.HasPrefix(name, tables.PacketsDir+"/") {
			parquet++
		}
	}
	if len(x) != len(y) || parquet < 2 {
		t.Errorf("-format both: %d files on disk (%d packets parts), %d through the filesystem", len(x), parquet, len(y))
	}
}

// memTree reads every file below the memfs folder url, by name relative
// to it.
func memTree(t *testing.T, url string) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	fs := memfs.New(ctx)
	var names []string
	for _, glob := range []string{"/*", "/*/*/*"} { // files, and the Parquet tables' day partitions
		n, err := fs.List(ctx, url+glob)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, n...)
	}
	m := map[string][]byte{}
	for _, n := range names {
		r, err := fs.OpenRead(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		m[strings.TrimPrefix(n, url+"/")] = b
	}
	return m
}

// firstDiff shows the lines around the first difference of a and b.
func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-200)
	return fmt.Sprintf("at byte %d:\n--- analyze\n%s\n--- pipeline\n%s", i, a[lo:min(len(a), i+200)], b[lo:min(len(b), i+200)])
}
