package figures

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// gappyLine is a line plotter that breaks at missing points: a point whose
// X or Y is NaN ends the current run. Runs of one point are drawn as a dot
// so that an isolated day is not lost.
type gappyLine struct {
	xys  plotter.XYs
	line draw.LineStyle
	dot  draw.GlyphStyle
}

// newGappyLine returns a gappyLine in colour i of the palette.
func newGappyLine(xys plotter.XYs, i int, width vg.Length) *gappyLine {
	return &gappyLine{
		xys:  xys,
		line: draw.LineStyle{Color: colour(i), Width: width},
		dot:  draw.GlyphStyle{Color: colour(i), Radius: width * 1.5, Shape: draw.CircleGlyph{}},
	}
}

// Plot implements plot.Plotter.
func (g *gappyLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	var run []vg.Point
	flush := func() {
		switch {
		case len(run) == 1:
			c.DrawGlyph(g.dot, run[0])
		case len(run) > 1:
			c.StrokeLines(g.line, c.ClipLinesXY(run)...)
		}
		run = nil
	}
	for _, xy := range g.xys {
		if math.IsNaN(xy.X) || math.IsNaN(xy.Y) {
			flush()
			continue
		}
		run = append(run, vg.Point{X: trX(xy.X), Y: trY(xy.Y)})
	}
	flush()
}

// DataRange implements plot.DataRanger, skipping missing points.
func (g *gappyLine) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, ymin = math.Inf(1), math.Inf(1)
	xmax, ymax = math.Inf(-1), math.Inf(-1)
	for _, xy := range g.xys {
		if math.IsNaN(xy.X) || math.IsNaN(xy.Y) {
			continue
		}
		xmin, xmax = math.Min(xmin, xy.X), math.Max(xmax, xy.X)
		ymin, ymax = math.Min(ymin, xy.Y), math.Max(ymax, xy.Y)
	}
	return xmin, xmax, ymin, ymax
}

// Thumbnail implements plot.Thumbnailer.
func (g *gappyLine) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(g.line, c.Min.X, y, c.Max.X, y)
}

// majorGrid draws light lines at the labelled ticks of the Y axis (and of
// the X axis when x is set); unlike plotter.Grid it skips minor ticks,
// which would crowd a log axis.
type majorGrid struct{ x bool }

// Plot implements plot.Plotter.
func (g majorGrid) Plot(c draw.Canvas, p *plot.Plot) {
	sty := draw.LineStyle{Color: gridColor, Width: vg.Points(0.5)}
	trX, trY := p.Transforms(&c)
	for _, t := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if t.IsMinor() || t.Value < p.Y.Min || t.Value > p.Y.Max {
			continue
		}
		y := trY(t.Value)
		c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
	}
	if !g.x {
		return
	}
	for _, t := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if t.IsMinor() || t.Value < p.X.Min || t.Value > p.X.Max {
			continue
		}
		x := trX(t.Value)
		c.StrokeLine2(sty, x, c.Min.Y, x, c.Max.Y)
	}
}

// boxThumb is a legend thumbnail that fills the icon with a colour.
type boxThumb struct{ color color.Color }

// Thumbnail implements plot.Thumbnailer.
func (b boxThumb) Thumbnail(c *draw.Canvas) {
	c.SetColor(b.color)
	c.Fill(c.Rectangle.Path())
}

// dotThumb is a legend thumbnail showing one glyph.
type dotThumb struct{ glyph draw.GlyphStyle }

// Thumbnail implements plot.Thumbnailer.
func (d dotThumb) Thumbnail(c *draw.Canvas) { c.DrawGlyph(d.glyph, c.Center()) }
