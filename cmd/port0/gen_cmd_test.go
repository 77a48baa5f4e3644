package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCmd calls run as main would and returns stdout, stderr and the exit code.
func runCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(args, strings.NewReader(""), &out, &errb)
	code := 0
	if err != nil {
		code = exitCode(err)
		if code != 0 {
			errb.WriteString("port0: " + err.Error() + "\n")
		}
	}
	return out.String(), errb.String(), code
}

func TestGenCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.scenario")
	os.WriteFile(bad, []byte("days = 30\n[scan0]\nactors = many\n"), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"bad scenario field", []string{"gen", "-scenario", bad, "-out", dir}, 1, []string{"bad.scenario:3", "scan0.actors", "want a whole number"}},
		{"missing scenario", []string{"gen", "-scenario", "nope", "-out", dir}, 1, []string{"neither a built-in scenario"}},
		{"negative scale", []string{"gen", "-scale", "-2", "-out", dir}, 2, []string{"-scale must be a positive number"}},
		{"bad scale", []string{"gen", "-scale", "big", "-out", dir}, 2, []string{"-scale must be a positive number"}},
		{"no out", []string{"gen"}, 2, []string{"-out DIR is required"}},
		{"unwritable out", []string{"gen", "-q", "-scale", "1e-7", "-out", "/dev/null/x"}, 1, []string{"/dev/null/x", "cannot create output folder"}},
		{"bad shard", []string{"gen", "-shard", "week", "-out", dir}, 2, []string{"unknown shard mode \"week\""}},
		{"unknown flag", []string{"gen", "-speed", "9"}, 2, []string{"flag provided but not defined: -speed"}},
		{"unknown command", []string{"gene"}, 2, []string{"unknown command \"gene\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCmd(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			last := strings.TrimSpace(stderr)
			if i := strings.LastIndex(last, "\n"); i >= 0 {
				last = last[i+1:]
			}
			for _, w := range tt.want {
				if !strings.Contains(last, w) {
					t.Errorf("last stderr line %q lacks %q", last, w)
				}
			}
		})
	}
}

func TestGenCommand(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "short.scenario")
	os.WriteFile(sc, []byte("days = 3\n[sport0]\nburst_day = 1\n[garbage]\nsurge_day = 2\n"), 0o644)
	out := filepath.Join(dir, "out")
	_, stderr, code := runCmd(t, "gen", "-scenario", sc, "-seed", "2", "-scale", "1e-5", "-shard", "single", "-gzip", "-out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "gen: wrote") || !strings.Contains(stderr, "%") {
		t.Errorf("no progress or summary on stderr:\n%s", stderr)
	}
	if _, stderr, code := runCmd(t, "gen", "-q", "-scenario", sc, "-seed", "2", "-scale", "1e-5", "-shard", "single", "-out", filepath.Join(dir, "quiet")); code != 0 || stderr != "" {
		t.Errorf("gen -q: exit %d, stderr %q: want 0 and nothing", code, stderr)
	}
	for _, f := range []string{"telescope.pcap.gz", "telescope.truth", "actors.csv", "asmap.csv", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	stdout, stderr, code := runCmd(t, "truth", filepath.Join(out, "telescope.truth"))
	if code != 0 {
		t.Fatalf("truth: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if lines[0] != "shard,index,class,actor,tool,detail" || len(lines) < 1000 {
		t.Errorf("truth printed %d lines starting %q", len(lines), lines[0])
	}
	if !strings.HasPrefix(lines[1], "telescope.truth,0,") {
		t.Errorf("first truth row %q", lines[1])
	}
}

func TestPrintScenario(t *testing.T) {
	stdout, _, code := runCmd(t, "gen", "-print-scenario", "paper")
	if code != 0 || !strings.Contains(stdout, "telescope            = 198.18.0.0/15") || !strings.Contains(stdout, "[backscatter0]") {
		t.Fatalf("exit %d, output:\n%s", code, stdout)
	}
	// The printed file is a valid scenario file.
	f := filepath.Join(t.TempDir(), "p.scenario")
	os.WriteFile(f, []byte(stdout), 0o644)
	again, _, code := runCmd(t, "gen", "-print-scenario", f)
	if code != 0 || again != stdout {
		t.Error("printing the printed scenario changes it")
	}
}

func TestHelp(t *testing.T) {
	for _, c := range commands() {
		_, stderr, code := runCmd(t, c.name, "-h")
		if code != 0 || !strings.Contains(stderr, "usage: port0 "+c.name) {
			t.Errorf("%s -h: exit %d, stderr %q", c.name, code, stderr)
		}
	}
	_, stderr, code := runCmd(t, "help")
	if code != 0 || !strings.Contains(stderr, "gen") {
		t.Errorf("help: exit %d %q", code, stderr)
	}
}

// TestGenProject: -project prints the plan's table and writes nothing.
func TestGenProject(t *testing.T) {
	out, stderr, code := runCmd(t, "gen", "-project", "-scale", "1e-6")
	if code != 0 || !strings.Contains(out, "| 1e-6 | scan0 | 12 |") || !strings.Contains(out, "*port-0 top 10*") {
		t.Errorf("gen -project: exit %d, %q, %q", code, out, stderr)
	}
}
