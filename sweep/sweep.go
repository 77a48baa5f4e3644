package sweep

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/port0/port0/experiments"
	"github.com/port0/port0/figures"
	"github.com/port0/port0/gen"
	"github.com/port0/port0/tables"
)

// Options say what to sweep.
type Options struct {
	Scenario *gen.Scenario
	Scales   []float64
	Seeds    []uint64
	// Project lists scales, beside Scales, at which the scenario's plan
	// is summarised (gen.Plan.Project) without generating a packet: scale
	// 1 says what the paper's full telescope would hold.
	Project []float64
	Out     string
	// Keep keeps each cell's telescope and analysis (OUT/cells/*/data);
	// by default they are removed once the cell's experiments have run.
	Keep bool
	// Progress, when not nil, gets a line per step and cell.
	Progress io.Writer
	// Provenance, when not nil, gives the provenance each cell's
	// REPORT.md lists.
	Provenance func(*experiments.Data, *experiments.Rerun) []string
}

// Cell is one run of the grid.
type Cell struct {
	Scale   float64
	Seed    uint64
	Packets int64 // packets generated
	Results []*experiments.Result
}

// Name is the cell's folder under OUT/cells and its column in the tables:
// SCALE_seedN.
func (c Cell) Name() string {
	return gen.FormatScale(c.Scale) + "_seed" + strconv.FormatUint(c.Seed, 10)
}

// Label is the cell's short column label: SCALE/SEED.
func (c Cell) Label() string { return gen.FormatScale(c.Scale) + "/" + strconv.FormatUint(c.Seed, 10) }

// Sweep is what Run found.
type Sweep struct {
	Scenario    string
	Cells       []Cell
	Projections []gen.Projection
}

// Run runs every cell, scales outer and seeds inner, and projects the plan
// at every scale of Scales and Project (with the first seed).
func Run(o Options) (*Sweep, error) {
	if o.Scenario == nil || len(o.Scales) == 0 || len(o.Seeds) == 0 {
		return nil, errors.New("sweep: a scenario, at least one scale and one seed are needed")
	}
	say := func(format string, a ...any) {
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "sweep: "+format+"\n", a...)
		}
	}
	sw := &Sweep{Scenario: o.Scenario.Name}
	total := len(o.Scales) * len(o.Seeds)
	for _, scale := range o.Scales {
		for _, seed := range o.Seeds {
			c := Cell{Scale: scale, Seed: seed}
			dir := filepath.Join(o.Out, "cells", c.Name())
			if err := os.RemoveAll(dir); err != nil {
				return nil, err
			}
			t0 := time.Now()
			x := &experiments.Rerun{Scenario: o.Scenario, Seed: seed, Scale: scale, Out: dir, Format: tables.CSV}
			d, rs, err := x.Run()
			if err != nil {
				return nil, fmt.Errorf("sweep: %s: %w", c.Name(), err)
			}
			c.Packets, c.Results = d.Manifest.Packets, rs
			var prov []string
			if o.Provenance != nil {
				prov = o.Provenance(d, x)
			}
			if err := experiments.SaveResults(dir, rs, prov); err != nil {
				return nil, err
			}
			if err := experiments.WriteReport(dir, rs, prov); err != nil {
				return nil, err
			}
			if !o.Keep {
				if err := os.RemoveAll(filepath.Join(dir, "data")); err != nil {
					return nil, err
				}
			}
			sw.Cells = append(sw.Cells, c)
			say("%d/%d %s: %d packets, %s (%.1f s)", len(sw.Cells), total, c.Name(), c.Packets, experiments.Tally(rs), time.Since(t0).Seconds())
		}
	}
	seen := map[float64]bool{}
	for _, scale := range append(append([]float64(nil), o.Scales...), o.Project...) {
		if seen[scale] {
			continue
		}
		seen[scale] = true
		plan, err := gen.NewPlan(o.Scenario, o.Seeds[0], scale)
		if err != nil {
			return nil, fmt.Errorf("sweep: projection at scale %g: %w", scale, err)
		}
		sw.Projections = append(sw.Projections, plan.Project())
		say("projected the plan at scale %g", scale)
	}
	return sw, nil
}

// Fails is the number of failing targets over all cells.
func (s *Sweep) Fails() int {
	n := 0
	for _, c := range s.Cells {
		for _, r := range c.Results {
			for _, t := range r.Targets {
				if t.Verdict() == experiments.Fail {
					n++
				}
			}
		}
	}
	return n
}

// row is one target of the grid, identified by experiment and position.
type row struct {
	experiment string
	index      int
	what       string
}

// rows lists the targets of every cell in the experiments' order; a
// target's What can name numbers of its cell (a burst port, a scanner
// count), so targets are matched by experiment and position, and the first
// cell's wording is kept.
func (s *Sweep) rows() []row {
	var out []row
	seen := map[[2]string]bool{}
	for _, c := range s.Cells {
		for _, r := range c.Results {
			for i, t := range r.Targets {
				k := [2]string{r.Name, strconv.Itoa(i)}
				if !seen[k] {
					seen[k] = true
					out = append(out, row{r.Name, i, t.What})
				}
			}
		}
	}
	return out
}

// target is the target of row w in cell c, if it has one.
func (c Cell) target(w row) (experiments.Target, bool) {
	for _, r := range c.Results {
		if r.Name == w.experiment && w.index < len(r.Targets) {
			return r.Targets[w.index], true
		}
	}
	return experiments.Target{}, false
}

// experimentsOf lists the experiments of the cells in order.
func (s *Sweep) experimentsOf() []string {
	var names []string
	seen := map[string]bool{}
	for _, c := range s.Cells {
		for _, r := range c.Results {
			if !seen[r.Name] {
				seen[r.Name] = true
				names = append(names, r.Name)
			}
		}
	}
	return names
}

// verdictOf is experiment name's verdict in c, and whether it ran there.
func (c Cell) verdictOf(name string) (experiments.Verdict, bool) {
	for _, r := range c.Results {
		if r.Name == name {
			return r.Verdict(), true
		}
	}
	return 0, false
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// Write writes the grid into out: verdicts.csv (one line per cell and
// target), projection.csv, SWEEP.md and the verdicts figure.
func (s *Sweep) Write(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var lines [][]string
	for _, c := range s.Cells {
		for _, r := range c.Results {
			for i, t := range r.Targets {
				lines = append(lines, []string{gen.FormatScale(c.Scale), strconv.FormatUint(c.Seed, 10), r.Name, strconv.Itoa(i + 1), t.What,
					ftoa(t.Measured), ftoa(t.Lo), ftoa(t.Hi), ftoa(t.N), ftoa(t.MinN), t.Verdict().String()})
			}
		}
	}
	if err := tables.WriteTextCSV(filepath.Join(out, "verdicts.csv"), []string{"scale", "seed", "experiment", "target", "what", "measured", "lo", "hi", "n", "min_n", "verdict"}, lines); err != nil {
		return err
	}
	lines = nil
	for _, p := range s.Projections {
		for _, f := range p.Families {
			lines = append(lines, []string{gen.FormatScale(p.Scale), f.Family, strconv.Itoa(f.Actors), strconv.FormatFloat(f.Packets, 'f', 0, 64), strconv.FormatFloat(f.TopShare, 'f', 4, 64), strconv.FormatFloat(f.Events, 'f', 0, 64)})
		}
	}
	if err := tables.WriteTextCSV(filepath.Join(out, "projection.csv"), []string{"scale", "family", "actors", "planned_packets", "top_share", "events"}, lines); err != nil {
		return err
	}
	names := s.experimentsOf()
	cols := make([]string, len(s.Cells))
	cells := make([][]int, len(names))
	for j, c := range s.Cells {
		cols[j] = c.Label()
	}
	for i, n := range names {
		cells[i] = make([]int, len(s.Cells))
		for j, c := range s.Cells {
			v, ok := c.verdictOf(n)
			cells[i][j] = figures.CellNone
			if ok {
				cells[i][j] = experiments.CellOf(v)
			}
		}
	}
	if err := figures.VerdictMatrix(filepath.Join(out, "verdicts"), fmt.Sprintf("Verdicts of scenario %s by scale and seed", s.Scenario), "scale / seed", names, cols, cells); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "SWEEP.md"), []byte(s.markdown()), 0o644)
}

// word is a verdict's cell in SWEEP.md.
func word(v experiments.Verdict) string {
	switch v {
	case experiments.Pass:
		return "pass"
	case experiments.Insufficient:
		return "insuff."
	}
	return "**FAIL**"
}

// markdown is SWEEP.md.
func (s *Sweep) markdown() string {
	var b strings.Builder
	var pass, ins, fail int
	for _, c := range s.Cells {
		for _, r := range c.Results {
			for _, t := range r.Targets {
				switch t.Verdict() {
				case experiments.Pass:
					pass++
				case experiments.Insufficient:
					ins++
				default:
					fail++
				}
			}
		}
	}
	fmt.Fprintf(&b, "# port0 — sweep of scenario `%s`\n\n", s.Scenario)
	fmt.Fprintf(&b, "%d runs (scales × seeds); over all runs, %d target verdicts pass, %d have insufficient data, %d FAIL.\n\n", len(s.Cells), pass, ins, fail)
	b.WriteString("A verdict is `pass`, `FAIL` (the data contradict the target) or insufficient data (its sample is smaller than the target needs, shown as n/needed). Each run's full report is `cells/SCALE_seedN/REPORT.md`.\n\n")
	b.WriteString("![verdicts](verdicts.png)\n\n## Runs\n\n| run | packets | experiments |\n|---|---:|---|\n")
	for _, c := range s.Cells {
		fmt.Fprintf(&b, "| [%s](cells/%s/REPORT.md) | %d | %s |\n", c.Label(), c.Name(), c.Packets, experiments.Tally(c.Results))
	}
	b.WriteString("\n## Experiments by run\n\n| experiment |")
	for _, c := range s.Cells {
		fmt.Fprintf(&b, " %s |", c.Label())
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(s.Cells)) + "\n")
	for _, n := range s.experimentsOf() {
		fmt.Fprintf(&b, "| %s |", n)
		for _, c := range s.Cells {
			v, ok := c.verdictOf(n)
			if !ok {
				b.WriteString(" — |")
				continue
			}
			fmt.Fprintf(&b, " %s |", word(v))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n## Targets by run\n\nA target's margins are its closest approach to its lower and to its upper bound over the runs that decide it, in its unit (0 where a value sits on a bound, as an exact check that holds does; negative where it is outside); an insufficient cell shows n/needed.\n\n| experiment | # | target | accepted (first run) | margin above lower | margin below upper |")
	for _, c := range s.Cells {
		fmt.Fprintf(&b, " %s |", c.Label())
	}
	b.WriteString("\n|---|---|---|---|---|---|" + strings.Repeat("---|", len(s.Cells)) + "\n")
	for _, w := range s.rows() {
		var first *experiments.Target
		above, below := math.Inf(1), math.Inf(1)
		var cellsText strings.Builder
		for _, c := range s.Cells {
			t, ok := c.target(w)
			if !ok {
				cellsText.WriteString(" — |")
				continue
			}
			if first == nil {
				first = &t
			}
			switch v := t.Verdict(); v {
			case experiments.Insufficient:
				fmt.Fprintf(&cellsText, " %s/%s |", experiments.FormatNumber(t.N), experiments.FormatNumber(t.MinN))
			default:
				lo, hi := t.Measured-t.Lo, t.Hi-t.Measured
				if math.IsNaN(t.Measured) {
					lo, hi = math.Inf(-1), math.Inf(-1)
				}
				above, below = math.Min(above, lo), math.Min(below, hi)
				fmt.Fprintf(&cellsText, " %s |", word(v))
			}
		}
		margin := func(m float64) string {
			if math.IsInf(m, 1) { // no run decides it, or the bound is infinite
				return "—"
			}
			return strings.TrimSpace(experiments.FormatNumber(m) + " " + first.Unit)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | [%s, %s] %s | %s | %s |%s\n", w.experiment, w.index+1, w.what, experiments.FormatNumber(first.Lo), experiments.FormatNumber(first.Hi), first.Unit, margin(above), margin(below), cellsText.String())
	}
	if len(s.Projections) > 0 {
		b.WriteString("\n## What the scenario plans at each scale\n\nFrom the plan alone (`gen.Plan.Project`, no packet drawn; `port0 gen -project` prints it for one scale): actors, planned packets, the heaviest actor's share of its family, and events (backscatter attacks, fingerprint bundles); the *port-0 top 10* line is the planned share of port-0 packets sent by the ten heaviest port-0 actors.\n\n")
		for i, p := range s.Projections {
			p.WriteMarkdown(&b, i == 0)
		}
	}
	return b.String()
}
