package exporter

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"
)

// This file builds the datagrams the tests decode, field by field with
// encoding/binary, after the formats' own descriptions:
//   - NetFlow v5: Cisco, "NetFlow Export Datagram Format", tables "Version
//     5 Header Format" (24 bytes) and "Version 5 Flow Record Format" (48
//     bytes);
//   - NetFlow v9: RFC 3954 sections 5.1 (header), 5.2 (template
//     FlowSet), 5.3 (data FlowSet), 6.1 (options template FlowSet);
//   - IPFIX: RFC 7011 sections 3.1 (message header), 3.3 (sets), 3.4.1
//     (template record), 3.4.2.2 (options template record), 8.1
//     (withdrawal);
//   - sFlow v5: sflow_version_5.txt (sample_datagram_v5, flow_sample,
//     counter_sample, expanded flow_sample, sampled_header, sampled_ipv4,
//     if_counters), XDR-encoded (RFC 4506: big-endian 32-bit words,
//     opaque<> as a length and bytes padded to 4).

// put appends big-endian integers of the sizes of their Go types, byte
// slices as they are, and addresses as their 4 or 16 bytes.
func put(b []byte, vals ...any) []byte {
	for _, v := range vals {
		switch v := v.(type) {
		case uint8:
			b = append(b, v)
		case uint16:
			b = binary.BigEndian.AppendUint16(b, v)
		case uint32:
			b = binary.BigEndian.AppendUint32(b, v)
		case uint64:
			b = binary.BigEndian.AppendUint64(b, v)
		case []byte:
			b = append(b, v...)
		case netip.Addr:
			b = append(b, v.AsSlice()...)
		default:
			panic(fmt.Sprintf("put: %T", v))
		}
	}
	return b
}

// --- NetFlow v5 ---

// v5Header is a NetFlow v5 header's fields.
type v5Header struct {
	uptime, secs, nsecs, seq uint32
	engineType, engineID     uint8
	sampling                 uint16 // 2 bits of mode, 14 of interval
}

// v5Record is a NetFlow v5 flow record's fields.
type v5Record struct {
	src, dst, nextHop netip.Addr
	in, out           uint16
	packets, octets   uint32
	first, last       uint32
	sport, dport      uint16
	flags, proto, tos uint8
	srcAS, dstAS      uint16
	srcMask, dstMask  uint8
}

// buildV5 lays out a v5 datagram: the header, then the records.
func buildV5(h v5Header, recs ...v5Record) []byte {
	b := put(nil, uint16(5), uint16(len(recs)), h.uptime, h.secs, h.nsecs, h.seq, h.engineType, h.engineID, h.sampling)
	for _, r := range recs {
		nh := r.nextHop
		if !nh.IsValid() {
			nh = netip.IPv4Unspecified()
		}
		b = put(b, r.src, r.dst, nh, r.in, r.out, r.packets, r.octets, r.first, r.last,
			r.sport, r.dport, uint8(0), r.flags, r.proto, r.tos, r.srcAS, r.dstAS, r.srcMask, r.dstMask, uint16(0))
	}
	return b
}

// --- NetFlow v9 and IPFIX ---

// fld is a template field: an IE of a length (0xffff: variable), with an
// enterprise number when pen is not 0 (IPFIX only).
type fld struct {
	ie, length uint16
	pen        uint32
}

// nfMsg builds a v9 or IPFIX message set by set.
type nfMsg struct {
	version          uint16
	domain, secs, up uint32 // up: v9 SysUptime (ms)
	seq              uint32
	sets             [][]byte
	records          int // v9's count: template, options template and data records
}

func newV9(domain, secs, up uint32) *nfMsg {
	return &nfMsg{version: 9, domain: domain, secs: secs, up: up}
}

func newIPFIX(domain, secs uint32) *nfMsg { return &nfMsg{version: 10, domain: domain, secs: secs} }

// set appends a set of an ID and body, padded to 4 bytes.
func (m *nfMsg) set(id uint16, body []byte) *nfMsg {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	m.sets = append(m.sets, put(nil, id, uint16(4+len(body)), body))
	return m
}

// fields appends template field specifiers.
func (m *nfMsg) fields(b []byte, fs []fld) []byte {
	for _, f := range fs {
		if f.pen != 0 {
			b = put(b, f.ie|0x8000, f.length, f.pen)
		} else {
			b = put(b, f.ie, f.length)
		}
	}
	return b
}

// template appends a template set of one template record (no fields: a
// withdrawal).
func (m *nfMsg) template(id uint16, fs ...fld) *nfMsg {
	setID := uint16(0)
	if m.version == 10 {
		setID = 2
	}
	m.records++
	return m.set(setID, m.fields(put(nil, id, uint16(len(fs))), fs))
}

// optionsTemplate appends an options template set of one record.
func (m *nfMsg) optionsTemplate(id uint16, scopes, options []fld) *nfMsg {
	m.records++
	if m.version == 9 {
		b := put(nil, id, uint16(4*len(scopes)), uint16(4*len(options)))
		return m.set(1, m.fields(m.fields(b, scopes), options))
	}
	b := put(nil, id, uint16(len(scopes)+len(options)), uint16(len(scopes)))
	return m.set(3, m.fields(m.fields(b, scopes), options))
}

// data appends a data set of records already laid out.
func (m *nfMsg) data(id uint16, recs ...[]byte) *nfMsg {
	m.records += len(recs)
	return m.set(id, bytes.Join(recs, nil))
}

// raw appends bytes as they are after the sets.
func (m *nfMsg) raw(b []byte) *nfMsg {
	m.sets = append(m.sets, b)
	return m
}

// bytes lays out the message: the header, then the sets.
func (m *nfMsg) bytes() []byte {
	body := bytes.Join(m.sets, nil)
	if m.version == 9 {
		return put(nil, uint16(9), uint16(m.records), m.up, m.secs, m.seq, m.domain, body)
	}
	return put(nil, uint16(10), uint16(16+len(body)), m.secs, m.seq, m.domain, body)
}

// rec lays out a data record: each value in its field's length (numbers
// big-endian, cut to the length; addresses and byte slices as they are,
// a variable-length one after its length byte).
func rec(fs []fld, vals ...any) []byte {
	if len(fs) != len(vals) {
		panic("rec: fields and values differ")
	}
	var b []byte
	for i, f := range fs {
		switch v := vals[i].(type) {
		case int:
			var w [8]byte
			binary.BigEndian.PutUint64(w[:], uint64(v))
			b = append(b, w[8-int(f.length):]...)
		case uint64:
			var w [8]byte
			binary.BigEndian.PutUint64(w[:], v)
			b = append(b, w[8-int(f.length):]...)
		case netip.Addr:
			b = append(b, v.AsSlice()...)
		case []byte:
			if f.length == 0xffff {
				b = append(b, byte(len(v)))
			}
			b = append(b, v...)
		default:
			panic(fmt.Sprintf("rec: %T", v))
		}
	}
	return b
}

// IEs the tests use.
const (
	ieOctets      = 1
	iePackets     = 2
	ieProto       = 4
	ieTCPFlags    = 6
	ieSrcPort     = 7
	ieSrc4        = 8
	ieDstPort     = 11
	ieDst4        = 12
	ieEndUp       = 21
	ieStartUp     = 22
	ieSrc6        = 27
	ieDst6        = 28
	ieICMP4       = 32
	ieSampling    = 34
	ieMinTTL      = 52
	ieIPVersion   = 60
	ieFragOffset  = 88
	ieMeterPID    = 143
	ieStartMs     = 152
	ieEndMs       = 153
	ieInitTime    = 160
	ieIPTTL       = 192
	ieFragFlags   = 197
	iePktInterval = 305
	iePktSpace    = 306
	ieFrameSize   = 312
	ieFrameSect   = 315
	ieInterface   = 2 // v9 options scope type 2: interface (RFC 3954 section 6.1)
)

// --- sFlow v5 ---

// sflowDatagram lays out an sFlow v5 datagram of samples built by the
// sample functions below.
func sflowDatagram(agent netip.Addr, subAgent, seq, uptime uint32, samples ...[]byte) []byte {
	t := uint32(1)
	if agent.Is6() {
		t = 2
	}
	return put(nil, uint32(5), t, agent, subAgent, seq, uptime, uint32(len(samples)), bytes.Join(samples, nil))
}

// tagged lays out an sFlow structure: its data format, its length, its
// bytes.
func tagged(format uint32, body []byte) []byte { return put(nil, format, uint32(len(body)), body) }

// flowSample lays out a flow_sample (format 1) of flow records.
func flowSample(seq, rate, pool, in, out uint32, records ...[]byte) []byte {
	return tagged(1, put(nil, seq, uint32(0)<<24|in, rate, pool, uint32(0), in, out, uint32(len(records)), bytes.Join(records, nil)))
}

// expandedFlowSample lays out an expanded flow_sample (format 3).
func expandedFlowSample(seq, rate, pool, in, out uint32, records ...[]byte) []byte {
	return tagged(3, put(nil, seq, uint32(0), in, rate, pool, uint32(0), uint32(0), in, uint32(0), out, uint32(len(records)), bytes.Join(records, nil)))
}

// counterSample lays out a counter_sample (format 2) of counter records.
func counterSample(seq, ifIndex uint32, records ...[]byte) []byte {
	return tagged(2, put(nil, seq, ifIndex, uint32(len(records)), bytes.Join(records, nil)))
}

// rawHeader lays out a sampled_header flow record (format 1): protocol,
// frame_length, stripped, then header<> as XDR opaque (length, bytes,
// padding to 4).
func rawHeader(protocol, frameLen, stripped uint32, header []byte) []byte {
	b := put(nil, protocol, frameLen, stripped, uint32(len(header)), header)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return tagged(1, b)
}

// sampledIPv4 lays out a sampled_ipv4 flow record (format 3).
func sampledIPv4(length, proto uint32, src, dst netip.Addr, sport, dport, flags, tos uint32) []byte {
	return tagged(3, put(nil, length, proto, src, dst, sport, dport, flags, tos))
}

// ifCounters lays out an if_counters counter record (format 1, 88 bytes).
func ifCounters(ifIndex uint32) []byte {
	b := put(nil, ifIndex, uint32(6), uint64(1e9), uint32(1), uint32(3), uint64(1000))
	b = put(b, uint32(1), uint32(2), uint32(3), uint32(4), uint32(5), uint32(6), uint64(2000))
	b = put(b, uint32(1), uint32(2), uint32(3), uint32(4), uint32(5), uint32(0))
	return tagged(1, b)
}

// --- packets and captures ---

// ipv4UDP lays out an IPv4 packet (20-byte header) holding a UDP
// datagram; frag is the flags and fragment offset word.
func ipv4UDP(src, dst netip.AddrPort, frag uint16, payload []byte) []byte {
	udp := put(nil, src.Port(), dst.Port(), uint16(8+len(payload)), uint16(0), payload)
	ip := put(nil, uint8(0x45), uint8(0), uint16(20+len(udp)), uint16(1), frag, uint8(64), uint8(17), uint16(0), src.Addr(), dst.Addr())
	return append(ip, udp...)
}

// ipv6UDP lays out an IPv6 packet holding a UDP datagram.
func ipv6UDP(src, dst netip.AddrPort, payload []byte) []byte {
	udp := put(nil, src.Port(), dst.Port(), uint16(8+len(payload)), uint16(0), payload)
	return put(nil, uint32(6)<<28, uint16(len(udp)), uint8(17), uint8(64), src.Addr(), dst.Addr(), udp)
}

// ipv4TCP lays out an IPv4 packet of a bare 20-byte TCP header.
func ipv4TCP(src, dst netip.AddrPort) []byte {
	tcp := put(nil, src.Port(), dst.Port(), uint32(1), uint32(0), uint8(5<<4), uint8(0x02), uint16(1024), uint16(0), uint16(0))
	ip := put(nil, uint8(0x45), uint8(0), uint16(20+len(tcp)), uint16(1), uint16(0x4000), uint8(64), uint8(6), uint16(0), src.Addr(), dst.Addr())
	return append(ip, tcp...)
}

// ether wraps an IP packet in an Ethernet header (the zero addresses of
// Linux's loopback).
func ether(ip []byte) []byte {
	et := uint16(0x0800)
	if ip[0]>>4 == 6 {
		et = 0x86dd
	}
	return put(make([]byte, 12), et, ip)
}

// pcapPacket is one packet of a capture to build.
type pcapPacket struct {
	ts    int64 // ns
	frame []byte
}

// buildPcap lays out a microsecond pcap of Ethernet frames.
func buildPcap(pkts ...pcapPacket) []byte { return buildPcapLink(1, pkts...) }

// buildPcapLink lays out a microsecond pcap of a link type.
func buildPcapLink(link uint32, pkts ...pcapPacket) []byte {
	b := put(nil, uint32(0xa1b2c3d4), uint16(2), uint16(4), uint32(0), uint32(0), uint32(262144), link)
	for _, p := range pkts {
		b = put(b, uint32(p.ts/1e9), uint32(p.ts%1e9/1e3), uint32(len(p.frame)), uint32(len(p.frame)), p.frame)
	}
	return b
}

// gzipped compresses b.
func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
