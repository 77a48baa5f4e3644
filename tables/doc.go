// Package tables owns the analysis' tables: one typed row per table, one
// writer and one reader each, in CSV, Parquet or both (Format).
//
//	study ──► PacketRow, SourceRow, EventRow, BundleRow, SeriesRow ──► packets.csv, sources.csv, events.csv, bundles.csv, timeseries.csv
//	                                                               └─► packets/day=…/part-N.parquet, sources.parquet, events.parquet, bundles.parquet, timeseries/day=…/
//	                                                            ◄── Read* (experiments, validate): the CSV if it is there, else the Parquet
//
// Input (writers): rows, typed — classes, shapes, probes, tools as their
// enums, addresses as netip.Addr, times as nanoseconds since the epoch.
// Output: the CSV tables, each table's columns declared once (rows.go:
// name, type, what it holds, how it is written and read; columns.go), which
// make the headers, the readers, the Parquet schemas, the generated
// writers (columns_gen.go) and docs/OUTPUTS.md's column tables; format.go
// holds times, floats, protocols, TCP flags, and the words both formats
// write. The Parquet tables (parquet.go) have the same columns, typed —
// TIMESTAMP(NANOS) times of UTC, INT64 counts,
// unsigned INT16/INT8/INT32 ports, TTLs and IP IDs, exact DOUBLE floats,
// the CSV's strings dictionary-encoded — zstd, row groups of
// RowGroupRows; packets and timeseries partitioned by UTC day, Hive
// style, the day in the folder's name only. The packets table is cut
// into chunks at inputs' boundaries (chunks.go), so that writers of one
// chunk each, in parallel, make the same bytes as one writer
// (CreatePacketsChunk, AssemblePackets).
// The readers check the header (the schema) and fail with a *ColumnError
// naming the file and the column when a column is renamed, missing, moved
// or added (or of another Parquet type), and name file, line (row) and
// column of a value they cannot parse. The same rows read back write the
// same bytes, in either format.
//
// Every table (a partitioned one as a whole folder) is written under its
// name + TempSuffix and renamed to its name only when complete (File,
// Dir): a run that fails midway, a full disk, leaves no part of a table
// under its final name, and the error names the final file. RemoveTemp
// removes what is being written, for a signal handler.
package tables
