package main

import (
	"errors"
	"fmt"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/reference"
)

// runCrosscheck decodes every packet of the inputs with the fast decoder
// and with gopacket and reports the packets on which they differ after
// the known differences are normalised (see package analyze). It exits
// with status 1 on a difference or a read error.
func runCrosscheck(args []string, env *cmdEnv) error {
	fs := newFlagSet("crosscheck", "[-max N] INPUT...  (files, folders, or - for stdin)", env)
	maxDiffs := fs.Int("max", 10, "print at most `N` differing packets")
	readOpts := zstdWindowFlag(fs, "crosscheck")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ro, err := readOpts()
	if err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return &exitStatus{2, errors.New("crosscheck: no input given")}
	}
	inputs, err := capture.ExpandInputs(fs.Args())
	if err != nil {
		return fmt.Errorf("crosscheck: %w", err)
	}
	res, err := reference.Crosscheck(inputs, env.stdin, ro, *maxDiffs, env.stdout)
	fmt.Fprintf(env.stdout, "crosscheck: %d files, %d packets, %d differing, %d on unsupported links, %d read errors\n",
		res.Files, res.Packets, res.Differing, res.Unsupported, res.ReadErrors)
	if err != nil {
		return fmt.Errorf("crosscheck: %w", err)
	}
	return nil
}
