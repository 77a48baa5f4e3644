package stats

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
)

// TopShare returns the share of the total of xs held by its k largest
// entries, for example the share of port-0 packets sent by the ten busiest
// sources. Entries are amounts and must be non-negative. A k of len(xs) or
// more gives 1; TopShare returns NaN if xs is empty, k < 1 or the total is 0.
func TopShare(xs []float64, k int) float64 {
	total := floats.Sum(xs)
	if len(xs) == 0 || k < 1 || total == 0 {
		return math.NaN()
	}
	if k >= len(xs) {
		return 1
	}
	top := largest(xs, k)
	slices.Sort(top)
	return floats.Sum(top) / total
}

// largest returns the k largest values of xs (k ≤ len(xs)), in no order,
// in a new slice: a min-heap of k, so that a bootstrap's thousand top-10
// shares of millions of sources do not each sort them.
func largest(xs []float64, k int) []float64 {
	h := slices.Clone(xs[:k])
	for i := k/2 - 1; i >= 0; i-- {
		siftDown(h, i)
	}
	for _, x := range xs[k:] {
		if x > h[0] {
			h[0] = x
			siftDown(h, 0)
		}
	}
	return h
}

// siftDown restores the min-heap order of h below i.
func siftDown(h []float64, i int) {
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && h[c+1] < h[c] {
			c++
		}
		if h[i] <= h[c] {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// TopFractionShare returns the share of the total of xs held by its largest
// ⌈frac·len(xs)⌉ entries, and at least by the single largest: TopFractionShare(xs, 0.01)
// is the share of the top 1 % of sources. frac is clamped to [0, 1]; the
// result is NaN where [TopShare] would be.
func TopFractionShare(xs []float64, frac float64) float64 {
	frac = min(max(frac, 0), 1)
	// The small slack keeps products such as 0.1·30 = 3.0000000000000004
	// from rounding up to one entry too many.
	k := max(int(math.Ceil(frac*float64(len(xs))-1e-9)), 1)
	return TopShare(xs, k)
}

// Gini returns the Gini coefficient of the non-negative amounts xs, with the
// standard formula on the ascending values x₁ ≤ … ≤ xₙ:
//
//	G = 2·Σᵢ i·xᵢ / (n·Σᵢ xᵢ) − (n+1)/n
//
// G is 0 when all entries are equal and (n−1)/n when one entry holds
// everything; it is the sample (not bias-corrected) coefficient. gonum has no
// Gini. Gini returns NaN if xs is empty or its total is 0.
func Gini(xs []float64) float64 {
	total := floats.Sum(xs)
	if len(xs) == 0 || total == 0 {
		return math.NaN()
	}
	s := sortedCopy(xs)
	var weighted float64
	for i, v := range s {
		weighted += float64(i+1) * v
	}
	n := float64(len(s))
	return 2*weighted/(n*total) - (n+1)/n
}
