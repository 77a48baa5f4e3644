package sweep

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/port0/port0/experiments"
	"github.com/port0/port0/gen"
)

// cellsOf builds a grid from fixed results: the same two experiments in
// every cell, with the measurement and sample given per cell.
func cellsOf(measured, n []float64) []Cell {
	var cs []Cell
	for i := range measured {
		cs = append(cs, Cell{Scale: []float64{3e-6, 1e-5, 1e-4}[i], Seed: 1, Packets: int64(1000 * (i + 1)), Results: []*experiments.Result{
			{Name: "a", Targets: []experiments.Target{{What: "exact", Lo: 5, Hi: 5, Measured: 5, Unit: "packets"}}},
			{Name: "b", Targets: []experiments.Target{{What: "share", Lo: 80, Hi: 100, Measured: measured[i], Unit: "%", N: n[i], MinN: 20}}},
		}})
	}
	return cs
}

// TestWrite checks the grid's files: one line per cell and target in
// verdicts.csv, the verdict of each experiment per run and the closest
// margin in SWEEP.md, the figure, and the projection table.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p, err := gen.NewPlan(gen.Paper(), 1, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	sw := &Sweep{Scenario: "paper", Cells: cellsOf([]float64{99, 84.5, 79}, []float64{10, 100, 1000}), Projections: []gen.Projection{p.Project()}}
	if got := sw.Fails(); got != 1 {
		t.Errorf("Fails = %d, want 1 (79 %% < 80 %% on a sample that decides)", got)
	}
	if err := sw.Write(dir); err != nil {
		t.Fatal(err)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "verdicts.csv"))
	for _, want := range []string{
		"scale,seed,experiment,target,what,measured,lo,hi,n,min_n,verdict\n",
		"3e-6,1,b,1,share,99,80,100,10,20,insufficient\n",
		"1e-5,1,b,1,share,84.5,80,100,100,20,pass\n",
		"1e-4,1,b,1,share,79,80,100,1000,20,FAIL\n",
	} {
		if !strings.Contains(string(csv), want) {
			t.Errorf("verdicts.csv lacks %q:\n%s", want, csv)
		}
	}
	if n := strings.Count(string(csv), "\n"); n != 1+3*2 {
		t.Errorf("verdicts.csv has %d lines, want 7", n)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "SWEEP.md"))
	for _, want := range []string{
		"| a | pass | pass | pass |",
		"| b | insuff. | pass | **FAIL** |",
		"| b | 1 | share | [80, 100] % | -1 % | 15.5000 % | 10/20 | pass | **FAIL** |", // the margins of the decided runs: 79 − 80, 100 − 84.5
		"| a | 1 | exact | [5, 5] packets | 0 packets | 0 packets |",
		"*port-0 top 10*",
		"1 FAIL",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("SWEEP.md lacks %q:\n%s", want, md)
		}
	}
	for _, f := range []string{"verdicts.png", "verdicts.svg", "projection.csv"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestRun runs a two-cell sweep end to end: each cell's results are kept
// and its telescope removed, and the grid has every cell.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	sw, err := Run(Options{Scenario: gen.Paper(), Scales: []float64{1e-6}, Seeds: []uint64{11, 12}, Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(sw.Cells) != 2 || len(sw.Projections) != 1 || sw.Cells[1].Name() != "1e-6_seed12" {
		t.Fatalf("%d cells (%v), %d projections", len(sw.Cells), sw.Cells, len(sw.Projections))
	}
	for _, c := range sw.Cells {
		if len(c.Results) != len(experiments.All()) || c.Packets == 0 {
			t.Errorf("%s: %d results, %d packets", c.Name(), len(c.Results), c.Packets)
		}
		if _, err := os.Stat(filepath.Join(dir, "cells", c.Name(), "REPORT.md")); err != nil {
			t.Error(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "cells", c.Name(), "data")); !os.IsNotExist(err) {
			t.Errorf("%s: the telescope was kept: %v", c.Name(), err)
		}
	}
	if f := sw.Projections[0].Top10Share; !(f > 0.8 && f <= 1) || math.IsNaN(f) {
		t.Errorf("planned top-10 share %v", f)
	}
	if _, err := Run(Options{Scenario: gen.Paper(), Seeds: []uint64{1}, Out: dir}); err == nil {
		t.Error("no scales: no error")
	}
}
