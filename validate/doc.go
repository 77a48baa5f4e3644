// Package validate is where the analysis meets the generator's truth, and
// the only place: it scores an analysis folder's tables against the
// generator's manifest, truth files and actors.
//
//	gen folder (manifest, .truth, actors.csv)          ─┐
//	analysis folder (packets, sources: CSV or Parquet) ─┴─► Validate ──► Validation (confusion matrices, tools)
//
// Input: the two folders. Output: per-packet and per-source confusion
// matrices over the purpose classes, the per-source tool confusion and
// each tool's precision, recall and F1 ("port0 validate", and the CI's
// check that the classifiers hold).
package validate
