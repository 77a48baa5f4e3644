package study

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/sketch"
	"github.com/port0/port0/tables"
)

// Options are the parameters of the port-0 study (flags of port0
// analyze), with documented defaults.
type Options struct {
	// Telescope is the watched prefix; invalid means infer it from the
	// destinations of all traffic.
	Telescope netip.Prefix
	// EventTimeout splits a victim's backscatter into events (Moore et al.:
	// 5 minutes).
	EventTimeout time.Duration
	// EventMinPackets and EventMinDuration: an event is kept when it has at
	// least this many packets or lasts at least this long.
	EventMinPackets  int64
	EventMinDuration time.Duration
	// BundleGap is the longest gap between two probes of one fingerprint
	// bundle (same source, same target).
	BundleGap time.Duration
	// BundleMinProbes is how many distinct probe shapes make a bundle.
	BundleMinProbes int
	// ScanMinDsts is the breadth that makes a scanner: a source whose
	// packets look like scanning but reach fewer distinct destinations,
	// each revisited (at least RetryRevisits packets a destination on
	// average), is a retry source (label.Retry), not a scanner. The
	// default, 8, leaves room for a few retrying clients behind one
	// NAT address, each with its own few destinations; a scanner that
	// reaches a /15 telescope at fewer than 8 addresses and probes each
	// twice is called retry.
	ScanMinDsts int64
	// Flows says the records stand for flows (package flows), not
	// captured packets: flows keep no IP ID, window, TCP options or
	// payload, so no tool is named, and tool_evidence says so
	// (NotInFormat) rather than guess from fields that are not there.
	Flows bool
}

// NotInFormat is the tool evidence of a source of flow records: the tool
// rules read header fields no flow format keeps.
const NotInFormat = "not-in-this-format (flows keep no IP ID, window, TCP options or payload)"

// RetryRevisits is how many packets a destination, on average, make a
// source of scanning shapes that reaches fewer than ScanMinDsts
// destinations a retry source: a scanner seen by a telescope reaches
// each address about once (its probes are spread over the Internet; ZMap
// and Masscan send one probe a target by default), a client retrying or
// misconfigured sends again and again to the same few.
const RetryRevisits = 2

// MaxScanMinDsts bounds Options.ScanMinDsts: a source keeps up to that
// many destinations of its scanning-shaped packets, exactly.
const MaxScanMinDsts = 1024

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{
		EventTimeout:     5 * time.Minute,
		EventMinPackets:  100,
		EventMinDuration: 60 * time.Second,
		BundleGap:        60 * time.Second,
		BundleMinProbes:  3,
		ScanMinDsts:      8,
	}
}

// Check reports the first option out of its range, naming the flag of
// port0 analyze that sets it.
func (o Options) Check() error {
	switch {
	case o.EventTimeout <= 0:
		return fmt.Errorf("-event-timeout %v: want a positive duration", o.EventTimeout)
	case o.EventMinPackets < 1:
		return fmt.Errorf("-event-min-packets %d: want at least 1", o.EventMinPackets)
	case o.EventMinDuration < 0:
		return fmt.Errorf("-event-min-duration %v: want 0 or more", o.EventMinDuration)
	case o.BundleGap <= 0:
		return fmt.Errorf("-bundle-gap %v: want a positive duration", o.BundleGap)
	case o.BundleMinProbes < 1:
		return fmt.Errorf("-bundle-min-probes %d: want at least 1", o.BundleMinProbes)
	case o.ScanMinDsts < 1 || o.ScanMinDsts > MaxScanMinDsts:
		return fmt.Errorf("-scan-min-dsts %d: want 1 to %d", o.ScanMinDsts, MaxScanMinDsts)
	}
	return nil
}

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
	cand       *toolCounts
	lastIv     int64 // the interval of the latest packet (Part's memory estimate)
	DstPorts   topK
	SrcPorts   topK
	FlagMix    topK
	Class      label.Class
	Tool       label.Tool
	NmapShapes int // distinct T2–T7 shapes
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
	toolEv   string // what decided Tool (toolEvidence), set with it by decide
	flow     bool   // the records stand for flows (Options.Flows): no IP ID, maybe no TTL
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

// toolCounts are the counts and the per-packet state the tool rules
// read (toolCounts.evidence).
type toolCounts struct {
	pk int64 // packets counted
	// TProbes counts the packets of Nmap's T2–T7 shapes, NmapTOpts those
	// of them with Nmap's T2–T7 options (scan.P0Packet.NmapOpts).
	TProbes, NmapTOpts int64
	// HpingUDP counts UDP as hping3 -2 sends it by default: an empty
	// datagram with a checksum, no DF, from a port in 1024–3023
	// (initsport = 1024 + rand() % 2000, main.c), outside every OS's
	// default ephemeral range.
	HpingUDP  int64
	TCP, UDP  int64
	InitTTL   [4]int64 // packets by inferred initial TTL: 32, 64, 128, 255
	ZMapID    int64    // IP ID 54321
	MasscanID int64    // IP ID = (dst ^ dport ^ seq) & 0xffff
	PlusOneID int64    // IP ID = previous + 1
	SameID    int64    // IP ID = previous
	IDPairs   int64    // packets with a previous one to compare
	MiraiSeq  int64    // TCP seq = destination address
	Win65535  int64    // TCP window 65535 (ZMap's SYN probes)
	SameSeq   int64    // TCP seq = the previous TCP packet's, or its XOR with it is Nmap's try-number encoding (t<<16 | t): one a scan, its retries included
	DF        int64    // IPv4 Don't Fragment set
	HpingTCP  int64    // TCP as hping3 crafts it: window 512, ack ≠ 0 without ACK, no options, no DF
	HpingAck  int64    // the same with any window (hping3 -w): ack ≠ 0 without ACK, no options, no DF
	NmapSYN   int64    // TCP as Nmap's -sS crafts it: SYN only, window 1024, MSS alone, no DF
	SportRise int64    // source port 1–16 above the previous packet's (hping3 without -k)
	SportUp   int64    // source port 1–4095 above the previous packet's: rising, with the gaps a sampling telescope leaves
	ZMapSYN   int64    // TCP as ZMap ≥ 4.1 crafts it: SYN only, window 65535, its "windows" options, no DF
	UDPSum0   int64    // UDP without a checksum (ZMap's UDP probes)
	EmptyUDP  int64    // UDP as Masscan and Nmap send it to port 0: no payload, a checksum, no DF, from the first packet's source port or 16 from it
	NmapUDP   int64    // the same from within 15 ports of the first packet's (Nmap's retries: base port + try number)
	// The masscan subset: no-DF TCP packets by inferred initial TTL
	// (32, 64, 128, 255), and those of them with Masscan's IP ID. One
	// band of a NAT address can be a Masscan while another is a client.
	mcTCP, mcID [4]int64
	firstSport  uint16
	sportPair   bool  // an EmptyUDP packet came from the other port of the pair (Masscan since 2023-11)
	SameTTL     int64 // TCP/UDP packets with the TTL of the packet before (IDPairs counts the pairs)
	prevTTL     uint8
	ttlMin      uint8 // lowest and highest TTL of its TCP/UDP packets
	ttlMax      uint8
	prevSeq     uint32
	prevID      uint32
	prevSport   uint16
	// The Nmap scans of the source, up to maxScans, one per process:
	// the first sequence number of each (TCP) and its base source port
	// (UDP). A packet of one of them is counted in SameSeq or NmapUDP.
	seqBases  [maxScans]uint32
	nSeqBases int
	sportBase [maxScans]uint16
	nSportB   int
	// retx says the latest packet is an Nmap retransmission: its
	// sequence number a known scan's XOR a try number (TCP), or its
	// source port 1–15 from a known scan's base with a TTL other than
	// the packet before's (UDP).
	retx bool
}

// maxScans is how many Nmap scans (processes) at once the rules follow
// from one address: each has its own sequence mask and base port.
const maxScans = 4

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

// toolCandidate says whether p may be a tool's port-0 probe: TCP or UDP
// with at most 4 payload bytes (ZMap's, Masscan's, Nmap's and hping3's
// are empty or ZMap's --probe-args), without DF (no tool sets it; every
// OS stack does on its SYNs). A client behind the same NAT (a desktop's
// SYNs with DF, BitTorrent's DHT and uTP datagrams, DNS, NTP or syslog
// with their payloads) sends none.
func toolCandidate(p *scan.P0Packet) bool {
	if p.DF {
		return false
	}
	switch p.Proto {
	case decode.ProtoTCP:
		return true
	case decode.ProtoUDP:
		return p.Length <= 20+8+4
	}
	return false
}

func (s *toolCounts) add(p *scan.P0Packet) {
	s.pk++
	s.retx = false
	if p.Probe >= classify.ProbeT2 && p.Probe <= classify.ProbeT7 {
		s.TProbes++
		if p.NmapOpts {
			s.NmapTOpts++
		}
	}
	switch p.Proto {
	case decode.ProtoTCP:
		s.TCP++
		if p.Dst.Is4() && p.Seq == addrU32(p.Dst) {
			s.MiraiSeq++
		}
		if p.AckNoACK && !p.TCPOpts && !p.DF {
			s.HpingAck++
			if p.Window == 512 {
				s.HpingTCP++
			}
		}
		switch p.Window {
		case 1024:
			if p.Flags == decode.TCPFlagSYN && p.MSSOnly && !p.DF {
				s.NmapSYN++
			}
		case 65535:
			s.Win65535++
			if p.Flags == decode.TCPFlagSYN && p.ZMapOpts && !p.DF {
				s.ZMapSYN++
			}
		}
		// One sequence mask a scan: a packet whose number is a known
		// scan's, or its retry's (nmapTries), counts; else it may start
		// another scan (another nmap process at once), up to maxScans.
		matched := false
		for _, b := range s.seqBases[:s.nSeqBases] {
			if nmapTries(p.Seq ^ b) {
				matched, s.retx = true, p.Seq != b
				break
			}
		}
		if matched {
			s.SameSeq++
		} else if s.nSeqBases < maxScans {
			s.seqBases[s.nSeqBases] = p.Seq
			s.nSeqBases++
		}
		if !p.DF {
			b := ttlBand(p.TTL)
			s.mcTCP[b]++
			if p.Dst.Is4() && p.IPID == (addrU32(p.Dst)^uint32(p.DstPort)^p.Seq)&0xffff {
				s.mcID[b]++
			}
		}
		s.prevSeq = p.Seq
	case decode.ProtoUDP:
		s.UDP++
		if p.UDPSum0 {
			s.UDPSum0++
		}
		if s.UDP == 1 {
			s.firstSport = p.SrcPort
		}
		if p.Length == 28 && !p.DF && !p.UDPSum0 && p.SrcPort >= 1024 && p.SrcPort <= 3023 {
			s.HpingUDP++
		}
		if d := p.SrcPort - s.firstSport; p.Length == 28 && !p.DF && !p.UDPSum0 {
			if d == 0 || d == 16 || d == 0x10000-16 {
				s.EmptyUDP++
				if d != 0 {
					s.sportPair = true
				}
			}
			// Nmap's -sU: a base port a scan, its retries from the base
			// + the try number; another scan at once has its own base.
			matched := false
			for _, b := range s.sportBase[:s.nSportB] {
				if d := p.SrcPort - b; d <= 15 || d >= 0x10000-15 {
					// A retry's TTL is drawn anew (tcpip.cc); hping3's
					// ports count up by 1 with one TTL.
					matched, s.retx = true, d != 0 && s.UDP > 1 && p.TTL != s.prevTTL
					break
				}
			}
			if !matched && s.nSportB < maxScans {
				s.sportBase[s.nSportB] = p.SrcPort
				s.nSportB++
				matched = s.nSportB == 1 // the first scan's first packet counts, as before
			}
			if matched {
				s.NmapUDP++
			}
		}
	}
	if p.DF {
		s.DF++
	}
	s.InitTTL[ttlBand(p.TTL)]++
	if p.Proto == decode.ProtoTCP || p.Proto == decode.ProtoUDP {
		id := p.IPID
		if id == 54321 {
			s.ZMapID++
		}
		if p.Dst.Is4() && id == (addrU32(p.Dst)^uint32(p.DstPort)^p.Seq)&0xffff {
			s.MasscanID++
		}
		if s.TCP+s.UDP > 1 {
			s.IDPairs++
			if p.TTL == s.prevTTL {
				s.SameTTL++
			}
			s.ttlMin, s.ttlMax = min(s.ttlMin, p.TTL), max(s.ttlMax, p.TTL)
			switch id {
			case (s.prevID + 1) & 0xffff:
				s.PlusOneID++
			case s.prevID:
				s.SameID++
			}
			if d := p.SrcPort - s.prevSport; d >= 1 && d <= 16 {
				s.SportRise++
			}
			if d := p.SrcPort - s.prevSport; d >= 1 && d < 4096 {
				s.SportUp++
			}
		}
		if s.TCP+s.UDP == 1 {
			s.ttlMin, s.ttlMax = p.TTL, p.TTL
		}
		s.prevID, s.prevSport, s.prevTTL = id, p.SrcPort, p.TTL
	}
}

// ttlBand is the index in Source.InitTTL of the initial TTL inferred
// from ttl: 32, 64, 128, 255.
func ttlBand(ttl uint8) int {
	switch classify.InitialTTL(ttl) {
	case 32:
		return 0
	case 64:
		return 1
	case 128:
		return 2
	}
	return 3
}

// nmapTries says whether x, the XOR of two TCP sequence numbers of one
// source, is what Nmap's seq32_encode leaves between two tries of one
// scan: each try's sequence number is ((tryno << 16) + tryno) ^ seqmask,
// seqmask one random value a scan, so two first tries XOR to 0 and a
// first try and its retransmission to t<<16 | t with t the XOR of their
// try numbers (0x20002 for the retries of Nmap 7.93's -sS and -O,
// testdata/realtools/.matrix). A random pair of sequence numbers does so
// with a chance of 2^-26.
func nmapTries(x uint32) bool { return x>>16 == x&0xffff && x&0xffff < 64 }

func addrU32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
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

// toolEvidence tells the crafting tool from header fingerprints
// (docs/TOOLS.md sections 8 and 9): the tool they name, and the evidence
// that decided it, as sources.csv's tool_evidence writes it:
// space-separated features, each "name=count/of" (the packets that show
// it over those that could). A source the rules do not name says
// "no-match" and its IP ID pattern, initial TTL and packets; one without
// a TCP or UDP header, "no-tcp-udp". Each rule rests on fields a tool
// sets whatever its options, never on the TTL a flag changes, and a
// source must show the feature on 80 % of the packets that could.
//
// A source the study calls retry (label.Retry: it comes back to a few
// destinations) is named only on fields a tool crafts and no stack
// writes (Masscan's IP ID, Nmap's window and sequence numbers, hping3's
// ack without ACK or source port counting up a packet, ZMap's IP ID or
// options, a TTL changing a packet):
// a scanner sends a target one probe, a client retries, and the UDP
// rules' empty datagrams or missing checksum are what clients send too.
// Masscan is also named on a coherent subset of a shared (NAT) address:
// its no-DF TCP packets of one initial-TTL band, when they are most of
// the address's packets; the share is in the evidence (masscan-share).
func (s *Source) toolEvidence() (label.Tool, string) {
	retry := s.Class == label.Retry
	t, ev := s.toolCounts.rules(retry, s.NmapShapes)
	if t != label.ToolUnknown || s.cand == nil || s.cand.pk == 0 || 2*s.cand.pk < s.Packets {
		return t, ev
	}
	// A NAT address: the tool-candidate packets, half the address's or
	// more (its tool is what sent most), judged alone.
	if ct, cev := s.cand.rules(retry, 0); ct != label.ToolUnknown {
		return ct, cev + " " + evidence("tool-share", s.cand.pk, s.pk)
	}
	return t, ev
}

// rules are the tool rules over the counts s (toolEvidence): retry says
// the source is a retry source, nmapShapes how many of Nmap's T2–T7
// shapes it sent.
func (s *toolCounts) rules(retry bool, nmapShapes int) (label.Tool, string) {
	n := s.TCP + s.UDP
	if n == 0 {
		return label.ToolUnknown, "no-tcp-udp"
	}
	most := func(x, of int64) bool { return of > 0 && float64(x)/float64(of) >= 0.8 }
	ev := evidence
	noDF := s.pk - s.DF
	ttl64, ttl64ev := s.InitTTL[1], ev("ttl64", s.InitTTL[1], s.pk)
	// The masscan subset: the band whose no-DF TCP packets carry the
	// most Masscan IP IDs.
	mb := 0
	for b := range s.mcID {
		if s.mcID[b] > s.mcID[mb] {
			mb = b
		}
	}
	switch {
	case nmapShapes >= 2 && most(s.NmapTOpts, s.TProbes):
		// Nmap's OS detection: two of the T2–T7 (flags, window) pairs,
		// with the options sendT1_7Probe gives them (WS 10, NOP, MSS 265,
		// timestamp, SACK; WS 15 on T7: osscan2.cc prbOpts). The shapes
		// alone are what any prober may copy (hping3 -w 128, scapy).
		return label.Nmap, "nmap-t2-t7-shapes=" + strconv.Itoa(nmapShapes) + " " + ev("nmap-t-options", s.NmapTOpts, s.TProbes)
	case most(s.ZMapID, n) && (s.TCP == 0 || most(s.Win65535, s.TCP)):
		// ZMap up to 4.0: IP ID 54321 on every probe, SYN window 65535
		// (packet.c); the TTL is --probe-ttl's (255 by default).
		zmap := ev("ipid54321", s.ZMapID, n)
		if s.TCP > 0 {
			zmap += " " + ev("win65535", s.Win65535, s.TCP)
		}
		return label.ZMap, zmap
	case s.TCP > 0 && most(s.ZMapSYN, s.TCP):
		// ZMap ≥ 4.1: a SYN with window 65535, no DF and the "windows"
		// options MSS 1460, NOP, WS 8, NOP, NOP, SACK (packet.c); its IP
		// ID looks random, its TTL is 64 or --probe-ttl's (any: ZMap
		// 4.3.4 --probe-ttl 100 arrives as an initial 128). Windows XP
		// sends that layout with WS 0–2 and DF, Windows 10 with window
		// 64240 and DF; macOS and FreeBSD's window 65535 SYNs carry DF and
		// other layouts. No DF on a SYN is no stack's.
		return label.ZMap, ev("syn-win65535-zmapopts", s.ZMapSYN, s.TCP)
	case !retry && s.TCP == 0 && most(s.UDPSum0, s.UDP) && most(noDF, s.pk) && s.IPIDPattern() == "random":
		// ZMap's UDP probes carry no checksum ("checksum ignored in IPv4
		// if 0", packet.c make_udp_header) in every version, and an IP ID
		// that is 54321 (caught above) or a keyed hash of the target
		// (≥ 4.1), random to a telescope; Masscan, hping3, Nmap and OS
		// stacks compute one. A client may send checksum 0 too (RFC 768;
		// Linux's SO_NO_CHECK, embedded stacks): one that retries to a
		// few addresses, or whose IP IDs count up, is no ZMap.
		return label.ZMap, ev("udp-no-checksum", s.UDPSum0, s.UDP) + " " + ev("no-df", noDF, s.pk)
	case most(s.MasscanID, n) && most(noDF, s.pk):
		// Masscan: IP ID = (dst ^ dport ^ seq) & 0xffff (templ-pkt.c),
		// a chance match of 2^-16 a packet; --ttl sets any TTL.
		return label.Masscan, ev("ipid-masscan", s.MasscanID, n) + " " + ev("no-df", noDF, s.pk)
	case (s.mcID[mb] >= 2 || s.pk == 1) && most(s.mcID[mb], s.mcTCP[mb]) && 2*s.mcID[mb] >= s.pk:
		// Masscan behind a NAT shared with other hosts: its packets are
		// the no-DF TCP packets of one initial-TTL band (it sends one
		// TTL, 255 or --ttl's), Masscan's IP ID on 80 % of them and
		// they are half the address's packets or more (the address's
		// tool, what sent most of it). A client beside it sets DF, or
		// sends another TTL.
		return label.Masscan, ev("ipid-masscan", s.mcID[mb], s.mcTCP[mb]) + " ttl-band=" + strconv.Itoa([...]int{32, 64, 128, 255}[mb]) +
			" " + ev("masscan-share", s.mcID[mb], s.pk)
	case s.TCP == 0 && s.IDPairs >= 2 && most(s.NmapUDP, s.UDP-int64(max(0, s.nSportB-1))) && s.SameTTL*5 <= s.IDPairs && s.ttlMax-s.ttlMin <= 22 && most(s.InitTTL[0]+s.InitTTL[1], s.pk):
		// Nmap's UDP scan (-sU): one source port a scan (its retries
		// from the port + the try number: P+2 for the first, Nmap
		// 7.93), an empty datagram to a port without a payload, no DF,
		// and a TTL drawn from 37–59 for every packet (tcpip.cc
		// build_ip_raw): the TTL changes between packets as no stack's
		// and no other tool's does.
		return label.Nmap, ev("udp-empty-fixed-sport", s.NmapUDP, s.UDP-int64(max(0, s.nSportB-1))) + scans(s.nSportB) + " " + ev("ttl-changing", s.IDPairs-s.SameTTL, s.IDPairs) + " ttl-range=" + strconv.Itoa(int(s.ttlMax-s.ttlMin))
	case !retry && s.TCP == 0 && most(s.EmptyUDP, s.UDP) && (most(s.InitTTL[3], s.pk) ||
		s.firstSport >= 40000 && s.firstSport < 60016 && (s.sportPair || s.IDPairs > 0 && most(s.SameTTL, s.IDPairs))):
		// Masscan's UDP to a port it has no payload for: the bare 8-byte
		// header, TTL 255, no DF (templ-pkt.c default_udp_template), from
		// one source port (1.3.2), or P and P+16 (since 2023-11: main.c
		// port_me = src.port + (ck & 16)). Its IP ID hides the cookie.
		// No OS stack starts at TTL 255; ZMap (no checksum) and Nmap
		// (TTL 37–59, changing) differ. With --ttl, a source port in
		// Masscan's range (40000 + now % 20000) and one TTL over the
		// packets, or both ports of the pair, say it (hping3 -2 -k keeps
		// one port, from 1024–3023 unless -s moves it).
		ttl := ev("ttl255", s.InitTTL[3], s.pk)
		switch {
		case most(s.InitTTL[3], s.pk):
		case s.sportPair:
			ttl = "sport-pair=" + strconv.Itoa(int(s.firstSport))
		default:
			ttl = "sport=" + strconv.Itoa(int(s.firstSport)) + " " + ev("ttl-fixed", s.SameTTL, s.IDPairs)
		}
		return label.Masscan, ev("udp-empty-sport-pair", s.EmptyUDP, s.UDP) + " " + ttl
	case most(s.NmapSYN, s.TCP) && most(s.InitTTL[0]+s.InitTTL[1], s.pk) && (s.TCP == 1 || s.SameSeq > 0 && most(s.SameSeq, s.TCP-int64(s.nSeqBases))):
		// Nmap's SYN scan: SYN, window 1024, MSS 1460 alone, no DF
		// (tcpip.cc, nmap.h), one sequence number for every first try
		// of a scan and its try number XORed in for a retry
		// (seq32_encode; nmapTries), a TTL of 37–59 that arrives as 32
		// or 64 inferred. Masscan's window-1024 SYNs carry no options
		// (or window 1025 with MSS) and its IP ID rule comes first.
		seq := ""
		if s.TCP > 1 {
			seq = " " + ev("seq-repeated", s.SameSeq, s.TCP-int64(s.nSeqBases)) + scans(s.nSeqBases)
		}
		return label.Nmap, ev("syn-win1024-mss", s.NmapSYN, s.TCP) + seq + " " + ev("ttl<=64", s.InitTTL[0]+s.InitTTL[1], s.pk)
	case most(s.MiraiSeq, s.TCP) && most(ttl64, s.pk):
		return label.Mirai, ev("seq-dst", s.MiraiSeq, s.TCP) + " " + ttl64ev
	case most(s.HpingAck, s.TCP) && most(ttl64, s.pk):
		// hping3's TCP: a random ack without the ACK flag (sendtcp.c),
		// no options, no DF, TTL 64, window 512 (DEFAULT_SRCWINSIZE)
		// unless -w sets another. No OS stack sends ack ≠ 0 without ACK
		// (p0f's "ack+" quirk); Nmap's OS probes that do carry options.
		if most(s.HpingTCP, s.TCP) {
			return label.Hping, ev("win512-ack-noopts", s.HpingTCP, s.TCP) + " " + ttl64ev
		}
		return label.Hping, ev("ack-noopts", s.HpingAck, s.TCP) + " " + ttl64ev
	case s.TCP == 0 && s.IDPairs > 0 && most(s.SportRise, s.IDPairs) && most(s.SameTTL, s.IDPairs) && most(ttl64, s.pk) && most(noDF, s.pk):
		// hping3's UDP (-2): the source port rises by one a packet from
		// its base (sendudp.c), TTL 64 and the same TTL on every packet,
		// no DF. An OS stack draws an ephemeral port per socket; one
		// packet alone shows nothing. Nmap's -sU retry comes from its
		// base + 2, but with a TTL drawn a packet (tcpip.cc).
		return label.Hping, ev("sport-rising", s.SportRise, s.IDPairs) + " " + ev("ttl-fixed", s.SameTTL, s.IDPairs) + " " + ttl64ev + " " + ev("no-df", noDF, s.pk)
	case !retry && s.TCP == 0 && most(s.HpingUDP, s.pk) && most(ttl64, s.pk) && most(noDF, s.pk):
		// hping3 -2 with its defaults, one packet or its source port
		// fixed (-k): an empty datagram with a checksum (sendudp.c,
		// data_size 0), no DF, TTL 64, from its base port in 1024–3023
		// (main.c). Four fields at once: Linux's ephemeral ports start at
		// 32768, Windows' and the BSDs' higher; Masscan's from 40000,
		// Nmap's from 33000, ZMap leaves no checksum. Not for a retry
		// source: a client may bind a low port.
		return label.Hping, ev("udp-empty-sport1024-3023", s.HpingUDP, s.pk) + " " + ttl64ev + " " + ev("no-df", noDF, s.pk)
	case s.TCP == 0 && s.IDPairs >= 4 && most(s.SportUp, s.IDPairs) && most(s.SameTTL, s.IDPairs) && most(ttl64, s.pk) && most(noDF, s.pk):
		// The same seen by a telescope that samples hping3's sweep
		// (--rand-dest over a wider range than it watches): of every
		// k packets it sees one, so the ports it sees still rise, by
		// about k. The order is the evidence, not the step: a rise of
		// 1–4095 (a sixteenth of the ports, modulo 2^16) on 80 % of the
		// pairs, 4 pairs or more (random ports rise so by chance 6 % of
		// the time a pair).
		return label.Hping, ev("sport-rising-gaps", s.SportUp, s.IDPairs) + " " + ev("ttl-fixed", s.SameTTL, s.IDPairs) + " " + ttl64ev + " " + ev("no-df", noDF, s.pk)
	}
	return label.ToolUnknown, "no-match ipid=" + s.IPIDPattern() + " ttl=" + strconv.Itoa(s.initTTL()) + " packets=" + strconv.FormatInt(s.pk, 10)
}

// scans is the evidence of more than one Nmap scan at once from a
// source: " scans=n", or nothing for one.
func scans(n int) string {
	if n <= 1 {
		return ""
	}
	return " scans=" + strconv.Itoa(n)
}

// evidence is one feature of tool_evidence: "name=x/of", the packets
// that show it over those that could.
func evidence(name string, x, of int64) string {
	return name + "=" + strconv.FormatInt(x, 10) + "/" + strconv.FormatInt(of, 10)
}

// IPIDPattern names the source's dominant IP ID pattern.
func (s *toolCounts) IPIDPattern() string {
	n := float64(s.TCP + s.UDP)
	switch {
	case n == 0:
		return "-"
	case float64(s.ZMapID)/n >= 0.8:
		return "54321"
	case float64(s.MasscanID)/n >= 0.8:
		return "masscan"
	case s.IDPairs > 0 && float64(s.PlusOneID)/float64(s.IDPairs) >= 0.6:
		return "+1"
	case s.IDPairs > 0 && float64(s.SameID)/float64(s.IDPairs) >= 0.8:
		return "constant"
	}
	return "random"
}

// initTTL is the most common inferred initial TTL.
func (s *toolCounts) initTTL() int {
	best := 0
	for i, n := range s.InitTTL {
		if n > s.InitTTL[best] {
			best = i
		}
	}
	return [...]int{32, 64, 128, 255}[best]
}

// Bundle is one fingerprinting bundle: the probes a source sent to one
// target, in order, with no gap above Options.BundleGap.
type Bundle struct {
	Src, Dst    netip.Addr
	First, Last int64
	Order       []classify.Probe // probes in the order sent (first 16)
	Mask        classify.ProbeSet
}

// Distinct is the number of distinct probe shapes.
func (b *Bundle) Distinct() int { return bits.OnesCount16(uint16(b.Mask)) }

// Distinguishes says which operating systems the bundle's probe set can
// tell apart, by the response matrix of docs/BACKGROUND.md: OpenBSD stays silent
// to P3 (open port), P5 and P6 where Linux and Windows answer; no probe of
// the seven separates Linux from Windows 2000.
func (b *Bundle) Distinguishes() string {
	if b.Mask&(1<<classify.ProbeP34|1<<classify.ProbeP5|1<<classify.ProbeP6) != 0 {
		return "openbsd vs linux/windows"
	}
	return "none"
}

// Event is one backscatter event: a victim's replies in one direction
// (to or from port 0) and protocol with no gap above the timeout.
type Event struct {
	Victim      netip.Addr
	Class       label.Class // backscatter-to-0 or backscatter-from-0
	Proto       uint8
	First, Last int64
	Packets     int64
	Port        uint16 // service port: the victim's source port (to-0) or 0
	peakBin     int64
	binCount    int64
	PeakPerMin  int64
	// The victim's replies, for its stack (Stack): by inferred initial
	// TTL 64 and 128, SYN-ACKs with window 65535 and with another window,
	// and ICMP errors.
	ttl64, ttl128, synAck65535, synAckOther, icmp int64
}

// Victim stacks, as Event.Stack names them.
const (
	StackLinux      = "linux"
	StackWindows    = "windows"
	StackBSD        = "bsd"
	StackLinuxOrBSD = "linux-or-bsd"
	StackNotBSD     = "not-bsd"
	StackUnknown    = "unknown"
)

// Stack is the victim's operating-system stack as its replies to port 0
// tell it (docs/TOOLS.md section 7, the response matrix of
// docs/BACKGROUND.md):
// a UDP flood to its port 0 answered by ICMP port unreachable is not BSD
// (FreeBSD's udp_input drops datagrams to port 0, Linux's
// __udp4_lib_rcv answers them); an initial TTL of 128 is Windows, of 64
// Linux or BSD; a SYN-ACK of window 65535 with TTL 64 is BSD (FreeBSD,
// macOS), of another window Linux (mss×10, mss×20, 64240). RSTs alone
// with TTL 64 cannot tell Linux from BSD (both DF, IP ID 0, window 0).
// Each inference needs 80 % of the replies to agree.
func (e *Event) Stack() string {
	n := float64(e.Packets)
	ttl64, ttl128 := float64(e.ttl64) >= 0.8*n, float64(e.ttl128) >= 0.8*n
	switch {
	case ttl128:
		return StackWindows
	case e.icmp > 0 && float64(e.icmp) >= 0.8*n:
		if ttl64 {
			return StackLinux
		}
		return StackNotBSD
	case !ttl64:
		return StackUnknown
	case e.synAck65535 > 0 && e.synAck65535 >= 4*e.synAckOther:
		return StackBSD
	case e.synAckOther > 0 && e.synAckOther >= 4*e.synAck65535:
		return StackLinux
	case e.synAck65535 == 0 && e.synAckOther == 0:
		return StackLinuxOrBSD
	}
	return StackUnknown
}

// stackSets are the stacks each Stack name leaves possible: L(inux),
// B(SD), W(indows).
var stackSets = map[string]uint8{
	StackLinux: 1, StackBSD: 2, StackWindows: 4, StackLinuxOrBSD: 1 | 2, StackNotBSD: 1 | 4, StackUnknown: 1 | 2 | 4,
}

// MeetStacks is what two inferences of one victim's stack (Event.Stack)
// say together: the stacks both leave possible. Unknown says nothing;
// two that contradict each other (Linux and Windows) make unknown.
func MeetStacks(a, b string) string {
	m := stackSets[a] & stackSets[b]
	for _, s := range []string{StackLinux, StackBSD, StackWindows, StackLinuxOrBSD, StackNotBSD} {
		if stackSets[s] == m {
			return s
		}
	}
	return StackUnknown
}

type eventKey struct {
	victim netip.Addr
	class  label.Class
	proto  uint8
}

// Study is the port-0 study of one scan's result, all of its sources in
// one Part: pass one (New) reads every port-0 record in order into
// per-source counts and fingerprint bundles and decides each source's
// class and tool; Packets and Tables read the records again for the
// per-packet classes, the events and the time series. It holds the scan's
// result, which the caller closes after.
type Study struct {
	res  *scan.Result
	ivs  *intervalTotals
	part *Part
	// tele is the telescope (opts.Telescope, or inferred from the
	// destinations of all traffic: teleFrom says which).
	tele     netip.Prefix
	teleFrom string
}

// New runs pass one of the study over res, which must have the port-0
// side (scan.Options.Port0). The intervals' source counts of all traffic
// start on their own goroutine at once, since they need only
// res.Intervals.
func New(res *scan.Result, opts Options) (*Study, error) {
	st, err := Run(res, opts, Budget{})
	if err != nil {
		return nil, err
	}
	return st.(*Study), nil
}

// Telescope is the study's telescope: the -telescope prefix of opts, or
// the one inferred from the destination range of all traffic; from says
// which ("flag" or "inferred").
func Telescope(opts Options, dst scan.DstRange) (tele netip.Prefix, from string) {
	if opts.Telescope.IsValid() {
		return opts.Telescope, "flag"
	}
	return dst.Prefix(), "inferred"
}

// ClassOf is the purpose class of a recorded packet, once sources are decided.
func (st *Study) ClassOf(p *scan.P0Packet) label.Class { return st.part.ClassOf(p) }

// Summary sums up the study for summary.json.
type Summary struct {
	Telescope     string           `json:"telescope"`
	TelescopeFrom string           `json:"telescope_from"` // "flag" or "inferred"
	Port0Packets  int64            `json:"port0_related_packets"`
	Port0Sources  int64            `json:"port0_sources"`
	ClassPackets  map[string]int64 `json:"class_packets"`
	ClassSources  map[string]int64 `json:"class_sources"`
	ToolSources   map[string]int64 `json:"tool_sources"`
	Bundles       int              `json:"fingerprint_bundles"`
	Events        int              `json:"backscatter_events"`
	ShapePackets  map[string]int64 `json:"shape_packets"`
	// TunneledPackets counts the port-0-related packets found inside a
	// tunnel (classified as the inner packet), by the outermost tunnel's
	// decode.Encap name; the direct ones are the rest.
	TunneledPackets map[string]int64 `json:"tunneled_packets"`
	TelescopeAddrs  float64          `json:"telescope_addresses"`
	// AllSources estimates the distinct sources of all traffic (the union
	// of the intervals' HyperLogLogs, ~3 % error).
	AllSources int64 `json:"all_sources"`
}

// Tables are the study's tables but packets.csv (which Packets streams)
// and its summary.
type Tables struct {
	Summary *Summary
	Sources []tables.SourceRow
	Events  []tables.EventRow
	Bundles []tables.BundleRow
	Series  []tables.SeriesRow
}

// PacketRow is the packets table's row of record p of a result with the
// given files, with its class.
func PacketRow(p *scan.P0Packet, files []scan.FileSummary, c label.Class) tables.PacketRow {
	return tables.PacketRow{File: files[p.File].File, Index: p.Index, Time: p.TS, Src: p.Src, Dst: p.Dst,
		Proto: p.Proto, SrcPort: p.SrcPort, DstPort: p.DstPort, Port0: p.Port0, Flags: p.Flags, TTL: p.TTL,
		IPID: p.IPID, Shape: p.Shape, Probe: p.Probe, Class: c, Encap: p.Encap, OuterSrc: p.OuterSrc, OuterDst: p.OuterDst}
}

// Packets calls fn with the row of every port-0 record, in order, with
// its class; fn must not keep the row past the call. It may run while
// Tables does, on another goroutine.
func (st *Study) Packets(fn func(*tables.PacketRow) error) error {
	var row tables.PacketRow
	files := st.res.Files
	return st.res.Records.Each(func(p *scan.P0Packet) error {
		row = PacketRow(p, files, st.part.ClassOf(p))
		return fn(&row)
	})
}

// Tables is pass two: it reads the records again, classifies each packet
// by its shape and source, and derives the backscatter events, the time
// series (beside the intervals' packets and distinct sources of all traffic)
// and the summary.
func (st *Study) Tables() (*Tables, error) {
	hc := st.ivs
	defer func() { <-hc.done }() // an early return: let the counting end
	if err := st.res.Records.Each(func(p *scan.P0Packet) error { st.part.Count(p); return nil }); err != nil {
		return nil, err
	}
	pt := st.part.Finish(TelescopeAddrs(st.tele))
	<-hc.done
	return assemble([]*PartTables{pt}, &pt.Counts, hc.t, st.res.Interval, st.tele, st.teleFrom)
}

// TelescopeAddrs is the number of addresses of the telescope tele, 0 when
// it is unknown (invalid).
func TelescopeAddrs(tele netip.Prefix) float64 {
	if !tele.IsValid() {
		return 0
	}
	return math.Ldexp(1, tele.Addr().BitLen()-tele.Bits())
}

// Assemble makes the whole study's tables from the tables of its parts
// (each source in exactly one part), their merged counts and the scan's
// result of all inputs (its port-0 records are not read: only its
// intervals and destination range), as Study.Tables makes them from one
// part of every source: the rows of all parts sorted as one study sorts
// them, the summary from the counts.
func Assemble(parts []*PartTables, c *Counts, res *scan.Result, opts Options) (*Tables, error) {
	return AssembleTotals(parts, c, TotalsOf(&res.Intervals), res.Dst, res.Interval, opts)
}

// AssembleTotals is Assemble from the totals of all traffic's intervals
// (TotalsOf, or merged), its destination range and the intervals' length
// instead of the scan's result.
func AssembleTotals(parts []*PartTables, c *Counts, totals *Totals, dst scan.DstRange, interval time.Duration, opts Options) (*Tables, error) {
	tele, from := Telescope(opts, dst)
	return assemble(parts, c, totals, interval, tele, from)
}

func assemble(parts []*PartTables, c *Counts, totals *Totals, interval time.Duration, tele netip.Prefix, teleFrom string) (*Tables, error) {
	sum := &Summary{Telescope: "unknown", TelescopeFrom: teleFrom, Port0Packets: c.Packets, Port0Sources: c.Sources,
		ClassPackets: map[string]int64{}, ClassSources: map[string]int64{}, ToolSources: map[string]int64{}, ShapePackets: map[string]int64{}, TunneledPackets: map[string]int64{},
		Bundles: int(c.Bundles), Events: int(c.Events), AllSources: totals.Union.Count()}
	if tele.IsValid() {
		sum.Telescope = tele.String()
		sum.TelescopeAddrs = TelescopeAddrs(tele)
	}
	className := func(i int) string { return label.Class(i).String() }
	named(sum.ClassPackets, c.ClassPackets[:], className)
	named(sum.ShapePackets, c.ShapePackets[:], func(i int) string { return classify.Shape(i).String() })
	named(sum.ClassSources, c.ClassSources[:], className)
	named(sum.ToolSources, c.ToolSources[:], func(i int) string { return label.Tool(i).String() })
	named(sum.TunneledPackets, c.EncapPackets[decode.EncapNone+1:], func(i int) string { return decode.Encap(i + 1).String() })
	t := &Tables{Summary: sum}
	for _, p := range parts {
		t.Sources = append(t.Sources, p.Sources...)
		t.Events = append(t.Events, p.Events...)
		t.Bundles = append(t.Bundles, p.Bundles...)
	}
	if len(parts) > 1 {
		sortRows(t)
	}
	var err error
	iv := int64(scan.DefaultInterval)
	if interval > 0 {
		iv = int64(interval)
	}
	if t.Series, err = seriesRows(c.Intervals, totals.Intervals, iv); err != nil {
		return nil, err
	}
	return t, nil
}

// named puts the counts above 0 into m under their names.
func named(m map[string]int64, counts []int64, name func(int) string) {
	for i, n := range counts {
		if n > 0 {
			m[name(i)] = n
		}
	}
}

// ratio is a/b, or 0 when b is 0 (telescope size unknown).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func sourceRows(srcs []*Source, teleAddrs float64) []tables.SourceRow {
	rows := make([]tables.SourceRow, len(srcs))
	for i, s := range srcs {
		dur := float64(s.Last-s.First) / 1e9
		rate := 0.0
		if dur > 0 {
			rate = float64(s.Packets) / dur
		}
		d := s.Dsts.Count()
		dp, _ := s.DstPorts.top()
		sp, _ := s.SrcPorts.top()
		flags, hasFlags := s.FlagMix.top()
		rows[i] = tables.SourceRow{Src: s.Addr, Class: s.Class, Tool: s.Tool, ToolEvidence: s.toolEv, First: s.First, Last: s.Last,
			Packets: s.Packets, Bytes: s.Bytes, DistinctDsts: d, Coverage: ratio(float64(d), teleAddrs), RatePPS: rate,
			TopDport: dp, TopSport: sp, TCPPackets: s.TCP, UDPPackets: s.UDP, TopFlags: flags, HasTopFlags: hasFlags,
			InitTTL: uint8(s.initTTL()), IPIDPattern: s.IPIDPattern(), Bundles: s.Bundles, Probes: s.Probes}
		if s.flow {
			// Flows keep no IP ID, and a TTL only when the format
			// exports one: unknown, not a pattern of zeros.
			rows[i].IPIDPattern = "-"
			if s.ttlMax == 0 {
				rows[i].InitTTL = 0
			}
		}
	}
	return rows
}

func eventRows(events []Event, teleAddrs float64) []tables.EventRow {
	scale := ratio(math.Ldexp(1, 32), teleAddrs)
	// A victim's stack is what all its events say together: an ICMP
	// event that says not BSD and a RST event that says Linux or BSD
	// make Linux. Every event of a victim is in its part (a part holds
	// every record of its sources, and the victim is the replies' source).
	stacks := map[netip.Addr]string{}
	for i := range events {
		e := &events[i]
		if s, ok := stacks[e.Victim]; ok {
			stacks[e.Victim] = MeetStacks(s, e.Stack())
		} else {
			stacks[e.Victim] = e.Stack()
		}
	}
	rows := make([]tables.EventRow, len(events))
	for i, e := range events {
		dur := float64(e.Last-e.First) / 1e9
		obs := float64(e.Packets) / math.Max(dur, 1)
		rows[i] = tables.EventRow{Victim: e.Victim, Class: e.Class, Proto: e.Proto, Start: e.First, End: e.Last,
			DurationS: dur, Packets: e.Packets, PeakPPS: float64(e.PeakPerMin) / 60, ServicePort: e.Port,
			ObservedPPS: obs, EstimatedAttackPPS: obs * scale, VictimStack: stacks[e.Victim]}
	}
	return rows
}

func bundleRows(bundles []Bundle) []tables.BundleRow {
	rows := make([]tables.BundleRow, len(bundles))
	for i := range bundles {
		b := &bundles[i]
		rows[i] = tables.BundleRow{Src: b.Src, Dst: b.Dst, Start: b.First, End: b.Last, DurationS: float64(b.Last-b.First) / 1e9,
			Probes: b.Mask, Order: b.Order, Distinct: b.Distinct(), Distinguishes: b.Distinguishes()}
	}
	return rows
}

// MaxZeroGap is the longest silence, a run of intervals without a single
// packet of all traffic, that the time series fills with zero rows: every
// outage or idle spell of a telescope's capture is written, but a silence
// of more than a year is taken for a stray timestamp decades off (a
// record without one is at the epoch), not for the period analysed, and
// is left out rather than written as millions of rows.
const MaxZeroGap = 366 * 24 * time.Hour

// seriesRows are the rows of every interval (iv ns long) of the analysed
// period, in time order: for each interval from the first with a packet
// of all traffic to the last, its all-traffic row — a zero row when it
// has no packet, unless it is in a silence longer than MaxZeroGap (a year) — then
// a row for each class with port-0 packets in it, in class order (a
// class without packets in the interval has no row: the "all" row says
// the interval is there). all holds the intervals of all traffic, in
// index order.
func seriesRows(p0 map[int64]*IntervalCounts, all []IntervalTotal, iv int64) ([]tables.SeriesRow, error) {
	// p0's intervals are in all (port-0 packets are packets), unless the
	// result was made by hand: walk both.
	keys := make([]int64, 0, len(p0))
	for h := range p0 {
		keys = append(keys, h)
	}
	slices.Sort(keys)
	maxGap := int64(MaxZeroGap) / iv
	// The rows, counted first (the all-traffic rows of a long series at
	// short intervals are most of the study's memory: no append slack).
	n, prev, started := 0, int64(0), false
	for _, a := range all {
		if started && a.Index-prev-1 <= maxGap {
			n += int(a.Index - prev - 1)
		}
		n++
		prev, started = a.Index, true
	}
	for _, hp := range p0 {
		for _, c := range hp.Packets {
			if c > 0 {
				n++
			}
		}
	}
	j, k := 0, 0 // all[j] is the next interval of all traffic; keys[k] the next port-0 interval
	classes := label.Classes()
	rows := make([]tables.SeriesRow, 0, n)
	prev, started = 0, false
	for j < len(all) || k < len(keys) {
		h := int64(math.MaxInt64)
		if j < len(all) {
			h = all[j].Index
		}
		if k < len(keys) {
			h = min(h, keys[k])
		}
		if started && h-prev-1 <= maxGap {
			for z := prev + 1; z < h; z++ {
				rows = append(rows, tables.SeriesRow{Start: z * iv, All: true})
			}
		}
		start := h * iv
		row := tables.SeriesRow{Start: start, All: true}
		if j < len(all) && all[j].Index == h {
			row.Packets, row.Sources = all[j].Packets, all[j].Sources
			j++
		}
		rows = append(rows, row)
		if k < len(keys) && keys[k] == h {
			hp := p0[h]
			for _, c := range classes {
				if n := hp.Packets[c]; n > 0 {
					rows = append(rows, tables.SeriesRow{Start: start, Class: c, Packets: n, Sources: hp.Sources[c]})
				}
			}
			k++
		}
		prev, started = h, true
	}
	return rows, nil
}

// IntervalTotal is one interval of all traffic as the time series has
// it: its index (start / interval), its packets and the estimate of its
// distinct sources.
type IntervalTotal struct {
	Index, Packets, Sources int64
}

// Totals are the all-traffic side of the study: every interval with a
// packet, in index order, and the union of their source sketches (the
// summary's all_sources). Totals of disjoint sets of intervals merge
// (MergeTotals): a pipeline counts each block of intervals on its own.
type Totals struct {
	Intervals []IntervalTotal
	Union     sketch.HLL
}

// TotalsOf counts the intervals of all: each one's sketch, and their
// union.
func TotalsOf(all *scan.Intervals) *Totals {
	t := &Totals{Intervals: make([]IntervalTotal, 0, all.Len())}
	for h, a := range all.All() {
		t.Intervals = append(t.Intervals, IntervalTotal{Index: h, Packets: a.Packets, Sources: a.Sources.Count()})
		a.Sources.MergeInto(&t.Union)
	}
	return t
}

// MergeTotals merges the totals of disjoint sets of intervals, in any
// order, into the totals of them all (an interval in two sets is an
// error).
func MergeTotals(ts []*Totals) (*Totals, error) {
	n := 0
	for _, o := range ts {
		n += len(o.Intervals)
	}
	t := &Totals{Intervals: make([]IntervalTotal, 0, n)}
	for _, o := range ts {
		t.Intervals = append(t.Intervals, o.Intervals...)
		t.Union.Merge(&o.Union)
	}
	slices.SortFunc(t.Intervals, func(a, b IntervalTotal) int { return cmp.Compare(a.Index, b.Index) })
	for i := 1; i < len(t.Intervals); i++ {
		if t.Intervals[i].Index == t.Intervals[i-1].Index {
			return nil, fmt.Errorf("interval %d in two sets of totals", t.Intervals[i].Index)
		}
	}
	return t, nil
}

// intervalTotals are the totals of all traffic's intervals, counted on a
// goroutine of their own while pass two runs: valid once done is closed.
type intervalTotals struct {
	done chan struct{}
	t    *Totals
}

// countHoursAsync starts counting the intervals of all.
func countIntervalsAsync(all *scan.Intervals) *intervalTotals {
	hc := &intervalTotals{done: make(chan struct{})}
	go func() {
		defer close(hc.done)
		hc.t = TotalsOf(all)
	}()
	return hc
}
