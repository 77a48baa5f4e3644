package analyze

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"net/netip"
	"os"
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
	mem       sizeFlag
}

// AddFlags adds the study's flags to fs, with their documented defaults.
func AddFlags(fs *flag.FlagSet) *Flags {
	f := &Flags{fs: fs, study: study.DefaultOptions(), interval: intervalFlag{d: scan.DefaultInterval}, mem: sizeFlag{n: DefaultMem()}}
	so := &f.study
	f.workers = fs.Int("workers", 0, "read `N` files at once, or decode one large or compressed file with N goroutines (0 = all cores); the output does not depend on it")
	fs.Var(&f.format, "format", "the tables' `format`: csv (the default), parquet (packets/ and timeseries/ partitioned by day, the other tables NAME.parquet) or both")
	f.readOpts = ZstdWindowFlag(fs)
	fs.Var(&f.interval, "interval", "length `D` of the time series' intervals (timeseries.csv): a whole number of seconds that divides a day, e.g. 1m, 5m, 1h, 1d")
	fs.Var(&f.mem, "mem", "the run's memory budget, a `SIZE` such as 512MiB, 4GiB, 1.5G or bytes (0: no bound; at least 64MiB): past an eighth of it the port-0 records spill to disk, past a quarter the study runs in parts on disk; the tables are the same")
	f.telescope = fs.String("telescope", "", "the telescope's `PREFIX` (e.g. 198.18.0.0/15) for coverage and attack-rate estimates (default: the longest prefix holding every IPv4 destination seen, reported as inferred)")
	fs.DurationVar(&so.EventTimeout, "event-timeout", so.EventTimeout, "backscatter: inactivity that ends an event (Moore et al.)")
	fs.Int64Var(&so.EventMinPackets, "event-min-packets", so.EventMinPackets, "backscatter: keep events of at least this many packets, or lasting -event-min-duration")
	fs.DurationVar(&so.EventMinDuration, "event-min-duration", so.EventMinDuration, "backscatter: keep events lasting at least this long, or of -event-min-packets packets")
	fs.DurationVar(&so.BundleGap, "bundle-gap", so.BundleGap, "fingerprinting: longest gap between two probes of one bundle")
	fs.IntVar(&so.BundleMinProbes, "bundle-min-probes", so.BundleMinProbes, "fingerprinting: distinct probe shapes that make a bundle")
	fs.Int64Var(&so.ScanMinDsts, "scan-min-dsts", so.ScanMinDsts, "scanning: distinct destinations (at most 1024) that make a scanner; below, a source of scanning shapes revisiting each destination (2 packets a destination or more) is retry")
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
	case f.mem.err != nil:
		return Options{}, fmt.Errorf("-mem %s: %v", f.mem.raw, f.mem.err)
	case f.mem.n != 0 && f.mem.n < MinMem:
		return Options{}, fmt.Errorf("-mem %s: want at least %s (or 0 for no bound)", f.mem.raw, FormatSize(MinMem))
	}
	return Options{Scan: scan.Options{Workers: *f.workers, Read: ro, Interval: f.interval.d}, Study: so, Format: f.format, Mem: f.mem.n}, nil
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
	mb := fs.Int64("zstd-window", capture.DefaultZstdWindow>>20, "largest window a zstd frame may ask for, in `MiB` (at most 2048): the decoder keeps that much history, as zstd -d --memory does; a frame asking for more is a read error naming the value it needs")
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

// MinMem is the smallest -mem budget: below it the run's fixed costs (the
// decoders' buffers, the intervals' sketches, the tables' writers) are
// most of it.
const MinMem = 64 << 20

// DefaultMem is -mem's default: 1 GiB, or half the machine's memory when
// that is less (Linux's /proc/meminfo; 1 GiB where it cannot be read).
func DefaultMem() int64 {
	const def = 1 << 30
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return def
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil || kb <= 0 {
				return def
			}
			return max(min(def, kb<<10/2), MinMem)
		}
	}
	return def
}

// sizeFlag is a size in bytes: a number with an optional unit, KiB, MiB,
// GiB, TiB (or K, M, G, T: the same powers of 1024) or B.
type sizeFlag struct {
	n   int64
	raw string
	err error
}

func (f *sizeFlag) String() string { return FormatSize(f.n) }

func (f *sizeFlag) Set(s string) error {
	f.raw = s
	f.n, f.err = ParseSize(s)
	return nil // Options reports it, naming the flag and the fix
}

// sizeUnits are the units of a size, largest first: the binary ones
// FormatSize writes, then the short forms and bytes ParseSize also reads.
var sizeUnits = []struct {
	name  string
	shift uint
}{{"TiB", 40}, {"GiB", 30}, {"MiB", 20}, {"KiB", 10}, {"T", 40}, {"G", 30}, {"M", 20}, {"K", 10}, {"B", 0}}

// ParseSize reads a size such as 512MiB, 1GiB, 1.5G or 1048576 (bytes).
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	shift := uint(0)
	for _, u := range sizeUnits {
		if n, ok := strings.CutSuffix(strings.ToUpper(t), strings.ToUpper(u.name)); ok {
			t, shift = strings.TrimSpace(n), u.shift
			break
		}
	}
	x, err := strconv.ParseFloat(t, 64)
	if err != nil || x < 0 || math.IsInf(x, 0) || x*math.Ldexp(1, int(shift)) >= math.MaxInt64 {
		return 0, errors.New("want a size such as 512MiB, 1GiB or 4GiB (0 for no bound)")
	}
	return int64(x * math.Ldexp(1, int(shift))), nil
}

// FormatSize writes n bytes in the largest unit of 1024 that divides it
// (1GiB, 512MiB, 1000B).
func FormatSize(n int64) string {
	for _, u := range sizeUnits[:4] { // TiB to KiB
		if n != 0 && n%(1<<u.shift) == 0 {
			return strconv.FormatInt(n>>u.shift, 10) + u.name
		}
	}
	if n == 0 {
		return "0"
	}
	return strconv.FormatInt(n, 10) + "B"
}

// CheckOut makes the output folder out (with its parents) and writes and
// removes a probe file in it, so that an -out that cannot be written is
// found before the first input is read, not after the whole input: an
// error in one line naming -out and the reason ("-out DIR: cannot write in
// it: permission denied"). port0 analyze, study and port0-beam call it.
func CheckOut(out string) error {
	fail := func(why string) error { return fmt.Errorf("-out %s: %s", out, why) }
	if fi, err := os.Stat(out); err == nil && !fi.IsDir() {
		return fail("is a file, not a folder: give a folder (it is made when missing)")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fail("cannot make the folder: " + reason(err))
	}
	f, err := os.CreateTemp(out, ".port0-probe-*")
	if err != nil {
		return fail("cannot write in it: " + reason(err))
	}
	_, err = f.Write([]byte("port0\n"))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if rerr := os.Remove(f.Name()); err == nil {
		err = rerr
	}
	if err != nil {
		return fail("cannot write in it: " + reason(err))
	}
	return nil
}

// reason is err without the path an fs.PathError repeats.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
