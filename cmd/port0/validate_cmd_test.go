package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
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
	if !strings.Contains(stdout, "precision") || !strings.Contains(stdout, "tools ") {
		t.Errorf("validate prints no per-tool scores:\n%s", stdout)
	}
	// Call every ZMap source "masscan": zmap recall and masscan precision
	// fall, and -min-tool-f1 says which tool failed.
	sp := filepath.Join(a, "sources.csv")
	sb, _ := os.ReadFile(sp)
	if !strings.Contains(string(sb), ",zmap,") {
		t.Fatalf("no ZMap source to rename in %s", sp)
	}
	os.WriteFile(sp, []byte(strings.ReplaceAll(string(sb), ",zmap,", ",masscan,")), 0o644)
	if _, stderr, code = runCmd(t, "validate", "-truth", g, "-analysis", a); code != 0 {
		t.Errorf("-min-tool-f1 0 (the default) gates nothing: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = runCmd(t, "validate", "-truth", g, "-analysis", a, "-min-tool-f1", "0.9")
	if code != 1 || !strings.Contains(stderr, "tool F1 below 0.90") || !strings.Contains(stderr, "zmap 0.0000") {
		t.Errorf("renamed tools: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = runCmd(t, "validate", "-truth", g, "-analysis", a, "-min-tool-f1", "1.5")
	if code != 2 || !strings.Contains(stderr, "-min-tool-f1 must be in [0, 1]") {
		t.Errorf("-min-tool-f1 1.5: exit %d, stderr %q", code, stderr)
	}
	os.WriteFile(sp, sb, 0o644)
	// Call every BitTorrent packet "other": bittorrent recall falls to 0.
	p := filepath.Join(a, "packets.csv")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(relabel(t, string(b), "bittorrent", "other")), 0o644)
	_, stderr, code = runCmd(t, "validate", "-truth", g, "-analysis", a)
	if code != 1 || !strings.Contains(stderr, "F1 below 0.95") || !strings.Contains(stderr, "bittorrent") {
		t.Errorf("broken analysis: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = runCmd(t, "validate", "-truth", g)
	if code != 2 || !strings.Contains(stderr, "-truth and -analysis are both required") {
		t.Errorf("missing -analysis: exit %d, stderr %q", code, stderr)
	}
}

// relabel rewrites a packets table's class column from one class to
// another, found by the header whatever columns the table declares.
func relabel(t *testing.T, table, from, to string) string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(table)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("packets table: %v", err)
	}
	i := slices.Index(rows[0], "class")
	if i < 0 {
		t.Fatalf("packets table: no class column in %q", rows[0])
	}
	n := 0
	for _, r := range rows[1:] {
		if r[i] == from {
			r[i] = to
			n++
		}
	}
	if n == 0 {
		t.Fatalf("packets table: no %s packet to relabel", from)
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return b.String()
}
