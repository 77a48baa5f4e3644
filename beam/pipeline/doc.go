// Package pipeline is the port-0 study as an Apache Beam pipeline: the
// same stages as port0 analyze (package analyze), spread over a runner's
// workers, writing the same bytes.
//
//	inputs ──► Match (driver: capture.ExpandInputs, or a Beam filesystem's List)
//	       ──► Create(FileTask) ─► Partition(W) ─► Reshuffle ─► scanFn (scan.Scanner, one file at a time)
//	             ├─► counts: a bundle's scan.Result without records or intervals ──► Combine(scanCombine) ──► one scan.Result
//	             ├─► intervals: KV<block of 64, their packets and sketches> ──► CombinePerKey(ivCombine) ──► study.Totals a block
//	             ├─► destination range ──► Combine(dstCombine) ──► the telescope
//	             └─► records: KV<shard × splits + split, encoded records>, shard = hash(source) mod S
//	       ──► Partition(W) ─► GroupByKey ─► sortFn (a shard's records split over Config.Splits keys by a hash of input
//	             and packet index, each sorted into input order) ──► OUT/_port0-parts/sorted-N-K.run, its name keyed by shard
//	       ──► Partition(W) ─► GroupByKey ─► shardFn (the shard's runs merged; a study.Part over every source of the shard)
//	             ├─► OUT/_port0-parts/shard-N-P.packets (classified records, input order) and shard-N-P.{sources,events,bundles}, a part P
//	             │   of the shard's sources each (one, unless their state passes Config.StudyBytes)
//	             ├─► a manifest naming them (a few hundred bytes)
//	             └─► study counts ──► Combine(countsCombine) ──► one study.Counts
//	       ──► writeFn (one worker; side inputs: the combined counts, the blocks' totals, the manifests)
//	             ──► study.AssembleTotals + analyze.Finish, the parts streamed and merged ──► DIR/summary.json, the tables
//
// Input: FileTask elements (index and path of every input, in the order
// port0 analyze reads them). Output: the analysis folder port0 analyze
// writes, byte for byte, whatever the runner, the number of workers, the
// number of shards or the bundle sizes: every source's records reach one
// shard, which sorts them back into input order (by input and packet index), a
// study.Part does not depend on the records of other sources, and the
// writer sorts the rows of all shards as one study does and merges the
// classified records back into input order.
//
// Memory: a scan worker holds one file's scan (as port0 analyze does); a
// shard worker holds its shard's port-0 records (RecordLen bytes each,
// up to Config.MemLimit bytes, then sorted runs on disk; the largest shard
// is the largest key) and the state of its sources up to
// Config.StudyBytes (then parts on disk: study.StudyWithin); the writer holds the
// combined counts (a summary a file) and 24 bytes an interval, and streams
// the rows and the packets from the shards' parts, merging them. No
// element and no side input grows with the records (the metrics
// scan_batch_bytes, shard_manifest_bytes, writer_side_manifest_bytes and
// writer_side_block_bytes).
package pipeline
