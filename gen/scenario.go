package gen

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Scenario describes a synthetic telescope: its prefix, period, volume and the
// actor populations that send traffic to it. Every number is a documented
// parameter (see docs/BACKGROUND.md); nothing about the paper is hard-coded.
//
// Volumes are given at scale 1. Scale multiplies every packet budget; actor
// populations scale as scale^PopulationExponent (never below a family's
// MinActors), so shares and distribution shapes stay while volumes shrink.
type Scenario struct {
	Name               string
	Telescope          netip.Prefix // IPv4 prefix watched by the telescope
	Start              time.Time    // first day, 00:00 UTC
	Days               int          // length of the period
	TotalPPS           float64      // all packets per second at scale 1
	Port0Share         float64      // share of all packets that are port-0-related
	FragmentShare      float64      // share of all packets in fragment trains
	PopulationExponent float64      // actor counts scale as scale^this
	DiurnalAmplitude   float64      // relative amplitude of the daily cycle (families with Diurnal)
	WeeklyAmplitude    float64      // relative dip on weekends (families with Diurnal)
	ASes               int          // synthetic autonomous systems in the AS map

	Background  Background
	Scan0       Scan0
	Sport0      Sport0
	Backscatter Backscatter
	Fingerprint FingerprintFamily
	Garbage     Garbage
	BitTorrent  BitTorrentFamily
	Fragments   Fragments
	Retry       RetryFamily
}

// Population is what every actor family shares: how many actors at scale 1,
// the floor at small scales, and how unequal their volumes are.
type Population struct {
	Actors    int     // actors at scale 1
	MinActors int     // floor after scaling
	Sigma     float64 // log-normal sigma of per-actor volume weights
	// TopShare is the share of the family's packets sent by its heaviest
	// actor, the rest split log-normally; 0 = log-normal weights only.
	// Port-0 families only: the background has Top1Share instead.
	TopShare float64
}

// Background is ordinary telescope radiation: none of it involves port 0.
// The *Share fields split the background packets and sum to 1.
type Background struct {
	Population
	Top1Share        float64 // share of background packets sent by the top 1 % of sources
	TCPScanShare     float64 // generic SYN scanning of common ports (OS stacks)
	ZMapShare        float64 // ZMap-fingerprinted SYN scanning
	MasscanShare     float64 // Masscan-fingerprinted SYN scanning
	MiraiShare       float64 // Mirai-fingerprinted telnet scanning
	UDPShare         float64 // UDP probes of common services
	ICMPShare        float64 // ICMP echo sweeps
	BackscatterShare float64 // ordinary (non-port-0) DDoS backscatter
	MisconfigShare   float64 // misconfiguration hot spots: one source, one address
}

// The port-0 families' Share fields split the port-0 packets and sum to 1.

// Scan0 is TCP SYN and UDP scanning of destination port 0 across the telescope.
type Scan0 struct {
	Population
	Share        float64
	TCPFraction  float64 // share of scanners using TCP (else UDP)
	ZMap         float64 // tool mix of the scanners: ZMap-like
	Masscan      float64 // Masscan-like
	Hping        float64 // hping-like
	Nmap         float64 // Nmap SYN scans of port 0 (-sS -p0): window 1024, MSS 1460, a TTL of 37–59 drawn per packet, one sequence number and source port a scan
	DurationDays float64 // median scan duration (log-normal, sigma 1)
	// OptionsFraction is the share of scanners run with a non-default
	// option that changes their fingerprint: ZMap --probe-ttl 64,
	// Masscan --ttl 64, hping3 -k (a fixed source port), Nmap -g 53.
	OptionsFraction float64
	// HpingRandomID is the share of hping-like scanners that draw a
	// random IP ID a packet, as hping3 does by default (sendip.c); the
	// others keep the fixed or +1 ID of hping-like crafting (--safe, -N;
	// docs/BACKGROUND.md).
	HpingRandomID float64
	// OrdinaryFraction is the share of a scanner's packets that go to
	// ordinary service ports (not port 0), with the tool's fingerprint:
	// scanners rarely probe port 0 alone. Truth: class background.
	OrdinaryFraction float64
	// CurrentFraction is the share of ZMap and Masscan scanners built
	// from current source: ZMap ≥ 4.1 (IP ID from its validation, TTL
	// 64, the "windows" SYN options), Masscan after 2023-11 (window 1025
	// with MSS 1460); the others are the older releases of
	// docs/BACKGROUND.md, "Scanner fingerprints".
	CurrentFraction float64
	// NATFraction is the share of scanners behind a NAT whose public
	// address an ordinary client shares (a BitTorrent client, or a
	// desktop retrying a connection to port 0): one source address, a
	// scanner and a client (RFC 6269). The client sends a tenth to half
	// as many port-0 packets as the scanner, over the scanner's window.
	NATFraction float64
	// NmapUDP is the share of Nmap scanners that run a UDP scan (nmap
	// -sU -p0: empty datagrams, a TTL of 37–59 a packet, one source port
	// a scan) rather than a SYN scan.
	NmapUDP float64
	// RetriesFraction is the share of Nmap scanners run with default
	// retries: each probe sent twice, the retransmission from the
	// source port + 2 with the sequence number XOR 0x20002 (try number
	// 2, seq32_encode/sport_encode, as Nmap 7.93 sent them in
	// testdata/realtools/.matrix), and half of them as two Nmap
	// processes at once (separate runs of nmap -O -p0 or -sU: each its
	// own base port and sequence mask, their packets interleaved).
	RetriesFraction float64
	// SampledFraction is the share of hping-like scanners that sweep a
	// /8 with --rand-dest, of which the /15 telescope sees about one
	// packet in 128: the source port, +1 a packet sent, rises by about
	// 128 between the packets the telescope sees.
	SampledFraction float64
	// OptionValues is the share of the scanners run with a non-default
	// option (OptionsFraction) whose option takes a value of its own
	// rather than 64: hping3 -w with any window (TCP), ZMap --probe-ttl
	// and Masscan --ttl with any TTL from 40 to 255.
	OptionValues float64
}

// Sport0 is scanning of real services from source port 0: a steady trickle of
// UDP probes (legal, RFC 768) and a short TCP burst to 445 (Cisco, Nov 2013).
type Sport0 struct {
	Population
	Share         float64
	BurstFraction float64 // share of the family's packets in the burst
	BurstDay      int     // day of the period on which the burst starts
	BurstHour     int     // UTC hour at which it starts
	BurstHours    float64 // its length
	BurstSources  int     // burst sources at scale 1, from one hosting AS
	BurstPort     int     // the TCP service port of the burst
	DurationDays  float64 // median activity of a steady prober
}

// Backscatter is victims of spoofed floods answering to port 0 (the attacker
// spoofed source port 0) or from port 0 (the victim's port 0 was flooded).
type Backscatter struct {
	Population              // actors are attack events, one victim each
	Share           float64 // share of port-0 packets
	To0Fraction     float64 // events seen as replies to port 0 (else from port 0)
	ICMPFraction    float64 // of from-0 events: UDP floods answered by ICMP port unreachable (never by a BSD victim)
	BSDFraction     float64 // victims of initial TTL 64 running a BSD stack (else Linux); TTL 128 is Windows
	DurationMinutes float64 // median event duration (log-normal, sigma 1.2)
}

// FingerprintFamily is OS fingerprinting with the seven port-0 probes
// (Ste Jones 2003) and Nmap-like T2–T7 probes.
type FingerprintFamily struct {
	Population
	Share        float64
	NmapFraction float64 // share of fingerprinters that add Nmap-like T2–T7 probes
	ProbeGapMS   float64 // mean gap between the probes of one bundle
	DurationDays float64 // median activity of a fingerprinter
}

// Garbage is the randomised-header surge (CERT Polska, Nov 2011).
type Garbage struct {
	Population
	Share       float64
	SurgeDay    int     // day of the period on which the surge starts
	SurgeDays   float64 // its length
	Sport0Share float64 // packets with source port 0 (else random)
	DataOffsets string  // weights of TCP data offsets 0,4,8,12,16 bytes
	NearUniform float64 // 1 = flag bytes uniform; 0 = only the CERT.pl top flags
}

// BitTorrentFamily is BitTorrent clients talking DHT and uTP to UDP port 0.
type BitTorrentFamily struct {
	Population
	Share        float64
	DHTFraction  float64 // DHT bencode queries (else uTP SYN)
	DurationDays float64 // median client lifetime
	Diurnal      bool    // user-driven: follows the daily cycle
}

// Fragments is fragment trains of large UDP (and some TCP) datagrams from
// reflectors; their non-first fragments carry no ports (flow tools say 0/0).
type Fragments struct {
	Population
	TCPFraction    float64 // trains that carry TCP (else UDP)
	OrphanFraction float64 // trains whose first fragment never arrives
	MaxFragments   int     // fragments per train: 2..MaxFragments
	DurationDays   float64 // median activity of a reflector
}

// RetryFamily is clients that send to or from port 0 again and again to a
// few telescope addresses: misconfigured or buggy clients, retrying (a
// TCP application configured with port 0 retransmits its SYN; a DNS or
// NTP client with source port 0 asks its server again). Not scanning: a
// retry client revisits, a scanner spreads.
type RetryFamily struct {
	Population
	Share        float64
	TCPFraction  float64 // clients retrying TCP to port 0 (else UDP from port 0 to DNS, NTP or syslog)
	MaxDsts      int     // destinations of one client: 1..MaxDsts
	DurationDays float64 // median activity of a client
	// NATFraction is the share of clients behind a carrier-grade NAT
	// that gives them the public address of a BitTorrent client: two
	// hosts, two purposes, one source address.
	NATFraction float64
}

// Paper returns the built-in default scenario, modelled on what
// docs/BACKGROUND.md collects.
func Paper() *Scenario {
	return &Scenario{
		Name:               "paper",
		Telescope:          netip.MustParsePrefix("198.18.0.0/15"),
		Start:              time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC),
		Days:               1096,
		TotalPPS:           3000,
		Port0Share:         0.002,
		FragmentShare:      0.004,
		PopulationExponent: 0.5,
		DiurnalAmplitude:   0.35,
		WeeklyAmplitude:    0.15,
		ASes:               3000,
		Background: Background{
			Population:       Population{Actors: 2000000, MinActors: 2000, Sigma: 1.5},
			Top1Share:        0.85,
			TCPScanShare:     0.40,
			ZMapShare:        0.12,
			MasscanShare:     0.10,
			MiraiShare:       0.15,
			UDPShare:         0.12,
			ICMPShare:        0.05,
			BackscatterShare: 0.05,
			MisconfigShare:   0.01,
		},
		Scan0: Scan0{
			Population:   Population{Actors: 600, MinActors: 12, Sigma: 1.5, TopShare: 0.9},
			Share:        0.40,
			TCPFraction:  0.7,
			ZMap:         0.35,
			Masscan:      0.30,
			Hping:        0.35,
			DurationDays: 2,
		},
		Sport0: Sport0{
			Population:    Population{Actors: 400, MinActors: 10, Sigma: 1.2, TopShare: 0.95},
			Share:         0.15,
			BurstFraction: 0.3,
			BurstDay:      671, // 2017-11-02
			BurstHour:     1,
			BurstHours:    3,
			BurstSources:  2000,
			BurstPort:     445,
			DurationDays:  20,
		},
		Backscatter: Backscatter{
			Population:      Population{Actors: 20000, MinActors: 30, Sigma: 1.5, TopShare: 0.65},
			Share:           0.20,
			To0Fraction:     0.6,
			ICMPFraction:    0.3,
			DurationMinutes: 20,
		},
		Fingerprint: FingerprintFamily{
			Population:   Population{Actors: 300, MinActors: 8, Sigma: 1, TopShare: 0.9},
			Share:        0.05,
			NmapFraction: 0.5,
			ProbeGapMS:   300,
			DurationDays: 10,
		},
		Garbage: Garbage{
			Population:  Population{Actors: 20, MinActors: 3, Sigma: 0.5, TopShare: 0.95},
			Share:       0.08,
			SurgeDay:    1050,
			SurgeDays:   5,
			Sport0Share: 0.95,
			DataOffsets: "1113,1005,941,882,832",
			NearUniform: 1,
		},
		BitTorrent: BitTorrentFamily{
			Population:   Population{Actors: 800, MinActors: 10, Sigma: 1.2, TopShare: 0.95},
			Share:        0.12,
			DHTFraction:  0.7,
			DurationDays: 10,
			Diurnal:      true,
		},
		Fragments: Fragments{
			Population:     Population{Actors: 5000, MinActors: 20, Sigma: 1.5},
			TCPFraction:    0.1,
			OrphanFraction: 0.3,
			MaxFragments:   3,
			DurationDays:   30,
		},
		Retry: RetryFamily{ // none in the paper's telescope (share 0)
			Population:   Population{Actors: 200, MinActors: 6, Sigma: 1},
			TCPFraction:  0.5,
			MaxDsts:      3,
			DurationDays: 5,
		},
	}
}

// Wild returns the built-in scenario of a telescope the rules were not
// built from: another prefix and period, other tool and family mixes,
// and retrying clients (RetryFamily) whose port-0 packets look like
// scanning one packet at a time. docs/WILD.md and docs/TOOLS.md say what
// each change stands for.
func Wild() *Scenario {
	s := Paper()
	s.Name = "wild"
	s.Telescope = netip.MustParsePrefix("100.64.0.0/15")
	s.Start = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	s.Days = 730
	s.Port0Share = 0.003
	// Masscan-heavy scanning, fewer hping-like scanners; more UDP.
	s.Scan0.Share, s.Scan0.TCPFraction = 0.30, 0.55
	s.Scan0.ZMap, s.Scan0.Masscan, s.Scan0.Hping, s.Scan0.Nmap = 0.20, 0.45, 0.15, 0.20
	// Tools run as people run them: a third with a non-default option,
	// most hping3 with its own random IP ID, and a fifth of every
	// scanner's packets to ordinary ports.
	s.Scan0.OptionsFraction, s.Scan0.HpingRandomID, s.Scan0.OrdinaryFraction = 0.3, 0.8, 0.2
	// Half the ZMap and Masscan scanners run current builds (the period
	// starts after ZMap 4.1.0, 2024-03).
	s.Scan0.CurrentFraction = 0.5
	// Issue 30: scanners behind a NAT shared with a client, Nmap with
	// its default retries and UDP scans, hping3 sweeps a telescope
	// samples, options with values of their own.
	s.Scan0.NATFraction, s.Scan0.NmapUDP, s.Scan0.RetriesFraction = 0.2, 0.3, 0.6
	s.Scan0.SampledFraction, s.Scan0.OptionValues = 0.5, 0.5
	// More steady source-port-0 probing of services, a later burst.
	s.Sport0.Share, s.Sport0.BurstFraction, s.Sport0.BurstDay, s.Sport0.BurstPort = 0.15, 0.2, 400, 3389
	s.Backscatter.Share, s.Backscatter.To0Fraction, s.Backscatter.BSDFraction = 0.22, 0.5, 0.3
	// Most fingerprinters add Nmap's T2–T7.
	s.Fingerprint.Share, s.Fingerprint.NmapFraction = 0.06, 0.8
	s.Garbage.Share, s.Garbage.SurgeDay = 0.05, 500
	s.BitTorrent.Share = 0.12
	// Clients retrying to or from port 0, 10 % of port-0 packets; a
	// quarter of them share a BitTorrent client's address behind a NAT.
	s.Retry.Share, s.Retry.NATFraction = 0.10, 0.25
	return s
}

// Builtin returns a built-in scenario by name.
func Builtin(name string) (*Scenario, bool) {
	switch name {
	case "paper":
		return Paper(), true
	case "wild":
		return Wild(), true
	}
	return nil, false
}

// BuiltinNames lists the built-in scenarios.
func BuiltinNames() []string { return []string{"paper", "wild"} }

// End is the end of the period (exclusive).
func (s *Scenario) End() time.Time { return s.Start.AddDate(0, 0, s.Days) }

// param is one field of the scenario file: its section, key, documentation,
// and how to read, print and check it.
type param struct {
	section, key, doc string
	get               func() string
	set               func(string) error
}

func floatParam(section, key, doc string, p *float64, lo, hi float64) param {
	return param{section, key, doc,
		func() string { return strconv.FormatFloat(*p, 'g', -1, 64) },
		func(v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("want a number, got %q", v)
			}
			if f < lo || f > hi {
				return fmt.Errorf("%v is out of range [%v, %v]", f, lo, hi)
			}
			*p = f
			return nil
		}}
}

func intParam(section, key, doc string, p *int, lo, hi int) param {
	return param{section, key, doc,
		func() string { return strconv.Itoa(*p) },
		func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("want a whole number, got %q", v)
			}
			if n < lo || n > hi {
				return fmt.Errorf("%d is out of range [%d, %d]", n, lo, hi)
			}
			*p = n
			return nil
		}}
}

func boolParam(section, key, doc string, p *bool) param {
	return param{section, key, doc,
		func() string { return strconv.FormatBool(*p) },
		func(v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("want true or false, got %q", v)
			}
			*p = b
			return nil
		}}
}

func populationParams(section string, p *Population, what string) []param {
	return []param{
		intParam(section, "actors", what+" at scale 1", &p.Actors, 1, 1e8),
		intParam(section, "min_actors", "floor on the number of "+what+" after scaling", &p.MinActors, 1, 1e7),
		floatParam(section, "sigma", "log-normal sigma of per-actor volumes (0 = all equal)", &p.Sigma, 0, 6),
	}
}

// familyParams are populationParams plus the heavy hitter of a port-0 family.
func familyParams(section string, p *Population, what string) []param {
	return append(populationParams(section, p, what),
		floatParam(section, "top_share", "share of the family's packets sent by its heaviest actor (\"a small number of hosts send most of it\", Maghsoudlou 2021; 0 = log-normal only)", &p.TopShare, 0, 0.99))
}

// params lists every field of the scenario file, in the order the printed
// file shows them: the scenario's own, then each section's. The pointers
// refer to s, so setting a param sets s.
func (s *Scenario) params() []param {
	ps := s.ownParams()
	for _, sec := range [][]param{s.Background.params(), s.Scan0.params(), s.Sport0.params(), s.Backscatter.params(),
		s.Fingerprint.params(), s.Garbage.params(), s.BitTorrent.params(), s.Retry.params(), s.Fragments.params()} {
		ps = append(ps, sec...)
	}
	return ps
}

// ownParams are the scenario's fields outside any section.
func (s *Scenario) ownParams() []param {
	return []param{
		param{"", "name", "scenario name (free text, no spaces)",
			func() string { return s.Name },
			func(v string) error {
				if v == "" || strings.ContainsAny(v, " \t") {
					return fmt.Errorf("want a word, got %q", v)
				}
				s.Name = v
				return nil
			}},
		param{"", "telescope", "IPv4 prefix of the telescope, /8 to /24",
			func() string { return s.Telescope.String() },
			func(v string) error {
				p, err := netip.ParsePrefix(v)
				if err != nil || !p.Addr().Is4() || p.Bits() < 8 || p.Bits() > 24 {
					return fmt.Errorf("want an IPv4 prefix from /8 to /24 such as 198.18.0.0/15, got %q", v)
				}
				s.Telescope = p.Masked()
				return nil
			}},
		param{"", "start", "first day of the period (YYYY-MM-DD, UTC)",
			func() string { return s.Start.Format(time.DateOnly) },
			func(v string) error {
				t, err := time.Parse(time.DateOnly, v)
				if err != nil || t.Year() < 1971 || t.Year() > 2100 {
					return fmt.Errorf("want a date YYYY-MM-DD between 1971 and 2100, got %q", v)
				}
				s.Start = t
				return nil
			}},
		intParam("", "days", "length of the period in days", &s.Days, 1, 36600),
		floatParam("", "total_pps", "all packets per second at scale 1 (a /15 sees ~1-6 k/s, CAIDA)", &s.TotalPPS, 1e-3, 1e7),
		floatParam("", "port0_share", "share of all packets that are port-0-related (docs/BACKGROUND.md: 0.0001-0.01)", &s.Port0Share, 0, 0.5),
		floatParam("", "fragment_share", "share of all packets in fragment trains (traps, not port 0)", &s.FragmentShare, 0, 0.5),
		floatParam("", "population_exponent", "actor populations scale as scale^this (0 = fixed, 1 = linear)", &s.PopulationExponent, 0, 1),
		floatParam("", "diurnal_amplitude", "relative amplitude of the daily cycle of diurnal families", &s.DiurnalAmplitude, 0, 0.95),
		floatParam("", "weekly_amplitude", "relative weekend dip of diurnal families", &s.WeeklyAmplitude, 0, 0.95),
		intParam("", "ases", "synthetic autonomous systems in the AS map", &s.ASes, 20, 12000),
	}
}

// params are the fields of the [background] section.
func (b *Background) params() []param {
	return append(populationParams("background", &b.Population, "background sources"),
		floatParam("background", "top1_share", "packets sent by the top 1% of sources (Merit ORION 2025: > 0.8)", &b.Top1Share, 0.01, 0.999),
		floatParam("background", "tcp_scan_share", "generic SYN scans of common ports (OS stacks)", &b.TCPScanShare, 0, 1),
		floatParam("background", "zmap_share", "ZMap SYN scans (IP ID 54321, TTL 255, window 65535)", &b.ZMapShare, 0, 1),
		floatParam("background", "masscan_share", "Masscan SYN scans (IP ID = dst^dport^seq, window 1024)", &b.MasscanShare, 0, 1),
		floatParam("background", "mirai_share", "Mirai telnet scans (seq = destination address)", &b.MiraiShare, 0, 1),
		floatParam("background", "udp_share", "UDP probes of common services", &b.UDPShare, 0, 1),
		floatParam("background", "icmp_share", "ICMP echo sweeps", &b.ICMPShare, 0, 1),
		floatParam("background", "backscatter_share", "ordinary DDoS backscatter (SYN-ACK, RST, echo reply)", &b.BackscatterShare, 0, 1),
		floatParam("background", "misconfig_share", "misconfiguration hot spots (one source, one address)", &b.MisconfigShare, 0, 1),
	)
}

// params are the fields of the [scan0] section.
func (sc *Scan0) params() []param {
	return append(familyParams("scan0", &sc.Population, "destination-port-0 scanners"),
		floatParam("scan0", "share", "share of port-0 packets", &sc.Share, 0, 1),
		floatParam("scan0", "tcp_fraction", "scanners using TCP SYN (else UDP)", &sc.TCPFraction, 0, 1),
		floatParam("scan0", "zmap", "tool mix weight: ZMap-like", &sc.ZMap, 0, 1),
		floatParam("scan0", "masscan", "tool mix weight: Masscan-like", &sc.Masscan, 0, 1),
		floatParam("scan0", "hping", "tool mix weight: hping-like", &sc.Hping, 0, 1),
		floatParam("scan0", "nmap", "tool mix weight: Nmap SYN scans of port 0 (TCP only)", &sc.Nmap, 0, 1),
		floatParam("scan0", "duration_days", "median scan duration in days", &sc.DurationDays, 0.001, 365),
		floatParam("scan0", "options_fraction", "scanners run with non-default options: ZMap --probe-ttl 64, Masscan --ttl 64, hping3 -k, Nmap -g 53", &sc.OptionsFraction, 0, 1),
		floatParam("scan0", "hping_random_id", "hping-like scanners with hping3's default random IP ID (else fixed or +1)", &sc.HpingRandomID, 0, 1),
		floatParam("scan0", "current_fraction", "ZMap and Masscan scanners built from current source: ZMap >= 4.1 (random-looking IP ID, TTL 64, Windows options), Masscan after 2023-11 (window 1025, MSS 1460)", &sc.CurrentFraction, 0, 1),
		floatParam("scan0", "ordinary_fraction", "share of a scanner's packets to ordinary service ports, not port 0", &sc.OrdinaryFraction, 0, 0.95),
		floatParam("scan0", "nat_fraction", "scanners behind a NAT sharing their address with an ordinary client (BitTorrent, or a desktop retrying to port 0)", &sc.NATFraction, 0, 1),
		floatParam("scan0", "nmap_udp", "Nmap scanners running a UDP scan (-sU -p0) rather than a SYN scan", &sc.NmapUDP, 0, 1),
		floatParam("scan0", "retries_fraction", "Nmap scanners with default retries (each probe twice: source port + 2, seq XOR 0x20002), half of them two processes at once", &sc.RetriesFraction, 0, 1),
		floatParam("scan0", "sampled_fraction", "hping-like scanners sweeping a /8 with --rand-dest: the /15 telescope sees ~1 packet in 128, source ports rise by ~128", &sc.SampledFraction, 0, 1),
		floatParam("scan0", "option_values", "of the scanners run with options: a value of their own (hping3 -w any window, ZMap --probe-ttl and Masscan --ttl 40-255), not 64", &sc.OptionValues, 0, 1),
	)
}

// params are the fields of the [sport0] section.
func (sp *Sport0) params() []param {
	return append(familyParams("sport0", &sp.Population, "steady source-port-0 UDP probers"),
		floatParam("sport0", "share", "share of port-0 packets", &sp.Share, 0, 1),
		floatParam("sport0", "burst_fraction", "share of this family's packets in the TCP burst", &sp.BurstFraction, 0, 1),
		intParam("sport0", "burst_day", "day of the period the burst starts (0-based)", &sp.BurstDay, 0, 36599),
		intParam("sport0", "burst_hour", "UTC hour the burst starts", &sp.BurstHour, 0, 23),
		floatParam("sport0", "burst_hours", "burst length in hours (Cisco 2013: 3)", &sp.BurstHours, 0.01, 240),
		intParam("sport0", "burst_sources", "burst sources at scale 1, all in one hosting AS", &sp.BurstSources, 1, 1e7),
		intParam("sport0", "burst_port", "TCP port the burst probes (Cisco 2013: 445)", &sp.BurstPort, 1, 65535),
		floatParam("sport0", "duration_days", "median activity of a steady prober in days", &sp.DurationDays, 0.001, 3650),
	)
}

// params are the fields of the [backscatter0] section.
func (bs *Backscatter) params() []param {
	return append(familyParams("backscatter0", &bs.Population, "attack events (one victim each)"),
		floatParam("backscatter0", "share", "share of port-0 packets", &bs.Share, 0, 1),
		floatParam("backscatter0", "to0_fraction", "events answered to port 0 (else from port 0)", &bs.To0Fraction, 0, 1),
		floatParam("backscatter0", "icmp_fraction", "from-0 events that are UDP floods answered with ICMP port unreachable", &bs.ICMPFraction, 0, 1),
		floatParam("backscatter0", "bsd_fraction", "victims of initial TTL 64 running a BSD stack, which never answers UDP to port 0 and opens with window 65535 (else Linux; TTL 128 is Windows)", &bs.BSDFraction, 0, 1),
		floatParam("backscatter0", "duration_minutes", "median event duration in minutes (Moore et al.)", &bs.DurationMinutes, 0.1, 100000),
	)
}

// params are the fields of the [fingerprint] section.
func (fp *FingerprintFamily) params() []param {
	return append(familyParams("fingerprint", &fp.Population, "fingerprinting sources"),
		floatParam("fingerprint", "share", "share of port-0 packets", &fp.Share, 0, 1),
		floatParam("fingerprint", "nmap_fraction", "fingerprinters adding Nmap-like T2-T7 probes", &fp.NmapFraction, 0, 1),
		floatParam("fingerprint", "probe_gap_ms", "mean gap between the probes of a bundle, ms", &fp.ProbeGapMS, 0.001, 60000),
		floatParam("fingerprint", "duration_days", "median activity of a fingerprinter in days", &fp.DurationDays, 0.001, 3650),
	)
}

// params are the fields of the [garbage] section.
func (g *Garbage) params() []param {
	return append(familyParams("garbage", &g.Population, "randomised-header sources"),
		floatParam("garbage", "share", "share of port-0 packets", &g.Share, 0, 1),
		intParam("garbage", "surge_day", "day of the period the surge starts (0-based)", &g.SurgeDay, 0, 36599),
		floatParam("garbage", "surge_days", "surge length in days (CERT.pl 2011: ~5)", &g.SurgeDays, 0.01, 365),
		floatParam("garbage", "sport0_share", "packets with source port 0 (CERT.pl: 14200 of 15000)", &g.Sport0Share, 0, 1),
		param{"garbage", "data_offsets", "weights of TCP data offsets 0,4,8,12,16 bytes (CERT.pl counts)",
			func() string { return g.DataOffsets },
			func(v string) error {
				if _, err := parseWeights(v, 5); err != nil {
					return err
				}
				g.DataOffsets = v
				return nil
			}},
		floatParam("garbage", "near_uniform", "1 = uniform flag bytes, 0 = only the CERT.pl top flag values", &g.NearUniform, 0, 1),
	)
}

// params are the fields of the [bittorrent] section.
func (bt *BitTorrentFamily) params() []param {
	return append(familyParams("bittorrent", &bt.Population, "BitTorrent clients"),
		floatParam("bittorrent", "share", "share of port-0 packets", &bt.Share, 0, 1),
		floatParam("bittorrent", "dht_fraction", "DHT bencode queries (else uTP SYN)", &bt.DHTFraction, 0, 1),
		floatParam("bittorrent", "duration_days", "median client lifetime in days", &bt.DurationDays, 0.001, 3650),
		boolParam("bittorrent", "diurnal", "clients follow the daily cycle", &bt.Diurnal),
	)
}

// params are the fields of the [retry] section.
func (rf *RetryFamily) params() []param {
	return append(familyParams("retry", &rf.Population, "retrying clients"),
		floatParam("retry", "share", "share of port-0 packets", &rf.Share, 0, 1),
		floatParam("retry", "tcp_fraction", "clients retrying TCP SYNs to port 0 (else UDP from port 0 to DNS, NTP or syslog)", &rf.TCPFraction, 0, 1),
		intParam("retry", "max_dsts", "telescope addresses one client sends to: 1..this", &rf.MaxDsts, 1, 64),
		floatParam("retry", "duration_days", "median activity of a client in days", &rf.DurationDays, 0.001, 3650),
		floatParam("retry", "nat_fraction", "clients behind a carrier-grade NAT sharing a BitTorrent client's public address", &rf.NATFraction, 0, 1),
	)
}

// params are the fields of the [fragments] section.
func (fr *Fragments) params() []param {
	return append(populationParams("fragments", &fr.Population, "fragmenting reflectors"),
		floatParam("fragments", "tcp_fraction", "trains carrying TCP (else UDP)", &fr.TCPFraction, 0, 1),
		floatParam("fragments", "orphan_fraction", "trains whose first fragment never arrives", &fr.OrphanFraction, 0, 1),
		intParam("fragments", "max_fragments", "fragments per train: 2..this", &fr.MaxFragments, 2, 16),
		floatParam("fragments", "duration_days", "median activity of a reflector in days", &fr.DurationDays, 0.001, 3650),
	)
}

// parseWeights reads n comma-separated non-negative weights with a positive sum.
func parseWeights(v string, n int) ([]float64, error) {
	parts := strings.Split(v, ",")
	if len(parts) != n {
		return nil, fmt.Errorf("want %d comma-separated weights, got %d", n, len(parts))
	}
	w := make([]float64, n)
	sum := 0.0
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("weight %d: want a non-negative number, got %q", i+1, p)
		}
		w[i] = f
		sum += f
	}
	if sum <= 0 {
		return nil, fmt.Errorf("weights sum to zero")
	}
	return w, nil
}

// ScenarioError names the file, line and field of a bad scenario and says
// how to fix it.
type ScenarioError struct {
	File  string
	Line  int
	Field string // "section.key" or "key"
	Msg   string
}

func (e *ScenarioError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", where, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", where, e.Msg)
}

func fieldName(section, key string) string {
	if section == "" {
		return key
	}
	return section + "." + key
}

// ParseScenario reads a scenario file. The file starts from the built-in
// "paper" scenario, or from the one named by a top-level "base = NAME" line
// that must come first; every other line sets one field. Lines are
// "key = value", "[section]" headers, blank lines and "#" comments. Unknown
// sections or keys, bad values and a repeated key are errors naming the field.
func ParseScenario(name string, r io.Reader) (*Scenario, error) {
	s := Paper()
	byName := map[string]param{}
	sections := map[string]bool{"": true}
	for _, p := range s.params() {
		byName[fieldName(p.section, p.key)] = p
		sections[p.section] = true
	}
	seen := map[string]int{}
	section := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<16)
	line := 0
	setAny := false
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if strings.HasPrefix(text, "[") {
			if !strings.HasSuffix(text, "]") {
				return nil, &ScenarioError{name, line, "", fmt.Sprintf("section header %q lacks its closing ]", text)}
			}
			section = strings.TrimSpace(text[1 : len(text)-1])
			if !sections[section] || section == "" {
				return nil, &ScenarioError{name, line, "", fmt.Sprintf("unknown section [%s] (known: %s)", section, strings.Join(sectionNames(s), ", "))}
			}
			continue
		}
		key, val, ok := strings.Cut(text, "=")
		if !ok {
			return nil, &ScenarioError{name, line, "", fmt.Sprintf("want key = value, got %q", text)}
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		field := fieldName(section, key)
		if section == "" && key == "base" {
			if setAny {
				return nil, &ScenarioError{name, line, field, "base must come before every other field"}
			}
			b, ok := Builtin(val)
			if !ok {
				return nil, &ScenarioError{name, line, field, fmt.Sprintf("unknown built-in scenario %q (known: %s)", val, strings.Join(BuiltinNames(), ", "))}
			}
			*s = *b
			continue
		}
		p, ok := byName[field]
		if !ok {
			return nil, &ScenarioError{name, line, field, "unknown field; run 'port0 gen -print-scenario paper' for the list"}
		}
		if prev, dup := seen[field]; dup {
			return nil, &ScenarioError{name, line, field, fmt.Sprintf("set twice (first on line %d)", prev)}
		}
		seen[field] = line
		if err := p.set(val); err != nil {
			return nil, &ScenarioError{name, line, field, err.Error()}
		}
		setAny = true
	}
	if err := sc.Err(); err != nil {
		return nil, &ScenarioError{name, line + 1, "", err.Error()}
	}
	if err := s.Validate(); err != nil {
		if se, ok := err.(*ScenarioError); ok {
			se.File = name
			se.Line = seen[se.Field]
			if se.Line == 0 {
				// A relation broken by another field of the section: point
				// at the last line that set one.
				sec, _, _ := strings.Cut(se.Field, ".")
				for f, l := range seen {
					if strings.HasPrefix(f, sec+".") && l > se.Line {
						se.Line = l
					}
				}
			}
		}
		return nil, err
	}
	return s, nil
}

func sectionNames(s *Scenario) []string {
	var out []string
	last := ""
	for _, p := range s.params() {
		if p.section != "" && p.section != last {
			out = append(out, "["+p.section+"]")
			last = p.section
		}
	}
	return out
}

// Validate checks the relations between fields that no single field can
// check: shares that must sum to 1, windows inside the period.
func (s *Scenario) Validate() error {
	bad := func(field, format string, a ...any) error {
		return &ScenarioError{File: s.Name, Field: field, Msg: fmt.Sprintf(format, a...)}
	}
	b := s.Background
	if sum := b.TCPScanShare + b.ZMapShare + b.MasscanShare + b.MiraiShare + b.UDPShare + b.ICMPShare + b.BackscatterShare + b.MisconfigShare; math.Abs(sum-1) > 1e-6 {
		return bad("background.tcp_scan_share", "the background *_share fields sum to %.6g; make them sum to 1", sum)
	}
	if sum := s.Scan0.Share + s.Sport0.Share + s.Backscatter.Share + s.Fingerprint.Share + s.Garbage.Share + s.BitTorrent.Share + s.Retry.Share; math.Abs(sum-1) > 1e-6 {
		return bad("scan0.share", "the share fields of scan0, sport0, backscatter0, fingerprint, garbage, bittorrent and retry sum to %.6g; make them sum to 1", sum)
	}
	if s.Port0Share+s.FragmentShare >= 1 {
		return bad("port0_share", "port0_share + fragment_share must leave room for background")
	}
	if s.Scan0.ZMap+s.Scan0.Masscan+s.Scan0.Hping+s.Scan0.Nmap <= 0 {
		return bad("scan0.zmap", "the scan0 tool weights (zmap, masscan, hping, nmap) sum to zero; give one a positive weight")
	}
	if s.Sport0.BurstDay >= s.Days {
		return bad("sport0.burst_day", "day %d is after the period of %d days; choose 0..%d", s.Sport0.BurstDay, s.Days, s.Days-1)
	}
	if s.Garbage.SurgeDay >= s.Days {
		return bad("garbage.surge_day", "day %d is after the period of %d days; choose 0..%d", s.Garbage.SurgeDay, s.Days, s.Days-1)
	}
	for _, p := range []struct {
		field string
		pop   Population
	}{
		{"background.min_actors", b.Population}, {"scan0.min_actors", s.Scan0.Population},
		{"sport0.min_actors", s.Sport0.Population}, {"backscatter0.min_actors", s.Backscatter.Population},
		{"fingerprint.min_actors", s.Fingerprint.Population}, {"garbage.min_actors", s.Garbage.Population},
		{"bittorrent.min_actors", s.BitTorrent.Population}, {"fragments.min_actors", s.Fragments.Population},
		{"retry.min_actors", s.Retry.Population},
	} {
		if p.pop.MinActors > p.pop.Actors {
			return bad(p.field, "min_actors %d exceeds actors %d; lower it", p.pop.MinActors, p.pop.Actors)
		}
	}
	return nil
}

// Format writes the scenario as a commented scenario file that ParseScenario
// reads back to an equal scenario.
func (s *Scenario) Format(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# port0 scenario %q. Edit and pass with: port0 gen -scenario FILE\n", s.Name)
	fmt.Fprintln(bw, "# Lines are 'key = value' or '[section]'; '#' starts a comment. A field left out keeps")
	fmt.Fprintln(bw, "# the value of the built-in 'paper' scenario. Volumes are at scale 1; -scale multiplies")
	fmt.Fprintln(bw, "# packet budgets, and actor counts scale as scale^population_exponent.")
	fmt.Fprintln(bw, "# Sources of the defaults: docs/BACKGROUND.md of port0.")
	section := ""
	for _, p := range s.params() {
		if p.section != section {
			section = p.section
			fmt.Fprintf(bw, "\n[%s]\n", section)
		}
		fmt.Fprintf(bw, "%-20s = %-14s # %s\n", p.key, p.get(), p.doc)
	}
	return bw.Flush()
}
