// Package duckdbtest reads the analysis' Parquet tables back with a real
// engine, DuckDB (github.com/duckdb/duckdb-go/v2, in process), and checks
// them against the CSV tables of the same run (issue 17).
//
//	analyze.Run(…, Format: tables.Both) ──► DIR/*.csv ─────────────────────────► encoding/csv, DuckDB read_csv ─┐
//	                                    └─► DIR/{sources,events,bundles}.parquet,                                  │
//	                                        DIR/{packets,timeseries}/day=YYYY-MM-DD/part-N.parquet ──► DuckDB read_parquet ─┴─► equal, row by row
//
// It is a module of its own, a test and nothing else: DuckDB is C++ behind
// cgo (a prebuilt static library of ~130 MB, linked into the test binary),
// and the port0 module stays pure Go — its go.mod does not name DuckDB, and
// `go build ./...`, `go test ./...` and `go vet ./...` in the repository
// root do not see this folder (a nested go.mod ends the main module here).
// `make test` runs it (`make duckdb-test`: `cd duckdbtest && go test
// -count=1 ./...`); it needs gcc. Its go.mod requires port0 v0.0.0,
// replaced by ../, so it builds the working tree; when the main module's
// requirements change, `go mod tidy` here updates go.sum to match.
//
// What TestParquetMatchesCSV checks, on the committed generator sample
// (../testdata/gen-sample: two days, so two day partitions) and on the
// committed corpus (../testdata/captures: read errors, nanosecond pcaps,
// IPv6, an empty events table):
//
//   - the layout: packets/ and timeseries/ hold only day=YYYY-MM-DD
//     folders of part-N.parquet files, one folder per UTC day the CSV has
//     rows for; sources, events and bundles are single files;
//   - the schema: DuckDB's column names are the CSV header's, in order
//     (plus the hive column day for the partitioned tables), each with the
//     DuckDB type pinned in the test; every time column is INT64
//     TIMESTAMP(NANOS) with one isAdjustedToUTC for all; the enum columns
//     (class, shape, probe, tool) are dictionary-encoded; every column
//     chunk is zstd- or snappy-compressed (parquet_schema,
//     parquet_metadata);
//   - the values: every row of the Parquet table equals the CSV row, in the
//     CSV's order — single files in their own row order (file_row_number),
//     which must be the CSV's; the partitioned tables sorted by the CSV's
//     documented order, a unique key (packets: input position of file, then
//     index; timeseries: start, then class with all first), after checking
//     that the CSV is strictly ordered by that key. Times compare as
//     nanoseconds since the epoch (epoch_ns), integers exactly, floats as
//     the CSV writes them (6 decimals), strings exactly (a NULL equals
//     nothing); the hive day of every row is the UTC date of its time
//     (packets) or start (timeseries); row counts are equal;
//   - DuckDB's read_csv(all_varchar = true) reads every CSV table as
//     encoding/csv does (an empty field is NULL to DuckDB).
//
// TestWritersRandomRows runs the same checks on tables written by the
// tables package's writers from random rows (seeded): every enum value,
// maximum ports, TTLs and IP IDs, IPv6 and IPv4-mapped addresses, a file
// name the CSV quotes, nanosecond times and the epoch, floats that round,
// NaN and ±Inf, packets whose days come back after others (a day's
// part-1.parquet), and a short day of a non-TCP, a TCP and then non-TCP
// packets (tcp_flags NULL after a value). TestParquetMatchesCSVDir runs
// them on $PORT0_DUCKDB_ANALYSIS, when set. TestClassDayQuery checks the
// example query below answers the same on both formats and as counted in
// Go.
//
// The types DuckDB 1.5.6 reports for what tables/parquet.go writes:
//
//	Parquet (parquet-go)                    DuckDB                     columns
//	INT64 TIMESTAMP(NANOS, UTC=false)       TIMESTAMP_NS               time, first, last, start, end
//	INT64                                   BIGINT                     index, packets, bytes, distinct_dsts, tcp_packets, udp_packets, bundles, distinct, sources
//	INT32 UINT_16                           USMALLINT                  sport, dport, top_dport, top_sport, service_port
//	INT32 UINT_8                            UTINYINT                   ttl, init_ttl
//	INT32 UINT_32                           UINTEGER                   ip_id
//	DOUBLE                                  DOUBLE                     coverage, rate_pps, duration_s, peak_pps, observed_pps, estimated_attack_pps
//	BYTE_ARRAY UTF8 (dictionary or plain)   VARCHAR                    addresses, enums, proto, tcp_flags, probes, order, file, …
//	(the folder name day=YYYY-MM-DD)        DATE                       day (hive_partitioning, hive_types_autocast)
//
// Where DuckDB reads the Parquet differently from what the CSV says, and
// what the test holds:
//
//   - Times. DuckDB 1.5 has no nanosecond type with a time zone: it reads
//     TIMESTAMP(NANOS, isAdjustedToUTC=true) as TIMESTAMP WITH TIME ZONE,
//     microseconds, dropping the last three digits (the corpus's
//     nanosecond pcaps: 2019-01-01T00:00:00.000123789Z reads as
//     …00.000123), and casts it to the session TimeZone's date. So the
//     writer stores the UTC times isAdjustedToUTC=false (parquet-go's
//     timestamp(nanosecond:local)): TIMESTAMP_NS, exact, and CAST(time AS
//     DATE) is the UTC date in any session. The test accepts either
//     annotation (one for all columns, with DuckDB's type to match) and
//     compares nanoseconds, so a writer back at isAdjustedToUTC=true fails
//     it, with a message that says why. DuckDB's typed read_csv sniffs the
//     CSV's times as TIMESTAMP WITH TIME ZONE, microseconds, too;
//     all_varchar keeps the text.
//   - tcp_flags is NULL in the Parquet for a packet that is not TCP (and
//     outer_src, outer_dst for a packet not found in a tunnel), where
//     the CSV has an empty field; DuckDB's read_csv reads that empty field
//     as NULL as well, so queries agree. The test holds NULL to exactly the
//     CSV's empty fields. parquet-go v0.32.0 writes a batch (one
//     GenericWriter.Write) of an optional non-pointer string column
//     wrongly when it is a zero value, then one value, then zero values
//     only: the last zero values come out "", not NULL ([∅ RA ∅ ∅] is
//     written [∅ RA "" ""]; [∅ RA ∅ RA] and one-row writes are right). A
//     day of the ~10 M-packet capture had it; the random rows' short day
//     has it; the writer's *string field (nil for NULL) does not.
//   - Floats are exact in the Parquet and rounded to 6 decimals in the
//     CSV: the test compares the Parquet value formatted as the CSV does.
//
// BenchmarkClassDayQuery times docs/OUTPUTS.md's example query, port-0 packets
// per class per day, on packets.csv (read_csv) and on the day-partitioned
// Parquet (read_parquet, hive_partitioning), after checking both answer the
// same; $PORT0_DUCKDB_ANALYSIS names an analysis folder written with
// -format both (BENCHMARKS.md: the ~10 M-packet capture), else it runs on
// the generator sample.
package duckdbtest
