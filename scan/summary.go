package scan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
)

// FileSummary is the result of one input.
type FileSummary struct {
	// File is the input as given; "-" is standard input.
	File string `json:"file"`
	// Format is what (*Capture).Format says; empty when the file could
	// not be opened or its header is unreadable.
	Format string `json:"format"`
	// Counts are the file's counts.
	Counts Counts `json:"counts"`
	// ReadError is the error that ended the file early, if any.
	ReadError *ReadErrorInfo `json:"read_error,omitempty"`
}

// ReadErrorInfo is a read error: a file that cannot be opened, an
// unreadable file header (PacketIndex -1), or a corrupt or truncated
// record after which the rest of the file is skipped.
type ReadErrorInfo struct {
	File string `json:"file"`
	// PacketIndex is the index the next packet would have had; -1 for an
	// open or file header error.
	PacketIndex int64 `json:"packet_index"`
	// ByteOffset is the offset in the (decompressed) stream of the record
	// or block that cannot be read.
	ByteOffset int64  `json:"byte_offset"`
	Message    string `json:"message"`
}

// String returns the error as one line, like (*ReadError).Error.
func (e ReadErrorInfo) String() string {
	if e.PacketIndex < 0 {
		return e.File + ": at byte " + strconv.FormatInt(e.ByteOffset, 10) + ": " + e.Message
	}
	return fmt.Sprintf("%s: packet %d at byte %d: %s", e.File, e.PacketIndex, e.ByteOffset, e.Message)
}

// Counts are the counts of one file or of several. They are mergeable:
// Add sums them field by field, so partial results combine across workers
// and machines. Maps are keyed by the String names of this package's enums
// (or link type numbers) and hold only non-zero counts.
type Counts struct {
	// Files is the number of captures whose header could be read.
	Files int64 `json:"files"`
	// Packets is the number of records read.
	Packets int64 `json:"packets"`
	// CapturedBytes is the sum of the captured lengths.
	CapturedBytes int64 `json:"captured_bytes"`
	// Snapped counts records captured shorter than their length on the
	// wire (snap length).
	Snapped int64 `json:"snapped"`
	// LinkTypes counts packets by link type number.
	LinkTypes map[string]int64 `json:"link_types"`
	// UnsupportedLinkTypes counts the packets on link types the decoder
	// does not know, by link type number; they are not decoded further.
	UnsupportedLinkTypes map[string]int64 `json:"unsupported_link_types"`
	// Links counts packets by the outcome of the link layer
	// (LinkResult names: ok, not-ip, unsupported-link, truncated-link).
	Links map[string]int64 `json:"links"`
	// IPv4 and IPv6 count packets whose IP header was recognised.
	IPv4 int64 `json:"ipv4"`
	IPv6 int64 `json:"ipv6"`
	// WithPorts counts packets with a readable TCP or UDP header
	// (Record.Ports == PortsPresent).
	WithPorts int64 `json:"with_ports"`
	// Port0 counts the direct port-0 packets: not inside a tunnel, their
	// TCP or UDP port fields captured and one of them 0 (the rest of the
	// header may be cut: Port0Counts.CutHeader).
	Port0 Port0Counts `json:"port0"`
	// ICMPQuotingPort0 counts ICMP and ICMPv6 errors (not inside a
	// tunnel) that quote a TCP or UDP header with a port 0: backscatter
	// evidence, not port-0 packets.
	ICMPQuotingPort0 int64 `json:"icmp_quoting_port0"`
	// Tunneled counts the packets found inside tunnels, and the tunneled
	// port-0 packets among them, apart from the direct ones.
	Tunneled TunnelCounts `json:"tunneled"`
	// Notes counts packets decoded on a presumption a strict reading
	// calls malformed, by decode.Note name: presumed-tso (IPv4 total
	// length 0), jumbogram, presumed-big-tcp (IPv6 payload length 0), and
	// tunnel-depth (tunnels nested deeper than decode.MaxTunnels).
	Notes map[string]int64 `json:"notes"`
	// Fragments counts IP fragments and orphans (see FragWindow).
	Fragments FragmentCounts `json:"fragments"`
	// NoPorts counts packets without readable ports by PortsKind name
	// (non-first-fragment, short-first-fragment, no-ports, truncated,
	// malformed, and unknown for packets without an IP header). Packets
	// = WithPorts + the sum of NoPorts.
	NoPorts map[string]int64 `json:"no_ports"`
	// Truncated counts packets the capture cuts inside a header.
	Truncated TruncatedCounts `json:"truncated"`
	// Malformed counts packets with inconsistent headers by Reason name
	// (every Reason but none and truncated).
	Malformed map[string]int64 `json:"malformed"`
	// ReadErrors counts inputs that could not be opened or ended in a
	// read error.
	ReadErrors int64 `json:"read_errors"`
	// SkippedBytes counts the bytes after a read error that were not
	// analyzed: for a plain file its size minus the error offset (the
	// whole file when it cannot be opened or its header is unreadable);
	// for compressed (gzip, zstd) input and stdin, the decompressed bytes
	// that could still be read from the error offset on (the compressed
	// size of a file whose header is unreadable), counted by reading
	// them, but only up to capture.SkipCountBytes or for
	// capture.SkipCountTime (see SkippedBytesAtLeast). Records after a
	// read error cannot be counted: the reader does not resynchronise.
	SkippedBytes int64 `json:"skipped_bytes"`
	// SkippedBytesAtLeast says that SkippedBytes is a lower bound: the
	// rest of a compressed input or of a pipe was longer than the bounds
	// of its counting (or the pipe stalled), so it was not read to its
	// end (the file's read error message says "at least"). Absent when
	// false.
	SkippedBytesAtLeast bool `json:"skipped_bytes_at_least,omitempty"`
	// TimestampsOutOfRange counts the packets whose time int64
	// nanoseconds cannot hold (pcapng timestamps past 2262): they are
	// counted as packets without a time (0, 1970-01-01, as pcapng simple
	// packet blocks), not wrapped (see
	// capture.(*Capture).TimestampsOutOfRange). Absent when 0.
	TimestampsOutOfRange int64 `json:"timestamps_out_of_range,omitempty"`
}

// Port0Counts counts port-0 packets: a TCP or UDP header is readable
// (Record.Ports == PortsPresent) and a port is 0 (Record.Port0 is src,
// dst or both).
type Port0Counts struct {
	Total int64 `json:"total"`
	// By transport protocol and IP version.
	TCPv4 int64 `json:"tcp4"`
	TCPv6 int64 `json:"tcp6"`
	UDPv4 int64 `json:"udp4"`
	UDPv6 int64 `json:"udp6"`
	// By position: only the source port, only the destination port, both.
	SrcOnly int64 `json:"src_only"`
	DstOnly int64 `json:"dst_only"`
	Both    int64 `json:"both"`
	// FirstFragments counts the port-0 packets that are first fragments.
	FirstFragments int64 `json:"first_fragments"`
	// CutHeader counts the port-0 packets whose TCP or UDP header ends
	// after the port fields but inside its fixed part: a tiny first
	// fragment (RFC 1858; also in Malformed) or a short snap length
	// (also in Truncated.AfterPortFields).
	CutHeader int64 `json:"cut_header"`
	// Malformed counts the port-0 packets whose headers are also
	// malformed (TCP data offset < 5, bad TCP option, UDP length < 8, TCP
	// header beyond the IP length).
	Malformed int64 `json:"malformed"`
}

// FragmentCounts counts IP fragments.
type FragmentCounts struct {
	// First counts first fragments (offset 0, more fragments).
	First int64 `json:"first"`
	// NonFirst counts non-first fragments (offset > 0).
	NonFirst int64 `json:"non_first"`
	// OrphanNonFirst counts the non-first fragments whose first fragment
	// was not seen within the reassembly window (see FragWindow).
	OrphanNonFirst int64 `json:"orphan_non_first"`
	// TableEvictions counts datagrams closed early because the fragment
	// table was full (FragTableSize).
	TableEvictions int64 `json:"table_evictions"`
}

// TunnelCounts counts packets found inside tunnels (decode.Encap): the
// innermost packet reached is the one counted everywhere else in Counts
// (IPv4, WithPorts, ...), except that its port 0 is counted here, not in
// Port0.
type TunnelCounts struct {
	// Packets counts the tunneled packets; ByEncap by the outermost
	// tunnel's decode.Encap name (ipip, 6in4, gre, erspan, vxlan,
	// geneve, gtp-u).
	Packets int64            `json:"packets"`
	ByEncap map[string]int64 `json:"by_encap"`
	// Port0 counts the tunneled port-0 packets, Port0ByEncap by tunnel.
	Port0        int64            `json:"port0"`
	Port0ByEncap map[string]int64 `json:"port0_by_encap"`
	// ICMPQuotingPort0 counts the tunneled ICMP errors quoting a port 0.
	ICMPQuotingPort0 int64 `json:"icmp_quoting_port0"`
}

// Add adds o to c.
func (c *TunnelCounts) Add(o *TunnelCounts) {
	c.Packets += o.Packets
	c.ByEncap = addMap(c.ByEncap, o.ByEncap)
	c.Port0 += o.Port0
	c.Port0ByEncap = addMap(c.Port0ByEncap, o.Port0ByEncap)
	c.ICMPQuotingPort0 += o.ICMPQuotingPort0
}

// TruncatedCounts counts packets the capture cuts inside a header
// (Reason truncated), by where.
type TruncatedCounts struct {
	Total int64 `json:"total"`
	// Link: inside the link header (zero-length records included).
	Link int64 `json:"link"`
	// IP: inside the fixed IPv4 or IPv6 header.
	IP int64 `json:"ip"`
	// BeforePorts: inside the IPv4 options, the IPv6 extension headers
	// or the port fields of the TCP/UDP header (Ports truncated).
	BeforePorts int64 `json:"before_ports"`
	// AfterPortFields: inside the fixed TCP/UDP header, after the port
	// fields (Ports truncated, but the ports count).
	AfterPortFields int64 `json:"after_port_fields"`
	// AfterPorts: the fixed TCP header is there but its options are cut;
	// the ports count.
	AfterPorts int64 `json:"after_ports"`
	// Other: a header of a protocol without ports (ICMP) is cut.
	Other int64 `json:"other"`
}

// Add adds o to c.
func (c *Counts) Add(o *Counts) {
	c.Files += o.Files
	c.Packets += o.Packets
	c.CapturedBytes += o.CapturedBytes
	c.Snapped += o.Snapped
	c.LinkTypes = addMap(c.LinkTypes, o.LinkTypes)
	c.UnsupportedLinkTypes = addMap(c.UnsupportedLinkTypes, o.UnsupportedLinkTypes)
	c.Links = addMap(c.Links, o.Links)
	c.IPv4 += o.IPv4
	c.IPv6 += o.IPv6
	c.WithPorts += o.WithPorts
	c.Port0.Add(&o.Port0)
	c.ICMPQuotingPort0 += o.ICMPQuotingPort0
	c.Tunneled.Add(&o.Tunneled)
	c.Notes = addMap(c.Notes, o.Notes)
	c.Fragments.Add(&o.Fragments)
	c.NoPorts = addMap(c.NoPorts, o.NoPorts)
	c.Truncated.Add(&o.Truncated)
	c.Malformed = addMap(c.Malformed, o.Malformed)
	c.ReadErrors += o.ReadErrors
	c.SkippedBytes += o.SkippedBytes
	c.SkippedBytesAtLeast = c.SkippedBytesAtLeast || o.SkippedBytesAtLeast
	c.TimestampsOutOfRange += o.TimestampsOutOfRange
}

// Add adds o to c.
func (c *Port0Counts) Add(o *Port0Counts) {
	c.Total += o.Total
	c.TCPv4 += o.TCPv4
	c.TCPv6 += o.TCPv6
	c.UDPv4 += o.UDPv4
	c.UDPv6 += o.UDPv6
	c.SrcOnly += o.SrcOnly
	c.DstOnly += o.DstOnly
	c.Both += o.Both
	c.FirstFragments += o.FirstFragments
	c.CutHeader += o.CutHeader
	c.Malformed += o.Malformed
}

// Add adds o to c.
func (c *FragmentCounts) Add(o *FragmentCounts) {
	c.First += o.First
	c.NonFirst += o.NonFirst
	c.OrphanNonFirst += o.OrphanNonFirst
	c.TableEvictions += o.TableEvictions
}

// Add adds o to c.
func (c *TruncatedCounts) Add(o *TruncatedCounts) {
	c.Total += o.Total
	c.Link += o.Link
	c.IP += o.IP
	c.BeforePorts += o.BeforePorts
	c.AfterPortFields += o.AfterPortFields
	c.AfterPorts += o.AfterPorts
	c.Other += o.Other
}

// addMap adds the counts of o to m, creating m if needed (so an empty map
// is written as {}, never null).
func addMap(m, o map[string]int64) map[string]int64 {
	if m == nil {
		m = make(map[string]int64, len(o))
	}
	for k, v := range o {
		m[k] += v
	}
	return m
}

// newCounts returns Counts with empty, non-nil maps.
func newCounts() Counts {
	var c Counts
	c.Add(&Counts{})
	return c
}

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
			s := newScanner(opts, &prog)
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

// newScanner returns a file worker's scanner for opts. More goroutines
// decoding one file than there are CPUs decode it no faster, and each
// file worker keeps two 1 MiB chunks per decoder (-workers 1000 on
// compressed input would hold 2 GB a file worker): a file is decoded by
// at most GOMAXPROCS of them.
func newScanner(opts Options, prog *progress) *scanner {
	decoders := min(opts.workers(), runtime.GOMAXPROCS(0))
	s := &scanner{prog: prog, workers: decoders, minParallel: ParallelMin, read: opts.Read, interval: int64(intervalOr(opts.Interval))}
	if opts.Port0 {
		s.tap = &tap{}
	}
	return s
}

// scanInto reads input i of res (name; from r, or the file name when r
// is nil) into res.Files[i], its port-0 records into seg and its
// all-traffic numbers into res (under mu).
func (s *scanner) scanInto(res *Result, i int, name string, r io.Reader, seg *segment, mu *sync.Mutex) {
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
	s    *scanner
	mu   sync.Mutex
}

// NewScanner returns a Scanner with the options of Run (Progress is not
// used: a Scanner's caller reports its own).
func NewScanner(opts Options) (*Scanner, error) {
	if err := CheckInterval(opts.Interval); err != nil {
		return nil, err
	}
	return &Scanner{opts: opts, s: newScanner(opts, nil)}, nil
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

// advance counts the bytes a scanner has read of its current file since
// its last update (stream offsets, never more than the file holds).
func (p *progress) advance(s *scanner, off int64) {
	if d := min(off, s.fileSize) - s.counted; d > 0 {
		p.bytes.Add(d)
		s.counted += d
	}
}

// finish counts the rest of a finished file.
func (p *progress) finish(s *scanner, c *capture.Capture) {
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

// scanner is one file worker's state, reused from file to file: the
// decoder's scratch space, the chunk buffers and the fragment table are
// allocated once.
type scanner struct {
	dec   decoder
	t     tally // the current file's counts
	frag  fragTable
	chunk *chunk    // for a scan in this goroutine
	pool  []*chunk  // for a parallel scan
	prog  *progress // nil in benchmarks and tests
	tap   *tap      // the port-0 study's side, when it runs
	// workers is the number of goroutines that decode one pcap file of at
	// least minParallel bytes (compressed input and standard input whatever
	// their size); 0 or 1 decodes in this goroutine.
	workers     int
	minParallel int64
	read        capture.ReadOptions // how captures are opened
	interval    int64               // Options.Interval in ns; 0 means DefaultInterval
	// Tests: chunkSize and readPiece, when not 0, replace the size of the
	// chunk buffers and of the chunker's reads; byRecord reads pcap files
	// record by record with Next, as pcapng files are read.
	chunkSize int
	readPiece int
	byRecord  bool

	fileSize, counted int64 // size of the current file; bytes of it counted in prog
	badBytes          int64 // bytes of the failed record on that the scan read (for skipped)
}

// ParallelMin is the size from which a pcap file's chunks are decoded by
// several goroutines (scanner.workers); compressed input and standard input are
// always decoded so, as their size says little about their length.
const ParallelMin = 16 << 20

// file reads one input, named name, from r or, when r is nil, from the
// file name, and returns its summary.
func (s *scanner) file(name string, r io.Reader) FileSummary {
	fs := FileSummary{File: name, Counts: newCounts()}
	var c *capture.Capture
	var err error
	if r != nil {
		c, err = capture.NewCaptureWith(name, r, s.readOptions())
		s.fileSize, s.counted = 0, 0
	} else {
		c, err = capture.OpenCaptureWith(name, s.readOptions())
		s.fileSize, s.counted = 0, 0
		if fi, serr := os.Stat(name); serr == nil {
			s.fileSize = fi.Size()
		}
	}
	if err != nil {
		fs.ReadError = errorInfo(name, err)
		fs.Counts.ReadErrors = 1
		if info, serr := os.Stat(name); r == nil && serr == nil && info.Mode().IsRegular() {
			fs.Counts.SkippedBytes = info.Size() // the whole file
		}
		return fs
	}
	defer c.Close()
	fs.Format = c.Format()
	workers := 1
	if r != nil || c.Compressed() || s.fileSize >= s.minParallel {
		workers = s.workers
	}
	err = s.scanWith(c, workers)
	s.t.counts(&fs.Counts)
	fs.Counts.Files = 1
	fs.Counts.TimestampsOutOfRange = c.TimestampsOutOfRange()
	if err != nil {
		fs.ReadError = errorInfo(name, err)
		fs.Counts.ReadErrors = 1
		n, exact := c.Skipped(fs.ReadError.ByteOffset, s.badBytes)
		fs.Counts.SkippedBytes = n
		if !exact {
			fs.Counts.SkippedBytesAtLeast = true
			fs.ReadError.Message += fmt.Sprintf("; the rest of the input is skipped, at least %d bytes (not read to its end to count them)", n)
		}
	}
	return fs
}

// readOptions are the options captures are opened with.
func (s *scanner) readOptions() capture.ReadOptions {
	o := s.read
	if s.readPiece > 0 {
		o.ChunkRead = s.readPiece
	}
	return o
}

// scan counts every packet of c into s.t and returns the read error that
// ended it, or nil at a clean end. It allocates nothing per packet.
func (s *scanner) scan(c *capture.Capture) error { return s.scanWith(c, 1) }

// scanWith is scan with the chunks of a pcap capture decoded by workers
// goroutines.
func (s *scanner) scanWith(c *capture.Capture, workers int) error {
	s.t.reset()
	var err error
	if c.ByRecord() || s.byRecord {
		err = s.scanRecords(c)
	} else {
		err = s.scanPcap(c, workers)
	}
	s.frag.flush()
	s.t.orphans, s.t.evictions = s.frag.orphans, s.frag.evictions
	s.frag.orphans, s.frag.evictions = 0, 0
	if s.prog != nil {
		s.prog.finish(s, c)
	}
	return err
}

// errorInfo turns an open or read error into a ReadErrorInfo.
func errorInfo(name string, err error) *ReadErrorInfo {
	var re *capture.ReadError
	if errors.As(err, &re) {
		return &ReadErrorInfo{File: name, PacketIndex: re.Index, ByteOffset: re.Offset, Message: re.Msg}
	}
	return &ReadErrorInfo{File: name, PacketIndex: -1, Message: err.Error()}
}

// tally is the hot-path form of Counts: fixed arrays, no maps.
type tally struct {
	packets, bytes, snapped int64
	links                   [8]linkCount // link types seen, in order of appearance
	moreLinks               []linkCount  // beyond len(links): rare, may allocate
	nLinks                  int
	linkResults             [5]int64 // by LinkResult
	ipv4, ipv6              int64
	ports                   [7]int64 // by PortsKind
	port0                   Port0Counts
	icmp0                   int64
	first, nonFirst         int64
	orphans, evictions      int64
	trunc                   TruncatedCounts
	reasons                 [decode.NumReasons]int64
	encaps, encaps0         [decode.NumEncaps]int64 // tunneled packets and tunneled port 0, by Encap
	icmp0Tunneled           int64
	notes                   [decode.NumNotes]int64
}

type linkCount struct {
	link capture.LinkType
	n    int64
}

func (t *tally) reset() {
	m := t.moreLinks[:0]
	*t = tally{moreLinks: m}
}

// add counts one decoded packet but for its link type, which the caller
// counts (t.link or t.linkN: a pcap chunk has one). Its fragments are
// counted here; the fragment table is fed by the caller.
func (t *tally) add(p *capture.Packet, r *decode.Record) {
	t.packets++
	t.bytes += int64(len(p.Data))
	if int64(p.OrigLen) > int64(len(p.Data)) {
		t.snapped++
	}
	if int(r.Link) < len(t.linkResults) {
		t.linkResults[r.Link]++
	}
	switch r.IPVersion {
	case 4:
		t.ipv4++
	case 6:
		t.ipv6++
	}
	if int(r.Ports) < len(t.ports) {
		t.ports[r.Ports]++
	}
	if r.Reason != decode.ReasonNone && r.Reason < decode.NumReasons {
		t.reasons[r.Reason]++
		if r.Reason == decode.ReasonTruncated {
			t.truncated(r)
		}
	}
	if r.Note != decode.NoteNone && r.Note < decode.NumNotes {
		t.notes[r.Note]++
	}
	quote0 := r.Inner.Ports == decode.PortsPresent && r.Inner.Port0 >= decode.Port0Src
	switch {
	case r.Encap != decode.EncapNone && r.Encap < decode.NumEncaps:
		t.encaps[r.Encap]++
		if r.Port0 >= decode.Port0Src {
			t.encaps0[r.Encap]++
		}
		if quote0 {
			t.icmp0Tunneled++
		}
	case r.Port0 >= decode.Port0Src:
		t.port0Packet(r)
	case quote0:
		t.icmp0++
	}
	switch r.Frag {
	case decode.FragFirst:
		t.first++
	case decode.FragNonFirst:
		t.nonFirst++
	}
}

// addPlain is add for a packet (*part).plain takes: what add counts for
// the Record Decode would make of it (link OK, IPv4, ports present, no
// reason, no port 0, no fragment). A counter add keeps for every packet
// belongs here too.
func (t *tally) addPlain(p *capture.Packet) {
	t.packets++
	t.bytes += int64(len(p.Data))
	if int64(p.OrigLen) > int64(len(p.Data)) {
		t.snapped++
	}
	t.linkResults[decode.LinkOK]++
	t.ipv4++
	t.ports[decode.PortsPresent]++
}

// merge adds the counts of o to t (the orphans and evictions, which only
// the file's fragment table knows, excepted).
func (t *tally) merge(o *tally) {
	t.packets += o.packets
	t.bytes += o.bytes
	t.snapped += o.snapped
	for _, l := range o.links[:o.nLinks] {
		t.linkN(l.link, l.n)
	}
	for _, l := range o.moreLinks {
		t.linkN(l.link, l.n)
	}
	for i, n := range o.linkResults {
		t.linkResults[i] += n
	}
	t.ipv4 += o.ipv4
	t.ipv6 += o.ipv6
	for i, n := range o.ports {
		t.ports[i] += n
	}
	t.port0.Add(&o.port0)
	t.icmp0 += o.icmp0
	for i := range o.encaps {
		t.encaps[i] += o.encaps[i]
		t.encaps0[i] += o.encaps0[i]
	}
	t.icmp0Tunneled += o.icmp0Tunneled
	for i, n := range o.notes {
		t.notes[i] += n
	}
	t.first += o.first
	t.nonFirst += o.nonFirst
	t.trunc.Add(&o.trunc)
	for i, n := range o.reasons {
		t.reasons[i] += n
	}
}

func (t *tally) port0Packet(r *decode.Record) {
	c := &t.port0
	c.Total++
	switch {
	case r.Proto == decode.ProtoTCP && r.IPVersion == 4:
		c.TCPv4++
	case r.Proto == decode.ProtoTCP:
		c.TCPv6++
	case r.IPVersion == 4:
		c.UDPv4++
	default:
		c.UDPv6++
	}
	switch r.Port0 {
	case decode.Port0Src:
		c.SrcOnly++
	case decode.Port0Dst:
		c.DstOnly++
	default:
		c.Both++
	}
	if r.Frag == decode.FragFirst {
		c.FirstFragments++
	}
	if r.Reason != decode.ReasonNone && r.Reason != decode.ReasonTruncated {
		c.Malformed++
	}
	if r.PortsCut() {
		c.CutHeader++
	}
}

func (t *tally) truncated(r *decode.Record) {
	c := &t.trunc
	c.Total++
	switch {
	case r.Link == decode.LinkTruncated:
		c.Link++
	case r.IPVersion == 0:
		c.IP++
	case r.Ports == decode.PortsTruncated && r.PortsCut():
		c.AfterPortFields++
	case r.Ports == decode.PortsTruncated:
		c.BeforePorts++
	case r.Ports == decode.PortsPresent:
		c.AfterPorts++
	default:
		c.Other++
	}
}

// keyOf returns the datagram key of a fragment.
func keyOf(r *decode.Record) fragKey {
	k := fragKey{src: r.Src.As16(), dst: r.Dst.As16(), id: r.IPID, ver: r.IPVersion}
	if r.IPVersion == 4 {
		k.proto = r.Proto
	}
	return k
}

func (t *tally) link(l capture.LinkType) {
	if t.nLinks > 0 && t.links[0].link == l {
		t.links[0].n++
		return
	}
	t.linkN(l, 1)
}

// linkN counts n packets of link type l.
func (t *tally) linkN(l capture.LinkType, n int64) {
	for i := range t.nLinks {
		if t.links[i].link == l {
			t.links[i].n += n
			return
		}
	}
	if t.nLinks < len(t.links) {
		t.links[t.nLinks] = linkCount{l, n}
		t.nLinks++
		return
	}
	for i := range t.moreLinks {
		if t.moreLinks[i].link == l {
			t.moreLinks[i].n += n
			return
		}
	}
	t.moreLinks = append(t.moreLinks, linkCount{l, n})
}

// counts adds the tally to c (whose maps must not be nil).
func (t *tally) counts(c *Counts) {
	c.Packets += t.packets
	c.CapturedBytes += t.bytes
	c.Snapped += t.snapped
	unsupported := t.linkResults[decode.LinkUnsupported] > 0
	for _, l := range append(t.links[:t.nLinks:t.nLinks], t.moreLinks...) {
		k := strconv.Itoa(int(l.link))
		c.LinkTypes[k] += l.n
		if unsupported && !knownLink(l.link) {
			c.UnsupportedLinkTypes[k] += l.n
		}
	}
	for i, n := range t.linkResults {
		if n > 0 {
			c.Links[decode.LinkResult(i).String()] += n
		}
	}
	c.IPv4 += t.ipv4
	c.IPv6 += t.ipv6
	for i, n := range t.ports {
		if i == int(decode.PortsPresent) {
			c.WithPorts += n
		} else if n > 0 {
			c.NoPorts[decode.PortsKind(i).String()] += n
		}
	}
	c.Port0.Add(&t.port0)
	c.ICMPQuotingPort0 += t.icmp0
	for i, n := range t.encaps {
		if n == 0 {
			continue // encaps0[i] <= encaps[i]
		}
		k := decode.Encap(i).String()
		c.Tunneled.Packets += n
		c.Tunneled.ByEncap[k] += n
		if n0 := t.encaps0[i]; n0 > 0 {
			c.Tunneled.Port0 += n0
			c.Tunneled.Port0ByEncap[k] += n0
		}
	}
	c.Tunneled.ICMPQuotingPort0 += t.icmp0Tunneled
	for i, n := range t.notes {
		if n > 0 {
			c.Notes[decode.Note(i).String()] += n
		}
	}
	c.Fragments.Add(&FragmentCounts{First: t.first, NonFirst: t.nonFirst, OrphanNonFirst: t.orphans, TableEvictions: t.evictions})
	c.Truncated.Add(&t.trunc)
	for i, n := range t.reasons {
		if n > 0 && decode.Reason(i) != decode.ReasonTruncated {
			c.Malformed[decode.Reason(i).String()] += n
		}
	}
}

// knownLink reports whether the fast decoder understands link type l.
func knownLink(l capture.LinkType) bool {
	var r decode.Record
	r.Decode(l, nil)
	return r.Link != decode.LinkUnsupported
}
