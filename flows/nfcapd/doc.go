// Package nfcapd reads the flow files of nfdump 1.7 and later: what its
// collector nfcapd (NetFlow v5/v9, IPFIX), sfcapd (sFlow) and nfpcapd
// (packets → flows) write, and what nfdump -w rewrites. It is pure Go; no
// nfdump is needed to read a file.
//
//	nfcapd file ──► Open/NewReader ──► Next(&Flow) … io.EOF
//	                      └─► Header, Exporters, Samplers, Stat, Counts
//
// The package is one of the flow inputs of port0 analyze (package flows
// says where it stands): a Flow becomes the study's port-0 record as far
// as its fields allow, and docs/NFCAPD.md says what an nfcapd file keeps
// and loses for the port-0 question — measured on the files nfdump 1.7.1
// itself made of the project's captures (testdata/nfcapd).
//
// # File layout
//
// Written from nfdump's source at the tag v1.7.1 (the nfdump of Debian 12),
// file and line cited throughout the code, all little-endian as nfdump
// writes on every common host (it does not swap; the magic tells a
// big-endian file, which this reader refuses):
//
//	file header  40 bytes (fileHeaderV2_t, src/lib/nffileV2.h:56-83):
//	             magic 0xA50C u16, layout version 2 u16, nfdump version u32,
//	             created time_t, compression u8 (0 none, 1 LZO, 2 BZ2,
//	             3 LZ4; 4 ZSTD from 1.7.3), encryption u8 (0), appendix
//	             blocks u16, unused u32 (the creator program from 1.7.2),
//	             appendix offset off_t, block size u32, data blocks u32
//	data block   12-byte header (dataBlock_t, nffileV2.h:97-109): records
//	             u32, size u32 (without the header), type u16 (3: records),
//	             flags u16; then size bytes, compressed as the header says
//	             (each block on its own, nffile.c:169-332)
//	…            as many data blocks as the header counts
//	appendix     the same kind of block (nffile.c:409-458): an ident
//	             record (0x8001, NUL-terminated string) and the stat record
//	             (0x8002, stat_record_t, src/include/nfdump.h:826-851)
//
// Every record starts with type u16 and size u16 (the whole record;
// nffileV2.h:115-119). A flow is a V3 record (type 11, src/lib/nfxV3.h:
// 58-72): a 12-byte header — type, size, number of elements, engine type,
// engine ID, exporter SysID u16, flags (1 event, 2 sampled, 4 anonymised),
// nfversion — and its extension elements, each a 4-byte header (ID u16,
// length u16 counting the header; nfxV3.h:114-117) and a C struct:
// EXgenericFlow (1: first, last and received time in ms, packets, bytes,
// ports, protocol, TCP flags, forwarding status, ToS; nfxV3.h:137-182),
// EXipv4Flow (2) or EXipv6Flow (3) with the addresses as host-order
// integers, EXflowMisc (4), EXcntFlow (5), EXasRouting (7),
// EXipReceivedV4/V6 (12, 13: the exporter's address), EXsamplerInfo (18)
// and, from nfdump 1.7.5, EXipInfo (42: fragment flags, min and max TTL).
// Other elements are passed over by their length and counted. Beside the
// flows nfcapd writes exporter records (type 7, src/include/exporter.h:
// 54-71), exporter stat records (8, exporter.h:88-100) and sampler records
// (15, exporter.h:143-157; legacy 9, exporter.h:112-122), each before the
// first flow it concerns; this reader keeps them (Exporters, ExporterStats,
// Samplers) and skips every other record type by its size.
//
// Differences with later nfdump that this reader follows: ZSTD (4) from
// 1.7.3; the header's creator field from 1.7.2; EXsamplerInfo holding a
// 64-bit selector ID from 1.7.2 instead of 1.7.1's ID, interval and mode
// (the same 12 bytes: the file's nfdump version decides); EXipInfo from
// 1.7.5; the exporter record's address as 16 network-order bytes from
// 1.7.8 (its family field, 0 then, tells the two apart, as nfdump 1.7.8
// does). A layout-1 file (nfdump 1.6) is refused with the command that
// converts it, nfdump -r OLD -w NEW (nfdump(1) of 1.7.1, EXAMPLES).
//
// # Compressions
//
// Uncompressed, LZO1X (minilzo's lzo1x_1 in nfdump; decoded here by this
// package's own decoder, lzo.go, written from the public description of
// the format), BZ2 (compress/bzip2), LZ4 block format
// (github.com/pierrec/lz4/v4) and ZSTD (github.com/klauspost/compress/zstd)
// are all read. A compression number nfdump does not know is refused with
// the command that rewrites the file uncompressed, nfdump -r FILE -w NEW
// (nfdump writes uncompressed unless given -z, -y or -j: nfdump.c:599).
//
// # Damage
//
// A truncated or corrupt file never panics and never loops: a block whose
// size is 0, above nfdump's 5 MiB or past the end of the file, a block
// that does not decompress, a record whose size is below its header or
// past its block, an element whose length is below its header or past its
// record — each stops the reader with an *Error naming the file, the
// block, its offset and, for a record, the record's index and offset in
// the decompressed block, after every flow before it. Counts says what was
// skipped on purpose and what the damage lost.
package nfcapd
