package capture

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/port0/port0/internal/testcap"
)

func TestIsZstd(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"\x28\xb5\x2f\xfd", true},
		{"\x28\xb5\x2f\xfd\x00", true},
		{"\x50\x2a\x4d\x18", true}, // skippable frames: 0x184d2a50-5f
		{"\x5f\x2a\x4d\x18", true},
		{"\x60\x2a\x4d\x18", false},
		{"\x4f\x2a\x4d\x18", false},
		{"\x28\xb5\x2f", false},
		{"\xfd\x2f\xb5\x28", false},
		{"\x1f\x8b\x08\x00", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isZstd([]byte(tt.in)); got != tt.want {
			t.Errorf("isZstd(% x) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestZstdLikePlain reads the generated capture plain and as zstd: the same
// packets, the same bytes, and a format that says zstd.
func TestZstdLikePlain(t *testing.T) {
	g := testcap.Small(t)
	z := testcap.ZstdBytes(t, g.Pcap)
	plain, err := New("plain", bytes.NewReader(g.Pcap))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	zc, err := New("zstd", bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	defer zc.Close()
	if zc.Format() != plain.Format()+"+zstd" {
		t.Errorf("Format() = %q, want %q", zc.Format(), plain.Format()+"+zstd")
	}
	var p, q Packet
	n := 0
	for {
		e1, e2 := plain.Next(&p), zc.Next(&q)
		if e1 != nil || e2 != nil {
			if e1 != io.EOF || e2 != io.EOF {
				t.Fatalf("packet %d: errors %v and %v", n, e1, e2)
			}
			break
		}
		if !bytes.Equal(p.Data, q.Data) || p.TS != q.TS || p.Offset != q.Offset || p.OrigLen != q.OrigLen {
			t.Fatalf("packet %d differs", n)
		}
		n++
	}
	if n != len(g.Truth) {
		t.Fatalf("read %d packets, want %d", n, len(g.Truth))
	}
}

// TestZstdGoroutines opens, reads and closes zstd captures, good and bad,
// many times, through the pools of decoders and read buffers: every good
// one reads whole, every bad one fails at its header (also after a
// decoder was made for it), and no goroutine stays behind.
func TestZstdGoroutines(t *testing.T) {
	good := testcap.ZstdBytes(t, memPcap(50))
	// Not a capture, and long, so that the decoder still has blocks to
	// decode when New rejects the first bytes.
	notPcap := testcap.ZstdBytes(t, bytes.Repeat([]byte("neither pcap nor pcapng "), 1<<16))
	before := runtime.NumGoroutine()
	for range 200 {
		c, err := New("good", bytes.NewReader(good))
		if err != nil {
			t.Fatal(err)
		}
		var p Packet
		for c.Next(&p) == nil {
		}
		c.Close()
		var re *ReadError
		if _, err := New("bad", bytes.NewReader(notPcap)); !errors.As(err, &re) || re.Index != -1 {
			t.Fatalf("not a capture behind zstd: error %v, want a file header error", err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+4 {
		t.Fatalf("%d goroutines after 400 zstd captures, %d before", n, before)
	}
}

// zstdStream compresses b with the streaming encoder and the given window:
// a frame that says its window, not its content size.
func zstdStream(t testing.TB, b []byte, window int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(window))
	if err != nil {
		t.Fatal(err)
	}
	// A flush before the end makes the encoder write the frame header
	// before it knows the content size.
	zw.Write(b[:len(b)/2])
	zw.Flush()
	zw.Write(b[len(b)/2:])
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestZstdWindowHeader(t *testing.T) {
	pcap := memPcap(20)
	stream := zstdStream(t, pcap, 8<<20)
	single := testcap.ZstdBytes(t, pcap) // EncodeAll: a single segment of len(pcap) bytes
	skip := append([]byte{0x5e, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 'p', 'z', 's', 't'}, stream...)
	tests := []struct {
		name string
		in   []byte
		want uint64
		ok   bool
	}{
		{"window", stream, 8 << 20, true},
		{"single segment", single, uint64(max(len(pcap), zstd.MinWindowSize)), true},
		{"skippable frame first", skip, 8 << 20, true},
		{"only a skippable frame", skip[:12], 0, false},
		{"cut header", stream[:5], 0, false},
		{"not zstd", pcap, 0, false},
	}
	for _, tt := range tests {
		w, ok := zstdWindow(tt.in)
		if w != tt.want || ok != tt.ok {
			t.Errorf("%s: zstdWindow = %d, %v; want %d, %v", tt.name, w, ok, tt.want, tt.ok)
		}
	}
}

// TestZstdWindowLimit: a frame whose window is above ReadOptions.ZstdWindow
// is a file header error that says how much it needs and how to allow it;
// with that much allowed, it reads whole.
func TestZstdWindowLimit(t *testing.T) {
	data := zstdStream(t, memPcap(200), 8<<20)
	count := func(o ReadOptions) (int, error) {
		c, err := NewWith("w", bytes.NewReader(data), o)
		if err != nil {
			return 0, err
		}
		defer c.Close()
		var p Packet
		n := 0
		for c.Next(&p) == nil {
			n++
		}
		return n, c.Err()
	}
	var re *ReadError
	if _, err := count(ReadOptions{ZstdWindow: 4 << 20}); !errors.As(err, &re) || re.Index != -1 ||
		!strings.Contains(re.Msg, "window of 8 MiB, above the 4 MiB allowed") || !strings.Contains(re.Msg, "-zstd-window 8 ") {
		t.Fatalf("4 MiB allowed: error %v, want a header error asking for -zstd-window 8", err)
	}
	for _, o := range []ReadOptions{{ZstdWindow: 8 << 20}, {}, {ZstdWindow: 1 << 40}} {
		if n, err := count(o); n != 200 || err != nil {
			t.Errorf("%+v: %d packets, error %v; want 200, none", o, n, err)
		}
	}
	huge, err := os.ReadFile(filepath.Join(testcap.CorpusDir(), "zstd_huge_window.pcap.zst"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New("huge", bytes.NewReader(huge)); !errors.As(err, &re) || !strings.Contains(re.Msg, "window of 1024 MiB, above the 128 MiB allowed") {
		t.Fatalf("1 GiB window: error %v", err)
	}
}
