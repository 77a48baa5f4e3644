package study

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/tables"
)

// Output is a port-0 study as its tables are written: WritePackets writes
// the packets table into a folder, and may run on its own goroutine while
// Tables makes the other tables. *Study is one (its rows, from Packets);
// Run's study in parts within a budget is another (Streamed), and so is a
// pipeline's, whose packets table is written in chunks by parallel
// writers and only put together (tables.Format.AssemblePackets).
type Output interface {
	WritePackets(dir string, f tables.Format) error
	Tables() (*Tables, error)
}

// Streamed is an Output whose sources, events and bundles are too many
// to hold: its Tables leaves them out, and they stream, each in its
// table's order, from the sorted runs of its parts merged on disk. Close
// removes its files.
type Streamed interface {
	Output
	SourceRows() tables.Rows[tables.SourceRow]
	EventRows() tables.Rows[tables.EventRow]
	BundleRows() tables.Rows[tables.BundleRow]
	Close() error
}

// Budget bounds the memory of Run's study.
type Budget struct {
	// Bytes bounds what the study keeps of its sources at once, as
	// Part.Mem estimates it; 0 means no bound (one Part, as New).
	Bytes int64
	// Dir is where a study in parts keeps its files ("" means
	// os.TempDir()); Close removes them.
	Dir string
	// Progress, when not nil, is told when the study goes to parts and
	// how many it studied (a line each).
	Progress io.Writer
}

// maxParts bounds the parts one split makes (each an open file while the
// records are split, and a reader while the packets are classified);
// maxDepth how often a part may be split again. A part that still does
// not fit at maxDepth is one where a few sources alone exceed the budget
// (each source's records are in one part): it is studied as it is.
const (
	maxParts = 256
	maxDepth = 3
)

// errOverBudget stops a part's pass one when its sources pass the budget.
var errOverBudget = errors.New("over the memory budget")

// Run is the port-0 study of res within the budget b. When every source's
// state fits (Part.Mem within b.Bytes) it is New's Study, the same tables
// from the same code. When it does not — a spoofed flood's millions of
// one-packet sources — the records are split by a hash of their source
// address into parts that each fit, each part studied on its own (the
// study is exact over a partition of the sources: see Part), its class
// of every record kept in a file of one byte a record and its rows in
// sorted runs; the tables are the runs merged, and the packets table the
// records read again in input order, each with its class from its part's
// file. The tables are byte for byte those of New.
func Run(res *scan.Result, opts Options, b Budget) (Output, error) {
	st, err := newStudy(res, opts)
	if err != nil {
		return nil, err
	}
	read, err := addWithin(st.part, res.Records.Each, b.Bytes)
	if err == nil {
		st.part.Decide()
		return st, nil
	}
	if !errors.Is(err, errOverBudget) {
		<-st.ivs.done
		return nil, err
	}
	// Too many sources: study them in parts.
	mem, sources := st.part.mem, len(st.part.byAddr)
	sp, err := newSpilled(st, b)
	st.part = nil // its sources' state is what does not fit
	if err != nil {
		<-st.ivs.done
		return nil, err
	}
	root := &node{each: res.Records.Each, n: res.Records.Len()}
	if err := sp.split(root, sp.overBudget(sources, mem, read, root.n)); err != nil {
		sp.Close()
		<-st.ivs.done
		return nil, err
	}
	sp.root = root
	sp.report()
	return sp, nil
}

// StudyWithin is pass one of the study of the records each gives (n of
// them, in input order, of inputs from files inputs) within the budget b,
// as Run's: one Part when its sources' state fits in b.Bytes, else parts
// split on disk by a hash of the source, each studied alone. studied is
// called with each Part, decided, and the records of its sources in input
// order, to classify (Part.Count) and finish (Part.Finish): a pipeline's
// shard studies its sources with it, and merges its parts' outputs as Run
// does.
func StudyWithin(opts Options, interval time.Duration, each func(func(*scan.P0Packet) error) error, n int64, files int, b Budget, studied func(pt *Part, each func(func(*scan.P0Packet) error) error) error) error {
	pt := NewPart(opts, interval)
	read, err := addWithin(pt, each, b.Bytes)
	if err == nil {
		pt.Decide()
		return studied(pt, each)
	}
	if !errors.Is(err, errOverBudget) {
		return err
	}
	mem, sources := pt.mem, len(pt.byAddr)
	pt = nil
	dir, err := os.MkdirTemp(b.Dir, "port0-study-*")
	if err != nil {
		return fmt.Errorf("study in parts: %w", err)
	}
	defer os.RemoveAll(dir)
	sl := &splitter{opts: opts, interval: interval, files: files, budget: b, dir: dir,
		done: func(nd *node, pt *Part) error { return studied(pt, nd.each) }}
	if err := sl.split(&node{each: each, n: n}, sl.overBudget(sources, mem, read, n)); err != nil {
		return err
	}
	sl.report()
	return nil
}

// addWithin is pass one of pt over the records each gives, stopped
// (errOverBudget) once pt's state passes budget (0: no bound) while it
// holds more than one source (one source's records cannot be split);
// read is how many records it added.
func addWithin(pt *Part, each func(func(*scan.P0Packet) error) error, budget int64) (read int64, err error) {
	err = each(func(p *scan.P0Packet) error {
		pt.Add(p)
		read++
		if budget > 0 && pt.mem > budget && len(pt.byAddr) > 1 {
			return errOverBudget
		}
		return nil
	})
	return read, err
}

// newStudy is a Study of res before pass one.
func newStudy(res *scan.Result, opts Options) (*Study, error) {
	if !res.Port0 {
		return nil, errors.New("the scan result has no port-0 records: scan with Options.Port0")
	}
	if err := opts.Check(); err != nil {
		return nil, fmt.Errorf("study options: %w", err)
	}
	st := &Study{res: res, part: NewPart(opts, res.Interval)}
	st.tele, st.teleFrom = Telescope(opts, res.Dst)
	st.ivs = countIntervalsAsync(&res.Intervals)
	return st, nil
}

// partsFor is how many parts the records of a part take, when its pass
// one reached mem bytes after read of its n records: the whole's
// estimate, extrapolated, over the budget, with room (a part that still
// does not fit is split again).
func partsFor(mem, read, n, budget int64) int {
	est := float64(mem) * float64(n) / float64(max(read, 1))
	k := int(math.Ceil(1.25 * est / float64(budget)))
	return min(max(k, 2), maxParts)
}

// partOf is the part, of k, that the records of src go to at depth
// level: a mix of the address's bits (splitmix64's finaliser), different
// at each level, scaled to k.
func partOf(src netip.Addr, level, k int) int {
	a := src.As16()
	x := binary.LittleEndian.Uint64(a[:8]) ^ bits.RotateLeft64(binary.LittleEndian.Uint64(a[8:]), 29) ^ uint64(level+1)*0x9e3779b97f4a7c15
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	hi, _ := bits.Mul64(x, uint64(k))
	return int(hi)
}

// node is a set of sources' records: the whole (the root, the scan's
// records) or a part of its parent's, in a file. A node studied in one
// Part keeps the class of each of its records in classes; a node split
// has its children, and a class file made from theirs (but the root,
// whose classes are read from its children as the packets are written).
type node struct {
	level    int
	each     func(func(*scan.P0Packet) error) error
	n        int64
	records  string // the node's records file (not the root's)
	classes  string // the class of each record, a byte each, in order
	children []*node
}

// splitter studies sets of sources' records within a budget: a set whose
// sources' state does not fit is split into parts on disk by a hash of
// the source, each studied alone, split again when it still does not fit
// (down to maxDepth). What Run's study in parts and StudyWithin share.
type splitter struct {
	opts     Options
	interval time.Duration
	files    int
	budget   Budget
	dir      string
	made     int // files made in dir
	// studied counts the parts studied, deepest is the deepest level a
	// part was studied at, resplit the parts split again.
	studied, deepest, resplit int
	// done is given each part studied, decided; nd.each gives its
	// records, in input order.
	done func(nd *node, pt *Part) error
	// joined, when not nil, is called once the children of a split node
	// (not the root) are all studied.
	joined func(nd *node) error
}

// path is a new file name in the study's folder.
func (sl *splitter) path(kind string) string {
	sl.made++
	return filepath.Join(sl.dir, fmt.Sprintf("%s-%d", kind, sl.made))
}

// overBudget says, on the progress writer, that the state of sources
// sources passed the budget at record read of n, and returns the parts
// to split them into.
func (sl *splitter) overBudget(sources int, mem, read, n int64) int {
	k := partsFor(mem, read, n, sl.budget.Bytes)
	if sl.budget.Progress != nil {
		fmt.Fprintf(sl.budget.Progress, "study: the state of %d sources passed its budget of %d MiB at record %d of %d: studying the sources in %d parts on disk\n",
			sources, sl.budget.Bytes>>20, read, n, k)
	}
	return k
}

// report says how many parts were studied.
func (sl *splitter) report() {
	if sl.budget.Progress != nil {
		fmt.Fprintf(sl.budget.Progress, "study: %d parts studied, %d of them split again\n", sl.studied, sl.resplit)
	}
}

// split writes nd's records into k parts by source and studies each.
func (sl *splitter) split(nd *node, k int) error {
	ws := make([]*recordWriter, k)
	nd.children = make([]*node, k)
	for i := range ws {
		c := &node{level: nd.level + 1, records: sl.path("records")}
		w, err := createRecords(c.records)
		if err != nil {
			closeAll(ws[:i])
			return err
		}
		ws[i], nd.children[i] = w, c
	}
	var buf []byte
	err := nd.each(func(p *scan.P0Packet) error {
		i := partOf(p.Src, nd.level, k)
		buf = p.AppendRecord(buf[:0])
		nd.children[i].n++
		return ws[i].write(buf)
	})
	if cerr := closeAll(ws); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	for _, c := range nd.children {
		c.each = recordsOf(c.records, c.n, sl.files)
		if err := sl.study(c); err != nil {
			return err
		}
	}
	if nd.level == 0 {
		return nil
	}
	if sl.joined != nil {
		err = sl.joined(nd)
	}
	nd.children = nil
	os.Remove(nd.records) // its classes are all that is read again
	nd.records = ""
	return err
}

// study runs nd's records through one Part, or splits them again when its
// sources pass the budget (down to maxDepth).
func (sl *splitter) study(nd *node) error {
	pt := NewPart(sl.opts, sl.interval)
	budget := sl.budget.Bytes
	if nd.level >= maxDepth {
		budget = 0
	}
	read, err := addWithin(pt, nd.each, budget)
	if errors.Is(err, errOverBudget) {
		mem := pt.mem
		pt = nil
		sl.resplit++
		return sl.split(nd, partsFor(mem, read, nd.n, sl.budget.Bytes))
	}
	if err != nil {
		return err
	}
	pt.Decide()
	sl.studied++
	sl.deepest = max(sl.deepest, nd.level)
	err = sl.done(nd, pt)
	os.Remove(nd.records) // its classes are all that is read again
	nd.records = ""
	return err
}

// spilled is the study in parts: Run's Output when the sources do not
// fit.
type spilled struct {
	splitter
	res    *scan.Result
	ivs    *intervalTotals
	tele   netip.Prefix
	from   string
	counts Counts
	root   *node
	// rows are each studied part's sorted rows, a gob file a table.
	rows MergedRows
}

func newSpilled(st *Study, b Budget) (*spilled, error) {
	dir, err := os.MkdirTemp(b.Dir, "port0-study-*")
	if err != nil {
		return nil, fmt.Errorf("study in parts: %w", err)
	}
	sp := &spilled{res: st.res, ivs: st.ivs, tele: st.tele, from: st.teleFrom, rows: MergedRows{Storage: LocalStorage}}
	sp.splitter = splitter{opts: st.part.opts, interval: st.res.Interval, files: len(st.res.Files), budget: b, dir: dir, done: sp.studiedPart, joined: sp.joinClasses}
	return sp, nil
}

// studiedPart keeps the class of each of nd's records in its class file,
// and the part's rows in sorted runs.
func (sp *spilled) studiedPart(nd *node, pt *Part) error {
	nd.classes = sp.path("classes")
	w, err := createRecords(nd.classes)
	if err != nil {
		return err
	}
	err = nd.each(func(p *scan.P0Packet) error { return w.w.WriteByte(byte(pt.Count(p))) })
	if cerr := w.close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	t := pt.Finish(TelescopeAddrs(sp.tele))
	sp.counts.Merge(&t.Counts)
	runs, err := WriteRows(sp.rows.Storage, sp.path("rows"), t)
	if err != nil {
		return err
	}
	sp.rows.Runs = append(sp.rows.Runs, runs)
	return nil
}

// joinClasses makes the class file of a split node, in its records'
// order, each class from its child's.
func (sp *spilled) joinClasses(nd *node) error {
	nd.classes = sp.path("classes")
	w, err := createRecords(nd.classes)
	if err != nil {
		return err
	}
	err = sp.eachClass(nd, func(_ *scan.P0Packet, c label.Class) error { return w.w.WriteByte(byte(c)) })
	if cerr := w.close(); err == nil {
		err = cerr
	}
	for _, c := range nd.children {
		os.Remove(c.classes)
	}
	return err
}

// eachClass calls fn with each of nd's records, in order, and its class,
// read from the class file of the child the record went to.
func (sp *spilled) eachClass(nd *node, fn func(*scan.P0Packet, label.Class) error) error {
	rs := make([]*bufio.Reader, len(nd.children))
	for i, c := range nd.children {
		f, err := os.Open(c.classes)
		if err != nil {
			return fmt.Errorf("study in parts: %w", err)
		}
		defer f.Close()
		rs[i] = bufio.NewReaderSize(f, 16<<10)
	}
	k := len(nd.children)
	err := nd.each(func(p *scan.P0Packet) error {
		b, err := rs[partOf(p.Src, nd.level, k)].ReadByte()
		if err != nil {
			return fmt.Errorf("study in parts: the classes of a part end early: %w", err)
		}
		return fn(p, label.Class(b))
	})
	if err != nil {
		return err
	}
	for _, r := range rs {
		if _, err := r.ReadByte(); err != io.EOF {
			return errors.New("study in parts: a part has more classes than records")
		}
	}
	return nil
}

// WritePackets writes the packets table (Packets) into dir.
func (sp *spilled) WritePackets(dir string, f tables.Format) error {
	return f.WritePacketRows(dir, sp.Packets)
}

// Packets is the packets table: the scan's records in input order, each
// with the class its part gave it.
func (sp *spilled) Packets(fn func(*tables.PacketRow) error) error {
	var row tables.PacketRow
	files := sp.res.Files
	return sp.eachClass(sp.root, func(p *scan.P0Packet, c label.Class) error {
		row = PacketRow(p, files[p.File].File, c)
		return fn(&row)
	})
}

// Tables is the summary and the time series, from the parts' counts; the
// other tables stream (SourceRows, EventRows, BundleRows).
func (sp *spilled) Tables() (*Tables, error) {
	<-sp.ivs.done
	return assemble(nil, &sp.counts, sp.ivs.t, sp.res.Interval, sp.tele, sp.from)
}

// SourceRows are the sources table's rows: the parts' runs merged.
func (sp *spilled) SourceRows() tables.Rows[tables.SourceRow] { return sp.rows.SourceRows() }

// EventRows are the events table's rows: the parts' runs merged.
func (sp *spilled) EventRows() tables.Rows[tables.EventRow] { return sp.rows.EventRows() }

// BundleRows are the bundles table's rows: the parts' runs merged.
func (sp *spilled) BundleRows() tables.Rows[tables.BundleRow] { return sp.rows.BundleRows() }

// Close removes the study's files.
func (sp *spilled) Close() error { return os.RemoveAll(sp.dir) }

// recordWriter is a file of records (or of classes) being written.
type recordWriter struct {
	f *os.File
	w *bufio.Writer
}

func createRecords(name string) (*recordWriter, error) {
	f, err := os.Create(name)
	if err != nil {
		return nil, fmt.Errorf("study in parts: %w", err)
	}
	return &recordWriter{f, bufio.NewWriterSize(f, 32<<10)}, nil
}

func (w *recordWriter) write(b []byte) error {
	_, err := w.w.Write(b)
	return err
}

func (w *recordWriter) close() error {
	err := w.w.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("study in parts: %w", err)
	}
	return nil
}

func closeAll(ws []*recordWriter) error {
	var first error
	for _, w := range ws {
		if err := w.close(); first == nil {
			first = err
		}
	}
	return first
}

// recordsOf reads the n records of the file name, of a result with files
// inputs, as Records.Each does.
func recordsOf(name string, n int64, files int) func(func(*scan.P0Packet) error) error {
	return func(fn func(*scan.P0Packet) error) error { return scan.ReadRecordFile(name, n, files, fn) }
}
