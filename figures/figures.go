package figures

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one named row of values, one value per category of a bar
// chart. Name is shown in the legend.
type Series struct {
	Name   string
	Values []float64
}

// DailyPort0 draws port-0 packets and distinct port-0 sources per day as
// two lines on a log y axis, with calendar dates on the x axis.
//
// days[i] is the day (any time within it; UTC is used for labels) of
// packets[i] and sources[i]; the three slices must have the same length,
// and days need not be sorted. A day whose packets or sources is zero,
// negative, NaN or Inf cannot be shown on the log axis: that line has a gap
// there, an isolated day between gaps is a dot, and the x-axis label
// says how many days were left out.
func DailyPort0(base string, days []time.Time, packets, sources []float64) error {
	if len(packets) != len(days) || len(sources) != len(days) {
		return fmt.Errorf("figures: DailyPort0: %d days, %d packet counts, %d source counts",
			len(days), len(packets), len(sources))
	}
	f := newFigure("Port-0 traffic per day", "date (UTC)", "count per day (log scale)")
	p := f.plot
	p.X.Tick.Marker = dateTicks{}

	order := make([]int, len(days))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return days[order[a]].Before(days[order[b]]) })

	pk := make(plotter.XYs, len(days))
	src := make(plotter.XYs, len(days))
	lo, hi := math.Inf(1), math.Inf(-1)
	omitted := 0
	for k, i := range order {
		x := float64(days[i].Unix())
		pk[k] = plotter.XY{X: x, Y: packets[i]}
		src[k] = plotter.XY{X: x, Y: sources[i]}
		if !positive(packets[i]) || !positive(sources[i]) {
			omitted++
		}
		for _, xy := range []*plotter.XY{&pk[k], &src[k]} {
			if positive(xy.Y) {
				lo, hi = math.Min(lo, xy.Y), math.Max(hi, xy.Y)
			} else {
				xy.Y = math.NaN()
			}
		}
	}

	if len(days) == 0 {
		p.X.Min, p.X.Max = 0, 1
		p.X.Tick.Marker = plot.ConstantTicks{}
	} else {
		p.X.Min = pk[0].X - 43200
		p.X.Max = pk[len(pk)-1].X + 43200
	}
	setLogAxis(&p.Y, lo, hi)
	p.Add(majorGrid{x: true})
	if lo > hi {
		f.noData("")
	}
	lp := newGappyLine(pk, 0, vg.Points(1))
	ls := newGappyLine(src, 1, vg.Points(1))
	p.Add(lp, ls)
	f.add("packets", lp)
	f.add("distinct sources", ls)
	if omitted > 0 {
		f.xlabel = fmt.Sprintf("date (UTC); %d %s with a zero count not drawn on the log axis",
			omitted, plural(omitted, "day", "days"))
	}
	return f.save(base)
}

// Breakdown draws grouped bars: one group per category, one bar per series
// in each group, with a legend naming the series (when there is more than
// one, or the only one is named). ylabel labels the value axis and should
// carry the unit ("packets", "share of packets (%)"); the category axis has
// no label, the category names being enough. Every series must have one
// value per category. NaN and ±Inf values are drawn as missing bars (zero
// height). The values are drawn as given: when they are counts, the caller
// should give each series' n in its name.
//
// The figure-specific functions below (ProtocolPosition, TCPFlags, …) draw
// the same chart with fixed titles and both axis labels.
func Breakdown(base, title, ylabel string, categories []string, series []Series) error {
	return breakdown(base, title, "", ylabel, categories, series, barOptions{})
}

// barOptions are the variants of the grouped bar chart.
type barOptions struct {
	// logY makes the value axis logarithmic: bars rise from the decade
	// below the smallest positive value, a value of exactly 0 is
	// written "0" at the foot of its bar (a log axis cannot draw it),
	// and a negative value has no bar.
	logY bool
	// values writes each bar's value above it.
	values bool
}

// barText is a text written at the foot or the top of a bar: x is the
// category (as NominalX numbers them), off the bar's offset from the
// category's centre, y the data coordinate of its bottom edge.
type barText struct {
	x    float64
	off  vg.Length
	y    float64
	text string
}

// barTexts draws bar texts, centred on their bars, just above y.
type barTexts []barText

// valueSize is the text size of the values written on bars.
const valueSize = 8

// Plot implements plot.Plotter.
func (b barTexts) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := textStyle(valueSize, false)
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YBottom
	for _, t := range b {
		c.FillText(sty, vg.Point{X: trX(t.x) + t.off, Y: trY(t.y) + vg.Points(1.5)}, t.text)
	}
}

// breakdown is Breakdown with a label for the category axis and options.
func breakdown(base, title, xlabel, ylabel string, categories []string, series []Series, o barOptions) error {
	for _, s := range series {
		if len(s.Values) != len(categories) {
			return fmt.Errorf("figures: Breakdown %q: series %q has %d values for %d categories",
				title, s.Name, len(s.Values), len(categories))
		}
	}
	f := newFigure(title, xlabel, ylabel)
	p := f.plot
	if len(categories) == 0 || len(series) == 0 {
		p.HideX()
		p.X.Min, p.X.Max = 0, 1
		p.Y.Min, p.Y.Max = 0, 1
		f.noData("")
		return f.save(base)
	}

	n, m := len(categories), len(series)
	p.NominalX(categories...)
	p.Y.Padding = 0
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	// The data area is about the figure width less the y axis; a bar
	// group takes 80% of its slot.
	slot := (Width - 2*margin - 2*vg.Centimeter) / vg.Length(n)
	barW := min(slot*0.8/vg.Length(m), 1.5*vg.Centimeter)
	rotateIfCrowded(&p.X, categories, slot)

	lo, hi := 0.0, 0.0
	// On a log axis, bars are log10(v) − e0 on a linear axis whose ticks
	// are labelled as decades: gonum's bars rise from 0, which a log
	// scale cannot place.
	e0 := 0.0
	if o.logY {
		minPos := math.Inf(1)
		for _, s := range series {
			for _, v := range s.Values {
				if positive(v) {
					minPos = math.Min(minPos, v)
				}
			}
		}
		if !math.IsInf(minPos, 1) {
			e0 = math.Ceil(math.Log10(minPos)) - 1 // the smallest bar has a height
		}
	}
	p.Add(majorGrid{})
	var texts barTexts
	for i, s := range series {
		vals := make(plotter.Values, n)
		off := (vg.Length(i) - vg.Length(m-1)/2) * barW
		for j, v := range s.Values {
			switch {
			case o.logY && positive(v):
				vals[j] = math.Log10(v) - e0
			case o.logY && v == 0:
				texts = append(texts, barText{x: float64(j), off: off, text: "0"})
				continue
			case o.logY || !finite(v):
				continue
			default:
				vals[j] = v
			}
			lo, hi = math.Min(lo, vals[j]), math.Max(hi, vals[j])
			if o.values {
				texts = append(texts, barText{x: float64(j), off: off, y: math.Max(0, vals[j]), text: formatN(v)})
			}
		}
		b, err := plotter.NewBarChart(vals, barW)
		if err != nil {
			return fmt.Errorf("figures: Breakdown %q: %w", title, err)
		}
		b.Color = colour(i)
		b.LineStyle.Width = 0
		b.Offset = off
		p.Add(b)
		if m > 1 || s.Name != "" {
			f.add(s.Name, boxThumb{colour(i)})
		}
	}
	if len(texts) > 0 {
		p.Add(texts)
	}
	if o.logY {
		head := 0.0
		if o.values {
			head = 0.3 // room for the value over the tallest bar
		}
		top := math.Max(1, math.Ceil(hi+head))
		p.Y.Min, p.Y.Max = 0, top
		var ticks plot.ConstantTicks
		for k := 0; k <= int(top); k++ {
			ticks = append(ticks, plot.Tick{Value: float64(k), Label: decadeLabel(k + int(e0))})
			if k < int(top) && top <= 6 {
				for m := 2; m <= 9; m++ {
					ticks = append(ticks, plot.Tick{Value: float64(k) + math.Log10(float64(m))})
				}
			}
		}
		p.Y.Tick.Marker = ticks
		return f.save(base)
	}
	if lo == hi {
		hi = 1
	}
	head := 1.05
	if o.values {
		head = 1.12
	}
	p.Y.Min, p.Y.Max = lo*1.05, hi*head
	return f.save(base)
}

// rotateIfCrowded turns the tick labels of a nominal axis by 30° when the
// widest one does not fit its slot.
func rotateIfCrowded(a *plot.Axis, labels []string, slot vg.Length) {
	var w vg.Length
	for _, l := range labels {
		w = max(w, a.Tick.Label.Width(l))
	}
	if w > slot*0.9 {
		a.Tick.Label.Rotation = math.Pi / 6
		a.Tick.Label.XAlign = draw.XRight
		a.Tick.Label.YAlign = draw.YTop
	}
}

// total is the sum of the finite values of vs.
func total(vs []float64) float64 {
	t := 0.0
	for _, v := range vs {
		if finite(v) {
			t += v
		}
	}
	return t
}

// withN returns name with the count n appended, "name (n = 42)", or
// "n = 42" when name is empty; unit, when not empty, follows the number.
func withN(name string, n float64, unit string) string {
	s := "n = " + formatN(n)
	if unit != "" {
		s += " " + unit
	}
	if name == "" {
		return s
	}
	return name + " (" + s + ")"
}

// formatN formats a count in full ("177059", no k or M, so that n reads
// as counted); a value that is not a whole number is rounded to a whole
// number from 100 up and gets 3 significant digits below.
func formatN(v float64) string {
	switch {
	case !finite(v) || math.Abs(v) >= 1e15:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case v == math.Trunc(v) || math.Abs(v) >= 100:
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

// shareSeries turns counts into shares: each series becomes the percent
// (0–100) of its own total at each category, and its name gets that total
// as its n ("zmap (n = 7)"). A series whose total is not positive has no
// bars (NaN); a NaN or ±Inf count is a missing bar and does not count
// towards n.
func shareSeries(series []Series) []Series {
	out := make([]Series, len(series))
	for i, s := range series {
		tot := total(s.Values)
		vals := make([]float64, len(s.Values))
		for j, v := range s.Values {
			vals[j] = math.NaN()
			if tot > 0 && finite(v) {
				vals[j] = 100 * v / tot
			}
		}
		out[i] = Series{Name: withN(s.Name, tot, ""), Values: vals}
	}
	return out
}

// ProtocolPosition draws port-0 packets by transport protocol and by where
// port 0 appears. categories are the positions (for example "src only",
// "dst only", "both") and each series is one protocol ("TCP", "UDP") with
// its packet count per position; the legend gives each protocol's n.
func ProtocolPosition(base string, categories []string, series []Series) error {
	named := make([]Series, len(series))
	for i, s := range series {
		named[i] = Series{Name: withN(s.Name, total(s.Values), "packets"), Values: s.Values}
	}
	return breakdown(base, "Port-0 packets by protocol and port position",
		"position of port 0", "packets", categories, named, barOptions{})
}

// TCPFlags draws a histogram of the TCP flag combinations of port-0
// packets. categories are flag combinations (for example "SYN", "SYN+ACK",
// "RST"); each series gives packets per combination (one series, or one
// per group compared, such as "crafted-malformed" and "every other
// class"), for every combination seen.
//
// When top is positive, only the top most common combinations of each
// series are drawn (the union over the series, most packets first), and
// the others are summed into one last bar "other (k combinations)", per
// series, so that a series spread over many rare combinations shows as a
// tall "other" bar rather than disappearing. The legend gives each series'
// n (packets) and how many combinations it has. The packet axis is
// logarithmic, so a near-uniform crafted class shows beside plain SYNs; a
// zero is written "0" at the foot of its bar.
func TCPFlags(base string, categories []string, series []Series, top int) error {
	for _, s := range series {
		if len(s.Values) != len(categories) {
			return fmt.Errorf("figures: TCPFlags: series %q has %d values for %d categories",
				s.Name, len(s.Values), len(categories))
		}
	}
	cats, folded := categories, series
	if top > 0 {
		cats, folded = topOther(categories, series, top, "combination", "combinations")
	}
	named := make([]Series, len(folded))
	for i, s := range series {
		kinds := 0
		for _, v := range s.Values {
			if v != 0 && finite(v) {
				kinds++
			}
		}
		named[i] = Series{Name: fmt.Sprintf("%s (n = %s packets, %d %s)", s.Name, formatN(total(s.Values)), kinds, plural(kinds, "combination", "combinations")),
			Values: folded[i].Values}
	}
	return breakdown(base, "TCP flags of port-0 packets",
		"TCP flag combination", "packets (log scale)", cats, named, barOptions{logY: true})
}

// topOther keeps, of categories, the union of each series' top largest
// values, ordered by their sum over the series (largest first; ties keep
// the given order), and folds the rest into one last category "other (k
// one|many)", where k counts the folded categories with a non-zero value in
// some series; each series' value there is the sum of its folded values.
// A category that is zero (or NaN) in every series is dropped; "other" is
// left out when nothing non-zero is folded. The sum of each series' finite
// values is unchanged.
func topOther(categories []string, series []Series, top int, one, many string) ([]string, []Series) {
	keep := make([]bool, len(categories))
	rank := make([]int, len(categories))
	for _, s := range series {
		for j := range rank {
			rank[j] = j
		}
		sort.SliceStable(rank, func(a, b int) bool { return bigger(s.Values[rank[a]], s.Values[rank[b]]) })
		for _, j := range rank[:min(top, len(rank))] {
			if v := s.Values[j]; finite(v) && v != 0 {
				keep[j] = true
			}
		}
	}
	sums := make([]float64, len(categories))
	for _, s := range series {
		for j, v := range s.Values {
			if finite(v) {
				sums[j] += v
			}
		}
	}
	var order []int
	folded := 0
	for j := range categories {
		if keep[j] {
			order = append(order, j)
			continue
		}
		for _, s := range series {
			if v := s.Values[j]; finite(v) && v != 0 {
				folded++
				break
			}
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return bigger(sums[order[a]], sums[order[b]]) })
	cats := make([]string, 0, len(order)+1)
	for _, j := range order {
		cats = append(cats, categories[j])
	}
	if folded > 0 {
		cats = append(cats, fmt.Sprintf("other (%d %s)", folded, plural(folded, one, many)))
	}
	out := make([]Series, len(series))
	for i, s := range series {
		vals := make([]float64, 0, len(cats))
		for _, j := range order {
			vals = append(vals, s.Values[j])
		}
		if folded > 0 {
			other := 0.0
			for j, v := range s.Values {
				if !keep[j] && finite(v) {
					other += v
				}
			}
			vals = append(vals, other)
		}
		out[i] = Series{Name: s.Name, Values: vals}
	}
	return cats, out
}

// bigger orders values largest first, NaN last.
func bigger(a, b float64) bool {
	if math.IsNaN(b) {
		return !math.IsNaN(a)
	}
	return a > b
}

// ClassShares draws the share of each purpose class. categories are the
// classes; each series is a count per class (typically "packets" and
// "sources"), drawn as the percent of the series' total, which the legend
// gives as its n ("packets (n = 5806)").
func ClassShares(base string, categories []string, series []Series) error {
	return breakdown(base, "Purpose classes of port-0 traffic",
		"purpose class", "share of the series' total (%)", categories, shareSeries(series), barOptions{})
}

// InitialTTL draws the distribution of inferred initial TTLs. categories
// are the initial TTL values (for example "32", "64", "128", "255"); each
// series is a group of sources (for example one tool's) with its count of
// sources per value, drawn as the percent of the group's sources, which
// the legend gives as its n ("zmap (n = 7)").
func InitialTTL(base string, categories []string, series []Series) error {
	return breakdown(base, "Inferred initial TTL",
		"initial TTL (hops)", "share of the group's sources (%)", categories, shareSeries(series), barOptions{})
}

// IPIDPatterns draws the distribution of IP-ID patterns per source.
// categories are the patterns (for example "zero", "constant",
// "incremental", "random"); each series is a group of sources with its
// count of sources per pattern, drawn as the percent of the group's
// sources, which the legend gives as its n.
func IPIDPatterns(base string, categories []string, series []Series) error {
	return breakdown(base, "IP-ID patterns of port-0 sources",
		"IP-ID pattern", "share of the group's sources (%)", categories, shareSeries(series), barOptions{})
}

// FragmentationAblation compares port-0 counts under naive flow
// reassembly and under packet-level handling of fragments. categories are
// the measures compared (for example "TCP", "UDP", "fragments"); series
// are the methods ("naive flow", "packet-level") with packet counts, on a
// logarithmic axis. Every bar has its count written above it, and a count
// of 0, which a log axis cannot draw, is written "0" at the foot of its
// bar, so that no category disappears.
func FragmentationAblation(base string, categories []string, series []Series) error {
	return breakdown(base, "Fragmentation ablation: naive flow vs packet-level",
		"traffic counted as port 0", "packets (log scale)", categories, series, barOptions{logY: true, values: true})
}

// maxCDFPoints bounds the points of a drawn CDF or rank curve; larger
// inputs are thinned on a log scale, which a log axis cannot tell apart.
const maxCDFPoints = 2000

// Fit is a fitted distribution that SourceCDF draws over the empirical
// CDF. The zero Fit draws none.
type Fit struct {
	// Name is the legend entry of the fitted line; it should name the
	// family and give its parameters ("power law, α = 2.1, x_min = 4").
	Name string
	// CDF is the fitted fraction of all drawn sources at or below x. It
	// is evaluated on a log-spaced grid; NaN results leave gaps and the
	// others are clipped to [0, 1]. When CDF is nil no line is drawn and
	// Name, if set, is a legend entry of its own (for example to say why
	// there is no fit).
	CDF func(x float64) float64
	// From, when positive, is the smallest x the fit describes (x_min of
	// a fit of the tail): the line is drawn over x ≥ From only.
	From float64
	// Note, when set, is a further legend entry without a line, for what
	// the fit's name has no room for (how it compares with another fit).
	Note string
}

// SourceCDF draws the empirical CDF of packets per source on a log x axis
// and the fit, if fit.CDF is not nil, as a dashed line (see [Fit]). Values
// that are zero, negative, NaN or Inf are left out, and the legend says
// how many; it gives the number of sources drawn as n.
func SourceCDF(base string, perSource []float64, fit Fit) error {
	f := newFigure("Packets per port-0 source",
		"packets per source (log scale)", "fraction of sources ≤ x")
	p := f.plot
	p.Add(majorGrid{x: true})

	xs := make([]float64, 0, len(perSource))
	for _, v := range perSource {
		if positive(v) {
			xs = append(xs, v)
		}
	}
	omitted := len(perSource) - len(xs)
	slices.Sort(xs)
	p.Y.Min, p.Y.Max = 0, 1
	if len(xs) == 0 {
		setLogAxis(&p.X, 1, 10)
		f.noData(leftOut(omitted, "source", "sources", "with no packets"))
		return f.save(base)
	}
	lo, hi := xs[0], xs[len(xs)-1]
	setLogAxis(&p.X, lo, hi)

	// One point per distinct value: (x, fraction of sources ≤ x).
	n := float64(len(xs))
	steps := plotter.XYs{{X: lo, Y: 0}}
	for i, x := range xs {
		if i+1 < len(xs) && xs[i+1] == x {
			continue
		}
		steps = append(steps, plotter.XY{X: x, Y: float64(i+1) / n})
	}
	steps = thinLog(steps)
	emp, err := plotter.NewLine(steps)
	if err != nil {
		return fmt.Errorf("figures: SourceCDF: %w", err)
	}
	emp.StepStyle = plotter.PostStep
	emp.LineStyle = draw.LineStyle{Color: colour(0), Width: vg.Points(1.5)}
	p.Add(emp)
	name := fmt.Sprintf("empirical (n = %d %s)", len(xs), plural(len(xs), "source", "sources"))
	if omitted > 0 {
		name = fmt.Sprintf("empirical (n = %d sources; %d with no packets left out)", len(xs), omitted)
	}
	f.add(name, emp)

	switch {
	case fit.CDF != nil:
		const k = 200
		from := p.X.Min
		if fit.From > from && finite(fit.From) {
			from = fit.From
		}
		fitted := plotter.XYs{}
		if from <= p.X.Max {
			l0, l1 := math.Log10(from), math.Log10(p.X.Max)
			fitted = make(plotter.XYs, k+1)
			for i := range fitted {
				x := math.Pow(10, l0+(l1-l0)*float64(i)/k)
				if i == 0 {
					x = from // exactly, not through Pow(Log10)
				}
				y := fit.CDF(x)
				if !finite(y) {
					y = math.NaN()
				} else {
					y = math.Min(1, math.Max(0, y))
				}
				fitted[i] = plotter.XY{X: x, Y: y}
			}
		}
		fl := newGappyLine(fitted, 1, vg.Points(1.5))
		fl.line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(fl)
		name := fit.Name
		if name == "" {
			name = "fit"
		}
		f.add(name, fl)
	case fit.Name != "":
		f.add(fit.Name)
	}
	if fit.Note != "" {
		f.add(fit.Note)
	}
	return f.save(base)
}

// thinLog keeps at most about maxCDFPoints points of an x-sorted curve,
// keeping the last point of each of maxCDFPoints equal bins of log x
// (and the first and last point).
func thinLog(xys plotter.XYs) plotter.XYs {
	if len(xys) <= maxCDFPoints {
		return xys
	}
	l0 := math.Log10(xys[0].X)
	w := (math.Log10(xys[len(xys)-1].X) - l0) / maxCDFPoints
	out := plotter.XYs{xys[0]}
	for i := 1; i < len(xys); i++ {
		last := i == len(xys)-1
		if !last && int((math.Log10(xys[i].X)-l0)/w) == int((math.Log10(xys[i+1].X)-l0)/w) {
			continue
		}
		out = append(out, xys[i])
	}
	return out
}

// FewEventPackets is the largest packet count of a backscatter event whose
// duration and rate BackscatterEvents sets apart as unreliable: with two
// or three packets the duration is the gap between a handful of
// replies, and the rate one divided by it.
const FewEventPackets = 3

// BackscatterEvents draws one point per backscatter event: its duration in
// seconds against the estimated attack rate in packets per second, both
// on log axes. durationsS[i], ratesPPS[i] and packets[i] describe event i
// (packets is the number of backscatter packets the event rests on); the
// slices must have the same length.
//
// Events of at most [FewEventPackets] packets (or whose packet count is
// NaN) are drawn as hollow grey rings and named in the legend as "k events
// of ≤ 3 packets (duration and rate unreliable)", apart from the filled
// points of the others; the title gives n, every event. Events with a
// duration or rate that is zero, negative, NaN or Inf cannot be placed and
// are left out, and the legend says how many.
func BackscatterEvents(base string, durationsS, ratesPPS, packets []float64) error {
	if len(durationsS) != len(ratesPPS) || len(packets) != len(durationsS) {
		return fmt.Errorf("figures: BackscatterEvents: %d durations, %d rates, %d packet counts",
			len(durationsS), len(ratesPPS), len(packets))
	}
	f := newFigure(fmt.Sprintf("Backscatter events (n = %d)", len(durationsS)),
		"event duration (s, log scale)", "estimated attack rate (pkt/s, log scale)")
	p := f.plot
	p.Add(majorGrid{x: true})

	var solid, few plotter.XYs
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i, d := range durationsS {
		r := ratesPPS[i]
		if !positive(d) || !positive(r) {
			continue
		}
		if packets[i] > FewEventPackets {
			solid = append(solid, plotter.XY{X: d, Y: r})
		} else {
			few = append(few, plotter.XY{X: d, Y: r})
		}
		xlo, xhi = math.Min(xlo, d), math.Max(xhi, d)
		ylo, yhi = math.Min(ylo, r), math.Max(yhi, r)
	}
	omitted := len(durationsS) - len(solid) - len(few)
	setLogAxis(&p.X, xlo, xhi)
	setLogAxis(&p.Y, ylo, yhi)
	if len(solid)+len(few) == 0 {
		f.noData(leftOut(omitted, "event", "events", "with zero duration or rate"))
		return f.save(base)
	}
	c := colour(0).(color.NRGBA)
	c.A = 0x99
	for _, g := range []struct {
		pts   plotter.XYs
		glyph draw.GlyphStyle
		name  string
	}{
		{few, draw.GlyphStyle{Color: color.Gray{Y: 0x70}, Radius: vg.Points(2.5), Shape: draw.RingGlyph{}},
			fmt.Sprintf("%d %s of ≤ %d packets (duration and rate unreliable)", len(few), plural(len(few), "event", "events"), FewEventPackets)},
		{solid, draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}},
			fmt.Sprintf("%d %s of > %d packets", len(solid), plural(len(solid), "event", "events"), FewEventPackets)},
	} {
		if len(g.pts) > 0 {
			p.Add(dotScatter{xys: g.pts, glyph: g.glyph})
		}
		f.add(g.name, dotThumb{g.glyph})
	}
	if omitted > 0 {
		f.add(fmt.Sprintf("%d with zero duration or rate left out", omitted))
	}
	return f.save(base)
}

// ScanCoverage draws the coverage of each scanner, in percent of the
// telescope's addresses (0–100), sorted from the largest, against the
// scanner's rank on a log x axis. The legend gives the number of scanners
// drawn as n. NaN, Inf and negative values are left out, and the legend
// says how many.
func ScanCoverage(base string, coveragePct []float64) error {
	f := newFigure("Scan coverage of port-0 scanners",
		"scanner rank (log scale)", "telescope addresses covered (%)")
	p := f.plot
	p.Add(majorGrid{x: true})

	vals := make([]float64, 0, len(coveragePct))
	for _, v := range coveragePct {
		if finite(v) && v >= 0 {
			vals = append(vals, v)
		}
	}
	omitted := len(coveragePct) - len(vals)
	slices.Sort(vals)
	slices.Reverse(vals)
	setLogAxis(&p.X, 1, float64(len(vals)))
	p.Y.Min, p.Y.Max = 0, 1
	if len(vals) == 0 {
		f.noData(leftOut(omitted, "value", "values", "invalid"))
		return f.save(base)
	}
	if vals[0] > 0 {
		p.Y.Max = vals[0] * 1.05
	}

	pts := make(plotter.XYs, len(vals))
	for i, v := range vals {
		pts[i] = plotter.XY{X: float64(i + 1), Y: v}
	}
	pts = thinLog(pts)
	l := newGappyLine(pts, 0, vg.Points(1.5))
	p.Add(l)
	thumbs := []plot.Thumbnailer{l}
	if len(vals) <= 50 {
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("figures: ScanCoverage: %w", err)
		}
		s.GlyphStyle = draw.GlyphStyle{Color: colour(0), Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		p.Add(s)
		thumbs = append(thumbs, dotThumb{s.GlyphStyle})
	}
	name := fmt.Sprintf("scanners (n = %d)", len(vals))
	if omitted > 0 {
		name = fmt.Sprintf("scanners (n = %d; %d invalid %s left out)", len(vals), omitted, plural(omitted, "value", "values"))
	}
	f.add(name, thumbs...)
	return f.save(base)
}

// MinPatternDays is the fewest days an hourly profile must be summed over
// for Diurnal to draw it as a daily cycle: over fewer, one burst makes
// the profile, and a "daily pattern" would be read into it.
const MinPatternDays = 7

// Diurnal draws the hourly profile of all traffic against port-0
// scanning. all[h] is every packet of the capture in hour h of the day
// (UTC), port0Scan[h] the port-0 scanning packets only, each summed over
// days days. Each profile is divided by its own mean, so the two are
// comparable (1 = average hour); the legend gives each line's n (its
// packets, summed over the hours) and the title the number of days.
//
// A profile summed over fewer than [MinPatternDays] days is not a daily
// pattern: its hours are drawn as unconnected points, and the figure says
// "N days: too few for a daily pattern". days ≤ 0 means the number of days
// is unknown, which is said, and drawn, the same way.
//
// note, when not empty, is a further legend line, for what the caller
// knows of the profile that the hours do not show (for example that one
// day's burst is inside it, which a sum over many days still shows as a
// peak).
//
// A profile whose mean is not positive is not drawn and its legend entry
// says "no data"; NaN or Inf hours are gaps and do not count towards the
// mean or n.
func Diurnal(base string, all, port0Scan [24]float64, days int, note string) error {
	title := fmt.Sprintf("Packets by hour of day, summed over %d %s", days, plural(days, "day", "days"))
	warn := ""
	switch {
	case days <= 0:
		title = "Packets by hour of day, over an unknown number of days"
		warn = "number of days unknown: not drawn as a daily pattern"
	case days < MinPatternDays:
		warn = fmt.Sprintf("%d %s: too few for a daily pattern", days, plural(days, "day", "days"))
	}
	f := newFigure(title, "hour of day (UTC)", "packets ÷ the mean hour")
	p := f.plot
	p.Add(majorGrid{})
	ticks := make(plot.ConstantTicks, 0, 24)
	for h := range 24 {
		t := plot.Tick{Value: float64(h)}
		if h%3 == 0 {
			t.Label = fmt.Sprintf("%02d:00", h)
		}
		ticks = append(ticks, t)
	}
	p.X.Tick.Marker = ticks
	p.X.Min, p.X.Max = -0.5, 23.5
	p.Y.Min, p.Y.Max = 0, 1
	mean := plotter.NewFunction(func(float64) float64 { return 1 })
	mean.LineStyle = draw.LineStyle{Color: color.Gray{Y: 0x99}, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(3)}}
	p.Add(mean)

	drawn := 0
	for i, s := range []struct {
		name string
		v    [24]float64
	}{{"all traffic, every packet", all}, {"port-0 scanning packets only", port0Scan}} {
		sum, k := 0.0, 0
		for _, v := range s.v {
			if finite(v) {
				sum += v
				k++
			}
		}
		mean := sum / float64(max(k, 1))
		if !(mean > 0) || !finite(mean) {
			f.add(s.name+" (no data)", boxThumb{color.Gray{Y: 0xCC}})
			continue
		}
		drawn++
		pts := make(plotter.XYs, 24)
		for h, v := range s.v {
			y := math.NaN()
			if finite(v) {
				y = v / mean
				p.Y.Max = math.Max(p.Y.Max, y)
			}
			pts[h] = plotter.XY{X: float64(h), Y: y}
		}
		l := newGappyLine(pts, i, vg.Points(1.5))
		l.dot.Radius = vg.Points(2.5)
		if i == 1 {
			l.dot.Shape = draw.BoxGlyph{}
		}
		dots := dotScatter{xys: pts, glyph: l.dot}
		name := withN(s.name, sum, "packets")
		if warn != "" {
			p.Add(dots) // points only: not a cycle
			f.add(name, dotThumb{l.dot})
			continue
		}
		p.Add(l, dots)
		f.add(name, l, dotThumb{l.dot})
	}
	if note != "" {
		f.add(note)
	}
	p.Y.Max *= 1.1
	if drawn == 0 {
		f.noData(warn)
		return f.save(base)
	}
	if warn != "" {
		p.Y.Max *= 1.15 // room for the warning above the points
		p.Add(topNote(warn))
	}
	return f.save(base)
}

// topNote is a plotter that writes its text at the top centre of the data
// area, for a warning that must not hide the data.
type topNote string

// Plot implements plot.Plotter.
func (n topNote) Plot(c draw.Canvas, _ *plot.Plot) {
	sty := textStyle(labelSize, true)
	sty.Color = colour(1)
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YTop
	c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y - vg.Millimeter}, string(n))
}

// dotScatter draws a glyph at every point whose X and Y are not NaN.
type dotScatter struct {
	xys   plotter.XYs
	glyph draw.GlyphStyle
}

// Plot implements plot.Plotter.
func (d dotScatter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, xy := range d.xys {
		if !math.IsNaN(xy.X) && !math.IsNaN(xy.Y) {
			c.DrawGlyph(d.glyph, vg.Point{X: trX(xy.X), Y: trY(xy.Y)})
		}
	}
}

// leftOut describes n left-out items for a "no data" note, or returns ""
// when n is 0. why goes before the noun when it is "invalid", after it
// otherwise.
func leftOut(n int, one, many, why string) string {
	if n == 0 {
		return ""
	}
	if why == "invalid" {
		return fmt.Sprintf("%d invalid %s left out", n, plural(n, one, many))
	}
	return fmt.Sprintf("%d %s %s left out", n, plural(n, one, many), why)
}

// plural returns one or many by n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// formatCell formats a heat-map cell value compactly: integers in full up
// to 9999, larger values with k/M suffixes, fractions with 2 significant
// digits.
func formatCell(v float64) string {
	switch {
	case math.IsNaN(v):
		return ""
	case math.Abs(v) >= 1e4:
		return human(roundSig(v, 2))
	case v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return strconv.FormatFloat(v, 'g', 2, 64)
	}
}

// roundSig rounds v to n significant digits.
func roundSig(v float64, n int) float64 {
	if v == 0 {
		return 0
	}
	e := math.Floor(math.Log10(math.Abs(v))) - float64(n-1)
	s := math.Pow(10, e)
	return math.Round(v/s) * s
}
