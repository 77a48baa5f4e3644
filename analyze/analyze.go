package analyze

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"

	"github.com/port0/port0/flowscan"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// Summary is what "port0 analyze" writes to summary.json: the counts of
// every input file, in input order, their sum, the read errors and the
// port-0 study's summary. It holds no wall-clock time and no map iteration
// order (encoding/json sorts map keys), so the same inputs give the same
// bytes whatever the number of workers.
type Summary struct {
	// TablesVersion is the version of the tables' layout beside it
	// (tables.Version); absent (0) in the summaries of version 1.
	TablesVersion int `json:"tables_version"`
	// Inputs is the number of captures given (after folder expansion).
	Inputs int `json:"inputs"`
	// Files holds one entry per input, in input order, up to
	// MaxListedFiles of them: past that, every file with a read error and
	// the first MaxListedFiles of the others (FilesNotListed says how
	// many more, and FilesTable holds one row per input).
	Files []scan.FileSummary `json:"files"`
	// FilesNotListed counts the inputs Files leaves out, all read whole;
	// absent when Files lists every input.
	FilesNotListed *NotListed `json:"files_not_listed,omitempty"`
	// Total is the sum of the Counts of every file.
	Total scan.Counts `json:"total"`
	// ReadErrors lists every read error, in input order.
	ReadErrors []scan.ReadErrorInfo `json:"read_errors"`
	// Warnings are the warnings about the inputs (Options.Warnings), absent
	// when there are none.
	Warnings []string `json:"warnings,omitempty"`
	// NaiveFlow is the port-0 volume a flow exporter would report, by what
	// the packets really are (the fragmentation ablation). Set when the
	// port-0 study runs.
	NaiveFlow *scan.NaiveFlow `json:"naive_flow,omitempty"`
	// Port0 is the port-0 study: classes, sources, tools, bundles, events.
	Port0 *study.Summary `json:"port0,omitempty"`
	// Flows is what the flow inputs held and how each flow with a port
	// 0 was judged; set when the inputs are flow records.
	Flows *flowscan.Summary `json:"flows,omitempty"`
}

// SummaryFile is the summary's file name in an analysis folder.
const SummaryFile = "summary.json"

// MaxListedFiles bounds the inputs summary.json lists one by one besides
// those with a read error, so that its size (and the memory its encoding
// takes) does not follow the number of inputs: ~1.4 KB a file listed.
const MaxListedFiles = 1000

// FilesTable is the table of every input's main counts, one row per
// input in input order, that a run writes beside summary.json when the
// summary does not list every input.
const FilesTable = "files.csv"

// NotListed is what summary.json says of the inputs it does not list.
type NotListed struct {
	// Files is how many inputs are not listed; each was read whole.
	Files int `json:"files"`
	// Note says so in words.
	Note string `json:"note"`
	// Table is the table that has a row for every input (FilesTable).
	Table string `json:"table"`
}

// PartialFile is the name of the scan's result that Options.Partial keeps
// in the analysis folder, and that Merge reads.
const PartialFile = "partial.bin"

// JSON returns the summary as summary.json holds it: indented with two
// spaces, keys in struct order (maps sorted), a final newline.
func (s *Summary) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Options configure Run and Merge.
type Options struct {
	// Scan configures the scan (workers, progress, readers, spilling);
	// Scan.Port0 is set by Run unless CountOnly.
	Scan scan.Options
	// Study holds the study's parameters.
	Study study.Options
	// CountOnly runs the scan alone: summary.json without the study and
	// no tables.
	CountOnly bool
	// Partial, when set, keeps the scan's result in dir/PartialFile, for
	// Merge to combine with the results of other inputs.
	Partial bool
	// Format is the tables' format: CSV (the default), Parquet or both
	// (see package tables).
	Format tables.Format
	// FlowDatagrams says the inputs are captures of flow exporters'
	// datagrams (NetFlow v5, v9, IPFIX, sFlow: port0 analyze -flows, and
	// what port0 collect records), read as flows.
	FlowDatagrams bool
	// Warnings, such as capture.CheckInputs gives about the inputs, are
	// written into summary.json as they are.
	Warnings []string
	// Mem is the run's memory budget in bytes (-mem; 0: no bound): an
	// eighth of it holds port-0 records before they spill to disk
	// (unless Scan.Spill.MemLimit is set), a quarter the study's state of
	// sources before the study runs in parts (study.Run). See MemBudget.
	Mem int64
}

// budget is the study's share of the run's memory budget, its files
// beside the scan's spill files.
func (o *Options) budget() study.Budget {
	return study.Budget{Bytes: o.Mem / 4, Dir: o.Scan.Spill.Dir, Progress: o.Scan.Progress}
}

// MemLimit sets the Go runtime's soft memory limit to the budget while a
// run lasts (unless GOMEMLIMIT sets one), so that the collector works
// harder as the heap nears the budget instead of letting it double; the
// function it returns restores the limit before. Run and Merge call it;
// so does a caller that does more with the run's outputs (port0 study's
// analyses).
func (o *Options) MemLimit() func() {
	if o.Mem <= 0 || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetMemoryLimit(o.Mem)
	return func() { debug.SetMemoryLimit(prev) }
}

// spill is the scan's spill options under the run's budget: the records
// held in memory bounded by an eighth of it.
func (o *Options) spill() scan.SpillOptions {
	so := o.Scan.Spill
	if so.MemLimit == 0 && o.Mem > 0 {
		so.MemLimit = max(o.Mem/8, 1)
	}
	return so
}

// Run is "port0 analyze": it scans the inputs (already expanded: see
// capture.ExpandInputs; "-" is stdin), runs the port-0 study and writes
// its tables and summary.json into dir (created). The summary is returned
// even on an error, with the read errors; the error is scan.ErrNoInput
// when no input could be read (summary.json is still written), or what
// stopped a stage.
func Run(inputs []string, stdin io.Reader, dir string, o Options) (*Summary, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	defer o.MemLimit()()
	if o.FlowDatagrams {
		return runFlows(inputs, dir, o)
	}
	switch n := countFlowInputs(inputs); {
	case n > 0 && n < len(inputs):
		return nil, fmt.Errorf("%d of the %d inputs are flow records (nfcapd files) and the others packet captures: analyze them apart, the flows into their own -out", n, len(inputs))
	case n > 0:
		return runFlows(inputs, dir, o)
	}
	so := o.Scan
	so.Port0 = !o.CountOnly
	so.Spill = o.spill()
	res, err := scan.Run(inputs, stdin, so)
	defer res.Close()
	if err != nil && !errors.Is(err, scan.ErrNoInput) {
		return SummaryOf(res), err
	}
	if err == nil && o.Partial {
		if perr := writeResult(filepath.Join(dir, PartialFile), res); perr != nil {
			return SummaryOf(res), fmt.Errorf("partial result: %w", perr)
		}
	}
	return finish(res, err, dir, o)
}

// countFlowInputs is how many of inputs are files of flow records.
func countFlowInputs(inputs []string) int {
	n := 0
	for _, in := range inputs {
		if in != "-" && flowscan.IsNfcapd(in) {
			n++
		}
	}
	return n
}

// runFlows is Run on flow inputs: flowscan reads and judges the flows
// into a scan result, and the study runs on it with the rules flows
// support (study.Options.Flows).
func runFlows(inputs []string, dir string, o Options) (*Summary, error) {
	if o.CountOnly || o.Partial {
		return nil, errors.New("flow inputs: -count-only and -partial are for packet captures")
	}
	sco := o.Scan
	sco.Spill = o.spill()
	res, fsum, err := flowscan.Run(inputs, flowscan.Options{Scan: sco, Datagrams: o.FlowDatagrams})
	defer res.Close()
	if err != nil && !errors.Is(err, scan.ErrNoInput) {
		sum := SummaryOf(res)
		sum.Flows = fsum
		return sum, err
	}
	so := o.Study
	// Sampled packet headers (sFlow) are packets: the tool rules apply to
	// them. Flow records keep none of the fields the rules read, so a run
	// with any flow record has every source's tool "not in this format"
	// (the study cannot tell a source's samples from its flows).
	so.Flows = fsum == nil || fsum.Flows > 0
	sum, err := finishWarned(res, err, dir, o.Format, func() (StudyOutput, error) { return study.Run(res, so, o.budget()) }, o.Warnings, fsum)
	return sum, err
}

// Merge is "port0 analyze -merge": it reads the scan results that runs
// with Options.Partial kept (files, or analysis folders holding
// PartialFile), merges them in the order given, and runs the study on the
// whole as Run does on one scan of all their inputs.
func Merge(partials []string, dir string, o Options) (*Summary, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	defer o.MemLimit()()
	all := &scan.Result{}
	defer all.Close()
	for _, p := range partials {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			p = filepath.Join(p, PartialFile)
		}
		res, err := readResult(p, o.spill())
		if err != nil {
			return nil, err
		}
		if err := all.Merge(res); err != nil {
			res.Close()
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	var err error
	if all.Total.Files == 0 {
		err = scan.ErrNoInput
	}
	return finish(all, err, dir, o)
}

// finish runs the study on res unless err (the scan's) or o say not to,
// and writes summary.json.
func finish(res *scan.Result, err error, dir string, o Options) (*Summary, error) {
	return finishWarned(res, err, dir, o.Format, func() (StudyOutput, error) { return study.Run(res, o.Study, o.budget()) }, o.Warnings, nil)
}

// StudyOutput is a port-0 study as its tables are written (study.Output):
// *study.Study, the study in parts within a budget (study.Run) and a
// pipeline's.
type StudyOutput = study.Output

// Finish writes an analysis folder from the scan's result of all inputs,
// res (only its counts are read here: files, totals, read errors, the
// naive flow view), and the study that out makes: the tables in the
// format f and summary.json, or, when err (the scan's: scan.ErrNoInput)
// is set or res has no port-0 side, summary.json alone. Run and Merge end
// with it, and so does any other runner of the study, so that all write
// the same bytes. warnings are the summary's (Options.Warnings).
func Finish(res *scan.Result, err error, dir string, f tables.Format, warnings []string, out func() (StudyOutput, error)) (*Summary, error) {
	return finishWarned(res, err, dir, f, out, warnings, nil)
}

// finishWarned is Finish with the summary's Warnings and, for flow
// inputs, its Flows.
func finishWarned(res *scan.Result, err error, dir string, f tables.Format, out func() (StudyOutput, error), warnings []string, fsum *flowscan.Summary) (*Summary, error) {
	sum := SummaryOf(res)
	sum.Warnings = warnings
	sum.Flows = fsum
	if ferr := writeFilesTable(dir, res.Files, sum.FilesNotListed == nil); ferr != nil {
		return sum, ferr
	}
	if err == nil && res.Port0 {
		if sum.Port0, err = writeStudy(out, dir, f); err != nil {
			err = fmt.Errorf("port-0 study: %w", err)
		}
	}
	if werr := writeSummary(dir, sum); werr != nil && err == nil {
		err = werr
	}
	return sum, err
}

// SummaryOf is the scan's part of the summary: its Files bounded by
// MaxListedFiles (listFiles).
func SummaryOf(res *scan.Result) *Summary {
	sum := &Summary{TablesVersion: tables.Version, Inputs: res.Inputs, Total: res.Total, ReadErrors: res.ReadErrors}
	sum.Files, sum.FilesNotListed = listFiles(res.Files)
	if res.Port0 {
		nf := res.NaiveFlow
		sum.NaiveFlow = &nf
	}
	return sum
}

// listFiles is the files summary.json lists: all of them when there are
// MaxListedFiles or fewer; else, in input order, every file with a read
// error and the first MaxListedFiles of the others, and what is left out.
func listFiles(files []scan.FileSummary) ([]scan.FileSummary, *NotListed) {
	if len(files) <= MaxListedFiles {
		return files, nil
	}
	var listed []scan.FileSummary
	whole := 0
	for i := range files {
		if files[i].ReadError != nil || whole < MaxListedFiles {
			listed = append(listed, files[i])
			if files[i].ReadError == nil {
				whole++
			}
		}
	}
	n := len(files) - len(listed)
	if n == 0 {
		return files, nil
	}
	return listed, &NotListed{
		Files: n,
		Note:  fmt.Sprintf("and %d more files, all read whole: their counts are in total, and each has a row in %s", n, FilesTable),
		Table: FilesTable,
	}
}

// filesHeader is the header of FilesTable.
var filesHeader = []string{"file", "format", "packets", "captured_bytes", "ipv4", "ipv6", "with_ports", "port0", "icmp_quoting_port0", "tunneled", "truncated", "fragments", "read_error"}

// writeFilesTable writes dir/FilesTable, a row for every one of files,
// when the summary does not list them all (listed is false), and removes
// an earlier run's otherwise.
func writeFilesTable(dir string, files []scan.FileSummary, listed bool) error {
	path := filepath.Join(dir, FilesTable)
	if listed {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	f, err := tables.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f) // buffered
	w.Write(filesHeader)
	row := make([]string, len(filesHeader))
	for i := range files {
		fi := &files[i]
		c := &fi.Counts
		row = append(row[:0], fi.File, fi.Format, itoa(c.Packets), itoa(c.CapturedBytes), itoa(c.IPv4), itoa(c.IPv6),
			itoa(c.WithPorts), itoa(c.Port0.Total), itoa(c.ICMPQuotingPort0), itoa(c.Tunneled.Packets), itoa(c.Truncated.Total),
			itoa(c.Fragments.First+c.Fragments.NonFirst), "")
		if fi.ReadError != nil {
			row[len(row)-1] = fi.ReadError.String()
		}
		if err := w.Write(row); err != nil {
			break
		}
	}
	w.Flush()
	return f.Commit(w.Error())
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// writeStudy makes the study (out) and writes its tables into dir in the
// format f: the packets table on its own goroutine, from its own pass
// over the records, while pass two derives the other tables.
func writeStudy(out func() (StudyOutput, error), dir string, f tables.Format) (*study.Summary, error) {
	st, err := out()
	if err != nil {
		return nil, err
	}
	packets := make(chan error, 1)
	go func() { packets <- st.WritePackets(dir, f) }()
	t, err := st.Tables()
	if perr := <-packets; err == nil {
		err = perr
	}
	if err != nil {
		return nil, err
	}
	srcs, evs, bds := tables.SliceRows(t.Sources), tables.SliceRows(t.Events), tables.SliceRows(t.Bundles)
	if s, ok := st.(study.Streamed); ok {
		defer s.Close()
		srcs, evs, bds = s.SourceRows(), s.EventRows(), s.BundleRows()
	}
	for _, w := range []func() error{
		func() error { return f.WriteSourceRows(dir, srcs) },
		func() error { return f.WriteEventRows(dir, evs) },
		func() error { return f.WriteBundleRows(dir, bds) },
		func() error { return f.WriteSeries(dir, t.Series) },
	} {
		if err := w(); err != nil {
			return nil, err
		}
	}
	return t.Summary, nil
}

// writeSummary writes sum to dir/summary.json, through a temporary file
// (tables.Create) so that summary.json is never half written: on an error
// neither it nor the temporary file is left, and the error names it.
func writeSummary(dir string, sum *Summary) error {
	b, err := sum.JSON()
	if err != nil {
		return err
	}
	f, err := tables.Create(filepath.Join(dir, SummaryFile))
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	return f.Commit(err)
}

// ReadSummary reads an analysis folder's summary.json.
func ReadSummary(dir string) (*Summary, error) {
	b, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		return nil, err
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, SummaryFile), err)
	}
	return &s, nil
}

// writeResult writes a scan's result to name.
// writeResult writes a scan's result to name, through a temporary file
// (tables.Create).
func writeResult(name string, res *scan.Result) error {
	f, err := tables.Create(name)
	if err != nil {
		return err
	}
	_, err = res.WriteTo(f) // buffered by WriteTo
	return f.Commit(err)
}

// readResult reads the scan's result in name.
func readResult(name string, so scan.SpillOptions) (*scan.Result, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%s: not a partial result (run port0 analyze -partial): %w", name, err)
	}
	defer f.Close()
	res, err := scan.ReadResult(f, so)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return res, nil
}
