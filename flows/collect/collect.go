package collect

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// SpoolName is the spool's file name in the collector's folder.
const SpoolName = "datagrams.pcap"

// DefaultListen is the address a Collector listens on when Options.Listen
// is not set: loopback, NetFlow's customary port.
const DefaultListen = "127.0.0.1:2055"

// Defaults of Options.
const (
	// DefaultReadBuffer is the socket receive buffer asked for: 64 MiB,
	// which Linux doubles and then charges each datagram about twice its
	// length, so tens of thousands of datagrams wait there while the
	// reader is not scheduled.
	DefaultReadBuffer = 64 << 20
	// DefaultMaxBuffered bounds the memory of datagrams read but not yet
	// written to the spool.
	DefaultMaxBuffered = 128 << 20
	// DefaultDrainIdle is how long the socket must stay empty, once Stop
	// is called, for the drain to end.
	DefaultDrainIdle = 50 * time.Millisecond
	// DefaultMaxDrain bounds the drain against an exporter that never
	// pauses.
	DefaultMaxDrain = 5 * time.Second
)

const (
	// readRoom is the room the reader leaves for each datagram: more
	// than the largest UDP payload (MaxPayload6), so that no datagram is
	// ever cut.
	readRoom = 1 << 16
	// slabSize is the size of the pool's buffers, each holding many
	// datagrams back to back.
	slabSize = 4 << 20
	// queueLen is the capacity of the channel from the reader to the
	// writer, in datagrams.
	queueLen = 1 << 16
	// maxReadErrors ends the reading after this many read errors in a
	// row (errors other than the deadline of Stop).
	maxReadErrors = 1000
	// flushEvery is how often the writer flushes the spool while
	// datagrams come in, so that what is spooled is on disk within it.
	flushEvery = time.Second
)

// ErrSpoolExists is the error (wrapped) of Start when the folder already
// holds a spool, of an earlier collection: it is never overwritten.
var ErrSpoolExists = errors.New("already holds " + SpoolName + " of an earlier collection")

// Options configure a Collector.
type Options struct {
	// Listen is the UDP address to listen on; the zero value is
	// DefaultListen. Port 0 picks a free port (Addr tells which).
	Listen netip.AddrPort
	// Dir is the folder of the spool, created if missing (required).
	Dir string
	// ReadBuffer is the socket receive buffer asked for, in bytes; 0 is
	// DefaultReadBuffer.
	ReadBuffer int
	// MaxBuffered bounds the bytes of buffers holding datagrams read but
	// not yet spooled; 0 is DefaultMaxBuffered. When the writer is that
	// far behind, the reader waits and the socket's buffer fills (and
	// the kernel's drops, which are reported, may follow).
	MaxBuffered int64
	// DrainIdle and MaxDrain end the drain at Stop: it reads until the
	// socket has been empty for DrainIdle, a datagram received after
	// Stop was called has been read (when the kernel gives receive
	// times), or MaxDrain has passed. 0 means DefaultDrainIdle,
	// DefaultMaxDrain.
	DrainIdle, MaxDrain time.Duration
}

// Stats is what a Collector received and spooled; port0 collect writes
// it into collect.json.
type Stats struct {
	// Listen is the address listened on, Spool the spool's path.
	Listen string `json:"listen"`
	Spool  string `json:"spool"`
	// Started and Stopped are when receiving began and ended.
	Started time.Time `json:"started"`
	Stopped time.Time `json:"stopped,omitzero"`
	// Datagrams and Bytes are the datagrams received and their payload
	// bytes; Drained those of them read after Stop was called.
	Datagrams int64 `json:"datagrams"`
	Bytes     int64 `json:"bytes"`
	Drained   int64 `json:"drained"`
	// Spooled is the datagrams written to the spool, SpoolBytes the
	// spool's length; NotSpooled the datagrams received but not written
	// because writing failed (WriteError).
	Spooled    int64 `json:"spooled"`
	SpoolBytes int64 `json:"spool_bytes"`
	NotSpooled int64 `json:"not_spooled"`
	// KernelDrops is the number of datagrams the kernel dropped for the
	// socket (its receive buffer full): received by the machine, never
	// read. -1 when the system does not say (only Linux does).
	KernelDrops int64 `json:"kernel_drops"`
	// ReadBufferAsked is the socket receive buffer asked for;
	// ReadBuffer what the kernel reads back (Linux: twice the size
	// granted; 0 when not known), ReadBufferForced whether it was set
	// past net.core.rmem_max with SO_RCVBUFFORCE (CAP_NET_ADMIN).
	ReadBufferAsked  int  `json:"read_buffer_asked"`
	ReadBuffer       int  `json:"read_buffer"`
	ReadBufferForced bool `json:"read_buffer_forced"`
	// ReaderWaits counts the times the reader waited for the writer (no
	// free buffer, or the queue full).
	ReaderWaits int64 `json:"reader_waits"`
	// ReadErrors counts the failed reads (other than Stop's).
	ReadErrors int64 `json:"read_errors"`
	// WriteError is the spool's first write error, if any.
	WriteError string `json:"write_error,omitempty"`
}

// Collector receives datagrams on one UDP socket and spools them. Its
// methods are safe for concurrent use.
type Collector struct {
	o       Options
	conn    *net.UDPConn
	local   netip.AddrPort
	inode   uint64
	path    string
	file    *os.File
	bw      *bufio.Writer
	pw      *Writer
	started time.Time
	buf     struct {
		asked, got int
		forced     bool
	}

	msgs     chan msg
	free     chan *slab
	nslabs   int // slabs made (the reader's)
	maxSlabs int

	mu       sync.Mutex
	stopping bool
	stopAt   int64 // when Stop was called, ns since the epoch

	datagrams, bytes, drained atomic.Int64
	spooled, notSpooled       atomic.Int64
	spoolBytes                atomic.Int64
	waits, readErrs           atomic.Int64
	oobDrops                  atomic.Int64 // the last SO_RXQ_OVFL count, -1 before any

	// The reader's, read by the writer once the queue is closed.
	finalDrops int64 // read when the reader ends
	readErr    error // why the reader ended before Stop, if it did

	// The writer's.
	writeErr error

	stopCtx func() bool // stops ctx's call of requestStop
	done    chan struct{}
	// Set before done is closed.
	stats Stats
	err   error
}

// slab is one of the pool's buffers; datagrams are read into it back to
// back.
type slab struct{ b []byte }

// msg is one datagram handed from the reader to the writer.
type msg struct {
	s    *slab
	off  int32
	n    int32
	ts   int64
	from netip.AddrPort
}

// Start creates o.Dir (if missing) and the spool in it — refusing a
// folder that already holds one (ErrSpoolExists), so that a folder that
// cannot be written is known before anything listens — then listens on
// o.Listen and receives until Stop is called or ctx is done.
func Start(ctx context.Context, o Options) (*Collector, error) {
	if !o.Listen.IsValid() {
		o.Listen = netip.MustParseAddrPort(DefaultListen)
	}
	if o.Dir == "" {
		return nil, errors.New("collect: no folder for the spool")
	}
	if o.ReadBuffer <= 0 {
		o.ReadBuffer = DefaultReadBuffer
	}
	if o.MaxBuffered <= 0 {
		o.MaxBuffered = DefaultMaxBuffered
	}
	if o.DrainIdle <= 0 {
		o.DrainIdle = DefaultDrainIdle
	}
	if o.MaxDrain <= 0 {
		o.MaxDrain = DefaultMaxDrain
	}
	_, statErr := os.Stat(o.Dir)
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	c := &Collector{o: o, path: filepath.Join(o.Dir, SpoolName)}
	f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("%s %w", o.Dir, ErrSpoolExists)
		}
		return nil, err
	}
	fail := func(err error) (*Collector, error) {
		f.Close()
		os.Remove(c.path)
		if os.IsNotExist(statErr) {
			os.Remove(o.Dir) // made here, and empty again
		}
		return nil, err
	}
	c.file = f
	var to io.Writer = f
	if testHookSpool != nil {
		to = testHookSpool(f)
	}
	c.bw = bufio.NewWriterSize(to, 4<<20)
	if c.pw, err = NewWriter(c.bw); err != nil {
		return fail(err)
	}
	network := "udp6"
	if o.Listen.Addr().Unmap().Is4() {
		network = "udp4"
		o.Listen = netip.AddrPortFrom(o.Listen.Addr().Unmap(), o.Listen.Port())
	}
	conn, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(o.Listen))
	if err != nil {
		return fail(err)
	}
	c.conn = conn
	c.local = conn.LocalAddr().(*net.UDPAddr).AddrPort()
	c.local = netip.AddrPortFrom(c.local.Addr().Unmap(), c.local.Port())
	c.buf.asked = o.ReadBuffer
	c.buf.got, c.buf.forced, err = setReadBuffer(conn, o.ReadBuffer)
	if err != nil {
		conn.Close()
		return fail(fmt.Errorf("receive buffer of %d bytes: %w", o.ReadBuffer, err))
	}
	c.inode = enableRecvInfo(conn)
	c.oobDrops.Store(-1)
	c.maxSlabs = max(2, int(o.MaxBuffered/slabSize))
	c.free = make(chan *slab, c.maxSlabs)
	c.msgs = make(chan msg, queueLen)
	c.done = make(chan struct{})
	c.started = time.Now()
	c.stopCtx = context.AfterFunc(ctx, c.requestStop)
	go c.read()
	go c.write()
	return c, nil
}

// Addr returns the address the Collector listens on (with the port the
// system chose for port 0).
func (c *Collector) Addr() netip.AddrPort { return c.local }

// Spool returns the spool's path.
func (c *Collector) Spool() string { return c.path }

// Done is closed when the Collector has stopped: after Stop, ctx's end,
// or a failure of the socket, with the spool closed.
func (c *Collector) Done() <-chan struct{} { return c.done }

// Stop stops receiving, drains what the socket still holds, flushes and
// closes the spool, and returns the final Stats. The error is the first
// failure of reading or writing; whatever was received before it is in
// the Stats (and, unless writing failed, in the spool). Stop may be called
// more than once, from any goroutine; each call returns the same.
func (c *Collector) Stop() (Stats, error) {
	c.requestStop()
	<-c.done
	return c.stats, c.err
}

// requestStop makes the reader's blocked read return at once; the reader
// then drains the socket.
func (c *Collector) requestStop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopping {
		return
	}
	c.stopping = true
	c.stopAt = time.Now().UnixNano()
	c.conn.SetReadDeadline(time.Unix(1, 0))
}

// isStopping reports whether Stop was called and when. Under the mutex:
// once the reader sees it, requestStop's deadline has been set, and the
// reader's own deadlines of the drain come after it.
func (c *Collector) isStopping() (bool, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopping, c.stopAt
}

// Stats returns the counts so far (while receiving, with the kernel's
// drop count read now), or the final ones once stopped.
func (c *Collector) Stats() Stats {
	select {
	case <-c.done:
		return c.stats
	default:
	}
	return c.snapshot(c.drops(procDrops(c.inode)), time.Time{})
}

// snapshot builds Stats from the counters.
func (c *Collector) snapshot(drops int64, stopped time.Time) Stats {
	return Stats{
		Listen:           c.local.String(),
		Spool:            c.path,
		Started:          c.started,
		Stopped:          stopped,
		Datagrams:        c.datagrams.Load(),
		Bytes:            c.bytes.Load(),
		Drained:          c.drained.Load(),
		Spooled:          c.spooled.Load(),
		SpoolBytes:       c.spoolBytes.Load(),
		NotSpooled:       c.notSpooled.Load(),
		KernelDrops:      drops,
		ReadBufferAsked:  c.buf.asked,
		ReadBuffer:       c.buf.got,
		ReadBufferForced: c.buf.forced,
		ReaderWaits:      c.waits.Load(),
		ReadErrors:       c.readErrs.Load(),
	}
}

// drops is the larger of the kernel's two reports of the socket's drops
// (/proc now, the control message of the last read), -1 if neither.
func (c *Collector) drops(proc int64) int64 {
	return max(proc, c.oobDrops.Load())
}

// getSlab returns a free buffer, making one while fewer than maxSlabs
// exist, else waiting for the writer to free one.
func (c *Collector) getSlab() *slab {
	select {
	case s := <-c.free:
		return s
	default:
	}
	if c.nslabs < c.maxSlabs {
		c.nslabs++
		return &slab{b: make([]byte, slabSize)}
	}
	c.waits.Add(1)
	return <-c.free
}

// read is the reader: it does nothing but read datagrams into the pool's
// buffers and hand them to the writer, until Stop; then it drains the
// socket, notes the kernel's drop count, closes the socket and the
// queue.
func (c *Collector) read() {
	defer close(c.msgs)
	var oob []byte
	if oobSize > 0 {
		oob = make([]byte, oobSize)
	}
	s := c.getSlab()
	off := 0
	draining := false
	var stopAt int64
	var drainEnd time.Time
	idle := c.o.DrainIdle // the next read's deadline in the drain
	// peekEnd is when the drain's last peek (pending) returned: a peek
	// stamps the datagram it sees when the kernel had not stamped it on
	// arrival, so a receive time before peekEnd may be the peek's, not
	// the datagram's.
	var peekEnd int64
	errs := 0
	for {
		if len(s.b)-off < readRoom {
			s, off = c.getSlab(), 0
		}
		if draining {
			c.conn.SetReadDeadline(time.Now().Add(idle))
			idle = c.o.DrainIdle
		}
		readAt := time.Now().UnixNano()
		n, oobn, _, from, err := c.conn.ReadMsgUDPAddrPort(s.b[off:off+readRoom], oob)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				if draining {
					// A timeout does not prove the socket empty: the
					// reader may not have run before the deadline.
					if pending(c.conn) && time.Now().Before(drainEnd) {
						peekEnd = time.Now().UnixNano()
						idle = max(c.o.DrainIdle, time.Second) // there is one to read
						continue
					}
					break // empty for DrainIdle
				}
				var stop bool
				if stop, stopAt = c.isStopping(); stop {
					draining = true
					drainEnd = time.Now().Add(c.o.MaxDrain)
				}
				continue
			}
			if errors.Is(err, net.ErrClosed) {
				c.readErr = err
				break
			}
			c.readErrs.Add(1)
			if errs++; errs >= maxReadErrors {
				c.readErr = fmt.Errorf("%d read errors in a row, the last: %w", errs, err)
				break
			}
			continue
		}
		errs = 0
		kts, drops, ok := parseOOB(oob[:oobn])
		ts := kts
		if ts == 0 {
			ts = time.Now().UnixNano()
		}
		if ok {
			c.oobDrops.Store(int64(drops))
		}
		m := msg{s: s, off: int32(off), n: int32(n), ts: ts, from: from}
		select {
		case c.msgs <- m:
		default:
			c.waits.Add(1)
			c.msgs <- m
		}
		off += n
		c.datagrams.Add(1)
		c.bytes.Add(int64(n))
		if draining {
			c.drained.Add(1)
			// A datagram the kernel stamped after Stop, and before this
			// read began (a datagram not stamped on arrival is stamped
			// by the read, or by the peek before it: not after
			// peekEnd), came after everything that was waiting.
			if stopAt < kts && kts < readAt && kts > peekEnd || time.Now().After(drainEnd) {
				break
			}
		}
	}
	c.finalDrops = c.drops(procDrops(c.inode))
	c.conn.Close()
}

// testHookSpool, when set by a test, wraps the spool file's writer.
var testHookSpool func(io.Writer) io.Writer

// testHookWrite, when set by a test, is called before each datagram is
// written.
var testHookWrite func()

// write is the writer: it appends each datagram to the spool, gives
// buffers back to the pool, flushes every flushEvery, and when the
// reader is done closes the spool and sets the final Stats.
func (c *Collector) write() {
	tick := time.NewTicker(flushEvery)
	defer tick.Stop()
	var prev *slab
	dirty := false
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.finish()
				return
			}
			if m.s != prev {
				// The reader has moved on to another buffer, so every
				// datagram of the previous one has been written.
				if prev != nil {
					c.free <- prev
				}
				prev = m.s
			}
			if testHookWrite != nil {
				testHookWrite()
			}
			if c.writeErr != nil {
				c.notSpooled.Add(1)
				continue
			}
			if err := c.pw.WriteDatagram(m.ts, m.from, c.local, m.s.b[m.off:m.off+m.n]); err != nil {
				c.writeErr = err
				c.notSpooled.Add(1)
				continue
			}
			c.spooled.Add(1)
			c.spoolBytes.Store(c.pw.Written())
			dirty = true
		case <-tick.C:
			if dirty && c.writeErr == nil {
				if err := c.bw.Flush(); err != nil {
					c.writeErr = err
				}
				dirty = false
			}
		}
	}
}

// finish flushes, syncs and closes the spool and sets the final Stats and
// error.
func (c *Collector) finish() {
	if c.writeErr == nil {
		c.writeErr = c.bw.Flush()
	}
	if c.writeErr == nil {
		c.writeErr = c.file.Sync()
	}
	if err := c.file.Close(); c.writeErr == nil {
		c.writeErr = err
	}
	c.stopCtx()
	c.mu.Lock()
	byRequest := c.stopping
	c.stopping = true // a failed socket stops the Collector too
	c.mu.Unlock()
	c.stats = c.snapshot(c.finalDrops, time.Now())
	c.stats.SpoolBytes = c.pw.Written()
	switch {
	case c.writeErr != nil:
		c.stats.WriteError = c.writeErr.Error()
		c.err = fmt.Errorf("writing %s: %w", c.path, c.writeErr)
	case c.readErr != nil && !byRequest:
		c.err = fmt.Errorf("receiving on %s: %w", c.local, c.readErr)
	}
	close(c.done)
}
