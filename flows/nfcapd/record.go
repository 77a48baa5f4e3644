package nfcapd

import (
	"fmt"
	"net/netip"
)

// nextRecord reads the record at r.pos of the current block. It reports
// whether the record was a flow, now in f; on a damaged record it sets
// r.err.
func (r *Reader) nextRecord(f *Flow) bool {
	p, idx := r.pos, r.rec
	if p+4 > len(r.blk) {
		r.recordErr(idx, p, fmt.Sprintf("the block ends after %d of the %d records it announces", idx, r.blockRecs))
		return false
	}
	typ, size := le.Uint16(r.blk[p:]), int(le.Uint16(r.blk[p+2:]))
	if size < 4 {
		// nfdump stops here too (nfdump.c:379-383): a size below the record
		// header would never advance.
		r.recordErr(idx, p, fmt.Sprintf("record size %d, less than its 4-byte header", size))
		return false
	}
	if p+size > len(r.blk) {
		r.recordErr(idx, p, fmt.Sprintf("record of %d bytes runs past the end of its block (%d bytes left)", size, len(r.blk)-p))
		return false
	}
	b := r.blk[p : p+size]
	r.pos += size
	r.rec++
	r.counts.Records++
	switch typ {
	case recV3:
		if msg := r.parseV3(b, f); msg != "" {
			r.recordErr(idx, p, msg)
			return false
		}
		r.counts.Flows++
		return true
	case recExporterInfo:
		if len(b) < exporterInfoSize {
			r.skipRecord(len(b))
			return false
		}
		r.addExporter(parseExporter(b))
	case recExporterStat:
		if len(b) < 8 {
			r.skipRecord(len(b))
			return false
		}
		n := int(le.Uint32(b[4:]))
		for i := 0; i < n && 8+24*(i+1) <= len(b); i++ {
			s := b[8+24*i:]
			r.expStats = append(r.expStats, ExporterStat{
				SysID: le.Uint32(s), SequenceFailures: le.Uint32(s[4:]),
				Packets: le.Uint64(s[8:]), Flows: le.Uint64(s[16:]),
			})
		}
	case recSampler, recSamplerLegacy:
		s, ok := parseSampler(b)
		if !ok {
			r.skipRecord(len(b))
			return false
		}
		r.addSampler(s)
	default:
		// recCommon (a 1.6-era record nfdump converts as it reads), nbar,
		// interface and VRF names, and types newer than 1.7.1.
		r.skipRecord(len(b))
	}
	return false
}

func (r *Reader) skipRecord(n int) {
	r.counts.SkippedRecords++
	r.counts.SkippedBytes += int64(n)
}

// recordErr stops the reader at record idx of the current block, at block
// byte p.
func (r *Reader) recordErr(idx, p int, msg string) {
	e := &Error{File: r.name, Block: r.block, Offset: r.blockOff, Record: idx, RecordOffset: p, Msg: msg}
	lost := int64(r.blockRecs) - int64(idx)
	r.fail(e, r.off)
	r.counts.LostRecords = lost
}

// parseV3 decodes a V3 record (recordHeaderV3_t, nfxV3.h:58-72: type,
// size, numElements, engineType, engineID, exporterID, flags, nfversion)
// and its numElements extension elements, each a 4-byte header (type,
// length including the header; nfxV3.h:114-117) and its data, as nfdump's
// ExpandRecord_v3 does (nffile_inline.c:69-471 at v1.7.1). It returns a
// message for a record it cannot walk.
func (r *Reader) parseV3(b []byte, f *Flow) string {
	*f = Flow{}
	if len(b) < v3HeaderSize {
		return fmt.Sprintf("V3 record of %d bytes, shorter than its %d-byte header", len(b), v3HeaderSize)
	}
	n := int(le.Uint16(b[4:]))
	f.EngineType, f.EngineID = b[6], b[7]
	f.ExporterID = le.Uint16(b[8:])
	f.RecordFlags, f.NFVersion = b[10], b[11]
	p := v3HeaderSize
	for i := range n {
		if p+4 > len(b) {
			return fmt.Sprintf("V3 record of %d bytes: element %d of %d starts at record byte %d, past its end", len(b), i, n, p)
		}
		id, length := int(le.Uint16(b[p:])), int(le.Uint16(b[p+2:]))
		if length < 4 {
			return fmt.Sprintf("V3 record: element %d (extension %d) has length %d, less than its 4-byte header", i, id, length)
		}
		if p+length > len(b) {
			return fmt.Sprintf("V3 record of %d bytes: element %d (extension %d) of %d bytes at record byte %d runs past its end", len(b), i, id, length, p)
		}
		r.extension(f, id, b[p+4:p+length])
		p += length
	}
	if p < len(b) {
		// nfdump 1.7.1 exits on this (nffile_inline.c:433-436); the
		// elements are whole, so keep them and count the rest.
		r.counts.SkippedBytes += int64(len(b) - p)
	}
	if f.Flows == 0 {
		f.Flows = 1 // nffile_inline.c:439
	}
	return ""
}

// extSize is the least data each decoded extension needs (the C struct's
// size; nfxV3.h at v1.7.1, and at the current source for EXipInfo).
var extSize = [...]int{
	ExtGenericFlow:  48,
	ExtIPv4Flow:     8,
	ExtIPv6Flow:     32,
	ExtFlowMisc:     14,
	ExtCntFlow:      24,
	ExtASRouting:    8,
	ExtIPReceivedV4: 4,
	ExtIPReceivedV6: 16,
	ExtSamplerInfo:  12,
	ExtIPInfo:       4,
}

// extension decodes extension element id, whose data is d, into f.
func (r *Reader) extension(f *Flow, id int, d []byte) {
	if id >= len(extSize) || extSize[id] == 0 {
		r.counts.SkippedExtensions++
		r.counts.SkippedBytes += int64(len(d) + 4)
		if id < 64 {
			f.Elements |= 1 << uint(id)
		}
		return
	}
	if len(d) < extSize[id] {
		r.counts.ShortExtensions++
		r.counts.SkippedBytes += int64(len(d) + 4)
		return
	}
	f.Elements |= 1 << uint(id)
	switch id {
	case ExtGenericFlow: // nfxV3.h:137-182
		f.First = int64(le.Uint64(d[0:])) * 1e6
		f.Last = int64(le.Uint64(d[8:])) * 1e6
		f.Received = int64(le.Uint64(d[16:])) * 1e6
		f.Packets = le.Uint64(d[24:])
		f.Bytes = le.Uint64(d[32:])
		f.SrcPort = le.Uint16(d[40:])
		f.DstPort = le.Uint16(d[42:])
		f.Proto, f.TCPFlags, f.FwdStatus, f.Tos = d[44], d[45], d[46], d[47]
	case ExtIPv4Flow: // nfxV3.h:185-193, host-order uint32
		f.Src, f.Dst = addr4(le.Uint32(d)), addr4(le.Uint32(d[4:]))
	case ExtIPv6Flow: // nfxV3.h:196-204, two host-order uint64 halves
		f.Src, f.Dst = addr6(d), addr6(d[16:])
	case ExtFlowMisc: // nfxV3.h:207-236
		f.Input, f.Output = le.Uint32(d), le.Uint32(d[4:])
		f.SrcMask, f.DstMask, f.Dir, f.EndReason = d[8], d[9], d[10], d[13]
	case ExtCntFlow: // nfxV3.h:239-250
		f.Flows, f.OutPackets, f.OutBytes = le.Uint64(d), le.Uint64(d[8:]), le.Uint64(d[16:])
	case ExtASRouting: // nfxV3.h:264-272
		f.SrcAS, f.DstAS = le.Uint32(d), le.Uint32(d[4:])
	case ExtIPReceivedV4: // nfxV3.h:307-313
		f.Router = addr4(le.Uint32(d))
	case ExtIPReceivedV6: // nfxV3.h:315-321
		f.Router = addr6(d)
	case ExtSamplerInfo:
		f.HasSamplerInfo = true
		if r.oldSampler {
			// nfxV3.h:391-405 at v1.7.1: int32 id, interval, mode, exporter.
			f.SamplerID = int64(int32(le.Uint32(d)))
			f.SamplerInterval = le.Uint32(d[4:])
			f.SamplerMode = le.Uint16(d[8:])
		} else {
			// nfxV3.h:399-408 at the current source (from 1.7.2): selector ID, exporter.
			f.SamplerID = int64(le.Uint64(d))
		}
	case ExtIPInfo: // nfxV3.h:687-701 at the current source (from 1.7.5)
		f.HasIPInfo = true
		f.FragFlags, f.MinTTL, f.MaxTTL = d[1], d[2], d[3]
	}
}

func addr4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// addr6 reads an IPv6 address kept as two host-order (little-endian)
// uint64 halves, high half first (nfpcapd: ntohll of each, pcaproc.c:782-788).
func addr6(d []byte) netip.Addr {
	hi, lo := le.Uint64(d), le.Uint64(d[8:])
	var a [16]byte
	for i := range 8 {
		a[i] = byte(hi >> (56 - 8*i))
		a[8+i] = byte(lo >> (56 - 8*i))
	}
	return netip.AddrFrom16(a)
}

// parseExporter decodes an exporter record of at least 32 bytes: version,
// address, family, SysID, ID (exporter.h:54-71 at v1.7.1). Up to 1.7.7
// the address is an ip_addr_t (host-order halves; IPv4 in bytes 8-11 of
// it) and the family is AF_INET (2) or AF_INET6 (10); from 1.7.8 it is
// 16 bytes in network order, IPv4 mapped, and the family field is 0
// (exporter.c:101-121 at v1.7.8, which converts the old form this way).
func parseExporter(b []byte) Exporter {
	e := Exporter{Version: le.Uint32(b[4:]), SysID: le.Uint16(b[26:]), ID: le.Uint32(b[28:])}
	ip := b[8:24]
	switch le.Uint16(b[24:]) {
	case 0:
		e.Addr = netip.AddrFrom16([16]byte(ip)).Unmap()
	case 2:
		e.Addr = addr4(le.Uint32(ip[8:]))
	case 10:
		e.Addr = addr6(ip)
	}
	return e
}

func (r *Reader) addExporter(e Exporter) {
	for i := range r.exporters {
		if r.exporters[i].SysID == e.SysID {
			r.exporters[i] = e
			return
		}
	}
	r.exporters = append(r.exporters, e)
}

// parseSampler decodes a sampler record, telling the two layouts apart by
// size as nfdump does (exporter.c:161-180 at v1.7.1): 16 bytes is the
// legacy samplerV0_record_t (id, interval, algorithm, exporter; interval
// N read as 1 packet sampled, N-1 skipped), 24 or more sampler_record_t.
func parseSampler(b []byte) (Sampler, bool) {
	switch {
	case len(b) == 16:
		s := Sampler{ID: int64(int32(le.Uint32(b[4:]))), Algorithm: le.Uint16(b[12:]), ExporterSysID: le.Uint16(b[14:]), PacketInterval: 1}
		if iv := le.Uint32(b[8:]); iv > 0 {
			s.SpaceInterval = iv - 1
		}
		return s, true
	case len(b) >= 24:
		return Sampler{
			ExporterSysID: le.Uint16(b[4:]), Algorithm: le.Uint16(b[6:]), ID: int64(le.Uint64(b[8:])),
			PacketInterval: le.Uint32(b[16:]), SpaceInterval: le.Uint32(b[20:]),
		}, true
	}
	return Sampler{}, false
}

func (r *Reader) addSampler(s Sampler) {
	for i := range r.samplers {
		if r.samplers[i].ExporterSysID == s.ExporterSysID && r.samplers[i].ID == s.ID {
			r.samplers[i] = s
			return
		}
	}
	r.samplers = append(r.samplers, s)
}
