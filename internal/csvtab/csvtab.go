// Package csvtab reads the project's CSV tables by column name, after
// checking that the header is exactly the one the writer writes: the one
// reader behind the analysis' tables (package tables) and the generator's
// (package gen), so that a renamed, missing, moved or added column fails
// the same way everywhere, naming the file and the column, and a value
// that does not parse names the file, the line and the column.
package csvtab

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ColumnError is a table whose header is not the one its writer writes: a
// column renamed, missing, moved or added.
type ColumnError struct {
	File   string
	Column int    // 1-based
	Got    string // "" for a missing column
	Want   string // "" for a column too many
}

// Error names the file, the column and what is wrong with it.
func (e *ColumnError) Error() string {
	switch {
	case e.Got == "":
		return fmt.Sprintf("%s: no column %d %q (the header ends before it)", e.File, e.Column, e.Want)
	case e.Want == "":
		return fmt.Sprintf("%s: column %d %q is not a column of this table", e.File, e.Column, e.Got)
	}
	return fmt.Sprintf("%s: column %d is %q, want %q", e.File, e.Column, e.Got, e.Want)
}

// Fields is one row, read by column name. Its parsers keep the first
// error, with the file, the line and the column; Err returns it.
type Fields struct {
	rec  []string
	err  error
	cols map[string]int
	file string
	line int
	// seq are the columns in the order the rows ask for them (a reader
	// asks in the same order row after row), next the place of the next
	// ask in it: a name compared (the same string: one pointer compare)
	// rather than looked up in cols, a field.
	seq  []colAt
	next int
}

// colAt is a column's name and its place in the row.
type colAt struct {
	name string
	i    int
}

// Str returns the named column as written.
func (f *Fields) Str(col string) string { return f.rec[f.index(col)] }

// index is the place of the column col in the row.
func (f *Fields) index(col string) int {
	if f.next < len(f.seq) && f.seq[f.next].name == col {
		f.next++
		return f.seq[f.next-1].i
	}
	c := colAt{col, f.cols[col]}
	if f.next < len(f.seq) {
		f.seq[f.next] = c
	} else {
		f.seq = append(f.seq, c)
	}
	f.next++
	return c.i
}

// Fail keeps err, the first of the row, naming the column.
func (f *Fields) Fail(col string, err error) {
	if f.err == nil && err != nil {
		f.err = fmt.Errorf("%s:%d: column %s: %w", f.file, f.line, col, err)
	}
}

// Err is the row's first error, or nil.
func (f *Fields) Err() error { return f.err }

// Int parses a signed integer of the given bits.
func (f *Fields) Int(col string, bits int) int64 {
	n, err := strconv.ParseInt(f.Str(col), 10, bits)
	f.Fail(col, err)
	return n
}

// Uint parses an unsigned integer of the given bits.
func (f *Fields) Uint(col string, bits int) uint64 {
	n, err := strconv.ParseUint(f.Str(col), 10, bits)
	f.Fail(col, err)
	return n
}

// Float parses a float.
func (f *Fields) Float(col string) float64 {
	x, err := strconv.ParseFloat(f.Str(col), 64)
	f.Fail(col, err)
	return x
}

// Time parses a UTC time (RFC 3339, to the second or finer, ending in Z)
// into nanoseconds since the epoch.
func (f *Fields) Time(col string) int64 {
	s := f.Str(col)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !strings.HasSuffix(s, "Z") {
		f.Fail(col, fmt.Errorf("time %q: want UTC as 2006-01-02T15:04:05Z, with or without a fraction", s))
	}
	return t.UnixNano()
}

// Addr parses an IP address.
func (f *Fields) Addr(col string) netip.Addr {
	a, err := netip.ParseAddr(f.Str(col))
	f.Fail(col, err)
	return a
}

// Text parses the column into v (an enum's UnmarshalText).
func (f *Fields) Text(col string, v interface{ UnmarshalText([]byte) error }) {
	f.Fail(col, v.UnmarshalText([]byte(f.Str(col))))
}

// Read reads the table name of dir: it checks the header against header
// (a *ColumnError otherwise) and calls row with each row, in order. The
// first error of a row's parsers, or row's own, ends the read.
func Read(dir, name string, header []string, row func(f *Fields) error) error {
	return ReadFormerly(dir, name, header, nil, row)
}

// ReadFormerly is Read of a table that had the header former (nil: none)
// before a column was renamed: a file with either header is read, each
// column by its current name.
func ReadFormerly(dir, name string, header, former []string, row func(f *Fields) error) error {
	path := filepath.Join(dir, name)
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	r := csv.NewReader(bufio.NewReaderSize(fh, 1<<20))
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: header: %w", path, err)
	}
	for i := range max(len(head), len(header)) {
		switch {
		case i >= len(head):
			return &ColumnError{File: path, Column: i + 1, Want: header[i]}
		case i >= len(header):
			return &ColumnError{File: path, Column: i + 1, Got: head[i]}
		case head[i] != header[i] && (former == nil || head[i] != former[i]):
			return &ColumnError{File: path, Column: i + 1, Got: head[i], Want: header[i]}
		}
	}
	f := &Fields{cols: make(map[string]int, len(header)), file: path}
	for i, c := range header {
		f.cols[c] = i
	}
	for f.line = 2; ; f.line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		f.rec, f.next = rec, 0
		if err := row(f); err != nil {
			return err
		}
		if f.err != nil {
			return f.err
		}
	}
}
