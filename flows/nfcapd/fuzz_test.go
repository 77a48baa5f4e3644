package nfcapd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"
)

// FuzzReader: whatever the bytes, NewReader and Next end with io.EOF or
// an *Error, in bounded time, without a panic, seekable or streamed. The
// seed corpus (run by plain go test) is every committed fixture, rebuilt
// multi-block copies in each compression, cut copies, and crafted files.
func FuzzReader(f *testing.F) {
	for _, fx := range fixtureFiles {
		data, err := os.ReadFile(fixturePath(fx.name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	p := fixtureParts(f, "frag6-nfpcapd")
	for _, c := range []Compression{None, LZO, LZ4, ZSTD} {
		b := buildFile(f, p.hdr, c, split(p.recs, 2), p.appendix)
		f.Add(b.data)
		f.Add(b.data[:b.blockEnd[0]+5])
	}
	// A header announcing blocks that are not there, a block of records of
	// size 0, a V3 record whose element has length 0, and a stream claiming
	// a huge block.
	hdr := append([]byte(nil), p.hdr...)
	binary.LittleEndian.PutUint32(hdr[36:], 1000)
	binary.LittleEndian.PutUint16(hdr[18:], 0)
	f.Add(hdr)
	f.Add(buildFile(f, p.hdr, None, []block{{blockType3, 3, make([]byte, 16)}}, nil).data)
	f.Add(buildFile(f, p.hdr, None, []block{{blockType3, 1, []byte{11, 0, 16, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}}}, nil).data)
	f.Add(append(append([]byte(nil), p.hdr...), 1, 0, 0, 0, 0xFF, 0xFF, 0x4F, 0, 3, 0, 0, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range inputs {
			r, err := NewReader(in.wrap(data), "fuzz")
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("open: %T %v", err, err)
				}
				continue
			}
			var fl Flow
			n := 0
			for {
				err = r.Next(&fl)
				if err != nil {
					break
				}
				n++
				if n > 1<<24 {
					t.Fatalf("more than %d flows from %d bytes", n, len(data))
				}
			}
			var e *Error
			if err != io.EOF && !errors.As(err, &e) {
				t.Fatalf("next: %T %v", err, err)
			}
			c := r.Counts()
			if c.Flows != int64(n) || c.SkippedBytes < 0 || c.LostBlocks < 0 || c.LostRecords < 0 || c.LostBytes < 0 {
				t.Fatalf("%d flows, counts %+v", n, c)
			}
			if err2 := r.Next(&fl); err2 != err {
				t.Fatalf("not sticky: %v then %v", err, err2)
			}
			r.Close()
		}
	})
}

// TestFuzzSeedsTerminate reads a crafted stream whose block claims 5 MiB
// but holds 12 bytes: an error, not a 5 MiB allocation per claim.
func TestFuzzSeedsTerminate(t *testing.T) {
	p := fixtureParts(t, "frag4-nfpcapd")
	data := append(append([]byte(nil), p.hdr...), 1, 0, 0, 0, 0, 0, 0x50, 0, 3, 0, 0, 0)
	data = append(data, bytes.Repeat([]byte{0}, 12)...)
	r, err := NewReader(onlyReader{bytes.NewReader(data)}, "claim")
	if err != nil {
		t.Fatal(err)
	}
	var f Flow
	if err := r.Next(&f); err == nil || cap(r.raw) > 1<<20 {
		t.Errorf("err %v, buffer %d bytes", err, cap(r.raw))
	}
}
