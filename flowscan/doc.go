// Package flowscan is the scan of flow inputs: it reads flow records
// (nfdump's nfcapd files, flows/nfcapd; captures of exporters' datagrams,
// flows/exporter), judges each one with a port 0 (flows.Judge: real, no
// ports, undecidable) and hands the study what the packet scan hands it —
// a scan.Result, built with scan.Builder — so that flows meet packets at
// the port-0 record:
//
//	flow files ──► Record ──► Judge ──► scan.Builder ──► scan.Result ──► study (Options.Flows)
//	sFlow raw header samples ──► a pcap of the samples ──► scan.Run ──┘ (merged)
//
// A flow stands for its packets: its traffic is counted over the
// intervals it spans, and a flow judged real gives one port-0 record per
// packet, their times spread evenly from its first to its last packet (a
// flow keeps no time of its own packets). Undecidable flows are counted
// (summary.json's flows section, the naive flow view) and kept out of the
// study's records, as are flows without ports. The records and tables
// count what was exported (of a sampled flow, the sampled packets); the
// sampling rates are counted (Summary.SamplingRates) and applied in the
// estimates of the packets on the wire (Summary.Estimated,
// Datagrams.EstimatedSampled), which port0 study's report states.
package flowscan
