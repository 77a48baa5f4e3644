package stats

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Level is the coverage of every interval the package returns: 95 %.
const Level = 0.95

// PCG streams, one per randomised function, so that the same seed given to
// two functions does not replay the same numbers.
const (
	streamBootstrap      = 0x706f7274305f6231 // "port0_b1"
	streamBootstrapShare = 0x706f7274305f6232 // "port0_b2"
	streamBootstrapRatio = 0x706f7274305f6233 // "port0_b3"
)

// newRand returns the package's seeded generator for one stream.
func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}

// percentile returns the 95 % percentile interval of the replicates, which
// it sorts in place. NaN replicates (a statistic undefined on a resample)
// are dropped; if none remain the interval is (NaN, NaN).
func percentile(reps []float64) (lo, hi float64) {
	reps = slices.DeleteFunc(reps, math.IsNaN)
	if len(reps) == 0 {
		return math.NaN(), math.NaN()
	}
	slices.Sort(reps)
	tail := (1 - Level) / 2
	return stat.Quantile(tail, stat.Empirical, reps, nil),
		stat.Quantile(1-tail, stat.Empirical, reps, nil)
}

// Bootstrap returns the 95 % percentile-bootstrap confidence interval of
// stat(xs): stat is evaluated on reps resamples of xs drawn with replacement
// from the PCG generator seeded with seed, and the interval runs from the
// 2.5 % to the 97.5 % empirical quantile of those values. Resample the
// independent units: for the top-10 share of packets, xs holds the packets of
// each source.
//
// The slice passed to stat is a scratch buffer reused across replicates;
// stat may reorder it but must not keep it. Bootstrap returns (NaN, NaN) if
// xs is empty or reps < 1; replicates where stat is NaN are dropped.
func Bootstrap(xs []float64, stat func([]float64) float64, reps int, seed uint64) (lo, hi float64) {
	if len(xs) == 0 || reps < 1 {
		return math.NaN(), math.NaN()
	}
	r := newRand(seed, streamBootstrap)
	buf := make([]float64, len(xs))
	vals := make([]float64, reps)
	rs := runsOf(xs)
	if rs != nil && len(rs.vals) == 1 {
		// One value n times (a spoofed flood's sources, a packet each):
		// every resample is the sample itself, and stat a function of it.
		copy(buf, xs)
		v := stat(buf)
		for i := range vals {
			vals[i] = v
		}
		return percentile(vals)
	}
	for i := range vals {
		if rs == nil {
			for j := range buf {
				buf[j] = xs[r.IntN(len(xs))]
			}
		} else {
			for j := range buf {
				buf[j] = rs.at(r.IntN(len(xs)))
			}
		}
		vals[i] = stat(buf)
	}
	return percentile(vals)
}

// runs are the runs of equal values of a long slice that holds few
// distinct ones next to each other (sorted, as the volumes of millions of
// sources a bootstrap resamples are): at(i) is the slice's i-th value,
// looked up in a few cache lines where the slice itself would cost a cache
// miss a draw (3 M sources are 24 MB; a bootstrap draws 3·10⁹ times).
type runs struct {
	starts []int     // where each run starts, and len(xs) last
	vals   []float64 // each run's value
	bucket []int32   // the run holding each runsBucket-th index
}

// runsBucket is the indexes a bucket of runs.bucket covers: a lookup
// walks at most the runs that start within one.
const runsBucket = 64

// runsOf returns the runs of xs, or nil when a lookup would not be
// cheaper than xs itself: a slice that fits a core's cache (under 2¹⁶
// values, 512 KiB), or one of more than a run every 16 values.
func runsOf(xs []float64) *runs {
	if len(xs) < 1<<16 {
		return nil
	}
	rs := &runs{}
	for i, x := range xs {
		if i == 0 || math.Float64bits(x) != math.Float64bits(xs[i-1]) {
			if len(rs.starts) >= len(xs)/16 {
				return nil
			}
			rs.starts, rs.vals = append(rs.starts, i), append(rs.vals, x)
		}
	}
	rs.starts = append(rs.starts, len(xs))
	rs.bucket = make([]int32, (len(xs)+runsBucket-1)/runsBucket)
	r := 0
	for b := range rs.bucket {
		for rs.starts[r+1] <= b*runsBucket {
			r++
		}
		rs.bucket[b] = int32(r)
	}
	return rs
}

// at is the value at index i of the slice the runs are of.
func (rs *runs) at(i int) float64 {
	r := int(rs.bucket[i/runsBucket])
	for rs.starts[r+1] <= i {
		r++
	}
	return rs.vals[r]
}

// BootstrapShare returns the 95 % percentile-bootstrap confidence interval of
// the share successes/n of n independent trials, for example the port-0 share
// of packets. Resampling n trials with replacement gives a Binomial(n, p̂)
// count of successes, so each replicate is one draw from gonum's
// distuv.Binomial (seeded, never the global source) and the cost does not
// grow with n. If every trial or none succeeded the interval is the point
// (p̂, p̂): the bootstrap cannot see variation that the sample does not have.
// BootstrapShare returns (NaN, NaN) if n < 1, successes is outside [0, n] or
// reps < 1.
func BootstrapShare(successes, n int64, reps int, seed uint64) (lo, hi float64) {
	if n < 1 || successes < 0 || successes > n || reps < 1 {
		return math.NaN(), math.NaN()
	}
	p := float64(successes) / float64(n)
	if successes == 0 || successes == n {
		return p, p
	}
	b := distuv.Binomial{N: float64(n), P: p, Src: rand.NewPCG(seed, streamBootstrapShare)}
	vals := make([]float64, reps)
	for i := range vals {
		vals[i] = b.Rand() / float64(n)
	}
	return percentile(vals)
}

// BootstrapRatio returns the 95 % percentile-bootstrap confidence interval of
// the ratio Σnum/Σden, resampling the units i (the pairs num[i], den[i]) with
// replacement. It is the interval for a share of packets when packets are not
// independent but come in sources: num[i] is source i's packets in the class,
// den[i] all of source i's packets. num and den must have the same length;
// BootstrapRatio returns (NaN, NaN) if they do not, if they are empty or if
// reps < 1. Replicates whose Σden is 0 are dropped.
func BootstrapRatio(num, den []float64, reps int, seed uint64) (lo, hi float64) {
	if len(num) == 0 || len(num) != len(den) || reps < 1 {
		return math.NaN(), math.NaN()
	}
	r := newRand(seed, streamBootstrapRatio)
	vals := make([]float64, reps)
	for i := range vals {
		var sn, sd float64
		for range num {
			j := r.IntN(len(num))
			sn += num[j]
			sd += den[j]
		}
		if sd == 0 {
			vals[i] = math.NaN()
			continue
		}
		vals[i] = sn / sd
	}
	return percentile(vals)
}
