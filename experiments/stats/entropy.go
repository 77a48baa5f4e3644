package stats

import "math"

// Entropy is the plug-in (maximum-likelihood) Shannon entropy, in nats, of
// the distribution whose counts are given: −Σ p log p with p = c/n. It sums
// in the order given. It is biased low on small samples: n draws cannot
// show more than log n nats, however uniform the source ([UniformEntropy]
// is the bias for a uniform source, [MillerMadow] a first-order
// correction). NaN when the counts sum to 0.
func Entropy(counts []float64) float64 {
	n := 0.0
	for _, c := range counts {
		n += c
	}
	if n <= 0 {
		return math.NaN()
	}
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := c / n
			h -= p * math.Log(p)
		}
	}
	return h
}

// MillerMadow is the plug-in entropy plus Miller and Madow's first-order
// bias correction, (m − 1) / 2n for m non-empty values among n draws
// (Miller 1955; Paninski, "Estimation of entropy and mutual information",
// Neural Computation 15, 2003, section 3). It is accurate when n is large
// against the number of possible values, and still low when it is not.
func MillerMadow(counts []float64) float64 {
	n, m := 0.0, 0.0
	for _, c := range counts {
		n += c
		if c > 0 {
			m++
		}
	}
	return Entropy(counts) + (m-1)/(2*n)
}

// UniformEntropy is the expected plug-in entropy, in nats, of n draws from a
// uniform source over k values: each value's count is Binomial(n, 1/k), so
// E[H] = −k Σ_j P(c = j) (j/n) log(j/n). It tends to log k as n grows
// and is about log n for n ≪ k; a sample's plug-in entropy divided by it is
// 1 in expectation for a uniform source at every sample size. The sum skips
// the counts whose probability is below 1e-300 relative to the largest, and
// is exact otherwise. NaN unless n ≥ 1 and k ≥ 1.
func UniformEntropy(n, k int) float64 {
	if n < 1 || k < 1 {
		return math.NaN()
	}
	if k == 1 {
		return 0
	}
	p := 1 / float64(k)
	lp, lq := math.Log(p), math.Log1p(-p)
	ln, _ := math.Lgamma(float64(n) + 1)
	fn := float64(n)
	mean := fn * p
	sd := math.Sqrt(fn * p * (1 - p))
	hi := min(n, int(mean+40*sd+40))
	e := 0.0
	for j := 1; j <= hi; j++ {
		lj, _ := math.Lgamma(float64(j) + 1)
		lnj, _ := math.Lgamma(float64(n-j) + 1)
		logPMF := ln - lj - lnj + float64(j)*lp + float64(n-j)*lq
		if logPMF < -690 {
			continue
		}
		q := float64(j) / fn
		e -= math.Exp(logPMF) * q * math.Log(q)
	}
	return float64(k) * e
}
