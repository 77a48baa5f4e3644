package scan

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/internal/testcap"
)

// endless is a stream of zeros that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestSkippedAtLeast: a read error in standard input followed by an
// endless stream ends the input at once; its summary says the bytes
// skipped are a lower bound (skipped_bytes_at_least, "at least" in the
// message, in the file's counts and the total), while a short rest is
// counted exactly, without it.
func TestSkippedAtLeast(t *testing.T) {
	good := testcap.Synthetic([]testcap.SyntheticPacket{{TS: 1.7e18, Src: 1, Port0: true}, {TS: 1.7e18 + 1, Src: 2}})
	le := binary.LittleEndian
	bad := le.AppendUint32(bytes.Clone(good), 0)
	bad = le.AppendUint32(bad, 0)
	bad = le.AppendUint32(bad, capture.MaxCaplen+1)
	bad = le.AppendUint32(bad, capture.MaxCaplen+1)
	tests := []struct {
		name    string
		r       func() io.Reader
		atLeast bool
		skipped int64 // exact, or the least
	}{
		{"endless", func() io.Reader { return io.MultiReader(bytes.NewReader(bad), endless{}) }, true, capture.SkipCountBytes},
		{"1 KiB after", func() io.Reader { return io.MultiReader(bytes.NewReader(bad), bytes.NewReader(make([]byte, 1024))) }, false, capture.RecordLen + 1024},
	}
	for _, tt := range tests {
		for _, workers := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s, %d workers", tt.name, workers), func(t *testing.T) {
				sc, err := NewScanner(Options{Workers: workers, Port0: true})
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				res, err := sc.Scan("-", tt.r())
				if err != nil {
					t.Fatal(err)
				}
				defer res.Close()
				if took := time.Since(start); took > capture.SkipCountTime+time.Second {
					t.Errorf("took %v", took)
				}
				f := res.Files[0]
				if f.ReadError == nil || f.Counts.Packets != 2 {
					t.Fatalf("read error %v, %d packets; want an error after 2", f.ReadError, f.Counts.Packets)
				}
				c := f.Counts
				if c.SkippedBytesAtLeast != tt.atLeast || res.Total.SkippedBytesAtLeast != tt.atLeast ||
					(tt.atLeast && c.SkippedBytes < tt.skipped) || (!tt.atLeast && c.SkippedBytes != tt.skipped) {
					t.Errorf("skipped %d, at least %v (total %v); want %d, %v", c.SkippedBytes, c.SkippedBytesAtLeast, res.Total.SkippedBytesAtLeast, tt.skipped, tt.atLeast)
				}
				if got := strings.Contains(f.ReadError.Message, "at least"); got != tt.atLeast {
					t.Errorf("message %q", f.ReadError.Message)
				}
			})
		}
	}
}
