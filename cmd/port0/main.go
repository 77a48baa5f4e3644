// Command port0 generates synthetic network-telescope traffic with port-0
// actors and analyzes real or generated captures for port-0 traffic.
//
// Usage:
//
//	port0 <command> [flags]
//
// Run "port0 help" for the list of commands and "port0 <command> -h" for
// the flags of one.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "port0:", err)
		}
		os.Exit(exitCode(err))
	}
}

// command is one subcommand: its name, a one-line summary and its entry point.
type command struct {
	name    string
	summary string
	run     func(args []string, env *cmdEnv) error
}

// cmdEnv carries the standard streams, so tests can call run directly.
type cmdEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// commands lists the subcommands in the order "port0 help" prints them.
func commands() []command {
	return []command{
		{"study", "the port-0 study of your own captures: analysis, the 16 analyses beside the published findings, figures and REPORT.md", runStudy},
		{"gen", "write synthetic telescope traffic: pcap shards, ground truth and a manifest", runGen},
		{"truth", "print a shard's ground truth as CSV (shard, index, class, actor, tool)", runTruth},
		{"crosscheck", "decode every packet with the fast decoder and with gopacket and report differences", runCrosscheck},
		{"analyze", "read captures and count port-0 packets, fragments, traps and read errors into DIR/summary.json", runAnalyze},
		{"collect", "receive NetFlow/IPFIX/sFlow on UDP (loopback by default) into DIR/datagrams.pcap, then study it", runCollect},
		{"experiments", "rerun the paper's analyses on a generated telescope: tables and targets under OUT/NAME/", runExperiments},
		{"figures", "draw every figure (PNG and SVG) from the tables of a results folder", runFigures},
		{"sweep", "rerun the study over scales × seeds: the verdict of every target in every run (SWEEP.md, verdicts.csv, a figure)", runSweep},
		{"report", "write REPORT.md: each experiment's figures, tables and targets against measured", runReport},
		{"validate", "compare an analysis with the generator's truth: confusion matrices, precision, recall, F1", runValidate},
		{"version", "print the version, the VCS revision, Go and the libraries' versions (also: port0 -version)", runVersion},
	}
}

// exitStatus is an error that carries a process exit code other than 1.
type exitStatus struct {
	code int
	err  error
}

func (e *exitStatus) Error() string { return e.err.Error() }
func (e *exitStatus) Unwrap() error { return e.err }

func exitCode(err error) int {
	var es *exitStatus
	if errors.As(err, &es) {
		return es.code
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 1
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	env := &cmdEnv{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) > 1 && args[0] == "help" {
		// port0 help CMD is port0 CMD -h.
		for _, c := range commands() {
			if c.name == args[1] {
				return c.run([]string{"-h"}, env)
			}
		}
		usage(stderr)
		return &exitStatus{2, fmt.Errorf("help: unknown command %q", args[1])}
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		usage(stderr)
		if len(args) == 0 {
			return &exitStatus{2, errors.New("no command given")}
		}
		return nil
	}
	if args[0] == "-version" || args[0] == "--version" {
		return runVersion(args[1:], env)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], env)
		}
	}
	usage(stderr)
	return &exitStatus{2, fmt.Errorf("unknown command %q", args[0])}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: port0 <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'port0 help <command>' or 'port0 <command> -h' for a command's flags.")
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// prints a usage line naming the command.
func newFlagSet(name, synopsis string, env *cmdEnv) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "usage: port0 %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// zstdWindowFlag adds -zstd-window to fs (analyze.ZstdWindowFlag) and
// returns the read options it sets, a bad value a usage error of cmd.
func zstdWindowFlag(fs *flag.FlagSet, cmd string) func() (capture.ReadOptions, error) {
	ro := analyze.ZstdWindowFlag(fs)
	return func() (capture.ReadOptions, error) {
		o, err := ro()
		if err != nil {
			return o, &exitStatus{2, fmt.Errorf("%s: %w", cmd, err)}
		}
		return o, nil
	}
}

// parsingFlags, when set, is called with every flag set parseFlags is about
// to parse, all its flags defined: TestCLIReference collects each command's
// flags with it to write docs/CLI.md's flag tables.
var parsingFlags func(fs *flag.FlagSet)

// parseFlags parses args and turns a flag error into exit status 2.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if parsingFlags != nil {
		parsingFlags(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitStatus{2, err}
	}
	return nil
}
