package capture

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Chunked reading of pcap files.
//
// A pcap file is a 24-byte header and a sequence of records, each a
// 16-byte header that says its length and the captured bytes.
// (*Capture).ReadChunk reads the (decompressed) stream in chunks of whole
// records: it reads a piece at a time into the chunk's buffer and walks
// the record headers while the piece is in cache, to find where the last
// whole record ends (the bytes after it are carried into the next chunk),
// and it knows the index and stream offset of each chunk's first record.
// Read errors are found here, with the checks and messages of
// (*Capture).Next, at the same record. (*Chunk).Record then returns the
// chunk's records one by one, so that a chunk can be decoded on another
// goroutine than the one that read it; the scan merges the results of the
// chunks in chunk order (see the scan package).
//
// pcapng files are read record by record with (*Capture).Next: their
// blocks change the link type, time resolution and byte order as they
// come.

// ChunkSize is the default size of a chunk's buffer. It holds at least one
// record of the largest size (16 + MaxCaplen).
const ChunkSize = 1 << 20

// Chunk is a run of whole pcap records read by (*Capture).ReadChunk, and
// where they came from. Its records alias its buffer, which the next
// ReadChunk into it overwrites.
type Chunk struct {
	buf   []byte // the records are buf[:end]
	end   int
	first int64 // index of the first record
	off   int64 // stream offset of buf[0]
	// link and tsMul are the file's link type and timestamp unit.
	link  LinkType
	tsMul int64

	// err is the *ReadError that ends the file after these records, or
	// nil; bad is how many bytes of the stream from the failed record on
	// are in buf (counted as skipped for compressed input and stdin).
	err  error
	bad  int64
	last bool // no chunk follows
}

// NewChunk returns a chunk with a buffer of size bytes (0: ChunkSize). A
// chunk smaller than a record grows to hold it.
func NewChunk(size int) *Chunk {
	if size <= 0 {
		size = ChunkSize
	}
	return &Chunk{buf: make([]byte, size)}
}

// Len is the length of the chunk's records: (*Chunk).Record takes the
// positions from 0 up to Len.
func (ch *Chunk) Len() int { return ch.end }

// First is the index of the chunk's first record in its file.
func (ch *Chunk) First() int64 { return ch.first }

// End is the stream offset just after the chunk's last whole record.
func (ch *Chunk) End() int64 { return ch.off + int64(ch.end) }

// Link is the link type of every record of the chunk.
func (ch *Chunk) Link() LinkType { return ch.link }

// Last reports whether the file ends after this chunk, cleanly (Err nil)
// or with a read error.
func (ch *Chunk) Last() bool { return ch.last }

// Err is the *ReadError that ends the file after this chunk's records, or
// nil.
func (ch *Chunk) Err() error { return ch.err }

// BadBytes is how many bytes of the stream from the failed record on are
// in the chunk's buffer: for compressed input and stdin, what the capture
// has read past a read error (see (*Capture).Skipped).
func (ch *Chunk) BadBytes() int64 { return ch.bad }

// Record fills p with the record at position pos of the chunk and returns
// the position of the next one. Positions start at 0 and end at Len; p.Index
// must hold the record's index (First for position 0) and is not changed,
// p.LinkType is not set (it is Link for every record). p.Data aliases the
// chunk.
func (ch *Chunk) Record(pos int, p *Packet) int {
	// The walk of ReadChunk left every header little-endian (leSwap).
	// Two loads: seconds and fraction, captured and original length.
	b := ch.buf[pos:]
	t, l := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
	start := pos + RecordLen
	end := start + int(uint32(l))
	p.Data = ch.buf[start:end:end]
	p.OrigLen = uint32(l >> 32)
	p.TS = int64(uint32(t))*1e9 + int64(t>>32)*ch.tsMul
	p.Offset = ch.off + int64(pos)
	return end
}

// recordHeader returns the fields of a pcap record header: seconds, the
// fraction of a second (µs or ns, as the file header says), the captured
// and the original length. be is the file's byte order.
func recordHeader(h *[RecordLen]byte, be bool) (sec, frac, caplen, orig uint32) {
	sec = binary.LittleEndian.Uint32(h[0:])
	frac = binary.LittleEndian.Uint32(h[4:])
	caplen = binary.LittleEndian.Uint32(h[8:])
	orig = binary.LittleEndian.Uint32(h[12:])
	if be {
		sec, frac = bits.ReverseBytes32(sec), bits.ReverseBytes32(frac)
		caplen, orig = bits.ReverseBytes32(caplen), bits.ReverseBytes32(orig)
	}
	return sec, frac, caplen, orig
}

// leSwap turns a big-endian record header into a little-endian one, in
// place: the walk does it to every whole record of a big-endian file, so
// that (*Chunk).Record reads one byte order, without a branch.
func leSwap(h *[RecordLen]byte) {
	for i := 0; i < RecordLen; i += 4 {
		h[i], h[i+1], h[i+2], h[i+3] = h[i+3], h[i+2], h[i+1], h[i]
	}
}

// chunker is the state of a Capture's chunked reading.
type chunker struct {
	started bool
	pend    []byte // bytes of a record cut by the end of the previous chunk
	rerr    error  // the first error the stream returned (io.EOF at its end)
	piece   int    // the most bytes read at once
}

// readPiece is the most bytes ReadChunk reads at once (ReadOptions.ChunkRead
// sets another, for tests).
const readPiece = 128 << 10

// ReadChunk fills ch with the next whole records of a pcap capture (not
// one read by record: ByRecord). ch.Last is set when the file ends after them, cleanly
// or with a read error (ch.Err). Records and ReadChunk are not to be mixed
// on one capture.
func (c *Capture) ReadChunk(ch *Chunk) {
	k := &c.chunks
	if !k.started {
		k.started, k.pend, k.rerr, k.piece = true, k.pend[:0], nil, c.opts.ChunkRead
		if k.piece <= 0 {
			k.piece = readPiece
		}
	}
	ch.first, ch.off, ch.link, ch.tsMul = c.index, c.off, c.link, c.tsMul
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
			if pos, failed = c.walk(ch, pos, have); failed {
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
	case rest < RecordLen:
		err = c.truncated(c.off, "record header", RecordLen, rest, k.rerr)
	default:
		_, _, caplen, _ := recordHeader((*[RecordLen]byte)(ch.buf[pos:]), c.be)
		err = c.truncated(c.off, "record", RecordLen+int(caplen), rest, k.rerr)
	}
	c.finish(ch, pos, have, err)
}

// walk walks the record headers of ch.buf[pos:have] and returns where
// the first record that is not whole there starts; failed reports a
// record whose captured length is absurd, which ends the file (finish).
func (c *Capture) walk(ch *Chunk, pos, have int) (_ int, failed bool) {
	for {
		rest := have - pos
		if rest < RecordLen {
			return pos, false
		}
		_, _, caplen, _ := recordHeader((*[RecordLen]byte)(ch.buf[pos:]), c.be)
		if caplen > MaxCaplen {
			c.finish(ch, pos, have, c.fail(c.off, fmt.Sprintf("absurd captured length %d (limit %d)", caplen, MaxCaplen), nil))
			return pos, true
		}
		n := RecordLen + int(caplen)
		if rest < n {
			return pos, false
		}
		if c.be {
			leSwap((*[RecordLen]byte)(ch.buf[pos:]))
		}
		pos += n
		c.off += int64(n)
		c.index++
	}
}

// finish ends the file after the records before pos; err, when not nil,
// is the read error at pos.
func (c *Capture) finish(ch *Chunk, pos, have int, err error) {
	ch.end, ch.last, ch.err = pos, true, err
	if err != nil {
		ch.bad = int64(have - pos)
	}
	c.done = true
}
