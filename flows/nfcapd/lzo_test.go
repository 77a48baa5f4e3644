package nfcapd

import (
	"bytes"
	"errors"
	"testing"
)

// pattern is n bytes that do not repeat soon.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// cat joins byte slices.
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// back appends to out n bytes copied from dist bytes back, byte by byte.
func back(out []byte, dist, n int) []byte {
	for range n {
		out = append(out, out[len(out)-dist])
	}
	return out
}

// TestLZO1X decodes hand-made streams, one for each instruction of the
// format (lzo.go's table), against the bytes each must give. The
// committed LZO fixtures are the test against real minilzo output.
func TestLZO1X(t *testing.T) {
	p17k := pattern(17000)
	p2100 := pattern(2100)
	end := []byte{0x11, 0, 0}
	tests := []struct {
		name string
		in   []byte
		want []byte
		err  error
	}{
		{"first-byte literals then end", cat([]byte{17 + 3}, []byte("abc"), end), []byte("abc"), nil},
		{"only the end marker", end, nil, nil},
		{"short literal run (state 0)", cat([]byte{0x01}, []byte("abcd"), end), []byte("abcd"), nil},
		{"long literal run", lzoLiterals(pattern(700)), pattern(700), nil},
		{"M2 5-8 bytes, overlapping",
			// 1LLDDDSS: L=1 (6 bytes), D=2 (distance 3), S=0; H=0.
			cat([]byte{17 + 3}, []byte("abc"), []byte{0xA8, 0x00}, end), []byte("abcabcabc"), nil},
		{"M2 3-4 bytes, then 2 literals",
			// 01LDDDSS: L=0 (3 bytes), D=0, S=2; H=0 (distance 1).
			cat([]byte{17 + 2}, []byte("xy"), []byte{0x42, 0x00}, []byte("zw"), end), []byte("xyyyyzw"), nil},
		{"M1 2 bytes after a match's literals (state 1-3)",
			// M2 1LLDDDSS = 0xA1: 6 bytes from distance 1, then S=1 literal "e";
			// then 0000DDSS = 0x04 in state 1: D=1, H=0 -> 2 bytes from distance 2.
			cat([]byte{17 + 4}, []byte("abcd"), []byte{0xA1, 0x00}, []byte("e"), []byte{0x04, 0x00}, end),
			[]byte("abcd" + "dddddd" + "e" + "de"), nil},
		{"M3 with extended length",
			// 001LLLLL: L=0 -> 31 + ext; ext byte 4 -> length 2+35 = 37; LE16 (dist-1)<<2 = 8 (distance 3).
			cat([]byte{17 + 3}, []byte("abc"), []byte{0x20, 0x04, 0x08, 0x00}, end),
			back([]byte("abc"), 3, 37), nil},
		{"M1 3 bytes at 2049+ after a long literal run (state 4)",
			cat(lzoLiterals(p2100)[:len(lzoLiterals(p2100))-3], []byte{0x00, 0x00}, end),
			back(append([]byte(nil), p2100...), 2049, 3), nil},
		{"M4 at 16385",
			// 0001HLLL: H=0, L=3 -> 5 bytes; LE16>>2 = 1 -> distance 16385.
			cat(lzoLiterals(p17k)[:len(lzoLiterals(p17k))-3], []byte{0x13, 0x04, 0x00}, end),
			back(append([]byte(nil), p17k...), 16385, 5), nil},
		{"empty", nil, nil, errLZOEmpty},
		{"no end marker", cat([]byte{17 + 3}, []byte("abc")), []byte("abc"), errLZOInput},
		{"literals past the input", []byte{17 + 9, 'a'}, nil, errLZOInput},
		{"match before the start", cat([]byte{17 + 1}, []byte("a"), []byte{0xA8, 0x07}, end), []byte("a"), errLZOLookBehind},
		{"bytes after the end", cat(end, []byte{1}), nil, errLZOTrailing},
		{"length runs off the input", []byte{0x00, 0x00, 0x00}, nil, errLZOInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lzo1xDecompress(nil, tt.in, maxBlock)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if tt.err == nil && !bytes.Equal(got, tt.want) {
				t.Errorf("got %d bytes %q…, want %d bytes %q…", len(got), head(got), len(tt.want), head(tt.want))
			}
		})
	}
	if _, err := lzo1xDecompress(nil, lzoLiterals(pattern(100)), 99); !errors.Is(err, errLZOOutput) {
		t.Errorf("over the limit: %v", err)
	}
}

func head(b []byte) []byte { return b[:min(len(b), 16)] }

// FuzzLZO: any input either decodes within the limit or fails; never a
// panic.
func FuzzLZO(f *testing.F) {
	f.Add(lzoLiterals([]byte("a port-0 probe")))
	f.Add([]byte{20, 'a', 'b', 'c', 0xA8, 0, 0x11, 0, 0})
	f.Add([]byte{0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		out, _ := lzo1xDecompress(nil, in, 1<<16)
		if len(out) > 1<<16 {
			t.Fatalf("%d bytes past the limit", len(out))
		}
	})
}
