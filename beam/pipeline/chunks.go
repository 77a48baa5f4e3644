package pipeline

import (
	"bytes"
	"cmp"
	"context"
	"encoding/gob"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// chunkFn writes one chunk of the packets table (tables.ChunkStarts: the
// rows of a run of inputs), from the classified records every shard sent
// it, merged back into input order, with the table's chunk writer
// (tables.Format.CreatePacketsChunk), into the parts folder; it sends the
// writer the names of what it wrote. The chunks are written in parallel,
// each by its own worker: the writer only puts them together.
type chunkFn struct {
	Cfg Config
}

// chunkManifest is what a chunk's writer sends the writer: the chunk, its
// rows and its files.
type chunkManifest struct {
	Chunk int
	Rows  int64
	Files tables.PacketsChunk
}

// ProcessElement writes the chunk of key from the files its records
// arrive in (encoded chunkRecords), the inputs' names from tasks.
func (f *chunkFn) ProcessElement(ctx context.Context, key int64, files func(*[]byte) bool, tasks func(*FileTask) bool, manifests func([]byte)) error {
	chunk := int(uint32(key))
	var recs []chunkRecords
	var b []byte
	for files(&b) {
		var r chunkRecords
		if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&r); err != nil {
			return fmt.Errorf("chunk %d: %w", chunk, err)
		}
		recs = append(recs, r)
		b = nil
	}
	slices.SortFunc(recs, func(x, y chunkRecords) int { return cmp.Compare(x.Run.Name, y.Run.Name) })
	names := make([]string, f.Cfg.Files)
	var t FileTask
	for tasks(&t) {
		names[t.Index] = t.Path
	}
	store, closeStore := storage(ctx)
	defer closeStore()
	m := chunkManifest{Chunk: chunk}
	// A local -out: the chunk is written in the parts folder; a URL: on
	// this worker's disk, then copied there.
	dir := fmt.Sprintf("%s/chunk-%06d", f.Cfg.parts(), chunk)
	local, done, err := localDir(dir)
	if err != nil {
		return err
	}
	defer done()
	pw, err := f.Cfg.Format.CreatePacketsChunk(local)
	if err != nil {
		return fmt.Errorf("chunk %d: %w", chunk, err)
	}
	err = mergeClassified(store, recs, f.Cfg.Files, func(p *scan.P0Packet, c label.Class) error {
		row := study.PacketRow(p, names[p.File], c)
		m.Rows++
		return pw.Write(&row)
	})
	if err = pw.Close(err); err != nil {
		return fmt.Errorf("chunk %d: %w", chunk, err)
	}
	chunkLoad.Update(ctx, m.Rows)
	m.Files.Parquet = slices.Clone(pw.Parts())
	if f.Cfg.Format.WritesCSV() {
		m.Files.CSV = filepath.Join(local, tables.PacketsFile)
	}
	if local != dir {
		if err := uploadChunk(store, &m.Files, dir); err != nil {
			return fmt.Errorf("chunk %d: %w", chunk, err)
		}
	}
	var enc bytes.Buffer
	if err := gob.NewEncoder(&enc).Encode(&m); err != nil {
		return err
	}
	manifests(enc.Bytes())
	return nil
}

// uploadChunk copies the files of a chunk written on this worker's disk
// to store, named after dir (flat names: a cloud listing's * stops at a
// slash), and points c at the copies.
func uploadChunk(store study.Storage, c *tables.PacketsChunk, dir string) error {
	if c.CSV != "" {
		if err := upload(store, c.CSV, dir+".csv"); err != nil {
			return err
		}
		c.CSV = dir + ".csv"
	}
	for i, p := range c.Parquet {
		name := fmt.Sprintf("%s-day%d-part%d.parquet", dir, p.Day, p.N)
		if err := upload(store, p.Path, name); err != nil {
			return err
		}
		c.Parquet[i].Path = name
	}
	return nil
}

// mergeClassified calls fn with every classified record of the files
// recs, merged into input order (each file's are in it already): a k-way
// merge by input and packet index, one buffered reader a file. A file
// with other than its N records is an error.
func mergeClassified(store study.Storage, recs []chunkRecords, files int, fn func(*scan.P0Packet, label.Class) error) error {
	runs := make([]sortedRun, len(recs))
	for i, r := range recs {
		runs[i] = r.Run
	}
	return mergeRuns(store, runs, classedLen, func(rec []byte) error {
		p, err := scan.DecodeRecord(rec[:scan.RecordLen], files)
		if err != nil {
			return err
		}
		c, err := classOf(rec)
		if err != nil {
			return err
		}
		return fn(&p, c)
	})
}
