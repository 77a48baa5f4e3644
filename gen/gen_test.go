package gen

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/port0/port0/label"
)

// shortScenario is the default scenario over 60 days with both bursts inside
// them: small enough for many runs in one test.
func shortScenario() *Scenario {
	s := Paper()
	s.Days = 60
	s.Sport0.BurstDay = 20
	s.Garbage.SurgeDay = 40
	return s
}

// fileHashes maps each file of a run (manifest included) to its sha256.
func fileHashes(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = sha256.Sum256(b)
	}
	return out
}

func TestDeterminism(t *testing.T) {
	s := shortScenario()
	const scale = 2e-4
	ref, m := generate(t, s, 3, scale, Options{Workers: 1})
	if m.Packets < 100000 {
		t.Fatalf("only %d packets: too few to exercise several chunks per shard", m.Packets)
	}
	want := fileHashes(t, ref)
	t.Run("same-seed-more-workers", func(t *testing.T) {
		for _, w := range []int{2, 3, 8} {
			dir, _ := generate(t, s, 3, scale, Options{Workers: w})
			got := fileHashes(t, dir)
			if len(got) != len(want) {
				t.Fatalf("workers=%d: %d files, want %d", w, len(got), len(want))
			}
			for name, h := range want {
				if got[name] != h {
					t.Errorf("workers=%d: %s differs", w, name)
				}
			}
		}
	})
	t.Run("different-seed", func(t *testing.T) {
		dir, _ := generate(t, s, 4, scale, Options{})
		got := fileHashes(t, dir)
		same := 0
		for name, h := range want {
			if strings.HasSuffix(name, ".pcap") && got[name] == h {
				same++
			}
		}
		if same > 0 {
			t.Errorf("seed 4 wrote %d pcap shards identical to seed 3", same)
		}
	})
	t.Run("shard-layout-keeps-packets", func(t *testing.T) {
		// The packets do not depend on how they are split into files.
		records := func(dir string, m *Manifest) [32]byte {
			h := sha256.New()
			for _, sh := range m.Shards {
				b, err := os.ReadFile(filepath.Join(dir, sh.Pcap))
				if err != nil {
					t.Fatal(err)
				}
				h.Write(b[24:]) // all but the file header
			}
			return [32]byte(h.Sum(nil))
		}
		single, ms := generate(t, s, 3, scale, Options{Shard: ShardSingle})
		hourly, mh := generate(t, s, 3, scale, Options{Shard: ShardHour})
		if a, b, c := records(ref, m), records(single, ms), records(hourly, mh); a != b || a != c {
			t.Error("day, single and hour shards hold different packet records")
		}
	})
}

func TestGenChunkAllocs(t *testing.T) {
	p := benchPlan(t, 1e-4)
	w := newWorker(p)
	c := &chunkBuf{ethernet: true}
	k0 := 5000
	packets := chunkWorkload(w, c, k0, 20) // warm the buffers
	if packets == 0 {
		t.Fatal("no packets in the workload")
	}
	allocs := testing.AllocsPerRun(5, func() { chunkWorkload(w, c, k0, 20) })
	if allocs != 0 {
		t.Errorf("%v allocations per %d-packet workload, want 0", allocs, packets)
	}
}

// TestStreaming checks that memory does not grow with the number of packets:
// ten times the packets (same actors, same chunks) allocate about the same.
func TestStreaming(t *testing.T) {
	s := shortScenario()
	s.PopulationExponent = 0 // the same actors at both scales
	s.Background.Actors = 20000
	alloc := func(scale float64) (uint64, int64) {
		p, err := NewPlan(s, 1, scale)
		if err != nil {
			t.Fatal(err)
		}
		p.ChunkNS = 3600 * nsPerSec // the same chunks at both scales
		p.NChunks = int((p.End - p.Start + p.ChunkNS - 1) / p.ChunkNS)
		dir := t.TempDir()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, err := Generate(p, Options{Out: dir, Shard: ShardSingle})
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc, m.Packets
	}
	a1, n1 := alloc(2e-5)
	a10, n10 := alloc(2e-4)
	t.Logf("%d packets: %d bytes allocated; %d packets: %d bytes", n1, a1, n10, a10)
	if n10 < 8*n1 {
		t.Fatalf("scale did not multiply packets: %d vs %d", n10, n1)
	}
	// Chunk buffers grow with the packets of the largest chunk, which is
	// 10x larger, but nothing is kept per packet.
	perPacket := float64(int64(a10)-int64(a1)) / float64(n10-n1)
	if perPacket > 16 {
		t.Errorf("%.1f bytes allocated per extra packet; generation must stream", perPacket)
	}
}

func TestBadOutput(t *testing.T) {
	p, err := NewPlan(shortScenario(), 1, 1e-5)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("unwritable", func(t *testing.T) {
		_, err := Generate(p, Options{Out: "/dev/null/out"})
		if err == nil || !strings.Contains(err.Error(), "cannot create output folder") {
			t.Fatalf("err = %v, want a cannot-create error", err)
		}
	})
	t.Run("fails-midway", func(t *testing.T) {
		dir := t.TempDir()
		// An old manifest from an earlier run must not survive.
		os.WriteFile(filepath.Join(dir, ManifestName), []byte("{}"), 0o644)
		// A folder where day 10's temporary file must go breaks the run.
		if err := os.Mkdir(filepath.Join(dir, "2016-01-11.pcap.tmp"), 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := Generate(p, Options{Out: dir})
		if err == nil {
			t.Fatal("no error")
		}
		if _, err := os.Stat(filepath.Join(dir, ManifestName)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a manifest exists after a failed run (%v)", err)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".tmp") && !e.IsDir() {
				t.Errorf("temporary file %s left behind", e.Name())
			}
		}
	})
	t.Run("bad-scale", func(t *testing.T) {
		for _, sc := range []float64{0, -1} {
			if _, err := NewPlan(Paper(), 1, sc); err == nil || !strings.Contains(err.Error(), "scale") {
				t.Errorf("scale %v: err = %v", sc, err)
			}
		}
	})
}

// TestRealism reads a default-scenario run back and checks its shares and
// concentration against the scenario's parameters.
func TestRealism(t *testing.T) {
	s := Paper()
	const scale = 1e-5
	dir, m := generate(t, s, 11, scale, Options{Shard: ShardSingle})
	perClass := map[label.Class]float64{}
	bgBySrc := map[uint32]float64{}
	p0Src := map[uint32]bool{}
	allSrc := map[uint32]bool{}
	var hourly [24]float64
	var hourlyP0 [24]float64
	var total float64
	readRun(t, dir, func(p *genPacket) {
		ipb := ipOf(t, p)
		src := binary.BigEndian.Uint32(ipb[12:])
		total++
		perClass[p.truth.Class]++
		allSrc[src] = true
		h := (p.ts / 3600e9) % 24
		switch {
		case p.truth.Class == label.Background:
			bgBySrc[src]++
			hourly[h]++
		case p.truth.Class.Port0Related():
			p0Src[src] = true
			if p.truth.Class == label.Scan {
				hourlyP0[h]++
			}
		}
	})
	within := func(name string, got, want, rel float64) {
		t.Helper()
		if want == 0 || got < want*(1-rel) || got > want*(1+rel) {
			t.Errorf("%s = %.5g, want %.5g ± %.0f%%", name, got, want, 100*rel)
		} else {
			t.Logf("%s = %.5g (target %.5g ± %.0f%%)", name, got, want, 100*rel)
		}
	}
	// Volume: TotalPPS × scale × period.
	within("packets", total, s.TotalPPS*scale*float64(s.Days)*86400, 0.02)
	var p0 float64
	for c, n := range perClass {
		if c.Port0Related() {
			p0 += n
		}
	}
	within("port-0 share", p0/total, s.Port0Share, 0.1)
	fam := map[string]float64{
		"scan (scan0 + sport0)": s.Scan0.Share + s.Sport0.Share,
		"backscatter":           s.Backscatter.Share,
		"fingerprint":           s.Fingerprint.Share,
		"crafted-malformed":     s.Garbage.Share,
		"bittorrent":            s.BitTorrent.Share,
	}
	got := map[string]float64{
		"scan (scan0 + sport0)": perClass[label.Scan],
		"backscatter":           perClass[label.BackscatterTo0] + perClass[label.BackscatterFrom0],
		"fingerprint":           perClass[label.Fingerprint],
		"crafted-malformed":     perClass[label.Malformed],
		"bittorrent":            perClass[label.BitTorrent],
	}
	names := make([]string, 0, len(fam))
	for n := range fam {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		// Few actors with heavy-tailed volumes: shares vary more than packets.
		within("share of port-0 packets: "+n, got[n]/p0, fam[n], 0.35)
	}
	within("fragment artifacts share", perClass[label.FragmentArtifact]/total, s.FragmentShare*fragNonFirstShare(s.Fragments), 0.15)
	// Source concentration of the background: top 1 % ≥ 80 % (Merit ORION).
	vols := make([]float64, 0, len(bgBySrc))
	var bgTotal float64
	for _, v := range bgBySrc {
		vols = append(vols, v)
		bgTotal += v
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(vols)))
	var top float64
	for _, v := range vols[:len(vols)/100] {
		top += v
	}
	if share := top / bgTotal; share < 0.8 {
		t.Errorf("top 1%% of %d background sources send %.1f%% of packets, want ≥ 80%%", len(vols), 100*share)
	} else {
		t.Logf("top 1%% of %d background sources send %.1f%% of packets", len(vols), 100*share)
	}
	// "A select few": port-0 sources are a small minority of all sources.
	if ratio := float64(len(p0Src)) / float64(len(allSrc)); ratio > 0.2 {
		t.Errorf("%d of %d sources send port-0 traffic; want a select few", len(p0Src), len(allSrc))
	} else {
		t.Logf("%d port-0 sources among %d", len(p0Src), len(allSrc))
	}
	// The background follows the daily cycle: peak/trough of hourly totals.
	lo, hi := hourly[0], hourly[0]
	for _, v := range hourly {
		lo, hi = min(lo, v), max(hi, v)
	}
	want := (1 + s.DiurnalAmplitude) / (1 - s.DiurnalAmplitude)
	within("background diurnal peak/trough", hi/lo, want, 0.2)
	if m.Packets != int64(total) {
		t.Errorf("manifest says %d packets, read %v", m.Packets, total)
	}
}

func TestManifestCounts(t *testing.T) {
	dir, m := generate(t, shortScenario(), 5, 1e-4, Options{})
	var sum int64
	classes := map[string]int64{}
	for _, sh := range m.Shards {
		sum += sh.Packets
		for c, n := range sh.Classes {
			classes[c] += n
		}
	}
	if sum != m.Packets {
		t.Errorf("shards sum to %d packets, manifest total %d", sum, m.Packets)
	}
	for c, n := range m.Classes {
		if classes[c] != n {
			t.Errorf("class %s: shards sum to %d, total %d", c, classes[c], n)
		}
	}
	for _, f := range m.Files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if h := sha256.Sum256(b); !bytes.Equal(h[:], mustHex(t, f.SHA256)) || int64(len(b)) != f.Bytes {
			t.Errorf("%s: sha256 or size does not match the manifest", f.Name)
		}
	}
	if len(m.Files) != 2*len(m.Shards)+2 {
		t.Errorf("%d files listed for %d shards (+actors.csv, asmap.csv)", len(m.Files), len(m.Shards))
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b := make([]byte, len(s)/2)
	for i := range b {
		var v byte
		for _, c := range s[2*i : 2*i+2] {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= byte(c - '0')
			case c >= 'a' && c <= 'f':
				v |= byte(c - 'a' + 10)
			default:
				t.Fatalf("bad hex %q", s)
			}
		}
		b[i] = v
	}
	return b
}

// TestSum16 checks the fast checksum sum against the plain RFC 1071 loop.
func TestSum16(t *testing.T) {
	plain := func(b []byte) uint16 {
		var acc uint64
		for i := 0; i+1 < len(b); i += 2 {
			acc += uint64(b[i])<<8 | uint64(b[i+1])
		}
		if len(b)%2 == 1 {
			acc += uint64(b[len(b)-1]) << 8
		}
		return fold(acc)
	}
	b := make([]byte, 300)
	for i := range b {
		b[i] = byte(i*131 + 7)
	}
	for n := 0; n <= len(b); n++ {
		for _, fill := range []byte{0x00, 0xff} {
			c := append([]byte(nil), b[:n]...)
			if fill == 0xff {
				for i := range c {
					c[i] = 0xff
				}
			}
			if got, want := fold(sum16(c, 0)), plain(c); got != want {
				t.Fatalf("n=%d fill=%#x: %#04x, want %#04x", n, fill, got, want)
			}
		}
	}
}

// TestSweepsNeverRepeat checks that a port-0 scanner walks its permutation
// of the telescope without sending to an address twice, across chunks, and
// sends its planned packets to within one (its packets are on a steady
// jittered clock, not an exponential one, so every chunk knows its place
// in the sweep).
func TestSweepsNeverRepeat(t *testing.T) {
	s := shortScenario()
	s.Port0Share = 0.05
	p, err := NewPlan(s, 7, 2e-5)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Generate(p, Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	seen := map[uint32]map[uint32]bool{}
	sent := map[uint32]float64{}
	readRun(t, dir, func(g *genPacket) {
		a := &p.Actors[g.truth.Actor]
		if a.Family != famScan0 {
			return
		}
		dst := binary.BigEndian.Uint32(g.data[14+16:])
		if seen[a.ID] == nil {
			seen[a.ID] = map[uint32]bool{}
		}
		if seen[a.ID][dst] {
			t.Errorf("scanner %d sends to %08x twice (%s packet %d)", a.ID, dst, g.shard, g.index)
		}
		seen[a.ID][dst] = true
		sent[a.ID]++
	})
	n := 0
	for i := range p.Actors {
		a := &p.Actors[i]
		if a.Family != famScan0 {
			continue
		}
		n++
		if math.Abs(sent[a.ID]-a.Packets) >= 1 {
			t.Errorf("scanner %d: %v packets for %.3f planned", a.ID, sent[a.ID], a.Packets)
		}
	}
	if n == 0 || len(seen) < 2 {
		t.Fatalf("%d scanners planned, %d sent", n, len(seen))
	}
}

// TestNATSharedAddresses: in wild, a share of the retrying clients sit
// behind a NAT with a BitTorrent client: same address, same AS, each
// with its own truth.
func TestNATSharedAddresses(t *testing.T) {
	for _, c := range []struct {
		s    *Scenario
		want bool
	}{{Paper(), false}, {Wild(), true}} {
		p, err := NewPlan(c.s, 3, 1e-5)
		if err != nil {
			t.Fatal(err)
		}
		bt := map[uint32]uint32{}
		for _, a := range p.Actors {
			if a.Family == famBitTorrent {
				bt[a.Src] = a.ASN
			}
		}
		shared, retry := 0, 0
		for _, a := range p.Actors {
			if a.Family != famRetry {
				continue
			}
			retry++
			if asn, ok := bt[a.Src]; ok {
				shared++
				if asn != a.ASN {
					t.Errorf("%s: retry client %d shares %08x but not its AS", c.s.Name, a.ID, a.Src)
				}
			}
		}
		if got := shared > 0; got != c.want {
			t.Errorf("%s: %d of %d retrying clients share a BitTorrent client's address", c.s.Name, shared, retry)
		}
	}
}
