package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// runAnalyze reads captures and writes DIR/summary.json: per file and in
// total, packets, port-0 packets, fragments and orphans, packets without
// ports, truncated and malformed packets, link types and read errors. A
// read error is reported (one line on stderr and in summary.json) and the
// next file is read; the exit status is 1 only when no input could be read
// at all, 2 on a usage error.
func runAnalyze(args []string, env *cmdEnv) error {
	fs := newFlagSet("analyze", "-out DIR [-workers N] [-format csv|parquet|both] [-q] INPUT...  (files, folders, or - for stdin)", env)
	out := fs.String("out", "", "output folder for summary.json (required)")
	workers := fs.Int("workers", 0, "files read at once, and decoders of one large or compressed file (0 = all cores); output does not depend on it")
	quiet := fs.Bool("q", false, "no progress on stderr")
	var format tables.Format
	fs.Var(&format, "format", "the tables' `format`: csv (the default), parquet (packets/ and timeseries/ partitioned by day, the other tables NAME.parquet) or both")
	countOnly := fs.Bool("count-only", false, "only count (summary.json without the port-0 study and its tables)")
	readOpts := zstdWindowFlag(fs, "analyze")
	partial := fs.Bool("partial", false, "also keep DIR/"+analyze.PartialFile+", the scan's result, which -merge combines with others")
	merge := fs.Bool("merge", false, "the inputs are partial results ("+analyze.PartialFile+" files, or the DIRs of runs with -partial): combine them and run the study")
	so := study.DefaultOptions()
	interval := intervalFlag{d: scan.DefaultInterval}
	fs.Var(&interval, "interval", "length `D` of the time series' intervals (timeseries.csv): a whole number of seconds that divides a day, e.g. 1m, 5m, 1h, 1d")
	telescope := fs.String("telescope", "", "telescope prefix, e.g. 198.18.0.0/15 (default: inferred from the destinations)")
	fs.DurationVar(&so.EventTimeout, "event-timeout", so.EventTimeout, "backscatter: inactivity that ends an event (Moore et al.)")
	fs.Int64Var(&so.EventMinPackets, "event-min-packets", so.EventMinPackets, "backscatter: keep events with at least this many packets...")
	fs.DurationVar(&so.EventMinDuration, "event-min-duration", so.EventMinDuration, "...or lasting at least this long")
	fs.DurationVar(&so.BundleGap, "bundle-gap", so.BundleGap, "fingerprinting: longest gap between probes of one bundle")
	fs.IntVar(&so.BundleMinProbes, "bundle-min-probes", so.BundleMinProbes, "fingerprinting: distinct probe shapes that make a bundle")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *telescope != "" {
		p, err := netip.ParsePrefix(*telescope)
		if err != nil {
			return &exitStatus{2, fmt.Errorf("analyze: -telescope %q: want a prefix such as 198.18.0.0/15", *telescope)}
		}
		so.Telescope = p.Masked()
	}
	ro, err := readOpts()
	if err != nil {
		return err
	}
	if *merge && (*countOnly || *partial) {
		return &exitStatus{2, errors.New("analyze: -merge cannot be combined with -count-only or -partial")}
	}
	if *partial && *countOnly {
		return &exitStatus{2, errors.New("analyze: -partial needs the study; drop -count-only")}
	}
	if err := so.Check(); err != nil {
		return &exitStatus{2, fmt.Errorf("analyze: %w", err)}
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
	case interval.d <= 0 || scan.CheckInterval(interval.d) != nil:
		return &exitStatus{2, fmt.Errorf("analyze: -interval %s: want a whole number of seconds that divides a day, such as 1m, 5m, 15m, 1h or 1d", interval.raw)}
	case *merge && flagSet(fs, "interval"):
		return &exitStatus{2, errors.New("analyze: -merge takes the interval of its partial results: drop -interval")}
	}
	o := analyze.Options{Scan: scan.Options{Workers: *workers, Read: ro, Interval: interval.d}, Study: so, CountOnly: *countOnly, Partial: *partial, Format: format}
	if !*quiet {
		o.Scan.Progress = env.stderr
	}
	if *merge {
		sum, err := analyze.Merge(fs.Args(), *out, o)
		if err != nil {
			return fmt.Errorf("analyze -merge: %w", err)
		}
		fmt.Fprintf(env.stderr, "analyze: merged %d partial results (%d inputs) into %s\n", fs.NArg(), sum.Inputs, *out)
		return nil
	}
	// Expand each argument on its own: one that does not exist is reported
	// as a read error of that input, not a reason to read nothing.
	var inputs []string
	for _, arg := range fs.Args() {
		in, err := capture.ExpandInputs([]string{arg})
		if err != nil {
			in = []string{arg}
		}
		inputs = append(inputs, in...)
	}
	sum, err := analyze.Run(inputs, env.stdin, *out, o)
	if sum != nil {
		for _, e := range sum.ReadErrors {
			fmt.Fprintln(env.stderr, "analyze:", e)
		}
	}
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// intervalFlag is -interval: a Go duration (1m, 5m, 1h30m) or a number of
// days (1d).
type intervalFlag struct {
	d   time.Duration
	raw string // as given
}

func (f *intervalFlag) String() string {
	switch d := f.d; {
	case d > 0 && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d > 0 && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour) // 1h, not 1h0m0s
	case d > 0 && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return f.d.String()
}

func (f *intervalFlag) Set(s string) error {
	f.raw = s
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return errors.New("want a duration such as 5m, 1h or 1d")
		}
		f.d = time.Duration(days) * 24 * time.Hour
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("want a duration such as 5m, 1h or 1d")
	}
	f.d = d
	return nil
}
