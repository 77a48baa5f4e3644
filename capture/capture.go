package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Packet is one captured record.
//
// Data aliases the reader's internal buffer and is valid only until the next
// call to Next; copy it to keep it.
type Packet struct {
	Data     []byte   // captured bytes (caplen); empty for zero-length records
	OrigLen  uint32   // original length on the wire
	TS       int64    // nanoseconds since the Unix epoch; 0 when the record has none (pcapng simple packet block) or it is out of range (TimestampsOutOfRange)
	LinkType LinkType // per record (pcapng interfaces may differ)
	Index    int64    // 0-based record index within the file
	Offset   int64    // byte offset of the record header in the (decompressed) stream
}

// MaxCaplen is the largest captured length a record may declare. Anything
// larger is treated as corruption (libpcap's own limit is 262144 bytes), so
// a damaged length field can never make the reader allocate or read
// gigabytes.
const MaxCaplen = 262144

const (
	// bufSize is the size of the bufio.Reader every record is peeked from.
	// It must hold the largest record or block the reader parses in one
	// piece (maxBlock), so records are returned without copying.
	bufSize = 1 << 20
	// maxBlock bounds the pcapng blocks that are parsed (section headers,
	// interface descriptions, packet blocks). Other blocks are skipped
	// without buffering and may be up to maxSkipBlock long.
	maxBlock     = 512 << 10
	maxSkipBlock = 1 << 30
)

// ReadError is a corrupt, truncated or unreadable capture. It names the file,
// the index the next packet would have had, and the byte offset (in the
// decompressed stream) of the record or block that could not be read.
// Index is -1 for an error in the file header.
type ReadError struct {
	File   string
	Index  int64
	Offset int64
	Msg    string
	err    error // underlying I/O or decompression error, if any
}

// Error returns "FILE: packet INDEX at byte OFFSET: MSG", or
// "FILE: at byte OFFSET: MSG" for a file header error.
func (e *ReadError) Error() string {
	if e.Index < 0 {
		return e.File + ": at byte " + strconv.FormatInt(e.Offset, 10) + ": " + e.Msg
	}
	return e.File + ": packet " + strconv.FormatInt(e.Index, 10) + " at byte " + strconv.FormatInt(e.Offset, 10) + ": " + e.Msg
}

// Unwrap returns the underlying I/O or decompression error, or nil when the
// capture itself is malformed.
func (e *ReadError) Unwrap() error { return e.err }

// captureFormat identifies the container.
type captureFormat uint8

const (
	formatPcap    captureFormat = iota + 1 // pcap, microsecond timestamps
	formatPcapNs                           // pcap, nanosecond timestamps
	formatPcapng                           // pcapng
	formatPcapKuz                          // modified (Kuznetzov) pcap, microseconds
)

// Capture reads one capture file or stream: pcap (microsecond or
// nanosecond, either byte order, and the modified "Kuznetzov" pcap) or
// pcapng, optionally gzip- or zstd-compressed.
//
// Next reads records straight out of a fixed 1 MiB bufio buffer and never
// allocates in the steady state; Packet.Data points into that buffer. A
// Capture is not safe for concurrent use.
type Capture struct {
	name   string
	closer io.Closer     // the file opened by Open, if any
	dec    io.ReadCloser // the decompressor of gzip or zstd input; nil for plain input
	comp   string        // "gzip" or "zstd" when dec is not nil
	br     *bufio.Reader // the decompressed stream
	src    io.Reader     // what br reads: the input or dec
	format captureFormat

	be    bool  // current byte order is big-endian
	off   int64 // bytes consumed from the decompressed stream
	index int64 // index of the next packet
	done  bool  // io.EOF or a ReadError has been returned
	err   *ReadError

	// pcap
	recLen  int // record header length: RecordLen, or KuznetzovRecordLen
	link    LinkType
	snaplen uint32
	fcsLen  int // bytes of FCS at the end of each frame, when the header says so
	tsMul   int64

	// pcapng
	ifaces       []ngInterface
	tsOutOfRange int64 // packets whose time int64 nanoseconds cannot hold (TS 0)

	bufs [2]*bufio.Reader // pooled read buffers (the second behind dec)

	opts    ReadOptions
	chunks  chunker    // ReadChunk's state
	skipped *skipCount // what Skipped counted after the read error
	closed  bool
}

// ReadOptions configure how captures are read. The zero value is the
// default.
type ReadOptions struct {
	// ZstdWindow is the largest window, in bytes, a zstd frame may ask for
	// (the decoder keeps that much history); 0 means DefaultZstdWindow, and
	// it is at most MaxZstdWindow.
	ZstdWindow int64
	// ChunkRead is the most bytes (*Capture).ReadChunk reads from the
	// stream at once; 0 means 128 KiB. Tests set small ones, so that
	// chunks of several reads meet cut records and read errors.
	ChunkRead int
}

// Open opens a capture file; name "-" reads standard input. The
// format is detected from the content: gzip and zstd by their magic
// numbers (1f 8b; 28 b5 2f fd or a skippable frame), whatever the file
// name, then pcap or pcapng by theirs.
func Open(name string) (*Capture, error) { return OpenWith(name, ReadOptions{}) }

// OpenWith is Open with options.
func OpenWith(name string, o ReadOptions) (*Capture, error) {
	if name == "-" {
		return NewWith("stdin", os.Stdin, o)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	c, err := NewWith(name, f, o)
	if err != nil {
		f.Close()
		return nil, err
	}
	c.closer = f
	return c, nil
}

// New reads a capture from r, detecting gzip, zstd, pcap and pcapng
// by their magic numbers. name is used in errors. Header errors are returned as
// a *ReadError with Index -1.
func New(name string, r io.Reader) (*Capture, error) {
	return NewWith(name, r, ReadOptions{})
}

// NewWith is New with options.
func NewWith(name string, r io.Reader, o ReadOptions) (_ *Capture, err error) {
	c := &Capture{name: name, opts: o}
	defer func() {
		if err != nil {
			if c.dec != nil {
				c.dec.Close() // the decompressor goes back (a zstd decoder to its pool)
			}
			c.release() // nothing will read from c: its buffers go back
		}
	}()
	start := seekable(r)
	br := getReader(r)
	c.bufs[0] = br
	c.src = r
	m, _ := br.Peek(4)
	switch {
	case len(m) >= 2 && m[0] == 0x1f && m[1] == 0x8b:
		gz, err := newGzipReader(br, start)
		if err != nil {
			return nil, c.headerError("gzip: "+err.Error(), err)
		}
		c.dec, c.comp = gz, "gzip"
	case isZstd(m):
		zr, err := newZstdReader(br, o.windowLimit())
		if err != nil {
			return nil, c.headerError("zstd: "+err.Error(), err)
		}
		c.dec, c.comp = zr, "zstd"
	}
	if c.dec != nil {
		br = getReader(c.dec)
		c.bufs[1] = br
		c.src = c.dec
	}
	c.br = br
	m, err = br.Peek(4)
	if len(m) < 4 {
		if len(m) == 0 && err == io.EOF {
			return nil, c.headerError("empty input: no capture header", nil)
		}
		return nil, c.headerError("input too short for a capture header"+c.ioSuffix(err), ioErr(err))
	}
	switch {
	case binary.BigEndian.Uint32(m) == ngSHB:
		c.format = formatPcapng
		if err = c.readSectionHeader(); err != nil {
			c.err.Index = -1 // a bad first section header is a file header error
		}
	default:
		err = c.readPcapHeader()
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Reset makes c read a new uncompressed capture from r, reusing its
// buffers, so that reading many captures from memory allocates nothing per
// capture (the benchmarks and the allocation tests read the same bytes
// many times). Compressed input cannot be reset.
func (c *Capture) Reset(r io.Reader) error {
	if c.dec != nil {
		return errors.New("reset: compressed input")
	}
	if sc := c.skipped; sc != nil {
		select {
		case <-sc.done:
		default:
			return errors.New("reset: a read of the previous input (Skipped) has not returned")
		}
		c.skipped = nil
	}
	c.br.Reset(r)
	c.src = r
	c.off, c.index, c.done, c.err, c.fcsLen = 0, 0, false, nil, 0
	c.chunks.started = false
	c.ifaces, c.tsOutOfRange = c.ifaces[:0], 0
	m, err := c.br.Peek(4)
	if len(m) < 4 {
		return c.headerError("input too short for a capture header"+c.ioSuffix(err), ioErr(err))
	}
	if binary.BigEndian.Uint32(m) == ngSHB {
		c.format = formatPcapng
		return c.readSectionHeader()
	}
	return c.readPcapHeader()
}

// Format names the container: "pcap", "pcap-ns", "pcap-kuznetzov" or
// "pcapng", with "+gzip" or "+zstd" appended for compressed input.
func (c *Capture) Format() string {
	var s string
	switch c.format {
	case formatPcap:
		s = "pcap"
	case formatPcapNs:
		s = "pcap-ns"
	case formatPcapng:
		s = "pcapng"
	case formatPcapKuz:
		s = "pcap-kuznetzov"
	}
	if c.dec != nil {
		s += "+" + c.comp
	}
	return s
}

// ByRecord reports whether the capture is read record by record (Next)
// and not in chunks (ReadChunk): pcapng, and the modified pcap, whose
// longer record headers the chunk walk does not take.
func (c *Capture) ByRecord() bool { return c.format == formatPcapng || c.format == formatPcapKuz }

// TimestampsOutOfRange counts the packets read so far whose time cannot
// be held in Packet.TS, an int64 of nanoseconds since the epoch: a pcapng
// timestamp after 2262-04-11T23:47:16Z (or, by its interface's
// if_tsoffset, before 1677-09-21). No capture can hold such a time (it
// is damage, or a clock gone wild), so it is no time: the packet is read
// and counted with TS 0, as a simple packet block, which has none, and
// this counts it, for the summary to say so. (Before, the nanoseconds
// wrapped and the packet fell silently in 1969 or 1970.) pcap times, 32
// bits of seconds, always fit.
func (c *Capture) TimestampsOutOfRange() int64 { return c.tsOutOfRange }

// Compressed reports whether the capture is gzip or zstd input.
func (c *Capture) Compressed() bool { return c.dec != nil }

// Offset is how many bytes of the (decompressed) stream have been read as
// whole records and blocks.
func (c *Capture) Offset() int64 { return c.off }

// Skipped returns the bytes after a read error at offset that were not
// analyzed, and whether that is their exact number. For a plain file, or
// standard input redirected from one, it is the rest of the file by its
// size, exact. Otherwise (compressed input, a pipe) it is pending, the
// bytes from the failed record on that a chunked reader already holds
// (Chunk.BadBytes), plus what can still be read from the (decompressed)
// stream — counted by reading it, but only up to SkipCountBytes or for
// SkipCountTime, whichever comes first: a corrupt record in front of a
// huge run of zeros (an 8 MB zstd file can hold 256 GiB) or an endless
// pipe is reported at once, with exact false: "at least" so many bytes.
// A read that blocks past SkipCountTime (a pipe whose writer neither
// writes nor closes) is left to finish in the background, which Close
// takes into account. Skipped reads the stream once; later calls return
// the same answer.
func (c *Capture) Skipped(offset, pending int64) (n int64, exact bool) {
	if c.skipped != nil {
		return pending + c.skipped.n.Load(), c.skipped.exact
	}
	if f, ok := c.closer.(*os.File); ok && c.dec == nil {
		if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
			return max(0, info.Size()-offset), true
		}
	}
	if f, ok := c.src.(*os.File); ok && c.dec == nil && c.closer == nil {
		// Standard input redirected from a file: what is buffered, and
		// the file from its position on.
		if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
			if pos, err := f.Seek(0, io.SeekCurrent); err == nil {
				return pending + int64(c.br.Buffered()) + max(0, info.Size()-pos), true
			}
		}
	}
	// The bytes from the failed record on are those the chunked scan
	// holds and those still in the reader (unless a pcapng block was
	// partly discarded).
	c.skipped = c.countRest()
	return pending + c.skipped.n.Load(), c.skipped.exact
}

// SkipCountBytes and SkipCountTime bound how much of a stream
// (*Capture).Skipped reads after a read error to count the bytes skipped:
// 64 MiB take ~0.1 s to inflate, 1 s is what waiting for a stalled pipe
// may add to a run.
var (
	SkipCountBytes int64 = 64 << 20
	SkipCountTime        = time.Second
)

// skipCount is the counting of the rest of a stream after a read error,
// done on a goroutine of its own so that a read that blocks cannot hold
// the caller past SkipCountTime.
type skipCount struct {
	n     atomic.Int64 // bytes counted so far
	stop  atomic.Bool  // the caller stopped waiting: stop at the next read
	exact bool         // the stream ended (or failed) before a bound: n is all of it
	done  chan struct{}

	mu       sync.Mutex
	finished bool   // the goroutine read its last
	after    func() // what Close left to do when the goroutine finishes
}

// countRest counts what can still be read from c.br, within the bounds.
func (c *Capture) countRest() *skipCount {
	sc := &skipCount{done: make(chan struct{})}
	br, limit := c.br, SkipCountBytes
	ended := false
	go func() {
		// What each read brings is counted at once (a read that then
		// blocks leaves the count of all before it).
		var n int64
		for n < limit && !sc.stop.Load() {
			if br.Buffered() == 0 {
				if _, err := br.Peek(1); err != nil { // the end of the stream, or an error in it: nothing more can be read
					ended = true
					break
				}
			}
			k, _ := br.Discard(int(min(limit-n, int64(br.Buffered()))))
			n += int64(k)
			sc.n.Store(n)
		}
		sc.mu.Lock()
		sc.finished = true
		after := sc.after
		sc.mu.Unlock()
		close(sc.done)
		if after != nil {
			after()
		}
	}()
	t := time.NewTimer(SkipCountTime)
	defer t.Stop()
	select {
	case <-sc.done:
		sc.exact = ended
	case <-t.C:
		sc.stop.Store(true)
	}
	return sc
}

// Next fills p with the next record. It returns io.EOF at a clean end of the
// input and a *ReadError on a corrupt or truncated record or block; every
// packet before the bad one has already been returned. After a *ReadError
// the capture is done: further calls return io.EOF, and Err reports the
// error again. Next never allocates in the steady state.
func (c *Capture) Next(p *Packet) error {
	if c.done {
		return io.EOF
	}
	var err error
	if c.format == formatPcapng {
		err = c.nextPcapng(p)
	} else {
		err = c.nextPcap(p)
	}
	if err != nil {
		c.done = true
	}
	return err
}

// Err returns the *ReadError that ended the capture, or nil.
func (c *Capture) Err() error {
	if c.err == nil {
		return nil
	}
	return c.err
}

// Close releases the decompressor and closes the file opened by Open.
// It does not close a reader passed to New, nor standard input.
// When Skipped left a read blocked in the background, Close closes the
// file (which ends a read of a pipe) and returns at once; the decompressor
// and the buffers are released when that read returns.
func (c *Capture) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	dec, closer, bufs := c.dec, c.closer, c.bufs
	c.closer, c.bufs, c.done = nil, [2]*bufio.Reader{}, true
	release := func() error {
		var err error
		if dec != nil {
			err = dec.Close()
		}
		releaseReaders(bufs)
		return err
	}
	var err error
	if closer != nil {
		err = closer.Close()
	}
	if sc := c.skipped; sc != nil {
		sc.mu.Lock()
		if !sc.finished {
			sc.after = func() { release() }
			sc.mu.Unlock()
			return err
		}
		sc.mu.Unlock()
	}
	if derr := release(); derr != nil && err == nil {
		err = derr
	}
	return err
}

// readerPool holds the 1 MiB read buffers of closed captures: a run over
// thousands of shards reuses a few instead of allocating one per file.
var readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, bufSize) }}

func getReader(r io.Reader) *bufio.Reader {
	br := readerPool.Get().(*bufio.Reader)
	br.Reset(r)
	return br
}

// release returns the capture's read buffers to the pool; Packet.Data of
// this capture is invalid from then on.
func (c *Capture) release() {
	releaseReaders(c.bufs)
	c.bufs = [2]*bufio.Reader{}
}

// releaseReaders returns read buffers to the pool.
func releaseReaders(bufs [2]*bufio.Reader) {
	for _, b := range bufs {
		if b != nil {
			b.Reset(nil)
			readerPool.Put(b)
		}
	}
}

// fail records and returns a ReadError for the record or block at offset.
func (c *Capture) fail(offset int64, msg string, err error) error {
	c.err = &ReadError{File: c.name, Index: c.index, Offset: offset, Msg: msg, err: err}
	return c.err
}

func (c *Capture) headerError(msg string, err error) error {
	return &ReadError{File: c.name, Index: -1, Offset: 0, Msg: msg, err: err}
}

// truncated builds the ReadError for a record or block of want bytes of which
// only have could be read, distinguishing a short file from an I/O or decompression
// failure.
func (c *Capture) truncated(offset int64, what string, want, have int, err error) error {
	msg := fmt.Sprintf("%s truncated: need %d bytes, input ends after %d", what, want, have)
	return c.fail(offset, msg+c.ioSuffix(err), ioErr(err))
}

// ioSuffix describes a read error that is more than a plain end of input.
func (c *Capture) ioSuffix(err error) string {
	if err == nil || err == io.EOF {
		return ""
	}
	if c.dec != nil {
		return " (" + c.comp + " stream: " + err.Error() + ")"
	}
	return " (" + err.Error() + ")"
}

// ioErr keeps err for Unwrap unless it is a plain io.EOF.
func ioErr(err error) error {
	if err == io.EOF {
		return nil
	}
	return err
}

func (c *Capture) u16(b []byte) uint16 {
	if c.be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (c *Capture) u32(b []byte) uint32 {
	if c.be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (c *Capture) u64(b []byte) uint64 {
	if c.be {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}
