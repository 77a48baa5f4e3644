// Package gen is the synthetic telescope: it crafts the traffic a network
// telescope would see, with ground truth for every packet.
//
//	Scenario (built-in or file) + seed + scale ──► Plan ──► Generate ──► pcap shards, .truth files, actors.csv, asmap.csv, manifest.json
//
// Input: a Scenario (the telescope prefix, the period, the volume and the
// actor populations; ParseScenario reads a scenario file, Paper is the
// default), a seed and a scale. Output: pcap shards (one per day or hour,
// or a single file, optionally gzip), a truth file beside each, joinable
// to every packet by index (TruthReader), the actors' table and the AS
// map, and a manifest (scenario, seed, counts, checksums) written last;
// ReadManifest, ReadActors and ReadASMap read them back. Each actor emits
// packets from its own seeded random stream; a time-ordered merge feeds
// the writer, so the same scenario, seed and scale give the same bytes
// whatever the number of workers. Packets are crafted from byte templates
// on the hot path; gopacket's serializer is the oracle the tests check
// them against. gen knows nothing of the analysis: package validate is
// where the two meet.
package gen
