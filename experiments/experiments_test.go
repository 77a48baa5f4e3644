package experiments

import (
	"bytes"
	"io/fs"
	"iter"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/port0/port0/experiments/stats"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/gen"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
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
	inputs, err := capture.ExpandInputs([]string{g})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := analyze.Run(inputs, nil, a, analyze.Options{Study: study.DefaultOptions()}); err != nil {
		t.Fatal(err)
	}
	d, err := Load(g, a)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Run(d, res, nil, 4, 2e-6, "paper", tables.CSV)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(All()) {
		t.Fatalf("%d results for %d experiments", len(rs), len(All()))
	}
	for _, r := range rs {
		if (r.Name == "os-response-matrix" || r.Name == "backscatter-replies") && r.Verdict() != Pass {
			t.Errorf("%s fails: %+v", r.Name, r.Targets)
		}
		for _, tb := range r.Tables {
			if _, err := os.Stat(filepath.Join(res, tb)); err != nil {
				t.Error(err)
			}
		}
	}
	// Figures come from the tables alone.
	drawn, err := DrawFigures(res, filepath.Join(res, "figures"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(drawn) != len(FigureSpecs()) {
		t.Errorf("drew %d figures of %d", len(drawn), len(FigureSpecs()))
	}
	for _, r := range rs {
		for _, f := range r.Figures {
			for _, ext := range []string{".png", ".svg"} {
				if _, err := os.Stat(filepath.Join(res, f+ext)); err != nil {
					t.Error(err)
				}
			}
		}
	}
	// The results round-trip through result.json, NaN and ±Inf included.
	if err := SaveResults(res, rs, []string{"test"}); err != nil {
		t.Fatal(err)
	}
	back, prov, err := LoadResults(res)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(rs) || len(prov) != 1 || prov[0] != "test" {
		t.Fatalf("LoadResults: %d results, provenance %q", len(back), prov)
	}
	for i := range rs {
		a, b := rs[i], back[i]
		if a.Name != b.Name || a.Verdict() != b.Verdict() || len(a.Targets) != len(b.Targets) || strings.Join(a.Notes, "|") != strings.Join(b.Notes, "|") {
			t.Errorf("%s: round trip changed the result", a.Name)
			continue
		}
		for j := range a.Targets {
			x, y := a.Targets[j], b.Targets[j]
			same := func(p, q float64) bool { return p == q || (math.IsNaN(p) && math.IsNaN(q)) }
			if x.What != y.What || !same(x.Lo, y.Lo) || !same(x.Hi, y.Hi) || !same(x.Measured, y.Measured) || !same(x.CILo, y.CILo) || !same(x.CIHi, y.CIHi) || x.N != y.N || x.MinN != y.MinN || x.Sampling != y.Sampling {
				t.Errorf("%s target %d: %+v became %+v", a.Name, j, x, y)
			}
		}
	}
	if err := WriteReport(res, back, prov); err != nil {
		t.Fatal(err)
	}
	rep, _ := os.ReadFile(filepath.Join(res, "REPORT.md"))
	for _, want := range []string{"## fragmentation-ablation", "![ablation](figures/ablation.png)", "## scan-coverage", "## origin-networks"} {
		if !strings.Contains(string(rep), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// Without the figures, the report says how to draw them.
	os.RemoveAll(filepath.Join(res, "figures"))
	if err := WriteReport(res, back, prov); err != nil {
		t.Fatal(err)
	}
	rep, _ = os.ReadFile(filepath.Join(res, "REPORT.md"))
	if !strings.Contains(string(rep), "not drawn yet: run `port0 figures") {
		t.Error("report without figures does not say how to draw them")
	}
	if _, err := Run(d, res, []string{"nope"}, 4, 2e-6, "paper", tables.CSV); err == nil || !strings.Contains(err.Error(), "unknown experiment") {
		t.Errorf("unknown experiment: %v", err)
	}
}

// TestTargetVerdict checks the accepted range is inclusive, NaN never
// passes, and a sample below MinN is insufficient whatever the value.
func TestTargetVerdict(t *testing.T) {
	for _, c := range []struct {
		lo, hi, m, n, minN float64
		want               Verdict
	}{
		{0, 1, 0, 0, 0, Pass}, {0, 1, 1, 0, 0, Pass}, {0, 1, 1.0001, 0, 0, Fail}, {0, 1, -1e-9, 0, 0, Fail},
		{0, math.Inf(1), 1e300, 0, 0, Pass}, {0, 1, math.NaN(), 0, 0, Fail}, {math.Inf(-1), math.Inf(1), math.NaN(), 0, 0, Fail},
		{0, 1, 0.5, 99, 100, Insufficient}, {0, 1, 5, 99, 100, Insufficient}, {0, 1, math.NaN(), 0, 100, Insufficient},
		{0, 1, 0.5, 100, 100, Pass}, {0, 1, 5, 100, 100, Fail},
	} {
		tg := Target{Lo: c.lo, Hi: c.hi, Measured: c.m, N: c.n, MinN: c.minN}
		if got := tg.Verdict(); got != c.want {
			t.Errorf("[%v, %v] measured %v, n %v of %v: %v, want %v", c.lo, c.hi, c.m, c.n, c.minN, got, c.want)
		}
		if v, err := ParseVerdict(c.want.String()); err != nil || v != c.want {
			t.Errorf("ParseVerdict(%q) = %v, %v", c.want, v, err)
		}
	}
	if got := (Target{Lo: 0, Hi: 1, N: 85, MinN: 200}).VerdictText(); got != "insufficient data (n = 85, needs ≥ 200)" {
		t.Errorf("VerdictText: %q", got)
	}
	r := &Result{Targets: []Target{{Lo: 0, Hi: 1, Measured: 0.5}, {Lo: 0, Hi: 1, N: 1, MinN: 2}}}
	if r.Verdict() != Insufficient {
		t.Errorf("a pass and an insufficient: %v", r.Verdict())
	}
	r.Targets = append(r.Targets, Target{Lo: 0, Hi: 1, Measured: 2})
	if r.Verdict() != Fail {
		t.Errorf("with a failing target: %v", r.Verdict())
	}
	if got := Tally([]*Result{r, {}}); got != "1 of 2 experiments pass, 1 FAIL" {
		t.Errorf("Tally: %q", got)
	}
}

// TestDrawFiguresErrors checks an empty results folder and a bad table are
// reported with what to do or the file at fault.
func TestDrawFiguresErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := DrawFigures(dir, filepath.Join(dir, "figures"), nil); err == nil || !strings.Contains(err.Error(), "run port0 experiments") {
		t.Errorf("empty results: %v", err)
	}
	os.MkdirAll(filepath.Join(dir, "scan-coverage"), 0o755)
	os.WriteFile(filepath.Join(dir, "scan-coverage", "coverage.csv"), []byte("src,coverage_pct\n1.2.3.4,abc\n"), 0o644)
	if _, err := DrawFigures(dir, filepath.Join(dir, "figures"), nil); err == nil || !strings.Contains(err.Error(), "coverage.csv") || !strings.Contains(err.Error(), "abc") {
		t.Errorf("bad number: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "scan-coverage", "coverage.csv"), []byte("src,packets\n1.2.3.4,3\n"), 0o644)
	if _, err := DrawFigures(dir, filepath.Join(dir, "figures"), nil); err == nil || !strings.Contains(err.Error(), `no column "coverage_pct"`) {
		t.Errorf("missing column: %v", err)
	}
}

// TestFlagEntropyDeterministic checks the entropy target does not move
// with map iteration order (its float sum once did, in the last digits of
// result.json).
func TestFlagEntropyDeterministic(t *testing.T) {
	m := map[string]float64{}
	for i := range 256 {
		m[strconv.Itoa(i)] = float64(1 + (i*7919)%97)
	}
	want := flagEntropyTarget(m).Measured
	for range 50 {
		if got := flagEntropyTarget(m).Measured; got != want {
			t.Fatalf("flag entropy gave %v, then %v", want, got)
		}
	}
}

// TestFlagEntropyDecides checks minFlagDraws: from that many draws on, a
// generator confined to 16 flag values cannot reach the target (its
// entropy is at most log 16), one draw fewer it could; and a uniform
// generator scores near 1 at that size and at large ones.
func TestFlagEntropyDecides(t *testing.T) {
	lo := flagEntropyTarget(nil).Lo
	for n := minFlagDraws; n <= 100000; n *= 2 {
		if max16 := math.Log(16) / stats.UniformEntropy(n, flagValues); max16 > lo-0.1 {
			t.Errorf("n = %d: a 16-value source can score %.3f, within 0.1 of %v", n, max16, lo)
		}
	}
	if max16 := math.Log(16) / stats.UniformEntropy(23, flagValues); max16 < lo {
		t.Errorf("23 draws decide already: a 16-value source scores at most %.3f", max16)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{minFlagDraws, 300, 100000} {
		m := map[string]float64{}
		for range n {
			m[strconv.Itoa(r.IntN(flagValues))]++
		}
		if tg := flagEntropyTarget(m); tg.Verdict() != Pass {
			t.Errorf("uniform, n = %d: %v (%v)", n, tg.VerdictText(), tg.Measured)
		}
	}
}

// TestParquetTables: the experiments read an analysis written as Parquet
// alone as they read the CSV one (the same Data, floats rounded as the
// CSV rounds them); with format both they write each table as CSV and
// Parquet and list both; and the figures drawn from the Parquet tables
// alone are the bytes of those drawn from the CSV ones.
func TestParquetTables(t *testing.T) {
	g := filepath.Join("..", "testdata", "gen-sample")
	inputs, err := capture.ExpandInputs([]string{g})
	if err != nil {
		t.Fatal(err)
	}
	var ds []*Data
	for _, f := range []tables.Format{tables.CSV, tables.Parquet} {
		a := t.TempDir()
		if _, err := analyze.Run(inputs, nil, a, analyze.Options{Study: study.DefaultOptions(), Format: f}); err != nil {
			t.Fatal(err)
		}
		d, err := Load(g, a)
		if err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		ds = append(ds, d)
	}
	var packets [2][]tables.PacketRow
	for i, d := range ds {
		if err := d.EachPacket(func(p *tables.PacketRow) { packets[i] = append(packets[i], *p) }); err != nil {
			t.Fatal(err)
		}
	}
	if len(packets[0]) == 0 || !reflect.DeepEqual(packets[0], packets[1]) {
		t.Fatal("the packets of the Parquet analysis differ from the CSV one's")
	}
	sameRows(t, "sources", ds[0].Sources(), ds[1].Sources())
	sameRows(t, "events", ds[0].Events(), ds[1].Events())
	sameRows(t, "bundles", ds[0].Bundles(), ds[1].Bundles())
	p, c := *ds[1], *ds[0]
	p.analysis, c.analysis = "", "" // (two folders)
	if !reflect.DeepEqual(&p, &c) {
		t.Fatal("Load of the Parquet analysis differs from the CSV one's")
	}

	res := filepath.Join(t.TempDir(), "results")
	rs, err := Run(ds[0], res, nil, 1, ds[0].Manifest.Scale, ds[0].Scenario.Name, tables.Both)
	if err != nil {
		t.Fatal(err)
	}
	only := filepath.Join(t.TempDir(), "results")
	var csvs, pqs int
	err = filepath.WalkDir(res, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(res, path)
		switch filepath.Ext(path) {
		case ".csv":
			csvs++
			if _, err := os.Stat(strings.TrimSuffix(path, ".csv") + ".parquet"); err != nil {
				t.Errorf("%s without its Parquet table", rel)
			}
			return nil
		case ".parquet":
			pqs++
		}
		os.MkdirAll(filepath.Dir(filepath.Join(only, rel)), 0o755)
		return os.Link(path, filepath.Join(only, rel))
	})
	if err != nil {
		t.Fatal(err)
	}
	var listed int
	for _, r := range rs {
		listed += len(r.Tables)
	}
	if csvs == 0 || pqs != csvs || listed != csvs+pqs {
		t.Errorf("%d CSV tables, %d Parquet, %d listed", csvs, pqs, listed)
	}
	a, err := DrawFigures(res, filepath.Join(res, "figures"), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := DrawFigures(only, filepath.Join(only, "figures"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) || len(a) != len(FigureSpecs()) {
		t.Fatalf("figures %v from CSV, %v from Parquet", a, b)
	}
	for _, name := range a {
		for _, ext := range []string{".png", ".svg"} {
			x, _ := os.ReadFile(filepath.Join(res, "figures", name+ext))
			y, _ := os.ReadFile(filepath.Join(only, "figures", name+ext))
			if len(x) == 0 || !bytes.Equal(x, y) {
				t.Errorf("%s%s: drawn from Parquet, not the bytes drawn from CSV", name, ext)
			}
		}
	}
}

// sameRows fails t unless a table read from CSV (c) and from Parquet (p)
// holds the same rows, the Parquet ones seen as CSV writes them.
func sameRows[R any](t *testing.T, name string, c, p iter.Seq2[R, error]) {
	t.Helper()
	var rows [2][]R
	for i, seq := range []iter.Seq2[R, error]{c, p} {
		for r, err := range seq {
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			rows[i] = append(rows[i], r)
		}
	}
	if len(rows[0]) == 0 || !reflect.DeepEqual(rows[0], tables.AsCSV(rows[1])) {
		t.Fatalf("the %s of the Parquet analysis (%d rows) differ from the CSV one's (%d)", name, len(rows[1]), len(rows[0]))
	}
}
