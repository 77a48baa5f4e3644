package experiments

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/gen"
)

// Data is everything the experiments read: the generator's manifest and
// scenario (for the parameters an analysis should recover), its AS map, and
// the analyzer's summary and tables.
type Data struct {
	Manifest *gen.Manifest
	Scenario *gen.Scenario
	Summary  *analyze.Summary
	ASMap    []ASPrefix
	Actors   []ActorRow
	Packets  []PacketRow
	Sources  []SourceRow
	Events   []EventRow
	Bundles  []BundleRow
	Series   []SeriesRow
}

// ASPrefix is one row of the generator's asmap.csv.
type ASPrefix struct {
	Prefix  netip.Prefix
	ASN     uint32
	Hosting bool
}

// ActorRow is one row of the generator's actors.csv: the truth about one
// actor (the columns the experiments use).
type ActorRow struct {
	Family, Class, Tool string
	Src                 netip.Addr
	Start, End          time.Time
	Packets             float64 // planned packets
}

// PacketRow is one row of packets.csv (the columns the experiments use).
type PacketRow struct {
	File                string
	Time                time.Time
	Src, Dst            netip.Addr
	Proto, Port0, Flags string
	SrcPort, DstPort    int
	TTL                 int
	Shape, Probe, Class string
}

// SourceRow is one row of sources.csv.
type SourceRow struct {
	Src                       netip.Addr
	Class, Tool, IPIDPattern  string
	Packets, Bytes, Distinct  float64
	Coverage, Rate            float64
	InitTTL, Bundles, TopPort int
	First, Last               time.Time
}

// EventRow is one row of events.csv.
type EventRow struct {
	Victim                          netip.Addr
	Class, Proto                    string
	DurationS, Packets, PeakPPS     float64
	ObservedPPS, EstimatedAttackPPS float64
	ServicePort                     int
	Start                           time.Time
}

// BundleRow is one row of bundles.csv.
type BundleRow struct {
	Src, Dst      netip.Addr
	Probes, Order string
	Distinct      int
	DurationS     float64
	Distinguishes string
}

// SeriesRow is one row of timeseries.csv.
type SeriesRow struct {
	Hour             time.Time
	Class            string
	Packets, Sources float64
}

// Load reads a generator folder and an analysis folder.
func Load(genDir, anaDir string) (*Data, error) {
	d := &Data{}
	b, err := os.ReadFile(filepath.Join(genDir, gen.ManifestName))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &d.Manifest); err != nil {
		return nil, err
	}
	if d.Scenario, err = gen.ParseScenario("manifest scenario", strings.NewReader(d.Manifest.ScenarioText)); err != nil {
		return nil, err
	}
	b, err = os.ReadFile(filepath.Join(anaDir, "summary.json"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &d.Summary); err != nil {
		return nil, err
	}
	if d.Summary.Port0 == nil || d.Summary.NaiveFlow == nil {
		return nil, errors.New("summary.json has no port-0 study: run port0 analyze without -count-only")
	}
	err = table(filepath.Join(genDir, "asmap.csv"), func(f map[string]string) error {
		p, err := netip.ParsePrefix(f["prefix"])
		asn, _ := strconv.ParseUint(f["asn"], 10, 32)
		d.ASMap = append(d.ASMap, ASPrefix{Prefix: p, ASN: uint32(asn), Hosting: f["hosting"] == "true"})
		return err
	})
	if err != nil {
		return nil, err
	}
	err = table(filepath.Join(genDir, "actors.csv"), func(f map[string]string) error {
		start, err := time.Parse(time.RFC3339Nano, f["start"])
		if err != nil {
			return err
		}
		end, err := time.Parse(time.RFC3339Nano, f["end"])
		d.Actors = append(d.Actors, ActorRow{Family: f["family"], Class: f["class"], Tool: f["tool"], Src: addr(f["src"]),
			Start: start, End: end, Packets: atof(f["planned_packets"])})
		return err
	})
	if err != nil {
		return nil, err
	}
	err = table(filepath.Join(anaDir, "packets.csv"), func(f map[string]string) error {
		t, err := time.Parse(time.RFC3339Nano, f["time"])
		d.Packets = append(d.Packets, PacketRow{
			File: f["file"], Time: t, Src: addr(f["src"]), Dst: addr(f["dst"]), Proto: f["proto"], Port0: f["port0"],
			Flags: f["tcp_flags"], SrcPort: atoi(f["sport"]), DstPort: atoi(f["dport"]), TTL: atoi(f["ttl"]),
			Shape: f["shape"], Probe: f["probe"], Class: f["class"],
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	err = table(filepath.Join(anaDir, "sources.csv"), func(f map[string]string) error {
		d.Sources = append(d.Sources, SourceRow{
			Src: addr(f["src"]), Class: f["class"], Tool: f["tool"], IPIDPattern: f["ip_id_pattern"],
			Packets: atof(f["packets"]), Bytes: atof(f["bytes"]), Distinct: atof(f["distinct_dsts"]),
			Coverage: atof(f["coverage"]), Rate: atof(f["rate_pps"]), InitTTL: atoi(f["init_ttl"]),
			Bundles: atoi(f["bundles"]), TopPort: atoi(f["top_dport"]),
		})
		src := &d.Sources[len(d.Sources)-1]
		var err error
		if src.First, err = time.Parse(time.RFC3339Nano, f["first"]); err != nil {
			return err
		}
		src.Last, err = time.Parse(time.RFC3339Nano, f["last"])
		return err
	})
	if err != nil {
		return nil, err
	}
	err = table(filepath.Join(anaDir, "events.csv"), func(f map[string]string) error {
		t, err := time.Parse(time.RFC3339Nano, f["start"])
		d.Events = append(d.Events, EventRow{
			Victim: addr(f["victim"]), Class: f["class"], Proto: f["proto"], Start: t,
			DurationS: atof(f["duration_s"]), Packets: atof(f["packets"]), PeakPPS: atof(f["peak_pps"]),
			ObservedPPS: atof(f["observed_pps"]), EstimatedAttackPPS: atof(f["estimated_attack_pps"]),
			ServicePort: atoi(f["service_port"]),
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	err = table(filepath.Join(anaDir, "bundles.csv"), func(f map[string]string) error {
		d.Bundles = append(d.Bundles, BundleRow{Src: addr(f["src"]), Dst: addr(f["dst"]), Probes: f["probes"], Order: f["order"],
			Distinct: atoi(f["distinct"]), DurationS: atof(f["duration_s"]), Distinguishes: f["distinguishes"]})
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = table(filepath.Join(anaDir, "timeseries.csv"), func(f map[string]string) error {
		t, err := time.Parse(time.RFC3339, f["hour"])
		d.Series = append(d.Series, SeriesRow{Hour: t, Class: f["class"], Packets: atof(f["packets"]), Sources: atof(f["sources"])})
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func addr(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func atof(s string) float64 {
	x, _ := strconv.ParseFloat(s, 64)
	return x
}

// table reads a CSV file with a header, calling fn with each row by column.
func table(name string, fn func(map[string]string) error) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	row := map[string]string{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for i, h := range head {
			row[h] = rec[i]
		}
		if err := fn(row); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
}

// asOf maps an address to its synthetic AS (0 when none holds it).
func (d *Data) asOf(a netip.Addr) uint32 { return d.prefixOf(a).ASN }

// prefixOf returns the AS map entry holding an address (the zero entry
// when none does).
func (d *Data) prefixOf(a netip.Addr) ASPrefix {
	for _, p := range d.ASMap {
		if p.Prefix.Contains(a) {
			return p
		}
	}
	return ASPrefix{}
}
