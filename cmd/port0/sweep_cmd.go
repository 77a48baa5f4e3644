package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/port0/port0/experiments"
	"github.com/port0/port0/sweep"
)

// runSweep reruns the study over scales × seeds and writes the verdict
// matrix; the exit status is 1 when a target fails in some run.
func runSweep(args []string, env *cmdEnv) error {
	fs := newFlagSet("sweep", "-out sweep-results [-scales 3e-6,1e-5,1e-4,1e-3] [-seeds 1-4] [-project 1] [-scenario paper] [-keep] [-q]", env)
	out := fs.String("out", "sweep-results", "output folder `DIR`: SWEEP.md, verdicts.csv, verdicts.png/svg, projection.csv and cells/SCALE_seedN/")
	scalesS := fs.String("scales", "3e-6,1e-5,1e-4,1e-3", "comma-separated `SCALES` to run")
	seedsS := fs.String("seeds", "1-4", "`SEEDS` to run: a list (1,2,5), a range (1-4), or both (1-4,9)")
	projectS := fs.String("project", "1", "comma-separated `SCALES` at which to summarise the plan only, beside -scales (none: empty)")
	scenario := fs.String("scenario", "paper", scenarioUsage())
	keep := fs.Bool("keep", false, "keep every run's telescope and analysis (cells/*/data; about 60 bytes a packet)")
	quiet := fs.Bool("q", false, "no progress on stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &exitStatus{2, fmt.Errorf("sweep: unexpected argument %q (use -out, -scales and -seeds)", fs.Arg(0))}
	}
	scales, err := parseScales(*scalesS)
	if err != nil || len(scales) == 0 {
		return &exitStatus{2, fmt.Errorf("sweep: -scales %q: want positive numbers separated by commas, such as 3e-6,1e-5", *scalesS)}
	}
	project, err := parseScales(*projectS)
	if err != nil {
		return &exitStatus{2, fmt.Errorf("sweep: -project %q: want positive numbers separated by commas, or nothing", *projectS)}
	}
	seeds, err := parseSeeds(*seedsS)
	if err != nil {
		return &exitStatus{2, fmt.Errorf("sweep: -seeds %q: %v", *seedsS, err)}
	}
	s, err := loadScenario(*scenario)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	o := sweep.Options{Scenario: s, Scales: scales, Seeds: seeds, Project: project, Out: *out, Keep: *keep, Provenance: provenance}
	if !*quiet {
		o.Progress = env.stderr
	}
	sw, err := sweep.Run(o)
	if err != nil {
		return err
	}
	if err := sw.Write(*out); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	for _, c := range sw.Cells {
		fmt.Fprintf(env.stdout, "%-16s %s\n", c.Label(), tallyOf(c))
	}
	fmt.Fprintf(env.stdout, "%d runs; %d failing targets; matrix: %s/SWEEP.md\n", len(sw.Cells), sw.Fails(), *out)
	if sw.Fails() > 0 {
		return errors.New("sweep: some targets fail (see SWEEP.md)")
	}
	return nil
}

func tallyOf(c sweep.Cell) string {
	return fmt.Sprintf("%d packets: %s", c.Packets, experiments.Tally(c.Results))
}

// parseScales reads comma-separated positive numbers ("" is none).
func parseScales(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		x, err := strconv.ParseFloat(f, 64)
		if err != nil || !(x > 0) || x > 10 {
			return nil, fmt.Errorf("%q is not a scale in (0, 10]", f)
		}
		out = append(out, x)
	}
	return out, nil
}

// parseSeeds reads seeds: numbers and ranges A-B, separated by commas.
func parseSeeds(s string) ([]uint64, error) {
	var out []uint64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		lo, hi, isRange := strings.Cut(f, "-")
		a, err := strconv.ParseUint(lo, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a seed or a range A-B of seeds", f)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 64); err != nil || b < a || b-a >= 1000 {
				return nil, fmt.Errorf("%q is not a range A-B of at most 1000 seeds with A ≤ B", f)
			}
		}
		for x := a; ; x++ {
			out = append(out, x)
			if x == b {
				break
			}
		}
	}
	return out, nil
}
