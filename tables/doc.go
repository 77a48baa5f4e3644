// Package tables owns the analysis' tables: one typed row per table, one
// writer and one reader each.
//
//	study ──► PacketRow, SourceRow, EventRow, BundleRow, SeriesRow ──► packets.csv, sources.csv, events.csv, bundles.csv, timeseries.csv
//	                                                            ◄── Read* (experiments, validate)
//
// Input (writers): rows, typed — classes, shapes, probes, tools as their
// enums, addresses as netip.Addr, times as nanoseconds since the epoch.
// Output: the CSV tables, their columns and formats defined here once
// (csv.go: the headers; format.go: times, floats, protocols, TCP flags).
// The readers check the header and fail with a *ColumnError naming the
// file and the column when a column is renamed, missing, moved or added,
// and name file, line and column of a value they cannot parse. The same
// rows read back write the same bytes.
package tables
