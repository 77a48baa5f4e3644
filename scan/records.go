package scan

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// Records are the port-0 records of a scan, in input order and, within an
// input, in packet order: one segment per input (and per merged result),
// each held in memory or, once the records of a run pass the memory
// limit, in a spill file of its own. The scan appends a file's records to
// its segment as its parts merge; the study reads them all, in order, as
// often as it needs (Each). A segment's file indices are shifted by its
// base when read, so that merging results renumbers without rewriting.
type Records struct {
	segs  []*segment
	spill *spill
}

// segment is the records of one input (or of one merged result).
type segment struct {
	mem  []byte // encoded records held in memory
	name string // the spill file, when the records are on disk
	w    *bufio.Writer
	f    *os.File
	n    int64  // records
	base uint32 // added to every record's File when read
}

// SpillOptions bound the memory port-0 records take.
type SpillOptions struct {
	// MemLimit is how many bytes of port-0 records (RecordLen each) a run
	// holds in memory; beyond it, the records of an input go to a spill
	// file. 0 means DefaultMemLimit; a negative limit spills every
	// input's records (tests).
	MemLimit int64
	// Dir is where spill files are made; "" means os.TempDir(). They are
	// removed by (*Result).Close.
	Dir string
}

// DefaultMemLimit is the default SpillOptions.MemLimit: 256 MiB, about
// 2.8 million port-0 records.
const DefaultMemLimit = 256 << 20

// spill is the memory budget shared by the segments of one run.
type spill struct {
	opts  SpillOptions
	inMem atomic.Int64 // bytes of records held in memory
	mu    sync.Mutex
	err   error // the first spill error
}

func newSpill(o SpillOptions) *spill {
	if o.MemLimit == 0 {
		o.MemLimit = DefaultMemLimit
	}
	return &spill{opts: o}
}

// spillBuffers are the 64 KiB buffers of spill files: a run over
// thousands of shards may spill as many segments.
var spillBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// Len is the number of records.
func (rs *Records) Len() int64 {
	var n int64
	for _, s := range rs.segs {
		n += s.n
	}
	return n
}

// newSegment adds an empty segment for the records of the next input.
func (rs *Records) newSegment() *segment {
	s := &segment{}
	rs.segs = append(rs.segs, s)
	return s
}

// write appends encoded records (whole multiples of RecordLen) to s,
// spilling it when the run's records pass the memory limit.
func (s *segment) write(sp *spill, b []byte) {
	if len(b) == 0 {
		return
	}
	s.n += int64(len(b) / RecordLen)
	if s.w == nil && sp.inMem.Add(int64(len(b))) <= sp.opts.MemLimit {
		s.mem = append(s.mem, b...)
		return
	}
	if s.w == nil {
		if err := s.spillOut(sp); err != nil {
			sp.fail(err)
			return
		}
		sp.inMem.Add(-int64(len(b)))
	}
	s.w.Write(b) // an error stays in the writer and comes back from close
}

// spillOut moves the segment's records held in memory to a spill file,
// which takes its later records.
func (s *segment) spillOut(sp *spill) error {
	f, err := os.CreateTemp(sp.opts.Dir, "port0-records-*.bin")
	if err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	s.f, s.name = f, f.Name()
	s.w = spillBuffers.Get().(*bufio.Writer)
	s.w.Reset(f)
	s.w.Write(s.mem)
	sp.inMem.Add(-int64(len(s.mem)))
	s.mem = nil
	return nil
}

// close ends the writing of a spilled segment.
func (s *segment) close() error {
	if s.w == nil {
		return nil
	}
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.w.Reset(nil)
	spillBuffers.Put(s.w)
	s.w, s.f = nil, nil
	if err != nil {
		return fmt.Errorf("spill %s: %w", s.name, err)
	}
	return nil
}

func (sp *spill) fail(err error) {
	sp.mu.Lock()
	if sp.err == nil {
		sp.err = err
	}
	sp.mu.Unlock()
}

// Each calls fn for every record in order; fn must not keep p past the
// call. It stops at the first error, fn's or a spill file's.
func (rs *Records) Each(fn func(p *P0Packet) error) error {
	var p P0Packet
	for _, s := range rs.segs {
		each := func(b []byte) error {
			p.decode(b)
			p.File += s.base
			return fn(&p)
		}
		if s.name == "" {
			for off := 0; off+RecordLen <= len(s.mem); off += RecordLen {
				if err := each(s.mem[off : off+RecordLen]); err != nil {
					return err
				}
			}
			continue
		}
		if err := readSpillFile(s.name, s.n, each); err != nil {
			return err
		}
	}
	return nil
}

// spillReaders are the read buffers of spill files.
var spillReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

// ReadRecordFile calls fn with each of the n records of a file of
// records AppendRecord encoded (a study in parts spills its parts' records
// so), of a result with files inputs, decoded and checked as DecodeRecord
// does. fn must not keep the record past the call.
func ReadRecordFile(name string, n int64, files int, fn func(*P0Packet) error) error {
	return readSpillFile(name, n, func(b []byte) error {
		p, err := DecodeRecord(b, files)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return fn(&p)
	})
}

// readSpillFile calls fn with each of the n records of a spill file.
func readSpillFile(name string, n int64, fn func(b []byte) error) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	defer f.Close()
	r := spillReaders.Get().(*bufio.Reader)
	r.Reset(f)
	defer func() { r.Reset(nil); spillReaders.Put(r) }()
	var b [RecordLen]byte
	for i := int64(0); i < n; i++ {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return fmt.Errorf("spill %s: record %d of %d: %w", name, i, n, err)
		}
		if err := fn(b[:]); err != nil {
			return err
		}
	}
	return nil
}

// adopt moves the memory a segment of another result holds from that
// result's budget (from) to this one's, spilling the segment when this
// budget is exceeded: merging results keeps to one memory limit.
func (rs *Records) adopt(s *segment, from *spill) error {
	sp := rs.spill
	if sp == nil || sp == from || s.name != "" || len(s.mem) == 0 {
		return nil
	}
	n := int64(len(s.mem))
	if from != nil {
		from.inMem.Add(-n)
	}
	if sp.inMem.Add(n) <= sp.opts.MemLimit {
		return nil
	}
	if err := s.spillOut(sp); err != nil {
		// The segment stays in memory, in from's budget.
		sp.inMem.Add(-n)
		if from != nil {
			from.inMem.Add(n)
		}
		return err
	}
	return s.close()
}

// close removes the spill files.
func (rs *Records) close() error {
	var errs []error
	for _, s := range rs.segs {
		if err := s.close(); err != nil {
			errs = append(errs, err)
		}
		if s.name != "" {
			if err := os.Remove(s.name); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
		s.mem = nil
	}
	if rs.spill != nil {
		rs.spill.inMem.Store(0)
	}
	rs.segs = nil
	return errors.Join(errs...)
}
