package experiments

import (
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/experiments/stats"
	"github.com/port0/port0/label"
	"github.com/port0/port0/tables"
)

// bootReps is the number of bootstrap resamples behind every interval.
const bootReps = 1000

// medianCI is the seeded bootstrap 95 % interval of the median of xs.
func medianCI(xs []float64, seed uint64) (lo, hi float64) {
	return stats.Bootstrap(xs, func(x []float64) float64 { return stats.Quantile(x, 0.5) }, bootReps, seed)
}

// All lists the experiments in report order, numbered as the analyses of
// docs/BACKGROUND.md ("The 16 analyses to reproduce").
func All() []Experiment {
	return []Experiment{
		{"dataset-summary", "Dataset summary: volume, port-0 share, port-0 sources among all sources", "analysis 1", datasetSummary},
		{"daily-series", "Daily port-0 packets and sources, with the source-port-0 burst and the randomised-header surge", "analysis 2", dailySeries},
		{"protocol-position", "Protocol and port-position breakdown of port-0 packets", "analysis 3", protocolPosition},
		{"tcp-flags", "TCP flag combinations of port-0 TCP, and the near-uniform crafted class", "analysis 4", tcpFlags},
		{"purpose-classes", "Purpose classes: share of packets and of sources", "analysis 5", purposeClasses},
		{"source-concentration", "Packets per port-0 source: concentration", "analysis 6", sourceConcentration},
		{"ttl-ipid", "Inferred initial TTL and IP ID patterns of port-0 senders, by tool", "analysis 7", ttlIPID},
		{"origin-networks", "Origin networks of port-0 sources", "analysis 8", originNetworks},
		{"backscatter-events", "Backscatter events: duration, rates, estimated attack rate", "analysis 9", backscatterEvents},
		{"fingerprinting", "Fingerprinting bundles: probe sets and timing", "analysis 10", fingerprinting},
		{"scan-coverage", "Scan coverage: distinct telescope addresses and rates of port-0 scanners", "analysis 11", scanCoverage},
		{"diurnal", "Diurnal and weekly pattern of port-0 scanning against ordinary traffic", "analysis 12", diurnal},
		{"os-response-matrix", "OS responses to the seven port-0 probes, simulated from documented behaviour", "analysis 13", osResponseMatrix},
		{"backscatter-replies", "Backscatter reply table (Moore et al.) as the classifier's rule set", "analysis 14", backscatterReplies},
		{"fragmentation-ablation", "Fragmentation ablation: naive flow view against the packet-level analyzer", "analysis 15", fragmentationAblation},
		{"as-concentration", "Concentration of port-0 traffic over destination and source ASes", "analysis 16", asConcentration},
	}
}

// share returns a/b, or NaN when b is 0.
func share(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

func f(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func datasetSummary(e *Env, r *Result) error {
	d := e.Data
	s := d.Scenario
	total := float64(d.Summary.Total.Packets)
	p0 := float64(d.Summary.Port0.Port0Packets)
	src0 := float64(d.Summary.Port0.Port0Sources)
	all := float64(d.Summary.Port0.AllSources)
	lo, hi := stats.BootstrapShare(int64(p0), int64(total), bootReps, e.Seed)
	if d.Observed != nil {
		// AllSources is a HyperLogLog estimate (~3 %), which can fall
		// below the port-0 sources (exact), a part of all sources.
		all = max(all, src0)
		slo, shi := stats.BootstrapShare(int64(min(src0, all)), int64(all), bootReps, e.Seed)
		r.Targets = append(r.Targets, compare("port-0 sources among all sources", "[V] Luchs & Doerr 2019: port 0 is used \"by a select few\" (read here as under 5 % of the sources)",
			0, 5, 100*share(src0, all), "%", "share of n distinct sources (all sources a HyperLogLog estimate, ±3 %)", all, minConcentrationSources, 100*slo, 100*shi))
		r.Notes = append(r.Notes, fmt.Sprintf("Port-0-related packets are %s %% of all packets (95 %% interval [%s, %s] %%); no published figure states this share for a telescope.", FormatNumber(100*share(p0, total)), FormatNumber(100*lo), FormatNumber(100*hi)))
		return summaryTable(e, p0, src0, all, total)
	}
	r.Targets = append(r.Targets,
		Target{What: "packets analyzed = packets generated", Source: "generator manifest", Lo: float64(d.Manifest.Packets), Hi: float64(d.Manifest.Packets), Measured: total, Unit: "packets", Sampling: exactCount},
		shareTarget("port-0 share of all packets", "scenario port0_share (docs/BACKGROUND.md: 0.01–1 %)", s.Port0Share, 0.1, p0, total, total*s.Port0Share, "port-0 packets expected", lo, hi),
		Target{What: "port-0 sources among all sources", Source: "[V] \"a select few\" (Luchs & Doerr)", Lo: 0, Hi: 5, Measured: 100 * share(src0, all), Unit: "%", Sampling: "ratio of exact source counts; both populations scale alike (SCALING.md)", N: src0},
	)
	return summaryTable(e, p0, src0, all, total)
}

// summaryTable writes summary.csv: the dataset's volume over its period.
func summaryTable(e *Env, p0, src0, all, total float64) error {
	d := e.Data
	secs := float64(d.Days) * 86400
	if o := d.Observed; o != nil {
		secs = o.To.Sub(o.From).Seconds()
	}
	return e.WriteTable("summary.csv", []string{"metric", "value"}, [][]string{
		{"telescope", d.Summary.Port0.Telescope},
		{"days", f(float64(d.Days))},
		{"packets", f(total)},
		{"packets_per_second", f(share(total, secs))},
		{"port0_related_packets", f(p0)},
		{"port0_share", f(share(p0, total))},
		{"all_sources", f(all)},
		{"port0_sources", f(src0)},
	})
}

// utc is a time of the analysis tables (ns since the epoch) as a time.
func utc(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// dayOf is the day index of t in the period of d.
func dayOf(d *Data, t time.Time) int {
	if t.Before(d.Start) {
		return -1
	}
	return int(t.Sub(d.Start) / (24 * time.Hour))
}

// ciscoBurstPort is the service the source-port-0 SYNs of Cisco's 2013
// spike went to (docs/STUDY.md, sources).
const ciscoBurstPort = 445

// minBurstDays is the fewest days a busiest-over-median-day ratio is
// judged on: the median of a week of days is a typical day; fewer days
// have no typical day for a burst to stand out from.
const minBurstDays = 7

// burstRatio is the ratio of the busiest day to the median day that
// reads as a burst: Cisco's 2013 spike had about 5 times the usual
// reporting sensors.
const burstRatio = 5

func dailySeries(e *Env, r *Result) error {
	d := e.Data
	s := d.Scenario
	n := d.Days
	burstPort := ciscoBurstPort
	var surge0, surge1 time.Time
	if s != nil {
		burstPort = s.Sport0.BurstPort
		surge0 = s.Start.Add(time.Duration(s.Garbage.SurgeDay) * 24 * time.Hour)
		surge1 = surge0.Add(time.Duration(s.Garbage.SurgeDays * 24 * float64(time.Hour)))
	}
	packets := make([]float64, n)
	srcs := make([]map[netip.Addr]bool, n)
	burst := make([]float64, n)
	var malformed, inSurge float64
	if err := d.EachPacket(func(p *tables.PacketRow) {
		t := utc(p.Time)
		i := dayOf(d, t)
		if i < 0 || i >= n {
			return
		}
		packets[i]++
		if srcs[i] == nil {
			srcs[i] = map[netip.Addr]bool{}
		}
		srcs[i][p.Src] = true
		if p.Proto == decode.ProtoTCP && p.SrcPort == 0 && int(p.DstPort) == burstPort && p.Class == label.Scan {
			burst[i]++
		}
		if p.Class == label.Malformed {
			malformed++
			if !t.Before(surge0) && t.Before(surge1) {
				inSurge++
			}
		}
	}); err != nil {
		return err
	}
	rows := make([][]string, n)
	sources := make([]float64, n)
	days := make([]time.Time, n)
	peak, busiest := 0, 0
	for i := range n {
		sources[i] = float64(len(srcs[i]))
		days[i] = d.Start.AddDate(0, 0, i)
		rows[i] = []string{days[i].Format(time.DateOnly), f(packets[i]), f(sources[i]), f(burst[i])}
		if burst[i] > burst[peak] {
			peak = i
		}
		if packets[i] > packets[busiest] {
			busiest = i
		}
	}
	if s == nil {
		// The median over the days the capture saw traffic on: a day of
		// outage is no typical day.
		live := make([]bool, n)
		for _, row := range d.Series {
			if i := dayOf(d, utc(row.Start)); row.All && row.Packets > 0 && i >= 0 && i < n {
				live[i] = true
			}
		}
		var liveDays []float64
		for i, v := range packets {
			if live[i] {
				liveDays = append(liveDays, v)
			}
		}
		med := stats.Quantile(liveDays, 0.5)
		ratio := share(packets[busiest], med)
		if med == 0 && packets[busiest] > 0 {
			ratio = math.Inf(1) // most days have none: the busiest stands out without bound
		}
		r.Targets = append(r.Targets, compare("busiest day's port-0-related packets over the median day's", fmt.Sprintf("[V] port-0 traffic comes in bursts: Cisco 2013, a 3-hour spike of source-port-0 SYNs to %d (~5× the usual sensors); CERT Polska 2011, a surge of crafted packets", ciscoBurstPort),
			burstRatio, math.Inf(1), ratio, "×", fmt.Sprintf("ratio of two daily counts (point estimate); n = days with traffic; a median day needs a week (≥ %d days)", minBurstDays), float64(len(liveDays)), minBurstDays))
		r.Notes = append(r.Notes, fmt.Sprintf("Busiest day %s: %s port-0-related packets from %s sources; median day %s packets. Source-port-0 SYNs to %d (Cisco's 2013 port): %s, most on %s.",
			days[busiest].Format(time.DateOnly), f(packets[busiest]), f(sources[busiest]), f(med), ciscoBurstPort, f(sum1(burst)), days[peak].Format(time.DateOnly)))
		return e.WriteTable("daily.csv", []string{"day", "port0_packets", "port0_sources", "sport0_burst_packets"}, rows)
	}
	r.Targets = append(r.Targets,
		Target{What: fmt.Sprintf("day with the most source-port-0 SYNs to %d", s.Sport0.BurstPort), Source: "[V] Cisco, 2 Nov 2013 (scenario sport0.burst_day)", Lo: float64(s.Sport0.BurstDay), Hi: float64(s.Sport0.BurstDay + int(math.Ceil((float64(s.Sport0.BurstHour)+s.Sport0.BurstHours)/24))), Measured: float64(peak), Unit: "day", Sampling: "day of the largest daily count; n = SYNs to the burst port (one decides, no other family sends them)", N: burst[peak], MinN: 1},
		Target{What: "crafted-malformed packets inside the surge window", Source: "[V] CERT Polska, Nov 2011 (scenario garbage.surge_day, surge_days)", Lo: 99, Hi: 100, Measured: 100 * share(inSurge, malformed), Unit: "%", Sampling: "share of n crafted-malformed packets, all inside by design", N: malformed, MinN: 1},
	)
	r.Notes = append(r.Notes, fmt.Sprintf("Peak day of the burst: %s.", days[peak].Format(time.DateOnly)))
	return e.WriteTable("daily.csv", []string{"day", "port0_packets", "port0_sources", "sport0_burst_packets"}, rows)
}

func protocolPosition(e *Env, r *Result) error {
	c := e.Data.Summary.Total.Port0
	icmp := float64(e.Data.Summary.Total.ICMPQuotingPort0)
	rows := [][]string{
		{"tcp/ipv4", f(float64(c.TCPv4))}, {"tcp/ipv6", f(float64(c.TCPv6))},
		{"udp/ipv4", f(float64(c.UDPv4))}, {"udp/ipv6", f(float64(c.UDPv6))},
		{"src-only", f(float64(c.SrcOnly))}, {"dst-only", f(float64(c.DstOnly))}, {"both", f(float64(c.Both))},
		{"icmp-quoting-port0", f(icmp)},
	}
	if e.Data.Observed == nil {
		for _, pos := range []struct {
			name string
			n    int64
		}{{"src-only", c.SrcOnly}, {"dst-only", c.DstOnly}, {"both", c.Both}} {
			r.Targets = append(r.Targets, Target{What: "packets with port 0 " + pos.name, Source: "[D] every family of the scenario (docs/BACKGROUND.md: analysis 3)", Lo: 1, Hi: math.Inf(1), Measured: float64(pos.n), Unit: "packets", Sampling: exactCount})
		}
		r.Targets = append(r.Targets, Target{What: "TCP+UDP positions add up to the port-0 total", Source: "[D] consistency", Lo: float64(c.Total), Hi: float64(c.Total), Measured: float64(c.SrcOnly + c.DstOnly + c.Both), Unit: "packets", Sampling: exactCount})
	}
	// Protocol by position, from the packet table.
	positions := []decode.Port0Pos{decode.Port0Src, decode.Port0Dst, decode.Port0Both}
	var cross [3][2]float64
	var inTable, tcpDst0, tcpBoth float64
	if err := e.Data.EachPacket(func(p *tables.PacketRow) {
		if p.Proto == decode.ProtoTCP && (p.Port0 == decode.Port0Dst || p.Port0 == decode.Port0Both) {
			tcpDst0++
			if p.Port0 == decode.Port0Both {
				tcpBoth++
			}
		}
		var k int
		switch p.Proto {
		case decode.ProtoTCP:
			k = 0
		case decode.ProtoUDP:
			k = 1
		default:
			return
		}
		for i, pos := range positions {
			if p.Port0 == pos {
				cross[i][k]++
				inTable++
			}
		}
	}); err != nil {
		return err
	}
	if e.Data.Observed != nil {
		lo, hi := stats.BootstrapShare(c.Both, c.Total, bootReps, e.Seed)
		blo, bhi := stats.BootstrapShare(int64(tcpBoth), int64(tcpDst0), bootReps, e.Seed)
		r.Targets = append(r.Targets,
			compare("port-0 TCP/UDP packets with both ports 0", "[V] Maghsoudlou et al. 2020 (\"Reserved\", a week of IXP flows): most port-0 traffic has both ports 0 — a flow view, in which fragments also read 0/0",
				50, 100, 100*share(float64(c.Both), float64(c.Total)), "%", "share of n port-0 TCP/UDP packets; seeded bootstrap interval", float64(c.Total), minShareDraws, 100*lo, 100*hi),
			compare("TCP packets to port 0 that also come from port 0", "[V] CERT Polska 2011: ~14,200 of ~15,000 TCP packets to port 0 also from source port 0 (94.7 %; accepted within 10 points)",
				84.7, 100, 100*share(tcpBoth, tcpDst0), "%", "share of n TCP packets to port 0; seeded bootstrap interval", tcpDst0, minShareDraws, 100*blo, 100*bhi),
		)
	} else {
		r.Targets = append(r.Targets, Target{What: "port-0 TCP/UDP rows of packets.csv = the summary's port-0 total", Source: "[D] consistency of the port-0 records with the scan", Lo: float64(c.Total), Hi: float64(c.Total), Measured: inTable, Unit: "packets", Sampling: exactCount})
	}
	var byProto [][]string
	for i, pos := range []string{"src only", "dst only", "both"} {
		byProto = append(byProto, []string{pos, f(cross[i][0]), f(cross[i][1])})
	}
	if err := e.WriteTable("position_by_proto.csv", []string{"position", "tcp", "udp"}, byProto); err != nil {
		return err
	}
	return e.WriteTable("breakdown.csv", []string{"group", "packets"}, rows)
}

// flagValues is how many flag bytes a TCP header can carry.
const flagValues = 256

// minFlagDraws is the fewest crafted flag bytes that can decide whether
// they are near-uniform. A generator confined to the 16 commonest CERT.pl
// values has an entropy of at most log 16; below 24 draws that is 0.9 of
// what uniform draws score on average, so no sample that small can tell
// the two apart, and from 40 draws on it is at most 0.78, a margin of 0.12
// below the target for the sampling noise of a uniform source
// (TestFlagEntropyDecides).
const minFlagDraws = 40

// flagEntropyTarget judges the crafted class's flag bytes against a
// uniform source of the same sample size: the plug-in entropy over the
// entropy n uniform draws have on average, which is 1 in expectation at
// every n (the plug-in entropy alone is biased low on small samples: a few
// hundred bytes over 256 values read as 0.84 of log 256).
func flagEntropyTarget(counts map[string]float64) Target {
	var c []float64
	for _, k := range sortedKeys(counts) { // a fixed order: float sums depend on it
		c = append(c, counts[k])
	}
	n := sum(counts)
	return Target{What: "entropy of the crafted class's flag bytes over that of as many uniform draws", Source: "[V] CERT Polska 2011: near-uniform, nonsensical flags",
		Lo: 0.9, Hi: 1.05, Measured: stats.Entropy(c) / stats.UniformEntropy(int(n), flagValues),
		Sampling: "plug-in entropy over its expectation for n uniform draws (exact binomial sum); n = flag bytes", N: n, MinN: minFlagDraws}
}

func tcpFlags(e *Env, r *Result) error {
	d := e.Data
	byClass := map[string]map[string]float64{}
	if err := d.EachPacket(func(p *tables.PacketRow) {
		if p.Proto != decode.ProtoTCP {
			return
		}
		c := p.Class.String()
		if byClass[c] == nil {
			byClass[c] = map[string]float64{}
		}
		byClass[c][tables.FlagString(p.Flags)]++
	}); err != nil {
		return err
	}
	var rows [][]string
	classes := sortedKeys(byClass)
	for _, c := range classes {
		for _, fl := range sortedKeys(byClass[c]) {
			rows = append(rows, []string{c, fl, f(byClass[c][fl])})
		}
	}
	m := byClass[label.Malformed.String()]
	scan := byClass[label.Scan.String()]
	if d.Observed != nil {
		t := flagEntropyTarget(m)
		t.Kind = Compare
		lo, hi := stats.BootstrapShare(int64(scan["S"]), int64(sum(scan)), bootReps, e.Seed)
		r.Targets = append(r.Targets, t,
			compare("port-0 scan packets that are plain SYNs", "[V] CAIDA: 99.99 % of the TCP packets a telescope sees are empty SYNs; the scanners' code sends SYNs (accepted: ≥ 99 %)",
				99, 100, 100*share(scan["S"], sum(scan)), "%", "share of n scan TCP packets; seeded bootstrap interval", sum(scan), minShareDraws, 100*lo, 100*hi))
		return e.WriteTable("flags.csv", []string{"class", "flags", "packets"}, rows)
	}
	if d.Scenario.Garbage.NearUniform >= 0.9 {
		r.Targets = append(r.Targets, flagEntropyTarget(m))
	}
	// The flags of scans and backscatter are the legal ones.
	r.Targets = append(r.Targets, Target{What: "scan packets that are plain SYNs", Source: "[D] ZMap/Masscan/hping probes (docs/TOOLS.md)", Lo: 99, Hi: 100, Measured: 100 * share(scan["S"], sum(scan)), Unit: "%", Sampling: "share of n scan TCP packets, every one a SYN by design", N: sum(scan), MinN: 1})
	return e.WriteTable("flags.csv", []string{"class", "flags", "packets"}, rows)
}

func sum(m map[string]float64) float64 {
	t := 0.0
	for _, v := range m {
		t += v
	}
	return t
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}

func purposeClasses(e *Env, r *Result) error {
	d := e.Data
	s := d.Scenario
	cp, cs := d.Summary.Port0.ClassPackets, d.Summary.Port0.ClassSources
	total := float64(d.Summary.Port0.Port0Packets)
	if s == nil {
		var rows [][]string
		for _, c := range label.Classes() {
			if c.Port0Related() {
				n := float64(cp[c.String()])
				rows = append(rows, []string{c.String(), f(n), f(share(n, total)), f(float64(cs[c.String()]))})
			}
		}
		for _, p := range []struct {
			what    string
			classes []label.Class
		}{{"scanning", []label.Class{label.Scan}}, {"DDoS, seen as backscatter", []label.Class{label.BackscatterTo0, label.BackscatterFrom0}}, {"OS fingerprinting", []label.Class{label.Fingerprint}}} {
			var n int64
			for _, c := range p.classes {
				n += cs[c.String()]
			}
			r.Targets = append(r.Targets, compare("port-0 sources whose purpose is "+p.what, "[V] Luchs & Doerr 2019: port 0 is used for purposes from DDoS to scanning and system fingerprinting (accepted: seen at all)",
				1, math.Inf(1), float64(n), "sources", exactCount, 0, 0))
		}
		return e.WriteTable("classes.csv", []string{"class", "packets", "share", "sources"}, rows)
	}
	want := map[label.Class]float64{
		label.Scan:        s.Scan0.Share + s.Sport0.Share,
		label.Fingerprint: s.Fingerprint.Share,
		label.Malformed:   s.Garbage.Share,
		label.BitTorrent:  s.BitTorrent.Share,
	}
	var rows [][]string
	for _, c := range label.Classes() {
		if !c.Port0Related() {
			continue
		}
		n := float64(cp[c.String()])
		rows = append(rows, []string{c.String(), f(n), f(share(n, total)), f(float64(cs[c.String()]))})
		if w, ok := want[c]; ok && w > 0 {
			lo, hi := stats.BootstrapShare(int64(n), int64(total), bootReps, e.Seed)
			k, unit := w*total, "packets expected"
			if c == label.Fingerprint {
				// Probes come in bundles: the independent draws are the
				// bundles, fewer than the packets by the probes per
				// bundle (7, or 13 with Nmap's T2–T7).
				k, unit = k/(7+6*s.Fingerprint.NmapFraction), "bundles expected"
			}
			r.Targets = append(r.Targets, shareTarget("share of port-0 packets: "+c.String(), "scenario family share (±35 %: few actors, heavy-tailed volumes)", w, 0.35, n, total, k, unit, lo, hi))
		}
	}
	bs := float64(cp[label.BackscatterTo0.String()] + cp[label.BackscatterFrom0.String()])
	lo, hi := stats.BootstrapShare(int64(bs), int64(total), bootReps, e.Seed)
	r.Targets = append(r.Targets, shareTarget("share of port-0 packets: backscatter (to and from 0)", "scenario backscatter0.share (±35 %)", s.Backscatter.Share, 0.35, bs, total, s.Backscatter.Share*total, "packets expected", lo, hi))
	return e.WriteTable("classes.csv", []string{"class", "packets", "share", "sources"}, rows)
}

// exactCount is the sampling of a target whose statistic is an exact
// count or a consistency check: any sample decides it.
const exactCount = "exact count (any sample decides)"

// poissonSDs is how many Poisson standard deviations a share's band spans
// at least.
const poissonSDs = 3

// shareTarget is the target that a share measured as count/total (in %)
// recovers the scenario's want, within the relative tolerance tol or
// three Poisson standard deviations of the k independent draws expected
// (3/√k), whichever is wider: a small sample widens the band rather than
// failing by chance. Below 9 draws the band would reach zero, and the
// verdict is insufficient data.
func shareTarget(what, source string, want, tol, count, total, k float64, unit string, lo, hi float64) Target {
	band := max(tol, poissonSDs/math.Sqrt(k))
	return Target{What: what, Source: source, Lo: 100 * want * (1 - band), Hi: 100 * want * (1 + band),
		Measured: 100 * share(count, total), CILo: 100 * lo, CIHi: 100 * hi, Unit: "%",
		Sampling: fmt.Sprintf("share of %s draws; band ±max(%s %%, 3/√n) of the scenario's %s %%; n = %s", unitNoun(unit), FormatNumber(100*tol), FormatNumber(100*want), unit),
		N:        k, MinN: poissonSDs * poissonSDs}
}

// unitNoun is the noun of a "NOUN expected" unit.
func unitNoun(unit string) string {
	if i := strings.IndexByte(unit, ' '); i > 0 {
		return unit[:i]
	}
	return unit
}

// minConcentrationSources is the fewest sources (or ASes) a top-10 share
// or a Gini can be judged on: twice the top 10, so that the top is a
// minority of the population (with 10 or fewer it is 100 % whatever the
// volumes), and the Gini's small-sample bias (n−1)/n is at most 5 %.
const minConcentrationSources = 20

func sourceConcentration(e *Env, r *Result) error {
	d := e.Data
	var vols []float64
	for s, err := range d.Sources() {
		if err != nil {
			return err
		}
		vols = append(vols, float64(s.Packets))
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(vols)))
	top10 := stats.TopShare(vols, 10)
	lo, hi := stats.Bootstrap(vols, func(x []float64) float64 { return stats.TopShare(x, 10) }, bootReps, e.Seed)
	g := stats.Gini(vols)
	n := float64(len(vols))
	if d.Observed != nil {
		r.Targets = append(r.Targets, compare("share of port-0 packets from the top 10 sources", "[V] Maghsoudlou et al. 2021: \"a small number of hosts send most of it\" (accepted: the top 10 send more than half)",
			50, 100, 100*top10, "%", fmt.Sprintf("share of the 10 heaviest of n sources; seeded bootstrap over sources; with ≤ %d sources it is 100 %% by construction", minConcentrationSources/2), n, minConcentrationSources, 100*lo, 100*hi))
		r.Notes = append(r.Notes, fmt.Sprintf("Gini coefficient of packets per source: %s (no published value).", FormatNumber(g)))
		return sourceTail(e, r, vols)
	}
	// The plan's own concentration: the planned volumes of the port-0
	// actors (actors.csv), what the sample draws from.
	var planned []float64
	for _, a := range d.Actors {
		if a.Family != "background" && a.Family != "fragments" {
			planned = append(planned, a.Packets)
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(planned)))
	r.Targets = append(r.Targets,
		Target{What: "share of port-0 packets from the top 10 sources", Source: fmt.Sprintf("[V] \"a small number of hosts send most of it\" (Maghsoudlou 2021); scenario default ≥ 80 %%; the plan's heavy hitters send %.1f %% (actors.csv; SCALING.md)", 100*stats.TopShare(planned, 10)), Lo: 80, Hi: 100, Measured: 100 * top10, CILo: 100 * lo, CIHi: 100 * hi, Unit: "%",
			Sampling: fmt.Sprintf("share of the 10 heaviest of n sources; with ≤ %d sources it is 100 %% by construction", minConcentrationSources/2), N: n, MinN: minConcentrationSources},
		Target{What: "Gini coefficient of packets per port-0 source", Source: "[D] heavy-tailed volumes (scenario sigma)", Lo: 0.6, Hi: 1, Measured: g,
			Sampling: "Gini of n sources' packets, biased low by (n−1)/n on small samples", N: n, MinN: minConcentrationSources},
	)
	return sourceTail(e, r, vols)
}

// sourceTail notes the sources' volumes and the fits of their tail, and
// writes per_source.csv; vols are the sources' packets, largest first.
func sourceTail(e *Env, r *Result, vols []float64) error {
	if len(vols) == 0 {
		r.Notes = append(r.Notes, "No port-0 source.")
		return e.WriteTable("per_source.csv", []string{"rank", "packets"}, nil)
	}
	r.Notes = append(r.Notes, fmt.Sprintf("%d port-0 sources; the largest sent %s packets, the median %s.", len(vols), f(vols[0]), f(stats.Quantile(vols, 0.5))))
	cmp := stats.CompareFits(vols, 0)
	lnFit := fmt.Sprintf("log-normal μ=%.3f σ=%.3f (log-likelihood %.1f)", cmp.Mu, cmp.Sigma, cmp.LogLikLogNormal)
	if math.IsInf(cmp.Sigma, 1) {
		lnFit = "a log-normal whose likelihood only approaches the power law's as σ → ∞"
	}
	r.Notes = append(r.Notes, fmt.Sprintf("Maximum-likelihood fits of the tail x ≥ %s (%d sources): %s against power law α=%.3f (log-likelihood %.1f): the %s fits better by likelihood (Vuong R=%.2f, p=%.3f%s).",
		f(cmp.PowerLaw.Xmin), cmp.PowerLaw.N, lnFit, cmp.PowerLaw.Alpha, cmp.LogLikPowerLaw, cmp.Best, cmp.R, cmp.P,
		map[bool]string{true: "; the sample cannot tell them apart", false: ""}[cmp.P > 0.1]))
	tab, err := e.CreateTable("per_source.csv", []string{"rank", "packets"})
	if err != nil {
		return err
	}
	for i, v := range vols {
		tab.Write([]string{strconv.Itoa(i + 1), f(v)})
	}
	return tab.Close()
}

// minPairPackets is the fewest packets a source's hping-like IP ID
// pattern (+1) is judged on: it is a ratio over consecutive pairs, and
// below 10 packets one odd pair moves it by more than 10 % (two packets
// with one equal pair read as a constant IP ID). ZMap's and Masscan's IP
// IDs and every initial TTL are properties of each packet: one decides.
const minPairPackets = 10

// minPatternPackets is the fewest packets a source of the tool needs for
// its TTL and IP ID to be judged.
func minPatternPackets(tool string) int64 {
	if tool == "hping" {
		return minPairPackets
	}
	return 1
}

func ttlIPID(e *Env, r *Result) error {
	d := e.Data
	type key struct{ tool, v string }
	ttl := map[key]float64{}
	ipid := map[key]float64{}
	tools := map[string]float64{}
	// The targets judge the sources of ≥ minPatternPackets packets.
	judged := map[key]float64{}
	for s, err := range d.Sources() {
		if err != nil {
			return err
		}
		tool := s.Tool.String()
		ttl[key{tool, strconv.Itoa(int(s.InitTTL))}]++
		ipid[key{tool, s.IPIDPattern}]++
		tools[tool]++
		if s.Packets >= minPatternPackets(tool) {
			judged[key{tool, ""}]++
			judged[key{tool, "ttl " + strconv.Itoa(int(s.InitTTL))}]++
			// Masscan's IP-ID relation shows on TCP only: on UDP the
			// cookie stands for seq and is not in the packet
			// (templ-pkt.c; docs/TOOLS.md section 2).
			if tool != "masscan" || s.TCPPackets > 0 {
				judged[key{tool, "ipid"}]++
				judged[key{tool, "ipid " + s.IPIDPattern}]++
			}
		}
	}
	var rows [][]string
	for k, n := range ttl {
		rows = append(rows, []string{k.tool, "init_ttl", k.v, f(n)})
	}
	for k, n := range ipid {
		rows = append(rows, []string{k.tool, "ip_id_pattern", k.v, f(n)})
	}
	sort.Slice(rows, func(i, j int) bool {
		for c := range 3 {
			if rows[i][c] != rows[j][c] {
				return rows[i][c] < rows[j][c]
			}
		}
		return false
	})
	if d.Observed != nil {
		r.Notes = append(r.Notes, "No published value to compare: the tool rules name a source from these very features (docs/TOOLS.md), so setting the tools' code beside the table would be circular; the table shows what this capture's sources carry.")
		r.NeedsTruth = append(r.NeedsTruth, "each tool's sources carry its TTL and IP ID signature, and tool attribution's precision and recall (port0 validate on a generated telescope)")
		return e.WriteTable("ttl_ipid.csv", []string{"tool", "feature", "value", "sources"}, rows)
	}
	for _, t := range []struct{ tool, ttl, ipid string }{{"zmap", "255", "54321"}, {"masscan", "255", "masscan"}, {"hping", "64", "+1"}} {
		if tools[t.tool] == 0 {
			continue
		}
		n, nID := judged[key{t.tool, ""}], judged[key{t.tool, "ipid"}]
		sampling := fmt.Sprintf("share of n sources of the tool with ≥ %d packets (of %s); each source is one draw", minPatternPackets(t.tool), f(tools[t.tool]))
		samplingID := sampling
		if t.tool == "masscan" {
			samplingID = "share of n masscan sources with TCP (of " + f(tools[t.tool]) + "): the relation needs the TCP sequence number; each source is one draw"
		}
		r.Targets = append(r.Targets,
			Target{What: t.tool + " sources with initial TTL " + t.ttl, Source: "[code] " + t.tool + " (docs/TOOLS.md)", Lo: 90, Hi: 100, Measured: 100 * share(judged[key{t.tool, "ttl " + t.ttl}], n), Unit: "%", Sampling: sampling, N: n, MinN: 1},
			Target{What: t.tool + " sources with IP ID pattern " + t.ipid, Source: "[code] " + t.tool, Lo: 90, Hi: 100, Measured: 100 * share(judged[key{t.tool, "ipid " + t.ipid}], nID), Unit: "%", Sampling: samplingID, N: nID, MinN: 1},
		)
	}
	return e.WriteTable("ttl_ipid.csv", []string{"tool", "feature", "value", "sources"}, rows)
}

// wellSampled is the fewest packets an event needs for its duration to
// say how long the attack lasted (scaled by spanFactor).
const wellSampled = 10

// minMedianSample is the fewest values a median is judged on: the range of
// n values covers the median with probability 1 − 2^(1−n), a
// distribution-free 95 % interval from n = 6 on (0.969).
const minMedianSample = 6

// medianSampling is the sampling of a median over n of what.
func medianSampling(what string) string {
	return "median of n " + what + "; seeded bootstrap interval; from 6 on the sample's range is a distribution-free 95 % interval"
}

// spanFactor is the expected first-to-last span of k points drawn
// uniformly over a window, as a fraction of it: (k−1)/(k+1) (the range of
// k uniform draws is Beta(k−1, 2)). A duration is divided by it and a rate
// (k over the span) multiplied by it, so that either recovers the window's
// in expectation whatever k.
func spanFactor(k float64) float64 { return (k - 1) / (k + 1) }

// minWeight is the fewest packet gaps a weighted ratio is judged on: one
// unit's ratio from k packets has a relative spread of about 1/√(k−1)
// (Poisson counts, the span of uniform draws), so the pooled one has
// 1/√n over n gaps, and from n = 225 its ±20 % band spans 3 of them.
const minWeight = 225

// weightedTarget is the target that the units' ratios recover 1 within
// [0.8, 1.25]: their mean weighted by k−1, the inverse of each ratio's
// variance, so that a unit of a few packets counts as little as it says.
// weighted holds each ratio times its weight.
func weightedTarget(what, source, units string, weighted, weights []float64, seed uint64) Target {
	n := sum1(weights)
	t := Target{What: what, Source: source, Lo: 0.8, Hi: 1.25, Measured: share(sum1(weighted), n), Unit: "×",
		Sampling: fmt.Sprintf("mean of %d %s' ratios weighted by their k−1 packet gaps (inverse variance); seeded bootstrap interval over the %s; n = gaps", len(weights), units, units),
		N:        n, MinN: minWeight}
	if len(weights) > 1 {
		t.CILo, t.CIHi = stats.BootstrapRatio(weighted, weights, bootReps, seed)
	}
	return t
}

func backscatterEvents(e *Env, r *Result) error {
	d := e.Data
	var durs []float64
	tab, err := e.CreateTable("events.csv", []string{"victim", "class", "proto", "start", "duration_s", "packets", "peak_pps", "service_port", "estimated_attack_pps"})
	if err != nil {
		return err
	}
	defer tab.Abort()
	var scaleOK float64
	small := 0
	teleAddrs := d.Summary.Port0.TelescopeAddrs
	for ev, err := range d.Events() {
		if err != nil {
			return err
		}
		durs = append(durs, ev.DurationS)
		// events.csv rounds to 6 decimals: allow that rounding times the scale.
		if math.Abs(ev.EstimatedAttackPPS-ev.ObservedPPS*math.Ldexp(1, 32)/teleAddrs) <= 1e-6*ev.EstimatedAttackPPS+1e-6*math.Ldexp(1, 32)/teleAddrs {
			scaleOK++
		}
		if ev.Packets <= smallEvent {
			small++
		}
		tab.Write([]string{ev.Victim.String(), ev.Class.String(), tables.ProtoName(ev.Proto), utc(ev.Start).Format(time.RFC3339), f(ev.DurationS), f(float64(ev.Packets)), f(ev.PeakPPS), strconv.Itoa(int(ev.ServicePort)), f(ev.EstimatedAttackPPS)})
	}
	events := len(durs)
	if o := d.Observed; o != nil {
		r.Notes = append(r.Notes, fmt.Sprintf("%d backscatter events (inactivity timeout and size filter as analyze's -event-* flags); median duration %s s. %d of them have ≤ %d packets: their duration and rate say little, and the figure sets them apart.",
			events, FormatNumber(stats.Quantile(durs, 0.5)), small, smallEvent), noPublished)
		if o.NotTelescope != "" {
			r.Notes = append(r.Notes, "The estimated attack rates (observed × 2^32 / telescope addresses) assume the capture is a telescope's; here "+o.NotTelescope+", so they are not to be read as attack rates.")
		}
		r.NeedsTruth = append(r.NeedsTruth, "events lie inside their victim's attack window, and their durations recover the attacks' (generator truth)")
		if err := observedStacks(e, r); err != nil {
			return err
		}
		return tab.Close()
	}
	// The truth: each victim's attack window, to check what the events
	// recover of it.
	windows := map[netip.Addr][2]time.Time{}
	for _, a := range d.Actors {
		if a.Family == "backscatter0" {
			windows[a.Src] = [2]time.Time{a.Start, a.End}
		}
	}
	var inside float64
	var ratios, weights, winMin []float64
	for ev, err := range d.Events() {
		if err != nil {
			return err
		}
		w, ok := windows[ev.Victim]
		if !ok {
			continue
		}
		start := utc(ev.Start)
		end := start.Add(time.Duration(ev.DurationS * float64(time.Second)))
		if !start.Before(w[0].Add(-time.Second)) && !end.After(w[1].Add(time.Second)) {
			inside++
		}
		if ev.Packets >= wellSampled {
			win := w[1].Sub(w[0]).Seconds()
			k := float64(ev.Packets)
			ratios = append(ratios, ev.DurationS/win/spanFactor(k)*(k-1))
			weights = append(weights, k-1)
			winMin = append(winMin, win/60)
		}
	}
	span := weightedTarget(fmt.Sprintf("event duration over the attack window, over (k−1)/(k+1), events of k ≥ %d packets, weighted by k−1", wellSampled),
		"scenario backscatter0.duration_minutes (per-victim windows); k packets spread uniformly over a window span (k−1)/(k+1) of it on average", "events", ratios, weights, e.Seed)
	r.Targets = append(r.Targets,
		Target{What: "events lying inside their victim's attack window (generator truth)", Source: "scenario backscatter0 actors (actors.csv)", Lo: 99, Hi: 100, Measured: 100 * share(inside, float64(events)), Unit: "%", Sampling: "share of n events, each inside by design", N: float64(events), MinN: 1},
		span,
		Target{What: "events whose attack-rate estimate is observed × 2^32 / telescope size", Source: "[V] Moore et al. 2001", Lo: float64(events), Hi: float64(events), Measured: scaleOK, Unit: "events", Sampling: exactCount},
	)
	r.Notes = append(r.Notes, fmt.Sprintf("Median duration of all %d events: %.1f min (scenario median attack: %s min). A telescope sees 1/32768 of the replies, so a small attack leaves a few packets that end an event early at the 5-min timeout: the durations are checked on the %d events of ≥ %d packets, whose attack windows have a median of %.1f min.",
		len(durs), stats.Quantile(durs, 0.5)/60, f(d.Scenario.Backscatter.DurationMinutes), len(ratios), wellSampled, stats.Quantile(winMin, 0.5)))
	r.Notes = append(r.Notes, fmt.Sprintf("%d events (timeout 5 min, ≥ 100 packets or ≥ 60 s); telescope of %s addresses.", events, f(teleAddrs)))
	if err := victimStacks(e, r); err != nil {
		return err
	}
	return tab.Close()
}

// smallEvent is the most packets an event may have and still be set
// apart as too small for its duration and rate to mean much: a telescope
// sees one reply in 2^32 / its size, so a few packets are a few samples of
// an attack whose length they cannot show.
const smallEvent = 3

// observedStacks writes victim_stacks.csv for the user's data: the events
// by the victim stack their replies tell (no truth to hold them against).
func observedStacks(e *Env, r *Result) error {
	n := map[string]float64{}
	for ev, err := range e.Data.Events() {
		if err != nil {
			return err
		}
		n[ev.VictimStack]++
	}
	var rows [][]string
	for _, k := range sortedKeys(n) {
		rows = append(rows, []string{k, f(n[k])})
	}
	r.NeedsTruth = append(r.NeedsTruth, "the victims' inferred stacks agree with their real ones (generator truth)")
	return e.WriteTable("victim_stacks.csv", []string{"inferred", "events"}, rows)
}

// stackAgrees reports whether an inferred victim stack (events.csv's
// victim_stack) is consistent with the truth's (actors.csv's stack);
// "unknown" claims nothing.
func stackAgrees(inferred, truth string) bool {
	var inf, t label.VictimStack
	if inf.UnmarshalText([]byte(inferred)) != nil || t.UnmarshalText([]byte(truth)) != nil {
		return false
	}
	return inf.Admits(t)
}

// victimStacks writes victim_stacks.csv, the victims' stacks as their
// events' replies tell them against the scenario's (actors.csv stack),
// and judges the events that name one.
func victimStacks(e *Env, r *Result) error {
	d := e.Data
	truth := map[netip.Addr]string{}
	for _, a := range d.Actors {
		if a.Family == "backscatter0" {
			truth[a.Src] = a.Stack
		}
	}
	type key struct{ truth, inferred string }
	n := map[key]float64{}
	var claims, agree float64
	for ev, err := range d.Events() {
		if err != nil {
			return err
		}
		t, ok := truth[ev.Victim]
		if !ok {
			continue
		}
		n[key{t, ev.VictimStack}]++
		if ev.VictimStack != label.StackUnknown.String() {
			claims++
			if stackAgrees(ev.VictimStack, t) {
				agree++
			}
		}
	}
	var rows [][]string
	for k, c := range n {
		rows = append(rows, []string{k.truth, k.inferred, f(c)})
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i][0] < rows[j][0] || rows[i][0] == rows[j][0] && rows[i][1] < rows[j][1]
	})
	r.Targets = append(r.Targets, Target{What: "events whose victim stack (events.csv victim_stack) agrees with the scenario's, of those naming one",
		Source: "docs/TOOLS.md section 7 (FreeBSD udp_input drops UDP to port 0, Linux answers; initial TTL 128: Windows; SYN-ACK window 65535: BSD); scenario backscatter0 actors (actors.csv stack)",
		Lo:     99, Hi: 100, Measured: 100 * share(agree, claims), Unit: "%", Sampling: "share of n events that name a stack; each agrees by design", N: claims, MinN: 1})
	return e.WriteTable("victim_stacks.csv", []string{"truth", "inferred", "events"}, rows)
}

func fingerprinting(e *Env, r *Result) error {
	d := e.Data
	full, nb := 0.0, 0.0
	tab, err := e.CreateTable("bundles.csv", []string{"src", "dst", "probes", "duration_s", "distinguishes"})
	if err != nil {
		return err
	}
	defer tab.Abort()
	var gaps []float64
	sources := map[netip.Addr]bool{}
	for b, err := range d.Bundles() {
		if err != nil {
			return err
		}
		nb++
		if b.Distinct >= 6 {
			full++
		}
		if n := len(b.Order); n > 1 {
			gaps = append(gaps, 1000*b.DurationS/float64(n-1))
		}
		tab.Write([]string{b.Src.String(), b.Dst.String(), b.Probes.String(), f(b.DurationS), b.Distinguishes})
		sources[b.Src] = true
	}
	if d.Observed != nil {
		r.Notes = append(r.Notes, fmt.Sprintf("%d bundles from %d sources; %d hold six or more of the probe shapes; median mean gap between a bundle's probes %s ms.", int(nb), len(sources), int(full), FormatNumber(stats.Quantile(gaps, 0.5))), noPublished)
		r.NeedsTruth = append(r.NeedsTruth, "bundles recover the fingerprinters' probe sets and timing (generator truth)")
		return tab.Close()
	}
	r.Targets = append(r.Targets, Target{What: "bundles holding all of P1–P7 (six shapes at a telescope)", Source: "[V] Ste Jones 2003: the seven probes sent together", Lo: 90, Hi: 100, Measured: 100 * share(full, nb), Unit: "%",
		Sampling: "share of n bundles; from 10 on one incomplete bundle alone cannot fail it", N: nb, MinN: 10})
	// Timing: the mean gap between a bundle's probes, against the
	// scenario's (each gap is probe_gap_ms × U(0.5, 1.5)).
	want := d.Scenario.Fingerprint.ProbeGapMS
	tg := Target{What: "median of the bundles' mean gap between probes", Source: "scenario fingerprint.probe_gap_ms (each gap is that × U(0.5, 1.5))", Lo: 0.7 * want, Hi: 1.3 * want, Measured: stats.Quantile(gaps, 0.5), Unit: "ms",
		Sampling: medianSampling("bundles' mean gaps"), N: float64(len(gaps)), MinN: minMedianSample}
	if len(gaps) > 1 {
		tg.CILo, tg.CIHi = medianCI(gaps, e.Seed)
	}
	r.Targets = append(r.Targets, tg)
	r.Notes = append(r.Notes, fmt.Sprintf("%d bundles from %d sources.", int(nb), len(sources)))
	return tab.Close()
}

func containsWord(s, w string) bool {
	for i := 0; i+len(w) <= len(s); i++ {
		if s[i:i+len(w)] == w && (i == 0 || s[i-1] == ' ') && (i+len(w) == len(s) || s[i+len(w)] == ' ') {
			return true
		}
	}
	return false
}

// osResponse simulates how an operating system answers one of the seven
// port-0 probes, from the documented behaviour (docs/BACKGROUND.md, after
// Ste Jones 2003 and the OpenBSD sources): TCP to port 0 is answered with a
// RST-ACK everywhere; OpenBSD ignores TCP from port 0 to an open port and
// drops UDP to port 0 silently (RFC 768 makes it illegal there), while
// Linux and Windows 2000 answer like for any closed port.
func osResponse(os string, probe string) string {
	bsd := os == "OpenBSD 3.x"
	switch probe {
	case "P1", "P2", "P4":
		return "RST-ACK"
	case "P3":
		if bsd {
			return "none"
		}
		return "SYN-ACK"
	case "P5", "P6":
		if bsd {
			return "none"
		}
		return "ICMP unreach"
	case "P7":
		return "ICMP unreach"
	}
	return "?"
}

// documentedMatrix is Ste Jones's 2003 response table (docs/BACKGROUND.md).
var documentedMatrix = map[string][7]string{
	"OpenBSD 3.x":  {"RST-ACK", "RST-ACK", "none", "RST-ACK", "none", "none", "ICMP unreach"},
	"Linux":        {"RST-ACK", "RST-ACK", "SYN-ACK", "RST-ACK", "ICMP unreach", "ICMP unreach", "ICMP unreach"},
	"Windows 2000": {"RST-ACK", "RST-ACK", "SYN-ACK", "RST-ACK", "ICMP unreach", "ICMP unreach", "ICMP unreach"},
}

func osResponseMatrix(e *Env, r *Result) error {
	probes := []string{"P1", "P2", "P3", "P4", "P5", "P6", "P7"}
	var rows [][]string
	agree := 0.0
	for _, os := range []string{"OpenBSD 3.x", "Linux", "Windows 2000"} {
		row := []string{os}
		for i, p := range probes {
			got := osResponse(os, p)
			row = append(row, got)
			if got == documentedMatrix[os][i] {
				agree++
			}
		}
		rows = append(rows, row)
	}
	if e.Data.Observed != nil {
		r.Notes = append(r.Notes, ruleTableNote)
	} else {
		r.Targets = append(r.Targets, Target{What: "cells agreeing with the documented matrix", Source: "[V] Ste Jones 2003; [code] OpenBSD tcp_input, udp_usrreq", Lo: 21, Hi: 21, Measured: agree, Unit: "of 21", Sampling: exactCount})
	}
	r.Notes = append(r.Notes, "P3 (open port), P5 and P6 separate OpenBSD from Linux and Windows; no probe separates Linux from Windows 2000, so bundles.csv's `distinguishes` can say no more.")
	return e.WriteTable("matrix.csv", append([]string{"os"}, probes...), rows)
}

// backscatterReplies builds each reply of Moore et al.'s table in its port-0
// variants and checks the classifier's shape rules on it.
func backscatterReplies(e *Env, r *Result) error {
	type rule struct {
		attack, reply string
		rec           decode.Record
		want          label.Class
	}
	tcp := func(sport, dport uint16, flags uint16) decode.Record {
		return decode.Record{IPVersion: 4, Proto: decode.ProtoTCP, Ports: decode.PortsPresent, SrcPort: sport, DstPort: dport,
			Port0: port0Pos(sport, dport), Flags: flags, DataOffset: 5, Window: 29200}
	}
	icmp := decode.Record{IPVersion: 4, Proto: decode.ProtoICMP, Ports: decode.PortsNone, ICMP: true, ICMPType: 3, ICMPCode: 3,
		Inner: decode.Quoted{Version: 4, Proto: decode.ProtoUDP, Ports: decode.PortsPresent, SrcPort: 40000, DstPort: 0, Port0: decode.Port0Dst}}
	rules := []rule{
		{"SYN from spoofed port 0 to an open service", "SYN-ACK from the service to port 0", tcp(80, 0, decode.TCPFlagSYN|decode.TCPFlagACK), label.BackscatterTo0},
		{"SYN from spoofed port 0 to a closed port", "RST-ACK to port 0", tcp(443, 0, decode.TCPFlagRST|decode.TCPFlagACK), label.BackscatterTo0},
		{"ACK/data/NULL from spoofed port 0", "RST to port 0", tcp(22, 0, decode.TCPFlagRST), label.BackscatterTo0},
		{"SYN to the victim's port 0", "RST-ACK from port 0", tcp(0, 51000, decode.TCPFlagRST|decode.TCPFlagACK), label.BackscatterFrom0},
		{"ACK/data to the victim's port 0", "RST from port 0", tcp(0, 51000, decode.TCPFlagRST), label.BackscatterFrom0},
		{"UDP to the victim's port 0 (non-BSD victim)", "ICMP port unreachable quoting UDP to port 0", icmp, label.BackscatterFrom0},
	}
	var rows [][]string
	ok := 0.0
	for _, ru := range rules {
		shape, probe := classify.ShapeOf(&ru.rec, nil)
		got := classify.PacketClass(shape, probe, label.Unknown)
		if got == ru.want {
			ok++
		}
		rows = append(rows, []string{ru.attack, ru.reply, shape.String(), got.String(), ru.want.String()})
	}
	if e.Data.Observed != nil {
		c := e.Data.Summary.Port0.ClassPackets
		r.Notes = append(r.Notes, ruleTableNote, fmt.Sprintf("This capture: %d packets filed as backscatter to port 0 and %d as backscatter from port 0 by these rules.", c[label.BackscatterTo0.String()], c[label.BackscatterFrom0.String()]))
	} else {
		r.Targets = append(r.Targets, Target{What: "replies the classifier files under the right direction", Source: "[V] Moore, Voelker, Savage 2001; port 0 in backscatter per docs/BACKGROUND.md", Lo: float64(len(rules)), Hi: float64(len(rules)), Measured: ok, Unit: "of " + strconv.Itoa(len(rules)), Sampling: exactCount})
	}
	return e.WriteTable("replies.csv", []string{"attack", "reply", "shape", "class", "expected"}, rows)
}

func port0Pos(s, d uint16) decode.Port0Pos {
	switch {
	case s == 0 && d == 0:
		return decode.Port0Both
	case s == 0:
		return decode.Port0Src
	case d == 0:
		return decode.Port0Dst
	}
	return decode.Port0None
}

func fragmentationAblation(e *Env, r *Result) error {
	n := e.Data.Summary.NaiveFlow
	real := float64(e.Data.Summary.Port0.Port0Packets)
	ratio := share(float64(n.Packets-n.ICMP), real)
	if e.Data.Observed != nil {
		lo, hi := stats.BootstrapShare(n.NonFirstFragment, n.Packets-n.ICMP, bootReps, e.Seed)
		r.Targets = append(r.Targets, compare("non-first fragments among what a flow view calls port 0 (ICMP apart)", "[V] Maghsoudlou et al. 2021: most of an IXP's flow-level port-0 traffic is an artifact of fragmentation (accepted: more than half)",
			50, 100, 100*share(float64(n.NonFirstFragment), float64(n.Packets-n.ICMP)), "%", "share of n packets a naive flow view calls port 0, ICMP apart; seeded bootstrap interval", float64(n.Packets-n.ICMP), minShareDraws, 100*lo, 100*hi))
		r.Notes = append(r.Notes, fmt.Sprintf("A naive flow view would count %s× the packet-level port-0 volume (ICMP apart).", FormatNumber(ratio)))
	} else {
		r.Targets = append(r.Targets,
			Target{What: "naive flow port-0 volume without ICMP over the packet-level count", Source: "[V] Maghsoudlou et al. 2021: most flow-level port 0 is a fragmentation artifact (scenario fragment_share 2× port0_share)", Lo: 2, Hi: math.Inf(1), Measured: ratio, Unit: "×",
				Sampling: "ratio of counts of n port-0 packets and the fragments beside them (Poisson)", N: real},
			Target{What: "non-first fragments in the naive TCP/UDP excess (ICMP apart)", Source: "[V] Maghsoudlou et al. 2021", Lo: 50, Hi: 100, Measured: 100 * share(float64(n.NonFirstFragment), float64(n.Packets-n.Port0-n.ICMP)), Unit: "%",
				Sampling: "share of the n packets of the naive excess", N: float64(n.Packets - n.Port0 - n.ICMP), MinN: 1},
		)
	}
	r.Notes = append(r.Notes, "A flow exporter writes ICMP with source port 0 and type/code as the destination port, so every ICMP packet reads as port 0 in the naive view; at a telescope ICMP is the largest part of the naive excess and is reported apart.")
	names := []string{"real port 0", "non-first fragments", "ICMP type/code", "other protocols", "short first frag.", "truncated"}
	vals := []float64{float64(n.Port0), float64(n.NonFirstFragment), float64(n.ICMP), float64(n.OtherProto), float64(n.ShortFirst), float64(n.Truncated)}
	var rows [][]string
	for i := range names {
		pl := 0.0 // the packet-level analyzer counts only real port 0
		if i == 0 {
			pl = vals[0]
		}
		rows = append(rows, []string{names[i], f(vals[i]), f(pl)})
	}
	r.Notes = append(r.Notes, fmt.Sprintf("Naive flow total %s packets (%.1f× with ICMP) against %s port-0-related packets at packet level (ports 0 in TCP/UDP headers, and ICMP errors quoting them).", f(float64(n.Packets)), share(float64(n.Packets), real), f(real)))
	return e.WriteTable("ablation.csv", []string{"kind", "naive_flow", "packet_level"}, rows)
}

func asConcentration(e *Env, r *Result) error {
	d := e.Data
	if d.Observed != nil {
		return asConcentrationObserved(e, r)
	}
	byAS := map[uint32]float64{}
	srcAS := map[uint32]float64{}
	var total float64
	sources := 0
	for s, err := range d.Sources() {
		if err != nil {
			return err
		}
		a := d.asOf(s.Src)
		byAS[a] += float64(s.Packets)
		srcAS[a]++
		sources++
		total += float64(s.Packets)
	}
	var vols []float64
	var rows [][]string
	asns := make([]uint32, 0, len(byAS))
	for a := range byAS {
		asns = append(asns, a)
	}
	sort.Slice(asns, func(i, j int) bool {
		if byAS[asns[i]] != byAS[asns[j]] {
			return byAS[asns[i]] > byAS[asns[j]]
		}
		return asns[i] < asns[j]
	})
	for _, a := range asns {
		vols = append(vols, byAS[a])
		rows = append(rows, []string{strconv.FormatUint(uint64(a), 10), f(byAS[a]), f(srcAS[a])})
	}
	top := stats.TopShare(vols, 10)
	r.Targets = append(r.Targets, Target{What: "port-0 packets from the top 10 source ASes", Source: "[V] Reserved 2020: > 50 % from ~100 ASes; scenario: crafted traffic in a few hosting ASes", Lo: 50, Hi: 100, Measured: 100 * top, Unit: "%", Sampling: "share of the 10 heaviest of n source ASes; with ≤ 10 it is 100 % by construction", N: float64(len(vols)), MinN: minConcentrationSources})
	// Destinations: a telescope is one AS, so the concentration over
	// destination ASes is total; what is left is its /24s.
	dst24 := map[netip.Prefix]float64{}
	if err := d.EachPacket(func(p *tables.PacketRow) {
		if p.Dst.Is4() {
			q, _ := p.Dst.Prefix(24)
			dst24[q]++
		}
	}); err != nil {
		return err
	}
	var dv []float64
	for _, v := range dst24 {
		dv = append(dv, v)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(dv)))
	r.Notes = append(r.Notes, fmt.Sprintf("%d port-0 sources in %d ASes of the synthetic map. Every packet goes to the telescope, one destination AS (Reserved 2020's > 50 %% to 18 ASes is an IXP's view); inside it, %d /24s received port-0-related packets and the top 10 of them %.1f %%.", sources, len(asns), len(dv), 100*stats.TopShare(dv, 10)))
	return e.WriteTable("source_as.csv", []string{"asn", "packets", "sources"}, rows)
}

// hourly returns the hourly packet series over the period of all traffic
// (all) or of one class.
func hourly(d *Data, all bool, class label.Class) []float64 {
	n := d.Days * 24
	out := make([]float64, n)
	for _, r := range d.Series {
		if r.All != all || (!all && r.Class != class) {
			continue
		}
		if i := int(utc(r.Start).Sub(d.Start) / time.Hour); i >= 0 && i < n {
			out[i] += float64(r.Packets)
		}
	}
	return out
}

// sum1 is the sum of xs.
func sum1(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

func diurnal(e *Env, r *Result) error {
	d := e.Data
	if o := d.Observed; o != nil && o.Interval > time.Hour {
		r.Notes = append(r.Notes, fmt.Sprintf("Skipped: a daily profile needs the time series in intervals of at most an hour, and this analysis used %s (analyze's -interval).", o.Interval))
		return nil
	}
	all := hourly(d, true, 0)
	scan := hourly(d, false, label.Scan)
	allDay, scanDay := stats.PeriodStrength(all, 24), stats.PeriodStrength(scan, 24)
	allWeek := stats.PeriodStrength(all, 168, 24)
	if d.Observed != nil {
		r.Targets = append(r.Targets, compare("daily-cycle strength of port-0 scanning over that of all traffic", "[V] Maghsoudlou et al. 2021: most of the top port-0 source ASes lack a diurnal cycle (accepted: port-0 scanning's daily cycle at most half as strong as all traffic's)",
			0, 0.5, share(scanDay, allDay), "×", fmt.Sprintf("ratio of two variance shares at 24 h and harmonics (point estimate); n = days; a daily cycle needs a week of days (≥ %d), and a burst in fewer reads as one", minCycleDays), float64(d.Days), minCycleDays))
		r.Notes = append(r.Notes, fmt.Sprintf("Over %d %s: daily-cycle strength %s for all traffic, %s for port-0 scanning; weekly pattern beyond the daily cycle, all traffic: %s.", d.Days, plural(d.Days, "day", "days"), FormatNumber(allDay), FormatNumber(scanDay), FormatNumber(allWeek)))
		return profileTable(e, all, scan)
	}
	r.Targets = append(r.Targets,
		Target{What: "daily-cycle strength of all traffic (variance share at 24 h and harmonics)", Source: "scenario diurnal_amplitude > 0: background follows the day", Lo: 0.1, Hi: 1, Measured: allDay,
			Sampling: fmt.Sprintf("variance share of hourly counts; Poisson noise of n packets per hour lowers it, to 0.5 where it equals a %.2f-amplitude cycle's variance (n = 2/a²)", d.Scenario.DiurnalAmplitude), N: sum1(all) / float64(len(all)), MinN: 2 / (d.Scenario.DiurnalAmplitude * d.Scenario.DiurnalAmplitude)},
		Target{What: "daily-cycle strength of port-0 scanning", Source: "[V] most port-0 sources lack a diurnal cycle (Maghsoudlou 2021)", Lo: 0, Hi: allDay / 2, Measured: scanDay,
			Sampling: fmt.Sprintf("as above, of n scan packets in %d hours; a cycle of the background's amplitude would show from n = 2/a² per hour of the 24-hour profile (%s packets)", len(scan), FormatNumber(math.Ceil(24*2/(d.Scenario.DiurnalAmplitude*d.Scenario.DiurnalAmplitude)))), N: sum1(scan), MinN: math.Ceil(24 * 2 / (d.Scenario.DiurnalAmplitude * d.Scenario.DiurnalAmplitude))},
	)
	r.Notes = append(r.Notes, fmt.Sprintf("Weekly pattern beyond the daily cycle, all traffic: %.3f.", allWeek))
	return profileTable(e, all, scan)
}

// minCycleDays is the fewest days a daily cycle is judged on: fewer days
// cannot tell a cycle from a burst that happened at some hours.
const minCycleDays = 7

// profileTable writes profile.csv: the hourly series folded onto the 24
// hours of the day (UTC).
func profileTable(e *Env, all, scan []float64) error {
	var prof, scanProf [24]float64
	for i := range all {
		prof[i%24] += all[i]
		scanProf[i%24] += scan[i]
	}
	var rows [][]string
	for h := range 24 {
		rows = append(rows, []string{strconv.Itoa(h), f(prof[h]), f(scanProf[h])})
	}
	return e.WriteTable("profile.csv", []string{"hour_utc", "all_packets", "port0_scan_packets"}, rows)
}

// crafted reports whether a class is sent by a crafting actor (as opposed
// to a victim answering, or a client on port 0 by accident).
func crafted(class label.Class) bool {
	return class == label.Scan || class == label.Fingerprint || class == label.Malformed
}

func originNetworks(e *Env, r *Result) error {
	d := e.Data
	if d.Observed != nil {
		return originObserved(e, r)
	}
	type agg struct{ hosting, other, hostPk, otherPk float64 }
	by := map[label.Class]*agg{}
	var craftedAll, craftedHosting float64
	for s, err := range d.Sources() {
		if err != nil {
			return err
		}
		p := d.prefixOf(s.Src)
		a := by[s.Class]
		if a == nil {
			a = &agg{}
			by[s.Class] = a
		}
		if p.Hosting {
			a.hosting++
			a.hostPk += float64(s.Packets)
		} else {
			a.other++
			a.otherPk += float64(s.Packets)
		}
		if crafted(s.Class) {
			craftedAll++
			if p.Hosting {
				craftedHosting++
			}
		}
	}
	// The source-port-0 burst (Cisco 2013): its sources, from the truth,
	// and the ASes the analyzer places them in.
	burstAS := map[uint32]bool{}
	s := d.Scenario.Sport0
	b0 := d.Scenario.Start.Add(time.Duration(s.BurstDay)*24*time.Hour + time.Duration(s.BurstHour)*time.Hour)
	b1 := b0.Add(time.Duration(s.BurstHours * float64(time.Hour)))
	burstSrc := 0.0
	for src, err := range d.Sources() {
		if err != nil {
			return err
		}
		if src.Class == label.Scan && int(src.TopDport) == s.BurstPort && !utc(src.First).Before(b0) && !utc(src.Last).After(b1) {
			burstAS[d.prefixOf(src.Src).ASN] = true
			burstSrc++
		}
	}
	hostingASes := 0
	for _, p := range d.ASMap {
		if p.Hosting {
			hostingASes++
		}
	}
	r.Targets = append(r.Targets,
		Target{What: "crafting sources (scan, fingerprint, crafted-malformed) in hosting/cloud ASes", Source: "scenario: crafted port-0 traffic comes from hosting networks (Cisco 2013: one hosting AS)", Lo: 99, Hi: 100, Measured: 100 * share(craftedHosting, craftedAll), Unit: "%", Sampling: "share of n crafting sources, all in hosting ASes by design", N: craftedAll, MinN: 1},
		Target{What: fmt.Sprintf("ASes of the source-port-0 burst's sources (SYNs to %d in the burst hours)", s.BurstPort), Source: "[V] Cisco, 2 Nov 2013: sources in one hosting AS", Lo: 1, Hi: 1, Measured: float64(len(burstAS)), Unit: "ASes", Sampling: "distinct ASes of n burst sources (exact)", N: burstSrc, MinN: 1},
	)
	r.Notes = append(r.Notes, fmt.Sprintf("%d of the map's %d ASes are hosting/cloud networks; %d burst sources. Backscatter victims and BitTorrent clients are drawn from every AS, weighted by size.", hostingASes, len(d.ASMap), int(burstSrc)))
	var rows [][]string
	for _, c := range label.Classes() {
		a := by[c]
		if a == nil {
			continue
		}
		rows = append(rows, []string{c.String(), f(a.hosting), f(a.other), f(a.hostPk), f(a.otherPk)})
	}
	return e.WriteTable("origin.csv", []string{"class", "hosting_sources", "other_sources", "hosting_packets", "other_packets"}, rows)
}

// minScanPackets is the fewest packets a scanner needs for its rate to be
// measured (corrected by spanFactor).
const minScanPackets = 10

func scanCoverage(e *Env, r *Result) error {
	d := e.Data
	if d.Observed != nil {
		return scanCoverageObserved(e, r)
	}
	seen := map[netip.Addr]bool{}
	if err := d.EachPacket(func(p *tables.PacketRow) {
		seen[p.Src] = true
	}); err != nil {
		return err
	}
	plannedRate := map[netip.Addr]float64{} // packets per second
	for _, a := range d.Actors {
		if a.Family != "scan0" || !seen[a.Src] {
			continue // a small planned volume can come out as no packet at all
		}
		plannedRate[a.Src] = a.Packets / a.End.Sub(a.Start).Seconds()
	}
	teleAddrs := d.Summary.Port0.TelescopeAddrs
	tab, err := e.CreateTable("coverage.csv", []string{"src", "tool", "packets", "distinct_dsts", "coverage_pct", "rate_pps", "planned_rate_pps"})
	if err != nil {
		return err
	}
	defer tab.Abort()
	var ratios, covOK, found, scanners, widest float64
	var rateRatios, rateWeights, sweepRatios []float64
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
		// coverage is written with 6 decimals.
		if math.Abs(s.Coverage-distinct/teleAddrs) <= 5e-7 {
			covOK++
		}
		planned := math.NaN()
		if rate, ok := plannedRate[s.Src]; ok {
			found++
			planned = rate
			if s.Packets >= minScanPackets {
				rateRatios = append(rateRatios, s.RatePPS/rate*spanFactor(packets)*(packets-1))
				rateWeights = append(rateWeights, packets-1)
				sweepRatios = append(sweepRatios, distinct/packets)
			}
		}
		ratios += distinct / packets
		tab.Write([]string{s.Src.String(), s.Tool.String(), f(packets), f(distinct), f(100 * distinct / teleAddrs), f(s.RatePPS), f(planned)})
	}
	rate := weightedTarget(fmt.Sprintf("measured over planned scan rate, times (k−1)/(k+1), scan0 sweeps of k ≥ %d packets, weighted by k−1", minScanPackets),
		"scenario scan0 (planned packets over the activity window, actors.csv); the first-to-last span of k packets is (k−1)/(k+1) of the window on average, so k over it overstates the rate by (k+1)/(k−1)", "sweeps", rateRatios, rateWeights, e.Seed)
	sweeps := float64(len(plannedRate))
	r.Targets = append(r.Targets,
		Target{What: "scan0 actors of the truth (those that sent a packet) found as port-0 scanners", Source: "scenario scan0 population (actors.csv)", Lo: sweeps, Hi: sweeps, Measured: found, Unit: "of " + strconv.Itoa(len(plannedRate)), Sampling: exactCount},
		rate,
		Target{What: "coverage = distinct telescope addresses / telescope size", Source: "[D] definition", Lo: scanners, Hi: scanners, Measured: covOK, Unit: "scanners", Sampling: exactCount},
		Target{What: fmt.Sprintf("median distinct destinations per packet of scan0 sweeps of ≥ %d packets", minScanPackets), Source: "[code] ZMap's cyclic group, Masscan's blackrock: a sweep never repeats an address", Lo: 0.95, Hi: 1.05, Measured: stats.Quantile(sweepRatios, 0.5),
			Sampling: medianSampling(fmt.Sprintf("scan0 sweeps of ≥ %d packets", minScanPackets)) + "; distinct counts exact up to 1024 destinations, HyperLogLog (±3.3 %) above", N: float64(len(sweepRatios)), MinN: 1},
	)
	r.Notes = append(r.Notes, fmt.Sprintf("%d port-0 scanners (%d sweeps of scan0 that sent packets, the rest source-port-0 probers); the widest reached %s of the %s telescope addresses (%.2f %%); on average a scanner's distinct destinations are %.0f %% of its packets.",
		int(scanners), len(plannedRate), f(widest), f(teleAddrs), 100*widest/teleAddrs, 100*ratios/scanners))
	return tab.Close()
}
