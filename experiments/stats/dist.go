package stats

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// sortedCopy returns an ascending copy of xs.
func sortedCopy(xs []float64) []float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s
}

// ECDF returns the empirical cumulative distribution function of xs as a step
// function: x holds the distinct values of xs in increasing order and p[i] is
// the fraction of xs less than or equal to x[i] (the value gonum's stat.CDF
// with stat.Empirical gives at x[i]). The last p is 1. Plotting (x, p) as
// steps draws the CDF. ECDF of an empty slice is (nil, nil). NaNs sort first
// and are kept as values, so callers should filter them out.
func ECDF(xs []float64) (x, p []float64) {
	if len(xs) == 0 {
		return nil, nil
	}
	s := sortedCopy(xs)
	n := float64(len(s))
	for i, v := range s {
		// s[i] is the last of a run of equal values: all of s[:i+1] are ≤ v.
		if i+1 < len(s) && s[i+1] == v {
			continue
		}
		x = append(x, v)
		p = append(p, float64(i+1)/n)
	}
	return x, p
}

// Quantile returns the empirical q-quantile of xs: the smallest value v of xs
// such that at least a fraction q of xs is ≤ v (gonum stat.Quantile with
// stat.Empirical, on a sorted copy). It returns NaN for an empty xs and
// panics, as gonum does, if q is outside [0, 1].
func Quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return stat.Quantile(q, stat.Empirical, sortedCopy(xs), nil)
}
