package scan

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/port0/port0/sketch"
)

// Result is what a scan hands the study: the counts of every input, and,
// when the port-0 side was collected (Options.Port0), the all-traffic
// numbers of every interval, the destination range, the naive flow view and the
// port-0 records. It is a value: results of disjoint inputs merge exactly
// (Merge), and a result is written and read back whole (WriteTo,
// ReadResult), so that a scan on one machine and the study on another
// give what one run gives. Close removes its spill files.
type Result struct {
	// Inputs is the number of captures given (after folder expansion).
	Inputs int
	// Files holds one entry per input, in input order.
	Files []FileSummary
	// Total is the sum of the Counts of every file.
	Total Counts
	// ReadErrors lists every read error, in input order.
	ReadErrors []ReadErrorInfo
	// Port0 reports whether the port-0 side below was collected.
	Port0 bool
	// NaiveFlow is the port-0 volume a flow exporter would report.
	NaiveFlow NaiveFlow
	// Interval is the length of the intervals of Intervals (set with the
	// port-0 side; 0 without it).
	Interval time.Duration
	// Intervals holds the all-traffic numbers of every interval with a
	// packet, by index: the interval's start (ns since the epoch) divided
	// by Interval.
	Intervals Intervals
	// Dst is the range of IPv4 destinations of all traffic, from which
	// the telescope is inferred.
	Dst DstRange
	// Records are the port-0-related packets, in input order.
	Records Records
}

// newResult returns an empty result for n inputs.
func newResult(n int, port0 bool, so SpillOptions) *Result {
	r := &Result{Inputs: n, Files: make([]FileSummary, n), Total: newCounts(), ReadErrors: []ReadErrorInfo{}, Port0: port0}
	if port0 {
		r.Records.spill = newSpill(so)
	}
	return r
}

// Close removes the result's spill files; its records are gone after it.
func (r *Result) Close() error { return r.Records.close() }

// DropRecords removes the result's port-0 records (and their spill
// files), keeping everything else: what is left is the counts of its
// inputs, as a pipeline that sends the records on by another way combines
// them. It still has the port-0 side (Port0), with no records.
func (r *Result) DropRecords() error {
	sp := r.Records.spill
	err := r.Records.close()
	r.Records.spill = sp
	return err
}

// Merge appends o, a result of other inputs, to r: o's inputs follow r's
// (their port-0 records renumbered), counts add up, hours merge (packets
// add, sketches take the register-wise maximum), ranges widen. So merging
// the results of the two halves of a list of inputs gives the result of
// the whole list. o's records move to r: o is empty after it. Results of
// which one has the port-0 side and the other not do not merge, nor
// results with their intervals of different lengths.
func (r *Result) Merge(o *Result) error {
	if r.Port0 != o.Port0 && r.Inputs > 0 && o.Inputs > 0 {
		return errors.New("merge: a result with the port-0 study's data and one without (made with -count-only)")
	}
	if r.Port0 && o.Port0 && r.Inputs > 0 && o.Inputs > 0 && r.Interval != o.Interval {
		return fmt.Errorf("merge: a result made with -interval %v and one made with -interval %v: time series of different intervals do not merge; analyze every part with the same -interval", r.Interval, o.Interval)
	}
	// o's records join r's memory budget first, spilling where it is
	// exceeded: that can fail (a spill file), and then r is unchanged and
	// o keeps its records.
	if r.Records.spill != nil {
		for _, s := range o.Records.segs {
			if err := r.Records.adopt(s, o.Records.spill); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
		}
	}
	if r.Inputs == 0 {
		r.Port0, r.Interval = o.Port0, o.Interval
	}
	base := uint32(len(r.Files))
	r.Inputs += o.Inputs
	r.Files = append(r.Files, o.Files...)
	r.Total.Add(&o.Total)
	r.ReadErrors = append(r.ReadErrors, o.ReadErrors...)
	if r.ReadErrors == nil {
		r.ReadErrors = []ReadErrorInfo{} // written [], never null
	}
	r.NaiveFlow.Add(&o.NaiveFlow)
	r.Intervals.merge(&o.Intervals)
	r.Dst.Merge(o.Dst)
	if r.Records.spill == nil {
		r.Records.spill = o.Records.spill
	}
	for _, s := range o.Records.segs {
		s.base += base
		r.Records.segs = append(r.Records.segs, s)
	}
	o.Records.segs = nil
	*o = Result{}
	return nil
}

// The encoding of a Result, little-endian:
//
//	magic "P0RESULT", version uint32 (resultVersion)
//	meta:    length uint32, then that many bytes of JSON (resultMeta)
//	hours:   count uint64, then per interval (in increasing order) its
//	         index int64, packets int64 and its sketch
//	         (sketch.Compact.AppendEncoding: a uint16 head, then the
//	         list's entries or the 1,024 dense registers)
//	records: count uint64, then count records of RecordLen bytes
//	end:     "P0END\n"
//
// The decoder checks every length against a bound and against what
// follows, that the meta is exactly what WriteTo writes of it (its
// interval one Options.Interval takes, and 0 without the port-0 side),
// every sketch (sketch.Compact.Decode), every record field that has a range (and that each address is in its
// family's form), the order of the hours and the end mark, and never
// panics; what it accepts, WriteTo writes back byte for byte
// (FuzzReadResult).
const (
	resultMagic   = "P0RESULT"
	resultEnd     = "P0END\n"
	resultVersion = 4 // 2: intervals of any length, sparse sketches; 3: records with the tunnel and outer addresses; 4: records with DF, ack quirk and TCP options
	maxMeta       = 1 << 30
	maxIntervals  = 1 << 36 // 2,000 years of seconds
)

// resultMeta is the JSON part of the encoding.
type resultMeta struct {
	Inputs     int             `json:"inputs"`
	Files      []FileSummary   `json:"files"`
	Total      Counts          `json:"total"`
	ReadErrors []ReadErrorInfo `json:"read_errors"`
	Port0      bool            `json:"port0"`
	NaiveFlow  NaiveFlow       `json:"naive_flow"`
	Dst        DstRange        `json:"dst"`
	IntervalS  int64           `json:"interval_s"`
}

// metaOf is the JSON part of r's encoding in its one form, the form
// ReadResult accepts: lists and maps empty, never null.
func metaOf(r *Result) resultMeta {
	m := resultMeta{r.Inputs, append([]FileSummary{}, r.Files...), r.Total, r.ReadErrors, r.Port0, r.NaiveFlow, r.Dst, int64(r.Interval / time.Second)}
	if m.ReadErrors == nil {
		m.ReadErrors = []ReadErrorInfo{}
	}
	m.Total.Add(&Counts{}) // nil maps become empty ones; the others are unchanged
	for i := range m.Files {
		m.Files[i].Counts.Add(&Counts{})
	}
	return m
}

// metaJSON is the JSON of metaOf(r). encoding/json writes the bytes of a
// string that are not UTF-8 (a file name may hold any) as \ufffd, which
// reads back as the replacement character and is written then as itself:
// such a meta is written as it reads back, so that WriteTo writes the one
// form ReadResult accepts.
func metaJSON(r *Result) ([]byte, error) {
	b, err := json.Marshal(metaOf(r))
	if err != nil || !bytes.Contains(b, []byte(`\ufffd`)) {
		return b, err
	}
	var m resultMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// WriteTo writes the result's encoding to w.
func (r *Result) WriteTo(w io.Writer) (int64, error) {
	if r.Inputs != len(r.Files) {
		return 0, fmt.Errorf("scan result: %d inputs but %d files: not a result Run or Merge made", r.Inputs, len(r.Files))
	}
	cw := &countWriter{w: bufio.NewWriterSize(w, resultBuffer)}
	cw.write([]byte(resultMagic))
	cw.u32(resultVersion)
	meta, err := metaJSON(r)
	if err != nil {
		return 0, err
	}
	cw.u32(uint32(len(meta)))
	cw.write(meta)
	cw.u64(uint64(r.Intervals.Len()))
	var sk []byte
	for h, a := range r.Intervals.All() {
		cw.u64(uint64(h))
		cw.u64(uint64(a.Packets))
		sk = a.Sources.AppendEncoding(sk[:0])
		cw.write(sk)
	}
	cw.u64(uint64(r.Records.Len()))
	var b [RecordLen]byte
	err = r.Records.Each(func(p *P0Packet) error {
		p.encode(b[:])
		cw.write(b[:])
		return cw.err
	})
	if err != nil {
		return cw.n, err
	}
	cw.write([]byte(resultEnd))
	if cw.err == nil {
		cw.err = cw.w.Flush()
	}
	return cw.n, cw.err
}

// resultBuffer is the buffer WriteTo and ReadResult put in front of their
// writer and reader: large enough for a file's throughput, small enough
// that a pipeline encoding thousands of small results a second does not
// spend its time clearing buffers.
const resultBuffer = 64 << 10

type countWriter struct {
	w   *bufio.Writer
	n   int64
	err error
	b   [8]byte
}

func (c *countWriter) write(b []byte) {
	if c.err == nil {
		var n int
		n, c.err = c.w.Write(b)
		c.n += int64(n)
	}
}

func (c *countWriter) u32(v uint32) {
	binary.LittleEndian.PutUint32(c.b[:], v)
	c.write(c.b[:4])
}

func (c *countWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(c.b[:], v)
	c.write(c.b[:])
}

// ReadResult reads a result that WriteTo wrote. Its records are held as a
// scan holds them, spilled to disk past so's limit. A damaged or foreign
// input is an error that says what is wrong and where; it never panics.
func ReadResult(rd io.Reader, so SpillOptions) (*Result, error) {
	r := &resultReader{r: bufio.NewReaderSize(rd, resultBuffer)}
	m, meta, err := r.meta()
	if err != nil {
		return nil, err
	}
	res := newResult(0, m.Port0, so)
	res.Inputs, res.Files, res.Total, res.ReadErrors, res.NaiveFlow, res.Dst = m.Inputs, m.Files, m.Total, m.ReadErrors, m.NaiveFlow, m.Dst
	res.Interval = time.Duration(m.IntervalS) * time.Second
	if res.Files == nil {
		res.Files = []FileSummary{}
	}
	if res.ReadErrors == nil {
		res.ReadErrors = []ReadErrorInfo{}
	}
	res.Total.Add(&Counts{}) // non-nil maps
	for i := range res.Files {
		res.Files[i].Counts.Add(&Counts{})
	}
	if err := r.body(res, m, meta); err != nil {
		res.Close()
		return nil, err
	}
	return res, nil
}

// body checks the meta res was made from (m, written as meta) and reads
// the rest: the intervals, the records and the end mark.
func (r *resultReader) body(res *Result, m *resultMeta, meta []byte) error {
	// Only the meta WriteTo writes is read: no other spacing, key order,
	// escaping, unknown or missing key, so that one result has one encoding.
	metaAt := int64(len(resultMagic) + 8)
	canon, err := metaJSON(res)
	if err != nil || !bytes.Equal(canon, meta) {
		return r.badAt(metaAt, "meta is not as WriteTo writes it (edited, or from another program)", err)
	}
	if iv := m.IntervalS; m.Port0 && (iv <= 0 || iv > 86400 || CheckInterval(time.Duration(iv)*time.Second) != nil) || !m.Port0 && iv != 0 {
		return r.badAt(metaAt, fmt.Sprintf("meta: an interval of %d s (with the port-0 side: %v)", iv, m.Port0), nil)
	}
	if err := r.intervals(res); err != nil {
		return err
	}
	if err := r.records(res); err != nil {
		return err
	}
	return r.end()
}

// resultReader reads the parts of a result WriteTo wrote, knowing the
// offset of each byte for its errors.
type resultReader struct {
	r   *bufio.Reader
	off int64
	b8  [8]byte
}

// badAt is the error of what is wrong at byte at (err, when not nil, its
// cause; io.EOF there is a cut).
func (r *resultReader) badAt(at int64, what string, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return fmt.Errorf("scan result: at byte %d: %s: %w", at, what, err)
	}
	return fmt.Errorf("scan result: at byte %d: %s", at, what)
}

// bad is badAt the current offset.
func (r *resultReader) bad(what string, err error) error { return r.badAt(r.off, what, err) }

func (r *resultReader) read(b []byte) error {
	n, err := io.ReadFull(r.r, b)
	r.off += int64(n)
	return err
}

func (r *resultReader) u64() (uint64, error) {
	err := r.read(r.b8[:])
	return binary.LittleEndian.Uint64(r.b8[:]), err
}

// meta reads the header (magic and version) and the meta, returning it
// decoded and as it was written.
func (r *resultReader) meta() (*resultMeta, []byte, error) {
	var head [len(resultMagic) + 4]byte
	if err := r.read(head[:]); err != nil {
		return nil, nil, r.bad("header", err)
	}
	if string(head[:len(resultMagic)]) != resultMagic {
		return nil, nil, r.bad("not a port0 scan result (magic "+fmt.Sprintf("%q", head[:len(resultMagic)])+")", nil)
	}
	if v := binary.LittleEndian.Uint32(head[len(resultMagic):]); v != resultVersion {
		return nil, nil, r.bad(fmt.Sprintf("version %d, this port0 reads version %d", v, resultVersion), nil)
	}
	if err := r.read(r.b8[:4]); err != nil {
		return nil, nil, r.bad("meta length", err)
	}
	n := binary.LittleEndian.Uint32(r.b8[:4])
	if n > maxMeta {
		return nil, nil, r.bad(fmt.Sprintf("meta length %d above %d", n, maxMeta), nil)
	}
	meta := make([]byte, 0, min(n, 1<<20))
	for len(meta) < int(n) { // grows with what is there, not with what the length says
		k := min(int(n)-len(meta), 1<<20)
		meta = append(meta, make([]byte, k)...)
		if err := r.read(meta[len(meta)-k:]); err != nil {
			return nil, nil, r.bad("meta", err)
		}
	}
	var m resultMeta
	if err := json.Unmarshal(meta, &m); err != nil {
		return nil, nil, r.bad("meta", err)
	}
	if m.Inputs != len(m.Files) {
		return nil, nil, r.bad(fmt.Sprintf("meta: %d inputs but %d files", m.Inputs, len(m.Files)), nil)
	}
	return &m, meta, nil
}

// intervals reads the intervals' packets and sketches into res.
func (r *resultReader) intervals(res *Result) error {
	n, err := r.u64()
	if err != nil {
		return r.bad("interval count", err)
	}
	if n > maxIntervals || !res.Port0 && n > 0 {
		return r.bad(fmt.Sprintf("interval count %d", n), nil)
	}
	var body [sketch.CompactDense]byte
	prev := int64(0)
	for i := uint64(0); i < n; i++ {
		iv, err := r.u64()
		if err != nil {
			return r.bad("interval", err)
		}
		if i > 0 && int64(iv) <= prev {
			return r.bad(fmt.Sprintf("interval %d after interval %d: intervals must increase", int64(iv), prev), nil)
		}
		prev = int64(iv)
		p, err := r.u64()
		if err != nil {
			return r.bad("interval packets", err)
		}
		a, _ := res.Intervals.get(int64(iv)) // new: the indexes increase
		a.Packets = int64(p)
		at := r.off
		if err := r.read(r.b8[:2]); err != nil {
			return r.bad("interval sketch", err)
		}
		head := binary.LittleEndian.Uint16(r.b8[:2])
		k, ok := sketch.EncodedLen(head)
		if !ok {
			return r.badAt(at, fmt.Sprintf("interval %d: sketch head %d", int64(iv), head), nil)
		}
		if err := r.read(body[:k]); err != nil {
			return r.bad("interval sketch", err)
		}
		if err := a.Sources.Decode(head, body[:k]); err != nil {
			return r.badAt(at, fmt.Sprintf("interval %d", int64(iv)), err)
		}
	}
	return nil
}

// records reads the port-0 records into res, checking each.
func (r *resultReader) records(res *Result) error {
	n, err := r.u64()
	if err != nil {
		return r.bad("record count", err)
	}
	if !res.Port0 && n > 0 {
		return r.bad(fmt.Sprintf("record count %d in a result without the port-0 side", n), nil)
	}
	seg := res.Records.newSegment()
	var buf [64 * RecordLen]byte
	for left := n; left > 0; {
		k := min(left, 64)
		b := buf[:k*RecordLen]
		start := r.off
		if err := r.read(b); err != nil {
			return r.bad(fmt.Sprintf("record %d of %d", n-left+uint64(r.off-start)/RecordLen, n), err)
		}
		for j := 0; j < len(b); j += RecordLen {
			if err := check(b[j:j+RecordLen], len(res.Files)); err != nil {
				return r.badAt(start+int64(j), fmt.Sprintf("record %d", n-left+uint64(j/RecordLen)), err)
			}
		}
		seg.write(res.Records.spill, b)
		left -= k
	}
	if err := seg.close(); err != nil {
		return err
	}
	if sp := res.Records.spill; sp != nil && sp.err != nil { // nil: a count-only result
		return sp.err
	}
	return nil
}

// end reads the end mark, and nothing after it.
func (r *resultReader) end() error {
	var end [len(resultEnd)]byte
	if err := r.read(end[:]); err != nil || string(end[:]) != resultEnd {
		return r.bad("no end mark: the result is cut or damaged", err)
	}
	if _, err := r.r.ReadByte(); err != io.EOF {
		return r.bad("bytes after the end mark", nil)
	}
	return nil
}
