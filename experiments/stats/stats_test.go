package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// testStream is the PCG stream of test data, distinct from the package's own.
const testStream = 0x7465737464617461 // "testdata"

// testRand returns the seeded generator tests draw their data from.
func testRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, testStream)) }

// draw returns n values from d.
func draw(d interface{ Rand() float64 }, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = d.Rand()
	}
	return xs
}

// near reports whether got is within tol of want, treating NaN as equal to NaN.
func near(got, want, tol float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol
}

func TestECDF(t *testing.T) {
	tests := []struct {
		name  string
		xs    []float64
		wantX []float64
		wantP []float64
	}{
		{"empty", nil, nil, nil},
		{"single", []float64{7}, []float64{7}, []float64{1}},
		{"ties unsorted", []float64{3, 1, 2, 2}, []float64{1, 2, 3}, []float64{0.25, 0.75, 1}},
		{"all equal", []float64{5, 5, 5}, []float64{5}, []float64{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.xs)
			x, p := ECDF(tt.xs)
			if !slices.Equal(x, tt.wantX) || !slices.Equal(p, tt.wantP) {
				t.Errorf("ECDF(%v) = %v, %v; want %v, %v", tt.xs, x, p, tt.wantX, tt.wantP)
			}
			if !slices.Equal(in, tt.xs) {
				t.Errorf("ECDF modified its input: %v", tt.xs)
			}
		})
	}
}

// TestECDFMatchesGonum checks every step of ECDF against gonum's stat.CDF on
// integer data with many ties.
func TestECDFMatchesGonum(t *testing.T) {
	r := testRand(1)
	xs := make([]float64, 1000)
	for i := range xs {
		xs[i] = float64(r.IntN(50))
	}
	sorted := slices.Sorted(slices.Values(xs))
	x, p := ECDF(xs)
	for i := range x {
		if want := stat.CDF(x[i], stat.Empirical, sorted, nil); p[i] != want {
			t.Errorf("ECDF at %v = %v; stat.CDF = %v", x[i], p[i], want)
		}
	}
}

func TestQuantile(t *testing.T) {
	ten := []float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	tests := []struct {
		name string
		xs   []float64
		q    float64
		want float64
	}{
		{"min", ten, 0, 1},
		{"tenth", ten, 0.1, 1},
		{"median", ten, 0.5, 5},
		{"just above median", ten, 0.55, 6},
		{"max", ten, 1, 10},
		{"empty", nil, 0.5, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Quantile(tt.xs, tt.q); !near(got, tt.want, 0) {
				t.Errorf("Quantile(%v, %v) = %v; want %v", tt.xs, tt.q, got, tt.want)
			}
		})
	}
	if ten[0] != 10 {
		t.Errorf("Quantile sorted its input in place: %v", ten)
	}
}

// TestQuantileKnownDistribution checks sample quartiles of a seeded Exp(1)
// sample against the exact ones, −ln(1−q).
func TestQuantileKnownDistribution(t *testing.T) {
	xs := draw(distuv.Exponential{Rate: 1, Src: rand.NewPCG(2, testStream)}, 20000)
	for _, q := range []float64{0.25, 0.5, 0.75, 0.99} {
		want := -math.Log(1 - q)
		if got := Quantile(xs, q); !near(got, want, 0.03*want) {
			t.Errorf("Quantile(Exp(1), %v) = %.4f; want %.4f ± 3 %%", q, got, want)
		}
	}
}

// TestEntropy checks the plug-in entropy, the Miller–Madow correction and
// the expected entropy of uniform draws against known answers and a
// seeded simulation.
func TestEntropy(t *testing.T) {
	if h := Entropy([]float64{1, 1, 1, 1}); math.Abs(h-math.Log(4)) > 1e-12 {
		t.Errorf("Entropy of 4 equal counts = %v, want log 4", h)
	}
	if !math.IsNaN(Entropy(nil)) || !math.IsNaN(UniformEntropy(0, 4)) {
		t.Error("empty input is not NaN")
	}
	if h := MillerMadow([]float64{2, 0, 2}); math.Abs(h-(math.Log(2)+1.0/8)) > 1e-12 {
		t.Errorf("MillerMadow = %v, want log 2 + 1/8", h)
	}
	// One draw has entropy 0; two draws over k values differ with
	// probability (k−1)/k, giving log 2.
	if h := UniformEntropy(1, 256); math.Abs(h) > 1e-12 {
		t.Errorf("UniformEntropy(1, 256) = %v, want 0", h)
	}
	if h := UniformEntropy(2, 256); math.Abs(h-255.0/256*math.Log(2)) > 1e-12 {
		t.Errorf("UniformEntropy(2, 256) = %v, want 255/256 log 2", h)
	}
	if h := UniformEntropy(1e7, 256); math.Abs(h-math.Log(256)) > 1e-4 {
		t.Errorf("UniformEntropy(1e7, 256) = %v, want log 256", h)
	}
	// A simulation agrees with the formula.
	r := newRand(1, 99)
	for _, n := range []int{20, 100, 300, 2000} {
		sum := 0.0
		const reps = 2000
		for range reps {
			c := make([]float64, 256)
			for range n {
				c[r.IntN(256)]++
			}
			sum += Entropy(c)
		}
		want := UniformEntropy(n, 256)
		if got := sum / reps; math.Abs(got-want) > 0.01 {
			t.Errorf("n = %d: simulated mean entropy %v, formula %v", n, got, want)
		}
	}
}
