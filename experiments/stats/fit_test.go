package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestFitLogNormal draws seeded samples from known log-normals and checks
// that the fit recovers mu within four standard errors (σ/√n) and sigma
// within 3 %, and that loglik is the sum of the log-density.
func TestFitLogNormal(t *testing.T) {
	tests := []struct {
		name      string
		mu, sigma float64
		n         int
	}{
		{"packets-like", 2, 0.8, 5000},
		{"wide", 0, 2, 5000},
		{"narrow", 5, 0.3, 2000},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := distuv.LogNormal{Mu: tt.mu, Sigma: tt.sigma, Src: rand.NewPCG(uint64(10+i), testStream)}
			xs := draw(d, tt.n)
			mu, sigma, ll := FitLogNormal(xs)
			t.Logf("mu %.4f (true %v), sigma %.4f (true %v)", mu, tt.mu, sigma, tt.sigma)
			if se := tt.sigma / math.Sqrt(float64(tt.n)); !near(mu, tt.mu, 4*se) {
				t.Errorf("mu = %.4f; want %v ± %.4f", mu, tt.mu, 4*se)
			}
			if !near(sigma, tt.sigma, 0.03*tt.sigma) {
				t.Errorf("sigma = %.4f; want %v ± 3 %%", sigma, tt.sigma)
			}
			var want float64
			for _, x := range xs {
				z := (math.Log(x) - mu) / sigma
				want += -math.Log(x*sigma*math.Sqrt(2*math.Pi)) - z*z/2
			}
			if !near(ll, want, 1e-9*math.Abs(want)) {
				t.Errorf("loglik = %v; want %v", ll, want)
			}
		})
	}
}

func TestFitLogNormalInvalid(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
	}{
		{"empty", nil},
		{"one value", []float64{3}},
		{"zero", []float64{1, 0, 2}},
		{"negative", []float64{1, -2}},
		{"all equal", []float64{4, 4, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if mu, sigma, ll := FitLogNormal(tt.xs); !math.IsNaN(mu) || !math.IsNaN(sigma) || !math.IsNaN(ll) {
				t.Errorf("FitLogNormal(%v) = %v, %v, %v; want NaNs", tt.xs, mu, sigma, ll)
			}
		})
	}
}

// paretoBody returns n values uniform on [1, xmin) followed by m values from
// a power law of exponent alpha above xmin: a tail that starts at xmin.
func paretoBody(seed uint64, n, m int, xmin, alpha float64) []float64 {
	r := testRand(seed)
	xs := make([]float64, 0, n+m)
	for range n {
		xs = append(xs, 1+(xmin-1)*r.Float64())
	}
	return append(xs, draw(distuv.Pareto{Xm: xmin, Alpha: alpha - 1, Src: rand.NewPCG(seed, testStream+1)}, m)...)
}

// TestFitPowerLaw checks that the fit recovers the exponent of seeded
// power-law samples within four standard errors ((α−1)/√n, Clauset et al.
// eq. 3.2), and that a chosen xmin finds where the power law starts.
func TestFitPowerLaw(t *testing.T) {
	tests := []struct {
		name     string
		xs       []float64
		xmin     float64 // given; 0 to choose
		alpha    float64 // true exponent
		wantXmin float64 // true start of the tail
		xminTol  float64 // relative
		tailN    int     // true tail size
	}{
		{"pareto, xmin given", draw(distuv.Pareto{Xm: 1, Alpha: 1.5, Src: rand.NewPCG(20, testStream)}, 5000), 1, 2.5, 1, 0, 5000},
		{"pareto, xmin chosen", draw(distuv.Pareto{Xm: 1, Alpha: 1.5, Src: rand.NewPCG(21, testStream)}, 5000), 0, 2.5, 1, 0.5, 5000},
		{"uniform body, xmin chosen", paretoBody(22, 2000, 3000, 5, 2), 0, 2, 5, 0.2, 3000},
		{"steep, xmin given", draw(distuv.Pareto{Xm: 3, Alpha: 2.5, Src: rand.NewPCG(23, testStream)}, 2000), 3, 3.5, 3, 0, 2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.xs)
			f := FitPowerLaw(tt.xs, tt.xmin)
			t.Logf("alpha %.4f (true %v), xmin %.4f (true %v), n %d, KS %.4f", f.Alpha, tt.alpha, f.Xmin, tt.wantXmin, f.N, f.KS)
			se := (f.Alpha - 1) / math.Sqrt(float64(f.N))
			if !near(f.Alpha, tt.alpha, 4*se) {
				t.Errorf("alpha = %.4f; want %v ± %.4f", f.Alpha, tt.alpha, 4*se)
			}
			if !near(f.Xmin, tt.wantXmin, tt.xminTol*tt.wantXmin) {
				t.Errorf("xmin = %.4f; want %v ± %v %%", f.Xmin, tt.wantXmin, 100*tt.xminTol)
			}
			if f.N > tt.tailN+tt.tailN/5 {
				t.Errorf("tail of %d points; the power law has %d", f.N, tt.tailN)
			}
			// LogLik is the sum of gonum's Pareto log-density over the tail.
			d := distuv.Pareto{Xm: f.Xmin, Alpha: f.Alpha - 1}
			var want float64
			for _, x := range tt.xs {
				if x >= f.Xmin {
					want += d.LogProb(x)
				}
			}
			if !near(f.LogLik, want, 1e-9*math.Abs(want)) {
				t.Errorf("LogLik = %v; Σ Pareto.LogProb = %v", f.LogLik, want)
			}
			if !slices.Equal(in, tt.xs) {
				t.Error("FitPowerLaw modified its input")
			}
		})
	}
}

func TestFitPowerLawInvalid(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		xmin float64
	}{
		{"empty", nil, 0},
		{"too few to choose", []float64{1, 2, 3}, 0},
		{"nothing above xmin", []float64{1, 2, 3}, 10},
		{"tail all equal", []float64{1, 2, 3, 3}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if f := FitPowerLaw(tt.xs, tt.xmin); !math.IsNaN(f.Alpha) || !math.IsNaN(f.LogLik) {
				t.Errorf("FitPowerLaw(%v, %v) = %+v; want NaN alpha and loglik", tt.xs, tt.xmin, f)
			}
		})
	}
}

// TestCompareFits checks that CompareFits names the family a seeded sample
// was drawn from, and that the truncated log-normal fit recovers the
// parameters of a log-normal truncated at a known xmin.
func TestCompareFits(t *testing.T) {
	ln := func(seed uint64, n int) []float64 {
		return draw(distuv.LogNormal{Mu: 2, Sigma: 0.8, Src: rand.NewPCG(seed, testStream)}, n)
	}
	pl := func(seed uint64, n int) []float64 {
		return draw(distuv.Pareto{Xm: 1, Alpha: 1.5, Src: rand.NewPCG(seed, testStream)}, n)
	}
	tests := []struct {
		name string
		xs   []float64
		xmin float64
		want Family
		// for log-normal samples, the parameters to recover
		mu, sigma float64
	}{
		{"lognormal, whole sample", ln(30, 5000), 1, LogNormalFamily, 2, 0.8},
		{"lognormal, truncated above the median", ln(31, 20000), math.Exp(2), LogNormalFamily, 2, 0.8},
		{"power law, xmin given", pl(32, 5000), 1, PowerLawFamily, 0, 0},
		{"power law, xmin chosen", pl(33, 5000), 0, PowerLawFamily, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := CompareFits(tt.xs, tt.xmin)
			t.Logf("best %v: lnL lognormal %.2f, power law %.2f; R %.2f, P %.3g; mu %.3f sigma %.3f; alpha %.3f xmin %.3f n %d",
				c.Best, c.LogLikLogNormal, c.LogLikPowerLaw, c.R, c.P, c.Mu, c.Sigma, c.PowerLaw.Alpha, c.PowerLaw.Xmin, c.PowerLaw.N)
			if c.Best != tt.want {
				t.Errorf("Best = %v; want %v", c.Best, tt.want)
			}
			if tt.want == LogNormalFamily {
				if c.P > 0.01 || c.R <= 0 {
					t.Errorf("Vuong R = %.2f, P = %.3g; want a significant log-normal", c.R, c.P)
				}
				se := tt.sigma / math.Sqrt(float64(c.PowerLaw.N))
				if !near(c.Mu, tt.mu, 6*se) || !near(c.Sigma, tt.sigma, 0.05*tt.sigma) {
					t.Errorf("truncated fit mu %.4f sigma %.4f; want %v ± %.3f, %v ± 5 %%", c.Mu, c.Sigma, tt.mu, 6*se, tt.sigma)
				}
			}
		})
	}
}

// TestCompareFitsRates measures how often CompareFits names the right family
// over many seeded samples with xmin given, where the fits are cheap. A
// pure power law is nested in the truncated log-normal as a limit; Best's
// Akaike margin should keep false log-normals rare.
func TestCompareFitsRates(t *testing.T) {
	const trials, n = 100, 2000
	tests := []struct {
		name  string
		draw  func(seed uint64) []float64
		want  Family
		least int // of trials
	}{
		{"pareto", func(seed uint64) []float64 {
			return draw(distuv.Pareto{Xm: 1, Alpha: 1.5, Src: rand.NewPCG(seed, testStream)}, n)
		}, PowerLawFamily, 85},
		{"lognormal", func(seed uint64) []float64 {
			return draw(distuv.LogNormal{Mu: 2, Sigma: 0.8, Src: rand.NewPCG(seed, testStream)}, n)
		}, LogNormalFamily, 95},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			right := 0
			for seed := range uint64(trials) {
				if CompareFits(tt.draw(1000+seed), 1).Best == tt.want {
					right++
				}
			}
			t.Logf("%d of %d called %v", right, trials, tt.want)
			if right < tt.least {
				t.Errorf("%d of %d called %v; want at least %d", right, trials, tt.want, tt.least)
			}
		})
	}
}

func TestFamilyString(t *testing.T) {
	tests := []struct {
		f    Family
		want string
	}{
		{UnknownFamily, "unknown"},
		{LogNormalFamily, "lognormal"},
		{PowerLawFamily, "powerlaw"},
		{Family(99), "unknown"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("Family(%d).String() = %q; want %q", tt.f, got, tt.want)
		}
	}
}
