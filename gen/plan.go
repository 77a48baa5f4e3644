package gen

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/port0/port0/label"
)

// family is the actor family an actor belongs to.
type family uint8

const (
	famBackground family = iota
	famScan0
	famSport0
	famBackscatter
	famFingerprint
	famGarbage
	famBitTorrent
	famFragments
	famRetry
	numFamilies
)

var familyNames = [numFamilies]string{"background", "scan0", "sport0", "backscatter0", "fingerprint", "garbage", "bittorrent", "fragments", "retry"}

func (f family) String() string { return familyNames[f] }

// Kinds within families. Background kinds index Plan.bg.
const (
	bgTCPScan uint8 = iota
	bgZMap
	bgMasscan
	bgMirai
	bgUDP
	bgICMP
	bgBackscatter
	bgMisconfig
	numBgKinds
)

var bgKindNames = [numBgKinds]string{"tcp-scan", "zmap", "masscan", "mirai", "udp", "icmp-echo", "backscatter", "misconfig"}

const (
	kindTCP     uint8 = 0 // scan0, fragments: TCP
	kindUDP     uint8 = 1 // scan0, fragments: UDP
	kindSteady  uint8 = 0 // sport0: UDP probes of services
	kindBurst   uint8 = 1 // sport0: the TCP burst
	kindTo0     uint8 = 0 // backscatter0: SYN-ACK/RST-ACK to port 0
	kindFrom0   uint8 = 1 // backscatter0: RST-ACK from port 0
	kindFrom0IC uint8 = 2 // backscatter0: ICMP port unreachable quoting dport 0
	kindP17     uint8 = 0 // fingerprint: P1–P7 only
	kindNmap    uint8 = 1 // fingerprint: P1–P7 then T2–T7
	kindDHT     uint8 = 0 // bittorrent: DHT queries
	kindUTP     uint8 = 1 // bittorrent: uTP SYN
	kindRTCP    uint8 = 0 // retry: a client's SYNs to port 0, retransmitted
	kindRUDP    uint8 = 1 // retry: a client's UDP from port 0 to its server
)

// Actor is one source (or, for backscatter, one attack event) with its
// planned behaviour. Every field is fixed by the plan; per-packet randomness
// comes from the chunk's streams.
type Actor struct {
	ID      uint32
	Family  family
	Kind    uint8
	Class   label.Class
	Tool    label.Tool
	Src     uint32 // source IPv4 address
	ASN     uint32
	TTL     uint8   // TTL as it arrives at the telescope (initial TTL minus hops)
	Start   int64   // first instant of activity, ns since the epoch
	End     int64   // end of activity (exclusive)
	Packets float64 // planned (expected) packets over [Start, End)
	Port    uint16  // service port (sport0, backscatter to0, misconfig), or a fixed source port
	Aux     uint32  // family-specific: sweep multiplier, fixed destination, IP ID base, window
	Aux2    uint32  // family-specific: sweep offset, option style
	Diurnal bool
	Stack   uint8  // a backscatter victim's stack: stackLinux, stackWindows, stackBSD (0: not a victim)
	Opts    uint8  // how a crafting tool was run: optCustom, optRandomID, ...
	Val     uint16 // the value of a non-default option: hping3 -w's window (optValue)
}

// Tool run options (Actor.Opts).
const (
	// optCustom: the scanner was run with a non-default option that
	// changes its fingerprint (ZMap --probe-ttl 64, Masscan --ttl 64,
	// hping3 -k, Nmap -g 53).
	optCustom uint8 = 1 << iota
	// optRandomID: an hping-like tool drawing a random IP ID a packet
	// (hping3's default, sendip.c), not the fixed or +1 ID of
	// hping-like crafting (docs/BACKGROUND.md).
	optRandomID
	// optCurrent: ZMap or Masscan built from current source (ZMap ≥ 4.1,
	// Masscan after 2023-11), not the older release docs/BACKGROUND.md names.
	optCurrent
	// optValue: the non-default option takes a value of its own
	// (Scan0.OptionValues): hping3 -w Val, or a TTL other than 64.
	optValue
	// optRetries: Nmap with default retries, each probe twice
	// (Scan0.RetriesFraction).
	optRetries
	// optProcs: two Nmap processes at once from one address, each its
	// own base port and sequence mask (with optRetries).
	optProcs
	// optSampled: an hping3 --rand-dest sweep of a /8 that the
	// telescope samples one packet in 128 (Scan0.SampledFraction).
	optSampled
	// optNAT: the scanner's address is shared with an ordinary client
	// (Scan0.NATFraction; the client is an actor of its own).
	optNAT
)

// sampleStep is how many packets an hping3 --rand-dest sweep of a /8
// sends for each one a /15 telescope sees: 2^24 / 2^17.
const sampleStep = 128

// Victim stacks (Actor.Stack), as actors.csv's stack column names them.
const (
	stackNone uint8 = iota
	stackLinux
	stackWindows
	stackBSD
)

var stackNames = [...]string{"-", "linux", "windows", "bsd"}

// rate is the actor's mean packet rate per ns.
func (a *Actor) rate() float64 { return a.Packets / float64(a.End-a.Start) }

// AS is one synthetic autonomous system of the AS map.
type AS struct {
	ASN     uint32
	Prefix  uint32 // network address
	Bits    int    // prefix length
	Hosting bool   // a hosting/cloud network (where crafted traffic comes from)
}

// bgPool is a contiguous range of background actors that share one stream:
// an alias table picks the source (and so the kind) of each packet by its
// volume weight. Pool 0 holds the kinds that follow the daily cycle, pool 1
// the misconfiguration hot spots, which do not.
type bgPool struct {
	lo, hi  int     // actor index range
	packets float64 // planned packets over the period
	alias   alias
}

// Plan is a scenario made concrete for one seed and scale: every actor with
// its source address, window and volume. Building it is sequential and cheap;
// generating the packets is split into chunks that workers run in parallel.
type Plan struct {
	Scenario *Scenario
	Seed     uint64
	Scale    float64
	Start    int64 // ns since the epoch
	End      int64
	ChunkNS  int64 // chunk length; divides one hour
	NChunks  int
	Actors   []Actor
	ASes     []AS
	bg       [2]bgPool
	byDay    [][]int32 // non-background actors active on each day
	teleBase uint32
	teleBits int
	dataOffW alias // garbage: data offset weights
}

const (
	nsPerSec = int64(time.Second)
	nsPerDay = 86400 * nsPerSec
)

// chunkSeconds are the allowed chunk lengths: each divides one hour, so every
// chunk lies inside one hourly (and daily) shard.
var chunkSeconds = []int64{60, 120, 300, 600, 900, 1200, 1800, 3600}

// maxChunkPackets bounds the expected packets of one chunk (and so the
// memory a chunk buffer needs).
const maxChunkPackets = 200000

// NewPlan builds the plan of scenario s for a seed and scale.
func NewPlan(s *Scenario, seed uint64, scale float64) (*Plan, error) {
	if !(scale > 0) || math.IsInf(scale, 0) {
		return nil, fmt.Errorf("scale must be a positive number, got %v", scale)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	p := &Plan{
		Scenario: s, Seed: seed, Scale: scale,
		Start:    s.Start.UnixNano(),
		End:      s.End().UnixNano(),
		teleBase: addr4(s.Telescope.Addr().As4()),
		teleBits: 32 - s.Telescope.Bits(),
	}
	seconds := float64(p.End-p.Start) / 1e9
	total := s.TotalPPS * scale * seconds
	if total > 1e13 {
		return nil, errors.New("scale too large: more than 10^13 packets planned")
	}
	p.ChunkNS = chunkSeconds[len(chunkSeconds)-1] * nsPerSec
	peak := s.TotalPPS * scale * (1 + s.DiurnalAmplitude) / (1 - 2*s.WeeklyAmplitude/7)
	for _, cs := range chunkSeconds {
		if peak*float64(cs) <= maxChunkPackets {
			p.ChunkNS = cs * nsPerSec
		}
	}
	p.NChunks = int((p.End - p.Start + p.ChunkNS - 1) / p.ChunkNS)

	b := newBuilder(p, seed)
	b.asMap()
	port0 := total * s.Port0Share
	frag := total * s.FragmentShare
	b.background(total - port0 - frag)
	b.scan0(port0 * s.Scan0.Share)
	b.sport0(port0 * s.Sport0.Share)
	b.backscatter(port0 * s.Backscatter.Share)
	b.fingerprint(port0 * s.Fingerprint.Share)
	b.garbage(port0 * s.Garbage.Share)
	b.bittorrent(port0 * s.BitTorrent.Share)
	b.fragments(frag)
	b.retry(port0 * s.Retry.Share)
	if s.Scan0.NATFraction > 0 {
		b.natClients()
	}
	p.indexDays()
	return p, nil
}

// Shares reports the planned packet shares of the scenario: port-0, fragment
// trains, and per class, as fractions of all planned packets.
func (p *Plan) PlannedPackets() (total float64, perClass map[label.Class]float64) {
	perClass = map[label.Class]float64{}
	for i := range p.Actors {
		a := &p.Actors[i]
		if a.Family == famBackground {
			continue
		}
		if a.Family == famFragments {
			// A train of n fragments has 1 first and n-1 non-first fragments;
			// orphan trains lose their first. See fragTrain.
			perClass[label.FragmentArtifact] += a.Packets * fragNonFirstShare(p.Scenario.Fragments)
			perClass[label.Background] += a.Packets * (1 - fragNonFirstShare(p.Scenario.Fragments))
			total += a.Packets
			continue
		}
		perClass[a.Class] += a.Packets
		total += a.Packets
	}
	for k := range p.bg {
		perClass[label.Background] += p.bg[k].packets
		total += p.bg[k].packets
	}
	return total, perClass
}

// fragNonFirstShare is the expected share of non-first fragments among the
// packets of fragment trains: trains have 2..max fragments uniformly, and an
// orphan train's first fragment is never sent.
func fragNonFirstShare(f Fragments) float64 {
	n := 0.0
	for k := 2; k <= f.MaxFragments; k++ {
		n += float64(k)
	}
	meanLen := n / float64(f.MaxFragments-1)
	sent := meanLen - f.OrphanFraction
	return (meanLen - 1) / sent
}

func addr4(a [4]byte) uint32 {
	return uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
}

// indexDays lists, for each day, the non-background actors active on it.
func (p *Plan) indexDays() {
	days := int((p.End - p.Start + nsPerDay - 1) / nsPerDay)
	p.byDay = make([][]int32, days)
	for i := range p.Actors {
		a := &p.Actors[i]
		if a.Family == famBackground || a.Packets <= 0 {
			continue
		}
		d0 := int((a.Start - p.Start) / nsPerDay)
		d1 := int((a.End - 1 - p.Start) / nsPerDay)
		for d := max(d0, 0); d <= d1 && d < days; d++ {
			p.byDay[d] = append(p.byDay[d], int32(i))
		}
	}
}

// builder draws the plan from one seeded stream per family.
type builder struct {
	p     *Plan
	seed  uint64
	used  map[uint32]bool // source addresses taken
	asW   alias           // all ASes by size
	hostW alias           // hosting ASes, concentrated
	hosts []int           // indexes of hosting ASes
}

func newBuilder(p *Plan, seed uint64) *builder {
	return &builder{p: p, seed: seed, used: map[uint32]bool{}}
}

// rng returns the plan's random stream for one purpose.
func (b *builder) rng(purpose uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix(b.seed, 0x9e3779b97f4a7c15), mix(purpose, 0x51ed270b27a0f3c5)))
}

// mix is SplitMix64's finaliser over a^b, used to derive stream seeds.
func mix(a, b uint64) uint64 {
	z := a ^ (b * 0xbf58476d1ce4e5b9)
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// publicBlock reports whether the /16 with first octets a.b is ordinary
// public unicast space (not private, reserved, documentation, multicast, or
// the benchmarking range that holds the default telescope).
func publicBlock(a, b int) bool {
	switch {
	case a == 0, a == 10, a == 127, a >= 224:
		return false
	case a == 100 && b >= 64 && b < 128:
		return false
	case a == 169 && b == 254, a == 172 && b >= 16 && b < 32, a == 192 && b == 168:
		return false
	case a == 192 && b == 0, a == 198 && (b == 18 || b == 19 || b == 51), a == 203 && b == 0:
		return false
	}
	return true
}

// asMap draws the synthetic AS map: each AS one prefix (/16 to /20) in its own
// /16 block of public space outside the telescope. One in ten is a hosting
// network; AS sizes (how many sources they hold) follow Zipf's law.
func (b *builder) asMap() {
	s := b.p.Scenario
	r := b.rng(1)
	var blocks []uint32
	tele := b.p.teleBase
	teleMask := ^uint32(0) << b.p.teleBits
	for a := 1; a < 224; a++ {
		for c := 0; c < 256; c++ {
			blk := uint32(a)<<24 | uint32(c)<<16
			if !publicBlock(a, c) || (blk&teleMask) == (tele&teleMask) || (tele&0xffff0000) == blk {
				continue
			}
			blocks = append(blocks, blk)
		}
	}
	r.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
	n := min(s.ASes, len(blocks))
	asns := map[uint32]bool{}
	weights := make([]float64, n)
	var hostW []float64
	for i := 0; i < n; i++ {
		asn := uint32(1000 + r.IntN(398000))
		for asns[asn] {
			asn = uint32(1000 + r.IntN(398000))
		}
		asns[asn] = true
		bits := 16 + r.IntN(5)
		pfx := blocks[i] | uint32(r.IntN(1<<(bits-16)))<<(32-bits)
		as := AS{ASN: asn, Prefix: pfx, Bits: bits, Hosting: i%10 == 3}
		b.p.ASes = append(b.p.ASes, as)
		weights[i] = 1 / float64(i+1)
		if as.Hosting {
			b.hosts = append(b.hosts, i)
			// Port-0 crafting concentrates in a few hosting networks.
			hostW = append(hostW, math.Pow(float64(len(b.hosts)), -1.6))
		}
	}
	b.asW = newAlias(weights)
	b.hostW = newAlias(hostW)
}

// source draws a fresh source address from AS index ai; when that AS is
// nearly full it moves on to the next AS, so any population fits.
func (b *builder) source(r *rand.Rand, ai int) (uint32, uint32) {
	for {
		as := b.p.ASes[ai]
		size := uint32(1) << (32 - as.Bits)
		for try := 0; try < 16; try++ {
			ip := as.Prefix + 1 + uint32(r.Uint64N(uint64(size-2)))
			if !b.used[ip] {
				b.used[ip] = true
				return ip, as.ASN
			}
		}
		ai = (ai + 1) % len(b.p.ASes)
	}
}

// count is the number of actors of a population at the plan's scale.
func (b *builder) count(pop Population) int {
	n := int(math.Round(float64(pop.Actors) * math.Pow(b.p.Scale, b.p.Scenario.PopulationExponent)))
	return max(n, pop.MinActors)
}

// volumes splits packets over n actors by log-normal weights.
func volumes(r *rand.Rand, n int, sigma, packets float64) []float64 {
	w := make([]float64, n)
	sum := 0.0
	for i := range w {
		w[i] = math.Exp(sigma * r.NormFloat64())
		sum += w[i]
	}
	for i := range w {
		w[i] *= packets / sum
	}
	return w
}

// topVolumes splits packets over n actors so that the top ones (at least
// one) send topShare of them; within each group volumes are log-normal.
// Heavy hitters first: the caller's order does not matter for sampling.
func topVolumes(r *rand.Rand, n, top int, sigma, packets, topShare float64) []float64 {
	if top >= n || topShare <= 0 {
		return volumes(r, n, sigma, packets)
	}
	return append(volumes(r, top, sigma, packets*topShare), volumes(r, n-top, sigma, packets*(1-topShare))...)
}

// familyVolumes splits a port-0 family's packets over its n actors: the
// heaviest sends pop.TopShare of them, and the rest are split as the n−1
// heaviest of the family's pop.Actors−1 log-normal tail at scale 1 are, in
// their proportions. A telescope that sees a small sample of the volume
// sees the heavy actors of a family and misses the light ones, so the
// actors of a small scale are the top of the full population, not a
// smaller population as unequal as the full one (SCALING.md). With n at
// least pop.Actors (scale 1, or a floor above the population) every actor
// is drawn.
func familyVolumes(r *rand.Rand, n int, pop Population, packets float64) []float64 {
	top := 0
	if pop.TopShare > 0 && n > 1 {
		top = 1
	}
	tail := packets * (1 - float64(top)*pop.TopShare)
	var out []float64
	if top == 1 {
		out = append(out, packets*pop.TopShare)
	}
	m := n - top             // tail actors planned
	full := pop.Actors - top // tail actors at scale 1
	if m >= full {
		return append(out, volumes(r, m, pop.Sigma, tail)...)
	}
	w := volumes(r, full, pop.Sigma, 1)
	slices.SortFunc(w, func(a, b float64) int { return cmp.Compare(b, a) })
	w = w[:m]
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	for i := range w {
		w[i] *= tail / sum
	}
	return append(out, w...)
}

// window draws an activity window with a log-normal duration (median
// medianNS, sigma) placed uniformly inside the period.
func (b *builder) window(r *rand.Rand, medianNS, sigma float64) (int64, int64) {
	period := float64(b.p.End - b.p.Start)
	d := medianNS * math.Exp(sigma*r.NormFloat64())
	d = math.Min(math.Max(d, float64(nsPerSec)), period)
	start := b.p.Start + int64(r.Float64()*(period-d))
	return start, start + int64(d)
}

// homeTTL draws the initial TTL of an ordinary host: 64 (Linux, BSD,
// macOS) or 128 (Windows), half each.
func homeTTL(r *rand.Rand) uint8 {
	if r.IntN(2) == 0 {
		return 128
	}
	return 64
}

// hops draws a path length; the arriving TTL is the initial TTL minus it.
func hops(r *rand.Rand) uint8 { return uint8(6 + r.IntN(22)) }

func (b *builder) add(a Actor) *Actor {
	a.ID = uint32(len(b.p.Actors))
	b.p.Actors = append(b.p.Actors, a)
	return &b.p.Actors[len(b.p.Actors)-1]
}

// background plans the background kinds: each kind's sources are a
// contiguous actor range whose volumes are log-normal (heavy-tailed: with the
// default sigma the top 1 % of sources send over 80 % of the packets).
func (b *builder) background(packets float64) {
	s := b.p.Scenario
	bg := s.Background
	r := b.rng(10)
	n := b.count(bg.Population)
	var vols0 [2][]float64
	shares := [numBgKinds]float64{bg.TCPScanShare, bg.ZMapShare, bg.MasscanShare, bg.MiraiShare, bg.UDPShare, bg.ICMPShare, bg.BackscatterShare, bg.MisconfigShare}
	tools := [numBgKinds]label.Tool{label.Stack, label.ZMap, label.Masscan, label.Mirai, label.Stack, label.Stack, label.Stack, label.Stack}
	for k := uint8(0); k < numBgKinds; k++ {
		kp := packets * shares[k]
		if kp <= 0 {
			continue
		}
		m := max(1, int(math.Round(float64(n)*shares[k])))
		vols := topVolumes(r, m, max(1, m/100), bg.Sigma, kp, bg.Top1Share)
		lo := len(b.p.Actors)
		for i := 0; i < m; i++ {
			src, asn := b.source(r, b.asW.pick(r.Uint64()))
			a := Actor{
				Family: famBackground, Kind: k, Class: label.Background, Tool: tools[k],
				Src: src, ASN: asn, Start: b.p.Start, End: b.p.End, Packets: vols[i], Diurnal: true,
			}
			init := uint8(64)
			if r.IntN(3) == 0 {
				init = 128
			}
			switch k {
			case bgZMap, bgMasscan:
				init = 255
			case bgMirai:
				init = 64
				a.Port = uint16(1024 + r.IntN(64000)) // fixed source port per bot
			}
			a.TTL = init - hops(r)
			a.Aux = r.Uint32()  // per-source constant (ICMP id, window choice, fixed destination)
			a.Aux2 = r.Uint32() // per-source constant (option style, source port base)
			if k == bgMisconfig {
				a.Aux = b.p.teleBase + uint32(r.Uint64N(1<<b.p.teleBits))
				a.Port = []uint16{53, 123, 27015, 8080, 161}[r.IntN(5)]
				a.Diurnal = false
			}
			b.add(a)
		}
		pool := &b.p.bg[boolInt(k == bgMisconfig)]
		if len(vols0[boolInt(k == bgMisconfig)]) == 0 {
			pool.lo = lo
		}
		pool.hi = lo + m
		pool.packets += kp
		vols0[boolInt(k == bgMisconfig)] = append(vols0[boolInt(k == bgMisconfig)], vols...)
	}
	for i := range b.p.bg {
		b.p.bg[i].alias = newAlias(vols0[i])
	}
}

// hostingSource draws a source from the concentrated hosting networks.
func (b *builder) hostingSource(r *rand.Rand) (uint32, uint32) {
	return b.source(r, b.hosts[b.hostW.pick(r.Uint64())])
}

func (b *builder) scan0(packets float64) {
	sc := b.p.Scenario.Scan0
	r := b.rng(20)
	n := b.count(sc.Population)
	vols := familyVolumes(r, n, sc.Population, packets)
	weights := []float64{sc.ZMap, sc.Masscan, sc.Hping}
	if sc.Nmap > 0 { // appended only when used: paper's draws stay as they were
		weights = append(weights, sc.Nmap)
	}
	toolW := newAlias(weights)
	// Issue 30's conditions draw from a stream of their own, so the
	// draws above stay what they were.
	r2 := b.rng(21)
	issue30 := sc.NATFraction > 0 || sc.NmapUDP > 0 || sc.RetriesFraction > 0 || sc.SampledFraction > 0 || sc.OptionValues > 0
	for i := 0; i < n; i++ {
		src, asn := b.hostingSource(r)
		start, end := b.window(r, sc.DurationDays*float64(nsPerDay), 1)
		a := Actor{Family: famScan0, Class: label.Scan, Src: src, ASN: asn, Start: start, End: end, Packets: vols[i]}
		a.Kind = kindUDP
		if r.Float64() < sc.TCPFraction {
			a.Kind = kindTCP
		}
		switch toolW.pick(r.Uint64()) {
		case 0:
			a.Tool, a.TTL = label.ZMap, 255-hops(r)
		case 1:
			a.Tool, a.TTL = label.Masscan, 255-hops(r)
		case 3:
			// The TTL of each packet is drawn in emitScan0; TTL holds 64
			// minus the hops.
			a.Tool, a.TTL, a.Kind = label.Nmap, 64-hops(r), kindTCP
		default:
			a.Tool, a.TTL = label.Hping, 64-hops(r)
			// Source port base, +1 per packet: hping3's
			// initsport = 1024 + rand() % 2000 (main.c).
			a.Port = uint16(1024 + r.IntN(2000))
		}
		a.Aux = r.Uint32() | 1 // sweep multiplier (odd: a bijection mod 2^k)
		a.Aux2 = r.Uint32()    // sweep offset; its high half: hping IP ID base
		// Drawn only when used: paper's draws stay as they were.
		if sc.OptionsFraction > 0 && r.Float64() < sc.OptionsFraction {
			a.Opts |= optCustom
			if a.Tool == label.ZMap || a.Tool == label.Masscan {
				a.TTL = 64 - (255 - a.TTL) // --probe-ttl 64, --ttl 64
			}
		}
		if (a.Tool == label.ZMap || a.Tool == label.Masscan) && sc.CurrentFraction > 0 && r.Float64() < sc.CurrentFraction {
			a.Opts |= optCurrent
			if a.Tool == label.ZMap && a.TTL > 64 {
				a.TTL = 64 - (255 - a.TTL) // probe_ttl defaults to 64 from 4.1.0-RC3
			}
		}
		if a.Tool == label.Hping && sc.HpingRandomID > 0 && r.Float64() < sc.HpingRandomID {
			a.Opts |= optRandomID
		}
		if issue30 {
			b.issue30(&a, r2)
		}
		// Ordinary packets (other ports) come on top of the port-0 ones.
		a.Packets /= 1 - sc.OrdinaryFraction
		b.add(a)
	}
}

// issue30 applies Scan0's issue-30 conditions to the scanner a, from
// r (five draws a scanner, whatever it is).
func (b *builder) issue30(a *Actor, r *rand.Rand) {
	sc := b.p.Scenario.Scan0
	nat, udp, retries, procs, other := r.Float64(), r.Float64(), r.Float64(), r.Float64(), r.Uint64()
	if nat < sc.NATFraction {
		a.Opts |= optNAT
	}
	switch a.Tool {
	case label.Nmap:
		if udp < sc.NmapUDP {
			a.Kind = kindUDP // nmap -sU -p0
		}
		if retries < sc.RetriesFraction {
			a.Opts |= optRetries
			if procs < 0.5 {
				a.Opts |= optProcs
			}
		}
	case label.Hping:
		if retries < sc.SampledFraction {
			a.Opts |= optSampled
		}
	}
	if a.Opts&optCustom == 0 || procs >= sc.OptionValues {
		return
	}
	switch a.Tool {
	case label.Hping:
		if a.Kind == kindTCP {
			// hping3 -w: any window (parseoptions.c, "-w --win").
			a.Opts |= optValue
			a.Val = uint16(1 + other%65535)
		}
	case label.ZMap, label.Masscan:
		// --probe-ttl T, --ttl T: any TTL; the hops stay.
		a.Opts |= optValue
		hops := 64 - a.TTL
		a.TTL = uint8(40+other%216) - hops
	}
}

// natClients adds, for each scanner behind a NAT (optNAT), an ordinary
// client on its address over its window: a BitTorrent client (DHT or
// uTP to port 0) or a desktop retrying a connection (TCP SYNs to port 0,
// or UDP from port 0 to its server), sending a tenth to half as many
// port-0 packets as the scanner. They come after every family, so the
// actors before keep their ids and packets.
func (b *builder) natClients() {
	r := b.rng(95)
	rf := b.p.Scenario.Retry
	n := len(b.p.Actors)
	for i := 0; i < n; i++ {
		sa := b.p.Actors[i]
		if sa.Family != famScan0 || sa.Opts&optNAT == 0 {
			continue
		}
		port0 := sa.Packets * (1 - b.p.Scenario.Scan0.OrdinaryFraction)
		c := Actor{Src: sa.Src, ASN: sa.ASN, TTL: homeTTL(r) - hops(r), Start: sa.Start, End: sa.End,
			Packets: port0 * (0.1 + 0.4*r.Float64()), Aux: r.Uint32(), Aux2: r.Uint32()}
		switch k := r.IntN(4); k {
		case 0, 1:
			c.Family, c.Class, c.Tool, c.Kind = famBitTorrent, label.BitTorrent, label.Stack, kindDHT
			c.Port = uint16(6881 + r.IntN(8))
			if k == 1 {
				c.Kind, c.Port = kindUTP, uint16(10000+r.IntN(50000))
			}
		default:
			c.Family, c.Class, c.Tool, c.Kind = famRetry, label.Retry, label.Stack, kindRUDP
			c.Port = retryServices[r.IntN(len(retryServices))]
			c.Aux, c.Aux2 = b.p.dst(r), uint32(1+r.IntN(max(1, rf.MaxDsts)))
			if k == 3 {
				c.Kind, c.Port = kindRTCP, 0
			}
		}
		b.add(c)
	}
}

// sport0Services are the UDP services probed from source port 0.
var sport0Services = []uint16{53, 123, 161, 1900, 5060, 137, 11211, 389, 19, 5353}

func (b *builder) sport0(packets float64) {
	sp := b.p.Scenario.Sport0
	r := b.rng(30)
	steady := packets * (1 - sp.BurstFraction)
	n := b.count(sp.Population)
	vols := familyVolumes(r, n, sp.Population, steady)
	for i := 0; i < n; i++ {
		src, asn := b.hostingSource(r)
		start, end := b.window(r, sp.DurationDays*float64(nsPerDay), 1)
		init := uint8(64)
		if r.IntN(4) == 0 {
			init = 128
		}
		b.add(Actor{Family: famSport0, Kind: kindSteady, Class: label.Scan, Tool: label.ToolUnknown,
			Src: src, ASN: asn, TTL: init - hops(r), Start: start, End: end, Packets: vols[i], Aux: r.Uint32()})
	}
	burst := packets * sp.BurstFraction
	if burst <= 0 {
		return
	}
	m := b.count(Population{Actors: sp.BurstSources, MinActors: sp.MinActors})
	vols = volumes(r, m, 0.8, burst)
	start := b.p.Start + int64(sp.BurstDay)*nsPerDay + int64(sp.BurstHour)*3600*nsPerSec
	end := min(start+int64(sp.BurstHours*3600*float64(nsPerSec)), b.p.End)
	as := b.hosts[0] // one hosting AS (Cisco 2013)
	for i := 0; i < m; i++ {
		src, asn := b.source(r, as)
		b.add(Actor{Family: famSport0, Kind: kindBurst, Class: label.Scan, Tool: label.Hping,
			Src: src, ASN: asn, TTL: 64 - hops(r), Start: start, End: end, Packets: vols[i],
			Port: uint16(sp.BurstPort), Aux: r.Uint32()})
	}
}

// backscatterServices are the attacked services whose replies go to port 0.
var backscatterServices = []uint16{80, 443, 22, 25, 53, 3389, 8080, 6667}

func (b *builder) backscatter(packets float64) {
	bs := b.p.Scenario.Backscatter
	r := b.rng(40)
	n := b.count(bs.Population)
	vols := familyVolumes(r, n, bs.Population, packets)
	for i := 0; i < n; i++ {
		src, asn := b.source(r, b.asW.pick(r.Uint64())) // victims anywhere
		start, end := b.window(r, bs.DurationMinutes*60*float64(nsPerSec), 1.2)
		init := uint8(64)
		if r.IntN(3) == 0 {
			init = 128
		}
		a := Actor{Family: famBackscatter, Class: label.BackscatterTo0, Tool: label.Stack,
			Src: src, ASN: asn, TTL: init - hops(r), Start: start, End: end, Packets: vols[i], Aux: r.Uint32(), Stack: stackLinux}
		if init == 128 {
			a.Stack = stackWindows
		} else if bs.BSDFraction > 0 && r.Float64() < bs.BSDFraction { // drawn only when used: paper's draws stay
			a.Stack = stackBSD
		}
		if r.Float64() < bs.To0Fraction {
			a.Kind = kindTo0
			a.Port = backscatterServices[r.IntN(len(backscatterServices))]
			a.Aux2 = uint32(r.IntN(2)) // 1: the service is open (SYN-ACK), 0: closed (RST-ACK)
		} else {
			a.Class = label.BackscatterFrom0
			a.Kind = kindFrom0
			if r.Float64() < bs.ICMPFraction && a.Stack != stackBSD {
				a.Kind = kindFrom0IC // only non-BSD victims answer UDP to port 0 (FreeBSD udp_input drops it)
			}
		}
		b.add(a)
	}
}

// bundleLen is the number of probes in a fingerprint bundle of a kind.
func bundleLen(kind uint8) int {
	if kind == kindNmap {
		return 13
	}
	return 7
}

func (b *builder) fingerprint(packets float64) {
	fp := b.p.Scenario.Fingerprint
	r := b.rng(50)
	n := b.count(fp.Population)
	vols := familyVolumes(r, n, fp.Population, packets)
	for i := 0; i < n; i++ {
		src, asn := b.hostingSource(r)
		start, end := b.window(r, fp.DurationDays*float64(nsPerDay), 1)
		a := Actor{Family: famFingerprint, Class: label.Fingerprint, Tool: label.Hping, Kind: kindP17,
			Src: src, ASN: asn, TTL: 64 - hops(r), Start: start, End: end, Packets: vols[i]}
		if r.Float64() < fp.NmapFraction {
			a.Kind, a.Tool = kindNmap, label.Nmap
		}
		b.add(a)
	}
}

func (b *builder) garbage(packets float64) {
	g := b.p.Scenario.Garbage
	r := b.rng(60)
	w, _ := parseWeights(g.DataOffsets, 5)
	b.p.dataOffW = newAlias(w)
	n := b.count(g.Population)
	vols := familyVolumes(r, n, g.Population, packets)
	start := b.p.Start + int64(g.SurgeDay)*nsPerDay
	end := min(start+int64(g.SurgeDays*float64(nsPerDay)), b.p.End)
	for i := 0; i < n; i++ {
		src, asn := b.hostingSource(r)
		b.add(Actor{Family: famGarbage, Class: label.Malformed, Tool: label.ToolUnknown,
			Src: src, ASN: asn, TTL: uint8(32 + r.IntN(200)), Start: start, End: end, Packets: vols[i]})
	}
}

func (b *builder) bittorrent(packets float64) {
	bt := b.p.Scenario.BitTorrent
	r := b.rng(70)
	n := b.count(bt.Population)
	vols := familyVolumes(r, n, bt.Population, packets)
	for i := 0; i < n; i++ {
		src, asn := b.source(r, b.asW.pick(r.Uint64())) // home users anywhere
		start, end := b.window(r, bt.DurationDays*float64(nsPerDay), 1)
		a := Actor{Family: famBitTorrent, Class: label.BitTorrent, Tool: label.Stack, Kind: kindDHT,
			Src: src, ASN: asn, TTL: homeTTL(r) - hops(r), Start: start, End: end, Packets: vols[i],
			Port: uint16(6881 + r.IntN(8)), Aux: r.Uint32(), Aux2: r.Uint32(), Diurnal: bt.Diurnal}
		if r.Float64() >= bt.DHTFraction {
			a.Kind = kindUTP
			a.Port = uint16(10000 + r.IntN(50000))
		}
		b.add(a)
	}
}

func (b *builder) fragments(packets float64) {
	fr := b.p.Scenario.Fragments
	r := b.rng(80)
	n := b.count(fr.Population)
	vols := volumes(r, n, fr.Sigma, packets)
	for i := 0; i < n; i++ {
		src, asn := b.source(r, b.asW.pick(r.Uint64()))
		start, end := b.window(r, fr.DurationDays*float64(nsPerDay), 1)
		a := Actor{Family: famFragments, Class: label.FragmentArtifact, Tool: label.Stack, Kind: kindUDP,
			Src: src, ASN: asn, TTL: 64 - hops(r), Start: start, End: end, Packets: vols[i]}
		if r.Float64() < fr.TCPFraction {
			a.Kind = kindTCP
			a.Port = 80
		} else {
			a.Port = []uint16{53, 53, 19}[r.IntN(3)] // DNS (ANY/TXT amplification) and chargen
		}
		b.add(a)
	}
}

// retryServices are the services a client from port 0 sends to again
// and again: DNS and NTP, whose clients choose their source port
// (docs/BACKGROUND.md, "Clients that get port 0 wrong"),
// and syslog, one-way UDP whose sender may legally leave its source port
// 0 (RFC 768), to a collector that is gone.
var retryServices = []uint16{53, 123, 514}

// retry plans clients that send again and again to the same few
// telescope addresses: a TCP client configured with port 0 retransmitting
// its SYN, or a UDP client whose source port is 0 re-asking its server.
// Their server addresses lie inside the telescope (a decommissioned host,
// a typo), so the telescope sees all they send, not a sample.
func (b *builder) retry(packets float64) {
	rf := b.p.Scenario.Retry
	if packets <= 0 {
		return
	}
	r := b.rng(90)
	var bt []int // the BitTorrent clients, whose addresses NAT may share
	for i := range b.p.Actors {
		if b.p.Actors[i].Family == famBitTorrent {
			bt = append(bt, i)
		}
	}
	n := b.count(rf.Population)
	vols := familyVolumes(r, n, rf.Population, packets)
	for i := 0; i < n; i++ {
		src, asn := b.source(r, b.asW.pick(r.Uint64())) // ordinary hosts anywhere
		start, end := b.window(r, rf.DurationDays*float64(nsPerDay), 1)
		a := Actor{Family: famRetry, Class: label.Retry, Tool: label.Stack, Kind: kindRUDP,
			Src: src, ASN: asn, TTL: homeTTL(r) - hops(r), Start: start, End: end, Packets: vols[i],
			Port: retryServices[r.IntN(len(retryServices))],
			Aux:  b.p.dst(r), Aux2: uint32(1 + r.IntN(rf.MaxDsts))}
		if r.Float64() < rf.TCPFraction {
			a.Kind, a.Port = kindRTCP, 0
		}
		// Behind a carrier-grade NAT: the client's public address is
		// a BitTorrent client's. Drawn only when used.
		if rf.NATFraction > 0 && r.Float64() < rf.NATFraction && len(bt) > 0 {
			peer := &b.p.Actors[bt[r.IntN(len(bt))]]
			a.Src, a.ASN = peer.Src, peer.ASN
		}
		b.add(a)
	}
}
