// Command port0-beam runs the port-0 study of port0 analyze as an Apache
// Beam pipeline (package pipeline): the same inputs, study flags and -out,
// the same files, on Prism in-process (the default), a job server
// (--runner universal --endpoint HOST:PORT: Prism, Flink, Spark) or
// Dataflow (--runner dataflow and its flags).
//
//	port0-beam -out DIR [analyze's study flags] [-shards N] [-splits N] [Beam flags] INPUT...
//	port0-beam -job-server 127.0.0.1:PORT
//
// Prism, in-process or as the job server of -job-server, listens on
// loopback only (127.0.0.1; -job-server refuses any other host): a Prism
// job server runs the command of any job's PROCESS environment.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/apache/beam/sdks/v2/go/container/tools"
	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/s3" // s3:// inputs and -out (gs:// comes with beamx)
	"github.com/apache/beam/sdks/v2/go/pkg/beam/options/jobopts"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/util/grpcx"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/beam/pipeline"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/scan"
)

// scanDefaultMiB is -memlimit's default, scan.DefaultMemLimit in MiB.
const scanDefaultMiB = scan.DefaultMemLimit >> 20

// provisionEndpoint is set when a runner starts this binary as the
// command of a PROCESS environment (--environment_config
// '{"command":"/path/to/port0-beam"}'): with --id, the only flags it gives.
var provisionEndpoint = flag.String("provision_endpoint", "", "set by a runner that starts port0-beam as a PROCESS environment's command: the worker asks it for its endpoints and options, then runs")

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
	splits := fs.Int("splits", pipeline.DefaultSplits, "sort keys each shard's records are spread over, so that a busy source's records are shuffled and sorted on that many keys; output does not depend on it")
	memlimit := fs.Int("memlimit", scanDefaultMiB, "MiB of port-0 records a shard sorts in memory; past it, in sorted runs on disk (default: an eighth of -mem; output does not depend on it)")
	jobServer := fs.String("job-server", "", "serve Prism's job API on `127.0.0.1:PORT` (a loopback address only) until SIGINT or SIGTERM, for --runner universal --endpoint 127.0.0.1:PORT, instead of running a study")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of this process (the driver, and with Prism in-process or LOOPBACK the workers) to `FILE`")
	flags := analyze.AddFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: port0-beam -out DIR [-workers N] [-format csv|parquet|both] [-shards N] [-splits N] [-q] [--runner R ...] INPUT...  (files, folders, globs, URLs of a Beam filesystem)")
		fmt.Fprintln(stderr, "\nflags (port0 analyze's study flags, -shards, and Beam's own, in one list):")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *provisionEndpoint != "" && !flagSet("worker") {
		if err := processWorker(); err != nil {
			fmt.Fprintln(stderr, "port0-beam: PROCESS worker:", err)
			return 1
		}
	}
	// In worker mode (--worker, as a runner starts this binary on its
	// machines) Init runs the SDK harness and does not return.
	beam.Init()
	if *jobServer != "" {
		return serveJobs(*jobServer, stderr)
	}
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
	case *splits < 1 || *splits > 1024:
		fmt.Fprintf(stderr, "port0-beam: -splits %d: want 1 to 1024\n", *splits)
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
	if err := checkOut(*out); err != nil {
		fmt.Fprintln(stderr, "port0-beam:", err)
		return 2
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
	// An input given twice is read once, as port0 analyze reads it: the
	// arguments checked, then the files they expand to, against -out.
	args, warnings := capture.CheckInputs(fs.Args(), "")
	inputs, more, err := pipeline.Match(ctx, args)
	if err != nil {
		fmt.Fprintln(stderr, "port0-beam:", err)
		return 1
	}
	warnings = append(warnings, more...)
	inputs, more = capture.CheckInputs(inputs, *out)
	warnings = append(warnings, more...)
	for _, w := range warnings {
		fmt.Fprintln(stderr, "port0-beam: warning:", w)
	}
	o.Warnings = warnings
	workers := o.Scan.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// The workers write -out: as an absolute path, so that a worker
	// started elsewhere (a job server's PROCESS workers) writes where this
	// process reads the summary.
	outPath := *out
	if !pipeline.IsURL(outPath) {
		if abs, err := filepath.Abs(outPath); err == nil {
			outPath = abs
		}
	}
	cfg := pipeline.ConfigOf(o, outPath, workers, *shards)
	cfg.Progress, cfg.MemLimit, cfg.Splits = !*quiet, *memlimit<<20, *splits
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
	if inProcess() {
		// Beam's prism runner listens on every interface: this one on
		// 127.0.0.1 (beam/_prism).
		_, err = prism.ExecuteLoopback(ctx, p)
	} else {
		err = beamx.Run(ctx, p)
	}
	if err != nil {
		fmt.Fprintln(stderr, "port0-beam: the pipeline failed:", err)
		return 1
	}
	if *jobopts.Async || flagSet("dry_run") {
		// The job was submitted (or only printed): its outputs, if any,
		// are still to come.
		if !*quiet {
			fmt.Fprintln(stderr, "port0-beam: job submitted (--async or --dry_run): its outputs go to", *out)
		}
		return 0
	}
	return report(ctx, *out, !*quiet, stderr)
}

// inProcess reports whether --runner names Prism (or none, Prism being
// the default), which port0-beam runs through its loopback job server.
func inProcess() bool {
	switch *runners.Runner {
	case "", "prism", "PrismRunner":
		return true
	}
	return false
}

// flagSet reports whether Beam's boolean flag name (such as Dataflow's
// dry_run) is on.
func flagSet(name string) bool {
	f := flag.Lookup(name)
	return f != nil && f.Value.String() == "true"
}

// processWorker does what Beam's Go boot program does for a PROCESS
// environment, but for fetching the worker binary, which is this one: it
// asks the runner's provision service for the logging and control
// endpoints and the pipeline's options and sets the worker-mode flags
// from them, so that beam.Init runs the SDK harness. Prism (v2.77) passes
// --id='ID' with the quotes, which Beam's boot keeps and then fails with:
// they are removed.
func processWorker() error {
	id := strings.Trim(flag.Lookup("id").Value.String(), `'"`)
	if id == "" {
		return errors.New("no --id")
	}
	ctx := grpcx.WriteWorkerID(context.Background(), id)
	info, err := tools.ProvisionInfo(ctx, *provisionEndpoint)
	if err != nil {
		return err
	}
	options, err := tools.ProtoToJSON(info.GetPipelineOptions())
	if err != nil {
		return err
	}
	for name, v := range map[string]string{
		"worker":           "true",
		"id":               id,
		"logging_endpoint": info.GetLoggingEndpoint().GetUrl(),
		"control_endpoint": info.GetControlEndpoint().GetUrl(),
		"options":          options,
	} {
		if err := flag.Set(name, v); err != nil {
			return err
		}
	}
	if info.GetControlEndpoint().GetUrl() == "" {
		return errors.New("the provision service gave no control endpoint")
	}
	if info.GetStatusEndpoint() != nil {
		os.Setenv("STATUS_ENDPOINT", info.GetStatusEndpoint().GetUrl())
	}
	if len(info.GetRunnerCapabilities()) > 0 {
		os.Setenv("RUNNER_CAPABILITIES", strings.Join(info.GetRunnerCapabilities(), " "))
	}
	return nil
}

// serveJobs runs Prism's job server on addr, a loopback address, until
// SIGINT or SIGTERM.
func serveJobs(addr string, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := prism.ServeLoopback(addr)
	if err != nil {
		fmt.Fprintln(stderr, "port0-beam: -job-server:", err)
		return 2
	}
	// This line names the address, its port chosen when addr's is 0.
	fmt.Fprintf(stderr, "port0-beam: Prism job server on %s (loopback only): --runner universal --endpoint %s; SIGINT or SIGTERM stops it\n", s.Endpoint(), s.Endpoint())
	<-ctx.Done()
	s.Stop()
	return 0
}

// checkOut checks -out before any input is read, as port0 analyze does:
// a local folder is made (with its parents) and a probe file written in
// it and removed; a URL must be one of a filesystem linked in, with a
// bucket or host, and no glob. (The writer, on a worker, writes there.)
func checkOut(out string) error {
	if pipeline.IsURL(out) {
		u, err := url.Parse(out)
		switch {
		case err != nil:
			return fmt.Errorf("-out %s: %v", out, err)
		case u.Host == "":
			return fmt.Errorf("-out %s: no bucket or host after %s://", out, u.Scheme)
		case strings.ContainsAny(out, "*?["):
			return fmt.Errorf("-out %s: a glob: give a folder", out)
		}
		if err := schemeLinked(out); err != nil {
			return fmt.Errorf("-out %s: %v", out, err)
		}
		return nil
	}
	return analyze.CheckOut(out)
}

// schemeLinked is the error of filesystem.ValidateScheme (which panics)
// for a URL whose scheme has no filesystem in this binary.
func schemeLinked(u string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	filesystem.ValidateScheme(u)
	return nil
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
