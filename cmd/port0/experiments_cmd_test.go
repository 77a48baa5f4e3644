package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/port0/port0/internal/testcap"
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
	if !strings.Contains(out, "; next: port0 figures") || !strings.Contains(out, "scan-coverage") {
		t.Errorf("experiments output:\n%s", out)
	}
	out, stderr, code = runCmd(t, "figures", "-in", res)
	if code != 0 {
		t.Fatalf("figures: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "14 figures (PNG and SVG) in "+filepath.Join(res, "figures")) || !strings.Contains(stderr, "figures: daily.png, daily.svg (from daily-series/daily.csv)") {
		t.Errorf("figures: stdout %q, stderr:\n%s", out, stderr)
	}
	for _, f := range []string{"daily.png", "daily.svg", "ablation.png", "scan_coverage.svg", "verdicts.png", "verdicts.svg"} {
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
	for _, want := range []string{"## Provenance", "gonum.org/v1/plot", "![daily](figures/daily.png)", "| target | source | sampling | accepted | measured | 95 % interval | verdict |", "![verdicts](figures/verdicts.png)"} {
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
	if out, _, code := runCmd(t, "figures", "-q", "-in", sub); code != 0 || !strings.HasPrefix(out, "2 figures") { // tcp_flags and the verdicts
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

// TestExperimentsRenamedColumn renames a column of one table at a time
// (the analysis's and the generator's) and checks that port0 experiments
// fails naming the file and the column, where it once read the renamed
// column as zeros.
func TestExperimentsRenamedColumn(t *testing.T) {
	dir := t.TempDir()
	g, a := filepath.Join(dir, "gen"), filepath.Join(dir, "analysis")
	if _, stderr, code := runCmd(t, "gen", "-q", "-seed", "3", "-scale", "2e-6", "-out", g); code != 0 {
		t.Fatalf("gen: %s", stderr)
	}
	if _, stderr, code := runCmd(t, "analyze", "-q", "-out", a, g); code != 0 {
		t.Fatalf("analyze: %s", stderr)
	}
	// The unbroken folders load (a quick experiment: Load reads every table).
	if _, stderr, code := runCmd(t, "experiments", "-q", "-out", filepath.Join(dir, "ok"), "-only", "os-response-matrix", "-gen", g, "-analysis", a); code != 0 {
		t.Fatalf("experiments on the unbroken folders: exit %d: %s", code, stderr)
	}
	for _, c := range []struct {
		name     string
		truth    bool // the file is the generator's
		file     string
		from, to string // the header's edit
		want     string
	}{
		{"sources src", false, "sources.csv", "src,class,", "source,class,", `column 1 is "source", want "src"`},
		{"packets dport", false, "packets.csv", ",dport,", ",dst_port,", `column 8 is "dst_port", want "dport"`},
		{"packets class missing", false, "packets.csv", ",class,", ",", classMissing(t, filepath.Join(a, "packets.csv"))},
		{"events victim", false, "events.csv", "victim,", "target,", `column 1 is "target", want "victim"`},
		{"bundles order", false, "bundles.csv", ",order,", ",sequence,", `column 7 is "sequence", want "order"`},
		{"timeseries start", false, "timeseries.csv", "start,", "time,", `column 1 is "time", want "start"`},
		{"actors planned_packets", true, "actors.csv", ",planned_packets,", ",packets,", `column 11 is "packets", want "planned_packets"`},
		{"asmap hosting", true, "asmap.csv", ",hosting\n", ",cloud\n", `column 3 is "cloud", want "hosting"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			gd, ad := g, a
			src := &ad
			if c.truth {
				src = &gd
			}
			*src = copyWithHeader(t, *src, c.file, c.from, c.to)
			_, stderr, code := runCmd(t, "experiments", "-q", "-out", t.TempDir(), "-gen", gd, "-analysis", ad)
			path := filepath.Join(*src, c.file)
			if code != 1 || !strings.Contains(stderr, path+": "+c.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr, path+": "+c.want)
			}
		})
	}
}

// classMissing is the error of a packets table whose class column was
// left out: the column after it stands where class should, whatever
// columns the table declares.
func classMissing(t *testing.T, packets string) string {
	t.Helper()
	b, err := os.ReadFile(packets)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(b), "\n")
	cols := strings.Split(head, ",")
	i := slices.Index(cols, "class")
	if i < 0 || i+1 >= len(cols) {
		t.Fatalf("%s: header %q has no column after class", packets, head)
	}
	return fmt.Sprintf("column %d is %q, want \"class\"", i+1, cols[i+1])
}

// copyWithHeader copies the files of the folder src into a new folder,
// with from replaced by to in the header of file.
func copyWithHeader(t *testing.T, src, file, from, to string) string {
	t.Helper()
	return testcap.CopyEdited(t, src, file, func(b string) string {
		head, body, _ := strings.Cut(b, "\n")
		edited := strings.Replace(head+"\n", from, to, 1)
		if edited == head+"\n" {
			t.Fatalf("%s: header %q holds no %q", file, head, from)
		}
		return edited + body
	})
}
