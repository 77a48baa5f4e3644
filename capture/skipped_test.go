package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/port0/port0/internal/testcap"
)

// badPcap is a pcap of three good records and one whose captured length
// is absurd: the read error is at byte len(badPcap)-RecordLen.
func badPcap() []byte {
	b := memPcap(3)
	le := binary.LittleEndian
	b = le.AppendUint32(b, 1546300800)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, MaxCaplen+1)
	return le.AppendUint32(b, MaxCaplen+1)
}

// zstdZeros is a zstd frame of n zero bytes made of RLE blocks: 4 bytes
// for every 128 KiB, so 16 GiB take 512 KiB.
func zstdZeros(n int64) []byte {
	b := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 7 << 3} // no content size, no checksum; a 128 KiB window
	for n > 0 {
		k := min(n, 128<<10)
		n -= k
		h := uint32(k)<<3 | 1<<1 // an RLE block of k bytes
		if n == 0 {
			h |= 1 // the last block
		}
		b = append(b, byte(h), byte(h>>8), byte(h>>16), 0)
	}
	return b
}

// gzipOf is b as one gzip member.
func gzipOf(t *testing.T, b []byte) []byte {
	var z bytes.Buffer
	zw, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(b)
	zw.Close()
	return z.Bytes()
}

// repeat reads b n times (a gzip stream of n members, here), without
// holding them.
type repeat struct {
	b    []byte
	n, i int
	off  int
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.i == r.n {
		return 0, io.EOF
	}
	k := copy(p, r.b[r.off:])
	if r.off += k; r.off == len(r.b) {
		r.off, r.i = 0, r.i+1
	}
	return k, nil
}

// zeros is an endless stream of zeros.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// stall is a pipe whose writer neither writes nor closes, until release
// is closed.
type stall struct{ release chan struct{} }

func (s stall) Read(p []byte) (int, error) {
	<-s.release
	return 0, io.EOF
}

// TestSkippedBounded: after a read error, the bytes skipped are counted
// only up to SkipCountBytes or for SkipCountTime, never by reading a huge
// or endless stream to its end: a corrupt record before 16 GiB of zeros in
// zstd or gzip, or before an endless or a stalled pipe, is reported at
// once with "at least" (exact false); a short rest is counted exactly.
func TestSkippedBounded(t *testing.T) {
	bad := badPcap()
	errAt := int64(len(bad) - RecordLen)
	tail := int64(len(bad)) - errAt // the failed record's bytes, counted as skipped
	const huge = 16 << 30
	zeroMember := gzipOf(t, make([]byte, 1<<20))
	zstdFile := filepath.Join(t.TempDir(), "zeros.pcap.zst")
	if err := os.WriteFile(zstdFile, append(testcap.ZstdBytes(t, bad), zstdZeros(huge)...), 0o644); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	defer close(release)

	tests := []struct {
		name  string
		open  func() (*Capture, error)
		stall time.Duration // SkipCountTime for the case; 0: the default
		n     int64         // exact count, or the least count when !exact
		exact bool
	}{
		{"zstd, 16 GiB of zeros after", func() (*Capture, error) {
			return New("z", bytes.NewReader(append(testcap.ZstdBytes(t, bad), zstdZeros(huge)...)))
		}, 0, SkipCountBytes, false},
		{"zstd file, 16 GiB of zeros after", func() (*Capture, error) { return Open(zstdFile) }, 0, SkipCountBytes, false},
		{"gzip pipe, 16 GiB of zeros after", func() (*Capture, error) {
			return New("g", io.MultiReader(bytes.NewReader(gzipOf(t, bad)), &repeat{b: zeroMember, n: huge >> 20}))
		}, 0, SkipCountBytes, false},
		{"gzip file-like, 16 GiB of zeros after", func() (*Capture, error) {
			// Seekable: the fast inflater, the standard library behind it.
			var b []byte
			b = append(b, gzipOf(t, bad)...)
			for range 256 {
				b = append(b, zeroMember...)
			}
			return New("g", bytes.NewReader(b))
		}, 0, SkipCountBytes, false},
		{"stdin, endless", func() (*Capture, error) {
			return New("stdin", io.MultiReader(bytes.NewReader(bad), zeros{}))
		}, 0, SkipCountBytes, false},
		{"stdin, stalled", func() (*Capture, error) {
			return New("stdin", io.MultiReader(bytes.NewReader(bad), stall{release}))
		}, 100 * time.Millisecond, tail, false},
		{"zstd, 1 KiB after", func() (*Capture, error) {
			return New("z", bytes.NewReader(append(testcap.ZstdBytes(t, bad), zstdZeros(1024)...)))
		}, 0, tail + 1024, true},
		{"gzip, 1 MiB after", func() (*Capture, error) {
			return New("g", bytes.NewReader(append(gzipOf(t, bad), zeroMember...)))
		}, 0, tail + 1<<20, true},
		{"stdin, 1 KiB after", func() (*Capture, error) {
			return New("stdin", io.MultiReader(bytes.NewReader(bad), bytes.NewReader(make([]byte, 1024))))
		}, 0, tail + 1024, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.stall > 0 {
				defer func(d time.Duration) { SkipCountTime = d }(SkipCountTime)
				SkipCountTime = tt.stall
			}
			start := time.Now()
			c, err := tt.open()
			if err != nil {
				t.Fatal(err)
			}
			var p Packet
			for err == nil {
				err = c.Next(&p)
			}
			var re *ReadError
			if !errors.As(err, &re) || re.Offset != errAt || re.Index != 3 {
				t.Fatalf("error %v; want record 3 at byte %d", err, errAt)
			}
			n, exact := c.Skipped(re.Offset, 0)
			if err := c.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			took := time.Since(start)
			// Short of the bytes, the time bound must have ended it (as
			// it may under the race detector).
			if exact != tt.exact || (exact && n != tt.n) || (n < tt.n && took < SkipCountTime) {
				t.Errorf("Skipped %d, exact %v; want %d, exact %v", n, exact, tt.n, tt.exact)
			}
			if limit := SkipCountTime + 500*time.Millisecond; took > limit {
				t.Errorf("took %v, more than %v", took, limit)
			}
			if n2, exact2 := c.Skipped(re.Offset, 0); n2 != n || exact2 != exact {
				t.Errorf("Skipped again: %d, %v; want %d, %v", n2, exact2, n, exact)
			}
		})
	}
}
