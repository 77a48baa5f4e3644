// Command port0-beam runs the port-0 study of port0 analyze as an Apache
// Beam pipeline (package pipeline): the same inputs, study flags and -out,
// the same files, on Prism in-process (the default), a job server
// (--runner universal --endpoint HOST:PORT: Prism, Flink, Spark) or
// Dataflow (--runner dataflow and its flags).
//
//	port0-beam -out DIR [analyze's study flags] [-shards N] [Beam flags] INPUT...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/beam/pipeline"
	"github.com/port0/port0/scan"
)

// scanDefaultMiB is -memlimit's default, scan.DefaultMemLimit in MiB.
const scanDefaultMiB = scan.DefaultMemLimit >> 20

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run is the command, its exit status as port0 analyze's: 0, 1 when no
// input could be read or the pipeline failed, 2 on a usage error.
func run(args []string, stderr io.Writer) int {
	// Beam's own flags (--runner, --endpoint, ...) are on flag.CommandLine,
	// where Beam reads them: a flag set of this call's shares their values.
	fs := flag.NewFlagSet("port0-beam", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flag.CommandLine.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
	out := fs.String("out", "", "output folder for summary.json and the tables (required)")
	quiet := fs.Bool("q", false, "no progress on stderr")
	shards := fs.Int("shards", pipeline.DefaultShards, "keys the sources are hashed to for the per-source stage; output does not depend on it")
	memlimit := fs.Int("memlimit", scanDefaultMiB, "MiB of port-0 records a shard sorts in memory; past it, in sorted runs on disk (default: an eighth of -mem; output does not depend on it)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of this process (the driver, and with Prism in-process or LOOPBACK the workers) to `FILE`")
	flags := analyze.AddFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: port0-beam -out DIR [-workers N] [-format csv|parquet|both] [-shards N] [-q] [--runner R ...] INPUT...  (files, folders, globs, URLs of a Beam filesystem)")
		fmt.Fprintln(stderr, "\nflags (port0 analyze's study flags, -shards, and Beam's own, in one list):")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	// In worker mode (--worker, as a runner starts this binary on its
	// machines) Init runs the SDK harness and does not return.
	beam.Init()
	o, err := flags.Options()
	switch {
	case err != nil:
		fmt.Fprintln(stderr, "port0-beam:", err)
		return 2
	case *out == "":
		fs.Usage()
		fmt.Fprintln(stderr, "port0-beam: -out is required")
		return 2
	case fs.NArg() == 0:
		fs.Usage()
		fmt.Fprintln(stderr, "port0-beam: no input given")
		return 2
	case *shards < 1:
		fmt.Fprintf(stderr, "port0-beam: -shards %d: want 1 or more\n", *shards)
		return 2
	case *memlimit < 1:
		fmt.Fprintf(stderr, "port0-beam: -memlimit %d: want 1 or more (MiB)\n", *memlimit)
		return 2
	}
	for _, a := range fs.Args() {
		if a == "-" {
			fmt.Fprintln(stderr, "port0-beam: - (standard input) cannot be spread over workers: give files (port0 analyze reads stdin)")
			return 2
		}
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, "port0-beam:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "port0-beam:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	inputs, err := pipeline.Match(ctx, fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "port0-beam:", err)
		return 1
	}
	workers := o.Scan.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	cfg := pipeline.ConfigOf(o, *out, workers, *shards)
	cfg.Progress, cfg.MemLimit = !*quiet, *memlimit<<20
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["memlimit"] && o.Mem > 0 {
		cfg.MemLimit = int(max(o.Mem/8, 1<<20)) // as port0 analyze spills past an eighth of -mem
	}
	defer o.MemLimit()()
	if *quiet {
		// Beam and Prism log every job's steps at INFO (and a worker's
		// normal stop as a warning): -q keeps their errors.
		slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	}
	// Beam leaves a file in the temporary folder on every in-process or
	// LOOPBACK run: give it, and the shards' sorted runs, a folder of
	// this run's, removed at the end.
	if tmp, err := os.MkdirTemp("", "port0-beam-"); err == nil {
		defer os.RemoveAll(tmp)
		if old, had := os.LookupEnv("TMPDIR"); had {
			defer os.Setenv("TMPDIR", old)
		} else {
			defer os.Unsetenv("TMPDIR")
		}
		os.Setenv("TMPDIR", tmp)
	}
	p, s := beam.NewPipelineWithRoot()
	pipeline.Build(s, inputs, cfg)
	if err := beamx.Run(ctx, p); err != nil {
		fmt.Fprintln(stderr, "port0-beam: the pipeline failed:", err)
		return 1
	}
	return report(ctx, *out, !*quiet, stderr)
}

// report prints the read errors of the written summary, as port0 analyze
// does, and a line of what was read unless quiet, and says whether any
// input was read.
func report(ctx context.Context, out string, verbose bool, stderr io.Writer) int {
	sum, err := pipeline.ReadSummary(ctx, out)
	if err != nil {
		fmt.Fprintln(stderr, "port0-beam: the pipeline ended but wrote no summary:", err)
		return 1
	}
	for _, e := range sum.ReadErrors {
		fmt.Fprintln(stderr, "port0-beam:", e)
	}
	if sum.Total.Files == 0 {
		fmt.Fprintln(stderr, "port0-beam: no input could be read")
		return 1
	}
	msg := fmt.Sprintf("port0-beam: %d inputs, %d packets", sum.Inputs, sum.Total.Packets)
	if sum.Port0 != nil {
		msg += fmt.Sprintf(", %d port-0 related from %d sources", sum.Port0.Port0Packets, sum.Port0.Port0Sources)
	}
	if verbose {
		fmt.Fprintln(stderr, strings.TrimSpace(msg), "→", out)
	}
	return 0
}
