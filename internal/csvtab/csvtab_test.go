package csvtab

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRead checks the header check and the field parsers: a table of the
// right header reads, each kind of wrong header is a *ColumnError naming
// the column, and each bad value names file, line and column.
func TestRead(t *testing.T) {
	header := []string{"n", "t", "a"}
	write := func(t *testing.T, body string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "x.csv"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	read := func(dir string) ([]int64, error) {
		var ns []int64
		err := Read(dir, "x.csv", header, func(f *Fields) error {
			ns = append(ns, f.Int("n", 64)+f.Time("t")/1e9)
			f.Addr("a")
			return nil
		})
		return ns, err
	}
	ns, err := read(write(t, "n,t,a\n1,1970-01-01T00:00:01Z,192.0.2.1\n2,1970-01-01T00:00:00.5Z,::1\n"))
	if err != nil || len(ns) != 2 || ns[0] != 2 || ns[1] != 2 {
		t.Fatalf("good table: %v, %v", ns, err)
	}
	for _, c := range []struct {
		name, head string
		want       ColumnError
	}{
		{"renamed", "n,time,a", ColumnError{Column: 2, Got: "time", Want: "t"}},
		{"missing", "n,t", ColumnError{Column: 3, Want: "a"}},
		{"extra", "n,t,a,b", ColumnError{Column: 4, Got: "b"}},
	} {
		dir := write(t, c.head+"\n")
		_, err := read(dir)
		var ce *ColumnError
		if !errors.As(err, &ce) {
			t.Fatalf("%s: error %v, want a *ColumnError", c.name, err)
		}
		c.want.File = filepath.Join(dir, "x.csv")
		if *ce != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, *ce, c.want)
		}
	}
	for _, c := range []struct{ row, col string }{
		{"x,1970-01-01T00:00:01Z,192.0.2.1", "n"},
		{"1,1970-01-01T00:00:01,192.0.2.1", "t"},
		{"1,1970-01-01T00:00:01+01:00,192.0.2.1", "t"},
		{"1,1970-01-01 00:00:01Z,192.0.2.1", "t"},
		{"1,,192.0.2.1", "t"},
		{"1,1970-01-01T00:00:01Z,nowhere", "a"},
	} {
		dir := write(t, "n,t,a\n1,1970-01-01T00:00:01Z,192.0.2.1\n"+c.row+"\n")
		_, err := read(dir)
		want := filepath.Join(dir, "x.csv") + ":3: column " + c.col + ":"
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("row %q: error %v, want one starting %q", c.row, err, want)
		}
	}
}

// TestColumnOrder: a reader that asks for the columns in another order
// from row to row (a column skipped, two swapped, one asked twice) reads
// each by its name all the same: the order remembered is only a shortcut.
func TestColumnOrder(t *testing.T) {
	dir := t.TempDir()
	body := "a,b,c\n1,2,3\n4,5,6\n7,8,9\n10,11,12\n"
	if err := os.WriteFile(filepath.Join(dir, "x.csv"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	asks := [][]string{{"a", "b", "c"}, {"c", "a"}, {"b", "b", "a", "c"}, {"a", "b", "c"}}
	var got []string
	row := 0
	err := Read(dir, "x.csv", []string{"a", "b", "c"}, func(f *Fields) error {
		for _, col := range asks[row] {
			got = append(got, col+"="+f.Str(col))
		}
		row++
		return nil
	})
	want := "a=1 b=2 c=3 c=6 a=4 b=8 b=8 a=7 c=9 a=10 b=11 c=12"
	if err != nil || strings.Join(got, " ") != want {
		t.Errorf("read %q, %v; want %q", strings.Join(got, " "), err, want)
	}
}
