package scan

import (
	"bytes"
	"fmt"
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
	scanStudy                   // scanAnalyze and the study's side (interval sketches, port-0 records)
)

var scanModes = []struct {
	name string
	mode scanMode
}{{"read", scanRead}, {"fast", scanFast}, {"ref", scanRef}, {"analyze", scanAnalyze}, {"study", scanStudy}}

// fileWorkload reads one capture held in memory, reusing every buffer of
// its own and the capture's ((*capture.Capture).Reset).
type fileWorkload struct {
	data []byte
	r    *bytes.Reader
	c    *capture.Capture
	p    capture.Packet
	rec  decode.Record
	ref  *reference.RefDecoder
	s    fileWorker
	res  *Result // the study mode's result, which every run adds to
}

func newFileWorkload(tb testing.TB, data []byte) *fileWorkload {
	w := &fileWorkload{data: data, r: bytes.NewReader(data), ref: reference.NewRefDecoder()}
	var err error
	if w.c, err = capture.New("mem", w.r); err != nil {
		tb.Fatal(err)
	}
	return w
}

// run reads the whole capture once in the given mode and returns the
// packet count. The benchmarks and the zero-allocation test share it.
func (w *fileWorkload) run(tb testing.TB, mode scanMode) int64 {
	w.r.Reset(w.data)
	c := w.c
	if err := c.Reset(w.r); err != nil {
		tb.Fatal(err)
	}
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
	case scanStudy:
		if w.res == nil {
			w.res = newResult(1, true, SpillOptions{})
			w.s.tap = &tap{spill: w.res.Records.spill}
			tb.Cleanup(func() { w.res.Close() })
		}
		w.s.tap.startFile(0, w.res.Records.newSegment())
		if err := w.s.scan(c); err != nil {
			tb.Fatal(err)
		}
		w.s.tap.mergeInto(w.res)
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
// counters and fragment table).
func TestScanZeroAllocs(t *testing.T) {
	g := testcap.Medium(t)
	w := newFileWorkload(t, g.Pcap)
	for _, m := range scanModes {
		if m.mode == scanRef {
			continue // gopacket allocates for IPv6 extension headers (BENCHMARKS.md)
		}
		if m.mode == scanStudy {
			continue // the port-0 records and the interval numbers are the result: they are allocated
		}
		t.Run(m.name, func(t *testing.T) {
			if n := w.run(t, m.mode); n != int64(len(g.Truth)) {
				t.Fatalf("read %d packets, want %d", n, len(g.Truth))
			}
			if a := testing.AllocsPerRun(3, func() { w.run(t, m.mode) }); a != 0 {
				t.Errorf("%v allocations per file of %d packets, want 0", a, len(g.Truth))
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
	w := newFileWorkload(b, g.Pcap)
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

// BenchmarkStudyBusy is the study mode of BenchmarkWholeFile on a busy
// capture: 200,000 packets in two hours from 20,000 sources, so every
// interval's sketch is dense, at the default interval and at 5 minutes.
func BenchmarkStudyBusy(b *testing.B) {
	ps := make([]testcap.SyntheticPacket, 200000)
	start := int64(1709078400e9)
	for i := range ps {
		ps[i] = testcap.SyntheticPacket{TS: start + int64(i)*36e3, Src: 0x0a000000 | uint32(i*7919%20000), Port0: i%500 == 0}
	}
	data := testcap.Synthetic(ps)
	for _, iv := range []int64{3600e9, 300e9} {
		b.Run(fmt.Sprintf("interval=%ds", iv/1e9), func(b *testing.B) {
			w := newFileWorkload(b, data)
			w.s.interval = iv
			b.SetBytes(int64(len(data)))
			var pkts int64
			for b.Loop() {
				pkts += w.run(b, scanStudy)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pkts), "ns/packet")
		})
	}
}
