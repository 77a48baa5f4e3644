package figures

import (
	"bytes"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
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
		return TCPFlags(base, []string{"S", "SA", "RA", "FPU", "SF", "none"}, []Series{
			{Name: "scan and backscatter", Values: []float64{2700, 760, 300, 0, 0, math.NaN()}},
			{Name: "crafted-malformed", Values: []float64{6, 5, 4, 5, 6, 1}},
		})
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
	var dur, rate []float64
	for range 400 {
		dur = append(dur, math.Exp(4+1.5*rng.NormFloat64()))
		rate = append(rate, math.Exp(2+2*rng.NormFloat64()))
	}
	dur = append(dur, 0)
	rate = append(rate, 5)
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
				[]string{"SYN", "SYN+ACK", "RST", "RST+ACK", "ACK", "FIN+ACK", "NULL", "FIN+PSH+URG", "SYN+ECE+CWR", "other"},
				[]Series{{Name: "packets", Values: []float64{52000, 13000, 9000, 21000, 3000, 800, 150, 120, 2400, 90}}})
		}},
		{"class_shares", func(b string) error {
			return ClassShares(b,
				[]string{"backscatter", "fingerprinting", "scanning", "misconfiguration", "fragments", "unknown"},
				[]Series{
					{Name: "packets", Values: []float64{46, 12, 20, 8, 9, 5}},
					{Name: "sources", Values: []float64{60, 3, 25, 6, 2, 4}},
				})
		}},
		{"initial_ttl", func(b string) error {
			return InitialTTL(b, []string{"32", "64", "128", "255"}, []Series{
				{Name: "port-0 sources", Values: []float64{2, 61, 30, 7}},
				{Name: "ordinary scanners", Values: []float64{1, 70, 20, 9}},
			})
		}},
		{"ipid", func(b string) error {
			return IPIDPatterns(b, []string{"zero", "constant", "incremental", "byte-swapped", "random"}, []Series{
				{Name: "port-0 sources", Values: []float64{22, 8, 41, 4, 25}},
			})
		}},
		{"fragmentation", func(b string) error {
			return FragmentationAblation(b, []string{"TCP", "UDP", "non-first fragments", "first fragments"}, []Series{
				{Name: "naive flow", Values: []float64{31000, 45000, 18000, 9000}},
				{Name: "packet-level", Values: []float64{30500, 26000, 0, 2100}},
			})
		}},
		{"source_cdf", func(b string) error {
			return SourceCDF(b, perSource, "Pareto fit, α = 1.2", func(x float64) float64 {
				return 1 - math.Pow(x, -1.2)
			})
		}},
		{"backscatter", func(b string) error { return BackscatterEvents(b, dur, rate) }},
		{"probe_matrix", func(b string) error { return ProbeMatrix(b, sources, probes, counts) }},
		{"scan_coverage", func(b string) error { return ScanCoverage(b, cov) }},
		{"diurnal", func(b string) error { return Diurnal(b, d0, d1) }},
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
	{"tcp_flags", func(b string) error { return TCPFlags(b, nil, nil) }},
	{"class_shares", func(b string) error { return ClassShares(b, []string{"a"}, nil) }},
	{"initial_ttl", func(b string) error { return InitialTTL(b, nil, []Series{{Name: "x"}}) }},
	{"ipid", func(b string) error { return IPIDPatterns(b, nil, nil) }},
	{"fragmentation", func(b string) error { return FragmentationAblation(b, nil, nil) }},
	{"bars_nan", func(b string) error {
		return Breakdown(b, "t", "y", []string{"a", "b"}, []Series{{Values: []float64{math.NaN(), math.Inf(-1)}}})
	}},
	{"source_cdf", func(b string) error { return SourceCDF(b, nil, "", nil) }},
	{"source_cdf_zeros", func(b string) error {
		return SourceCDF(b, []float64{0, -1, math.NaN()}, "fit", func(float64) float64 { return math.NaN() })
	}},
	{"source_cdf_one", func(b string) error { return SourceCDF(b, []float64{3}, "fit", func(float64) float64 { return 2 }) }},
	{"backscatter", func(b string) error { return BackscatterEvents(b, nil, nil) }},
	{"backscatter_zeros", func(b string) error { return BackscatterEvents(b, []float64{0, 1}, []float64{1, math.Inf(1)}) }},
	{"probe_matrix", func(b string) error { return ProbeMatrix(b, nil, nil, nil) }},
	{"probe_matrix_no_probes", func(b string) error { return ProbeMatrix(b, []string{"a"}, nil, [][]float64{{}}) }},
	{"probe_matrix_one", func(b string) error { return ProbeMatrix(b, []string{"a"}, []string{"p"}, [][]float64{{0}}) }},
	{"scan_coverage", func(b string) error { return ScanCoverage(b, nil) }},
	{"scan_coverage_zeros", func(b string) error { return ScanCoverage(b, []float64{0, math.NaN()}) }},
	{"diurnal", func(b string) error { return Diurnal(b, [24]float64{}, [24]float64{}) }},
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
		{"backscatter", func(b string) error { return BackscatterEvents(b, []float64{1}, nil) }},
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
