// Package analyze runs the analysis for every caller — "port0 analyze",
// "port0 experiments", the tests and the Beam pipeline's stages are built
// on the same packages — one stage after the other:
//
//	inputs ──► scan.Run ──► scan.Result ──► study.New / Packets / Tables ──► tables (Options.Format) ──► DIR/*.csv, *.parquet
//	                     └─► DIR/partial.bin (Options.Partial)          └─► summary.json (Summary)
//	partial.bin files ──► scan.ReadResult ──► Result.Merge ──┘ (Merge)
//
// Input: capture paths (already expanded: capture.ExpandInputs) or the
// partial results of earlier runs. Output: the analysis folder —
// summary.json (Summary: the scan's counts and the study's summary),
// packets, sources, events, bundles and timeseries, as CSV, Parquet or
// both (Options.Format, see package tables) —
// and, with Options.Partial, partial.bin, the scan's result in its
// versioned binary encoding. summary.json lists at most MaxListedFiles
// inputs besides those with a read error; past that, files.csv
// (FilesTable) has a row for every input. Every output is written under
// NAME.tmp and renamed only when complete (tables.Create), so a run that
// fails midway leaves no half file under a final name. No caller manages
// intermediate files: the port-0 records live in the scan's Result,
// spilled to temporary files (in scan.SpillOptions.Dir: port0 analyze
// gives each run a folder of its own, removed on SIGINT and SIGTERM too)
// past a memory limit and removed when it closes.
//
// Where each concept lives: reading captures in package capture, what the
// headers say in decode (checked against gopacket by reference), the
// shape and probe of one packet in classify, the sketches in sketch, the
// scan in scan, the study in study, the tables in tables, and the
// comparison with the generator's truth in validate.
package analyze
