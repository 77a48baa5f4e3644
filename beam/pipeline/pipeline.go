package pipeline

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/netip"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // the parts of a local -out
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// FileTask is one input of the study: its index in the input list and its
// path (local, or a URL of a Beam filesystem such as gs://).
type FileTask struct {
	Index int
	Path  string
	// Branch is the scan branch that reads it (Index mod Config.Workers).
	Branch int
}

// Config is what the pipeline's stages need of the command line: plain
// values, since Beam sends every stage's parameters to its workers as
// JSON.
type Config struct {
	// Out is the analysis folder the writer makes: a local path (on the
	// writer's worker) or the URL of a Beam filesystem (gs://…), written
	// through it.
	Out string
	// Files is the number of inputs.
	Files int
	// Workers is the number of parallel branches of the scan and of the
	// per-source stage (0 = 1), and ScanWorkers the decoding goroutines of
	// one file (0 = GOMAXPROCS of the worker).
	Workers, ScanWorkers int
	// Shards is the number of keys the sources are hashed to (0 =
	// DefaultShards).
	Shards int
	// Interval and Read are the scan's options, Study the study's and
	// Format the tables', as port0 analyze's flags set them.
	Interval time.Duration
	Read     capture.ReadOptions
	Study    study.Options
	Format   tables.Format
	// Progress writes a line on stderr now and then as files are scanned
	// (useful in-process or with the LOOPBACK environment).
	Progress bool
	// FlushBytes is how many bytes of records a scan worker or a shard
	// holds before it sends them on, the largest element the pipeline
	// makes (0 = DefaultFlushBytes); tests make it tiny, so that the
	// records of one file reach a shard, and the writer, in many pieces.
	FlushBytes int
	// MemLimit is how many bytes of records a shard sorts in memory;
	// beyond it, in sorted runs on disk (0 = scan.DefaultMemLimit).
	MemLimit int
	// Splits is how many sort keys a shard's records are spread over (0 =
	// DefaultSplits), by their input: each sorts its share into a run
	// (the hot source's records too), and the shard's study merges the
	// runs, so that no key of the records' shuffle holds more than about
	// 1/Splits of a shard's records.
	Splits int
	// StudyBytes bounds the state a shard keeps of its sources (as
	// study.Budget; 0: no bound): past it the shard studies them in parts
	// on its disk (study.StudyWithin), as port0 analyze does past a
	// quarter of -mem.
	StudyBytes int64
	// Warnings are the warnings about the inputs for summary.json (as
	// analyze.Options.Warnings: capture.CheckInputs's, Match's).
	Warnings []string
	// ChunkRows is the size of the packets table's chunks, each written
	// by a writer of its own (tables.ChunkStarts; 0: tables.ChunkRows()
	// when the pipeline is built): port0 analyze's, or the Parquet parts
	// differ.
	ChunkRows int64
}

// DefaultSplits is Config.Splits 0: the busiest source of the default
// scenario holds ~36 % of the port-0 records; over 8 sort keys no key
// holds more than ~5 %.
const DefaultSplits = 8

func (c Config) splits() int {
	if c.Splits <= 0 {
		return DefaultSplits
	}
	return c.Splits
}

// DefaultShards is Config.Shards 0: enough keys to spread the per-source
// stage over a cluster's workers, few enough that each holds many sources.
const DefaultShards = 64

// ConfigOf turns analyze's options into a Config (its Files are set by
// Build).
func ConfigOf(o analyze.Options, out string, workers, shards int) Config {
	return Config{Out: out, Workers: workers, ScanWorkers: o.Scan.Workers, Shards: shards, Warnings: o.Warnings,
		Interval: o.Scan.Interval, Read: o.Scan.Read, Study: o.Study, Format: o.Format, StudyBytes: o.Mem / 4}
}

func (c Config) shards() int {
	if c.Shards <= 0 {
		return DefaultShards
	}
	return c.Shards
}

func (c Config) workers() int { return max(c.Workers, 1) }

func (c Config) chunkRows() int64 {
	if c.ChunkRows <= 0 {
		return tables.ChunkRows()
	}
	return c.ChunkRows
}

// PartsDir is the folder in Config.Out where the shards write their
// classified records and rows for the writer, which removes it once the
// tables are written: Out is storage every worker reaches (a gs:// or
// s3:// URL on a cluster, or a folder all of them mount).
const PartsDir = "_port0-parts"

func (c Config) parts() string { return strings.TrimSuffix(c.Out, "/") + "/" + PartsDir }

// The sizes of the elements the pipeline makes of bytes, and of the
// writer's side-input elements, as the runner's metrics (namespace
// "port0"): none grows with the records. A scan's batch of a shard's
// records is cut at FlushBytes; a shard's manifest names its files; a
// block of intervals holds 64 intervals' counts and sketches (at most
// 1 KiB each).
var (
	batchBytes    = beam.NewDistribution("port0", "scan_batch_bytes")
	manifestBytes = beam.NewDistribution("port0", "shard_manifest_bytes")
	sideManifest  = beam.NewDistribution("port0", "writer_side_manifest_bytes")
	sideBlock     = beam.NewDistribution("port0", "writer_side_block_bytes")
	// shardLoad is the number of port-0 records each shard studies:
	// its max over its sum is the largest key's share of the per-source
	// work (one source's records all go to one shard).
	shardLoad = beam.NewDistribution("port0", "shard_records")
	// sortLoad is the number of records each sort key sorts: its max over
	// its sum is the largest key's share of the records' shuffle.
	sortLoad = beam.NewDistribution("port0", "sort_records")
	// chunkLoad is the rows each writer of a chunk of the packets table
	// writes, and sideChunk the size of the writer's side-input element
	// naming one chunk's files.
	chunkLoad = beam.NewDistribution("port0", "chunk_records")
	sideChunk = beam.NewDistribution("port0", "writer_side_chunk_bytes")
)

func (c Config) flushBytes() int {
	if c.FlushBytes <= 0 {
		return DefaultFlushBytes
	}
	return c.FlushBytes
}

func (c Config) memLimit() int {
	if c.MemLimit <= 0 {
		return scan.DefaultMemLimit
	}
	return c.MemLimit
}

func (c Config) scanOptions() scan.Options {
	return scan.Options{Port0: true, Workers: c.ScanWorkers, Interval: c.Interval, Read: c.Read}
}

func init() {
	register.DoFn5x1[context.Context, FileTask, func(*scanAcc), func(int64, []byte), func(int64, *ivAcc), error](&scanFn{})
	register.Emitter2[int64, *ivAcc]()
	register.Combiner2[*ivAcc, []byte](&ivCombine{})
	register.Emitter1[*scanAcc]()
	register.Emitter1[[]byte]()
	register.Emitter2[int64, []byte]()
	// The stages that run once a key (a sort key, a shard, a chunk) or
	// once, by reflection, not register.DoFnNxM: each generated adapter
	// costs ~190 MB more to compile this package (sortFn's took it from
	// 1.49 to 1.68 GB, the peak of make test).
	for _, fn := range []any{(*sortFn)(nil), (*shardFn)(nil), (*chunkFn)(nil), (*sideFn)(nil), (*writeFn)(nil)} {
		beam.RegisterType(reflect.TypeOf(fn).Elem())
	}
	register.Emitter1[*countsAcc]()
	register.Iter1[[]byte]()
	register.Iter1[FileTask]()
	register.Emitter1[string]()
	register.Function1x1(byIndex)
	register.Function2x1(byShard)
	register.Combiner1[*scanAcc](&scanCombine{})
	register.Combiner1[*countsAcc](&countsCombine{})
}

// Build adds the study of the inputs (expanded, in order: see Match) to
// the pipeline of s, writing cfg.Out. It returns the collection of the
// writer's one line of summary.
func Build(s beam.Scope, inputs []string, cfg Config) beam.PCollection {
	cfg.Files = len(inputs)
	cfg.ChunkRows = cfg.chunkRows()
	w := cfg.workers()
	tasks := make([]FileTask, len(inputs))
	for i, in := range inputs {
		tasks[i] = FileTask{Index: i, Path: in, Branch: i % w}
	}
	all := beam.CreateList(s.Scope("Inputs"), tasks)
	// Prism runs a stage's elements in one bundle, one after another:
	// W branches, each with its own Reshuffle, run in parallel.
	var counts, records, ivs []beam.PCollection
	for i, part := range beam.Partition(s.Scope("SpreadFiles"), w, byIndex, all) {
		sc := s.Scope(fmt.Sprintf("Scan%d", i))
		c, r, v := beam.ParDo3(sc, &scanFn{Cfg: cfg}, beam.Reshuffle(sc, part))
		counts, records, ivs = append(counts, c), append(records, r), append(ivs, v)
	}
	totals := beam.DropKey(s, beam.CombinePerKey(s.Scope("CombineIntervals"), &ivCombine{}, beam.Flatten(s, ivs...)))
	// An empty accumulator each, so that the combined counts exist even
	// with no record at all.
	counts = append(counts, beam.Create(s.Scope("NoCounts"), &scanAcc{res: &scan.Result{}}))
	scanned := beam.Combine(s.Scope("CombineScans"), &scanCombine{}, beam.Flatten(s, counts...))
	// What every shard needs of the scan: the telescope, and where the
	// packets table's chunks start.
	side := beam.ParDo(s.Scope("ShardSide"), &sideFn{Cfg: cfg}, scanned)
	recs := beam.Flatten(s, records...)
	// A shard's records spread over Splits sort keys, each sorted into a
	// run where every worker reads it; the shard's study merges its runs.
	var sorted []beam.PCollection
	for i, part := range beam.Partition(s.Scope("SpreadSorts"), w, byShard, recs) {
		sc := s.Scope(fmt.Sprintf("Sort%d", i))
		sorted = append(sorted, beam.ParDo(sc, &sortFn{Cfg: cfg}, beam.GroupByKey(sc, part)))
	}
	runs := beam.Flatten(s, sorted...)
	var parts, studyCounts, classified []beam.PCollection
	for i, part := range beam.Partition(s.Scope("SpreadShards"), w, byShard, runs) {
		sc := s.Scope(fmt.Sprintf("Sources%d", i))
		p, c, k := beam.ParDo3(sc, &shardFn{Cfg: cfg}, beam.GroupByKey(sc, part), beam.SideInput{Input: side})
		parts, studyCounts, classified = append(parts, p), append(studyCounts, c), append(classified, k)
	}
	// Each chunk of the packets table is written by a writer of its own,
	// from the shards' classified records of its inputs.
	var chunks []beam.PCollection
	for i, part := range beam.Partition(s.Scope("SpreadChunks"), w, byShard, beam.Flatten(s, classified...)) {
		sc := s.Scope(fmt.Sprintf("Packets%d", i))
		chunks = append(chunks, beam.ParDo(sc, &chunkFn{Cfg: cfg}, beam.GroupByKey(sc, part), beam.SideInput{Input: all}))
	}
	studyCounts = append(studyCounts, beam.Create(s.Scope("NoStudyCounts"), &countsAcc{}))
	combined := beam.Combine(s.Scope("CombineStudy"), &countsCombine{}, beam.Flatten(s, studyCounts...))
	return beam.ParDo(s.Scope("Write"), &writeFn{Cfg: cfg}, beam.Impulse(s),
		beam.SideInput{Input: scanned}, beam.SideInput{Input: combined}, beam.SideInput{Input: totals},
		beam.SideInput{Input: beam.Flatten(s, parts...)}, beam.SideInput{Input: beam.Flatten(s, chunks...)})
}

// byIndex spreads the inputs over the scan's branches.
func byIndex(t FileTask) int { return t.Branch }

// byShard spreads the keys of a stage (sort keys, shards, chunks) over
// its branches: a key is the branch in its upper 32 bits (branchKey).
func byShard(key int64, _ []byte) int { return int(key >> 32) }

// splitOf is the sort key, of splits, a record goes to within its shard:
// a mix of its input and packet index, so that a busy source's records
// spread evenly whatever files they are in (any split is merged back
// into input order).
func splitOf(p *scan.P0Packet, splits int) int {
	x := uint64(p.File)<<40 ^ uint64(p.Index)
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	return int(x % uint64(splits))
}

// branchKey is the key of n (a shard, a sort key — shard × Splits +
// split —, a chunk) in the stage's branches: the branch in the upper 32
// bits.
func (c Config) branchKey(n int) int64 { return int64(n%c.workers())<<32 | int64(n) }

// ShardOf is the shard of a source address: FNV-1a of its 16 bytes, so
// that every worker puts a source in the same shard.
func ShardOf(a netip.Addr, shards int) int {
	h := fnv.New64a()
	b := a.As16()
	h.Write(b[:])
	return int(h.Sum64() % uint64(shards))
}

// scanned counts the files scanned in this process, for the progress line.
var scanned, lastProgress atomic.Int64

// scanFn scans one input at a time: its counts go to the combine, its
// port-0 records, batched by shard, to the per-source stage. The counts
// of a bundle's inputs are merged in the worker, and their records held
// by shard (up to Config.FlushBytes), so that the runner moves one element a
// shard and bundle, not one a file and shard. A file that cannot be read
// is a read error of the counts, as in port0 analyze; only an error of
// this machine (a spill file) fails the bundle.
type scanFn struct {
	Cfg     Config
	sc      *scan.Scanner
	acc     *scanAcc
	batches map[int][]byte
	held    int
	ctx     context.Context // the bundle's, for the metrics
}

// DefaultFlushBytes is Config.FlushBytes 0.
const DefaultFlushBytes = 16 << 20

// Setup makes the instance's scanner, whose buffers and sketches serve
// every file it is given.
func (f *scanFn) Setup() error {
	var err error
	f.sc, err = scan.NewScanner(f.Cfg.scanOptions())
	return err
}

// StartBundle starts a bundle with no counts and no records.
func (f *scanFn) StartBundle(ctx context.Context, _ func(*scanAcc), _ func(int64, []byte), _ func(int64, *ivAcc)) {
	f.acc, f.batches, f.held, f.ctx = nil, map[int][]byte{}, 0, ctx
}

// ProcessElement scans the file of t.
func (f *scanFn) ProcessElement(ctx context.Context, t FileTask, _ func(*scanAcc), records func(int64, []byte), _ func(int64, *ivAcc)) error {
	res, err := scanTask(ctx, t, f.sc)
	if err != nil {
		return err
	}
	defer res.Close()
	shards, limit := f.Cfg.shards(), f.Cfg.flushBytes()
	n := res.Records.Len()
	if err := res.Records.Each(func(p *scan.P0Packet) error {
		p.File = uint32(t.Index)
		k := ShardOf(p.Src, shards)*f.Cfg.splits() + splitOf(p, f.Cfg.splits())
		f.batches[k] = p.AppendRecord(f.batches[k])
		if f.held += scan.RecordLen; f.held >= limit {
			f.flush(records)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := res.DropRecords(); err != nil {
		return err
	}
	if a := newScanAcc(res, t.Index, n); f.acc == nil {
		f.acc = a
	} else if err := f.acc.merge(a); err != nil {
		return err
	}
	if n := scanned.Add(1); f.Cfg.Progress {
		now := time.Now().UnixNano()
		if last := lastProgress.Load(); now-last > int64(2*time.Second) && lastProgress.CompareAndSwap(last, now) || int(n) == f.Cfg.Files {
			fmt.Fprintf(os.Stderr, "port0-beam: %d of %d files scanned in this process\n", n, f.Cfg.Files)
		}
	}
	return nil
}

// flush sends the records held, shard by shard.
func (f *scanFn) flush(records func(int64, []byte)) {
	keys := make([]int, 0, len(f.batches))
	for k := range f.batches {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	for _, k := range keys {
		batchBytes.Update(f.ctx, int64(len(f.batches[k])))
		records(f.Cfg.branchKey(k), f.batches[k])
	}
	f.batches, f.held = map[int][]byte{}, 0
}

// FinishBundle sends the bundle's counts, its intervals by block, and
// the records still held.
func (f *scanFn) FinishBundle(counts func(*scanAcc), records func(int64, []byte), intervals func(int64, *ivAcc)) {
	f.flush(records)
	if f.acc != nil {
		splitIntervals(&f.acc.res.Intervals, intervals)
		counts(f.acc)
		f.acc = nil
	}
}

// scanTask scans one input: a local path as port0 analyze reads it, a URL
// through the Beam filesystem of its scheme (linked in by the binary).
func scanTask(ctx context.Context, t FileTask, sc *scan.Scanner) (*scan.Result, error) {
	var rd io.Reader // nil: the local file t.Path
	if IsURL(t.Path) {
		fs, err := filesystem.New(ctx, t.Path)
		var rc io.ReadCloser
		if err == nil {
			defer fs.Close()
			rc, err = fs.OpenRead(ctx, t.Path)
		}
		if err != nil {
			rc = io.NopCloser(&failReader{err})
		}
		defer rc.Close()
		rd = rc
	}
	res, err := sc.Scan(t.Path, rd)
	if err != nil && !errors.Is(err, scan.ErrNoInput) {
		res.Close()
		return nil, err
	}
	return res, nil
}

// failReader makes an open error of a filesystem a read error of the file.
type failReader struct{ err error }

func (r *failReader) Read([]byte) (int, error) { return 0, r.err }

// shardSide is what every shard needs of the scan: the telescope the
// study uses (a prefix, "" if unknown: the -telescope flag or the
// destination range of all inputs), and the inputs at which the packets
// table's chunks after the first start (tables.ChunkStarts), to which a
// shard sends its classified records.
type shardSide struct {
	Tele   string
	Starts []int
}

// sideFn makes the shards' side input from the combined scan counts.
type sideFn struct {
	Cfg Config
}

// ProcessElement reads the combined counts.
func (f *sideFn) ProcessElement(acc *scanAcc) ([]byte, error) {
	defer acc.res.Close()
	var side shardSide
	if tele, _ := study.Telescope(f.Cfg.Study, acc.res.Dst); tele.IsValid() {
		side.Tele = tele.String()
	}
	side.Starts = tables.ChunkStarts(acc.rowsByInput(f.Cfg.Files), f.Cfg.chunkRows())
	var b bytes.Buffer
	err := gob.NewEncoder(&b).Encode(&side)
	return b.Bytes(), err
}
