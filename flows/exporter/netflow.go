package exporter

import (
	"bytes"
	"errors"
	"net/netip"

	"github.com/netsampler/goflow2/v2/decoders/netflow"
	"github.com/netsampler/goflow2/v2/decoders/netflowlegacy"
	protoproducer "github.com/netsampler/goflow2/v2/producer/proto"

	"github.com/port0/port0/flows"
)

// NetFlow v5 layout (Cisco, "NetFlow Export Datagram Format", v5 header
// and flow record format): a 24-byte header, then count records of 48
// bytes each.
const (
	v5HeaderLen = 24
	v5RecordLen = 48
)

// IP protocol numbers of ICMP and ICMPv6.
const (
	protoICMP   = 1
	protoICMPv6 = 58
)

// netflow5 decodes a NetFlow v5 datagram. Every field of the format is in
// every record, so each Record has HasTCPFlags and HasTimes (First and
// Last are SysUptime-relative in the record, made absolute with the
// header's clock), and HasICMP for ICMP, whose type and code Cisco's
// exporters write as type*256+code in the destination port. v5 has no
// TTL, fragment offset or flags. A datagram shorter than its count says
// gives its whole records and a KindTruncated error.
func (c *call) netflow5(data []byte) *Error {
	if len(data) < v5HeaderLen {
		return c.fail(KindTruncated, nil, "%d bytes, the header is %d", len(data), v5HeaderLen)
	}
	count := int(be.Uint16(data[2:]))
	n := min(count, (len(data)-v5HeaderLen)/v5RecordLen)
	buf := data[:v5HeaderLen+n*v5RecordLen]
	var cut *Error
	if n < count {
		// goflow2 would make count records, zero ones past the data:
		// give it the whole records under a count that says so.
		cut = c.fail(KindTruncated, nil, "the header says %d records, %d bytes hold %d", count, len(data), n)
		c.d.scratch = append(c.d.scratch[:0], buf...)
		buf = c.d.scratch
		be.PutUint16(buf[2:], uint16(n))
	}
	var pkt netflowlegacy.PacketNetFlowV5
	if e := c.safely("netflowlegacy", func() error {
		return netflowlegacy.DecodeMessageVersion(bytes.NewBuffer(buf), &pkt)
	}); e != nil {
		return e
	}
	base := int64(pkt.UnixSecs)*1e9 + int64(pkt.UnixNSecs)
	// The low 14 bits of the sampling field are the interval, the top 2
	// the sampling mode.
	rate := uint32(pkt.SamplingInterval & 0x3fff)
	exp := c.from.Addr()
	for i := range pkt.Records[:min(n, len(pkt.Records))] {
		v := &pkt.Records[i]
		c.rec = flows.Record{
			Format:       flows.NetFlow5,
			Exporter:     exp,
			Has:          flows.HasTCPFlags | flows.HasTimes,
			First:        base + uptimeDelta(v.First, pkt.SysUptime),
			Last:         base + uptimeDelta(v.Last, pkt.SysUptime),
			Src:          v4(uint32(v.SrcAddr)),
			Dst:          v4(uint32(v.DstAddr)),
			Proto:        v.Proto,
			SrcPort:      v.SrcPort,
			DstPort:      v.DstPort,
			TCPFlags:     v.TCPFlags,
			Packets:      uint64(v.DPkts),
			Bytes:        uint64(v.DOctets),
			SamplingRate: rate,
		}
		if v.Proto == protoICMP {
			c.rec.Has |= flows.HasICMP
			c.rec.ICMPType, c.rec.ICMPCode = uint8(v.DstPort>>8), uint8(v.DstPort)
		}
		c.emit()
	}
	return cut
}

// uptimeDelta is how many ns the SysUptime-relative time t (ms) is after
// the header's uptime, both 32-bit millisecond counters: the difference
// is taken as signed 32 bits, so that a wrap of the counter (every 49.7
// days) or a time a little after the header's does not become decades.
func uptimeDelta(t, uptime uint32) int64 { return int64(int32(t-uptime)) * 1e6 }

// v4 makes an IPv4 address.
func v4(a uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
}

// validSetID reports whether a set ID is one of the format: v9 FlowSet
// IDs 0 (template), 1 (options template) and 256 up (data, RFC 3954
// section 5.2); IPFIX Set IDs 2, 3 and 256 up (RFC 7011 section 3.3.2).
func validSetID(version, id uint16) bool {
	if version == 9 {
		return id == 0 || id == 1 || id >= 256
	}
	return id == 2 || id == 3 || id >= 256
}

// netflow decodes a NetFlow v9 (version 9, RFC 3954) or IPFIX (version
// 10, RFC 7011) datagram. It first walks the sets' headers: goflow2 gets
// the whole sets only (a set cut short or of an impossible length ends
// the walk, and the datagram then fails with what was before it kept).
// Options data records are read before the data records, so that a
// sampling rate sent with data applies to it. A v9 header's count is not
// trusted: every whole FlowSet is decoded.
func (c *call) netflow(data []byte, version uint16) *Error {
	hdr := 20
	if version == 10 {
		hdr = 16
	}
	if len(data) < hdr {
		return c.fail(KindTruncated, nil, "%d bytes, the header is %d", len(data), hdr)
	}
	end := len(data)
	var cut *Error
	if version == 10 {
		switch l := int(be.Uint16(data[2:])); {
		case l < hdr:
			return c.fail(KindMalformed, nil, "message length %d is shorter than the header", l)
		case l > len(data):
			cut = c.fail(KindTruncated, nil, "message length %d, %d bytes", l, len(data))
		default:
			end = l
		}
	}
	off, nsets := hdr, 0
	for end-off >= 4 {
		id, l := be.Uint16(data[off:]), int(be.Uint16(data[off+2:]))
		var bad *Error
		switch {
		case l < 4:
			bad = c.fail(KindMalformed, nil, "set at byte %d: length %d", off, l)
		case off+l > end:
			bad = c.fail(KindTruncated, nil, "set at byte %d: length %d, %d bytes left", off, l, end-off)
		case !validSetID(version, id):
			bad = c.fail(KindMalformed, nil, "set at byte %d: set ID %d", off, id)
		}
		if bad != nil {
			if cut == nil {
				cut = bad
			}
			break
		}
		off += l
		nsets++
	}
	buf := data[:off]
	if version == 9 && int(be.Uint16(data[2:])) < nsets {
		// RFC 3954's Count is the number of records; goflow2 decodes
		// that many FlowSets at most. softflowd counts only its data
		// records, so a datagram of templates and few flows would lose
		// sets: give goflow2 a copy whose count is the sets'.
		c.d.scratch = append(c.d.scratch[:0], buf...)
		buf = c.d.scratch
		be.PutUint16(buf[2:], uint16(nsets))
		c.d.stats.V9CountFixed++
	}

	key := exporterKey{addr: c.from.Addr()}
	if version == 10 {
		key.port = c.from.Port()
	}
	ex := c.d.exporter(key)
	if ex == nil {
		return c.fail(KindLimit, nil, "more than %d exporters", MaxExporters)
	}
	var nf9 netflow.NFv9Packet
	var ipfix netflow.IPFIXPacket
	derr := c.safely("goflow2 netflow", func() error {
		err := netflow.DecodeMessageVersion(bytes.NewBuffer(buf), ex, &nf9, &ipfix)
		if errors.Is(err, netflow.ErrorTemplateNotFound) {
			// Only sets without their template failed: goflow2
			// returns a harder error alone.
			return nil
		}
		return err
	})

	h := nfHeader{version: version}
	var sets []any
	if version == 9 {
		sets, h.domain, h.exportSecs, h.uptime = nf9.FlowSets, nf9.SourceId, nf9.UnixSeconds, nf9.SystemUptime
	} else {
		sets, h.domain, h.exportSecs = ipfix.FlowSets, ipfix.ObservationDomainId, ipfix.ExportTime
	}
	dk := domainKey{version, h.domain}
	for _, s := range sets {
		if s, ok := s.(netflow.OptionsDataFlowSet); ok {
			for i := range s.Records {
				c.d.stats.OptionsRecords++
				ex.options(dk, s.Records[i].OptionsValues)
			}
		}
	}
	var recErr *Error
	for _, s := range sets {
		switch s := s.(type) {
		case netflow.RawFlowSet:
			c.d.stats.NoTemplate++
			c.d.stats.NoTemplateBytes += int64(len(s.Records))
		case netflow.DataFlowSet:
			for i := range s.Records {
				if e := c.dataRecord(ex, dk, h, s.Records[i].Values); e != nil && recErr == nil {
					recErr = e
				}
			}
		}
	}
	switch {
	case derr != nil:
		return derr
	case cut != nil:
		return cut
	}
	return recErr
}

// nfHeader is what a data record's conversion needs of its datagram's
// header.
type nfHeader struct {
	version    uint16
	domain     uint32
	exportSecs uint32 // export time, s since the epoch
	uptime     uint32 // v9: SysUptime of the export, ms
}

// options reads an options data record's sampling rate and system init
// time into the exporter's state of the domain.
func (e *exporterState) options(dk domainKey, values []netflow.DataField) {
	var f fieldSet
	f.scan(values)
	if rate, ok := f.samplingRate(); ok {
		e.sampling[dk] = rate
	}
	if f.has(fInitTime) {
		e.initTime[dk] = int64(f.v[fInitTime]) * 1e6
	}
}

// dataRecord converts one v9/IPFIX data record into a Record (or, for an
// IPFIX packet section, a Sample). goflow2's producer fills its FlowMessage
// (addresses, ports, protocol, TCP flags, ICMP type and code, fragment
// offset and flags, counts); which optional fields the record really
// carried is read from the record's own fields, so a field the template
// left out is never taken for a 0 that was exported.
func (c *call) dataRecord(ex *exporterState, dk domainKey, h nfHeader, values []netflow.DataField) *Error {
	var f fieldSet
	f.scan(values)
	rate, ok := f.samplingRate()
	if !ok {
		rate = ex.sampling[dk]
	}
	if f.has(fFrameSection) || f.has(fIPSection) {
		c.packetSection(&f, h, rate)
		return nil
	}
	m := &c.d.msg
	m.Reset()
	if e := c.safely("goflow2 producer", func() error {
		// No template mapper and no packet mapper: the only field that
		// would need the latter (IE 315) is a packet section, taken
		// above.
		return protoproducer.ConvertNetFlowDataSet(m, h.version, h.exportSecs, h.uptime, values, nil, nil)
	}); e != nil {
		c.d.stats.BadRecords++
		return e
	}
	exportNs := int64(h.exportSecs) * 1e9
	r := &c.rec
	*r = flows.Record{
		Format:       c.format,
		Exporter:     c.from.Addr(),
		First:        exportNs,
		Last:         exportNs,
		Src:          addrFrom(m.SrcAddr),
		Dst:          addrFrom(m.DstAddr),
		Proto:        uint8(m.Proto),
		SrcPort:      uint16(m.SrcPort),
		DstPort:      uint16(m.DstPort),
		Packets:      m.Packets,
		Bytes:        m.Bytes,
		SamplingRate: rate,
	}
	if !f.has(fProto) {
		// softflowd's ICMP templates carry icmpTypeCode and no
		// protocolIdentifier: the ICMP field says which it is.
		switch {
		case f.hasAny(fICMPTypeCode4, fICMPType4, fICMPCode4):
			r.Proto = protoICMP
		case f.hasAny(fICMPTypeCode6, fICMPType6, fICMPCode6):
			r.Proto = protoICMPv6
		}
	}
	if f.has(fTCPFlags) {
		r.Has |= flows.HasTCPFlags
		r.TCPFlags = uint8(m.TcpFlags) // IE 6 may be 2 bytes (RFC 7125): the low 8 are the classic flags
	}
	if f.has(fFragOffset) {
		// IE 88 is the header's field: 13 bits of 8-octet units.
		r.Has |= flows.HasFragOffset
		r.FragOffset = uint16(m.FragmentOffset&0x1fff) * 8
	}
	if f.has(fFragFlags) {
		// goflow2 keeps IE 197 >> 5: DF (0x40 in IE 197) is 2, MF
		// (0x20) is 1.
		r.Has |= flows.HasFragFlags
		r.MoreFragments = m.IpFlags&1 != 0
		r.DontFragment = m.IpFlags&2 != 0
	}
	for _, id := range [...]fieldID{fMinTTL, fIPTTL, fMaxTTL} {
		if f.has(id) {
			r.Has |= flows.HasTTL
			r.TTL = uint8(f.v[id])
			break
		}
	}
	switch {
	case f.hasAny(fICMPTypeCode4, fICMPTypeCode6, fICMPType4, fICMPType6):
		r.Has |= flows.HasICMP
		r.ICMPType, r.ICMPCode = uint8(m.IcmpType), uint8(m.IcmpCode)
	case (r.Proto == protoICMP || r.Proto == protoICMPv6) && f.has(fDstPort):
		r.Has |= flows.HasICMP
		r.ICMPType, r.ICMPCode = uint8(r.DstPort>>8), uint8(r.DstPort)
	}
	if r.Packets == 0 && f.has(fPacketTotal) {
		r.Packets = f.v[fPacketTotal]
	}
	if r.Bytes == 0 && f.has(fOctetTotal) {
		r.Bytes = f.v[fOctetTotal]
	}
	init, haveInit := ex.initTime[dk]
	if f.has(fInitTime) {
		init, haveInit = int64(f.v[fInitTime])*1e6, true
	}
	if first, last, ok := f.times(h, init, haveInit); ok {
		r.Has |= flows.HasTimes
		r.First, r.Last = first, last
	}
	c.emit()
	return nil
}

// packetSection gives an IPFIX data record holding a packet's bytes
// (PSAMP, RFC 5477: dataLinkFrameSection IE 315, ipHeaderPacketSection
// IE 313) to samples, like an sFlow raw packet header: it is a packet,
// not a flow.
func (c *call) packetSection(f *fieldSet, h nfHeader, rate uint32) {
	s := &c.sample
	*s = Sample{
		Format:       c.format,
		Agent:        c.from.Addr(),
		SubAgent:     h.domain,
		Received:     c.received,
		SamplingRate: rate,
	}
	if f.has(fFrameSection) {
		s.Header = f.frame
		// dataLinkFrameType (IE 408): 1 is IEEE 802.3 Ethernet.
		if !f.has(fFrameType) || f.v[fFrameType] == 1 {
			s.Protocol = HeaderEthernet
		}
	} else {
		s.Header = f.ip
		if len(s.Header) > 0 {
			switch s.Header[0] >> 4 {
			case 4:
				s.Protocol = HeaderIPv4
			case 6:
				s.Protocol = HeaderIPv6
			}
		}
	}
	s.FrameLength = uint32(len(s.Header))
	if f.has(fFrameSize) {
		s.FrameLength = uint32(f.v[fFrameSize])
	}
	c.emitSample()
}

// addrFrom makes an address of 4 or 16 bytes (the zero Addr otherwise).
func addrFrom(b []byte) netip.Addr {
	a, ok := netip.AddrFromSlice(b)
	if !ok {
		return netip.Addr{}
	}
	return a.Unmap()
}
