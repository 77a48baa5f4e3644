package tables

import (
	"bufio"
	"path/filepath"
	"strings"

	"github.com/port0/port0/internal/csvtab"
)

// The header of each table: the columns, in order (the declarations'
// names). A reader wants exactly these.
var (
	packetsHeader = packetColumns.header
	sourcesHeader = sourceColumns.header
	eventsHeader  = eventColumns.header
	bundlesHeader = bundleColumns.header
	seriesHeader  = seriesColumns.header
)

// file is one table being written, under its temporary name (Create).
type file struct {
	f *File
	w *bufio.Writer
}

// create starts the table name in dir with its header (none: nil).
func create(dir, name string, header []string, size int) (*file, error) {
	f, err := Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(f, size)
	if header != nil {
		w.WriteString(strings.Join(header, ",") + "\n")
	}
	return &file{f, w}, nil
}

// close flushes the table and, unless err (the writing's error) or the
// flush fails, renames it to its final name; otherwise it removes it and
// returns the error.
func (t *file) close(err error) error {
	if ferr := t.w.Flush(); err == nil {
		err = ferr
	}
	return t.f.Commit(err)
}

// writeCSV writes a whole table of t's rows as its CSV file in dir, each
// row a line of appendRow (columns_gen.go).
func writeCSV[R any](dir string, t *table[R], rows Rows[R], appendRow func([]byte, *R, *csvState) []byte) error {
	f, err := create(dir, t.file, t.header, 64<<10)
	if err != nil {
		return err
	}
	st := newCSVState(t)
	var line []byte
	err = rows(func(r *R) error {
		line = appendRow(line[:0], r, st)
		_, err := f.w.Write(line)
		return err
	})
	return f.close(err)
}

// packetCSV writes packets.csv a row at a time (the table a study of a
// telescope's years holds hundreds of millions of rows of). It allocates
// nothing per row.
type packetCSV struct {
	t    *file
	st   *csvState
	line []byte
}

// createPacketsCSV starts dir/packets.csv, with header the table's
// (packetsHeader) or nil (a chunk's rows: chunks.go).
func createPacketsCSV(dir string, header []string) (*packetCSV, error) {
	t, err := create(dir, PacketsFile, header, 1<<20)
	if err != nil {
		return nil, err
	}
	return &packetCSV{t: t, st: newCSVState(packetColumns)}, nil
}

// write appends one row.
func (pw *packetCSV) write(p *PacketRow) error {
	pw.line = appendPacketCSV(pw.line[:0], p, pw.st)
	_, err := pw.t.w.Write(pw.line)
	return err
}

// writeSourcesCSV writes sources.csv.
func writeSourcesCSV(dir string, rows Rows[SourceRow]) error {
	return writeCSV(dir, sourceColumns, rows, appendSourceCSV)
}

// writeEventsCSV writes events.csv.
func writeEventsCSV(dir string, rows Rows[EventRow]) error {
	return writeCSV(dir, eventColumns, rows, appendEventCSV)
}

// writeBundlesCSV writes bundles.csv.
func writeBundlesCSV(dir string, rows Rows[BundleRow]) error {
	return writeCSV(dir, bundleColumns, rows, appendBundleCSV)
}

// writeSeriesCSV writes timeseries.csv.
func writeSeriesCSV(dir string, rows []SeriesRow) error {
	return writeCSV(dir, seriesColumns, SliceRows(rows), appendSeriesCSV)
}

// ColumnError is a table whose header is not the one this port0 writes: a
// column renamed, missing, moved or added.
type ColumnError = csvtab.ColumnError

// readCSV calls fn with every row of t's CSV file in dir, in order; fn
// must not keep the row past the call.
func readCSV[R any](dir string, t *table[R], fn func(*R) error) error {
	var r R
	return csvtab.ReadFormerly(dir, t.file, t.header, t.former, func(f *csvtab.Fields) error {
		r = *new(R)
		t.readCSV(f, &r)
		if err := f.Err(); err != nil {
			return err
		}
		return fn(&r)
	})
}
