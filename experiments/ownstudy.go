package experiments

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/flowscan"
	"github.com/port0/port0/scan"
)

// OwnStudy is "port0 study": the user's own captures analyzed, the 16
// analyses run on their tables alone and set beside the published
// findings, every figure drawn and REPORT.md written, all under Out:
//
//	Out/analysis/        port0 analyze's summary.json and tables
//	Out/NAME/            each analysis' tables and result.json
//	Out/figures/         PNG and SVG
//	Out/REPORT.md, Out/run.json
//
// It never generates data: what it reports is computed from the inputs.
type OwnStudy struct {
	// Inputs are the captures (expanded: capture.ExpandInputs; "-" is
	// standard input).
	Inputs []string
	Out    string
	// Analyze configures the analysis (its Scan.Progress, when set, gets
	// the scan's progress).
	Analyze analyze.Options
	// Origins, when not nil, places addresses in their origin ASes;
	// ASData names that data (file and format).
	Origins OriginFunc
	ASData  string
	// Build is a line on the binary (version, Go, modules) for the
	// provenance.
	Build string
	// Say, when not nil, gets a line of progress per step.
	Say func(format string, a ...any)
}

// studyMarker is the file that marks a folder as a port0 study's output.
const studyMarker = "run.json"

// PrepareOut makes dir ready for a study: a folder that does not exist or
// is empty is used as it is; one holding an earlier study's output
// (run.json beside analysis/summary.json) has that output removed whole,
// so that no table, figure or report of the earlier run survives; any
// other folder is refused, nothing removed.
func PrepareOut(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	_, e1 := os.Stat(filepath.Join(dir, studyMarker))
	_, e2 := os.Stat(filepath.Join(dir, "analysis", analyze.SummaryFile))
	if e1 != nil || e2 != nil {
		return fmt.Errorf("-out %s is not empty and holds no earlier port0 study (no %s and analysis/%s): choose an empty or new folder", dir, studyMarker, analyze.SummaryFile)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// Run analyzes the inputs and runs the study on them. It returns the
// analysis' summary (also on an error, when the analysis got that far)
// and the results.
func (s *OwnStudy) Run(stdin io.Reader) (*analyze.Summary, []*Result, error) {
	say := s.Say
	if say == nil {
		say = func(string, ...any) {}
	}
	defer s.Analyze.MemLimit()()
	ana := filepath.Join(s.Out, "analysis")
	say("analyzing %d %s into %s", len(s.Inputs), plural(len(s.Inputs), "capture", "captures"), ana)
	sum, err := analyze.Run(s.Inputs, stdin, ana, s.Analyze)
	if err != nil {
		return sum, nil, fmt.Errorf("analyze: %w", err)
	}
	interval := s.Analyze.Scan.Interval
	if interval <= 0 {
		interval = scan.DefaultInterval
	}
	d, err := LoadObserved(ana, s.Inputs, interval, s.Origins, s.ASData)
	if err != nil {
		return sum, nil, err
	}
	if w := d.Observed.NotTelescope; w != "" {
		say("warning: %s; the coverage analyses are skipped", w)
	}
	say("running the %d analyses on %d port-0-related packets from %d sources", len(All()), d.Summary.Port0.Port0Packets, d.Summary.Port0.Port0Sources)
	rs, err := Run(d, s.Out, nil, 1, 0, "", s.Analyze.Format)
	if err != nil {
		return sum, nil, err
	}
	if err := SaveResults(s.Out, rs, s.provenance(d)); err != nil {
		return sum, nil, err
	}
	say("drawing the figures into %s", filepath.Join(s.Out, "figures"))
	var progress io.Writer
	if s.Say != nil {
		progress = sayWriter(say)
	}
	if _, err := DrawFigures(s.Out, filepath.Join(s.Out, "figures"), progress); err != nil {
		return sum, nil, err
	}
	if err := WriteReport(s.Out, rs, s.provenance(d)); err != nil {
		return sum, nil, err
	}
	return sum, rs, nil
}

// sayWriter passes each line written to it to say.
type sayWriter func(format string, a ...any)

func (w sayWriter) Write(p []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w("%s", strings.TrimPrefix(l, "figures: "))
	}
	return len(p), nil
}

// maxNamed is how many inputs the provenance names before it counts.
const maxNamed = 10

// provenance is what REPORT.md says the study is about: the captures,
// their period, the telescope, the packets, the AS data and the build.
func (s *OwnStudy) provenance(d *Data) []string {
	o := d.Observed
	names := make([]string, 0, maxNamed)
	for i, in := range o.Inputs {
		if i == maxNamed {
			names = append(names, fmt.Sprintf("and %d more (analysis/summary.json lists them all)", len(o.Inputs)-maxNamed))
			break
		}
		names = append(names, "`"+filepath.ToSlash(in)+"`")
	}
	tot := d.Summary.Total
	span := o.To.Sub(o.From)
	period := fmt.Sprintf("period: %s to %s UTC (%s; the intervals of timeseries.csv, %s each, that hold a packet)", o.From.Format("2006-01-02 15:04"), o.To.Format("2006-01-02 15:04"), humanSpan(span), humanSpan(o.Interval))
	if d.Summary.Port0.Port0Packets > 0 {
		period += fmt.Sprintf("; port-0-related packets from %s to %s", o.Port0From.Format(time.RFC3339), o.Port0To.Format(time.RFC3339))
	}
	tele := fmt.Sprintf("telescope: %s (%s addresses), %s", o.Telescope, FormatNumber(d.Summary.Port0.TelescopeAddrs), telescopeWord(o.TelescopeFrom))
	if !o.Telescope.IsValid() {
		tele = "telescope: unknown"
	}
	if o.NotTelescope != "" {
		tele += "; **warning**: " + o.NotTelescope + " — the coverage analyses are skipped"
	} else if o.TelescopeFrom == "flag" {
		tele += fmt.Sprintf("; %s %% of the port-0-related packets are addressed into it", FormatNumber(100*o.InTelescope))
	}
	as := "AS data: none (-asmap not given): the AS analyses say so"
	if o.Origins != nil {
		as = "AS data: " + o.ASData
	}
	errs := ""
	if n := len(d.Summary.ReadErrors); n > 0 {
		errs = fmt.Sprintf("; %d %s (analysis/summary.json, read_errors)", n, plural(n, "read error", "read errors"))
	}
	lines := []string{fmt.Sprintf("captures (%d): %s", len(o.Inputs), strings.Join(names, ", "))}
	if fl := d.Summary.Flows; fl != nil {
		var formats []string
		for _, k := range sortedKeys(fl.Formats) {
			formats = append(formats, fmt.Sprintf("%s %d", k, fl.Formats[k]))
		}
		lines = append(lines, fmt.Sprintf("flow records: %d (%s) standing for %d packets; of the %d with a port 0, %d real, %d without ports, %d undecidable (analysis/summary.json, flows); only the real ones are studied, each standing for its packets, their times spread over the flow; not in these formats: %s",
			fl.Flows, strings.Join(formats, ", "), fl.Packets, fl.Port0Flows, fl.Judgements["real"], fl.Judgements["no-ports"], fl.Judgements["undecidable"], strings.Join(fl.NotInFormat, "; ")))
		if sampled := sampledLine(fl); sampled != "" {
			lines = append(lines, sampled)
		}
	}
	return append(lines,
		period,
		tele,
		fmt.Sprintf("packets: %s read from %s %s, %s port-0-related (%s %%) from %s %s%s", FormatNumber(float64(tot.Packets)), FormatNumber(float64(tot.Files)), plural(int(tot.Files), "file", "files"),
			FormatNumber(float64(d.Summary.Port0.Port0Packets)), FormatNumber(100*share(float64(d.Summary.Port0.Port0Packets), float64(tot.Packets))), FormatNumber(float64(d.Summary.Port0.Port0Sources)), plural(int(d.Summary.Port0.Port0Sources), "source", "sources"), errs),
		as,
		"no generated data: every number is computed from these captures (analysis/, by port0 analyze)",
		s.Build,
	)
}

// humanSpan says a duration in days, hours or minutes, as a reader
// would: "10 days", "1 hour", "45 minutes".
func humanSpan(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		n := d.Hours() / 24
		return FormatNumber(roundTo(n, 1)) + " days"
	case d >= 2*time.Hour:
		return FormatNumber(roundTo(d.Hours(), 1)) + " hours"
	case d >= time.Hour && d < time.Hour+time.Minute:
		return "1 hour"
	}
	n := int(d.Round(time.Minute) / time.Minute)
	return fmt.Sprintf("%d %s", n, plural(n, "minute", "minutes"))
}

// roundTo rounds x to the given decimals.
func roundTo(x float64, decimals int) float64 {
	p := 1.0
	for range decimals {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}

// sampledLine says how the sampling rates of flows and samples were
// applied: "" when nothing was sampled. The tables and analyses count
// what was sampled; summary.json's estimates are the totals on the wire.
func sampledLine(fl *flowscan.Summary) string {
	rates := map[string]int64{}
	for k, n := range fl.SamplingRates {
		if k != "1" {
			rates["flows 1 in "+k] += n
		}
	}
	est, samples := fl.Estimated, int64(0)
	if dg := fl.Datagrams; dg != nil {
		for k, n := range dg.Samples {
			samples += n
			if k != "1" {
				rates["packet samples 1 in "+k] += n
			}
		}
		est += dg.EstimatedSampled
	}
	if len(rates) == 0 {
		return ""
	}
	var parts []string
	for _, k := range sortedKeys(rates) {
		parts = append(parts, fmt.Sprintf("%s: %d", k, rates[k]))
	}
	return fmt.Sprintf("sampled (%s): the analyses count the %d sampled packets (%d in flow records, %d packet samples); with the sampling rates applied they stand for %d packets on the wire, %d of them in real port-0 flows (analysis/summary.json, flows: estimated_packets, estimated_judged_packets, datagrams.estimated_sampled_packets)",
		strings.Join(parts, ", "), fl.Packets+samples, fl.Packets, samples, est, fl.EstimatedJudgement["real"])
}
