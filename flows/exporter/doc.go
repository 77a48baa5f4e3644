// Package exporter decodes the datagrams flow exporters send to a
// collector — NetFlow v5, NetFlow v9, IPFIX and sFlow v5 — into
// flows.Records, and the packets sFlow samples into Samples:
//
//	capture of exporter datagrams ──► ReadCapture ──► Decoder.Decode ─┬─► flows.Record ──► flows.Judge
//	(tcpdump -i lo -w f.pcap udp port 2055)                           └─► Sample (sFlow raw header,
//	                                                                       IPFIX packet section)
//	                                                                       ──► decode.Record.Decode: a packet
//
// A flow record says what its exporter kept of many packets; a sample is
// one packet's first bytes, which the packet decoder reads as it reads a
// capture, fragment fields and TTL included. So a Sample is never made a
// flows.Record.
//
// # The decoder
//
// The formats are decoded with github.com/netsampler/goflow2/v2 (v2.2.6),
// the well-kept decoder of these formats the project chose: its
// decoders/netflowlegacy (v5), decoders/netflow (v9 and IPFIX, with the
// Decoder's own template system), decoders/sflow, and producer/proto's
// ConvertNetFlowDataSet, which fills goflow2's FlowMessage from a v9/IPFIX
// data record (addresses, ports, protocol, TCP flags, ICMP type and
// code, fragment offset and flags, packets, bytes). No goflow2 global is
// touched, nothing registers metrics, and a Decoder shares no state with
// another.
//
// What a FlowMessage cannot say is whether a field was exported: its 0 is
// also "absent". The Decoder reads that from each data record's own
// fields — those its template gave it — and sets a Has bit only for a
// field the record carried. It also reads itself what the producer does
// not: ipTTL (IE 192) and maximumTTL (53) beside minimumTTL (52); the
// IPFIX flowStart/EndSysUpTime (22, 21) against systemInitTimeMilliseconds
// (160) from options data, which softflowd's IPFIX sends (the producer
// keeps the export time); the absolute times (150-157) in v9 too; the
// totals (85, 86) when there are no deltas; and the sampling rate (below).
// A v9 relative time and v5's First/Last are taken as signed 32-bit
// millisecond differences from the header's SysUptime, so a wrapped
// counter does not make decades.
//
// # The formats, and what each keeps of the port-0 question
//
// NetFlow v5 (Cisco, "NetFlow Export Datagram Format": a 24-byte header
// with SysUptime, unix_secs, unix_nsecs and a sampling field whose low
// 14 bits are the interval, then 1 to 30 records of 48 bytes): IPv4 only;
// every record has the 5-tuple, the OR of its TCP flags, packets, bytes
// and SysUptime-relative first and last times, so HasTCPFlags and
// HasTimes are always set, and HasICMP for ICMP, whose type and code the
// destination port holds as type*256+code. It has no TTL, fragment offset
// or flags: a TCP or UDP flow with both ports 0 and no TCP flags is
// undecidable (flows.Judge).
//
// NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) carry what their templates
// say, in the Information Elements of IANA's "IPFIX Information Elements"
// registry (1-127 are v9's field types of the same numbers): 4
// protocolIdentifier, 6 tcpControlBits, 7 and 11 the transport ports,
// 32 and 139 icmpTypeCodeIPv4/IPv6 (type*256+code), 176-179 the ICMP type
// and code apart, 52 minimumTTL, 53 maximumTTL, 192 ipTTL (it "matches
// the value of the Time to Live (TTL) field in the IPv4 packet header",
// or the IPv6 Hop Limit), 88 fragmentOffset and 197 fragmentFlags. IE 88
// is "the value of the IP fragment offset field in the IPv4 packet header
// or the IPv6 Fragment header", range 0-8191: units of 8 octets, which
// Record.FragOffset gives in bytes (×8). IE 197 numbers its bits from the
// most significant: bit 0 reserved, bit 1 DF ("0 = May Fragment, 1 = Don't Fragment"), bit 2 MF
// ("0 = Last Fragment, 1 = More Fragments"; the M flag of an IPv6
// Fragment header), bits 3-7 don't care — so DF is 0x40 and MF is 0x20
// (goflow2 keeps the value >> 5: DF 2, MF 1). An exporter whose template
// has IE 88 answers the port-0 question: offset above 0 is a non-first
// fragment without ports, offset 0 a packet whose header was read. One
// without it (softflowd, pmacct's default templates) leaves a UDP flow
// with both ports 0 undecidable; a template without IE 6 leaves TCP so
// too. ICMP type and code come from IEs 32, 139, 176-179, else from the
// destination port of an ICMP or ICMPv6 flow, where v9 exporters put
// them; a record with ICMP fields and no IE 4 (softflowd's ICMP
// templates) is taken to be ICMP or ICMPv6 by which field it has.
// Templates are kept per exporter: for v9 per source address and Source
// ID (RFC 3954 section 5.1), for IPFIX per transport session — source
// address and port — and Observation Domain (RFC 7011). A data set that
// comes before its template is counted (Stats.NoTemplate) and lost, as
// for any collector; the rest of its datagram is decoded.
//
// Sampling: v5's header interval; v9/IPFIX options data records, per
// exporter and domain (the last one wins, whatever its scope), or a data
// record's own field: PSAMP's samplingPacketInterval and
// samplingPacketSpace (IEs 305, 306, RFC 5477: interval packets taken,
// space skipped, so 1 in (interval+space)/interval — softflowd sends 1 and
// N-1; goflow2's producer would take 305 alone and say 1), then
// samplingPopulation/samplingSize (310/309), v9's SAMPLING_INTERVAL (34)
// and FLOW_SAMPLER_RANDOM_INTERVAL (50). Per-sampler tables (v9 48, IPFIX
// 302 selectorId) are not followed.
//
// IPFIX records of PSAMP packet sections (RFC 5477: dataLinkFrameSection
// IE 315, ipHeaderPacketSection 313) are packets, and become Samples.
//
// sFlow v5 (sflow.org/sflow_version_5.txt) samples packets: a flow
// sample's sampled_header record (flow_data format 1) holds the packet's
// first bytes, of a header_protocol ("enum header_protocol":
// ETHERNET-ISO8023 = 1, IPv4 = 11, IPv6 = 12), with frame_length (before
// sampling) and stripped. Each becomes a Sample, its bytes as sent
// (goflow2 keeps the record's XDR padding, and names the header length
// OriginalLength; the Sample is cut to that length). A flow sample
// without one but with sampled_ipv4/ipv6 data (formats 3, 4: length,
// protocol, addresses, ports, tcp_flags) becomes a Record of one packet
// with HasTCPFlags and nothing else optional: that structure has no TTL,
// fragment field or ICMP type, and its time is the datagram's received
// time. Counter and discarded-packet samples are counted and ignored.
//
// # Damage
//
// Decode never panics: before goflow2 sees a datagram, the Decoder checks
// what goflow2 trusts — v5's record count against the length (goflow2
// would make the missing records as zeros), the v9/IPFIX sets' lengths
// and IDs and IPFIX's message length (only whole sets reach goflow2), v9's
// count (RFC 3954 section 5.1: the number of records; goflow2 decodes that
// many FlowSets at most, and softflowd counts only its data records, so a
// datagram of templates and a few flows would lose sets: goflow2 is given
// the number of sets), an sFlow expanded flow sample's record count
// (goflow2 allocates it unchecked) — and a panic inside goflow2 is recovered into an Error of
// KindPanic naming the format. The Decoder's template system keeps no
// template with a field of length 0: goflow2 v2.2.6 loops for ever on a
// template whose fields take no bytes, and builds a value for every
// field of every record, so thousands of empty fields beside one byte
// cost minutes. A datagram that fails returns an *Error (the records
// before the damage are given out) and is counted in Stats by format and
// kind; the next is decoded as usual.
//
// Known limits of goflow2 v2.2.6 that the Decoder does not work around:
// an IPFIX options template withdrawal (a 4-byte record) fails its
// datagram; a data set of a template with variable-length fields whose
// set padding is as long as the template's fixed part is misread (goflow2
// takes the padding for a record); an sFlow sample of an enterprise
// format ends the datagram's decoding (the samples before it are kept).
package exporter
