package stats

import (
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/floats"
)

// Periods of an hourly series.
const (
	Daily  = 24     // hours in a day
	Weekly = 7 * 24 // hours in a week
)

// PeriodStrength returns the share of the variance of series that lies at
// the given period (in samples) and its harmonics: the diurnal strength of an
// hourly series is PeriodStrength(s, Daily), its weekly strength
// PeriodStrength(s, Weekly). It is read off the periodogram |X_k|² of the
// mean-removed series (gonum dsp/fourier), as the periodogram mass at the
// frequencies k·n/period over the mass at all non-zero frequencies.
//
// The series is cut to its first n = ⌊len/L⌋·L samples, L the least common
// multiple of period and exclude, so that every harmonic falls on a Fourier
// bin. Then the strength equals the share of variance explained by the mean
// profile over one period (the R² of regressing the series on its phase), and
// lies in [0, 1]: 1 for an exactly periodic series, and on average
// (period−1)/(n−1) for white noise, the floor a long series makes small.
//
// The harmonics of a period include every period that divides it — a weekly
// profile contains the daily cycle — so PeriodStrength(s, Weekly) is at least
// PeriodStrength(s, Daily) up to the cut. Harmonics shared with any period in
// exclude are left out of the numerator: PeriodStrength(s, Weekly, Daily) is
// the variance share of the day-of-week pattern beyond the daily cycle.
//
// PeriodStrength returns NaN if period < 2, an excluded period is < 1, the
// series is shorter than two whole L-cycles, or the cut series is constant.
func PeriodStrength(series []float64, period int, exclude ...int) float64 {
	if period < 2 {
		return math.NaN()
	}
	l := period
	for _, e := range exclude {
		if e < 1 {
			return math.NaN()
		}
		l = lcm(l, e)
	}
	n := len(series) / l * l
	if n < 2*l {
		return math.NaN()
	}
	x := make([]float64, n)
	copy(x, series)
	floats.AddConst(-floats.Sum(x)/float64(n), x)

	coeff := fourier.NewFFT(n).Coefficients(nil, x) // X_0 … X_{n/2}
	// Parseval: Σ_t x_t² = (1/n) Σ_{k=0}^{n−1} |X_k|². Over the one-sided
	// spectrum, bins 1 … ⌈n/2⌉−1 stand for two frequencies (k and n−k) and the
	// Nyquist bin n/2 of an even n for one.
	power := func(k int) float64 {
		p := cmplx.Abs(coeff[k])
		p *= p
		if 2*k != n {
			p *= 2
		}
		return p
	}
	var total, periodic float64
	step := n / period // bin of the fundamental
	for k := 1; k <= n/2; k++ {
		p := power(k)
		total += p
		if k%step != 0 {
			continue
		}
		excluded := false
		for _, e := range exclude {
			if k%(n/e) == 0 {
				excluded = true
				break
			}
		}
		if !excluded {
			periodic += p
		}
	}
	if !(total > 0) {
		return math.NaN()
	}
	return periodic / total
}

// gcd returns the greatest common divisor of the positive a and b.
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// lcm returns the least common multiple of the positive a and b.
func lcm(a, b int) int { return a / gcd(a, b) * b }
