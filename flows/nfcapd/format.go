package nfcapd

import (
	"net/netip"
	"strconv"
	"time"
)

// The numbers of the layout, all from nfdump v1.7.1 unless said otherwise.
const (
	magic           = 0xA50C // nffileV2.h:58
	magicSwapped    = 0x0CA5 // the magic of a file written on a big-endian host
	layoutVersion1  = 1      // nffile.h:97 (nfdump 1.6)
	layoutVersion2  = 2      // nffileV2.h:61
	fileHeaderSize  = 40     // sizeof(fileHeaderV2_t), nffileV2.h:56-83, LP64
	blockHeaderSize = 12     // sizeof(dataBlock_t), nffileV2.h:97-109

	// maxBlock is the most a block may hold, compressed or not: nfread
	// refuses a larger size (nffile.c:1023, BUFFSIZE = 5 MiB, nffile.h:69).
	maxBlock = 5 * 1048576

	blockType2 = 2 // nfdump 1.6 records (nffile.h:146)
	blockType3 = 3 // records, each with its own header (nffileV2.h:101)
	blockType4 = 4 // array block, skipped by nfdump too (nfdump.c:363-372)

	typeIdent = 0x8001 // appendix: ident string (nffileV2.h:126)
	typeStat  = 0x8002 // appendix: stat_record_t (nffileV2.h:127)

	// Record types, id.h:37-61.
	recExporterInfo  = 7
	recExporterStat  = 8
	recSamplerLegacy = 9
	recCommon        = 10 // 1.6-era record nfdump converts on reading
	recV3            = 11
	recSampler       = 15

	v3HeaderSize     = 12 // sizeof(recordHeaderV3_t), nfxV3.h:58-72
	statRecordSize   = 144
	exporterInfoSize = 32 // sizeof(exporter_info_record_t), exporter.h:54-71
)

// Extension element IDs of a V3 record, nfxV3.h at v1.7.1 (1-37) and at
// v1.7.5 and later (42). 34 and 35 are EXifname and EXvrfname in 1.7.1
// and other extensions later; this reader reads neither.
const (
	ExtGenericFlow  = 1
	ExtIPv4Flow     = 2
	ExtIPv6Flow     = 3
	ExtFlowMisc     = 4
	ExtCntFlow      = 5
	ExtVLAN         = 6
	ExtASRouting    = 7
	ExtBGPNextHopV4 = 8
	ExtBGPNextHopV6 = 9
	ExtIPNextHopV4  = 10
	ExtIPNextHopV6  = 11
	ExtIPReceivedV4 = 12
	ExtIPReceivedV6 = 13
	ExtMPLSLabel    = 14
	ExtMACAddr      = 15
	ExtASAdjacent   = 16
	ExtLatency      = 17
	ExtSamplerInfo  = 18
	ExtNSELCommon   = 19
	ExtIPInfo       = 42 // nfdump 1.7.5 and later
)

// Record flags of a V3 record header (nfxV3.h:67-69).
const (
	FlagEvent   = 1 // an NSEL/NEL event, not a flow
	FlagSampled = 2 // the collector scaled packets and bytes by the sampling rate
	FlagAnon    = 4 // addresses anonymised (nfanon)
)

// Fragment flags of EXipInfo (nfxV3.h:690-691 at the current source).
const (
	FragMF = 0x20 // more fragments: the flow saw a fragment that was not the last
	FragDF = 0x40 // don't fragment
)

// Compression is the algorithm of every block of a file (nffileV2.h:68-72;
// ZSTD from nfdump 1.7.3).
type Compression uint8

// The compressions nfdump writes.
const (
	None Compression = 0
	LZO  Compression = 1
	BZ2  Compression = 2
	LZ4  Compression = 3
	ZSTD Compression = 4
)

// String names the compression as nfdump -v does.
func (c Compression) String() string {
	switch c {
	case None:
		return "not compressed"
	case LZO:
		return "lzo"
	case BZ2:
		return "bz2"
	case LZ4:
		return "lz4"
	case ZSTD:
		return "zstd"
	}
	return "compression " + strconv.Itoa(int(c))
}

// Header is the file header (fileHeaderV2_t, nffileV2.h:56-83).
type Header struct {
	// Version is the layout, 2.
	Version uint16
	// NfdVersion is the nfdump that wrote the file: 0x01070100 is 1.7.1;
	// builds from nfdump's repository put 0xF in the top nibble.
	NfdVersion uint32
	// Created is when the file was opened for writing.
	Created time.Time
	// Compression is the compression of every block.
	Compression Compression
	// Encryption is 0; nfdump refuses anything else and so does this reader.
	Encryption uint8
	// AppendixBlocks is the number of blocks in the appendix.
	AppendixBlocks uint16
	// Creator is the program that wrote the file (1 nfcapd, 2 nfpcapd, 3
	// sfcapd, 4 nfdump, …) from nfdump 1.7.2 on; 0 ("unused") before.
	Creator uint32
	// AppendixOffset is where the appendix starts.
	AppendixOffset int64
	// BlockSize is 0 in the files nfdump 1.7.1 writes.
	BlockSize uint32
	// NumBlocks is the number of data blocks, the appendix not counted.
	NumBlocks uint32
}

// NfdumpVersion returns NfdVersion as "1.7.1".
func (h Header) NfdumpVersion() string {
	v := h.NfdVersion
	return strconv.Itoa(int(v>>24&0x0F)) + "." + strconv.Itoa(int(v>>16&0xFF)) + "." + strconv.Itoa(int(v>>8&0xFF))
}

// samplerInfoV171 reports whether EXsamplerInfo has the layout of nfdump
// before 1.7.2 (id, interval, mode, exporter; nfxV3.h:391-405 at v1.7.1)
// rather than the later one (selector ID, exporter). Both are 12 bytes.
func (h Header) samplerInfoV171() bool {
	v := h.NfdVersion
	major, minor, patch := v>>24&0x0F, v>>16&0xFF, v>>8&0xFF
	return major == 1 && (minor < 7 || minor == 7 && patch < 2)
}

// Stat is the file's stat record (stat_record_t, nfdump.h:826-851), from
// the appendix.
type Stat struct {
	// Flows, Bytes and Packets are the file's totals.
	Flows, Bytes, Packets uint64
	// FlowsTCP … PacketsOther split them by protocol (ICMP counts ICMPv6).
	FlowsTCP, FlowsUDP, FlowsICMP, FlowsOther         uint64
	BytesTCP, BytesUDP, BytesICMP, BytesOther         uint64
	PacketsTCP, PacketsUDP, PacketsICMP, PacketsOther uint64
	// First and Last are the first and last flow times, in nanoseconds since
	// the Unix epoch (the file keeps milliseconds).
	First, Last int64
	// SequenceFailures counts the exporters' sequence number gaps.
	SequenceFailures uint64
}

// Exporter is an exporter record (exporter_info_record_t, exporter.h:54-71):
// a device whose flows carry its SysID in Flow.ExporterID.
type Exporter struct {
	// SysID is the collector's number for the exporter.
	SysID uint16
	// Version is the NetFlow version it speaks (5, 9, 10 for IPFIX, 9999 sFlow).
	Version uint32
	// Addr is the address the flows came from.
	Addr netip.Addr
	// ID is the engine, source or observation domain ID the device sent.
	ID uint32
}

// ExporterStat is one exporter's entry in an exporter stat record
// (exporter_stats_record_t, exporter.h:88-100).
type ExporterStat struct {
	// SysID is the exporter's (Exporter.SysID).
	SysID uint32
	// SequenceFailures counts its sequence number gaps.
	SequenceFailures uint32
	// Packets and Flows count what it sent.
	Packets, Flows uint64
}

// Sampler is a sampler record (sampler_record_t, exporter.h:143-157; the
// legacy samplerV0_record_t, exporter.h:112-122, is mapped onto it as
// nfdump maps it: interval N becomes 1 packet in N).
type Sampler struct {
	// ExporterSysID is the exporter the sampler belongs to.
	ExporterSysID uint16
	// Algorithm is the sampling algorithm the device announced (#304).
	Algorithm uint16
	// ID is the device's sampler ID (#302), or one of nfcapd's own: -1 a
	// generic sampler, -2 the default nfcapd -s N sets, -3 an overwrite.
	ID int64
	// PacketInterval packets are sampled, then SpaceInterval skipped
	// (#305, #306): 1 in PacketInterval+SpaceInterval for PacketInterval 1.
	PacketInterval, SpaceInterval uint32
}

// Rate returns how many packets one sampled packet stands for.
func (s Sampler) Rate() float64 {
	if s.PacketInterval == 0 {
		return 1
	}
	return float64(s.PacketInterval+s.SpaceInterval) / float64(s.PacketInterval)
}

// Flow is one V3 record (recordHeaderV3_t and its extension elements,
// nfxV3.h) flattened. A field the record did not carry is zero; Elements
// says which extensions it had.
type Flow struct {
	// First and Last are the first and last packet times and Received the
	// time the collector got the flow, in nanoseconds since the Unix epoch
	// (EXgenericFlow keeps milliseconds).
	First, Last, Received int64
	// Src and Dst are the addresses (EXipv4Flow or EXipv6Flow).
	Src, Dst netip.Addr
	// SrcPort and DstPort are the ports. For ICMP and ICMPv6 nfdump keeps
	// type<<8 | code in DstPort (nfpcapd: pcaproc.c:941); see ICMPType.
	SrcPort, DstPort uint16
	// Proto is the IP protocol.
	Proto uint8
	// TCPFlags is the OR of the flow's TCP flags.
	TCPFlags uint8
	// Tos is the source ToS/traffic class byte.
	Tos uint8
	// FwdStatus is the forwarding status (#89).
	FwdStatus uint8
	// Packets and Bytes count the flow's input direction; already scaled by
	// the sampling rate when RecordFlags has FlagSampled.
	Packets, Bytes uint64
	// OutPackets and OutBytes count the reverse direction (EXcntFlow).
	OutPackets, OutBytes uint64
	// Flows is the number of flows the record stands for: 1 unless
	// EXcntFlow says more.
	Flows uint64

	// Input and Output are the SNMP interfaces, SrcMask and DstMask the
	// prefix lengths, Dir the direction and EndReason the flow end reason
	// (EXflowMisc).
	Input, Output    uint32
	SrcMask, DstMask uint8
	Dir, EndReason   uint8
	// SrcAS and DstAS are the AS numbers (EXasRouting).
	SrcAS, DstAS uint32
	// Router is the address the collector received the flow from
	// (EXipReceivedV4/V6).
	Router netip.Addr

	// ExporterID is the SysID of the record's exporter (see
	// (*Reader).Exporters); 0 for nfpcapd.
	ExporterID uint16
	// EngineType and EngineID are the exporter's engine; nfpcapd writes 17/1.
	EngineType, EngineID uint8
	// NFVersion is the flow's source: the NetFlow version (5, 9, 10 for
	// IPFIX), with 0x40 set for nfpcapd (0x41, flowdump.c:92) and 0x80 for
	// sFlow (output_raw.c:663-669).
	NFVersion uint8
	// RecordFlags holds FlagEvent, FlagSampled and FlagAnon.
	RecordFlags uint8

	// HasSamplerInfo says an EXsamplerInfo was present; 1.7.1's collectors
	// never write one. SamplerID is its sampler ID; SamplerInterval and
	// SamplerMode exist only in files of nfdump before 1.7.2.
	HasSamplerInfo  bool
	SamplerID       int64
	SamplerInterval uint32
	SamplerMode     uint16

	// HasIPInfo says an EXipInfo was present (nfdump 1.7.5 and later, when
	// the exporter sent the elements): FragFlags holds FragMF and FragDF,
	// MinTTL and MaxTTL the TTL range.
	HasIPInfo      bool
	FragFlags      uint8
	MinTTL, MaxTTL uint8

	// Elements has bit i set when the record held extension i (i < 64).
	Elements uint64
}

// Has reports whether the record held extension id.
func (f *Flow) Has(id int) bool { return id >= 0 && id < 64 && f.Elements&(1<<uint(id)) != 0 }

// IsICMP reports whether the flow is ICMP or ICMPv6.
func (f *Flow) IsICMP() bool { return f.Proto == 1 || f.Proto == 58 }

// ICMPType returns the ICMP type of an ICMP or ICMPv6 flow: nfdump keeps it
// in the high byte of DstPort (and the code in the low byte), so a flow's
// "destination port" 0x0303 is port unreachable. 0 for other protocols.
func (f *Flow) ICMPType() uint8 {
	if !f.IsICMP() {
		return 0
	}
	return uint8(f.DstPort >> 8)
}

// ICMPCode returns the ICMP code of an ICMP or ICMPv6 flow; see ICMPType.
func (f *Flow) ICMPCode() uint8 {
	if !f.IsICMP() {
		return 0
	}
	return uint8(f.DstPort)
}

// Sampled reports whether the collector marked the record sampled (and so
// scaled its packet and byte counts).
func (f *Flow) Sampled() bool { return f.RecordFlags&FlagSampled != 0 }
