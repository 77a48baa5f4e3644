package scan

import (
	"bytes"
	"encoding/csv"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/gen"
	"github.com/port0/port0/label"
	"github.com/port0/port0/reference"
)

var update = flag.Bool("update", false, "rewrite testdata/analyze/corpus-summary.json")

// corpusClasses are the class columns of expected.csv, in order.
var corpusClasses = []string{"src0", "dst0", "both0", "ports", "nonfirst", "noports", "truncated", "malformed", "undecodable"}

// readExpectedClasses returns, per file of expected.csv, the count of
// each class column (icmp0 included).
func readExpectedClasses(t testing.TB) (files []string, classes map[string]map[string]int) {
	t.Helper()
	f, err := os.Open(filepath.Join(capture.corpusDir, "expected.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	classes = map[string]map[string]int{}
	for _, row := range rows[1:] {
		m := map[string]int{}
		for _, cl := range append(corpusClasses, "icmp0") {
			n, err := strconv.Atoi(row[col[cl]])
			if err != nil {
				t.Fatalf("expected.csv %s %s: %v", row[0], cl, err)
			}
			m[cl] = n
		}
		files = append(files, row[0])
		classes[row[0]] = m
	}
	return files, classes
}

// corpusClass maps a record to the class of expected.csv it was crafted
// as. Ports count as readable when Record.Ports is PortsPresent, even when
// a later part of the header is cut (TCP options); a packet whose ports
// are readable but whose header is inconsistent (TCP data offset < 5 or
// beyond the segment) is malformed, as is a tiny first fragment.
func corpusClass(r *decode.Record) string {
	switch {
	case r.Link == decode.LinkUnsupported || r.Link == decode.LinkNotIP:
		return "undecodable"
	case r.Ports == decode.PortsPresent && r.Reason != decode.ReasonNone && r.Reason != decode.ReasonTruncated:
		return "malformed"
	case r.Ports == decode.PortsPresent:
		return [...]string{decode.Port0None: "ports", decode.Port0Src: "src0", decode.Port0Dst: "dst0", decode.Port0Both: "both0"}[r.Port0]
	case r.Reason == decode.ReasonTruncated:
		return "truncated"
	case r.Reason != decode.ReasonNone:
		return "malformed"
	case r.Ports == decode.PortsNonFirstFragment:
		return "nonfirst"
	case r.Ports == decode.PortsNone:
		return "noports"
	}
	return "unclassified"
}

// TestCorpusDecoders decodes every committed capture with both decoders
// (subtests "fast" and "ref") and checks the classes of expected.csv.
// The reference record is compared after Normalize, which takes the
// transport header of first fragments from the fast record (gopacket
// stops at the Fragment layer); fast and ref must then be equal.
func TestCorpusDecoders(t *testing.T) {
	files, want := readExpectedClasses(t)
	if len(files) < 40 {
		t.Fatalf("expected.csv has %d rows", len(files))
	}
	ref := reference.NewRefDecoder()
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			g := capture.readCapture(filepath.Join(capture.corpusDir, file))
			fast := make([]decode.Record, len(g.pkts))
			slow := make([]decode.Record, len(g.pkts))
			for i, p := range g.pkts {
				var f, r decode.Record
				f.Decode(p.LinkType, p.Data)
				ref.Decode(p.LinkType, p.Data, &r)
				fast[i], slow[i] = reference.Normalize(f, r)
				if fast[i] != slow[i] {
					t.Errorf("packet %d: fast and ref differ after Normalize:\n%s", i, reference.FormatDiffs(reference.DiffRecords(fast[i], slow[i])))
				}
			}
			for _, dec := range []struct {
				name string
				recs []decode.Record
			}{{"fast", fast}, {"ref", slow}} {
				t.Run(dec.name, func(t *testing.T) {
					got := map[string]int{}
					for i := range dec.recs {
						r := &dec.recs[i]
						c := corpusClass(r)
						got[c]++
						if r.Inner.Ports == decode.PortsPresent && r.Inner.Port0 >= decode.Port0Src {
							got["icmp0"]++
						}
						if c == "unclassified" {
							t.Errorf("packet %d: no class for %+v", i, *r)
						}
					}
					for _, cl := range append(corpusClasses, "icmp0") {
						if got[cl] != want[file][cl] {
							t.Errorf("%s: %d, want %d", cl, got[cl], want[file][cl])
						}
					}
				})
			}
		})
	}
}

// corpusInputs lists the committed captures as "port0 analyze" would.
func corpusInputs(t testing.TB) []string {
	in, err := capture.ExpandInputs([]string{capture.corpusDir})
	if err != nil {
		t.Fatal(err)
	}
	if len(in) < 40 {
		t.Fatalf("only %d captures in %s", len(in), capture.corpusDir)
	}
	return in
}

func summaryJSON(t testing.TB, inputs []string, stdin io.Reader, workers int) []byte {
	t.Helper()
	sum, err := Analyze(inputs, stdin, Options{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	b, err := sum.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCorpusSummaryGolden compares the summary of every committed capture
// with testdata/analyze/corpus-summary.json, byte for byte. Regenerate
// with go test ./analyze -run TestCorpusSummaryGolden -update and review
// the diff like code.
//
// The test runs from the repository root, so the golden file is exactly
// what "port0 analyze -out DIR testdata/captures" writes there.
func TestCorpusSummaryGolden(t *testing.T) {
	t.Chdir("..")
	in, err := capture.ExpandInputs([]string{"testdata/captures"})
	if err != nil {
		t.Fatal(err)
	}
	got := summaryJSON(t, in, nil, 1)
	const goldenSummary = "testdata/analyze/corpus-summary.json"
	if *update {
		if err := os.MkdirAll(filepath.Dir(goldenSummary), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenSummary, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenSummary)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("summary differs from %s at line %d:\n got: %s\nwant: %s\n(rerun with -update if the change is intended)", goldenSummary, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("summary differs from %s in length: %d lines, want %d", goldenSummary, len(gl), len(wl))
	}
}

// TestAnalyzeWorkers checks that the summary does not depend on the number
// of workers, and that the total is the sum of the files in any order.
func TestAnalyzeWorkers(t *testing.T) {
	in := corpusInputs(t)
	in = append(in, in...) // more files than workers, duplicates included
	want := summaryJSON(t, in, nil, 1)
	for _, w := range []int{0, 2, 3, 16, 1000} {
		t.Run(strconv.Itoa(w), func(t *testing.T) {
			if got := summaryJSON(t, in, nil, w); !bytes.Equal(got, want) {
				t.Errorf("workers %d: summary differs from workers 1", w)
			}
		})
	}
	sum, err := Analyze(in, nil, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	rev := newCounts()
	for i := len(sum.Files) - 1; i >= 0; i-- {
		rev.Add(&sum.Files[i].Counts)
	}
	a, _ := (&Summary{Total: rev}).JSON()
	b, _ := (&Summary{Total: sum.Total}).JSON()
	if !bytes.Equal(a, b) {
		t.Errorf("total summed in reverse order differs:\n%s\n%s", a, b)
	}
	if sum.Total.Packets != 2*int64(countRecords(t)) {
		t.Errorf("total packets %d, want %d", sum.Total.Packets, 2*countRecords(t))
	}
}

// countRecords sums the records column of expected.csv.
func countRecords(t testing.TB) int {
	n := 0
	for _, r := range capture.readExpected(t) {
		n += r.records
	}
	return n
}

// TestAnalyzeInvariants checks relations between the summary's counts on
// the corpus: every packet is counted once by ports kind, port-0 packets
// once by protocol and once by position.
func TestAnalyzeInvariants(t *testing.T) {
	sum, err := Analyze(corpusInputs(t), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(sum.Files, FileSummary{File: "total", Counts: sum.Total}) {
		c := f.Counts
		noPorts := int64(0)
		for _, n := range c.NoPorts {
			noPorts += n
		}
		links := int64(0)
		for _, n := range c.LinkTypes {
			links += n
		}
		p := c.Port0
		for _, chk := range []struct {
			name      string
			got, want int64
		}{
			{"with_ports + no_ports", c.WithPorts + noPorts, c.Packets},
			{"link_types", links, c.Packets},
			{"port0 by protocol", p.TCPv4 + p.TCPv6 + p.UDPv4 + p.UDPv6, p.Total},
			{"port0 by position", p.SrcOnly + p.DstOnly + p.Both, p.Total},
			{"truncated by place", c.Truncated.Link + c.Truncated.IP + c.Truncated.BeforePorts + c.Truncated.AfterPorts + c.Truncated.Other, c.Truncated.Total},
			{"non-first fragments", c.NoPorts["non-first-fragment"], c.Fragments.NonFirst},
		} {
			if chk.got != chk.want {
				t.Errorf("%s: %s = %d, want %d", f.File, chk.name, chk.got, chk.want)
			}
		}
		if p.Total > c.WithPorts || c.Fragments.OrphanNonFirst > c.Fragments.NonFirst {
			t.Errorf("%s: impossible counts %+v", f.File, c)
		}
	}
}

// TestAnalyzeFragments checks the orphan rule on the fragment captures:
// in each, one middle fragment has no first fragment (orphan), a first
// fragment has no rest, and a last fragment comes before its first (not
// an orphan: it is inside the window).
func TestAnalyzeFragments(t *testing.T) {
	for _, c := range []struct {
		file                     string
		first, nonFirst, orphans int64
	}{
		{"fragments_v4.pcap", 3, 3, 1},
		{"fragments_v6.pcap", 3, 3, 1},
		{"tiny_fragments.pcap", 4, 3, 0},
		{"ipv6_exthdr.pcap", 1, 1, 0},
	} {
		t.Run(c.file, func(t *testing.T) {
			sum, err := Analyze([]string{filepath.Join(capture.corpusDir, c.file)}, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			f := sum.Total.Fragments
			if f.First != c.first || f.NonFirst != c.nonFirst || f.OrphanNonFirst != c.orphans || f.TableEvictions != 0 {
				t.Errorf("fragments %+v, want first %d non-first %d orphans %d", f, c.first, c.nonFirst, c.orphans)
			}
		})
	}
}

// TestAnalyzeReadErrors checks that a corrupt file keeps its packets
// before the error, names file, index and offset, and that the other
// files are still read; and that no readable input at all is ErrNoInput.
func TestAnalyzeReadErrors(t *testing.T) {
	good := filepath.Join(capture.corpusDir, "pcap_us_le.pcap")
	cut := filepath.Join(capture.corpusDir, "cut_mid_record.pcap")
	missing := filepath.Join(t.TempDir(), "missing.pcap")
	sum, err := Analyze([]string{good, cut, missing, good}, nil, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.ReadErrors) != 2 || sum.Total.ReadErrors != 2 {
		t.Fatalf("read errors %+v", sum.ReadErrors)
	}
	e := sum.ReadErrors[0]
	if e.File != cut || e.PacketIndex != 3 || e.ByteOffset != 252 {
		t.Errorf("error %+v, want %s packet 3 at byte 252", e, cut)
	}
	if sum.Files[1].Counts.Packets != 3 || sum.Files[1].Counts.SkippedBytes != 298-252 {
		t.Errorf("cut file: %d packets, %d bytes skipped; want 3, 46", sum.Files[1].Counts.Packets, sum.Files[1].Counts.SkippedBytes)
	}
	if e := sum.ReadErrors[1]; e.File != missing || e.PacketIndex != -1 {
		t.Errorf("missing file error %+v", e)
	}
	if sum.Total.Packets != 8+3+8 || sum.Total.Files != 3 {
		t.Errorf("total: %d packets in %d files, want 19 in 3", sum.Total.Packets, sum.Total.Files)
	}
	sum, err = Analyze([]string{missing, filepath.Join(capture.corpusDir, "empty.pcap"), "-"}, nil, Options{})
	if err != ErrNoInput || len(sum.ReadErrors) != 3 {
		t.Errorf("no readable input: err %v, %d read errors", err, len(sum.ReadErrors))
	}
}

// fragOp is one fragment in a fragTable test: datagram id, time in
// seconds, first or not.
type fragOp struct {
	id    uint32
	sec   float64
	first bool
}

func TestFragTable(t *testing.T) {
	for _, c := range []struct {
		name    string
		ops     []fragOp
		orphans int64
	}{
		{"first-then-rest", []fragOp{{1, 0, true}, {1, 0.001, false}, {1, 0.002, false}}, 0},
		{"rest-then-first", []fragOp{{1, 0, false}, {1, 1, false}, {1, 2, true}}, 0},
		{"no-first", []fragOp{{1, 0, false}, {1, 1, false}}, 2},
		{"first-only", []fragOp{{1, 0, true}}, 0},
		{"first-after-window", []fragOp{{1, 0, false}, {1, 61, true}}, 1},
		{"rest-after-window", []fragOp{{1, 0, true}, {1, 61, false}}, 1},
		{"window-edge", []fragOp{{1, 0, false}, {1, 60, true}}, 0},
		{"other-datagram", []fragOp{{1, 0, true}, {2, 0, false}}, 1},
		{"time-backwards", []fragOp{{1, 100, false}, {2, 0, false}, {1, 101, true}}, 1},
		{"expired-by-other", []fragOp{{1, 0, false}, {2, 100, true}, {1, 100, true}}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ft fragTable
			for _, op := range c.ops {
				k := fragKey{id: op.id, ver: 4, proto: decode.ProtoUDP}
				ft.seen(&k, int64(op.sec*1e9), op.first)
			}
			ft.flush()
			if ft.orphans != c.orphans || ft.evictions != 0 {
				t.Errorf("orphans %d evictions %d, want %d 0", ft.orphans, ft.evictions, c.orphans)
			}
		})
	}
	t.Run("full", func(t *testing.T) {
		var ft fragTable
		for i := range FragTableSize + 2 {
			k := fragKey{id: uint32(i), ver: 6}
			ft.seen(&k, 0, false)
		}
		if ft.evictions != 2 || ft.orphans != 2 || ft.n != FragTableSize {
			t.Errorf("evictions %d orphans %d open %d", ft.evictions, ft.orphans, ft.n)
		}
		ft.flush()
		if ft.orphans != FragTableSize+2 || ft.n != 0 {
			t.Errorf("after flush: orphans %d open %d", ft.orphans, ft.n)
		}
	})
}

// TestFragTableModel runs random fragments over few datagrams through the
// table and through a map-based model of the same rule; heavy collisions
// exercise the backward-shift deletion.
func TestFragTableModel(t *testing.T) {
	type state struct {
		first    bool
		pending  int64
		deadline int64
	}
	r := rand.New(rand.NewPCG(1, 2))
	var ft fragTable
	model := map[fragKey]*state{}
	var order []fragKey
	var orphans int64
	closeOldest := func() {
		k := order[0]
		order = order[1:]
		orphans += model[k].pending
		delete(model, k)
	}
	ts := int64(0)
	for i := range 200000 {
		ts += int64(r.IntN(2e6)) // ~60,000 fragments per window: the table is a third full
		k := fragKey{id: uint32(r.IntN(40000)), ver: 4}
		k.src[15] = byte(r.IntN(2))
		first := r.IntN(4) == 0
		ft.seen(&k, ts, first)
		for len(order) > 0 && model[order[0]].deadline < ts {
			closeOldest()
		}
		if s := model[k]; s != nil {
			if first {
				s.first, s.pending = true, 0
			} else if !s.first {
				s.pending++
			}
		} else {
			if len(order) == FragTableSize {
				closeOldest()
			}
			s := &state{first: first, deadline: ts + FragWindow}
			if !first {
				s.pending = 1
			}
			model[k] = s
			order = append(order, k)
		}
		if ft.orphans != orphans || ft.n != len(order) {
			t.Fatalf("op %d: table orphans %d open %d, model %d %d", i, ft.orphans, ft.n, orphans, len(order))
		}
	}
	for _, k := range order {
		if i := ft.find(&k, k.hash()); !ft.slots[i].used || ft.slots[i].pending != model[k].pending {
			t.Fatalf("datagram %+v lost or wrong in the table", k)
		}
	}
}

// genRun is a default-scenario capture made by gen, held in memory.
type genRun struct {
	pcap  []byte
	truth []gen.Truth
}

var (
	genOnce   sync.Once
	genCached genRun
	genErr    error
)

// genScale is the scale of the default-scenario capture the tests use
// (about 570,000 packets over three years).
const genScale = 2e-6

// generate writes the default scenario (seed 1) as one Ethernet pcap shard
// into dir and returns its bytes and truth.
func generate(dir string, scale float64) (genRun, error) {
	p, err := gen.NewPlan(gen.Paper(), 1, scale)
	if err != nil {
		return genRun{}, err
	}
	if _, err := gen.Generate(p, gen.Options{Out: dir, Shard: gen.ShardSingle}); err != nil {
		return genRun{}, err
	}
	var g genRun
	if g.pcap, err = os.ReadFile(filepath.Join(dir, "telescope.pcap")); err != nil {
		return genRun{}, err
	}
	f, err := os.Open(filepath.Join(dir, "telescope.truth"))
	if err != nil {
		return genRun{}, err
	}
	defer f.Close()
	tr, err := gen.NewTruthReader(f)
	if err != nil {
		return genRun{}, err
	}
	for {
		rec, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return genRun{}, err
		}
		g.truth = append(g.truth, rec)
	}
	return g, nil
}

// genCapture returns the default-scenario capture, generated once per
// test binary.
func genCapture(t testing.TB) genRun {
	genOnce.Do(func() {
		dir, err := os.MkdirTemp("", "port0-analyze-gen")
		if err != nil {
			genErr = err
			return
		}
		defer os.RemoveAll(dir)
		genCached, genErr = generate(dir, genScale)
	})
	if genErr != nil {
		t.Fatal(genErr)
	}
	return genCached
}

// TestGenCapture checks a default-scenario gen capture: the decoders agree
// on every packet, and the packets with a port 0 in their own headers plus
// the ICMP errors quoting a port 0 are exactly the port-0-related packets
// of the truth. (The generator makes no port-0-related packet without one
// of the two: crafted-malformed TCP headers with data offset < 5 keep
// their ports, and backscatter-from-0 includes ICMP unreachables quoting
// a UDP header to port 0.) The orphan non-first fragments are exactly
// those of the trains gen sent without their first fragment.
func TestGenCapture(t *testing.T) {
	g := genCapture(t)
	t.Run("crosscheck", func(t *testing.T) {
		var out bytes.Buffer
		res, err := reference.Crosscheck([]string{"-"}, bytes.NewReader(g.pcap), capture.ReadOptions{}, 10, &out)
		if err != nil || res.Differing != 0 || res.Packets != int64(len(g.truth)) {
			t.Fatalf("crosscheck: %v, %+v\n%s", err, res, out.String())
		}
	})
	sum, err := Analyze([]string{"-"}, bytes.NewReader(g.pcap), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := sum.Total
	var related, quoting, orphans, nonFirst int64
	perClass := map[label.Class][2]int64{} // truth count, decoded port-0 count
	c2, err := capture.NewCapture("gen", bytes.NewReader(g.pcap))
	if err != nil {
		t.Fatal(err)
	}
	var p capture.Packet
	var r decode.Record
	for i, tr := range g.truth {
		if err := c2.Next(&p); err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		r.Decode(p.LinkType, p.Data)
		own := r.Ports == decode.PortsPresent && r.Port0 >= decode.Port0Src
		quoted := r.Inner.Ports == decode.PortsPresent && r.Inner.Port0 >= decode.Port0Src
		if tr.Class.Port0Related() {
			related++
		}
		if quoted {
			quoting++
		}
		n := perClass[tr.Class]
		n[0]++
		if own || quoted {
			n[1]++
		}
		perClass[tr.Class] = n
		if tr.Class == label.FragmentArtifact {
			nonFirst++
			if tr.Detail == 1 {
				orphans++
			}
		}
	}
	for cl, n := range perClass {
		want := int64(0)
		if cl.Port0Related() {
			want = n[0]
		}
		if n[1] != want {
			t.Errorf("class %v: %d packets, %d with a port 0 in their headers or quote, want %d", cl, n[0], n[1], want)
		}
	}
	if c.Packets != int64(len(g.truth)) || c.Port0.Total+c.ICMPQuotingPort0 != related || c.ICMPQuotingPort0 != quoting {
		t.Errorf("summary: %d packets, port0 %d + icmp quoting %d; truth: %d packets, %d port-0-related (%d quoting)",
			c.Packets, c.Port0.Total, c.ICMPQuotingPort0, len(g.truth), related, quoting)
	}
	if c.Fragments.NonFirst != nonFirst || c.Fragments.OrphanNonFirst != orphans || c.Fragments.TableEvictions != 0 {
		t.Errorf("fragments %+v; truth: %d non-first, %d in orphan trains", c.Fragments, nonFirst, orphans)
	}
	t.Logf("%d packets, %d port-0 (+%d ICMP quoting), %d non-first fragments (%d orphans)",
		c.Packets, c.Port0.Total, c.ICMPQuotingPort0, c.Fragments.NonFirst, c.Fragments.OrphanNonFirst)
}

// tcpdumpCases are the captures compared with tcpdump's
// '(tcp or udp) and port 0', and how many more packets tcpdump counts
// than Analyze, by design (README.md, "port-0 definition"). Captures
// tcpdump cannot read (gzip, pcapng with mixed link types, link type 14)
// are left out.
var tcpdumpCases = []struct {
	file  string
	delta int64
	why   string
}{
	{"pcap_us_le.pcap", 0, ""},
	{"pcap_us_be.pcap", 0, ""},
	{"pcap_ns_le.pcap", 0, ""},
	{"pcap_ns_be.pcap", 0, ""},
	{"port0_positions.pcap", 0, ""},
	{"link_ethernet.pcap", 0, ""},
	{"link_ethernet_fcs.pcap", 0, ""},
	{"link_raw101.pcap", 0, ""},
	{"link_raw12.pcap", 0, ""},
	{"link_ipv4_228.pcap", 0, ""},
	{"link_ipv6_229.pcap", 0, ""},
	{"link_sll.pcap", 0, ""},
	{"link_sll2.pcap", 0, ""},
	{"link_null.pcap", 0, ""},
	{"link_null_be.pcap", 0, ""},
	{"link_loop.pcap", 0, ""},
	{"ipv4_options.pcap", 0, ""},
	{"fragments_v4.pcap", 0, "IPv4 first fragments: BPF checks the offset is 0, as we do"},
	{"icmp_errors.pcap", 0, "quoted port 0 is not port 0 for either"},
	{"tcp_bad_offset.pcap", 0, "data offset < 5: both read the ports"},
	{"caplen_over_snaplen.pcap", 0, ""},
	{"zero_length.pcap", 0, ""},
	{"link_vlan.pcap", -3, "802.1Q: tcpdump needs the 'vlan' keyword"},
	{"link_qinq.pcap", -3, "QinQ: tcpdump needs 'vlan and vlan'"},
	{"ethernet_padding.pcap", -1, "one frame is VLAN-tagged"},
	{"ipv6_exthdr.pcap", -5, "tcpdump's ip6 tcp/udp look at the fixed header's next header only"},
	{"fragments_v6.pcap", -3, "IPv6 first fragments: the Fragment header hides the protocol from tcpdump"},
	{"tiny_fragments.pcap", 2, "tiny first fragments (RFC 1858) hold the ports: tcpdump reads them, we call them malformed"},
	{"truncated_snaplen.pcap", 3, "ports in the capture but not the whole fixed header: tcpdump only needs the 4 port bytes"},
}

// tcpdumpCount counts the lines tcpdump prints for the port-0 filter.
func tcpdumpCount(t *testing.T, tcpdump, file string) int64 {
	t.Helper()
	cmd := exec.Command(tcpdump, "-r", file, "-nn", "(tcp or udp) and port 0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tcpdump -r %s: %v\n%s", file, err, stderr.String())
	}
	return int64(bytes.Count(out, []byte("\n")))
}

// TestTcpdumpPort0 compares Analyze's port-0 count with tcpdump's on the
// gen capture and on corpus files. Skipped when tcpdump is not installed.
func TestTcpdumpPort0(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump not on PATH")
	}
	t.Run("gen", func(t *testing.T) {
		g := genCapture(t)
		file := filepath.Join(t.TempDir(), "telescope.pcap")
		if err := os.WriteFile(file, g.pcap, 0o644); err != nil {
			t.Fatal(err)
		}
		sum, err := Analyze([]string{file}, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n := tcpdumpCount(t, tcpdump, file); n != sum.Total.Port0.Total {
			t.Errorf("tcpdump %d, analyze %d", n, sum.Total.Port0.Total)
		}
	})
	for _, c := range tcpdumpCases {
		t.Run(c.file, func(t *testing.T) {
			file := filepath.Join(capture.corpusDir, c.file)
			sum, err := Analyze([]string{file}, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			n := tcpdumpCount(t, tcpdump, file)
			if got := n - sum.Total.Port0.Total; got != c.delta {
				t.Errorf("tcpdump %d, analyze %d: difference %d, want %d (%s)", n, sum.Total.Port0.Total, got, c.delta, c.why)
			}
		})
	}
}
