package gen

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/port0/port0/label"
)

// Reading a run back: the manifest and the generator's own tables, for the
// experiments and validation. Each table has one reader, which wants the
// header Generate writes exactly.

// The file names of the generator's tables.
const (
	ActorsFile = "actors.csv"
	ASMapFile  = "asmap.csv"
)

// The header of each table, as (*run).tables writes it.
var (
	actorsHeader = []string{"id", "family", "kind", "class", "tool", "src", "asn", "ttl", "start", "end", "planned_packets", "port"}
	asmapHeader  = []string{"prefix", "asn", "hosting"}
)

// ReadManifest reads dir/manifest.json.
func ReadManifest(dir string) (*Manifest, error) {
	name := filepath.Join(dir, ManifestName)
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &m, nil
}

// ActorRow is one row of actors.csv: the truth about one actor.
type ActorRow struct {
	ID     uint32
	Family string // scan0, backscatter0, ...: the family's name
	Kind   string // the kind within the family ("-" when it has none)
	Class  label.Class
	Tool   label.Tool
	Src    netip.Addr
	ASN    uint32
	TTL    uint8 // as it arrives at the telescope
	// Start and End bound the activity (End exclusive), to the second, as
	// actors.csv holds them; UTC.
	Start, End time.Time
	Packets    float64 // planned (expected) packets, to 3 decimals
	Port       uint16  // service port, or a fixed source port (0: none)
}

// ReadActors reads dir/actors.csv, in actor order.
func ReadActors(dir string) ([]ActorRow, error) {
	var rows []ActorRow
	err := readTable(dir, ActorsFile, actorsHeader, func(f *fields) {
		a := ActorRow{ID: uint32(f.uint("id", 32)), Family: f.str("family"), Kind: f.str("kind"),
			Src: f.addr("src"), ASN: uint32(f.uint("asn", 32)), TTL: uint8(f.uint("ttl", 8)),
			Start: f.time("start"), End: f.time("end"), Packets: f.float("planned_packets"), Port: uint16(f.uint("port", 16))}
		if !slices.Contains(familyNames[:], a.Family) {
			f.fail("family", fmt.Errorf("unknown family %q (want one of %q)", a.Family, familyNames))
		}
		f.text("class", &a.Class)
		f.text("tool", &a.Tool)
		rows = append(rows, a)
	})
	return rows, err
}

// ASPrefix is one row of asmap.csv: one synthetic AS and its prefix.
type ASPrefix struct {
	Prefix  netip.Prefix
	ASN     uint32
	Hosting bool // a hosting/cloud network
}

// ReadASMap reads dir/asmap.csv.
func ReadASMap(dir string) ([]ASPrefix, error) {
	var rows []ASPrefix
	err := readTable(dir, ASMapFile, asmapHeader, func(f *fields) {
		p := ASPrefix{ASN: uint32(f.uint("asn", 32))}
		var err error
		p.Prefix, err = netip.ParsePrefix(f.str("prefix"))
		f.fail("prefix", err)
		p.Hosting, err = strconv.ParseBool(f.str("hosting"))
		f.fail("hosting", err)
		rows = append(rows, p)
	})
	return rows, err
}

// ColumnError is a table whose header is not the one this generator
// writes: a column renamed, missing, moved or added.
type ColumnError struct {
	File   string
	Column int    // 1-based
	Got    string // "" for a missing column
	Want   string // "" for a column too many
}

func (e *ColumnError) Error() string {
	switch {
	case e.Got == "":
		return fmt.Sprintf("%s: no column %d %q (the header ends before it)", e.File, e.Column, e.Want)
	case e.Want == "":
		return fmt.Sprintf("%s: column %d %q is not a column of this table", e.File, e.Column, e.Got)
	}
	return fmt.Sprintf("%s: column %d is %q, want %q", e.File, e.Column, e.Got, e.Want)
}

// fields reads the columns of one row by name; the first error is kept,
// with the file, line and column.
type fields struct {
	rec  []string
	err  error
	cols map[string]int
	file string
	line int
}

func (f *fields) str(col string) string { return f.rec[f.cols[col]] }

func (f *fields) fail(col string, err error) {
	if f.err == nil && err != nil {
		f.err = fmt.Errorf("%s:%d: column %s: %w", f.file, f.line, col, err)
	}
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

func (f *fields) addr(col string) netip.Addr {
	a, err := netip.ParseAddr(f.str(col))
	f.fail(col, err)
	return a
}

// time parses a UTC time written to the second (time.RFC3339).
func (f *fields) time(col string) time.Time {
	s := f.str(col)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || !strings.HasSuffix(s, "Z") {
		f.fail(col, fmt.Errorf("time %q: want UTC as %s", s, time.RFC3339))
	}
	return t
}

func (f *fields) text(col string, v interface{ UnmarshalText([]byte) error }) {
	f.fail(col, v.UnmarshalText([]byte(f.str(col))))
}

// readTable reads the table name of dir, checking its header against
// header, and calls row with each row; a row's field error ends the read.
func readTable(dir, name string, header []string, row func(f *fields)) error {
	path := filepath.Join(dir, name)
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	r := csv.NewReader(bufio.NewReader(fh))
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
		if row(f); f.err != nil {
			return f.err
		}
	}
}
