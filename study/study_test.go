package study

import (
	"bytes"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/tables"
)

// scanOf scans a generated capture with the port-0 side, as package
// analyze does, and closes the result at the test's end.
func scanOf(t *testing.T, g testcap.Gen) *scan.Result {
	t.Helper()
	res, err := scan.Run([]string{"-"}, bytes.NewReader(g.Pcap), scan.Options{Port0: true})
	t.Cleanup(func() { res.Close() })
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// studyOf runs both passes of the study with the default options.
func studyOf(t *testing.T, res *scan.Result) (*Study, *Tables) {
	t.Helper()
	st, err := New(res, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	tb, err := st.Tables()
	if err != nil {
		t.Fatal(err)
	}
	return st, tb
}

// TestStudyTables checks the tables against what the default scenario
// holds: bundles with their probe sets, backscatter events, hourly series.
// It runs at scale 1e-5 (2.8 M packets, tens of bundles and events), not
// on testcap.Medium, whose dozen bundles would prove less.
func TestStudyTables(t *testing.T) {
	g, err := testcap.Generate(t.TempDir(), 1e-5)
	if err != nil {
		t.Fatal(err)
	}
	_, tb := studyOf(t, scanOf(t, g))
	if len(tb.Bundles) == 0 {
		t.Fatal("no fingerprint bundle")
	}
	full := 0
	for _, b := range tb.Bundles {
		if s := b.Probes.String(); s == "P1 P2 P3/P4 P5 P6 P7" || s == "P1 P2 P3/P4 P5 P6 P7 T2 T3 T4 T5 T6 T7" {
			full++
		}
	}
	if full < len(tb.Bundles)*9/10 {
		t.Errorf("%d of %d bundles hold the whole probe set", full, len(tb.Bundles))
	}
	if len(tb.Events) == 0 {
		t.Fatal("no backscatter event")
	}
	classes := map[label.Class]int{}
	for _, e := range tb.Events {
		classes[e.Class]++
	}
	if classes[label.BackscatterTo0] == 0 || classes[label.BackscatterFrom0] == 0 {
		t.Errorf("events by class: %v", classes)
	}
	ivs := map[int64]bool{}
	kinds := map[string]bool{}
	for _, r := range tb.Series {
		ivs[r.Start] = true
		if r.All {
			kinds["all"] = true
		} else {
			kinds[r.Class.String()] = true
		}
	}
	if len(ivs) < 1096*20 || !kinds["all"] || !kinds[label.Scan.String()] {
		t.Errorf("timeseries: %d hours, kinds %v", len(ivs), kinds)
	}
	t.Logf("%d bundles (%d whole), %d events %v, %d hours", len(tb.Bundles), full, len(tb.Events), classes, len(ivs))
}

// TestStudyConsistent holds the study's outputs to each other: Packets
// gives one row per record, in order, with the class the summary counts;
// sources are sorted and their packets add up to the records; bundles
// and events are in time order; the series is in time order, all traffic
// first in each hour, and its port-0 packets add up to the records.
func TestStudyConsistent(t *testing.T) {
	res := scanOf(t, testcap.Medium(t))
	st, tb := studyOf(t, res)
	sum := tb.Summary
	var n int64
	classPackets := map[string]int64{}
	prev := tables.PacketRow{Index: -1}
	err := st.Packets(func(p *tables.PacketRow) error {
		n++
		classPackets[p.Class.String()]++
		if p.Index <= prev.Index && p.File == prev.File {
			t.Fatalf("row %d: index %d after %d", n, p.Index, prev.Index)
		}
		if p.Class == label.Unknown || p.Class == label.Background {
			t.Fatalf("row %d: class %v", n, p.Class)
		}
		prev = *p
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != res.Records.Len() || n != sum.Port0Packets || n == 0 {
		t.Errorf("%d rows, %d records, summary %d port-0 packets", n, res.Records.Len(), sum.Port0Packets)
	}
	if !mapsEqual(classPackets, sum.ClassPackets) {
		t.Errorf("class packets: rows %v, summary %v", classPackets, sum.ClassPackets)
	}
	var srcPackets int64
	for i, s := range tb.Sources {
		srcPackets += s.Packets
		if i > 0 && !tb.Sources[i-1].Src.Less(s.Src) {
			t.Fatalf("sources %d, %d out of order: %v, %v", i-1, i, tb.Sources[i-1].Src, s.Src)
		}
		if s.First > s.Last || s.TCPPackets+s.UDPPackets > s.Packets {
			t.Errorf("source %v: %+v", s.Src, s)
		}
		if (s.Class == label.Fingerprint) != (s.Bundles > 0) {
			t.Errorf("source %v: class %v with %d bundles", s.Src, s.Class, s.Bundles)
		}
	}
	if srcPackets != n || int64(len(tb.Sources)) != sum.Port0Sources {
		t.Errorf("sources: %d packets, %d sources; want %d, %d", srcPackets, len(tb.Sources), n, sum.Port0Sources)
	}
	if len(tb.Bundles) != sum.Bundles || len(tb.Events) != sum.Events {
		t.Errorf("%d bundles, %d events; summary %d, %d", len(tb.Bundles), len(tb.Events), sum.Bundles, sum.Events)
	}
	for i, b := range tb.Bundles {
		if i > 0 && b.Start < tb.Bundles[i-1].Start || b.Distinct < DefaultOptions().BundleMinProbes || b.Distinct != popcount(b.Probes) {
			t.Errorf("bundle %d: %+v", i, b)
		}
	}
	for i, e := range tb.Events {
		if i > 0 && e.Start < tb.Events[i-1].Start || e.Class != label.BackscatterTo0 && e.Class != label.BackscatterFrom0 {
			t.Errorf("event %d: %+v", i, e)
		}
	}
	var seriesP0 int64
	for i, r := range tb.Series {
		if i > 0 {
			p := tb.Series[i-1]
			if r.Start < p.Start || r.Start == p.Start && (r.All || !p.All && r.Class <= p.Class) {
				t.Fatalf("series rows %d, %d out of order: %+v, %+v", i-1, i, p, r)
			}
		}
		if !r.All {
			seriesP0 += r.Packets
		}
	}
	if seriesP0 != n {
		t.Errorf("series: %d port-0 packets, want %d", seriesP0, n)
	}
}

func popcount(s classify.ProbeSet) int {
	n := 0
	for p := classify.ProbeP1; p < classify.NumProbes; p++ {
		if s.Has(p) {
			n++
		}
	}
	return n
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestStudyOptions: the options change what they say and nothing else.
// A larger minimum of probes keeps exactly the bundles with that many; an
// event minimum of one packet keeps every event, and the events it adds
// are those below the default minimums; a telescope given is used as
// given; a result without the port-0 side is refused.
func TestStudyOptions(t *testing.T) {
	res := scanOf(t, testcap.Medium(t))
	_, def := studyOf(t, res)
	with := func(change func(o *Options)) *Tables {
		t.Helper()
		o := DefaultOptions()
		change(&o)
		st, err := New(res, o)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := st.Tables()
		if err != nil {
			t.Fatal(err)
		}
		return tb
	}

	tb := with(func(o *Options) { o.BundleMinProbes = 6 })
	var six []tables.BundleRow
	for _, b := range def.Bundles {
		if b.Distinct >= 6 {
			six = append(six, b)
		}
	}
	if !reflect.DeepEqual(tb.Bundles, six) || len(six) == 0 {
		t.Errorf("bundle minimum 6: %d bundles, want the %d of %d with 6 probes or more", len(tb.Bundles), len(six), len(def.Bundles))
	}

	tb = with(func(o *Options) { o.EventMinPackets, o.EventMinDuration = 1, 0 })
	kept := map[netip.Addr]int{}
	for _, e := range tb.Events {
		kept[e.Victim]++
	}
	for _, e := range def.Events {
		if kept[e.Victim] == 0 {
			t.Errorf("event of %v dropped by a smaller minimum", e.Victim)
		}
	}
	if len(tb.Events) <= len(def.Events) {
		t.Errorf("every event kept: %d events, default %d", len(tb.Events), len(def.Events))
	}
	defMin := DefaultOptions()
	for _, e := range tb.Events {
		if e.Packets < defMin.EventMinPackets && e.DurationS < defMin.EventMinDuration.Seconds() {
			continue // below both default minimums: one the default drops
		}
		found := false
		for _, d := range def.Events {
			found = found || d == e
		}
		if !found {
			t.Errorf("event %+v passes the default minimums but is not a default event", e)
		}
	}
	if !slices.Equal(seriesStarts(tb.Series), seriesStarts(def.Series)) {
		t.Error("the series' hours depend on the event options")
	}

	tele, err := netip.ParsePrefix(def.Summary.Telescope)
	if err != nil {
		t.Fatalf("inferred telescope %q: %v", def.Summary.Telescope, err)
	}
	tb = with(func(o *Options) { o.Telescope = tele })
	if tb.Summary.TelescopeFrom != "flag" || def.Summary.TelescopeFrom != "inferred" || tb.Summary.Telescope != def.Summary.Telescope {
		t.Errorf("telescope %s (%s), default %s (%s)", tb.Summary.Telescope, tb.Summary.TelescopeFrom, def.Summary.Telescope, def.Summary.TelescopeFrom)
	}
	wide := with(func(o *Options) { o.Telescope = netip.MustParsePrefix("198.0.0.0/8") })
	if wide.Summary.TelescopeAddrs != 1<<24 || len(wide.Sources) == 0 || wide.Sources[0].Coverage >= def.Sources[0].Coverage {
		t.Errorf("a /8 telescope: %v addresses, coverage %v (default %v)", wide.Summary.TelescopeAddrs, wide.Sources[0].Coverage, def.Sources[0].Coverage)
	}

	if _, err := New(&scan.Result{}, DefaultOptions()); err == nil {
		t.Error("New on a result without the port-0 side: no error")
	}
	// Options out of range are refused, naming the flag.
	for _, c := range []struct {
		flag string
		set  func(*Options)
	}{
		{"-event-timeout", func(o *Options) { o.EventTimeout = 0 }},
		{"-event-min-packets", func(o *Options) { o.EventMinPackets = 0 }},
		{"-event-min-duration", func(o *Options) { o.EventMinDuration = -1 }},
		{"-bundle-gap", func(o *Options) { o.BundleGap = 0 }},
		{"-bundle-min-probes", func(o *Options) { o.BundleMinProbes = 0 }},
	} {
		o := DefaultOptions()
		c.set(&o)
		if _, err := New(res, o); err == nil || !strings.Contains(err.Error(), c.flag) {
			t.Errorf("%s out of range: error %v, want one naming it", c.flag, err)
		}
	}
	if _, err := New(res, Options{}); err == nil {
		t.Error("zero Options: no error")
	}
}

func seriesStarts(rows []tables.SeriesRow) []int64 {
	var s []int64
	for _, r := range rows {
		if r.All {
			s = append(s, r.Start)
		}
	}
	return s
}

// TestPartsAssemble splits the sources into k parts by address, runs a
// Part over each part's records (in input order) and assembles them: the
// tables and every packet's class are those of the one-part Study,
// whatever k, as a pipeline keyed by source relies on.
func TestPartsAssemble(t *testing.T) {
	res := scanOf(t, testcap.Medium(t))
	st, want := studyOf(t, res)
	wantClass := map[[2]int64]label.Class{}
	if err := st.Packets(func(r *tables.PacketRow) error {
		wantClass[[2]int64{0, r.Index}] = r.Class
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	opts := DefaultOptions()
	tele, _ := Telescope(opts, res.Dst)
	for _, k := range []int{1, 2, 7, 64} {
		parts := make([]*Part, k)
		for i := range parts {
			parts[i] = NewPart(opts, res.Interval)
		}
		of := func(p *scan.P0Packet) *Part { return parts[int(p.Src.As16()[15])%k] }
		each := func(fn func(*scan.P0Packet)) {
			if err := res.Records.Each(func(p *scan.P0Packet) error { fn(p); return nil }); err != nil {
				t.Fatal(err)
			}
		}
		each(func(p *scan.P0Packet) { of(p).Add(p) })
		for _, p := range parts {
			p.Decide()
		}
		each(func(p *scan.P0Packet) {
			if c := of(p).Count(p); c != wantClass[[2]int64{0, p.Index}] {
				t.Fatalf("k=%d: packet %d: class %v, one study says %v", k, p.Index, c, wantClass[[2]int64{0, p.Index}])
			}
		})
		var pts []*PartTables
		var c Counts
		for _, p := range parts {
			pt := p.Finish(TelescopeAddrs(tele))
			pts = append(pts, pt)
			c.Merge(&pt.Counts)
		}
		got, err := Assemble(pts, &c, res, opts)
		if err != nil {
			t.Fatal(err)
		}
		for name, pair := range map[string][2]any{
			"summary": {*got.Summary, *want.Summary}, "sources": {got.Sources, want.Sources},
			"events": {got.Events, want.Events}, "bundles": {got.Bundles, want.Bundles}, "series": {got.Series, want.Series},
		} {
			if !reflect.DeepEqual(pair[0], pair[1]) {
				t.Errorf("k=%d: %s differ from the one-part study's", k, name)
			}
		}
	}
	if len(want.Bundles) == 0 || len(want.Events) == 0 || len(want.Sources) < 10 {
		t.Fatalf("the capture proves little: %d sources, %d bundles, %d events", len(want.Sources), len(want.Bundles), len(want.Events))
	}
}

// TestTotalsMerge counts the intervals of all traffic in blocks, as a
// pipeline keyed by block does, and merges the blocks' totals in a
// shuffled order: the totals of counting them all at once. An interval in
// two blocks is an error.
func TestTotalsMerge(t *testing.T) {
	res := scanOf(t, testcap.Medium(t))
	want := TotalsOf(&res.Intervals)
	blocks := map[int64]*scan.Intervals{}
	for h, a := range res.Intervals.All() {
		b := blocks[h>>5]
		if b == nil {
			b = &scan.Intervals{}
			blocks[h>>5] = b
		}
		c := *a
		c.Sources = a.Sources.Clone()
		b.Set(h, &c)
	}
	if len(blocks) < 3 {
		t.Fatalf("%d blocks prove little", len(blocks))
	}
	var ts []*Totals
	for _, b := range blocks { // map order: shuffled
		ts = append(ts, TotalsOf(b))
	}
	got, err := MergeTotals(ts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merged totals of %d blocks differ from the totals of all %d intervals", len(blocks), len(want.Intervals))
	}
	if _, err := MergeTotals(append(ts, TotalsOf(blocks[want.Intervals[0].Index>>5]))); err == nil {
		t.Error("an interval merged twice: no error")
	}
}
