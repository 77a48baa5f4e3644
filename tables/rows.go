package tables

import (
	"net/netip"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/label"
)

// The file names of the tables in an analysis folder.
const (
	PacketsFile = "packets.csv"
	SourcesFile = "sources.csv"
	EventsFile  = "events.csv"
	BundlesFile = "bundles.csv"
	SeriesFile  = "timeseries.csv"
)

// Rows is a table's rows as a writer reads them: it calls yield with
// each row, in the table's order, and stops at yield's first error, which
// it returns. yield must not keep the row past the call. A writer of two
// formats reads the rows twice, so Rows may be called more than once and
// gives the same rows each time: rows held in memory (SliceRows) or
// streamed from files, such as the study's sorted runs merged on disk.
type Rows[R any] func(yield func(*R) error) error

// SliceRows is the Rows of a slice.
func SliceRows[R any](rows []R) Rows[R] {
	return func(yield func(*R) error) error {
		for i := range rows {
			if err := yield(&rows[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// PacketRow is one row of packets.csv: one port-0-related packet and its
// purpose class. Times are nanoseconds since the Unix epoch (UTC).
type PacketRow struct {
	File     string // the input as given
	Index    int64  // packet index within the file
	Time     int64
	Src, Dst netip.Addr
	Proto    uint8
	// SrcPort and DstPort are the TCP/UDP ports; for an ICMP error, the
	// quoted packet's.
	SrcPort, DstPort uint16
	Port0            decode.Port0Pos
	Flags            uint16 // TCP flags (decode.TCPFlag*); written for TCP only
	TTL              uint8
	IPID             uint32
	Shape            classify.Shape
	Probe            classify.Probe
	Class            label.Class
	// Encap is the tunnel the packet was found in (decode.EncapNone:
	// direct); OuterSrc and OuterDst are the outermost IP header's
	// addresses of a tunneled packet, the zero netip.Addr (written
	// empty, NULL in Parquet) of a direct one.
	Encap              decode.Encap
	OuterSrc, OuterDst netip.Addr
}

// SourceRow is one row of sources.csv: one port-0 source.
type SourceRow struct {
	Src   netip.Addr
	Class label.Class
	Tool  label.Tool
	// ToolEvidence is what decided Tool: space-separated features, each
	// "name=count/of" ("ipid54321=9/9 ttl255=9/9"), or "no-match" with
	// the source's IP ID pattern, initial TTL and packets (study).
	ToolEvidence string
	First, Last  int64
	Packets      int64
	Bytes        int64
	DistinctDsts int64   // exact up to 1024 (sketch.ExactMax), estimated by HyperLogLog above
	Coverage     float64 // DistinctDsts over the telescope's addresses (0: size unknown)
	RatePPS      float64 // packets over the active time (0 for one instant)
	TopDport     uint16
	TopSport     uint16
	TCPPackets   int64
	UDPPackets   int64
	// TopFlags is the most frequent TCP flag combination, valid when
	// HasTopFlags (written "-" otherwise).
	TopFlags    uint16
	HasTopFlags bool
	InitTTL     uint8  // most common inferred initial TTL: 32, 64, 128 or 255
	IPIDPattern string // "54321", "masscan", "+1", "constant", "random" or "-"
	Bundles     int64
	Probes      classify.ProbeSet // written "-" when empty
}

// EventRow is one row of events.csv: one backscatter event.
type EventRow struct {
	Victim             netip.Addr
	Class              label.Class // backscatter-to-0 or backscatter-from-0
	Proto              uint8
	Start, End         int64
	DurationS          float64
	Packets            int64
	PeakPPS            float64 // the busiest minute's packets / 60
	ServicePort        uint16
	ObservedPPS        float64
	EstimatedAttackPPS float64 // ObservedPPS scaled from the telescope to the IPv4 space
	// VictimStack is the victim's stack as its replies tell it: linux,
	// windows, bsd, linux-or-bsd, not-bsd or unknown (study.Event.Stack).
	VictimStack string
}

// BundleRow is one row of bundles.csv: one fingerprinting bundle.
type BundleRow struct {
	Src, Dst      netip.Addr
	Start, End    int64
	DurationS     float64
	Probes        classify.ProbeSet
	Order         []classify.Probe // the first 16 probes in the order sent
	Distinct      int
	Distinguishes string
}

// SeriesRow is one row of timeseries.csv: the packets and distinct
// sources of one interval, of all traffic (All) or of one class.
type SeriesRow struct {
	Start   int64 // the interval's start
	All     bool  // written "all" in the class column
	Class   label.Class
	Packets int64
	Sources int64
}

// The tables' columns, in order: each table's one declaration (columns.go).
// The doc texts are docs/OUTPUTS.md's column tables (TestColumnsDoc).

var packetColumns = newTable(PacketsFile, "pqPacket",
	str("file", "the input as given", func(p *PacketRow) *string { return &p.File }),
	integer("index", "the packet's index in that file, 0-based: joins the generator's truth", func(p *PacketRow) *int64 { return &p.Index }).withDelta(),
	timestamp("time", "the packet's time", func(p *PacketRow) *int64 { return &p.Time }).withDelta(),
	addr("src", "source address (of the inner packet, for a tunneled one)", func(p *PacketRow) *netip.Addr { return &p.Src }),
	addr("dst", "destination address (likewise)", func(p *PacketRow) *netip.Addr { return &p.Dst }),
	enumOf("proto", "`tcp`, `udp`, `icmp`, `icmpv6`, or the protocol's number", func(p *PacketRow) *uint8 { return &p.Proto }, ProtoName, parseProto),
	unsigned("sport", "source port; for an ICMP error, the quoted packet's", func(p *PacketRow) *uint16 { return &p.SrcPort }),
	unsigned("dport", "destination port; likewise", func(p *PacketRow) *uint16 { return &p.DstPort }),
	enum("port0", "where the port 0 is: `src`, `dst` or `both`", func(p *PacketRow) *decode.Port0Pos { return &p.Port0 }),
	nullableText("tcp_flags", "TCP flags, tcpdump's letters S F R P A U E C N, or `none`; empty (NULL) for a packet that is not TCP",
		packetFlagsPtr, func(p *PacketRow, s string) (err error) { p.Flags, err = parsePacketFlags(s); return err }),
	unsigned("ttl", "IP TTL (hop limit)", func(p *PacketRow) *uint8 { return &p.TTL }),
	unsigned("ip_id", "IP identification (IPv4; the Fragment header's for IPv6)", func(p *PacketRow) *uint32 { return &p.IPID }),
	enum("shape", "the packet's shape (classify.Shape)", func(p *PacketRow) *classify.Shape { return &p.Shape }),
	enum("probe", "the fingerprint probe it is: P1, P2, P3/P4, P5–P7, T2–T7, or `-`", func(p *PacketRow) *classify.Probe { return &p.Probe }),
	enum("class", "its purpose class", func(p *PacketRow) *label.Class { return &p.Class }),
	enum("encap", "`none` for a direct packet, else the outermost tunnel it was found in", func(p *PacketRow) *decode.Encap { return &p.Encap }),
	outer("outer_src", "the outermost IP source of a tunneled packet; empty (NULL) for a direct one", func(p *PacketRow) *netip.Addr { return &p.OuterSrc }),
	outer("outer_dst", "the outermost IP destination; likewise", func(p *PacketRow) *netip.Addr { return &p.OuterDst }),
)

var sourceColumns = newTable(SourcesFile, "pqSource",
	addr("src", "the source address", func(s *SourceRow) *netip.Addr { return &s.Src }),
	enum("class", "its purpose class", func(s *SourceRow) *label.Class { return &s.Class }),
	enum("tool", "the tool that sent its packets", func(s *SourceRow) *label.Tool { return &s.Tool }),
	str("tool_evidence", "what decided `tool`: space-separated features, each `name=count/of`, the packets that show it over those that could — "+
		"`ipid54321=9/9 win65535=9/9`, `syn-win65535-zmapopts`, `udp-no-checksum`, `ipid-masscan` with `no-df`, "+
		"`udp-empty-sport-pair` with `ttl255`, `sport-pair=P` or `sport=P ttl-fixed`, `udp-empty-fixed-sport` with `ttl-changing` and `ttl-range`, "+
		"`syn-win1024-mss`, `seq-repeated`, `ttl<=64`, `seq-dst`, `win512-ack-noopts` (or `ack-noopts` at another window), `sport-rising` or `sport-rising-gaps`, `ttl64`, `nmap-t2-t7-shapes=K`; "+
		"`masscan-share=k/n` with `ttl-band=T` when the tool's packets are a share of an address's (a NAT); "+
		"for `unknown`, `no-match` with the IP ID pattern, initial TTL and packet count, or `no-tcp-udp`",
		func(s *SourceRow) *string { return &s.ToolEvidence }),
	timestamp("first", "its first packet's time", func(s *SourceRow) *int64 { return &s.First }),
	timestamp("last", "its last packet's time", func(s *SourceRow) *int64 { return &s.Last }),
	integer("packets", "its port-0 packets", func(s *SourceRow) *int64 { return &s.Packets }),
	integer("bytes", "their IP lengths summed", func(s *SourceRow) *int64 { return &s.Bytes }),
	integer("distinct_dsts", "distinct destinations: exact up to 1024, HyperLogLog with ~3 % error above", func(s *SourceRow) *int64 { return &s.DistinctDsts }),
	float("coverage", "distinct destinations / telescope size (0: size unknown)", func(s *SourceRow) *float64 { return &s.Coverage }),
	float("rate_pps", "packets / (last − first); 0 for one instant", func(s *SourceRow) *float64 { return &s.RatePPS }),
	unsigned("top_dport", "the most frequent destination port (Misra–Gries)", func(s *SourceRow) *uint16 { return &s.TopDport }),
	unsigned("top_sport", "the most frequent source port (Misra–Gries)", func(s *SourceRow) *uint16 { return &s.TopSport }),
	integer("tcp_packets", "its TCP packets", func(s *SourceRow) *int64 { return &s.TCPPackets }),
	integer("udp_packets", "its UDP packets", func(s *SourceRow) *int64 { return &s.UDPPackets }),
	text("top_flags", "the most frequent TCP flag combination, `-` for none", topFlags, func(s *SourceRow, f string) error { return parseTopFlags(f, s) }),
	unsigned("init_ttl", "the most common inferred initial TTL: the smallest of 32, 64, 128, 255 ≥ the TTL seen", func(s *SourceRow) *uint8 { return &s.InitTTL }),
	str("ip_id_pattern", "`54321`, `masscan`, `+1`, `constant`, `random` or `-`", func(s *SourceRow) *string { return &s.IPIDPattern }),
	integer("bundles", "fingerprint bundles sent", func(s *SourceRow) *int64 { return &s.Bundles }),
	text("probes", "the probe shapes seen, space-separated; `-` for none", sourceProbes, func(s *SourceRow, f string) error { return parseSourceProbes(f, s) }),
)

var eventColumns = newTable(EventsFile, "pqEvent",
	addr("victim", "the victim's address", func(e *EventRow) *netip.Addr { return &e.Victim }),
	enum("class", "`backscatter-to-0` or `backscatter-from-0`", func(e *EventRow) *label.Class { return &e.Class }),
	enumOf("proto", "the replies' protocol, as in packets", func(e *EventRow) *uint8 { return &e.Proto }, ProtoName, parseProto),
	timestamp("start", "the first reply's time", func(e *EventRow) *int64 { return &e.Start }),
	timestamp("end", "the last reply's time", func(e *EventRow) *int64 { return &e.End }),
	float("duration_s", "end − start, in seconds", func(e *EventRow) *float64 { return &e.DurationS }),
	integer("packets", "the replies", func(e *EventRow) *int64 { return &e.Packets }),
	float("peak_pps", "the busiest minute's packets / 60", func(e *EventRow) *float64 { return &e.PeakPPS }),
	unsigned("service_port", "the attacked service, for replies to port 0; 0 otherwise", func(e *EventRow) *uint16 { return &e.ServicePort }),
	float("observed_pps", "packets / max(duration, 1 s)", func(e *EventRow) *float64 { return &e.ObservedPPS }),
	float("estimated_attack_pps", "observed × 2^32 / telescope size", func(e *EventRow) *float64 { return &e.EstimatedAttackPPS }),
	str("victim_stack", "the victim's stack as its replies tell it (below): `linux`, `windows`, `bsd`, `linux-or-bsd`, `not-bsd` or `unknown`", func(e *EventRow) *string { return &e.VictimStack }),
)

var bundleColumns = newTable(BundlesFile, "pqBundle",
	addr("src", "the prober", func(b *BundleRow) *netip.Addr { return &b.Src }),
	addr("dst", "the probed address", func(b *BundleRow) *netip.Addr { return &b.Dst }),
	timestamp("start", "the first probe's time", func(b *BundleRow) *int64 { return &b.Start }),
	timestamp("end", "the last probe's time", func(b *BundleRow) *int64 { return &b.End }),
	float("duration_s", "end − start, in seconds", func(b *BundleRow) *float64 { return &b.DurationS }),
	text("probes", "the distinct probe shapes, space-separated", func(b *BundleRow) string { return b.Probes.String() },
		func(b *BundleRow, s string) (err error) { b.Probes, err = classify.ParseProbeSet(s); return err }),
	text("order", "the probes as sent, the first 16, space-separated", func(b *BundleRow) string { return probeOrder(b.Order) },
		func(b *BundleRow, s string) (err error) { b.Order, err = parseProbeOrder(s); return err }).plain(),
	count("distinct", "distinct probe shapes", func(b *BundleRow) *int { return &b.Distinct }),
	str("distinguishes", "what the probe set can tell apart (below)", func(b *BundleRow) *string { return &b.Distinguishes }),
)

// Version is the version of the tables' layout, which summary.json
// states (tables_version): 2 since timeseries' first column is `start`
// (it was `hour`, whatever the interval); the readers read version 1's
// files too.
const Version = 2

var seriesColumns = newTable(SeriesFile, "pqSeries",
	timestamp("start", "the interval's start, to the second (called `hour` before port0 tables version 2; files with that name still read)",
		func(s *SeriesRow) *int64 { return &s.Start }).toTheSecond().was("hour"),
	text("class", "`all` for all traffic, then each port-0 class with packets in the interval", seriesClass,
		func(s *SeriesRow, f string) error { return parseSeriesClass(f, s) }),
	integer("packets", "packets in the interval", func(s *SeriesRow) *int64 { return &s.Packets }),
	integer("sources", "distinct sources: exact for port-0 classes, HyperLogLog for `all`", func(s *SeriesRow) *int64 { return &s.Sources }),
)
