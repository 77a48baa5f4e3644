package pipeline

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// writeFn writes the analysis folder, once, on one worker: the summary
// and the tables, through analyze.Finish as port0 analyze writes them;
// the rows from the shards' parts, which it streams and merges (it holds
// none of them), the packets table by putting together the chunks its
// writers wrote (tables.Format.AssemblePackets: it only concatenates and
// copies); then it removes the parts.
type writeFn struct {
	Cfg Config
}

// ProcessElement writes Cfg.Out from the combined scan counts (without
// their intervals), the combined study counts, every block's interval
// totals, every shard's manifest and every chunk's, and emits a line
// saying what it wrote.
func (f *writeFn) ProcessElement(ctx context.Context, _ []byte, acc *scanAcc, ca *countsAcc, blocks func(*[]byte) bool, manifests func(*[]byte) bool, chunks func(*[]byte) bool, done func(string)) error {
	so := f.Cfg.Study
	format := f.Cfg.Format
	res := acc.res
	defer res.Close()
	// A URL (gs://…) is written through its Beam filesystem: the folder is
	// made on this worker's disk, then copied there file by file.
	out, cleanup, err := localDir(f.Cfg.Out)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var ms []*shardManifest
	var b []byte
	for manifests(&b) {
		sideManifest.Update(ctx, int64(len(b)))
		m, err := decodeManifest(b)
		if err != nil {
			return err
		}
		ms = append(ms, m)
		b = nil
	}
	slices.SortFunc(ms, func(x, y *shardManifest) int { return x.Shard - y.Shard })
	var cs []chunkManifest
	for chunks(&b) {
		sideChunk.Update(ctx, int64(len(b)))
		var c chunkManifest
		if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&c); err != nil {
			return fmt.Errorf("chunk manifest: %w", err)
		}
		cs = append(cs, c)
		b = nil
	}
	packets, err := chunksOf(cs, acc.rowsByInput(f.Cfg.Files), f.Cfg.chunkRows())
	if err != nil {
		return err
	}
	var ts []*study.Totals
	for blocks(&b) {
		sideBlock.Update(ctx, int64(len(b)))
		t, err := decodeTotals(b)
		if err != nil {
			return err
		}
		ts = append(ts, t)
		b = nil
	}
	totals, err := study.MergeTotals(ts)
	if err != nil {
		return err
	}
	var noInput error
	if res.Total.Files == 0 {
		noInput = scan.ErrNoInput
	}
	store, closeStore := storage(ctx)
	defer closeStore()
	rows := study.MergedRows{Storage: store}
	for _, m := range ms {
		rows.Runs = append(rows.Runs, m.Rows...)
	}
	sum, err := analyze.Finish(res, noInput, out, format, f.Cfg.Warnings, func() (analyze.StudyOutput, error) {
		t, err := study.AssembleTotals(nil, &ca.Counts, totals, res.Dst, res.Interval, so)
		if err != nil {
			return nil, err
		}
		return &output{MergedRows: rows, tables: t, chunks: packets, store: store}, nil
	})
	if err != nil && !errors.Is(err, scan.ErrNoInput) {
		return err
	}
	// The parts go last: a retry of a copy that failed still finds them.
	if out != f.Cfg.Out {
		if err := copyOut(store, out, f.Cfg.Out); err != nil {
			return err
		}
	}
	if err := removeParts(ctx, f.Cfg.parts()); err != nil {
		return err
	}
	line := fmt.Sprintf("%d inputs, %d read, %d packets", sum.Inputs, sum.Total.Files, sum.Total.Packets)
	if sum.Port0 != nil {
		line += fmt.Sprintf(", %d port-0 related, %d sources", sum.Port0.Port0Packets, sum.Port0.Port0Sources)
	}
	done(line)
	return nil
}

// chunksOf checks the chunks' manifests cs against the chunks the
// records of each input (rows) make and returns their files in order:
// every chunk once, with its rows, or an error naming the first that is
// not (a writer that did not report, or a file cut short).
func chunksOf(cs []chunkManifest, rows []int64, size int64) ([]tables.PacketsChunk, error) {
	starts := tables.ChunkStarts(rows, size)
	want := make([]int64, len(starts)+1)
	for in, n := range rows {
		want[tables.ChunkOf(starts, in)] += n
	}
	if len(want) == 1 && want[0] == 0 {
		want = nil // no record: no chunk
	}
	slices.SortFunc(cs, func(x, y chunkManifest) int { return x.Chunk - y.Chunk })
	packets := make([]tables.PacketsChunk, len(want))
	for i := range want {
		if i >= len(cs) || cs[i].Chunk != i {
			return nil, fmt.Errorf("packets table: chunk %d of %d did not report", i, len(want))
		}
		if cs[i].Rows != want[i] {
			return nil, fmt.Errorf("packets table: chunk %d wrote %d rows of %d", i, cs[i].Rows, want[i])
		}
		packets[i] = cs[i].Files
	}
	if len(cs) > len(want) {
		return nil, fmt.Errorf("packets table: %d chunks reported, %d made", len(cs), len(want))
	}
	return packets, nil
}

// output is the study of all shards as analyze.Finish writes it: a
// study.Streamed whose rows are merged from the shards' parts as they are
// written, and whose packets table is put together from its chunks.
type output struct {
	study.MergedRows
	tables *study.Tables
	chunks []tables.PacketsChunk
	store  study.Storage
}

// Tables returns the summary and the time series.
func (o *output) Tables() (*study.Tables, error) { return o.tables, nil }

// Close does nothing: the writer removes the parts.
func (o *output) Close() error { return nil }

// WritePackets puts the packets table together from its chunks.
func (o *output) WritePackets(dir string, f tables.Format) error {
	return f.AssemblePackets(dir, o.chunks, o.store.Open)
}

// storage is study.Storage through the Beam filesystem of each name's
// scheme (local paths, gs://, s3://: those linked in), one filesystem a
// scheme, opened at its first file; done closes them.
func storage(ctx context.Context) (st study.Storage, done func()) {
	var mu sync.Mutex
	fss := map[string]filesystem.Interface{}
	get := func(name string) (filesystem.Interface, error) {
		scheme, _, ok := strings.Cut(name, "://")
		if !ok {
			scheme = ""
		}
		mu.Lock()
		defer mu.Unlock()
		if fs, ok := fss[scheme]; ok {
			return fs, nil
		}
		fs, err := filesystem.New(ctx, name)
		if err == nil {
			fss[scheme] = fs
		}
		return fs, err
	}
	st = study.Storage{
		Create: func(name string) (io.WriteCloser, error) {
			fs, err := get(name)
			if err != nil {
				return nil, err
			}
			return fs.OpenWrite(ctx, name)
		},
		Open: func(name string) (io.ReadCloser, error) {
			fs, err := get(name)
			if err != nil {
				return nil, err
			}
			return fs.OpenRead(ctx, name)
		},
	}
	return st, func() {
		mu.Lock()
		defer mu.Unlock()
		for _, fs := range fss {
			fs.Close()
		}
		clear(fss)
	}
}

// removeParts removes the shards' parts once the tables are written.
func removeParts(ctx context.Context, dir string) error {
	if !IsURL(dir) {
		return os.RemoveAll(dir)
	}
	fs, err := filesystem.New(ctx, dir)
	if err != nil {
		return err
	}
	defer fs.Close()
	rm, ok := fs.(filesystem.Remover)
	if !ok {
		fmt.Fprintf(os.Stderr, "port0-beam: warning: %s cannot remove files: the shards' parts stay in %s\n", dir, dir)
		return nil
	}
	names, err := fs.List(ctx, strings.TrimSuffix(dir, "/")+"/*")
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := rm.Remove(ctx, n); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
	}
	return nil
}

// localDir is where this worker writes the files of the folder dir: dir
// itself when it is local, else a new temporary folder on this worker's
// disk, whose files the caller copies to dir and which done removes.
func localDir(dir string) (local string, done func(), err error) {
	if !IsURL(dir) {
		return dir, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "port0-beam-*")
	if err != nil {
		return "", nil, err
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

// IsURL reports whether a path names a Beam filesystem's file (scheme://…)
// rather than a local one.
func IsURL(path string) bool { return strings.Contains(path, "://") }

// copyOut copies the files of the local folder dir, recursively, to the
// folder url of store, each under its relative path.
func copyOut(store study.Storage, dir, url string) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		return upload(store, p, strings.TrimSuffix(url, "/")+"/"+filepath.ToSlash(rel))
	})
}

// upload copies the local file path to name in store.
func upload(store study.Storage, path, name string) error {
	return store.Write(name, func(w io.Writer) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
}

// ReadSummary reads the summary.json of an analysis folder, local or
// the URL of a Beam filesystem.
func ReadSummary(ctx context.Context, out string) (*analyze.Summary, error) {
	if !IsURL(out) {
		return analyze.ReadSummary(out)
	}
	name := strings.TrimSuffix(out, "/") + "/" + analyze.SummaryFile
	fs, err := filesystem.New(ctx, name)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	r, err := fs.OpenRead(ctx, name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var s analyze.Summary
	if err := json.NewDecoder(r).Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &s, nil
}
