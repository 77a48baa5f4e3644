package pipeline

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// largest is the largest size each of the pipeline's element metrics
// recorded in a run.
type largest map[string]int64

// runMeasured runs the study of inputs on Prism in-process into cfg.Out and
// returns the largest size each element metric recorded.
func runMeasured(t *testing.T, inputs []string, cfg Config) largest {
	t.Helper()
	p, s := beam.NewPipelineWithRoot()
	Build(s, inputs, cfg)
	pr, err := beam.Run(context.Background(), "prism", p)
	if err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	out := largest{}
	sum, most := map[string]int64{}, map[string]int64{}
	for _, d := range pr.Metrics().AllMetrics().Distributions() {
		if d.Key.Namespace != "port0" {
			continue
		}
		if k := d.Key.Name; k == "shard_records" || k == "sort_records" || k == "chunk_records" {
			sum[k] += d.Result().Sum
			most[k] = max(most[k], d.Result().Max)
			continue
		}
		out[d.Key.Name] = max(out[d.Key.Name], d.Result().Max)
	}
	for _, k := range []string{"sort_records", "shard_records", "chunk_records"} {
		if sum[k] > 0 {
			t.Logf("%s: the largest key holds %d of %d port-0 records (%.1f %%)", k, most[k], sum[k], 100*float64(most[k])/float64(sum[k]))
			// the share in thousandths, for the caller
			out[k+"_share_permille"] = 1000 * most[k] / sum[k]
		}
		if k == "chunk_records" { // bounded by the chunk size
			out[k] = most[k]
		}
	}
	return out
}

// TestLargestElement runs the pipeline on the default scenario at two
// scales ten times apart (PORT0_BEAM_SCALES, "1e-5,1e-4" say, to measure
// at larger ones) and logs each step's largest element and side-input
// element: the scan's batches are cut at FlushBytes, a shard's manifest
// names its files, and the writer's side inputs are the counts, the blocks
// of intervals and the manifests of shards and chunks, so none of them
// grows with the records (before the shards wrote their parts, the
// writer's side input held every classified record). The packets table is
// written in chunks of a fixed size (PORT0_BEAM_CHUNK_ROWS, 64 rows
// unless set), each by its own writer: the largest writer's share falls
// as the records grow. The outputs are port0 analyze's, byte for byte.
func TestLargestElement(t *testing.T) {
	scales := []float64{1e-7, 1e-6}
	chunkRows := int64(64)
	if env := os.Getenv("PORT0_BEAM_CHUNK_ROWS"); env != "" {
		var err error
		if chunkRows, err = strconv.ParseInt(env, 10, 64); err != nil {
			t.Fatalf("PORT0_BEAM_CHUNK_ROWS: %v", err)
		}
	}
	defer tables.SetChunkRows(chunkRows)()
	if env := os.Getenv("PORT0_BEAM_SCALES"); env != "" {
		scales = nil
		for _, f := range strings.Split(env, ",") {
			x, err := strconv.ParseFloat(f, 64)
			if err != nil {
				t.Fatalf("PORT0_BEAM_SCALES: %v", err)
			}
			scales = append(scales, x)
		}
	}
	flush := 64 * scan.RecordLen
	var runs []largest
	var records, busiestInput []int64
	for _, scale := range scales {
		inputs, err := capture.ExpandInputs([]string{multiDay(t, scale)})
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(t.TempDir(), "analysis")
		analyzeInto(t, inputs, want, analyze.Options{Study: study.DefaultOptions(), Format: tables.CSV})
		sum, err := analyze.ReadSummary(want)
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, sum.Port0.Port0Packets)
		byInput := map[string]int64{}
		if err := tables.ReadPackets(want, func(r *tables.PacketRow) error { byInput[r.File]++; return nil }); err != nil {
			t.Fatal(err)
		}
		busiestInput = append(busiestInput, slices.Max(slices.Collect(maps.Values(byInput))))
		cfg := Config{Out: filepath.Join(t.TempDir(), "beam"), Workers: 2, Shards: 8, FlushBytes: flush, Study: study.DefaultOptions(), Format: tables.CSV}
		runs = append(runs, runMeasured(t, inputs, cfg))
		sameTree(t, "scale "+strconv.FormatFloat(scale, 'g', -1, 64), want, cfg.Out)
		if _, err := os.Stat(filepath.Join(cfg.Out, PartsDir)); err == nil {
			t.Errorf("%s left in the output", PartsDir)
		}
	}
	var keys []string
	for k := range runs[len(runs)-1] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, r := range runs {
		t.Logf("scale %g: %d port-0 records, %d files", scales[i], records[i], 1096)
		for _, k := range keys {
			t.Logf("  %-40s largest %8d", k, r[k])
		}
	}
	first, last := runs[0], runs[len(runs)-1]
	if records[len(records)-1] < 5*records[0] {
		t.Fatalf("the scales hold %v port-0 records: too close to show growth", records)
	}
	for _, k := range keys {
		if strings.HasSuffix(k, "_share_permille") {
			continue
		}
		var bound int64
		switch k {
		case "scan_batch_bytes":
			bound = int64(flush + scan.RecordLen)
		case "writer_side_block_bytes":
			bound = 64 * (1024 + 256) // 64 intervals, a dense sketch and counts each
		case "chunk_records":
			// A chunk ends at the first input past chunkRows rows.
			bound = chunkRows - 1 + busiestInput[len(runs)-1]
		default: // a manifest: file names and three counts
			bound = first[k] + 64
		}
		if last[k] > bound {
			t.Errorf("%s: %d bytes at %d records (%d at %d): past %d", k, last[k], records[len(records)-1], first[k], records[0], bound)
		}
	}
	// The busiest source holds ~36 % of the records: its study is one
	// shard's, but its records' shuffle and sort spread over the sort keys.
	if share := last["sort_records_share_permille"]; share == 0 || share >= 125 {
		t.Errorf("the largest sort key holds %d ‰ of the records, want under 1/8", share)
	}
	// No writer of the packets table holds all of it: each a chunk.
	if share := last["chunk_records_share_permille"]; share == 0 || share == 1000 {
		t.Errorf("the largest chunk of the packets table holds %d ‰ of the rows", share)
	}
	if len(keys) < 4 {
		t.Errorf("only %d measured steps: %v", len(keys), keys)
	}
}

// TestShardWithinBudget: shards whose sources' state passes
// Config.StudyBytes study them in parts on disk (study.StudyWithin) and
// the pipeline still writes port0 analyze's bytes, CSV and Parquet: the
// writer merges the parts' records and rows as it merges the shards'.
func TestShardWithinBudget(t *testing.T) {
	inputs, err := capture.ExpandInputs([]string{multiDay(t, 1e-6)})
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(t.TempDir(), "analysis")
	analyzeInto(t, inputs, want, analyze.Options{Study: study.DefaultOptions(), Format: tables.Both})
	for _, budget := range []int64{16 << 10, 4 << 10} {
		cfg := Config{Out: filepath.Join(t.TempDir(), "beam"), Workers: 2, Shards: 3, StudyBytes: budget, Study: study.DefaultOptions(), Format: tables.Both}
		got := runMeasured(t, inputs, cfg)
		sameTree(t, fmt.Sprintf("study within %d bytes a shard", budget), want, cfg.Out)
		// A manifest of one part is ~550 bytes; of many, more.
		if got["shard_manifest_bytes"] < 1000 {
			t.Errorf("within %d bytes: the largest manifest is %d bytes: no shard studied its sources in parts", budget, got["shard_manifest_bytes"])
		}
	}
}

// TestPartCutShort: a file of classified records holding fewer than its
// shard says (cut short, or rewritten by a second attempt) is an error of
// the chunk's writer, not a packets table short of them.
func TestPartCutShort(t *testing.T) {
	dir := t.TempDir()
	p := scan.P0Packet{File: 0, Index: 7, TS: 1, Src: netip.MustParseAddr("192.0.2.1"), Dst: netip.MustParseAddr("198.18.0.1")}
	rec := append(p.AppendRecord(nil), 0)
	name := filepath.Join(dir, "shard-00000-0-000000.packets")
	if err := os.WriteFile(name, rec, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		n    int64
		fail bool
	}{{1, false}, {2, true}} {
		rows := 0
		err := mergeClassified(study.LocalStorage, []chunkRecords{{Run: sortedRun{Name: name, N: c.n}}}, 1, func(*scan.P0Packet, label.Class) error { rows++; return nil })
		if (err != nil) != c.fail || rows != 1 {
			t.Errorf("a part of 1 record listed as %d: %d rows, error %v", c.n, rows, err)
		}
	}
}
