package tables

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/port0/port0/decode"
	"github.com/port0/port0/internal/testcap"
)

// pqCase is one table written in a Format and read back.
type pqCase struct {
	name   string   // the CSV table's file
	header []string // the CSV header
	path   string   // the Parquet file, or folder of days
	days   bool     // partitioned by day
	model  any      // the Parquet row
	// write writes n rows of seed (exact floats; the times of the
	// partitioned tables within three days, in no order) in format f and
	// returns them in the order a reader returns them: by day, and in the
	// order written within a day, for the partitioned ones.
	write func(t *testing.T, dir string, f Format, seed uint64, n int) any
	read  func(dir string) (any, error)
}

// exactRows are rows of seed with floats in full.
func exactRows[R any](seed uint64, n int, row func(g rowGen, i int) R) []R {
	g := newRowGen(seed)
	g.exact = true
	rows := make([]R, n)
	for i := range rows {
		rows[i] = row(g, i)
	}
	return rows
}

// inDays moves the times of rows into three days of 2016, at random, and
// returns them sorted by day as a reader of the day partitions gives them.
func inDays[R any](rows []R, seed uint64, ts func(*R) *int64, align int64) []R {
	g := newRowGen(seed + 100)
	base := int64(1451606400e9) // 2016-01-01
	for i := range rows {
		*ts(&rows[i]) = (base + g.r.Int64N(3*86400e9)) / align * align
	}
	want := slices.Clone(rows)
	slices.SortStableFunc(want, func(a, b R) int { return int(dayOf(*ts(&a)) - dayOf(*ts(&b))) })
	return want
}

func pqWhole[R any](name string, header []string, path string, model any, row func(g rowGen, i int) R,
	write func(Format, string, []R) error, read func(string) ([]R, error)) pqCase {
	return pqCase{name: name, header: header, path: path, model: model,
		write: func(t *testing.T, dir string, f Format, seed uint64, n int) any {
			rows := exactRows(seed, n, row)
			if err := write(f, dir, rows); err != nil {
				t.Fatal(err)
			}
			return rows
		},
		read: func(dir string) (any, error) { r, err := read(dir); return r, err }}
}

func writePacketsAs(f Format, dir string, rows []PacketRow) error {
	pw, err := f.CreatePackets(dir)
	if err != nil {
		return err
	}
	for i := range rows {
		if err := pw.Write(&rows[i]); err != nil {
			return pw.Close(err)
		}
	}
	return pw.Close(nil)
}

var pqCases = []pqCase{
	{name: PacketsFile, header: packetsHeader, path: PacketsDir, days: true, model: packetColumns.zero(),
		write: func(t *testing.T, dir string, f Format, seed uint64, n int) any {
			rows := exactRows(seed, n, rowGen.packet)
			want := inDays(rows, seed, func(p *PacketRow) *int64 { return &p.Time }, 1)
			if err := writePacketsAs(f, dir, rows); err != nil {
				t.Fatal(err)
			}
			return want
		},
		read: func(dir string) (any, error) { r, err := readPackets(dir); return r, err }},
	pqWhole(SourcesFile, sourcesHeader, SourcesParquet, sourceColumns.zero(), func(g rowGen, _ int) SourceRow { return g.source() }, Format.WriteSources, ReadSources),
	pqWhole(EventsFile, eventsHeader, EventsParquet, eventColumns.zero(), func(g rowGen, _ int) EventRow { return g.event() }, Format.WriteEvents, ReadEvents),
	pqWhole(BundlesFile, bundlesHeader, BundlesParquet, bundleColumns.zero(), func(g rowGen, _ int) BundleRow { return g.bundle() }, Format.WriteBundles, ReadBundles),
	{name: SeriesFile, header: seriesHeader, path: SeriesDir, days: true, model: seriesColumns.zero(),
		write: func(t *testing.T, dir string, f Format, seed uint64, n int) any {
			rows := exactRows(seed, n, func(g rowGen, _ int) SeriesRow { return g.series() })
			want := inDays(rows, seed, func(s *SeriesRow) *int64 { return &s.Start }, 3600e9)
			if err := f.WriteSeries(dir, rows); err != nil {
				t.Fatal(err)
			}
			return want
		},
		read: func(dir string) (any, error) { r, err := ReadSeries(dir); return r, err }},
}

func sameRows(t *testing.T, got, want any) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range min(gv.Len(), wv.Len()) {
		if !reflect.DeepEqual(gv.Index(i).Interface(), wv.Index(i).Interface()) {
			t.Fatalf("row %d:\n got %+v\nwant %+v", i, gv.Index(i).Interface(), wv.Index(i).Interface())
		}
	}
	t.Fatalf("%d rows read, want %d", gv.Len(), wv.Len())
}

// TestParquetRoundTrip writes each table as Parquet and reads it back:
// the very rows, floats exact (the CSV's 6 decimals are not Parquet's),
// the partitioned tables by day (in the order written within a day),
// with several parts a day and days coming back after others. The same
// rows give the same bytes; "both" writes the CSV's bytes and the
// Parquet's; the reader prefers the CSV; an empty table reads back as no
// rows.
func TestParquetRoundTrip(t *testing.T) {
	defer func(n int64) { partRows = n }(partRows)
	partRows = 37
	for _, c := range pqCases {
		t.Run(c.name, func(t *testing.T) {
			for _, n := range []int{0, 1, 500} {
				dir := t.TempDir()
				want := c.write(t, dir, Parquet, uint64(n)+7, n)
				if _, err := os.Stat(filepath.Join(dir, c.name)); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("format parquet wrote %s", c.name)
				}
				got, err := c.read(dir)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					if reflect.ValueOf(got).Len() != 0 {
						t.Fatalf("empty table: read %d rows", reflect.ValueOf(got).Len())
					}
				} else {
					sameRows(t, got, want)
				}
				// The same rows, the same bytes.
				pq := testcap.Tree(t, dir)
				again := t.TempDir()
				c.write(t, again, Parquet, uint64(n)+7, n)
				if b := testcap.Tree(t, again); !reflect.DeepEqual(b, pq) {
					t.Fatalf("the same rows written twice: different files")
				}
				// Both: the CSV alone's bytes, and the Parquet alone's.
				both, csvOnly := t.TempDir(), t.TempDir()
				c.write(t, both, Both, uint64(n)+7, n)
				c.write(t, csvOnly, CSV, uint64(n)+7, n)
				bf, cf := testcap.Tree(t, both), testcap.Tree(t, csvOnly)
				if len(cf) != 1 || !bytes.Equal(bf[c.name], cf[c.name]) {
					t.Fatalf("both: %s differs from the CSV alone's (CSV alone wrote %d files)", c.name, len(cf))
				}
				delete(bf, c.name)
				if !reflect.DeepEqual(bf, pq) {
					t.Fatalf("both: the Parquet files differ from Parquet alone's")
				}
				// With both, the reader reads the CSV: 6 decimals.
				if n > 0 && !c.days {
					fromCSV, err := c.read(both)
					if err != nil {
						t.Fatal(err)
					}
					sameRows(t, fromCSV, asCSV(want))
				}
			}
		})
	}
}

// asCSV is AsCSV of any table's rows.
func asCSV(rows any) any {
	switch r := rows.(type) {
	case []SourceRow:
		return AsCSV(r)
	case []EventRow:
		return AsCSV(r)
	case []BundleRow:
		return AsCSV(r)
	}
	panic(fmt.Sprintf("asCSV: %T", rows))
}

// colSpec is a column as a Parquet file holds it: its physical and
// logical type, whether it is dictionary-encoded and whether optional.
type colSpec struct {
	typ            string
	dict, optional bool
}

// specsOf are the columns of t as docs/OUTPUTS.md documents them: each
// kind of column's Parquet type, by column name.
func specsOf[R any](t *table[R]) map[string]colSpec {
	const ts, i64 = "INT64 TIMESTAMP(isAdjustedToUTC=false,unit=NANOS)", "INT64 INT(64,true)"
	types := map[kind]string{kInt64: i64, kInt: i64, kTime: ts, kSeconds: ts, kFloat: "DOUBLE",
		kUint8: "INT32 INT(8,false)", kUint16: "INT32 INT(16,false)", kUint32: "INT32 INT(32,false)"}
	m := map[string]colSpec{}
	for i := range t.cols {
		c := &t.cols[i]
		typ, ok := types[c.kind]
		if !ok {
			typ = "BYTE_ARRAY STRING"
		}
		m[c.name] = colSpec{typ, c.dict, c.optional()}
	}
	return m
}

// TestParquetSchema: each table's columns are the CSV header's, with the
// types docs/OUTPUTS.md documents.
func TestParquetSchema(t *testing.T) {
	specs := map[string]map[string]colSpec{PacketsFile: specsOf(packetColumns), SourcesFile: specsOf(sourceColumns),
		EventsFile: specsOf(eventColumns), BundlesFile: specsOf(bundleColumns), SeriesFile: specsOf(seriesColumns)}
	// The types of some columns, spelled out: the kinds' types above are
	// what the files hold.
	for col, typ := range map[string]string{"index": "INT64 INT(64,true)", "time": "INT64 TIMESTAMP(isAdjustedToUTC=false,unit=NANOS)",
		"sport": "INT32 INT(16,false)", "ttl": "INT32 INT(8,false)", "ip_id": "INT32 INT(32,false)", "src": "BYTE_ARRAY STRING"} {
		if got := specs[PacketsFile][col].typ; got != typ {
			t.Errorf("packets.csv: column %s declared %s, want %s", col, got, typ)
		}
	}
	for _, c := range pqCases {
		dir := t.TempDir()
		c.write(t, dir, Parquet, 3, 40)
		path := filepath.Join(dir, c.path)
		if c.days {
			paths, err := dayPaths(path)
			if err != nil || len(paths) == 0 {
				t.Fatalf("%s: %v %v", c.name, paths, err)
			}
			path = paths[0]
		}
		f := openTestParquet(t, path)
		md := f.Metadata()
		var names []string
		for _, el := range md.Schema[1:] {
			names = append(names, el.Name)
			typ := el.Type.V.String()
			if lt := el.LogicalType.String(); lt != "" {
				typ += " " + lt
			}
			spec := specs[c.name][el.Name]
			if typ != spec.typ {
				t.Errorf("%s: column %s is %s, want %s", c.name, el.Name, typ, spec.typ)
			}
			if opt := el.RepetitionType.V == format.Optional; opt != spec.optional {
				t.Errorf("%s: column %s optional %v", c.name, el.Name, opt)
			}
		}
		if !slices.Equal(names, c.header) {
			t.Errorf("%s: Parquet columns %v, want the CSV header %v", c.name, names, c.header)
		}
		for _, rg := range md.RowGroups {
			for _, cc := range rg.Columns {
				col := cc.MetaData.PathInSchema[0]
				if cc.MetaData.Codec != format.Zstd {
					t.Errorf("%s: column %s compressed %v, want ZSTD", c.name, col, cc.MetaData.Codec)
				}
				dict := slices.Contains(cc.MetaData.Encoding, format.RLEDictionary)
				if spec := specs[c.name][col]; dict != spec.dict {
					t.Errorf("%s: column %s (%s): dictionary-encoded %v", c.name, col, spec.typ, dict)
				}
			}
		}
		for _, el := range md.Schema {
			if el.Name == "day" {
				t.Errorf("%s: a day column in the file (the partition's folder holds the day)", c.name)
			}
		}
	}
}

func openTestParquet(t *testing.T, path string) *parquet.File {
	t.Helper()
	fh, f, err := openParquet(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fh.Close() })
	return f
}

// TestParquetNulls: tcp_flags is NULL for a packet that is not TCP, and
// "none" for a TCP packet without flags, in one batch and across batches
// (parquet-go v0.32.0 writes the zero strings of an optional string
// field that follow a value in the same batch as "", not NULL: the field
// is a pointer).
func TestParquetNulls(t *testing.T) {
	dir := t.TempDir()
	a := netip.MustParseAddr("192.0.2.1")
	var rows []PacketRow
	var want []string
	for i := range 3*batchRows + 7 {
		p := PacketRow{Time: int64(i), Proto: decode.ProtoUDP, File: "a", Src: a, Dst: a}
		w := "NULL"
		switch i % 7 {
		case 1:
			p.Proto, w = decode.ProtoTCP, "none"
		case 2:
			p.Proto, p.Flags, w = decode.ProtoTCP, decode.TCPFlagSYN, "S"
		case 3:
			p.Proto, p.Flags, w = decode.ProtoTCP, 1<<10, "" // a reserved bit alone: no letter, as in the CSV
		}
		rows = append(rows, p)
		want = append(want, w)
	}
	if err := writePacketsAs(Parquet, dir, rows); err != nil {
		t.Fatal(err)
	}
	f := openTestParquet(t, filepath.Join(dir, PacketsDir, "day=1970-01-01", "part-0.parquet"))
	r := parquet.NewReader(f)
	buf := make([]parquet.Row, len(rows))
	n, _ := r.ReadRows(buf)
	col := slices.Index(packetsHeader, "tcp_flags")
	var got []string
	for _, row := range buf[:n] {
		v := row[col]
		if v.IsNull() {
			got = append(got, "NULL")
		} else {
			got = append(got, string(v.ByteArray()))
		}
	}
	if !slices.Equal(got, want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("row %d: tcp_flags %q, want %q (%d rows read of %d)", i, got[i], want[i], len(got), len(want))
			}
		}
		t.Fatalf("%d rows read, want %d", len(got), len(want))
	}
	back, err := readPackets(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		if rows[i].Flags&(1<<9-1) != back[i].Flags {
			t.Fatalf("row %d: flags %#x read back %#x", i, rows[i].Flags, back[i].Flags)
		}
	}
}

// TestParquetLayout: the day partitions, the parts of a day, and what the
// reader of a partitioned table accepts.
func TestParquetLayout(t *testing.T) {
	defer func(n int64) { partRows = n }(partRows)
	partRows = 3
	day := int64(86400e9)
	base := 16801 * day // 2016-01-01
	var rows []PacketRow
	a := netip.MustParseAddr("192.0.2.1")
	// Day 0 (7 rows: parts 0, 1, 2), then days 1..5 (one row each, day 1
	// closed when 5 opens), then days 0 and 1 again.
	for i := range 7 {
		rows = append(rows, PacketRow{File: "a", Index: int64(i), Time: base + int64(i), Src: a, Dst: a})
	}
	for d := int64(1); d <= 5; d++ {
		rows = append(rows, PacketRow{File: "a", Index: 100 + d, Time: base + d*day, Src: a, Dst: a})
	}
	rows = append(rows, PacketRow{File: "a", Index: 200, Time: base + 5, Src: a, Dst: a}, PacketRow{File: "a", Index: 201, Time: base + day + 1, Src: a, Dst: a})
	dir := t.TempDir()
	if err := writePacketsAs(Parquet, dir, rows); err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range testcap.Tree(t, filepath.Join(dir, PacketsDir)) {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{
		"day=2016-01-01/part-0.parquet", "day=2016-01-01/part-1.parquet", "day=2016-01-01/part-2.parquet", "day=2016-01-01/part-3.parquet",
		"day=2016-01-02/part-0.parquet", "day=2016-01-02/part-1.parquet",
		"day=2016-01-03/part-0.parquet", "day=2016-01-04/part-0.parquet", "day=2016-01-05/part-0.parquet", "day=2016-01-06/part-0.parquet",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("files\n%v\nwant\n%v", names, want)
	}
	got, err := readPackets(dir)
	if err != nil {
		t.Fatal(err)
	}
	var idx []int64
	for _, p := range got {
		idx = append(idx, p.Index)
	}
	if w := []int64{0, 1, 2, 3, 4, 5, 6, 200, 101, 201, 102, 103, 104, 105}; !slices.Equal(idx, w) {
		t.Fatalf("read in the order %v, want %v", idx, w)
	}
	// Parts sort by number, not name: part-10 after part-9.
	pd := filepath.Join(dir, PacketsDir, "day=2016-01-03")
	if err := os.Rename(filepath.Join(pd, "part-0.parquet"), filepath.Join(pd, "part-10.parquet")); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(dir, PacketsDir, "day=2016-01-04", "part-0.parquet"), filepath.Join(pd, "part-9.parquet"))
	if got, _ := readPackets(dir); got[10].Index != 103 || got[11].Index != 102 {
		t.Errorf("part-9 is not read before part-10")
	}
	// Names starting with . or _ are skipped; another name is an error
	// naming it.
	os.WriteFile(filepath.Join(dir, PacketsDir, "_SUCCESS"), nil, 0o644)
	os.WriteFile(filepath.Join(pd, ".part-0.parquet.crc"), nil, 0o644)
	if _, err := readPackets(dir); err != nil {
		t.Errorf("_SUCCESS and a dot file: %v", err)
	}
	for _, bad := range []string{filepath.Join(PacketsDir, "day=2016-13-01"), filepath.Join(PacketsDir, "notes.txt"), filepath.Join(PacketsDir, "day=2016-01-03", "part-x.parquet"), filepath.Join(PacketsDir, "day=2016-01-03", "part-01.parquet")} {
		p := filepath.Join(dir, bad)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := readPackets(dir); err == nil || !strings.HasPrefix(err.Error(), p+": ") {
			t.Errorf("%s: err %v, want one naming it", bad, err)
		}
		os.Remove(p)
	}
	// Writing again replaces the days: none of the run before is left.
	if err := writePacketsAs(Parquet, dir, rows[:1]); err != nil {
		t.Fatal(err)
	}
	if got, err := readPackets(dir); err != nil || len(got) != 1 {
		t.Errorf("rewritten: %d rows, %v; want 1", len(got), err)
	}
	// CSV replaces Parquet, and Parquet CSV.
	if err := writePacketsAs(CSV, dir, rows); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, PacketsDir)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("CSV left %s", PacketsDir)
	}
	if err := writePacketsAs(Parquet, dir, rows); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, PacketsFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Parquet left %s", PacketsFile)
	}
	// An empty packets/ is an empty table.
	if err := writePacketsAs(Parquet, dir, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := readPackets(dir); err != nil || len(got) != 0 {
		t.Errorf("empty: %d rows, %v", len(got), err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// editedModel is the struct type of model with one field renamed (to
// "name_x"), dropped, retyped (int64 for a string, string for any other)
// or one added ("note"), and a value of it.
func editedModel(model any, field int, edit string) any {
	t := reflect.TypeOf(model)
	var fields []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("parquet"), ",")
		switch {
		case i == field && edit == "renamed":
			f.Tag = reflect.StructTag(`parquet:"` + name + `_x,` + opts + `"`)
		case i == field && edit == "missing":
			continue
		case i == field && edit == "retyped":
			if f.Type.Kind() == reflect.String {
				f.Type, f.Tag = reflect.TypeFor[int64](), reflect.StructTag(`parquet:"`+name+`"`)
			} else {
				f.Type, f.Tag = reflect.TypeFor[string](), reflect.StructTag(`parquet:"`+name+`"`)
			}
		}
		fields = append(fields, f)
	}
	if edit == "extra" {
		fields = append(fields, reflect.StructField{Name: "Note", Type: reflect.TypeFor[string](), Tag: `parquet:"note"`})
	}
	return reflect.New(reflect.StructOf(fields)).Interface()
}

// writeModel writes one zero row of model's type to path.
func writeModel(t *testing.T, path string, model any) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewWriter(f, parquet.SchemaOf(model))
	if err := w.Write(model); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestParquetColumnErrors: a Parquet table whose columns are renamed,
// missing, added or of another type fails its reader naming the file and
// the column (a *ColumnError, as the CSV's, but for the type).
func TestParquetColumnErrors(t *testing.T) {
	for _, c := range pqCases {
		last := len(c.header)
		for _, e := range []struct {
			edit  string
			field int
			want  ColumnError // File filled in; Column 0: not a ColumnError
		}{
			{"renamed", 1, ColumnError{Column: 2, Got: c.header[1] + "_x", Want: c.header[1]}},
			{"missing", last - 1, ColumnError{Column: last, Want: c.header[last-1]}},
			{"missing", 2, ColumnError{Column: 3, Got: c.header[3], Want: c.header[2]}},
			{"extra", -1, ColumnError{Column: last + 1, Got: "note"}},
			{"retyped", 2, ColumnError{}},
		} {
			t.Run(fmt.Sprintf("%s/%s-%d", c.name, e.edit, e.field), func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, c.path)
				if c.days {
					path = filepath.Join(path, "day=2016-01-01", "part-0.parquet")
				}
				writeModel(t, path, editedModel(c.model, e.field, e.edit))
				_, err := c.read(dir)
				if err == nil {
					t.Fatal("no error")
				}
				if !strings.HasPrefix(err.Error(), path+": ") {
					t.Errorf("%v: does not start with the file", err)
				}
				var ce *ColumnError
				if e.want.Column == 0 {
					col := c.header[e.field]
					if errors.As(err, &ce) || !strings.Contains(err.Error(), fmt.Sprintf("column %d %q is ", e.field+1, col)) {
						t.Errorf("%v: want the column and its type", err)
					}
					return
				}
				if !errors.As(err, &ce) {
					t.Fatalf("err %v (%T), want a *ColumnError", err, err)
				}
				want := e.want
				want.File = path
				if *ce != want {
					t.Errorf("got %+v, want %+v", *ce, want)
				}
			})
		}
	}
}

// TestParquetValueErrors: a value a reader cannot parse names the file,
// the row and the column.
func TestParquetValueErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, PacketsDir, "day=1970-01-01", "part-0.parquet")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	a := netip.MustParseAddr("2001:db8::1")
	good := packetParquet(&PacketRow{Proto: decode.ProtoUDP, Src: a, Dst: a})
	sx := "SX"
	for _, c := range []struct {
		col  string
		edit func(q *pqPacket)
	}{
		{"src", func(q *pqPacket) { q.Src = "10.0.0.256" }},
		{"proto", func(q *pqPacket) { q.Proto = "sctp" }},
		{"port0", func(q *pqPacket) { q.Port0 = "nowhere" }},
		{"tcp_flags", func(q *pqPacket) { q.TcpFlags = &sx }},
		{"class", func(q *pqPacket) { q.Class = "spam" }},
	} {
		bad := good
		c.edit(&bad)
		p, err := createParquet[pqPacket](path)
		if err != nil {
			t.Fatal(err)
		}
		p.add(good)
		p.add(good)
		p.add(bad)
		if err := p.close(nil); err != nil {
			t.Fatal(err)
		}
		_, err = readPackets(dir)
		if want := path + ": row 3: column " + c.col + ": "; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("err %v, want one starting %q", err, want)
		}
	}
	if _, err := ReadSources(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no table in either format: %v, want os.ErrNotExist", err)
	}
	os.WriteFile(filepath.Join(dir, EventsParquet), []byte("not parquet"), 0o644)
	if _, err := ReadEvents(dir); err == nil || !strings.HasPrefix(err.Error(), filepath.Join(dir, EventsParquet)+": ") {
		t.Errorf("not a Parquet file: %v", err)
	}
}

// TestFormat: the names -format takes.
func TestFormat(t *testing.T) {
	for _, f := range []Format{CSV, Parquet, Both} {
		g, err := ParseFormat(f.String())
		if err != nil || g != f {
			t.Errorf("%v: %v %v", f, g, err)
		}
	}
	if _, err := ParseFormat("json"); err == nil || !strings.Contains(err.Error(), "csv, parquet or both") {
		t.Errorf("json: %v", err)
	}
	var zero Format
	if zero != CSV || !zero.WritesCSV() || zero.WritesParquet() || Parquet.WritesCSV() || !Both.WritesCSV() || !Both.WritesParquet() {
		t.Error("the formats' files")
	}
}

// TestTextTable: the experiments' tables as Parquet, typed by their
// cells, and read back as text.
func TestTextTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.parquet")
	header := []string{"name", "n", "x", "mixed", "padded"}
	rows := [][]string{{"a", "1", "0.5", "1", "007"}, {"b b", "-20", "3", "x", "8"}, {"", "300", "1e-07", "2.5", "9"}}
	if err := WriteTextTable(path, header, rows); err != nil {
		t.Fatal(err)
	}
	f := openTestParquet(t, path)
	var types []string
	for _, el := range f.Metadata().Schema[1:] {
		types = append(types, el.Type.V.String())
	}
	if want := []string{"BYTE_ARRAY", "INT64", "DOUBLE", "BYTE_ARRAY", "DOUBLE"}; !slices.Equal(types, want) {
		t.Errorf("types %v, want %v", types, want)
	}
	h, got, err := ReadTextTable(path)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"a", "1", "0.5", "1", "7"}, {"b b", "-20", "3", "x", "8"}, {"", "300", "1e-07", "2.5", "9"}}
	if !slices.Equal(h, header) || !reflect.DeepEqual(got, want) {
		t.Errorf("read %v %v, want %v %v", h, got, header, want)
	}
	// No rows: string columns.
	if err := WriteTextTable(path, header, nil); err != nil {
		t.Fatal(err)
	}
	if h, got, err := ReadTextTable(path); err != nil || !slices.Equal(h, header) || len(got) != 0 {
		t.Errorf("empty: %v %v %v", h, got, err)
	}
	if err := WriteTextTable(path, []string{"a,b"}, nil); err == nil {
		t.Error("a column named a,b: no error")
	}
}

// TestTextWriter: a text table written row by row as CSV and Parquet
// gives the CSV that WriteTextCSV writes and the Parquet that
// WriteTextTable writes; Parquet alone leaves no CSV behind, a row of the
// wrong width is an error that leaves no file, and Abort removes what was
// written.
func TestTextWriter(t *testing.T) {
	header := []string{"src", "packets", "share"}
	rows := [][]string{{"10.0.0.1", "3", "1"}, {"10.0.0.2", "12", "0.25"}, {"10.0.0.3", "7", "x"}}
	dir := t.TempDir()
	whole := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if err := WriteTextCSV(filepath.Join(dir, "want.csv"), header, rows); err != nil {
		t.Fatal(err)
	}
	if err := WriteTextTable(filepath.Join(dir, "want.parquet"), header, rows); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		csv, pq  string
		wantKeep []string
	}{
		{"both", "both.csv", "both.parquet", []string{"both.csv", "both.parquet"}},
		{"csv", "csv.csv", "", []string{"csv.csv"}},
		{"parquet", "", "pq.parquet", []string{"pq.parquet"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sub := filepath.Join(dir, c.name)
			os.MkdirAll(sub, 0o755)
			join := func(n string) string {
				if n == "" {
					return ""
				}
				return filepath.Join(sub, n)
			}
			w, err := CreateText(join(c.csv), join(c.pq), header)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if err := w.Write(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			var names []string
			entries, _ := os.ReadDir(sub)
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if !slices.Equal(names, c.wantKeep) {
				t.Errorf("files %v, want %v", names, c.wantKeep)
			}
			if c.csv != "" && !bytes.Equal(whole(filepath.Join(c.name, c.csv)), whole("want.csv")) {
				t.Error("the CSV differs from WriteTextCSV's")
			}
			if c.pq != "" && !bytes.Equal(whole(filepath.Join(c.name, c.pq)), whole("want.parquet")) {
				t.Error("the Parquet differs from WriteTextTable's")
			}
		})
	}
	bad := filepath.Join(dir, "bad")
	os.MkdirAll(bad, 0o755)
	w, err := CreateText(filepath.Join(bad, "t.csv"), filepath.Join(bad, "t.parquet"), header)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"only one"}); err == nil {
		t.Error("a row of one cell for three columns: no error")
	}
	if err := w.Close(); err == nil {
		t.Error("Close after a bad row: no error")
	}
	a, err := CreateText(filepath.Join(bad, "a.csv"), filepath.Join(bad, "a.parquet"), header)
	if err != nil {
		t.Fatal(err)
	}
	a.Write(rows[0])
	a.Abort()
	a.Abort()
	if left, _ := os.ReadDir(bad); len(left) > 0 {
		t.Errorf("%d files left after an error and an Abort: %v", len(left), left)
	}
}
