package exporter

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/port0/port0/decode"
	"github.com/port0/port0/flows"
)

const secs = 1_700_000_000

var (
	expA = netip.MustParseAddrPort("192.0.2.1:50000")
	expB = netip.MustParseAddrPort("192.0.2.2:50000")
	exp6 = netip.MustParseAddrPort("[2001:db8::1]:50001")

	hostA = netip.MustParseAddr("198.51.100.1")
	hostB = netip.MustParseAddr("203.0.113.9")
	host6 = netip.MustParseAddr("2001:db8:1::7")
	dst6  = netip.MustParseAddr("2001:db8:2::9")
)

// collector keeps what a Decoder gives out.
type collector struct {
	recs    []flows.Record
	samples []Sample
}

func (c *collector) out(r *flows.Record) { c.recs = append(c.recs, *r) }

func (c *collector) sample(s *Sample) {
	cp := *s
	cp.Header = bytes.Clone(s.Header)
	c.samples = append(c.samples, cp)
}

// decodeAll decodes datagrams in order with one Decoder, failing on an
// error.
func decodeAll(t *testing.T, d *Decoder, c *collector, from netip.AddrPort, dgs ...[]byte) {
	t.Helper()
	for i, dg := range dgs {
		if err := d.Decode(dg, from, secs*1e9+7, c.out, c.sample); err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
	}
}

// allHas is every Has bit.
const allHas = flows.HasTCPFlags | flows.HasFragOffset | flows.HasFragFlags | flows.HasTTL | flows.HasICMP | flows.HasTimes

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		data []byte
		want flows.Format
	}{
		{nil, flows.FormatUnknown},
		{[]byte{0}, flows.FormatUnknown},
		{[]byte{0, 5}, flows.NetFlow5},
		{[]byte{0, 9, 1, 2}, flows.NetFlow9},
		{[]byte{0, 10}, flows.IPFIX},
		{[]byte{0, 0, 0, 5, 0, 0, 0, 1}, flows.SFlow},
		{[]byte{0, 0, 0, 5, 0, 0, 0, 2}, flows.SFlow},
		{[]byte{0, 0, 0, 5, 0, 0, 0, 3}, flows.FormatUnknown}, // no such agent address type
		{[]byte{0, 0, 0, 4, 0, 0, 0, 1}, flows.FormatUnknown}, // sFlow v4
		{[]byte{0, 0, 0, 5}, flows.FormatUnknown},
		{[]byte{0x12, 0x34, 1, 0}, flows.FormatUnknown}, // a DNS query
	} {
		if got := Format(tc.data); got != tc.want {
			t.Errorf("Format(% x) = %v, want %v", tc.data, got, tc.want)
		}
	}
}

func TestNetFlow5(t *testing.T) {
	h := v5Header{uptime: 100_000, secs: secs, nsecs: 5, sampling: 1<<14 | 100}
	dg := buildV5(h,
		v5Record{src: hostA, dst: hostB, packets: 3, octets: 120, first: 99_000, last: 99_500, flags: 0x02, proto: 6},
		v5Record{src: hostA, dst: hostB, packets: 1, octets: 84, first: 100_500, last: 100_600, dport: 3<<8 | 3, proto: 1},
		// an uptime counter that wrapped between the flow and the export
		v5Record{src: hostA, dst: hostB, packets: 1, octets: 40, first: 0xffff_ff00, last: 10, sport: 53, dport: 0, proto: 17},
	)
	h.uptime = 1000
	wrapped := buildV5(h, v5Record{src: hostA, dst: hostB, packets: 1, octets: 40, first: 0xffff_fc18, last: 500, sport: 53, proto: 17})
	d := NewDecoder()
	var c collector
	decodeAll(t, d, &c, expA, dg, wrapped)
	base := int64(secs)*1e9 + 5
	want := []flows.Record{
		{Format: flows.NetFlow5, Exporter: expA.Addr(), Has: flows.HasTCPFlags | flows.HasTimes, First: base - 1e9, Last: base - 5e8,
			Src: hostA, Dst: hostB, Proto: 6, TCPFlags: 2, Packets: 3, Bytes: 120, SamplingRate: 100},
		{Format: flows.NetFlow5, Exporter: expA.Addr(), Has: flows.HasTCPFlags | flows.HasTimes | flows.HasICMP, First: base + 5e8, Last: base + 6e8,
			Src: hostA, Dst: hostB, Proto: 1, DstPort: 0x0303, ICMPType: 3, ICMPCode: 3, Packets: 1, Bytes: 84, SamplingRate: 100},
		{Format: flows.NetFlow5, Exporter: expA.Addr(), Has: flows.HasTCPFlags | flows.HasTimes, First: base - (100_000+256)*1e6, Last: base - (100_000-10)*1e6,
			Src: hostA, Dst: hostB, Proto: 17, SrcPort: 53, Packets: 1, Bytes: 40, SamplingRate: 100},
		{Format: flows.NetFlow5, Exporter: expA.Addr(), Has: flows.HasTCPFlags | flows.HasTimes, First: base - 2000e6, Last: base - 500e6,
			Src: hostA, Dst: hostB, Proto: 17, SrcPort: 53, Packets: 1, Bytes: 40, SamplingRate: 100},
	}
	checkRecords(t, c.recs, want)
	if j, r := flows.Judge(&c.recs[0]); j != flows.Real || r != flows.ReasonTCPFlags {
		t.Errorf("SYN with ports 0/0: %v (%v), want real (TCP flags)", j, r)
	}
	if s := d.Stats(); s.Datagrams != 2 || s.NetFlow5 != 2 || s.Records != 4 || s.Failed != 0 {
		t.Errorf("stats %v", s)
	}
}

// checkRecords compares records field by field.
func checkRecords(t *testing.T, got, want []flows.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d:\n%v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// v9 templates: the same flow key with and without the fragment and TTL
// fields.
var (
	v9Plain = []fld{{ieSrc4, 4, 0}, {ieDst4, 4, 0}, {ieSrcPort, 2, 0}, {ieDstPort, 2, 0}, {ieProto, 1, 0}, {ieTCPFlags, 1, 0},
		{ieOctets, 4, 0}, {iePackets, 4, 0}, {ieStartUp, 4, 0}, {ieEndUp, 4, 0}}
	v9Frag = append(append([]fld(nil), v9Plain...), fld{ieFragOffset, 2, 0}, fld{ieFragFlags, 1, 0}, fld{ieMinTTL, 1, 0})
	v9TTL  = []fld{{ieSrc4, 4, 0}, {ieDst4, 4, 0}, {ieSrcPort, 2, 0}, {ieDstPort, 2, 0}, {ieProto, 1, 0}, {ieIPTTL, 1, 0}}
	v9ICMP = []fld{{ieSrc4, 4, 0}, {ieDst4, 4, 0}, {ieSrcPort, 2, 0}, {ieDstPort, 2, 0}, {ieProto, 1, 0}}
)

// TestNetFlow9Has: a field the template leaves out is never set, and a
// fragment offset of 0 counts only when the template has the field.
func TestNetFlow9Has(t *testing.T) {
	m := newV9(7, secs, 50_000).
		template(256, v9Plain...).template(257, v9Frag...).template(258, v9TTL...).template(259, v9ICMP...).
		data(256, rec(v9Plain, hostA, hostB, 0, 0, 17, 0, 28, 1, 49_000, 49_900)).
		data(257,
			rec(v9Frag, hostA, hostB, 0, 0, 17, 0, 28, 1, 49_000, 49_900, 0, 0x40, 55),
			rec(v9Frag, hostA, hostB, 0, 0, 17, 0, 1500, 1, 49_000, 49_900, 185, 0x20, 55),
			rec(v9Frag, hostA, hostB, 0, 0, 17, 0, 1500, 1, 49_000, 49_900, 0, 0x20, 55)).
		data(258, rec(v9TTL, hostA, hostB, 1024, 0, 6, 240)).
		data(259, rec(v9ICMP, hostA, hostB, 0, 0x0800, 1))
	d := NewDecoder()
	var c collector
	decodeAll(t, d, &c, expA, m.bytes())
	export := int64(secs) * 1e9
	first, last := export-1e9, export-1e8
	base := flows.Record{Format: flows.NetFlow9, Exporter: expA.Addr(), Src: hostA, Dst: hostB, Proto: 17, Packets: 1}
	type judged struct {
		j flows.Judgement
		r flows.Reason
	}
	for i, tc := range []struct {
		name  string
		want  flows.Record
		judge judged
	}{
		{"no fragment fields", with(base, func(r *flows.Record) {
			r.Has, r.First, r.Last, r.Bytes = flows.HasTCPFlags|flows.HasTimes, first, last, 28
		}), judged{flows.Undecidable, flows.ReasonBothUDP}},
		{"offset 0 exported, DF", with(base, func(r *flows.Record) {
			r.Has, r.First, r.Last, r.Bytes = flows.HasTCPFlags|flows.HasTimes|flows.HasFragOffset|flows.HasFragFlags|flows.HasTTL, first, last, 28
			r.DontFragment, r.TTL = true, 55
		}), judged{flows.Real, flows.ReasonNotFragment}},
		{"offset 185 (1480 bytes), MF", with(base, func(r *flows.Record) {
			r.Has, r.First, r.Last, r.Bytes = flows.HasTCPFlags|flows.HasTimes|flows.HasFragOffset|flows.HasFragFlags|flows.HasTTL, first, last, 1500
			r.FragOffset, r.MoreFragments, r.TTL = 1480, true, 55
		}), judged{flows.NoPorts, flows.ReasonNonFirstFrag}},
		{"first fragment", with(base, func(r *flows.Record) {
			r.Has, r.First, r.Last, r.Bytes = flows.HasTCPFlags|flows.HasTimes|flows.HasFragOffset|flows.HasFragFlags|flows.HasTTL, first, last, 1500
			r.MoreFragments, r.TTL = true, 55
		}), judged{flows.Real, flows.ReasonFirstFrag}},
		{"ipTTL only, no times", with(base, func(r *flows.Record) {
			r.Has, r.First, r.Last, r.Proto, r.SrcPort, r.TTL, r.Packets = flows.HasTTL, export, export, 6, 1024, 240, 0
		}), judged{flows.Real, flows.ReasonOnePort}},
		{"ICMP in the destination port", with(base, func(r *flows.Record) {
			r.Has, r.First, r.Last, r.Proto, r.DstPort, r.ICMPType, r.Packets = flows.HasICMP, export, export, 1, 0x0800, 8, 0
		}), judged{flows.NoPorts, flows.ReasonProto}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if i >= len(c.recs) {
				t.Fatalf("only %d records", len(c.recs))
			}
			got := c.recs[i]
			if got != tc.want {
				t.Errorf("\n got %+v\nwant %+v", got, tc.want)
			}
			if j, r := flows.Judge(&got); j != tc.judge.j || r != tc.judge.r {
				t.Errorf("Judge: %v (%v), want %v (%v)", j, r, tc.judge.j, tc.judge.r)
			}
		})
	}
	if s := d.Stats(); s.Templates != 4 || s.Records != 6 || s.NoTemplate != 0 {
		t.Errorf("stats %v", s)
	}
}

// with returns a copy of r changed by f.
func with(r flows.Record, f func(*flows.Record)) flows.Record {
	f(&r)
	return r
}

// IPFIX templates: softflowd's (sysUpTime times, ICMP without a
// protocol), and one with every field the study reads.
var (
	ipfixSoftflowd = []fld{{ieSrc4, 4, 0}, {ieDst4, 4, 0}, {ieStartUp, 4, 0}, {ieEndUp, 4, 0}, {ieOctets, 4, 0}, {iePackets, 4, 0},
		{ieSrcPort, 2, 0}, {ieDstPort, 2, 0}, {ieProto, 1, 0}, {ieTCPFlags, 1, 0}, {ieIPVersion, 1, 0}}
	ipfixSoftflowdICMP = []fld{{ieSrc4, 4, 0}, {ieDst4, 4, 0}, {ieStartUp, 4, 0}, {ieEndUp, 4, 0}, {ieOctets, 4, 0}, {iePackets, 4, 0},
		{ieICMP4, 2, 0}, {ieIPVersion, 1, 0}}
	ipfixRich = []fld{{ieSrc6, 16, 0}, {ieDst6, 16, 0}, {ieSrcPort, 2, 0}, {ieDstPort, 2, 0}, {ieProto, 1, 0}, {ieTCPFlags, 2, 0},
		{ieStartMs, 8, 0}, {ieEndMs, 8, 0}, {ieIPTTL, 1, 0}, {ieFragOffset, 2, 0}, {ieFragFlags, 1, 0}, {iePackets, 8, 0}, {ieOctets, 8, 0},
		{ieOctets, 4, 29305}} // the reverse octets (RFC 5103): skipped
	ipfixOptScope = []fld{{ieMeterPID, 4, 0}}
	ipfixOptions  = []fld{{ieInitTime, 8, 0}, {iePktInterval, 4, 0}, {iePktSpace, 4, 0}}
)

func TestIPFIX(t *testing.T) {
	init := uint64(secs-3600) * 1000 // ms
	opts := append(append([]fld(nil), ipfixOptScope...), ipfixOptions...)
	first := newIPFIX(1, secs).
		optionsTemplate(400, ipfixOptScope, ipfixOptions).
		data(400, rec(opts, 1, init, 1, 99)).
		template(300, ipfixSoftflowd...).template(301, ipfixSoftflowdICMP...).template(302, ipfixRich...).
		data(300, rec(ipfixSoftflowd, hostA, hostB, 1000, 1500, 40, 1, 40000, 0, 6, 0x14, 4)).
		data(301, rec(ipfixSoftflowdICMP, hostA, hostB, 2000, 2000, 84, 1, 0x0800, 4)).
		data(302, rec(ipfixRich, host6, dst6, 0, 0, 17, 0, uint64(secs)*1000+1, uint64(secs)*1000+2, 64, 0, 0, 2, 3000, 99))
	second := newIPFIX(1, secs+60).
		data(300, rec(ipfixSoftflowd, hostA, hostB, 5000, 6000, 40, 1, 40000, 0, 6, 0x02, 4))
	d := NewDecoder()
	var c collector
	decodeAll(t, d, &c, expA, first.bytes(), second.bytes())
	initNs := int64(init) * 1e6
	sf := flows.Record{Format: flows.IPFIX, Exporter: expA.Addr(), Src: hostA, Dst: hostB, Packets: 1, SamplingRate: 100}
	want := []flows.Record{
		with(sf, func(r *flows.Record) {
			r.Has, r.First, r.Last, r.Proto, r.SrcPort, r.TCPFlags, r.Bytes = flows.HasTCPFlags|flows.HasTimes, initNs+1e9, initNs+15e8, 6, 40000, 0x14, 40
		}),
		with(sf, func(r *flows.Record) {
			r.Has, r.First, r.Last, r.Proto, r.ICMPType, r.Bytes = flows.HasICMP|flows.HasTimes, initNs+2e9, initNs+2e9, 1, 8, 84
		}),
		{Format: flows.IPFIX, Exporter: expA.Addr(), Has: flows.HasTCPFlags | flows.HasTimes | flows.HasTTL | flows.HasFragOffset | flows.HasFragFlags,
			First: secs*1e9 + 1e6, Last: secs*1e9 + 2e6, Src: host6, Dst: dst6, Proto: 17, TTL: 64, Packets: 2, Bytes: 3000, SamplingRate: 100},
		with(sf, func(r *flows.Record) {
			r.Has, r.First, r.Last, r.Proto, r.SrcPort, r.TCPFlags, r.Bytes = flows.HasTCPFlags|flows.HasTimes, initNs+5e9, initNs+6e9, 6, 40000, 0x02, 40
		}),
	}
	checkRecords(t, c.recs, want)

	// Another transport session of the same address has none of the
	// first one's templates (RFC 7011: templates are per session).
	other := netip.AddrPortFrom(expA.Addr(), expA.Port()+1)
	if err := d.Decode(second.bytes(), other, 0, c.out, c.sample); err != nil {
		t.Fatal(err)
	}
	if s := d.Stats(); s.NoTemplate != 1 || s.Records != 4 || s.OptionsRecords != 1 || s.Templates != 4 {
		t.Errorf("stats %v", s)
	}
}

// TestIPFIXNoInitTime: sysUpTime times without systemInitTimeMilliseconds
// are not times: the record keeps the export time, without HasTimes.
func TestIPFIXNoInitTime(t *testing.T) {
	m := newIPFIX(1, secs).template(300, ipfixSoftflowd...).
		data(300, rec(ipfixSoftflowd, hostA, hostB, 1000, 1500, 40, 1, 40000, 0, 6, 0x14, 4))
	var c collector
	decodeAll(t, NewDecoder(), &c, expA, m.bytes())
	if len(c.recs) != 1 || c.recs[0].Has&flows.HasTimes != 0 || c.recs[0].First != secs*1e9 || c.recs[0].SamplingRate != 0 {
		t.Errorf("%+v", c.recs)
	}
}

// TestSampling: the sampling interval of an options data record applies
// to its exporter's later data, per exporter and domain; a data record's
// own sampling field wins.
func TestSampling(t *testing.T) {
	scope := []fld{{ieInterface, 4, 0}}
	options := []fld{{ieSampling, 4, 0}, {35, 1, 0}}
	opts := append(append([]fld(nil), scope...), options...)
	own := append(append([]fld(nil), v9ICMP...), fld{ieSampling, 4, 0})
	for _, tc := range []struct {
		name string
		from netip.AddrPort
		dgs  [][]byte
		want []uint32
	}{
		{"options then data", expA, [][]byte{
			newV9(7, secs, 1000).optionsTemplate(260, scope, options).data(260, rec(opts, 3, 1000, 2)).bytes(),
			newV9(7, secs, 1000).template(259, v9ICMP...).data(259, rec(v9ICMP, hostA, hostB, 1, 2, 6)).bytes(),
		}, []uint32{1000}},
		{"options and data in one datagram, data first", expA, [][]byte{
			newV9(7, secs, 1000).template(259, v9ICMP...).data(259, rec(v9ICMP, hostA, hostB, 1, 2, 6)).
				optionsTemplate(260, scope, options).data(260, rec(opts, 3, 64, 2)).bytes(),
		}, []uint32{64}},
		{"another domain", expA, [][]byte{
			newV9(7, secs, 1000).optionsTemplate(260, scope, options).data(260, rec(opts, 3, 1000, 2)).bytes(),
			newV9(8, secs, 1000).template(259, v9ICMP...).data(259, rec(v9ICMP, hostA, hostB, 1, 2, 6)).bytes(),
		}, []uint32{0}},
		{"the record's own", expA, [][]byte{
			newV9(7, secs, 1000).optionsTemplate(260, scope, options).data(260, rec(opts, 3, 1000, 2)).
				template(261, own...).data(261, rec(own, hostA, hostB, 1, 2, 6, 10)).bytes(),
		}, []uint32{10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c collector
			decodeAll(t, NewDecoder(), &c, tc.from, tc.dgs...)
			var got []uint32
			for _, r := range c.recs {
				got = append(got, r.SamplingRate)
			}
			if !equal(got, tc.want) {
				t.Errorf("rates %v, want %v", got, tc.want)
			}
		})
	}
	// Another exporter's datagram does not get the first one's rate.
	d := NewDecoder()
	var c collector
	decodeAll(t, d, &c, expA, newV9(7, secs, 1000).optionsTemplate(260, scope, options).data(260, rec(opts, 3, 1000, 2)).bytes())
	decodeAll(t, d, &c, expB, newV9(7, secs, 1000).template(259, v9ICMP...).data(259, rec(v9ICMP, hostA, hostB, 1, 2, 6)).bytes())
	if len(c.recs) != 1 || c.recs[0].SamplingRate != 0 {
		t.Errorf("another exporter: %+v", c.recs)
	}
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestV9Count: a v9 header's count below its number of FlowSets (softflowd
// counts only its data records; RFC 3954 says all records) loses no set.
func TestV9Count(t *testing.T) {
	data := rec(v9ICMP, hostA, hostB, 1, 2, 6)
	for _, count := range []uint16{0, 1, 2, 3, 300} {
		dg := newV9(1, secs, 1).template(300, v9ICMP...).optionsTemplate(301, []fld{{ieInterface, 4, 0}}, []fld{{ieSampling, 4, 0}}).
			data(301, rec([]fld{{ieInterface, 4, 0}, {ieSampling, 4, 0}}, 1, 10)).data(300, data).bytes()
		be.PutUint16(dg[2:], count)
		d := NewDecoder()
		var c collector
		decodeAll(t, d, &c, expA, dg)
		if len(c.recs) != 1 || c.recs[0].SamplingRate != 10 {
			t.Errorf("count %d: %+v", count, c.recs)
		}
		if s := d.Stats(); (s.V9CountFixed == 1) != (count < 4) {
			t.Errorf("count %d: stats %v", count, s)
		}
	}
}

// TestNoTemplate: data before its template is counted, is no error, and
// the datagram's other sets are decoded; the data after the template is.
func TestNoTemplate(t *testing.T) {
	data := rec(v9ICMP, hostA, hostB, 1, 2, 6) // 13 bytes: sets of 28 and 16 with padding
	for _, tc := range []struct {
		name string
		msg  func() *nfMsg
	}{
		{"netflow9", func() *nfMsg { return newV9(1, secs, 1000) }},
		{"ipfix", func() *nfMsg { return newIPFIX(1, secs) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder()
			var c collector
			decodeAll(t, d, &c, expA,
				tc.msg().data(300, data, data).bytes(),
				tc.msg().data(300, data).template(301, v9ICMP...).data(301, data).bytes(),
				tc.msg().template(300, v9ICMP...).bytes(),
				tc.msg().data(300, data).bytes())
			s := d.Stats()
			if len(c.recs) != 2 || s.NoTemplate != 2 || s.NoTemplateBytes != 28+16 || s.Failed != 0 {
				t.Errorf("%d records, stats %v", len(c.recs), s)
			}
		})
	}
}

// TestWithdrawal: a template record without fields withdraws its
// template (RFC 7011 section 8.1); one with a field of length 0 is
// refused (goflow2 would loop for ever on it, or take minutes on many
// such fields beside one of length 1) and drops the template of its ID.
func TestWithdrawal(t *testing.T) {
	data := rec(v9ICMP, hostA, hostB, 1, 2, 6)
	many := []fld{{ieProto, 1, 0}}
	for range 2000 {
		many = append(many, fld{ieSrc4, 0, 0})
	}
	for _, tc := range []struct {
		name                 string
		dgs                  [][]byte
		records              int64
		withdrawals, refused int64
	}{
		{"withdrawn", [][]byte{
			newIPFIX(1, secs).template(300, v9ICMP...).data(300, data).bytes(),
			newIPFIX(1, secs).template(300).data(300, data).bytes(),
		}, 1, 1, 0},
		{"all withdrawn (ID 2)", [][]byte{
			newIPFIX(1, secs).template(300, v9ICMP...).template(301, v9ICMP...).data(300, data).bytes(),
			newIPFIX(1, secs).template(2).data(300, data).data(301, data).bytes(),
		}, 1, 1, 0},
		{"zero-length fields", [][]byte{
			newIPFIX(1, secs).template(300, fld{ieSrc4, 0, 0}, fld{ieDst4, 0, 0}).data(300, data).bytes(),
		}, 0, 0, 1},
		{"many zero-length fields beside one byte", [][]byte{
			newIPFIX(1, secs).template(300, many...).data(300, bytes.Repeat([]byte{6}, 4000)).bytes(),
		}, 0, 0, 1},
		{"redefined with a zero-length field", [][]byte{
			newIPFIX(1, secs).template(300, v9ICMP...).data(300, data).bytes(),
			newIPFIX(1, secs).template(300, fld{ieProto, 1, 0}, fld{ieSrc4, 0, 0}).data(300, data).bytes(),
		}, 1, 0, 1},
		{"v9 template without fields", [][]byte{
			newV9(1, secs, 1).template(300).data(300, data).bytes(),
		}, 0, 1, 0},
		{"options template of zero-length fields", [][]byte{
			newV9(1, secs, 1).optionsTemplate(300, []fld{{ieInterface, 0, 0}}, []fld{{ieSampling, 0, 0}}).data(300, data).bytes(),
		}, 0, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder()
			var c collector
			decodeAll(t, d, &c, expA, tc.dgs...)
			if s := d.Stats(); s.Records != tc.records || s.Withdrawals != tc.withdrawals || s.BadTemplates != tc.refused {
				t.Errorf("stats %v", s)
			}
		})
	}
}

// TestPacketSection: an IPFIX record holding a frame (PSAMP
// dataLinkFrameSection) is a packet: it goes to samples, bytes intact.
func TestPacketSection(t *testing.T) {
	frame := ether(ipv4UDP(netip.AddrPortFrom(hostA, 1234), netip.AddrPortFrom(hostB, 0), 0, []byte("payload")))
	fs := []fld{{ieFrameSize, 2, 0}, {ieFrameSect, 0xffff, 0}}
	m := newIPFIX(9, secs).template(320, fs...).data(320, rec(fs, 1514, frame))
	d := NewDecoder()
	var c collector
	decodeAll(t, d, &c, expA, m.bytes())
	if len(c.recs) != 0 || len(c.samples) != 1 {
		t.Fatalf("%d records, %d samples", len(c.recs), len(c.samples))
	}
	s := c.samples[0]
	if !bytes.Equal(s.Header, frame) || s.Protocol != HeaderEthernet || s.FrameLength != 1514 || s.Format != flows.IPFIX || s.SubAgent != 9 || s.Agent != expA.Addr() {
		t.Errorf("%+v", s)
	}
}

func TestSFlow(t *testing.T) {
	agent := netip.MustParseAddr("192.0.2.99")
	frame := ether(ipv4UDP(netip.AddrPortFrom(hostA, 1234), netip.AddrPortFrom(hostB, 0), 0, []byte("nineteen bytes long")))
	if len(frame)%4 == 0 {
		t.Fatal("the frame should need XDR padding")
	}
	ip6 := ipv6UDP(netip.AddrPortFrom(host6, 0), netip.AddrPortFrom(dst6, 53), []byte{1, 2, 3})
	dg := sflowDatagram(agent, 3, 77, 1000,
		flowSample(1, 512, 5120, 4, 5, rawHeader(HeaderEthernet, uint32(len(frame))+4, 4, frame)),
		counterSample(1, 4, ifCounters(4)),
		flowSample(2, 512, 5632, 4, 5, sampledIPv4(40, 6, hostA, hostB, 80, 0, 0x12, 0)),
		expandedFlowSample(3, 1024, 9000, 6, 7, rawHeader(HeaderIPv6, uint32(len(ip6)), 0, ip6), sampledIPv4(40, 17, hostA, hostB, 1, 2, 0, 0)),
	)
	from := netip.MustParseAddrPort("10.0.0.1:6343")
	d := NewDecoder()
	var c collector
	received := int64(secs)*1e9 + 123
	if err := d.Decode(dg, from, received, c.out, c.sample); err != nil {
		t.Fatal(err)
	}
	wantSamples := []Sample{
		{Format: flows.SFlow, Agent: agent, SubAgent: 3, Received: received, Protocol: HeaderEthernet, FrameLength: uint32(len(frame)) + 4, Stripped: 4,
			Header: frame, SamplingRate: 512, Input: 4, Output: 5},
		{Format: flows.SFlow, Agent: agent, SubAgent: 3, Received: received, Protocol: HeaderIPv6, FrameLength: uint32(len(ip6)),
			Header: ip6, SamplingRate: 1024, Input: 6, Output: 7},
	}
	if len(c.samples) != len(wantSamples) {
		t.Fatalf("%d samples, want %d", len(c.samples), len(wantSamples))
	}
	for i, w := range wantSamples {
		g := c.samples[i]
		if !bytes.Equal(g.Header, w.Header) {
			t.Errorf("sample %d header\n% x\nwant\n% x", i, g.Header, w.Header)
		}
		g.Header, w.Header = nil, nil
		if !reflect.DeepEqual(g, w) {
			t.Errorf("sample %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	checkRecords(t, c.recs, []flows.Record{{Format: flows.SFlow, Exporter: agent, Has: flows.HasTCPFlags, First: received, Last: received,
		Src: hostA, Dst: hostB, Proto: 6, SrcPort: 80, TCPFlags: 0x12, Packets: 1, Bytes: 40, SamplingRate: 512}})
	s := d.Stats()
	if s.SFlow != 1 || s.Samples != 2 || s.Records != 1 || s.FlowSamples != 3 || s.CounterSamples != 1 || s.DuplicateRecords != 1 {
		t.Errorf("stats %v", s)
	}

	// The samples are packets: the packet decoder finds their port 0.
	for i, want := range []decode.Port0Pos{decode.Port0Dst, decode.Port0Src} {
		link, ok := c.samples[i].LinkType()
		if !ok {
			t.Fatalf("sample %d: no link type", i)
		}
		var r decode.Record
		r.Decode(link, c.samples[i].Header)
		if r.Port0 != want {
			t.Errorf("sample %d: port 0 %v, want %v", i, r.Port0, want)
		}
	}

	// An agent of address 0.0.0.0 is named by the datagram's source.
	c = collector{}
	dg = sflowDatagram(netip.IPv4Unspecified(), 0, 1, 1, flowSample(1, 1, 1, 0, 0, sampledIPv4(40, 6, hostA, hostB, 80, 0, 0x12, 0)))
	if err := d.Decode(dg, from, received, c.out, c.sample); err != nil || len(c.recs) != 1 || c.recs[0].Exporter != from.Addr() {
		t.Errorf("%v %+v", err, c.recs)
	}
}

func TestUnknown(t *testing.T) {
	d := NewDecoder()
	err := d.Decode([]byte("\x12\x34\x01\x00\x00\x01"), expA, 0, nil, nil)
	var e *Error
	if !errors.Is(err, ErrUnknownFormat) || !errors.As(err, &e) || e.Kind != KindUnknown || e.Format != flows.FormatUnknown {
		t.Fatalf("%v", err)
	}
	if s := d.Stats(); s.Unknown != 1 || s.Failed != 0 || s.Datagrams != 1 {
		t.Errorf("stats %v", s)
	}
}

// TestErrors: damaged datagrams fail with the kind of damage, keep the
// records before it, and are counted by format and kind.
func TestErrors(t *testing.T) {
	v5 := buildV5(v5Header{uptime: 1, secs: secs}, v5Record{src: hostA, dst: hostB, proto: 6}, v5Record{src: hostA, dst: hostB, proto: 17})
	data := rec(v9ICMP, hostA, hostB, 1, 2, 6)
	v9 := newV9(1, secs, 1).template(300, v9ICMP...).data(300, data).data(300, data).bytes()
	ipfix := newIPFIX(1, secs).template(300, v9ICMP...).data(300, data).data(300, data).bytes()
	for _, tc := range []struct {
		name    string
		data    []byte
		kind    ErrorKind
		records int
		msg     string
	}{
		{"v5 short header", v5[:20], KindTruncated, 0, "the header is 24"},
		{"v5 cut record", v5[:len(v5)-1], KindTruncated, 1, "hold 1"},
		{"v9 short header", v9[:19], KindTruncated, 0, "header"},
		{"v9 cut set", v9[:len(v9)-2], KindTruncated, 1, "bytes left"},
		{"v9 bad set length", append(append([]byte(nil), v9...), 1, 44, 0, 2), KindMalformed, 2, "length 2"},
		{"v9 bad set ID", append(append([]byte(nil), v9...), 0, 7, 0, 4), KindMalformed, 2, "set ID 7"},
		{"ipfix cut", ipfix[:len(ipfix)-3], KindTruncated, 1, "message length"},
		{"ipfix length below header", append([]byte{0, 10, 0, 8}, ipfix[4:]...), KindMalformed, 0, "shorter than the header"},
		{"ipfix set ID 1", newIPFIX(1, secs).data(1, data).bytes(), KindMalformed, 0, "set ID 1"},
		{"ipfix bad template", newIPFIX(1, secs).raw([]byte{0, 2, 0, 8, 1, 44, 0, 9}).bytes(), KindMalformed, 0, "TemplateSet"},
		// RFC 7011 section 8.1's options template withdrawal is 4 bytes
		// (ID, field count 0); goflow2 v2.2.6 reads 6 and fails.
		{"ipfix options template withdrawal", newIPFIX(1, secs).raw([]byte{0, 3, 0, 8, 1, 44, 0, 0}).bytes(), KindMalformed, 0, "OptionsTemplateSet"},
		{"sflow short", sflowDatagram(hostA, 0, 0, 0)[:20], KindTruncated, 0, "header"},
		{"sflow missing sample", sflowDatagram(hostA, 0, 0, 0, flowSample(1, 1, 1, 0, 0, sampledIPv4(1, 6, hostA, hostB, 1, 0, 2, 0)))[:30], KindTruncated, 0, "sample 0 of 1"},
		{"sflow too many samples", func() []byte {
			b := sflowDatagram(hostA, 0, 0, 0)
			be.PutUint32(b[24:], 5000)
			return b
		}(), KindMalformed, 0, "5000 samples"},
		{"sflow expanded sample claiming records", func() []byte {
			s := expandedFlowSample(1, 1, 1, 0, 0)
			be.PutUint32(s[8+40:], 1<<30)
			return sflowDatagram(hostA, 0, 0, 0, s)
		}(), KindMalformed, 0, "claims 1073741824 records"},
		{"sflow unknown sample format", sflowDatagram(hostA, 0, 0, 0,
			flowSample(1, 1, 1, 0, 0, sampledIPv4(1, 6, hostA, hostB, 1, 0, 2, 0)), tagged(4300<<12|1002, []byte{0, 0, 0, 1})), KindMalformed, 1, "unknown format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder()
			var c collector
			err := d.Decode(tc.data, expA, 0, c.out, c.sample)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v", err)
			}
			if e.Kind != tc.kind || !strings.Contains(e.Error(), tc.msg) {
				t.Errorf("error %q (%v), want kind %v containing %q", e, e.Kind, tc.kind, tc.msg)
			}
			if len(c.recs) != tc.records {
				t.Errorf("%d records, want %d", len(c.recs), tc.records)
			}
			s := d.Stats()
			if s.Failed != 1 || s.Errors[errKey(e.Format, tc.kind)] != 1 || len(s.ErrorMessages) != 1 {
				t.Errorf("stats %v %q", s, s.ErrorMessages)
			}
		})
	}
}

// TestSafely: a panic inside the library becomes an error naming the
// format; a callback's panic is the caller's and is not taken for it.
func TestSafely(t *testing.T) {
	c := call{d: NewDecoder(), format: flows.IPFIX, from: expA}
	e := c.safely("goflow2 netflow", func() error { panic("index out of range") })
	if e == nil || e.Kind != KindPanic || !strings.Contains(e.Error(), "ipfix") || !strings.Contains(e.Error(), "index out of range") {
		t.Errorf("%v", e)
	}
	defer func() {
		if r := recover(); r != "mine" {
			t.Errorf("recovered %v, want the callback's panic", r)
		}
	}()
	d := NewDecoder()
	d.Decode(buildV5(v5Header{}, v5Record{src: hostA, dst: hostB}), expA, 0, func(*flows.Record) { panic("mine") }, nil)
}

func TestStatsString(t *testing.T) {
	d := NewDecoder()
	d.Decode([]byte{0, 5, 0}, expA, 0, nil, nil)
	d.Decode([]byte{1, 2, 3}, expA, 0, nil, nil)
	s := d.Stats()
	if got, want := s.String(), "datagrams=2 netflow5=1 unknown=1 failed=1 [netflow5: truncated]=1"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	s.Errors["x"] = 9 // a copy
	if d.Stats().Errors["x"] != 0 {
		t.Error("Stats shares its map")
	}
}
