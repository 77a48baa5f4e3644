package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/port0/port0/gen"
)

// scenarioUsage is the usage of -scenario, which loadScenario reads.
func scenarioUsage() string {
	return "`NAME` of a built-in scenario (" + strings.Join(gen.BuiltinNames(), ", ") + "), or a scenario file"
}

// loadScenario returns a built-in scenario by name, or reads a scenario file.
func loadScenario(name string) (*gen.Scenario, error) {
	if s, ok := gen.Builtin(name); ok {
		return s, nil
	}
	f, err := os.Open(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("-scenario %q is neither a built-in scenario (%v) nor a file", name, gen.BuiltinNames())
		}
		return nil, fmt.Errorf("-scenario: %w", err)
	}
	defer f.Close()
	return gen.ParseScenario(name, f)
}

func runGen(args []string, env *cmdEnv) error {
	fs := newFlagSet("gen", "-scenario NAME|FILE -seed N -scale F -out DIR", env)
	scenario := fs.String("scenario", "paper", scenarioUsage())
	seed := fs.Uint64("seed", 1, "random seed")
	scaleS := fs.String("scale", "1e-5", "volume scale `F`: 1 is a full-size /15 telescope (~10^11 packets over 3 years)")
	out := fs.String("out", "", "output folder `DIR` (required): new, empty, or an earlier port0 gen output, which is replaced whole (every shard, truth file and table of it removed, whatever its scenario or -shard); a folder holding anything else is refused and left as it is")
	shard := fs.String("shard", "day", "file split, `day|hour|single`: one pcap a day, one an hour, or one in all")
	nano := fs.Bool("nano", false, "nanosecond pcap timestamps (default microsecond)")
	raw := fs.Bool("raw", false, "raw IP link type (101) instead of Ethernet")
	gz := fs.Bool("gzip", false, "gzip every pcap shard")
	workers := fs.Int("workers", 0, "generating goroutines (0 = all cores); output does not depend on it")
	quiet := fs.Bool("q", false, "no progress on stderr")
	printScenario := fs.String("print-scenario", "", "print the scenario `NAME` (built-in, or a file) as a commented scenario file and exit")
	project := fs.Bool("project", false, "print what the plan holds at -scale per family (actors, planned packets, heaviest actor, events; the port-0 top-10 share) as a Markdown table and exit, generating nothing (scale 1: ~20 s, 0.4 GB)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *printScenario != "" {
		s, err := loadScenario(*printScenario)
		if err != nil {
			return err
		}
		return s.Format(env.stdout)
	}
	if fs.NArg() > 0 {
		return &exitStatus{2, fmt.Errorf("gen: unexpected argument %q (flags go before nothing else)", fs.Arg(0))}
	}
	scale, err := strconv.ParseFloat(*scaleS, 64)
	if err != nil || !(scale > 0) || math.IsInf(scale, 0) {
		return &exitStatus{2, fmt.Errorf("gen: -scale must be a positive number such as 1e-5, got %q", *scaleS)}
	}
	if *out == "" && !*project {
		return &exitStatus{2, errors.New("gen: -out DIR is required")}
	}
	if *workers < 0 {
		return &exitStatus{2, fmt.Errorf("gen: -workers must be 0 (all cores) or more, got %d", *workers)}
	}
	mode, err := gen.ParseShardMode(*shard)
	if err != nil {
		return &exitStatus{2, fmt.Errorf("gen: -shard: %w", err)}
	}
	s, err := loadScenario(*scenario)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if !*project {
		// Refused before the plan, which takes a while at large scales.
		if err := gen.CheckOut(*out); err != nil {
			return genOutError(*out, err)
		}
	}
	plan, err := gen.NewPlan(s, *seed, scale)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if *project {
		return plan.Project().WriteMarkdown(env.stdout, true)
	}
	var progress io.Writer
	if !*quiet {
		progress = env.stderr
	}
	m, err := gen.Generate(plan, gen.Options{
		Out: *out, Shard: mode, Nano: *nano, RawIP: *raw, Gzip: *gz, Workers: *workers, Progress: progress,
	})
	if err != nil {
		return genOutError(*out, err)
	}
	if *quiet {
		return nil
	}
	fmt.Fprintf(env.stderr, "gen: wrote %d packets in %d shards to %s (%s)\n", m.Packets, len(m.Shards), *out, filepath.Join(*out, gen.ManifestName))
	return nil
}

// genOutError is Generate's error as gen prints it: a refused -out folder
// (gen.OutError names it), else the folder and the error.
func genOutError(out string, err error) error {
	var oe *gen.OutError
	if errors.As(err, &oe) {
		return fmt.Errorf("gen: -out %w", err)
	}
	return fmt.Errorf("gen: %s: %w", out, err)
}

func runTruth(args []string, env *cmdEnv) error {
	fs := newFlagSet("truth", "SHARD.truth...", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return &exitStatus{2, errors.New("truth: name at least one .truth file")}
	}
	fmt.Fprintln(env.stdout, "shard,index,class,actor,tool,detail")
	for _, name := range fs.Args() {
		if err := printTruth(name, env.stdout); err != nil {
			return fmt.Errorf("truth: %s: %w", name, err)
		}
	}
	return nil
}

func printTruth(name string, w io.Writer) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	tr, err := gen.NewTruthReader(f)
	if err != nil {
		return err
	}
	base := filepath.Base(name)
	for i := 0; ; i++ {
		t, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		detail := gen.ProbeName(t.Detail)
		if detail == "" && t.Detail != 0 {
			detail = "orphan"
		}
		if _, err := fmt.Fprintf(w, "%s,%d,%s,%d,%s,%s\n", base, i, t.Class, t.Actor, t.Tool, detail); err != nil {
			return err
		}
	}
}
