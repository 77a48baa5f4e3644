package duckdbtest

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// The example query of docs/OUTPUTS.md's "Loading the tables": port-0 packets
// per class per day, on each format. On the CSV the day is the UTC date of
// the time column (DuckDB's sniffer types it TIMESTAMP WITH TIME ZONE;
// the session is in UTC), on the Parquet it is the hive column day.
const (
	classDayCSV     = "SELECT CAST(time AS DATE) AS day, class, count(*) AS packets FROM read_csv(%s) GROUP BY ALL ORDER BY ALL"
	classDayParquet = "SELECT day, class, count(*) AS packets FROM read_parquet(%s, hive_partitioning = true) GROUP BY ALL ORDER BY ALL"
)

// classDay runs one of the queries on the analysis folder dir and returns
// its rows as "day class packets".
func classDay(db *sql.DB, format, dir string) ([]string, error) {
	var q string
	if format == "csv" {
		q = fmt.Sprintf(classDayCSV, sqlString(filepath.Join(dir, "packets.csv")))
	} else {
		q = fmt.Sprintf(classDayParquet, sqlString(filepath.Join(dir, "packets", "*", "*.parquet")))
	}
	_, rows, err := query(db, q)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		day := r[0]
		if t, ok := day.(time.Time); ok {
			day = t.UTC().Format(time.DateOnly)
		}
		out[i] = fmt.Sprint(day, " ", r[1], " ", r[2])
	}
	return out, nil
}

// TestClassDayQuery checks that the example query answers the same on
// both formats, and what counting packets.csv's rows in Go answers.
func TestClassDayQuery(t *testing.T) {
	db := openDB(t)
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			a := analyzed(t, in.name, in.path)
			csvRes, err := classDay(db, "csv", a.dir)
			if err != nil {
				t.Fatal(err)
			}
			pqRes, err := classDay(db, "parquet", a.dir)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(csvRes, pqRes) {
				t.Errorf("per class per day:\n  CSV     %q\n  Parquet %q", csvRes, pqRes)
			}
			header, rows, err := readCSV(filepath.Join(a.dir, "packets.csv"))
			if err != nil {
				t.Fatal(err)
			}
			ti, ci := slices.Index(header, "time"), slices.Index(header, "class")
			count := map[[2]string]int{}
			for _, r := range rows {
				ts, err := parseTime(r[ti])
				if err != nil {
					t.Fatal(err)
				}
				count[[2]string{utcDay(ts), r[ci]}]++
			}
			var want []string
			for k, n := range count {
				want = append(want, fmt.Sprint(k[0], " ", k[1], " ", n))
			}
			slices.Sort(want) // the queries order by day, then class: the same as the text when days are YYYY-MM-DD and classes have no space
			if !slices.Equal(pqRes, want) {
				t.Errorf("per class per day:\n  Parquet %q\n  Go      %q", pqRes, want)
			}
		})
	}
}

// BenchmarkClassDayQuery times the example query on packets.csv and on
// the day-partitioned packets Parquet, in an in-memory DuckDB with its
// default threads (one per core). The analysis folder is
// $PORT0_DUCKDB_ANALYSIS when set (one written by port0 analyze -format
// both), else the generator sample's.
func BenchmarkClassDayQuery(b *testing.B) {
	dir := os.Getenv("PORT0_DUCKDB_ANALYSIS")
	if dir == "" {
		dir = analyzed(b, inputs[0].name, inputs[0].path).dir
	}
	db := openDB(b)
	want, err := classDay(db, "csv", dir)
	if err != nil {
		b.Fatal(err)
	}
	if got, err := classDay(db, "parquet", dir); err != nil || !slices.Equal(got, want) {
		b.Fatalf("the formats answer differently (%v):\n  CSV     %q\n  Parquet %q", err, want, got)
	}
	sizes := map[string]int64{}
	if fi, err := os.Stat(filepath.Join(dir, "packets.csv")); err == nil {
		sizes["csv"] = fi.Size()
	}
	parts, _ := filepath.Glob(filepath.Join(dir, "packets", "*", "*.parquet"))
	for _, p := range parts {
		if fi, err := os.Stat(p); err == nil {
			sizes["parquet"] += fi.Size()
		}
	}
	for _, format := range []string{"csv", "parquet"} {
		b.Run(format, func(b *testing.B) {
			b.SetBytes(sizes[format]) // MB/s: of the files the query reads
			for b.Loop() {
				if _, err := classDay(db, format, dir); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
