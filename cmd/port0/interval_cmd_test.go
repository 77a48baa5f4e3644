package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalyzeInterval checks -interval: what it takes (1d among them),
// the usage error naming the flag, the value and what is accepted, that
// -merge takes the partials' interval, and that partials of different
// intervals do not merge and say so.
func TestAnalyzeInterval(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"5m", "1d", "90s"} {
		out := filepath.Join(dir, v)
		analyzeCmd(t, "analyze", "-q", "-interval", v, "-partial", "-out", out, genSample)
		b, err := os.ReadFile(filepath.Join(out, "timeseries.csv"))
		if err != nil || !strings.HasPrefix(string(b), "start,class,packets,sources\n") {
			t.Errorf("-interval %s: timeseries.csv %q, %v", v, b[:min(len(b), 40)], err)
		}
	}
	for _, v := range []string{"7m", "0", "-1h", "2d", "1500ms", "soon"} {
		_, stderr, code := runCmd(t, "analyze", "-q", "-interval", v, "-out", filepath.Join(dir, "x"), genSample)
		if code != 2 || !strings.Contains(stderr, "-interval") || !strings.Contains(stderr, v) || !strings.Contains(stderr, "1d") {
			t.Errorf("-interval %s: exit %d, stderr %q", v, code, stderr)
		}
	}
	if _, stderr, code := runCmd(t, "analyze", "-merge", "-interval", "5m", "-out", filepath.Join(dir, "m"), filepath.Join(dir, "5m")); code != 2 || !strings.Contains(stderr, "drop -interval") {
		t.Errorf("-merge -interval: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code := runCmd(t, "analyze", "-merge", "-out", filepath.Join(dir, "m"), filepath.Join(dir, "5m"), filepath.Join(dir, "1d"))
	if code != 1 || !strings.Contains(stderr, "-interval 5m0s") || !strings.Contains(stderr, "-interval 24h0m0s") {
		t.Errorf("merging 5m and 1d partials: exit %d, stderr %q", code, stderr)
	}
}
