package main

import (
	"errors"
	"fmt"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
)

// runAnalyze reads captures and writes DIR/summary.json: per file and in
// total, packets, port-0 packets, fragments and orphans, packets without
// ports, truncated and malformed packets, link types and read errors. A
// read error is reported (one line on stderr and in summary.json) and the
// next file is read; the exit status is 1 only when no input could be read
// at all, 2 on a usage error.
//
// Two traps are warned about, one line each on stderr starting
// "analyze: warning:" and in summary.json's "warnings"
// (capture.CheckInputs): an input given twice — the same path, the same
// file under two names (a link), or a file named and also found in a named
// folder — is read once, since reading it twice would count every packet
// twice and make scanners look like retrying clients; an input inside
// -out is read, with the warning. Standard input named twice ("-" twice,
// or "-" and /dev/stdin) is a usage error: its readers would share one
// stream and lose each other's packets.
//
// -out is made and written to (a probe file) before any input is read;
// the run's temporary files go to a folder of their own, removed at the
// end and on SIGINT or SIGTERM (guard); the outputs are written under
// temporary names and renamed when complete.
func runAnalyze(args []string, env *cmdEnv) error {
	fs := newFlagSet("analyze", "-out DIR [-workers N] [-format csv|parquet|both] [-q] INPUT...  (files, folders, or - for stdin, once; an input given twice, under any name, is read once, with a warning)", env)
	out := fs.String("out", "", "output folder `DIR` for summary.json and the tables (required; created if missing); keep inputs out of it (an input inside it is read, with a warning)")
	quiet := fs.Bool("q", false, "no progress on stderr")
	countOnly := fs.Bool("count-only", false, "only count (summary.json without the port-0 study and its tables)")
	partial := fs.Bool("partial", false, "also keep DIR/"+analyze.PartialFile+", the scan's result, which -merge combines with others")
	merge := fs.Bool("merge", false, "the inputs are partial results ("+analyze.PartialFile+" files, or the DIRs of runs with -partial): combine them in the order given and run the study")
	flowDatagrams := fs.Bool("flows", false, "the inputs are captures of flow exporters' datagrams (NetFlow v5/v9, IPFIX, sFlow): what tcpdump -w records on the collector's port, or port0 collect's datagrams.pcap")
	flags := analyze.AddFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	o, err := flags.Options()
	if err != nil {
		return &exitStatus{2, fmt.Errorf("analyze: %w", err)}
	}
	if *merge && (*countOnly || *partial) {
		return &exitStatus{2, errors.New("analyze: -merge cannot be combined with -count-only or -partial")}
	}
	if *merge && *flowDatagrams {
		return &exitStatus{2, errors.New("analyze: -flows reads captures of exporters' datagrams, -merge partial results: give one of them")}
	}
	if *partial && *countOnly {
		return &exitStatus{2, errors.New("analyze: -partial needs the study; drop -count-only")}
	}
	switch {
	case *out == "":
		fs.Usage()
		return &exitStatus{2, errors.New("analyze: -out is required")}
	case fs.NArg() == 0:
		fs.Usage()
		return &exitStatus{2, errors.New("analyze: no input given")}
	case *merge && flags.IntervalSet():
		return &exitStatus{2, errors.New("analyze: -merge takes the interval of its partial results: drop -interval")}
	}
	if !*merge {
		if err := checkStdin("analyze", fs.Args()); err != nil {
			return err
		}
	}
	if err := checkOut("analyze", *out); err != nil {
		return err
	}
	o.CountOnly, o.Partial = *countOnly, *partial
	o.FlowDatagrams = *flowDatagrams
	if !*quiet {
		o.Scan.Progress = env.stderr
	}
	return guard("analyze", &o, env, func() error {
		if *merge {
			return analyzeMerge(fs.Args(), *out, o, env)
		}
		return analyzeRun(fs.Args(), *out, o, env)
	})
}

// analyzeMerge is analyze -merge of the partial results partials into out.
func analyzeMerge(partials []string, out string, o analyze.Options, env *cmdEnv) error {
	partials = warnInputs(partials, out, nil, &o, env)
	sum, err := analyze.Merge(partials, out, o)
	if err != nil {
		return fmt.Errorf("analyze -merge: %w", err)
	}
	fmt.Fprintf(env.stderr, "analyze: merged %d partial results (%d inputs) into %s\n", len(partials), sum.Inputs, out)
	return nil
}

// analyzeRun is analyze of the inputs args (files, folders, -) into out.
func analyzeRun(args []string, out string, o analyze.Options, env *cmdEnv) error {
	// Expand each argument on its own: one that does not exist is reported
	// as a read error of that input, not a reason to read nothing.
	named, warnings := capture.CheckInputs(args, "")
	var inputs []string
	for _, arg := range named {
		in, more, err := capture.ExpandInputsWarn([]string{arg})
		warnings = append(warnings, more...)
		if err != nil {
			in = []string{arg}
		}
		inputs = append(inputs, in...)
	}
	inputs = warnInputs(inputs, out, warnings, &o, env)
	sum, err := analyze.Run(inputs, env.stdin, out, o)
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

// warnInputs checks inputs against each other and -out
// (capture.CheckInputs), prints each warning on stderr after the earlier
// ones, keeps them all for summary.json and returns the inputs to read.
func warnInputs(inputs []string, out string, earlier []string, o *analyze.Options, env *cmdEnv) []string {
	kept, warnings := capture.CheckInputs(inputs, out)
	warnings = append(earlier, warnings...)
	for _, w := range warnings {
		fmt.Fprintln(env.stderr, "analyze: warning:", w)
	}
	o.Warnings = warnings
	return kept
}
