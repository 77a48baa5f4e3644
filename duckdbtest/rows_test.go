package duckdbtest

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/label"
	"github.com/port0/port0/tables"
)

// TestWritersRandomRows holds the tables package's writers, called
// directly with tables.Both, to the same checks as TestParquetMatchesCSV,
// on rows the committed inputs do not hold: every enum value, ports, TTLs
// and IP IDs up to their maximum, IPv6 and IPv4-mapped addresses, a file
// name the CSV must quote, times with nanoseconds and at the epoch,
// floats that round (and NaN, ±Inf), and the packets of one file jumping
// between days (so a day's part file is closed and a new part-N started).
// A short day holds a non-TCP packet, a TCP one, then non-TCP packets
// only: the NULLs of tcp_flags after a value.
func TestWritersRandomRows(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 1))
	dir := t.TempDir()
	files := []string{"a.pcap", `dir/b,"c".pcap`, "ü/d.pcapng"}
	a := &analysis{dir: dir, inputs: files, inputPos: map[string]int{}}
	for i, f := range files {
		a.inputPos[f] = i
	}
	const day = int64(86400e9)
	base := int64(1451606400e9) // 2016-01-01
	timeOf := func() int64 { return base + r.Int64N(9*day) + r.Int64N(2)*int64(r.IntN(1000)) }

	var packets []tables.PacketRow
	for fi, f := range files {
		// A capture's times go forward, but for a jump back now and then
		// (a file of other days, a clock step): the writer reopens a day
		// it closed as a new part.
		index, ts := int64(0), base
		for range 2500 {
			index += 1 + r.Int64N(3)
			ts += r.Int64N(2*9*day/2500) + int64(r.IntN(1000))
			if r.IntN(250) == 0 {
				ts = max(base, ts-r.Int64N(2*day))
			}
			packets = append(packets, randPacket(r, f, index, ts))
		}
		if fi == 0 { // the epoch, and the short day of NULLs after a value
			index++
			packets = append(packets, randPacket(r, f, index, 0))
			for _, proto := range []uint8{decode.ProtoUDP, decode.ProtoTCP, decode.ProtoUDP, decode.ProtoICMP, decode.ProtoUDP} {
				index++
				p := randPacket(r, f, index, base+20*day+index)
				p.Proto = proto
				packets = append(packets, p)
			}
		}
	}
	pw, err := tables.Both.CreatePackets(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range packets {
		if err = pw.Write(&packets[i]); err != nil {
			break
		}
	}
	if err := pw.Close(err); err != nil {
		t.Fatal(err)
	}

	var sources []tables.SourceRow
	for range 300 {
		sources = append(sources, tables.SourceRow{Src: randAddr(r), Class: label.Class(r.IntN(label.NumClasses)),
			Tool: label.Tool(r.IntN(len(label.Tools()))), ToolEvidence: []string{"nmap-t2-t7-shapes=3", "ipid+1=4/5 ttl64=6/6", "no-tcp-udp"}[r.IntN(3)], First: timeOf(), Last: timeOf(), Packets: r.Int64(), Bytes: r.Int64N(1 << 40),
			DistinctDsts: r.Int64N(1 << 20), Coverage: randFloat(r), RatePPS: randFloat(r),
			TopDport: uint16(r.Uint32()), TopSport: math.MaxUint16 - uint16(r.IntN(2)), TCPPackets: r.Int64N(1e9), UDPPackets: r.Int64N(1e9),
			TopFlags: uint16(r.IntN(1 << 9)), HasTopFlags: r.IntN(2) == 0, InitTTL: []uint8{32, 64, 128, 255}[r.IntN(4)],
			IPIDPattern: []string{"54321", "masscan", "+1", "constant", "random", "-"}[r.IntN(6)], Bundles: r.Int64N(100),
			Probes: classify.ProbeSet(r.IntN(1<<classify.NumProbes)) &^ 1})
	}
	var events []tables.EventRow
	for range 300 {
		events = append(events, tables.EventRow{Victim: randAddr(r), Class: label.Class(r.IntN(label.NumClasses)),
			Proto: randProto(r), Start: timeOf(), End: timeOf(), DurationS: randFloat(r), Packets: r.Int64N(1e12),
			PeakPPS: randFloat(r), ServicePort: uint16(r.Uint32()), ObservedPPS: randFloat(r), EstimatedAttackPPS: randFloat(r),
			VictimStack: []string{"linux", "windows", "bsd", "unknown"}[r.IntN(4)]})
	}
	var bundles []tables.BundleRow
	for range 300 {
		var order []classify.Probe
		for range r.IntN(17) {
			order = append(order, classify.Probe(1+r.IntN(int(classify.NumProbes)-1)))
		}
		bundles = append(bundles, tables.BundleRow{Src: randAddr(r), Dst: randAddr(r), Start: timeOf(), End: timeOf(),
			DurationS: randFloat(r), Probes: classify.ProbeSet(r.IntN(1<<classify.NumProbes)) &^ 1, Order: order,
			Distinct: r.IntN(13), Distinguishes: []string{"openbsd vs linux/windows", "nothing"}[r.IntN(2)]})
	}
	var series []tables.SeriesRow
	for h := base - 3*3600e9; h < base+4*day; h += 3600e9 {
		if r.IntN(2) == 0 {
			series = append(series, tables.SeriesRow{Start: h, All: true, Packets: r.Int64(), Sources: r.Int64N(1 << 32)})
		}
		for c := range label.NumClasses {
			if r.IntN(3) == 0 {
				series = append(series, tables.SeriesRow{Start: h, Class: label.Class(c), Packets: r.Int64N(1 << 40), Sources: r.Int64N(1000)})
			}
		}
	}
	for _, w := range []func() error{
		func() error { return tables.Both.WriteSources(dir, sources) },
		func() error { return tables.Both.WriteEvents(dir, events) },
		func() error { return tables.Both.WriteBundles(dir, bundles) },
		func() error { return tables.Both.WriteSeries(dir, series) },
	} {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}

	parts, _ := filepath.Glob(filepath.Join(dir, "packets", "*", "*.parquet"))
	more, _ := filepath.Glob(filepath.Join(dir, "packets", "*", "part-[1-9]*.parquet"))
	if len(more) == 0 {
		t.Errorf("%d packet part files, none a day's second part: the reopening of a day is not tested", len(parts))
	}
	t.Logf("%d packet part files, %d of them a day's second part or later", len(parts), len(more))
	db := openDB(t)
	for _, tab := range tableList {
		t.Run(tab.name, func(t *testing.T) { checkTable(t, db, a, tab) })
	}
}

func randPacket(r *rand.Rand, file string, index, ts int64) tables.PacketRow {
	p := tables.PacketRow{File: file, Index: index, Time: ts, Src: randAddr(r), Dst: randAddr(r), Proto: randProto(r),
		SrcPort: uint16(r.Uint32()), DstPort: []uint16{0, math.MaxUint16, uint16(r.Uint32())}[r.IntN(3)],
		Port0: decode.Port0Pos(int(decode.Port0Src) + r.IntN(3)), TTL: uint8(r.Uint32()), IPID: []uint32{math.MaxUint32, r.Uint32()}[r.IntN(2)],
		Shape: classify.Shape(r.IntN(int(classify.NumShapes))), Probe: classify.Probe(r.IntN(int(classify.NumProbes))),
		Class: label.Class(r.IntN(label.NumClasses))}
	if p.Proto == decode.ProtoTCP {
		p.Flags = uint16(r.IntN(1 << 9))
	}
	if r.IntN(3) == 0 { // tunneled: outer addresses, NULL otherwise
		p.Encap = decode.Encap(1 + r.IntN(int(decode.NumEncaps)-1))
		p.OuterSrc, p.OuterDst = randAddr(r), randAddr(r)
	}
	return p
}

func randProto(r *rand.Rand) uint8 {
	return []uint8{decode.ProtoTCP, decode.ProtoUDP, decode.ProtoICMP, decode.ProtoICMPv6, 47}[r.IntN(5)]
}

func randAddr(r *rand.Rand) netip.Addr {
	var b [16]byte
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	switch r.IntN(4) {
	case 0:
		return netip.AddrFrom16(b)
	case 1:
		return netip.AddrFrom16(netip.AddrFrom4([4]byte(b[:4])).As16()) // IPv4-mapped
	}
	return netip.AddrFrom4([4]byte(b[:4]))
}

// randFloat is a float the CSV rounds: any magnitude, and now and then
// 0, a half at the 7th decimal, NaN or ±Inf.
func randFloat(r *rand.Rand) float64 {
	switch r.IntN(12) {
	case 0:
		return 0
	case 1:
		return 0.0000005
	case 2:
		return math.NaN()
	case 3:
		return math.Inf(1 - 2*r.IntN(2))
	}
	return (r.Float64() - 0.2) * math.Pow(10, float64(r.IntN(24)-9))
}
