package experiments

import (
	"fmt"
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

	"github.com/port0/port0/experiments/stats"
	"github.com/port0/port0/figures"
)

// writeTable writes results/experiment/name as CSV with the given header
// and rows.
func writeTable(t *testing.T, results, experiment, name string, head []string, rows ...[]string) {
	t.Helper()
	dir := filepath.Join(results, experiment)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range append([][]string{head}, rows...) {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// svgTextRE matches a text element of an SVG that gonum/plot writes.
var svgTextRE = regexp.MustCompile(`<text[^>]*>([^<]*)</text>`)

// drawnTexts runs a draw function of FigureSpecs on results/experiment
// and returns the texts of the SVG it writes.
func drawnTexts(t *testing.T, results, experiment string, draw func(dir, base string) error) []string {
	t.Helper()
	base := filepath.Join(t.TempDir(), "fig")
	if err := draw(filepath.Join(results, experiment), base); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(base + ".png"); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(base + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range svgTextRE.FindAllStringSubmatch(string(svg), -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// hasTexts fails t for each of want that texts lack.
func hasTexts(t *testing.T, texts []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(texts, w) {
			t.Errorf("no text %q in %q", w, texts)
		}
	}
}

// profileRows are the 24 rows of a profile.csv: all traffic flat at 100
// an hour, port-0 scanning 10 an hour but 100 at 01:00.
func profileRows() [][]string {
	var rows [][]string
	for h := range 24 {
		scan := 10
		if h == 1 {
			scan = 100
		}
		rows = append(rows, []string{strconv.Itoa(h), "100", strconv.Itoa(scan)})
	}
	return rows
}

// TestDiurnalDays checks the diurnal figure is given the number of days
// of the daily series beside it (0 without it), names the lines truly with
// their n, warns under figures.MinPatternDays days, and names a one-day
// burst inside the scanning line.
func TestDiurnalDays(t *testing.T) {
	res := t.TempDir()
	writeTable(t, res, "diurnal", "profile.csv", []string{"hour_utc", "all_packets", "port0_scan_packets"}, profileRows()...)
	all, scan, days, note, err := diurnalProfile(filepath.Join(res, "diurnal"))
	if err != nil {
		t.Fatal(err)
	}
	if days != 0 || note != "" || all[5] != 100 || scan[1] != 100 || colSum(scan[:]) != 330 {
		t.Errorf("without daily.csv: days %d, note %q, all %v, scan %v", days, note, all, scan)
	}
	texts := drawnTexts(t, res, "diurnal", drawDiurnal)
	hasTexts(t, texts, "number of days unknown: not drawn as a daily pattern",
		"all traffic, every packet (n = 2400 packets)", "port-0 scanning packets only (n = 330 packets)")

	head := []string{"day", "port0_packets", "port0_sources", "sport0_burst_packets"}
	writeTable(t, res, "daily-series", "daily.csv", head,
		[]string{"2016-01-01", "50", "3", "0"}, []string{"2016-01-02", "500", "4", "90"}, []string{"2016-01-03", "40", "2", "1"})
	_, _, days, note, err = diurnalProfile(filepath.Join(res, "diurnal"))
	if err != nil {
		t.Fatal(err)
	}
	wantNote := "the scanning line includes a one-day burst: 90 source-port-0 SYNs (27.3 %) on 2016-01-02"
	if days != 3 || note != wantNote {
		t.Errorf("with 3 days of daily.csv: days %d, note %q, want 3, %q", days, note, wantNote)
	}
	texts = drawnTexts(t, res, "diurnal", drawDiurnal)
	hasTexts(t, texts, "Packets by hour of day, summed over 3 days", "3 days: too few for a daily pattern", wantNote)

	var rows [][]string
	for i := range figures.MinPatternDays {
		rows = append(rows, []string{fmt.Sprintf("2016-01-%02d", i+1), "1", "1", "0"})
	}
	writeTable(t, res, "daily-series", "daily.csv", head, rows...)
	texts = drawnTexts(t, res, "diurnal", drawDiurnal)
	hasTexts(t, texts, fmt.Sprintf("Packets by hour of day, summed over %d days", figures.MinPatternDays))
	for _, s := range texts {
		if strings.Contains(s, "too few") || strings.Contains(s, "burst") {
			t.Errorf("%d days, no burst: %q", figures.MinPatternDays, s)
		}
	}
}

// sample draws n values of gen with a seeded generator.
func sample(seed uint64, n int, gen func(*rand.Rand) float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0))
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = gen(rng)
	}
	return xs
}

// TestSourceFitFollowsCompareFits checks the per-source figure draws the
// family stats.CompareFits prefers on the same data, with its parameters,
// over the tail x ≥ x_min as a fraction of all sources, and says when the
// two families cannot be told apart.
func TestSourceFitFollowsCompareFits(t *testing.T) {
	pareto := sample(1, 2000, func(r *rand.Rand) float64 { return math.Floor(math.Pow(1-r.Float64(), -1/1.5)) })
	lognormal := sample(9, 5000, func(r *rand.Rand) float64 { return math.Round(math.Exp(4 + 0.5*r.NormFloat64())) })
	for _, tc := range []struct {
		name string
		vols []float64
		want stats.Family
	}{{"pareto", pareto, stats.PowerLawFamily}, {"lognormal", lognormal, stats.LogNormalFamily}} {
		t.Run(tc.name, func(t *testing.T) {
			cmp := stats.CompareFits(tc.vols, 0)
			if cmp.Best != tc.want {
				t.Fatalf("the test's sample: CompareFits prefers %v, want %v", cmp.Best, tc.want)
			}
			fit, got := sourceFit(tc.vols)
			if got.Best != cmp.Best || got.PowerLaw != cmp.PowerLaw {
				t.Errorf("sourceFit compared %+v, CompareFits(vols, 0) %+v", got, cmp)
			}
			pl := cmp.PowerLaw
			var name string
			if cmp.Best == stats.PowerLawFamily {
				name = fmt.Sprintf("power law fitted to the %d sources ≥ x_min = %s: α = %.2f", pl.N, FormatNumber(pl.Xmin), pl.Alpha)
			} else {
				name = fmt.Sprintf("log-normal fitted to the %d sources ≥ x_min = %s: μ = %.2f, σ = %.2f", pl.N, FormatNumber(pl.Xmin), cmp.Mu, cmp.Sigma)
			}
			if fit.Name != name || fit.From != pl.Xmin || fit.CDF == nil {
				t.Errorf("fit %q from %v, want %q from %v", fit.Name, fit.From, name, pl.Xmin)
			}
			if tie := strings.Contains(fit.Note, "cannot be told apart"); tie != (cmp.P > 0.1) {
				t.Errorf("p = %v, note %q", cmp.P, fit.Note)
			}
			// Below x_min nothing; at x_min the share of sources below the
			// tail; far out all of them; and near the empirical CDF in the
			// tail.
			n := float64(len(tc.vols))
			if y := fit.CDF(pl.Xmin * 0.999); !math.IsNaN(y) {
				t.Errorf("CDF below x_min = %v, want NaN", y)
			}
			if y, want := fit.CDF(pl.Xmin), 1-float64(pl.N)/n; math.Abs(y-want) > 1e-12 {
				t.Errorf("CDF(x_min) = %v, want %v", y, want)
			}
			if y := fit.CDF(1e12); math.Abs(y-1) > 1e-3 {
				t.Errorf("CDF(1e12) = %v", y)
			}
			s := slices.Sorted(slices.Values(tc.vols))
			x := s[int(0.95*n)]
			below, _ := slices.BinarySearch(s, x)                               // values < x
			atMost, _ := slices.BinarySearch(s, math.Nextafter(x, math.Inf(1))) // values ≤ x
			if y, emp := fit.CDF(x), float64(below+atMost)/2/n; math.Abs(y-emp) > 0.03 {
				t.Errorf("CDF(%v) = %v, empirical %v", x, y, emp)
			}
		})
	}
	// Too few distinct values: no fit, and the legend says so.
	fit, cmp := sourceFit([]float64{3, 3, 3})
	if cmp.Best != stats.UnknownFamily || fit.CDF != nil || !strings.HasPrefix(fit.Name, "no power-law or log-normal fit") {
		t.Errorf("three equal values: %+v, best %v", fit, cmp.Best)
	}
}

// TestDrawSourceCDFAgrees draws per_source.csv and checks the legend names
// the fit that CompareFits prefers on the table's volumes.
func TestDrawSourceCDFAgrees(t *testing.T) {
	res := t.TempDir()
	vols := sample(3, 300, func(r *rand.Rand) float64 { return math.Floor(math.Pow(1-r.Float64(), -1/1.3)) })
	slices.Sort(vols)
	slices.Reverse(vols)
	var rows [][]string
	for i, v := range vols {
		rows = append(rows, []string{strconv.Itoa(i + 1), strconv.FormatFloat(v, 'f', -1, 64)})
	}
	writeTable(t, res, "source-concentration", "per_source.csv", []string{"rank", "packets"}, rows...)
	cmp := stats.CompareFits(vols, 0)
	if cmp.Best != stats.PowerLawFamily {
		t.Fatalf("the test's sample: %v", cmp.Best)
	}
	texts := drawnTexts(t, res, "source-concentration", drawSourceCDF)
	hasTexts(t, texts, "empirical (n = 300 sources)",
		fmt.Sprintf("power law fitted to the %d sources ≥ x_min = %s: α = %.2f", cmp.PowerLaw.N, FormatNumber(cmp.PowerLaw.Xmin), cmp.PowerLaw.Alpha))
}

// TestDrawTCPFlags checks the flag series (every other class against
// crafted-malformed, every combination) and the drawn top combinations
// plus "other".
func TestDrawTCPFlags(t *testing.T) {
	res := t.TempDir()
	rows := [][]string{{"scan", "S", "400"}, {"backscatter-to-0", "RA", "900"}, {"backscatter-to-0", "SA", "100"}}
	crafted := 0
	for i := range 30 {
		n := 1 + i%4
		crafted += n
		rows = append(rows, []string{"crafted-malformed", fmt.Sprintf("F%02d", i), strconv.Itoa(n)})
	}
	rows = append(rows, []string{"crafted-malformed", "S", "2"})
	crafted += 2
	writeTable(t, res, "tcp-flags", "flags.csv", []string{"class", "flags", "packets"}, rows...)
	keys, series, err := flagSeries(filepath.Join(res, "tcp-flags"))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 33 || len(series) != 2 || colSum(series[0].Values) != 1400 || colSum(series[1].Values) != float64(crafted) {
		t.Fatalf("%d combinations, series %+v", len(keys), series)
	}
	texts := drawnTexts(t, res, "tcp-flags", drawTCPFlags)
	// Other classes: S, RA, SA; crafted's top flagTop are 4s and 3s (F03,
	// F07, …), S among them only as a 2. Shown: 3 + flagTop; folded: 30 −
	// flagTop crafted combinations.
	hasTexts(t, texts,
		"every other class (n = 1400 packets, 3 combinations)",
		fmt.Sprintf("crafted-malformed (n = %d packets, 31 combinations)", crafted),
		fmt.Sprintf("other (%d combinations)", 30-flagTop), "S", "RA", "SA", "F03", "F07")
}

// TestDrawEvents checks the ≤ 3-packet rule is applied on the packets
// column of events.csv.
func TestDrawEvents(t *testing.T) {
	res := t.TempDir()
	head := []string{"victim", "class", "proto", "start", "duration_s", "packets", "peak_pps", "service_port", "estimated_attack_pps"}
	writeTable(t, res, "backscatter-events", "events.csv", head,
		[]string{"192.0.2.1", "backscatter-to-0", "tcp", "2016-01-01T00:00:00Z", "60", "2", "1", "80", "500"},
		[]string{"192.0.2.2", "backscatter-to-0", "tcp", "2016-01-01T00:00:00Z", "90", "3", "1", "80", "400"},
		[]string{"192.0.2.3", "backscatter-to-0", "tcp", "2016-01-01T00:00:00Z", "300", "4", "1", "80", "300"},
		[]string{"192.0.2.4", "backscatter-to-0", "tcp", "2016-01-01T00:00:00Z", "900", "40", "1", "80", "200"})
	texts := drawnTexts(t, res, "backscatter-events", drawEvents)
	hasTexts(t, texts, "Backscatter events (n = 4)",
		"2 events of ≤ 3 packets (duration and rate unreliable)", "2 events of > 3 packets")
}

// TestDrawSharesGiveN checks the share figures name each series' n: the
// classes' packets and sources, each tool's sources.
func TestDrawSharesGiveN(t *testing.T) {
	res := t.TempDir()
	writeTable(t, res, "purpose-classes", "classes.csv", []string{"class", "packets", "share", "sources"},
		[]string{"scan", "3100", "0.75", "31"}, []string{"fingerprint", "1000", "0.25", "5"}, []string{"other", "0", "0", "0"})
	hasTexts(t, drawnTexts(t, res, "purpose-classes", drawClasses), "packets (n = 4100)", "sources (n = 36)", "other")
	writeTable(t, res, "ttl-ipid", "ttl_ipid.csv", []string{"tool", "feature", "value", "sources"},
		[]string{"hping", "init_ttl", "64", "19"}, []string{"hping", "ip_id_pattern", "+1", "18"}, []string{"hping", "ip_id_pattern", "random", "1"},
		[]string{"zmap", "init_ttl", "255", "2"}, []string{"zmap", "init_ttl", "200", "5"}, []string{"zmap", "ip_id_pattern", "54321", "7"})
	hasTexts(t, drawnTexts(t, res, "ttl-ipid", drawInitTTL), "hping (n = 19)", "zmap (n = 7)", "32", "200")
	hasTexts(t, drawnTexts(t, res, "ttl-ipid", drawIPID), "hping (n = 19)", "zmap (n = 7)")
	writeTable(t, res, "origin-networks", "origin.csv", []string{"class", "hosting_sources", "other_sources", "hosting_packets", "other_packets"},
		[]string{"scan", "31", "0", "3100", "0"}, []string{"bittorrent", "2", "8", "651", "36"})
	hasTexts(t, drawnTexts(t, res, "origin-networks", drawOrigin), "hosting/cloud ASes (n = 33 sources)", "other ASes (n = 8 sources)")
}

// TestDrawAblationZeros checks every category of ablation.csv stays in the
// figure, its zeros written "0".
func TestDrawAblationZeros(t *testing.T) {
	res := t.TempDir()
	writeTable(t, res, "fragmentation-ablation", "ablation.csv", []string{"kind", "naive_flow", "packet_level"},
		[]string{"real port 0", "5777", "5777"}, []string{"ICMP type/code", "177059", "0"}, []string{"truncated", "0", "0"})
	texts := drawnTexts(t, res, "fragmentation-ablation", drawAblation)
	hasTexts(t, texts, "real port 0", "ICMP type/code", "truncated", "177059",
		"naive flow view, fragments as 0/0 (n = 182836)", "packet-level analyzer (n = 5777)")
	zeros := 0
	for _, s := range texts {
		if s == "0" {
			zeros++
		}
	}
	if zeros != 3 {
		t.Errorf("%d zeros written, want 3: %q", zeros, texts)
	}
}
