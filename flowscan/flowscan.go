package flowscan

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/flows"
	"github.com/port0/port0/flows/exporter"
	"github.com/port0/port0/flows/nfcapd"
	"github.com/port0/port0/scan"
)

// Summary is the flow side of summary.json: what was read and how each
// flow with a port 0 was judged.
type Summary struct {
	// Flows is the number of flow records read, Formats them by format.
	Flows   int64            `json:"flows"`
	Formats map[string]int64 `json:"formats"`
	// Packets is the packets the records stand for (as exported).
	Packets int64 `json:"packets"`
	// Port0Flows counts the records with a port 0 as exported, and
	// Judgements, JudgedPackets and Reasons how they were judged
	// (flows.Judge): flows and packets by judgement, flows by reason.
	Port0Flows    int64            `json:"port0_flows"`
	Judgements    map[string]int64 `json:"judgements"`
	JudgedPackets map[string]int64 `json:"judged_packets"`
	Reasons       map[string]int64 `json:"reasons"`
	// SamplingRates counts the records by their sampling rate ("1" for
	// unsampled, "unknown" when the format did not say).
	SamplingRates map[string]int64 `json:"sampling_rates"`
	// Estimated is the sampling rate applied: the packets the records
	// stand for, each record's multiplied by its rate (an unknown rate
	// as 1), in all and by judgement. The tables count the sampled
	// packets; these are the totals on the wire.
	Estimated          int64            `json:"estimated_packets"`
	EstimatedJudgement map[string]int64 `json:"estimated_judged_packets"`
	// Fields counts the records carrying each optional field (flows.Field
	// names): what the formats kept.
	Fields map[string]int64 `json:"fields"`
	// NotInFormat names what the study could not do on these inputs
	// because no flow format carries what it needs.
	NotInFormat []string `json:"not_in_format"`
	// Datagrams is set for captures of exporters' datagrams.
	Datagrams *Datagrams `json:"datagrams,omitempty"`
}

// notInFormat is what flows cannot support, as Summary.NotInFormat says.
var notInFormat = []string{
	"tool attribution (IP ID, window, TCP options, TTL per packet)",
	"BitTorrent payloads (no payload)",
	"ICMP errors quoting a port-0 packet (the quote is not exported)",
	"malformed TCP headers (data offset, options)",
}

// fieldNames name flows.Field bits in Summary.Fields.
var fieldNames = []struct {
	f    flows.Field
	name string
}{
	{flows.HasTCPFlags, "tcp_flags"}, {flows.HasFragOffset, "fragment_offset"}, {flows.HasFragFlags, "fragment_flags"},
	{flows.HasTTL, "ttl"}, {flows.HasICMP, "icmp_type_code"}, {flows.HasTimes, "first_last_times"},
}

func newSummary() *Summary {
	return &Summary{Formats: map[string]int64{}, Judgements: map[string]int64{}, JudgedPackets: map[string]int64{},
		Reasons: map[string]int64{}, SamplingRates: map[string]int64{}, EstimatedJudgement: map[string]int64{}, Fields: map[string]int64{}, NotInFormat: notInFormat}
}

// IsNfcapd reports whether the file at path starts like an nfcapd file of
// nfdump (its magic, either byte order, and a layout version).
func IsNfcapd(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var b [4]byte
	if _, err := io.ReadFull(f, b[:]); err != nil {
		return false
	}
	return nfcapd.Sniff(b[:])
}

// Options configure Run.
type Options struct {
	// Scan holds the interval, the spill limits and the progress writer.
	Scan scan.Options
	// Datagrams says the inputs are captures of exporters' datagrams
	// (NetFlow v5, v9, IPFIX, sFlow), not nfcapd files.
	Datagrams bool
}

// Run reads the flow inputs (nfcapd files, or captures of exporters'
// datagrams) and returns the scan's result for the study and the flow
// summary. A file that cannot be read, or that breaks off, is a read
// error of the result (what was read before is kept); the error is
// scan.ErrNoInput when no input could be read.
func Run(inputs []string, o Options) (*scan.Result, *Summary, error) {
	if o.Datagrams {
		return runDatagrams(inputs, o)
	}
	b := scan.NewBuilder(inputs, o.Scan)
	sum := newSummary()
	for i, in := range inputs {
		started := false
		var index int64
		err := eachNfcapd(in, func(format string) { b.Start(i, format); started = true }, func(r *flows.Record) {
			add(b, sum, r, index)
			index++
		})
		if err != nil {
			idx := index
			if !started {
				idx = -1
			}
			b.Fail(i, idx, err.offset, err.msg)
		}
	}
	res, err := b.Result()
	return res, sum, err
}

// Each calls fn with every flow record of the inputs, in order (the
// records of a file that breaks off, up to the break); the first read
// error is returned after the last input.
func Each(inputs []string, o Options, fn func(*flows.Record)) error {
	var first error
	d := exporter.NewDecoder()
	for _, in := range inputs {
		if o.Datagrams {
			if err := eachDatagrams(in, d, fn); err != nil && first == nil {
				first = err
			}
			continue
		}
		if err := eachNfcapd(in, func(string) {}, fn); err != nil && first == nil {
			first = fmt.Errorf("%s: %s", in, err.msg)
		}
	}
	return first
}

// readError is a flow input's read error: where, and what.
type readError struct {
	offset int64
	msg    string
}

// eachNfcapd reads the nfcapd file in: start gets its format once its
// header is read, fn every flow record.
func eachNfcapd(in string, start func(format string), fn func(*flows.Record)) *readError {
	r, err := nfcapd.Open(in)
	if err != nil {
		msg := err.Error()
		var ne *nfcapd.Error
		if errors.As(err, &ne) {
			msg = strings.TrimPrefix(msg, ne.File+": ")
		}
		return &readError{0, msg}
	}
	defer r.Close()
	start("nfcapd " + r.Header().NfdumpVersion())
	var f nfcapd.Flow
	var rec flows.Record
	for {
		err := r.Next(&f)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var ne *nfcapd.Error
			off, msg := int64(0), err.Error()
			if errors.As(err, &ne) {
				// The read error names the file itself.
				off, msg = ne.Offset, strings.TrimPrefix(msg, ne.File+": ")
			}
			c := r.Counts()
			return &readError{off, fmt.Sprintf("%s (flows read before it are kept; lost: %d blocks, %d records)", msg, c.LostBlocks, c.LostRecords)}
		}
		FromNfcapd(r, &f, &rec)
		fn(&rec)
	}
}

// FromNfcapd fills rec from an nfcapd flow of reader r: the fields nfdump
// keeps, with Has saying which optional ones the record held. nfdump
// scales a sampled record's counts by the sampling rate (FlagSampled);
// they are divided back to the sampled packets, and the rate kept, when
// the file names the sampler.
func FromNfcapd(r *nfcapd.Reader, f *nfcapd.Flow, rec *flows.Record) {
	*rec = flows.Record{Format: flows.Nfcapd, Exporter: f.Router, First: f.First, Last: f.Last, Src: f.Src, Dst: f.Dst,
		Proto: f.Proto, SrcPort: f.SrcPort, DstPort: f.DstPort, TCPFlags: f.TCPFlags, Packets: f.Packets, Bytes: f.Bytes}
	if f.Has(nfcapd.ExtGenericFlow) {
		rec.Has |= flows.HasTCPFlags | flows.HasTimes
	}
	if f.IsICMP() {
		rec.Has |= flows.HasICMP
		rec.ICMPType, rec.ICMPCode = f.ICMPType(), f.ICMPCode()
	}
	if f.HasIPInfo {
		rec.Has |= flows.HasFragFlags | flows.HasTTL
		rec.MoreFragments = f.FragFlags&nfcapd.FragMF != 0
		rec.DontFragment = f.FragFlags&nfcapd.FragDF != 0
		rec.TTL = f.MinTTL
	}
	if s, ok := r.Sampler(f); ok && s.Rate() >= 1 {
		rate := uint32(s.Rate())
		rec.SamplingRate = rate
		if f.Sampled() && rate > 1 {
			rec.Packets /= uint64(rate)
			rec.Bytes /= uint64(rate)
		}
	}
}

// maxRecords is the most port-0 records one flow gives: a flow of more
// packets gives this many, each standing for its share (the counts
// stay exact; only the records of the study are capped, so that one
// flow of a flood cannot fill the disk).
const maxRecords = 1 << 20

// add counts one flow record: its traffic, its judgement, and the port-0
// records of a real one.
func add(b *scan.Builder, sum *Summary, r *flows.Record, index int64) {
	sum.Flows++
	sum.Formats[r.Format.String()]++
	n := int64(r.Packets)
	if n <= 0 {
		n = 1 // a record stands for at least the packet that made it
	}
	sum.Packets += n
	scaled := n * int64(max(r.SamplingRate, 1))
	sum.Estimated += scaled
	switch r.SamplingRate {
	case 0:
		sum.SamplingRates["unknown"]++
	default:
		sum.SamplingRates[strconv.FormatUint(uint64(r.SamplingRate), 10)]++
	}
	for _, fn := range fieldNames {
		if r.Has&fn.f != 0 {
			sum.Fields[fn.name]++
		}
	}
	spread(b, r, n)
	j, why := flows.Judge(r)
	if j == flows.NotPort0 {
		if r.Proto == decode.ProtoTCP || r.Proto == decode.ProtoUDP {
			b.WithPorts(n)
		}
		return
	}
	sum.Port0Flows++
	sum.Judgements[j.String()]++
	sum.JudgedPackets[j.String()] += n
	sum.EstimatedJudgement[j.String()] += scaled
	sum.Reasons[why.String()]++
	switch j {
	case flows.NoPorts:
		switch {
		case why == flows.ReasonNonFirstFrag:
			b.Naive(scan.NaiveNonFirstFragment, n)
		case r.Proto == decode.ProtoICMP || r.Proto == decode.ProtoICMPv6:
			b.Naive(scan.NaiveICMP, n)
		default:
			b.Naive(scan.NaiveOtherProto, n)
		}
		return
	case flows.Undecidable:
		b.Naive(scan.NaiveUndecidable, n)
		return
	}
	b.Naive(scan.NaivePort0, n)
	p := record(r, index)
	b.Port0(&p, n)
	k := min(n, maxRecords)
	for i := range k {
		p.TS = r.First
		if k > 1 && r.Last > r.First {
			p.TS = r.First + int64(float64(r.Last-r.First)*float64(i)/float64(k-1))
		}
		b.Record(&p)
	}
}

// spread counts the flow's n packets as traffic over the intervals its
// first and last packet span, in proportion to the time in each (the
// packets' own times are not kept).
func spread(b *scan.Builder, r *flows.Record, n int64) {
	if r.Last <= r.First || n == 1 {
		b.Traffic(r.First, r.Src, r.Dst, n)
		return
	}
	// n packets evenly over [First, Last]: packet i at First + i·span/(n−1).
	// Counted per interval boundary without visiting every packet.
	iv := b.Interval()
	span := float64(r.Last - r.First)
	done := int64(0)
	for t := r.First; done < n; {
		end := (t/iv + 1) * iv // the next interval's start
		// Packets with times < end: i ≤ (end−1−First)·(n−1)/span.
		upto := n
		if end <= r.Last {
			upto = min(n, int64(float64(end-1-r.First)*float64(n-1)/span)+1)
		}
		if upto > done {
			b.Traffic(t, r.Src, r.Dst, upto-done)
			done = upto
		}
		t = end
	}
}

// record is the port-0 record of a flow's packets (its time set by the
// caller): the fields the flow carries, the rest unknown; the shape from
// the flow's protocol, ports and OR of TCP flags, as a packet with that
// header would have it.
func record(r *flows.Record, index int64) scan.P0Packet {
	pos := port0Pos(r.SrcPort, r.DstPort)
	d := decode.Record{Proto: r.Proto, Ports: decode.PortsPresent, SrcPort: r.SrcPort, DstPort: r.DstPort,
		Port0: pos, Flags: uint16(r.TCPFlags), DataOffset: 5}
	if r.Src.Is4() {
		d.IPVersion = 4
	} else {
		d.IPVersion = 6
	}
	shape, probe := classify.ShapeOf(&d, nil)
	p := scan.P0Packet{Index: index, Src: r.Src, Dst: r.Dst, Proto: r.Proto, Shape: shape, Probe: probe,
		Flags: uint16(r.TCPFlags), SrcPort: r.SrcPort, DstPort: r.DstPort, Port0: pos, DataOffOK: true,
		DF: r.DontFragment}
	if r.Has&flows.HasTTL != 0 {
		p.TTL = r.TTL
	}
	if r.Packets > 0 {
		p.Length = uint16(min(r.Bytes/r.Packets, 65535))
	}
	return p
}

// port0Pos is the port-0 position of a pair of ports.
func port0Pos(s, d uint16) decode.Port0Pos {
	switch {
	case s == 0 && d == 0:
		return decode.Port0Both
	case s == 0:
		return decode.Port0Src
	case d == 0:
		return decode.Port0Dst
	}
	return decode.Port0None
}

// String sums up the judgements in one line, for progress and tests.
func (s *Summary) String() string {
	out := fmt.Sprintf("%d flows (%d packets), %d with a port 0:", s.Flows, s.Packets, s.Port0Flows)
	for _, j := range flows.Judgements() {
		out += fmt.Sprintf(" %s %d", j, s.Judgements[j.String()])
	}
	return out
}
