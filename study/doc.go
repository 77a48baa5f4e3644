// Package study is the fourth stage of the analysis: the port-0 study of
// one scan's result.
//
//	scan.Result ──► New (pass one: sources, bundles, classes, tools)
//	            ──► Packets (every record with its class) ──► tables.PacketRow
//	            ──► Tables  (pass two: events, time series) ──► tables.SourceRow, EventRow, BundleRow, SeriesRow, Summary
//
// Input: a *scan.Result with the port-0 side (scan.Options.Port0) and
// Options (telescope, event and bundle parameters). Output: the typed
// rows of every table and the summary that summary.json holds under
// "port0"; package tables writes them, package analyze runs the whole.
// Everything the study keys is keyed by a source address: sources, bundles
// (source → target) and backscatter events (the victim is the source), so
// it partitions by source. Memory grows with the port-0 sources and the
// open bundles and events, never with packets: the records are read from
// the Result, as often as a pass needs. Run bounds it (Budget, "port0
// analyze -mem"): when the sources' state passes the budget, the records
// are split by a hash of their source into parts on disk that each fit,
// each part is studied on its own, and the tables are the parts' sorted
// runs merged, the same bytes as one Part (bounded.go).
package study
