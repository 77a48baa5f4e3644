package main

import (
	"errors"
	"fmt"

	"github.com/port0/port0/validate"
)

func runValidate(args []string, env *cmdEnv) error {
	fs := newFlagSet("validate", "-truth GENDIR -analysis ANADIR [-min-f1 0.95] [-min-tool-f1 0.9]", env)
	truth := fs.String("truth", "", "output folder `DIR` of port0 gen (manifest, truth, actors)")
	ana := fs.String("analysis", "", "output folder `DIR` of port0 analyze (packets and sources, CSV or Parquet)")
	minF1 := fs.Float64("min-f1", 0.95, "exit non-zero when a port-0 class's packet- or source-level F1 falls below this")
	minToolF1 := fs.Float64("min-tool-f1", 0, "exit non-zero when a tool's source-level F1 falls below this (every tool the truth or the analysis names; 0: report only)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *truth == "" || *ana == "" {
		fs.Usage()
		return &exitStatus{2, errors.New("validate: -truth and -analysis are both required")}
	}
	if *minF1 < 0 || *minF1 > 1 {
		return &exitStatus{2, fmt.Errorf("validate: -min-f1 must be in [0, 1], got %v", *minF1)}
	}
	if *minToolF1 < 0 || *minToolF1 > 1 {
		return &exitStatus{2, fmt.Errorf("validate: -min-tool-f1 must be in [0, 1], got %v", *minToolF1)}
	}
	v, err := validate.Validate(*truth, *ana)
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	v.Packets.Print(env.stdout, "packets")
	fmt.Fprintln(env.stdout)
	v.Sources.Print(env.stdout, "sources")
	fmt.Fprintln(env.stdout)
	v.PrintTools(env.stdout)
	pf, pc := validate.MinF1(v.Packets.Scores())
	sf, sc := validate.MinF1(v.Sources.Scores())
	tf, tc := validate.MinToolF1(v.ToolScores())
	fmt.Fprintf(env.stdout, "\nminimum F1: packets %.4f (%v), sources %.4f (%v); threshold %.2f; tools %.4f (%v), threshold %.2f\n", pf, pc, sf, sc, *minF1, tf, tc, *minToolF1)
	if pf < *minF1 || sf < *minF1 {
		return fmt.Errorf("validate: F1 below %.2f: packets %.4f (%v), sources %.4f (%v)", *minF1, pf, pc, sf, sc)
	}
	if tf < *minToolF1 {
		return fmt.Errorf("validate: tool F1 below %.2f: %v %.4f", *minToolF1, tc, tf)
	}
	return nil
}
