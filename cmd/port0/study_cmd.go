package main

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/asmap"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/experiments"
)

// runStudy is "port0 study": the user's own captures in, a results folder
// out — the analysis, the 16 analyses set beside the published findings,
// every figure and REPORT.md. It never generates data. The exit status is
// 1 when no input could be read, 2 on a usage error.
func runStudy(args []string, env *cmdEnv) error {
	fs := newFlagSet("study", "-out DIR [-asmap FILE] [-telescope PREFIX] [-flows] [-q] INPUT...  (captures, nfcapd files, folders, or - for stdin, once)", env)
	out := fs.String("out", "", "results folder `DIR` (required): analysis/, one folder per analysis, figures/, REPORT.md; an earlier study there is replaced whole")
	asFile := fs.String("asmap", "", "origin AS data, a `FILE`: a CAIDA Routeviews pfx2as file (plain or .gz) or a MaxMind-format ASN database (.mmdb), detected by content; without it the AS analyses say so")
	quiet := fs.Bool("q", false, "no progress on stderr")
	datagrams := fs.Bool("flows", false, "the inputs are captures of flow exporters' datagrams (NetFlow v5/v9, IPFIX, sFlow), as tcpdump records them on a collector's port or port0 collect spools them; nfcapd files are recognised without it")
	flags := analyze.AddFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	o, err := flags.Options()
	if err != nil {
		return &exitStatus{2, fmt.Errorf("study: %w", err)}
	}
	switch {
	case *out == "":
		fs.Usage()
		return &exitStatus{2, errors.New("study: -out is required: port0 study -out DIR INPUT...")}
	case fs.NArg() == 0:
		fs.Usage()
		return &exitStatus{2, errors.New("study: no input given: name your captures (files, folders, or - for stdin)")}
	}
	if err := checkStdin("study", fs.Args()); err != nil {
		return err
	}
	if err := checkOut("study", *out); err != nil {
		return err
	}
	say := func(format string, a ...any) {
		if !*quiet {
			fmt.Fprintf(env.stderr, "study: "+format+"\n", a...)
		}
	}
	args, warnings := capture.CheckInputs(fs.Args(), "")
	var inputs []string
	for _, arg := range args {
		in, more, err := capture.ExpandInputsWarn([]string{arg})
		warnings = append(warnings, more...)
		if err != nil {
			in = []string{arg}
		}
		inputs = append(inputs, in...)
	}
	inputs, more := capture.CheckInputs(inputs, *out)
	warnings = append(warnings, more...)
	for _, in := range inputs {
		// The study replaces its own earlier output whole: an input
		// inside -out would be removed or overwritten.
		if in != "-" && inside(in, *out) {
			return &exitStatus{2, fmt.Errorf("study: input %s lies inside -out %s, which the study replaces: keep inputs and -out apart", in, *out)}
		}
	}
	for _, w := range warnings {
		fmt.Fprintln(env.stderr, "study: warning:", w)
	}
	o.Warnings = warnings
	o.FlowDatagrams = *datagrams
	st := &experiments.OwnStudy{Inputs: inputs, Out: *out, Analyze: o, Say: say, Build: studyBuild()}
	if *asFile != "" {
		m, err := asmap.Open(*asFile)
		if err != nil {
			return &exitStatus{2, fmt.Errorf("study: -asmap: %w", err)}
		}
		defer m.Close()
		st.Origins = func(a netip.Addr) ([]uint32, bool) {
			or, ok := m.Lookup(a)
			return or.ASNs, ok
		}
		st.ASData = fmt.Sprintf("`%s` (%s, %d prefixes)", filepath.ToSlash(*asFile), m.Format(), m.Len())
		say("AS data: %s, %s, %d prefixes", *asFile, m.Format(), m.Len())
	}
	if err := experiments.PrepareOut(*out); err != nil {
		return &exitStatus{2, fmt.Errorf("study: %w", err)}
	}
	if !*quiet {
		st.Analyze.Scan.Progress = env.stderr
	}
	var sum *analyze.Summary
	var rs []*experiments.Result
	err = guard("study", &st.Analyze, env, func() error {
		var err error
		sum, rs, err = st.Run(env.stdin)
		return err
	})
	if sum != nil {
		for _, e := range sum.ReadErrors {
			fmt.Fprintln(env.stderr, "study:", e)
		}
	}
	if err != nil {
		return fmt.Errorf("study: %w", err)
	}
	for _, r := range rs {
		c, d, i, _ := experiments.Findings([]*experiments.Result{r})
		line := fmt.Sprintf("%-24s %d consistent, %d %s, %d insufficient", r.Name, c, d, map[bool]string{true: "differs", false: "differ"}[d == 1], i)
		if len(r.Targets) == 0 {
			line = fmt.Sprintf("%-24s %s", r.Name, firstSentence(r.Notes))
		}
		fmt.Fprintln(env.stdout, line)
	}
	fmt.Fprintf(env.stdout, "study of %d %s: %s; report: %s\n", len(inputs), map[bool]string{true: "capture", false: "captures"}[len(inputs) == 1], experiments.Tally(rs), filepath.Join(*out, "REPORT.md"))
	return nil
}

// inside reports whether path lies inside the folder dir (absolute paths,
// symbolic links resolved where they exist).
func inside(path, dir string) bool {
	p, d := absResolved(path), absResolved(dir)
	if p == "" || d == "" {
		return false
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// absResolved is path made absolute, with symbolic links resolved as far
// as the path exists.
func absResolved(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	// Resolve the part that exists (a -out not made yet).
	dir, base := filepath.Split(abs)
	if r, err := filepath.EvalSymlinks(filepath.Clean(dir)); err == nil {
		return filepath.Join(r, base)
	}
	return abs
}

// firstSentence is the first note's first sentence, for the one-line
// account of an analysis with nothing to compare.
func firstSentence(notes []string) string {
	if len(notes) == 0 {
		return "described (no published value to compare)"
	}
	s := notes[0]
	if i := strings.Index(s, ". "); i > 0 {
		s = s[:i+1]
	}
	if len(s) > 100 {
		s = s[:97] + "..."
	}
	return s
}

// studyBuild is the provenance line on the binary that ran the study.
func studyBuild() string {
	b := readBuildInfo()
	return fmt.Sprintf("port0 %s (revision %s); %s; %s/%s; modules: %s", b.Version, b.Revision, runtime.Version(), runtime.GOOS, runtime.GOARCH, b.deps())
}
