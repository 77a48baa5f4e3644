package analyze

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/tables"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestGolden under testdata/analyze/golden")

// goldenDir holds TestGolden's golden analysis folders.
var goldenDir = filepath.Join(testcap.Root(), "testdata", "analyze", "golden")

// relToPackage is path relative to this package's folder, where the tests
// run: the input paths written into the tables and summary.json are then
// the same on every machine ("../testdata/...").
func relToPackage(t *testing.T, path string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(rel)
}

// TestGolden runs the whole pipeline (Run: scan, study, every table and
// summary.json) over the committed corpus (testdata/captures) and the
// committed generator sample (testdata/gen-sample), and compares each
// output, byte for byte, with testdata/analyze/golden/{corpus,sample}/,
// with one worker and with four. Regenerate them with
//
//	go test ./analyze -run TestGolden -update
//
// and review the diff like code. (scan's TestCorpusSummaryGolden holds
// the scan's counts alone, in testdata/analyze/corpus-summary.json; these
// are the study's tables and the whole summary.)
func TestGolden(t *testing.T) {
	for _, c := range []struct {
		name, input string
		// check says what the golden files must hold to be worth having.
		check func(t *testing.T, sum *Summary, dir string)
	}{
		{"corpus", testcap.CorpusDir(), func(t *testing.T, sum *Summary, dir string) {
			if sum.Inputs < 50 || len(sum.ReadErrors) == 0 || sum.Port0 == nil || sum.Port0.Port0Packets == 0 {
				t.Errorf("corpus: %d inputs, %d read errors, port-0 study %+v", sum.Inputs, len(sum.ReadErrors), sum.Port0)
			}
		}},
		{"sample", filepath.Join(testcap.Root(), "testdata", "gen-sample"), func(t *testing.T, sum *Summary, dir string) {
			if sum.Inputs != 2 || len(sum.ReadErrors) != 0 || sum.Port0 == nil || sum.Port0.Port0Packets < 1000 || sum.Port0.Bundles == 0 {
				t.Errorf("sample: %d inputs, %d read errors, port-0 study %+v", sum.Inputs, len(sum.ReadErrors), sum.Port0)
			}
			for _, f := range outputs[1:] {
				if lines := countLines(t, filepath.Join(dir, f)); lines < 2 {
					t.Errorf("sample: %s has %d lines: no row", f, lines)
				}
			}
		}},
		{"realtools", filepath.Join(testcap.Root(), "testdata", "realtools"), checkRealTools},
	} {
		t.Run(c.name, func(t *testing.T) {
			inputs, err := capture.ExpandInputs([]string{relToPackage(t, c.input)})
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join(goldenDir, c.name)
			for _, workers := range []int{1, 4} {
				t.Run("workers="+strconv.Itoa(workers), func(t *testing.T) {
					out := t.TempDir()
					sum, err := Run(inputs, nil, out, options(workers))
					if err != nil {
						t.Fatal(err)
					}
					c.check(t, sum, out)
					if *update && workers == 1 {
						writeGolden(t, out, golden)
					}
					compareGolden(t, out, golden)
				})
			}
		})
	}
}

// countLines counts the lines of a file.
func countLines(t *testing.T, name string) int {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

// writeGolden replaces the golden folder with the outputs in out.
func writeGolden(t *testing.T, out, golden string) {
	t.Helper()
	if err := os.RemoveAll(golden); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(golden, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range outputs {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(golden, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// compareGolden compares the analysis folder out with golden: the same
// files, each byte for byte; on a difference it names the file and its
// first differing line.
func compareGolden(t *testing.T, out, golden string) {
	t.Helper()
	names := func(dir string) []string {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatalf("%v (run go test ./analyze -run TestGolden -update to create it)", err)
		}
		var n []string
		for _, e := range ents {
			n = append(n, e.Name())
		}
		return n
	}
	if got, want := names(out), names(golden); !slices.Equal(got, want) {
		t.Errorf("the analysis wrote %v; %s holds %v", got, golden, want)
	}
	for _, f := range outputs {
		got, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Error(err)
			continue
		}
		want, err := os.ReadFile(filepath.Join(golden, f))
		if err != nil {
			t.Errorf("%v (run go test ./analyze -run TestGolden -update to create it)", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: %s", filepath.Join(golden, f), firstDiff(got, want))
		}
	}
}

// firstDiff describes where got first differs from want, by line.
func firstDiff(got, want []byte) string {
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range min(len(gl), len(wl)) {
		if gl[i] != wl[i] {
			return fmt.Sprintf("differs at line %d:\n got: %s\nwant: %s\n(rerun with -update if the change is intended)", i+1, gl[i], wl[i])
		}
	}
	return fmt.Sprintf("differs in length: %d lines, want %d (rerun with -update if the change is intended)", len(gl), len(wl))
}

// realTools is what each run of scripts/realtools.sh sent, by its source
// address: the tool the study must name, or unknown where the packets
// carry nothing that tells a tool (an OS stack), and the class: scan for a run that spreads over the
// addresses, retry for one that comes back to one (hping3 aimed at one
// host, Linux retransmitting its SYN), other for flagless TCP.
var realTools = map[string]struct{ run, tool, class string }{
	"198.51.100.11": {"hping3 -S (SYN to its default port 0)", "hping", "retry"},
	"198.51.100.12": {"hping3 (no flags)", "hping", "other"},
	"198.51.100.13": {"hping3 -2 (UDP)", "hping", "retry"},
	"198.51.100.14": {"hping3 -S -k -s 5000 (a fixed source port)", "hping", "retry"},
	"198.51.100.15": {"hping3 -S --rand-dest 203.0.113.x", "hping", "scan"},
	"198.51.100.21": {"nmap -sS -p0", "nmap", "scan"},
	"198.51.100.22": {"nmap -O -p0 (its port-0 SYN; the OS probes go to a closed port)", "nmap", "scan"},
	"198.51.100.23": {"nmap -sU -p0", "nmap", "scan"},
	"198.51.100.31": {"zmap -p 0 (2.1.1)", "zmap", "scan"},
	"198.51.100.32": {"zmap -M udp -p 0 (2.1.1)", "zmap", "scan"},
	"198.51.100.41": {"masscan -p0 (1.3.2)", "masscan", "scan"},
	"198.51.100.42": {"masscan -pU:0 (1.3.2)", "masscan", "scan"},
	"198.51.100.51": {"Linux 6.x connect() to TCP port 0, retransmitting", "unknown", "retry"},
	"203.0.113.250": {"a Linux 6.x victim answering floods from spoofed sources", "unknown", "backscatter-from-0"},
}

// realVictim is the victim of realtools' floods: its events (backscatter
// from port 0 by RST-ACK and by ICMP, to port 0 by RST-ACK from port 80)
// must all say its stack, Linux.
const realVictim = "203.0.113.250"

// checkRealTools: on packets the real tools sent (testdata/README.md,
// realtools/), every source is named for its tool, or unknown where
// realTools says so, and no source is missing.
func checkRealTools(t *testing.T, sum *Summary, dir string) {
	sources, err := tables.ReadSources(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range sources {
		src := r.Src.String()
		want, ok := realTools[src]
		if !ok {
			t.Errorf("realtools: source %s is no tool run", src)
			continue
		}
		seen[src] = true
		if r.Tool.String() != want.tool {
			t.Errorf("realtools: %s (%s) named %s (%s), want %s", src, want.run, r.Tool, r.ToolEvidence, want.tool)
		}
		if r.Class.String() != want.class {
			t.Errorf("realtools: %s (%s) is %s, want %s", src, want.run, r.Class, want.class)
		}
	}
	for src, want := range realTools {
		if !seen[src] {
			t.Errorf("realtools: %s (%s) is not a port-0 source", src, want.run)
		}
	}
	events, err := tables.ReadEvents(dir)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, e := range events {
		if e.Victim.String() != realVictim {
			t.Errorf("realtools: an event of %s, not of the victim", e.Victim)
			continue
		}
		kind := e.Class.String() + "/" + tables.ProtoName(e.Proto)
		kinds[kind] = true
		if e.VictimStack != "linux" {
			t.Errorf("realtools: the victim's %s event says stack %s, want linux", kind, e.VictimStack)
		}
	}
	for _, k := range []string{"backscatter-from-0/tcp", "backscatter-from-0/icmp", "backscatter-to-0/tcp"} {
		if !kinds[k] {
			t.Errorf("realtools: no %s event of the victim (events: %v)", k, kinds)
		}
	}
}
