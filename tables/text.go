package tables

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// TextWriter writes a table of text cells (the experiments' and the
// sweep's tables) row by row, as CSV (encoding/csv quoting), as Parquet,
// or both, holding no row: each row goes to the CSV as it comes, and the
// Parquet file is written at Close from the CSV, its columns typed by
// every cell seen (INT64 when each is a base-10 integer as strconv writes
// it, DOUBLE when each is a number, else a dictionary-encoded string).
// When only Parquet is wanted the CSV is a temporary file beside it,
// removed at Close. Both files are written under temporary names and
// renamed when complete (Create).
type TextWriter struct {
	header []string
	csv    *File // the CSV, or the temporary one Parquet is written from
	keep   bool  // whether csv is an output
	pq     string
	w      *csv.Writer
	kinds  []reflect.Kind
	rows   int
	err    error
	closed bool
}

// CreateText starts a text table with the given header: written as CSV
// to csvPath and as Parquet to pqPath, either of which may be empty (not
// both). A header that cannot name Parquet columns is an error when
// pqPath is given.
func CreateText(csvPath, pqPath string, header []string) (*TextWriter, error) {
	if csvPath == "" && pqPath == "" {
		return nil, errors.New("tables: CreateText without a file to write")
	}
	t := &TextWriter{header: header, keep: csvPath != "", pq: pqPath, kinds: make([]reflect.Kind, len(header))}
	if pqPath != "" {
		for j, h := range header {
			if h == "" || strings.ContainsAny(h, ",\"`") {
				return nil, fmt.Errorf("%s: column %d %q: not a name a Parquet column can have here", pqPath, j+1, h)
			}
		}
	}
	name := csvPath
	if !t.keep {
		name = pqPath + ".csv"
	}
	f, err := Create(name)
	if err != nil {
		return nil, err
	}
	t.csv, t.w = f, csv.NewWriter(f)
	for j := range t.kinds {
		t.kinds[j] = reflect.Int64
	}
	t.w.Write(header)
	return t, nil
}

// Write adds a row; it must have a cell for each column.
func (t *TextWriter) Write(rec []string) error {
	if t.err != nil {
		return t.err
	}
	t.rows++
	if len(rec) != len(t.header) {
		t.err = fmt.Errorf("%s: row %d has %d cells for %d columns", t.csv.Name(), t.rows, len(rec), len(t.header))
		return t.err
	}
	for j, s := range rec {
		t.kinds[j] = textKind(t.kinds[j], s)
	}
	t.err = t.w.Write(rec)
	return t.err
}

// textKind is the type a column of type k so far has once it holds s:
// Int64, Float64 or String.
func textKind(k reflect.Kind, s string) reflect.Kind {
	if k == reflect.Int64 {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && strconv.FormatInt(n, 10) == s {
			return k
		}
		k = reflect.Float64
	}
	if k == reflect.Float64 {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return k
		}
	}
	return reflect.String
}

// Close ends the table: the CSV is committed (or, when only Parquet is
// wanted, read back and removed) and the Parquet file written. After an
// error no file is left under a final name.
func (t *TextWriter) Close() error {
	if t.closed {
		return errors.New("tables: " + t.csv.Name() + " closed twice")
	}
	t.closed = true
	t.w.Flush()
	err := t.err
	if err == nil {
		err = t.w.Error()
	}
	if t.pq == "" {
		return t.csv.Commit(err)
	}
	if err == nil {
		err = t.writeParquet()
	}
	if t.keep {
		return t.csv.Commit(err)
	}
	t.csv.Discard()
	return err
}

// Abort ends a table that is not to be written, removing what was
// written of it; after Close it does nothing, so that it can be deferred.
func (t *TextWriter) Abort() {
	if !t.closed {
		t.closed = true
		t.csv.Discard()
	}
}

// writeParquet writes the Parquet file from the CSV written so far.
func (t *TextWriter) writeParquet() error {
	fields := make([]reflect.StructField, len(t.header))
	for j, h := range t.header {
		k := t.kinds[j]
		if t.rows == 0 {
			k = reflect.String
			t.kinds[j] = k
		}
		tag := h
		var typ reflect.Type
		switch k {
		case reflect.Int64:
			typ = reflect.TypeFor[int64]()
		case reflect.Float64:
			typ = reflect.TypeFor[float64]()
		default:
			typ, tag = reflect.TypeFor[string](), h+",dict"
		}
		fields[j] = reflect.StructField{Name: "F" + strconv.Itoa(j), Type: typ, Tag: reflect.StructTag(`parquet:"` + tag + `"`)}
	}
	schema := parquet.SchemaOf(reflect.New(reflect.StructOf(fields)).Interface())
	src, err := os.Open(t.csv.TempName())
	if err != nil {
		return err
	}
	defer src.Close()
	r := csv.NewReader(src)
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil { // the header
		return fmt.Errorf("%s: %w", t.csv.Name(), err)
	}
	f, err := Create(t.pq)
	if err != nil {
		return err
	}
	w := parquet.NewWriter(f, append([]parquet.WriterOption{schema}, writerOptions...)...)
	batch := make([]parquet.Row, 0, batchRows)
	read := 0
	for {
		rec, rerr := r.Read()
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = fmt.Errorf("%s: %w", t.csv.Name(), rerr)
			break
		}
		read++
		row := make(parquet.Row, len(rec))
		for j, s := range rec {
			var v parquet.Value
			switch t.kinds[j] {
			case reflect.Int64:
				n, _ := strconv.ParseInt(s, 10, 64)
				v = parquet.Int64Value(n)
			case reflect.Float64:
				x, _ := strconv.ParseFloat(s, 64)
				v = parquet.DoubleValue(x)
			default:
				v = parquet.ByteArrayValue([]byte(s))
			}
			row[j] = v.Level(0, 0, j)
		}
		if batch = append(batch, row); len(batch) == cap(batch) {
			if _, err = w.WriteRows(batch); err != nil {
				break
			}
			batch = batch[:0]
		}
	}
	if err == nil && len(batch) > 0 {
		_, err = w.WriteRows(batch)
	}
	if err == nil && read != t.rows {
		// encoding/csv writes a row of one empty cell as an empty line,
		// which its reader skips: such a table cannot go through the CSV.
		err = fmt.Errorf("%s: %d rows read back from the CSV of %d written", t.pq, read, t.rows)
	}
	if cerr := w.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("%s: %w", t.pq, cerr)
	}
	return f.Commit(err)
}

// WriteTextCSV writes a whole table of text cells as CSV (TextWriter).
func WriteTextCSV(path string, header []string, rows [][]string) error {
	return writeText(path, "", header, rows)
}

// WriteTextTable writes a whole table of text cells as the Parquet file
// path (TextWriter), typing each column by its cells.
func WriteTextTable(path string, header []string, rows [][]string) error {
	return writeText("", path, header, rows)
}

// writeText writes rows through a TextWriter.
func writeText(csvPath, pqPath string, header []string, rows [][]string) error {
	t, err := CreateText(csvPath, pqPath, header)
	if err != nil {
		return err
	}
	for _, rec := range rows {
		if t.Write(rec) != nil {
			break
		}
	}
	return t.Close()
}

// ReadTextTable reads a Parquet file of flat columns as text: the column
// names and each row's cells, integers and strings as written, doubles
// in the shortest form that parses back to the same number (not
// necessarily the text the CSV had: "0.500000" reads back "0.5").
func ReadTextTable(path string) (header []string, rows [][]string, err error) {
	err = EachText(path, func(h, rec []string) error {
		header = h
		rows = append(rows, slices.Clone(rec))
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if header == nil {
		header, err = TextColumns(path)
	}
	return header, rows, err
}

// EachText calls fn with the column names and each row's cells of a
// Parquet file of flat columns, as ReadTextTable reads them, one row at a
// time: fn must not keep rec past the call.
func EachText(path string, fn func(header, rec []string) error) error {
	fh, pf, err := openParquet(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	header, err := flatColumns(path, pf)
	if err != nil {
		return err
	}
	r := parquet.NewReader(pf)
	defer r.Close()
	buf := make([]parquet.Row, batchRows)
	rec := make([]string, len(header))
	for {
		n, rerr := r.ReadRows(buf)
		for _, row := range buf[:n] {
			clear(rec)
			for _, v := range row {
				if c := v.Column(); c >= 0 && c < len(rec) {
					rec[c] = valueText(v)
				}
			}
			if err := fn(header, rec); err != nil {
				return err
			}
		}
		if errors.Is(rerr, io.EOF) {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("%s: %w", path, rerr)
		}
	}
}

// TextColumns reads the column names of a Parquet file of flat columns
// (a text table's), without its rows.
func TextColumns(path string) ([]string, error) {
	fh, pf, err := openParquet(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return flatColumns(path, pf)
}

// flatColumns names the columns of pf, each of which must be flat.
func flatColumns(path string, pf *parquet.File) ([]string, error) {
	var header []string
	for _, f := range pf.Schema().Fields() {
		if !f.Leaf() || f.Repeated() {
			return nil, fmt.Errorf("%s: column %q is not a flat column", path, f.Name())
		}
		header = append(header, f.Name())
	}
	return header, nil
}

// valueText writes one Parquet value as text.
func valueText(v parquet.Value) string {
	switch v.Kind() {
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	case parquet.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		return strconv.FormatInt(v.Int64(), 10)
	case parquet.Float:
		return strconv.FormatFloat(float64(v.Float()), 'g', -1, 32)
	case parquet.Double:
		return strconv.FormatFloat(v.Double(), 'g', -1, 64)
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return string(v.ByteArray())
	}
	return "" // null
}
