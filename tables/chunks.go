package tables

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// The packets table in chunks. Its rows are cut into chunks at inputs'
// boundaries: a chunk starts at the first row of an input (a row whose
// File is not the row before's) once the chunk before it holds ChunkRows
// rows or more, and at a chunk's start every open Parquet part is ended,
// so that no part file spans two chunks. A chunk can then be written on
// its own (CreatePacketsChunk: its CSV lines, its Parquet parts numbered
// from 0 in each day), and the table is its chunks put together
// (AssemblePackets: the CSV header and each chunk's lines; each chunk's
// parts numbered after the parts of their day in the chunks before) — the
// bytes PacketWriter writes from all the rows at once. That is how a
// pipeline writes the table with one writer a chunk, in parallel, and
// only concatenates at the end. The CSV does not depend on the chunks;
// the Parquet parts do, by the rule above alone.

// DefaultChunkRows is the rows a chunk of the packets table holds before
// the next input starts a new one: ~2 s of one core's formatting, and a
// Parquet part cut no more often than that.
const DefaultChunkRows = 1 << 20

// chunkRows is ChunkRows(); SetChunkRows changes it.
var chunkRows int64 = DefaultChunkRows

// ChunkRows is the chunk size the packets table's writers use:
// DefaultChunkRows unless a test set it (SetChunkRows).
func ChunkRows() int64 { return chunkRows }

// SetChunkRows sets ChunkRows to n (at least 1) and returns a function
// that restores it: for tests, whose tables are a few rows long, to make
// several chunks.
func SetChunkRows(n int64) (restore func()) {
	old := chunkRows
	chunkRows = max(n, 1)
	return func() { chunkRows = old }
}

// ChunkStarts returns the inputs at which the chunks after the first
// start, by the chunk rule with chunks of size rows, given the rows of
// each input in input order (the table holds the inputs' rows in that
// order). The chunk of input i is ChunkOf(starts, i).
func ChunkStarts(rows []int64, size int64) []int {
	var starts []int
	var cur int64
	for i, n := range rows {
		if n == 0 {
			continue
		}
		if cur >= size {
			starts = append(starts, i)
			cur = 0
		}
		cur += n
	}
	return starts
}

// ChunkOf is the chunk of input i, of the starts ChunkStarts returned.
func ChunkOf(starts []int, i int) int { return sort.SearchInts(starts, i+1) }

// CreatePacketsChunk starts one chunk of the packets table in the folder
// dir, in the formats of f: dir/packets.csv holds its CSV lines without
// the header, dir/packets/day=YYYY-MM-DD/part-N.parquet its Parquet parts,
// numbered from 0 in each day. The rows written are one chunk: the writer
// never cuts them. Parts lists the parts once it is closed. It makes dir.
func (f Format) CreatePacketsChunk(dir string) (*PacketWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return f.createPackets(dir, nil, true)
}

// Parts lists the Parquet parts the writer started, in the order it
// started them (none without Parquet).
func (pw *PacketWriter) Parts() []DayPart {
	if pw.pq == nil {
		return nil
	}
	return pw.pq.made
}

// PacketsChunk is one chunk of the packets table as AssemblePackets reads
// it: the names, for its open function, of what CreatePacketsChunk wrote.
type PacketsChunk struct {
	// CSV names the chunk's CSV lines ("" when the format writes no CSV).
	CSV string
	// Parquet are its Parquet parts in the order Parts lists them, each
	// Path the name of the part wherever it is now.
	Parquet []DayPart
}

// AssemblePackets writes the packets table into dir, in the formats of f,
// from its chunks in order, each file read through open: packets.csv is
// the header and every chunk's lines; every chunk's Parquet part is
// copied to its day's folder, numbered after that day's parts in the
// chunks before. The bytes are those a PacketWriter writes from the rows
// of all the chunks. Like CreatePackets it removes the table's files of
// the other format, and the table appears under its name only complete.
func (f Format) AssemblePackets(dir string, chunks []PacketsChunk, open func(name string) (io.ReadCloser, error)) error {
	if err := staleWriters(PacketsFile); err != nil {
		return err
	}
	if err := f.clear(dir, PacketsFile, PacketsDir); err != nil {
		return err
	}
	if f.WritesCSV() {
		t, err := create(dir, PacketsFile, packetsHeader, 1<<20)
		if err != nil {
			return err
		}
		for _, c := range chunks {
			if err = copyFrom(t.w, c.CSV, open); err != nil {
				break
			}
		}
		if err := t.close(err); err != nil {
			return err
		}
	}
	if !f.WritesParquet() {
		return nil
	}
	out, err := CreateDir(filepath.Join(dir, PacketsDir))
	if err != nil {
		return err
	}
	next := map[int64]int{}
	for _, c := range chunks {
		local := map[int64]int{}
		for _, p := range c.Parquet {
			if p.N != local[p.Day] {
				return out.Commit(fmt.Errorf("%s: part %d of day %d where the chunk's part %d was due", p.Path, p.N, p.Day, local[p.Day]))
			}
			local[p.Day]++
			n := next[p.Day]
			next[p.Day] = n + 1
			folder := filepath.Join(out.Path(), dayFolder(p.Day))
			if err := os.MkdirAll(folder, 0o755); err != nil {
				return out.Commit(err)
			}
			path := filepath.Join(folder, partName(n))
			o, err := createShown(path, out.Shown(path))
			if err != nil {
				return out.Commit(err)
			}
			if err := o.Commit(copyFrom(o, p.Path, open)); err != nil {
				return out.Commit(err)
			}
		}
	}
	return out.Commit(nil)
}

// copyFrom copies the file name, opened by open, to w.
func copyFrom(w io.Writer, name string, open func(string) (io.ReadCloser, error)) error {
	r, err := open(name)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, r)
	if cerr := r.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
