package tables

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
)

// stored says which format to read a table in: CSV when dir/csvName is
// there (or when neither is: the CSV reader reports the missing file),
// else Parquet when dir/pqName is.
func stored(dir, csvName, pqName string) Format {
	if _, err := os.Stat(filepath.Join(dir, csvName)); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return CSV
	}
	if _, err := os.Stat(filepath.Join(dir, pqName)); err == nil {
		return Parquet
	}
	return CSV
}

// ReadPackets calls fn with every row of the packets table of dir, in
// order: dir/packets.csv, or else the Parquet parts of dir/packets/, day
// after day and part after part (for captures in time order, the CSV's
// order). fn must not keep the row past the call.
func ReadPackets(dir string, fn func(*PacketRow) error) error {
	if stored(dir, PacketsFile, PacketsDir) == Parquet {
		return readDays(filepath.Join(dir, PacketsDir), packetColumns, fn)
	}
	return readCSV(dir, packetColumns, fn)
}

// EachSource calls fn with every row of the sources table of dir
// (sources.csv, or else sources.parquet), in order, holding one row at a
// time. fn must not keep the row past the call.
func EachSource(dir string, fn func(*SourceRow) error) error {
	return readTable(dir, SourcesFile, SourcesParquet, sourceColumns, fn)
}

// EachEvent calls fn with every row of the events table of dir
// (events.csv, or else events.parquet), as EachSource does.
func EachEvent(dir string, fn func(*EventRow) error) error {
	return readTable(dir, EventsFile, EventsParquet, eventColumns, fn)
}

// EachBundle calls fn with every row of the bundles table of dir
// (bundles.csv, or else bundles.parquet), as EachSource does.
func EachBundle(dir string, fn func(*BundleRow) error) error {
	return readTable(dir, BundlesFile, BundlesParquet, bundleColumns, fn)
}

// ReadSources reads the whole sources table of dir (EachSource).
func ReadSources(dir string) ([]SourceRow, error) { return collect(dir, EachSource) }

// ReadEvents reads the whole events table of dir (EachEvent).
func ReadEvents(dir string) ([]EventRow, error) { return collect(dir, EachEvent) }

// ReadBundles reads the whole bundles table of dir (EachBundle).
func ReadBundles(dir string) ([]BundleRow, error) { return collect(dir, EachBundle) }

// readTable calls fn with every row of t, read from dir/csvName, or else
// from the Parquet file dir/pqName.
func readTable[R any](dir, csvName, pqName string, t *table[R], fn func(*R) error) error {
	if stored(dir, csvName, pqName) == Parquet {
		return readParquet(filepath.Join(dir, pqName), t, fn)
	}
	return readCSV(dir, t, fn)
}

// collect reads every row each calls fn with into a slice.
func collect[R any](dir string, each func(string, func(*R) error) error) ([]R, error) {
	var rows []R
	err := each(dir, func(r *R) error { rows = append(rows, *r); return nil })
	return rows, err
}

// ReadSeries reads the time series of dir: timeseries.csv, or else the
// day partitions of timeseries/, in day order.
func ReadSeries(dir string) ([]SeriesRow, error) {
	return collect(dir, func(dir string, fn func(*SeriesRow) error) error {
		if stored(dir, SeriesFile, SeriesDir) == Parquet {
			return readDays(filepath.Join(dir, SeriesDir), seriesColumns, fn)
		}
		return readCSV(dir, seriesColumns, fn)
	})
}

// readDays calls fn with every row of t's day partitions in dir, day by
// day and part by part.
func readDays[R any](dir string, t *table[R], fn func(*R) error) error {
	paths, err := dayPaths(dir)
	if err != nil {
		return err
	}
	for _, p := range paths {
		if err := readParquet(p, t, fn); err != nil {
			return err
		}
	}
	return nil
}

// dayPaths lists the part files of a table partitioned by day, in day
// order and part order. Names starting with "." or "_" (a system's or a
// tool's, like Spark's _SUCCESS) are skipped; any other name that is not
// a day folder or a part file is an error naming it.
func dayPaths(dir string) ([]string, error) {
	days, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, d := range days { // ReadDir sorts by name: "day=" and ISO dates sort as the days do
		name := d.Name()
		if skipped(name) {
			continue
		}
		date, ok := strings.CutPrefix(name, "day=")
		if _, err := time.Parse(time.DateOnly, date); !ok || err != nil || !d.IsDir() {
			return nil, fmt.Errorf("%s: not a day folder (want day=YYYY-MM-DD)", filepath.Join(dir, name))
		}
		parts, err := os.ReadDir(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		type part struct {
			n    int
			name string
		}
		var ps []part
		for _, p := range parts {
			if skipped(p.Name()) {
				continue
			}
			s, ok := strings.CutPrefix(p.Name(), "part-")
			s, ok2 := strings.CutSuffix(s, ".parquet")
			n, err := strconv.Atoi(s)
			if !ok || !ok2 || err != nil || n < 0 || strconv.Itoa(n) != s || p.IsDir() {
				return nil, fmt.Errorf("%s: not a part file (want part-N.parquet)", filepath.Join(dir, name, p.Name()))
			}
			ps = append(ps, part{n, p.Name()})
		}
		slices.SortFunc(ps, func(a, b part) int { return a.n - b.n })
		for _, p := range ps {
			paths = append(paths, filepath.Join(dir, name, p.name))
		}
	}
	return paths, nil
}

func skipped(name string) bool { return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") }

// readParquet calls fn with every row of the Parquet file path, after
// checking its columns against t's; fn must not keep the row past the
// call.
func readParquet[R any](path string, t *table[R], fn func(*R) error) error {
	fh, pf, err := openParquet(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	if err := checkSchema(path, pf.Schema(), t.schema, t.former); err != nil {
		return err
	}
	rd := parquet.NewReader(pf)
	defer rd.Close()
	buf := make([]parquet.Row, batchRows)
	v := &values{path: path}
	var r R
	for {
		n, err := rd.ReadRows(buf)
		for i := range buf[:n] {
			v.row++
			r = *new(R)
			t.readParquet(buf[i], &r, v)
			if v.err != nil {
				return v.err
			}
			if ferr := fn(&r); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
}

// openParquet opens the Parquet file path; the caller closes fh.
func openParquet(path string) (fh *os.File, pf *parquet.File, err error) {
	if fh, err = os.Open(path); err != nil {
		return nil, nil, err
	}
	st, err := fh.Stat()
	if err == nil {
		pf, err = parquet.OpenFile(fh, st.Size())
		if err != nil {
			err = fmt.Errorf("%s: %w", path, err)
		}
	}
	if err != nil {
		fh.Close()
		return nil, nil, err
	}
	return fh, pf, nil
}

// checkSchema holds a file's columns to the ones this port0 writes: the
// same names in the same order (a *ColumnError otherwise, as a CSV
// header's), each of the same type.
func checkSchema(path string, got, want *parquet.Schema, former []string) error {
	g, w := got.Fields(), want.Fields()
	for i := range max(len(g), len(w)) {
		switch {
		case i >= len(g):
			return &ColumnError{File: path, Column: i + 1, Want: w[i].Name()}
		case i >= len(w):
			return &ColumnError{File: path, Column: i + 1, Got: g[i].Name()}
		case g[i].Name() != w[i].Name() && (former == nil || g[i].Name() != former[i]):
			return &ColumnError{File: path, Column: i + 1, Got: g[i].Name(), Want: w[i].Name()}
		case !parquet.EqualNodes(g[i], w[i]):
			return fmt.Errorf("%s: column %d %q is %s, want %s", path, i+1, g[i].Name(), nodeType(g[i]), nodeType(w[i]))
		}
	}
	return nil
}

// nodeType describes a column's type.
func nodeType(n parquet.Node) string {
	s := n.Type().String()
	switch {
	case !n.Leaf():
		s = "a group"
	case n.Repeated():
		s = "repeated " + s
	case n.Optional():
		s = "optional " + s
	}
	return s
}

// AsCSV returns rows with every float as the CSV holds it (FmtFloat's 6
// decimals, read back): what the CSV reader gives for the rows the
// Parquet reader gives, which holds floats exact.
func AsCSV[R any](rows []R) []R {
	out := slices.Clone(rows)
	for i := range out {
		v := reflect.ValueOf(&out[i]).Elem()
		for j := range v.NumField() {
			if f := v.Field(j); f.Kind() == reflect.Float64 {
				x, err := strconv.ParseFloat(FmtFloat(f.Float()), 64)
				if err == nil {
					f.SetFloat(x)
				}
			}
		}
	}
	return out
}
