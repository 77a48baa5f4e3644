package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateCommand runs gen → analyze → validate through the CLI, then
// breaks the analysis and checks that validate fails and says why.
func TestValidateCommand(t *testing.T) {
	dir := t.TempDir()
	g, a := filepath.Join(dir, "gen"), filepath.Join(dir, "analysis")
	if _, stderr, code := runCmd(t, "gen", "-q", "-seed", "6", "-scale", "2e-6", "-out", g); code != 0 {
		t.Fatalf("gen: %s", stderr)
	}
	if _, stderr, code := runCmd(t, "analyze", "-q", "-out", a, g); code != 0 {
		t.Fatalf("analyze: %s", stderr)
	}
	for _, f := range []string{"summary.json", "packets.csv", "sources.csv", "events.csv", "bundles.csv", "timeseries.csv"} {
		if _, err := os.Stat(filepath.Join(a, f)); err != nil {
			t.Error(err)
		}
	}
	stdout, stderr, code := runCmd(t, "validate", "-truth", g, "-analysis", a)
	if code != 0 || !strings.Contains(stdout, "packets: confusion matrix") || !strings.Contains(stdout, "sources: confusion matrix") {
		t.Fatalf("validate: exit %d\n%s%s", code, stdout, stderr)
	}
	// Call every BitTorrent packet "other": bittorrent recall falls to 0.
	p := filepath.Join(a, "packets.csv")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.ReplaceAll(string(b), ",bittorrent,none,,\n", ",other,none,,\n")), 0o644)
	_, stderr, code = runCmd(t, "validate", "-truth", g, "-analysis", a)
	if code != 1 || !strings.Contains(stderr, "F1 below 0.95") || !strings.Contains(stderr, "bittorrent") {
		t.Errorf("broken analysis: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = runCmd(t, "validate", "-truth", g)
	if code != 2 || !strings.Contains(stderr, "-truth and -analysis are both required") {
		t.Errorf("missing -analysis: exit %d, stderr %q", code, stderr)
	}
}
