package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/study"
)

// TestUsage checks the exit status and message of bad command lines: 2
// and the flag named, before any pipeline runs.
func TestUsage(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(testcap.Root(), "testdata", "gen-sample")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{good}, "-out is required"},
		{[]string{"-out", dir}, "no input given"},
		{[]string{"-out", dir, "-shards", "0", good}, "-shards 0"},
		{[]string{"-out", dir, "-memlimit", "0", good}, "-memlimit 0"},
		{[]string{"-out", dir, "-interval", "7m", good}, "-interval 7m"},
		{[]string{"-out", dir, "-telescope", "nonsense", good}, "-telescope"},
		{[]string{"-out", dir, "-workers", "-1", good}, "-workers -1"},
		{[]string{"-out", dir, "-"}, "standard input"},
		{[]string{"-out", dir, "-no-such-flag", good}, "no-such-flag"},
	} {
		var stderr bytes.Buffer
		if code := run(c.args, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, lastLine(stderr.String()), c.want)
		}
	}
}

// TestRun runs the binary's command on a glob of the sample's shards on
// Prism in-process: exit 0, the files port0 analyze writes for the same
// inputs; an input that does not exist alone: exit 1, its read error.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	glob := filepath.Join(testcap.Root(), "testdata", "gen-sample", "*.pcap")
	inputs, _ := filepath.Glob(glob)
	if len(inputs) != 2 {
		t.Fatalf("%s: %d files", glob, len(inputs))
	}
	want := filepath.Join(dir, "analyze")
	if _, err := analyze.Run(inputs, nil, want, analyze.Options{Study: study.DefaultOptions()}); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	got := filepath.Join(dir, "beam")
	if code := run([]string{"-q", "-workers", "2", "-memlimit", "1", "-shards", "3", "-out", got, glob}, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	a, b := testcap.Tree(t, want), testcap.Tree(t, got)
	if len(a) != len(b) || len(a) < 5 {
		t.Fatalf("%d files from analyze, %d from port0-beam", len(a), len(b))
	}
	for name, x := range a {
		if !bytes.Equal(x, b[name]) {
			t.Errorf("%s differs", name)
		}
	}
	stderr.Reset()
	missing := filepath.Join(dir, "missing.pcap")
	if code := run([]string{"-q", "-out", filepath.Join(dir, "none"), missing}, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "no input could be read") || !strings.Contains(stderr.String(), missing) {
		t.Errorf("a missing input: exit %d, stderr:\n%s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "none", analyze.SummaryFile)); err != nil {
		t.Errorf("no summary.json for the missing input: %v", err)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
