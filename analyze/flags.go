package analyze

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// Flags are the flags that set Options, shared by "port0 analyze" and
// every other runner of the study (the Beam pipeline), so that the same
// flags mean the same study: -workers, -format, -zstd-window, -interval,
// -telescope, and the event and bundle parameters.
type Flags struct {
	fs        *flag.FlagSet
	workers   *int
	format    tables.Format
	readOpts  func() (capture.ReadOptions, error)
	interval  intervalFlag
	telescope *string
	study     study.Options
}

// AddFlags adds the study's flags to fs, with their documented defaults.
func AddFlags(fs *flag.FlagSet) *Flags {
	f := &Flags{fs: fs, study: study.DefaultOptions(), interval: intervalFlag{d: scan.DefaultInterval}}
	so := &f.study
	f.workers = fs.Int("workers", 0, "files read at once, and decoders of one large or compressed file (0 = all cores); output does not depend on it")
	fs.Var(&f.format, "format", "the tables' `format`: csv (the default), parquet (packets/ and timeseries/ partitioned by day, the other tables NAME.parquet) or both")
	f.readOpts = ZstdWindowFlag(fs)
	fs.Var(&f.interval, "interval", "length `D` of the time series' intervals (timeseries.csv): a whole number of seconds that divides a day, e.g. 1m, 5m, 1h, 1d")
	f.telescope = fs.String("telescope", "", "telescope prefix, e.g. 198.18.0.0/15 (default: inferred from the destinations)")
	fs.DurationVar(&so.EventTimeout, "event-timeout", so.EventTimeout, "backscatter: inactivity that ends an event (Moore et al.)")
	fs.Int64Var(&so.EventMinPackets, "event-min-packets", so.EventMinPackets, "backscatter: keep events with at least this many packets...")
	fs.DurationVar(&so.EventMinDuration, "event-min-duration", so.EventMinDuration, "...or lasting at least this long")
	fs.DurationVar(&so.BundleGap, "bundle-gap", so.BundleGap, "fingerprinting: longest gap between probes of one bundle")
	fs.IntVar(&so.BundleMinProbes, "bundle-min-probes", so.BundleMinProbes, "fingerprinting: distinct probe shapes that make a bundle")
	fs.Int64Var(&so.ScanMinDsts, "scan-min-dsts", so.ScanMinDsts, "scanning: distinct destinations that make a scanner; below, a source of scanning shapes revisiting each destination (2 packets a destination or more) is retry")
	return f
}

// Options checks the parsed flags and returns the Options they set. An
// error is a usage error that names the flag and what it wants.
func (f *Flags) Options() (Options, error) {
	so := f.study
	if *f.telescope != "" {
		p, err := netip.ParsePrefix(*f.telescope)
		if err != nil {
			return Options{}, fmt.Errorf("-telescope %q: want a prefix such as 198.18.0.0/15", *f.telescope)
		}
		so.Telescope = p.Masked()
	}
	ro, err := f.readOpts()
	if err != nil {
		return Options{}, err
	}
	if err := so.Check(); err != nil {
		return Options{}, err
	}
	switch {
	case *f.workers < 0:
		return Options{}, fmt.Errorf("-workers %d: want 0 or more", *f.workers)
	case f.interval.d <= 0 || scan.CheckInterval(f.interval.d) != nil:
		return Options{}, fmt.Errorf("-interval %s: want a whole number of seconds that divides a day, such as 1m, 5m, 15m, 1h or 1d", f.interval.raw)
	}
	return Options{Scan: scan.Options{Workers: *f.workers, Read: ro, Interval: f.interval.d}, Study: so, Format: f.format}, nil
}

// IntervalSet reports whether -interval was given on the command line.
func (f *Flags) IntervalSet() bool {
	set := false
	f.fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == "interval" })
	return set
}

// ZstdWindowFlag adds -zstd-window to fs and returns the read options it
// sets, checked once the flags are parsed (an error names the flag and its
// range).
func ZstdWindowFlag(fs *flag.FlagSet) func() (capture.ReadOptions, error) {
	mb := fs.Int64("zstd-window", capture.DefaultZstdWindow>>20, "largest window a zstd frame may ask for, in MiB: the decoder keeps that much (like zstd -d --memory; zstd --long=31 files need 2048)")
	return func() (capture.ReadOptions, error) {
		if *mb < 1 || *mb > capture.MaxZstdWindow>>20 {
			return capture.ReadOptions{}, fmt.Errorf("-zstd-window %d: want 1 to %d (MiB)", *mb, capture.MaxZstdWindow>>20)
		}
		return capture.ReadOptions{ZstdWindow: *mb << 20}, nil
	}
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
