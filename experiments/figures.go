package experiments

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/port0/port0/experiments/stats"
	"github.com/port0/port0/figures"
	"github.com/port0/port0/label"
	"github.com/port0/port0/tables"
)

// FigureSpec is one figure of the study: the experiment whose tables it is
// drawn from, and how. Figures are drawn from the CSV tables alone (by
// DrawFigures, "port0 figures"), so a results folder can be redrawn, or
// compared with another run's, without regenerating the telescope.
type FigureSpec struct {
	// Name is the file name without extension: Name.png and Name.svg.
	Name string
	// Experiment is the experiment that writes the tables the figure reads.
	Experiment string
	// Tables are the tables it reads, relative to results/Experiment.
	Tables []string
	draw   func(dir, base string) error
}

// FigureSpecs lists every figure in report order.
func FigureSpecs() []FigureSpec {
	return []FigureSpec{
		{"daily", "daily-series", []string{"daily.csv"}, drawDaily},
		{"protocol_position", "protocol-position", []string{"position_by_proto.csv"}, drawProtocolPosition},
		{"tcp_flags", "tcp-flags", []string{"flags.csv"}, drawTCPFlags},
		{"classes", "purpose-classes", []string{"classes.csv"}, drawClasses},
		{"per_source_cdf", "source-concentration", []string{"per_source.csv"}, drawSourceCDF},
		{"init_ttl", "ttl-ipid", []string{"ttl_ipid.csv"}, drawInitTTL},
		{"ip_id", "ttl-ipid", []string{"ttl_ipid.csv"}, drawIPID},
		{"origin_networks", "origin-networks", []string{"origin.csv"}, drawOrigin},
		{"events", "backscatter-events", []string{"events.csv"}, drawEvents},
		{"probe_matrix", "fingerprinting", []string{"bundles.csv"}, drawProbeMatrix},
		{"scan_coverage", "scan-coverage", []string{"coverage.csv"}, drawScanCoverage},
		{"diurnal", "diurnal", []string{"profile.csv"}, drawDiurnal},
		{"ablation", "fragmentation-ablation", []string{"ablation.csv"}, drawAblation},
	}
}

// DrawFigures draws every figure whose experiment has run into results,
// as out/NAME.png and out/NAME.svg, and returns the names drawn. A figure
// whose experiment has not run (no tables: "port0 experiments -only …")
// is skipped; a table that is there but cannot be read is an error naming
// the file. progress, when not nil, gets a line per figure.
func DrawFigures(results, out string, progress io.Writer) ([]string, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	var drawn []string
	for _, f := range FigureSpecs() {
		dir := filepath.Join(results, f.Experiment)
		if !tableExists(filepath.Join(dir, f.Tables[0])) {
			continue
		}
		if err := f.draw(dir, filepath.Join(out, f.Name)); err != nil {
			return drawn, fmt.Errorf("figure %s: %w", f.Name, err)
		}
		if progress != nil {
			fmt.Fprintf(progress, "figures: %s.png, %s.svg (from %s)\n", f.Name, f.Name, filepath.ToSlash(filepath.Join(f.Experiment, strings.Join(f.Tables, ", "))))
		}
		drawn = append(drawn, f.Name)
	}
	if len(drawn) == 0 {
		return nil, fmt.Errorf("no experiment tables under %s: run port0 experiments -out %s first", results, results)
	}
	if _, err := os.Stat(filepath.Join(results, "run.json")); err == nil {
		rs, _, err := LoadResults(results)
		if err != nil {
			return drawn, fmt.Errorf("figure %s: %w", VerdictFigure, err)
		}
		if Observed(rs) {
			// The verdict matrix is of pass and FAIL, a generated
			// telescope's; the user's data have comparisons, tallied
			// in REPORT.md.
			return drawn, nil
		}
		if err := DrawVerdicts(filepath.Join(out, VerdictFigure), rs); err != nil {
			return drawn, fmt.Errorf("figure %s: %w", VerdictFigure, err)
		}
		if progress != nil {
			fmt.Fprintf(progress, "figures: %s.png, %s.svg (from */result.json)\n", VerdictFigure, VerdictFigure)
		}
		drawn = append(drawn, VerdictFigure)
	}
	return drawn, nil
}

// VerdictFigure is the name of the figure of a run's verdicts, drawn
// beside the experiments' figures.
const VerdictFigure = "verdicts"

// CellOf is a verdict as a cell of figures.VerdictMatrix.
func CellOf(v Verdict) int {
	switch v {
	case Pass:
		return figures.CellPass
	case Insufficient:
		return figures.CellInsufficient
	}
	return figures.CellFail
}

// DrawVerdicts draws base.png and base.svg: one row per experiment of rs,
// one column per target (in each experiment's order), coloured by verdict.
func DrawVerdicts(base string, rs []*Result) error {
	width := 0
	for _, r := range rs {
		width = max(width, len(r.Targets))
	}
	var rows, cols []string
	cells := make([][]int, len(rs))
	for i, r := range rs {
		rows = append(rows, r.Name)
		cells[i] = make([]int, width)
		for j := range cells[i] {
			cells[i][j] = figures.CellNone
		}
		for j, t := range r.Targets {
			cells[i][j] = CellOf(t.Verdict())
		}
	}
	for j := range width {
		cols = append(cols, strconv.Itoa(j+1))
	}
	return figures.VerdictMatrix(base, "Verdict of every target ("+Tally(rs)+")", "target (in the experiment's order, REPORT.md)", rows, cols, cells)
}

// parquetOf is the Parquet file of the experiments' CSV table name.
func parquetOf(name string) string { return strings.TrimSuffix(name, ".csv") + ".parquet" }

// tableExists says whether the experiments' table name (NAME.csv) is
// there, as CSV or as Parquet.
func tableExists(name string) bool {
	for _, n := range []string{name, parquetOf(name)} {
		if _, err := os.Stat(n); err == nil {
			return true
		}
	}
	return false
}

// column reads the named columns of one of the experiments' tables
// (those WriteTable writes: name, NAME.csv, or else NAME.parquet), one
// []string per row.
func column(name string, cols ...string) ([][]string, error) {
	var rows [][]string
	err := eachRow(name, cols, func(row []string) error {
		rows = append(rows, slices.Clone(row))
		return nil
	})
	return rows, err
}

// eachRow calls fn with the named columns of each row of a table that
// column reads, one row at a time: fn must not keep row.
func eachRow(name string, cols []string, fn func(row []string) error) error {
	var idx []int
	row := make([]string, len(cols))
	pick := func(rec []string) error {
		for i, j := range idx {
			row[i] = rec[j]
		}
		return fn(row)
	}
	fh, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		if pq := parquetOf(name); tableExists(pq) {
			head, err := tables.TextColumns(pq)
			if err != nil {
				return err
			}
			if idx, err = columnIndex(pq, head, cols); err != nil {
				return err
			}
			return tables.EachText(pq, func(_, rec []string) error { return pick(rec) })
		}
	}
	if err != nil {
		return err
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if idx, err = columnIndex(name, head, cols); err != nil {
		return err
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := pick(rec); err != nil {
			return err
		}
	}
}

// columnIndex finds the named columns in the header of the table file.
func columnIndex(file string, head, cols []string) ([]int, error) {
	idx := make([]int, len(cols))
	for i, c := range cols {
		if idx[i] = slices.Index(head, c); idx[i] < 0 {
			return nil, fmt.Errorf("%s: no column %q", file, c)
		}
	}
	return idx, nil
}

// num parses a table number; the tables are written by this package, so a
// bad one is reported with its file.
func num(file, s string) (float64, error) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a number", file, s)
	}
	return x, nil
}

// categorySeries reads a table's text column cat and its numeric
// columns cols: the categories, and one value slice per column.
func categorySeries(name, cat string, cols ...string) ([]string, [][]float64, error) {
	var cats []string
	vals := make([][]float64, len(cols))
	err := eachRow(name, append([]string{cat}, cols...), func(r []string) error {
		cats = append(cats, strings.Clone(r[0]))
		for j := range cols {
			x, err := num(name, r[j+1])
			if err != nil {
				return err
			}
			vals[j] = append(vals[j], x)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return cats, vals, nil
}

// numbers reads the named numeric columns of a table.
func numbers(name string, cols ...string) ([][]float64, error) {
	vals := make([][]float64, len(cols))
	err := eachRow(name, cols, func(r []string) error {
		for j := range cols {
			x, err := num(name, r[j])
			if err != nil {
				return err
			}
			vals[j] = append(vals[j], x)
		}
		return nil
	})
	return vals, err
}

func drawDaily(dir, base string) error {
	name := filepath.Join(dir, "daily.csv")
	cats, v, err := categorySeries(name, "day", "port0_packets", "port0_sources")
	if err != nil {
		return err
	}
	days := make([]time.Time, len(cats))
	for i, c := range cats {
		if days[i], err = time.Parse(time.DateOnly, c); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return figures.DailyPort0(base, days, v[0], v[1])
}

// drawProtocolPosition draws the packets by protocol and position of
// port 0; figures.ProtocolPosition gives each protocol's n.
func drawProtocolPosition(dir, base string) error {
	cats, v, err := categorySeries(filepath.Join(dir, "position_by_proto.csv"), "position", "tcp", "udp")
	if err != nil {
		return err
	}
	return figures.ProtocolPosition(base, cats, []figures.Series{{Name: "TCP", Values: v[0]}, {Name: "UDP", Values: v[1]}})
}

// flagTop is how many of the most common flag combinations of each series
// the flag histogram shows; the rest of each series is one "other" bar.
const flagTop = 8

// flagSeries reads flags.csv as every flag combination seen (in name
// order) with two series, the packets of every class but crafted-malformed
// and those of crafted-malformed, for figures.TCPFlags to fold into its
// top combinations and "other".
func flagSeries(dir string) ([]string, []figures.Series, error) {
	name := filepath.Join(dir, "flags.csv")
	rows, err := column(name, "class", "flags", "packets")
	if err != nil {
		return nil, nil, err
	}
	all := map[string]float64{}
	crafted := map[string]float64{}
	for _, r := range rows {
		n, err := num(name, r[2])
		if err != nil {
			return nil, nil, err
		}
		all[r[1]] += n
		if r[0] == label.Malformed.String() {
			crafted[r[1]] += n
		}
	}
	keys := sortedKeys(all)
	o := figures.Series{Name: "every other class"}
	c := figures.Series{Name: label.Malformed.String()}
	for _, k := range keys {
		o.Values = append(o.Values, all[k]-crafted[k])
		c.Values = append(c.Values, crafted[k])
	}
	return keys, []figures.Series{o, c}, nil
}

// drawTCPFlags draws the flag combinations: the flagTop most common of
// each series and one "other" bar per series summing the rest, so that
// the crafted class's spread over many rare combinations shows.
func drawTCPFlags(dir, base string) error {
	keys, series, err := flagSeries(dir)
	if err != nil {
		return err
	}
	return figures.TCPFlags(base, keys, series, flagTop)
}

// drawClasses draws each class's share of the packets and of the
// sources; figures.ClassShares turns the counts into shares and gives
// each series' n.
func drawClasses(dir, base string) error {
	cats, v, err := categorySeries(filepath.Join(dir, "classes.csv"), "class", "packets", "sources")
	if err != nil {
		return err
	}
	return figures.ClassShares(base, cats, []figures.Series{{Name: "packets", Values: v[0]}, {Name: "sources", Values: v[1]}})
}

// sourceFit is the fit drawn over the per-source CDF: the family that
// stats.CompareFits(vols, 0) prefers, the same call as the
// source-concentration experiment's report makes on the same volumes, so
// that figure and report agree. Both families are fitted to the tail x ≥
// x_min only, so the line is drawn over the tail, as the fraction of all
// sources: (1 − N/n) below the tail plus N/n times the fitted CDF of the
// tail, n being the sources with packets and N those in the tail. The
// returned comparison is CompareFits' result.
func sourceFit(vols []float64) (figures.Fit, stats.Comparison) {
	cmp := stats.CompareFits(vols, 0)
	pl := cmp.PowerLaw
	n := 0
	for _, v := range vols {
		if v > 0 && !math.IsInf(v, 1) {
			n++
		}
	}
	if cmp.Best == stats.UnknownFamily || n == 0 {
		return figures.Fit{Name: "no power-law or log-normal fit (too few distinct values)"}, cmp
	}
	tail := float64(pl.N) / float64(n)
	below := 1 - tail
	fit := figures.Fit{From: pl.Xmin}
	switch cmp.Best {
	case stats.PowerLawFamily:
		a := pl.Alpha
		fit.Name = fmt.Sprintf("power law fitted to the %d sources ≥ x_min = %s: α = %.2f", pl.N, FormatNumber(pl.Xmin), a)
		fit.CDF = func(x float64) float64 {
			if x < pl.Xmin {
				return math.NaN()
			}
			return below + tail*(1-math.Pow(x/pl.Xmin, 1-a))
		}
	case stats.LogNormalFamily:
		mu, sigma := cmp.Mu, cmp.Sigma
		upper := func(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) } // 1 − Φ(z)
		qa := upper((math.Log(pl.Xmin) - mu) / sigma)
		fit.Name = fmt.Sprintf("log-normal fitted to the %d sources ≥ x_min = %s: μ = %.2f, σ = %.2f", pl.N, FormatNumber(pl.Xmin), mu, sigma)
		fit.CDF = func(x float64) float64 {
			if x < pl.Xmin {
				return math.NaN()
			}
			return below + tail*(qa-upper((math.Log(x)-mu)/sigma))/qa
		}
	}
	other := "log-normal"
	if cmp.Best == stats.LogNormalFamily {
		other = "power law"
	}
	switch {
	case math.IsNaN(cmp.P):
		fit.Note = fmt.Sprintf("no Vuong p-value against a %s: the two cannot be told apart", other)
	case cmp.P > 0.1:
		fit.Note = fmt.Sprintf("a %s fits as well: Vuong p = %.2f > 0.1, the two cannot be told apart", other, cmp.P)
	default:
		fit.Note = fmt.Sprintf("fits better than a %s (Vuong p = %.3f)", other, cmp.P)
	}
	return fit, cmp
}

// drawSourceCDF draws the per-source CDF with the fit of sourceFit.
func drawSourceCDF(dir, base string) error {
	v, err := numbers(filepath.Join(dir, "per_source.csv"), "packets")
	if err != nil {
		return err
	}
	fit, _ := sourceFit(v[0])
	return figures.SourceCDF(base, v[0], fit)
}

// byTool reads ttl_ipid.csv's rows of one feature as counts per tool and
// value, with the tools and values in a fixed order.
func byTool(dir, feature string) (tools, values []string, counts map[[2]string]float64, err error) {
	name := filepath.Join(dir, "ttl_ipid.csv")
	rows, err := column(name, "tool", "feature", "value", "sources")
	if err != nil {
		return nil, nil, nil, err
	}
	counts = map[[2]string]float64{}
	seenT, seenV := map[string]bool{}, map[string]bool{}
	for _, r := range rows {
		if r[1] != feature {
			continue
		}
		n, err := num(name, r[3])
		if err != nil {
			return nil, nil, nil, err
		}
		counts[[2]string{r[0], r[2]}] += n
		seenT[r[0]], seenV[r[2]] = true, true
	}
	return sortedKeys(seenT), sortedKeys(seenV), counts, nil
}

// toolCounts turns counts per tool and value into one series per tool of
// its sources at each value (figures.InitialTTL and IPIDPatterns draw
// them as shares and give each tool's n).
func toolCounts(tools, values []string, counts map[[2]string]float64) []figures.Series {
	var out []figures.Series
	for _, t := range tools {
		s := figures.Series{Name: t}
		for _, v := range values {
			s.Values = append(s.Values, counts[[2]string{t, v}])
		}
		out = append(out, s)
	}
	return out
}

// ttlValues are the initial TTLs the TTL figure always shows.
var ttlValues = []string{"32", "64", "128", "255"}

// drawInitTTL draws each tool's share of sources per initial TTL: the
// usual four values, and any other seen (so that each tool's n counts all
// its sources).
func drawInitTTL(dir, base string) error {
	tools, seen, counts, err := byTool(dir, "init_ttl")
	if err != nil {
		return err
	}
	values := slices.Clone(ttlValues)
	for _, v := range seen {
		if !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	sort.SliceStable(values, func(i, j int) bool {
		a, ea := strconv.Atoi(values[i])
		b, eb := strconv.Atoi(values[j])
		if ea != nil || eb != nil {
			return ea == nil || (eb != nil && values[i] < values[j])
		}
		return a < b
	})
	return figures.InitialTTL(base, values, toolCounts(tools, values, counts))
}

// drawIPID draws each tool's share of sources per IP-ID pattern.
func drawIPID(dir, base string) error {
	tools, values, counts, err := byTool(dir, "ip_id_pattern")
	if err != nil {
		return err
	}
	return figures.IPIDPatterns(base, values, toolCounts(tools, values, counts))
}

// drawOrigin draws the sources of each class by the kind of AS they come
// from, with each kind's n in the legend.
func drawOrigin(dir, base string) error {
	cats, v, err := categorySeries(filepath.Join(dir, "origin.csv"), "class", "hosting_sources", "other_sources")
	if err != nil {
		return err
	}
	return figures.Breakdown(base, "Origin networks of port-0 sources", "sources", cats,
		[]figures.Series{{Name: fmt.Sprintf("hosting/cloud ASes (n = %s sources)", FormatNumber(colSum(v[0]))), Values: v[0]},
			{Name: fmt.Sprintf("other ASes (n = %s sources)", FormatNumber(colSum(v[1]))), Values: v[1]}})
}

// drawEvents draws the backscatter events; figures.BackscatterEvents
// sets apart those of at most figures.FewEventPackets packets, whose
// duration and rate are unreliable.
func drawEvents(dir, base string) error {
	v, err := numbers(filepath.Join(dir, "events.csv"), "duration_s", "estimated_attack_pps", "packets")
	if err != nil {
		return err
	}
	return figures.BackscatterEvents(base, v[0], v[1], v[2])
}

// probeColumns are the probe shapes of the probe matrix, in order.
var probeColumns = []string{"P1", "P2", "P3/P4", "P5", "P6", "P7", "T2", "T3", "T4", "T5", "T6", "T7"}

func drawProbeMatrix(dir, base string) error {
	rows, err := column(filepath.Join(dir, "bundles.csv"), "src", "probes")
	if err != nil {
		return err
	}
	per := map[string][]float64{}
	for _, r := range rows {
		if per[r[0]] == nil {
			per[r[0]] = make([]float64, len(probeColumns))
		}
		for i, p := range probeColumns {
			if containsWord(r[1], p) {
				per[r[0]][i]++
			}
		}
	}
	srcs := sortedKeys(per)
	sortAddrs(srcs)
	m := make([][]float64, len(srcs))
	for i, s := range srcs {
		m[i] = per[s]
	}
	return figures.ProbeMatrix(base, srcs, probeColumns, m)
}

func drawScanCoverage(dir, base string) error {
	v, err := numbers(filepath.Join(dir, "coverage.csv"), "coverage_pct")
	if err != nil {
		return err
	}
	return figures.ScanCoverage(base, v[0])
}

// diurnalProfile reads the hourly profile of profile.csv (in dir,
// results/diurnal) and what the daily series beside it
// (results/daily-series/daily.csv) says of it: the number of days the
// profile is summed over (daily.csv has one row a day of the capture, the
// days the profile sums; 0, unknown, when the table is not there), and a
// note on the largest one-day burst of source-port-0 SYNs, which are
// port-0 scanning packets and so inside the scanning line: one day's
// burst makes a peak in a profile summed over years, and the note says so
// when that day holds at least burstNoteShare of the line's packets.
func diurnalProfile(dir string) (all, scan [24]float64, days int, note string, err error) {
	name := filepath.Join(dir, "profile.csv")
	v, err := numbers(name, "hour_utc", "all_packets", "port0_scan_packets")
	if err != nil {
		return all, scan, 0, "", err
	}
	for i, h := range v[0] {
		if h < 0 || h > 23 || h != math.Trunc(h) {
			return all, scan, 0, "", fmt.Errorf("%s: hour %v outside 0–23", name, h)
		}
		all[int(h)] += v[1][i]
		scan[int(h)] += v[2][i]
	}
	daily := filepath.Join(filepath.Dir(dir), "daily-series", "daily.csv")
	if !tableExists(daily) {
		return all, scan, 0, "", nil
	}
	rows, err := column(daily, "day")
	if err != nil {
		return all, scan, 0, "", err
	}
	days = len(rows)
	burst, err := column(daily, "day", "sport0_burst_packets")
	if err != nil {
		return all, scan, days, "", nil // an older table without the column: no note
	}
	peak, peakDay := 0.0, ""
	for _, r := range burst {
		n, err := num(daily, r[1])
		if err != nil {
			return all, scan, 0, "", err
		}
		if n > peak {
			peak, peakDay = n, r[0]
		}
	}
	if tot := colSum(scan[:]); tot > 0 && peak >= burstNoteShare*tot {
		note = fmt.Sprintf("the scanning line includes a one-day burst: %s source-port-0 SYNs (%.1f %%) on %s", FormatNumber(peak), 100*peak/tot, peakDay)
	}
	return all, scan, days, note, nil
}

// burstNoteShare is the share of the scanning line's packets from which
// the diurnal figure names the largest one-day burst inside it.
const burstNoteShare = 0.01

// drawDiurnal draws the hourly profile of all traffic and of port-0
// scanning, saying how many days it sums (figures.Diurnal does not draw
// fewer than figures.MinPatternDays as a cycle) and naming a one-day
// burst inside the scanning line.
func drawDiurnal(dir, base string) error {
	all, scan, days, note, err := diurnalProfile(dir)
	if err != nil {
		return err
	}
	return figures.Diurnal(base, all, scan, days, note)
}

// drawAblation draws the naive flow view's port-0 counts against the
// packet-level analyzer's, every count (0 too) written on its bar.
func drawAblation(dir, base string) error {
	cats, v, err := categorySeries(filepath.Join(dir, "ablation.csv"), "kind", "naive_flow", "packet_level")
	if err != nil {
		return err
	}
	return figures.FragmentationAblation(base, cats, []figures.Series{
		{Name: fmt.Sprintf("naive flow view, fragments as 0/0 (n = %s)", FormatNumber(colSum(v[0]))), Values: v[0]},
		{Name: fmt.Sprintf("packet-level analyzer (n = %s)", FormatNumber(colSum(v[1]))), Values: v[1]}})
}

// colSum is the sum of a table column's values.
func colSum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

// sortAddrs sorts address strings by address (unparsable ones last, by text).
func sortAddrs(s []string) {
	sort.SliceStable(s, func(i, j int) bool {
		a, ea := netip.ParseAddr(s[i])
		b, eb := netip.ParseAddr(s[j])
		if ea != nil || eb != nil {
			return ea == nil || (eb != nil && s[i] < s[j])
		}
		return a.Less(b)
	})
}
