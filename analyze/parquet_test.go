package analyze

import (
	"bytes"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/tables"
)

func names(m map[string][]byte) []string {
	var n []string
	for k := range m {
		n = append(n, k)
	}
	slices.Sort(n)
	return n
}

// TestParquetFormat analyzes the committed two-day sample as CSV, as
// Parquet (with one worker and with two) and as both: Parquet writes the
// day partitions and the single files (no CSV), the same bytes whatever
// the workers; both writes the CSV run's files and the Parquet run's;
// summary.json is the same in all; and the tables read back from the
// Parquet folder are the CSV folder's rows (floats exact: rounded as the
// CSV rounds them, they are the CSV's).
func TestParquetFormat(t *testing.T) {
	inputs, err := capture.ExpandInputs([]string{filepath.Join(testcap.Root(), "testdata", "gen-sample")})
	if err != nil {
		t.Fatal(err)
	}
	as := func(f tables.Format, workers int) string {
		o := options(workers)
		o.Format = f
		return run(t, inputs, o)
	}
	csvDir, pq, both := as(tables.CSV, 1), as(tables.Parquet, 1), as(tables.Both, 2)
	c, p, b := testcap.Tree(t, csvDir), testcap.Tree(t, pq), testcap.Tree(t, both)
	want := []string{
		tables.BundlesParquet, tables.EventsParquet,
		"packets/day=2016-01-01/part-0.parquet", "packets/day=2016-01-02/part-0.parquet",
		tables.SourcesParquet, SummaryFile,
		"timeseries/day=2016-01-01/part-0.parquet", "timeseries/day=2016-01-02/part-0.parquet",
	}
	if got := names(p); !slices.Equal(got, want) {
		t.Fatalf("format parquet wrote\n%v\nwant\n%v", got, want)
	}
	if !reflect.DeepEqual(testcap.Tree(t, as(tables.Parquet, 2)), p) {
		t.Error("format parquet: workers 1 and 2 write different bytes")
	}
	if !bytes.Equal(p[SummaryFile], c[SummaryFile]) {
		t.Error("summary.json: parquet differs from csv")
	}
	for name, data := range b {
		other, ok := c[name]
		if !ok {
			other, ok = p[name]
		}
		if !ok || !bytes.Equal(data, other) {
			t.Errorf("format both: %s is not the csv run's nor the parquet run's", name)
		}
	}
	if len(b) != len(c)+len(p)-1 {
		t.Errorf("format both: %d files, want %d (csv's and parquet's)", len(b), len(c)+len(p)-1)
	}

	var fromCSV, fromPQ []tables.PacketRow
	for dir, rows := range map[string]*[]tables.PacketRow{csvDir: &fromCSV, pq: &fromPQ} {
		err := tables.ReadPackets(dir, func(r *tables.PacketRow) error { *rows = append(*rows, *r); return nil })
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(fromCSV) < 1000 || !reflect.DeepEqual(fromPQ, fromCSV) {
		t.Errorf("packets: %d rows from Parquet, %d from CSV, or different rows", len(fromPQ), len(fromCSV))
	}
	same(t, "sources", tables.ReadSources, csvDir, pq)
	same(t, "events", tables.ReadEvents, csvDir, pq)
	same(t, "bundles", tables.ReadBundles, csvDir, pq)
	same(t, "timeseries", tables.ReadSeries, csvDir, pq)
}

// same reads a table from the CSV folder and from the Parquet one: the
// same rows, the Parquet's floats rounded as the CSV's.
func same[R any](t *testing.T, what string, read func(string) ([]R, error), csvDir, pq string) {
	t.Helper()
	c, err := read(csvDir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := read(pq)
	if err != nil {
		t.Fatal(err)
	}
	if len(c) == 0 || !reflect.DeepEqual(tables.AsCSV(p), c) {
		t.Errorf("%s: %d rows from Parquet, %d from CSV, or different rows", what, len(p), len(c))
	}
}
