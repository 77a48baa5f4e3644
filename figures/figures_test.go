package figures

import (
	"bytes"
	"flag"
	"html"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"
)

var update = flag.Bool("update", false, "rewrite the golden figures in testdata/")

// pngDelta is the cmpimg tolerance for PNG goldens: rasterisation may
// differ in a few anti-aliased pixels between platforms, SVG may not.
const pngDelta = 0.05

// figureCase is one figure drawn from fixed data.
type figureCase struct {
	name string
	draw func(base string) error
}

// day0 is the first day of the fixed daily series.
var day0 = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

// goldenCases are small fixed inputs whose output is kept in testdata.
var goldenCases = []figureCase{
	{"breakdown", func(base string) error {
		return ProtocolPosition(base, []string{"src only", "dst only", "both"}, []Series{
			{Name: "TCP", Values: []float64{1200, 5400, 300}},
			{Name: "UDP", Values: []float64{800, 2600, 0}},
		})
	}},
	{"daily", func(base string) error {
		var days []time.Time
		var pk, src []float64
		for i := range 120 {
			days = append(days, day0.AddDate(0, 0, i))
			p := 100 + 50*math.Sin(float64(i)/7)
			if i%30 == 10 {
				p *= 40 // a burst
			}
			if i == 50 || i == 51 || i == 53 {
				p = 0 // gaps, with an isolated day at 52
			}
			pk = append(pk, p)
			src = append(src, math.Ceil(p/25))
		}
		return DailyPort0(base, days, pk, src)
	}},
	{"tcpflags_log", func(base string) error {
		// A log value axis: plain SYNs beside a near-uniform crafted class,
		// a zero (no bar) and a NaN (no bar).
		// The top 3 of each series and "other".
		return TCPFlags(base, []string{"S", "SA", "RA", "FPU", "SF", "none", "FA", "U"}, []Series{
			{Name: "scan and backscatter", Values: []float64{2700, 760, 300, 0, 0, math.NaN(), 0, 0}},
			{Name: "crafted-malformed", Values: []float64{6, 5, 4, 5, 6, 1, 3, 2}},
		}, 3)
	}},
	{"probematrix", func(base string) error {
		return ProbeMatrix(base,
			[]string{"192.0.2.1", "198.51.100.7", "203.0.113.9", "203.0.113.200"},
			[]string{"SYN", "SYN+ECN", "NULL", "FIN+PSH+URG", "ACK", "UDP"},
			[][]float64{
				{10, 10, 10, 10, 10, 10},
				{120, 0, 3, 0, 0, 45},
				{0, 0, 0, 0, 0, 2500},
				{1, 2, 3, 4, math.NaN(), 6},
			})
	}},
	{"verdicts", func(base string) error {
		return VerdictMatrix(base, "Verdicts by scale and seed", "scale / seed",
			[]string{"dataset-summary", "tcp-flags", "scan-coverage"},
			[]string{"3e-6/1", "3e-6/2", "1e-5/1", "1e-5/2"},
			[][]int{
				{CellPass, CellPass, CellPass, CellPass},
				{CellInsufficient, CellPass, CellPass, CellPass},
				{CellFail, CellInsufficient, CellNone, CellPass},
			})
	}},
}

// TestGolden compares three figures with testdata/<name>.golden.{svg,png}:
// SVG byte for byte, PNG within pngDelta (the cmpimg metric). Run with -update to rewrite them.
func TestGolden(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			base := filepath.Join(dir, tc.name)
			if err := tc.draw(base); err != nil {
				t.Fatal(err)
			}
			for _, ext := range []string{"svg", "png"} {
				got, err := os.ReadFile(base + "." + ext)
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", tc.name+".golden."+ext)
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./figures -update to create it)", err)
				}
				var ok bool
				if ext == "svg" {
					ok = bytes.Equal(got, want)
				} else if ok, err = equalApproxPNG(got, want, pngDelta); err != nil {
					t.Fatal(err)
				}
				if !ok {
					bad := base + ".got." + ext
					_ = os.WriteFile(bad, got, 0o644)
					t.Errorf("%s differs from %s (got kept in %s); if the change is intended, run go test ./figures -update and review the diff",
						ext, golden, bad)
				}
			}
		})
	}
}

// TestDeterministic draws a figure twice and expects identical bytes.
func TestDeterministic(t *testing.T) {
	dir := t.TempDir()
	tc := goldenCases[2]
	for _, run := range []string{"a", "b"} {
		if err := tc.draw(filepath.Join(dir, run)); err != nil {
			t.Fatal(err)
		}
	}
	for _, ext := range []string{".png", ".svg"} {
		a, _ := os.ReadFile(filepath.Join(dir, "a"+ext))
		b, _ := os.ReadFile(filepath.Join(dir, "b"+ext))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s: two runs differ (%d and %d bytes)", ext, len(a), len(b))
		}
	}
}

// sampleCases draw every figure from realistic synthetic data (seeded).
func sampleCases() []figureCase {
	rng := rand.New(rand.NewPCG(5, 0))
	var days []time.Time
	var pk, src []float64
	for i := range 3 * 365 {
		days = append(days, day0.AddDate(0, 0, i))
		p := math.Exp(7 + 0.4*rng.NormFloat64())
		if rng.IntN(40) == 0 {
			p *= 20 + 200*rng.Float64() // burst
		}
		if i >= 400 && i < 404 {
			p = 0 // telescope outage
		}
		pk = append(pk, math.Round(p))
		src = append(src, math.Round(p/(20+10*rng.Float64())))
	}
	perSource := make([]float64, 5000)
	for i := range perSource {
		perSource[i] = math.Floor(math.Pow(1-rng.Float64(), -1/1.2)) // Pareto, α = 1.2
	}
	perSource[0] = 0
	var dur, rate, evPackets []float64
	for range 400 {
		dur = append(dur, math.Exp(4+1.5*rng.NormFloat64()))
		rate = append(rate, math.Exp(2+2*rng.NormFloat64()))
		evPackets = append(evPackets, float64(2+rng.IntN(40)))
	}
	dur = append(dur, 0)
	rate = append(rate, 5)
	evPackets = append(evPackets, 9)
	cov := make([]float64, 300)
	for i := range cov {
		cov[i] = 100 * math.Pow(rng.Float64(), 6)
	}
	cov[0], cov[1] = 100, 100
	var d0, d1 [24]float64
	for h := range 24 {
		d0[h] = 100 + 60*math.Sin(2*math.Pi*float64(h-6)/24) + 10*rng.Float64()
		d1[h] = 1000 + 50*rng.Float64()
	}
	sources := []string{"192.0.2.1", "192.0.2.77", "198.51.100.7", "198.51.100.8", "203.0.113.9", "203.0.113.200", "203.0.113.201", "203.0.113.250"}
	probes := []string{"SYN", "SYN+ECN", "NULL", "FIN+PSH+URG", "ACK win=1024", "ACK win=31337", "UDP empty", "ICMP echo", "ICMP ts", "TCP port 0 SYN", "UDP port 0"}
	counts := make([][]float64, len(sources))
	for i := range counts {
		counts[i] = make([]float64, len(probes))
		for j := range counts[i] {
			if rng.IntN(3) > 0 {
				counts[i][j] = float64(rng.IntN(400))
			}
		}
	}
	return []figureCase{
		{"daily", func(b string) error { return DailyPort0(b, days, pk, src) }},
		{"protocol_position", goldenCases[0].draw},
		{"tcp_flags", func(b string) error {
			return TCPFlags(b,
				[]string{"SYN", "SYN+ACK", "RST", "RST+ACK", "ACK", "FIN+ACK", "NULL", "FIN+PSH+URG", "SYN+ECE+CWR", "FIN"},
				[]Series{{Name: "packets", Values: []float64{52000, 13000, 9000, 21000, 3000, 800, 150, 120, 2400, 90}}}, 6)
		}},
		{"class_shares", func(b string) error {
			return ClassShares(b,
				[]string{"backscatter", "fingerprinting", "scanning", "misconfiguration", "fragments", "unknown"},
				[]Series{
					{Name: "packets", Values: []float64{4600, 1200, 2000, 800, 900, 500}},
					{Name: "sources", Values: []float64{60, 3, 25, 6, 2, 4}},
				})
		}},
		{"initial_ttl", func(b string) error {
			return InitialTTL(b, []string{"32", "64", "128", "255"}, []Series{
				{Name: "zmap", Values: []float64{0, 0, 0, 7}},
				{Name: "unknown", Values: []float64{1, 70, 20, 9}},
			})
		}},
		{"ipid", func(b string) error {
			return IPIDPatterns(b, []string{"zero", "constant", "incremental", "byte-swapped", "random"}, []Series{
				{Name: "port-0 sources", Values: []float64{22, 8, 41, 4, 25}},
				{Name: "none", Values: []float64{0, 0, 0, 0, 0}},
			})
		}},
		{"fragmentation", func(b string) error {
			return FragmentationAblation(b, []string{"TCP", "UDP", "non-first fragments", "first fragments"}, []Series{
				{Name: "naive flow", Values: []float64{31000, 45000, 18000, 9000}},
				{Name: "packet-level", Values: []float64{30500, 26000, 0, 2100}},
			})
		}},
		{"source_cdf", func(b string) error {
			return SourceCDF(b, perSource, Fit{Name: "Pareto fit, α = 2.2, x_min = 2", From: 2, Note: "a note",
				CDF: func(x float64) float64 { return 1 - 0.6*math.Pow(x/2, -1.2) }})
		}},
		{"backscatter", func(b string) error { return BackscatterEvents(b, dur, rate, evPackets) }},
		{"probe_matrix", func(b string) error { return ProbeMatrix(b, sources, probes, counts) }},
		{"scan_coverage", func(b string) error { return ScanCoverage(b, cov) }},
		{"diurnal", func(b string) error { return Diurnal(b, d1, d0, 365, "") }},
		{"diurnal_few_days", func(b string) error { return Diurnal(b, d1, d0, 3, "a note") }},
	}
}

// emptyCases call every figure function with empty input.
var emptyCases = []figureCase{
	{"daily", func(b string) error { return DailyPort0(b, nil, nil, nil) }},
	{"daily_zeros", func(b string) error {
		return DailyPort0(b, []time.Time{day0, day0.AddDate(0, 0, 1)}, []float64{0, math.NaN()}, []float64{0, math.Inf(1)})
	}},
	{"breakdown", func(b string) error { return Breakdown(b, "t", "y", nil, nil) }},
	{"protocol_position", func(b string) error { return ProtocolPosition(b, nil, nil) }},
	{"tcp_flags", func(b string) error { return TCPFlags(b, nil, nil, 8) }},
	{"tcp_flags_zeros", func(b string) error {
		return TCPFlags(b, []string{"S", "A"}, []Series{{Name: "x", Values: []float64{0, 0}}}, 8)
	}},
	{"class_shares", func(b string) error { return ClassShares(b, []string{"a"}, nil) }},
	{"initial_ttl", func(b string) error { return InitialTTL(b, nil, []Series{{Name: "x"}}) }},
	{"ipid", func(b string) error { return IPIDPatterns(b, nil, nil) }},
	{"fragmentation", func(b string) error { return FragmentationAblation(b, nil, nil) }},
	{"bars_nan", func(b string) error {
		return Breakdown(b, "t", "y", []string{"a", "b"}, []Series{{Values: []float64{math.NaN(), math.Inf(-1)}}})
	}},
	{"source_cdf", func(b string) error { return SourceCDF(b, nil, Fit{}) }},
	{"source_cdf_zeros", func(b string) error {
		return SourceCDF(b, []float64{0, -1, math.NaN()}, Fit{Name: "fit", CDF: func(float64) float64 { return math.NaN() }})
	}},
	{"source_cdf_one", func(b string) error {
		return SourceCDF(b, []float64{3}, Fit{Name: "fit", CDF: func(float64) float64 { return 2 }})
	}},
	{"source_cdf_from_beyond", func(b string) error {
		return SourceCDF(b, []float64{3, 4}, Fit{Name: "fit", From: 1e9, CDF: func(float64) float64 { return 1 }})
	}},
	{"source_cdf_no_fit", func(b string) error { return SourceCDF(b, []float64{3, 4}, Fit{Name: "no fit"}) }},
	{"backscatter", func(b string) error { return BackscatterEvents(b, nil, nil, nil) }},
	{"backscatter_zeros", func(b string) error {
		return BackscatterEvents(b, []float64{0, 1}, []float64{1, math.Inf(1)}, []float64{5, 2})
	}},
	{"probe_matrix", func(b string) error { return ProbeMatrix(b, nil, nil, nil) }},
	{"probe_matrix_no_probes", func(b string) error { return ProbeMatrix(b, []string{"a"}, nil, [][]float64{{}}) }},
	{"probe_matrix_one", func(b string) error { return ProbeMatrix(b, []string{"a"}, []string{"p"}, [][]float64{{0}}) }},
	{"scan_coverage", func(b string) error { return ScanCoverage(b, nil) }},
	{"scan_coverage_zeros", func(b string) error { return ScanCoverage(b, []float64{0, math.NaN()}) }},
	{"diurnal", func(b string) error { return Diurnal(b, [24]float64{}, [24]float64{}, 0, "") }},
	{"diurnal_few_days", func(b string) error { return Diurnal(b, [24]float64{}, [24]float64{}, 2, "") }},
	{"verdicts", func(b string) error { return VerdictMatrix(b, "t", "x", nil, nil, nil) }},
}

// TestAllFigures draws every figure for realistic and for empty or
// degenerate input and checks that both files are written. With
// FIGURES_OUT=dir set, the files are kept in dir for viewing.
func TestAllFigures(t *testing.T) {
	dir := os.Getenv("FIGURES_OUT")
	if dir == "" {
		dir = t.TempDir()
	}
	for _, set := range []struct {
		name  string
		cases []figureCase
	}{{"sample", sampleCases()}, {"empty", emptyCases}} {
		for _, tc := range set.cases {
			t.Run(set.name+"/"+tc.name, func(t *testing.T) {
				base := filepath.Join(dir, set.name+"_"+tc.name)
				if err := tc.draw(base); err != nil {
					t.Fatal(err)
				}
				for _, ext := range []string{".png", ".svg"} {
					fi, err := os.Stat(base + ext)
					if err != nil {
						t.Fatal(err)
					}
					if fi.Size() == 0 {
						t.Errorf("%s%s is empty", base, ext)
					}
				}
			})
		}
	}
}

// TestMismatchedLengths expects an error, and no file, when slices that
// describe the same items differ in length.
func TestMismatchedLengths(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []figureCase{
		{"daily", func(b string) error { return DailyPort0(b, []time.Time{day0}, []float64{1, 2}, []float64{1}) }},
		{"bars", func(b string) error {
			return Breakdown(b, "t", "y", []string{"a", "b"}, []Series{{Name: "s", Values: []float64{1}}})
		}},
		{"backscatter", func(b string) error { return BackscatterEvents(b, []float64{1}, nil, []float64{1}) }},
		{"backscatter_packets", func(b string) error { return BackscatterEvents(b, []float64{1}, []float64{1}, nil) }},
		{"tcp_flags", func(b string) error {
			return TCPFlags(b, []string{"a", "b"}, []Series{{Name: "s", Values: []float64{1}}}, 1)
		}},
		{"matrix_rows", func(b string) error { return ProbeMatrix(b, []string{"a", "b"}, []string{"p"}, [][]float64{{1}}) }},
		{"matrix_cols", func(b string) error { return ProbeMatrix(b, []string{"a"}, []string{"p"}, [][]float64{{1, 2}}) }},
		{"verdict_rows", func(b string) error {
			return VerdictMatrix(b, "t", "x", []string{"a", "b"}, []string{"c"}, [][]int{{0}})
		}},
		{"verdict_value", func(b string) error { return VerdictMatrix(b, "t", "x", []string{"a"}, []string{"c"}, [][]int{{7}}) }},
	} {
		base := filepath.Join(dir, tc.name)
		if err := tc.draw(base); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
		if _, err := os.Stat(base + ".png"); err == nil {
			t.Errorf("%s: wrote a file despite the error", tc.name)
		}
	}
}

// TestLogTicks checks the decade labels of log axes: every decade up to
// eight decades, every other one beyond.
func TestLogTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   []string
	}{
		{0.01, 1e6, []string{"0.01", "0.1", "1", "10", "100", "1000", "10k", "100k", "1M"}},
		{0.01, 1e7, []string{"0.01", "1", "100", "10k", "1M"}},
		{1, 1e15, []string{"1", "100", "10k", "1M", "100M", "10G", "1T", "100T"}},
	} {
		var got []string
		for _, tk := range (logTicks{}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Ticks(%g, %g) labels %q, want %q", tc.lo, tc.hi, got, tc.want)
		}
	}
}

// svgTexts draws with draw into a temporary folder and returns the texts
// of the SVG written, in order, unescaped.
func svgTexts(t *testing.T, draw func(base string) error) ([]string, string) {
	t.Helper()
	base := filepath.Join(t.TempDir(), "f")
	if err := draw(base); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(base + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range svgText.FindAllStringSubmatch(string(svg), -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out, string(svg)
}

// svgText matches a text element of an SVG that vgsvg writes.
var svgText = regexp.MustCompile(`<text[^>]*>([^<]*)</text>`)

// countOf returns how many of texts equal s.
func countOf(texts []string, s string) int {
	n := 0
	for _, x := range texts {
		if x == s {
			n++
		}
	}
	return n
}

// wantTexts fails t for each of want that texts lack.
func wantTexts(t *testing.T, texts []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(texts, w) {
			t.Errorf("no text %q in %q", w, texts)
		}
	}
}

// TestTopOther checks the fold of TCPFlags: the union of each series' top
// values, ordered by their sum, then one "other" category that keeps each
// series' total, and k counts the folded non-zero categories.
func TestTopOther(t *testing.T) {
	cats := []string{"A", "B", "C", "D", "E", "F", "G", "Z"}
	series := []Series{
		{Name: "plain", Values: []float64{0, 500, 0, 0, 900, 0, 1, 0}},
		{Name: "crafted", Values: []float64{4, 1, 5, 3, 0, 2, 2, 0}},
	}
	got, folded := topOther(cats, series, 2, "combination", "combinations")
	// plain's top 2: E, B; crafted's: C, A. By sum: E 900, B 501, C 5, A 4.
	want := []string{"E", "B", "C", "A", "other (3 combinations)"}
	if !slices.Equal(got, want) {
		t.Fatalf("categories %q, want %q", got, want)
	}
	if w := []float64{900, 500, 0, 0, 1}; !slices.Equal(folded[0].Values, w) {
		t.Errorf("plain %v, want %v", folded[0].Values, w)
	}
	if w := []float64{0, 1, 5, 4, 3 + 2 + 2}; !slices.Equal(folded[1].Values, w) {
		t.Errorf("crafted %v, want %v", folded[1].Values, w)
	}
	for i, s := range series {
		if a, b := total(s.Values), total(folded[i].Values); a != b {
			t.Errorf("%s: total %v before the fold, %v after", s.Name, a, b)
		}
		if folded[i].Name != s.Name {
			t.Errorf("name %q became %q", s.Name, folded[i].Name)
		}
	}
	// Nothing non-zero left to fold: no "other"; the all-zero Z is dropped.
	got, folded = topOther(cats, series, 8, "combination", "combinations")
	if slices.ContainsFunc(got, func(c string) bool { return strings.HasPrefix(c, "other") }) || slices.Contains(got, "Z") || len(got) != 7 {
		t.Errorf("top 8: categories %q", got)
	}
	if total(folded[1].Values) != total(series[1].Values) {
		t.Errorf("top 8 changed the crafted total")
	}
	// Ties keep the given order: crafted's 2s at F and G, and its top 4
	// takes F.
	got, _ = topOther(cats, series[1:], 4, "x", "xs")
	if want := []string{"C", "A", "D", "F", "other (2 xs)"}; !slices.Equal(got, want) {
		t.Errorf("ties: %q, want %q", got, want)
	}
}

// TestTCPFlagsLegend checks the drawn flag histogram: each series' n and
// number of combinations in the legend, the "other" bar's label, and a "0"
// at the foot of each zero bar.
func TestTCPFlagsLegend(t *testing.T) {
	texts, _ := svgTexts(t, goldenCases[2].draw)
	wantTexts(t, texts,
		"scan and backscatter (n = 3760 packets, 3 combinations)",
		"crafted-malformed (n = 32 packets, 8 combinations)",
		"other (4 combinations)")
	// Shown: S, SA, RA (plain's top 3), SF (crafted's top 3 are S, SF,
	// SA), and "other" (FPU, none, FA, U); plain is 0 at SF and in
	// "other".
	if n := countOf(texts, "0"); n != 2 {
		t.Errorf("%d zero labels, want one per zero bar (2): %q", n, texts)
	}
	wantTexts(t, texts, "S", "SA", "RA", "SF")
	if slices.Contains(texts, "FPU") {
		t.Errorf("FPU, outside every series' top 3, has a bar of its own")
	}
}

// TestLogBarsShowZeros checks that a log-axis bar chart keeps its zero
// categories: every category is labelled, and every zero value is
// written "0" (a log axis cannot draw it), as is every value.
func TestLogBarsShowZeros(t *testing.T) {
	cats := []string{"real port 0", "non-first fragments", "ICMP", "other protocols", "truncated"}
	texts, _ := svgTexts(t, func(b string) error {
		return FragmentationAblation(b, cats, []Series{
			{Name: "naive", Values: []float64{5777, 7790, 177059, 0, 0}},
			{Name: "packet-level", Values: []float64{5777, 0, 0, 0, 0}},
		})
	})
	wantTexts(t, texts, cats...)
	wantTexts(t, texts, "177059", "7790")
	if n := countOf(texts, "0"); n != 6 {
		t.Errorf("%d texts \"0\", want one per zero value (6): %q", n, texts)
	}
	if n := countOf(texts, "5777"); n != 2 {
		t.Errorf("%d texts \"5777\", want 2", n)
	}
}

// TestSharesGiveN checks that the share figures draw each series as the
// percent of its own total and name its n.
func TestSharesGiveN(t *testing.T) {
	s := shareSeries([]Series{{Name: "zmap", Values: []float64{0, 1, 6}}, {Name: "none", Values: []float64{0, 0, 0}}})
	if s[0].Name != "zmap (n = 7)" || s[1].Name != "none (n = 0)" {
		t.Errorf("names %q, %q", s[0].Name, s[1].Name)
	}
	if math.Abs(total(s[0].Values)-100) > 1e-9 || math.Abs(s[0].Values[2]-600.0/7) > 1e-9 {
		t.Errorf("shares %v", s[0].Values)
	}
	if !math.IsNaN(s[1].Values[0]) {
		t.Errorf("a series of no sources has shares %v", s[1].Values)
	}
	for _, tc := range []struct {
		draw func(string) error
		want []string
	}{
		{func(b string) error {
			return ClassShares(b, []string{"scan", "other"}, []Series{{Name: "packets", Values: []float64{3100, 0}}, {Name: "sources", Values: []float64{31, 0}}})
		}, []string{"packets (n = 3100)", "sources (n = 31)"}},
		{func(b string) error {
			return InitialTTL(b, []string{"64", "255"}, []Series{{Name: "zmap", Values: []float64{0, 7}}})
		}, []string{"zmap (n = 7)"}},
		{func(b string) error {
			return IPIDPatterns(b, []string{"+1", "random"}, []Series{{Name: "hping", Values: []float64{18, 1}}})
		}, []string{"hping (n = 19)"}},
		{func(b string) error {
			return ProtocolPosition(b, []string{"src only", "dst only"}, []Series{{Name: "TCP", Values: []float64{480, 1311}}})
		}, []string{"TCP (n = 1791 packets)"}},
		{func(b string) error { return ScanCoverage(b, []float64{1, 0.5, math.NaN()}) }, []string{"scanners (n = 2; 1 invalid value left out)"}},
		{func(b string) error { return SourceCDF(b, []float64{1, 2, 3}, Fit{}) }, []string{"empirical (n = 3 sources)"}},
	} {
		texts, _ := svgTexts(t, tc.draw)
		wantTexts(t, texts, tc.want...)
	}
}

// TestBackscatterFewPackets checks the stated rule: events of ≤ 3 packets
// are drawn apart (grey rings) and counted in the legend as unreliable;
// an event of 4 packets is not.
func TestBackscatterFewPackets(t *testing.T) {
	texts, svg := svgTexts(t, func(b string) error {
		return BackscatterEvents(b, []float64{10, 20, 30, 40, 50, 0}, []float64{100, 200, 300, 400, 500, 9}, []float64{2, 3, 4, 50, math.NaN(), 80})
	})
	wantTexts(t, texts,
		"Backscatter events (n = 6)",
		"3 events of ≤ 3 packets (duration and rate unreliable)",
		"2 events of > 3 packets",
		"1 with zero duration or rate left out")
	// The rings are grey strokes, one per few-packet event and one in the legend.
	if n := strings.Count(svg, "stroke:#707070"); n != 3+1 {
		t.Errorf("%d grey rings, want 4 (3 events and the legend)", n)
	}
}

// TestDiurnalDays checks the diurnal figure's wording: which line is
// which with its n, the number of days in the title, and, under
// MinPatternDays, points without lines and the warning.
func TestDiurnalDays(t *testing.T) {
	var all, scan [24]float64
	for h := range 24 {
		all[h], scan[h] = 100, float64(h%3)
	}
	// lines counts the data lines: stroked paths of more than two points
	// in the palette's first two colours.
	lines := func(svg string) int {
		n := 0
		for _, p := range regexp.MustCompile(`<path d="([^"]*)" style="fill:none;stroke:#(0072B2|D55E00)`).FindAllStringSubmatch(svg, -1) {
			if strings.Count(p[1], "L") > 1 {
				n++
			}
		}
		return n
	}
	texts, svg := svgTexts(t, func(b string) error { return Diurnal(b, all, scan, 30, "") })
	wantTexts(t, texts, "Packets by hour of day, summed over 30 days",
		"all traffic, every packet (n = 2400 packets)", "port-0 scanning packets only (n = 24 packets)")
	if slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, "too few") }) {
		t.Errorf("30 days: warned %q", texts)
	}
	if n := lines(svg); n != 2 {
		t.Errorf("30 days: %d lines, want 2", n)
	}
	texts, svg = svgTexts(t, func(b string) error { return Diurnal(b, all, scan, MinPatternDays-1, "a burst") })
	wantTexts(t, texts, "Packets by hour of day, summed over 6 days", "6 days: too few for a daily pattern", "a burst")
	if n := lines(svg); n != 0 {
		t.Errorf("6 days: %d lines drawn as a cycle, want points only", n)
	}
	texts, svg = svgTexts(t, func(b string) error { return Diurnal(b, all, scan, 0, "") })
	wantTexts(t, texts, "number of days unknown: not drawn as a daily pattern")
	if n := lines(svg); n != 0 {
		t.Errorf("unknown days: %d lines, want 0", n)
	}
	texts, _ = svgTexts(t, func(b string) error { return Diurnal(b, all, scan, MinPatternDays, "") })
	if slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, "too few") }) {
		t.Errorf("%d days: warned", MinPatternDays)
	}
}

// TestSourceCDFFit checks the fit line is drawn over x ≥ From only and
// that a fit without a CDF, and the note, are legend entries.
func TestSourceCDFFit(t *testing.T) {
	var calls []float64
	texts, _ := svgTexts(t, func(b string) error {
		return SourceCDF(b, []float64{1, 2, 5, 10, 100}, Fit{Name: "tail fit", From: 5, Note: "cannot tell apart",
			CDF: func(x float64) float64 { calls = append(calls, x); return 0.5 }})
	})
	wantTexts(t, texts, "empirical (n = 5 sources)", "tail fit", "cannot tell apart")
	if len(calls) == 0 || calls[0] != 5 || slices.Min(calls) < 5 {
		t.Errorf("fit evaluated from %v (min %v), want from 5 exactly", calls[:min(3, len(calls))], slices.Min(calls))
	}
	texts, _ = svgTexts(t, func(b string) error { return SourceCDF(b, []float64{1, 2}, Fit{Name: "no fit: too few values"}) })
	wantTexts(t, texts, "no fit: too few values")
}

// TestLongTitleFits checks a title wider than the figure is set smaller,
// not cut at the edges, and a short one keeps the house size.
func TestLongTitleFits(t *testing.T) {
	size := func(title string) string {
		_, svg := svgTexts(t, func(b string) error {
			return Breakdown(b, title, "y", []string{"a"}, []Series{{Values: []float64{1}}})
		})
		m := regexp.MustCompile(`font-size:([0-9.]+)px">` + regexp.QuoteMeta(title) + `<`).FindStringSubmatch(svg)
		if m == nil {
			t.Fatalf("no title %q", title)
		}
		return m[1]
	}
	if got := size("Short"); got != "13" {
		t.Errorf("short title at %spx, want 13", got)
	}
	long := "Verdict of every target (14 of 16 experiments pass, 2 with insufficient data)"
	got, err := strconv.ParseFloat(size(long), 64)
	if err != nil || got >= titleSize || got < minTitleSize {
		t.Errorf("long title at %vpx (%v), want below %d and at least %d", got, err, titleSize, minTitleSize)
	}
	if w := textStyle(vg.Length(got), true).Width(long); w > Width-2*margin {
		t.Errorf("long title %v wide, figure %v less margins", w, Width-2*margin)
	}
}
