package scan

import (
	"strconv"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
)

// tally is the hot-path form of Counts: fixed arrays, no maps.
type tally struct {
	packets, bytes, snapped int64
	links                   [8]linkCount // link types seen, in order of appearance
	moreLinks               []linkCount  // beyond len(links): rare, may allocate
	nLinks                  int
	linkResults             [5]int64 // by LinkResult
	ipv4, ipv6              int64
	ports                   [7]int64 // by PortsKind
	port0                   Port0Counts
	icmp0                   int64
	first, nonFirst         int64
	orphans, evictions      int64
	trunc                   TruncatedCounts
	reasons                 [decode.NumReasons]int64
	encaps, encaps0         [decode.NumEncaps]int64 // tunneled packets and tunneled port 0, by Encap
	icmp0Tunneled           int64
	notes                   [decode.NumNotes]int64
}

type linkCount struct {
	link capture.LinkType
	n    int64
}

func (t *tally) reset() {
	m := t.moreLinks[:0]
	*t = tally{moreLinks: m}
}

// add counts one decoded packet but for its link type, which the caller
// counts (t.link or t.linkN: a pcap chunk has one). Its fragments are
// counted here; the fragment table is fed by the caller.
func (t *tally) add(p *capture.Packet, r *decode.Record) {
	t.packets++
	t.bytes += int64(len(p.Data))
	if int64(p.OrigLen) > int64(len(p.Data)) {
		t.snapped++
	}
	if int(r.Link) < len(t.linkResults) {
		t.linkResults[r.Link]++
	}
	switch r.IPVersion {
	case 4:
		t.ipv4++
	case 6:
		t.ipv6++
	}
	if int(r.Ports) < len(t.ports) {
		t.ports[r.Ports]++
	}
	if r.Reason != decode.ReasonNone && r.Reason < decode.NumReasons {
		t.reasons[r.Reason]++
		if r.Reason == decode.ReasonTruncated {
			t.truncated(r)
		}
	}
	if r.Note != decode.NoteNone && r.Note < decode.NumNotes {
		t.notes[r.Note]++
	}
	quote0 := r.Inner.Ports == decode.PortsPresent && r.Inner.Port0 >= decode.Port0Src
	switch {
	case r.Encap != decode.EncapNone && r.Encap < decode.NumEncaps:
		t.encaps[r.Encap]++
		if r.Port0 >= decode.Port0Src {
			t.encaps0[r.Encap]++
		}
		if quote0 {
			t.icmp0Tunneled++
		}
	case r.Port0 >= decode.Port0Src:
		t.port0Packet(r)
	case quote0:
		t.icmp0++
	}
	switch r.Frag {
	case decode.FragFirst:
		t.first++
	case decode.FragNonFirst:
		t.nonFirst++
	}
}

// addPlain is add for a packet (*part).plain takes: what add counts for
// the Record Decode would make of it (link OK, IPv4, ports present, no
// reason, no port 0, no fragment). A counter add keeps for every packet
// belongs here too.
func (t *tally) addPlain(p *capture.Packet) {
	t.packets++
	t.bytes += int64(len(p.Data))
	if int64(p.OrigLen) > int64(len(p.Data)) {
		t.snapped++
	}
	t.linkResults[decode.LinkOK]++
	t.ipv4++
	t.ports[decode.PortsPresent]++
}

// merge adds the counts of o to t (the orphans and evictions, which only
// the file's fragment table knows, excepted).
func (t *tally) merge(o *tally) {
	t.packets += o.packets
	t.bytes += o.bytes
	t.snapped += o.snapped
	for _, l := range o.links[:o.nLinks] {
		t.linkN(l.link, l.n)
	}
	for _, l := range o.moreLinks {
		t.linkN(l.link, l.n)
	}
	for i, n := range o.linkResults {
		t.linkResults[i] += n
	}
	t.ipv4 += o.ipv4
	t.ipv6 += o.ipv6
	for i, n := range o.ports {
		t.ports[i] += n
	}
	t.port0.Add(&o.port0)
	t.icmp0 += o.icmp0
	for i := range o.encaps {
		t.encaps[i] += o.encaps[i]
		t.encaps0[i] += o.encaps0[i]
	}
	t.icmp0Tunneled += o.icmp0Tunneled
	for i, n := range o.notes {
		t.notes[i] += n
	}
	t.first += o.first
	t.nonFirst += o.nonFirst
	t.trunc.Add(&o.trunc)
	for i, n := range o.reasons {
		t.reasons[i] += n
	}
}

func (t *tally) port0Packet(r *decode.Record) {
	c := &t.port0
	c.Total++
	switch {
	case r.Proto == decode.ProtoTCP && r.IPVersion == 4:
		c.TCPv4++
	case r.Proto == decode.ProtoTCP:
		c.TCPv6++
	case r.IPVersion == 4:
		c.UDPv4++
	default:
		c.UDPv6++
	}
	switch r.Port0 {
	case decode.Port0Src:
		c.SrcOnly++
	case decode.Port0Dst:
		c.DstOnly++
	default:
		c.Both++
	}
	if r.Frag == decode.FragFirst {
		c.FirstFragments++
	}
	if r.Reason != decode.ReasonNone && r.Reason != decode.ReasonTruncated {
		c.Malformed++
	}
	if r.PortsCut() {
		c.CutHeader++
	}
}

func (t *tally) truncated(r *decode.Record) {
	c := &t.trunc
	c.Total++
	switch {
	case r.Link == decode.LinkTruncated:
		c.Link++
	case r.IPVersion == 0:
		c.IP++
	case r.Ports == decode.PortsTruncated && r.PortsCut():
		c.AfterPortFields++
	case r.Ports == decode.PortsTruncated:
		c.BeforePorts++
	case r.Ports == decode.PortsPresent:
		c.AfterPorts++
	default:
		c.Other++
	}
}

// keyOf returns the datagram key of a fragment.
func keyOf(r *decode.Record) fragKey {
	k := fragKey{src: r.Src.As16(), dst: r.Dst.As16(), id: r.IPID, ver: r.IPVersion}
	if r.IPVersion == 4 {
		k.proto = r.Proto
	}
	return k
}

func (t *tally) link(l capture.LinkType) {
	if t.nLinks > 0 && t.links[0].link == l {
		t.links[0].n++
		return
	}
	t.linkN(l, 1)
}

// linkN counts n packets of link type l.
func (t *tally) linkN(l capture.LinkType, n int64) {
	for i := range t.nLinks {
		if t.links[i].link == l {
			t.links[i].n += n
			return
		}
	}
	if t.nLinks < len(t.links) {
		t.links[t.nLinks] = linkCount{l, n}
		t.nLinks++
		return
	}
	for i := range t.moreLinks {
		if t.moreLinks[i].link == l {
			t.moreLinks[i].n += n
			return
		}
	}
	t.moreLinks = append(t.moreLinks, linkCount{l, n})
}

// counts adds the tally to c (whose maps must not be nil).
func (t *tally) counts(c *Counts) {
	c.Packets += t.packets
	c.CapturedBytes += t.bytes
	c.Snapped += t.snapped
	unsupported := t.linkResults[decode.LinkUnsupported] > 0
	for _, l := range append(t.links[:t.nLinks:t.nLinks], t.moreLinks...) {
		k := strconv.Itoa(int(l.link))
		c.LinkTypes[k] += l.n
		if unsupported && !knownLink(l.link) {
			c.UnsupportedLinkTypes[k] += l.n
		}
	}
	for i, n := range t.linkResults {
		if n > 0 {
			c.Links[decode.LinkResult(i).String()] += n
		}
	}
	c.IPv4 += t.ipv4
	c.IPv6 += t.ipv6
	for i, n := range t.ports {
		if i == int(decode.PortsPresent) {
			c.WithPorts += n
		} else if n > 0 {
			c.NoPorts[decode.PortsKind(i).String()] += n
		}
	}
	c.Port0.Add(&t.port0)
	c.ICMPQuotingPort0 += t.icmp0
	for i, n := range t.encaps {
		if n == 0 {
			continue // encaps0[i] <= encaps[i]
		}
		k := decode.Encap(i).String()
		c.Tunneled.Packets += n
		c.Tunneled.ByEncap[k] += n
		if n0 := t.encaps0[i]; n0 > 0 {
			c.Tunneled.Port0 += n0
			c.Tunneled.Port0ByEncap[k] += n0
		}
	}
	c.Tunneled.ICMPQuotingPort0 += t.icmp0Tunneled
	for i, n := range t.notes {
		if n > 0 {
			c.Notes[decode.Note(i).String()] += n
		}
	}
	c.Fragments.Add(&FragmentCounts{First: t.first, NonFirst: t.nonFirst, OrphanNonFirst: t.orphans, TableEvictions: t.evictions})
	c.Truncated.Add(&t.trunc)
	for i, n := range t.reasons {
		if n > 0 && decode.Reason(i) != decode.ReasonTruncated {
			c.Malformed[decode.Reason(i).String()] += n
		}
	}
}

// knownLink reports whether the fast decoder understands link type l.
func knownLink(l capture.LinkType) bool {
	var r decode.Record
	r.Decode(l, nil)
	return r.Link != decode.LinkUnsupported
}
