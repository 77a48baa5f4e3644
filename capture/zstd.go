package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
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
// most 128 KiB of the stream. Decoders are pooled, as one costs ~2.6 MB
// (plus the window of the frames it decodes).

const (
	zstdMagic     = 0xfd2fb528 // little-endian, as on the wire
	zstdSkipMagic = 0x184d2a50 // the skippable frames' magic numbers: 0x184d2a50-5f
)

// DefaultZstdWindow is the largest window a zstd frame may ask for unless
// ReadOptions.ZstdWindow says otherwise: 128 MiB, what `zstd -d` itself
// allows without --memory, and what `zstd --ultra -22` and `zstd --long`
// (27) write. The decoder keeps one window of history, so a frame that wants
// more is a read error that says how much it wants, not an allocation of up
// to the 3.75 TB the format allows.
const DefaultZstdWindow = 128 << 20

// MaxZstdWindow is the largest ReadOptions.ZstdWindow: 2 GiB, the window of
// `zstd --long=31`, the largest the zstd tools write.
const MaxZstdWindow = 2 << 30

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

// zstdWindow returns the window the first frame of b, a zstd stream's first
// bytes, asks for, skippable frames skipped (the decoder needs as much: a
// single-segment frame's content size); ok is false when b holds no whole
// frame header.
func zstdWindow(b []byte) (w uint64, ok bool) {
	for range 64 {
		var h zstd.Header
		if h.Decode(b) != nil {
			return 0, false
		}
		if !h.Skippable {
			if h.SingleSegment {
				return max(h.FrameContentSize, zstd.MinWindowSize), true
			}
			return h.WindowSize, true
		}
		n := h.HeaderSize + int(h.SkippableSize)
		if n > len(b) {
			return 0, false
		}
		b = b[n:]
	}
	return 0, false
}

// zstdPeek is how many bytes of a zstd stream are looked at for the first
// frame's header (skippable frames before it included).
const zstdPeek = 64 << 10

// windowLimit is o's largest zstd window.
func (o ReadOptions) windowLimit() uint64 {
	if o.ZstdWindow <= 0 {
		return DefaultZstdWindow
	}
	return uint64(min(o.ZstdWindow, MaxZstdWindow))
}

// windowError is a first zstd frame that asks for more window than
// allowed; its message says how to allow it, with a value -zstd-window
// takes (1 to MaxZstdWindow>>20 MiB), or, for more than MaxZstdWindow,
// that no value does.
type windowError struct{ want, limit uint64 }

func (e *windowError) Error() string {
	if e.want > MaxZstdWindow {
		return fmt.Sprintf("a frame asks for a window of %s, above the %s allowed and above %d MiB, the most -zstd-window allows (MaxZstdWindow): zstd -d refuses more than that too (zstd --long=31 writes %d MiB); the stream is damaged, or was written by another encoder: decompress it with that and give the output",
			mib(e.want), mib(e.limit), MaxZstdWindow>>20, MaxZstdWindow>>20)
	}
	return fmt.Sprintf("a frame asks for a window of %s, above the %s allowed: allow it with -zstd-window %d (MiB; ReadOptions.ZstdWindow), as zstd -d needs --memory",
		mib(e.want), mib(e.limit), max(1, (e.want+(1<<20)-1)>>20))
}

// mib formats n bytes in MiB, or in bytes below 1 MiB.
func mib(n uint64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.4g MiB", float64(n)/(1<<20))
}

// zstdReader decompresses zstd input.
type zstdReader struct {
	d     *zstd.Decoder
	limit uint64
}

// newZstdReader starts decompressing br, refusing a first frame whose
// window is above limit before anything is allocated for it.
func newZstdReader(br *bufio.Reader, limit uint64) (*zstdReader, error) {
	head, _ := br.Peek(min(zstdPeek, br.Size()))
	if w, ok := zstdWindow(head); ok && w > limit {
		return nil, &windowError{w, limit}
	}
	opts := []zstd.DOption{zstd.WithDecoderMaxWindow(limit), zstd.WithDecoderMaxMemory(limit)}
	if d, ok := zstdPool.Get().(*zstd.Decoder); ok {
		if err := d.ResetWithOptions(br, opts...); err == nil {
			return &zstdReader{d: d, limit: limit}, nil
		}
		d.Close()
	}
	// Decoding in the caller's goroutine (concurrency 1): see above.
	d, err := zstd.NewReader(br, append(opts, zstd.WithDecoderConcurrency(1))...)
	if err != nil {
		return nil, err
	}
	return &zstdReader{d: d, limit: limit}, nil
}

// Read decompresses into p. A later frame whose window is above the limit
// gets an error that says how to allow it.
func (z *zstdReader) Read(p []byte) (int, error) {
	n, err := z.d.Read(p)
	if err != nil && (errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded)) {
		err = fmt.Errorf("%w: %s", err, laterWindowHint(z.limit))
	}
	return n, err
}

// laterWindowHint says what to do about a frame after the first that asks
// for more window than limit: raise -zstd-window, up to its most, or, at
// its most, nothing.
func laterWindowHint(limit uint64) string {
	if limit >= MaxZstdWindow {
		return fmt.Sprintf("a frame asks for a window above the %s allowed, the most -zstd-window allows (MaxZstdWindow; zstd -d refuses more too)", mib(limit))
	}
	return fmt.Sprintf("a frame asks for a window above the %s allowed: allow more with -zstd-window, up to %d (MiB; ReadOptions.ZstdWindow)", mib(limit), MaxZstdWindow>>20)
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
