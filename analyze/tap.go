package analyze

import (
	"net/netip"
)

// tap is the study's side of the scan of one file, one per file worker:
// the spool of the file's port-0-related packets and the mergeable
// all-traffic numbers the study compares against (hourly packets and
// distinct sources, the destination range, the naive flow view), which
// the file's parts add up (see part.tap and scanner.merge).
type tap struct {
	spool *spoolWriter
	file  uint32
	hours map[int64]*HourAll
	dst   dstRange
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

// dstRange is the smallest and largest IPv4 destination seen, from which
// the telescope prefix is inferred.
type dstRange struct {
	Min, Max uint32
	Seen     bool
}

func (d *dstRange) add(a uint32) {
	if !d.Seen || a < d.Min {
		d.Min = a
	}
	if !d.Seen || a > d.Max {
		d.Max = a
	}
	d.Seen = true
}

func (d *dstRange) merge(o dstRange) {
	if o.Seen {
		d.add(o.Min)
		d.add(o.Max)
	}
}

// prefix is the longest IPv4 prefix holding every destination seen.
func (d *dstRange) prefix() netip.Prefix {
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

func (n *NaiveFlow) add(r *Record) {
	s, d := NaiveFlowPorts(r)
	if s != 0 && d != 0 {
		return
	}
	n.Packets++
	switch {
	case r.Ports == PortsPresent:
		n.Port0++
	case r.Ports == PortsNonFirstFragment:
		n.NonFirstFragment++
	case r.Ports == PortsShortFirstFragment:
		n.ShortFirst++
	case r.ICMP:
		n.ICMP++
	case r.Ports == PortsNone:
		n.OtherProto++
	default:
		n.Truncated++
	}
}

// startFile readies the tap for input index i, spooling into spool.
func (t *tap) startFile(i int, spool *spoolWriter) {
	t.file = uint32(i)
	t.spool = spool
	t.hours = map[int64]*HourAll{}
	t.dst = dstRange{}
	t.naive = NaiveFlow{}
}

// mergeInto adds the file's all-traffic numbers to the summary. The merges
// are sums and maxima, so the order files finish in does not matter. An
// hour the summary does not have yet takes the file's counters, which the
// tap gives up (startFile makes new ones).
func (t *tap) mergeInto(sum *Summary) {
	for h, a := range t.hours {
		b := sum.hours[h]
		if b == nil {
			sum.hours[h] = a
			continue
		}
		b.add(a)
	}
	t.hours = nil
	sum.dst.merge(t.dst)
	sum.NaiveFlow.Add(&t.naive)
}
