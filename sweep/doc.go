// Package sweep reruns the study over a grid of scales and seeds and
// writes the verdict of every experiment and target in every run, so that
// a verdict that depends on the scale a user happened to pick shows.
//
// Its place in the flow is after the experiments: for each (scale, seed)
// cell it runs an experiments.Rerun (gen → analyze → experiments) into
// OUT/cells/SCALE_seedN/, keeps the results and drops the telescope, then
// writes the grid:
//
//	Options ──► Run ──► Sweep (cells of []*experiments.Result, gen.Projection per scale)
//	Sweep ──► Write ──► OUT/verdicts.csv, OUT/SWEEP.md, OUT/verdicts.{png,svg}, OUT/projection.csv
//
// A verdict is pass, insufficient (the sample cannot decide) or FAIL (the
// data contradict the target); Sweep.Fails counts the failing targets.
// Outputs depend only on the scenario, scales and seeds, never on timing.
package sweep
