package scan

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"sync"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/sketch"
)

// The scan of one file in parts.
//
// A pcap file is read in chunks of whole records ((*Capture).ReadChunk);
// a chunk is decoded and counted into its own part, and the parts are
// merged into the file's state in chunk order. So the chunks of one file
// can be decoded by several goroutines at once while the result stays
// what one goroutine reading record by record finds:
//
//   - counts (tally), packets and distinct sources per interval, the
//     destination range and the naive flow view are sums, maxima and
//     register-wise maxima: merged in any order, they give the same result;
//   - the port-0 records of a chunk are encoded into the part and appended
//     to the file's records in chunk order, so they are the same records
//     in the same order;
//   - fragments are the one state that crosses chunks (a datagram's first
//     fragment may be in an earlier chunk than its other fragments): a
//     part only lists its fragments (key, time, first or not) in packet
//     order, and the merge feeds them to the file's one fragment table in
//     chunk order, which sees the very sequence a sequential scan feeds
//     it;
//   - read errors are found by the reader, at the same record as
//     (*Capture).Next finds them.
//
// pcapng files are read record by record with (*Capture).Next into parts
// of partPackets packets, merged the same way.

// partPackets is how many packets a part of a record-by-record (pcapng)
// scan holds before it is merged.
const partPackets = 1 << 14

// chunk is a run of whole pcap records and, once decoded, their part.
type chunk struct {
	capture.Chunk
	part part
	done chan struct{} // receives once part is filled (parallel scan)
}

func newChunk(size int) *chunk {
	return &chunk{Chunk: *capture.NewChunk(size), done: make(chan struct{}, 1)}
}

// decoder is one goroutine's scratch space for decoding: the packet, the
// record and the port-0 record.
type decoder struct {
	p  capture.Packet
	r  decode.Record
	p0 P0Packet
}

// decodeChunk decodes and counts every record of ch into ch.part, which
// it resets first. It allocates nothing per packet.
func (d *decoder) decodeChunk(ch *chunk) {
	pt := &ch.part
	pt.reset()
	p := &d.p
	p.LinkType, p.Index = ch.Link(), ch.First()
	for pos, end := 0, ch.Len(); pos < end; p.Index++ {
		pos = ch.Record(pos, p)
		if h, ok := decode.PlainIPv4(p.LinkType, p.Data); ok {
			pt.plain(p, h)
			continue
		}
		d.r.Decode(p.LinkType, p.Data)
		pt.packet(d, p, &d.r)
	}
	if n := p.Index - ch.First(); n > 0 {
		pt.t.linkN(ch.Link(), n)
	}
}

// part is what the packets of one chunk (or of partPackets records) add to
// a file's result. Everything in it is merged into the file's state in
// part order by (*scanner).merge.
type part struct {
	t     tally
	frags []fragEvent // fragments, in packet order

	// The port-0 study's side (set study to fill it).
	study bool
	file  uint32
	// iv is the interval's length in ns (Options.Interval); hours are
	// the intervals seen, by index (start / iv).
	iv          int64
	intervals   []intervalSlot  // intervals seen, in order of appearance
	hidx        map[int64]int32 // index into intervals
	cur         int32           // index of the current interval, -1 for none
	curInterval int64
	// curLo is where the current interval starts when it is positive
	// (times in [curLo, curLo+iv) are in it); 0 otherwise, so that every
	// packet divides.
	curLo int64
	curA  *IntervalAll    // &intervals[cur].a
	curS  *sketch.Scratch // intervals[cur].s
	// scratch are the dense sketches of the first scratchSlots intervals
	// of a part, kept from part to part.
	scratch []*sketch.Scratch
	// dmin and dmax are the smallest and largest IPv4 destination, valid
	// when dseen (a dstRange without its branches).
	dmin, dmax uint32
	dseen      bool
	naive      NaiveFlow
	records    []byte // encoded port-0 records, in packet order
}

// fragEvent is one fragment fed to the fragment table.
type fragEvent struct {
	key   fragKey
	ts    int64
	first bool
}

// intervalSlot is one interval's all-traffic numbers in a part. Its sketch
// is reused from part to part (Compact.Reset): a slot that went dense in
// a busy interval stays dense, so a busy capture adds to a dense sketch
// as an hourly HLL did.
type intervalSlot struct {
	h int64
	a IntervalAll
	// s, when not nil, takes the interval's sources instead of a's
	// sketch, and is merged into the file's at the part's end.
	s *sketch.Scratch
}

// scratchSlots is how many of a part's intervals count their sources in a
// sketch.Scratch (a dense sketch with the list of its registers set): an
// add is one register's compare, where a Compact's sparse list is searched
// on every packet. A part spans one interval of a busy capture and a few
// dozen of a quiet one (a 1 MiB chunk over days of a small telescope);
// past scratchSlots (a second's intervals over a quiet capture) the rest
// keep a Compact, so that a part's memory stays 64 KiB of registers.
const scratchSlots = 64

func (pt *part) reset() {
	pt.t.reset()
	pt.frags = pt.frags[:0]
	pt.intervals = pt.intervals[:0]
	clear(pt.hidx)
	pt.cur, pt.curLo, pt.curA, pt.curS = -1, 0, nil, nil
	if pt.iv == 0 {
		pt.iv = int64(DefaultInterval) // a part no file worker prepared (tests)
	}
	pt.dmin, pt.dmax, pt.dseen = math.MaxUint32, 0, false
	pt.naive = NaiveFlow{}
	pt.records = pt.records[:0]
}

// packet takes one decoded packet.
func (pt *part) packet(d *decoder, p *capture.Packet, r *decode.Record) {
	pt.t.add(p, r)
	if r.Frag >= decode.FragFirst {
		pt.frag(p, r)
	}
	if pt.study && r.IPVersion != 0 {
		pt.tap(d, p, r)
	}
}

// frag lists a fragment for the fragment table.
func (pt *part) frag(p *capture.Packet, r *decode.Record) {
	switch r.Frag {
	case decode.FragFirst:
		pt.frags = append(pt.frags, fragEvent{keyOf(r), p.TS, true})
	case decode.FragNonFirst:
		pt.frags = append(pt.frags, fragEvent{keyOf(r), p.TS, false})
	}
}

// tap is the study's side of one IP packet: the interval's all-traffic
// numbers, the destination range, the naive flow view and, for a
// port-0-related packet, its record.
func (pt *part) tap(d *decoder, p *capture.Packet, r *decode.Record) {
	a := pt.intervalAt(p.TS)
	a.Packets++
	if x := sketch.Hash16((*[16]byte)(&r.Src)); pt.curS != nil {
		pt.curS.AddHash(x) // inlined: the interval's Scratch (scratchSlots)
	} else {
		a.Sources.AddHash(x)
	}
	if r.IPVersion == 4 {
		d := binary.BigEndian.Uint32(r.Dst[12:])
		pt.dmin, pt.dmax, pt.dseen = min(pt.dmin, d), max(pt.dmax, d), true
	}
	pt.naive.add(r)
	if r.Port0Related() {
		d.p0 = newP0Packet(pt.file, p.Index, p.TS, r, p.Data)
		n := len(pt.records)
		pt.records = append(pt.records, make([]byte, RecordLen)...)
		d.p0.encode(pt.records[n:])
	}
}

// intervalAt returns the all-traffic numbers of the interval holding ts. It
// is small enough to inline: a packet in the current interval costs one
// compare.
func (pt *part) intervalAt(ts int64) *IntervalAll {
	if uint64(ts-pt.curLo) >= uint64(pt.iv) || pt.curLo == 0 {
		pt.intervalOf(ts)
	}
	return pt.curA
}

// intervalOf makes the interval holding ts the current one, when it is not.
// It stays out of line so that intervalAt inlines.
//
//go:noinline
func (pt *part) intervalOf(ts int64) {
	if h := ts / pt.iv; pt.cur < 0 || h != pt.curInterval {
		pt.toInterval(h)
	}
}

// plain takes a packet decode.PlainIPv4 accepted (h is its IPv4 header),
// one of those most of a capture is, and does for it what Decode and
// packet together do — the same counts, the same interval sketch and
// destination range; such a packet adds nothing to the fragment table,
// the naive flow view or the port-0 records — without filling a Record.
// TestPlainPath, TestChunkedScan and FuzzChunkedScan hold it to the
// record-by-record scan.
func (pt *part) plain(p *capture.Packet, h *[decode.IPv4MinLen]byte) {
	pt.t.addPlain(p)
	if pt.study {
		a := pt.intervalAt(p.TS)
		a.Packets++
		if x := sketch.Hash4(h[12:16]); pt.curS != nil {
			pt.curS.AddHash(x) // inlined: the interval's Scratch (scratchSlots)
		} else {
			a.Sources.AddHash(x)
		}
		d := binary.BigEndian.Uint32(h[16:20])
		pt.dmin, pt.dmax, pt.dseen = min(pt.dmin, d), max(pt.dmax, d), true
	}
}

// toInterval makes interval h the current one.
func (pt *part) toInterval(h int64) {
	pt.curInterval, pt.curLo = h, 0
	if h > 0 {
		pt.curLo = h * pt.iv // the interval holds exactly [h*iv, (h+1)*iv)
	}
	if i, ok := pt.hidx[h]; ok {
		pt.cur, pt.curA, pt.curS = i, &pt.intervals[i].a, pt.intervals[i].s
		return
	}
	if pt.hidx == nil {
		pt.hidx = map[int64]int32{}
	}
	i := len(pt.intervals)
	if i < cap(pt.intervals) {
		pt.intervals = pt.intervals[:i+1]
		sl := &pt.intervals[i]
		sl.h, sl.a.Packets = h, 0
		sl.a.Sources.Reset()
	} else {
		pt.intervals = append(pt.intervals, intervalSlot{h: h})
	}
	sl := &pt.intervals[i] // after the append, which may move intervals
	sl.s = nil
	if i < scratchSlots {
		if i == len(pt.scratch) {
			pt.scratch = append(pt.scratch, new(sketch.Scratch))
		}
		sl.s = pt.scratch[i]
		sl.s.Reset() // it held an interval of the part before
	}
	pt.cur, pt.curA, pt.curS = int32(i), &sl.a, sl.s
	pt.hidx[h] = pt.cur
}

// merge adds a part to the file's state: counts, fragments (in order),
// and the study's numbers and port-0 records.
func (s *fileWorker) merge(pt *part) {
	s.t.merge(&pt.t)
	for i := range pt.frags {
		e := &pt.frags[i]
		s.frag.seen(&e.key, e.ts, e.first)
	}
	if t := s.tap; t != nil && pt.study {
		for i := range pt.intervals {
			sl := &pt.intervals[i]
			a, _ := t.intervals.get(sl.h)
			a.Add(&sl.a) // the slot's sketch stays the part's
			if sl.s != nil {
				sl.s.MergeInto(&a.Sources)
			}
		}
		if pt.dseen {
			t.dst.Merge(DstRange{Min: pt.dmin, Max: pt.dmax, Seen: true})
		}
		t.naive.Add(&pt.naive)
		t.seg.write(t.spill, pt.records)
	}
	if s.prog != nil {
		s.prog.packets.Add(pt.t.packets)
	}
}

// scanPcap counts every record of a pcap capture, decoding its chunks
// with workers goroutines (one: in this goroutine), and returns the read
// error that ended it, or nil.
func (s *fileWorker) scanPcap(c *capture.Capture, workers int) error {
	if workers <= 1 {
		if s.chunk == nil {
			s.chunk = newChunk(s.chunkSize)
		}
		ch := s.chunk
		for {
			c.ReadChunk(&ch.Chunk)
			s.prepare(&ch.part)
			s.dec.decodeChunk(ch)
			s.merge(&ch.part)
			s.advance(ch.End())
			if ch.Last() {
				return s.ended(ch)
			}
		}
	}
	return s.scanParallel(c, workers)
}

// scanParallel is scanPcap with several decoding goroutines: this one
// reads chunks and merges their parts in order.
func (s *fileWorker) scanParallel(c *capture.Capture, workers int) error {
	nch := 2*workers + 2
	for len(s.pool) < nch {
		s.pool = append(s.pool, newChunk(s.chunkSize))
	}
	free := make(chan *chunk, nch)
	for _, ch := range s.pool[:nch] {
		free <- ch
	}
	work := make(chan *chunk, nch)
	order := make(chan *chunk, nch)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var d decoder
			for ch := range work {
				d.decodeChunk(ch)
				ch.done <- struct{}{}
			}
		}()
	}
	// The reader: chunks in order to the workers and to the merge.
	go func() {
		defer close(work)
		defer close(order)
		for {
			ch := <-free
			c.ReadChunk(&ch.Chunk)
			s.prepare(&ch.part)
			order <- ch
			work <- ch
			if ch.Last() {
				return
			}
		}
	}()
	var err error
	for ch := range order {
		<-ch.done
		s.merge(&ch.part)
		s.advance(ch.End())
		if ch.Last() {
			err = s.ended(ch)
		}
		free <- ch
	}
	wg.Wait()
	return err
}

// prepare readies a part for the current file.
func (s *fileWorker) prepare(pt *part) {
	pt.study = s.tap != nil
	if pt.study {
		pt.file = s.tap.file
	}
	pt.iv = s.interval
	if pt.iv == 0 {
		pt.iv = int64(DefaultInterval)
	}
}

// advance reports the stream offset read up to to the progress line.
func (s *fileWorker) advance(off int64) {
	if s.prog != nil {
		s.prog.advance(s, off)
	}
}

// ended returns the error of the last chunk (nil at a clean end) and
// keeps the bytes of it still in the chunk for skipped.
func (s *fileWorker) ended(ch *chunk) error {
	s.badBytes = ch.BadBytes()
	return ch.Err()
}

// scanRecords counts every record of c read one by one with Next (pcapng,
// and pcap in tests), in parts of partPackets packets.
func (s *fileWorker) scanRecords(c *capture.Capture) error {
	if s.chunk == nil {
		s.chunk = newChunk(s.chunkSize)
	}
	pt := &s.chunk.part
	s.prepare(pt)
	pt.reset()
	d := &s.dec
	var err error
	for {
		if err = c.Next(&d.p); err != nil {
			break
		}
		d.r.Decode(d.p.LinkType, d.p.Data)
		pt.t.link(d.p.LinkType)
		pt.packet(d, &d.p, &d.r)
		if pt.t.packets == partPackets {
			s.merge(pt)
			s.advance(c.Offset())
			pt.reset()
		}
	}
	s.merge(pt)
	s.advance(c.Offset())
	s.badBytes = 0
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
