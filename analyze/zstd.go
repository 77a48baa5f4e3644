package analyze

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// Zstandard input.
//
// A zstd stream is a sequence of frames, each starting with the magic
// number 28 b5 2f fd, or with a skippable frame's (50-5f 2a 4d 18), which
// pzstd, for one, writes first. It is decompressed with
// github.com/klauspost/compress/zstd (already the project's inflater for
// gzip) in the goroutine that reads the stream (the chunk reader, while
// other goroutines decode the records): decoding blocks ahead on more
// goroutines was ~9 % slower and took 0.4 s more CPU on the 10 M-packet
// capture (BENCHMARKS.md). The decoder returns every byte it decodes before
// an error (a truncated or corrupt frame, garbage after the last frame),
// except that it holds a frame's last block back until the checksum after
// it is checked: a wrong or missing checksum loses that block's records, at
// most 128 KiB of the stream. Decoders are pooled, as one costs ~2.6 MB.

const (
	zstdMagic     = 0xfd2fb528 // little-endian, as on the wire
	zstdSkipMagic = 0x184d2a50 // the skippable frames' magic numbers: 0x184d2a50-5f
	// zstdMaxWindow is the largest window a frame may ask for: 128 MiB, what
	// `zstd --ultra -22` and `zstd --long` (27) use. The decoder keeps one
	// window of history; a frame that wants more is a read error that says
	// so, not an allocation of up to the 3.75 TB the format allows.
	zstdMaxWindow = 128 << 20
)

// zstdOptions are the decoder's options (analyze/internal/mkcorpus, which
// writes the test corpus, decodes with the same concurrency).
var zstdOptions = []zstd.DOption{
	zstd.WithDecoderConcurrency(1),
	zstd.WithDecoderMaxWindow(zstdMaxWindow),
	zstd.WithDecoderMaxMemory(zstdMaxWindow),
}

// zstdPool holds the decoders of closed captures.
var zstdPool sync.Pool

// isZstd reports whether m, the first bytes of an input, start a zstd
// stream.
func isZstd(m []byte) bool {
	if len(m) < 4 {
		return false
	}
	v := binary.LittleEndian.Uint32(m)
	return v == zstdMagic || v&^0xf == zstdSkipMagic
}

// zstdReader decompresses zstd input.
type zstdReader struct {
	d *zstd.Decoder
}

func newZstdReader(r io.Reader) (*zstdReader, error) {
	if d, ok := zstdPool.Get().(*zstd.Decoder); ok {
		if err := d.Reset(r); err == nil {
			return &zstdReader{d: d}, nil
		}
		d.Close()
	}
	d, err := zstd.NewReader(r, zstdOptions...)
	if err != nil {
		return nil, err
	}
	return &zstdReader{d: d}, nil
}

// Read decompresses into p. A frame whose window is above zstdMaxWindow
// gets an error that says what the limit is.
func (z *zstdReader) Read(p []byte) (int, error) {
	n, err := z.d.Read(p)
	if err != nil && (errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded)) {
		err = fmt.Errorf("%w: a frame asks for a window above the %d MiB this reader allows", err, zstdMaxWindow>>20)
	}
	return n, err
}

// Close gives the decoder back to the pool, dropping its input (which it
// does not close). The reader must not be used after.
func (z *zstdReader) Close() error {
	if z.d == nil {
		return nil
	}
	if z.d.Reset(nil) == nil {
		zstdPool.Put(z.d)
	} else {
		z.d.Close()
	}
	z.d = nil
	return nil
}
