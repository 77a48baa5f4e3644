package experiments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/gen"
)

// TestRunSmall runs every experiment on a small default-scenario run and
// checks the report, tables and figures are written and the rule-based
// experiments (which do not depend on the data's size) pass.
func TestRunSmall(t *testing.T) {
	dir := t.TempDir()
	g, a, res := filepath.Join(dir, "gen"), filepath.Join(dir, "analysis"), filepath.Join(dir, "results")
	p, err := gen.NewPlan(gen.Paper(), 4, 2e-6)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gen.Generate(p, gen.Options{Out: g}); err != nil {
		t.Fatal(err)
	}
	inputs, _ := analyze.ExpandInputs([]string{g})
	sum, err := analyze.Analyze(inputs, nil, analyze.Options{Spool: filepath.Join(a, ".spool")})
	if err != nil {
		t.Fatal(err)
	}
	if err := analyze.RunStudy(sum, a, analyze.DefaultStudyOptions()); err != nil {
		t.Fatal(err)
	}
	b, _ := sum.JSON()
	os.WriteFile(filepath.Join(a, "summary.json"), b, 0o644)
	d, err := Load(g, a)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Run(d, res, nil, 4, 2e-6, "paper")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(All()) {
		t.Fatalf("%d results for %d experiments", len(rs), len(All()))
	}
	for _, r := range rs {
		if (r.Name == "os-response-matrix" || r.Name == "backscatter-replies") && !r.Pass() {
			t.Errorf("%s fails: %+v", r.Name, r.Targets)
		}
		for _, f := range r.Figures {
			for _, ext := range []string{".png", ".svg"} {
				if _, err := os.Stat(filepath.Join(res, f+ext)); err != nil {
					t.Error(err)
				}
			}
		}
		for _, tb := range r.Tables {
			if _, err := os.Stat(filepath.Join(res, tb)); err != nil {
				t.Error(err)
			}
		}
	}
	if err := WriteReport(res, rs, []string{"test"}); err != nil {
		t.Fatal(err)
	}
	rep, _ := os.ReadFile(filepath.Join(res, "REPORT.md"))
	if !strings.Contains(string(rep), "## fragmentation-ablation") {
		t.Error("report lacks a section")
	}
	if _, err := Run(d, res, []string{"nope"}, 4, 2e-6, "paper"); err == nil || !strings.Contains(err.Error(), "unknown experiment") {
		t.Errorf("unknown experiment: %v", err)
	}
}
