package gen

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/port0/port0/label"
)

var update = flag.Bool("update", false, "rewrite the committed sample in testdata/gen-sample")

const (
	sampleScenario = "../testdata/gen-sample.scenario"
	sampleDir      = "../testdata/gen-sample"
	sampleSeed     = 1
	sampleScale    = 1e-5
)

// TestCommittedSample regenerates the committed sample capture and truth
// (testdata/gen-sample) and checks that every file is byte-identical; with
// -update it rewrites them. It also checks the sample covers every class.
func TestCommittedSample(t *testing.T) {
	f, err := os.Open(sampleScenario)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseScenario(sampleScenario, f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if *update {
		os.RemoveAll(sampleDir)
		out = sampleDir
	}
	_, m := generate(t, s, sampleSeed, sampleScale, Options{Out: out})
	for _, c := range label.Classes() {
		if c != label.Other && m.Classes[c.String()] == 0 {
			t.Errorf("the sample has no %v packet", c)
		}
	}
	if m.Packets < 2000 || m.Packets > 10000 {
		t.Errorf("the sample has %d packets; keep it to a few thousand", m.Packets)
	}
	if *update {
		return
	}
	ents, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadDir(sampleDir)
	if err != nil {
		t.Fatalf("%v (run: make testdata)", err)
	}
	if len(committed) != len(ents) {
		t.Errorf("committed sample has %d files, a fresh run %d (run: make testdata)", len(committed), len(ents))
	}
	for _, e := range ents {
		got, _ := os.ReadFile(filepath.Join(out, e.Name()))
		want, err := os.ReadFile(filepath.Join(sampleDir, e.Name()))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from the committed sample (run: make testdata, and review the diff)", e.Name())
		}
	}
}
