package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/port0/port0/experiments"
	"github.com/port0/port0/gen"
	"github.com/port0/port0/tables"
)

// runExperiments generates (or reuses) a telescope, analyzes it, runs the
// experiments and writes their tables, figures and results/REPORT.md. It
// works on generated telescopes only: -analysis needs the -gen folder it
// was made from (a capture of the user's own is port0 study's).
func runExperiments(args []string, env *cmdEnv) error {
	fs := newFlagSet("experiments", "-out results [-only NAME[,NAME]] [-scenario paper] [-seed N] [-scale F] [-format csv|parquet|both]", env)
	out := fs.String("out", "results", "results folder `DIR`: OUT/NAME/ for each experiment, OUT/data/ for what it generates and analyzes")
	only := fs.String("only", "", "comma-separated experiments to run, `NAME[,NAME]` (default: all): "+strings.Join(experiments.Names(), ", "))
	scenario := fs.String("scenario", "paper", scenarioUsage())
	seed := fs.Uint64("seed", 1, "random seed of the generator and the bootstrap")
	scaleS := fs.String("scale", "1e-5", "volume scale `F` of the generated telescope (as port0 gen -scale)")
	genDir := fs.String("gen", "", "use this port0 gen output `DIR` instead of generating into OUT/data/gen")
	anaDir := fs.String("analysis", "", "use this port0 analyze output `DIR` of the -gen folder instead of analyzing into OUT/data/analysis (your own captures: port0 study)")
	quiet := fs.Bool("q", false, "no progress on stderr")
	var format tables.Format
	fs.Var(&format, "format", "the `format` of the experiments' tables and of the analysis it runs: csv (the default), parquet or both")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	scale, err := strconv.ParseFloat(*scaleS, 64)
	if err != nil || !(scale > 0) {
		return &exitStatus{2, fmt.Errorf("experiments: -scale must be a positive number, got %q", *scaleS)}
	}
	var names []string
	if *only != "" {
		names = strings.Split(*only, ",")
		known := experiments.Names()
		for _, n := range names {
			if !slices.Contains(known, n) {
				return &exitStatus{2, fmt.Errorf("experiments: -only: unknown experiment %q (known: %s)", n, strings.Join(known, ", "))}
			}
		}
	}
	say := func(format string, a ...any) {
		if !*quiet {
			fmt.Fprintf(env.stderr, "experiments: "+format+"\n", a...)
		}
	}
	if *anaDir != "" && *genDir == "" {
		return &exitStatus{2, fmt.Errorf("experiments: -analysis %s without -gen: experiments judge a generated telescope against its scenario and truth, which a capture of your own does not have; run port0 study -out DIR INPUT... on your captures (it never generates data)", *anaDir)}
	}
	x := &experiments.Rerun{Seed: *seed, Scale: scale, Gen: *genDir, Analysis: *anaDir, Out: *out, Only: names, Format: format, Say: say}
	if x.Gen == "" {
		if x.Scenario, err = loadScenario(*scenario); err != nil {
			return fmt.Errorf("experiments: %w", err)
		}
	}
	d, rs, err := x.Run()
	if err != nil {
		return fmt.Errorf("experiments: %w", err)
	}
	if err := experiments.SaveResults(*out, rs, provenance(d, x)); err != nil {
		return fmt.Errorf("experiments: %w", err)
	}
	printVerdicts(env, rs)
	fmt.Fprintf(env.stdout, "%s; next: port0 figures -in %s -out %s, then port0 report -in %s\n",
		experiments.Tally(rs), *out, filepath.Join(*out, "figures"), *out)
	return nil
}

// provenance is the run's provenance as REPORT.md lists it.
func provenance(d *experiments.Data, x *experiments.Rerun) []string {
	return []string{
		fmt.Sprintf("scenario `%s`, seed %d, scale %s (%d packets over %d days, telescope %s)", d.Scenario.Name, d.Manifest.Seed, gen.FormatScale(d.Manifest.Scale), d.Manifest.Packets, d.Manifest.Days, d.Manifest.Telescope),
		fmt.Sprintf("generator %s; %s; %s/%s", d.Manifest.Generator, runtime.Version(), runtime.GOOS, runtime.GOARCH),
		"modules: " + readBuildInfo().deps(),
		"data: " + filepath.ToSlash(x.Gen) + " (port0 gen), " + filepath.ToSlash(x.Analysis) + " (port0 analyze)",
	}
}

// printVerdicts prints one line per experiment: its verdict, and for one
// that does not pass, the targets that decide it.
func printVerdicts(env *cmdEnv, rs []*experiments.Result) {
	for _, r := range rs {
		fmt.Fprintf(env.stdout, "%-24s %s\n", r.Name, r.Verdict())
		if r.Verdict() == experiments.Pass {
			continue
		}
		for _, t := range r.Targets {
			if t.Verdict() != experiments.Pass {
				fmt.Fprintf(env.stdout, "  %s: %s (measured %g %s, accepted [%g, %g])\n", t.What, t.VerdictText(), t.Measured, t.Unit, t.Lo, t.Hi)
			}
		}
	}
}

// runFigures draws every figure from the tables of a results folder.
func runFigures(args []string, env *cmdEnv) error {
	fs := newFlagSet("figures", "-in results -out results/figures [-q]", env)
	in := fs.String("in", "results", "results folder `DIR` written by port0 experiments")
	out := fs.String("out", "", "`DIR` for the PNG and SVG files (default IN/figures)")
	quiet := fs.Bool("q", false, "no progress on stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &exitStatus{2, fmt.Errorf("figures: unexpected argument %q (use -in and -out)", fs.Arg(0))}
	}
	if *out == "" {
		*out = filepath.Join(*in, "figures")
	}
	var progress io.Writer
	if !*quiet {
		progress = env.stderr
	}
	drawn, err := experiments.DrawFigures(*in, *out, progress)
	if err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	fmt.Fprintf(env.stdout, "%d figures (PNG and SVG) in %s\n", len(drawn), *out)
	return nil
}

// runReport writes REPORT.md from a results folder; the exit status is 1
// when an experiment misses a target.
func runReport(args []string, env *cmdEnv) error {
	fs := newFlagSet("report", "-in results", env)
	in := fs.String("in", "results", "results folder `DIR` written by port0 experiments (and port0 figures)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &exitStatus{2, fmt.Errorf("report: unexpected argument %q (use -in)", fs.Arg(0))}
	}
	rs, prov, err := experiments.LoadResults(*in)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := experiments.WriteReport(*in, rs, prov); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	printVerdicts(env, rs)
	fmt.Fprintf(env.stdout, "%s; report: %s\n", experiments.Tally(rs), filepath.Join(*in, "REPORT.md"))
	if _, _, failed := experiments.Count(rs); failed > 0 {
		return errors.New("report: some targets are not met (see the report)")
	}
	return nil
}
