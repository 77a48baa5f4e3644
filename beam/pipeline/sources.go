package pipeline

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"

	"github.com/port0/port0/internal/kmerge"
	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// shardFn runs the study of one shard's sources: a study.Part over their
// records, in input order, from the sorted runs of its sort keys (sortFn),
// merged as they are read. It writes its rows and its classified records
// where every worker reads them (the parts folder beside the output,
// Config.parts) and sends on only their names: the rows' to the writer,
// the records' to the writer of each chunk of the packets table they
// belong to. No element and no side input grows with the records.
type shardFn struct {
	Cfg Config
}

// shardManifest is the one element a shard sends the writer: where the
// rows of its parts are (one part when its sources' state fits
// Config.StudyBytes, else as many as study.StudyWithin made); its counts
// go to the combine.
type shardManifest struct {
	Shard int
	Rows  []study.RowRuns
}

// chunkRecords is a file of one part's classified records of one chunk
// of the packets table (a run: in input order, classedLen bytes each, the
// record, then its class): the element a shard sends that chunk's writer.
type chunkRecords struct {
	Chunk int
	Run   sortedRun
}

const classedLen = scan.RecordLen + 1

// ProcessElement studies the sources of shard, from the sorted runs of
// its sort keys, with the side input sideB (an encoded shardSide).
func (f *shardFn) ProcessElement(ctx context.Context, key int64, runs func(*[]byte) bool, sideB []byte, manifests func([]byte), counts func(*countsAcc), chunks func(int64, []byte)) error {
	shard := int(uint32(key))
	var side shardSide
	if err := gob.NewDecoder(bytes.NewReader(sideB)).Decode(&side); err != nil {
		return fmt.Errorf("shard %d: side input: %w", shard, err)
	}
	var rs []sortedRun
	var n int64
	var b []byte
	for runs(&b) {
		r, err := decodeRun(b)
		if err != nil {
			return fmt.Errorf("shard %d: %w", shard, err)
		}
		rs = append(rs, r)
		n += r.N
		b = nil
	}
	slices.SortFunc(rs, func(x, y sortedRun) int { return cmp.Compare(x.Name, y.Name) })
	shardLoad.Update(ctx, n)
	var teleAddrs float64
	if side.Tele != "" {
		p, err := netip.ParsePrefix(side.Tele)
		if err != nil {
			return fmt.Errorf("telescope %q: %w", side.Tele, err)
		}
		teleAddrs = study.TelescopeAddrs(p)
	}
	store, closeStore := storage(ctx)
	defer closeStore()
	each := func(fn func(*scan.P0Packet) error) error {
		return mergeRuns(store, rs, scan.RecordLen, func(rec []byte) error {
			p, err := scan.DecodeRecord(rec, f.Cfg.Files)
			if err != nil {
				return fmt.Errorf("shard %d: %w", shard, err)
			}
			return fn(&p)
		})
	}
	m := shardManifest{Shard: shard}
	var c study.Counts
	err := study.StudyWithin(f.Cfg.Study, f.Cfg.Interval, each, n, f.Cfg.Files, study.Budget{Bytes: f.Cfg.StudyBytes},
		func(pt *study.Part, each func(func(*scan.P0Packet) error) error) error {
			prefix := fmt.Sprintf("%s/shard-%05d-%d", f.Cfg.parts(), shard, len(m.Rows))
			recs, err := writeClassified(store, prefix, pt, each, side.Starts)
			if err != nil {
				return fmt.Errorf("shard %d: %w", shard, err)
			}
			t := pt.Finish(teleAddrs)
			c.Merge(&t.Counts)
			rows, err := study.WriteRows(store, prefix, t)
			if err != nil {
				return fmt.Errorf("shard %d: %w", shard, err)
			}
			m.Rows = append(m.Rows, rows)
			for _, r := range recs {
				var enc bytes.Buffer
				if err := gob.NewEncoder(&enc).Encode(&r); err != nil {
					return err
				}
				chunks(f.Cfg.branchKey(r.Chunk), enc.Bytes())
			}
			return nil
		})
	if err != nil {
		return err
	}
	counts(&countsAcc{Counts: c})
	var enc bytes.Buffer
	if err := gob.NewEncoder(&enc).Encode(&m); err != nil {
		return fmt.Errorf("shard %d: %w", shard, err)
	}
	manifestBytes.Update(ctx, int64(enc.Len()))
	manifests(enc.Bytes())
	return nil
}

// sortFn sorts the records of one sort key (a split of a shard's:
// Config.Splits) into input order, in memory up to Config.MemLimit bytes
// and past it in runs on its disk, and writes them as one run where
// every worker reads it (the parts folder); it sends the run's name on,
// keyed by its shard. The busiest source's records are so sorted on as
// many keys as there are splits.
type sortFn struct {
	Cfg Config
}

// sortedRun is a file of records in input order (N of them): a sort
// key's (scan.RecordLen bytes each), a spill of its records, or a part's
// classified records of a chunk (classedLen).
type sortedRun struct {
	Name string
	N    int64
}

func decodeRun(b []byte) (sortedRun, error) {
	var r sortedRun
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&r); err != nil {
		return r, fmt.Errorf("sorted run: %w", err)
	}
	return r, nil
}

// ProcessElement sorts the records of key.
func (f *sortFn) ProcessElement(ctx context.Context, key int64, batches func(*[]byte) bool, runs func(int64, []byte)) error {
	k := int(uint32(key))
	shard, split := k/f.Cfg.splits(), k%f.Cfg.splits()
	recs := &shardRecords{limit: f.Cfg.memLimit()}
	defer recs.close()
	var b []byte
	for batches(&b) {
		if len(b) == 0 || len(b)%scan.RecordLen != 0 {
			return fmt.Errorf("shard %d split %d: a batch of %d bytes, not whole records of %d", shard, split, len(b), scan.RecordLen)
		}
		if err := recs.add(b); err != nil {
			return fmt.Errorf("shard %d split %d: %w", shard, split, err)
		}
		b = nil
	}
	sortLoad.Update(ctx, recs.n)
	store, closeStore := storage(ctx)
	defer closeStore()
	r := sortedRun{Name: fmt.Sprintf("%s/sorted-%05d-%03d.run", f.Cfg.parts(), shard, split), N: recs.n}
	err := store.Write(r.Name, func(w io.Writer) error {
		return recs.each(func(rec []byte) error {
			_, err := w.Write(rec)
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("shard %d split %d: %w", shard, split, err)
	}
	var enc bytes.Buffer
	if err := gob.NewEncoder(&enc).Encode(&r); err != nil {
		return err
	}
	runs(f.Cfg.branchKey(shard), enc.Bytes())
	return nil
}

// mergeRuns calls fn with every record (size bytes) of the runs rs,
// merged into input order, each run read from store as the merge needs
// it; a run with other than its N records is an error.
func mergeRuns(store study.Storage, rs []sortedRun, size int, fn func(rec []byte) error) error {
	var readers []*runReader
	for _, r := range rs {
		if r.N == 0 {
			continue
		}
		rc, err := store.Open(r.Name)
		if err != nil {
			return err
		}
		defer rc.Close()
		rd := &runReader{r: bufio.NewReaderSize(rc, 64<<10), run: r, rec: make([]byte, size)}
		if ok, err := rd.next(); err != nil {
			return err
		} else if ok {
			readers = append(readers, rd)
		}
	}
	return kmerge.Merge(readers, func(a, b *runReader) bool { return recordCmp(a.rec, b.rec) < 0 },
		(*runReader).next, func(rd *runReader) error { return fn(rd.rec) })
}

// writeClassified writes the records each gives, in input order, each
// with its class in pt (pass two of pt), to a file a chunk of the packets
// table they are in (starts: tables.ChunkStarts), named prefix-CHUNK.packets.
func writeClassified(store study.Storage, prefix string, pt *study.Part, each func(func(*scan.P0Packet) error) error, starts []int) ([]chunkRecords, error) {
	var recs []chunkRecords
	var out io.WriteCloser
	var w *bufio.Writer
	end := func() error {
		if out == nil {
			return nil
		}
		err := w.Flush()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if out = nil; err != nil {
			return fmt.Errorf("%s: %w", recs[len(recs)-1].Run.Name, err)
		}
		return nil
	}
	var rec []byte
	err := each(func(p *scan.P0Packet) error {
		if c := tables.ChunkOf(starts, int(p.File)); out == nil || c != recs[len(recs)-1].Chunk {
			if out != nil && c < recs[len(recs)-1].Chunk {
				return fmt.Errorf("input %d after a later chunk's: the records are not in input order", p.File)
			}
			if err := end(); err != nil {
				return err
			}
			r := chunkRecords{Chunk: c, Run: sortedRun{Name: fmt.Sprintf("%s-%06d.packets", prefix, c)}}
			o, err := store.Create(r.Run.Name)
			if err != nil {
				return err
			}
			out, w, recs = o, bufio.NewWriterSize(o, 64<<10), append(recs, r)
		}
		rec = append(p.AppendRecord(rec[:0]), byte(pt.Count(p)))
		recs[len(recs)-1].Run.N++
		_, err := w.Write(rec)
		return err
	})
	if eerr := end(); err == nil {
		err = eerr
	}
	return recs, err
}

func decodeManifest(b []byte) (*shardManifest, error) {
	m := &shardManifest{}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(m); err != nil {
		return nil, fmt.Errorf("shard manifest: %w", err)
	}
	return m, nil
}

// classOf is the class byte of a classified record.
func classOf(b []byte) (label.Class, error) {
	c := label.Class(b[scan.RecordLen])
	if int(c) >= label.NumClasses {
		return 0, fmt.Errorf("class %d", c)
	}
	return c, nil
}

// recordLess orders encoded records by input index, then packet index:
// input order.
func recordCmp(x, y []byte) int {
	le := binary.LittleEndian
	if c := cmp.Compare(le.Uint32(x), le.Uint32(y)); c != 0 {
		return c
	}
	return cmp.Compare(int64(le.Uint64(x[4:])), int64(le.Uint64(y[4:])))
}

// shardRecords holds a shard's records and gives them back in input
// order, as often as asked: in memory up to limit bytes, then as sorted
// runs of limit bytes in temporary files, merged on reading (memory: one
// run being filled, and a 64 KiB buffer a run).
type shardRecords struct {
	limit  int
	mem    [][]byte // records held, each a slice of its batch
	held   int
	n      int64 // records added
	sorted bool
	runs   []sortedRun
}

func (r *shardRecords) add(batch []byte) error {
	r.n += int64(len(batch) / scan.RecordLen)
	for off := 0; off < len(batch); off += scan.RecordLen {
		r.mem = append(r.mem, batch[off:off+scan.RecordLen:off+scan.RecordLen])
		if r.held += scan.RecordLen; r.held >= r.limit {
			if err := r.spill(); err != nil {
				return err
			}
		}
	}
	r.sorted = false
	return nil
}

// spill writes the records held as one sorted run.
func (r *shardRecords) spill() error {
	slices.SortFunc(r.mem, recordCmp)
	f, err := os.CreateTemp("", "port0-beam-run-*.bin")
	if err != nil {
		return err
	}
	r.runs = append(r.runs, sortedRun{Name: f.Name(), N: int64(len(r.mem))})
	w := bufio.NewWriterSize(f, 64<<10)
	for _, rec := range r.mem {
		w.Write(rec)
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	r.mem, r.held = nil, 0
	return err
}

// each calls fn with every record, in input order.
func (r *shardRecords) each(fn func(rec []byte) error) error {
	if len(r.runs) == 0 {
		if !r.sorted {
			slices.SortFunc(r.mem, recordCmp)
			r.sorted = true
		}
		for _, rec := range r.mem {
			if err := fn(rec); err != nil {
				return err
			}
		}
		return nil
	}
	if len(r.mem) > 0 {
		if err := r.spill(); err != nil {
			return err
		}
	}
	return mergeRuns(study.LocalStorage, r.runs, scan.RecordLen, fn)
}

func (r *shardRecords) close() {
	for _, run := range r.runs {
		os.Remove(run.Name)
	}
	r.runs, r.mem = nil, nil
}

// runReader reads one sorted run, a record at a time.
type runReader struct {
	r    *bufio.Reader
	run  sortedRun
	rec  []byte
	read int64
}

func (rd *runReader) next() (bool, error) {
	_, err := io.ReadFull(rd.r, rd.rec)
	switch {
	case errors.Is(err, io.EOF):
		if rd.read != rd.run.N {
			return false, fmt.Errorf("%s: %d records, %d written (a run cut short or rewritten)", rd.run.Name, rd.read, rd.run.N)
		}
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%s: %w", rd.run.Name, err)
	}
	rd.read++
	return true, nil
}
