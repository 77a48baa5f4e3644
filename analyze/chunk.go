package analyze

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"sync"
)

// Chunked reading of pcap files.
//
// A pcap file is a 24-byte header and a sequence of records, each a
// 16-byte header that says its length and the captured bytes. The scan
// reads the (decompressed) stream in chunks of whole records: one
// goroutine reads a chunk and walks the record headers to find where the
// last whole record ends (the bytes after it are carried into the next
// chunk), and knows the index and stream offset of each chunk's first
// record. A chunk is then decoded and counted into its own part, and the
// parts are merged into the file's state in chunk order. So the chunks of
// one file can be decoded by several goroutines at once while the result
// stays what one goroutine reading record by record finds:
//
//   - counts (tally), hourly packets and distinct sources (HLL), the
//     destination range and the naive flow view are sums, maxima and
//     register-wise maxima: merged in any order, they give the same result;
//   - the spool records of a chunk are encoded into the part and written
//     to the spool in chunk order, so the spool is the same file;
//   - fragments are the one state that crosses chunks (a datagram's first
//     fragment may be in an earlier chunk than its other fragments): a
//     part only lists its fragments (key, time, first or not) in packet
//     order, and the merge feeds them to the file's one fragment table in
//     chunk order, which sees the very sequence a sequential scan feeds
//     it;
//   - read errors are found by the goroutine that walks the headers, with
//     the checks and messages of (*Capture).Next, at the same record.
//
// pcapng files are read record by record with (*Capture).Next (their
// blocks change the link type, time resolution and byte order as they
// come) into parts of partPackets packets, merged the same way.

// chunkSize is the bytes of a chunk's buffer. It holds at least one record
// of the largest size (16 + MaxCaplen).
const chunkSize = 1 << 20

// partPackets is how many packets a part of a record-by-record (pcapng)
// scan holds before it is merged.
const partPackets = 1 << 14

// chunk is a run of whole pcap records and, once decoded, their part.
type chunk struct {
	buf   []byte // the records are buf[:end]
	end   int
	first int64 // index of the first record
	off   int64 // stream offset of buf[0]
	// link, tsMul and be are the file's link type, timestamp unit and byte
	// order.
	link  LinkType
	tsMul int64
	be    bool

	// err is the *ReadError that ends the file after these records, or
	// nil; bad is how many bytes of the stream from the failed record on
	// are in buf (counted as skipped for compressed input and stdin).
	err  error
	bad  int64
	last bool // no chunk follows

	part part
	done chan struct{} // receives once part is filled (parallel scan)
}

func newChunk(size int) *chunk {
	if size <= 0 {
		size = chunkSize
	}
	return &chunk{buf: make([]byte, size), done: make(chan struct{}, 1)}
}

// chunker reads one pcap stream into chunks.
type chunker struct {
	c     *Capture
	pend  []byte // bytes of a record cut by the end of the previous chunk
	rerr  error  // the first error the stream returned (io.EOF at its end)
	piece int    // the most bytes read at once
}

// start readies k for c, reading at most piece bytes at once (0:
// readPiece).
func (k *chunker) start(c *Capture, piece int) {
	if piece <= 0 {
		piece = readPiece
	}
	k.c, k.pend, k.rerr, k.piece = c, k.pend[:0], nil, piece
}

// next fills ch with the next whole records. ch.last is set when the file
// ends after them, cleanly (ch.err nil) or with a read error.
func (k *chunker) next(ch *chunk) {
	c := k.c
	ch.first, ch.off, ch.link, ch.tsMul, ch.be = c.index, c.off, c.link, c.tsMul, c.be
	ch.err, ch.bad, ch.last = nil, 0, false
	have := copy(ch.buf, k.pend)
	if have < len(k.pend) { // a chunk smaller than one record (tests)
		ch.buf = append(ch.buf[:0], k.pend...)
		have = len(ch.buf)
	}
	k.pend = k.pend[:0]
	pos := 0
	for {
		for {
			// What the header reads left in the buffered reader, then
			// straight from the stream, without copying through it, a
			// piece at a time: each piece's headers are walked while
			// the piece is still in this core's cache.
			if have < len(ch.buf) && k.rerr == nil {
				r := c.src
				if c.br.Buffered() > 0 {
					r = c.br
				}
				n, err := r.Read(ch.buf[have:min(len(ch.buf), have+k.piece)])
				have += n
				if err != nil {
					k.rerr = err
				}
			}
			var failed bool
			if pos, failed = k.walk(ch, pos, have); failed {
				return
			}
			if have == len(ch.buf) || k.rerr != nil {
				break
			}
		}
		if k.rerr != nil {
			break
		}
		if pos > 0 || have < len(ch.buf) {
			// Carry the cut record into the next chunk.
			k.pend = append(k.pend, ch.buf[pos:have]...)
			ch.end = pos
			return
		}
		// Not one whole record fits: grow the buffer (only chunk sizes
		// below a record, as tests use, get here).
		ch.buf = append(ch.buf, make([]byte, len(ch.buf))...)
	}
	// The stream has ended; the records before pos are whole.
	rest := have - pos
	var err error
	switch {
	case rest == 0 && ioErr(k.rerr) == nil:
		err = nil // a clean end
	case rest < pcapRecordLen:
		err = c.truncated(c.off, "record header", pcapRecordLen, rest, k.rerr)
	default:
		n := pcapRecordLen + int(c.u32(ch.buf[pos+8:]))
		err = c.truncated(c.off, "record", n, rest, k.rerr)
	}
	k.finish(ch, pos, have, err)
}

// walk walks the record headers of ch.buf[pos:have] and returns where
// the first record that is not whole there starts; failed reports a
// record whose captured length is absurd, which ends the file (finish).
func (k *chunker) walk(ch *chunk, pos, have int) (_ int, failed bool) {
	c := k.c
	for {
		rest := have - pos
		if rest < pcapRecordLen {
			return pos, false
		}
		caplen := c.u32(ch.buf[pos+8:])
		if caplen > MaxCaplen {
			k.finish(ch, pos, have, c.fail(c.off, fmt.Sprintf("absurd captured length %d (limit %d)", caplen, MaxCaplen), nil))
			return pos, true
		}
		n := pcapRecordLen + int(caplen)
		if rest < n {
			return pos, false
		}
		pos += n
		c.off += int64(n)
		c.index++
	}
}

// readPiece is the most bytes the chunker reads at once.
const readPiece = 128 << 10

// finish ends the file after the records before pos; err, when not nil,
// is the read error at pos.
func (k *chunker) finish(ch *chunk, pos, have int, err error) {
	ch.end, ch.last, ch.err = pos, true, err
	if err != nil {
		ch.bad = int64(have - pos)
	}
	k.c.done = true
}

// decoder is one goroutine's scratch space for decoding: the packet, the
// record and the spool record.
type decoder struct {
	p  Packet
	r  Record
	p0 P0Packet
}

// decodeChunk decodes and counts every record of ch into ch.part, which
// it resets first. It allocates nothing per packet.
func (d *decoder) decodeChunk(ch *chunk) {
	pt := &ch.part
	pt.reset()
	b := ch.buf[:ch.end]
	p := &d.p
	p.LinkType, p.Index = ch.link, ch.first
	tsMul, be := ch.tsMul, ch.be
	for pos := 0; pos < len(b); {
		h := (*[pcapRecordLen]byte)(b[pos:])
		sec := binary.LittleEndian.Uint32(h[0:])
		frac := binary.LittleEndian.Uint32(h[4:])
		caplen := binary.LittleEndian.Uint32(h[8:])
		orig := binary.LittleEndian.Uint32(h[12:])
		if be {
			sec, frac = bits.ReverseBytes32(sec), bits.ReverseBytes32(frac)
			caplen, orig = bits.ReverseBytes32(caplen), bits.ReverseBytes32(orig)
		}
		start := pos + pcapRecordLen
		end := start + int(caplen)
		p.Data = b[start:end:end]
		p.OrigLen = orig
		p.TS = int64(sec)*1e9 + int64(frac)*tsMul
		p.Offset = ch.off + int64(pos)
		if !pt.plain(p) {
			d.r.Decode(p.LinkType, p.Data)
			pt.packet(d, p, &d.r)
		}
		p.Index++
		pos = end
	}
	if n := p.Index - ch.first; n > 0 {
		pt.t.linkN(ch.link, n)
	}
}

// part is what the packets of one chunk (or of partPackets records) add to
// a file's result. Everything in it is merged into the file's state in
// part order by (*scanner).merge.
type part struct {
	t     tally
	frags []fragEvent // fragments, in packet order

	// The port-0 study's side (set study to fill it).
	study   bool
	file    uint32
	hours   []hourSlot      // hours seen, in order of appearance
	hidx    map[int64]int32 // index into hours
	cur     int32           // index of the current hour, -1 for none
	curHour int64
	// curLo is where the current hour starts when it is positive (times
	// in [curLo, curLo+1h) are in it); 0 otherwise, so that every packet
	// divides.
	curLo int64
	curA  *HourAll // &hours[cur].a
	// dmin and dmax are the smallest and largest IPv4 destination, valid
	// when dseen (a dstRange without its branches).
	dmin, dmax uint32
	dseen      bool
	naive      NaiveFlow
	spool      []byte // encoded spool records, in packet order
}

// fragEvent is one fragment fed to the fragment table.
type fragEvent struct {
	key   fragKey
	ts    int64
	first bool
}

// hourSlot is one hour's all-traffic numbers in a part.
type hourSlot struct {
	h int64
	a HourAll
}

func (pt *part) reset() {
	pt.t.reset()
	pt.frags = pt.frags[:0]
	pt.hours = pt.hours[:0]
	clear(pt.hidx)
	pt.cur, pt.curLo, pt.curA = -1, 0, nil
	pt.dmin, pt.dmax, pt.dseen = math.MaxUint32, 0, false
	pt.naive = NaiveFlow{}
	pt.spool = pt.spool[:0]
}

// packet takes one decoded packet.
func (pt *part) packet(d *decoder, p *Packet, r *Record) {
	pt.t.add(p, r)
	if r.Frag >= FragFirst {
		pt.frag(p, r)
	}
	if pt.study && r.IPVersion != 0 {
		pt.tap(d, p, r)
	}
}

// frag lists a fragment for the fragment table.
func (pt *part) frag(p *Packet, r *Record) {
	switch r.Frag {
	case FragFirst:
		pt.frags = append(pt.frags, fragEvent{keyOf(r), p.TS, true})
	case FragNonFirst:
		pt.frags = append(pt.frags, fragEvent{keyOf(r), p.TS, false})
	}
}

// tap is the study's side of one IP packet: the hourly all-traffic
// numbers, the destination range, the naive flow view and, for a
// port-0-related packet, its spool record.
func (pt *part) tap(d *decoder, p *Packet, r *Record) {
	a := pt.hourAt(p.TS)
	a.Packets++
	a.Sources.add16((*[16]byte)(&r.Src))
	if r.IPVersion == 4 {
		d := binary.BigEndian.Uint32(r.Dst[12:])
		pt.dmin, pt.dmax, pt.dseen = min(pt.dmin, d), max(pt.dmax, d), true
	}
	pt.naive.add(r)
	if r.Port0Related() {
		d.p0 = newP0Packet(pt.file, p.Index, p.TS, r, udpPayload(p, r))
		n := len(pt.spool)
		pt.spool = append(pt.spool, make([]byte, spoolRecLen)...)
		d.p0.encode(pt.spool[n:])
	}
}

// hourAt returns the all-traffic numbers of the hour holding ts. It is
// small enough to inline: a packet in the current hour costs one compare.
func (pt *part) hourAt(ts int64) *HourAll {
	if uint64(ts-pt.curLo) >= 3600e9 || pt.curLo == 0 {
		pt.hourOf(ts)
	}
	return pt.curA
}

// hourOf makes the hour holding ts the current hour, when it is not.
// It stays out of line so that hourAt inlines.
//
//go:noinline
func (pt *part) hourOf(ts int64) {
	if h := ts / 3600e9; pt.cur < 0 || h != pt.curHour {
		pt.hour(h)
	}
}

// plain takes the packets most of a capture is, an unfragmented IPv4 TCP
// or UDP packet over Ethernet or raw IP with a 20-byte IP header, a whole
// transport header (TCP options absent or in a layout optionLayout
// knows), no port 0 and nothing malformed, and does for it what Decode
// and packet together do — the same counts, the same hourly sketch and
// destination range; such a packet adds nothing to the fragment table,
// the naive flow view or the spool — without filling a Record. It reports
// false, doing nothing, for every other packet, which takes the full path.
// TestChunkedScan and FuzzChunkedScan hold it to the record-by-record scan.
func (pt *part) plain(p *Packet) bool {
	b := p.Data
	switch {
	case p.LinkType == LinkEthernet:
		if len(b) < ethHdrLen || binary.BigEndian.Uint16(b[12:14]) != etherIPv4 {
			return false
		}
		b = b[ethHdrLen:]
	case isRawLink(p.LinkType):
	default:
		return false
	}
	if len(b) < ipv4MinLen {
		return false
	}
	h := (*[ipv4MinLen]byte)(b)
	tl := int(binary.BigEndian.Uint16(h[2:4]))
	if h[0] != 0x45 || tl < ipv4MinLen || binary.BigEndian.Uint16(h[6:8])&0x3fff != 0 {
		return false // options, a bad header, or a fragment
	}
	l4 := b[ipv4MinLen:min(tl, len(b))]
	switch h[9] {
	case ProtoTCP:
		if len(l4) < tcpMinLen {
			return false
		}
		hl := int(l4[12]>>4) * 4
		if hl < tcpMinLen || hl > len(l4) {
			return false
		}
		if hl > tcpMinLen {
			if _, _, _, _, ok := optionLayout(l4[tcpMinLen:hl]); !ok {
				return false
			}
		}
	case ProtoUDP:
		if len(l4) < udpHdrLen || binary.BigEndian.Uint16(l4[4:6]) < udpHdrLen {
			return false
		}
	default:
		return false
	}
	if binary.BigEndian.Uint16(l4[0:2]) == 0 || binary.BigEndian.Uint16(l4[2:4]) == 0 {
		return false
	}
	pt.t.addPlain(p)
	if pt.study {
		a := pt.hourAt(p.TS)
		a.Packets++
		a.Sources.addHash(hash4(h[12:16]))
		d := binary.BigEndian.Uint32(h[16:20])
		pt.dmin, pt.dmax, pt.dseen = min(pt.dmin, d), max(pt.dmax, d), true
	}
	return true
}

// hour makes h the current hour.
func (pt *part) hour(h int64) {
	pt.curHour, pt.curLo = h, 0
	if h > 0 {
		pt.curLo = h * 3600e9 // the hour holds exactly [h*1h, (h+1)*1h)
	}
	if i, ok := pt.hidx[h]; ok {
		pt.cur, pt.curA = i, &pt.hours[i].a
		return
	}
	if pt.hidx == nil {
		pt.hidx = map[int64]int32{}
	}
	i := len(pt.hours)
	if i < cap(pt.hours) {
		pt.hours = pt.hours[:i+1]
		pt.hours[i].h, pt.hours[i].a = h, HourAll{}
	} else {
		pt.hours = append(pt.hours, hourSlot{h: h})
	}
	pt.cur, pt.curA = int32(i), &pt.hours[i].a // after the append, which may move hours
	pt.hidx[h] = pt.cur
}

// merge adds a part to the file's state: counts, fragments (in order),
// and the study's numbers and spool records.
func (s *scanner) merge(pt *part) {
	s.t.merge(&pt.t)
	for i := range pt.frags {
		e := &pt.frags[i]
		s.frag.seen(&e.key, e.ts, e.first)
	}
	if t := s.tap; t != nil && pt.study {
		for i := range pt.hours {
			sl := &pt.hours[i]
			if a := t.hours[sl.h]; a != nil {
				a.add(&sl.a)
			} else {
				t.hours[sl.h] = t.newHour(&sl.a)
			}
		}
		if pt.dseen {
			t.dst.merge(dstRange{Min: pt.dmin, Max: pt.dmax, Seen: true})
		}
		t.naive.Add(&pt.naive)
		t.spool.write(pt.spool)
	}
	if s.prog != nil {
		s.prog.packets.Add(pt.t.packets)
	}
}

// scanPcap counts every record of a pcap capture, decoding its chunks
// with workers goroutines (one: in this goroutine), and returns the read
// error that ended it, or nil.
func (s *scanner) scanPcap(c *Capture, workers int) error {
	s.chunker.start(c, s.readPiece)
	if workers <= 1 {
		if s.chunk == nil {
			s.chunk = newChunk(s.chunkSize)
		}
		ch := s.chunk
		for {
			s.chunker.next(ch)
			s.prepare(&ch.part)
			s.dec.decodeChunk(ch)
			s.merge(&ch.part)
			s.advance(ch.off + int64(ch.end))
			if ch.last {
				return s.ended(ch)
			}
		}
	}
	return s.scanParallel(workers)
}

// scanParallel is scanPcap with several decoding goroutines: this one
// reads chunks and merges their parts in order.
func (s *scanner) scanParallel(workers int) error {
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
			s.chunker.next(ch)
			s.prepare(&ch.part)
			order <- ch
			work <- ch
			if ch.last {
				return
			}
		}
	}()
	var err error
	for ch := range order {
		<-ch.done
		s.merge(&ch.part)
		s.advance(ch.off + int64(ch.end))
		if ch.last {
			err = s.ended(ch)
		}
		free <- ch
	}
	wg.Wait()
	return err
}

// prepare readies a part for the current file.
func (s *scanner) prepare(pt *part) {
	pt.study = s.tap != nil
	if pt.study {
		pt.file = s.tap.file
	}
}

// advance reports the stream offset read up to to the progress line.
func (s *scanner) advance(off int64) {
	if s.prog != nil {
		s.prog.advance(s, off)
	}
}

// ended returns the error of the last chunk (nil at a clean end) and
// keeps the bytes of it still in the chunk for skipped.
func (s *scanner) ended(ch *chunk) error {
	s.badBytes = ch.bad
	if ch.err == nil {
		return nil
	}
	return ch.err
}

// scanRecords counts every record of c read one by one with Next (pcapng,
// and pcap in tests), in parts of partPackets packets.
func (s *scanner) scanRecords(c *Capture) error {
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
			s.advance(c.off)
			pt.reset()
		}
	}
	s.merge(pt)
	s.advance(c.off)
	s.badBytes = 0
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}
