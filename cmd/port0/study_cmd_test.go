package main

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// teleCapture is a telescope capture made here, not by gen: a /16 in the
// shared address space (100.64.0.0/16), nine days of March 2021, Ethernet
// frames with an 802.1Q VLAN tag, nanosecond pcap. It holds a ZMap-like
// port-0 sweep, a second port-0 scanner, backscatter from a victim whose
// spoofed attackers used source port 0, and ordinary SYNs to 22, 23 and
// 445 from many sources. It returns the file's bytes and every address
// it holds.
func teleCapture() ([]byte, map[netip.Addr]bool) {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, 0xa1b23c4d)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 4)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 65535)
	b = le.AppendUint32(b, 1) // Ethernet
	addrs := map[netip.Addr]bool{}
	type pkt struct {
		ts           int64
		src, dst     uint32
		proto        byte
		sport, dport uint16
		flags        byte
		ttl          byte
		ipid, win    uint16
		seq          uint32
	}
	var ps []pkt
	rng := rand.New(rand.NewPCG(7, 11))
	start := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	const day = int64(24 * time.Hour)
	tele := func() uint32 { return 0x64400000 | rng.Uint32()&0xffff }
	// ZMap-like sweep: IP ID 54321, window 65535, TTL 255 less 12 hops.
	zmap := uint32(0xcb00710a) // 203.0.113.10
	seen := map[uint32]bool{}
	for i := 0; len(seen) < 600; i++ {
		d := tele()
		if seen[d] {
			continue
		}
		seen[d] = true
		ps = append(ps, pkt{ts: start + 2*day + int64(i)*int64(50*time.Millisecond), src: zmap, dst: d, proto: 6, sport: 40000 + uint16(i%2000), dport: 0, flags: 0x02, ttl: 243, ipid: 54321, win: 65535, seq: rng.Uint32()})
	}
	// A second port-0 scanner over several days, sparser.
	other := uint32(0xc6336405) // 198.51.100.5
	for i := 0; i < 300; i++ {
		ps = append(ps, pkt{ts: start + int64(i)*day*8/300 + int64(rng.IntN(1e9)), src: other, dst: tele(), proto: 6, sport: 0, dport: 0, flags: 0x02, ttl: 50, ipid: uint16(rng.Uint32()), win: 1024, seq: rng.Uint32()})
	}
	// Backscatter: a victim's RST-ACKs from its port 80 to spoofed
	// sources' port 0, 150 over ten minutes on day 5.
	victim := uint32(0xc0000263) // 192.0.2.99
	for i := 0; i < 150; i++ {
		ps = append(ps, pkt{ts: start + 5*day + int64(i)*int64(4*time.Second), src: victim, dst: tele(), proto: 6, sport: 80, dport: 0, flags: 0x14, ttl: 52, ipid: uint16(i), win: 0, seq: 0})
	}
	// Ordinary scanning to 22, 23, 445 from 200 sources, every day.
	for i := 0; i < 2000; i++ {
		src := 0x0a000000 | uint32(rng.IntN(200))<<8 | 7 // 10.0.x.7
		ports := []uint16{22, 23, 445}
		ps = append(ps, pkt{ts: start + rng.Int64N(9*day), src: src, dst: tele(), proto: 6, sport: 30000 + uint16(rng.IntN(30000)), dport: ports[rng.IntN(3)], flags: 0x02, ttl: 48, ipid: uint16(rng.Uint32()), win: 29200, seq: rng.Uint32()})
	}
	// The extremes of the /16, so that the inferred prefix is the /16.
	ps = append(ps, pkt{ts: start + 3*day, src: 0x0a000107, dst: 0x64400001, proto: 6, sport: 1234, dport: 22, flags: 0x02, ttl: 48, win: 29200},
		pkt{ts: start + 3*day + 1, src: 0x0a000107, dst: 0x6440fffe, proto: 6, sport: 1234, dport: 22, flags: 0x02, ttl: 48, win: 29200})
	slices.SortStableFunc(ps, func(a, b pkt) int { return cmp.Compare(a.ts, b.ts) })
	for _, p := range ps {
		ip := []byte{0x45, 0, 0, 40, 0, 0, 0, 0, p.ttl, p.proto, 0, 0}
		binary.BigEndian.PutUint16(ip[4:], p.ipid)
		ip = binary.BigEndian.AppendUint32(ip, p.src)
		ip = binary.BigEndian.AppendUint32(ip, p.dst)
		binary.BigEndian.PutUint16(ip[10:], ipChecksum(ip))
		tcp := binary.BigEndian.AppendUint16(nil, p.sport)
		tcp = binary.BigEndian.AppendUint16(tcp, p.dport)
		tcp = binary.BigEndian.AppendUint32(tcp, p.seq)
		tcp = binary.BigEndian.AppendUint32(tcp, 0)
		tcp = append(tcp, 5<<4, p.flags)
		tcp = binary.BigEndian.AppendUint16(tcp, p.win)
		tcp = append(tcp, 0, 0, 0, 0)
		frame := []byte{0, 0, 0x5e, 0, 1, 1, 0x02, 0, 0, 0, 0, 1, 0x81, 0x00, 0x00, 0x2a, 0x08, 0x00}
		frame = append(append(frame, ip...), tcp...)
		b = le.AppendUint32(b, uint32(p.ts/1e9))
		b = le.AppendUint32(b, uint32(p.ts%1e9))
		b = le.AppendUint32(b, uint32(len(frame)))
		b = le.AppendUint32(b, uint32(len(frame)))
		b = append(b, frame...)
		for _, a := range []uint32{p.src, p.dst} {
			addrs[netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})] = true
		}
	}
	return b, addrs
}

// ipChecksum is the IPv4 header checksum of h (its checksum field 0).
func ipChecksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// readLines returns the lines of a text file.
func readLines(t *testing.T, name string) []string {
	t.Helper()
	fh, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var lines []string
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// generated are strings only the generator's data holds: its telescope
// prefix, its scenario and truth vocabulary.
var generated = []string{"198.18.", "198.19.", "scenario", "actors.csv", "asmap.csv", "manifest", "ground truth says"}

// checkOwnData checks a study's output folder: every text file free of
// the generator's traces, every day of daily.csv and every interval of
// the analysis' series inside [from, to), every address of the tables
// one of the input's (when addrs is not nil), and the report naming
// input.
func checkOwnData(t *testing.T, out, input string, from, to time.Time, addrs map[netip.Addr]bool) {
	t.Helper()
	err := filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(path) {
		case ".csv", ".md", ".json", ".svg":
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, g := range generated {
			if strings.Contains(string(b), g) && !(g == "198.18." && addrs == nil) {
				t.Errorf("%s holds %q: generated data in a study of the user's capture", path, g)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	daily := readLines(t, filepath.Join(out, "daily-series", "daily.csv"))
	if len(daily) < 2 {
		t.Fatalf("daily.csv has no day: %q", daily)
	}
	for _, l := range daily[1:] {
		day, err := time.Parse(time.DateOnly, strings.Split(l, ",")[0])
		if err != nil {
			t.Fatal(err)
		}
		if day.Before(from.Truncate(24*time.Hour)) || !day.Before(to) {
			t.Errorf("daily.csv day %s outside the capture's period %s to %s", day.Format(time.DateOnly), from, to)
		}
	}
	for _, l := range readLines(t, filepath.Join(out, "analysis", "timeseries.csv"))[1:] {
		ts, err := time.Parse(time.RFC3339, strings.Split(l, ",")[0])
		if err != nil {
			t.Fatal(err)
		}
		if ts.Before(from.Truncate(time.Hour)) || !ts.Before(to) {
			t.Errorf("timeseries.csv interval %s outside the capture's period", ts)
		}
	}
	if addrs != nil {
		for _, tab := range []string{"packets.csv", "sources.csv", "events.csv"} {
			lines := readLines(t, filepath.Join(out, "analysis", tab))
			for _, l := range lines[1:] {
				for _, field := range strings.Split(l, ",") {
					if a, err := netip.ParseAddr(field); err == nil && !addrs[a] {
						t.Errorf("%s: address %s is not in the input", tab, a)
					}
				}
			}
		}
	}
	report, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(report), filepath.ToSlash(input)) {
		t.Errorf("REPORT.md does not name the input %s", input)
	}
	for _, fig := range []string{"daily", "classes", "per_source_cdf", "protocol_position"} {
		for _, ext := range []string{".png", ".svg"} {
			if _, err := os.Stat(filepath.Join(out, "figures", fig+ext)); err != nil {
				t.Errorf("figure %s%s not drawn: %v", fig, ext, err)
			}
		}
	}
}

// TestStudyOwnTelescope runs port0 study on a telescope capture made
// here (another prefix, period and link type than gen's), with and
// without AS data.
func TestStudyOwnTelescope(t *testing.T) {
	dir := t.TempDir()
	b, addrs := teleCapture()
	in := filepath.Join(dir, "tele-vlan.pcap")
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	pfx := filepath.Join(dir, "routeviews.pfx2as")
	if err := os.WriteFile(pfx, []byte("203.0.113.0\t24\t64500\n198.51.100.0\t24\t64501_64502\n10.0.0.0\t8\t64503\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2021, 3, 10, 0, 0, 0, 0, time.UTC)

	out := filepath.Join(dir, "study")
	stdout, stderr, code := runCmd(t, "study", "-out", out, "-asmap", pfx, in)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "study of 1 capture: 16 analyses:") {
		t.Errorf("last line %q", last)
	}
	for _, want := range []string{"study: analyzing 1 capture", "study: drawing the figures"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks progress %q:\n%s", want, stderr)
		}
	}
	checkOwnData(t, out, in, from, to, addrs)
	report, _ := os.ReadFile(filepath.Join(out, "REPORT.md"))
	for _, want := range []string{
		"telescope: 100.64.0.0/16 (65536 addresses), inferred from the destinations",
		"period: 2021-03-01",
		"routeviews.pfx2as",
		"consistent",
		"Needs ground truth",
	} {
		if !strings.Contains(string(report), want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	as := readLines(t, filepath.Join(out, "as-concentration", "source_as.csv"))
	if strings.Join(as, "\n") == "" || !slices.Contains(as, "64500,600,1") {
		t.Errorf("source_as.csv: %q (want the ZMap-like source's 600 packets in AS 64500)", as)
	}
	if !slices.ContainsFunc(as, func(l string) bool { return strings.HasPrefix(l, "64501_64502,") }) {
		t.Errorf("source_as.csv: %q (want the multi-origin prefix as one origin 64501_64502)", as)
	}
	cov := readLines(t, filepath.Join(out, "scan-coverage", "coverage.csv"))
	if len(cov) < 2 {
		t.Errorf("coverage.csv: %q (want the scanners of a credible telescope)", cov)
	}

	// Without AS data, the AS analyses say so rather than guess.
	out2 := filepath.Join(dir, "noas")
	_, stderr, code = runCmd(t, "study", "-q", "-out", out2, in)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("-q: stderr %q", stderr)
	}
	report, _ = os.ReadFile(filepath.Join(out2, "REPORT.md"))
	if !strings.Contains(string(report), "no AS data (-asmap)") {
		t.Error("REPORT.md without -asmap does not say there is no AS data")
	}
	if _, err := os.Stat(filepath.Join(out2, "as-concentration", "source_as.csv")); err == nil {
		t.Error("source_as.csv written without AS data")
	}
}

// TestStudyRealCaptures runs port0 study on the committed captures that
// gen did not make: the decoder corpus (odd, cut and corrupt files) and
// the real tools' capture, which is no telescope's.
func TestStudyRealCaptures(t *testing.T) {
	root := filepath.Join("..", "..", "testdata")
	t.Run("realtools", func(t *testing.T) {
		in := filepath.Join(root, "realtools", "real_tools.pcap")
		out := filepath.Join(t.TempDir(), "study")
		stdout, stderr, code := runCmd(t, "study", "-q", "-out", out, in)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		checkOwnData(t, out, in, time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC), nil)
		report, _ := os.ReadFile(filepath.Join(out, "REPORT.md"))
		for _, want := range []string{"**warning**: the destinations span", "does not look like a telescope", "Skipped: coverage"} {
			if !strings.Contains(string(report), want) {
				t.Errorf("REPORT.md lacks %q", want)
			}
		}
		if _, err := os.Stat(filepath.Join(out, "scan-coverage", "coverage.csv")); err == nil {
			t.Error("coverage.csv written for a capture that is no telescope's")
		}
		if !strings.Contains(stdout, "study of 1 capture") {
			t.Errorf("stdout %q", stdout)
		}
	})
	t.Run("corpus", func(t *testing.T) {
		in := filepath.Join(root, "captures")
		out := filepath.Join(t.TempDir(), "study")
		_, stderr, code := runCmd(t, "study", "-q", "-out", out, in)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		if !strings.Contains(stderr, "study: ") {
			t.Errorf("the corpus's corrupt files are not reported on stderr: %q", stderr)
		}
		report, _ := os.ReadFile(filepath.Join(out, "REPORT.md"))
		if !strings.Contains(string(report), "read errors (analysis/summary.json, read_errors)") {
			t.Error("REPORT.md does not count the corpus's read errors")
		}
		if !strings.Contains(string(report), "`"+filepath.ToSlash(filepath.Join(in, "empty.pcap"))+"`") {
			t.Error("REPORT.md does not name the corpus's files")
		}
	})
}

// TestStudyTraps: the output folder and inputs that cannot mix, and usage
// errors that name the flag.
func TestStudyTraps(t *testing.T) {
	dir := t.TempDir()
	b, _ := teleCapture()
	in := filepath.Join(dir, "tele.pcap")
	os.WriteFile(in, b, 0o644)
	foreign := filepath.Join(dir, "foreign")
	os.MkdirAll(foreign, 0o755)
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o644)
	inOut := filepath.Join(dir, "res")
	os.MkdirAll(inOut, 0o755)
	os.WriteFile(filepath.Join(inOut, "x.pcap"), b, 0o644)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no -out", []string{"study", in}, 2, "-out is required"},
		{"no input", []string{"study", "-out", filepath.Join(dir, "o1")}, 2, "no input given"},
		{"foreign -out", []string{"study", "-q", "-out", foreign, in}, 2, "is not empty and holds no earlier port0 study"},
		{"input inside -out", []string{"study", "-q", "-out", inOut, filepath.Join(inOut, "x.pcap")}, 2, "lies inside -out"},
		{"bad asmap", []string{"study", "-q", "-out", filepath.Join(dir, "o2"), "-asmap", in, in}, 2, "-asmap"},
		{"bad telescope", []string{"study", "-q", "-out", filepath.Join(dir, "o3"), "-telescope", "nope", in}, 2, "-telescope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCmd(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
			if l := lastLine(stderr); !strings.HasPrefix(l, "port0: study: ") {
				t.Errorf("the error is not the last line, prefixed port0: study: %q", l)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(foreign, "notes.txt")); err != nil {
		t.Errorf("a refused -out lost its file: %v", err)
	}

	// An earlier study is replaced whole: a table only the first run
	// wrote (source_as.csv, with -asmap) does not survive the second.
	out := filepath.Join(dir, "again")
	pfx := filepath.Join(dir, "p.pfx2as")
	os.WriteFile(pfx, []byte("203.0.113.0\t24\t64500\n"), 0o644)
	if _, stderr, code := runCmd(t, "study", "-q", "-out", out, "-asmap", pfx, in); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := runCmd(t, "study", "-q", "-out", out, in); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "as-concentration", "source_as.csv")); err == nil {
		t.Error("a table of the earlier study survived the new one")
	}

	// The same capture twice is read once, with a warning.
	_, stderr, code := runCmd(t, "study", "-out", filepath.Join(dir, "dup"), in, in)
	if code != 0 || !strings.Contains(stderr, "study: warning: ") || !strings.Contains(stderr, "read once") {
		t.Errorf("duplicate input: exit %d, stderr %q", code, stderr)
	}
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestExperimentsAnalysisAlone: experiments -analysis without -gen is an
// error naming port0 study, and generates nothing.
func TestExperimentsAnalysisAlone(t *testing.T) {
	out := filepath.Join(t.TempDir(), "res")
	_, stderr, code := runCmd(t, "experiments", "-out", out, "-analysis", t.TempDir())
	if code != 2 || !strings.Contains(stderr, "port0 study") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("experiments wrote a results folder")
	}
}

// TestStudyFlows runs port0 study on nfdump's flows (an nfcapd file made
// by nfpcapd from the real tools' capture): the flows are judged, the
// real ones studied, and what flows cannot tell is said, not guessed.
func TestStudyFlows(t *testing.T) {
	in := filepath.Join("..", "..", "testdata", "nfcapd", "realtools-lz4.nfcapd")
	out := filepath.Join(t.TempDir(), "study")
	_, stderr, code := runCmd(t, "study", "-q", "-out", out, in)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	report, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"flow records: 185 (nfcapd 185)", "144 real, 33 without ports, 0 undecidable", "not in these formats: tool attribution"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	srcs := readLines(t, filepath.Join(out, "analysis", "sources.csv"))
	if len(srcs) != 15 {
		t.Fatalf("sources.csv has %d lines, want 14 sources and the header", len(srcs))
	}
	for _, l := range srcs[1:] {
		if !strings.Contains(l, `,unknown,"not-in-this-format (`) {
			t.Errorf("a flow source named a tool or lost the evidence: %s", l)
		}
	}
	// Packets and flows do not mix in one analysis.
	_, stderr, code = runCmd(t, "study", "-q", "-out", filepath.Join(t.TempDir(), "mix"), in, filepath.Join("..", "..", "testdata", "realtools", "real_tools.pcap"))
	if code == 0 || !strings.Contains(stderr, "analyze them apart") {
		t.Errorf("mixed inputs: exit %d, stderr %q", code, stderr)
	}
}

// TestStudySampledFlows studies pmacct's sFlow export of a generated
// capture at 1 in 10 (testdata/flows): the report says the sampling and
// the estimate on the wire, summary.json holds it, and the tool rules
// run on the sampled packets (they are packets, not flows).
func TestStudySampledFlows(t *testing.T) {
	in := filepath.Join("..", "..", "testdata", "flows", "paper7", "pmacct-sfprobe-s10.pcap")
	out := filepath.Join(t.TempDir(), "study")
	if _, stderr, code := runCmd(t, "study", "-q", "-flows", "-out", out, in); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	sum := readSummary(t, filepath.Join(out, "analysis"))
	dg := sum.Flows.Datagrams
	if dg == nil || sum.Flows.Flows != 0 || dg.Samples["10"] == 0 || len(dg.Samples) != 1 {
		t.Fatalf("flows summary: %+v, datagrams %+v; want sFlow samples at 1 in 10 only", sum.Flows, dg)
	}
	if dg.EstimatedSampled != 10*dg.Samples["10"] {
		t.Errorf("estimated_sampled_packets %d, want 10 × %d samples", dg.EstimatedSampled, dg.Samples["10"])
	}
	report, err := os.ReadFile(filepath.Join(out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("sampled (packet samples 1 in 10: %d): the analyses count the %d sampled packets (0 in flow records, %d packet samples); with the sampling rates applied they stand for %d packets on the wire",
		dg.Samples["10"], dg.Samples["10"], dg.Samples["10"], dg.EstimatedSampled)
	if !strings.Contains(string(report), want) {
		t.Errorf("REPORT.md lacks %q", want)
	}
	for _, l := range readLines(t, filepath.Join(out, "analysis", "sources.csv"))[1:] {
		if strings.Contains(l, "not-in-this-format") {
			t.Errorf("a source of packet samples has no tool rules: %s", l)
		}
	}
}
