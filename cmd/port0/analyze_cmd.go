package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/port0/port0/analyze"
)

// runAnalyze reads captures and writes DIR/summary.json: per file and in
// total, packets, port-0 packets, fragments and orphans, packets without
// ports, truncated and malformed packets, link types and read errors. A
// read error is reported (one line on stderr and in summary.json) and the
// next file is read; the exit status is 1 only when no input could be read
// at all, 2 on a usage error.
func runAnalyze(args []string, env *cmdEnv) error {
	fs := newFlagSet("analyze", "-out DIR [-workers N] [-q] INPUT...  (files, folders, or - for stdin)", env)
	out := fs.String("out", "", "output folder for summary.json (required)")
	workers := fs.Int("workers", 0, "files read at once (0 = all cores); output does not depend on it")
	quiet := fs.Bool("q", false, "no progress on stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *out == "":
		fs.Usage()
		return &exitStatus{2, errors.New("analyze: -out is required")}
	case fs.NArg() == 0:
		fs.Usage()
		return &exitStatus{2, errors.New("analyze: no input given")}
	case *workers < 0:
		return &exitStatus{2, fmt.Errorf("analyze: -workers %d: want 0 or more", *workers)}
	}
	// Expand each argument on its own: one that does not exist is reported
	// as a read error of that input, not a reason to read nothing.
	var inputs []string
	for _, arg := range fs.Args() {
		in, err := analyze.ExpandInputs([]string{arg})
		if err != nil {
			in = []string{arg}
		}
		inputs = append(inputs, in...)
	}
	opts := analyze.Options{Workers: *workers}
	if !*quiet {
		opts.Progress = env.stderr
	}
	sum, err := analyze.Analyze(inputs, env.stdin, opts)
	for _, e := range sum.ReadErrors {
		fmt.Fprintln(env.stderr, "analyze:", e)
	}
	if werr := writeSummary(*out, sum); werr != nil {
		return fmt.Errorf("analyze: %w", werr)
	}
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// writeSummary writes sum as indented JSON to dir/summary.json, through a
// temporary file so that a complete summary.json is never half written.
func writeSummary(dir string, sum *analyze.Summary) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := sum.JSON()
	if err != nil {
		return err
	}
	final := filepath.Join(dir, "summary.json")
	tmp := final + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, final)
}
