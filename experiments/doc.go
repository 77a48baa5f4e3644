// Package experiments reruns the analyses of "The curious case of port 0"
// (docs/BACKGROUND.md, "The 16 analyses to reproduce") on a generated telescope: each
// experiment derives a table from the generator's output and the analyzer's
// tables, states its targets — a value or range with its source and a
// tolerance — and records whether the measurement meets them. Run writes
// results/<experiment>/… and results/REPORT.md.
//
//	gen folder (manifest, actors.csv, asmap.csv) ─┐
//	analysis folder (summary.json, the tables)  ─┴─► Load ──► Data ──► Run ──► results/NAME/ (tables, result.json), REPORT.md
//
// Input: the generator's folder and an analysis folder, read through
// their owners' readers (gen.ReadManifest, ReadActors, ReadASMap;
// analyze.ReadSummary; tables.Read*), which fail naming the file and the
// column when a table is not the one they know. Output: one folder per
// experiment (its tables as CSV, Parquet or both: Env.Format) and the
// report; DrawFigures draws from those tables, either format.
package experiments
