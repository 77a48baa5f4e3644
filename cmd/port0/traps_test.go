package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/gen"
	"github.com/port0/port0/internal/testcap"
)

// Traps that mix outputs: gen's -out holding another run or someone
// else's files, an input given twice to analyze, an input inside -out.

// trapLastLine is the last line of s.
func trapLastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// trapDirNames is the sorted names in dir.
func trapDirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range ents {
		n = append(n, e.Name())
	}
	return n
}

// trapManifestFiles is every file a run in dir wrote, by its manifest (which
// is one of them), sorted.
func trapManifestFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := gen.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := []string{gen.ManifestName}
	for _, f := range m.Files {
		n = append(n, f.Name)
	}
	slices.Sort(n)
	return n
}

// TestGenOutTraps: port0 gen -out replaces its own earlier run whole
// (another scenario, shard mode or gzip), writes into an empty or missing
// folder, and refuses a folder holding anything else with one line naming
// the folder and the fix, leaving it as it was.
func TestGenOutTraps(t *testing.T) {
	sc := filepath.Join(t.TempDir(), "short.scenario")
	if err := os.WriteFile(sc, []byte("days = 3\n[sport0]\nburst_day = 1\n[garbage]\nsurge_day = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// setup prepares the folder (dir) before the runs, which go into out.
		setup func(t *testing.T, dir string) (out string)
		runs  [][]string // each run's flags before -out
		code  int        // of the last run
		want  string     // in the last run's last stderr line
		// stale is a name prefix no file may have after the runs.
		stale string
		keep  []string // files beside the run's own that must stay
	}{
		{"paper then wild", nil, [][]string{{"-scenario", "paper", "-seed", "1", "-scale", "1e-7"}, {"-scenario", "wild", "-seed", "13", "-scale", "1e-7"}}, 0, "", "2016-", nil},
		{"day then hour gzip", nil, [][]string{{"-scenario", sc, "-scale", "1e-5"}, {"-scenario", sc, "-scale", "1e-5", "-shard", "hour", "-gzip"}}, 0, "", "2016-01-01.", nil},
		{"hour gzip then single", nil, [][]string{{"-scenario", sc, "-scale", "1e-5", "-shard", "hour", "-gzip"}, {"-scenario", sc, "-scale", "1e-5", "-shard", "single"}}, 0, "", "2016-", nil},
		{"single gzip then day", nil, [][]string{{"-scenario", sc, "-scale", "1e-5", "-shard", "single", "-gzip"}, {"-scenario", sc, "-scale", "1e-5"}}, 0, "", "telescope", nil},
		{"empty folder", func(t *testing.T, dir string) string { return dir }, [][]string{{"-scenario", sc, "-scale", "1e-5"}}, 0, "", "", nil},
		{"missing folder", func(t *testing.T, dir string) string { return filepath.Join(dir, "new", "gen") }, [][]string{{"-scenario", sc, "-scale", "1e-5"}}, 0, "", "", nil},
		{"hidden file", func(t *testing.T, dir string) string {
			os.WriteFile(filepath.Join(dir, ".gitkeep"), nil, 0o644)
			return dir
		}, [][]string{{"-scenario", sc, "-scale", "1e-5"}}, 0, "", "", []string{".gitkeep"}},
		{"foreign file", func(t *testing.T, dir string) string {
			os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
			return dir
		}, [][]string{{"-scenario", sc, "-scale", "1e-5"}}, 1, " is not empty and holds no port0 gen output (no manifest.json): choose an empty or new folder", "", []string{"notes.txt"}},
		{"an analysis folder", func(t *testing.T, dir string) string {
			analyzeCmd(t, "analyze", "-q", "-out", dir, filepath.Join(corpus, "pcap_us_le.pcap"))
			return dir
		}, [][]string{{"-scenario", sc, "-scale", "1e-5"}}, 1, " is not empty and holds no port0 gen output (no manifest.json)", "", []string{"summary.json"}},
		{"earlier run and a foreign file", func(t *testing.T, dir string) string {
			if _, stderr, code := runCmd(t, "gen", "-q", "-scenario", sc, "-scale", "1e-5", "-out", dir); code != 0 {
				t.Fatalf("gen: exit %d: %s", code, stderr)
			}
			os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
			return dir
		}, [][]string{{"-scenario", sc, "-scale", "1e-5", "-shard", "single"}}, 1, " holds an earlier port0 gen output but also notes.txt, which gen did not write and will not remove: move it out, or choose an empty or new folder", "telescope", []string{"notes.txt", "2016-01-01.pcap", "manifest.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "gen")
			if tt.setup != nil {
				out = tt.setup(t, dir)
			}
			before := map[string][]byte{}
			if ents, err := os.ReadDir(out); err == nil {
				for _, e := range ents {
					b, _ := os.ReadFile(filepath.Join(out, e.Name()))
					before[e.Name()] = b
				}
			}
			var stderr string
			var code int
			for i, r := range tt.runs {
				_, stderr, code = runCmd(t, append(append([]string{"gen", "-q"}, r...), "-out", out)...)
				if i < len(tt.runs)-1 && code != 0 {
					t.Fatalf("run %d: exit %d: %s", i+1, code, stderr)
				}
			}
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			names := trapDirNames(t, out)
			if tt.code != 0 {
				want := "port0: gen: -out " + out + tt.want
				if got := trapLastLine(stderr); !strings.HasPrefix(got, want) || strings.Count(stderr, "\n") != 1 {
					t.Errorf("stderr %q, want one line starting %q", stderr, want)
				}
				// Refused: the folder is as it was.
				if len(names) != len(before) {
					t.Errorf("files %q after the refusal, %d before", names, len(before))
				}
				for name, b := range before {
					if got, err := os.ReadFile(filepath.Join(out, name)); err != nil || string(got) != string(b) {
						t.Errorf("%s changed or went (%v)", name, err)
					}
				}
			} else {
				want := append(trapManifestFiles(t, out), tt.keep...)
				slices.Sort(want)
				if !slices.Equal(names, want) {
					t.Errorf("files %q, want the run's own %q", names, want)
				}
			}
			for _, n := range names {
				if tt.code == 0 && tt.stale != "" && strings.HasPrefix(n, tt.stale) {
					t.Errorf("stale %s survived", n)
				}
			}
			for _, k := range tt.keep {
				if !slices.Contains(names, k) {
					t.Errorf("%s went", k)
				}
			}
		})
	}
}

// TestAnalyzeInputTraps: an input given twice — the same path, a symbolic
// or hard link, a file named and found again in a named folder, a folder
// twice — is read once, with one warning line on stderr and in
// summary.json; an input inside -out is read, with a warning; without a
// trap nothing is warned and summary.json has no warnings.
func TestAnalyzeInputTraps(t *testing.T) {
	dir := t.TempDir()
	caps := filepath.Join(dir, "caps")
	if err := os.Mkdir(caps, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(corpus, "pcap_us_le.pcap")) // 8 packets
	if err != nil {
		t.Fatal(err)
	}
	a := filepath.Join(caps, "a.pcap")
	if err := os.WriteFile(a, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sym, hard := filepath.Join(dir, "sym.pcap"), filepath.Join(dir, "hard.pcap")
	if err := os.Symlink(a, sym); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(a, hard); err != nil {
		t.Fatal(err)
	}
	const twice = ": its packets would all be counted twice, making scanners look like retrying clients; read once"
	tests := []struct {
		name    string
		args    func(out string) []string
		packets int64
		want    []string // each warning line after "analyze: warning: "
	}{
		{"no trap", func(string) []string { return []string{a} }, 8, nil},
		{"same path", func(string) []string { return []string{a, a} }, 8, []string{a + " appears twice among the inputs" + twice}},
		{"symbolic link", func(string) []string { return []string{a, sym} }, 8, []string{sym + " is the same file as " + a + twice}},
		{"hard link", func(string) []string { return []string{hard, a} }, 8, []string{a + " is the same file as " + hard + twice}},
		{"file and its folder", func(string) []string { return []string{a, caps} }, 8, []string{a + " appears twice among the inputs" + twice}},
		{"folder twice", func(string) []string { return []string{caps, caps + "/"} }, 8, []string{caps + "/ appears twice among the inputs (also as " + caps + ")" + twice}},
		{"input inside -out", func(out string) []string {
			in := filepath.Join(out, "old.pcap")
			os.MkdirAll(out, 0o755)
			os.WriteFile(in, data, 0o644)
			return []string{a, in}
		}, 16, []string{"old.pcap lies inside the output folder "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "analysis")
			stderr := analyzeCmd(t, append([]string{"analyze", "-q", "-out", out}, tt.args(out)...)...)
			var lines []string
			if s := strings.TrimSpace(stderr); s != "" {
				lines = strings.Split(s, "\n")
			}
			if len(lines) != len(tt.want) {
				t.Fatalf("stderr %q: want %d warning lines", stderr, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(lines[i], "analyze: warning: ") || !strings.Contains(lines[i], w) {
					t.Errorf("stderr line %q, want \"analyze: warning: \" and %q", lines[i], w)
				}
			}
			s := readSummary(t, out)
			if s.Total.Packets != tt.packets {
				t.Errorf("%d packets read, want %d", s.Total.Packets, tt.packets)
			}
			if len(s.Warnings) != len(tt.want) {
				t.Errorf("summary.json warnings %q, want %d", s.Warnings, len(tt.want))
			}
			for i := range s.Warnings {
				if "analyze: warning: "+s.Warnings[i] != lines[i] {
					t.Errorf("summary.json warning %q is not stderr's %q", s.Warnings[i], lines[i])
				}
			}
			b, err := os.ReadFile(filepath.Join(out, analyze.SummaryFile))
			if err != nil {
				t.Fatal(err)
			}
			if has := strings.Contains(string(b), `"warnings"`); has != (len(tt.want) > 0) {
				t.Errorf("summary.json holds \"warnings\": %v, want %v", has, len(tt.want) > 0)
			}
		})
	}
}

// TestAnalyzeTwiceSameStudy: the generator sample given twice (its folder,
// again under another path, and one of its shards on its own) gives the
// study of the sample given once, byte for byte: no scanner turned into a
// retrying client; summary.json differs only by its warnings.
func TestAnalyzeTwiceSameStudy(t *testing.T) {
	dir := t.TempDir()
	once, twice := filepath.Join(dir, "once"), filepath.Join(dir, "twice")
	abs, err := filepath.Abs(genSample)
	if err != nil {
		t.Fatal(err)
	}
	analyzeCmd(t, "analyze", "-q", "-out", once, genSample)
	stderr := analyzeCmd(t, "analyze", "-q", "-out", twice, genSample, abs, filepath.Join(genSample, "2016-01-02.pcap"))
	want := "analyze: warning: " + abs + " is the same folder as " + genSample + ": its packets would all be counted twice, making scanners look like retrying clients; read once\n" +
		"analyze: warning: " + filepath.Join(genSample, "2016-01-02.pcap") + " appears twice among the inputs: its packets would all be counted twice, making scanners look like retrying clients; read once\n"
	if stderr != want {
		t.Errorf("stderr %q, want %q", stderr, want)
	}
	names := trapDirNames(t, once)
	if !slices.Equal(names, trapDirNames(t, twice)) || len(names) < 6 {
		t.Fatalf("files %q and %q", names, trapDirNames(t, twice))
	}
	var tables []string
	for _, n := range names {
		if n != analyze.SummaryFile {
			tables = append(tables, n)
		}
	}
	testcap.SameFiles(t, "sample twice vs once", once, twice, tables)
	s1, s2 := readSummary(t, once), readSummary(t, twice)
	if len(s2.Warnings) != 2 {
		t.Errorf("summary.json warnings %q, want 2", s2.Warnings)
	}
	s2.Warnings = nil
	b1, _ := s1.JSON()
	b2, _ := s2.JSON()
	if string(b1) != string(b2) {
		t.Error("summary.json of the sample given twice differs from once beyond its warnings")
	}
}
