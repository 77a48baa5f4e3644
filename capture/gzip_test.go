package capture

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/port0/port0/internal/testcap"
)

// readAllGzip decompresses b as New does (a seekable input, so the
// fast inflater with its fallback) or with the standard library alone,
// reading in pieces of random size, and returns the bytes and the error.
func readAllGzip(b []byte, std bool, rng *rand.Rand) ([]byte, string) {
	var r io.Reader
	var err error
	if std {
		r, err = gzip.NewReader(bytes.NewReader(b))
	} else {
		br := bytes.NewReader(b)
		r, err = newGzipReader(br, seekable(br))
	}
	if err != nil {
		return nil, "header: " + err.Error()
	}
	var out []byte
	buf := make([]byte, 1<<16)
	for {
		n, err := r.Read(buf[:1+rng.IntN(len(buf))])
		out = append(out, buf[:n]...)
		if err != nil {
			if err == io.EOF {
				return out, ""
			}
			return out, err.Error()
		}
	}
}

// TestGzipReaderLikeStdlib checks that the gzip reader (klauspost's
// inflater, the standard library's on failure) gives exactly the bytes
// and the error of compress/gzip on valid, cut, corrupt, concatenated and
// trailing-garbage streams.
func TestGzipReaderLikeStdlib(t *testing.T) {
	g := testcap.Small(t)
	data := g.Pcap[:min(len(g.Pcap), 400<<10)]
	var zb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&zb, gzip.BestSpeed)
	zw.Write(data)
	zw.Close()
	z := zb.Bytes()
	rng := rand.New(rand.NewPCG(8, 8))
	cases := map[string][]byte{
		"valid":         z,
		"two members":   append(bytes.Clone(z), z...),
		"trailing junk": append(bytes.Clone(z), "junk"...),
		"trailing zero": append(bytes.Clone(z), 0, 0, 0, 0),
		"empty":         {},
		"magic only":    {0x1f, 0x8b},
		"bad method":    {0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 0},
		"crc":           func() []byte { b := bytes.Clone(z); b[len(b)-8] ^= 1; return b }(),
		"size":          func() []byte { b := bytes.Clone(z); b[len(b)-1] ^= 1; return b }(),
	}
	for i := range 40 {
		cases[fmt.Sprintf("cut %d", i)] = z[:rng.IntN(len(z))]
	}
	for i := 0; i < 12; i++ {
		cases[fmt.Sprintf("cut near %d", i)] = z[:10+i]
	}
	for i := range 40 {
		b := bytes.Clone(z)
		at := 10 + rng.IntN(len(b)-10)
		for j := 0; j < 1+rng.IntN(8) && at+j < len(b); j++ {
			b[at+j] = byte(rng.Uint32())
		}
		cases[fmt.Sprintf("corrupt %d", i)] = b
	}
	for name, b := range cases {
		want, werr := readAllGzip(b, true, rng)
		got, gerr := readAllGzip(b, false, rng)
		if !bytes.Equal(got, want) || gerr != werr {
			t.Errorf("%s: %d bytes, error %q; compress/gzip: %d bytes, error %q", name, len(got), gerr, len(want), werr)
		}
		if name == "valid" && !bytes.Equal(got, data) {
			t.Errorf("valid: the bytes differ from the capture")
		}
	}
	// A valid stream is read by the fast inflater alone.
	br := bytes.NewReader(z)
	zr, err := newGzipReader(br, seekable(br))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, zr); err != nil || zr.std != nil {
		t.Errorf("valid stream: error %v, fell back %v", err, zr.std != nil)
	}
}
