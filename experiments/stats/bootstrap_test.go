package stats

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// coverageTrials is the number of seeded samples each coverage test draws
// from a known share; a 95 % interval should cover the share in about 190.
const coverageTrials = 200

// checkCoverage fails t unless between 90 % and 99 % of the intervals cover.
func checkCoverage(t *testing.T, covered int, meanWidth float64) {
	t.Helper()
	rate := float64(covered) / coverageTrials
	t.Logf("covered %d of %d (%.1f %%), mean width %.4f", covered, coverageTrials, 100*rate, meanWidth)
	if rate < 0.90 || rate > 0.99 {
		t.Errorf("coverage %.1f %%; want 90–99 %%", 100*rate)
	}
}

func TestBootstrapShareCoverage(t *testing.T) {
	tests := []struct {
		name string
		p    float64
		n    int64
	}{
		{"30 % of 500", 0.3, 500},
		{"5 % of 2000", 0.05, 2000},
		{"port-0 sized: 0.1 % of 10^6", 0.001, 1_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := rand.NewPCG(5, testStream)
			sample := distuv.Binomial{N: float64(tt.n), P: tt.p, Src: src}
			covered, width := 0, 0.0
			for trial := range uint64(coverageTrials) {
				k := int64(sample.Rand())
				lo, hi := BootstrapShare(k, tt.n, 1000, trial)
				if lo <= tt.p && tt.p <= hi {
					covered++
				}
				width += hi - lo
			}
			width /= coverageTrials
			checkCoverage(t, covered, width)
			// The percentile interval of a binomial share is close to the
			// normal one, 2·1.96·√(p(1−p)/n) wide.
			want := 2 * 1.96 * math.Sqrt(tt.p*(1-tt.p)/float64(tt.n))
			if !near(width, want, 0.1*want) {
				t.Errorf("mean width %.5f; want %.5f ± 10 %%", width, want)
			}
		})
	}
}

// TestBootstrapCoverage bootstraps the mean of 0/1 data, a share computed by
// the general resampler.
func TestBootstrapCoverage(t *testing.T) {
	const p, n = 0.2, 300
	r := testRand(6)
	xs := make([]float64, n)
	mean := func(s []float64) float64 { return stat.Mean(s, nil) }
	covered, width := 0, 0.0
	for trial := range uint64(coverageTrials) {
		for i := range xs {
			xs[i] = 0
			if r.Float64() < p {
				xs[i] = 1
			}
		}
		lo, hi := Bootstrap(xs, mean, 500, trial)
		if lo <= p && p <= hi {
			covered++
		}
		width += hi - lo
	}
	checkCoverage(t, covered, width/coverageTrials)
}

// TestBootstrapRatioCoverage draws sources with log-normal packet counts,
// each packet in the class with probability p, so the true packet share is p
// while packets of one source are resampled together.
func TestBootstrapRatioCoverage(t *testing.T) {
	const p, sources = 0.3, 200
	src := rand.NewPCG(7, testStream)
	counts := distuv.LogNormal{Mu: 2, Sigma: 1, Src: src}
	num, den := make([]float64, sources), make([]float64, sources)
	covered, width := 0, 0.0
	for trial := range uint64(coverageTrials) {
		for i := range den {
			den[i] = math.Ceil(counts.Rand())
			num[i] = distuv.Binomial{N: den[i], P: p, Src: src}.Rand()
		}
		lo, hi := BootstrapRatio(num, den, 500, trial)
		if lo <= p && p <= hi {
			covered++
		}
		width += hi - lo
	}
	checkCoverage(t, covered, width/coverageTrials)
}

func TestBootstrapDeterministic(t *testing.T) {
	xs := draw(distuv.Exponential{Rate: 1, Src: rand.NewPCG(8, testStream)}, 100)
	in := slices.Clone(xs)
	den := make([]float64, len(xs))
	for i, x := range xs {
		den[i] = x + 1
	}
	top := func(s []float64) float64 { return TopShare(s, 10) }
	tests := []struct {
		name string
		ci   func(seed uint64) (float64, float64)
	}{
		{"Bootstrap", func(seed uint64) (float64, float64) { return Bootstrap(xs, top, 200, seed) }},
		{"BootstrapShare", func(seed uint64) (float64, float64) { return BootstrapShare(37, 100, 200, seed) }},
		{"BootstrapRatio", func(seed uint64) (float64, float64) { return BootstrapRatio(xs, den, 200, seed) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo1, hi1 := tt.ci(1)
			lo2, hi2 := tt.ci(1)
			if lo1 != lo2 || hi1 != hi2 {
				t.Errorf("seed 1 gave (%v, %v) then (%v, %v)", lo1, hi1, lo2, hi2)
			}
			if lo3, hi3 := tt.ci(2); lo3 == lo1 && hi3 == hi1 {
				t.Errorf("seeds 1 and 2 both gave (%v, %v)", lo1, hi1)
			}
		})
	}
	if !slices.Equal(xs, in) {
		t.Error("Bootstrap modified its input")
	}
}

func TestBootstrapDegenerate(t *testing.T) {
	nan := math.NaN()
	id := func(s []float64) float64 { return s[0] }
	tests := []struct {
		name string
		got  [2]float64
		want [2]float64
	}{
		{"share none", ci(BootstrapShare(0, 50, 100, 1)), [2]float64{0, 0}},
		{"share all", ci(BootstrapShare(50, 50, 100, 1)), [2]float64{1, 1}},
		{"share n=0", ci(BootstrapShare(0, 0, 100, 1)), [2]float64{nan, nan}},
		{"share k>n", ci(BootstrapShare(3, 2, 100, 1)), [2]float64{nan, nan}},
		{"share reps=0", ci(BootstrapShare(1, 2, 0, 1)), [2]float64{nan, nan}},
		{"empty sample", ci(Bootstrap(nil, id, 100, 1)), [2]float64{nan, nan}},
		{"constant sample", ci(Bootstrap([]float64{4, 4}, id, 100, 1)), [2]float64{4, 4}},
		{"ratio length mismatch", ci(BootstrapRatio([]float64{1}, []float64{1, 2}, 100, 1)), [2]float64{nan, nan}},
		{"ratio zero denominators", ci(BootstrapRatio([]float64{0, 0}, []float64{0, 0}, 100, 1)), [2]float64{nan, nan}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !near(tt.got[0], tt.want[0], 0) || !near(tt.got[1], tt.want[1], 0) {
				t.Errorf("got %v; want %v", tt.got, tt.want)
			}
		})
	}
}

// ci packs an interval for a table.
func ci(lo, hi float64) [2]float64 { return [2]float64{lo, hi} }

// TestRuns: the runs a long bootstrap looks its draws up in give every
// index the slice's own value (so the resamples, and the intervals, are
// the same bits as drawn from the slice), for sorted volumes with ties of
// millions-of-sources shapes; and are not made where they would not pay.
func TestRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	heavy := make([]float64, 200_000) // a few heavy sources, a long tail of 1–3 packets
	for i := range heavy {
		heavy[i] = float64(1 + r.IntN(3))
		if i < 300 {
			heavy[i] = float64(1000 + r.IntN(100000))
		}
	}
	slices.SortFunc(heavy, func(a, b float64) int { return cmp.Compare(b, a) })
	ones := make([]float64, 1<<17)
	for i := range ones {
		ones[i] = 1
	}
	zeros := slices.Repeat([]float64{0, math.Copysign(0, -1)}, 1<<15) // -0 and 0 alternate: 2¹⁶ runs
	distinct := make([]float64, 1<<16)
	for i := range distinct {
		distinct[i] = float64(i)
	}
	for _, c := range []struct {
		name string
		xs   []float64
		runs bool
	}{
		{"heavy-tailed, sorted", heavy, true},
		{"all one", ones, true},
		{"short", heavy[:1000], false},
		{"a run a value", distinct, false},
		{"0 and -0 apart", zeros, false},
	} {
		rs := runsOf(c.xs)
		if (rs != nil) != c.runs {
			t.Errorf("%s: runs made: %v, want %v", c.name, rs != nil, c.runs)
			continue
		}
		if rs == nil {
			continue
		}
		for i, x := range c.xs {
			if got := rs.at(i); math.Float64bits(got) != math.Float64bits(x) {
				t.Fatalf("%s: at(%d) = %v, want %v", c.name, i, got, x)
			}
		}
	}
	// One value n times: every resample is the sample, drawn or not.
	top := func(x []float64) float64 { return TopShare(x, 10) }
	if lo, hi := Bootstrap(ones, top, 50, 1); lo != top(ones) || hi != lo {
		t.Errorf("all one: interval (%v, %v), want the point %v", lo, hi, top(ones))
	}
}

// BenchmarkBootstrapTopShare is the source-concentration experiment's
// bootstrap on 3 M sources of a spoofed flood (one packet each) and of a
// heavy-tailed telescope, 10 resamples an iteration.
func BenchmarkBootstrapTopShare(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	flood := slices.Repeat([]float64{1}, 3_000_000)
	tail := make([]float64, 3_000_000)
	for i := range tail {
		tail[i] = math.Floor(1 / (1 - r.Float64())) // Pareto(1): many 1s, a long tail
	}
	slices.SortFunc(tail, func(a, b float64) int { return cmp.Compare(b, a) })
	for _, c := range []struct {
		name string
		xs   []float64
	}{{"flood", flood}, {"pareto", tail}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				Bootstrap(c.xs, func(x []float64) float64 { return TopShare(x, 10) }, 10, 1)
			}
		})
	}
}
