// Package scan is the third stage of the analysis: it reads every packet
// of every input once and keeps what the study needs, as a value.
//
//	inputs ──► capture ──► decode (Decode, PlainIPv4) ──► classify (shapes of port-0 packets) ──► scan.Result
//
// Input: capture paths (or "-" for stdin) and Options. Output: a *Result —
// per input and in total the Counts (packets, link types, port-0 packets by
// protocol and position, fragments and orphans, packets without ports,
// truncated and malformed packets, read errors and skipped bytes), and,
// with Options.Port0, the study's side: all traffic's packets and distinct
// sources per interval (Options.Interval, an hour by default; a
// HyperLogLog an interval, sized by its sources), the range of
// destinations, the
// naive flow view, and a compact record (P0Packet) of every
// port-0-related packet, in input order. A Result merges exactly with the
// Result of other inputs (Merge: the two halves of a list of inputs give
// the Result of the whole list) and has a versioned binary encoding
// (WriteTo, ReadResult) whose decoder checks every length and field, so
// the scan of one machine and the study of another ("port0 analyze
// -partial" and "-merge") give what one run gives; results of different
// intervals do not merge. Memory grows with the intervals (with the
// sources seen in each, not a fixed 1 KiB) and the port-0 records; the records go to spill files beyond
// SpillOptions.MemLimit (Records), so a run's memory stays bounded
// whatever the number of packets.
//
// # Counting
//
// Run ("port0 analyze") reads files on a pool of workers. Each worker
// reuses its decoder scratch space, chunk buffers and fragment table from
// file to file, so the hot path allocates nothing per packet; each file's
// Counts and records are kept apart and combined in input order
// (Counts.Add; one records segment per input), so the Result does not
// depend on the number of workers. A pcap file of 16 MiB or more,
// compressed input and standard input are, besides, decoded by
// Options.Workers goroutines at once: one goroutine reads (and inflates)
// the stream into chunks of whole records ((*capture.Capture).ReadChunk),
// the others decode them, and the chunks' results are merged in order,
// fragments included, so that every count, record and orphan is that of a
// record-by-record scan (chunk.go says how; TestChunkedScan cuts captures
// at every chunk size). pcapng files are read record by record. In a pcap
// chunk, the packets most of a capture is are counted from their header
// bytes (decode.PlainIPv4, (*part).plain) without a Record; every other
// packet is decoded in full. TestPlainPath holds the two to the same
// counts. A port-0 packet is one whose TCP or UDP port fields are
// captured with one of them 0 (decode.Record.Port0 src, dst or both),
// its fixed header whole (Ports == PortsPresent) or cut after the ports
// (PortsCut, counted with its reason); one found inside a tunnel is
// tunneled port 0, counted apart, as is an ICMP error quoting a port 0
// (docs/CLI.md, "The port-0 definition"). The
// orphan-fragment rule and its bounds are documented at FragWindow.
//
// Distinct sources of all traffic are counted per interval in a
// HyperLogLog (package sketch: about 3.3 % standard error, merged by
// register-wise maximum), never in a map of addresses, so the per-packet
// cost is one hash and one register update. A part (chunk) adds to one
// dense sketch per interval it spans (sketch.Scratch, for its first 64
// intervals; reused from chunk to chunk), merged into the file's when the
// part is; the file's and
// the Result's sketches are sketch.Compact, a sorted list of the registers
// set (2 bytes each) up to 256 of them and dense (1 KiB) past, with the
// dense sketch's exact count, kept in blocks of 64 consecutive intervals
// (Intervals): three years at 5 minutes are 315,648 intervals, tens of
// bytes each at a telescope's few sources an interval, where a dense
// sketch each would be 320 MB. The current interval's check is one
// compare per packet ((*part).intervalAt), whatever the interval.
package scan
