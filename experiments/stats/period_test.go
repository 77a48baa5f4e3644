package stats

import (
	"math"
	"testing"
)

// year is the length of an hourly test series: 52 whole weeks.
const year = 52 * Weekly

// hourly returns an hourly series of n points whose value at hour t is f(t)
// plus seeded Gaussian noise of standard deviation noise.
func hourly(seed uint64, n int, noise float64, f func(t int) float64) []float64 {
	r := testRand(seed)
	s := make([]float64, n)
	for t := range s {
		s[t] = f(t) + noise*r.NormFloat64()
	}
	return s
}

// profileShare is the known answer PeriodStrength must reproduce without a
// Fourier transform: the share of variance explained by the mean value at
// each phase t mod period, over the first ⌊len/period⌋ whole periods.
func profileShare(s []float64, period int) float64 {
	n := len(s) / period * period
	s = s[:n]
	var mean float64
	for _, v := range s {
		mean += v
	}
	mean /= float64(n)
	phase := make([]float64, period)
	for t, v := range s {
		phase[t%period] += v / float64(n/period)
	}
	var total, explained float64
	for t, v := range s {
		total += (v - mean) * (v - mean)
		explained += (phase[t%period] - mean) * (phase[t%period] - mean)
	}
	return explained / total
}

func TestPeriodStrength(t *testing.T) {
	daily := func(t int) float64 { return math.Sin(2 * math.Pi * float64(t) / Daily) }
	square := func(t int) float64 { // business hours on weekdays
		if h, d := t%Daily, t/Daily%7; d < 5 && h >= 9 && h < 17 {
			return 10
		}
		return 1
	}
	const noise = 0.5 // variance 0.25 against the sinusoid's 0.5
	tests := []struct {
		name    string
		series  []float64
		period  int
		exclude []int
		want    float64
		tol     float64
	}{
		// A sinusoid of variance 1/2 in noise of variance 1/4 puts 2/3 of the
		// variance at 24 h, plus the noise's share (23/8735 of 1/3).
		{"sinusoid, daily", hourly(40, year, noise, daily), Daily, nil, 2.0/3 + 23.0/year/3, 0.01},
		// A weekly profile contains the daily cycle…
		{"sinusoid, weekly", hourly(40, year, noise, daily), Weekly, nil, 2.0/3 + 167.0/year/3, 0.01},
		// …but nothing beyond it: the noise floor 144/8735 of 1/3.
		{"sinusoid, weekly beyond daily", hourly(40, year, noise, daily), Weekly, []int{Daily}, 144.0 / year / 3, 0.005},
		{"white noise, daily", hourly(41, year, 1, func(int) float64 { return 0 }), Daily, nil, 23.0 / (year - 1), 0.003},
		{"white noise, weekly", hourly(41, year, 1, func(int) float64 { return 0 }), Weekly, nil, 167.0 / (year - 1), 0.006},
		{"exactly weekly", hourly(42, 8*Weekly, 0, square), Weekly, nil, 1, 1e-9},
		// Five business days of eight hours at 10: the weekly profile is not
		// a daily one, so some of it lies beyond the daily harmonics.
		{"exactly weekly, daily part", hourly(42, 8*Weekly, 0, square), Daily, nil, profileShare(hourly(42, 8*Weekly, 0, square), Daily), 1e-9},
		{"ragged length is cut", hourly(43, 1000, noise, daily), Daily, nil, profileShare(hourly(43, 1000, noise, daily), Daily), 1e-9},
		{"too short", hourly(44, 40, 1, daily), Daily, nil, math.NaN(), 0},
		{"period 1", hourly(44, 400, 1, daily), 1, nil, math.NaN(), 0},
		{"bad exclude", hourly(44, 400, 1, daily), Daily, []int{0}, math.NaN(), 0},
		{"constant", hourly(44, 400, 0, func(int) float64 { return 3 }), Daily, nil, math.NaN(), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PeriodStrength(tt.series, tt.period, tt.exclude...)
			t.Logf("strength %.5f, want %.5f", got, tt.want)
			if !near(got, tt.want, tt.tol) {
				t.Errorf("PeriodStrength(…, %d, %v) = %.5f; want %.5f ± %v", tt.period, tt.exclude, got, tt.want, tt.tol)
			}
		})
	}
}

// TestPeriodStrengthIsProfileShare checks the periodogram against the
// phase-mean profile on arbitrary series and periods.
func TestPeriodStrengthIsProfileShare(t *testing.T) {
	tests := []struct {
		n, period int
	}{
		{1000, 24}, {year, Weekly}, {777, 7}, {500, 2}, {97, 13},
	}
	for i, tt := range tests {
		s := hourly(uint64(50+i), tt.n, 1, func(t int) float64 { return float64(t%5) + 0.01*float64(t) })
		got, want := PeriodStrength(s, tt.period), profileShare(s, tt.period)
		if !near(got, want, 1e-9) {
			t.Errorf("n %d period %d: PeriodStrength %.12f; profile share %.12f", tt.n, tt.period, got, want)
		}
	}
}
