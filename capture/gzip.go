package capture

import (
	"compress/gzip"
	"errors"
	"io"
	"math"

	kgzip "github.com/klauspost/compress/gzip"
)

// gzipReader decompresses gzip input with github.com/klauspost/compress,
// whose inflater is about 1.5 times as fast as the standard library's
// here (BENCHMARKS.md, "Analyzer hot path"), and gives exactly the bytes
// and the error compress/gzip gives. The two agree on every valid stream
// (and on every header error, which compress/gzip reports); on a damaged
// one they may stop at different points: a stream cut inside a block, for
// one, yields a byte less from klauspost. So when the fast reader fails,
// or its header parse does, and the compressed input can be read again
// from its start (a file: an io.ReaderAt), the standard library reads it
// anew, skips the bytes already returned and goes on from there; input
// that cannot be read again (a pipe) is read by the standard library
// throughout.
type gzipReader struct {
	fast  *kgzip.Reader
	std   *gzip.Reader
	again *io.SectionReader // the compressed input from its start; nil if it cannot be read again
	n     int64             // bytes returned by fast
}

// seekable returns the input from its current position as a
// SectionReader that can be read again, or nil.
func seekable(r io.Reader) *io.SectionReader {
	ra, ok := r.(io.ReaderAt)
	sk, ok2 := r.(io.Seeker)
	if !ok || !ok2 {
		return nil
	}
	off, err := sk.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil
	}
	return io.NewSectionReader(ra, off, math.MaxInt64-off)
}

// newGzipReader reads the gzip header from r; again, when not nil, is the
// same compressed input from its start (see gzipReader).
func newGzipReader(r io.Reader, again *io.SectionReader) (*gzipReader, error) {
	z := &gzipReader{again: again}
	if again != nil {
		fast, err := kgzip.NewReader(r)
		if err == nil {
			z.fast = fast
			return z, nil
		}
		r = io.NewSectionReader(again, 0, again.Size()) // the standard library's header error
	}
	std, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	z.std = std
	return z, nil
}

// Read decompresses into p.
func (z *gzipReader) Read(p []byte) (int, error) {
	if z.std != nil {
		return z.std.Read(p)
	}
	n, err := z.fast.Read(p)
	if err == nil || err == io.EOF {
		z.n += int64(n)
		return n, err
	}
	// The fast reader failed: its last n bytes are dropped, and the
	// standard library takes over from the bytes returned so far.
	if err := z.fallBack(); err != nil {
		return 0, err
	}
	return z.std.Read(p)
}

// errFallBack is returned when the standard library cannot reproduce the
// bytes the fast reader returned (a damaged stream both read differently).
var errFallBack = errors.New("gzip: damaged stream decompresses differently in the two inflaters")

func (z *gzipReader) fallBack() error {
	std, err := gzip.NewReader(io.NewSectionReader(z.again, 0, z.again.Size()))
	if err != nil {
		return err
	}
	if m, err := io.CopyN(io.Discard, std, z.n); m < z.n {
		if err == nil || err == io.EOF {
			err = errFallBack
		}
		return err
	}
	z.fast.Close()
	z.std = std
	return nil
}

// Close closes the decompressor (it does not close the input).
func (z *gzipReader) Close() error {
	if z.std != nil {
		return z.std.Close()
	}
	return z.fast.Close()
}
