package tables

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/label"
)

// rowGen makes rows with every field varied, within what the tables can
// hold: times between 1900 and 2190, series hours on whole hours, flags
// only for TCP, top flags only when HasTopFlags, floats as the writer's
// 6 decimals read them back (fixed, so the want rows are what a reader
// returns).
type rowGen struct {
	r     *rand.Rand
	exact bool // floats in full, as Parquet holds them
}

func newRowGen(seed uint64) rowGen { return rowGen{r: rand.New(rand.NewPCG(seed, 1))} }

func (g rowGen) addr() netip.Addr {
	if g.r.IntN(3) == 0 {
		var b [16]byte
		for i := range b {
			b[i] = byte(g.r.Uint32())
		}
		if g.r.IntN(4) == 0 {
			b = [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(g.r.Uint32())} // compressed form ::
		}
		return netip.AddrFrom16(b)
	}
	return netip.AddrFrom4([4]byte{byte(g.r.Uint32()), byte(g.r.Uint32()), byte(g.r.Uint32()), byte(g.r.Uint32())})
}

// time is ns since the epoch between 1900 and 2190.
func (g rowGen) time() int64 { return g.r.Int64N(290*365*86400e9) - 70*365*86400e9 }

// float is a float as FmtFloat writes it and ParseFloat reads it back.
func (g rowGen) float() float64 {
	x := g.r.Float64() * float64(g.r.IntN(1e6))
	if g.exact {
		return x
	}
	return roundTrip(x)
}

// roundTrip is x after the writer's 6-decimal formatting.
func roundTrip(x float64) float64 {
	y, err := strconv.ParseFloat(FmtFloat(x), 64)
	if err != nil {
		panic(err)
	}
	return y
}

func (g rowGen) proto() uint8 {
	return [...]uint8{decode.ProtoTCP, decode.ProtoUDP, decode.ProtoICMP, decode.ProtoICMPv6, 0, 47, 255}[g.r.IntN(7)]
}

func (g rowGen) flags() uint16 { return uint16(g.r.IntN(1 << 9)) }

func (g rowGen) class() label.Class { return label.Class(g.r.IntN(label.NumClasses)) }

func (g rowGen) probes() classify.ProbeSet {
	return classify.ProbeSet(g.r.IntN(1<<classify.NumProbes)) &^ 1 // ProbeNone is never in a set
}

func (g rowGen) packet(i int) PacketRow {
	files := []string{"a.pcap", "dir/b.pcap.gz", "with,comma.pcap", `say "x".pcap`, "-"}
	p := PacketRow{File: files[i/7%len(files)], Index: g.r.Int64N(1 << 40), Time: g.time(), Src: g.addr(), Dst: g.addr(),
		Proto: g.proto(), SrcPort: uint16(g.r.Uint32()), DstPort: uint16(g.r.Uint32()),
		Port0: decode.Port0Pos(g.r.IntN(5)), TTL: uint8(g.r.Uint32()), IPID: g.r.Uint32(),
		Shape: classify.Shape(g.r.IntN(int(classify.NumShapes))), Probe: classify.Probe(g.r.IntN(int(classify.NumProbes))), Class: g.class()}
	if p.Proto == decode.ProtoTCP {
		p.Flags = g.flags()
	}
	return p
}

func (g rowGen) source() SourceRow {
	s := SourceRow{Src: g.addr(), Class: g.class(), Tool: label.Tool(g.r.IntN(len(label.Tools()) + 1)),
		ToolEvidence: [...]string{"ipid54321=9/9 ttl255=9/9", "no-match ipid=random ttl=64 packets=1", "no-tcp-udp"}[g.r.IntN(3)], First: g.time(), Last: g.time(),
		Packets: g.r.Int64N(1 << 40), Bytes: g.r.Int64N(1 << 50), DistinctDsts: g.r.Int64N(1 << 20),
		Coverage: g.float(), RatePPS: g.float(), TopDport: uint16(g.r.Uint32()), TopSport: uint16(g.r.Uint32()),
		TCPPackets: g.r.Int64N(1 << 30), UDPPackets: g.r.Int64N(1 << 30),
		InitTTL: [...]uint8{32, 64, 128, 255}[g.r.IntN(4)], IPIDPattern: [...]string{"54321", "masscan", "+1", "constant", "random", "-"}[g.r.IntN(6)],
		Bundles: g.r.Int64N(100)}
	if g.r.IntN(2) == 0 {
		s.TopFlags, s.HasTopFlags = g.flags(), true
	}
	if g.r.IntN(3) > 0 {
		s.Probes = g.probes()
	}
	return s
}

func (g rowGen) event() EventRow {
	return EventRow{Victim: g.addr(), Class: g.class(), Proto: g.proto(), Start: g.time(), End: g.time(),
		DurationS: g.float(), Packets: g.r.Int64N(1 << 40), PeakPPS: g.float(), ServicePort: uint16(g.r.Uint32()),
		ObservedPPS: g.float(), EstimatedAttackPPS: g.float(), VictimStack: [...]string{"linux", "windows", "bsd", "linux-or-bsd", "not-bsd", "unknown"}[g.r.IntN(6)]}
}

func (g rowGen) bundle() BundleRow {
	b := BundleRow{Src: g.addr(), Dst: g.addr(), Start: g.time(), End: g.time(), DurationS: g.float(),
		Probes: g.probes(), Distinct: g.r.IntN(13), Distinguishes: [...]string{"open/closed", "-", "stack", "a b"}[g.r.IntN(4)]}
	for range 1 + g.r.IntN(16) {
		b.Order = append(b.Order, classify.Probe(1+g.r.IntN(int(classify.NumProbes)-1)))
	}
	return b
}

func (g rowGen) series() SeriesRow {
	s := SeriesRow{Start: g.time() / 3600e9 * 3600e9, Packets: g.r.Int64N(1 << 40), Sources: g.r.Int64N(1 << 30)}
	if g.r.IntN(3) == 0 {
		s.All = true
	} else {
		s.Class = g.class()
	}
	return s
}

// tableCase is one table's writer and reader over rows of any type.
type tableCase struct {
	name   string
	header []string
	// write writes the first n rows of seed's rows into dir and returns
	// them; read reads dir's table.
	write func(t *testing.T, dir string, seed uint64, n int) any
	read  func(dir string) (any, error)
}

func makeRows[R any](seed uint64, n int, row func(g rowGen, i int) R) []R {
	g := newRowGen(seed)
	rows := make([]R, n)
	for i := range rows {
		rows[i] = row(g, i)
	}
	return rows
}

// wholeTable is the case of a table written and read whole.
func wholeTable[R any](name string, header []string, row func(g rowGen, i int) R, write func(string, []R) error, read func(string) ([]R, error)) tableCase {
	return tableCase{name: name, header: header,
		write: func(t *testing.T, dir string, seed uint64, n int) any {
			rows := makeRows(seed, n, row)
			if err := write(dir, rows); err != nil {
				t.Fatal(err)
			}
			return rows
		},
		read: func(dir string) (any, error) { r, err := read(dir); return r, err },
	}
}

func writePackets(dir string, rows []PacketRow) error { return writePacketsAs(CSV, dir, rows) }

func readPackets(dir string) ([]PacketRow, error) {
	var rows []PacketRow
	err := ReadPackets(dir, func(p *PacketRow) error { rows = append(rows, *p); return nil })
	return rows, err
}

var tableCases = []tableCase{
	wholeTable(PacketsFile, packetsHeader, rowGen.packet, writePackets, readPackets),
	wholeTable(SourcesFile, sourcesHeader, func(g rowGen, _ int) SourceRow { return g.source() }, WriteSources, ReadSources),
	wholeTable(EventsFile, eventsHeader, func(g rowGen, _ int) EventRow { return g.event() }, WriteEvents, ReadEvents),
	wholeTable(BundlesFile, bundlesHeader, func(g rowGen, _ int) BundleRow { return g.bundle() }, WriteBundles, ReadBundles),
	wholeTable(SeriesFile, seriesHeader, func(g rowGen, _ int) SeriesRow { return g.series() }, WriteSeries, ReadSeries),
}

// TestRoundTrip writes rows with each table's writer and reads them back
// with its reader: the same rows (floats as the writer's 6 decimals give
// them). Rewriting what was read gives the same bytes. An empty table is
// its header alone and reads back as no rows.
func TestRoundTrip(t *testing.T) {
	for _, c := range tableCases {
		t.Run(c.name, func(t *testing.T) {
			for _, n := range []int{0, 1, 500} {
				dir := t.TempDir()
				want := c.write(t, dir, uint64(n)+7, n)
				got, err := c.read(dir)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					if reflect.ValueOf(got).Len() != 0 {
						t.Fatalf("empty table: read %d rows", reflect.ValueOf(got).Len())
					}
					b, _ := os.ReadFile(filepath.Join(dir, c.name))
					if string(b) != strings.Join(c.header, ",")+"\n" {
						t.Fatalf("empty table: %q, want the header alone", b)
					}
					continue
				}
				if !reflect.DeepEqual(got, want) {
					gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
					for i := range min(gv.Len(), wv.Len()) {
						if !reflect.DeepEqual(gv.Index(i).Interface(), wv.Index(i).Interface()) {
							t.Fatalf("row %d:\n got %+v\nwant %+v", i, gv.Index(i).Interface(), wv.Index(i).Interface())
						}
					}
					t.Fatalf("%d rows read, want %d", gv.Len(), wv.Len())
				}
				// The rows read back write the same bytes.
				again := t.TempDir()
				if err := rewrite(again, got); err != nil {
					t.Fatal(err)
				}
				a, _ := os.ReadFile(filepath.Join(dir, c.name))
				b, _ := os.ReadFile(filepath.Join(again, c.name))
				if !bytes.Equal(a, b) {
					t.Errorf("rewriting the rows read back changes %s", c.name)
				}
			}
		})
	}
}

// rewrite writes rows (of any table) with their writer.
func rewrite(dir string, rows any) error {
	switch r := rows.(type) {
	case []PacketRow:
		return writePackets(dir, r)
	case []SourceRow:
		return WriteSources(dir, r)
	case []EventRow:
		return WriteEvents(dir, r)
	case []BundleRow:
		return WriteBundles(dir, r)
	case []SeriesRow:
		return WriteSeries(dir, r)
	}
	return fmt.Errorf("no writer for %T", rows)
}

// editTable rewrites dir/name with edit applied to its records (header
// first).
func editTable(t *testing.T, dir, name string, edit func(recs [][]string) [][]string) {
	t.Helper()
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(edit(recs))
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHeaderChecks: a renamed, missing, moved or extra column fails every
// reader with a *ColumnError naming the file and the column.
func TestHeaderChecks(t *testing.T) {
	for _, c := range tableCases {
		last := len(c.header)
		for _, h := range []struct {
			name string
			edit func(head []string) []string
			want ColumnError // File filled in below
		}{
			{"renamed", func(h []string) []string { h[1] += "_x"; return h }, ColumnError{Column: 2, Got: c.header[1] + "_x", Want: c.header[1]}},
			{"missing-last", func(h []string) []string { return h[:last-1] }, ColumnError{Column: last, Want: c.header[last-1]}},
			{"missing-middle", func(h []string) []string { return append(h[:2:2], h[3:]...) }, ColumnError{Column: 3, Got: c.header[3], Want: c.header[2]}},
			{"moved", func(h []string) []string { h[0], h[1] = h[1], h[0]; return h }, ColumnError{Column: 1, Got: c.header[1], Want: c.header[0]}},
			{"extra", func(h []string) []string { return append(h, "note") }, ColumnError{Column: last + 1, Got: "note"}},
			{"case", func(h []string) []string { h[0] = strings.ToUpper(h[0]); return h }, ColumnError{Column: 1, Got: strings.ToUpper(c.header[0]), Want: c.header[0]}},
		} {
			t.Run(c.name+"/"+h.name, func(t *testing.T) {
				dir := t.TempDir()
				c.write(t, dir, 1, 3)
				editTable(t, dir, c.name, func(recs [][]string) [][]string {
					recs[0] = h.edit(recs[0])
					if h.name == "missing-last" || h.name == "missing-middle" || h.name == "extra" {
						return recs[:1] // the rows would not fit the header: the header is checked first anyway
					}
					return recs
				})
				_, err := c.read(dir)
				var ce *ColumnError
				if !errors.As(err, &ce) {
					t.Fatalf("err %v (%T), want a *ColumnError", err, err)
				}
				want := h.want
				want.File = filepath.Join(dir, c.name)
				if *ce != want {
					t.Fatalf("got %+v, want %+v", *ce, want)
				}
				msg := err.Error()
				col := want.Got
				if col == "" {
					col = want.Want
				}
				if !strings.HasPrefix(msg, want.File+": ") || !strings.Contains(msg, strconv.Quote(col)) || !strings.Contains(msg, "column "+strconv.Itoa(want.Column)) {
					t.Errorf("message %q does not name the file, the column and its number", msg)
				}
			})
		}
	}
}

// TestParseErrors: a value a reader cannot parse fails it with the file,
// the line and the column.
func TestParseErrors(t *testing.T) {
	byName := map[string]tableCase{}
	for _, c := range tableCases {
		byName[c.name] = c
	}
	for _, c := range []struct {
		table, column, value string
	}{
		{PacketsFile, "index", "x"},
		{PacketsFile, "time", "2019-01-01 00:00:00"},
		{PacketsFile, "time", "2019-01-01T00:00:00.000000000+01:00"},
		{PacketsFile, "src", "10.0.0.256"},
		{PacketsFile, "proto", "sctp"},
		{PacketsFile, "sport", "65536"},
		{PacketsFile, "port0", "nowhere"},
		{PacketsFile, "tcp_flags", "SX"},
		{PacketsFile, "ttl", "256"},
		{PacketsFile, "ip_id", "-1"},
		{PacketsFile, "shape", "round"},
		{PacketsFile, "probe", "P8"},
		{PacketsFile, "class", "spam"},
		{SourcesFile, "class", "spam"},
		{SourcesFile, "tool", "hammer"},
		{SourcesFile, "coverage", "lots"},
		{SourcesFile, "top_flags", "none!"},
		{SourcesFile, "probes", "P1 Q2"},
		{SourcesFile, "init_ttl", "-"},
		{EventsFile, "victim", "victim"},
		{EventsFile, "duration_s", "1,5"},
		{EventsFile, "proto", "-1"},
		{EventsFile, "end", ""},
		{BundlesFile, "order", "P1 P9"},
		{BundlesFile, "distinct", "many"},
		{SeriesFile, "start", "2019-01-01"},
		{SeriesFile, "class", "everything"},
		{SeriesFile, "sources", "1e3"},
	} {
		t.Run(c.table+"/"+c.column+"="+c.value, func(t *testing.T) {
			tc := byName[c.table]
			dir := t.TempDir()
			tc.write(t, dir, 2, 5)
			col := -1
			for i, h := range tc.header {
				if h == c.column {
					col = i
				}
			}
			if col < 0 {
				t.Fatalf("no column %s in %s", c.column, c.table)
			}
			const line = 4 // the header is line 1
			editTable(t, dir, c.table, func(recs [][]string) [][]string {
				recs[line-1][col] = c.value
				return recs
			})
			_, err := tc.read(dir)
			want := fmt.Sprintf("%s:%d: column %s: ", filepath.Join(dir, c.table), line, c.column)
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("err %v, want one starting %q", err, want)
			}
		})
	}
	// A row with a field too many or too few: the file and the line.
	dir := t.TempDir()
	byName[EventsFile].write(t, dir, 3, 4)
	editTable(t, dir, EventsFile, func(recs [][]string) [][]string {
		recs[2] = append(recs[2], "extra")
		return recs
	})
	_, err := ReadEvents(dir)
	if err == nil || !strings.HasPrefix(err.Error(), filepath.Join(dir, EventsFile)+": ") || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("a row with a field too many: err %v, want the file and line 3", err)
	}
	// A missing table: the reader's error is the open's.
	if _, err := ReadSeries(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing table: err %v, want os.ErrNotExist", err)
	}
}

// TestPacketWriterAllocs: PacketWriter.Write allocates nothing per row,
// whatever the row: IPv4 and IPv6, TCP flags or none, a new file name (one
// that needs quoting allocates once, at the change), a new day.
func TestPacketWriterAllocs(t *testing.T) {
	pw, err := CreatePackets(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rows := makeRows(4, 64, rowGen.packet)
	for i := range rows {
		rows[i].File = "same.pcap"
		if i%16 == 15 {
			rows[i].File = "other.pcap" // a file change without quoting
		}
	}
	for i := range rows { // warm the line buffer and the date
		if err := pw.Write(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	i := 0
	allocs := testing.AllocsPerRun(2000, func() {
		if err := pw.Write(&rows[i%len(rows)]); err != nil {
			t.Fatal(err)
		}
		i++
	})
	if err := pw.Close(nil); err != nil {
		t.Fatal(err)
	}
	if allocs != 0 {
		t.Errorf("PacketWriter.Write: %.2f allocations per row, want 0", allocs)
	}
}

// TestCloseKeepsError: Close returns the caller's error over its own.
func TestCloseKeepsError(t *testing.T) {
	pw, err := CreatePackets(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stopped")
	if err := pw.Close(stop); err != stop {
		t.Errorf("Close(stop) = %v, want stop", err)
	}
	if _, err := CreatePackets(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("CreatePackets in a missing folder: no error")
	}
}

// TestReadVersion1 reads a time series written by tables version 1, whose
// first column was `hour` (testdata/tables/hour-column: port0 analyze of
// testdata/gen-sample before the rename, CSV and Parquet), and finds the
// rows of the same series written now, under `start`.
func TestReadVersion1(t *testing.T) {
	old := filepath.Join(testcap.Root(), "testdata", "tables", "hour-column")
	csvRows, err := ReadSeries(filepath.Join(old, "csv"))
	if err != nil {
		t.Fatal(err)
	}
	pqRows, err := ReadSeries(filepath.Join(old, "parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if len(csvRows) < 100 || !reflect.DeepEqual(csvRows, pqRows) {
		t.Fatalf("version 1: %d rows from the CSV, %d from Parquet, not the same", len(csvRows), len(pqRows))
	}
	for _, f := range []Format{CSV, Parquet} {
		dir := t.TempDir()
		if err := f.WriteSeries(dir, csvRows); err != nil {
			t.Fatal(err)
		}
		again, err := ReadSeries(dir)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again, csvRows) {
			t.Errorf("%v: the series written now reads differently", f)
		}
		if f == CSV {
			b, _ := os.ReadFile(filepath.Join(dir, SeriesFile))
			if !strings.HasPrefix(string(b), "start,class,packets,sources\n") {
				t.Errorf("timeseries.csv starts %q", b[:min(len(b), 40)])
			}
		}
	}
}
