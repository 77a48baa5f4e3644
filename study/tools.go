package study

import (
	"net/netip"
	"strconv"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
)

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

// ruleInput is what every tool rule reads beside a source's counts: the
// study's verdict that the source retries, the T2–T7 shapes it sent, and
// the numbers each rule would compute again.
type ruleInput struct {
	retry      bool
	nmapShapes int
	n, noDF    int64 // TCP and UDP packets; packets without DF
	ttl64      int64
	ttl64ev    string
	mb         int // the initial-TTL band whose no-DF TCP packets carry the most Masscan IP IDs
}

// toolRule is one tool rule: its name, the tool it names, when a source's
// counts pass it, and the evidence it gives then.
type toolRule struct {
	name     string
	tool     label.Tool
	when     func(s *toolCounts, r *ruleInput) bool
	evidence func(s *toolCounts, r *ruleInput) string
}

// most says that x is at least 80 % of of (and of is not 0): the share
// every rule asks of a feature.
func most(x, of int64) bool { return of > 0 && float64(x)/float64(of) >= 0.8 }

// toolRules are the tool rules in the order they are tried: the first a
// source passes names its tool (docs/TOOLS.md section 9 gives each its
// source and what breaks it).
var toolRules = []toolRule{
	{
		name: "nmap-os-detection", tool: label.Nmap,
		// Nmap's OS detection: two of the T2–T7 (flags, window) pairs,
		// with the options sendT1_7Probe gives them (WS 10, NOP, MSS 265,
		// timestamp, SACK; WS 15 on T7: osscan2.cc prbOpts). The shapes
		// alone are what any prober may copy (hping3 -w 128, scapy).
		when: func(s *toolCounts, r *ruleInput) bool {
			return r.nmapShapes >= 2 && most(s.NmapTOpts, s.TProbes)
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			return "nmap-t2-t7-shapes=" + strconv.Itoa(r.nmapShapes) + " " + evidence("nmap-t-options", s.NmapTOpts, s.TProbes)
		},
	},
	{
		name: "zmap", tool: label.ZMap,
		// ZMap up to 4.0: IP ID 54321 on every probe, SYN window 65535
		// (packet.c); the TTL is --probe-ttl's (255 by default).
		when: func(s *toolCounts, r *ruleInput) bool {
			return most(s.ZMapID, r.n) && (s.TCP == 0 || most(s.Win65535, s.TCP))
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			zmap := evidence("ipid54321", s.ZMapID, r.n)
			if s.TCP > 0 {
				zmap += " " + evidence("win65535", s.Win65535, s.TCP)
			}
			return zmap
		},
	},
	{
		name: "zmap-4.1", tool: label.ZMap,
		// ZMap ≥ 4.1: a SYN with window 65535, no DF and the "windows"
		// options MSS 1460, NOP, WS 8, NOP, NOP, SACK (packet.c); its IP
		// ID looks random, its TTL is 64 or --probe-ttl's (any: ZMap
		// 4.3.4 --probe-ttl 100 arrives as an initial 128). Windows XP
		// sends that layout with WS 0–2 and DF, Windows 10 with window
		// 64240 and DF; macOS and FreeBSD's window 65535 SYNs carry DF and
		// other layouts. No DF on a SYN is no stack's.
		when: func(s *toolCounts, r *ruleInput) bool {
			return s.TCP > 0 && most(s.ZMapSYN, s.TCP)
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			return evidence("syn-win65535-zmapopts", s.ZMapSYN, s.TCP)
		},
	},
	{
		name: "zmap-udp", tool: label.ZMap,
		// ZMap's UDP probes carry no checksum ("checksum ignored in IPv4
		// if 0", packet.c make_udp_header) in every version, and an IP ID
		// that is 54321 (caught above) or a keyed hash of the target
		// (≥ 4.1), random to a telescope; Masscan, hping3, Nmap and OS
		// stacks compute one. A client may send checksum 0 too (RFC 768;
		// Linux's SO_NO_CHECK, embedded stacks): one that retries to a
		// few addresses, or whose IP IDs count up, is no ZMap.
		when: func(s *toolCounts, r *ruleInput) bool {
			return !r.retry && s.TCP == 0 && most(s.UDPSum0, s.UDP) && most(r.noDF, s.pk) && s.IPIDPattern() == "random"
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			return evidence("udp-no-checksum", s.UDPSum0, s.UDP) + " " + evidence("no-df", r.noDF, s.pk)
		},
	},
	{
		name: "masscan", tool: label.Masscan,
		// Masscan: IP ID = (dst ^ dport ^ seq) & 0xffff (templ-pkt.c),
		// a chance match of 2^-16 a packet; --ttl sets any TTL.
		when: func(s *toolCounts, r *ruleInput) bool {
			return most(s.MasscanID, r.n) && most(r.noDF, s.pk)
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			return evidence("ipid-masscan", s.MasscanID, r.n) + " " + evidence("no-df", r.noDF, s.pk)
		},
	},
	{
		name: "masscan-nat", tool: label.Masscan,
		// Masscan behind a NAT shared with other hosts: its packets are
		// the no-DF TCP packets of one initial-TTL band (it sends one
		// TTL, 255 or --ttl's), Masscan's IP ID on 80 % of them and
		// they are half the address's packets or more (the address's
		// tool, what sent most of it). A client beside it sets DF, or
		// sends another TTL.
		when: func(s *toolCounts, r *ruleInput) bool {
			return (s.mcID[r.mb] >= 2 || s.pk == 1) && most(s.mcID[r.mb], s.mcTCP[r.mb]) && 2*s.mcID[r.mb] >= s.pk
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			return evidence("ipid-masscan", s.mcID[r.mb], s.mcTCP[r.mb]) + " ttl-band=" + strconv.Itoa([...]int{32, 64, 128, 255}[r.mb]) +
				" " + evidence("masscan-share", s.mcID[r.mb], s.pk)
		},
	},
	{
		name: "nmap-udp", tool: label.Nmap,
		// Nmap's UDP scan (-sU): one source port a scan (its retries
		// from the port + the try number: P+2 for the first, Nmap
		// 7.93), an empty datagram to a port without a payload, no DF,
		// and a TTL drawn from 37–59 for every packet (tcpip.cc
		// build_ip_raw): the TTL changes between packets as no stack's
		// and no other tool's does.
		when: func(s *toolCounts, r *ruleInput) bool {
			return s.TCP == 0 && s.IDPairs >= 2 && most(s.NmapUDP, s.UDP-int64(max(0, s.nSportB-1))) && s.SameTTL*5 <= s.IDPairs && s.ttlMax-s.ttlMin <= 22 && most(s.InitTTL[0]+s.InitTTL[1], s.pk)
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			return evidence("udp-empty-fixed-sport", s.NmapUDP, s.UDP-int64(max(0, s.nSportB-1))) + scans(s.nSportB) + " " + evidence("ttl-changing", s.IDPairs-s.SameTTL, s.IDPairs) + " ttl-range=" + strconv.Itoa(int(s.ttlMax-s.ttlMin))
		},
	},
	{
		name: "masscan-udp", tool: label.Masscan,
		// Masscan's UDP to a port it has no payload for: the bare 8-byte
		// header, TTL 255, no DF (templ-pkt.c default_udp_template), from
		// one source port (1.3.2), or P and P+16 (since 2023-11: main.c
		// port_me = src.port + (ck & 16)). Its IP ID hides the cookie.
		// No OS stack starts at TTL 255; ZMap (no checksum) and Nmap
		// (TTL 37–59, changing) differ. With --ttl, a source port in
		// Masscan's range (40000 + now % 20000) and one TTL over the
		// packets, or both ports of the pair, say it (hping3 -2 -k keeps
		// one port, from 1024–3023 unless -s moves it).
		when: func(s *toolCounts, r *ruleInput) bool {
			return !r.retry && s.TCP == 0 && most(s.EmptyUDP, s.UDP) && (most(s.InitTTL[3], s.pk) || s.firstSport >= 40000 && s.firstSport < 60016 && (s.sportPair || s.IDPairs > 0 && most(s.SameTTL, s.IDPairs)))
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			ttl := evidence("ttl255", s.InitTTL[3], s.pk)
			switch {
			case most(s.InitTTL[3], s.pk):
			case s.sportPair:
				ttl = "sport-pair=" + strconv.Itoa(int(s.firstSport))
			default:
				ttl = "sport=" + strconv.Itoa(int(s.firstSport)) + " " + evidence("ttl-fixed", s.SameTTL, s.IDPairs)
			}
			return evidence("udp-empty-sport-pair", s.EmptyUDP, s.UDP) + " " + ttl
		},
	},
	{
		name: "nmap-syn", tool: label.Nmap,
		// Nmap's SYN scan: SYN, window 1024, MSS 1460 alone, no DF
		// (tcpip.cc, nmap.h), one sequence number for every first try
		// of a scan and its try number XORed in for a retry
		// (seq32_encode; nmapTries), a TTL of 37–59 that arrives as 32
		// or 64 inferred. Masscan's window-1024 SYNs carry no options
		// (or window 1025 with MSS) and its IP ID rule comes first.
		when: func(s *toolCounts, r *ruleInput) bool {
			return most(s.NmapSYN, s.TCP) && most(s.InitTTL[0]+s.InitTTL[1], s.pk) && (s.TCP == 1 || s.SameSeq > 0 && most(s.SameSeq, s.TCP-int64(s.nSeqBases)))
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			seq := ""
			if s.TCP > 1 {
				seq = " " + evidence("seq-repeated", s.SameSeq, s.TCP-int64(s.nSeqBases)) + scans(s.nSeqBases)
			}
			return evidence("syn-win1024-mss", s.NmapSYN, s.TCP) + seq + " " + evidence("ttl<=64", s.InitTTL[0]+s.InitTTL[1], s.pk)
		},
	},
	{
		name: "mirai", tool: label.Mirai,
		// Mirai: seq = the destination address (scanner.c), TTL 64.
		when: func(s *toolCounts, r *ruleInput) bool {
			return most(s.MiraiSeq, s.TCP) && most(r.ttl64, s.pk)
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			return evidence("seq-dst", s.MiraiSeq, s.TCP) + " " + r.ttl64ev
		},
	},
	{
		name: "hping-tcp", tool: label.Hping,
		// hping3's TCP: a random ack without the ACK flag (sendtcp.c),
		// no options, no DF, TTL 64, window 512 (DEFAULT_SRCWINSIZE)
		// unless -w sets another. No OS stack sends ack ≠ 0 without ACK
		// (p0f's "ack+" quirk); Nmap's OS probes that do carry options.
		when: func(s *toolCounts, r *ruleInput) bool {
			return most(s.HpingAck, s.TCP) && most(r.ttl64, s.pk)
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			if most(s.HpingTCP, s.TCP) {
				return evidence("win512-ack-noopts", s.HpingTCP, s.TCP) + " " + r.ttl64ev
			}
			return evidence("ack-noopts", s.HpingAck, s.TCP) + " " + r.ttl64ev
		},
	},
	{
		name: "hping-udp", tool: label.Hping,
		// hping3's UDP (-2): the source port rises by one a packet from
		// its base (sendudp.c), TTL 64 and the same TTL on every packet,
		// no DF. An OS stack draws an ephemeral port per socket; one
		// packet alone shows nothing. Nmap's -sU retry comes from its
		// base + 2, but with a TTL drawn a packet (tcpip.cc).
		when: func(s *toolCounts, r *ruleInput) bool {
			return s.TCP == 0 && s.IDPairs > 0 && most(s.SportRise, s.IDPairs) && most(s.SameTTL, s.IDPairs) && most(r.ttl64, s.pk) && most(r.noDF, s.pk)
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			return evidence("sport-rising", s.SportRise, s.IDPairs) + " " + evidence("ttl-fixed", s.SameTTL, s.IDPairs) + " " + r.ttl64ev + " " + evidence("no-df", r.noDF, s.pk)
		},
	},
	{
		name: "hping-udp-port", tool: label.Hping,
		// hping3 -2 with its defaults, one packet or its source port
		// fixed (-k): an empty datagram with a checksum (sendudp.c,
		// data_size 0), no DF, TTL 64, from its base port in 1024–3023
		// (main.c). Four fields at once: Linux's ephemeral ports start at
		// 32768, Windows' and the BSDs' higher; Masscan's from 40000,
		// Nmap's from 33000, ZMap leaves no checksum. Not for a retry
		// source: a client may bind a low port.
		when: func(s *toolCounts, r *ruleInput) bool {
			return !r.retry && s.TCP == 0 && most(s.HpingUDP, s.pk) && most(r.ttl64, s.pk) && most(r.noDF, s.pk)
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			return evidence("udp-empty-sport1024-3023", s.HpingUDP, s.pk) + " " + r.ttl64ev + " " + evidence("no-df", r.noDF, s.pk)
		},
	},
	{
		name: "hping-udp-sampled", tool: label.Hping,
		// The same seen by a telescope that samples hping3's sweep
		// (--rand-dest over a wider range than it watches): of every
		// k packets it sees one, so the ports it sees still rise, by
		// about k. The order is the evidence, not the step: a rise of
		// 1–4095 (a sixteenth of the ports, modulo 2^16) on 80 % of the
		// pairs, 4 pairs or more (random ports rise so by chance 6 % of
		// the time a pair).
		when: func(s *toolCounts, r *ruleInput) bool {
			return s.TCP == 0 && s.IDPairs >= 4 && most(s.SportUp, s.IDPairs) && most(s.SameTTL, s.IDPairs) && most(r.ttl64, s.pk) && most(r.noDF, s.pk)
		},
		evidence: func(s *toolCounts, r *ruleInput) string {
			return evidence("sport-rising-gaps", s.SportUp, s.IDPairs) + " " + evidence("ttl-fixed", s.SameTTL, s.IDPairs) + " " + r.ttl64ev + " " + evidence("no-df", r.noDF, s.pk)
		},
	},
}

// rules are the tool rules over the counts s (toolEvidence): retry says
// the source is a retry source, nmapShapes how many of Nmap's T2–T7
// shapes it sent.
func (s *toolCounts) rules(retry bool, nmapShapes int) (label.Tool, string) {
	n := s.TCP + s.UDP
	if n == 0 {
		return label.ToolUnknown, "no-tcp-udp"
	}
	r := &ruleInput{retry: retry, nmapShapes: nmapShapes, n: n, noDF: s.pk - s.DF, ttl64: s.InitTTL[1], ttl64ev: evidence("ttl64", s.InitTTL[1], s.pk)}
	for b := range s.mcID {
		if s.mcID[b] > s.mcID[r.mb] {
			r.mb = b
		}
	}
	for _, rule := range toolRules {
		if rule.when(s, r) {
			return rule.tool, rule.evidence(s, r)
		}
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
