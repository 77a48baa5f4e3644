package scan

import (
	"bytes"
	"testing"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/reference"
)

// scanMode is what the whole-file workload does with each record.
type scanMode int

const (
	scanRead    scanMode = iota // reader only
	scanFast                    // reader + fast decoder
	scanRef                     // reader + reference decoder (gopacket)
	scanAnalyze                 // reader + fast decoder + counting: the scan's hot path
)

var scanModes = []struct {
	name string
	mode scanMode
}{{"read", scanRead}, {"fast", scanFast}, {"ref", scanRef}, {"analyze", scanAnalyze}}

// fileWorkload reads one capture held in memory, reusing every buffer of
// its own; the capture is opened anew each time (capture has no exported
// reset), which costs the same few allocations per file whatever its
// length.
type fileWorkload struct {
	data []byte
	r    *bytes.Reader
	p    capture.Packet
	rec  decode.Record
	ref  *reference.RefDecoder
	s    scanner
}

func newFileWorkload(data []byte) *fileWorkload {
	return &fileWorkload{data: data, r: bytes.NewReader(data), ref: reference.NewRefDecoder()}
}

// open opens the capture from its start.
func (w *fileWorkload) open(tb testing.TB) *capture.Capture {
	w.r.Reset(w.data)
	c, err := capture.NewCapture("mem", w.r)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// run reads the whole capture once in the given mode and returns the
// packet count. The benchmarks and the zero-allocation test share it.
func (w *fileWorkload) run(tb testing.TB, mode scanMode) int64 {
	c := w.open(tb)
	defer c.Close()
	var n int64
	switch mode {
	case scanRead:
		for c.Next(&w.p) == nil {
			n++
		}
	case scanFast:
		for c.Next(&w.p) == nil {
			w.rec.Decode(w.p.LinkType, w.p.Data)
			n++
		}
	case scanRef:
		for c.Next(&w.p) == nil {
			w.ref.Decode(w.p.LinkType, w.p.Data, &w.rec)
			n++
		}
	case scanAnalyze:
		if err := w.s.scan(c); err != nil {
			tb.Fatal(err)
		}
		return w.s.t.packets
	}
	if err := c.Err(); err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestScanZeroAllocs proves that reading and decoding a whole generated
// capture (fragments and every port-0 shape included) allocates nothing,
// with the fast decoder alone and on the scan's hot path (decoder,
// counters and fragment table): a run over the whole file allocates what
// the capture's reading alone does (opening and closing it; for the scan,
// also its chunked walk, whose buffer for a record cut between two chunks
// is the new capture's), and no more.
func TestScanZeroAllocs(t *testing.T) {
	g := testcap.Medium(t)
	w := newFileWorkload(g.Pcap)
	open := testing.AllocsPerRun(3, func() { w.open(t).Close() })
	ch := capture.NewChunk(0)
	walk := testing.AllocsPerRun(3, func() {
		c := w.open(t)
		for c.ReadChunk(ch); !ch.Last(); c.ReadChunk(ch) {
		}
		c.Close()
	})
	t.Logf("allocations of the capture: %v to open and close it, %v with its chunked walk", open, walk)
	for _, m := range scanModes {
		if m.mode == scanRef {
			continue // gopacket allocates for IPv6 extension headers (BENCHMARKS.md)
		}
		t.Run(m.name, func(t *testing.T) {
			if n := w.run(t, m.mode); n != int64(len(g.Truth)) {
				t.Fatalf("read %d packets, want %d", n, len(g.Truth))
			}
			want := open
			if m.mode == scanAnalyze {
				want = walk
			}
			if a := testing.AllocsPerRun(3, func() { w.run(t, m.mode) }); a != want {
				t.Errorf("%v allocations per file of %d packets, want the %v of reading the capture", a, len(g.Truth), want)
			}
		})
	}
}

// BenchmarkWholeFile reads a default-scenario capture generated at scale
// 2e-7 (about 57,000 packets) from memory: the reader alone, with the
// fast decoder, with the reference decoder, and the scan's whole hot
// path.
func BenchmarkWholeFile(b *testing.B) {
	g, err := testcap.Generate(b.TempDir(), 2e-7)
	if err != nil {
		b.Fatal(err)
	}
	w := newFileWorkload(g.Pcap)
	for _, m := range scanModes {
		b.Run(m.name, func(b *testing.B) {
			b.SetBytes(int64(len(g.Pcap)))
			b.ReportAllocs()
			var pkts int64
			for b.Loop() {
				pkts += w.run(b, m.mode)
			}
			b.ReportMetric(float64(pkts)/b.Elapsed().Seconds(), "packets/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pkts), "ns/packet")
		})
	}
}
