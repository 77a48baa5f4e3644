package study

import (
	"math"
	"net/netip"
	"time"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/tables"
)

// Study is the port-0 study of one scan's result, all of its sources in
// one Part: pass one (New) reads every port-0 record in order into
// per-source counts and fingerprint bundles and decides each source's
// class and tool; Packets and Tables read the records again for the
// per-packet classes, the events and the time series. It holds the scan's
// result, which the caller closes after.
type Study struct {
	res  *scan.Result
	ivs  *intervalTotals
	part *Part
	// tele is the telescope (opts.Telescope, or inferred from the
	// destinations of all traffic: teleFrom says which).
	tele     netip.Prefix
	teleFrom string
}

// New runs pass one of the study over res, which must have the port-0
// side (scan.Options.Port0). The intervals' source counts of all traffic
// start on their own goroutine at once, since they need only
// res.Intervals.
func New(res *scan.Result, opts Options) (*Study, error) {
	st, err := Run(res, opts, Budget{})
	if err != nil {
		return nil, err
	}
	return st.(*Study), nil
}

// Telescope is the study's telescope: the -telescope prefix of opts, or
// the one inferred from the destination range of all traffic; from says
// which ("flag" or "inferred").
func Telescope(opts Options, dst scan.DstRange) (tele netip.Prefix, from string) {
	if opts.Telescope.IsValid() {
		return opts.Telescope, "flag"
	}
	return dst.Prefix(), "inferred"
}

// ClassOf is the purpose class of a recorded packet, once sources are decided.
func (st *Study) ClassOf(p *scan.P0Packet) label.Class { return st.part.ClassOf(p) }

// Summary sums up the study for summary.json.
type Summary struct {
	Telescope     string           `json:"telescope"`
	TelescopeFrom string           `json:"telescope_from"` // "flag" or "inferred"
	Port0Packets  int64            `json:"port0_related_packets"`
	Port0Sources  int64            `json:"port0_sources"`
	ClassPackets  map[string]int64 `json:"class_packets"`
	ClassSources  map[string]int64 `json:"class_sources"`
	ToolSources   map[string]int64 `json:"tool_sources"`
	Bundles       int              `json:"fingerprint_bundles"`
	Events        int              `json:"backscatter_events"`
	ShapePackets  map[string]int64 `json:"shape_packets"`
	// TunneledPackets counts the port-0-related packets found inside a
	// tunnel (classified as the inner packet), by the outermost tunnel's
	// decode.Encap name; the direct ones are the rest.
	TunneledPackets map[string]int64 `json:"tunneled_packets"`
	TelescopeAddrs  float64          `json:"telescope_addresses"`
	// AllSources estimates the distinct sources of all traffic (the union
	// of the intervals' HyperLogLogs, ~3 % error).
	AllSources int64 `json:"all_sources"`
}

// Tables are the study's tables but packets.csv (which Packets streams)
// and its summary.
type Tables struct {
	Summary *Summary
	Sources []tables.SourceRow
	Events  []tables.EventRow
	Bundles []tables.BundleRow
	Series  []tables.SeriesRow
}

// PacketRow is the packets table's row of record p of a result with the
// given files, with its class.
func PacketRow(p *scan.P0Packet, file string, c label.Class) tables.PacketRow {
	return tables.PacketRow{File: file, Index: p.Index, Time: p.TS, Src: p.Src, Dst: p.Dst,
		Proto: p.Proto, SrcPort: p.SrcPort, DstPort: p.DstPort, Port0: p.Port0, Flags: p.Flags, TTL: p.TTL,
		IPID: p.IPID, Shape: p.Shape, Probe: p.Probe, Class: c, Encap: p.Encap, OuterSrc: p.OuterSrc, OuterDst: p.OuterDst}
}

// WritePackets writes the packets table (Packets) into dir. It may run
// while Tables does, on another goroutine.
func (st *Study) WritePackets(dir string, f tables.Format) error {
	return f.WritePacketRows(dir, st.Packets)
}

// Packets calls fn with the row of every port-0 record, in order, with
// its class; fn must not keep the row past the call. It may run while
// Tables does, on another goroutine.
func (st *Study) Packets(fn func(*tables.PacketRow) error) error {
	var row tables.PacketRow
	files := st.res.Files
	return st.res.Records.Each(func(p *scan.P0Packet) error {
		row = PacketRow(p, files[p.File].File, st.part.ClassOf(p))
		return fn(&row)
	})
}

// Tables is pass two: it reads the records again, classifies each packet
// by its shape and source, and derives the backscatter events, the time
// series (beside the intervals' packets and distinct sources of all traffic)
// and the summary.
func (st *Study) Tables() (*Tables, error) {
	hc := st.ivs
	defer func() { <-hc.done }() // an early return: let the counting end
	if err := st.res.Records.Each(func(p *scan.P0Packet) error { st.part.Count(p); return nil }); err != nil {
		return nil, err
	}
	pt := st.part.Finish(TelescopeAddrs(st.tele))
	<-hc.done
	return assemble([]*PartTables{pt}, &pt.Counts, hc.t, st.res.Interval, st.tele, st.teleFrom)
}

// TelescopeAddrs is the number of addresses of the telescope tele, 0 when
// it is unknown (invalid).
func TelescopeAddrs(tele netip.Prefix) float64 {
	if !tele.IsValid() {
		return 0
	}
	return math.Ldexp(1, tele.Addr().BitLen()-tele.Bits())
}

// Assemble makes the whole study's tables from the tables of its parts
// (each source in exactly one part), their merged counts and the scan's
// result of all inputs (its port-0 records are not read: only its
// intervals and destination range), as Study.Tables makes them from one
// part of every source: the rows of all parts sorted as one study sorts
// them, the summary from the counts.
func Assemble(parts []*PartTables, c *Counts, res *scan.Result, opts Options) (*Tables, error) {
	return AssembleTotals(parts, c, TotalsOf(&res.Intervals), res.Dst, res.Interval, opts)
}

// AssembleTotals is Assemble from the totals of all traffic's intervals
// (TotalsOf, or merged), its destination range and the intervals' length
// instead of the scan's result.
func AssembleTotals(parts []*PartTables, c *Counts, totals *Totals, dst scan.DstRange, interval time.Duration, opts Options) (*Tables, error) {
	tele, from := Telescope(opts, dst)
	return assemble(parts, c, totals, interval, tele, from)
}

func assemble(parts []*PartTables, c *Counts, totals *Totals, interval time.Duration, tele netip.Prefix, teleFrom string) (*Tables, error) {
	sum := &Summary{Telescope: "unknown", TelescopeFrom: teleFrom, Port0Packets: c.Packets, Port0Sources: c.Sources,
		ClassPackets: map[string]int64{}, ClassSources: map[string]int64{}, ToolSources: map[string]int64{}, ShapePackets: map[string]int64{}, TunneledPackets: map[string]int64{},
		Bundles: int(c.Bundles), Events: int(c.Events), AllSources: totals.Union.Count()}
	if tele.IsValid() {
		sum.Telescope = tele.String()
		sum.TelescopeAddrs = TelescopeAddrs(tele)
	}
	className := func(i int) string { return label.Class(i).String() }
	named(sum.ClassPackets, c.ClassPackets[:], className)
	named(sum.ShapePackets, c.ShapePackets[:], func(i int) string { return classify.Shape(i).String() })
	named(sum.ClassSources, c.ClassSources[:], className)
	named(sum.ToolSources, c.ToolSources[:], func(i int) string { return label.Tool(i).String() })
	named(sum.TunneledPackets, c.EncapPackets[decode.EncapNone+1:], func(i int) string { return decode.Encap(i + 1).String() })
	t := &Tables{Summary: sum}
	for _, p := range parts {
		t.Sources = append(t.Sources, p.Sources...)
		t.Events = append(t.Events, p.Events...)
		t.Bundles = append(t.Bundles, p.Bundles...)
	}
	if len(parts) > 1 {
		sortRows(t)
	}
	var err error
	iv := int64(scan.DefaultInterval)
	if interval > 0 {
		iv = int64(interval)
	}
	if t.Series, err = seriesRows(c.Intervals, totals.Intervals, iv); err != nil {
		return nil, err
	}
	return t, nil
}

// named puts the counts above 0 into m under their names.
func named(m map[string]int64, counts []int64, name func(int) string) {
	for i, n := range counts {
		if n > 0 {
			m[name(i)] = n
		}
	}
}

// ratio is a/b, or 0 when b is 0 (telescope size unknown).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func sourceRows(srcs []*Source, teleAddrs float64) []tables.SourceRow {
	rows := make([]tables.SourceRow, len(srcs))
	for i, s := range srcs {
		dur := float64(s.Last-s.First) / 1e9
		rate := 0.0
		if dur > 0 {
			rate = float64(s.Packets) / dur
		}
		d := s.Dsts.Count()
		dp, _ := s.DstPorts.top()
		sp, _ := s.SrcPorts.top()
		flags, hasFlags := s.FlagMix.top()
		rows[i] = tables.SourceRow{Src: s.Addr, Class: s.Class, Tool: s.Tool, ToolEvidence: s.toolEv, First: s.First, Last: s.Last,
			Packets: s.Packets, Bytes: s.Bytes, DistinctDsts: d, Coverage: ratio(float64(d), teleAddrs), RatePPS: rate,
			TopDport: dp, TopSport: sp, TCPPackets: s.TCP, UDPPackets: s.UDP, TopFlags: flags, HasTopFlags: hasFlags,
			InitTTL: uint8(s.initTTL()), IPIDPattern: s.IPIDPattern(), Bundles: s.Bundles, Probes: s.Probes}
		if s.flow {
			// Flows keep no IP ID, and a TTL only when the format
			// exports one: unknown, not a pattern of zeros.
			rows[i].IPIDPattern = "-"
			if s.ttlMax == 0 {
				rows[i].InitTTL = 0
			}
		}
	}
	return rows
}

func eventRows(events []Event, teleAddrs float64) []tables.EventRow {
	scale := ratio(math.Ldexp(1, 32), teleAddrs)
	// A victim's stack is what all its events say together: an ICMP
	// event that says not BSD and a RST event that says Linux or BSD
	// make Linux. Every event of a victim is in its part (a part holds
	// every record of its sources, and the victim is the replies' source).
	stacks := map[netip.Addr]label.VictimStack{}
	for i := range events {
		e := &events[i]
		if s, ok := stacks[e.Victim]; ok {
			stacks[e.Victim] = s.Meet(e.Stack())
		} else {
			stacks[e.Victim] = e.Stack()
		}
	}
	rows := make([]tables.EventRow, len(events))
	for i, e := range events {
		dur := float64(e.Last-e.First) / 1e9
		obs := float64(e.Packets) / math.Max(dur, 1)
		rows[i] = tables.EventRow{Victim: e.Victim, Class: e.Class, Proto: e.Proto, Start: e.First, End: e.Last,
			DurationS: dur, Packets: e.Packets, PeakPPS: float64(e.PeakPerMin) / 60, ServicePort: e.Port,
			ObservedPPS: obs, EstimatedAttackPPS: obs * scale, VictimStack: stacks[e.Victim].String()}
	}
	return rows
}

func bundleRows(bundles []Bundle) []tables.BundleRow {
	rows := make([]tables.BundleRow, len(bundles))
	for i := range bundles {
		b := &bundles[i]
		rows[i] = tables.BundleRow{Src: b.Src, Dst: b.Dst, Start: b.First, End: b.Last, DurationS: float64(b.Last-b.First) / 1e9,
			Probes: b.Mask, Order: b.Order, Distinct: b.Distinct(), Distinguishes: b.Distinguishes()}
	}
	return rows
}
