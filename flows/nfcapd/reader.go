package nfcapd

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

var le = binary.LittleEndian

// Counts says what a Reader has read, passed over and lost.
type Counts struct {
	// Blocks is the number of data blocks read; Records the records in
	// them (every type); Flows the V3 records returned by Next.
	Blocks, Records, Flows int64
	// SkippedBlocks counts blocks of a type this reader does not decode:
	// nfdump 1.6's type 2 (in a file whose compression nfdump -J changed)
	// and array blocks (type 4), which nfdump skips too.
	SkippedBlocks int64
	// SkippedRecords counts records of a type it does not decode (1.6-era
	// common records, nbar, interface and VRF name records, and any newer
	// type), passed over by their size.
	SkippedRecords int64
	// SkippedExtensions counts extension elements of an ID it does not
	// decode, passed over by their length; ShortExtensions those of a
	// known ID too short for their layout, passed over likewise.
	SkippedExtensions, ShortExtensions int64
	// SkippedBytes counts the bytes of the skipped blocks, records and
	// extensions, and bytes a block or record holds after its last item.
	SkippedBytes int64
	// LostBlocks, LostRecords and LostBytes say what a damaged file kept
	// from the reader: the data blocks from the damaged one on; the
	// records the damaged block announced and did not give (the bad one
	// included); the file's bytes from the damaged block's header (for a
	// bad record: from the end of its block) to the end of the file, or -1
	// when the input's length is unknown and could not be read.
	LostBlocks, LostRecords, LostBytes int64
}

// Reader reads the flows of one nfcapd file.
type Reader struct {
	name   string
	br     *bufio.Reader
	closer io.Closer
	size   int64 // file size, -1 if unknown
	off    int64 // file offset of the next byte br gives

	hdr        Header
	oldSampler bool

	// The current block.
	block     int    // index of the current data block
	blockOff  int64  // file offset of its header
	blockRecs uint32 // records it announced
	rec       int    // records of it read
	pos       int    // offset of the next record in blk
	blk       []byte // its records, decompressed
	raw       []byte // its bytes as stored
	dec       []byte // decompression buffer
	bz        *bytes.Reader
	zd        *zstd.Decoder

	appendixDone bool
	appendixErr  error
	ident        string
	stat         Stat
	hasStat      bool
	exporters    []Exporter
	samplers     []Sampler
	expStats     []ExporterStat

	counts Counts
	err    error // sticky: io.EOF or an *Error
}

// Open opens the nfcapd file at path. The caller must Close the Reader.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := newReader(f, path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// NewReader reads an nfcapd file from rd, naming it name in errors. When
// rd is also an io.ReaderAt whose length is known (an *os.File, a
// *bytes.Reader, an *io.SectionReader), the appendix (ident and stat
// record, at the end of the file) is read at once; otherwise when Next
// reaches it. Close does not close rd.
func NewReader(rd io.Reader, name string) (*Reader, error) {
	return newReader(rd, name, nil)
}

func newReader(rd io.Reader, name string, closer io.Closer) (*Reader, error) {
	r := &Reader{name: name, closer: closer, size: -1, block: -1}
	r.br = bufio.NewReaderSize(rd, 64<<10)
	ra, _ := rd.(io.ReaderAt)
	switch v := rd.(type) {
	case *os.File:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			if pos, err := v.Seek(0, io.SeekCurrent); err == nil && pos == 0 {
				r.size = fi.Size()
			}
		}
	case interface{ Size() int64 }:
		if s, ok := rd.(io.Seeker); ok {
			if pos, err := s.Seek(0, io.SeekCurrent); err == nil && pos == 0 {
				r.size = v.Size()
			}
		}
	}
	if err := r.readFileHeader(); err != nil {
		return nil, err
	}
	if r.size >= 0 && ra != nil {
		r.readAppendixAt(ra)
	}
	return r, nil
}

// Header returns the file header.
func (r *Reader) Header() Header { return r.hdr }

// Name returns the name the Reader was opened with.
func (r *Reader) Name() string { return r.name }

// Ident returns the ident string of the appendix ("none" unless the
// collector was given -I), or "" when the appendix is not read yet.
func (r *Reader) Ident() string { return r.ident }

// Stat returns the stat record of the appendix, and false when it is not
// read (yet: a stream's appendix comes after the last flow).
func (r *Reader) Stat() (Stat, bool) { return r.stat, r.hasStat }

// Exporters returns the exporter records read so far. nfcapd writes an
// exporter's record before its first flow; nfpcapd writes none.
func (r *Reader) Exporters() []Exporter { return r.exporters }

// ExporterStats returns the exporter stat entries read so far (nfcapd
// writes them when it closes the file, after the flows).
func (r *Reader) ExporterStats() []ExporterStat { return r.expStats }

// Samplers returns the sampler records read so far, each before the first
// flow it applies to.
func (r *Reader) Samplers() []Sampler { return r.samplers }

// Sampler returns the sampler that nfcapd 1.7.1 applied to a sampled flow
// (netflow_v9.c:1100-1140, ipfix.c alike): the one whose ID is the flow's
// EXsamplerInfo ID if any, else the exporter's overwrite (-3), generic
// (-1) or default (-2) sampler, in that order. false when f is not sampled
// or no sampler of its exporter is known.
func (r *Reader) Sampler(f *Flow) (Sampler, bool) {
	if !f.Sampled() {
		return Sampler{}, false
	}
	var over, generic, def *Sampler
	for i := range r.samplers {
		s := &r.samplers[i]
		if s.ExporterSysID != f.ExporterID {
			continue
		}
		switch {
		case f.HasSamplerInfo && s.ID == f.SamplerID:
			return *s, true
		case s.ID == -3:
			over = s
		case s.ID == -1:
			generic = s
		case s.ID == -2:
			def = s
		}
	}
	for _, s := range []*Sampler{over, generic, def} {
		if s != nil {
			return *s, true
		}
	}
	return Sampler{}, false
}

// Counts returns what the Reader has read, skipped and lost so far.
func (r *Reader) Counts() Counts { return r.counts }

// Close releases the Reader and closes the file Open opened.
func (r *Reader) Close() error {
	if r.zd != nil {
		r.zd.Close()
		r.zd = nil
	}
	if r.closer != nil {
		c := r.closer
		r.closer = nil
		return c.Close()
	}
	return nil
}

func (r *Reader) fileErr(msg string, err error) *Error {
	return &Error{File: r.name, Block: BlockFileHeader, Record: -1, Msg: msg, err: err}
}

// readFileHeader reads and checks the 40-byte file header.
func (r *Reader) readFileHeader() error {
	var b [fileHeaderSize]byte
	n, err := io.ReadFull(r.br, b[:])
	r.off = int64(n)
	if n >= 4 {
		m, v := le.Uint16(b[0:]), le.Uint16(b[2:])
		switch {
		case m == magicSwapped:
			return r.fileErr("written on a big-endian host (magic 0x0CA5); this reader reads little-endian files only", nil)
		case m != magic:
			return r.fileErr(fmt.Sprintf("not an nfcapd file (magic 0x%04X, want 0xA50C)", m), nil)
		case v == layoutVersion1:
			return r.fileErr("an nfdump 1.6 file (layout 1); nfdump 1.7 converts it: nfdump -r "+r.name+" -w NEW", nil)
		case v != layoutVersion2:
			return r.fileErr(fmt.Sprintf("unknown layout version %d (want 2, nfdump 1.7)", v), nil)
		}
	}
	if err != nil {
		if n == 0 {
			return r.fileErr("empty file", nil)
		}
		return r.fileErr(fmt.Sprintf("truncated: %d of %d bytes", n, fileHeaderSize), nil)
	}
	h := Header{
		Version:        le.Uint16(b[2:]),
		NfdVersion:     le.Uint32(b[4:]),
		Created:        time.Unix(int64(le.Uint64(b[8:])), 0).UTC(),
		Compression:    Compression(b[16]),
		Encryption:     b[17],
		AppendixBlocks: le.Uint16(b[18:]),
		Creator:        le.Uint32(b[20:]),
		AppendixOffset: int64(le.Uint64(b[24:])),
		BlockSize:      le.Uint32(b[32:]),
		NumBlocks:      le.Uint32(b[36:]),
	}
	r.hdr = h
	r.oldSampler = h.samplerInfoV171()
	if h.Encryption != 0 {
		return r.fileErr(fmt.Sprintf("encrypted (encryption %d); nfdump cannot read it either", h.Encryption), nil)
	}
	if h.Compression > ZSTD {
		return r.fileErr(fmt.Sprintf("unknown compression %d (nfdump 1.7 writes 0 none, 1 LZO, 2 BZ2, 3 LZ4, 4 ZSTD); "+
			"the nfdump that wrote it rewrites it uncompressed: nfdump -r %s -w NEW", h.Compression, r.name), nil)
	}
	return nil
}

// readBlock reads the block whose header is at off from rd into r.blk,
// decompressed. It returns the block's type and record count.
func (r *Reader) readBlock(rd io.Reader, off int64, mkErr func(string, error) *Error) (uint16, uint32, error) {
	var h [blockHeaderSize]byte
	n, err := io.ReadFull(rd, h[:])
	if err != nil {
		r.off += int64(n)
		if n == 0 && err == io.EOF {
			return 0, 0, mkErr("the file ends before it", nil)
		}
		if err == io.ErrUnexpectedEOF {
			return 0, 0, mkErr(fmt.Sprintf("truncated block header: %d of %d bytes", n, blockHeaderSize), nil)
		}
		return 0, 0, mkErr("reading the block header", err)
	}
	r.off += blockHeaderSize
	nrec, size, typ := le.Uint32(h[0:]), le.Uint32(h[4:]), le.Uint16(h[8:])
	// nffile.c:1023: nfdump calls any of these corrupt.
	switch {
	case size == 0:
		return typ, nrec, mkErr("block size 0", nil)
	case size > maxBlock:
		return typ, nrec, mkErr(fmt.Sprintf("block size %d exceeds nfdump's largest (%d)", size, maxBlock), nil)
	case nrec == 0:
		return typ, nrec, mkErr("block of 0 records", nil)
	case r.size >= 0 && off+blockHeaderSize+int64(size) > r.size:
		return typ, nrec, mkErr(fmt.Sprintf("block of %d bytes runs past the end of the file (%d bytes)", size, r.size), nil)
	}
	// Read the block in steps, so that a size the stream does not hold
	// costs no more memory than the bytes it does.
	r.raw = r.raw[:0]
	for len(r.raw) < int(size) {
		step := min(int(size)-len(r.raw), 256<<10)
		r.raw = grow(r.raw, step)
		m, err := io.ReadFull(rd, r.raw[len(r.raw):len(r.raw)+step])
		r.raw = r.raw[:len(r.raw)+m]
		r.off += int64(m)
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return typ, nrec, mkErr(fmt.Sprintf("truncated block: %d of %d bytes", len(r.raw), size), nil)
			}
			return typ, nrec, mkErr("reading the block", err)
		}
	}
	if err := r.decompress(); err != nil {
		return typ, nrec, mkErr(fmt.Sprintf("corrupt %s block (%d bytes)", r.hdr.Compression, size), err)
	}
	return typ, nrec, nil
}

// grow returns b with room for n more bytes.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	c := make([]byte, len(b), max(2*cap(b), len(b)+n))
	copy(c, b)
	return c
}

var errTooBig = errors.New("decompresses to more than nfdump's largest block")

// decompress turns r.raw into r.blk. nfdump 1.7.1 compresses every block
// with the file's compression and ignores FLAG_BLOCK_UNCOMPRESSED on
// reading (nffile.c:1039-1058), and so does this reader.
func (r *Reader) decompress() error {
	switch r.hdr.Compression {
	case None:
		r.blk = r.raw
		return nil
	case LZO:
		out, err := lzo1xDecompress(r.dec, r.raw, maxBlock)
		r.dec = out[:0]
		r.blk = out
		return err
	case LZ4:
		// LZ4 block format: LZ4_compress_default / LZ4_decompress_safe
		// (nffile.c:224-268). The decompressed size is not stored, but an
		// LZ4 block expands at most 255-fold (a length byte of 255 per 255
		// bytes of match): start at 8 times the block and double up to
		// that bound, where a failure is a corrupt block.
		bound := min(maxBlock, 256*len(r.raw)+64)
		n := min(bound, max(64<<10, 8*len(r.raw), cap(r.dec)))
		for {
			if cap(r.dec) < n {
				r.dec = make([]byte, n)
			}
			m, err := lz4.UncompressBlock(r.raw, r.dec[:n])
			if err == nil {
				r.blk = r.dec[:m]
				return nil
			}
			if n >= bound {
				return err
			}
			n = min(bound, 2*n)
		}
	case BZ2:
		// A whole bzip2 stream per block, level 9 (nffile.c:270-332).
		if r.bz == nil {
			r.bz = bytes.NewReader(nil)
		}
		r.bz.Reset(r.raw)
		out, err := readUpTo(r.dec, bzip2.NewReader(r.bz), maxBlock)
		r.dec = out[:0]
		r.blk = out
		return err
	case ZSTD:
		// One ZSTD frame per block, ZSTD_compress / ZSTD_decompress
		// (nffile.c:481-526 at the current source; nfdump 1.7.3 and later).
		if r.zd == nil {
			zd, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxBlock), zstd.WithDecoderLowmem(true))
			if err != nil {
				return err
			}
			r.zd = zd
		}
		out, err := r.zd.DecodeAll(r.raw, r.dec[:0])
		if err == nil && len(out) > maxBlock {
			err = errTooBig
		}
		r.dec = out[:0]
		r.blk = out
		return err
	}
	return fmt.Errorf("unknown compression %d", r.hdr.Compression)
}

// readUpTo reads rd to its end into buf[:0], failing past max bytes.
func readUpTo(buf []byte, rd io.Reader, max int) ([]byte, error) {
	out := buf[:0]
	for {
		out = grow(out, 64<<10)
		n, err := rd.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if len(out) > max {
			return out, errTooBig
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// readAppendixAt reads the appendix of a file of known size through ra.
// A damaged appendix is kept in r.appendixErr for Next to report after
// the last flow.
func (r *Reader) readAppendixAt(ra io.ReaderAt) {
	if r.hdr.AppendixBlocks == 0 {
		r.appendixDone = true
		return
	}
	off := r.hdr.AppendixOffset
	if off < fileHeaderSize || off >= r.size {
		r.appendixDone = true
		r.appendixErr = &Error{File: r.name, Block: BlockAppendix, Offset: off, Record: -1,
			Msg: fmt.Sprintf("appendix offset %d lies outside the file (%d bytes)", off, r.size)}
		return
	}
	save := r.off
	r.readAppendix(io.NewSectionReader(ra, off, r.size-off), off)
	r.off = save
}

// readAppendix reads the appendix blocks from rd, which starts at file
// offset off: the ident and stat records (nffile.c:334-406).
func (r *Reader) readAppendix(rd io.Reader, off int64) {
	r.appendixDone = true
	for i := 0; i < int(r.hdr.AppendixBlocks); i++ {
		blockOff := off
		mkErr := func(msg string, err error) *Error {
			return &Error{File: r.name, Block: BlockAppendix, Index: i, Offset: blockOff, Record: -1, Msg: msg, err: err}
		}
		r.off = off
		if _, _, err := r.readBlock(rd, off, mkErr); err != nil {
			r.appendixErr = err
			return
		}
		off = r.off
		for p := 0; p < len(r.blk); {
			if p+4 > len(r.blk) {
				break
			}
			typ, size := le.Uint16(r.blk[p:]), int(le.Uint16(r.blk[p+2:]))
			if size < 4 || p+size > len(r.blk) {
				e := mkErr(fmt.Sprintf("record of %d bytes does not fit the block's %d", size, len(r.blk)-p), nil)
				e.Record, e.RecordOffset = 0, p
				r.appendixErr = e
				return
			}
			data := r.blk[p+4 : p+size]
			switch typ {
			case typeIdent:
				if i := bytes.IndexByte(data, 0); i >= 0 {
					data = data[:i]
				}
				r.ident = string(data)
			case typeStat:
				if len(data) >= statRecordSize {
					r.stat = parseStat(data)
					r.hasStat = true
				}
			}
			p += size
		}
	}
	r.blk = nil
}

func parseStat(b []byte) Stat {
	u := func(i int) uint64 { return le.Uint64(b[8*i:]) }
	return Stat{
		Flows: u(0), Bytes: u(1), Packets: u(2),
		FlowsTCP: u(3), FlowsUDP: u(4), FlowsICMP: u(5), FlowsOther: u(6),
		BytesTCP: u(7), BytesUDP: u(8), BytesICMP: u(9), BytesOther: u(10),
		PacketsTCP: u(11), PacketsUDP: u(12), PacketsICMP: u(13), PacketsOther: u(14),
		First: int64(u(15)) * 1e6, Last: int64(u(16)) * 1e6,
		SequenceFailures: u(17),
	}
}

// Next fills f with the next flow. It returns io.EOF after the last, or
// an *Error for a damaged file (and then the same error again). Next
// allocates nothing per record.
func (r *Reader) Next(f *Flow) error {
	for r.err == nil {
		if r.rec < int(r.blockRecs) {
			if r.nextRecord(f) {
				return nil
			}
			continue
		}
		if r.block >= 0 && r.pos < len(r.blk) {
			r.counts.SkippedBytes += int64(len(r.blk) - r.pos)
			r.pos = len(r.blk)
		}
		r.nextBlock()
	}
	return r.err
}

// fail makes err the Reader's last word and counts what it loses: lost
// file bytes from lostFrom on.
func (r *Reader) fail(err *Error, lostFrom int64) {
	r.err = err
	r.blk = nil
	r.counts.LostBlocks = int64(r.hdr.NumBlocks) - int64(r.block)
	if r.size >= 0 {
		r.counts.LostBytes = max(0, r.size-lostFrom)
		return
	}
	n, cerr := io.Copy(io.Discard, r.br)
	if cerr != nil {
		r.counts.LostBytes = -1
		return
	}
	r.counts.LostBytes = max(0, r.off+n-lostFrom)
}

// nextBlock reads the next data block, or the appendix, or ends.
func (r *Reader) nextBlock() {
	r.blockRecs, r.rec, r.pos = 0, 0, 0
	if r.block+1 >= int(r.hdr.NumBlocks) {
		r.block = int(r.hdr.NumBlocks)
		if !r.appendixDone {
			r.streamAppendix()
		}
		if r.appendixErr != nil {
			r.err = r.appendixErr
			if r.size >= 0 {
				r.counts.LostBytes = max(0, r.size-r.hdr.AppendixOffset)
			} else if n, err := io.Copy(io.Discard, r.br); err == nil {
				r.counts.LostBytes = max(0, r.off+n-r.hdr.AppendixOffset)
			} else {
				r.counts.LostBytes = -1
			}
			return
		}
		r.err = io.EOF
		return
	}
	r.block++
	r.blockOff = r.off
	block, off := r.block, r.off
	mkErr := func(msg string, err error) *Error {
		return &Error{File: r.name, Block: block, Offset: off, Record: -1, Msg: msg, err: err}
	}
	typ, nrec, err := r.readBlock(r.br, off, mkErr)
	if err != nil {
		var e *Error
		errors.As(err, &e)
		r.fail(e, off)
		r.counts.LostRecords = int64(nrec)
		return
	}
	r.counts.Blocks++
	if typ != blockType3 {
		r.counts.SkippedBlocks++
		r.counts.SkippedBytes += int64(len(r.blk))
		r.pos = len(r.blk)
		return
	}
	r.blockRecs = nrec
}

// streamAppendix reads the appendix of a stream, which follows the last
// data block.
func (r *Reader) streamAppendix() {
	r.appendixDone = true
	if r.hdr.AppendixBlocks == 0 {
		return
	}
	off := r.hdr.AppendixOffset
	if off < r.off {
		r.appendixErr = &Error{File: r.name, Block: BlockAppendix, Offset: off, Record: -1,
			Msg: fmt.Sprintf("appendix offset %d lies before the end of the data blocks (%d)", off, r.off)}
		return
	}
	if n, err := r.br.Discard(int(min(off-r.off, 1<<40))); err != nil {
		r.off += int64(n)
		r.appendixErr = &Error{File: r.name, Block: BlockAppendix, Offset: off, Record: -1,
			Msg: fmt.Sprintf("the file ends at byte %d, before its appendix", r.off)}
		return
	}
	r.off = off
	r.readAppendix(r.br, off)
}
