package analyze

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/bits"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/port0/port0/label"
)

// StudyOptions are the parameters of the port-0 study (flags of port0
// analyze), with documented defaults.
type StudyOptions struct {
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
}

// DefaultStudyOptions returns the documented defaults.
func DefaultStudyOptions() StudyOptions {
	return StudyOptions{
		EventTimeout:     5 * time.Minute,
		EventMinPackets:  100,
		EventMinDuration: 60 * time.Second,
		BundleGap:        60 * time.Second,
		BundleMinProbes:  3,
	}
}

// Source is everything the study keeps about one port-0 source: counts
// that merge, and a few small summaries. Its size does not depend on how
// many packets it sent.
type Source struct {
	Addr        netip.Addr
	First, Last int64
	Packets     int64
	Bytes       int64
	Shapes      [numShapes]int64
	Probes      uint16 // bit p: probe shape p seen
	Bundles     int64  // fingerprint bundles sent
	Dsts        HLL
	TCP, UDP    int64
	InitTTL     [4]int64 // packets by inferred initial TTL: 32, 64, 128, 255
	ZMapID      int64    // IP ID 54321
	MasscanID   int64    // IP ID = (dst ^ dport ^ seq) & 0xffff
	PlusOneID   int64    // IP ID = previous + 1
	SameID      int64    // IP ID = previous
	IDPairs     int64    // packets with a previous one to compare
	MiraiSeq    int64    // TCP seq = destination address
	prevID      uint32
	DstPorts    topK
	SrcPorts    topK
	FlagMix     topK
	Class       label.Class
	Tool        label.Tool
	NmapShapes  int // distinct T2–T7 shapes
	latestEvent int64
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

func (s *Source) add(p *P0Packet) {
	if s.Packets == 0 || p.TS < s.First {
		s.First = p.TS
	}
	if p.TS > s.Last {
		s.Last = p.TS
	}
	s.Packets++
	s.Bytes += int64(p.Length)
	s.Shapes[p.Shape]++
	if p.Probe != ProbeNone {
		s.Probes |= 1 << p.Probe
	}
	s.Dsts.Add(p.Dst)
	switch p.Proto {
	case ProtoTCP:
		s.TCP++
		s.FlagMix.add(p.Flags)
		if p.Dst.Is4() && p.Seq == addrU32(p.Dst) {
			s.MiraiSeq++
		}
	case ProtoUDP:
		s.UDP++
	}
	switch InitialTTL(p.TTL) {
	case 32:
		s.InitTTL[0]++
	case 64:
		s.InitTTL[1]++
	case 128:
		s.InitTTL[2]++
	default:
		s.InitTTL[3]++
	}
	if p.Proto == ProtoTCP || p.Proto == ProtoUDP {
		s.DstPorts.add(p.DstPort)
		s.SrcPorts.add(p.SrcPort)
		id := p.IPID
		if id == 54321 {
			s.ZMapID++
		}
		if p.Dst.Is4() && id == (addrU32(p.Dst)^uint32(p.DstPort)^p.Seq)&0xffff {
			s.MasscanID++
		}
		if s.Packets > 1 {
			s.IDPairs++
			switch id {
			case (s.prevID + 1) & 0xffff:
				s.PlusOneID++
			case s.prevID:
				s.SameID++
			}
		}
		s.prevID = id
	}
}

func addrU32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// decide sets the source's class and tool from what it sent.
func (s *Source) decide() {
	for p := ProbeT2; p <= ProbeT7; p++ {
		if s.Probes&(1<<p) != 0 {
			s.NmapShapes++
		}
	}
	if s.Bundles > 0 {
		s.Class = label.Fingerprint
	} else {
		var votes [16]int64
		for sh, n := range s.Shapes {
			votes[ShapeClass(Shape(sh))] += n
		}
		best := label.Unknown
		for c := label.Class(1); c < 16; c++ {
			if votes[c] > votes[best] {
				best = c
			}
		}
		s.Class = best
	}
	s.Tool = s.tool()
}

// tool tells the crafting tool from header fingerprints (REFERENCE.md).
func (s *Source) tool() label.Tool {
	n := float64(s.TCP + s.UDP)
	if n == 0 {
		return label.ToolUnknown
	}
	frac := func(x int64) float64 { return float64(x) / n }
	init255 := float64(s.InitTTL[3]) / float64(s.Packets)
	init64 := float64(s.InitTTL[1]) / float64(s.Packets)
	switch {
	case s.NmapShapes >= 2:
		return label.Nmap
	case frac(s.ZMapID) >= 0.8 && init255 >= 0.8:
		return label.ZMap
	case frac(s.MasscanID) >= 0.8 && init255 >= 0.8:
		return label.Masscan
	case s.TCP > 0 && float64(s.MiraiSeq)/float64(s.TCP) >= 0.8 && init64 >= 0.8:
		return label.Mirai
	case init64 >= 0.8 && s.IDPairs > 0 && (float64(s.PlusOneID)/float64(s.IDPairs) >= 0.6 || float64(s.SameID)/float64(s.IDPairs) >= 0.8):
		return label.Hping
	}
	return label.ToolUnknown
}

// IPIDPattern names the source's dominant IP ID pattern.
func (s *Source) IPIDPattern() string {
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
func (s *Source) initTTL() int {
	best := 0
	for i, n := range s.InitTTL {
		if n > s.InitTTL[best] {
			best = i
		}
	}
	return [...]int{32, 64, 128, 255}[best]
}

// Bundle is one fingerprinting bundle: the probes a source sent to one
// target, in order, with no gap above StudyOptions.BundleGap.
type Bundle struct {
	Src, Dst    netip.Addr
	First, Last int64
	Order       []Probe // probes in the order sent (first 16)
	Mask        uint16
}

// Distinct is the number of distinct probe shapes.
func (b *Bundle) Distinct() int { return bits.OnesCount16(b.Mask) }

// Distinguishes says which operating systems the bundle's probe set can
// tell apart, by the response matrix of REFERENCE.md: OpenBSD stays silent
// to P3 (open port), P5 and P6 where Linux and Windows answer; no probe of
// the seven separates Linux from Windows 2000.
func (b *Bundle) Distinguishes() string {
	if b.Mask&(1<<ProbeP34|1<<ProbeP5|1<<ProbeP6) != 0 {
		return "openbsd vs linux/windows"
	}
	return "none"
}

type bundleKey struct{ src, dst netip.Addr }

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
}

type eventKey struct {
	victim netip.Addr
	class  label.Class
	proto  uint8
}

// Study is the port-0 part of an analysis: it reads the spools of every
// input in order and derives sources, bundles, events and time series.
type Study struct {
	Opts    StudyOptions
	Files   []string
	byAddr  map[netip.Addr]*Source
	Sources []*Source // sorted by address once Run is done
	Bundles []Bundle
	Events  []Event
	open    map[bundleKey]*Bundle
}

// NewStudy returns a study over the given input names.
func NewStudy(opts StudyOptions, files []string) *Study {
	return &Study{Opts: opts, Files: files, byAddr: map[netip.Addr]*Source{}, open: map[bundleKey]*Bundle{}}
}

// Aggregate is pass one: per-source counts and fingerprint bundles.
func (st *Study) Aggregate(p *P0Packet) {
	s := st.byAddr[p.Src]
	if s == nil {
		s = &Source{Addr: p.Src}
		st.byAddr[p.Src] = s
	}
	s.add(p)
	if p.Probe == ProbeNone {
		return
	}
	k := bundleKey{p.Src, p.Dst}
	b := st.open[k]
	gap := int64(st.Opts.BundleGap)
	if b != nil && p.TS-b.Last > gap {
		st.closeBundle(k, b)
		b = nil
	}
	if b == nil {
		b = &Bundle{Src: p.Src, Dst: p.Dst, First: p.TS}
		st.open[k] = b
		if len(st.open) > 4096 {
			st.expireBundles(p.TS)
		}
	}
	b.Last = max(b.Last, p.TS)
	b.Mask |= 1 << p.Probe
	if len(b.Order) < 16 {
		b.Order = append(b.Order, p.Probe)
	}
}

func (st *Study) closeBundle(k bundleKey, b *Bundle) {
	delete(st.open, k)
	if b.Distinct() >= st.Opts.BundleMinProbes {
		st.Bundles = append(st.Bundles, *b)
		st.byAddr[b.Src].Bundles++
	}
}

// expireBundles closes every open bundle idle for longer than the gap, so
// the table holds only bundles that may still grow.
func (st *Study) expireBundles(now int64) {
	for k, b := range st.open {
		if now-b.Last > int64(st.Opts.BundleGap) {
			st.closeBundle(k, b)
		}
	}
}

// Decide ends pass one: closes the open bundles and classifies every
// source. The order of bundles is made deterministic here.
func (st *Study) Decide() {
	for k, b := range st.open { // closing deletes: allowed while ranging
		st.closeBundle(k, b)
	}
	sort.Slice(st.Bundles, func(i, j int) bool {
		a, b := &st.Bundles[i], &st.Bundles[j]
		if a.First != b.First {
			return a.First < b.First
		}
		if c := a.Src.Compare(b.Src); c != 0 {
			return c < 0
		}
		return a.Dst.Less(b.Dst)
	})
	st.Sources = st.Sources[:0]
	for _, s := range st.byAddr {
		s.decide()
		st.Sources = append(st.Sources, s)
	}
	sort.Slice(st.Sources, func(i, j int) bool { return st.Sources[i].Addr.Less(st.Sources[j].Addr) })
}

// ClassOf is the purpose class of a spooled packet, once sources are decided.
func (st *Study) ClassOf(p *P0Packet) label.Class {
	return PacketClass(p.Shape, p.Probe, st.byAddr[p.Src].Class)
}

// eventTracker builds backscatter events from classified packets.
type eventTracker struct {
	opts StudyOptions
	open map[eventKey]*Event
	done []Event
}

func (t *eventTracker) add(p *P0Packet, c label.Class) {
	if c != label.BackscatterTo0 && c != label.BackscatterFrom0 {
		return
	}
	k := eventKey{p.Src, c, p.Proto}
	e := t.open[k]
	if e != nil && p.TS-e.Last > int64(t.opts.EventTimeout) {
		t.close(k, e)
		e = nil
	}
	if e == nil {
		e = &Event{Victim: p.Src, Class: c, Proto: p.Proto, First: p.TS, peakBin: p.TS / 60e9}
		if c == label.BackscatterTo0 {
			e.Port = p.SrcPort
		}
		t.open[k] = e
	}
	e.Last = max(e.Last, p.TS)
	e.Packets++
	if bin := p.TS / 60e9; bin != e.peakBin {
		e.peakBin, e.binCount = bin, 0
	}
	e.binCount++
	e.PeakPerMin = max(e.PeakPerMin, e.binCount)
}

func (t *eventTracker) close(k eventKey, e *Event) {
	delete(t.open, k)
	if e.Packets >= t.opts.EventMinPackets || time.Duration(e.Last-e.First) >= t.opts.EventMinDuration {
		t.done = append(t.done, *e)
	}
}

func (t *eventTracker) finish() []Event {
	for k, e := range t.open { // closing deletes: allowed while ranging
		t.close(k, e)
	}
	sort.Slice(t.done, func(i, j int) bool {
		a, b := &t.done[i], &t.done[j]
		if a.First != b.First {
			return a.First < b.First
		}
		if c := a.Victim.Compare(b.Victim); c != 0 {
			return c < 0
		}
		if a.Class != b.Class {
			return a.Class < b.Class
		}
		return a.Proto < b.Proto
	})
	return t.done
}

// StudyResult sums up the study for summary.json.
type StudyResult struct {
	Telescope      string           `json:"telescope"`
	TelescopeFrom  string           `json:"telescope_from"` // "flag" or "inferred"
	Port0Packets   int64            `json:"port0_related_packets"`
	Port0Sources   int64            `json:"port0_sources"`
	ClassPackets   map[string]int64 `json:"class_packets"`
	ClassSources   map[string]int64 `json:"class_sources"`
	ToolSources    map[string]int64 `json:"tool_sources"`
	Bundles        int              `json:"fingerprint_bundles"`
	Events         int              `json:"backscatter_events"`
	ShapePackets   map[string]int64 `json:"shape_packets"`
	TelescopeAddrs float64          `json:"telescope_addresses"`
	// AllSources estimates the distinct sources of all traffic (the union
	// of the hourly HyperLogLogs, ~3 % error).
	AllSources int64 `json:"all_sources"`
}

// Write is pass two: it reads the spools again, classifies each packet by
// its shape and source, and writes packets.csv, sources.csv, events.csv,
// bundles.csv and timeseries.csv into dir. all gives the hourly packets
// and distinct sources of all traffic, for comparison (and AllSources).
func (st *Study) Write(dir string, spools []string, all map[int64]*HourAll, tele netip.Prefix, teleFrom string) (*StudyResult, error) {
	return st.write(dir, spools, all, countHoursAsync(all), tele, teleFrom)
}

// hourCounts is the distinct-source estimate of every hour of all traffic
// and the union of the hours' sketches, counted on their own goroutines
// (countHours): n and union are valid once done is closed.
type hourCounts struct {
	done  chan struct{}
	n     map[int64]int64
	union HLL
}

// countHoursAsync starts counting the hours of all.
func countHoursAsync(all map[int64]*HourAll) *hourCounts {
	hc := &hourCounts{done: make(chan struct{})}
	go func() {
		defer close(hc.done)
		hc.n = countHours(all, &hc.union)
	}()
	return hc
}

// write is Write with the hours' counting already started (RunStudy starts
// it before the spools are read the first time).
func (st *Study) write(dir string, spools []string, all map[int64]*HourAll, hc *hourCounts, tele netip.Prefix, teleFrom string) (*StudyResult, error) {
	defer func() { <-hc.done }() // an early return: let the counting end
	res := &StudyResult{Telescope: "unknown", TelescopeFrom: teleFrom,
		ClassPackets: map[string]int64{}, ClassSources: map[string]int64{}, ToolSources: map[string]int64{}, ShapePackets: map[string]int64{}}
	if tele.IsValid() {
		res.Telescope = tele.String()
		res.TelescopeAddrs = math.Ldexp(1, tele.Addr().BitLen()-tele.Bits())
	}
	// packets.csv is written from a third reading of the spools, on its
	// own goroutine, while this one counts.
	var csvErr error
	csvDone := make(chan struct{})
	go func() {
		defer close(csvDone)
		csvErr = st.writePackets(dir, spools)
	}()
	defer func() { <-csvDone }()    // an early return: let the writing end
	hours := map[int64]*hourPort0{} // the hours with port-0 packets
	var hour *hourPort0
	curHour := int64(math.MinInt64)
	var classPackets [label.NumClasses]int64
	var shapePackets [256]int64 // by Shape, a uint8
	ev := &eventTracker{opts: st.Opts, open: map[eventKey]*Event{}}
	for _, sp := range spools {
		err := readSpool(sp, func(p *P0Packet) error {
			c := st.ClassOf(p)
			res.Port0Packets++
			classPackets[c]++
			shapePackets[p.Shape]++
			if h := p.TS / 3600e9; h != curHour || hour == nil {
				if hour = hours[h]; hour == nil {
					hour = &hourPort0{}
					hours[h] = hour
				}
				curHour = h
			}
			hour.add(c, p.Src)
			ev.add(p, c)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if <-csvDone; csvErr != nil {
		return nil, csvErr
	}
	for c, n := range classPackets {
		if n > 0 {
			res.ClassPackets[label.Class(c).String()] = n
		}
	}
	for sh, n := range shapePackets {
		if n > 0 {
			res.ShapePackets[Shape(sh).String()] = n
		}
	}
	st.Events = ev.finish()
	res.Port0Sources = int64(len(st.Sources))
	for _, s := range st.Sources {
		res.ClassSources[s.Class.String()]++
		res.ToolSources[s.Tool.String()]++
	}
	res.Bundles, res.Events = len(st.Bundles), len(st.Events)
	if err := st.writeSources(dir, res.TelescopeAddrs); err != nil {
		return nil, err
	}
	if err := st.writeEvents(dir, res.TelescopeAddrs); err != nil {
		return nil, err
	}
	if err := st.writeBundles(dir); err != nil {
		return nil, err
	}
	<-hc.done
	res.AllSources = hc.union.Count()
	if err := writeTimeseries(dir, hours, all, hc.n); err != nil {
		return nil, err
	}
	return res, nil
}

// writePackets writes packets.csv: every port-0-related packet of the
// spools with its class.
func (st *Study) writePackets(dir string, spools []string) error {
	pf, err := os.Create(filepath.Join(dir, "packets.csv"))
	if err != nil {
		return err
	}
	defer pf.Close()
	pw := bufio.NewWriterSize(pf, 1<<20)
	pw.WriteString("file,index,time,src,dst,proto,sport,dport,port0,tcp_flags,ttl,ip_id,shape,probe,class\n")
	var line []byte
	var df dayFormat
	fileIdx, fileField := uint32(0), ""
	if len(st.Files) > 0 {
		fileField = csvField(st.Files[0])
	}
	for _, sp := range spools {
		err := readSpool(sp, func(p *P0Packet) error {
			c := st.ClassOf(p)
			if p.File != fileIdx {
				fileIdx, fileField = p.File, csvField(st.Files[p.File])
			}
			line = line[:0]
			line = append(line, fileField...)
			line = append(line, ',')
			line = strconv.AppendInt(line, p.Index, 10)
			line = append(line, ',')
			line = df.time(line, p.TS)
			line = append(line, ',')
			line = appendAddr(line, p.Src)
			line = append(line, ',')
			line = appendAddr(line, p.Dst)
			line = append(line, ',')
			line = append(line, protoName(p.Proto)...)
			line = append(line, ',')
			line = strconv.AppendUint(line, uint64(p.SrcPort), 10)
			line = append(line, ',')
			line = strconv.AppendUint(line, uint64(p.DstPort), 10)
			line = append(line, ',')
			line = append(line, p.Port0.String()...)
			line = append(line, ',')
			if p.Proto == ProtoTCP {
				line = appendFlags(line, p.Flags)
			}
			line = append(line, ',')
			line = strconv.AppendUint(line, uint64(p.TTL), 10)
			line = append(line, ',')
			line = strconv.AppendUint(line, uint64(p.IPID), 10)
			line = append(line, ',')
			line = append(line, p.Shape.String()...)
			line = append(line, ',')
			line = append(line, p.Probe.String()...)
			line = append(line, ',')
			line = append(line, c.String()...)
			line = append(line, '\n')
			_, err := pw.Write(line)
			return err
		})
		if err != nil {
			return err
		}
	}
	if err := pw.Flush(); err != nil {
		return err
	}
	return pf.Close()
}

// ratio is a/b, or 0 when b is 0 (telescope size unknown).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func protoName(p uint8) string {
	switch p {
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoICMP:
		return "icmp"
	case ProtoICMPv6:
		return "icmpv6"
	}
	return strconv.Itoa(int(p))
}

// FlagString writes TCP flags tcpdump-style: S, F, R, P, A, U, E, C, N, or
// "none" for a zero flag field.
func FlagString(f uint16) string { return string(appendFlags(nil, f)) }

// flagLetters are the TCP flags in FlagString's order.
var flagLetters = [...]struct {
	bit uint16
	c   byte
}{{TCPFlagSYN, 'S'}, {TCPFlagFIN, 'F'}, {TCPFlagRST, 'R'}, {TCPFlagPSH, 'P'}, {TCPFlagACK, 'A'}, {TCPFlagURG, 'U'}, {TCPFlagECE, 'E'}, {TCPFlagCWR, 'C'}, {TCPFlagNS, 'N'}}

// appendFlags appends FlagString(f) to b.
func appendFlags(b []byte, f uint16) []byte {
	if f == 0 {
		return append(b, "none"...)
	}
	for _, x := range flagLetters {
		if f&x.bit != 0 {
			b = append(b, x.c)
		}
	}
	return b
}

// timeLayout is how packet times are written: UTC, nanoseconds.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func fmtTime(ts int64) string { return string(appendTime(nil, ts)) }

// appendTime appends fmtTime(ts) to b.
func appendTime(b []byte, ts int64) []byte {
	var f dayFormat
	return f.time(b, ts)
}

// appendAddr appends a.String() to b without building the string.
func appendAddr(b []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return append(b, a.String()...) // "invalid IP"; AppendTo writes nothing
	}
	return a.AppendTo(b)
}

// csvField quotes a field when it needs it (file names may hold commas).
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func writeCSV(dir, name, header string, rows func(w io.Writer) error) error {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	w.WriteString(header + "\n")
	err = rows(w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func fmtFloat(x float64) string { return strconv.FormatFloat(x, 'f', 6, 64) }

func (st *Study) writeSources(dir string, teleAddrs float64) error {
	return writeCSV(dir, "sources.csv", "src,class,tool,first,last,packets,bytes,distinct_dsts,coverage,rate_pps,top_dport,top_sport,tcp_packets,udp_packets,top_flags,init_ttl,ip_id_pattern,bundles,probes", func(w io.Writer) error {
		for _, s := range st.Sources {
			dur := float64(s.Last-s.First) / 1e9
			rate := 0.0
			if dur > 0 {
				rate = float64(s.Packets) / dur
			}
			d := s.Dsts.Count()
			dp, _ := s.DstPorts.top()
			sp, _ := s.SrcPorts.top()
			flags := "-"
			if f, ok := s.FlagMix.top(); ok {
				flags = FlagString(f)
			}
			var probes []string
			for p := ProbeP1; p < numProbes; p++ {
				if s.Probes&(1<<p) != 0 {
					probes = append(probes, p.String())
				}
			}
			pr := strings.Join(probes, " ")
			if pr == "" {
				pr = "-"
			}
			_, err := fmt.Fprintf(w, "%s,%s,%s,%s,%s,%d,%d,%d,%s,%s,%d,%d,%d,%d,%s,%d,%s,%d,%s\n",
				s.Addr, s.Class, s.Tool, fmtTime(s.First), fmtTime(s.Last), s.Packets, s.Bytes, d,
				fmtFloat(ratio(float64(d), teleAddrs)), fmtFloat(rate), dp, sp, s.TCP, s.UDP, flags, s.initTTL(), s.IPIDPattern(), s.Bundles, pr)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (st *Study) writeEvents(dir string, teleAddrs float64) error {
	scale := ratio(math.Ldexp(1, 32), teleAddrs)
	return writeCSV(dir, "events.csv", "victim,class,proto,start,end,duration_s,packets,peak_pps,service_port,observed_pps,estimated_attack_pps", func(w io.Writer) error {
		for _, e := range st.Events {
			dur := float64(e.Last-e.First) / 1e9
			obs := float64(e.Packets) / math.Max(dur, 1)
			_, err := fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s,%d,%s,%d,%s,%s\n", e.Victim, e.Class, protoName(e.Proto),
				fmtTime(e.First), fmtTime(e.Last), fmtFloat(dur), e.Packets, fmtFloat(float64(e.PeakPerMin)/60), e.Port,
				fmtFloat(obs), fmtFloat(obs*scale))
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (st *Study) writeBundles(dir string) error {
	return writeCSV(dir, "bundles.csv", "src,dst,start,end,duration_s,probes,order,distinct,distinguishes", func(w io.Writer) error {
		for i := range st.Bundles {
			b := &st.Bundles[i]
			var set, order []string
			for p := ProbeP1; p < numProbes; p++ {
				if b.Mask&(1<<p) != 0 {
					set = append(set, p.String())
				}
			}
			for _, p := range b.Order {
				order = append(order, p.String())
			}
			_, err := fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s,%s,%d,%s\n", b.Src, b.Dst, fmtTime(b.First), fmtTime(b.Last),
				fmtFloat(float64(b.Last-b.First)/1e9), strings.Join(set, " "), strings.Join(order, " "), b.Distinct(), b.Distinguishes())
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// HourAll is all traffic in one hour: packets and distinct sources.
type HourAll struct {
	Packets int64
	Sources HLL
}

// add merges o into a: packets add up, sketches take the register-wise
// maximum.
func (a *HourAll) add(o *HourAll) {
	a.Packets += o.Packets
	a.Sources.Merge(&o.Sources)
}

func writeTimeseries(dir string, p0 map[int64]*hourPort0, all map[int64]*HourAll, sources map[int64]int64) error {
	hs := make([]int64, 0, len(all)+len(p0))
	for h := range p0 {
		hs = append(hs, h)
	}
	for h := range all {
		if p0[h] == nil {
			hs = append(hs, h)
		}
	}
	slices.Sort(hs)
	classes := label.Classes()
	return writeCSV(dir, "timeseries.csv", "hour,class,packets,sources", func(w io.Writer) error {
		var t, line []byte
		var df dayFormat
		for _, h := range hs {
			t = df.hour(t[:0], h)
			line = line[:0]
			if a := all[h]; a != nil {
				line = append(append(line, t...), ",all,"...)
				line = strconv.AppendInt(line, a.Packets, 10)
				line = append(line, ',')
				line = strconv.AppendInt(line, sources[h], 10)
				line = append(line, '\n')
			}
			if hp := p0[h]; hp != nil {
				for _, c := range classes {
					if n := hp.packets[c]; n > 0 {
						line = append(append(append(line, t...), ','), c.String()...)
						line = append(line, ',')
						line = strconv.AppendInt(line, n, 10)
						line = append(line, ',')
						line = strconv.AppendInt(line, int64(len(hp.sources[c])), 10)
						line = append(line, '\n')
					}
				}
			}
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		return nil
	})
}

// hourPort0 is one hour's port-0 packets and distinct sources by class.
type hourPort0 struct {
	packets [label.NumClasses]int64
	sources [label.NumClasses]map[netip.Addr]struct{}
}

func (hp *hourPort0) add(c label.Class, src netip.Addr) {
	hp.packets[c]++
	m := hp.sources[c]
	if m == nil {
		m = map[netip.Addr]struct{}{}
		hp.sources[c] = m
	}
	m[src] = struct{}{}
}

// dayFormat writes times as the time package does, in UTC, formatting
// the date ("2006-01-02T") once a day and the time of day by hand: rows in
// time order cost one date a day.
type dayFormat struct {
	day  int64
	date []byte // "2006-01-02T" of day; nil before the first time
}

// dateOf returns "2006-01-02T" of day (days since the epoch).
func (f *dayFormat) dateOf(day int64) []byte {
	if f.date == nil || day != f.day {
		f.day = day
		f.date = time.Unix(day*86400, 0).UTC().AppendFormat(f.date[:0], "2006-01-02T")
	}
	return f.date
}

// floorDiv returns a/b and a%b rounded down (b > 0): the remainder is >= 0.
func floorDiv(a, b int64) (int64, int64) {
	q, r := a/b, a%b
	if r < 0 {
		q, r = q-1, r+b
	}
	return q, r
}

// hour appends hour h (hours since the epoch) as "2006-01-02T15:00:00Z".
func (f *dayFormat) hour(b []byte, h int64) []byte {
	day, hh := floorDiv(h, 24)
	b = append(b, f.dateOf(day)...)
	return append(appendDigits(b, hh, 2), ":00:00Z"...)
}

// time appends ts in timeLayout, "2006-01-02T15:04:05.000000000Z".
func (f *dayFormat) time(b []byte, ts int64) []byte {
	day, ns := floorDiv(ts, 86400e9)
	b = append(b, f.dateOf(day)...)
	b = append(appendDigits(b, ns/3600e9, 2), ':')
	b = append(appendDigits(b, ns/60e9%60, 2), ':')
	b = append(appendDigits(b, ns/1e9%60, 2), '.')
	return append(appendDigits(b, ns%1e9, 9), 'Z')
}

// appendDigits appends v (>= 0) as exactly n decimal digits.
func appendDigits(b []byte, v int64, n int) []byte {
	b = append(b, "000000000"[:n]...)
	for i := len(b) - 1; n > 0; i, n = i-1, n-1 {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}

// countHours returns the distinct-source estimate of every hour of all,
// counted on every core (a three-year capture has 26,304 hours, each a
// 1 KiB sketch to count), and merges every hour's sketch into union.
func countHours(all map[int64]*HourAll, union *HLL) map[int64]int64 {
	hs := make([]int64, 0, len(all))
	sk := make([]*HLL, 0, len(all))
	for h, a := range all {
		hs = append(hs, h)
		sk = append(sk, &a.Sources)
	}
	n := make([]int64, len(hs))
	workers := max(1, min(runtime.GOMAXPROCS(0), len(hs)/1024))
	unions := make([]HLL, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * len(hs) / workers; i < (w+1)*len(hs)/workers; i++ {
				n[i] = sk[i].Count()
				unions[w].Merge(sk[i])
			}
		}()
	}
	wg.Wait()
	for w := range unions {
		union.Merge(&unions[w])
	}
	m := make(map[int64]int64, len(hs))
	for i, h := range hs {
		m[h] = n[i]
	}
	return m
}

// RunStudy runs the port-0 study over the spools an Analyze call with
// Options.Spool wrote, writes its CSV tables into out and sets sum.Port0.
// The telescope is so.Telescope, or inferred from the destinations of all
// traffic when that is not set.
func RunStudy(sum *Summary, out string, so StudyOptions) error {
	if sum.spools == nil {
		return fmt.Errorf("no spools: run Analyze with Options.Spool")
	}
	names := make([]string, len(sum.Files))
	for i := range sum.Files {
		names[i] = sum.Files[i].File
	}
	st := NewStudy(so, names)
	// The hourly source counts of all traffic need only sum.hours: they
	// are counted while the spools are read.
	hc := countHoursAsync(sum.hours)
	var spools []string
	for _, sp := range sum.spools {
		if sp == "" {
			continue
		}
		spools = append(spools, sp)
		if err := readSpool(sp, func(p *P0Packet) error { st.Aggregate(p); return nil }); err != nil {
			<-hc.done
			return err
		}
	}
	st.Decide()
	tele, from := so.Telescope, "flag"
	if !tele.IsValid() {
		tele, from = sum.dst.prefix(), "inferred"
	}
	res, err := st.write(out, spools, sum.hours, hc, tele, from)
	if err != nil {
		return err
	}
	sum.Port0 = res
	return nil
}
