package gen

import "math/bits"

// alias is Walker's alias table: it picks index i with probability
// w[i]/sum(w) in O(1), with one random number.
type alias struct {
	prob  []uint64 // probability of keeping the column, as a 53-bit fraction
	other []uint32
}

// newAlias builds the table (Vose's method). Weights must be non-negative
// with a positive sum; an empty table picks 0.
func newAlias(w []float64) alias {
	n := len(w)
	a := alias{prob: make([]uint64, n), other: make([]uint32, n)}
	if n == 0 {
		return a
	}
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	scaled := make([]float64, n)
	var small, large []int
	for i, x := range w {
		scaled[i] = x * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	const one = 1 << 53
	for len(small) > 0 && len(large) > 0 {
		s := small[len(small)-1]
		small = small[:len(small)-1]
		l := large[len(large)-1]
		a.prob[s] = uint64(scaled[s] * one)
		a.other[s] = uint32(l)
		scaled[l] += scaled[s] - 1
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range large {
		a.prob[i] = one
		a.other[i] = uint32(i)
	}
	for _, i := range small { // rounding leftovers
		a.prob[i] = one
		a.other[i] = uint32(i)
	}
	return a
}

// pick maps a uniform random 64-bit value to an index.
func (a *alias) pick(u uint64) int {
	n := len(a.prob)
	if n <= 1 {
		return 0
	}
	// One draw: u*n's high word is a uniform column, its low word a
	// uniform fraction for the coin (Lemire's multiply-shift).
	hi, lo := bits.Mul64(u, uint64(n))
	if lo>>11 < a.prob[hi] {
		return int(hi)
	}
	return int(a.other[hi])
}
