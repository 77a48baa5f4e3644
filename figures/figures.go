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
// height).
//
// The figure-specific functions below (ProtocolPosition, TCPFlags, …) draw
// the same chart with fixed titles and both axis labels.
func Breakdown(base, title, ylabel string, categories []string, series []Series) error {
	return breakdown(base, title, "", ylabel, categories, series, false)
}

// breakdown is Breakdown with a label for the category axis.
// With logY the value axis is logarithmic: bars rise from the decade
// below the smallest positive value, and a value that is not positive has
// no bar.
func breakdown(base, title, xlabel, ylabel string, categories []string, series []Series, logY bool) error {
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
	if logY {
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
	for i, s := range series {
		vals := make(plotter.Values, n)
		for j, v := range s.Values {
			switch {
			case logY && positive(v):
				vals[j] = math.Log10(v) - e0
			case logY || !finite(v):
				continue
			default:
				vals[j] = v
			}
			lo, hi = math.Min(lo, vals[j]), math.Max(hi, vals[j])
		}
		b, err := plotter.NewBarChart(vals, barW)
		if err != nil {
			return fmt.Errorf("figures: Breakdown %q: %w", title, err)
		}
		b.Color = colour(i)
		b.LineStyle.Width = 0
		b.Offset = (vg.Length(i) - vg.Length(m-1)/2) * barW
		p.Add(b)
		if m > 1 || s.Name != "" {
			f.add(s.Name, boxThumb{colour(i)})
		}
	}
	if logY {
		top := math.Max(1, math.Ceil(hi))
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
	p.Y.Min, p.Y.Max = lo*1.05, hi*1.05
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

// ProtocolPosition draws port-0 packets by transport protocol and by where
// port 0 appears. categories are the positions (for example "src only",
// "dst only", "both") and each series is one protocol ("TCP", "UDP") with
// its packet count per position.
func ProtocolPosition(base string, categories []string, series []Series) error {
	return breakdown(base, "Port-0 packets by protocol and port position",
		"position of port 0", "packets", categories, series, false)
}

// TCPFlags draws a histogram of the TCP flag combinations of port-0
// packets. categories are flag combinations (for example "SYN", "SYN+ACK",
// "RST"); each series gives packets per combination (one series, or one
// per group compared, such as "port 0" and "ordinary"). The packet axis is
// logarithmic, so a near-uniform crafted class shows beside plain SYNs.
func TCPFlags(base string, categories []string, series []Series) error {
	return breakdown(base, "TCP flags of port-0 packets",
		"TCP flag combination", "packets (log scale)", categories, series, true)
}

// ClassShares draws the share of each purpose class. categories are the
// classes; the series are typically "packets" and "sources", each in
// percent of its total (0–100).
func ClassShares(base string, categories []string, series []Series) error {
	return breakdown(base, "Purpose classes of port-0 traffic",
		"purpose class", "share of total (%)", categories, series, false)
}

// InitialTTL draws the distribution of inferred initial TTLs. categories
// are the initial TTL values (for example "32", "64", "128", "255"); each
// series is a share in percent (0–100), for example of port-0 sources and
// of ordinary scanners.
func InitialTTL(base string, categories []string, series []Series) error {
	return breakdown(base, "Inferred initial TTL",
		"initial TTL (hops)", "share (%)", categories, series, false)
}

// IPIDPatterns draws the distribution of IP-ID patterns per source.
// categories are the patterns (for example "zero", "constant",
// "incremental", "random"); each series is a share in percent (0–100).
func IPIDPatterns(base string, categories []string, series []Series) error {
	return breakdown(base, "IP-ID patterns of port-0 sources",
		"IP-ID pattern", "share of sources (%)", categories, series, false)
}

// FragmentationAblation compares port-0 counts under naive flow
// reassembly and under packet-level handling of fragments. categories are
// the measures compared (for example "TCP", "UDP", "fragments"); series
// are the methods ("naive flow", "packet-level") with packet counts, on a
// logarithmic axis.
func FragmentationAblation(base string, categories []string, series []Series) error {
	return breakdown(base, "Fragmentation ablation: naive flow vs packet-level",
		"traffic counted as port 0", "packets (log scale)", categories, series, true)
}

// maxCDFPoints bounds the points of a drawn CDF or rank curve; larger
// inputs are thinned on a log scale, which a log axis cannot tell apart.
const maxCDFPoints = 2000

// SourceCDF draws the empirical CDF of packets per source on a log x axis
// and, if fitCDF is not nil, the fitted CDF as a dashed line named fitName
// in the legend (for example "power law, α = 2.1"). Values that are zero,
// negative, NaN or Inf are left out, and the legend says how many. fitCDF
// is evaluated on a log-spaced grid across the data range; NaN results
// leave gaps and results are clipped to [0, 1].
func SourceCDF(base string, perSource []float64, fitName string, fitCDF func(x float64) float64) error {
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
	name := fmt.Sprintf("empirical (%d %s)", len(xs), plural(len(xs), "source", "sources"))
	if omitted > 0 {
		name = fmt.Sprintf("empirical (%d sources; %d with no packets left out)", len(xs), omitted)
	}
	f.add(name, emp)

	if fitCDF != nil {
		const k = 200
		fit := make(plotter.XYs, k+1)
		l0, l1 := math.Log10(p.X.Min), math.Log10(p.X.Max)
		for i := range fit {
			x := math.Pow(10, l0+(l1-l0)*float64(i)/k)
			y := fitCDF(x)
			if !finite(y) {
				y = math.NaN()
			} else {
				y = math.Min(1, math.Max(0, y))
			}
			fit[i] = plotter.XY{X: x, Y: y}
		}
		fl := newGappyLine(fit, 1, vg.Points(1.5))
		fl.line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(fl)
		if fitName == "" {
			fitName = "fit"
		}
		f.add(fitName, fl)
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

// BackscatterEvents draws one point per backscatter event: its duration in
// seconds against the estimated attack rate in packets per second, both
// on log axes. durationsS[i] and ratesPPS[i] describe event i; the slices
// must have the same length. Events with a value that is zero, negative,
// NaN or Inf are left out, and the legend says how many.
func BackscatterEvents(base string, durationsS, ratesPPS []float64) error {
	if len(durationsS) != len(ratesPPS) {
		return fmt.Errorf("figures: BackscatterEvents: %d durations, %d rates",
			len(durationsS), len(ratesPPS))
	}
	f := newFigure("Backscatter events",
		"event duration (s, log scale)", "estimated attack rate (packets/s, log scale)")
	p := f.plot
	p.Add(majorGrid{x: true})

	pts := make(plotter.XYs, 0, len(durationsS))
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i, d := range durationsS {
		r := ratesPPS[i]
		if !positive(d) || !positive(r) {
			continue
		}
		pts = append(pts, plotter.XY{X: d, Y: r})
		xlo, xhi = math.Min(xlo, d), math.Max(xhi, d)
		ylo, yhi = math.Min(ylo, r), math.Max(yhi, r)
	}
	omitted := len(durationsS) - len(pts)
	setLogAxis(&p.X, xlo, xhi)
	setLogAxis(&p.Y, ylo, yhi)
	if len(pts) == 0 {
		f.noData(leftOut(omitted, "event", "events", "with zero duration or rate"))
		return f.save(base)
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return fmt.Errorf("figures: BackscatterEvents: %w", err)
	}
	c := colour(0).(color.NRGBA)
	c.A = 0x99
	s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
	p.Add(s)
	name := fmt.Sprintf("%d %s", len(pts), plural(len(pts), "event", "events"))
	if omitted > 0 {
		name += fmt.Sprintf(" (%d with zero duration or rate left out)", omitted)
	}
	f.add(name, dotThumb{s.GlyphStyle})
	return f.save(base)
}

// ScanCoverage draws the coverage of each scanner, in percent of the
// telescope's addresses (0–100), sorted from the largest, against the
// scanner's rank on a log x axis. NaN, Inf and negative values are left
// out, and the legend says how many.
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
	name := fmt.Sprintf("%d %s", len(vals), plural(len(vals), "scanner", "scanners"))
	if omitted > 0 {
		name += fmt.Sprintf(" (%d invalid %s left out)", omitted, plural(omitted, "value", "values"))
	}
	f.add(name, thumbs...)
	return f.save(base)
}

// Diurnal draws the hourly profile of port-0 traffic against ordinary
// scanning. port0[h] and ordinary[h] are counts (packets, or any unit) in
// hour h of the day, UTC; each profile is divided by its own mean so the
// two are comparable (1 = average hour). A profile whose mean is not
// positive is not drawn and its legend entry says "no data"; NaN or Inf
// hours are gaps and do not count towards the mean.
func Diurnal(base string, port0, ordinary [24]float64) error {
	f := newFigure("Diurnal profile: port 0 vs ordinary scanning",
		"hour of day (UTC)", "relative rate (mean hour = 1)")
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
	}{{"port 0", port0}, {"ordinary scanning", ordinary}} {
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
		dots := dotScatter{xys: pts, glyph: l.dot}
		if i == 1 {
			l.dot.Shape = draw.BoxGlyph{}
			dots.glyph = l.dot
		}
		p.Add(l, dots)
		f.add(s.name, l, dotThumb{l.dot})
	}
	p.Y.Max *= 1.1
	if drawn == 0 {
		f.noData("")
	}
	return f.save(base)
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
