package exporter_test

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/flows"
	"github.com/port0/port0/flows/exporter"
)

// The real exporters' datagrams of testdata/flows (scripts/flows.sh): each
// NAME.pcap is what tcpdump recorded of one exporter sending to
// 127.0.0.1, and NAME.csv.gz tshark 4.0's reading of it: for NetFlow and
// IPFIX one row per data record, for sFlow one per flow sample, with the
// datagram's frame number in column "datagram". Columns that hold one
// value in every row are left out of the csv and named in the folder's
// exporters.log ("NAME.csv: same in every row, left out: k=v …").
const flowsFixtures = "../../testdata/flows"

// fxCapture is one capture of the cross-check.
type fxCapture struct {
	file string // under testdata/flows, without .pcap
	// sflow: the csv has a row per sFlow flow sample, compared in order
	// with port0's Samples; else a row per NetFlow/IPFIX data record,
	// compared per datagram as a multiset with port0's Records.
	sflow bool
	// rows is how many rows the csv has; records how many Records (or
	// Samples) port0 must read: more than rows only for NetFlow v9, in
	// datagrams whose header count was below their FlowSets
	// (Stats.V9CountFixed), which tshark reads only as far as the count.
	rows, records int
}

var fxCaptures = []fxCapture{
	{"paper7/softflowd-v5", false, 5622, 5622},
	{"paper7/softflowd-v9", false, 5622, 5622},
	{"paper7/softflowd-ipfix", false, 5622, 5622},
	{"paper7/pmacct-nfprobe-v9", false, 5405, 5405},
	{"paper7/pmacct-sfprobe", true, 5706, 5706},
	{"paper7/pmacct-sfprobe-s10", true, 566, 566},
	{"wild17/softflowd-v5", false, 3739, 3739},
	{"wild17/softflowd-v9", false, 3739, 3739},
	{"wild17/softflowd-ipfix", false, 3739, 3739},
	{"wild17/pmacct-nfprobe-v9", false, 3610, 3610},
	{"wild17/pmacct-sfprobe", true, 3794, 3794},
	{"wild17/pmacct-sfprobe-s10", true, 376, 376},
}

// TestFixtureCapturesListed: every capture of testdata/flows is in
// fxCaptures, so that a new one is not passed over.
func TestFixtureCapturesListed(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(flowsFixtures, "*", "*.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatalf("no captures in %s", flowsFixtures)
	}
	for _, n := range names {
		rel, _ := filepath.Rel(flowsFixtures, n)
		rel = strings.TrimSuffix(filepath.ToSlash(rel), ".pcap")
		if !slices.ContainsFunc(fxCaptures, func(c fxCapture) bool { return c.file == rel }) {
			t.Errorf("%s: not in fxCaptures", n)
		}
	}
}

// fxDatagram is what port0 read of one datagram of a capture.
type fxDatagram struct {
	records []flows.Record
	samples []map[string]string // fxSampleFields of each Sample
	fixed   bool                // its v9 count was fixed (Stats.V9CountFixed)
}

// fxDecode reads a capture as ReadCapture does, a datagram at a time, so
// that each record is known by its datagram (frame number from 1, as
// tshark counts; every packet of these captures is a datagram), and
// checks that ReadCapture reads the same.
func fxDecode(t *testing.T, path string) ([]fxDatagram, exporter.Stats) {
	t.Helper()
	c, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d := exporter.NewDecoder()
	var dgs []fxDatagram
	var p capture.Packet
	var r decode.Record
	for {
		if err := c.Next(&p); err != nil {
			if err == io.EOF {
				break
			}
			t.Fatalf("%s: %v", path, err)
		}
		r.Decode(p.LinkType, p.Data)
		udp := decode.UDPDatagram(p.Data, &r)
		if udp == nil || r.Frag != decode.FragNone {
			t.Fatalf("%s: frame %d is no whole UDP datagram", path, p.Index+1)
		}
		var dg fxDatagram
		before := d.Stats().V9CountFixed
		err := d.Decode(udp[decode.UDPHdrLen:], netip.AddrPortFrom(r.SrcAddr(), r.SrcPort), p.TS,
			func(rec *flows.Record) { dg.records = append(dg.records, *rec) },
			func(s *exporter.Sample) { dg.samples = append(dg.samples, fxSampleFields(s)) })
		if err != nil {
			t.Errorf("%s: frame %d: %v", path, p.Index+1, err)
		}
		dg.fixed = d.Stats().V9CountFixed > before
		dgs = append(dgs, dg)
	}
	st := d.Stats()

	// ReadCapture, on a Decoder of its own, reads the same.
	var recs []flows.Record
	nsamples := 0
	rs, err := exporter.ReadCapture(path, exporter.NewDecoder(),
		func(rec *flows.Record) { recs = append(recs, *rec) }, func(*exporter.Sample) { nsamples++ })
	if err != nil {
		t.Fatalf("%s: ReadCapture: %v", path, err)
	}
	n := int64(len(dgs))
	if want := (exporter.ReadStats{Packets: n, Datagrams: n}); rs != want {
		t.Errorf("%s: ReadCapture: %+v, want %+v", path, rs, want)
	}
	var all []flows.Record
	for _, dg := range dgs {
		all = append(all, dg.records...)
	}
	if !slices.Equal(recs, all) || int64(nsamples) != st.Samples {
		t.Errorf("%s: ReadCapture read %d records and %d samples, Decode %d and %d (or other records)",
			path, len(recs), nsamples, len(all), st.Samples)
	}
	return dgs, st
}

// fxCSV is a csv of tshark's with the columns exporters.log says are
// the same in every row.
type fxCSV struct {
	path   string
	header []string
	rows   []map[string]string // each row's values by column, the constant ones included
	lines  []int               // each row's line in the csv
}

// fxReadCSV reads NAME.csv.gz and the constant columns of NAME.csv from
// exporters.log; an empty value is a field the record did not have.
func fxReadCSV(t *testing.T, file string) *fxCSV {
	t.Helper()
	consts := fxConstants(t, file)
	path := filepath.Join(flowsFixtures, file+".csv.gz")
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	c := &fxCSV{path: path}
	sc := bufio.NewScanner(zr)
	line := 0
	for sc.Scan() {
		line++
		vals := strings.Split(sc.Text(), ",")
		if c.header == nil {
			c.header = vals
			continue
		}
		cols := c.header
		if len(vals) != len(cols) {
			t.Fatalf("%s line %d: %d values, header has %d: %q", path, line, len(vals), len(cols), sc.Text())
		}
		row := make(map[string]string, len(cols)+len(consts))
		for k, v := range consts {
			row[k] = v
		}
		for i, col := range cols {
			// An empty value is a field the record's template did not
			// have (softflowd's ICMP templates have ICMP_TYPE instead of
			// the ports and TCP flags; its others have no ICMP_TYPE).
			if vals[i] != "" {
				row[col] = vals[i]
			}
		}
		c.rows = append(c.rows, row)
		c.lines = append(c.lines, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return c
}

// fxConstants reads the columns left out of FILE.csv, from the line
// "  NAME.csv: same in every row, left out: k=v k=v " of exporters.log.
func fxConstants(t *testing.T, file string) map[string]string {
	t.Helper()
	dir, name := filepath.Split(file)
	log := filepath.Join(flowsFixtures, dir, "exporters.log")
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	prefix := name + ".csv: same in every row, left out: "
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			for _, kv := range strings.Fields(rest) {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					t.Fatalf("%s: %q in %q", log, kv, l)
				}
				m[k] = v
			}
		}
	}
	return m
}

// fxNs reads tshark's seconds with up to nine fraction digits
// ("1451608396.004925999") as ns.
func fxNs(s string) (int64, error) {
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || len(frac) > 9 {
		return 0, fmt.Errorf("time %q", s)
	}
	var f int64
	if frac != "" {
		if f, err = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64); err != nil {
			return 0, fmt.Errorf("time %q", s)
		}
	}
	return n*1e9 + f, nil
}

// fxUint reads a decimal or 0x-hexadecimal number of tshark's.
func fxUint(s string) (uint64, error) {
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		return strconv.ParseUint(h, 16, 64)
	}
	return strconv.ParseUint(s, 10, 64)
}

// The fields of a flow record the NetFlow/IPFIX comparison keys on, in
// the order of the key.
var fxFlowFields = []string{"src", "dst", "sport", "dport", "proto", "icmp", "tcpflags", "packets", "bytes",
	"first", "last", "firstus", "lastus", "samplerate"}

// fxRecordFields renders what port0 read of a record the way
// fxRowFields renders tshark's row: the addresses, the ports as exported
// (0 when the record has none: softflowd's ICMP templates), the protocol,
// ICMP type/code (for ICMP; "-" for another protocol, which must not have
// HasICMP), TCP flags ("-" without HasTCPFlags), packets, bytes, the
// first and last times in ns and to the nearest µs ("-" without
// HasTimes), and the sampling rate.
func fxRecordFields(r *flows.Record) map[string]string {
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	m := map[string]string{
		"src": r.Src.String(), "dst": r.Dst.String(),
		"sport": u(uint64(r.SrcPort)), "dport": u(uint64(r.DstPort)),
		"proto": u(uint64(r.Proto)), "icmp": "-", "tcpflags": "-",
		"packets": u(r.Packets), "bytes": u(r.Bytes), "first": "-", "last": "-", "firstus": "-", "lastus": "-",
		"samplerate": u(uint64(r.SamplingRate)),
	}
	if r.Has&flows.HasICMP != 0 {
		m["icmp"] = fmt.Sprintf("%d/%d", r.ICMPType, r.ICMPCode)
	}
	if r.Has&flows.HasTCPFlags != 0 {
		m["tcpflags"] = fmt.Sprintf("0x%02x", r.TCPFlags)
	}
	if r.Has&flows.HasTimes != 0 {
		m["first"], m["last"] = strconv.FormatInt(r.First, 10), strconv.FormatInt(r.Last, 10)
		m["firstus"], m["lastus"] = fxMicro(r.First), fxMicro(r.Last)
	}
	return m
}

// fxMicro renders a time (ns) to the nearest µs, with a "µs" suffix.
// tshark's absolute times are compared so: it prints the NTP fraction of
// an IPFIX dateTimeMicroseconds with its own rounding (paper7's
// softflowd-ipfix datagram 24 has 0x88000000, 17/32 s exactly, which
// tshark prints .531249999 and port0 reads .531250000), and these fields
// hold µs (softflowd -A micro) or ms (pmacct).
func fxMicro(ns int64) string {
	us := ns / 1e3
	if ns%1e3 >= 500 {
		us++
	}
	return strconv.FormatInt(us, 10) + "µs"
}

// fxRowFields renders a tshark row as fxRecordFields renders a record,
// and says which fields the row does not tell (skip). Times: tshark's
// absolute times (abstimestart/end: the v9 and IPFIX flowStart/End
// fields) to the nearest µs (fxMicro); an uptime (timestart/end: v5's
// First/Last, v9's FIRST/LAST_SWITCHED) made absolute in ns from the
// header tshark shows: unix_secs (and v5's unix_nsecs) plus the time less
// sysuptime, as 32-bit ms counters. samplerate is v5's header field (a
// constant column in exporters.log); rows of other formats skip it. A
// field the row lacks is one port0 must not have either: ports 0, no TCP
// flags.
func fxRowFields(row map[string]string) (m map[string]string, skip map[string]bool, err error) {
	get := func(k string) string { return row[k] }
	m = map[string]string{"icmp": "-", "tcpflags": "-", "first": "-", "last": "-", "firstus": "-", "lastus": "-", "sport": "0", "dport": "0"}
	skip = map[string]bool{}
	m["src"], m["dst"] = get("srcaddr"), get("dstaddr")
	if v, ok := row["srcaddrv6"]; ok && m["src"] == "" {
		m["src"], m["dst"] = v, get("dstaddrv6")
	}
	for _, k := range []string{"src", "dst"} {
		a, err := netip.ParseAddr(m[k])
		if err != nil {
			return nil, nil, fmt.Errorf("%s address %q", k, m[k])
		}
		m[k] = a.String()
	}
	num := func(col, key string) error {
		v, ok := row[col]
		if !ok {
			return nil
		}
		n, err := fxUint(v)
		if err != nil {
			return fmt.Errorf("%s %q", col, v)
		}
		m[key] = strconv.FormatUint(n, 10)
		return nil
	}
	for _, c := range [][2]string{{"srcport", "sport"}, {"dstport", "dport"}, {"protocol", "proto"}, {"packets", "packets"}, {"octets", "bytes"}} {
		if err := num(c[0], c[1]); err != nil {
			return nil, nil, err
		}
	}
	if _, ok := row["protocol"]; !ok {
		return nil, nil, fmt.Errorf("no protocol")
	}
	if v, ok := row["tcpflags"]; ok {
		n, err := fxUint(v)
		if err != nil {
			return nil, nil, fmt.Errorf("tcpflags %q", v)
		}
		m["tcpflags"] = fmt.Sprintf("0x%02x", n)
	}
	if p := m["proto"]; p == "1" || p == "58" {
		// ICMP: tshark's icmp_type_code_ipv4/ipv6 field, else the
		// destination port, where v5 and v9 exporters write type*256+code.
		tc, ok := row["icmp_type_code_ipv4"]
		if !ok {
			tc, ok = row["icmp_type_code_ipv6"]
		}
		if !ok {
			tc, ok = row["dstport"]
		}
		if ok {
			n, err := fxUint(tc)
			if err != nil {
				return nil, nil, fmt.Errorf("icmp type/code %q", tc)
			}
			m["icmp"] = fmt.Sprintf("%d/%d", n>>8, n&0xff)
		}
	}
	var base, up int64
	rel := false
	if v, ok := row["unix_secs"]; ok {
		s, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, nil, fmt.Errorf("unix_secs %q", v)
		}
		base = s * 1e9
		if v, ok := row["unix_nsecs"]; ok {
			ns, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, nil, fmt.Errorf("unix_nsecs %q", v)
			}
			base += ns
		}
		if v, ok := row["sysuptime"]; ok {
			if up, err = fxNs(v); err != nil {
				return nil, nil, fmt.Errorf("sysuptime: %v", err)
			}
			rel = true
		}
	}
	for _, c := range [][3]string{{"abstimestart", "timestart", "first"}, {"abstimeend", "timeend", "last"}} {
		if v, ok := row[c[0]]; ok {
			ns, err := fxNs(v)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %v", c[0], err)
			}
			m[c[2]+"us"] = fxMicro(ns)
			skip[c[2]] = true
		} else if v, ok := row[c[1]]; ok && rel {
			ns, err := fxNs(v)
			if err != nil || ns%1e6 != 0 || up%1e6 != 0 {
				return nil, nil, fmt.Errorf("%s %q, sysuptime %d ns: not ms", c[1], v, up)
			}
			// Both are 32-bit ms counters: the time is int32(t -
			// sysuptime) ms from the header's clock. tshark shows them
			// apart, and nfdump subtracts them as they are, so a flow
			// that started before a wrap of sysuptime (every 49.7 days)
			// is put 49.7 days late: paper7's softflowd-v5/v9 datagram
			// 16 says 3920007.809 and 149728.911 for a flow of
			// 1455528403.814 by the IPFIX run's absolute time (nfdump's
			// softflowd-v9-collected says 2016-04-05 02:29:30.898).
			d := int64(int32(uint32(ns/1e6)-uint32(up/1e6))) * 1e6
			m[c[2]] = strconv.FormatInt(base+d, 10)
			skip[c[2]+"us"] = true
		}
	}
	if v, ok := row["samplerate"]; ok {
		n, err := fxUint(v)
		if err != nil {
			return nil, nil, fmt.Errorf("samplerate %q", v)
		}
		m["samplerate"] = strconv.FormatUint(n&0x3fff, 10)
	} else {
		skip["samplerate"] = true
	}
	return m, skip, nil
}

// fxKey is the canonical string of a record's fields, skip's left out.
func fxKey(m map[string]string, skip map[string]bool) string {
	var b strings.Builder
	for _, f := range fxFlowFields {
		if !skip[f] {
			b.WriteString(f + "=" + m[f] + " ")
		}
	}
	return b.String()
}

// TestFixtureCapturesMatchTshark decodes every capture of testdata/flows
// with port0 and compares it with tshark's reading (see fxCaptures).
func TestFixtureCapturesMatchTshark(t *testing.T) {
	for _, fc := range fxCaptures {
		t.Run(fc.file, func(t *testing.T) {
			pcap := filepath.Join(flowsFixtures, fc.file+".pcap")
			dgs, st := fxDecode(t, pcap)
			if st.Failed != 0 || st.NoTemplate != 0 || st.BadRecords != 0 || st.Unknown != 0 {
				t.Errorf("%s: decoder stats %v", pcap, st)
			}
			csv := fxReadCSV(t, fc.file)
			if len(csv.rows) != fc.rows {
				t.Errorf("%s: %d rows, want %d", csv.path, len(csv.rows), fc.rows)
			}
			t.Logf("%s: %d datagrams, %d rows; %v", fc.file, len(dgs), len(csv.rows), st)
			if fc.sflow {
				fxCompareSamples(t, fc, dgs, csv)
			} else {
				fxCompareRecords(t, fc, dgs, csv, st)
			}
		})
	}
}

// fxDatagramOf returns a row's datagram (frame number, from 1).
func fxDatagramOf(t *testing.T, csv *fxCSV, i, n int) int {
	t.Helper()
	v := csv.rows[i]["datagram"]
	d, err := strconv.Atoi(v)
	if err != nil || d < 1 || d > n {
		t.Fatalf("%s line %d: datagram %q, the capture has %d", csv.path, csv.lines[i], v, n)
	}
	return d
}

// fxCompareRecords compares NetFlow/IPFIX records, datagram by datagram,
// as multisets keyed by fxKey: every row must be one of port0's records
// of its datagram, and port0 may have more only in a v9 datagram whose
// count it fixed (tshark reads as many FlowSets as the count says).
func fxCompareRecords(t *testing.T, fc fxCapture, dgs []fxDatagram, csv *fxCSV, st exporter.Stats) {
	type want struct {
		row    int
		fields map[string]string
		skip   map[string]bool
	}
	byDG := make([][]want, len(dgs))
	for i, row := range csv.rows {
		m, skip, err := fxRowFields(row)
		if err != nil {
			t.Fatalf("%s line %d: %v", csv.path, csv.lines[i], err)
		}
		d := fxDatagramOf(t, csv, i, len(dgs))
		byDG[d-1] = append(byDG[d-1], want{i, m, skip})
	}
	records, extra, fixedExtra, bad := 0, 0, 0, 0
	for di, dg := range dgs {
		records += len(dg.records)
		got := make([]map[string]string, len(dg.records))
		used := make([]bool, len(dg.records))
		for j := range dg.records {
			got[j] = fxRecordFields(&dg.records[j])
		}
		for _, w := range byDG[di] {
			key := fxKey(w.fields, w.skip)
			found := -1
			for j := range got {
				if !used[j] && fxKey(got[j], w.skip) == key {
					found = j
					break
				}
			}
			if found >= 0 {
				used[found] = true
				continue
			}
			bad++
			if bad > 20 {
				continue
			}
			// Name the fields of the unmatched record of the datagram
			// nearest to the row.
			best, bestDiff := -1, []string(nil)
			for j := range got {
				if used[j] {
					continue
				}
				var diff []string
				for _, f := range fxFlowFields {
					if !w.skip[f] && got[j][f] != w.fields[f] {
						diff = append(diff, fmt.Sprintf("%s = %s, tshark %s", f, got[j][f], w.fields[f]))
					}
				}
				if best < 0 || len(diff) < len(bestDiff) {
					best, bestDiff = j, diff
				}
			}
			if best < 0 {
				t.Errorf("%s line %d (datagram %d): no record of port0's left for %s", csv.path, csv.lines[w.row], di+1, key)
			} else {
				t.Errorf("%s line %d (datagram %d): port0's nearest record %v: %s", csv.path, csv.lines[w.row], di+1, dg.records[best], strings.Join(bestDiff, "; "))
			}
		}
		if n := len(dg.records) - len(byDG[di]); n > 0 {
			extra += n
			if dg.fixed {
				fixedExtra += n
			} else {
				t.Errorf("%s: datagram %d: port0 read %d records, tshark %d, and its v9 count was not fixed", fc.file, di+1, len(dg.records), len(byDG[di]))
			}
		}
	}
	if bad > 20 {
		t.Errorf("%s: %d rows in all match no record of port0's", csv.path, bad)
	}
	if records != fc.records || records != len(csv.rows)+extra {
		t.Errorf("%s: port0 read %d records, want %d; tshark %d rows, %d more in v9 datagrams of a fixed count", fc.file, records, fc.records, len(csv.rows), fixedExtra)
	}
	if extra > 0 && st.V9CountFixed == 0 {
		t.Errorf("%s: %d records more than tshark without V9CountFixed", fc.file, extra)
	}
}

// The sFlow columns compared, each with what port0 read: the flow
// sample's sampling rate and the agent's fields (datagram header and
// sample; constant ones from exporters.log), the sampled_header record's
// frame_length, stripped and header length, and the sampled packet's IP
// and transport fields as package decode reads them from the header.
var fxSampleColumns = []string{"agent", "sub_agent_id", "sampling_rate", "input_if", "output_if",
	"header_protocol", "frame_length", "stripped", "header_length",
	"src", "dst", "proto", "ip_len", "ip_id", "ttl", "ip_flags", "frag_offset",
	"sport", "dport", "tcp_flags", "icmp_type", "icmp_code"}

// fxSampleFields renders a Sample, its header decoded by package decode,
// the way tshark's fields print (flows.sh's jq_sflow): ip.flags as
// 0x0N (DF 2, MF 1), ip.frag_offset in 8-octet units, tcp.flags in four
// hex digits, an empty field for a header tshark did not dissect.
func fxSampleFields(s *exporter.Sample) map[string]string {
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	m := map[string]string{
		"agent": s.Agent.String(), "sub_agent_id": u(uint64(s.SubAgent)),
		"sampling_rate": u(uint64(s.SamplingRate)),
		"input_if":      u(uint64(s.Input)), "output_if": fmt.Sprintf("0x%08x", s.Output),
		"header_protocol": u(uint64(s.Protocol)),
		"frame_length":    u(uint64(s.FrameLength)), "stripped": u(uint64(s.Stripped)),
		"header_length": u(uint64(len(s.Header))),
	}
	link, ok := s.LinkType()
	if !ok {
		return m
	}
	var r decode.Record
	r.Decode(link, s.Header)
	if r.IPVersion == 0 {
		return m
	}
	m["src"], m["dst"] = r.SrcAddr().String(), r.DstAddr().String()
	m["proto"], m["ttl"], m["ip_len"] = u(uint64(r.Proto)), u(uint64(r.TTL)), u(uint64(r.IPLen))
	if r.IPVersion == 4 {
		m["ip_id"] = fmt.Sprintf("0x%04x", r.IPID)
		fl := 0
		if r.DF {
			fl |= 2
		}
		if r.MF {
			fl |= 1
		}
		m["ip_flags"] = fmt.Sprintf("0x%02x", fl)
		m["frag_offset"] = u(uint64(r.FragOffset))
	}
	if r.Ports == decode.PortsPresent && (r.Proto == 6 || r.Proto == 17) {
		m["sport"], m["dport"] = u(uint64(r.SrcPort)), u(uint64(r.DstPort))
		if r.Proto == 6 && r.DataOffset >= 5 {
			// tshark shows no flags of a TCP header whose data
			// offset is below 5 words ("Bogus TCP header length"),
			// which the generator's malformed headers have.
			m["tcp_flags"] = fmt.Sprintf("0x%04x", r.Flags)
		}
	}
	if r.ICMP {
		m["icmp_type"], m["icmp_code"] = u(uint64(r.ICMPType)), u(uint64(r.ICMPCode))
	}
	return m
}

// fxCompareSamples compares sFlow samples in order, row by row: the same
// datagram, and each column of fxSampleColumns.
func fxCompareSamples(t *testing.T, fc fxCapture, dgs []fxDatagram, csv *fxCSV) {
	for _, c := range fxSampleColumns {
		if _, ok := csv.rows[0][c]; !ok && !slices.Contains(csv.header, c) {
			t.Fatalf("%s: no column %s (nor in exporters.log)", csv.path, c)
		}
	}
	type sample struct {
		dg     int
		fields map[string]string
	}
	var got []sample
	for di, dg := range dgs {
		if len(dg.records) != 0 {
			t.Errorf("%s: datagram %d: %d records from sFlow raw headers", fc.file, di+1, len(dg.records))
		}
		for _, s := range dg.samples {
			got = append(got, sample{di + 1, s})
		}
	}
	if len(got) != fc.records || len(got) != len(csv.rows) {
		t.Errorf("%s: port0 read %d samples, want %d; tshark %d rows", fc.file, len(got), fc.records, len(csv.rows))
	}
	bad := 0
	for i := range min(len(got), len(csv.rows)) {
		row, g := csv.rows[i], got[i]
		if d := fxDatagramOf(t, csv, i, len(dgs)); d != g.dg {
			t.Fatalf("%s line %d: datagram %d, port0's sample %d is of datagram %d", csv.path, csv.lines[i], d, i+1, g.dg)
		}
		for _, c := range fxSampleColumns {
			if g.fields[c] != row[c] {
				bad++
				if bad <= 20 {
					t.Errorf("%s line %d (datagram %d, sample %d): %s = %q, tshark %q", csv.path, csv.lines[i], g.dg, i+1, c, g.fields[c], row[c])
				}
			}
		}
	}
	if bad > 20 {
		t.Errorf("%s: %d fields differ in all", csv.path, bad)
	}
}
