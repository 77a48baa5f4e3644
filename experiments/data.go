package experiments

import (
	"errors"
	"net/netip"
	"strings"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/gen"
	"github.com/port0/port0/tables"
)

// Data is everything the experiments read: the generator's manifest and
// scenario (for the parameters an analysis should recover), its actors and
// AS map, and the analyzer's summary and tables, each read by its owner's
// reader (gen's, analyze's, tables'), which checks the header.
type Data struct {
	Manifest *gen.Manifest
	Scenario *gen.Scenario
	Summary  *analyze.Summary
	ASMap    []gen.ASPrefix
	Actors   []gen.ActorRow
	Packets  []tables.PacketRow
	Sources  []tables.SourceRow
	Events   []tables.EventRow
	Bundles  []tables.BundleRow
	Series   []tables.SeriesRow
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
	if d.Summary, err = analyze.ReadSummary(anaDir); err != nil {
		return nil, err
	}
	if d.Summary.Port0 == nil || d.Summary.NaiveFlow == nil {
		return nil, errors.New("summary.json has no port-0 study: run port0 analyze without -count-only")
	}
	if d.ASMap, err = gen.ReadASMap(genDir); err != nil {
		return nil, err
	}
	if d.Actors, err = gen.ReadActors(genDir); err != nil {
		return nil, err
	}
	err = tables.ReadPackets(anaDir, func(p *tables.PacketRow) error {
		d.Packets = append(d.Packets, *p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if d.Sources, err = tables.ReadSources(anaDir); err != nil {
		return nil, err
	}
	if d.Events, err = tables.ReadEvents(anaDir); err != nil {
		return nil, err
	}
	if d.Bundles, err = tables.ReadBundles(anaDir); err != nil {
		return nil, err
	}
	if d.Series, err = tables.ReadSeries(anaDir); err != nil {
		return nil, err
	}
	return d, nil
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
