package tables

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// Format is which files the writers write: CSV (the default, the zero
// value), Parquet, or both. It is a flag.Value.
type Format uint8

// The formats.
const (
	CSV Format = iota
	Parquet
	Both
)

var formatNames = [...]string{CSV: "csv", Parquet: "parquet", Both: "both"}

// String names the format as -format takes it.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// Set parses a format's name: csv, parquet or both.
func (f *Format) Set(s string) error {
	for i, n := range formatNames {
		if s == n {
			*f = Format(i)
			return nil
		}
	}
	return fmt.Errorf("format %q: want csv, parquet or both", s)
}

// ParseFormat parses a format's name: csv, parquet or both.
func ParseFormat(s string) (Format, error) {
	var f Format
	err := f.Set(s)
	return f, err
}

// WritesCSV and WritesParquet say whether f writes the CSV tables and the
// Parquet ones.
func (f Format) WritesCSV() bool     { return f != Parquet }
func (f Format) WritesParquet() bool { return f == Parquet || f == Both }

// The Parquet tables in an analysis folder: packets and timeseries are
// folders partitioned by day (Hive style, the day in the folder's name
// only: PacketsDir/day=YYYY-MM-DD/part-N.parquet), the others one file.
const (
	PacketsDir     = "packets"
	SourcesParquet = "sources.parquet"
	EventsParquet  = "events.parquet"
	BundlesParquet = "bundles.parquet"
	SeriesDir      = "timeseries"
)

const (
	// RowGroupRows bounds the rows of one row group: what a Parquet writer
	// holds in memory, and a reader decodes at once.
	RowGroupRows = 128 << 10
	// PartRows bounds the rows of one part file of a day: a day's rows
	// past it go to part-1.parquet, part-2.parquet, ...
	PartRows = 4 << 20
	// maxOpenDays bounds the days whose part file is open at once: a day
	// that comes back after this many others starts a new part.
	maxOpenDays = 4
	// batchRows is how many rows a writer converts before handing them
	// to the Parquet writer, and a reader reads at once.
	batchRows = 1024
)

// partRows is PartRows; tests lower it.
var partRows int64 = PartRows

// The Parquet tables: the CSV's columns, in the CSV's order and with its
// names, typed by the declarations (columns.go). Times are INT64
// TIMESTAMP(NANOS) of UTC, the ns since the epoch, written
// isAdjustedToUTC=false (a timestamp without a zone): DuckDB reads that as
// TIMESTAMP_NS, exact, and casts it to the UTC date whatever its
// session's TimeZone, where it reads isAdjustedToUTC=true as TIMESTAMP
// WITH TIME ZONE, to the microsecond (it has no ns type with a zone);
// counts INT64 (the packets' index and time DELTA_BINARY_PACKED); ports,
// TTLs and IP IDs the narrowest unsigned INT logical type that holds them
// (UINT16, UINT8, UINT32 — DuckDB's USMALLINT, UTINYINT, UINTEGER);
// floats DOUBLE, exact; addresses and the fields the CSV writes as words
// (enums, protocols, TCP flags, probe sets and orders, "-") the same
// strings, dictionary-encoded but for the addresses and the probe order.
// tcp_flags is NULL for a packet that is not TCP (the CSV's empty field),
// outer_src and outer_dst for a packet not found in a tunnel.

// values parses the string fields of one Parquet row, keeping the first
// error with the file, the row (1-based) and the column.
type values struct {
	path string
	row  int64
	err  error
}

func (v *values) fail(col string, err error) {
	if v.err == nil && err != nil {
		v.err = fmt.Errorf("%s: row %d: column %s: %w", v.path, v.row, col, err)
	}
}

func (v *values) addr(col, s string) netip.Addr {
	a, err := netip.ParseAddr(s)
	v.fail(col, err)
	return a
}

// pqFile is one Parquet file being written: rows are converted in
// batches, row groups bounded by RowGroupRows, zstd-compressed.
type pqFile[T any] struct {
	path string
	f    *File
	w    *parquet.GenericWriter[T] // which buffers its writes
	buf  []T
	rows int64
}

// zstdCodec compresses every Parquet column (the default level, one
// goroutine: the output does not depend on the machine).
var zstdCodec = &zstd.Codec{Level: zstd.SpeedDefault, Concurrency: 1}

// writerOptions configure every Parquet writer: zstd, row groups of
// RowGroupRows at most, pages of 64 KiB (a writer holds a page buffer
// per column: 1 MiB for the packets table's 15, not the library's 256 KiB
// each).
var writerOptions = []parquet.WriterOption{
	parquet.Compression(zstdCodec),
	parquet.MaxRowsPerRowGroup(RowGroupRows),
	parquet.PageBufferSize(64 << 10),
}

// createParquet starts a Parquet file at path.
func createParquet[T any](path string) (*pqFile[T], error) { return createParquetShown[T](path, path) }

// createParquetShown is createParquet of a file that errors call shown
// (createShown).
func createParquetShown[T any](path, shown string) (*pqFile[T], error) {
	f, err := createShown(path, shown)
	if err != nil {
		return nil, err
	}
	w := parquet.NewGenericWriter[T](f, writerOptions...)
	return &pqFile[T]{path: shown, f: f, w: w, buf: make([]T, 0, batchRows)}, nil
}

// add appends one row.
func (p *pqFile[T]) add(r T) error {
	p.buf = append(p.buf, r)
	p.rows++
	if len(p.buf) == cap(p.buf) {
		return p.flush()
	}
	return nil
}

// flush hands the batch to the Parquet writer.
func (p *pqFile[T]) flush() error {
	if len(p.buf) == 0 {
		return nil
	}
	_, err := p.w.Write(p.buf)
	clear(p.buf)
	p.buf = p.buf[:0]
	return p.named(err)
}

// named is err (nil for nil) naming the file, unless it does already.
func (p *pqFile[T]) named(err error) error {
	var pe *fs.PathError
	if err == nil || errors.As(err, &pe) && pe.Path == p.path {
		return err
	}
	return &fs.PathError{Op: "write", Path: p.path, Err: err}
}

// close ends the file and renames it to its final name; err, the
// writing's error, comes first, and with an error the file is removed.
func (p *pqFile[T]) close(err error) error {
	if err == nil {
		err = p.flush()
	}
	if cerr := p.w.Close(); err == nil && cerr != nil {
		err = p.named(cerr)
	}
	return p.f.Commit(err)
}

// writeParquet writes rows, converted by conv, as the Parquet file path.
func writeParquet[R, T any](path string, rows Rows[R], conv func(*R) T) error {
	p, err := createParquet[T](path)
	if err != nil {
		return err
	}
	err = rows(func(r *R) error { return p.add(conv(r)) })
	return p.close(err)
}

// dayParts writes a table partitioned by day: dir/day=YYYY-MM-DD/part-N.parquet,
// a day's rows in the order given, a new part every partRows rows, and
// when a day comes back after maxOpenDays others.
type dayParts[T any] struct {
	out  *Dir          // the table's folder, written under its temporary name
	dir  string        // out.Path()
	open []*dayPart[T] // the most recent day first
	next map[int64]int // the next part of each day
	made []DayPart     // the parts started, in order
}

// DayPart is one part file of a table partitioned by day: the day (days
// since the epoch), its number N in the day (part-N.parquet) and its path
// once the table is complete.
type DayPart struct {
	Day  int64
	N    int
	Path string
}

type dayPart[T any] struct {
	day int64
	f   *pqFile[T]
}

// newDayParts starts the partitioned table dir, written under its
// temporary name (CreateDir) until close.
func newDayParts[T any](dir string) (*dayParts[T], error) {
	out, err := CreateDir(dir)
	if err != nil {
		return nil, err
	}
	return &dayParts[T]{out: out, dir: out.Path(), next: map[int64]int{}}, nil
}

// dayOf is the UTC day of ts (ns since the epoch), in days since the
// epoch.
func dayOf(ts int64) int64 {
	d, _ := floorDiv(ts, 86400e9)
	return d
}

// dayFolder names the partition folder of day.
func dayFolder(day int64) string {
	return "day=" + time.Unix(day*86400, 0).UTC().Format(time.DateOnly)
}

// add appends r to the table of its day.
func (d *dayParts[T]) add(day int64, r T) error {
	if len(d.open) == 0 || d.open[0].day != day || d.open[0].f.rows >= partRows {
		if err := d.switchTo(day); err != nil {
			return err
		}
	}
	return d.open[0].f.add(r)
}

// switchTo makes day's part the first open one: the open one, or a new
// part when it is not open or full.
func (d *dayParts[T]) switchTo(day int64) error {
	i := slices.IndexFunc(d.open, func(o *dayPart[T]) bool { return o.day == day })
	if i >= 0 && d.open[i].f.rows < partRows {
		o := d.open[i]
		copy(d.open[1:i+1], d.open[:i])
		d.open[0] = o
		return nil
	}
	if i >= 0 { // full
		o := d.open[i]
		d.open = slices.Delete(d.open, i, i+1)
		if err := o.f.close(nil); err != nil {
			return err
		}
	}
	if len(d.open) == maxOpenDays {
		o := d.open[len(d.open)-1]
		d.open = d.open[:len(d.open)-1]
		if err := o.f.close(nil); err != nil {
			return err
		}
	}
	folder := filepath.Join(d.dir, dayFolder(day))
	if err := os.MkdirAll(folder, 0o755); err != nil {
		return err
	}
	n := d.next[day]
	d.next[day] = n + 1
	part := filepath.Join(folder, partName(n))
	f, err := createParquetShown[T](part, d.out.Shown(part))
	if err != nil {
		return err
	}
	d.made = append(d.made, DayPart{Day: day, N: n, Path: d.out.Shown(part)})
	d.open = slices.Insert(d.open, 0, &dayPart[T]{day, f})
	return nil
}

// partName is the name of a day's part n.
func partName(n int) string { return "part-" + strconv.Itoa(n) + ".parquet" }

// closeOpen ends every open part (err, the writing's, comes first, and
// with an error the parts are removed): the next row of any day starts a
// new part.
func (d *dayParts[T]) closeOpen(err error) error {
	for _, o := range d.open {
		if cerr := o.f.close(err); err == nil {
			err = cerr
		}
	}
	d.open = nil
	return err
}

// close ends every open part and renames the folder to its final name;
// err, the writing's, comes first, and with an error the folder is
// removed.
func (d *dayParts[T]) close(err error) error {
	return d.out.Commit(d.closeOpen(err))
}

// writeDays writes rows, converted by conv, partitioned by the day of
// their time into dir.
func writeDays[R, T any](dir string, rows []R, conv func(*R) T, ts func(*R) int64) error {
	d, err := newDayParts[T](dir)
	if err != nil {
		return err
	}
	for i := range rows {
		if err = d.add(dayOf(ts(&rows[i])), conv(&rows[i])); err != nil {
			break
		}
	}
	return d.close(err)
}

// PacketWriter writes the packets table a row at a time, as CSV
// (allocating nothing per row), Parquet, or both.
type PacketWriter struct {
	csv *packetCSV
	pq  *dayParts[pqPacket]
	// chunk counts the rows since the last chunk started, file is the
	// input of the last row (the chunk rule, chunks.go); oneChunk says
	// the writer writes one chunk (CreatePacketsChunk) and never cuts.
	chunk    int64
	file     string
	oneChunk bool
}

// CreatePackets starts dir/packets.csv.
func CreatePackets(dir string) (*PacketWriter, error) { return CSV.CreatePackets(dir) }

// CreatePackets starts the packets table in dir in the formats of f:
// dir/packets.csv, dir/packets/day=YYYY-MM-DD/part-N.parquet, or both.
// Like every writer of f, it removes the table's files of the other
// format, so that dir never holds the tables of two runs.
func (f Format) CreatePackets(dir string) (*PacketWriter, error) {
	return f.createPackets(dir, packetsHeader, false)
}

// createPackets is CreatePackets, the CSV with header (nil: none), of one
// chunk when oneChunk (CreatePacketsChunk).
func (f Format) createPackets(dir string, header []string, oneChunk bool) (*PacketWriter, error) {
	if err := staleWriters(PacketsFile); err != nil {
		return nil, err
	}
	if err := f.clear(dir, PacketsFile, PacketsDir); err != nil {
		return nil, err
	}
	pw := &PacketWriter{oneChunk: oneChunk}
	var err error
	if f.WritesCSV() {
		if pw.csv, err = createPacketsCSV(dir, header); err != nil {
			return nil, err
		}
	}
	if f.WritesParquet() {
		if pw.pq, err = newDayParts[pqPacket](filepath.Join(dir, PacketsDir)); err != nil {
			return nil, pw.Close(err)
		}
	}
	return pw, nil
}

// WritePacketRows writes the packets table into dir, in the formats of
// f, from rows.
func (f Format) WritePacketRows(dir string, rows Rows[PacketRow]) error {
	pw, err := f.CreatePackets(dir)
	if err != nil {
		return err
	}
	return pw.Close(rows(pw.Write))
}

// Write appends one row.
func (pw *PacketWriter) Write(p *PacketRow) error {
	if pw.csv != nil {
		if err := pw.csv.write(p); err != nil {
			return err
		}
	}
	if pw.pq != nil {
		if p.File != pw.file && !pw.oneChunk {
			if pw.chunk >= chunkRows {
				if err := pw.pq.closeOpen(nil); err != nil {
					return err
				}
				pw.chunk = 0
			}
			pw.file = p.File
		}
		pw.chunk++
		return pw.pq.add(dayOf(p.Time), packetParquet(p))
	}
	return nil
}

// Close ends the table; err, when not nil, is an error of the caller's
// that ended the writing early and is returned.
func (pw *PacketWriter) Close(err error) error {
	if pw.csv != nil {
		err = pw.csv.t.close(err)
	}
	if pw.pq != nil {
		err = pw.pq.close(err)
	}
	return err
}

// clear removes the table's files that f does not write: the CSV file
// unless f writes CSV, and always the Parquet file or folder (a folder
// of day partitions is written anew, without the days of a run before).
func (f Format) clear(dir, csvName, pqName string) error {
	if !f.WritesCSV() {
		if err := os.Remove(filepath.Join(dir, csvName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return os.RemoveAll(filepath.Join(dir, pqName))
}

// WriteSources writes dir/sources.csv.
func WriteSources(dir string, rows []SourceRow) error { return CSV.WriteSources(dir, rows) }

// WriteEvents writes dir/events.csv.
func WriteEvents(dir string, rows []EventRow) error { return CSV.WriteEvents(dir, rows) }

// WriteBundles writes dir/bundles.csv.
func WriteBundles(dir string, rows []BundleRow) error { return CSV.WriteBundles(dir, rows) }

// WriteSeries writes dir/timeseries.csv.
func WriteSeries(dir string, rows []SeriesRow) error { return CSV.WriteSeries(dir, rows) }

// writeBoth clears the table's other format and writes it in the formats
// of f.
func (f Format) writeBoth(dir, csvName, pqName string, csv, pq func() error) error {
	if err := staleWriters(csvName); err != nil {
		return err
	}
	if err := f.clear(dir, csvName, pqName); err != nil {
		return err
	}
	if f.WritesCSV() {
		if err := csv(); err != nil {
			return err
		}
	}
	if f.WritesParquet() {
		return pq()
	}
	return nil
}

// WriteSources writes the sources table in the formats of f:
// dir/sources.csv, dir/sources.parquet, or both.
func (f Format) WriteSources(dir string, rows []SourceRow) error {
	return f.WriteSourceRows(dir, SliceRows(rows))
}

// WriteSourceRows is WriteSources of rows that stream (read once a
// format).
func (f Format) WriteSourceRows(dir string, rows Rows[SourceRow]) error {
	return f.writeBoth(dir, SourcesFile, SourcesParquet,
		func() error { return writeSourcesCSV(dir, rows) },
		func() error { return writeParquet(filepath.Join(dir, SourcesParquet), rows, sourceParquet) })
}

// WriteEvents writes the events table in the formats of f:
// dir/events.csv, dir/events.parquet, or both.
func (f Format) WriteEvents(dir string, rows []EventRow) error {
	return f.WriteEventRows(dir, SliceRows(rows))
}

// WriteEventRows is WriteEvents of rows that stream (read once a format).
func (f Format) WriteEventRows(dir string, rows Rows[EventRow]) error {
	return f.writeBoth(dir, EventsFile, EventsParquet,
		func() error { return writeEventsCSV(dir, rows) },
		func() error { return writeParquet(filepath.Join(dir, EventsParquet), rows, eventParquet) })
}

// WriteBundles writes the bundles table in the formats of f:
// dir/bundles.csv, dir/bundles.parquet, or both.
func (f Format) WriteBundles(dir string, rows []BundleRow) error {
	return f.WriteBundleRows(dir, SliceRows(rows))
}

// WriteBundleRows is WriteBundles of rows that stream (read once a
// format).
func (f Format) WriteBundleRows(dir string, rows Rows[BundleRow]) error {
	return f.writeBoth(dir, BundlesFile, BundlesParquet,
		func() error { return writeBundlesCSV(dir, rows) },
		func() error { return writeParquet(filepath.Join(dir, BundlesParquet), rows, bundleParquet) })
}

// WriteSeries writes the time series in the formats of f:
// dir/timeseries.csv, dir/timeseries/day=YYYY-MM-DD/part-0.parquet, or
// both.
func (f Format) WriteSeries(dir string, rows []SeriesRow) error {
	return f.writeBoth(dir, SeriesFile, SeriesDir,
		func() error { return writeSeriesCSV(dir, rows) },
		func() error {
			return writeDays(filepath.Join(dir, SeriesDir), rows, seriesParquet, func(r *SeriesRow) int64 { return r.Start })
		})
}
