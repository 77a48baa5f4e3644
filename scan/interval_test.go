package scan

import (
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/sketch"
)

// weeks is a synthetic capture of four weeks: every 5-minute interval
// holds 1 to 20 packets from up to 15 sources, but one interval in 500
// is empty and one in 2,000 holds 3,000 sources (a dense sketch); a packet in 50
// goes to port 0. It returns the capture's file and, by 5-minute
// interval, the packets and the dense sketch of the sources.
func weeks(t *testing.T) (string, map[int64]*struct {
	n int64
	h sketch.HLL
}) {
	t.Helper()
	const iv = int64(5 * time.Minute)
	start := time.Date(2024, 2, 26, 0, 0, 0, 0, time.UTC).UnixNano()
	rng := rand.New(rand.NewPCG(4, 4))
	want := map[int64]*struct {
		n int64
		h sketch.HLL
	}{}
	var ps []testcap.SyntheticPacket
	for i := range int64(4 * 7 * 288) {
		k := 1 + rng.IntN(20)
		switch {
		case i%500 == 7:
			continue
		case i%2000 == 1000:
			k = 3000
		}
		srcs := make([]uint32, 1+rng.IntN(15))
		for j := range srcs {
			srcs[j] = rng.Uint32()
		}
		if k == 3000 {
			srcs = make([]uint32, 3000)
			for j := range srcs {
				srcs[j] = uint32(j)<<8 | 1
			}
		}
		h := (start + i*iv) / iv
		w := &struct {
			n int64
			h sketch.HLL
		}{}
		want[h] = w
		for j := range k {
			src := srcs[j%len(srcs)]
			if k == 3000 {
				src = srcs[j]
			}
			ps = append(ps, testcap.SyntheticPacket{TS: start + i*iv + int64(j)*iv/int64(k), Src: src, Port0: rng.IntN(50) == 0})
			w.n++
			w.h.Add(netip.AddrFrom4([4]byte{byte(src >> 24), byte(src >> 16), byte(src >> 8), byte(src)}))
		}
	}
	name := filepath.Join(t.TempDir(), "weeks.pcap")
	if err := os.WriteFile(name, testcap.Synthetic(ps), 0o644); err != nil {
		t.Fatal(err)
	}
	return name, want
}

// TestIntervalMemory scans four weeks at 5-minute intervals (8,064
// intervals) and checks each interval's packets and distinct-source
// count against a dense sketch of its sources, and that the sketches'
// memory follows the sources seen: sparse where an interval has a few
// sources, dense only where it has thousands, far below 1 KiB an
// interval.
func TestIntervalMemory(t *testing.T) {
	name, want := weeks(t)
	for _, workers := range []int{1, 2} {
		res := run(t, []string{name}, Options{Port0: true, Interval: 5 * time.Minute, Workers: workers})
		if res.Interval != 5*time.Minute {
			t.Fatalf("result interval %v", res.Interval)
		}
		if res.Intervals.Len() != len(want) {
			t.Fatalf("%d intervals, want %d", res.Intervals.Len(), len(want))
		}
		bytes, dense := 0, 0
		for h, a := range res.Intervals.All() {
			w := want[h]
			if w == nil {
				t.Fatalf("interval %d has numbers but no packet", h)
			}
			if a.Packets != w.n || a.Sources.HLL() != w.h || a.Sources.Count() != w.h.Count() {
				t.Fatalf("interval %d: %d packets, %d sources; want %d, %d", h, a.Packets, a.Sources.Count(), w.n, w.h.Count())
			}
			bytes += a.Sources.Bytes()
			if a.Sources.IsDense() {
				dense++
			}
		}
		blocks := len(res.Intervals.blocks)
		t.Logf("workers %d: %d intervals, %d dense, sketches %d bytes (%.1f an interval; dense sketches would take %d), %d blocks",
			workers, len(want), dense, bytes, float64(bytes)/float64(len(want)), len(want)*1024, blocks)
		if dense != 4 { // the 3,000-source intervals
			t.Errorf("%d dense sketches, want 4", dense)
		}
		if limit := 64*len(want) + dense*1024; bytes > limit {
			t.Errorf("sketches take %d bytes, more than %d", bytes, limit)
		}
		if blocks > len(want)/blockLen+2 {
			t.Errorf("%d blocks for %d consecutive intervals", blocks, len(want))
		}
	}
}

// TestIntervalLengths checks the intervals of one capture at 1m, 5m, 1h
// and 1d: every packet is in the interval start/length, and the shorter
// intervals of a longer one add up to its packets and its sketch.
func TestIntervalLengths(t *testing.T) {
	name, _ := weeks(t)
	byLen := map[time.Duration]*Result{}
	for _, d := range []time.Duration{time.Minute, 5 * time.Minute, time.Hour, 24 * time.Hour} {
		byLen[d] = run(t, []string{name}, Options{Port0: true, Interval: d, Workers: 2})
	}
	for _, c := range [][2]time.Duration{{time.Minute, 5 * time.Minute}, {5 * time.Minute, time.Hour}, {time.Hour, 24 * time.Hour}} {
		short, long := byLen[c[0]], byLen[c[1]]
		k := int64(c[1] / c[0])
		sum := map[int64]*IntervalAll{}
		for h, a := range short.Intervals.All() {
			s := sum[h/k]
			if s == nil {
				s = &IntervalAll{}
				sum[h/k] = s
			}
			s.Packets += a.Packets
			s.Sources.Merge(&a.Sources)
		}
		if len(sum) != long.Intervals.Len() {
			t.Fatalf("%v: %d intervals of %v hold packets, want %d", c, long.Intervals.Len(), c[1], len(sum))
		}
		for h, a := range long.Intervals.All() {
			if s := sum[h]; s == nil || s.Packets != a.Packets || s.Sources.HLL() != a.Sources.HLL() {
				t.Fatalf("%v: interval %d of %v differs from the sum of its intervals of %v", c, h, c[1], c[0])
			}
		}
	}
}

// TestIntervalOptions checks the intervals Run takes and what merging
// results of different intervals says.
func TestIntervalOptions(t *testing.T) {
	for _, d := range []time.Duration{time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 24 * time.Hour, 0} {
		if err := CheckInterval(d); err != nil {
			t.Errorf("%v: %v", d, err)
		}
	}
	for _, d := range []time.Duration{-time.Minute, time.Millisecond, 1500 * time.Millisecond, 7 * time.Minute, 48 * time.Hour} {
		if CheckInterval(d) == nil {
			t.Errorf("%v accepted", d)
		}
		res, err := Run(nil, nil, Options{Port0: true, Interval: d})
		if err == nil || !strings.Contains(err.Error(), "interval") {
			t.Errorf("Run with %v: error %v", d, err)
		}
		res.Close()
	}
	in := []string{filepath.Join(testcap.CorpusDir(), "port0_positions.pcap")}
	if r := run(t, in, Options{Port0: true}); r.Interval != time.Hour {
		t.Errorf("default interval %v", r.Interval)
	}
	if r := run(t, in, Options{}); r.Interval != 0 {
		t.Errorf("count-only result with interval %v", r.Interval)
	}
	a := run(t, in, Options{Port0: true, Interval: 5 * time.Minute})
	b := run(t, in, Options{Port0: true})
	err := a.Merge(b)
	if err == nil || !strings.Contains(err.Error(), "-interval 5m0s") || !strings.Contains(err.Error(), "-interval 1h0m0s") {
		t.Errorf("merging 5m and 1h results: error %v, want one naming both intervals", err)
	}
	c := run(t, in, Options{Port0: true, Interval: 5 * time.Minute})
	if err := a.Merge(c); err != nil || a.Interval != 5*time.Minute {
		t.Errorf("merging two 5m results: %v, interval %v", err, a.Interval)
	}
	var empty Result
	d := run(t, in, Options{Port0: true, Interval: time.Minute})
	if err := empty.Merge(d); err != nil || empty.Interval != time.Minute {
		t.Errorf("merging into an empty result: %v, interval %v", err, empty.Interval)
	}
}

// TestStudyBusyAllocs checks that the study's side of the scan allocates
// per interval, not per packet: on a busy capture (200,000 packets in two
// hours, dense sketches) a whole run allocates a few dozen times at any
// interval, once its buffers exist.
func TestStudyBusyAllocs(t *testing.T) {
	ps := make([]testcap.SyntheticPacket, 200000)
	for i := range ps {
		ps[i] = testcap.SyntheticPacket{TS: 1709078400e9 + int64(i)*36e3, Src: 0x0a000000 | uint32(i*7919%20000)}
	}
	data := testcap.Synthetic(ps)
	for _, iv := range []time.Duration{time.Hour, 5 * time.Minute, time.Minute} {
		w := newFileWorkload(t, data)
		w.s.interval = int64(iv)
		w.run(t, scanStudy)
		intervals := int(2 * time.Hour / iv)
		a := testing.AllocsPerRun(3, func() { w.run(t, scanStudy) })
		t.Logf("%v: %v allocations a run of %d packets in %d intervals", iv, a, len(ps), intervals)
		if a > float64(8*intervals+20) {
			t.Errorf("%v: %v allocations a run of %d packets in %d intervals", iv, a, len(ps), intervals)
		}
	}
}
