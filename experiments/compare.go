package experiments

import "math"

// compare is a Compare target: a published finding, read as the accepted
// range [lo, hi] in unit, beside what the user's capture measured, on a
// sample of n (minN the fewest that can tell; 0: any), with its 95 %
// interval when ci holds one (lo, hi): without one, or with a NaN bound (a
// bootstrap over too little), the measurement is a point estimate.
func compare(what, source string, lo, hi, measured float64, unit, sampling string, n, minN float64, ci ...float64) Target {
	t := Target{What: what, Source: source, Kind: Compare, Lo: lo, Hi: hi, Measured: measured,
		Unit: unit, Sampling: sampling, N: n, MinN: minN}
	if len(ci) == 2 && !math.IsNaN(ci[0]) && !math.IsNaN(ci[1]) {
		t.CILo, t.CIHi, t.Interval = ci[0], ci[1], true
	}
	return t
}

// noPublished is the note of an analysis whose measurements have no
// published value to be set beside.
const noPublished = "No published value to compare: the tables show what this capture holds."

// minShareDraws is the fewest draws a share is compared on: below 10 one
// draw moves it by more than 10 points.
const minShareDraws = 10

// ruleTableNote is the note of an analysis whose table is a rule set of
// the study, the same for every capture.
const ruleTableNote = "This table is documented behaviour that the study's rules read, the same for every capture; the tests check the rules against it (go test ./experiments), not this capture."
