package study

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/sketch"
	"github.com/port0/port0/tables"
)

// MaxZeroGap is the longest silence, a run of intervals without a single
// packet of all traffic, that the time series fills with zero rows: every
// outage or idle spell of a telescope's capture is written, but a silence
// of more than a year is taken for a stray timestamp decades off (a
// record without one is at the epoch), not for the period analysed, and
// is left out rather than written as millions of rows.
const MaxZeroGap = 366 * 24 * time.Hour

// seriesRows are the rows of every interval (iv ns long) of the analysed
// period, in time order: for each interval from the first with a packet
// of all traffic to the last, its all-traffic row — a zero row when it
// has no packet, unless it is in a silence longer than MaxZeroGap (a year) — then
// a row for each class with port-0 packets in it, in class order (a
// class without packets in the interval has no row: the "all" row says
// the interval is there). all holds the intervals of all traffic, in
// index order.
func seriesRows(p0 map[int64]*IntervalCounts, all []IntervalTotal, iv int64) ([]tables.SeriesRow, error) {
	// p0's intervals are in all (port-0 packets are packets), unless the
	// result was made by hand: walk both.
	keys := make([]int64, 0, len(p0))
	for h := range p0 {
		keys = append(keys, h)
	}
	slices.Sort(keys)
	maxGap := int64(MaxZeroGap) / iv
	// The rows, counted first (the all-traffic rows of a long series at
	// short intervals are most of the study's memory: no append slack).
	n, prev, started := 0, int64(0), false
	for _, a := range all {
		if started && a.Index-prev-1 <= maxGap {
			n += int(a.Index - prev - 1)
		}
		n++
		prev, started = a.Index, true
	}
	for _, hp := range p0 {
		for _, c := range hp.Packets {
			if c > 0 {
				n++
			}
		}
	}
	j, k := 0, 0 // all[j] is the next interval of all traffic; keys[k] the next port-0 interval
	classes := label.Classes()
	rows := make([]tables.SeriesRow, 0, n)
	prev, started = 0, false
	for j < len(all) || k < len(keys) {
		h := int64(math.MaxInt64)
		if j < len(all) {
			h = all[j].Index
		}
		if k < len(keys) {
			h = min(h, keys[k])
		}
		if started && h-prev-1 <= maxGap {
			for z := prev + 1; z < h; z++ {
				rows = append(rows, tables.SeriesRow{Start: z * iv, All: true})
			}
		}
		start := h * iv
		row := tables.SeriesRow{Start: start, All: true}
		if j < len(all) && all[j].Index == h {
			row.Packets, row.Sources = all[j].Packets, all[j].Sources
			j++
		}
		rows = append(rows, row)
		if k < len(keys) && keys[k] == h {
			hp := p0[h]
			for _, c := range classes {
				if n := hp.Packets[c]; n > 0 {
					rows = append(rows, tables.SeriesRow{Start: start, Class: c, Packets: n, Sources: hp.Sources[c]})
				}
			}
			k++
		}
		prev, started = h, true
	}
	return rows, nil
}

// IntervalTotal is one interval of all traffic as the time series has
// it: its index (start / interval), its packets and the estimate of its
// distinct sources.
type IntervalTotal struct {
	Index, Packets, Sources int64
}

// Totals are the all-traffic side of the study: every interval with a
// packet, in index order, and the union of their source sketches (the
// summary's all_sources). Totals of disjoint sets of intervals merge
// (MergeTotals): a pipeline counts each block of intervals on its own.
type Totals struct {
	Intervals []IntervalTotal
	Union     sketch.HLL
}

// TotalsOf counts the intervals of all: each one's sketch, and their
// union.
func TotalsOf(all *scan.Intervals) *Totals {
	t := &Totals{Intervals: make([]IntervalTotal, 0, all.Len())}
	for h, a := range all.All() {
		t.Intervals = append(t.Intervals, IntervalTotal{Index: h, Packets: a.Packets, Sources: a.Sources.Count()})
		a.Sources.MergeInto(&t.Union)
	}
	return t
}

// MergeTotals merges the totals of disjoint sets of intervals, in any
// order, into the totals of them all (an interval in two sets is an
// error).
func MergeTotals(ts []*Totals) (*Totals, error) {
	n := 0
	for _, o := range ts {
		n += len(o.Intervals)
	}
	t := &Totals{Intervals: make([]IntervalTotal, 0, n)}
	for _, o := range ts {
		t.Intervals = append(t.Intervals, o.Intervals...)
		t.Union.Merge(&o.Union)
	}
	slices.SortFunc(t.Intervals, func(a, b IntervalTotal) int { return cmp.Compare(a.Index, b.Index) })
	for i := 1; i < len(t.Intervals); i++ {
		if t.Intervals[i].Index == t.Intervals[i-1].Index {
			return nil, fmt.Errorf("interval %d in two sets of totals", t.Intervals[i].Index)
		}
	}
	return t, nil
}

// intervalTotals are the totals of all traffic's intervals, counted on a
// goroutine of their own while pass two runs: valid once done is closed.
type intervalTotals struct {
	done chan struct{}
	t    *Totals
}

// countHoursAsync starts counting the intervals of all.
func countIntervalsAsync(all *scan.Intervals) *intervalTotals {
	hc := &intervalTotals{done: make(chan struct{})}
	go func() {
		defer close(hc.done)
		hc.t = TotalsOf(all)
	}()
	return hc
}
