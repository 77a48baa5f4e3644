package tables

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

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
)

// The header of each table: the columns, in order. A reader wants exactly
// these.
var (
	packetsHeader = []string{"file", "index", "time", "src", "dst", "proto", "sport", "dport", "port0", "tcp_flags", "ttl", "ip_id", "shape", "probe", "class"}
	sourcesHeader = []string{"src", "class", "tool", "first", "last", "packets", "bytes", "distinct_dsts", "coverage", "rate_pps", "top_dport", "top_sport", "tcp_packets", "udp_packets", "top_flags", "init_ttl", "ip_id_pattern", "bundles", "probes"}
	eventsHeader  = []string{"victim", "class", "proto", "start", "end", "duration_s", "packets", "peak_pps", "service_port", "observed_pps", "estimated_attack_pps"}
	bundlesHeader = []string{"src", "dst", "start", "end", "duration_s", "probes", "order", "distinct", "distinguishes"}
	seriesHeader  = []string{"hour", "class", "packets", "sources"}
)

// file is one table being written.
type file struct {
	f *os.File
	w *bufio.Writer
}

// create starts the table name in dir with its header.
func create(dir, name string, header []string, size int) (*file, error) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(f, size)
	w.WriteString(strings.Join(header, ",") + "\n")
	return &file{f, w}, nil
}

// close flushes and closes the table; err is the writing's error, if any.
func (t *file) close(err error) error {
	if ferr := t.w.Flush(); err == nil {
		err = ferr
	}
	if cerr := t.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// write creates a whole table from rows, one call of row each.
func write[R any](dir, name string, header []string, rows []R, row func(w io.Writer, r *R) error) error {
	t, err := create(dir, name, header, 64<<10)
	if err != nil {
		return err
	}
	for i := range rows {
		if err = row(t.w, &rows[i]); err != nil {
			break
		}
	}
	return t.close(err)
}

// PacketWriter writes packets.csv a row at a time (the table a study of
// a telescope's years holds hundreds of millions of rows of). It
// allocates nothing per row.
type PacketWriter struct {
	t         *file
	line      []byte
	df        dayFormat
	file      string // the last row's file, and its field
	fileField string
	started   bool
}

// CreatePackets starts dir/packets.csv.
func CreatePackets(dir string) (*PacketWriter, error) {
	t, err := create(dir, PacketsFile, packetsHeader, 1<<20)
	if err != nil {
		return nil, err
	}
	return &PacketWriter{t: t}, nil
}

// Write appends one row.
func (pw *PacketWriter) Write(p *PacketRow) error {
	if !pw.started || p.File != pw.file {
		pw.file, pw.fileField, pw.started = p.File, csvField(p.File), true
	}
	line := pw.line[:0]
	line = append(line, pw.fileField...)
	line = append(line, ',')
	line = strconv.AppendInt(line, p.Index, 10)
	line = append(line, ',')
	line = pw.df.time(line, p.Time)
	line = append(line, ',')
	line = appendAddr(line, p.Src)
	line = append(line, ',')
	line = appendAddr(line, p.Dst)
	line = append(line, ',')
	line = append(line, ProtoName(p.Proto)...)
	line = append(line, ',')
	line = strconv.AppendUint(line, uint64(p.SrcPort), 10)
	line = append(line, ',')
	line = strconv.AppendUint(line, uint64(p.DstPort), 10)
	line = append(line, ',')
	line = append(line, p.Port0.String()...)
	line = append(line, ',')
	if p.Proto == decode.ProtoTCP {
		line = appendFlags(line, p.Flags)
	}
	line = append(line, ',')
	line = strconv.AppendUint(line, uint64(p.TTL), 10)
	line = append(line, ',')
	line = strconv.AppendUint(line, uint64(p.IPID), 10)
	line = append(line, ',')
	line = append(line, p.Shape.String()...)
	line = append(line, ',')
	line = append(line, p.Probe.String()...)
	line = append(line, ',')
	line = append(line, p.Class.String()...)
	line = append(line, '\n')
	pw.line = line
	_, err := pw.t.w.Write(line)
	return err
}

// Close ends the table; err, when not nil, is an error of the caller's
// that ended the writing early and is returned.
func (pw *PacketWriter) Close(err error) error { return pw.t.close(err) }

// WriteSources writes sources.csv.
func WriteSources(dir string, rows []SourceRow) error {
	return write(dir, SourcesFile, sourcesHeader, rows, func(w io.Writer, s *SourceRow) error {
		flags, probes := "-", "-"
		if s.HasTopFlags {
			flags = FlagString(s.TopFlags)
		}
		if s.Probes != 0 {
			probes = s.Probes.String()
		}
		_, err := fmt.Fprintf(w, "%s,%s,%s,%s,%s,%d,%d,%d,%s,%s,%d,%d,%d,%d,%s,%d,%s,%d,%s\n",
			s.Src, s.Class, s.Tool, FmtTime(s.First), FmtTime(s.Last), s.Packets, s.Bytes, s.DistinctDsts,
			FmtFloat(s.Coverage), FmtFloat(s.RatePPS), s.TopDport, s.TopSport, s.TCPPackets, s.UDPPackets, flags, s.InitTTL, s.IPIDPattern, s.Bundles, probes)
		return err
	})
}

// WriteEvents writes events.csv.
func WriteEvents(dir string, rows []EventRow) error {
	return write(dir, EventsFile, eventsHeader, rows, func(w io.Writer, e *EventRow) error {
		_, err := fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s,%d,%s,%d,%s,%s\n", e.Victim, e.Class, ProtoName(e.Proto),
			FmtTime(e.Start), FmtTime(e.End), FmtFloat(e.DurationS), e.Packets, FmtFloat(e.PeakPPS), e.ServicePort,
			FmtFloat(e.ObservedPPS), FmtFloat(e.EstimatedAttackPPS))
		return err
	})
}

// WriteBundles writes bundles.csv.
func WriteBundles(dir string, rows []BundleRow) error {
	return write(dir, BundlesFile, bundlesHeader, rows, func(w io.Writer, b *BundleRow) error {
		_, err := fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s,%s,%d,%s\n", b.Src, b.Dst, FmtTime(b.Start), FmtTime(b.End),
			FmtFloat(b.DurationS), b.Probes, probeOrder(b.Order), b.Distinct, b.Distinguishes)
		return err
	})
}

// probeOrder writes probes space-separated.
func probeOrder(ps []classify.Probe) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, " ")
}

// WriteSeries writes timeseries.csv.
func WriteSeries(dir string, rows []SeriesRow) error {
	t, err := create(dir, SeriesFile, seriesHeader, 64<<10)
	if err != nil {
		return err
	}
	var line []byte
	var df dayFormat
	for i := range rows {
		r := &rows[i]
		line = df.seconds(line[:0], r.Start)
		line = append(line, ',')
		if r.All {
			line = append(line, "all"...)
		} else {
			line = append(line, r.Class.String()...)
		}
		line = append(line, ',')
		line = strconv.AppendInt(line, r.Packets, 10)
		line = append(line, ',')
		line = strconv.AppendInt(line, r.Sources, 10)
		line = append(line, '\n')
		if _, err = t.w.Write(line); err != nil {
			break
		}
	}
	return t.close(err)
}

// ColumnError is a table whose header is not the one this port0 writes: a
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

// fields reads the columns of one row by name.
type fields struct {
	rec  []string
	err  error
	cols map[string]int
	file string
	line int
}

// str returns the named column.
func (f *fields) str(col string) string { return f.rec[f.cols[col]] }

// fail keeps the first error, naming the column.
func (f *fields) fail(col string, err error) {
	if f.err == nil && err != nil {
		f.err = fmt.Errorf("%s:%d: column %s: %w", f.file, f.line, col, err)
	}
}

func (f *fields) int(col string, bits int) int64 {
	n, err := strconv.ParseInt(f.str(col), 10, bits)
	f.fail(col, err)
	return n
}

func (f *fields) uint(col string, bits int) uint64 {
	n, err := strconv.ParseUint(f.str(col), 10, bits)
	f.fail(col, err)
	return n
}

func (f *fields) float(col string) float64 {
	x, err := strconv.ParseFloat(f.str(col), 64)
	f.fail(col, err)
	return x
}

func (f *fields) time(col string) int64 {
	t, err := parseTime(f.str(col))
	f.fail(col, err)
	return t
}

func (f *fields) addr(col string) netip.Addr {
	a, err := netip.ParseAddr(f.str(col))
	f.fail(col, err)
	return a
}

func (f *fields) text(col string, v interface{ UnmarshalText([]byte) error }) {
	f.fail(col, v.UnmarshalText([]byte(f.str(col))))
}

// read reads the table name of dir, checking its header against header,
// and calls row with each row.
func read(dir, name string, header []string, row func(f *fields) error) error {
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
		case head[i] != header[i]:
			return &ColumnError{File: path, Column: i + 1, Got: head[i], Want: header[i]}
		}
	}
	f := &fields{cols: make(map[string]int, len(header)), file: path}
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
		f.rec = rec
		if err := row(f); err != nil {
			return err
		}
		if f.err != nil {
			return f.err
		}
	}
}

// ReadPackets calls fn with every row of dir/packets.csv, in order; fn
// must not keep the row past the call.
func ReadPackets(dir string, fn func(*PacketRow) error) error {
	var p PacketRow
	return read(dir, PacketsFile, packetsHeader, func(f *fields) error {
		p = PacketRow{File: f.str("file"), Index: f.int("index", 64), Time: f.time("time"),
			Src: f.addr("src"), Dst: f.addr("dst"),
			SrcPort: uint16(f.uint("sport", 16)), DstPort: uint16(f.uint("dport", 16)),
			TTL: uint8(f.uint("ttl", 8)), IPID: uint32(f.uint("ip_id", 32))}
		var err error
		p.Proto, err = parseProto(f.str("proto"))
		f.fail("proto", err)
		f.text("port0", &p.Port0)
		if s := f.str("tcp_flags"); s != "" {
			p.Flags, err = ParseFlags(s)
			f.fail("tcp_flags", err)
		}
		f.text("shape", &p.Shape)
		f.text("probe", &p.Probe)
		f.text("class", &p.Class)
		if f.err != nil {
			return f.err
		}
		return fn(&p)
	})
}

// ReadSources reads dir/sources.csv.
func ReadSources(dir string) ([]SourceRow, error) {
	var rows []SourceRow
	err := read(dir, SourcesFile, sourcesHeader, func(f *fields) error {
		s := SourceRow{Src: f.addr("src"), First: f.time("first"), Last: f.time("last"),
			Packets: f.int("packets", 64), Bytes: f.int("bytes", 64), DistinctDsts: f.int("distinct_dsts", 64),
			Coverage: f.float("coverage"), RatePPS: f.float("rate_pps"),
			TopDport: uint16(f.uint("top_dport", 16)), TopSport: uint16(f.uint("top_sport", 16)),
			TCPPackets: f.int("tcp_packets", 64), UDPPackets: f.int("udp_packets", 64),
			InitTTL: uint8(f.uint("init_ttl", 8)), IPIDPattern: f.str("ip_id_pattern"), Bundles: f.int("bundles", 64)}
		f.text("class", &s.Class)
		f.text("tool", &s.Tool)
		var err error
		if fl := f.str("top_flags"); fl != "-" {
			s.TopFlags, err = ParseFlags(fl)
			s.HasTopFlags = true
			f.fail("top_flags", err)
		}
		if pr := f.str("probes"); pr != "-" {
			s.Probes, err = classify.ParseProbeSet(pr)
			f.fail("probes", err)
		}
		rows = append(rows, s)
		return nil
	})
	return rows, err
}

// ReadEvents reads dir/events.csv.
func ReadEvents(dir string) ([]EventRow, error) {
	var rows []EventRow
	err := read(dir, EventsFile, eventsHeader, func(f *fields) error {
		e := EventRow{Victim: f.addr("victim"), Start: f.time("start"), End: f.time("end"),
			DurationS: f.float("duration_s"), Packets: f.int("packets", 64), PeakPPS: f.float("peak_pps"),
			ServicePort: uint16(f.uint("service_port", 16)), ObservedPPS: f.float("observed_pps"),
			EstimatedAttackPPS: f.float("estimated_attack_pps")}
		f.text("class", &e.Class)
		var err error
		e.Proto, err = parseProto(f.str("proto"))
		f.fail("proto", err)
		rows = append(rows, e)
		return nil
	})
	return rows, err
}

// ReadBundles reads dir/bundles.csv.
func ReadBundles(dir string) ([]BundleRow, error) {
	var rows []BundleRow
	err := read(dir, BundlesFile, bundlesHeader, func(f *fields) error {
		b := BundleRow{Src: f.addr("src"), Dst: f.addr("dst"), Start: f.time("start"), End: f.time("end"),
			DurationS: f.float("duration_s"), Distinct: int(f.int("distinct", 32)), Distinguishes: f.str("distinguishes")}
		var err error
		b.Probes, err = classify.ParseProbeSet(f.str("probes"))
		f.fail("probes", err)
		for _, s := range strings.Fields(f.str("order")) {
			var p classify.Probe
			f.fail("order", p.UnmarshalText([]byte(s)))
			b.Order = append(b.Order, p)
		}
		rows = append(rows, b)
		return nil
	})
	return rows, err
}

// ReadSeries reads dir/timeseries.csv.
func ReadSeries(dir string) ([]SeriesRow, error) {
	var rows []SeriesRow
	err := read(dir, SeriesFile, seriesHeader, func(f *fields) error {
		s := SeriesRow{Start: f.time("hour"), Packets: f.int("packets", 64), Sources: f.int("sources", 64)}
		if c := f.str("class"); c == "all" {
			s.All = true
		} else {
			f.text("class", &s.Class)
		}
		rows = append(rows, s)
		return nil
	})
	return rows, err
}
