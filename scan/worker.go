package scan

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/port0/port0/capture"
)

// fileWorker is one file worker's state, reused from file to file: the
// decoder's scratch space, the chunk buffers and the fragment table are
// allocated once.
type fileWorker struct {
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
func (s *fileWorker) file(name string, r io.Reader) FileSummary {
	fs := FileSummary{File: name, Counts: newCounts()}
	var c *capture.Capture
	var err error
	if r != nil {
		c, err = capture.NewWith(name, r, s.readOptions())
		s.fileSize, s.counted = 0, 0
	} else {
		c, err = capture.OpenWith(name, s.readOptions())
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
func (s *fileWorker) readOptions() capture.ReadOptions {
	o := s.read
	if s.readPiece > 0 {
		o.ChunkRead = s.readPiece
	}
	return o
}

// scan counts every packet of c into s.t and returns the read error that
// ended it, or nil at a clean end. It allocates nothing per packet.
func (s *fileWorker) scan(c *capture.Capture) error { return s.scanWith(c, 1) }

// scanWith is scan with the chunks of a pcap capture decoded by workers
// goroutines.
func (s *fileWorker) scanWith(c *capture.Capture, workers int) error {
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
