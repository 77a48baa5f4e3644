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

// figuresOf returns the names of the figures drawn from an experiment.
func figuresOf(experiment string) []string {
	var n []string
	for _, f := range FigureSpecs() {
		if f.Experiment == experiment {
			n = append(n, f.Name)
		}
	}
	return n
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
	fh, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		if _, perr := os.Stat(parquetOf(name)); perr == nil {
			head, rows, err := tables.ReadTextTable(parquetOf(name))
			if err != nil {
				return nil, err
			}
			return pick(parquetOf(name), head, rows, cols)
		}
	}
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	r := csv.NewReader(fh)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return pick(name, head, rows, cols)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		rows = append(rows, rec)
	}
}

// pick returns the named columns of rows (of the table name with header
// head).
func pick(name string, head []string, rows [][]string, cols []string) ([][]string, error) {
	idx := make([]int, len(cols))
	for i, c := range cols {
		if idx[i] = slices.Index(head, c); idx[i] < 0 {
			return nil, fmt.Errorf("%s: no column %q", name, c)
		}
	}
	out := make([][]string, len(rows))
	for r, rec := range rows {
		row := make([]string, len(cols))
		for i, j := range idx {
			row[i] = rec[j]
		}
		out[r] = row
	}
	return out, nil
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
	rows, err := column(name, append([]string{cat}, cols...)...)
	if err != nil {
		return nil, nil, err
	}
	cats := make([]string, len(rows))
	vals := make([][]float64, len(cols))
	for i, r := range rows {
		cats[i] = r[0]
		for j := range cols {
			x, err := num(name, r[j+1])
			if err != nil {
				return nil, nil, err
			}
			vals[j] = append(vals[j], x)
		}
	}
	return cats, vals, nil
}

// numbers reads the named numeric columns of a table.
func numbers(name string, cols ...string) ([][]float64, error) {
	_, v, err := categorySeries(name, cols[0], cols...)
	return v, err
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

func drawProtocolPosition(dir, base string) error {
	cats, v, err := categorySeries(filepath.Join(dir, "position_by_proto.csv"), "position", "tcp", "udp")
	if err != nil {
		return err
	}
	return figures.ProtocolPosition(base, cats, []figures.Series{{Name: "TCP", Values: v[0]}, {Name: "UDP", Values: v[1]}})
}

// flagBars is how many flag combinations the flag histogram shows.
const flagBars = 12

func drawTCPFlags(dir, base string) error {
	name := filepath.Join(dir, "flags.csv")
	rows, err := column(name, "class", "flags", "packets")
	if err != nil {
		return err
	}
	all := map[string]float64{}
	crafted := map[string]float64{}
	for _, r := range rows {
		n, err := num(name, r[2])
		if err != nil {
			return err
		}
		all[r[1]] += n
		if r[0] == label.Malformed.String() {
			crafted[r[1]] += n
		}
	}
	keys := sortedKeys(all)
	sort.SliceStable(keys, func(i, j int) bool { return all[keys[i]] > all[keys[j]] })
	keys = keys[:min(flagBars, len(keys))]
	c := figures.Series{Name: "crafted-malformed"}
	o := figures.Series{Name: "every other class"}
	for _, k := range keys {
		c.Values = append(c.Values, crafted[k])
		o.Values = append(o.Values, all[k]-crafted[k])
	}
	return figures.TCPFlags(base, keys, []figures.Series{o, c})
}

func drawClasses(dir, base string) error {
	cats, v, err := categorySeries(filepath.Join(dir, "classes.csv"), "class", "packets", "sources")
	if err != nil {
		return err
	}
	for _, col := range v {
		tot := 0.0
		for _, x := range col {
			tot += x
		}
		for i := range col {
			col[i] = 100 * share(col[i], tot)
		}
	}
	return figures.ClassShares(base, cats, []figures.Series{{Name: "packets", Values: v[0]}, {Name: "sources", Values: v[1]}})
}

func drawSourceCDF(dir, base string) error {
	v, err := numbers(filepath.Join(dir, "per_source.csv"), "packets")
	if err != nil {
		return err
	}
	vols := v[0]
	mu, sigma, _ := stats.FitLogNormal(vols)
	cdf := func(x float64) float64 {
		if x <= 0 {
			return 0
		}
		return 0.5 * math.Erfc(-(math.Log(x)-mu)/(sigma*math.Sqrt2))
	}
	return figures.SourceCDF(base, vols, fmt.Sprintf("log-normal fit (μ = %.2f, σ = %.2f)", mu, sigma), cdf)
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

// toolShares turns counts per tool and value into one series per tool of
// the share (%) of the tool's sources at each value.
func toolShares(tools, values []string, counts map[[2]string]float64) []figures.Series {
	var out []figures.Series
	for _, t := range tools {
		s := figures.Series{Name: t}
		tot := 0.0
		for _, v := range values {
			tot += counts[[2]string{t, v}]
		}
		for _, v := range values {
			s.Values = append(s.Values, 100*share(counts[[2]string{t, v}], tot))
		}
		out = append(out, s)
	}
	return out
}

func drawInitTTL(dir, base string) error {
	tools, _, counts, err := byTool(dir, "init_ttl")
	if err != nil {
		return err
	}
	values := []string{"32", "64", "128", "255"}
	return figures.InitialTTL(base, values, toolShares(tools, values, counts))
}

func drawIPID(dir, base string) error {
	tools, values, counts, err := byTool(dir, "ip_id_pattern")
	if err != nil {
		return err
	}
	return figures.IPIDPatterns(base, values, toolShares(tools, values, counts))
}

func drawOrigin(dir, base string) error {
	cats, v, err := categorySeries(filepath.Join(dir, "origin.csv"), "class", "hosting_sources", "other_sources")
	if err != nil {
		return err
	}
	return figures.Breakdown(base, "Origin networks of port-0 sources", "sources", cats,
		[]figures.Series{{Name: "hosting/cloud ASes", Values: v[0]}, {Name: "other ASes", Values: v[1]}})
}

func drawEvents(dir, base string) error {
	v, err := numbers(filepath.Join(dir, "events.csv"), "duration_s", "estimated_attack_pps")
	if err != nil {
		return err
	}
	return figures.BackscatterEvents(base, v[0], v[1])
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

func drawDiurnal(dir, base string) error {
	v, err := numbers(filepath.Join(dir, "profile.csv"), "hour_utc", "all_packets", "port0_scan_packets")
	if err != nil {
		return err
	}
	var all, scan [24]float64
	for i, h := range v[0] {
		if h < 0 || h > 23 {
			return fmt.Errorf("%s: hour %v outside 0–23", filepath.Join(dir, "profile.csv"), h)
		}
		all[int(h)] += v[1][i]
		scan[int(h)] += v[2][i]
	}
	return figures.Diurnal(base, scan, all)
}

func drawAblation(dir, base string) error {
	cats, v, err := categorySeries(filepath.Join(dir, "ablation.csv"), "kind", "naive_flow", "packet_level")
	if err != nil {
		return err
	}
	return figures.FragmentationAblation(base, cats, []figures.Series{
		{Name: "naive flow view (fragments as 0/0)", Values: v[0]}, {Name: "packet-level analyzer", Values: v[1]}})
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
