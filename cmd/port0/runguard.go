package main

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/tables"
)

// stdinNames are the paths that name standard input besides "-".
var stdinNames = map[string]bool{"/dev/stdin": true, "/dev/fd/0": true, "/proc/self/fd/0": true}

// checkStdin is a usage error of cmd when the inputs name standard input
// more than once ("-" twice, or "-" and /dev/stdin): its readers would
// share one stream, each packet going to one of them, as the scheduling
// falls, and the others losing it.
func checkStdin(cmd string, inputs []string) error {
	var named []string
	for _, in := range inputs {
		if in == "-" || stdinNames[filepath.Clean(in)] {
			named = append(named, in)
		}
	}
	if len(named) < 2 {
		return nil
	}
	return &exitStatus{2, fmt.Errorf("%s: standard input is given %d times (%s): its readers would share one stream and each lose the packets another reads; give - once (save the stream to a file to read it more than once)", cmd, len(named), strings.Join(named, " "))}
}

// checkOut is analyze.CheckOut as a usage error of cmd.
func checkOut(cmd, out string) error {
	if err := analyze.CheckOut(out); err != nil {
		return &exitStatus{2, fmt.Errorf("%s: %w", cmd, err)}
	}
	return nil
}

// testSpillLimit, when not 0, is the spill's memory limit of the runs
// guard starts (tests: -1 spills every record at once).
var testSpillLimit int64

// guard runs fn, a run of cmd with the options o, with its temporary
// files in a folder of its own: the scan's spill files (o's spill folder)
// and whatever else the run makes in $TMPDIR, which points there while fn
// runs. The folder is removed when fn returns and, on SIGINT or SIGTERM,
// before the process exits (status 128 + the signal's number) with the
// outputs being written under their temporary names (tables.RemoveTemp):
// a stopped run leaves neither spill files nor half tables.
func guard(cmd string, o *analyze.Options, env *cmdEnv, fn func() error) error {
	tmp, err := os.MkdirTemp("", "port0-"+cmd+"-*")
	if err != nil {
		return fmt.Errorf("%s: a folder for the temporary files: %w", cmd, err)
	}
	o.Scan.Spill.Dir = tmp
	if testSpillLimit != 0 {
		o.Scan.Spill.MemLimit = testSpillLimit
	}
	prev, had := os.LookupEnv("TMPDIR")
	os.Setenv("TMPDIR", tmp)

	var cleanup sync.Mutex // held by the signal's cleanup until the process exits
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			cleanup.Lock()
			outs := tables.RemoveTemp()
			os.RemoveAll(tmp)
			fmt.Fprintf(env.stderr, "%s: stopped by %v: removed the temporary files (%d outputs being written, the spill folder %s); the outputs already complete are kept\n", cmd, s, len(outs), tmp)
			code := 130
			if sn, ok := s.(syscall.Signal); ok {
				code = 128 + int(sn)
			}
			os.Exit(code)
		case <-done:
		}
	}()
	defer func() {
		close(done)
		cleanup.Lock() // a signal's cleanup: wait for it to exit the process
		signal.Stop(sigs)
		if had {
			os.Setenv("TMPDIR", prev)
		} else {
			os.Unsetenv("TMPDIR")
		}
		os.RemoveAll(tmp)
		cleanup.Unlock()
	}()
	return fn()
}
