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
