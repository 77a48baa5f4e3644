package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSweepFlags checks the seed and scale lists and that a bad one names
// the flag and what it wants.
func TestSweepFlags(t *testing.T) {
	if got, err := parseSeeds("1-4,9"); err != nil || !slices.Equal(got, []uint64{1, 2, 3, 4, 9}) {
		t.Errorf("parseSeeds(1-4,9) = %v, %v", got, err)
	}
	if got, err := parseScales("3e-6, 1e-5"); err != nil || !slices.Equal(got, []float64{3e-6, 1e-5}) {
		t.Errorf("parseScales = %v, %v", got, err)
	}
	for _, args := range [][]string{{"-seeds", "4-1"}, {"-seeds", "x"}, {"-scales", "0"}, {"-scales", ""}, {"-project", "-1"}, {"extra"}} {
		_, stderr, code := runCmd(t, append([]string{"sweep", "-out", t.TempDir()}, args...)...)
		if code != 2 || !strings.Contains(stderr, "sweep:") {
			t.Errorf("sweep %v: exit %d, %q", args, code, stderr)
		}
	}
}

// TestSweepCommand runs one small cell through the CLI.
func TestSweepCommand(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := runCmd(t, "sweep", "-q", "-out", dir, "-scales", "1e-6", "-seeds", "21", "-project", "")
	if code != 0 || !strings.Contains(out, "1 runs; 0 failing targets") {
		t.Fatalf("sweep: exit %d\n%s\n%s", code, out, stderr)
	}
	for _, f := range []string{"SWEEP.md", "verdicts.csv", "verdicts.png", "projection.csv", "cells/1e-6_seed21/REPORT.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}
