package experiments

import (
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"strings"
	"time"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/gen"
	"github.com/port0/port0/tables"
)

// Data is everything the experiments read: the analyzer's summary and
// tables, each read by its owner's reader (analyze's, tables'), which
// checks the header; for a generated telescope (Load) also the generator's
// manifest and scenario (for the parameters an analysis should recover),
// its actors and AS map. The user's own data (LoadObserved) has none of
// the generator's: Scenario is nil, and the experiments compare what the
// tables show with published findings instead.
type Data struct {
	Manifest *gen.Manifest
	Scenario *gen.Scenario
	Summary  *analyze.Summary
	ASMap    []gen.ASPrefix
	Actors   []gen.ActorRow
	// analysis is the analysis folder whose packets, sources, events and
	// bundles tables EachPacket, Sources, Events and Bundles read: they
	// grow with the traffic and are never held.
	analysis string
	Series   []tables.SeriesRow
	// Start is the first day (UTC midnight) of the period the daily and
	// hourly analyses cover, Days its length in days: the scenario's for
	// a generated telescope, the capture's own for the user's data.
	Start time.Time
	Days  int
	// Observed describes the user's data; nil for a generated telescope.
	Observed *ObservedInfo
}

// ObservedInfo is what the experiments know of the user's own data beyond
// its tables: where it came from, its period, its telescope, and the AS
// data given with it.
type ObservedInfo struct {
	// Inputs are the captures as given.
	Inputs []string
	// Interval is the length of timeseries.csv's intervals.
	Interval time.Duration
	// From and To bound the traffic: the start of the first interval
	// holding a packet and the end of the last.
	From, To time.Time
	// Port0From and Port0To are the first and last port-0-related packet.
	Port0From, Port0To time.Time
	// Telescope is the watched prefix, TelescopeFrom "flag" or "inferred".
	Telescope     netip.Prefix
	TelescopeFrom string
	// InTelescope is the share of the port-0-related packets addressed
	// into Telescope.
	InTelescope float64
	// NotTelescope, when not empty, says why the capture does not look
	// like a telescope's; the analyses that need one (coverage, attack
	// rates) are then skipped with that reason.
	NotTelescope string
	// Origins maps an address to its origin ASes; nil when no AS data
	// was given (-asmap), and the AS analyses say so.
	Origins OriginFunc
	// ASData names the AS data: its file and format.
	ASData string
}

// OriginFunc returns the origin AS numbers of the longest prefix holding
// a (several for a prefix announced by more than one AS), and whether
// one does.
type OriginFunc func(a netip.Addr) (asns []uint32, ok bool)

// telescopeMinBits is the widest prefix an inferred telescope may have and
// still be taken for one: a /8, the largest darknets measured (UCSD's).
const telescopeMinBits = 8

// LoadObserved reads an analysis folder of the user's own captures (no
// generator folder, no truth): the tables, the period the traffic covers
// and whether the telescope prefix is credible. interval is the length of
// the analysis' series intervals; origins, when not nil, places sources in
// their ASes (asData names where it came from).
func LoadObserved(anaDir string, inputs []string, interval time.Duration, origins OriginFunc, asData string) (*Data, error) {
	d := &Data{}
	if err := d.loadAnalysis(anaDir); err != nil {
		return nil, err
	}
	o := &ObservedInfo{Inputs: inputs, Interval: interval, Origins: origins, ASData: asData}
	d.Observed = o
	for _, r := range d.Series {
		if !r.All {
			continue
		}
		t := utc(r.Start)
		if o.From.IsZero() || t.Before(o.From) {
			o.From = t
		}
		if end := t.Add(interval); end.After(o.To) {
			o.To = end
		}
	}
	o.TelescopeFrom = d.Summary.Port0.TelescopeFrom
	if p, err := netip.ParsePrefix(d.Summary.Port0.Telescope); err == nil {
		o.Telescope = p
	}
	var n, in float64
	err := d.EachPacket(func(p *tables.PacketRow) {
		t := utc(p.Time)
		if n == 0 || t.Before(o.Port0From) {
			o.Port0From = t
		}
		if t.After(o.Port0To) {
			o.Port0To = t
		}
		n++
		if o.Telescope.Contains(p.Dst) {
			in++
		}
	})
	if err != nil {
		return nil, err
	}
	if o.From.IsZero() {
		o.From, o.To = o.Port0From, o.Port0To
	}
	d.Start = o.From.Truncate(24 * time.Hour)
	d.Days = max(1, int((o.To.Sub(d.Start)+24*time.Hour-1)/(24*time.Hour)))
	o.InTelescope = share(in, n)
	switch {
	case !o.Telescope.IsValid():
		o.NotTelescope = "no IPv4 destination was seen, so no telescope prefix could be inferred (set -telescope)"
	case o.TelescopeFrom != "flag" && o.Telescope.Bits() < telescopeMinBits:
		o.NotTelescope = fmt.Sprintf("the destinations span %s, wider than a /%d: the capture does not look like a telescope's (set -telescope if it is one)", o.Telescope, telescopeMinBits)
	case n > 0 && o.InTelescope < 0.5:
		o.NotTelescope = fmt.Sprintf("only %.1f %% of the port-0-related packets are addressed into %s: the capture does not look like a telescope's", 100*o.InTelescope, o.Telescope)
	}
	return d, nil
}

// Load reads a generator folder and an analysis folder.
func Load(genDir, anaDir string) (*Data, error) {
	d := &Data{}
	var err error
	if d.Manifest, err = gen.ReadManifest(genDir); err != nil {
		return nil, err
	}
	if d.Scenario, err = gen.ParseScenario("manifest scenario", strings.NewReader(d.Manifest.ScenarioText)); err != nil {
		return nil, err
	}
	if d.ASMap, err = gen.ReadASMap(genDir); err != nil {
		return nil, err
	}
	if d.Actors, err = gen.ReadActors(genDir); err != nil {
		return nil, err
	}
	if err := d.loadAnalysis(anaDir); err != nil {
		return nil, err
	}
	d.Start, d.Days = d.Scenario.Start, d.Scenario.Days
	return d, nil
}

// loadAnalysis reads the summary and the tables of an analysis folder.
func (d *Data) loadAnalysis(anaDir string) error {
	var err error
	if d.Summary, err = analyze.ReadSummary(anaDir); err != nil {
		return err
	}
	if d.Summary.Port0 == nil || d.Summary.NaiveFlow == nil {
		return errors.New("summary.json has no port-0 study: run port0 analyze without -count-only")
	}
	d.analysis = anaDir
	// The streamed tables are read whole only by the analyses; their
	// headers are checked here, so that a missing or foreign table stops
	// the run before any analysis writes.
	for _, first := range []func() error{
		func() error { return firstErr(d.Sources()) },
		func() error { return firstErr(d.Events()) },
		func() error { return firstErr(d.Bundles()) },
	} {
		if err := first(); err != nil {
			return err
		}
	}
	d.Series, err = tables.ReadSeries(anaDir)
	return err
}

// firstErr reads a table's first row: the error of its header, or of that
// row, if any.
func firstErr[R any](rows iter.Seq2[R, error]) error {
	for _, err := range rows {
		return err
	}
	return nil
}

// EachPacket calls fn with each row of the packets table, in order, read
// from the analysis folder at each call: a telescope's years of port-0
// packets are not held in memory, and each analysis that needs them reads
// them once. fn must not keep the row past the call.
func (d *Data) EachPacket(fn func(p *tables.PacketRow)) error {
	return tables.ReadPackets(d.analysis, func(p *tables.PacketRow) error { fn(p); return nil })
}

// Sources returns the sources table's rows, in order, read from the
// analysis folder each time it is ranged over (one row held at a time); a
// read error is the last pair, and ends the loop that returns it:
//
//	for s, err := range d.Sources() {
//		if err != nil {
//			return err
//		}
//		...
//	}
func (d *Data) Sources() iter.Seq2[tables.SourceRow, error] {
	return rowsOf(d.analysis, tables.EachSource)
}

// Events returns the events table's rows as Sources does.
func (d *Data) Events() iter.Seq2[tables.EventRow, error] {
	return rowsOf(d.analysis, tables.EachEvent)
}

// Bundles returns the bundles table's rows as Sources does.
func (d *Data) Bundles() iter.Seq2[tables.BundleRow, error] {
	return rowsOf(d.analysis, tables.EachBundle)
}

// errStopped ends a table read when the loop over its rows breaks.
var errStopped = errors.New("stopped")

// rowsOf turns a table reader into the iterator Sources describes.
func rowsOf[R any](dir string, each func(string, func(*R) error) error) iter.Seq2[R, error] {
	return func(yield func(R, error) bool) {
		err := each(dir, func(r *R) error {
			if !yield(*r, nil) {
				return errStopped
			}
			return nil
		})
		if err != nil && err != errStopped {
			yield(*new(R), err)
		}
	}
}

// asOf maps an address to its synthetic AS (0 when none holds it).
func (d *Data) asOf(a netip.Addr) uint32 { return d.prefixOf(a).ASN }

// prefixOf returns the AS map entry holding an address (the zero entry
// when none does).
func (d *Data) prefixOf(a netip.Addr) gen.ASPrefix {
	for _, p := range d.ASMap {
		if p.Prefix.Contains(a) {
			return p
		}
	}
	return gen.ASPrefix{}
}
