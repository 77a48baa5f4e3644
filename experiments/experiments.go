package experiments

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/port0/port0/tables"
)

// Target is one checkable claim of an experiment.
type Target struct {
	// What is measured, and where the expected value comes from (a
	// citation from docs/BACKGROUND.md or the scenario parameter it should
	// recover).
	What, Source string
	// Lo and Hi bound the accepted values (inclusive); ±Inf for one-sided.
	Lo, Hi float64
	// Measured is the value found, with a 95 % interval when one applies:
	// Interval is set, or (for the targets that predate it) CILo and
	// CIHi are not both 0.
	Measured   float64
	CILo, CIHi float64
	Interval   bool
	// Unit for printing ("%", "packets", ...).
	Unit string
	// Kind says what the target is held against: a claim about generated
	// data (Check, the zero value) or a published finding set beside the
	// user's data (Compare).
	Kind Kind
	// Sampling says how the statistic behaves with its sample: an exact
	// count, a share of N draws, an estimator corrected for small samples,
	// and what N counts.
	Sampling string
	// N is the size of the sample the measurement rests on, in the units
	// Sampling names; MinN is the fewest that can decide the target (0:
	// any sample decides, as for an exact consistency check). Below MinN
	// the verdict is Insufficient, whatever the value.
	N, MinN float64
}

// Kind is what a target is held against.
type Kind uint8

// The kinds of target. A Check is a claim about a generated telescope,
// whose scenario and truth are known: it passes or fails. A Compare sets a
// finding published about port-0 traffic (the paper, the measurements
// around it) beside what the user's own capture shows: the capture is
// consistent with it or differs from it; nothing is judged against a
// scenario the user did not give.
const (
	Check Kind = iota
	Compare
)

// Verdict is what a target's measurement says about it.
type Verdict uint8

// The verdicts. Pass and Fail are a Check's; Consistent and Differs a
// Compare's. Fail (Differs) means the data contradict the target (the
// finding); Insufficient means the sample is too small to tell, or its
// 95 % interval straddles a bound of the accepted range (never a Fail,
// never a silent Pass).
const (
	Pass Verdict = iota
	Insufficient
	Fail
	Consistent
	Differs
)

var verdictNames = [...]string{"pass", "insufficient", "FAIL", "consistent", "differs"}

// String is the verdict's word in the report, result.json and the sweep.
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "verdict(" + strconv.Itoa(int(v)) + ")"
}

// ParseVerdict reads a verdict's word back.
func ParseVerdict(s string) (Verdict, error) {
	for i, n := range verdictNames {
		if s == n {
			return Verdict(i), nil
		}
	}
	return 0, fmt.Errorf("unknown verdict %q (want pass, insufficient, FAIL, consistent or differs)", s)
}

// Sufficient reports whether the sample is large enough to decide.
func (t Target) Sufficient() bool { return t.MinN <= 0 || t.N >= t.MinN }

// HasInterval reports whether the target carries a 95 % interval (else
// its measurement is a point estimate).
func (t Target) HasInterval() bool { return t.Interval || t.CILo != 0 || t.CIHi != 0 }

// Verdict is Insufficient when the sample is smaller than MinN. Otherwise
// a target with an interval passes (is consistent) only when the whole
// interval lies within [Lo, Hi], fails (differs) when the whole interval
// lies outside, and is Insufficient when it straddles a bound; a target
// without one (a point estimate: an exact count, a ratio of counts) passes
// when the measurement lies within [Lo, Hi], else fails.
func (t Target) Verdict() Verdict {
	ok, bad := Pass, Fail
	if t.Kind == Compare {
		ok, bad = Consistent, Differs
	}
	if !t.Sufficient() || math.IsNaN(t.Measured) {
		if t.Sufficient() && t.Kind == Check {
			return Fail // a check that measured nothing
		}
		return Insufficient
	}
	lo, hi := t.Measured, t.Measured
	if t.HasInterval() {
		lo, hi = min(t.CILo, t.Measured), max(t.CIHi, t.Measured)
	}
	switch {
	case lo >= t.Lo && hi <= t.Hi:
		return ok
	case hi < t.Lo || lo > t.Hi:
		return bad
	}
	return Insufficient
}

// straddles reports whether the target is insufficient only because its
// interval straddles a bound of the accepted range.
func (t Target) straddles() bool {
	return t.Sufficient() && !math.IsNaN(t.Measured) && t.Verdict() == Insufficient
}

// VerdictText is the verdict as the report prints it: an insufficient
// sample says its size and what it needs, or that its interval straddles
// a bound.
func (t Target) VerdictText() string {
	v := t.Verdict()
	switch {
	case v != Insufficient:
		return v.String()
	case t.straddles():
		return "insufficient data (the 95 % interval straddles a bound)"
	case math.IsNaN(t.Measured) && t.Sufficient():
		return "insufficient data (nothing to measure)"
	}
	return fmt.Sprintf("insufficient data (n = %s, needs ≥ %s)", FormatNumber(t.N), FormatNumber(t.MinN))
}

// Result is what one experiment found.
type Result struct {
	Name, Title string
	// Reproduces says which analysis of the paper this is.
	Reproduces string
	// Observed is set when the experiment ran on the user's own data
	// (LoadObserved): its targets are comparisons (Compare), not checks.
	Observed bool
	// Notes are free text for the report.
	Notes []string
	// NeedsTruth lists the checks of this analysis that need the
	// generator's ground truth and so were not run on the user's data.
	NeedsTruth []string
	// Tables and Figures are paths relative to the results folder.
	Tables, Figures []string
	Targets         []Target
}

// Verdict is Fail (Differs) when a target fails (differs), else
// Insufficient when a target's sample cannot decide it, else Pass
// (Consistent, for the user's data).
func (r *Result) Verdict() Verdict {
	v := Pass
	if r.Observed {
		v = Consistent
	}
	for _, t := range r.Targets {
		switch tv := t.Verdict(); tv {
		case Fail, Differs:
			return tv
		case Insufficient:
			v = Insufficient
		}
	}
	return v
}

// Count is how many of rs have each verdict; the user's data never fail
// (a finding that differs is not a failure).
func Count(rs []*Result) (pass, insufficient, fail int) {
	for _, r := range rs {
		switch r.Verdict() {
		case Pass, Consistent, Differs:
			pass++
		case Insufficient:
			insufficient++
		default:
			fail++
		}
	}
	return
}

// Findings counts the comparisons of rs (the user's data) by verdict, and
// the analyses that have none (nothing published to set beside them).
func Findings(rs []*Result) (consistent, differs, insufficient, none int) {
	for _, r := range rs {
		if len(r.Targets) == 0 {
			none++
		}
		for _, t := range r.Targets {
			switch t.Verdict() {
			case Consistent:
				consistent++
			case Differs:
				differs++
			default:
				insufficient++
			}
		}
	}
	return
}

// Observed reports whether rs ran on the user's own data.
func Observed(rs []*Result) bool { return len(rs) > 0 && rs[0].Observed }

// Tally is the one-line account of rs, as the CLI and the report print it:
// "16 of 16 experiments pass", with the insufficient and failing ones named
// when there are any; for the user's data, the findings compared.
func Tally(rs []*Result) string {
	if Observed(rs) {
		c, d, i, none := Findings(rs)
		return fmt.Sprintf("%d analyses: %d published %s consistent with this capture, %d %s, %d with insufficient data; %d %s nothing published to compare",
			len(rs), c, plural(c, "finding", "findings"), d, plural(d, "differs", "differ"), i, none, plural(none, "analysis has", "analyses have"))
	}
	p, i, f := Count(rs)
	s := fmt.Sprintf("%d of %d experiments pass", p, len(rs))
	if i > 0 {
		s += fmt.Sprintf(", %d with insufficient data", i)
	}
	if f > 0 {
		s += fmt.Sprintf(", %d FAIL", f)
	}
	return s
}

// plural is one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Experiment is one named analysis.
type Experiment struct {
	Name, Title, Reproduces string
	Run                     func(e *Env, r *Result) error
}

// Env is what an experiment works from: the run's folders, the scenario and
// the loaded analysis tables.
type Env struct {
	Results  string // results folder
	Dir      string // this experiment's folder (results/<name>)
	Data     *Data
	Seed     uint64
	Scale    float64
	Scenario string
	// Format is the tables' format: NAME.csv, NAME.parquet (typed by
	// tables.WriteTextTable) or both.
	Format tables.Format
	result *Result
}

// WriteTable writes a table (name is its CSV file's name, NAME.csv) into
// the experiment's folder, in the format of e, and lists it.
func (e *Env) WriteTable(name string, header []string, rows [][]string) error {
	t, err := e.CreateTable(name, header)
	if err != nil {
		return err
	}
	for _, rec := range rows {
		t.Write(rec)
	}
	return t.Close()
}

// CreateTable starts a table that WriteTable would write, to be written
// row by row (a table of a row per source holds none of them): its files
// are listed once Close has written them.
func (e *Env) CreateTable(name string, header []string) (*Table, error) {
	if err := os.MkdirAll(e.Dir, 0o755); err != nil {
		return nil, err
	}
	t := &Table{e: e}
	var csvPath, pqPath string
	if e.Format.WritesCSV() {
		t.names = append(t.names, name)
		csvPath = filepath.Join(e.Dir, name)
	}
	if e.Format.WritesParquet() {
		pq := strings.TrimSuffix(name, ".csv") + ".parquet"
		t.names = append(t.names, pq)
		pqPath = filepath.Join(e.Dir, pq)
	}
	var err error
	t.TextWriter, err = tables.CreateText(csvPath, pqPath, header)
	return t, err
}

// Table is an experiment's table being written (Env.CreateTable).
type Table struct {
	*tables.TextWriter
	e     *Env
	names []string
}

// Close writes the table's files and lists them in the result.
func (t *Table) Close() error {
	if err := t.TextWriter.Close(); err != nil {
		return err
	}
	for _, n := range t.names {
		rel, _ := filepath.Rel(t.e.Results, filepath.Join(t.e.Dir, n))
		t.e.result.Tables = append(t.e.result.Tables, rel)
	}
	return nil
}

// Run runs the named experiments (all when only is empty) over the data in
// d, writing into results, their tables in the format f. The results come
// in the order of All.
func Run(d *Data, results string, only []string, seed uint64, scale float64, scenario string, f tables.Format) ([]*Result, error) {
	want := map[string]bool{}
	for _, o := range only {
		want[o] = true
	}
	known := map[string]bool{}
	for _, x := range All() {
		known[x.Name] = true
	}
	for o := range want {
		if !known[o] {
			return nil, fmt.Errorf("unknown experiment %q (known: %s)", o, strings.Join(Names(), ", "))
		}
	}
	var out []*Result
	for _, x := range All() {
		if len(want) > 0 && !want[x.Name] {
			continue
		}
		r := &Result{Name: x.Name, Title: x.Title, Reproduces: x.Reproduces, Observed: d.Observed != nil}
		e := &Env{Results: results, Dir: filepath.Join(results, x.Name), Data: d, Seed: seed, Scale: scale, Scenario: scenario, Format: f, result: r}
		if err := x.Run(e, r); err != nil {
			return nil, fmt.Errorf("%s: %w", x.Name, err)
		}
		// The figures drawn from the tables it wrote (on the user's data
		// an analysis may skip a table, saying why).
		for _, fig := range FigureSpecs() {
			if fig.Experiment == x.Name && tableExists(filepath.Join(e.Dir, fig.Tables[0])) {
				r.Figures = append(r.Figures, path.Join("figures", fig.Name))
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// Names lists the experiments in order.
func Names() []string {
	var n []string
	for _, x := range All() {
		n = append(n, x.Name)
	}
	return n
}

// FormatNumber prints a number compactly and deterministically, as the
// report does: counts in full, 4 decimals, 4 significant digits when large
// or tiny, ∞ and n/a.
func FormatNumber(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "∞"
	case math.IsInf(x, -1):
		return "−∞"
	case math.IsNaN(x):
		return "n/a"
	case x == math.Trunc(x) && math.Abs(x) < 1e15:
		return strconv.FormatFloat(x, 'f', 0, 64) // counts in full
	case x != 0 && (math.Abs(x) >= 1e6 || math.Abs(x) < 1e-3):
		return strconv.FormatFloat(x, 'g', 4, 64)
	}
	return strconv.FormatFloat(x, 'f', 4, 64)
}

// resultFile is the form of a Result in results/NAME/result.json. Numbers
// are strings ("NaN", "+Inf" and shortest round-trip decimals), which JSON
// numbers cannot all be.
type resultFile struct {
	Name, Title, Reproduces string
	Observed                bool `json:",omitempty"`
	Notes                   []string
	NeedsTruth              []string `json:",omitempty"`
	Tables, Figures         []string
	Targets                 []targetFile
}

type targetFile struct {
	What, Source                          string
	Kind                                  string `json:",omitempty"` // "compare" for a Compare
	Interval                              bool   `json:",omitempty"`
	Unit                                  string
	Sampling                              string
	Lo, Hi, Measured, CILo, CIHi, N, MinN string
	Verdict                               string
}

// kindWord is a target kind in result.json ("" for a Check).
func kindWord(k Kind) string {
	if k == Compare {
		return "compare"
	}
	return ""
}

// runFile is results/run.json: the provenance of a run and its experiments
// in report order.
type runFile struct {
	Provenance  []string
	Experiments []string
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// SaveResults writes each result as results/NAME/result.json and the run's
// provenance and order as results/run.json, for WriteReport to read back.
func SaveResults(results string, rs []*Result, provenance []string) error {
	run := runFile{Provenance: provenance}
	for _, r := range rs {
		rf := resultFile{Name: r.Name, Title: r.Title, Reproduces: r.Reproduces, Observed: r.Observed, Notes: r.Notes, NeedsTruth: r.NeedsTruth, Tables: r.Tables, Figures: r.Figures}
		for _, t := range r.Targets {
			rf.Targets = append(rf.Targets, targetFile{What: t.What, Source: t.Source, Kind: kindWord(t.Kind), Interval: t.Interval, Unit: t.Unit,
				Sampling: t.Sampling,
				Lo:       ftoa(t.Lo), Hi: ftoa(t.Hi), Measured: ftoa(t.Measured), CILo: ftoa(t.CILo), CIHi: ftoa(t.CIHi), N: ftoa(t.N), MinN: ftoa(t.MinN), Verdict: t.Verdict().String()})
		}
		if err := writeJSON(filepath.Join(results, r.Name, "result.json"), rf); err != nil {
			return err
		}
		run.Experiments = append(run.Experiments, r.Name)
	}
	return writeJSON(filepath.Join(results, "run.json"), run)
}

func writeJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, append(b, '\n'), 0o644)
}

// LoadResults reads back what SaveResults wrote.
func LoadResults(results string) ([]*Result, []string, error) {
	var run runFile
	b, err := os.ReadFile(filepath.Join(results, "run.json"))
	if err != nil {
		return nil, nil, fmt.Errorf("%w (run port0 experiments -out %s first)", err, results)
	}
	if err := json.Unmarshal(b, &run); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", filepath.Join(results, "run.json"), err)
	}
	var rs []*Result
	for _, n := range run.Experiments {
		name := filepath.Join(results, n, "result.json")
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, nil, err
		}
		var rf resultFile
		if err := json.Unmarshal(b, &rf); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		r := &Result{Name: rf.Name, Title: rf.Title, Reproduces: rf.Reproduces, Observed: rf.Observed, Notes: rf.Notes, NeedsTruth: rf.NeedsTruth, Tables: rf.Tables, Figures: rf.Figures}
		for i, t := range rf.Targets {
			tg := Target{What: t.What, Source: t.Source, Unit: t.Unit, Sampling: t.Sampling, Interval: t.Interval}
			switch t.Kind {
			case "":
			case "compare":
				tg.Kind = Compare
			default:
				return nil, nil, fmt.Errorf("%s: target %d: unknown kind %q (want compare or none)", name, i+1, t.Kind)
			}
			for _, v := range []struct {
				s string
				p *float64
			}{{t.Lo, &tg.Lo}, {t.Hi, &tg.Hi}, {t.Measured, &tg.Measured}, {t.CILo, &tg.CILo}, {t.CIHi, &tg.CIHi}, {t.N, &tg.N}, {t.MinN, &tg.MinN}} {
				if *v.p, err = strconv.ParseFloat(v.s, 64); err != nil {
					return nil, nil, fmt.Errorf("%s: target %d: %q is not a number", name, i+1, v.s)
				}
			}
			// The verdict is recomputed from the numbers; a file whose
			// word disagrees was edited or written by another version.
			if v, err := ParseVerdict(t.Verdict); err != nil || v != tg.Verdict() {
				return nil, nil, fmt.Errorf("%s: target %d: verdict %q does not follow from its numbers (%s); rerun port0 experiments", name, i+1, t.Verdict, tg.Verdict())
			}
			r.Targets = append(r.Targets, tg)
		}
		rs = append(rs, r)
	}
	return rs, run.Provenance, nil
}

// reproducesRef names where an analysis number such as "analysis 7" is
// defined: the numbered list of docs/BACKGROUND.md in port0's source.
func reproducesRef(a string) string {
	if !strings.HasPrefix(a, "analysis ") {
		return a
	}
	return a + ` of docs/BACKGROUND.md ("The 16 analyses to reproduce")`
}

// WriteReport writes results/REPORT.md: one section per experiment with
// what it reproduces, its figures and tables, and target against
// measured. A figure not drawn yet (results/figures/NAME.png missing) is
// named, with the command that draws it. On the user's data (Observed)
// the report is about the capture: provenance names it, and each target
// is a published finding set beside what the capture shows.
func WriteReport(results string, rs []*Result, provenance []string) error {
	var b strings.Builder
	observed := Observed(rs)
	if observed {
		fmt.Fprintf(&b, "# port0 — the port-0 study of your capture\n\n%s.\n\n", Tally(rs))
		b.WriteString("## What the tags mean\n\n")
		b.WriteString("Each analysis of \"The curious case of port 0\" (Luchs & Doerr 2019) is computed from this capture's analysis tables alone; nothing is generated or compared with synthetic data. Where a finding about port-0 traffic has been published, it is set beside what the capture shows:\n\n")
		b.WriteString("- `consistent`: the capture's 95 % interval (or its point estimate, marked *point estimate*, for exact counts and ratios of counts) lies inside the range the published finding is read as (column *accepted*).\n")
		b.WriteString("- `differs`: it lies wholly outside that range. A difference is a finding about this capture, not an error.\n")
		b.WriteString("- `insufficient data`: the sample is smaller than the finding needs to be judged (n, needs ≥ …), or the interval straddles a bound of the range.\n")
		b.WriteString("- Source tags: [V] stated in the cited publication; [code] read in the named tool's source code.\n")
		b.WriteString("- *Needs ground truth*: checks that need to know why each packet was sent (the generator's truth); they are listed, never run against invented truth. `port0 validate` runs them on a generated telescope.\n\n")
	} else {
		fmt.Fprintf(&b, "# port0 — experiments report\n\n%s.\n\n", Tally(rs))
		b.WriteString("A target's verdict is `pass`, `FAIL` (the data contradict it) or `insufficient data`: its sample is too small to decide (n = …, needs ≥ …), or its 95 % interval straddles a bound of the accepted range, which is not a failure and not a pass. A target with an interval passes only when the whole interval lies inside the accepted range; one without (exact counts, ratios of counts) is marked *point estimate*. Each target says how its statistic behaves with the sample (column *sampling*). Source tags: [V] stated in the cited publication, [code] read in a tool's source, [D] derived from protocol mechanics or a design choice of the scenario.\n\n")
	}
	b.WriteString("## Provenance\n\n")
	for _, p := range provenance {
		fmt.Fprintf(&b, "- %s\n", p)
	}
	if observed {
		b.WriteString("\n| analysis | reproduces | consistent | differs | insufficient | needs ground truth |\n|---|---|---|---|---|---|\n")
		for _, r := range rs {
			c, d, i, _ := Findings([]*Result{r})
			fmt.Fprintf(&b, "| [%s](#%s) | %s | %d | %d | %d | %d |\n", r.Name, r.Name, r.Reproduces, c, d, i, len(r.NeedsTruth))
		}
	} else {
		b.WriteString("\n| experiment | reproduces | targets passed | insufficient | result |\n|---|---|---|---|---|\n")
		for _, r := range rs {
			var n, ins int
			for _, t := range r.Targets {
				switch t.Verdict() {
				case Pass:
					n++
				case Insufficient:
					ins++
				}
			}
			fmt.Fprintf(&b, "| [%s](#%s) | %s | %d/%d | %d | %s |\n", r.Name, r.Name, r.Reproduces, n, len(r.Targets), ins, r.Verdict())
		}
		if _, err := os.Stat(filepath.Join(results, "figures", VerdictFigure+".png")); err == nil {
			fmt.Fprintf(&b, "\n![%s](figures/%s.png)\n", VerdictFigure, VerdictFigure)
		}
	}
	for _, r := range rs {
		if observed {
			fmt.Fprintf(&b, "\n## %s\n\n**%s.** Reproduces: %s.\n\n", r.Name, r.Title, reproducesRef(r.Reproduces))
		} else {
			fmt.Fprintf(&b, "\n## %s\n\n**%s.** Reproduces: %s. Result: **%s**.\n\n", r.Name, r.Title, reproducesRef(r.Reproduces), r.Verdict())
		}
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "%s\n\n", n)
		}
		for _, f := range r.Figures {
			if _, err := os.Stat(filepath.Join(results, f+".png")); err != nil {
				fmt.Fprintf(&b, "Figure `%s` not drawn yet: run `port0 figures -in %s -out %s`.\n\n", path.Base(f), filepath.ToSlash(results), filepath.ToSlash(filepath.Join(results, "figures")))
				continue
			}
			fmt.Fprintf(&b, "![%s](%s.png)\n\n", path.Base(f), f)
		}
		if len(r.Targets) > 0 {
			if observed {
				b.WriteString("| measured | published finding | accepted | this capture | 95 % interval | sampling | verdict |\n|---|---|---|---|---|---|---|\n")
			} else {
				b.WriteString("| target | source | sampling | accepted | measured | 95 % interval | verdict |\n|---|---|---|---|---|---|---|\n")
			}
			for _, t := range r.Targets {
				ci := "point estimate"
				if t.HasInterval() {
					ci = fmt.Sprintf("[%s, %s]", FormatNumber(t.CILo), FormatNumber(t.CIHi))
				}
				accepted := fmt.Sprintf("[%s, %s]", FormatNumber(t.Lo), FormatNumber(t.Hi))
				if t.Unit != "" {
					accepted += " " + t.Unit
				}
				if observed {
					fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", t.What, t.Source, accepted, WithUnit(t.Measured, t.Unit), ci, t.samplingText(), t.VerdictText())
				} else {
					fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", t.What, t.Source, t.samplingText(), accepted, WithUnit(t.Measured, t.Unit), ci, t.VerdictText())
				}
			}
			b.WriteString("\n")
		}
		if len(r.NeedsTruth) > 0 {
			b.WriteString("Needs ground truth (not run on this capture): " + strings.Join(r.NeedsTruth, "; ") + ".\n\n")
		}
		if len(r.Tables) > 0 {
			b.WriteString("Tables: ")
			tabs := append([]string(nil), r.Tables...)
			sort.Strings(tabs)
			for i, t := range tabs {
				if i > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "[%s](%s)", filepath.Base(t), filepath.ToSlash(t))
			}
			b.WriteString("\n")
		}
	}
	return os.WriteFile(filepath.Join(results, "REPORT.md"), []byte(b.String()), 0o644)
}

// singular maps a plural unit to its singular, for a measurement of 1.
var singular = map[string]string{
	"packets": "packet", "sources": "source", "ASes": "AS", "days": "day", "events": "event",
	"scanners": "scanner", "bundles": "bundle", "sweeps": "sweep", "hours": "hour",
}

// WithUnit prints a measurement with its unit as a reader says it: "1 AS",
// "671 days", "12 %", "day 3" for a day index (unit "day").
func WithUnit(x float64, unit string) string {
	v := FormatNumber(x)
	switch {
	case unit == "" || math.IsNaN(x):
		return v
	case unit == "day":
		return "day " + v
	case x == 1 && singular[unit] != "":
		return v + " " + singular[unit]
	}
	return v + " " + unit
}

// samplingText is the sampling column of the report: the statistic's
// behaviour, and its sample against what it needs.
func (t Target) samplingText() string {
	s := t.Sampling
	if s == "" {
		s = "—"
	}
	if t.MinN > 0 {
		s += fmt.Sprintf(" (n = %s, needs ≥ %s)", FormatNumber(t.N), FormatNumber(t.MinN))
	} else if t.N > 0 {
		s += fmt.Sprintf(" (n = %s)", FormatNumber(t.N))
	}
	return s
}
