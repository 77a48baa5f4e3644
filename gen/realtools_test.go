package gen

import (
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/port0/port0/label"
)

// realToolRuns are the sources of testdata/realtools/real_tools.pcap
// (scripts/realtools.sh) whose packets to port 0 stand for a tool run
// with its defaults, as the generator models it: the key is tool/proto.
var realToolRuns = map[string][]string{
	"zmap/tcp":    {"198.51.100.31"},
	"zmap/udp":    {"198.51.100.32"},
	"masscan/tcp": {"198.51.100.41"},
	"masscan/udp": {"198.51.100.42"},
	"nmap/tcp":    {"198.51.100.21", "198.51.100.22"},
	"hping/tcp":   {"198.51.100.11", "198.51.100.15"},
	"hping/udp":   {"198.51.100.13"},
}

// probeSig is what a tool writes into a probe to port 0, leaving out what
// the path changes (the TTL) and what a run's target or clock chooses:
// DF, the TCP flags, window and option kinds, an ack without ACK, the IP
// ID's kind (54321, Masscan's relation, other), whether a UDP probe has
// a payload and a checksum.
func probeSig(ipb []byte) (sig string, sport uint16, ok bool) {
	if len(ipb) < 20 || ipb[0]>>4 != 4 {
		return "", 0, false
	}
	ihl := int(ipb[0]&15) * 4
	l4 := ipb[ihl:]
	df := ipb[6]&0x40 != 0
	id := binary.BigEndian.Uint16(ipb[4:])
	dst := binary.BigEndian.Uint32(ipb[16:])
	idKind := "other"
	switch ipb[9] {
	case protoTCP:
		if len(l4) < 20 || binary.BigEndian.Uint16(l4[2:]) != 0 {
			return "", 0, false
		}
		seq, ack := binary.BigEndian.Uint32(l4[4:]), binary.BigEndian.Uint32(l4[8:])
		flags, win := l4[13], binary.BigEndian.Uint16(l4[14:])
		switch {
		case id == 54321:
			idKind = "54321"
		case id == masscanID(dst, 0, seq):
			idKind = "masscan"
		}
		var kinds []string
		opts := l4[20 : int(l4[12]>>4)*4]
		for i := 0; i < len(opts); {
			k := opts[i]
			kinds = append(kinds, fmt.Sprint(k))
			if k == 0 || k == 1 {
				i++
				continue
			}
			if i+1 >= len(opts) || opts[i+1] < 2 {
				break
			}
			i += int(opts[i+1])
		}
		return fmt.Sprintf("tcp df=%v flags=%#x win=%d opts=%s ack-without-ACK=%v ipid=%s",
			df, flags, win, strings.Join(kinds, ","), ack != 0 && flags&flagACK == 0, idKind), binary.BigEndian.Uint16(l4), true
	case protoUDP:
		if len(l4) < 8 || binary.BigEndian.Uint16(l4[2:]) != 0 {
			return "", 0, false
		}
		if id == 54321 {
			idKind = "54321"
		}
		return fmt.Sprintf("udp df=%v payload=%v checksum=%v ipid=%s",
			df, len(l4) > 8 && binary.BigEndian.Uint16(l4[4:]) > 8, binary.BigEndian.Uint16(l4[6:]) != 0, idKind), binary.BigEndian.Uint16(l4), true
	}
	return "", 0, false
}

// sportKind names how a run's source ports go, packet to packet: fixed,
// +1 (rising by 1–16), two ports 16 apart (pair16), or other.
func sportKind(ports []uint16) string {
	if len(ports) < 2 {
		return "-"
	}
	fixed, rising, pair := true, true, true
	for i, p := range ports[1:] {
		d := p - ports[i]
		fixed = fixed && d == 0
		rising = rising && d >= 1 && d <= 16
		pair = pair && (p == ports[0] || p == ports[0]+16 || p == ports[0]-16)
	}
	switch {
	case fixed:
		return "fixed"
	case pair:
		return "pair16"
	case rising:
		return "+1"
	}
	return "other"
}

// sigs is the probe signatures and source-port kinds of some runs.
type sigs struct{ probes, sports map[string]bool }

func (s *sigs) add(probe string) {
	if s.probes == nil {
		s.probes, s.sports = map[string]bool{}, map[string]bool{}
	}
	s.probes[probe] = true
}

// manyScanners generates sc with 80 port-0 scanners (every tool and
// protocol, and every condition of wild's, at a small scale), seed 3 at
// 1e-5, and returns the plan and the folder.
func manyScanners(t *testing.T, sc *Scenario) (*Plan, string) {
	t.Helper()
	sc.Scan0.MinActors = 80
	p, err := NewPlan(sc, 3, 1e-5)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Generate(p, Options{Out: dir}); err != nil {
		t.Fatal(err)
	}
	return p, dir
}

// eachRealIPv4 calls fn with the source address and the IPv4 packet of
// every Ethernet frame of the recorded pcap path holding at least minIP
// bytes of IP.
func eachRealIPv4(t *testing.T, path string, minIP int, fn func(src string, ipb []byte)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pr, err := pcapgo.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if pr.LinkType() != layers.LinkTypeEthernet {
		t.Fatalf("%s: link type %v", path, pr.LinkType())
	}
	for {
		data, _, err := pr.ReadPacketData()
		if err != nil {
			return
		}
		if len(data) < ethHeaderLen+minIP || binary.BigEndian.Uint16(data[12:]) != 0x0800 {
			continue
		}
		ipb := data[ethHeaderLen:]
		fn(fmt.Sprintf("%d.%d.%d.%d", ipb[12], ipb[13], ipb[14], ipb[15]), ipb)
	}
}

// TestToolsMatchRealCapture holds the generator's tools, run with their
// defaults, against what the real tools sent to port 0
// (testdata/realtools: hping3 3.a2, Nmap 7.93, ZMap 2.1.1, Masscan
// 1.3.2): every probe the generator writes for a tool has a signature
// (probeSig) the real tool's probes have, and its source ports go as the
// real tool's do. hping is the hping3 of wild (a random IP ID); ZMap
// and Masscan the releases, not current builds.
func TestToolsMatchRealCapture(t *testing.T) {
	real := map[string]*sigs{}
	byRun := map[string]string{}
	for key, srcs := range realToolRuns {
		real[key] = &sigs{}
		for _, s := range srcs {
			byRun[s] = key
		}
	}
	ports := map[string][]uint16{}
	eachRealIPv4(t, filepath.Join("..", "testdata", "realtools", "real_tools.pcap"), 20, func(src string, ipb []byte) {
		key, ok := byRun[src]
		if !ok {
			return
		}
		sig, sport, ok := probeSig(ipb)
		if !ok {
			return // not to port 0 (Nmap -O's OS probes)
		}
		real[key].add(sig)
		ports[src] = append(ports[src], sport)
	})
	for src, p := range ports {
		real[byRun[src]].sports[sportKind(p)] = true
	}
	for key, s := range real {
		if len(s.probes) == 0 {
			t.Fatalf("the capture holds no probe of %s", key)
		}
	}

	got := map[string]*sigs{}
	for _, sc := range []*Scenario{Paper(), Wild()} {
		p, dir := manyScanners(t, sc)
		ports := map[uint32][]uint16{}
		readRun(t, dir, func(g *genPacket) {
			a := &p.Actors[g.truth.Actor]
			if a.Family != famScan0 || g.truth.Class != label.Scan || a.Opts&(optCustom|optCurrent|optValue|optRetries|optProcs|optSampled|optNAT) != 0 {
				return
			}
			if a.Tool == label.Hping && a.Opts&optRandomID == 0 {
				return // hping-like crafting's +1 IP ID (docs/BACKGROUND.md), not hping3's
			}
			sig, sport, ok := probeSig(ipOf(t, g))
			if !ok {
				return
			}
			key := a.Tool.String() + "/" + [...]string{"tcp", "udp"}[a.Kind]
			if got[key] == nil {
				got[key] = &sigs{}
			}
			got[key].add(sig)
			ports[a.ID] = append(ports[a.ID], sport)
		})
		for id, pp := range ports {
			a := &p.Actors[id]
			if k := sportKind(pp); k != "-" {
				got[a.Tool.String()+"/"+[...]string{"tcp", "udp"}[a.Kind]].sports[k] = true
			}
		}
	}
	for key, r := range real {
		g := got[key]
		if g == nil {
			t.Errorf("%s: the generator made no probe (real: %v)", key, slices.Sorted(maps.Keys(r.probes)))
			continue
		}
		for _, sig := range slices.Sorted(maps.Keys(g.probes)) {
			if !r.probes[sig] {
				t.Errorf("%s: the generator writes %q; the real tool: %v", key, sig, slices.Sorted(maps.Keys(r.probes)))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(g.sports)) {
			if !r.sports[k] {
				t.Errorf("%s: the generator's source ports go %s; the real tool's: %v", key, k, slices.Sorted(maps.Keys(r.sports)))
			}
		}
	}
}

// TestIssue30MatchesMatrix holds wild's issue-30 conditions against the
// real runs of testdata/realtools/.matrix (scripts/realtools.sh matrix):
// Nmap 7.93 with default retries (-sS .64, -sU .66) sends its
// retransmissions from the base port + 2 with the sequence number XOR
// 0x20002, and so must the generator's; hping3 --rand-dest sampled by a
// /15 (.62, .63) shows source ports rising by more than 16 between the
// packets seen, and so must the generator's sampled sweeps.
func TestIssue30MatchesMatrix(t *testing.T) {
	type pkt struct {
		sport uint16
		seq   uint32
	}
	runs := map[string][]pkt{}
	eachRealIPv4(t, filepath.Join("..", "testdata", "realtools", ".matrix", "option_matrix.pcap"), 28, func(src string, ipb []byte) {
		l4 := ipb[int(ipb[0]&15)*4:]
		if binary.BigEndian.Uint16(l4[2:]) != 0 {
			return
		}
		q := pkt{sport: binary.BigEndian.Uint16(l4)}
		if ipb[9] == protoTCP {
			q.seq = binary.BigEndian.Uint32(l4[4:])
		}
		runs[src] = append(runs[src], q)
	})
	// What the real Nmap's tries differ by: source port offsets from
	// the run's lowest, and TCP sequence XORs with the first.
	realOff, realXor := map[uint16]bool{}, map[uint32]bool{}
	for _, src := range []string{"198.51.100.64", "198.51.100.66"} {
		r := runs[src]
		if len(r) < 8 {
			t.Fatalf("%s: %d packets to port 0 in the matrix", src, len(r))
		}
		lo := r[0].sport
		for _, q := range r {
			lo = min(lo, q.sport)
		}
		for _, q := range r {
			realOff[q.sport-lo] = true
			if src == "198.51.100.64" {
				realXor[q.seq^r[0].seq] = true
			}
		}
	}
	if !realOff[2] || !realXor[0x20002] {
		t.Fatalf("the matrix's Nmap retries: offsets %v, seq XORs %v", realOff, realXor)
	}
	realJump := 0
	for _, src := range []string{"198.51.100.62", "198.51.100.63"} {
		r := runs[src]
		for i := 1; i < len(r); i++ {
			if d := r[i].sport - r[i-1].sport; d > 16 && d < 4096 {
				realJump++
			}
		}
	}
	if realJump < 100 {
		t.Fatalf("the matrix's sampled hping3 sweeps: %d jumps of 17–4095", realJump)
	}

	p, dir := manyScanners(t, Wild())
	got := map[uint32][]pkt{}
	readRun(t, dir, func(g *genPacket) {
		a := &p.Actors[g.truth.Actor]
		if a.Family != famScan0 || g.truth.Class != label.Scan || a.Opts&(optRetries|optSampled) == 0 || a.Opts&optCustom != 0 {
			return
		}
		ipb := ipOf(t, g)
		l4 := ipb[int(ipb[0]&15)*4:]
		q := pkt{sport: binary.BigEndian.Uint16(l4)}
		if ipb[9] == protoTCP {
			q.seq = binary.BigEndian.Uint32(l4[4:])
		}
		got[g.truth.Actor] = append(got[g.truth.Actor], q)
	})
	var nRetries, nSampled int
	for id, r := range got {
		a := &p.Actors[id]
		if a.Opts&optRetries != 0 {
			nRetries++
			base, mask := nmapBasePort(a), a.Aux2
			for _, q := range r {
				off, x := q.sport-base, q.seq^mask
				if a.Opts&optProcs != 0 && !realOff[off] {
					continue // the other process: its own base and mask
				}
				if !realOff[off] || a.Kind == kindTCP && !realXor[x] {
					t.Errorf("actor %d (nmap %s): a try from base + %d, seq XOR %#x; the real Nmap's: offsets %v, XORs %v", id, a.kindName(), off, x, realOff, realXor)
					break
				}
			}
			continue
		}
		nSampled++
		for i := 1; i < len(r); i++ {
			if d := r[i].sport - r[i-1].sport; d < 1 || d >= 4096 {
				t.Errorf("actor %d (hping %s): source port step %d; the matrix's sampled sweeps rise by 17–4095", id, a.kindName(), d)
				break
			}
		}
	}
	if nRetries == 0 || nSampled == 0 {
		t.Errorf("wild made %d Nmap scanners with retries and %d sampled hping sweeps; want some of each", nRetries, nSampled)
	}
}
