package sketch

import (
	"math/rand/v2"
	"testing"
)

// randHash is a random hash; one in eight has a rank above hllExact, the
// ranks HLL.Count sums in floats.
func randHash(rng *rand.Rand) uint64 {
	x := rng.Uint64()
	if rng.IntN(8) == 0 {
		x &^= (1<<(64-hllP) - 1) &^ (1<<(64-hllP-45) - 1) // 45 zero bits after the index
	}
	return x
}

// checkSame fails unless c holds exactly h's registers, counts as h
// does and is canonical (dense exactly past SparseMax registers).
func checkSame(t *testing.T, what string, c *Compact, h *HLL) {
	t.Helper()
	if c.HLL() != *h {
		t.Fatalf("%s: registers differ from the dense sketch's", what)
	}
	if g, w := c.Count(), h.Count(); g != w {
		t.Fatalf("%s: Count %d, dense %d", what, g, w)
	}
	if c.IsDense() != (h.set() > SparseMax) || c.Registers() != h.set() {
		t.Fatalf("%s: dense %v with %d registers set (%d)", what, c.IsDense(), h.set(), c.Registers())
	}
}

// TestCompactAgrees is the property that lets the scan keep Compact
// sketches: for random inputs of every size around SparseMax, Add, Merge
// (in both directions, from a reset dense sketch too) and Count give the
// registers and the count of the dense HLL, and the encoding round-trips.
func TestCompactAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 5))
	sizes := []int{0, 1, 2, 7, 100, 200, 255, 256, 257, 258, 300, 600, 1000, 5000, 50000}
	for range 30 {
		sizes = append(sizes, rng.IntN(2000))
	}
	for _, n := range sizes {
		var ha, hb, hall HLL
		var ca, cb Compact
		for i := range n {
			x := randHash(rng)
			hall.AddHash(x)
			if i%3 == 0 {
				ha.AddHash(x)
				ca.AddHash(x)
			} else {
				hb.AddHash(x)
				cb.AddHash(x)
			}
		}
		checkSame(t, "add a", &ca, &ha)
		checkSame(t, "add b", &cb, &hb)
		ab, ba := ca.Clone(), cb.Clone()
		ab.Merge(&cb)
		ba.Merge(&ca)
		checkSame(t, "a+b", &ab, &hall)
		checkSame(t, "b+a", &ba, &hall)
		// A scratch sketch reset while dense, then given a's addresses
		// again: not canonical itself, it merges into a canonical one.
		var scratch Compact
		for range SparseMax + 100 {
			scratch.AddHash(rng.Uint64())
		}
		scratch.Reset()
		for k := range ha.Reg {
			if r := ha.Reg[k]; r != 0 {
				scratch.dense.Reg[k] = r
			}
		}
		var fromScratch Compact
		fromScratch.Merge(&scratch)
		checkSame(t, "from a reset dense sketch", &fromScratch, &ha)
		var u HLL
		ca.MergeInto(&u)
		cb.MergeInto(&u)
		if u != hall {
			t.Fatal("MergeInto differs from the dense merge")
		}
		enc := ab.AppendEncoding(nil)
		var back Compact
		head := uint16(enc[0]) | uint16(enc[1])<<8
		if err := back.Decode(head, enc[2:]); err != nil {
			t.Fatalf("n=%d: decode: %v", n, err)
		}
		checkSame(t, "decoded", &back, &hall)
		if string(back.AppendEncoding(nil)) != string(enc) {
			t.Fatal("encoding does not round-trip byte for byte")
		}
		if string(scratch.AppendEncoding(nil)) != string(fromScratch.AppendEncoding(nil)) {
			t.Fatal("a non-canonical dense sketch encodes otherwise than its canonical form")
		}
	}
}

// TestCompactDecodeRejects checks that the decoder takes only what
// AppendEncoding writes.
func TestCompactDecodeRejects(t *testing.T) {
	var c Compact
	le := func(v ...uint16) []byte {
		var b []byte
		for _, x := range v {
			b = append(b, byte(x), byte(x>>8))
		}
		return b
	}
	dense := make([]byte, CompactDense)
	for i := range SparseMax { // SparseMax set: should have been a list
		dense[i] = 1
	}
	cases := []struct {
		name string
		head uint16
		body []byte
	}{
		{"head between list and dense", SparseMax + 1, make([]byte, 2*(SparseMax+1))},
		{"head above dense", CompactDense + 1, nil},
		{"short body", 2, le(1<<6 | 1)},
		{"rank 0", 1, le(5 << 6)},
		{"rank too high", 1, le(5<<6 | (MaxRegister + 1))},
		{"registers not increasing", 2, le(5<<6|1, 5<<6|2)},
		{"registers decreasing", 2, le(6<<6|1, 5<<6|2)},
		{"dense with few registers", CompactDense, dense},
	}
	for _, tc := range cases {
		if err := c.Decode(tc.head, tc.body); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	bad := make([]byte, CompactDense)
	for i := range bad {
		bad[i] = 1
	}
	bad[7] = MaxRegister + 1
	if err := c.Decode(CompactDense, bad); err == nil {
		t.Error("dense register above MaxRegister accepted")
	}
}

// TestCompactAllocs checks that adding to and counting a sparse sketch
// allocate nothing once its list has room, nor merging into a dense one,
// and that a sparse sketch costs 2 bytes a register.
func TestCompactAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	hs := make([]uint64, 100)
	for i := range hs {
		hs[i] = rng.Uint64()
	}
	var c Compact
	for _, x := range hs {
		c.AddHash(x)
	}
	if a := testing.AllocsPerRun(100, func() {
		for _, x := range hs {
			c.AddHash(x) // registers already set: no insertion
		}
		_ = c.Count()
	}); a != 0 {
		t.Errorf("AddHash+Count on a sparse sketch: %v allocations, want 0", a)
	}
	if c.IsDense() || c.Bytes() > 2*2*c.Registers() {
		t.Errorf("%d registers in %d bytes (dense %v)", c.Registers(), c.Bytes(), c.IsDense())
	}
	var d Compact
	for range 5000 {
		d.AddHash(rng.Uint64())
	}
	o := c.Clone()
	if a := testing.AllocsPerRun(100, func() { d.Merge(&o); o.Merge(&c) }); a != 0 {
		t.Errorf("Merge into a dense sketch and into a list with room: %v allocations, want 0", a)
	}
}

// BenchmarkCompactAdd adds an interval's few hundred sources to a sparse
// sketch that is reset after each interval, as the scan's parts do.
func BenchmarkCompactAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	hs := make([]uint64, 200)
	for i := range hs {
		hs[i] = rng.Uint64()
	}
	var c Compact
	for b.Loop() {
		c.Reset()
		for _, x := range hs {
			c.AddHash(x)
		}
	}
}

// BenchmarkCompactAddRepeat adds the packets of a chunk from 200 sources
// that each send many (a telescope's busy part): a search that finds its
// register set, per packet.
func BenchmarkCompactAddRepeat(b *testing.B) {
	hs := repeatHashes()
	var c Compact
	for b.Loop() {
		c.Reset()
		for _, x := range hs {
			c.AddHash(x)
		}
	}
}

// repeatHashes are 4,096 packets' hashes from 200 sources, in a random
// order.
func repeatHashes() []uint64 {
	rng := rand.New(rand.NewPCG(5, 6))
	srcs := make([]uint64, 200)
	for i := range srcs {
		srcs[i] = rng.Uint64()
	}
	hs := make([]uint64, 4096)
	for i := range hs {
		hs[i] = srcs[rng.IntN(len(srcs))]
	}
	return hs
}
