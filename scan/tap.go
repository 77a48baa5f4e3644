package scan

import (
	"net/netip"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/sketch"
)

// tap is the study's side of the scan of one file, one per file worker:
// the file's port-0 records and the mergeable
// all-traffic numbers the study compares against (hourly packets and
// distinct sources, the destination range, the naive flow view), which
// the file's parts add up (see part.tap and scanner.merge).
type tap struct {
	spill *spill
	seg   *segment // the file's port-0 records
	file  uint32
	hours map[int64]*HourAll
	dst   DstRange
	naive NaiveFlow
	slab  []HourAll // where the hours' numbers are kept, hourSlab at a time
}

// hourSlab is how many hours' numbers a tap allocates at once.
const hourSlab = 256

// newHour returns a copy of a kept in the tap's slab.
func (t *tap) newHour(a *HourAll) *HourAll {
	if len(t.slab) == cap(t.slab) {
		t.slab = make([]HourAll, 0, hourSlab)
	}
	t.slab = append(t.slab, *a)
	return &t.slab[len(t.slab)-1]
}

// HourAll is all traffic in one hour: packets and distinct sources.
type HourAll struct {
	Packets int64
	Sources sketch.HLL
}

// Add merges o into a: packets add up, sketches take the register-wise
// maximum.
func (a *HourAll) Add(o *HourAll) {
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
	t.hours = map[int64]*HourAll{}
	t.dst = DstRange{}
	t.naive = NaiveFlow{}
}

// mergeInto adds the file's all-traffic numbers to the result. The merges
// are sums and maxima, so the order files finish in does not matter. An
// hour the result does not have yet takes the file's counters, which the
// tap gives up (startFile makes new ones).
func (t *tap) mergeInto(res *Result) {
	for h, a := range t.hours {
		b := res.Hours[h]
		if b == nil {
			res.Hours[h] = a
			continue
		}
		b.Add(a)
	}
	t.hours = nil
	res.Dst.Merge(t.dst)
	res.NaiveFlow.Add(&t.naive)
}
