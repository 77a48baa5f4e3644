package analyze

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/port0/port0/gen"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
	"github.com/port0/port0/validate"
)

// outputs are the files a full analysis writes, summary.json first.
var outputs = []string{SummaryFile, tables.PacketsFile, tables.SourcesFile, tables.EventsFile, tables.BundlesFile, tables.SeriesFile}

// options are Run's options with the study's defaults.
func options(workers int) Options {
	return Options{Scan: scan.Options{Workers: workers}, Study: study.DefaultOptions()}
}

// generateShards generates a scenario into a temporary folder and returns
// it with its pcap shards in order.
func generateShards(t testing.TB, s *gen.Scenario, seed uint64, scale float64) (string, []string) {
	t.Helper()
	p, err := gen.NewPlan(s, seed, scale)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m, err := gen.Generate(p, gen.Options{Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	var shards []string
	for _, sh := range m.Shards {
		shards = append(shards, filepath.Join(dir, sh.Pcap))
	}
	return dir, shards
}

// run is Run into a new folder, which it returns; any error fails the
// test.
func run(t testing.TB, inputs []string, o Options) string {
	t.Helper()
	out := t.TempDir()
	if _, err := Run(inputs, nil, out, o); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameOutputs compares every output of the analyses in a and b, byte for
// byte.
func sameOutputs(t *testing.T, what, a, b string) {
	t.Helper()
	testcap.SameFiles(t, what, a, b, outputs)
}

// TestWorkersAndMerge: the outputs do not depend on the number of
// workers nor on the port-0 records spilling to disk, and shards analyzed
// in two halves with Options.Partial and merged (one partial named by its
// folder, one by its file) equal one run over all of them.
func TestWorkersAndMerge(t *testing.T) {
	_, shards := generateShards(t, gen.Paper(), 21, 2e-6)
	one := run(t, shards, options(1))
	sameOutputs(t, "workers 1 vs 3", one, run(t, shards, options(3)))
	spilled := options(2)
	spilled.Scan.Spill = scan.SpillOptions{MemLimit: -1, Dir: t.TempDir()}
	sameOutputs(t, "in memory vs spilled", one, run(t, shards, spilled))
	half := len(shards) / 2
	partial := options(2)
	partial.Partial = true
	p1 := run(t, shards[:half], partial)
	p2 := run(t, shards[half:], partial)
	for _, p := range []string{p1, p2} {
		if _, err := os.Stat(filepath.Join(p, PartialFile)); err != nil {
			t.Fatalf("Options.Partial: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(one, PartialFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a run without Options.Partial left %s (%v)", PartialFile, err)
	}
	merged := t.TempDir()
	sum, err := Merge([]string{p1, filepath.Join(p2, PartialFile)}, merged, options(0))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Inputs != len(shards) || sum.Port0 == nil {
		t.Errorf("merged summary: %d inputs, want %d; port-0 study %v", sum.Inputs, len(shards), sum.Port0 != nil)
	}
	sameOutputs(t, "merged halves vs one run", one, merged)
	// The summary returned is the one written.
	got, err := ReadSummary(merged)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := got.JSON()
	b, _ := sum.JSON()
	if !bytes.Equal(a, b) {
		t.Error("ReadSummary does not give back the summary Merge returned")
	}
}

// validateRun generates, analyzes and validates, returning the lowest
// packet- and source-level F1 over the port-0 classes.
func validateRun(t *testing.T, s *gen.Scenario, seed uint64, scale float64) (float64, float64) {
	t.Helper()
	genDir, shards := generateShards(t, s, seed, scale)
	v, err := validate.Validate(genDir, run(t, shards, options(0)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	v.Packets.Print(&buf, "packets")
	v.Sources.Print(&buf, "sources")
	pf, pc := validate.MinF1(v.Packets.Scores())
	sf, sc := validate.MinF1(v.Sources.Scores())
	t.Logf("seed %d: min F1 packets %.4f (%v), sources %.4f (%v)", seed, pf, pc, sf, sc)
	if len(v.Packets.Scores()) < 6 {
		t.Errorf("only %d port-0 classes present; the run is too small\n%s", len(v.Packets.Scores()), buf.String())
	}
	if t.Failed() || pf < 0.95 || sf < 0.95 {
		t.Log(buf.String())
	}
	return pf, sf
}

// TestValidateDefault validates the classifiers on the default scenario
// with seeds the rules were not developed on (development used seed 2).
func TestValidateDefault(t *testing.T) {
	for _, seed := range []uint64{11, 12} {
		pf, sf := validateRun(t, gen.Paper(), seed, 2e-6)
		if pf < 0.95 || sf < 0.95 {
			t.Errorf("seed %d: F1 below 0.95: packets %.4f, sources %.4f", seed, pf, sf)
		}
	}
}

// TestValidateRobust: a scenario with other rates, tools and shares
// (testdata/scenarios/robust.scenario) still validates at 0.9.
func TestValidateRobust(t *testing.T) {
	f, err := os.Open(filepath.Join(testcap.Root(), "testdata", "scenarios", "robust.scenario"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := gen.ParseScenario("robust.scenario", f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	pf, sf := validateRun(t, s, 13, 2e-5)
	if pf < 0.9 || sf < 0.9 {
		t.Errorf("F1 below 0.9: packets %.4f, sources %.4f", pf, sf)
	}
}

// corpusFile is a committed capture's path.
func corpusFile(name string) string { return filepath.Join(testcap.CorpusDir(), name) }

// TestRunWithoutStudy: with CountOnly, Run writes summary.json without the
// study and no table; with nothing readable it writes summary.json with
// the read errors and returns scan.ErrNoInput; Merge of nothing is the
// same.
func TestRunWithoutStudy(t *testing.T) {
	tablesOf := func(dir string) []string {
		var found []string
		for _, f := range outputs[1:] {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				found = append(found, f)
			}
		}
		return found
	}
	o := options(0)
	o.CountOnly = true
	dir := t.TempDir()
	sum, err := Run([]string{corpusFile("pcap_us_le.pcap")}, nil, dir, o)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Port0 != nil || sum.NaiveFlow != nil || sum.Total.Packets != 8 {
		t.Errorf("count only: port-0 study %v, naive flow %v, %d packets", sum.Port0 != nil, sum.NaiveFlow != nil, sum.Total.Packets)
	}
	if got, err := ReadSummary(dir); err != nil || got.Total.Packets != 8 {
		t.Errorf("count only: summary.json %+v, %v", got, err)
	}
	if f := tablesOf(dir); f != nil {
		t.Errorf("count only wrote %v", f)
	}

	for _, c := range []struct {
		name string
		do   func(dir string) (*Summary, error)
		errs int
	}{
		{"nothing readable", func(dir string) (*Summary, error) {
			return Run([]string{corpusFile("empty.pcap"), corpusFile("not_a_capture.pcap")}, nil, dir, options(0))
		}, 2},
		{"merge of nothing", func(dir string) (*Summary, error) { return Merge(nil, dir, options(0)) }, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			sum, err := c.do(dir)
			if !errors.Is(err, scan.ErrNoInput) {
				t.Fatalf("err %v, want scan.ErrNoInput", err)
			}
			got, rerr := ReadSummary(dir)
			if rerr != nil || sum == nil || len(got.ReadErrors) != c.errs || len(sum.ReadErrors) != c.errs || got.Total.Files != 0 {
				t.Errorf("summary.json %+v (%v), returned %+v; want %d read errors", got, rerr, sum, c.errs)
			}
			if f := tablesOf(dir); f != nil {
				t.Errorf("wrote %v", f)
			}
		})
	}
}

// TestMergeErrors: Merge names the partial result it cannot use.
func TestMergeErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	o := options(0)
	o.Partial = true
	if _, err := Run([]string{corpusFile("port0_positions.pcap")}, nil, good, o); err != nil {
		t.Fatal(err)
	}
	notPartial := corpusFile("pcap_us_le.pcap")
	for _, c := range []struct {
		name     string
		partials []string
		want     []string // in the error
	}{
		{"missing file", []string{good, filepath.Join(dir, "missing.bin")}, []string{filepath.Join(dir, "missing.bin"), "not a partial result"}},
		{"folder without one", []string{good, dir}, []string{filepath.Join(dir, PartialFile)}},
		{"a capture", []string{notPartial, good}, []string{notPartial, "not a port0 scan result"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Merge(c.partials, t.TempDir(), options(0))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestMergeCountOnly: the partial results of CountOnly runs (which the
// command line does not make, but the API does) merge into a summary
// without the study, as one CountOnly run gives; one with the study's
// data and one without do not merge, and the error names the latter.
func TestMergeCountOnly(t *testing.T) {
	dir := t.TempDir()
	inputs := []string{corpusFile("pcap_us_le.pcap"), corpusFile("cut_mid_record.pcap"), corpusFile("port0_positions.pcap")}
	o := options(0)
	o.Partial, o.CountOnly = true, true
	one, a, b := filepath.Join(dir, "one"), filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, r := range []struct {
		dir    string
		inputs []string
	}{{one, inputs}, {a, inputs[:1]}, {b, inputs[1:]}} {
		if _, err := Run(r.inputs, nil, r.dir, o); err != nil {
			t.Fatal(err)
		}
	}
	merged := filepath.Join(dir, "merged")
	sum, err := Merge([]string{a, b}, merged, options(0))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Port0 != nil || sum.Inputs != 3 {
		t.Errorf("merged count-only results: %d inputs, study %v", sum.Inputs, sum.Port0 != nil)
	}
	x, err1 := os.ReadFile(filepath.Join(one, SummaryFile))
	y, err2 := os.ReadFile(filepath.Join(merged, SummaryFile))
	if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
		t.Errorf("merged summary.json differs from one run's (%v, %v)", err1, err2)
	}
	withStudy := filepath.Join(dir, "study")
	o.CountOnly = false
	if _, err := Run(inputs[:1], nil, withStudy, o); err != nil {
		t.Fatal(err)
	}
	_, err = Merge([]string{withStudy, b}, t.TempDir(), options(0))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(b, PartialFile)) || !strings.Contains(err.Error(), "-count-only") {
		t.Errorf("merging results with and without the study: err %v, want one naming %s and -count-only", err, filepath.Join(b, PartialFile))
	}
}
