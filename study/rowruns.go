package study

import (
	"bufio"
	"encoding/gob"
	"fmt"
	"io"
	"os"

	"github.com/port0/port0/internal/kmerge"
	"github.com/port0/port0/tables"
)

// RowRuns names the files holding one part's rows (Part.Finish's, each
// table in its order), one file a table: what WriteRows writes and
// MergedRows merges. The study in parts keeps them in its folder; a
// pipeline's shards write them to storage every worker reads.
type RowRuns struct {
	Sources, Events, Bundles string
}

// Storage opens the files of row runs: local files (LocalStorage) or a
// pipeline's filesystem.
type Storage struct {
	Create func(name string) (io.WriteCloser, error)
	Open   func(name string) (io.ReadCloser, error)
}

// LocalStorage is Storage on this machine's files.
var LocalStorage = Storage{
	Create: func(name string) (io.WriteCloser, error) { return os.Create(name) },
	Open:   func(name string) (io.ReadCloser, error) { return os.Open(name) },
}

// WriteRows writes the rows of pt to the files prefix.sources,
// prefix.events and prefix.bundles.
func WriteRows(s Storage, prefix string, pt *PartTables) (RowRuns, error) {
	r := RowRuns{Sources: prefix + ".sources", Events: prefix + ".events", Bundles: prefix + ".bundles"}
	if err := writeRun(s, r.Sources, pt.Sources); err != nil {
		return r, err
	}
	if err := writeRun(s, r.Events, pt.Events); err != nil {
		return r, err
	}
	return r, writeRun(s, r.Bundles, pt.Bundles)
}

// MergedRows are the tables of several parts, each part's rows in the
// files of its RowRuns, merged a row at a time in each table's order: the
// rows of the study of all the parts' sources together.
type MergedRows struct {
	Storage Storage
	Runs    []RowRuns
}

// SourceRows are the sources table's rows, merged.
func (m MergedRows) SourceRows() tables.Rows[tables.SourceRow] {
	return mergeRuns(m.Storage, m.names(func(r RowRuns) string { return r.Sources }), sourceLess)
}

// EventRows are the events table's rows, merged.
func (m MergedRows) EventRows() tables.Rows[tables.EventRow] {
	return mergeRuns(m.Storage, m.names(func(r RowRuns) string { return r.Events }), eventRowLess)
}

// BundleRows are the bundles table's rows, merged.
func (m MergedRows) BundleRows() tables.Rows[tables.BundleRow] {
	return mergeRuns(m.Storage, m.names(func(r RowRuns) string { return r.Bundles }), bundleRowLess)
}

func (m MergedRows) names(of func(RowRuns) string) []string {
	names := make([]string, len(m.Runs))
	for i, r := range m.Runs {
		names[i] = of(r)
	}
	return names
}

// writeRun writes rows, in their order, to the file name (gob).
func writeRun[R any](s Storage, name string, rows []R) error {
	err := s.Write(name, func(w io.Writer) error {
		enc := gob.NewEncoder(w)
		for i := range rows {
			if err := enc.Encode(&rows[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rows: %w", err)
	}
	return nil
}

// Write writes the file name through a 64 KiB buffer: what write writes
// to it, flushed and closed; an error names the file.
func (s Storage) Write(name string, write func(w io.Writer) error) error {
	out, err := s.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 64<<10)
	err = write(w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// run is one sorted run being merged: its file and its current row.
type run[R any] struct {
	name string
	dec  *gob.Decoder
	row  R
}

// next reads the run's next row; false at its end.
func (r *run[R]) next() (bool, error) {
	var zero R
	r.row = zero // gob leaves a field that is zero in the stream as it was
	err := r.dec.Decode(&r.row)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("rows: %s: %w", r.name, err)
	}
	return true, nil
}

// mergeRuns is the rows of the sorted runs in the files names, merged in
// the order less (a total order of the table's rows).
func mergeRuns[R any](s Storage, names []string, less func(a, b *R) bool) tables.Rows[R] {
	return func(yield func(*R) error) error {
		var runs []*run[R]
		for _, name := range names {
			f, err := s.Open(name)
			if err != nil {
				return fmt.Errorf("rows: %w", err)
			}
			defer f.Close()
			r := &run[R]{name: name, dec: gob.NewDecoder(bufio.NewReaderSize(f, 16<<10))}
			if ok, err := r.next(); err != nil {
				return err
			} else if ok {
				runs = append(runs, r)
			}
		}
		return kmerge.Merge(runs, func(a, b *run[R]) bool { return less(&a.row, &b.row) }, (*run[R]).next,
			func(r *run[R]) error { return yield(&r.row) })
	}
}
