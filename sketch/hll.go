package sketch

import (
	"encoding/binary"
	"math"
	"math/bits"
	"net/netip"
)

// HLL is a HyperLogLog distinct counter with 2^hllP registers: about 3.3 %
// standard error (1.04/sqrt(1024)), 1 KiB, and mergeable by register-wise
// maximum, so counts of separate files and machines combine exactly as if
// counted together. Small counts use linear counting and are near exact.
type HLL struct {
	Reg [1 << hllP]uint8
}

const hllP = 10

// MaxRegister is the largest value a register can hold: the position of
// the first 1 bit in the 64-10 = 54 hash bits left after the register
// index, or 55 when they are all 0.
const MaxRegister = 64 - hllP + 1

// Valid reports whether every register holds a value an Add can have put
// there (a sketch read from a file is checked with it).
func (h *HLL) Valid() bool {
	for _, r := range h.Reg {
		if r > MaxRegister {
			return false
		}
	}
	return true
}

// hashAddr hashes an address with a SplitMix64-style mixer.
func hashAddr(a netip.Addr) uint64 {
	b := a.As16()
	return hash16(&b)
}

// Hash16 is the hash Add16 takes of the address whose As16 form is b.
func Hash16(b *[16]byte) uint64 { return hash16(b) }

// hash16 is hashAddr of the address whose As16 form is b (a Record's Addr).
func hash16(b *[16]byte) uint64 {
	x := binary.LittleEndian.Uint64(b[:8])*0x9e3779b97f4a7c15 ^ binary.LittleEndian.Uint64(b[8:])
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// Hash4 is hash16 of the IPv4-mapped form of the IPv4 address b[:4], the
// first eight bytes of which are zero.
func Hash4(b []byte) uint64 {
	x := uint64(binary.LittleEndian.Uint32(b))<<32 | 0xffff0000
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// Add counts one address.
func (h *HLL) Add(a netip.Addr) { h.AddHash(hashAddr(a)) }

// Add16 counts the address whose As16 form is b, as Add does, without
// building a netip.Addr (the scan's hot path).
func (h *HLL) Add16(b *[16]byte) { h.AddHash(hash16(b)) }

// AddHash counts an address by its hash (Hash4 of an IPv4 address is the
// hash Add16 and Add take of it).
func (h *HLL) AddHash(x uint64) {
	i := x >> (64 - hllP)
	rank := uint8(bits.LeadingZeros64(x<<hllP|1<<(hllP-1)) + 1)
	if rank > h.Reg[i] {
		h.Reg[i] = rank
	}
}

// Merge folds o into h.
//
// It takes the register-wise maximum eight registers at a time. Ranks are
// at most 55 (below 128), so for bytes a and b, (a|0x80)-b never borrows
// from the next byte and its high bit is set exactly when a >= b; a word
// with a register of 128 or more (only a damaged partial result holds
// one) is merged byte by byte.
func (h *HLL) Merge(o *HLL) {
	const hi = 0x8080808080808080
	le := binary.LittleEndian
	for i := 0; i < len(h.Reg); i += 8 {
		a, b := le.Uint64(h.Reg[i:]), le.Uint64(o.Reg[i:])
		if (a|b)&hi != 0 {
			for j := i; j < i+8; j++ {
				h.Reg[j] = max(h.Reg[j], o.Reg[j])
			}
			continue
		}
		ge := ((a | hi) - b) & hi // high bit of each byte: a >= b
		m := ge >> 7 * 0xff       // 0xff where a >= b
		le.PutUint64(h.Reg[i:], a&m|b&^m)
	}
}

// hllPow holds 2^-r for every register value r (exactly math.Ldexp(1, -r)).
var hllPow = func() (p [256]float64) {
	for r := range p {
		p[r] = math.Ldexp(1, -r)
	}
	return p
}()

// hllExact is the largest rank for which Count sums in integers: every
// partial sum of 2^-r over 1024 registers of rank <= 42 is a multiple of
// 2^-42 below 2^11, exactly representable in a float64, so the float sum
// in register order is exact and equals the integer sum.
const hllExact = 42

// hllCountTab holds, for each rank r <= hllExact, 2^(hllExact-r) in its
// low 53 bits and, for rank 0, a 1 from bit 53 on: summed over 1024
// registers the low part stays below 2^53 (1024 * 2^42 = 2^52) and the
// high part counts the zero registers (at most 1024 < 2^11), so Count
// needs one table lookup and one add per register, no branch.
var hllCountTab = func() (t [256]uint64) {
	for r := 0; r <= hllExact; r++ {
		t[r] = 1 << (hllExact - r)
	}
	t[0] |= 1 << 53
	return t
}()

// Count estimates the number of distinct addresses added.
func (h *HLL) Count() int64 {
	var sum float64
	// One pass, a word of 8 registers at a time: top is the OR of the
	// registers (a bound on the largest rank, byte-wise); t sums
	// hllCountTab, zeros above bit 53 and 2^(hllExact-r) below, the zero
	// words of a sparse sketch at once.
	var top, t, zeroWords uint64
	le := binary.LittleEndian
	for i := 0; i < len(h.Reg); i += 8 {
		w := le.Uint64(h.Reg[i:])
		if w == 0 {
			zeroWords++
			continue
		}
		top |= w
		r := (*[8]uint8)(h.Reg[i:])
		t += hllCountTab[r[0]] + hllCountTab[r[1]] + hllCountTab[r[2]] + hllCountTab[r[3]] +
			hllCountTab[r[4]] + hllCountTab[r[5]] + hllCountTab[r[6]] + hllCountTab[r[7]]
	}
	t += 8 * zeroWords * hllCountTab[0]
	top |= top >> 32
	top |= top >> 16
	top |= top >> 8
	zeros := int(t >> 53)
	if uint8(top) <= hllExact {
		sum = math.Ldexp(float64(t&(1<<53-1)), -hllExact)
	} else {
		for _, r := range h.Reg {
			sum += hllPow[r]
		}
	}
	return estimate(sum, zeros)
}

// estimate is the count of a sketch whose registers sum (2^-r each) to
// sum, zeros of them 0 (HLL.Count and Compact.Count share it).
func estimate(sum float64, zeros int) int64 {
	const m = float64(1 << hllP)
	alpha := 0.7213 / (1 + 1.079/m)
	est := alpha * m * m / sum
	if est <= 2.5*m && zeros > 0 {
		est = m * math.Log(m/float64(zeros))
	}
	return int64(est + 0.5)
}
