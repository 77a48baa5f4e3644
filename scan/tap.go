package scan

import (
	"net/netip"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/sketch"
)

// tap is the study's side of the scan of one file, one per file worker:
// the file's port-0 records and the mergeable all-traffic numbers the
// study compares against (packets and distinct sources per interval, the
// destination range, the naive flow view), which the file's parts add up
// (see part.tap and scanner.merge).
type tap struct {
	spill     *spill
	seg       *segment // the file's port-0 records
	file      uint32
	intervals Intervals // by interval index (start / interval)
	dst       DstRange
	naive     NaiveFlow
}

// IntervalAll is all traffic in one interval (Options.Interval): packets
// and distinct sources. The sketch's memory follows the sources seen
// (sketch.Compact): 2 bytes a register set up to 256 of them, 1 KiB past.
type IntervalAll struct {
	Packets int64
	Sources sketch.Compact
}

// Add merges o into a: packets add up, sketches take the register-wise
// maximum.
func (a *IntervalAll) Add(o *IntervalAll) {
	a.Packets += o.Packets
	a.Sources.Merge(&o.Sources)
}

// DstRange is the smallest and largest IPv4 destination seen, from which
// the telescope prefix is inferred.
type DstRange struct {
	Min, Max uint32
	Seen     bool
}

func (d *DstRange) add(a uint32) {
	if !d.Seen || a < d.Min {
		d.Min = a
	}
	if !d.Seen || a > d.Max {
		d.Max = a
	}
	d.Seen = true
}

// Merge widens d to hold o.
func (d *DstRange) Merge(o DstRange) {
	if o.Seen {
		d.add(o.Min)
		d.add(o.Max)
	}
}

// Prefix is the longest IPv4 prefix holding every destination seen;
// invalid when none was.
func (d *DstRange) Prefix() netip.Prefix {
	if !d.Seen {
		return netip.Prefix{}
	}
	bits := 32
	for bits > 0 && d.Min>>(32-bits) != d.Max>>(32-bits) {
		bits--
	}
	a := netip.AddrFrom4([4]byte{byte(d.Min >> 24), byte(d.Min >> 16), byte(d.Min >> 8), byte(d.Min)})
	p, _ := a.Prefix(bits)
	return p
}

// NaiveFlow is the port-0 volume a NetFlow/IPFIX view would report (a
// packet whose flow source or destination port is 0), split by what the
// packet really is. The packet-level analyzer counts only Port0.
type NaiveFlow struct {
	Packets          int64 `json:"packets"`            // all packets the flow view calls port 0
	Port0            int64 `json:"real_port0"`         // a real TCP/UDP port 0
	NonFirstFragment int64 `json:"non_first_fragment"` // no transport header: exported as 0/0
	ShortFirst       int64 `json:"short_first_fragment"`
	ICMP             int64 `json:"icmp_type_code"` // ICMP type/code in the port fields (echo reply reads as 0/0)
	OtherProto       int64 `json:"other_protocol"` // protocols without ports: 0/0
	Truncated        int64 `json:"truncated"`      // ports not captured
	// Undecidable counts the packets of flows whose format cannot tell a
	// real port 0 from a packet without ports (flow inputs only: a
	// capture's packets always tell).
	Undecidable int64 `json:"undecidable,omitempty"`
}

// Add merges o into n.
func (n *NaiveFlow) Add(o *NaiveFlow) {
	n.Packets += o.Packets
	n.Port0 += o.Port0
	n.NonFirstFragment += o.NonFirstFragment
	n.ShortFirst += o.ShortFirst
	n.ICMP += o.ICMP
	n.OtherProto += o.OtherProto
	n.Truncated += o.Truncated
	n.Undecidable += o.Undecidable
}

func (n *NaiveFlow) add(r *decode.Record) {
	s, d := classify.NaiveFlowPorts(r)
	if s != 0 && d != 0 {
		return
	}
	n.Packets++
	switch {
	case r.Ports == decode.PortsPresent:
		n.Port0++
	case r.Ports == decode.PortsNonFirstFragment:
		n.NonFirstFragment++
	case r.Ports == decode.PortsShortFirstFragment:
		n.ShortFirst++
	case r.ICMP:
		n.ICMP++
	case r.Ports == decode.PortsNone:
		n.OtherProto++
	default:
		n.Truncated++
	}
}

// startFile readies the tap for input index i, whose records go to seg.
func (t *tap) startFile(i int, seg *segment) {
	t.file = uint32(i)
	t.seg = seg
	t.intervals = Intervals{}
	t.dst = DstRange{}
	t.naive = NaiveFlow{}
}

// mergeInto adds the file's all-traffic numbers to the result. The merges
// are sums and maxima, so the order files finish in does not matter. The
// file's blocks of intervals the result does not have yet move to it
// whole (Intervals.merge).
func (t *tap) mergeInto(res *Result) {
	res.Intervals.merge(&t.intervals)
	res.Dst.Merge(t.dst)
	res.NaiveFlow.Add(&t.naive)
}
