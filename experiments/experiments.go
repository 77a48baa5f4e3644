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
	// REFERENCE.md citation or the scenario parameter it should recover).
	What, Source string
	// Lo and Hi bound the accepted values (inclusive); ±Inf for one-sided.
	Lo, Hi float64
	// Measured is the value found, with a 95 % interval when one applies
	// (CILo == CIHi == 0 means none).
	Measured   float64
	CILo, CIHi float64
	// Unit for printing ("%", "packets", ...).
	Unit string
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

// Verdict is what a target's measurement says about it.
type Verdict uint8

// The three verdicts. Fail means the data contradict the target;
// Insufficient means the sample is too small to tell (never a Fail, never a
// silent Pass).
const (
	Pass Verdict = iota
	Insufficient
	Fail
)

var verdictNames = [...]string{"pass", "insufficient", "FAIL"}

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
	return 0, fmt.Errorf("unknown verdict %q (want pass, insufficient or FAIL)", s)
}

// Sufficient reports whether the sample is large enough to decide.
func (t Target) Sufficient() bool { return t.MinN <= 0 || t.N >= t.MinN }

// Verdict is Insufficient when the sample is smaller than MinN, else Pass
// when the measurement lies within [Lo, Hi], else Fail.
func (t Target) Verdict() Verdict {
	switch {
	case !t.Sufficient():
		return Insufficient
	case !math.IsNaN(t.Measured) && t.Measured >= t.Lo && t.Measured <= t.Hi:
		return Pass
	}
	return Fail
}

// VerdictText is the verdict as the report prints it: an insufficient
// sample says its size and what it needs.
func (t Target) VerdictText() string {
	if v := t.Verdict(); v != Insufficient {
		return v.String()
	}
	return fmt.Sprintf("insufficient data (n = %s, needs ≥ %s)", FormatNumber(t.N), FormatNumber(t.MinN))
}

// Result is what one experiment found.
type Result struct {
	Name, Title string
	// Reproduces says which analysis of the paper this is.
	Reproduces string
	// Notes are free text for the report.
	Notes []string
	// Tables and Figures are paths relative to the results folder.
	Tables, Figures []string
	Targets         []Target
}

// Verdict is Fail when a target fails, else Insufficient when a target's
// sample cannot decide it, else Pass.
func (r *Result) Verdict() Verdict {
	v := Pass
	for _, t := range r.Targets {
		v = max(v, t.Verdict())
	}
	return v
}

// Count is how many of rs have each verdict.
func Count(rs []*Result) (pass, insufficient, fail int) {
	for _, r := range rs {
		switch r.Verdict() {
		case Pass:
			pass++
		case Insufficient:
			insufficient++
		default:
			fail++
		}
	}
	return
}

// Tally is the one-line account of rs, as the CLI and the report print it:
// "16 of 16 experiments pass", with the insufficient and failing ones named
// when there are any.
func Tally(rs []*Result) string {
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
	if err := os.MkdirAll(e.Dir, 0o755); err != nil {
		return err
	}
	if e.Format.WritesCSV() {
		if err := e.writeCSV(name, header, rows); err != nil {
			return err
		}
	}
	if e.Format.WritesParquet() {
		pq := strings.TrimSuffix(name, ".csv") + ".parquet"
		if err := tables.WriteTextTable(filepath.Join(e.Dir, pq), header, rows); err != nil {
			return err
		}
		e.list(pq)
	}
	return nil
}

// list adds a table of the experiment's folder to its result.
func (e *Env) list(name string) {
	rel, _ := filepath.Rel(e.Results, filepath.Join(e.Dir, name))
	e.result.Tables = append(e.result.Tables, rel)
}

// writeCSV writes a CSV table into the experiment's folder and lists it.
func (e *Env) writeCSV(name string, header []string, rows [][]string) error {
	if err := tables.WriteTextCSV(filepath.Join(e.Dir, name), header, rows); err != nil {
		return err
	}
	e.list(name)
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
		r := &Result{Name: x.Name, Title: x.Title, Reproduces: x.Reproduces}
		for _, fig := range figuresOf(x.Name) {
			r.Figures = append(r.Figures, path.Join("figures", fig))
		}
		e := &Env{Results: results, Dir: filepath.Join(results, x.Name), Data: d, Seed: seed, Scale: scale, Scenario: scenario, Format: f, result: r}
		if err := x.Run(e, r); err != nil {
			return nil, fmt.Errorf("%s: %w", x.Name, err)
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
	Notes, Tables, Figures  []string
	Targets                 []targetFile
}

type targetFile struct {
	What, Source, Unit, Sampling          string
	Lo, Hi, Measured, CILo, CIHi, N, MinN string
	Verdict                               string
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
		rf := resultFile{Name: r.Name, Title: r.Title, Reproduces: r.Reproduces, Notes: r.Notes, Tables: r.Tables, Figures: r.Figures}
		for _, t := range r.Targets {
			rf.Targets = append(rf.Targets, targetFile{What: t.What, Source: t.Source, Unit: t.Unit,
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
		r := &Result{Name: rf.Name, Title: rf.Title, Reproduces: rf.Reproduces, Notes: rf.Notes, Tables: rf.Tables, Figures: rf.Figures}
		for i, t := range rf.Targets {
			tg := Target{What: t.What, Source: t.Source, Unit: t.Unit, Sampling: t.Sampling}
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

// WriteReport writes results/REPORT.md: one section per experiment with
// what it reproduces, its figures and tables, and target against
// measured. A figure not drawn yet (results/figures/NAME.png missing) is
// named, with the command that draws it.
func WriteReport(results string, rs []*Result, provenance []string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# port0 — experiments report\n\n%s.\n\n", Tally(rs))
	b.WriteString("A target's verdict is `pass`, `FAIL` (the data contradict it) or `insufficient data (n = …, needs ≥ …)`: its sample is too small to decide, which is not a failure and not a pass. Each target says how its statistic behaves with the sample (column *sampling*).\n\n")
	b.WriteString("## Provenance\n\n")
	for _, p := range provenance {
		fmt.Fprintf(&b, "- %s\n", p)
	}
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
	for _, r := range rs {
		fmt.Fprintf(&b, "\n## %s\n\n**%s.** Reproduces: %s. Result: **%s**.\n\n", r.Name, r.Title, r.Reproduces, r.Verdict())
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
			b.WriteString("| target | source | sampling | accepted | measured | 95 % interval | verdict |\n|---|---|---|---|---|---|---|\n")
			for _, t := range r.Targets {
				ci := "—"
				if t.CILo != 0 || t.CIHi != 0 {
					ci = fmt.Sprintf("[%s, %s]", FormatNumber(t.CILo), FormatNumber(t.CIHi))
				}
				fmt.Fprintf(&b, "| %s | %s | %s | [%s, %s] %s | %s %s | %s | %s |\n", t.What, t.Source, t.samplingText(), FormatNumber(t.Lo), FormatNumber(t.Hi), t.Unit, FormatNumber(t.Measured), t.Unit, ci, t.VerdictText())
			}
			b.WriteString("\n")
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
