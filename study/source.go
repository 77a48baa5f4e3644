package study

import (
	"net/netip"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/sketch"
)

// Source is everything the study keeps about one port-0 source: counts
// that merge, and a few small summaries. Its size does not depend on how
// many packets it sent.
type Source struct {
	Addr        netip.Addr
	First, Last int64
	Packets     int64
	Bytes       int64
	Shapes      [classify.NumShapes]int64
	Probes      classify.ProbeSet // the probe shapes seen
	Bundles     int64             // fingerprint bundles sent
	Dsts        sketch.Distinct   // exact up to sketch.ExactMax, HyperLogLog above
	// toolCounts are the header counts the tool rules read, over all
	// the source's packets; cand the same over its tool-candidate
	// packets alone (no DF, TCP or UDP with at most 4 payload bytes: what
	// every tool's port-0 probe is), kept from the first packet that is
	// not one (nil while every packet is): the coherent subset of an
	// address a scanner shares with a client (a NAT).
	toolCounts
	cand   *toolCounts
	lastIv int64 // the interval of the latest packet (Part's memory estimate)
	sourceTops
	Class      label.Class
	Tool       label.Tool
	NmapShapes int    // distinct T2–T7 shapes
	toolEv     string // what decided Tool (toolEvidence), set with it by decide
	flow       bool   // the records stand for flows (Options.Flows): no IP ID, maybe no TTL
	sourceBundles
	scanRevisits
}

// sourceTops are a source's most frequent destination ports, source
// ports and TCP flag combinations.
type sourceTops struct {
	DstPorts topK
	SrcPorts topK
	FlagMix  topK
}

// sourceBundles are a source's fingerprint bundles as they are made.
type sourceBundles struct {
	// open holds the source's fingerprint bundles that may still grow, by
	// target (nil until its first probe); windows the times its kept
	// bundles span, by target (nil until one is kept).
	open map[netip.Addr]*Bundle
	// expireAt is the number of open bundles past which the next expiry
	// pass runs (0: maxOpenBundles): twice what the last pass left, so
	// a source whose bundles are all recent costs an amortised O(1) a
	// packet, not a pass over them each.
	expireAt int
	windows  map[netip.Addr][]window
}

// scanRevisits is what tells a scanner from a client that retries: how
// often a source's scanning-shaped packets come back to a destination.
type scanRevisits struct {
	// ScanShaped counts the packets of scanning shapes
	// (classify.ShapeClass is label.Scan); scanDsts holds their first
	// Options.ScanMinDsts distinct destinations. retry says they revisit
	// fewer, each RetryRevisits times on average (set by decide): the
	// source's scanning-shaped packets are retry, whatever its class (an
	// address behind a NAT may host a retrying client and another).
	ScanShaped int64
	scanDsts   []netip.Addr
	retry      bool
	// scanRetx counts the scanning-shaped packets to a destination seen
	// before that are a tool's own retransmission (retx): Nmap's try 2
	// or later, with its try number in the sequence number or the source
	// port (nmapTries). A scanner with default retries probes each
	// target twice; that is not a client coming back.
	scanRetx int64
}

// addScanDst counts a scanning-shaped packet to dst, keeping up to max
// distinct destinations.
func (s *Source) addScanDst(dst netip.Addr, max int64) {
	s.ScanShaped++
	if int64(len(s.scanDsts)) >= max {
		return
	}
	for _, d := range s.scanDsts {
		if d == dst {
			if s.retx {
				s.scanRetx++
			}
			return
		}
	}
	s.scanDsts = append(s.scanDsts, dst)
}

// topK keeps the k most frequent values approximately (Misra–Gries), in a
// fixed size.
type topK struct {
	v [4]uint16
	n [4]int64
}

func (t *topK) add(v uint16) {
	for i := range t.v {
		if t.n[i] > 0 && t.v[i] == v {
			t.n[i]++
			return
		}
	}
	for i := range t.v {
		if t.n[i] == 0 {
			t.v[i], t.n[i] = v, 1
			return
		}
	}
	for i := range t.n {
		t.n[i]--
	}
}

// top returns the most frequent value and whether there is one.
func (t *topK) top() (uint16, bool) {
	best := -1
	for i := range t.v {
		if t.n[i] > 0 && (best < 0 || t.n[i] > t.n[best] || t.n[i] == t.n[best] && t.v[i] < t.v[best]) {
			best = i
		}
	}
	if best < 0 {
		return 0, false
	}
	return t.v[best], true
}

func (s *Source) add(p *scan.P0Packet) {
	if s.Packets == 0 || p.TS < s.First {
		s.First = p.TS
	}
	if p.TS > s.Last {
		s.Last = p.TS
	}
	s.Packets++
	s.Bytes += int64(p.Length)
	s.Shapes[p.Shape]++
	if p.Probe != classify.ProbeNone {
		s.Probes.Add(p.Probe)
	}
	s.Dsts.Add(p.Dst)
	if p.Proto == decode.ProtoTCP {
		s.FlagMix.add(p.Flags)
	}
	if p.Proto == decode.ProtoTCP || p.Proto == decode.ProtoUDP {
		s.DstPorts.add(p.DstPort)
		s.SrcPorts.add(p.SrcPort)
	}
	cand := toolCandidate(p)
	if !cand && s.cand == nil {
		// Every packet before was a candidate: the subset's counts are
		// the source's so far.
		c := s.toolCounts
		s.cand = &c
	}
	s.toolCounts.add(p)
	if cand && s.cand != nil {
		s.cand.add(p)
	}
}

// decide sets the source's class and tool from what it sent: a
// fingerprinter if it sent a bundle; else the class most of its packets'
// shapes imply, where scanning-shaped packets that revisit fewer than
// opts.ScanMinDsts destinations are retry.
func (s *Source) decide(opts Options) {
	for p := classify.ProbeT2; p <= classify.ProbeT7; p++ {
		if s.Probes.Has(p) {
			s.NmapShapes++
		}
	}
	if s.Bundles > 0 {
		s.Class = label.Fingerprint
	} else {
		var votes [16]int64
		for sh, n := range s.Shapes {
			votes[classify.ShapeClass(classify.Shape(sh))] += n
		}
		best := label.Unknown
		for c := label.Class(1); c < 16; c++ {
			if votes[c] > votes[best] {
				best = c
			}
		}
		s.Class = best
		if d := int64(len(s.scanDsts)); d > 0 && d < opts.ScanMinDsts && s.ScanShaped-s.scanRetx >= RetryRevisits*d {
			s.retry = true
			if best == label.Scan {
				s.Class = label.Retry
			}
		}
	}
	if opts.Flows {
		s.Tool, s.toolEv, s.flow = label.ToolUnknown, NotInFormat, true
		return
	}
	s.Tool, s.toolEv = s.toolEvidence()
}
