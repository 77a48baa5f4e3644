package sketch

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/port0/port0/decode"
)

// TestHLL counts sets of IPv4 addresses of growing size within three
// standard errors, and checks that merging the sketches of two halves
// gives the sketch of the whole.
func TestHLL(t *testing.T) {
	for _, n := range []int{0, 1, 100, 5000, 200000} {
		var h, a, b HLL
		for i := 0; i < n; i++ {
			x := netip.AddrFrom4([4]byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)})
			h.Add(x)
			if i%2 == 0 {
				a.Add(x)
			} else {
				b.Add(x)
			}
		}
		got := h.Count()
		if err := float64(got-int64(n)) / float64(max(n, 1)); err > 0.1 || err < -0.1 { // 3 standard errors
			t.Errorf("n=%d: count %d (%.1f%% off)", n, got, 100*err)
		}
		a.Merge(&b)
		if a != h {
			t.Errorf("n=%d: merged halves differ from the whole", n)
		}
	}
}

// TestHLLMergeCount checks the word-wise Merge and the table-driven Count
// against the plain register loops they replace, on random registers
// (ranks a real sketch holds, and damaged values of 128 and more).
func TestHLLMergeCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name string
		max  int
	}{{"ranks", 56}, {"exact", 43}, {"typical", 20}, {"small", 3}, {"damaged", 256}} {
		t.Run(tc.name, func(t *testing.T) {
			for range 200 {
				var a, b HLL
				for i := range a.Reg {
					a.Reg[i] = uint8(rng.IntN(tc.max))
					b.Reg[i] = uint8(rng.IntN(tc.max))
				}
				want := a
				for i, r := range b.Reg {
					if r > want.Reg[i] {
						want.Reg[i] = r
					}
				}
				got := a
				got.Merge(&b)
				if got != want {
					t.Fatal("Merge differs from the register-wise maximum")
				}
				if g, w := got.Count(), countLdexp(&got); g != w {
					t.Fatalf("Count %d, want %d", g, w)
				}
			}
		})
	}
}

// countLdexp is Count as first written, with math.Ldexp.
func countLdexp(h *HLL) int64 {
	const m = float64(1 << hllP)
	sum, zeros := 0.0, 0
	for _, r := range h.Reg {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	alpha := 0.7213 / (1 + 1.079/m)
	est := alpha * m * m / sum
	if est <= 2.5*m && zeros > 0 {
		est = m * math.Log(m/float64(zeros))
	}
	return int64(est + 0.5)
}

// TestHLLAdd16 checks that the hot path's Add16 on a Record's Addr counts
// the same register as Add on the netip.Addr.
func TestHLLAdd16(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var a, b HLL
	for range 10000 {
		var x [16]byte
		for i := range x {
			x[i] = byte(rng.Uint32())
		}
		v6 := netip.AddrFrom16(x)
		v4 := netip.AddrFrom4([4]byte(x[:4]))
		for _, ip := range []netip.Addr{v6, v4} {
			a.Add(ip)
			r := decode.AddrFrom(ip)
			b.Add16((*[16]byte)(&r))
		}
	}
	if a != b {
		t.Fatal("Add16 and Add differ")
	}
}

// BenchmarkHLLCount counts an hour's sketch of a few hundred sources, as
// the time series does for every hour.
func BenchmarkHLLCount(b *testing.B) {
	var h HLL
	rng := rand.New(rand.NewPCG(5, 5))
	for range 400 {
		h.AddHash(rng.Uint64())
	}
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		n += h.Count()
	}
	if n == 0 {
		b.Fatal("no count")
	}
}

// TestHash4 checks that Hash4 is hash16 of the IPv4-mapped address.
func TestHash4(t *testing.T) {
	for _, s := range []string{"0.0.0.0", "198.18.0.1", "203.0.113.250", "255.255.255.255", "1.2.3.4"} {
		a := netip.MustParseAddr(s)
		b16 := a.As16()
		b4 := a.As4()
		if got, want := Hash4(b4[:]), hash16(&b16); got != want {
			t.Errorf("%s: Hash4 %x, hash16 %x", s, got, want)
		}
	}
}

// TestHLLValid checks that MaxRegister is the largest rank an Add can put
// in a register, that sketches Add built are Valid, and that a register
// above MaxRegister is not.
func TestHLLValid(t *testing.T) {
	var h HLL
	h.AddHash(0) // register 0, all remaining hash bits 0: the largest rank
	if h.Reg[0] != MaxRegister {
		t.Errorf("AddHash(0): register %d, want MaxRegister %d", h.Reg[0], MaxRegister)
	}
	rng := rand.New(rand.NewPCG(6, 7))
	for range 100000 {
		h.AddHash(rng.Uint64())
	}
	if !h.Valid() {
		t.Error("a sketch built by AddHash is not Valid")
	}
	h.Reg[len(h.Reg)-1] = MaxRegister + 1
	if h.Valid() {
		t.Errorf("a register of %d is Valid", MaxRegister+1)
	}
}
