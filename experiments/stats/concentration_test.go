package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats"

	"gonum.org/v1/gonum/stat/distuv"
)

func TestTopShare(t *testing.T) {
	tests := []struct {
		name string
		xs   []float64
		k    int
		want float64
	}{
		{"top 1", []float64{3, 1, 4, 2}, 1, 0.4},
		{"top 2", []float64{3, 1, 4, 2}, 2, 0.7},
		{"all", []float64{3, 1, 4, 2}, 4, 1},
		{"k beyond n", []float64{3, 1, 4, 2}, 10, 1},
		{"ties", []float64{5, 5, 5, 5}, 3, 0.75},
		{"k zero", []float64{3, 1}, 0, math.NaN()},
		{"zero total", []float64{0, 0}, 1, math.NaN()},
		{"empty", nil, 1, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TopShare(tt.xs, tt.k); !near(got, tt.want, 1e-12) {
				t.Errorf("TopShare(%v, %d) = %v; want %v", tt.xs, tt.k, got, tt.want)
			}
		})
	}
}

// TestTopShareIsSortedSum: TopShare's heap gives, bit for bit, the sum of
// the k largest values summed in ascending order as a full sort gives
// them, on heavy-tailed counts with many ties.
func TestTopShareIsSortedSum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{11, 100, 5000} {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = math.Floor(math.Exp(4 * r.Float64() * r.Float64()))
		}
		for _, k := range []int{1, 2, 10, n / 3, n - 1} {
			s := slices.Clone(xs)
			slices.Sort(s)
			want := floats.Sum(s[n-k:]) / floats.Sum(xs)
			if got := TopShare(xs, k); got != want {
				t.Errorf("n=%d k=%d: TopShare %v, sorted sum %v", n, k, got, want)
			}
		}
	}
}

func TestTopFractionShare(t *testing.T) {
	thirty := make([]float64, 30) // 1, 2, …, 30; total 465
	for i := range thirty {
		thirty[i] = float64(i + 1)
	}
	tests := []struct {
		name string
		frac float64
		want float64
	}{
		{"10 % is exactly 3 entries", 0.1, (28 + 29 + 30) / 465.0},
		{"zero still takes one", 0, 30 / 465.0},
		{"a sliver takes one", 0.01, 30 / 465.0},
		{"rounds up", 0.05, (29 + 30) / 465.0},
		{"all", 1, 1},
		{"clamped", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TopFractionShare(thirty, tt.frac); !near(got, tt.want, 1e-12) {
				t.Errorf("TopFractionShare(1…30, %v) = %v; want %v", tt.frac, got, tt.want)
			}
		})
	}
}

func TestGini(t *testing.T) {
	oneHolds := func(n int) []float64 {
		xs := make([]float64, n)
		xs[n/2] = 42
		return xs
	}
	tests := []struct {
		name string
		xs   []float64
		want float64
	}{
		{"all equal", []float64{3, 3, 3, 3, 3}, 0},
		{"one holds all of 4", oneHolds(4), 0.75},
		{"one holds all of 10", oneHolds(10), 0.9},
		// Mean absolute difference: Σ|xi−xj| over ordered pairs is 20, and
		// 20 / (2·n²·mean) = 20 / 80.
		{"1 2 3 4", []float64{4, 1, 3, 2}, 0.25},
		{"single", []float64{9}, 0},
		{"zero total", []float64{0, 0}, math.NaN()},
		{"empty", nil, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Gini(tt.xs); !near(got, tt.want, 1e-12) {
				t.Errorf("Gini(%v) = %v; want %v", tt.xs, got, tt.want)
			}
		})
	}
}

// TestGiniKnownDistribution checks Gini against the population values of
// two distributions: 1/2 for the exponential, and 1/(2α−1) for a Pareto of
// index α (here α = 3, G = 0.2).
func TestGiniKnownDistribution(t *testing.T) {
	tests := []struct {
		name string
		d    interface{ Rand() float64 }
		want float64
	}{
		{"exponential", distuv.Exponential{Rate: 2, Src: rand.NewPCG(3, testStream)}, 0.5},
		{"pareto 3", distuv.Pareto{Xm: 1, Alpha: 3, Src: rand.NewPCG(4, testStream)}, 0.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Gini(draw(tt.d, 100000))
			t.Logf("Gini = %.4f, population %.4f", got, tt.want)
			if !near(got, tt.want, 0.01) {
				t.Errorf("Gini = %.4f; want %.4f ± 0.01", got, tt.want)
			}
		})
	}
}
