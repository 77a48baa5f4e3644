package study

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/tables"
)

// rowsOf collects a table's streamed rows.
func rowsOf[R any](t *testing.T, rows tables.Rows[R]) []R {
	t.Helper()
	var out []R
	if err := rows(func(r *R) error { out = append(out, *r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRunWithinBudget runs the study within budgets that hold every
// source (one Part, New's study), a few thousand sources' worth (the
// records split once) and a few sources' worth (parts split again, down
// to maxDepth), and checks each gives New's tables and packet classes,
// row for row, and that a study in parts leaves no file after Close.
func TestRunWithinBudget(t *testing.T) {
	res := scanOf(t, testcap.Medium(t))
	st, want := studyOf(t, res)
	var wantPackets []tables.PacketRow
	if err := st.Packets(func(r *tables.PacketRow) error { wantPackets = append(wantPackets, *r); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		bytes   int64
		parts   bool // the study must run in parts
		deepest int  // ...and study a part at this level at least
	}{
		{"unbounded", 0, false, 0},
		{"ample", 1 << 40, false, 0},
		{"split once", 8 * sourceMem, true, 1},
		{"split again", 2 * sourceMem, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out, err := Run(res, DefaultOptions(), Budget{Bytes: tc.bytes, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			got, err := out.Tables()
			if err != nil {
				t.Fatal(err)
			}
			var packets []tables.PacketRow
			rows := out.(interface { // *Study and *spilled
				Packets(func(*tables.PacketRow) error) error
			})
			if err := rows.Packets(func(r *tables.PacketRow) error { packets = append(packets, *r); return nil }); err != nil {
				t.Fatal(err)
			}
			sp, parts := out.(Streamed)
			if parts != tc.parts {
				t.Fatalf("in parts: %v, want %v", parts, tc.parts)
			}
			if parts {
				if d := out.(*spilled).deepest; d < tc.deepest {
					t.Errorf("deepest part at level %d, want %d or deeper", d, tc.deepest)
				}
				got.Sources, got.Events, got.Bundles = rowsOf(t, sp.SourceRows()), rowsOf(t, sp.EventRows()), rowsOf(t, sp.BundleRows())
				// Rows read twice (a writer of CSV and Parquet) are the same.
				if again := rowsOf(t, sp.SourceRows()); !reflect.DeepEqual(again, got.Sources) {
					t.Error("the sources read a second time differ")
				}
			}
			for name, pair := range map[string][2]any{
				"summary": {*got.Summary, *want.Summary}, "sources": {got.Sources, want.Sources},
				"events": {got.Events, want.Events}, "bundles": {got.Bundles, want.Bundles},
				"series": {got.Series, want.Series}, "packets": {packets, wantPackets},
			} {
				if !reflect.DeepEqual(pair[0], pair[1]) {
					t.Errorf("%s differ from the one-part study's", name)
				}
			}
			if parts {
				if err := sp.Close(); err != nil {
					t.Fatal(err)
				}
				if left, _ := os.ReadDir(dir); len(left) > 0 {
					t.Errorf("%d files left after Close", len(left))
				}
			}
		})
	}
	if len(want.Bundles) == 0 || len(want.Events) == 0 || len(want.Sources) < 10 {
		t.Fatalf("the capture proves little: %d sources, %d bundles, %d events", len(want.Sources), len(want.Bundles), len(want.Events))
	}
}

// TestStudyWithin: the parts StudyWithin studies within a budget give, as
// a pipeline's shard merges them, the one-part study's rows and the class
// of every record, and leave no file behind.
func TestStudyWithin(t *testing.T) {
	res := scanOf(t, testcap.Medium(t))
	_, want := studyOf(t, res)
	wantClass := map[[2]int64]label.Class{}
	one := NewPart(DefaultOptions(), res.Interval)
	res.Records.Each(func(p *scan.P0Packet) error { one.Add(p); return nil })
	one.Decide()
	res.Records.Each(func(p *scan.P0Packet) error {
		wantClass[[2]int64{int64(p.File), p.Index}] = one.Count(p)
		return nil
	})
	tele := TelescopeAddrs(netip.MustParsePrefix(want.Summary.Telescope))
	for _, tc := range []struct {
		name  string
		bytes int64
		parts int // at least
	}{
		{"unbounded", 0, 1},
		{"split", 8 * sourceMem, 2},
		{"split again", 2 * sourceMem, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var progress bytes.Buffer
			rows := MergedRows{Storage: LocalStorage}
			parts, classed := 0, 0
			err := StudyWithin(DefaultOptions(), res.Interval, res.Records.Each, res.Records.Len(), len(res.Files), Budget{Bytes: tc.bytes, Dir: dir, Progress: &progress},
				func(pt *Part, each func(func(*scan.P0Packet) error) error) error {
					parts++
					if err := each(func(p *scan.P0Packet) error {
						classed++
						if c := pt.Count(p); c != wantClass[[2]int64{int64(p.File), p.Index}] {
							t.Errorf("record %d of input %d: class %v, want %v", p.Index, p.File, c, wantClass[[2]int64{int64(p.File), p.Index}])
						}
						return nil
					}); err != nil {
						return err
					}
					runs, err := WriteRows(LocalStorage, filepath.Join(t.TempDir(), "rows"), pt.Finish(tele))
					rows.Runs = append(rows.Runs, runs)
					return err
				})
			if err != nil {
				t.Fatal(err)
			}
			if parts < tc.parts || int64(classed) != res.Records.Len() {
				t.Errorf("%d parts (want %d or more), %d records classed of %d:\n%s", parts, tc.parts, classed, res.Records.Len(), progress.String())
			}
			for name, pair := range map[string][2]any{
				"sources": {rowsOf(t, rows.SourceRows()), want.Sources},
				"events":  {rowsOf(t, rows.EventRows()), want.Events},
				"bundles": {rowsOf(t, rows.BundleRows()), want.Bundles},
			} {
				if !reflect.DeepEqual(pair[0], pair[1]) {
					t.Errorf("%s differ from the one-part study's", name)
				}
			}
			if left, _ := os.ReadDir(dir); len(left) > 0 {
				t.Errorf("%d files left", len(left))
			}
		})
	}
}
