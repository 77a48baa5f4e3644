package sketch

import (
	"math/rand/v2"
	"testing"
)

// TestScratch: adding to a Scratch and merging it into a Compact gives the
// registers of adding to the Compact directly, sparse or dense, below
// and past SparseMax, into an empty, a sparse and a dense Compact, and a
// reset Scratch is empty.
func TestScratch(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var s Scratch
	for _, n := range []int{0, 1, 50, SparseMax, SparseMax + 1, 3000} {
		for _, before := range []int{0, 30, 2000} {
			var want, got Compact
			for range before {
				x := rng.Uint64()
				want.AddHash(x)
				got.AddHash(x)
			}
			for range n {
				x := rng.Uint64()
				want.AddHash(x)
				s.AddHash(x)
				s.AddHash(x) // again: no second entry
			}
			s.MergeInto(&got)
			s.Reset()
			var w, g HLL
			want.MergeInto(&w)
			got.MergeInto(&g)
			if w != g || want.Count() != got.Count() {
				t.Errorf("%d adds into %d: the registers differ from adding to the Compact", n, before)
			}
			var empty Compact
			s.MergeInto(&empty)
			if empty.Count() != 0 || s.n != 0 || s.h != (HLL{}) {
				t.Errorf("%d adds into %d: Reset left registers set", n, before)
			}
		}
	}
}

// BenchmarkScratchAddRepeat is BenchmarkCompactAddRepeat with a Scratch
// merged into a Compact at the end, as a scan part does.
func BenchmarkScratchAddRepeat(b *testing.B) {
	hs := repeatHashes()
	var s Scratch
	var c Compact
	for b.Loop() {
		c.Reset()
		for _, x := range hs {
			s.AddHash(x)
		}
		s.MergeInto(&c)
		s.Reset()
	}
}
