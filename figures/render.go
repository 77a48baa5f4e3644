package figures

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure size and PNG resolution, shared by every figure.
const (
	// Width is the width of every figure (16 cm).
	Width = 16 * vg.Centimeter
	// Height is the height of every figure (10 cm).
	Height = 10 * vg.Centimeter
	// DPI is the resolution of the PNG files: 16 cm × 10 cm at 150 dpi
	// is 945 × 591 pixels.
	DPI = 150
)

// Text sizes in points.
const (
	titleSize  = 13
	labelSize  = 11
	tickSize   = 10
	legendSize = 10
	noteSize   = 14
	cellSize   = 9
	// minTitleSize is the smallest a long title is set to fit the width.
	minTitleSize = 9
)

// margin is the blank border around every figure.
const margin = 4 * vg.Millimeter

// sans is the typeface of all text: Liberation Sans reads better than the
// gonum/plot default serif at small sizes. It is set per plot rather than
// through plot.DefaultFont so that no global state changes.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// textStyle returns a black sans-serif text style of the given size.
func textStyle(size vg.Length, bold bool) text.Style {
	f := font.From(sans, size)
	if bold {
		f.Weight = xfont.WeightBold
	}
	return text.Style{
		Color:   color.Black,
		Font:    f,
		Handler: plot.DefaultTextHandler,
	}
}

// colours is the Okabe–Ito colour-blind-safe palette (yellow moved last
// because it is faint on white).
var colours = []color.Color{
	color.NRGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}, // blue
	color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}, // vermillion
	color.NRGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}, // bluish green
	color.NRGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, // orange
	color.NRGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, // sky blue
	color.NRGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, // reddish purple
	color.NRGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xFF}, // black
	color.NRGBA{R: 0xF0, G: 0xE4, B: 0x42, A: 0xFF}, // yellow
}

// colour returns the i-th palette colour, cycling.
func colour(i int) color.Color { return colours[i%len(colours)] }

// gridColor is the colour of the light grid lines.
var gridColor = color.Gray{Y: 0xDD}

// newPlot returns a plot with the house text styles. Axis labels are not
// set on the plot: figure.draw draws them (see figure).
func newPlot() *plot.Plot {
	p := plot.New()
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Tick.Label.Font = font.From(sans, tickSize)
		a.Tick.Length = 5
	}
	p.X.Tick.Marker = humanTicks{}
	p.Y.Tick.Marker = humanTicks{}
	return p
}

// setLogAxis makes a a log axis spanning whole decades around [lo, hi],
// which must be positive; if lo or hi is not, it spans 1 to 10.
func setLogAxis(a *plot.Axis, lo, hi float64) {
	if !(lo > 0) || !(hi > 0) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		lo, hi = 1, 10
	}
	a.Scale = plot.LogScale{}
	a.Tick.Marker = logTicks{}
	a.Min = math.Pow(10, math.Floor(math.Log10(lo)))
	a.Max = math.Pow(10, math.Ceil(math.Log10(hi)))
	if a.Max <= a.Min {
		a.Max = a.Min * 10
	}
}

// legendItem is one legend entry; one without thumbnails is text alone
// (a note such as how many values were left out).
type legendItem struct {
	name   string
	thumbs []plot.Thumbnailer
}

// thumbSpace is the width the item's thumbnail takes, gap included.
func (it legendItem) thumbSpace() vg.Length {
	if len(it.thumbs) == 0 {
		return 0
	}
	return thumbWidth + thumbGap
}

// figure is a plot plus what the house layout puts around it: a title, a
// legend strip under the title, axis labels, and an optional strip on the
// right (the colour bar of a heat map).
//
// The axis labels are drawn here rather than by gonum/plot because
// gonum/plot v0.17 reserves space for an axis label as if it sat at the
// linear midpoint of the range, which on a log axis pushes the data area
// far away from the label's side.
type figure struct {
	title          string
	xlabel, ylabel string
	plot           *plot.Plot
	legend         []legendItem

	// right is the width reserved on the right; drawRight draws into it,
	// given the rectangle of the plot's data area for alignment.
	right     vg.Length
	drawRight func(c draw.Canvas, data vg.Rectangle)
}

// newFigure returns a figure with a fresh plot.
func newFigure(title, xlabel, ylabel string) *figure {
	return &figure{title: title, xlabel: xlabel, ylabel: ylabel, plot: newPlot()}
}

// add adds a legend entry.
func (f *figure) add(name string, thumbs ...plot.Thumbnailer) {
	f.legend = append(f.legend, legendItem{name: name, thumbs: thumbs})
}

// noData adds a centred "no data" note to the data area, with detail
// (for example how many values were left out) on a second line.
func (f *figure) noData(detail string) {
	if detail != "" {
		f.plot.Add(note("no data\n(" + detail + ")"))
		return
	}
	f.plot.Add(note("no data"))
}

// saveEmpty saves f with hidden axes and a "no data" note: the figure of
// empty input.
func (f *figure) saveEmpty(base string) error {
	p := f.plot
	p.HideAxes()
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	f.noData("")
	return f.save(base)
}

// note is a plotter that writes its text in the centre of the data area.
type note string

// Plot implements plot.Plotter.
func (n note) Plot(c draw.Canvas, _ *plot.Plot) {
	sty := textStyle(noteSize, false)
	sty.Color = color.Gray{Y: 0x66}
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YCenter
	c.FillText(sty, c.Center(), string(n))
}

// draw lays the figure out on c.
func (f *figure) draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	c = draw.Crop(c, margin, -margin, margin, -margin)

	if f.title != "" {
		// A title wider than the figure is set smaller rather than cut.
		size := vg.Length(titleSize)
		sty := textStyle(size, true)
		for sty.Width(f.title) > c.Max.X-c.Min.X && size > minTitleSize {
			size -= 0.5
			sty = textStyle(size, true)
		}
		sty.XAlign = draw.XCenter
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y}, f.title)
		c.Max.Y -= sty.Height(f.title) + 3*vg.Millimeter
	}
	if len(f.legend) > 0 {
		c.Max.Y -= f.drawLegend(c) + 2*vg.Millimeter
	}

	lsty := textStyle(labelSize, false)
	lh := lsty.Height(f.xlabel + f.ylabel + "Mg")
	main := c
	main.Max.X -= f.right
	if f.ylabel != "" {
		main.Min.X += lh + labelGap
	}
	if f.xlabel != "" {
		main.Min.Y += lh + labelGap
	}
	f.plot.Draw(main)
	data := f.plot.DataCanvas(main).Rectangle
	if f.ylabel != "" {
		sty := lsty
		sty.Rotation = math.Pi / 2
		sty.XAlign = draw.XCenter
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: c.Min.X, Y: (data.Min.Y + data.Max.Y) / 2}, f.ylabel)
	}
	if f.xlabel != "" {
		sty := lsty
		sty.XAlign = draw.XCenter
		sty.YAlign = draw.YBottom
		c.FillText(sty, vg.Point{X: (data.Min.X + data.Max.X) / 2, Y: c.Min.Y}, f.xlabel)
	}
	if f.drawRight != nil {
		side := c
		side.Min.X = main.Max.X
		f.drawRight(side, data)
	}
}

// labelGap separates an axis label from the tick labels.
const labelGap = 2 * vg.Millimeter

// Legend geometry.
const (
	thumbWidth = 7 * vg.Millimeter
	itemGap    = 5 * vg.Millimeter
	thumbGap   = 1.5 * vg.Millimeter
)

// drawLegend draws the legend as centred rows across the top of c,
// wrapping when a row is full, and returns the height it used.
func (f *figure) drawLegend(c draw.Canvas) vg.Length {
	sty := textStyle(legendSize, false)
	sty.YAlign = draw.YCenter
	rowH := sty.Height("Mg") * 1.35
	avail := c.Max.X - c.Min.X

	// Split into rows.
	type row struct {
		items []legendItem
		width vg.Length
	}
	var rows []row
	var cur row
	for _, it := range f.legend {
		w := it.thumbSpace() + sty.Width(it.name)
		if len(cur.items) > 0 && cur.width+itemGap+w > avail {
			rows = append(rows, cur)
			cur = row{}
		}
		if len(cur.items) > 0 {
			cur.width += itemGap
		}
		cur.items = append(cur.items, it)
		cur.width += w
	}
	rows = append(rows, cur)

	y := c.Max.Y
	for _, r := range rows {
		x := c.Center().X - r.width/2
		mid := y - rowH/2
		for _, it := range r.items {
			icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: mid - rowH*0.3},
				Max: vg.Point{X: x + thumbWidth, Y: mid + rowH*0.3},
			}}
			for _, t := range it.thumbs {
				t.Thumbnail(&icon)
			}
			x += it.thumbSpace()
			c.FillText(sty, vg.Point{X: x, Y: mid}, it.name)
			x += sty.Width(it.name) + itemGap
		}
		y -= rowH
	}
	return c.Max.Y - y
}

// The SVG names the font without a fallback, and a browser without
// Liberation Sans would use its default serif font, whose wider glyphs can
// overlap. Arial and Helvetica have the same metrics as Liberation Sans, so
// they are added as fallbacks. (Embedding the font instead would add some
// hundreds of kilobytes to every file.)
const (
	svgFont         = "font-family:Liberation Sans;"
	svgFontFallback = "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"
)

// save renders f twice, to base.png and base.svg. Both files are fully
// rendered in memory before either is written.
func (f *figure) save(base string) error {
	img := vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(DPI))
	f.draw(draw.New(img))
	var pngBuf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&pngBuf); err != nil {
		return fmt.Errorf("figures: %s.png: %w", base, err)
	}

	svg := vgsvg.New(Width, Height)
	f.draw(draw.New(svg))
	var svgBuf bytes.Buffer
	if _, err := svg.WriteTo(&svgBuf); err != nil {
		return fmt.Errorf("figures: %s.svg: %w", base, err)
	}
	svgBytes := bytes.ReplaceAll(svgBuf.Bytes(), []byte(svgFont), []byte(svgFontFallback))

	if dir := filepath.Dir(base); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("figures: %w", err)
		}
	}
	if err := os.WriteFile(base+".png", pngBuf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	if err := os.WriteFile(base+".svg", svgBytes, 0o644); err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	return nil
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// positive reports whether v can be drawn on a log axis.
func positive(v float64) bool { return v > 0 && !math.IsInf(v, 1) }

// humanTicks is plot.DefaultTicks with plain labels: as few decimals as
// the ticks need (gonum/plot writes "5000.00"), and k/M/G/T suffixes when
// the axis reaches 10000 (25000 → "25k").
type humanTicks struct{}

// Ticks implements plot.Ticker.
func (humanTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	big := math.Max(math.Abs(lo), math.Abs(hi)) >= 1e4
	var vals []float64
	for _, t := range ts {
		if t.Label != "" {
			vals = append(vals, t.Value)
		}
	}
	prec := decimals(vals)
	for i := range ts {
		if ts[i].Label == "" {
			continue
		}
		if big {
			ts[i].Label = human(ts[i].Value)
		} else {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'f', prec, 64)
		}
	}
	return ts
}

// decimals returns the fewest decimals (at most 6) that write every value
// of vs exactly, up to floating-point noise.
func decimals(vs []float64) int {
	for d := 0; d < 6; d++ {
		s := math.Pow(10, float64(d))
		ok := true
		for _, v := range vs {
			if math.Abs(math.Round(v*s)-v*s) > 1e-6 {
				ok = false
				break
			}
		}
		if ok {
			return d
		}
	}
	return 6
}

// human formats v with a k/M/G/T suffix when it is 10000 or larger.
func human(v float64) string {
	a := math.Abs(v)
	for _, u := range []struct {
		div float64
		sfx string
	}{{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if a >= u.div && (u.div > 1e3 || a >= 1e4) {
			return strconv.FormatFloat(math.Round(v/u.div*1e6)/1e6, 'f', -1, 64) + u.sfx
		}
	}
	return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64)
}

// logTicks marks every decade (labelled "0.01", "1", "1k", "1M", …) with
// minor ticks at 2…9 when the axis spans few decades. It is used with an
// axis whose range is set by setLogAxis.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi > 0) {
		return nil
	}
	e0 := int(math.Floor(math.Log10(lo) + 1e-9))
	e1 := int(math.Ceil(math.Log10(hi) - 1e-9))
	decades := e1 - e0
	step := 1
	if decades > 8 {
		step = (decades + 7) / 8
	}
	var ts []plot.Tick
	for e := e0; e <= e1; e++ {
		v := math.Pow(10, float64(e))
		t := plot.Tick{Value: v}
		if (e-e0)%step == 0 {
			t.Label = decadeLabel(e)
		}
		ts = append(ts, t)
		if decades <= 6 && e < e1 {
			for m := 2; m <= 9; m++ {
				ts = append(ts, plot.Tick{Value: float64(m) * v})
			}
		}
	}
	return ts
}

// decadeLabel labels 10^e.
func decadeLabel(e int) string {
	switch {
	case e >= -3 && e < 4:
		return strconv.FormatFloat(math.Pow(10, float64(e)), 'f', -1, 64)
	case e >= 4 && e < 15:
		return human(math.Pow(10, float64(e)))
	default:
		return "1e" + strconv.Itoa(e)
	}
}

// dateTicks marks calendar months (or days, for short ranges) on an axis of
// Unix seconds, in UTC.
type dateTicks struct{}

// Ticks implements plot.Ticker.
func (dateTicks) Ticks(lo, hi float64) []plot.Tick {
	t0 := time.Unix(int64(math.Floor(lo)), 0).UTC()
	t1 := time.Unix(int64(math.Ceil(hi)), 0).UTC()
	span := t1.Sub(t0)
	var ts []plot.Tick
	if span < 75*24*time.Hour {
		step := 1
		for _, s := range []int{1, 2, 7, 14} {
			step = s
			if span/(time.Duration(s)*24*time.Hour) <= 5 {
				break
			}
		}
		d := time.Date(t0.Year(), t0.Month(), t0.Day(), 0, 0, 0, 0, time.UTC)
		if d.Before(t0) {
			d = d.AddDate(0, 0, 1)
		}
		for i := 0; !d.After(t1); i, d = i+1, d.AddDate(0, 0, 1) {
			t := plot.Tick{Value: float64(d.Unix())}
			if i%step == 0 {
				t.Label = d.Format("2006-01-02")
			}
			ts = append(ts, t)
		}
		return ts
	}
	months := int(span.Hours() / 24 / 30.4)
	step := 24
	for _, s := range []int{1, 2, 3, 6, 12, 24} {
		if months/s <= 8 {
			step = s
			break
		}
	}
	format := "2006-01"
	if step >= 12 {
		format = "2006"
	}
	m := time.Date(t0.Year(), t0.Month(), 1, 0, 0, 0, 0, time.UTC)
	if m.Before(t0) {
		m = m.AddDate(0, 1, 0)
	}
	for ; !m.After(t1); m = m.AddDate(0, 1, 0) {
		idx := (m.Year()*12 + int(m.Month()) - 1)
		t := plot.Tick{Value: float64(m.Unix())}
		if idx%step == 0 {
			t.Label = m.Format(format)
		} else if step > 3 && idx%3 != 0 {
			continue // minor ticks only at quarters on long ranges
		}
		ts = append(ts, t)
	}
	return ts
}
