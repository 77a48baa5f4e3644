package scan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/port0/port0/capture"
)

// Options configure Run.
type Options struct {
	// Workers is the number of files read at once, and (up to GOMAXPROCS)
	// of goroutines that decode one large pcap file, compressed input or
	// standard input; 0 means GOMAXPROCS. The Result does not depend on it.
	Workers int
	// Progress, when not nil, receives a progress line at most every
	// second (files done, packets, packets per second) and a last one at
	// the end.
	Progress io.Writer
	// Port0, when set, collects what the port-0 study needs besides the
	// counts: the port-0 records and the all-traffic numbers (Result).
	Port0 bool
	// Interval is the length of the intervals all traffic's packets and
	// distinct sources are counted in (Result.Intervals); 0 means
	// DefaultInterval. It must be a whole number of seconds that divides
	// a day (CheckInterval): 1s, 1m, 5m, 15m, 1h, 6h, 24h.
	Interval time.Duration
	// Spill bounds the memory the port-0 records take.
	Spill SpillOptions
	// Read configures the capture readers.
	Read capture.ReadOptions
}

// DefaultInterval is the interval of Options.Interval 0: an hour.
const DefaultInterval = time.Hour

// CheckInterval returns an error unless d is an interval Options.Interval
// takes: 0 (DefaultInterval), or a whole number of seconds of at least
// one that divides 24h exactly, so that every interval starts on a whole
// second and a day holds a whole number of them (1s, 1m, 5m, 15m, 1h,
// 1d; not 7m or 1.5s).
func CheckInterval(d time.Duration) error {
	if d == 0 {
		return nil
	}
	const day = 24 * time.Hour
	if d < time.Second || d%time.Second != 0 || day%d != 0 {
		return fmt.Errorf("interval %v: want a whole number of seconds that divides 24h (1m, 5m, 1h, 24h, ...)", d)
	}
	return nil
}

// intervalOr is d, or DefaultInterval for 0.
func intervalOr(d time.Duration) time.Duration {
	if d == 0 {
		return DefaultInterval
	}
	return d
}

// ErrNoInput is returned by Run when no input could be read at all.
var ErrNoInput = errors.New("no input could be read")

// Run reads every input (paths, or "-" for stdin, already expanded:
// see capture.ExpandInputs), decodes every packet with the fast decoder and counts
// it. Files are read by a pool of opts.Workers goroutines; each file's
// counts and port-0 records are kept apart and combined in input order, so the Result does not
// depend on the number of workers. A file that cannot be opened or ends in
// a read error is reported in the Result (with every packet before the
// error counted) and the other files are still read. The error is
// ErrNoInput when no input could be read at all (the Result is returned
// all the same, with its read errors), or a spill error; the caller
// closes the Result.
func Run(inputs []string, stdin io.Reader, opts Options) (*Result, error) {
	if err := CheckInterval(opts.Interval); err != nil {
		return newResult(len(inputs), false, opts.Spill), err
	}
	workers := max(1, min(opts.workers(), len(inputs)))
	res := opts.newResult(len(inputs))
	var segs []*segment
	if opts.Port0 {
		for range inputs {
			segs = append(segs, res.Records.newSegment())
		}
	}
	var mu sync.Mutex // guards the port-0 side of res
	var prog progress
	prog.files = len(inputs)
	for _, in := range inputs {
		if fi, err := os.Stat(in); in != "-" && err == nil {
			prog.total += fi.Size()
		}
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newFileWorker(opts, &prog)
			for i := range jobs {
				var seg *segment
				if opts.Port0 {
					seg = segs[i]
				}
				var in io.Reader // nil: the file inputs[i]
				if inputs[i] == "-" {
					if in = stdin; in == nil {
						in = bytes.NewReader(nil) // no standard input: an empty one
					}
				}
				s.scanInto(res, i, inputs[i], in, seg, &mu)
				prog.done.Add(1)
			}
		}()
	}
	stop := prog.start(opts.Progress)
	for i := range inputs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	stop()
	return res, res.total()
}

// workers is Options.Workers, 0 meaning GOMAXPROCS.
func (o Options) workers() int {
	if o.Workers <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return o.Workers
}

// newResult returns the empty result of a scan of n inputs with o.
func (o Options) newResult(n int) *Result {
	res := newResult(n, o.Port0, o.Spill)
	if o.Port0 {
		res.Interval = intervalOr(o.Interval)
	}
	return res
}

// newFileWorker returns a file worker for opts. More goroutines
// decoding one file than there are CPUs decode it no faster, and each
// file worker keeps two 1 MiB chunks per decoder (-workers 1000 on
// compressed input would hold 2 GB a file worker): a file is decoded by
// at most GOMAXPROCS of them.
func newFileWorker(opts Options, prog *progress) *fileWorker {
	decoders := min(opts.workers(), runtime.GOMAXPROCS(0))
	s := &fileWorker{prog: prog, workers: decoders, minParallel: ParallelMin, read: opts.Read, interval: int64(intervalOr(opts.Interval))}
	if opts.Port0 {
		s.tap = &tap{}
	}
	return s
}

// scanInto reads input i of res (name; from r, or the file name when r
// is nil) into res.Files[i], its port-0 records into seg and its
// all-traffic numbers into res (under mu).
func (s *fileWorker) scanInto(res *Result, i int, name string, r io.Reader, seg *segment, mu *sync.Mutex) {
	if s.tap != nil {
		s.tap.spill = res.Records.spill
		s.tap.startFile(i, seg)
	}
	res.Files[i] = s.file(name, r)
	if s.tap != nil {
		if err := seg.close(); err != nil {
			res.Records.spill.fail(err)
		}
		mu.Lock()
		s.tap.mergeInto(res)
		mu.Unlock()
	}
}

// total sums the files' counts and lists their read errors, in input
// order, and returns what Run returns: a spill error, ErrNoInput or nil.
func (res *Result) total() error {
	for i := range res.Files {
		res.Total.Add(&res.Files[i].Counts)
		if e := res.Files[i].ReadError; e != nil {
			res.ReadErrors = append(res.ReadErrors, *e)
		}
	}
	if sp := res.Records.spill; sp != nil && sp.err != nil {
		return sp.err
	}
	if res.Total.Files == 0 {
		return ErrNoInput
	}
	return nil
}

// Scanner scans one input at a time, each into a Result of its own (as
// Run of that input alone gives it), keeping its buffers, chunk pool and
// interval sketches from input to input: a pipeline's worker that is
// handed many inputs one by one scans them as fast as one Run of them all.
// It is not safe for concurrent use.
type Scanner struct {
	opts Options
	s    *fileWorker
	mu   sync.Mutex
}

// NewScanner returns a Scanner with the options of Run (Progress is not
// used: a Scanner's caller reports its own).
func NewScanner(opts Options) (*Scanner, error) {
	if err := CheckInterval(opts.Interval); err != nil {
		return nil, err
	}
	return &Scanner{opts: opts, s: newFileWorker(opts, nil)}, nil
}

// Scan reads one input, named name: from r, or, when r is nil, the file
// name (Run reads "-" from standard input so), and returns its Result and
// the error Run would return for it; the caller closes the Result.
func (sc *Scanner) Scan(name string, r io.Reader) (*Result, error) {
	res := sc.opts.newResult(1)
	var seg *segment
	if sc.opts.Port0 {
		seg = res.Records.newSegment()
	}
	sc.s.scanInto(res, 0, name, r, seg, &sc.mu)
	return res, res.total()
}

// progress is shared by the workers of one Run call.
type progress struct {
	files   int
	done    atomic.Int64 // files finished
	packets atomic.Int64 // packets read, updated every progressEvery packets and at the end of a file
	total   int64        // bytes of the input files (stdin unknown)
	bytes   atomic.Int64 // of which read, for the ETA
}

// advance counts the bytes a file worker has read of its current file since
// its last update (stream offsets, never more than the file holds).
func (p *progress) advance(s *fileWorker, off int64) {
	if d := min(off, s.fileSize) - s.counted; d > 0 {
		p.bytes.Add(d)
		s.counted += d
	}
}

// finish counts the rest of a finished file.
func (p *progress) finish(s *fileWorker, c *capture.Capture) {
	p.advance(s, s.fileSize)
	s.counted = 0
}

// progressEvery is how many packets a worker reads between two updates of
// the shared packet counter.
const progressEvery = 1 << 16

// start prints a progress line to w every second until the returned
// function is called, which prints a last line. Nothing when w is nil.
func (p *progress) start(w io.Writer) (stop func()) {
	if w == nil {
		return func() {}
	}
	begin := time.Now()
	line := func() {
		el := time.Since(begin).Seconds()
		n := p.packets.Load()
		rate := 0.0
		if el > 0 {
			rate = float64(n) / el
		}
		eta := "?"
		if b := p.bytes.Load(); b > 0 && p.total > 0 {
			eta = fmt.Sprintf("%.0fs", el*float64(p.total-b)/float64(b))
		}
		fmt.Fprintf(w, "analyze: %d/%d files, %d packets, %.0f packets/s, eta %s\n", p.done.Load(), p.files, n, rate, eta)
	}
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				line()
			case <-quit:
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
		line()
	}
}
