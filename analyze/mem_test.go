package analyze

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/port0/port0/gen"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/tables"
)

// floodCapture writes a capture of n port-0 packets from n distinct
// sources (a spoofed flood at a telescope) into dir.
func floodCapture(t *testing.T, dir string, n int) string {
	t.Helper()
	ps := make([]testcap.SyntheticPacket, n)
	for i := range ps {
		ps[i] = testcap.SyntheticPacket{TS: 1.6e18 + int64(i)*1e6, Src: 0x0b000000 + uint32(i)*7919, Port0: true}
	}
	name := filepath.Join(dir, "flood.pcap")
	if err := os.WriteFile(name, testcap.Synthetic(ps), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestMemBudget: a run whose sources pass the study's share of -mem (a
// flood of 40,000 one-packet sources beside the paper scenario's bundles
// and events, at the smallest budget, 64 MiB) studies them in parts on
// disk and writes the same bytes, CSV and Parquet, as a run without a
// bound; and says so on the progress writer.
func TestMemBudget(t *testing.T) {
	_, shards := generateShards(t, gen.Paper(), 21, 2e-6)
	inputs := append(shards, floodCapture(t, t.TempDir(), 40000))
	unbounded := options(2)
	unbounded.Format = tables.Both
	want := run(t, inputs, unbounded)

	bounded := unbounded
	bounded.Mem = MinMem
	var progress bytes.Buffer
	bounded.Scan.Progress = &progress
	bounded.Scan.Spill.Dir = t.TempDir()
	got := run(t, inputs, bounded)
	if !strings.Contains(progress.String(), "studying the sources in") {
		t.Fatalf("the study did not go to parts within -mem %s:\n%s", FormatSize(MinMem), progress.String())
	}
	wt, gt := testcap.Tree(t, want), testcap.Tree(t, got)
	if len(wt) < 10 {
		t.Fatalf("only %d files written", len(wt))
	}
	for name, b := range wt {
		if !bytes.Equal(gt[name], b) {
			t.Errorf("%s differs within the budget", name)
		}
	}
	for name := range gt {
		if _, ok := wt[name]; !ok {
			t.Errorf("%s written only within the budget", name)
		}
	}
	if left, _ := os.ReadDir(bounded.Scan.Spill.Dir); len(left) > 0 {
		t.Errorf("%d temporary files left", len(left))
	}
}

// TestParseSize reads -mem's sizes and writes them back.
func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
		out  string
	}{
		{"1GiB", 1 << 30, true, "1GiB"},
		{"512MiB", 512 << 20, true, "512MiB"},
		{"512m", 512 << 20, true, "512MiB"},
		{"1.5G", 3 << 29, true, "1536MiB"},
		{"4 GiB", 4 << 30, true, "4GiB"},
		{"1048576", 1 << 20, true, "1MiB"},
		{"1000B", 1000, true, "1000B"},
		{"0", 0, true, "0"},
		{"", 0, false, ""},
		{"lots", 0, false, ""},
		{"-1GiB", 0, false, ""},
		{"1e30TiB", 0, false, ""},
	} {
		got, err := ParseSize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
		if c.ok && FormatSize(got) != c.out {
			t.Errorf("FormatSize(%d) = %q, want %q", got, FormatSize(got), c.out)
		}
	}
}

// TestMemFlag: a bad -mem is an error naming the flag and the fix.
func TestMemFlag(t *testing.T) {
	for _, c := range []struct{ arg, want string }{
		{"lots", "-mem lots: want a size such as 512MiB, 1GiB or 4GiB (0 for no bound)"},
		{"10MiB", "-mem 10MiB: want at least 64MiB (or 0 for no bound)"},
	} {
		fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
		f := AddFlags(fs)
		if err := fs.Parse([]string{"-mem", c.arg}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Options(); err == nil || err.Error() != c.want {
			t.Errorf("-mem %s: %v, want %q", c.arg, err, c.want)
		}
	}
	if m := DefaultMem(); m < MinMem || m > 1<<30 {
		t.Errorf("DefaultMem() = %d, want %d to 1GiB", m, MinMem)
	}
}
