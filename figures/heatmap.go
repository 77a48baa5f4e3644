package figures

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ProbeMatrix draws a heat map of fingerprinting probes: counts[i][j] is
// the number of packets of probe j sent by source i. Rows are drawn top to
// bottom in the order of sources, columns left to right in the order of
// probes; len(counts) must equal len(sources) and every row must have
// len(probes) values. Colour is linear in the count, from white (zero or
// the smallest count) to black, with a colour bar; each cell also shows
// its value when the value fits in the cell. NaN and Inf cells are grey.
func ProbeMatrix(base string, sources, probes []string, counts [][]float64) error {
	if len(counts) != len(sources) {
		return fmt.Errorf("figures: ProbeMatrix: %d rows of counts for %d sources", len(counts), len(sources))
	}
	for i, row := range counts {
		if len(row) != len(probes) {
			return fmt.Errorf("figures: ProbeMatrix: row %d (%q) has %d counts for %d probes",
				i, sources[i], len(row), len(probes))
		}
	}
	f := newFigure("Fingerprint probes per source", "probe", "source")
	p := f.plot
	if len(sources) == 0 || len(probes) == 0 {
		return f.saveEmpty(base)
	}

	g := newGrid(counts, len(probes))
	lo, hi := 0.0, 0.0
	for _, row := range counts {
		for _, v := range row {
			if finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if lo == hi {
		hi = lo + 1
	}
	cmap := palette.Reverse(moreland.Kindlmann())
	cmap.SetMin(lo)
	cmap.SetMax(hi)

	hm := plotter.NewHeatMap(g, cmap.Palette(256))
	hm.Min, hm.Max = lo, hi
	hm.NaN = color.Gray{Y: 0xB0}
	p.Add(hm, cellLabels{grid: g, cmap: cmap})

	// Rows top to bottom: grid row r is sources[len-1-r].
	ylabels := make([]string, len(sources))
	for r := range sources {
		ylabels[r] = sources[len(sources)-1-r]
	}
	p.NominalX(probes...)
	p.NominalY(ylabels...)
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Min, p.X.Max = -0.5, float64(len(probes))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(sources))-0.5

	bar := colorBar{cmap: cmap, label: "packets"}
	f.right = bar.width()
	slot := (Width - 2*margin - f.right - 3*vg.Centimeter) / vg.Length(len(probes))
	rotateIfCrowded(&p.X, probes, slot)
	f.drawRight = bar.draw
	return f.save(base)
}

// grid is a plotter.GridXYZ over a matrix of rows, with row 0 at the
// bottom: z[r] is the display row r.
type grid struct {
	z    [][]float64
	cols int
}

// newGrid returns the grid of counts with its first row at the top.
func newGrid(counts [][]float64, cols int) grid {
	z := make([][]float64, len(counts))
	for r := range counts {
		row := make([]float64, cols)
		for c, v := range counts[len(counts)-1-r] {
			if !finite(v) {
				v = math.NaN()
			}
			row[c] = v
		}
		z[r] = row
	}
	return grid{z: z, cols: cols}
}

// Dims implements plotter.GridXYZ.
func (g grid) Dims() (c, r int) { return g.cols, len(g.z) }

// Z implements plotter.GridXYZ.
func (g grid) Z(c, r int) float64 { return g.z[r][c] }

// X implements plotter.GridXYZ.
func (g grid) X(c int) float64 { return float64(c) }

// Y implements plotter.GridXYZ.
func (g grid) Y(r int) float64 { return float64(r) }

// cellLabels outlines the cells in light grey (so that white cells show)
// and writes each cell's value in its centre, in black or white for
// contrast with the cell's colour, when the text fits in the cell.
type cellLabels struct {
	grid grid
	cmap palette.ColorMap
}

// Plot implements plot.Plotter.
func (l cellLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	cw := trX(1) - trX(0)
	ch := trY(1) - trY(0)
	cols, rows := l.grid.Dims()
	line := draw.LineStyle{Color: color.Gray{Y: 0xC8}, Width: vg.Points(0.4)}
	for col := 0; col <= cols; col++ {
		x := trX(float64(col) - 0.5)
		c.StrokeLine2(line, x, trY(-0.5), x, trY(float64(rows)-0.5))
	}
	for r := 0; r <= rows; r++ {
		y := trY(float64(r) - 0.5)
		c.StrokeLine2(line, trX(-0.5), y, trX(float64(cols)-0.5), y)
	}

	sty := textStyle(cellSize, false)
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YCenter
	if sty.Height("0") > ch*0.8 {
		return
	}
	for r := range rows {
		for col := range cols {
			v := l.grid.Z(col, r)
			s := formatCell(v)
			if s == "" || sty.Width(s) > cw*0.9 {
				continue
			}
			sty.Color = color.Black
			if cc, err := l.cmap.At(v); err == nil && luminance(cc) < 0.45 {
				sty.Color = color.White
			}
			c.FillText(sty, vg.Point{X: trX(float64(col)), Y: trY(float64(r))}, s)
		}
	}
}

// luminance returns the relative luminance of c in [0, 1] (Rec. 709
// weights on the gamma-encoded channels, good enough to pick a text
// colour).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xFFFF
}

// colorBar is a vertical colour bar drawn beside a heat map.
type colorBar struct {
	cmap  palette.ColorMap
	label string
}

// Colour bar geometry.
const (
	barGap   = 5 * vg.Millimeter
	barWidth = 4 * vg.Millimeter
	barTick  = 1.5 * vg.Millimeter
)

// ticks returns the labelled ticks of the bar.
func (b colorBar) ticks() []plot.Tick {
	var ts []plot.Tick
	for _, t := range (humanTicks{}).Ticks(b.cmap.Min(), b.cmap.Max()) {
		if t.Label != "" && t.Value >= b.cmap.Min() && t.Value <= b.cmap.Max() {
			ts = append(ts, t)
		}
	}
	return ts
}

// width returns the width the bar needs, with its tick labels and label.
func (b colorBar) width() vg.Length {
	tsty := textStyle(tickSize, false)
	var w vg.Length
	for _, t := range b.ticks() {
		w = max(w, tsty.Width(t.Label))
	}
	lsty := textStyle(labelSize, false)
	return barGap + barWidth + barTick + 1*vg.Millimeter + w + 2*vg.Millimeter + lsty.Height(b.label)
}

// draw draws the bar into c, spanning the height of the data rectangle.
func (b colorBar) draw(c draw.Canvas, data vg.Rectangle) {
	x0 := c.Min.X + barGap
	x1 := x0 + barWidth
	y0, y1 := data.Min.Y, data.Max.Y
	const steps = 128
	lo, hi := b.cmap.Min(), b.cmap.Max()
	for i := range steps {
		v := lo + (hi-lo)*(float64(i)+0.5)/steps
		col, err := b.cmap.At(v)
		if err != nil {
			continue
		}
		ya := y0 + (y1-y0)*vg.Length(i)/steps
		yb := y0 + (y1-y0)*vg.Length(i+1)/steps
		// Overlap slices slightly so that anti-aliasing leaves no seams.
		if i+1 < steps {
			yb += (y1 - y0) / steps / 2
		}
		c.FillPolygon(col, []vg.Point{{X: x0, Y: ya}, {X: x1, Y: ya}, {X: x1, Y: yb}, {X: x0, Y: yb}})
	}
	edge := draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)}
	c.StrokeLines(edge, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}})

	tsty := textStyle(tickSize, false)
	tsty.YAlign = draw.YCenter
	var w vg.Length
	for _, t := range b.ticks() {
		y := y0 + (y1-y0)*vg.Length((t.Value-lo)/(hi-lo))
		c.StrokeLine2(edge, x1, y, x1+barTick, y)
		c.FillText(tsty, vg.Point{X: x1 + barTick + 1*vg.Millimeter, Y: y}, t.Label)
		w = max(w, tsty.Width(t.Label))
	}
	lsty := textStyle(labelSize, false)
	lsty.Rotation = math.Pi / 2
	lsty.XAlign = draw.XCenter
	lsty.YAlign = draw.YBottom
	lx := x1 + barTick + 1*vg.Millimeter + w + 2*vg.Millimeter + lsty.Height(b.label)
	c.FillText(lsty, vg.Point{X: lx, Y: (y0 + y1) / 2}, b.label)
}
