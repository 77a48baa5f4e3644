package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/port0/port0/flows"
	"github.com/port0/port0/flowscan"
	"github.com/port0/port0/label"
	"github.com/port0/port0/validate"
)

// flowsDir is where the exporters' outputs are read: testdata/flows (the
// committed fixtures) unless PORT0_FLOWS_DIR names a fresh run of
// scripts/flows.sh, as .ci/run gives.
func flowsDir() string {
	if d := os.Getenv("PORT0_FLOWS_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "testdata", "flows")
}

// flowInput is one exporter's output of a scenario's capture.
type flowInput struct {
	file, format, exporter string
	datagrams              bool // a capture of datagrams (analyze -flows), else an nfcapd file
}

// flowInputs are scripts/flows.sh's outputs, in the table's order.
var flowInputs = []flowInput{
	{"softflowd-v5.pcap", "NetFlow v5", "softflowd", true},
	{"softflowd-v9.pcap", "NetFlow v9", "softflowd", true},
	{"pmacct-nfprobe-v9.pcap", "NetFlow v9", "pmacct nfprobe", true},
	{"softflowd-ipfix.pcap", "IPFIX", "softflowd", true},
	{"pmacct-sfprobe.pcap", "sFlow v5, 1 in 1", "pmacct sfprobe", true},
	{"pmacct-sfprobe-s10.pcap", "sFlow v5, 1 in 10", "pmacct sfprobe", true},
	{"nfpcapd.nfcapd", "nfcapd", "nfpcapd", false},
	{"softflowd-v9-collected.nfcapd", "nfcapd", "softflowd v9 → nfcapd", false},
}

// flowScenario is a capture scripts/flows.sh gave the exporters.
type flowScenario struct{ dir, scenario, seed string }

var flowScenarios = []flowScenario{{"paper7", "paper", "7"}, {"wild17", "wild", "17"}}

// flowRow is what one input of one scenario measured.
type flowRow struct {
	scenario, format, exporter string
	// score is nil for the capture itself and for sFlow, whose samples
	// are packet headers, judged as packets.
	score   *validate.FlowScore
	classes map[label.Class]validate.Score
	tools   []validate.ToolScore
}

var captureLine = regexp.MustCompile(`(?m)^capture: port0 gen -scenario (\S+) -seed (\S+) -scale (\S+) -shard single -out DIR\n  DIR/telescope.pcap: .* sha256 ([0-9a-f]{64})$`)

// genFor regenerates the capture of dir's exporters.log and checks it is
// the one the exporters read (before scripts/flows.sh cut it to the
// packets whose flows can show a port 0).
func genFor(t *testing.T, sc flowScenario, dir string) string {
	t.Helper()
	log, err := os.ReadFile(filepath.Join(dir, "exporters.log"))
	if err != nil {
		t.Fatal(err)
	}
	m := captureLine.FindSubmatch(log)
	if m == nil || string(m[1]) != sc.scenario || string(m[2]) != sc.seed {
		t.Fatalf("%s/exporters.log does not name port0 gen -scenario %s -seed %s", dir, sc.scenario, sc.seed)
	}
	gen := filepath.Join(t.TempDir(), "gen")
	// pinned.scenario, when dir has one, is the built-in scenario as it
	// was when the exporters read it (wild before issue 30's
	// conditions): the same capture, byte for byte, until
	// scripts/flows.sh --update reruns the exporters on today's.
	scenario := sc.scenario
	if pinned := filepath.Join(dir, "pinned.scenario"); fileExists(pinned) {
		scenario = pinned
	}
	analyzeCmd(t, "gen", "-q", "-scenario", scenario, "-seed", sc.seed, "-scale", string(m[3]), "-shard", "single", "-out", gen)
	b, err := os.ReadFile(filepath.Join(gen, "telescope.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != string(m[4]) {
		t.Fatalf("port0 gen no longer writes the capture the exporters of %s read (sha256 %x, theirs %s): rerun bash scripts/flows.sh --update", dir, sum, m[4])
	}
	return gen
}

// scoreFlows measures one scenario: the capture itself, then each
// exporter's output, against the generator's truth.
func scoreFlows(t *testing.T, sc flowScenario) []flowRow {
	dir := filepath.Join(flowsDir(), sc.dir)
	gen := genFor(t, sc, dir)
	name := sc.scenario + " seed " + sc.seed
	studied := func(ana string, r *flowRow) {
		v, err := validate.Validate(gen, ana)
		if err != nil {
			t.Fatal(err)
		}
		r.classes = map[label.Class]validate.Score{}
		for _, s := range v.Sources.Scores() {
			r.classes[s.Class] = s
		}
		r.tools = v.ToolScores()
	}
	ana := filepath.Join(t.TempDir(), "pcap")
	analyzeCmd(t, "analyze", "-q", "-out", ana, filepath.Join(gen, "telescope.pcap"))
	rows := []flowRow{{scenario: name, format: "pcap", exporter: "the capture itself"}}
	studied(ana, &rows[0])
	for _, in := range flowInputs {
		path := filepath.Join(dir, in.file)
		ana := filepath.Join(t.TempDir(), strings.TrimSuffix(in.file, filepath.Ext(in.file)))
		args := []string{"analyze", "-q", "-out", ana}
		if in.datagrams {
			args = append(args, "-flows")
		}
		analyzeCmd(t, append(args, path)...)
		r := flowRow{scenario: name, format: in.format, exporter: in.exporter}
		s, err := validate.ScoreFlows(gen, func(fn func(*flows.Record)) error {
			return flowscan.Each([]string{path}, flowscan.Options{Datagrams: in.datagrams}, fn)
		})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if s.Flows > 0 {
			r.score = s
		}
		studied(ana, &r)
		rows = append(rows, r)
	}
	return rows
}

// flowClasses are the port-0 classes of the sources table, in label order.
func flowClasses() []label.Class {
	var cs []label.Class
	for _, c := range label.Classes() {
		if c.Port0Related() {
			cs = append(cs, c)
		}
	}
	return cs
}

// judgementTable is docs/FLOWS.md's table of the judgements.
func judgementTable(rows []flowRow) string {
	var b strings.Builder
	b.WriteString("| capture | format | exporter | flows | port-0 flows (no truth) | `real`: precision / recall (n) | `no-ports`: precision / recall (n) | `undecidable` | naive: not port 0 | naive TCP/UDP: not port 0 |\n|---|---|---|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, r := range rows {
		if r.score == nil {
			continue
		}
		s := r.score
		rp, rr, rn := s.Score(flows.Real)
		np, nr, nn := s.Score(flows.NoPorts)
		var und int64
		for _, row := range s.Counts {
			und += row[flows.Undecidable]
		}
		known := s.Port0Flows - s.Unmatched
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d (%d) | %.3f / %.3f (%d) | %.3f / %.3f (%d) | %d | %.1f %% of %d | %.1f %% of %d |\n",
			r.scenario, r.format, r.exporter, s.Flows, s.Port0Flows, s.Unmatched, rp, rr, rn, np, nr, nn, und,
			100*s.NaiveShare(), known, 100*s.NaiveTCPUDPShare(), s.TCPUDP)
	}
	return b.String()
}

// sourcesTable is docs/FLOWS.md's table of the per-class and per-tool
// scores at the source level.
func sourcesTable(rows []flowRow) string {
	var b strings.Builder
	b.WriteString("| capture | format | exporter |")
	for _, c := range flowClasses() {
		fmt.Fprintf(&b, " %s |", c)
	}
	b.WriteString(" tools named right |\n|---|---|---|")
	for range flowClasses() {
		b.WriteString("--:|")
	}
	b.WriteString("--:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s |", r.scenario, r.format, r.exporter)
		for _, c := range flowClasses() {
			s, ok := r.classes[c]
			if !ok || s.Support == 0 && s.Predicted == 0 {
				b.WriteString(" – |")
				continue
			}
			fmt.Fprintf(&b, " %.2f (%d) |", s.F1, s.Support)
		}
		var tp, n int64
		for _, s := range r.tools {
			tp += s.TruePositives
			n += s.Support
		}
		fmt.Fprintf(&b, " %d of %d |\n", tp, n)
	}
	return b.String()
}

const (
	beginMeasured = "<!-- begin: measured tables, generated by go test ./cmd/port0 -run TestFlowsAgainstTruth -update -->\n"
	endMeasured   = "<!-- end: measured tables -->\n"
)

// TestFlowsAgainstTruth gives the generator's captures (paper seed 7, wild
// seed 17: seeds the rules were not developed on) to real exporters'
// outputs (scripts/flows.sh) and measures, per format, the judgements
// against the packets and the study's sources against the truth. It
// checks what must hold whatever the exporter: a flow judged real is real
// and one judged no-ports has none; every real port-0 flow the exporter
// kept is told; no source is named for a class it is not; and
// docs/FLOWS.md's tables are these measurements (with the committed
// fixtures; PORT0_FLOWS_DIR, a fresh run of the script, checks the rest).
func TestFlowsAgainstTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerates two captures and analyzes 18 inputs")
	}
	var rows []flowRow
	for _, sc := range flowScenarios {
		rows = append(rows, scoreFlows(t, sc)...)
	}
	for _, r := range rows {
		what := r.scenario + ", " + r.format + ", " + r.exporter
		if s := r.score; s != nil {
			if p, rec, n := s.Score(flows.Real); p < 1 || rec < 0.95 || n == 0 {
				t.Errorf("%s: real port 0 judged with precision %.3f, recall %.3f (n=%d); want 1 and ≥ 0.95", what, p, rec, n)
			}
			if p, _, n := s.Score(flows.NoPorts); p < 1 || n == 0 {
				t.Errorf("%s: no-ports judged with precision %.3f (n=%d); want 1", what, p, n)
			}
			if s.Unmatched*100 > s.Port0Flows {
				t.Errorf("%s: %d of %d port-0 flows match no packet of the capture", what, s.Unmatched, s.Port0Flows)
			}
		}
	}
	doc := "### How the port-0 flows were judged\n\n" + judgementTable(rows) +
		"\n### The study's sources, per class: F1 (sources in the truth)\n\n" + sourcesTable(rows)
	if os.Getenv("PORT0_FLOWS_DIR") != "" {
		t.Log("\n" + doc)
		return
	}
	name := filepath.Join("..", "..", "docs", "FLOWS.md")
	old, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(old, []byte(beginMeasured)), bytes.Index(old, []byte(endMeasured))
	if i < 0 || j < i {
		t.Fatalf("%s has no measured tables (markers %q … %q)", name, beginMeasured, endMeasured)
	}
	got := string(old[:i+len(beginMeasured)]) + doc + string(old[j:])
	if got == string(old) {
		return
	}
	if *update {
		if err := os.WriteFile(name, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s's measured tables are stale: go test ./cmd/port0 -run TestFlowsAgainstTruth -update\n%s", name, doc)
}

// fileExists says whether path names a file.
func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}
