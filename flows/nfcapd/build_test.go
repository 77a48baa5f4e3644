package nfcapd

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// This file builds nfcapd files for the tests from the committed fixtures'
// own bytes: their header, records and appendix, laid out again in more
// blocks or with another compression.

// block is one data block to build: its type, record count and records.
type block struct {
	typ  uint16
	nrec uint32
	data []byte
}

// parts is an uncompressed fixture taken apart.
type parts struct {
	hdr      []byte   // the 40-byte file header
	recs     [][]byte // the records of its data blocks, in order
	appendix []block  // its appendix blocks
}

// fixtureParts takes apart an uncompressed fixture.
func fixtureParts(t testing.TB, name string) parts {
	t.Helper()
	b, err := os.ReadFile(fixturePath(name))
	if err != nil {
		t.Fatal(err)
	}
	if b[16] != byte(None) {
		t.Fatalf("%s is compressed", name)
	}
	p := parts{hdr: b[:fileHeaderSize]}
	nblocks := int(binary.LittleEndian.Uint32(b[36:]))
	napp := int(binary.LittleEndian.Uint16(b[18:]))
	off := fileHeaderSize
	for i := 0; i < nblocks+napp; i++ {
		nrec := binary.LittleEndian.Uint32(b[off:])
		size := int(binary.LittleEndian.Uint32(b[off+4:]))
		typ := binary.LittleEndian.Uint16(b[off+8:])
		data := b[off+blockHeaderSize : off+blockHeaderSize+size]
		if i >= nblocks {
			p.appendix = append(p.appendix, block{typ, nrec, data})
		} else {
			for q := 0; q < len(data); {
				n := int(binary.LittleEndian.Uint16(data[q+2:]))
				p.recs = append(p.recs, data[q:q+n])
				q += n
			}
		}
		off += blockHeaderSize + size
	}
	return p
}

// split puts recs into type-3 blocks of per records each.
func split(recs [][]byte, per int) []block {
	var out []block
	for i := 0; i < len(recs); i += per {
		var b block
		b.typ = blockType3
		for _, r := range recs[i:min(i+per, len(recs))] {
			b.data = append(b.data, r...)
			b.nrec++
		}
		out = append(out, b)
	}
	return out
}

// compress compresses a block's data as nfdump would with c. LZO gets a
// stream of literals (no LZO compressor is at hand; the committed LZO
// fixtures hold real ones).
func compress(t testing.TB, c Compression, data []byte) []byte {
	t.Helper()
	switch c {
	case None:
		return data
	case LZ4:
		var lc lz4.Compressor
		dst := make([]byte, lz4.CompressBlockBound(len(data)))
		n, err := lc.CompressBlock(data, dst)
		if err != nil || n == 0 {
			t.Fatalf("lz4: %d %v", n, err)
		}
		return dst[:n]
	case ZSTD:
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
		if err != nil {
			t.Fatal(err)
		}
		defer enc.Close()
		return enc.EncodeAll(data, nil)
	case LZO:
		return lzoLiterals(data)
	}
	t.Fatalf("cannot compress %v", c)
	return nil
}

// lzoLiterals is an LZO1X stream that copies data as literals, then ends.
func lzoLiterals(data []byte) []byte {
	var out []byte
	n := len(data)
	switch {
	case n == 0:
	case n <= 238:
		out = append(out, byte(17+n))
	case n >= 19:
		out = append(out, 0)
		l := n - 18
		for l > 255 {
			out = append(out, 0)
			l -= 255
		}
		out = append(out, byte(l))
	}
	out = append(out, data...)
	return append(out, 0x11, 0, 0)
}

// built is a file built by buildFile, with where its blocks are.
type built struct {
	data      []byte
	blockOff  []int // file offset of each data block's header
	blockEnd  []int // file offset just past each data block
	appendix  int   // offset of the appendix
	blockRecs []int // records in each data block
}

// buildFile lays out hdr, the data blocks and the appendix blocks with
// compression c.
func buildFile(t testing.TB, hdr []byte, c Compression, blocks, appendix []block) built {
	t.Helper()
	var b built
	out := append([]byte(nil), hdr...)
	out[16] = byte(c)
	put := func(bl block) {
		payload := compress(t, c, bl.data)
		var h [blockHeaderSize]byte
		binary.LittleEndian.PutUint32(h[0:], bl.nrec)
		binary.LittleEndian.PutUint32(h[4:], uint32(len(payload)))
		binary.LittleEndian.PutUint16(h[8:], bl.typ)
		out = append(out, h[:]...)
		out = append(out, payload...)
	}
	for _, bl := range blocks {
		b.blockOff = append(b.blockOff, len(out))
		put(bl)
		b.blockEnd = append(b.blockEnd, len(out))
		b.blockRecs = append(b.blockRecs, int(bl.nrec))
	}
	b.appendix = len(out)
	for _, bl := range appendix {
		put(bl)
	}
	binary.LittleEndian.PutUint16(out[18:], uint16(len(appendix)))
	binary.LittleEndian.PutUint64(out[24:], uint64(b.appendix))
	binary.LittleEndian.PutUint32(out[36:], uint32(len(blocks)))
	b.data = out
	return b
}

// onlyReader hides every method of its reader but Read: a stream.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// inputs are the two ways a Reader meets a file: with its length known
// (and the appendix read at once) and as a stream.
var inputs = []struct {
	name string
	wrap func([]byte) io.Reader
}{
	{"seekable", func(b []byte) io.Reader { return bytes.NewReader(b) }},
	{"stream", func(b []byte) io.Reader { return onlyReader{bytes.NewReader(b)} }},
}
