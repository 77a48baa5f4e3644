package exporter

import (
	"bytes"
	"net/netip"

	"github.com/netsampler/goflow2/v2/decoders/sflow"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/flows"
)

// Header protocols of sFlow v5's sampled_header (sflow_version_5.txt,
// "enum header_protocol": ETHERNET-ISO8023 = 1, IPv4 = 11, IPv6 = 12)
// that the packet decoder reads.
const (
	HeaderEthernet uint32 = 1
	HeaderIPv4     uint32 = 11
	HeaderIPv6     uint32 = 12
)

// Sample is one sampled packet: an sFlow flow sample's raw packet header
// (sampled_header, flow_data format 1), or an IPFIX packet section (PSAMP
// dataLinkFrameSection or ipHeaderPacketSection). It is a packet, not a
// flow: the study puts Header through the packet decoder (LinkType says
// as what).
type Sample struct {
	// Format is flows.SFlow, or flows.IPFIX for a packet section.
	Format flows.Format
	// Agent is the sFlow agent address (the datagram's source when the
	// agent's is unspecified), or the IPFIX exporter's address.
	Agent netip.Addr
	// SubAgent is the sFlow sub_agent_id, or the IPFIX Observation
	// Domain ID.
	SubAgent uint32
	// Received is when the datagram was received, ns since the epoch.
	Received int64
	// Protocol is the sFlow header_protocol of Header (HeaderEthernet,
	// HeaderIPv4, HeaderIPv6 or another); for an IPFIX section
	// HeaderEthernet, HeaderIPv4, HeaderIPv6, or 0 when unknown.
	Protocol uint32
	// FrameLength is the packet's length before sampling (sFlow
	// frame_length; IPFIX dataLinkFrameSize, else the section's length);
	// Stripped the octets the agent removed from its end (sFlow
	// stripped, such as the FCS).
	FrameLength, Stripped uint32
	// Header is the packet's first bytes, as many as the agent kept. It
	// points into the datagram given to Decode, and is valid only until
	// the samples callback returns: copy it to keep it.
	Header []byte
	// SamplingRate is 1 in SamplingRate packets (0: unknown).
	SamplingRate uint32
	// Input and Output are the sFlow sample's input and output interface
	// (ifIndex; 0 when unknown).
	Input, Output uint32
}

// LinkType returns the capture link type of Header, for decode.Record's
// Decode: Ethernet, raw IPv4 or raw IPv6; ok is false for other header
// protocols.
func (s *Sample) LinkType() (link capture.LinkType, ok bool) {
	switch s.Protocol {
	case HeaderEthernet:
		return capture.LinkEthernet, true
	case HeaderIPv4:
		return capture.LinkIPv4, true
	case HeaderIPv6:
		return capture.LinkIPv6, true
	}
	return 0, false
}

// sFlow v5 sample_data formats (enterprise 0) that sflowCheck looks into.
const (
	sflowExpandedFlow    = 3
	expandedFlowFixedLen = 44 // sequence .. flow record count
	sflowMaxSamples      = 1000
)

// sflowCheck walks an sFlow v5 datagram's sample headers before goflow2
// decodes it. fatal refuses a datagram goflow2 must not see: an expanded
// flow sample that claims more records than its bytes hold (goflow2
// allocates the claimed count unchecked). cut reports samples missing or
// cut short, which goflow2 passes over in silence.
func (c *call) sflowCheck(data []byte) (fatal, cut *Error) {
	off := 8
	if be.Uint32(data[4:]) == 2 {
		off += 16
	} else {
		off += 4
	}
	if len(data) < off+16 {
		return c.fail(KindTruncated, nil, "%d bytes, the header is %d", len(data), off+16), nil
	}
	n := be.Uint32(data[off+12:])
	off += 16
	if n > sflowMaxSamples {
		return c.fail(KindMalformed, nil, "%d samples", n), nil
	}
	for i := range n {
		if len(data)-off < 8 {
			return nil, c.fail(KindTruncated, nil, "sample %d of %d at byte %d: %d bytes left", i, n, off, len(data)-off)
		}
		format, l := be.Uint32(data[off:]), be.Uint32(data[off+4:])
		off += 8
		if uint64(l) > uint64(len(data)-off) {
			return nil, c.fail(KindTruncated, nil, "sample %d of %d at byte %d: length %d, %d bytes left", i, n, off-8, l, len(data)-off)
		}
		s := data[off : off+int(l)]
		if format == sflowExpandedFlow && len(s) >= expandedFlowFixedLen {
			if recs := be.Uint32(s[expandedFlowFixedLen-4:]); uint64(recs) > uint64(len(s)-expandedFlowFixedLen)/8 {
				return c.fail(KindMalformed, nil, "expanded flow sample %d claims %d records in %d bytes", i, recs, len(s)), nil
			}
		}
		off += int(l)
	}
	return nil, nil
}

// sflow decodes an sFlow v5 datagram (sflow_version_5.txt). A flow
// sample with raw packet headers gives each to samples, and nothing to
// out: a sample is one packet, which the packet decoder reads better than
// any flow record. A flow sample without a raw header but with sampled
// IPv4 or IPv6 data (flow_data formats 3, 4) becomes a Record of one
// packet (HasTCPFlags; the 5-tuple; no TTL, fragment fields or ICMP
// type, which that structure does not carry; First and Last the received
// time). Counter and discarded-packet samples are counted and ignored.
func (c *call) sflow(data []byte) *Error {
	fatal, cut := c.sflowCheck(data)
	if fatal != nil {
		return fatal
	}
	var pkt sflow.Packet
	derr := c.safely("goflow2 sflow", func() error {
		return sflow.DecodeMessageVersion(bytes.NewBuffer(data), &pkt)
	})
	agent := c.from.Addr()
	if a, ok := netip.AddrFromSlice(pkt.AgentIP); ok && !a.IsUnspecified() {
		agent = a.Unmap()
	}
	for _, s := range pkt.Samples {
		switch s := s.(type) {
		case sflow.FlowSample:
			c.flowSample(agent, pkt.SubAgentId, s.SamplingRate, s.Input, s.Output, s.Records)
		case sflow.ExpandedFlowSample:
			c.flowSample(agent, pkt.SubAgentId, s.SamplingRate, s.InputIfValue, s.OutputIfValue, s.Records)
		case sflow.CounterSample:
			c.d.stats.CounterSamples++
		case sflow.DropSample:
			c.d.stats.DropSamples++
		}
	}
	if derr != nil {
		return derr
	}
	return cut
}

// flowSample gives one flow sample's raw headers to samples, or its
// sampled IPv4/IPv6 data to out.
func (c *call) flowSample(agent netip.Addr, subAgent, rate, in, out uint32, records []sflow.FlowRecord) {
	c.d.stats.FlowSamples++
	headers := 0
	for i := range records {
		h, ok := records[i].Data.(sflow.SampledHeader)
		if !ok {
			continue
		}
		headers++
		// goflow2 names sampled_header's header<> length
		// OriginalLength, and keeps the record's bytes after it,
		// XDR padding included, in HeaderData.
		b := h.HeaderData[:min(uint64(h.OriginalLength), uint64(len(h.HeaderData)))]
		c.sample = Sample{
			Format:       flows.SFlow,
			Agent:        agent,
			SubAgent:     subAgent,
			Received:     c.received,
			Protocol:     h.Protocol,
			FrameLength:  h.FrameLength,
			Stripped:     h.Stripped,
			Header:       b,
			SamplingRate: rate,
			Input:        in,
			Output:       out,
		}
		c.emitSample()
	}
	ips := 0
	for i := range records {
		var ip *sflow.SampledIPBase
		switch d := records[i].Data.(type) {
		case sflow.SampledIPv4:
			ip = &d.SampledIPBase
		case sflow.SampledIPv6:
			ip = &d.SampledIPBase
		default:
			continue
		}
		ips++
		if headers > 0 {
			c.d.stats.DuplicateRecords++
			continue
		}
		c.rec = flows.Record{
			Format:       flows.SFlow,
			Exporter:     agent,
			Has:          flows.HasTCPFlags,
			First:        c.received,
			Last:         c.received,
			Src:          addrFrom(ip.SrcIP),
			Dst:          addrFrom(ip.DstIP),
			Proto:        uint8(ip.Protocol),
			SrcPort:      uint16(ip.SrcPort),
			DstPort:      uint16(ip.DstPort),
			TCPFlags:     uint8(ip.TcpFlags),
			Packets:      1,
			Bytes:        uint64(ip.Length),
			SamplingRate: rate,
		}
		c.emit()
	}
	if headers == 0 && ips == 0 {
		c.d.stats.EmptySamples++
	}
}
