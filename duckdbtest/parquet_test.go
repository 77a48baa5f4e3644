package duckdbtest

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/label"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// The inputs: paths relative to this folder, as the golden analysis
// tests give them (the file column holds them as given).
var inputs = []struct{ name, path string }{
	{"sample", "../testdata/gen-sample"},
	{"corpus", "../testdata/captures"},
}

// kind is how a column's values compare.
type kind int

const (
	kString kind = iota // exactly
	kInt                // exactly, as decimal
	kFloat              // as the CSV writes it: tables.FmtFloat, 6 decimals
	kTime               // as nanoseconds since the epoch (epoch_ns)
	// kOptString is a string column whose empty CSV field is NULL in the
	// Parquet (tcp_flags, for a packet that is not TCP): NULL exactly
	// where the CSV is empty, else the string exactly.
	kOptString
)

// column is one column of a table: its name (the CSV header's), how its
// values compare, and the type DuckDB reports for the Parquet column.
type column struct {
	name string
	kind kind
	duck string
}

// Types as DuckDB 1.5 reports them for what tables/parquet.go stores:
// INT64 → BIGINT, UINT_32/UINT_16/UINT_8 → UINTEGER/USMALLINT/UTINYINT,
// DOUBLE → DOUBLE, strings (plain or dictionary) → VARCHAR; the times
// follow their isAdjustedToUTC (duckTimeUTC, duckTimeLocal).
const (
	vBigint  = "BIGINT"
	vDouble  = "DOUBLE"
	vVarchar = "VARCHAR"
	vTime    = "" // duckTimeUTC or duckTimeLocal, as the file says: see checkSchema
)

// table is one analysis table and where its Parquet version lives.
type table struct {
	name    string   // packets, sources, …
	csv     string   // the CSV file in the analysis folder
	parquet string   // the Parquet file, or the folder of day partitions
	dayOf   string   // partitioned tables: the time column the day folder follows
	cols    []column // the CSV header, in order
	// key, for the partitioned tables, is the CSV's documented row
	// order as a unique sort key of a row (CSV text, in cols' order).
	key func(a *analysis, row []string) rowKey
}

// rowKey orders rows: two integers are enough for every table's key.
type rowKey [2]int64

func (k rowKey) cmp(o rowKey) int {
	if c := int(sign(k[0] - o[0])); c != 0 {
		return c
	}
	return int(sign(k[1] - o[1]))
}

func sign(x int64) int64 {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

var tableList = []table{
	{name: "packets", csv: tables.PacketsFile, parquet: "packets", dayOf: "time",
		cols: []column{{"file", kString, vVarchar}, {"index", kInt, vBigint}, {"time", kTime, vTime},
			{"src", kString, vVarchar}, {"dst", kString, vVarchar}, {"proto", kString, vVarchar},
			{"sport", kInt, "USMALLINT"}, {"dport", kInt, "USMALLINT"}, {"port0", kString, vVarchar},
			{"tcp_flags", kOptString, vVarchar}, {"ttl", kInt, "UTINYINT"}, {"ip_id", kInt, "UINTEGER"},
			{"shape", kString, vVarchar}, {"probe", kString, vVarchar}, {"class", kString, vVarchar},
			{"encap", kString, vVarchar}, {"outer_src", kOptString, vVarchar}, {"outer_dst", kOptString, vVarchar}},
		// input order: the file's position among the inputs, then the index
		key: func(a *analysis, r []string) rowKey {
			pos, ok := a.inputPos[r[0]]
			if !ok {
				pos = -1
			}
			return rowKey{int64(pos), mustInt(r[1])}
		}},
	{name: "sources", csv: tables.SourcesFile, parquet: "sources.parquet",
		cols: []column{{"src", kString, vVarchar}, {"class", kString, vVarchar}, {"tool", kString, vVarchar},
			{"tool_evidence", kString, vVarchar}, {"first", kTime, vTime}, {"last", kTime, vTime}, {"packets", kInt, vBigint}, {"bytes", kInt, vBigint},
			{"distinct_dsts", kInt, vBigint}, {"coverage", kFloat, vDouble}, {"rate_pps", kFloat, vDouble},
			{"top_dport", kInt, "USMALLINT"}, {"top_sport", kInt, "USMALLINT"}, {"tcp_packets", kInt, vBigint},
			{"udp_packets", kInt, vBigint}, {"top_flags", kString, vVarchar}, {"init_ttl", kInt, "UTINYINT"},
			{"ip_id_pattern", kString, vVarchar}, {"bundles", kInt, vBigint}, {"probes", kString, vVarchar}}},
	{name: "events", csv: tables.EventsFile, parquet: "events.parquet",
		cols: []column{{"victim", kString, vVarchar}, {"class", kString, vVarchar}, {"proto", kString, vVarchar},
			{"start", kTime, vTime}, {"end", kTime, vTime}, {"duration_s", kFloat, vDouble}, {"packets", kInt, vBigint},
			{"peak_pps", kFloat, vDouble}, {"service_port", kInt, "USMALLINT"}, {"observed_pps", kFloat, vDouble},
			{"estimated_attack_pps", kFloat, vDouble}, {"victim_stack", kString, vVarchar}}},
	{name: "bundles", csv: tables.BundlesFile, parquet: "bundles.parquet",
		cols: []column{{"src", kString, vVarchar}, {"dst", kString, vVarchar}, {"start", kTime, vTime},
			{"end", kTime, vTime}, {"duration_s", kFloat, vDouble}, {"probes", kString, vVarchar},
			{"order", kString, vVarchar}, {"distinct", kInt, vBigint}, {"distinguishes", kString, vVarchar}}},
	{name: "timeseries", csv: tables.SeriesFile, parquet: "timeseries", dayOf: "start",
		cols: []column{{"start", kTime, vTime}, {"class", kString, vVarchar}, {"packets", kInt, vBigint},
			{"sources", kInt, vBigint}},
		// the interval's start, then the class: all first, then label's order
		key: func(a *analysis, r []string) rowKey {
			return rowKey{mustTime(r[0]), classRank(r[1])}
		}},
}

// enumCols are the columns the writer must dictionary-encode (issue 17).
var enumCols = map[string]bool{"class": true, "shape": true, "probe": true, "tool": true}

// classRank is a class' place in timeseries.csv: all first, then the
// classes in label's order; -2 for a name label does not know.
func classRank(s string) int64 {
	if s == "all" {
		return -1
	}
	var c label.Class
	if c.UnmarshalText([]byte(s)) != nil {
		return -2
	}
	return int64(c)
}

func mustInt(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func mustTime(s string) int64 {
	ts, err := parseTime(s)
	if err != nil {
		return -1
	}
	return ts
}

// parseTime reads a CSV time (RFC 3339, UTC, to the nanosecond or to the
// second) as nanoseconds since the epoch.
func parseTime(s string) (int64, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, err
	}
	if !strings.HasSuffix(s, "Z") {
		return 0, fmt.Errorf("time %q is not in UTC", s)
	}
	return t.UnixNano(), nil
}

// analysis is one analyze.Run of an input, in CSV and Parquet.
type analysis struct {
	dir      string
	inputs   []string
	inputPos map[string]int
	sum      *analyze.Summary
}

var (
	tmpRoot  string
	runs     = map[string]*analysis{}
	runsMu   sync.Mutex
	runsErrs = map[string]error{}
)

func TestMain(m *testing.M) {
	var err error
	tmpRoot, err = os.MkdirTemp("", "port0-duckdbtest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(tmpRoot)
	os.Exit(code)
}

// analyzed runs analyze.Run over the input name once, writing both formats.
func analyzed(tb testing.TB, name, path string) *analysis {
	tb.Helper()
	runsMu.Lock()
	defer runsMu.Unlock()
	if a := runs[name]; a != nil {
		return a
	}
	if err := runsErrs[name]; err != nil {
		tb.Fatal(err)
	}
	a, err := runAnalysis(name, path)
	if err != nil {
		runsErrs[name] = err
		tb.Fatal(err)
	}
	runs[name] = a
	return a
}

func runAnalysis(name, path string) (*analysis, error) {
	in, err := capture.ExpandInputs([]string{path})
	if err != nil {
		return nil, err
	}
	a := &analysis{dir: filepath.Join(tmpRoot, name), inputs: in, inputPos: map[string]int{}}
	for i, f := range in {
		if _, dup := a.inputPos[f]; !dup {
			a.inputPos[f] = i
		}
	}
	a.sum, err = analyze.Run(in, nil, a.dir, analyze.Options{Study: study.DefaultOptions(), Format: tables.Both})
	if err != nil {
		return nil, fmt.Errorf("analyze %s: %w", path, err)
	}
	return a, nil
}

// openDB opens an in-memory DuckDB with one connection (so SET holds for
// every query) in UTC.
func openDB(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Exec("SET TimeZone = 'UTC'"); err != nil {
		tb.Fatal(err)
	}
	return db
}

// query runs q and returns its column names and rows, every value as
// database/sql scans it into an any.
func query(db *sql.DB, q string, args ...any) ([]string, [][]any, error) {
	rs, err := db.Query(q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("%w\nquery: %s", err, q)
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, nil, err
	}
	var out [][]any
	for rs.Next() {
		row := make([]any, len(cols))
		ptr := make([]any, len(cols))
		for i := range row {
			ptr[i] = &row[i]
		}
		if err := rs.Scan(ptr...); err != nil {
			return nil, nil, err
		}
		out = append(out, row)
	}
	return cols, out, rs.Err()
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqlIdent quotes s as an SQL identifier (order and end are keywords).
func sqlIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// readCSV reads a CSV table with encoding/csv: the header and the rows.
func readCSV(name string) ([]string, [][]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = false
	recs, err := r.ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(recs) == 0 {
		return nil, nil, fmt.Errorf("%s: no header", name)
	}
	return recs[0], recs[1:], nil
}

func TestParquetMatchesCSV(t *testing.T) {
	db := openDB(t)
	var version string
	if err := db.QueryRow("SELECT version()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	t.Logf("DuckDB %s", version)
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			a := analyzed(t, in.name, in.path)
			for _, tab := range tableList {
				t.Run(tab.name, func(t *testing.T) { checkTable(t, db, a, tab) })
			}
		})
	}
}

// TestParquetMatchesCSVDir runs the same checks on the analysis folder
// $PORT0_DUCKDB_ANALYSIS (written by port0 analyze -format both; the
// input order comes from its summary.json), when set: the ~10 M-packet
// capture's, say.
func TestParquetMatchesCSVDir(t *testing.T) {
	dir := os.Getenv("PORT0_DUCKDB_ANALYSIS")
	if dir == "" {
		t.Skip("PORT0_DUCKDB_ANALYSIS not set")
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Files []struct{ File string }
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	a := &analysis{dir: dir, inputPos: map[string]int{}}
	for i, f := range sum.Files {
		a.inputs = append(a.inputs, f.File)
		if _, dup := a.inputPos[f.File]; !dup {
			a.inputPos[f.File] = i
		}
	}
	db := openDB(t)
	for _, tab := range tableList {
		t.Run(tab.name, func(t *testing.T) { checkTable(t, db, a, tab) })
	}
}

// checkTable runs every check of one table of one analysis.
func checkTable(t *testing.T, db *sql.DB, a *analysis, tab table) {
	header, rows, err := readCSV(filepath.Join(a.dir, tab.csv))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range tab.cols {
		names = append(names, c.name)
	}
	if !slices.Equal(header, names) {
		t.Fatalf("%s header %q, want %q (update the column list of this test with docs/OUTPUTS.md)", tab.csv, header, names)
	}
	checkDuckCSV(t, db, filepath.Join(a.dir, tab.csv), header, rows)

	src, days := checkLayout(t, a, tab, rows)
	utc := checkSchema(t, db, tab, src)
	checkValues(t, db, a, tab, src, rows, utc)
	t.Logf("%d rows, %d columns; %d day partitions", len(rows), len(header), len(days))
}

// checkDuckCSV checks that DuckDB's read_csv, every column VARCHAR, reads
// the table as encoding/csv does (its empty fields are NULL).
func checkDuckCSV(t *testing.T, db *sql.DB, name string, header []string, rows [][]string) {
	t.Helper()
	cols, got, err := query(db, "SELECT * FROM read_csv("+sqlString(name)+", header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cols, header) {
		t.Errorf("read_csv columns %q, want %q", cols, header)
	}
	if len(got) != len(rows) {
		t.Fatalf("read_csv: %d rows, encoding/csv %d", len(got), len(rows))
	}
	bad := 0
	for i, r := range got {
		for j, v := range r {
			s, ok := v.(string)
			if v == nil {
				s, ok = "", true
			}
			if !ok || s != rows[i][j] {
				if bad++; bad <= 5 {
					t.Errorf("read_csv row %d column %s: %#v, encoding/csv %q", i+1, header[j], v, rows[i][j])
				}
			}
		}
	}
}

var (
	dayDir   = regexp.MustCompile(`^day=(\d{4}-\d{2}-\d{2})$`)
	partFile = regexp.MustCompile(`^part-\d+\.parquet$`)
)

// checkLayout checks where the Parquet table lies, and returns what
// read_parquet reads it from and the day partitions found.
func checkLayout(t *testing.T, a *analysis, tab table, rows [][]string) (src string, days []string) {
	t.Helper()
	p := filepath.Join(a.dir, tab.parquet)
	if tab.dayOf == "" {
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
			t.Fatalf("%s: want a file (%v)", p, err)
		}
		return sqlString(p), nil
	}
	ents, err := os.ReadDir(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		m := dayDir.FindStringSubmatch(e.Name())
		if !e.IsDir() || m == nil {
			t.Errorf("%s/%s: want only day=YYYY-MM-DD folders", tab.parquet, e.Name())
			continue
		}
		if _, err := time.Parse(time.DateOnly, m[1]); err != nil {
			t.Errorf("%s/%s: %v", tab.parquet, e.Name(), err)
		}
		days = append(days, m[1])
		parts, err := os.ReadDir(filepath.Join(p, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if len(parts) == 0 {
			t.Errorf("%s/%s is empty", tab.parquet, e.Name())
		}
		for _, f := range parts {
			if !f.Type().IsRegular() || !partFile.MatchString(f.Name()) {
				t.Errorf("%s/%s/%s: want only part-N.parquet files", tab.parquet, e.Name(), f.Name())
			}
		}
	}
	// One folder per UTC day the CSV has rows on, and no other.
	ti := slices.IndexFunc(tab.cols, func(c column) bool { return c.name == tab.dayOf })
	want := map[string]bool{}
	for _, r := range rows {
		if ts, err := parseTime(r[ti]); err == nil {
			want[utcDay(ts)] = true
		}
	}
	var wantDays []string
	for d := range want {
		wantDays = append(wantDays, d)
	}
	slices.Sort(wantDays)
	if !slices.Equal(days, wantDays) {
		t.Errorf("%s/: day folders %q, the CSV's %s has rows on %q", tab.parquet, days, tab.dayOf, wantDays)
	}
	if len(days) == 0 {
		t.Fatalf("%s/: no partition to read", tab.parquet)
	}
	return sqlString(filepath.Join(p, "*", "*.parquet")), days
}

func utcDay(ns int64) string { return time.Unix(0, ns).UTC().Format(time.DateOnly) }

// parquetFiles lists the Parquet files of a table.
func parquetFiles(t *testing.T, db *sql.DB, src string) []string {
	t.Helper()
	_, rows, err := query(db, "SELECT file FROM glob("+src+") ORDER BY file")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, r := range rows {
		files = append(files, r[0].(string))
	}
	return files
}

// readParquet is the read_parquet call of a table.
func readParquet(tab table, src string, extra string) string {
	q := "read_parquet(" + src
	if tab.dayOf != "" {
		q += ", hive_partitioning = true"
	}
	return q + extra + ")"
}

// The DuckDB type of a Parquet INT64 TIMESTAMP(NANOS, isAdjustedToUTC):
// DuckDB 1.5 has no nanosecond type with a time zone, so it reads an
// isAdjustedToUTC=true column as TIMESTAMP WITH TIME ZONE, microseconds,
// dropping the last three digits of every time; isAdjustedToUTC=false
// reads as TIMESTAMP_NS, exact.
const (
	duckTimeUTC   = "TIMESTAMP WITH TIME ZONE"
	duckTimeLocal = "TIMESTAMP_NS"
)

// checkSchema checks, file by file, the Parquet types, encodings and
// compression of a table, then the columns DuckDB sees. It returns
// whether the times are isAdjustedToUTC.
func checkSchema(t *testing.T, db *sql.DB, tab table, src string) (utc bool) {
	t.Helper()
	kinds := map[string]kind{}
	for _, c := range tab.cols {
		kinds[c.name] = c.kind
	}
	var annotations []string // of the time columns, every file's
	// The Parquet types, every file's (one query over the glob): times
	// INT64 TIMESTAMP(NANOS), all with the same isAdjustedToUTC, nothing
	// else that could read as a time.
	_, sch, err := query(db, "SELECT file_name, name, type, logical_type FROM parquet_schema("+src+") WHERE type IS NOT NULL ORDER BY file_name")
	if err != nil {
		t.Fatal(err)
	}
	leaves := map[string]int{}
	for _, s := range sch {
		f, _ := s[0].(string)
		name, _ := s[1].(string)
		typ, _ := s[2].(string)
		lt, _ := s[3].(string)
		leaves[f]++
		isTime := strings.Contains(lt, "Timestamp")
		switch {
		case kinds[name] == kTime && (typ != "INT64" || !isTime || !strings.Contains(lt, "NANOS=NanoSeconds()")):
			t.Errorf("%s: column %s is %s %s, want INT64 TIMESTAMP(NANOS)", rel(f), name, typ, lt)
		case kinds[name] == kTime:
			a := "isAdjustedToUTC=0"
			if strings.Contains(lt, "isAdjustedToUTC=1") {
				a = "isAdjustedToUTC=1"
			}
			if len(annotations) > 0 && annotations[0] != a {
				t.Errorf("%s: column %s is TIMESTAMP(NANOS, %s), other time columns %s", rel(f), name, a, annotations[0])
			}
			annotations = append(annotations, a)
		case isTime:
			t.Errorf("%s: column %s is a timestamp (%s)", rel(f), name, lt)
		}
	}
	files := parquetFiles(t, db, src)
	for _, f := range files {
		if leaves[f] != len(tab.cols) {
			t.Errorf("%s: %d leaf columns, want %d (is day stored in the file too?)", rel(f), leaves[f], len(tab.cols))
		}
	}
	// Compression and encodings, per column chunk of every file.
	_, md, err := query(db, "SELECT file_name, path_in_schema, compression, encodings FROM parquet_metadata("+src+")")
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, m := range md {
		f, _ := m[0].(string)
		path, _ := m[1].(string)
		comp, _ := m[2].(string)
		enc := fmt.Sprint(m[3])
		if comp != "ZSTD" && comp != "SNAPPY" {
			if bad++; bad <= 5 {
				t.Errorf("%s: column %s compressed %q, want ZSTD or SNAPPY", rel(f), path, comp)
			}
		}
		if enumCols[path] && !strings.Contains(enc, "DICTIONARY") {
			if bad++; bad <= 5 {
				t.Errorf("%s: enum column %s encoded %s, want a dictionary", rel(f), path, enc)
			}
		}
	}
	utc = len(annotations) > 0 && annotations[0] == "isAdjustedToUTC=1"

	// The columns DuckDB sees: the CSV's, with the types pinned above.
	_, desc, err := query(db, "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "+readParquet(tab, src, "")+")")
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, d := range desc {
		got = append(got, d[0].(string)+" "+d[1].(string))
	}
	for _, c := range tab.cols {
		typ := c.duck
		if c.kind == kTime {
			typ = duckTimeLocal
			if utc {
				typ = duckTimeUTC
			}
		}
		want = append(want, c.name+" "+typ)
	}
	if tab.dayOf != "" {
		want = append(want, "day DATE") // hive_partitioning's column, typed by hive_types_autocast
	}
	if !slices.Equal(got, want) {
		t.Errorf("DuckDB columns:\n  got  %q\n  want %q", got, want)
	}
	return utc
}

// rel shortens a path below the temporary folder for messages.
func rel(p string) string {
	if r, err := filepath.Rel(tmpRoot, p); err == nil {
		return r
	}
	return p
}

// pqRow is one Parquet row as read: its values in the CSV's column order,
// and for the partitioned tables the hive day and the file it came from.
type pqRow struct {
	vals []any
	day  string
	file string
}

// checkValues compares every Parquet row and value with the CSV's.
func checkValues(t *testing.T, db *sql.DB, a *analysis, tab table, src string, rows [][]string, utc bool) {
	t.Helper()
	var sel []string
	for _, c := range tab.cols {
		if c.kind == kTime {
			sel = append(sel, "epoch_ns("+sqlIdent(c.name)+")")
		} else {
			sel = append(sel, sqlIdent(c.name))
		}
	}
	q := "SELECT " + strings.Join(sel, ", ")
	if tab.dayOf != "" {
		q += ", CAST(day AS VARCHAR), filename FROM " + readParquet(tab, src, ", filename = true")
	} else {
		q += " FROM " + readParquet(tab, src, ", file_row_number = true") + " ORDER BY file_row_number"
	}
	_, raw, err := query(db, q)
	if err != nil {
		t.Fatal(err)
	}
	n := len(tab.cols)
	got := make([]pqRow, len(raw))
	for i, r := range raw {
		got[i] = pqRow{vals: r[:n]}
		if tab.dayOf != "" {
			got[i].day, _ = r[n].(string)
			got[i].file, _ = r[n+1].(string)
		}
	}
	if len(got) != len(rows) {
		t.Errorf("Parquet: %d rows, CSV %d", len(got), len(rows))
	}

	if tab.key != nil {
		// The CSV's order is the key's, strictly: then sorting the Parquet
		// rows by it gives the CSV's order.
		for i := 1; i < len(rows); i++ {
			if c := tab.key(a, rows[i-1]).cmp(tab.key(a, rows[i])); c >= 0 {
				t.Fatalf("%s rows %d and %d are not in the documented order (key %v, %v)", tab.csv, i, i+1, tab.key(a, rows[i-1]), tab.key(a, rows[i]))
			}
		}
		keys := make([]rowKey, len(got))
		for i, g := range got {
			txt := make([]string, n)
			for j, c := range tab.cols {
				txt[j] = render(c.kind, g.vals[j])
			}
			keys[i] = tab.key(a, txt)
		}
		idx := make([]int, len(got))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(x, y int) int { return keys[x].cmp(keys[y]) })
		sorted := make([]pqRow, len(got))
		for i, j := range idx {
			sorted[i] = got[j]
		}
		got = sorted
	}

	ti := slices.IndexFunc(tab.cols, func(c column) bool { return c.name == tab.dayOf })
	// Up to 3 differences are shown per column, then a count per column.
	const shown = 3
	bad := map[string]int{}
	truncated := 0
	fail := func(col, format string, args ...any) {
		t.Helper()
		if bad[col]++; bad[col] <= shown {
			t.Errorf(format, args...)
		}
	}
	for i := range min(len(got), len(rows)) {
		g, w := got[i], rows[i]
		for j, c := range tab.cols {
			if err := equal(c.kind, w[j], g.vals[j]); err != nil {
				if ns, ok := g.vals[j].(int64); ok && c.kind == kTime && utc && ns == mustTime(w[j])/1000*1000 {
					truncated++
				}
				fail(c.name, "row %d column %s: Parquet %s, CSV %q: %v", i+1, c.name, show(g.vals[j]), w[j], err)
			}
		}
		if tab.dayOf != "" {
			ts, err := parseTime(w[ti])
			if err != nil {
				fail("day", "row %d: %s %q: %v", i+1, tab.dayOf, w[ti], err)
			} else if d := utcDay(ts); g.day != d || !strings.Contains(g.file, string(filepath.Separator)+"day="+d+string(filepath.Separator)) {
				fail("day", "row %d: %s %s is on %s UTC, but its hive day is %q (file %s)", i+1, tab.dayOf, w[ti], d, g.day, rel(g.file))
			}
		}
	}
	for _, c := range append(slices.Clip(tab.cols), column{name: "day"}) {
		if n := bad[c.name]; n > shown {
			t.Errorf("column %s: %d rows differ", c.name, n)
		}
	}
	if truncated > 0 {
		t.Errorf("%d times lost their nanoseconds: DuckDB reads TIMESTAMP(NANOS, isAdjustedToUTC=true) as %s, to the microsecond. "+
			"Written with isAdjustedToUTC=false (parquet-go: timestamp(nanosecond:local)) they read as %s, exact", truncated, duckTimeUTC, duckTimeLocal)
	}
}

// show prints a Parquet value with its Go type.
func show(v any) string { return fmt.Sprintf("%v (%T)", v, v) }

// render writes a Parquet value as text for a sort key: times as RFC
// 3339 with nanoseconds, the rest as the CSV would.
func render(k kind, v any) string {
	switch k {
	case kTime:
		if ns, ok := v.(int64); ok {
			return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
		}
	case kFloat:
		if f, ok := v.(float64); ok {
			return tables.FmtFloat(f)
		}
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// equal compares a Parquet value with the CSV's text for a column of kind
// k.
func equal(k kind, csvText string, v any) error {
	if k == kOptString {
		switch {
		case v == nil && csvText != "":
			return fmt.Errorf("NULL, where the CSV has a value")
		case v != nil && csvText == "":
			return fmt.Errorf("not NULL, where the CSV is empty (a non-TCP packet's flags are NULL)")
		}
		if v == nil {
			return nil
		}
		k = kString
	}
	if v == nil {
		return fmt.Errorf("NULL")
	}
	switch k {
	case kString:
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("not a string")
		}
		if s != csvText {
			return fmt.Errorf("differs")
		}
	case kInt:
		var s string
		switch x := v.(type) {
		case int8, int16, int32, int64, uint8, uint16, uint32, uint64:
			s = fmt.Sprint(x)
		default:
			return fmt.Errorf("not an integer")
		}
		if s != csvText {
			return fmt.Errorf("differs")
		}
	case kFloat:
		f, ok := v.(float64)
		if !ok {
			return fmt.Errorf("not a DOUBLE")
		}
		if s := tables.FmtFloat(f); s != csvText {
			return fmt.Errorf("%s to 6 decimals", s)
		}
	case kTime:
		ns, ok := v.(int64)
		if !ok {
			return fmt.Errorf("epoch_ns is not an int64")
		}
		want, err := parseTime(csvText)
		if err != nil {
			return err
		}
		if ns != want {
			return fmt.Errorf("%s: %+d ns from the CSV's time", time.Unix(0, ns).UTC().Format(time.RFC3339Nano), ns-want)
		}
	}
	return nil
}
