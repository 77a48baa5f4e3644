package experiments

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/port0/port0/experiments/stats"
	"github.com/port0/port0/label"
)

// The analyses below differ enough on the user's data, which has no
// scenario, no actors and (unless -asmap gives one) no AS map, to be
// functions of their own; the others branch on Data.Observed inside.

// noASData is what the AS analyses say without AS data.
const noASData = "no AS data (-asmap): give a CAIDA pfx2as file or a MaxMind-format ASN database to place the sources in their origin ASes"

// originKey names the origin of a: its ASes joined by "_" (a prefix
// announced by more than one AS, as pfx2as writes it), or "" when no
// prefix of the AS data holds it.
func originKey(o OriginFunc, a netip.Addr) string {
	asns, ok := o(a)
	if !ok || len(asns) == 0 {
		return ""
	}
	var b strings.Builder
	for i, n := range asns {
		if i > 0 {
			b.WriteByte('_')
		}
		b.WriteString(strconv.FormatUint(uint64(n), 10))
	}
	return b.String()
}

// originObserved is analysis 8 on the user's data: per purpose class, how
// many sources the AS data places and in how many ASes, and the AS holding
// most of them.
func originObserved(e *Env, r *Result) error {
	o := e.Data.Observed
	if o.Origins == nil {
		r.Notes = append(r.Notes, noASData+".")
		return nil
	}
	type agg struct {
		sources, mapped float64
		ases            map[string]float64
	}
	by := map[label.Class]*agg{}
	for s, err := range e.Data.Sources() {
		if err != nil {
			return err
		}
		a := by[s.Class]
		if a == nil {
			a = &agg{ases: map[string]float64{}}
			by[s.Class] = a
		}
		a.sources++
		if k := originKey(o.Origins, s.Src); k != "" {
			a.mapped++
			a.ases[k]++
		}
	}
	var rows [][]string
	for _, c := range label.Classes() {
		a := by[c]
		if a == nil {
			continue
		}
		top, topN := "", 0.0
		for _, k := range sortedKeys(a.ases) {
			if a.ases[k] > topN {
				top, topN = k, a.ases[k]
			}
		}
		rows = append(rows, []string{c.String(), f(a.sources), f(a.mapped), f(float64(len(a.ases))), top, f(topN)})
	}
	r.Notes = append(r.Notes, "AS data: "+o.ASData+".", noPublished)
	return e.WriteTable("origin_as.csv", []string{"class", "sources", "sources_in_as_data", "ases", "top_as", "top_as_sources"}, rows)
}

// topASes is how many source ASes the Reserved study found sending more
// than half of the port-0 traffic.
const topASes = 100

// asConcentrationObserved is analysis 16 on the user's data: port-0
// packets by origin AS of their source.
func asConcentrationObserved(e *Env, r *Result) error {
	o := e.Data.Observed
	if o.Origins == nil {
		r.Notes = append(r.Notes, noASData+".")
		return nil
	}
	byAS := map[string]float64{}
	srcAS := map[string]float64{}
	var total, unmapped float64
	sources := 0
	for s, err := range e.Data.Sources() {
		if err != nil {
			return err
		}
		sources++
		k := originKey(o.Origins, s.Src)
		total += float64(s.Packets)
		if k == "" {
			unmapped += float64(s.Packets)
			continue
		}
		byAS[k] += float64(s.Packets)
		srcAS[k]++
	}
	keys := sortedKeys(byAS)
	sort.SliceStable(keys, func(i, j int) bool { return byAS[keys[i]] > byAS[keys[j]] })
	var rows [][]string
	var top float64
	for i, k := range keys {
		rows = append(rows, []string{k, f(byAS[k]), f(srcAS[k])})
		if i < topASes {
			top += byAS[k]
		}
	}
	n := float64(len(keys))
	r.Targets = append(r.Targets, compare(fmt.Sprintf("port-0 packets from the top %d source ASes", topASes), "[V] Maghsoudlou et al. 2020 (\"Reserved\"): more than half of the port-0 traffic from ~100 ASes (an IXP's view)",
		50, 100, 100*share(top, total), "%", fmt.Sprintf("share of the packets of all port-0 sources (point estimate; sources outside the AS data count in the total); with ≤ %d ASes it is 100 %% by construction, so n = ASes needs ≥ %d", topASes, 2*topASes), n, 2*topASes))
	r.Notes = append(r.Notes, fmt.Sprintf("AS data: %s. %d port-0 sources in %d origin ASes (a prefix announced by several ASes counts as one origin, its ASes joined by _); %s %% of the port-0 packets come from sources the AS data does not hold.",
		o.ASData, sources, len(keys), FormatNumber(100*share(unmapped, total))))
	return e.WriteTable("source_as.csv", []string{"asn", "packets", "sources"}, rows)
}

// scanCoverageObserved is analysis 11 on the user's data: each port-0
// scanner's distinct telescope addresses and rate, when the capture is a
// telescope's.
func scanCoverageObserved(e *Env, r *Result) error {
	d := e.Data
	o := d.Observed
	if o.NotTelescope != "" {
		r.Notes = append(r.Notes, "Skipped: coverage is a share of the telescope's addresses, and "+o.NotTelescope+".")
		return nil
	}
	teleAddrs := d.Summary.Port0.TelescopeAddrs
	tab, err := e.CreateTable("coverage.csv", []string{"src", "tool", "packets", "distinct_dsts", "coverage_pct", "rate_pps"})
	if err != nil {
		return err
	}
	defer tab.Abort()
	var sweepRatios []float64
	var scanners, widest float64
	for s, err := range d.Sources() {
		if err != nil {
			return err
		}
		if s.Class != label.Scan {
			continue
		}
		scanners++
		distinct, packets := float64(s.DistinctDsts), float64(s.Packets)
		widest = max(widest, distinct)
		if s.Packets >= minScanPackets {
			sweepRatios = append(sweepRatios, distinct/packets)
		}
		tab.Write([]string{s.Src.String(), s.Tool.String(), f(packets), f(distinct), f(100 * distinct / teleAddrs), f(s.RatePPS)})
	}
	t := compare(fmt.Sprintf("median distinct destinations per packet of port-0 scanners of ≥ %d packets", minScanPackets), "[code] ZMap's cyclic group and Masscan's blackrock permutation never repeat an address within a sweep (accepted: 0.95–1.05)",
		0.95, 1.05, stats.Quantile(sweepRatios, 0.5), "",
		medianSampling(fmt.Sprintf("scanners of ≥ %d packets", minScanPackets))+"; distinct counts exact up to 1024 destinations, HyperLogLog (±3.3 %) above", float64(len(sweepRatios)), minMedianSample)
	if len(sweepRatios) > 1 {
		t.CILo, t.CIHi = medianCI(sweepRatios, e.Seed)
	}
	r.Targets = append(r.Targets, t)
	r.Notes = append(r.Notes, fmt.Sprintf("%s port-0 scanners; the widest reached %s of the %s addresses of %s (%s %%, telescope %s).",
		f(scanners), f(widest), f(teleAddrs), o.Telescope, FormatNumber(100*share(widest, teleAddrs)), telescopeWord(o.TelescopeFrom)))
	r.NeedsTruth = append(r.NeedsTruth, "every scanning actor is found, and the measured scan rates recover the planned ones (generator truth)")
	return tab.Close()
}

// telescopeWord says where the telescope prefix came from.
func telescopeWord(from string) string {
	if from == "flag" {
		return "set by -telescope"
	}
	return "inferred from the destinations"
}
