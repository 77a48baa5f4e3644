// Package pipeline is the port-0 study as an Apache Beam pipeline: the
// same stages as port0 analyze (package analyze), spread over a runner's
// workers, writing the same bytes.
//
//	inputs ──► Match (driver: capture.ExpandInputs, or a Beam filesystem's List)
//	       ──► Create(FileTask) ─► Partition(W) ─► Reshuffle ─► scanFn (scan.Scanner, one file at a time)
//	             ├─► counts: a bundle's scan.Result without records or intervals, the records of each file
//	             │     ──► Combine(scanCombine) ──► one scan.Result ──► sideFn: the telescope, where the packets table's chunks start
//	             ├─► intervals: KV<block of 64, their packets and sketches> ──► CombinePerKey(ivCombine) ──► study.Totals a block
//	             └─► records: KV<shard × splits + split, encoded records>, shard = hash(source) mod S
//	       ──► Partition(W) ─► GroupByKey ─► sortFn (a shard's records split over Config.Splits keys by a hash of input
//	             and packet index, each sorted into input order) ──► OUT/_port0-parts/sorted-N-K.run, its name keyed by shard
//	       ──► Partition(W) ─► GroupByKey ─► shardFn (side input: sideFn's; the shard's runs merged; a study.Part over its sources)
//	             ├─► OUT/_port0-parts/shard-N-P.{sources,events,bundles}, a part P of the shard's sources each (one, unless
//	             │   their state passes Config.StudyBytes) ──► a manifest naming them (a few hundred bytes)
//	             ├─► OUT/_port0-parts/shard-N-P-C.packets: its classified records of chunk C, in input order ──► KV<C, the name>
//	             └─► study counts ──► Combine(countsCombine) ──► one study.Counts
//	       ──► Partition(W) ─► GroupByKey ─► chunkFn (a chunk's records of every shard merged into input order and
//	             written as the chunk of the packets table: tables.Format.CreatePacketsChunk) ──► OUT/_port0-parts/chunk-C…
//	             ──► a manifest naming its files
//	       ──► writeFn (one worker; side inputs: the combined counts, the blocks' totals, the shards' and chunks' manifests)
//	             ──► study.AssembleTotals + analyze.Finish: the rows streamed from the parts and merged, the packets table
//	                 put together from its chunks (tables.Format.AssemblePackets: concatenated and copied) ──► DIR/…
//
// Input: FileTask elements (index and path of every input, in the order
// port0 analyze reads them). Output: the analysis folder port0 analyze
// writes, byte for byte, whatever the runner, the number of workers, the
// number of shards, splits and chunks or the bundle sizes: every source's
// records reach one shard, which sorts them back into input order (by
// input and packet index), a study.Part does not depend on the records of
// other sources, the writer sorts the rows of all shards as one study
// does, and the packets table is cut into chunks by the rule its writer
// follows (tables.ChunkStarts), each chunk's records merged back into
// input order by its own writer.
//
// Memory: a scan worker holds one file's scan (as port0 analyze does); a
// sort key's worker its records, up to Config.MemLimit bytes (then sorted
// runs on disk); a shard worker the state of its sources up to
// Config.StudyBytes (then parts on disk: study.StudyWithin); a chunk's
// writer a 64 KiB reader a file of its records and a Parquet row group;
// the writer the combined counts (a summary a file) and 24 bytes an
// interval, and it streams the rows from the shards' parts and the
// chunks' files. No element and no side input grows with the records (the
// metrics scan_batch_bytes, shard_manifest_bytes,
// writer_side_manifest_bytes, writer_side_block_bytes,
// writer_side_chunk_bytes; a chunk's manifest grows with its Parquet
// parts, a day of the chunk each); the packets table's rows are formatted by the
// chunks' writers in parallel, each writing at most a chunk
// (chunk_records).
package pipeline
