package capture

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// benchFrame returns a deterministic frame of n bytes.
func benchFrame(i, n int) []byte {
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i + j)
	}
	return b
}

// benchSizes cycles through typical telescope frame sizes.
var benchSizes = []int{60, 60, 66, 74, 60, 590, 1514, 60}

// memPcap builds an in-memory little-endian µs pcap of n Ethernet records.
func memPcap(n int) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, 0xa1b2c3d4)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = le.AppendUint32(b, 65535)
	b = le.AppendUint32(b, 1)
	for i := range n {
		f := benchFrame(i, benchSizes[i%len(benchSizes)])
		b = le.AppendUint32(b, uint32(1546300800+i/1000))
		b = le.AppendUint32(b, uint32(i%1000*1000))
		b = le.AppendUint32(b, uint32(len(f)))
		b = le.AppendUint32(b, uint32(len(f)))
		b = append(b, f...)
	}
	return b
}

// memPcapng builds an in-memory big-endian pcapng with two interfaces
// (Ethernet µs, raw IP ns) and n enhanced packet blocks alternating between them.
func memPcapng(n int) []byte {
	be := binary.BigEndian
	block := func(b []byte, typ uint32, body []byte) []byte {
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
		l := uint32(12 + len(body))
		b = be.AppendUint32(b, typ)
		b = be.AppendUint32(b, l)
		b = append(b, body...)
		return be.AppendUint32(b, l)
	}
	shb := be.AppendUint32(nil, 0x1a2b3c4d)
	shb = be.AppendUint32(shb, 1<<16)
	shb = be.AppendUint64(shb, ^uint64(0))
	b := block(nil, ngSHB, shb)
	b = block(b, ngIDB, []byte{0, 1, 0, 0, 0, 0, 0xff, 0xff})
	b = block(b, ngIDB, []byte{0, 101, 0, 0, 0, 0, 0xff, 0xff, 0, 9, 0, 1, 9, 0, 0, 0, 0, 0, 0, 0})
	for i := range n {
		f := benchFrame(i, benchSizes[i%len(benchSizes)])
		ts := uint64(1546300800_000000 + i)
		e := be.AppendUint32(nil, uint32(i%2))
		e = be.AppendUint32(e, uint32(ts>>32))
		e = be.AppendUint32(e, uint32(ts))
		e = be.AppendUint32(e, uint32(len(f)))
		e = be.AppendUint32(e, uint32(len(f)))
		b = block(b, ngEPB, append(e, f...))
	}
	return b
}

// readWorkload reads the whole in-memory capture with c, reusing c's
// buffers, and returns the packet count. It feeds both the benchmarks and
// the zero-allocation test, so they cannot drift apart.
func readWorkload(tb testing.TB, c *Capture, r *bytes.Reader, data []byte, p *Packet) int {
	r.Reset(data)
	if err := c.Reset(r); err != nil {
		tb.Fatal(err)
	}
	n := 0
	for c.Next(p) == nil {
		n++
	}
	if c.Err() != nil {
		tb.Fatal(c.Err())
	}
	return n
}

var workloads = []struct {
	name string
	data []byte
	n    int
}{
	{"pcap", memPcap(20000), 20000},
	{"pcapng", memPcapng(20000), 20000},
}

func newWorkloadCapture(tb testing.TB, data []byte) (*Capture, *bytes.Reader) {
	r := bytes.NewReader(data)
	c, err := New("mem", r)
	if err != nil {
		tb.Fatal(err)
	}
	return c, r
}

// TestCaptureAllocs proves that reading a capture allocates nothing per
// packet: a whole 20000-packet file is read per run, with zero allocations.
func TestCaptureAllocs(t *testing.T) {
	for _, w := range workloads {
		t.Run(w.name, func(t *testing.T) {
			c, r := newWorkloadCapture(t, w.data)
			var p Packet
			if n := readWorkload(t, c, r, w.data, &p); n != w.n {
				t.Fatalf("read %d packets, want %d", n, w.n)
			}
			allocs := testing.AllocsPerRun(5, func() { readWorkload(t, c, r, w.data, &p) })
			if allocs != 0 {
				t.Errorf("%v allocations per file of %d packets, want 0", allocs, w.n)
			}
		})
	}
}

func BenchmarkCapture(b *testing.B) {
	for _, w := range workloads {
		b.Run(w.name, func(b *testing.B) {
			c, r := newWorkloadCapture(b, w.data)
			var p Packet
			b.SetBytes(int64(len(w.data)))
			b.ReportAllocs()
			pkts := 0
			for b.Loop() {
				pkts += readWorkload(b, c, r, w.data, &p)
			}
			b.ReportMetric(float64(pkts)/b.Elapsed().Seconds(), "packets/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pkts), "ns/packet")
		})
	}
}
