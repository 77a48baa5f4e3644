package capture

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestZstdWindowHint: every -zstd-window value an error names is one the
// flag takes (1 to MaxZstdWindow>>20 MiB) and, when it says to allow the
// frame with it, enough; a window above MaxZstdWindow names none.
func TestZstdWindowHint(t *testing.T) {
	const maxMiB = MaxZstdWindow >> 20
	value := regexp.MustCompile(`-zstd-window(?:, up to)? (\d+)`)
	tests := []struct {
		name        string
		want, limit uint64
		value       int64 // the value named; 0: none
	}{
		{"4 MiB", 4 << 20, 2 << 20, 4},
		{"a byte over 1 GiB", 1<<30 + 1, 128 << 20, 1025},
		{"the most", MaxZstdWindow, 128 << 20, maxMiB},
		{"below 1 MiB", 600 << 10, 512 << 10, 1},
		{"a byte over the most", MaxZstdWindow + 1, 128 << 20, 0},
		{"4 GiB", 4 << 30, MaxZstdWindow, 0},
		{"3.75 TB", 15 << 38, 128 << 20, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := (&windowError{tt.want, tt.limit}).Error()
			m := value.FindStringSubmatch(msg)
			switch {
			case tt.value == 0 && m != nil:
				t.Errorf("%q names -zstd-window %s; want none", msg, m[1])
			case tt.value != 0 && (m == nil || m[1] != strconv.FormatInt(tt.value, 10)):
				t.Errorf("%q; want it to name -zstd-window %d", msg, tt.value)
			case tt.value != 0 && (tt.value < 1 || tt.value > maxMiB || uint64(tt.value)<<20 < tt.want):
				t.Errorf("test: %d is not a value that allows it", tt.value)
			}
		})
	}
	for _, limit := range []uint64{2 << 20, 128 << 20, MaxZstdWindow} {
		msg := laterWindowHint(limit)
		if m := value.FindStringSubmatch(msg); (m != nil) != (limit < MaxZstdWindow) || (m != nil && m[1] != strconv.Itoa(maxMiB)) {
			t.Errorf("limit %d: %q", limit, msg)
		}
	}
	// A first frame asking for 4 GiB, read with the most allowed.
	frame := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 22 << 3, 1, 0, 0} // window 2^(10+22); an empty last raw block
	_, err := NewWith("big", bytes.NewReader(frame), ReadOptions{ZstdWindow: MaxZstdWindow})
	var re *ReadError
	if !errors.As(err, &re) || !strings.Contains(re.Msg, "window of 4096 MiB, above the 2048 MiB allowed and above 2048 MiB, the most -zstd-window allows") || value.MatchString(re.Msg) {
		t.Errorf("4 GiB window: %v", err)
	}
}
