package tables

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/internal/csvtab"
)

// The header of each table: the columns, in order. A reader wants exactly
// these.
var (
	packetsHeader = []string{"file", "index", "time", "src", "dst", "proto", "sport", "dport", "port0", "tcp_flags", "ttl", "ip_id", "shape", "probe", "class", "encap", "outer_src", "outer_dst"}
	sourcesHeader = []string{"src", "class", "tool", "tool_evidence", "first", "last", "packets", "bytes", "distinct_dsts", "coverage", "rate_pps", "top_dport", "top_sport", "tcp_packets", "udp_packets", "top_flags", "init_ttl", "ip_id_pattern", "bundles", "probes"}
	eventsHeader  = []string{"victim", "class", "proto", "start", "end", "duration_s", "packets", "peak_pps", "service_port", "observed_pps", "estimated_attack_pps", "victim_stack"}
	bundlesHeader = []string{"src", "dst", "start", "end", "duration_s", "probes", "order", "distinct", "distinguishes"}
	seriesHeader  = []string{"hour", "class", "packets", "sources"}
)

// file is one table being written, under its temporary name (Create).
type file struct {
	f *File
	w *bufio.Writer
}

// create starts the table name in dir with its header.
func create(dir, name string, header []string, size int) (*file, error) {
	f, err := Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriterSize(f, size)
	w.WriteString(strings.Join(header, ",") + "\n")
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

// packetCSV writes packets.csv a row at a time (the table a study of a
// telescope's years holds hundreds of millions of rows of). It allocates
// nothing per row.
type packetCSV struct {
	t         *file
	line      []byte
	df        dayFormat
	file      string // the last row's file, and its field
	fileField string
	started   bool
}

// createPacketsCSV starts dir/packets.csv.
func createPacketsCSV(dir string) (*packetCSV, error) {
	t, err := create(dir, PacketsFile, packetsHeader, 1<<20)
	if err != nil {
		return nil, err
	}
	return &packetCSV{t: t}, nil
}

// write appends one row.
func (pw *packetCSV) write(p *PacketRow) error {
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
	line = append(line, packetFlags(p)...)
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
	line = append(line, ',')
	line = append(line, p.Encap.String()...)
	line = append(line, ',')
	line = appendOuter(line, p.OuterSrc)
	line = append(line, ',')
	line = appendOuter(line, p.OuterDst)
	line = append(line, '\n')
	pw.line = line
	_, err := pw.t.w.Write(line)
	return err
}

// writeSourcesCSV writes sources.csv.
func writeSourcesCSV(dir string, rows []SourceRow) error {
	return write(dir, SourcesFile, sourcesHeader, rows, func(w io.Writer, s *SourceRow) error {
		flags, probes := topFlags(s), sourceProbes(s)
		_, err := fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s,%d,%d,%d,%s,%s,%d,%d,%d,%d,%s,%d,%s,%d,%s\n",
			s.Src, s.Class, s.Tool, csvField(s.ToolEvidence), FmtTime(s.First), FmtTime(s.Last), s.Packets, s.Bytes, s.DistinctDsts,
			FmtFloat(s.Coverage), FmtFloat(s.RatePPS), s.TopDport, s.TopSport, s.TCPPackets, s.UDPPackets, flags, s.InitTTL, s.IPIDPattern, s.Bundles, probes)
		return err
	})
}

// writeEventsCSV writes events.csv.
func writeEventsCSV(dir string, rows []EventRow) error {
	return write(dir, EventsFile, eventsHeader, rows, func(w io.Writer, e *EventRow) error {
		_, err := fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s,%d,%s,%d,%s,%s,%s\n", e.Victim, e.Class, ProtoName(e.Proto),
			FmtTime(e.Start), FmtTime(e.End), FmtFloat(e.DurationS), e.Packets, FmtFloat(e.PeakPPS), e.ServicePort,
			FmtFloat(e.ObservedPPS), FmtFloat(e.EstimatedAttackPPS), e.VictimStack)
		return err
	})
}

// writeBundlesCSV writes bundles.csv.
func writeBundlesCSV(dir string, rows []BundleRow) error {
	return write(dir, BundlesFile, bundlesHeader, rows, func(w io.Writer, b *BundleRow) error {
		_, err := fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s,%s,%d,%s\n", b.Src, b.Dst, FmtTime(b.Start), FmtTime(b.End),
			FmtFloat(b.DurationS), b.Probes, probeOrder(b.Order), b.Distinct, b.Distinguishes)
		return err
	})
}

// writeSeriesCSV writes timeseries.csv.
func writeSeriesCSV(dir string, rows []SeriesRow) error {
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
		line = append(line, seriesClass(r)...)
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
type ColumnError = csvtab.ColumnError

// readPacketsCSV calls fn with every row of dir/packets.csv, in order.
func readPacketsCSV(dir string, fn func(*PacketRow) error) error {
	var p PacketRow
	return csvtab.Read(dir, PacketsFile, packetsHeader, func(f *csvtab.Fields) error {
		p = PacketRow{File: f.Str("file"), Index: f.Int("index", 64), Time: f.Time("time"),
			Src: f.Addr("src"), Dst: f.Addr("dst"),
			SrcPort: uint16(f.Uint("sport", 16)), DstPort: uint16(f.Uint("dport", 16)),
			TTL: uint8(f.Uint("ttl", 8)), IPID: uint32(f.Uint("ip_id", 32))}
		var err error
		p.Proto, err = parseProto(f.Str("proto"))
		f.Fail("proto", err)
		f.Text("port0", &p.Port0)
		p.Flags, err = parsePacketFlags(f.Str("tcp_flags"))
		f.Fail("tcp_flags", err)
		f.Text("shape", &p.Shape)
		f.Text("probe", &p.Probe)
		f.Text("class", &p.Class)
		f.Text("encap", &p.Encap)
		p.OuterSrc, err = parseOuter(f.Str("outer_src"))
		f.Fail("outer_src", err)
		p.OuterDst, err = parseOuter(f.Str("outer_dst"))
		f.Fail("outer_dst", err)
		if err := f.Err(); err != nil {
			return err
		}
		return fn(&p)
	})
}

// readSourcesCSV reads dir/sources.csv.
func readSourcesCSV(dir string) ([]SourceRow, error) {
	var rows []SourceRow
	err := csvtab.Read(dir, SourcesFile, sourcesHeader, func(f *csvtab.Fields) error {
		s := SourceRow{Src: f.Addr("src"), ToolEvidence: f.Str("tool_evidence"), First: f.Time("first"), Last: f.Time("last"),
			Packets: f.Int("packets", 64), Bytes: f.Int("bytes", 64), DistinctDsts: f.Int("distinct_dsts", 64),
			Coverage: f.Float("coverage"), RatePPS: f.Float("rate_pps"),
			TopDport: uint16(f.Uint("top_dport", 16)), TopSport: uint16(f.Uint("top_sport", 16)),
			TCPPackets: f.Int("tcp_packets", 64), UDPPackets: f.Int("udp_packets", 64),
			InitTTL: uint8(f.Uint("init_ttl", 8)), IPIDPattern: f.Str("ip_id_pattern"), Bundles: f.Int("bundles", 64)}
		f.Text("class", &s.Class)
		f.Text("tool", &s.Tool)
		f.Fail("top_flags", parseTopFlags(f.Str("top_flags"), &s))
		f.Fail("probes", parseSourceProbes(f.Str("probes"), &s))
		rows = append(rows, s)
		return nil
	})
	return rows, err
}

// readEventsCSV reads dir/events.csv.
func readEventsCSV(dir string) ([]EventRow, error) {
	var rows []EventRow
	err := csvtab.Read(dir, EventsFile, eventsHeader, func(f *csvtab.Fields) error {
		e := EventRow{Victim: f.Addr("victim"), Start: f.Time("start"), End: f.Time("end"),
			DurationS: f.Float("duration_s"), Packets: f.Int("packets", 64), PeakPPS: f.Float("peak_pps"),
			ServicePort: uint16(f.Uint("service_port", 16)), ObservedPPS: f.Float("observed_pps"),
			EstimatedAttackPPS: f.Float("estimated_attack_pps"), VictimStack: f.Str("victim_stack")}
		f.Text("class", &e.Class)
		var err error
		e.Proto, err = parseProto(f.Str("proto"))
		f.Fail("proto", err)
		rows = append(rows, e)
		return nil
	})
	return rows, err
}

// readBundlesCSV reads dir/bundles.csv.
func readBundlesCSV(dir string) ([]BundleRow, error) {
	var rows []BundleRow
	err := csvtab.Read(dir, BundlesFile, bundlesHeader, func(f *csvtab.Fields) error {
		b := BundleRow{Src: f.Addr("src"), Dst: f.Addr("dst"), Start: f.Time("start"), End: f.Time("end"),
			DurationS: f.Float("duration_s"), Distinct: int(f.Int("distinct", 32)), Distinguishes: f.Str("distinguishes")}
		var err error
		b.Probes, err = classify.ParseProbeSet(f.Str("probes"))
		f.Fail("probes", err)
		b.Order, err = parseProbeOrder(f.Str("order"))
		f.Fail("order", err)
		rows = append(rows, b)
		return nil
	})
	return rows, err
}

// readSeriesCSV reads dir/timeseries.csv.
func readSeriesCSV(dir string) ([]SeriesRow, error) {
	var rows []SeriesRow
	err := csvtab.Read(dir, SeriesFile, seriesHeader, func(f *csvtab.Fields) error {
		s := SeriesRow{Start: f.Time("hour"), Packets: f.Int("packets", 64), Sources: f.Int("sources", 64)}
		f.Fail("class", parseSeriesClass(f.Str("class"), &s))
		rows = append(rows, s)
		return nil
	})
	return rows, err
}

// WriteTextCSV writes a table of text cells as CSV (encoding/csv quoting):
// the experiments' and the sweep's tables; WriteTextTable is its Parquet
// form.
func WriteTextCSV(path string, header []string, rows [][]string) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write(header)
	w.WriteAll(rows)
	return f.Commit(w.Error())
}
