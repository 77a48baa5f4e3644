// Package stats is the statistics layer of the port-0 experiments: the few
// summaries the analyses report, each built on gonum where gonum already has
// the piece, and each tested against a known answer.
//
// The package provides
//
//   - distributions: [ECDF] and [Quantile] (gonum stat.CDF / stat.Quantile
//     semantics, on a sorted copy);
//   - concentration: [TopShare], [TopFractionShare] and [Gini];
//   - uncertainty: 95 % percentile-bootstrap intervals for a binomial share
//     ([BootstrapShare]), a ratio of per-unit sums ([BootstrapRatio]) and any
//     statistic of a sample ([Bootstrap]);
//   - heavy tails: [FitLogNormal], [FitPowerLaw] (Clauset, Shalizi and Newman
//     2009) and [CompareFits], which fits both families to the same tail
//     x ≥ xmin and reports the one with the higher log-likelihood, plus
//     Vuong's test;
//   - entropy: the plug-in [Entropy], [MillerMadow]'s small-sample
//     correction, and [UniformEntropy], the plug-in entropy n draws from a
//     uniform source have on average, against which a small sample is judged;
//   - periodicity: [PeriodStrength], the share of a series' variance at a
//     period and its harmonics, from the periodogram of gonum's dsp/fourier.
//
// # Determinism
//
// Nothing here reads the clock or the global random source. Every randomised
// function takes a seed and draws from a math/rand/v2 PCG generator,
// rand.NewPCG(seed, stream), with a fixed per-function stream, so one seed
// gives the same interval on every run (with the same Go and gonum versions:
// the PCG output is stable, the samplers built on it are not promised to be).
// gonum distributions used internally are always given that explicit source:
// a distuv value with a nil Src would silently fall back to the global one.
//
// # Aliasing
//
// No function modifies or retains its input slices: those that need sorted
// data sort a copy. Returned slices are freshly allocated and owned by the
// caller. The slice passed to a [Bootstrap] statistic is a scratch buffer that
// is overwritten after the statistic returns; the statistic may reorder it but
// must not keep it.
//
// # Degenerate input
//
// Statistics that are undefined for their input (an empty sample, a zero
// total, a series shorter than one period) return NaN rather than panic, so a
// missing value shows as NaN in a table instead of as a plausible number.
package stats
