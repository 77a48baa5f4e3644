package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExperimentsFiguresReport runs the study's three steps through the
// CLI on a small telescope: experiments writes tables and results,
// figures draws from the tables alone, report writes REPORT.md with the
// figures and exits 1 only when a target is missed.
func TestExperimentsFiguresReport(t *testing.T) {
	dir := t.TempDir()
	res := filepath.Join(dir, "results")
	out, stderr, code := runCmd(t, "experiments", "-q", "-out", res, "-seed", "3", "-scale", "2e-6")
	if code != 0 {
		t.Fatalf("experiments: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "experiments pass; next: port0 figures") || !strings.Contains(out, "scan-coverage") {
		t.Errorf("experiments output:\n%s", out)
	}
	out, stderr, code = runCmd(t, "figures", "-in", res)
	if code != 0 {
		t.Fatalf("figures: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "13 figures (PNG and SVG) in "+filepath.Join(res, "figures")) || !strings.Contains(stderr, "figures: daily.png, daily.svg (from daily-series/daily.csv)") {
		t.Errorf("figures: stdout %q, stderr:\n%s", out, stderr)
	}
	for _, f := range []string{"daily.png", "daily.svg", "ablation.png", "scan_coverage.svg"} {
		if _, err := os.Stat(filepath.Join(res, "figures", f)); err != nil {
			t.Error(err)
		}
	}
	out, _, code = runCmd(t, "report", "-in", res)
	rep, err := os.ReadFile(filepath.Join(res, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	fails := strings.Count(out, " FAIL\n")
	if (fails > 0) != (code == 1) || (code != 0 && code != 1) {
		t.Errorf("report: exit %d with %d failing experiments:\n%s", code, fails, out)
	}
	for _, want := range []string{"## Provenance", "gonum.org/v1/plot", "![daily](figures/daily.png)", "| target | source | accepted | measured | 95 % interval | pass |"} {
		if !strings.Contains(string(rep), want) {
			t.Errorf("REPORT.md lacks %q", want)
		}
	}
	// -only runs a subset; the figures of the others are not drawn.
	sub := filepath.Join(dir, "sub")
	if _, stderr, code := runCmd(t, "experiments", "-q", "-out", sub, "-only", "tcp-flags,os-response-matrix",
		"-gen", filepath.Join(res, "data", "gen"), "-analysis", filepath.Join(res, "data", "analysis")); code != 0 {
		t.Fatalf("experiments -only: exit %d: %s", code, stderr)
	}
	if out, _, code := runCmd(t, "figures", "-q", "-in", sub); code != 0 || !strings.HasPrefix(out, "1 figures") {
		t.Errorf("figures of a subset: exit %d, %q", code, out)
	}
}

func TestFiguresReportErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"figures", "-in", dir}, 1, "run port0 experiments -out " + dir + " first"},
		{[]string{"figures", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"report", "-in", dir}, 1, "run port0 experiments -out " + dir + " first"},
		{[]string{"report", "-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"experiments", "-only", "tcp-flags,nope", "-gen", dir, "-analysis", dir}, 2, `-only: unknown experiment "nope" (known: dataset-summary, daily-series,`},
		{[]string{"experiments", "-gen", dir, "-analysis", dir}, 1, "manifest.json"},
		{[]string{"experiments", "-scale", "-1"}, 2, "-scale must be a positive number"},
	} {
		_, stderr, code := runCmd(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and %q", c.args, code, stderr, c.code, c.want)
		}
	}
}
