package study

import (
	"net/netip"
	"sort"
	"time"
	"unsafe"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/tables"
)

// Part is the study of some of the port-0 sources: every record of each
// of them, in input order. Everything the study keys is keyed by a source
// (its counts, its bundles to each target, its events as a victim), so the
// study of a set of sources does not depend on the records of any other:
// the parts of a partition of the sources give, assembled (Assemble), what
// one part of them all gives. Study is one Part over every record; a
// pipeline keyed by source runs one Part a key.
//
// A part has two passes over its records, in the same order: Add (pass
// one: counts and bundles), then Decide, then Count (pass two: packet
// classes, events, time series), then Finish.
type Part struct {
	opts   Options
	iv     int64
	byAddr map[netip.Addr]*Source
	// Sources are the part's sources, sorted by address; Bundles its
	// fingerprint bundles, sorted by start, source, target (after Decide).
	Sources []*Source
	Bundles []Bundle
	// mem estimates the bytes the part holds and will hold in pass two
	// (memCost): what Bounded keeps to a budget.
	mem int64
	// pass two
	ivs      map[int64]*intervalPort0
	curIv    int64
	curPort0 *intervalPort0
	ev       eventTracker
	counts   Counts
}

// NewPart returns an empty part of a study with the options opts (checked
// by the caller: Options.Check) over time series of intervals iv long (0:
// scan.DefaultInterval).
func NewPart(opts Options, iv time.Duration) *Part {
	if iv <= 0 {
		iv = scan.DefaultInterval
	}
	return &Part{opts: opts, iv: int64(iv), byAddr: map[netip.Addr]*Source{}, ivs: map[int64]*intervalPort0{},
		ev: eventTracker{opts: opts, open: map[eventKey]*Event{}}}
}

// What the study's state costs, in bytes, as Part.mem estimates it: a
// source (its Source, its slot in the part's map, its row of the sources
// table, its open events and the evidence string), a source's presence in
// an interval (a slot in the interval's set of sources of a class, pass
// two: counted once for each run of its records in one interval) and a
// fingerprint bundle (open, kept and as a row). They are what a spoofed
// flood's one-packet sources were measured to take, rounded up, so that
// an estimate within a budget is a heap within it.
const (
	sourceMem   = int64(unsafe.Sizeof(Source{})+unsafe.Sizeof(tables.SourceRow{})) + 256
	intervalMem = 64
	bundleMem   = int64(unsafe.Sizeof(Bundle{})+unsafe.Sizeof(tables.BundleRow{})) + 128
)

// Mem estimates the bytes the part holds once its records are all added
// and will hold in pass two (the sources' state, their interval sets,
// the bundles): the unit of a memory budget (Bounded).
func (pt *Part) Mem() int64 { return pt.mem }

// maxOpenBundles is how many bundles of one source may be open before
// those idle for longer than the gap are closed.
const maxOpenBundles = 4096

// Add is pass one: p's source's counts and fingerprint bundles.
func (pt *Part) Add(p *scan.P0Packet) {
	s := pt.byAddr[p.Src]
	if s == nil {
		s = &Source{Addr: p.Src}
		pt.byAddr[p.Src] = s
		pt.mem += sourceMem
	}
	if iv := p.TS / pt.iv; s.Packets == 0 || iv != s.lastIv {
		s.lastIv = iv
		pt.mem += intervalMem
	}
	dm := s.Dsts.Mem()
	s.add(p)
	pt.mem += s.Dsts.Mem() - dm
	if classify.ShapeClass(p.Shape) == label.Scan {
		n := len(s.scanDsts)
		s.addScanDst(p.Dst, pt.opts.ScanMinDsts)
		pt.mem += int64(len(s.scanDsts)-n) * int64(unsafe.Sizeof(p.Dst))
	}
	if p.Probe == classify.ProbeNone {
		return
	}
	if s.open == nil {
		s.open = map[netip.Addr]*Bundle{}
	}
	b := s.open[p.Dst]
	gap := int64(pt.opts.BundleGap)
	if b != nil && p.TS-b.Last > gap {
		pt.closeBundle(s, b)
		b = nil
	}
	if b == nil {
		b = &Bundle{Src: p.Src, Dst: p.Dst, First: p.TS, Last: p.TS}
		s.open[p.Dst] = b
		pt.mem += bundleMem
		if len(s.open) > max(maxOpenBundles, s.expireAt) {
			pt.expireBundles(s, p.TS)
			s.expireAt = 2 * len(s.open)
		}
	}
	b.Last = max(b.Last, p.TS)
	b.Mask.Add(p.Probe)
	if len(b.Order) < 16 {
		b.Order = append(b.Order, p.Probe)
	}
}

func (pt *Part) closeBundle(s *Source, b *Bundle) {
	delete(s.open, b.Dst)
	if b.Distinct() < pt.opts.BundleMinProbes {
		pt.mem -= bundleMem // dropped: what it held is free again
	} else {
		pt.Bundles = append(pt.Bundles, *b)
		s.Bundles++
		if s.windows == nil {
			s.windows = map[netip.Addr][]window{}
		}
		s.windows[b.Dst] = append(s.windows[b.Dst], window{b.First, b.Last})
	}
}

// window is the time a kept bundle spans, first to last probe.
type window struct{ first, last int64 }

// inBundle reports whether a packet of s to dst at ts falls inside one
// of s's kept bundles to dst, widened by the bundle gap on either side:
// the time in which a probe to dst would have joined that bundle.
func (pt *Part) inBundle(s *Source, dst netip.Addr, ts int64) bool {
	gap := int64(pt.opts.BundleGap)
	for _, w := range s.windows[dst] {
		if ts >= w.first-gap && ts <= w.last+gap {
			return true
		}
	}
	return false
}

// expireBundles closes every open bundle of s idle for longer than the
// gap, so that a source holds only bundles that may still grow.
func (pt *Part) expireBundles(s *Source, now int64) {
	for _, b := range s.open {
		if now-b.Last > int64(pt.opts.BundleGap) {
			pt.closeBundle(s, b)
		}
	}
}

// Decide ends pass one: it closes the open bundles and classifies every
// source. The order of sources and bundles is made deterministic here.
func (pt *Part) Decide() {
	pt.Sources = pt.Sources[:0]
	for _, s := range pt.byAddr {
		for _, b := range s.open { // closing deletes: allowed while ranging
			pt.closeBundle(s, b)
		}
		s.open = nil
		pt.Sources = append(pt.Sources, s)
	}
	sort.Slice(pt.Sources, func(i, j int) bool { return pt.Sources[i].Addr.Less(pt.Sources[j].Addr) })
	for _, s := range pt.Sources {
		s.decide(pt.opts)
	}
	sort.Slice(pt.Bundles, func(i, j int) bool {
		a, b := &pt.Bundles[i], &pt.Bundles[j]
		return bundleLess(a.First, a.Src, a.Dst, b.First, b.Src, b.Dst)
	})
}

func bundleLess(af int64, as, ad netip.Addr, bf int64, bs, bd netip.Addr) bool {
	if af != bf {
		return af < bf
	}
	if c := as.Compare(bs); c != 0 {
		return c < 0
	}
	return ad.Less(bd)
}

// ClassOf is the purpose class of a record of the part, once its sources
// are decided.
// Everything a fingerprinting source sends to a target inside one of
// its bundles' windows (inBundle) belongs to that fingerprinting,
// whatever its shape: an OS-detection run mixes probes of port 0 with
// packets of other shapes to the same target (Nmap's T1 and ECN SYNs
// carry options, its U1 goes to a closed UDP port). Scanning-shaped
// packets of a source whose scanning revisits a few destinations
// (Source.retry) are retry, whatever the class of the source.
func (pt *Part) ClassOf(p *scan.P0Packet) label.Class {
	s := pt.byAddr[p.Src]
	if s.Class == label.Fingerprint && p.Probe == classify.ProbeNone && pt.inBundle(s, p.Dst, p.TS) {
		return label.Fingerprint
	}
	c := classify.PacketClass(p.Shape, p.Probe, s.Class)
	if c == label.Scan && s.retry {
		return label.Retry // a retrying client's packets, whoever else shares its address
	}
	return c
}

// Count is pass two: p's class, which it returns, and p's part of the
// events, the time series and the counts.
func (pt *Part) Count(p *scan.P0Packet) label.Class {
	c := pt.ClassOf(p)
	pt.counts.Packets++
	pt.counts.ClassPackets[c]++
	pt.counts.ShapePackets[p.Shape]++
	pt.counts.EncapPackets[p.Encap]++
	if h := p.TS / pt.iv; h != pt.curIv || pt.curPort0 == nil {
		if pt.curPort0 = pt.ivs[h]; pt.curPort0 == nil {
			pt.curPort0 = &intervalPort0{}
			pt.ivs[h] = pt.curPort0
		}
		pt.curIv = h
	}
	pt.curPort0.add(c, p.Src)
	pt.ev.add(p, c)
	return c
}

// PartTables are a part's rows, each sorted as its table is, and its
// counts.
type PartTables struct {
	Sources []tables.SourceRow
	Events  []tables.EventRow
	Bundles []tables.BundleRow
	Counts  Counts
}

// Finish ends pass two: the part's rows, for a telescope of teleAddrs
// addresses (0: unknown; see TelescopeAddrs), and its counts.
func (pt *Part) Finish(teleAddrs float64) *PartTables {
	events := pt.ev.finish()
	c := &pt.counts
	c.Sources, c.Bundles, c.Events = int64(len(pt.Sources)), int64(len(pt.Bundles)), int64(len(events))
	for _, s := range pt.Sources {
		c.ClassSources[s.Class]++
		c.ToolSources[s.Tool]++
	}
	c.Intervals = make(map[int64]*IntervalCounts, len(pt.ivs))
	for h, hp := range pt.ivs {
		ic := &IntervalCounts{Packets: hp.packets}
		for cl, m := range hp.sources {
			ic.Sources[cl] = int64(len(m))
		}
		c.Intervals[h] = ic
	}
	return &PartTables{Sources: sourceRows(pt.Sources, teleAddrs), Events: eventRows(events, teleAddrs),
		Bundles: bundleRows(pt.Bundles), Counts: *c}
}

// Counts are the study's numbers that add up over the parts of a
// partition of the sources (Merge): packets by class and shape, sources by
// class and tool, bundles and events, and each interval's packets and
// distinct sources by class.
type Counts struct {
	Packets      int64
	ClassPackets [label.NumClasses]int64
	ShapePackets [classify.NumShapes]int64
	// EncapPackets counts the packets by the tunnel they were found in
	// (index decode.EncapNone: direct).
	EncapPackets [decode.NumEncaps]int64
	Sources      int64
	ClassSources [label.NumClasses]int64
	ToolSources  [label.NumTools]int64
	Bundles      int64
	Events       int64
	// Intervals holds the port-0 side of each interval with a port-0
	// packet, by index (start / interval).
	Intervals map[int64]*IntervalCounts
}

// IntervalCounts are one interval's port-0 packets and distinct sources,
// by class.
type IntervalCounts struct {
	Packets [label.NumClasses]int64
	Sources [label.NumClasses]int64
}

// Merge adds o, the counts of other sources, to c.
func (c *Counts) Merge(o *Counts) {
	c.Packets += o.Packets
	c.Sources += o.Sources
	c.Bundles += o.Bundles
	c.Events += o.Events
	addAll(c.ClassPackets[:], o.ClassPackets[:])
	addAll(c.ShapePackets[:], o.ShapePackets[:])
	addAll(c.EncapPackets[:], o.EncapPackets[:])
	addAll(c.ClassSources[:], o.ClassSources[:])
	addAll(c.ToolSources[:], o.ToolSources[:])
	if c.Intervals == nil {
		c.Intervals = map[int64]*IntervalCounts{}
	}
	for h, oi := range o.Intervals {
		ci := c.Intervals[h]
		if ci == nil {
			ci = &IntervalCounts{}
			c.Intervals[h] = ci
		}
		addAll(ci.Packets[:], oi.Packets[:])
		addAll(ci.Sources[:], oi.Sources[:])
	}
}

func addAll(dst, src []int64) {
	for i, v := range src {
		dst[i] += v
	}
}

// sortRows sorts the rows of several parts as one part sorts its own
// (sourceLess, eventRowLess, bundleRowLess).
func sortRows(t *Tables) {
	sort.Slice(t.Sources, func(i, j int) bool { return sourceLess(&t.Sources[i], &t.Sources[j]) })
	sort.Slice(t.Events, func(i, j int) bool { return eventRowLess(&t.Events[i], &t.Events[j]) })
	sort.Slice(t.Bundles, func(i, j int) bool { return bundleRowLess(&t.Bundles[i], &t.Bundles[j]) })
}

// The order of the tables' rows, each a total order (no two rows tie):
// sources by address, events by start, victim, class and protocol,
// bundles by start, source and target.
func sourceLess(a, b *tables.SourceRow) bool { return a.Src.Less(b.Src) }

func eventRowLess(a, b *tables.EventRow) bool {
	return eventLess(a.Start, a.Victim, a.Class, a.Proto, b.Start, b.Victim, b.Class, b.Proto)
}

func bundleRowLess(a, b *tables.BundleRow) bool {
	return bundleLess(a.Start, a.Src, a.Dst, b.Start, b.Src, b.Dst)
}

func eventLess(af int64, av netip.Addr, ac label.Class, ap uint8, bf int64, bv netip.Addr, bc label.Class, bp uint8) bool {
	if af != bf {
		return af < bf
	}
	if c := av.Compare(bv); c != 0 {
		return c < 0
	}
	if ac != bc {
		return ac < bc
	}
	return ap < bp
}

// eventTracker builds backscatter events from classified packets.
type eventTracker struct {
	opts Options
	open map[eventKey]*Event
	done []Event
}

func (t *eventTracker) add(p *scan.P0Packet, c label.Class) {
	if c != label.BackscatterTo0 && c != label.BackscatterFrom0 {
		return
	}
	k := eventKey{p.Src, c, p.Proto}
	e := t.open[k]
	if e != nil && p.TS-e.Last > int64(t.opts.EventTimeout) {
		t.close(k, e)
		e = nil
	}
	if e == nil {
		e = &Event{Victim: p.Src, Class: c, Proto: p.Proto, First: p.TS, peakBin: p.TS / 60e9}
		if c == label.BackscatterTo0 {
			e.Port = p.SrcPort
		}
		t.open[k] = e
	}
	e.Last = max(e.Last, p.TS)
	e.Packets++
	if bin := p.TS / 60e9; bin != e.peakBin {
		e.peakBin, e.binCount = bin, 0
	}
	e.binCount++
	e.PeakPerMin = max(e.PeakPerMin, e.binCount)
	switch classify.InitialTTL(p.TTL) {
	case 64:
		e.ttl64++
	case 128:
		e.ttl128++
	}
	switch {
	case p.Proto == decode.ProtoICMP:
		e.icmp++
	case p.Proto == decode.ProtoTCP && p.Flags&^decode.TCPFlagNS == decode.TCPFlagSYN|decode.TCPFlagACK:
		if p.Window == 65535 {
			e.synAck65535++
		} else {
			e.synAckOther++
		}
	}
}

func (t *eventTracker) close(k eventKey, e *Event) {
	delete(t.open, k)
	if e.Packets >= t.opts.EventMinPackets || time.Duration(e.Last-e.First) >= t.opts.EventMinDuration {
		t.done = append(t.done, *e)
	}
}

func (t *eventTracker) finish() []Event {
	for k, e := range t.open { // closing deletes: allowed while ranging
		t.close(k, e)
	}
	sort.Slice(t.done, func(i, j int) bool {
		a, b := &t.done[i], &t.done[j]
		return eventLess(a.First, a.Victim, a.Class, a.Proto, b.First, b.Victim, b.Class, b.Proto)
	})
	return t.done
}

// intervalPort0 is one interval's port-0 packets and distinct sources by class.
type intervalPort0 struct {
	packets [label.NumClasses]int64
	sources [label.NumClasses]map[netip.Addr]struct{}
}

func (hp *intervalPort0) add(c label.Class, src netip.Addr) {
	hp.packets[c]++
	m := hp.sources[c]
	if m == nil {
		m = map[netip.Addr]struct{}{}
		hp.sources[c] = m
	}
	m[src] = struct{}{}
}
