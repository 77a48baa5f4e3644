package nfcapd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
)

// wantFlows reads a committed fixture whole: what a rebuilt copy of it
// must give.
func wantFlows(t *testing.T, name string) []Flow {
	t.Helper()
	r, err := Open(fixturePath(name))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	flows, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return flows
}

// TestRebuiltCompressions lays the realtools records out again in blocks of
// 20, uncompressed and with each compression a Go encoder is at hand for
// (ZSTD among them, which nfdump 1.7.1 cannot write), and reads back the
// same flows.
func TestRebuiltCompressions(t *testing.T) {
	p := fixtureParts(t, "realtools-none")
	want := wantFlows(t, "realtools-none")
	for _, c := range []Compression{None, LZO, LZ4, ZSTD} {
		for _, in := range inputs {
			t.Run(fmt.Sprintf("%v/%s", c, in.name), func(t *testing.T) {
				b := buildFile(t, p.hdr, c, split(p.recs, 20), p.appendix)
				r, err := NewReader(in.wrap(b.data), "rebuilt")
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				got, err := readAll(r)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%d flows differ from the fixture's %d", len(got), len(want))
				}
				if c := r.Counts(); c.Blocks != int64(len(b.blockOff)) || c.Flows != int64(len(want)) {
					t.Errorf("counts %+v", c)
				}
				if st, ok := r.Stat(); !ok || st.Flows != uint64(len(want)) || r.Ident() != "none" {
					t.Errorf("appendix: %+v %v %q", st, ok, r.Ident())
				}
			})
		}
	}
}

// TestTruncated cuts rebuilt multi-block files at many offsets: every cut
// gives an *Error naming the block and its offset, after every flow of
// the blocks before the cut, and counts what it lost.
func TestTruncated(t *testing.T) {
	p := fixtureParts(t, "realtools-none")
	want := wantFlows(t, "realtools-none")
	for _, c := range []Compression{None, LZ4, ZSTD} {
		b := buildFile(t, p.hdr, c, split(p.recs, 20), p.appendix)
		var cuts []int
		for i := range b.blockOff {
			o, e := b.blockOff[i], b.blockEnd[i]
			cuts = append(cuts, o, o+1, o+blockHeaderSize-1, o+blockHeaderSize, (o+e)/2, e-1)
		}
		cuts = append(cuts, b.appendix+1, b.appendix+blockHeaderSize+3, len(b.data)-1)
		for _, in := range inputs {
			for _, cut := range cuts {
				t.Run(fmt.Sprintf("%v/%s/%d", c, in.name, cut), func(t *testing.T) {
					r, err := NewReader(in.wrap(b.data[:cut]), "cut")
					if err != nil {
						t.Fatal(err)
					}
					got, err := readAll(r)
					var e *Error
					if !errors.As(err, &e) {
						t.Fatalf("err %v after %d flows, want an *Error", err, len(got))
					}
					// The flows of every block that ends before the cut.
					k, blk := 0, len(b.blockOff)
					for i, end := range b.blockEnd {
						if end > cut {
							blk = i
							break
						}
						k += b.blockRecs[i]
					}
					if len(got) != k || k > 0 && !reflect.DeepEqual(got, want[:k]) {
						t.Fatalf("%d flows, want the first %d", len(got), k)
					}
					cnt := r.Counts()
					if blk < len(b.blockOff) {
						if e.Block != blk || e.Offset != int64(b.blockOff[blk]) || e.Record != -1 {
							t.Errorf("error at block %d byte %d record %d, want block %d byte %d: %v", e.Block, e.Offset, e.Record, blk, b.blockOff[blk], err)
						}
						wantMsg := fmt.Sprintf("cut: block %d at byte %d: ", blk, b.blockOff[blk])
						if !strings.HasPrefix(err.Error(), wantMsg) {
							t.Errorf("%q does not start with %q", err, wantMsg)
						}
						if cnt.LostBlocks != int64(len(b.blockOff)-blk) || cnt.LostBytes != int64(cut-b.blockOff[blk]) {
							t.Errorf("lost %d blocks, %d bytes; want %d, %d", cnt.LostBlocks, cnt.LostBytes, len(b.blockOff)-blk, cut-b.blockOff[blk])
						}
					} else if e.Block != BlockAppendix || cnt.LostBytes != int64(cut-b.appendix) {
						t.Errorf("cut in the appendix: %v, lost %d bytes, want %d", err, cnt.LostBytes, cut-b.appendix)
					}
					if err2 := r.Next(&Flow{}); err2 != err {
						t.Errorf("error not sticky: %v then %v", err, err2)
					}
				})
			}
		}
	}
}

// TestTruncatedFixtures cuts each committed fixture at several offsets:
// all are single-block files, so a cut in the block loses its flows and a
// cut in the appendix keeps them all.
func TestTruncatedFixtures(t *testing.T) {
	for _, fx := range fixtureFiles {
		data, err := os.ReadFile(fixturePath(fx.name))
		if err != nil {
			t.Fatal(err)
		}
		size := int(binary.LittleEndian.Uint32(data[fileHeaderSize+4:]))
		end := fileHeaderSize + blockHeaderSize + size
		for _, cut := range []int{0, 20, 39, 40, 47, 52, 60, end / 2, end - 1, end, end + 5, len(data) - 1} {
			for _, in := range inputs {
				t.Run(fmt.Sprintf("%s/%s/%d", fx.name, in.name, cut), func(t *testing.T) {
					r, err := NewReader(in.wrap(data[:cut]), fx.name)
					if cut < fileHeaderSize {
						var e *Error
						if !errors.As(err, &e) || e.Block != BlockFileHeader {
							t.Fatalf("err %v, want a file header error", err)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					got, err := readAll(r)
					var e *Error
					if !errors.As(err, &e) {
						t.Fatalf("err %v, want an *Error", err)
					}
					switch {
					case cut < end && (len(got) != 0 || e.Block != 0 || e.Offset != fileHeaderSize):
						t.Errorf("%d flows, %v", len(got), err)
					case cut >= end && (len(got) != fx.flows || e.Block != BlockAppendix):
						t.Errorf("%d flows, %v", len(got), err)
					}
				})
			}
		}
	}
}

// TestDamaged: blocks, records and extensions that are wrong in each way
// the brief of this reader names, each an *Error at the right place after
// every flow before it, never a panic or a loop.
func TestDamaged(t *testing.T) {
	p := fixtureParts(t, "realtools-none")
	want := wantFlows(t, "realtools-none")
	blocks := func() []block {
		bl := split(p.recs[:15], 5)
		for i := range bl {
			bl[i].data = append([]byte(nil), bl[i].data...)
		}
		return bl
	}
	// rec returns the offset of record i in block data d.
	rec := func(d []byte, i int) int {
		q := 0
		for range i {
			q += int(binary.LittleEndian.Uint16(d[q+2:]))
		}
		return q
	}
	le16 := binary.LittleEndian.PutUint16
	tests := []struct {
		name   string
		comp   Compression
		blocks func([]block)      // changes the blocks before the layout
		file   func(built) []byte // changes the file after it
		flows  int                // flows before the error
		block  int
		record int
		msg    string
	}{
		{name: "record size 0", blocks: func(bl []block) { le16(bl[1].data[rec(bl[1].data, 2)+2:], 0) },
			flows: 7, block: 1, record: 2, msg: "record size 0, less than its 4-byte header"},
		{name: "record size 3", blocks: func(bl []block) { le16(bl[1].data[rec(bl[1].data, 2)+2:], 3) },
			flows: 7, block: 1, record: 2, msg: "record size 3"},
		{name: "record past its block", blocks: func(bl []block) { le16(bl[2].data[rec(bl[2].data, 4)+2:], 0xFFFF) },
			flows: 14, block: 2, record: 4, msg: "record of 65535 bytes runs past the end of its block"},
		{name: "more records announced than held", blocks: func(bl []block) { bl[0].nrec++ },
			flows: 5, block: 0, record: 5, msg: "the block ends after 5 of the 6 records it announces"},
		{name: "element length 0", blocks: func(bl []block) { le16(bl[1].data[rec(bl[1].data, 1)+v3HeaderSize+2:], 0) },
			flows: 6, block: 1, record: 1, msg: "element 0 (extension 1) has length 0"},
		{name: "element past its record", blocks: func(bl []block) { le16(bl[1].data[rec(bl[1].data, 1)+v3HeaderSize+2:], 500) },
			flows: 6, block: 1, record: 1, msg: "element 0 (extension 1) of 500 bytes at record byte 12 runs past its end"},
		{name: "more elements announced than held", blocks: func(bl []block) { le16(bl[1].data[rec(bl[1].data, 0)+4:], 9) },
			flows: 5, block: 1, record: 0, msg: "element 2 of 9 starts at record byte 76, past its end"},
		{name: "V3 record shorter than its header", blocks: func(bl []block) {
			bl[2].data = append([]byte{11, 0, 8, 0, 0, 0, 0, 0}, bl[2].data...)
			bl[2].nrec++
		}, flows: 10, block: 2, record: 0, msg: "V3 record of 8 bytes, shorter than its 12-byte header"},
		{name: "block size 0", file: func(b built) []byte {
			binary.LittleEndian.PutUint32(b.data[b.blockOff[1]+4:], 0)
			return b.data
		}, flows: 5, block: 1, record: -1, msg: "block size 0"},
		{name: "block of 0 records", file: func(b built) []byte {
			binary.LittleEndian.PutUint32(b.data[b.blockOff[1]:], 0)
			return b.data
		}, flows: 5, block: 1, record: -1, msg: "block of 0 records"},
		{name: "block larger than nfdump's largest", file: func(b built) []byte {
			binary.LittleEndian.PutUint32(b.data[b.blockOff[2]+4:], maxBlock+1)
			return b.data
		}, flows: 10, block: 2, record: -1, msg: "block size 5242881 exceeds nfdump's largest (5242880)"},
		{name: "block past the end of the file", file: func(b built) []byte {
			binary.LittleEndian.PutUint32(b.data[b.blockOff[2]+4:], uint32(len(b.data)))
			return b.data
		}, flows: 10, block: 2, record: -1, msg: "runs past the end of the file|truncated block"},
		{name: "header announces more blocks", file: func(b built) []byte {
			binary.LittleEndian.PutUint32(b.data[36:], 9)
			return b.data[:b.appendix]
		}, flows: 15, block: 3, record: -1, msg: "the file ends before it"},
		{name: "corrupt LZ4 block", comp: LZ4, file: func(b built) []byte {
			copy(b.data[b.blockOff[1]+blockHeaderSize:], []byte{0x0F, 0xFF, 0xFF})
			return b.data
		}, flows: 5, block: 1, record: -1, msg: "corrupt lz4 block"},
		{name: "corrupt LZO block", comp: LZO, file: func(b built) []byte {
			copy(b.data[b.blockOff[1]+blockHeaderSize:], []byte{0x11, 0, 0})
			return b.data
		}, flows: 5, block: 1, record: -1, msg: "corrupt lzo block (" /* bytes follow the end marker */},
		{name: "corrupt ZSTD block", comp: ZSTD, file: func(b built) []byte {
			copy(b.data[b.blockOff[2]+blockHeaderSize:], []byte{0, 0, 0, 0})
			return b.data
		}, flows: 10, block: 2, record: -1, msg: "corrupt zstd block"},
	}
	for _, tt := range tests {
		for _, in := range inputs {
			t.Run(tt.name+"/"+in.name, func(t *testing.T) {
				bl := blocks()
				if tt.blocks != nil {
					tt.blocks(bl)
				}
				b := buildFile(t, p.hdr, tt.comp, bl, p.appendix)
				data := b.data
				if tt.file != nil {
					data = tt.file(b)
				}
				r, err := NewReader(in.wrap(data), "bad")
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				got, err := readAll(r)
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("err %v after %d flows, want an *Error", err, len(got))
				}
				if !reflect.DeepEqual(got, want[:tt.flows]) {
					t.Errorf("%d flows, want the first %d", len(got), tt.flows)
				}
				matched := false
				for _, m := range strings.Split(tt.msg, "|") {
					matched = matched || strings.Contains(err.Error(), m)
				}
				if e.Block != tt.block || e.Record != tt.record || !matched {
					t.Errorf("%v: want block %d record %d and %q", err, tt.block, tt.record, tt.msg)
				}
				if tt.block >= 0 && tt.block < len(b.blockOff) && e.Offset != int64(b.blockOff[tt.block]) {
					t.Errorf("offset %d, want %d", e.Offset, b.blockOff[tt.block])
				}
				cnt := r.Counts()
				if cnt.LostBlocks < 1 || (tt.record >= 0 && cnt.LostRecords != int64(bl[tt.block].nrec)-int64(tt.record)) {
					t.Errorf("counts %+v", cnt)
				}
				if in.name == "seekable" && tt.record >= 0 && cnt.LostBytes != int64(len(data)-b.blockEnd[tt.block]) {
					t.Errorf("lost %d bytes, want %d", cnt.LostBytes, len(data)-b.blockEnd[tt.block])
				}
			})
		}
	}
}

// TestSkipped: what this reader does not decode it passes over by its
// length, counts, and goes on.
func TestSkipped(t *testing.T) {
	p := fixtureParts(t, "realtools-none")
	want := wantFlows(t, "realtools-none")[:10]
	// An unknown record type and a 1.6-era common record, by their size.
	odd := []byte{0x63, 0, 12, 0, 1, 2, 3, 4, 5, 6, 7, 8}
	common := []byte{recCommon, 0, 8, 0, 9, 9, 9, 9}
	// A V3 record with an unknown extension 200 and a short EXipv4Flow
	// before the usual elements of record 0.
	r0 := p.recs[0]
	v3 := append([]byte(nil), r0[:v3HeaderSize]...)
	v3 = append(v3, 200, 0, 10, 0, 1, 2, 3, 4, 5, 6)
	v3 = append(v3, ExtIPv4Flow, 0, 6, 0, 1, 2)
	v3 = append(v3, r0[v3HeaderSize:]...)
	binary.LittleEndian.PutUint16(v3[2:], uint16(len(v3)))
	binary.LittleEndian.PutUint16(v3[4:], binary.LittleEndian.Uint16(r0[4:])+2)
	// A record with bytes after its last element.
	tail := append(append([]byte(nil), p.recs[1]...), 0, 0, 0, 0)
	binary.LittleEndian.PutUint16(tail[2:], uint16(len(tail)))

	var recs [][]byte
	recs = append(recs, odd, v3, tail, common)
	recs = append(recs, p.recs[2:10]...)
	blocks := split(recs, 4)
	blocks = append(blocks[:1], append([]block{{typ: blockType4, nrec: 1, data: []byte{1, 2, 3, 4}}}, blocks[1:]...)...)
	b := buildFile(t, p.hdr, None, blocks, p.appendix)
	r, err := NewReader(bytes.NewReader(b.data), "skip")
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%d flows, want %d:\n%+v\n%+v", len(got), len(want), got[0], want[0])
	}
	c := r.Counts()
	wantC := Counts{Blocks: 4, Records: 12, Flows: 10, SkippedBlocks: 1, SkippedRecords: 2,
		SkippedExtensions: 1, ShortExtensions: 1, SkippedBytes: 4 + 12 + 8 + 10 + 6 + 4}
	if c != wantC {
		t.Errorf("counts\n%+v, want\n%+v", c, wantC)
	}
}

// TestStreamAppendix: a stream's appendix comes after its flows.
func TestStreamAppendix(t *testing.T) {
	data, err := os.ReadFile(fixturePath("frag6-nfpcapd"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewReader(onlyReader{bytes.NewReader(data)}, "stream")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Stat(); ok || r.Ident() != "" {
		t.Fatal("appendix read before the flows")
	}
	var f Flow
	n := 0
	for r.Next(&f) == nil {
		n++
	}
	if st, ok := r.Stat(); !ok || st.Flows != 4 || n != 4 || r.Ident() != "none" {
		t.Errorf("%d flows; stat %+v %v; ident %q", n, st, ok, r.Ident())
	}
	if err := r.Next(&f); err != io.EOF {
		t.Errorf("after the end: %v", err)
	}
}
