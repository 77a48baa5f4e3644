package figures

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The cell values of VerdictMatrix.
const (
	CellNone         = -1 // no verdict (left blank)
	CellPass         = 0
	CellInsufficient = 1
	CellFail         = 2
)

// verdictColours are the fills of pass, insufficient data and FAIL: green,
// light grey and red, which stay apart for the common colour-vision
// deficiencies by lightness as well as hue.
var verdictColours = [3]color.Color{
	color.RGBA{R: 0x4d, G: 0xac, B: 0x26, A: 0xff},
	color.RGBA{R: 0xd9, G: 0xd9, B: 0xd9, A: 0xff},
	color.RGBA{R: 0xd0, G: 0x1c, B: 0x8b, A: 0xff},
}

// verdictNames label the legend.
var verdictNames = [3]string{"pass", "insufficient data", "FAIL"}

// VerdictMatrix draws a matrix of verdicts: cells[i][j] is the verdict of
// row i (an experiment) in column j (a run, or a target), one of
// CellPass, CellInsufficient, CellFail or CellNone. Rows are drawn top to
// bottom in order, columns left to right; len(cells) must equal len(rows)
// and every row must have len(cols) cells.
func VerdictMatrix(base, title, xlabel string, rows, cols []string, cells [][]int) error {
	if len(cells) != len(rows) {
		return fmt.Errorf("figures: VerdictMatrix: %d rows of cells for %d rows", len(cells), len(rows))
	}
	for i, row := range cells {
		if len(row) != len(cols) {
			return fmt.Errorf("figures: VerdictMatrix: row %d (%q) has %d cells for %d columns", i, rows[i], len(row), len(cols))
		}
		for j, v := range row {
			if v < CellNone || v > CellFail {
				return fmt.Errorf("figures: VerdictMatrix: row %d (%q) column %d: %d is not a verdict", i, rows[i], j, v)
			}
		}
	}
	f := newFigure(title, xlabel, "")
	p := f.plot
	if len(rows) == 0 || len(cols) == 0 {
		return f.saveEmpty(base)
	}
	for v, name := range verdictNames {
		f.add(name, boxThumb{color: verdictColours[v]})
	}
	p.Add(verdictCells(cells))
	ylabels := make([]string, len(rows))
	for r := range rows {
		ylabels[r] = rows[len(rows)-1-r]
	}
	p.NominalX(cols...)
	p.NominalY(ylabels...)
	p.Y.Tick.Label.Font.Size = vg.Points(8)
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Min, p.X.Max = -0.5, float64(len(cols))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(rows))-0.5
	slot := (Width - 2*margin - 4*vg.Centimeter) / vg.Length(len(cols))
	rotateIfCrowded(&p.X, cols, slot)
	return f.save(base)
}

// verdictCells fills each cell with its verdict's colour, row 0 at the
// top, and outlines every cell in white.
type verdictCells [][]int

// Plot implements plot.Plotter.
func (v verdictCells) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	n := len(v)
	line := draw.LineStyle{Color: color.White, Width: vg.Points(1)}
	for i, row := range v {
		y := float64(n - 1 - i)
		for j, cell := range row {
			if cell == CellNone {
				continue
			}
			r := vg.Rectangle{
				Min: vg.Point{X: trX(float64(j) - 0.5), Y: trY(y - 0.5)},
				Max: vg.Point{X: trX(float64(j) + 0.5), Y: trY(y + 0.5)},
			}
			c.SetColor(verdictColours[cell])
			c.Fill(r.Path())
			c.SetLineStyle(line)
			c.Stroke(r.Path())
		}
	}
}
