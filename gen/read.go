package gen

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/port0/port0/internal/csvtab"
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
	actorsHeader = []string{"id", "family", "kind", "class", "tool", "src", "asn", "ttl", "start", "end", "planned_packets", "port", "stack"}
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
	Stack      string  // a backscatter victim's stack: linux, windows, bsd; "-" for other actors
}

// ReadActors reads dir/actors.csv, in actor order.
func ReadActors(dir string) ([]ActorRow, error) {
	var rows []ActorRow
	err := csvtab.Read(dir, ActorsFile, actorsHeader, func(f *csvtab.Fields) error {
		a := ActorRow{ID: uint32(f.Uint("id", 32)), Family: f.Str("family"), Kind: f.Str("kind"),
			Src: f.Addr("src"), ASN: uint32(f.Uint("asn", 32)), TTL: uint8(f.Uint("ttl", 8)),
			Start: utc(f.Time("start")), End: utc(f.Time("end")), Packets: f.Float("planned_packets"), Port: uint16(f.Uint("port", 16)), Stack: f.Str("stack")}
		if !slices.Contains(familyNames[:], a.Family) {
			f.Fail("family", fmt.Errorf("unknown family %q (want one of %q)", a.Family, familyNames))
		}
		f.Text("class", &a.Class)
		f.Text("tool", &a.Tool)
		rows = append(rows, a)
		return nil
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
	err := csvtab.Read(dir, ASMapFile, asmapHeader, func(f *csvtab.Fields) error {
		p := ASPrefix{ASN: uint32(f.Uint("asn", 32))}
		var err error
		p.Prefix, err = netip.ParsePrefix(f.Str("prefix"))
		f.Fail("prefix", err)
		p.Hosting, err = strconv.ParseBool(f.Str("hosting"))
		f.Fail("hosting", err)
		rows = append(rows, p)
		return nil
	})
	return rows, err
}

// ColumnError is a table whose header is not the one this generator
// writes: a column renamed, missing, moved or added.
type ColumnError = csvtab.ColumnError

// utc is a table's time (ns since the epoch) as a UTC time.Time.
func utc(ns int64) time.Time { return time.Unix(0, ns).UTC() }
