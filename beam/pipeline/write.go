package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/internal/kmerge"
	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// writeFn writes the analysis folder, once, on one worker: the summary
// and the tables, through analyze.Finish as port0 analyze writes them.
type writeFn struct {
	Cfg Config
}

// ProcessElement writes Cfg.Out from the combined scan counts (without
// their intervals), the combined study counts, every block's interval
// totals and every shard's parts, and emits a line saying what it wrote.
func (f *writeFn) ProcessElement(ctx context.Context, _ []byte, acc *scanAcc, ca *countsAcc, blocks func(*[]byte) bool, parts func(*[]byte) bool, done func(string)) error {
	so := f.Cfg.Study
	format := f.Cfg.Format
	res := acc.res
	defer res.Close()
	tmp, err := os.MkdirTemp("", "port0-beam-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// A URL (gs://…) is written through its Beam filesystem: the folder is
	// made on this worker's disk, then copied there file by file.
	out := f.Cfg.Out
	if IsURL(out) {
		out = filepath.Join(tmp, "out")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	// Each piece of a shard's classified records goes to a file of its
	// own, so that the writer holds the rows but never the packets.
	var pts []*study.PartTables
	pieces := map[int][]piece{}
	var b []byte
	for parts(&b) {
		sp, err := decodeShardPart(b)
		if err != nil {
			return err
		}
		if sp.Rows != nil {
			pts = append(pts, sp.Rows)
		}
		if len(sp.Packets) > 0 {
			name := filepath.Join(tmp, fmt.Sprintf("shard-%d-%d.bin", sp.Shard, sp.Seq))
			if err := os.WriteFile(name, sp.Packets, 0o600); err != nil {
				return err
			}
			pieces[sp.Shard] = append(pieces[sp.Shard], piece{sp.Seq, name})
		}
		b = nil
	}
	var streams [][]piece
	for _, ps := range pieces {
		slices.SortFunc(ps, func(x, y piece) int { return x.seq - y.seq })
		streams = append(streams, ps)
	}
	var ts []*study.Totals
	for blocks(&b) {
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
	sum, err := analyze.Finish(res, noInput, out, format, func() (analyze.StudyOutput, error) {
		t, err := study.AssembleTotals(pts, &ca.Counts, totals, res.Dst, res.Interval, so)
		if err != nil {
			return nil, err
		}
		return &output{tables: t, files: res.Files, streams: streams}, nil
	})
	if err != nil && !errors.Is(err, scan.ErrNoInput) {
		return err
	}
	if out != f.Cfg.Out {
		if err := copyOut(ctx, out, f.Cfg.Out); err != nil {
			return err
		}
	}
	line := fmt.Sprintf("%d inputs, %d read, %d packets", sum.Inputs, sum.Total.Files, sum.Total.Packets)
	if sum.Port0 != nil {
		line += fmt.Sprintf(", %d port-0 related, %d sources", sum.Port0.Port0Packets, sum.Port0.Port0Sources)
	}
	done(line)
	return nil
}

// piece is one piece of a shard's classified records, in a file.
type piece struct {
	seq  int
	name string
}

// output is the study of all shards as analyze.Finish writes it.
type output struct {
	tables  *study.Tables
	files   []scan.FileSummary
	streams [][]piece // each shard's pieces, in order
}

// Tables returns the assembled tables.
func (o *output) Tables() (*study.Tables, error) { return o.tables, nil }

// Packets merges the shards' classified records back into input order
// (each shard's are in it already): a k-way merge by input and packet
// index, one buffered reader a shard.
func (o *output) Packets(fn func(*tables.PacketRow) error) error {
	var streams []*stream
	for _, ps := range o.streams {
		s := &stream{pieces: ps}
		defer s.close()
		if ok, err := s.next(len(o.files)); err != nil {
			return err
		} else if ok {
			streams = append(streams, s)
		}
	}
	var row tables.PacketRow
	return kmerge.Merge(streams, func(a, b *stream) bool {
		if a.p.File != b.p.File {
			return a.p.File < b.p.File
		}
		return a.p.Index < b.p.Index // no two records share both
	}, func(s *stream) (bool, error) { return s.next(len(o.files)) }, func(s *stream) error {
		row = study.PacketRow(&s.p, o.files, s.class)
		return fn(&row)
	})
}

// stream is one shard's classified records, read one at a time from its
// pieces in turn.
type stream struct {
	pieces []piece
	f      *os.File
	r      *bufio.Reader
	buf    [classedLen]byte
	p      scan.P0Packet
	class  label.Class
}

func (s *stream) next(files int) (bool, error) {
	for {
		if s.r == nil {
			if len(s.pieces) == 0 {
				return false, nil
			}
			f, err := os.Open(s.pieces[0].name)
			if err != nil {
				return false, err
			}
			s.f, s.r = f, bufio.NewReaderSize(f, 64<<10)
		}
		_, err := io.ReadFull(s.r, s.buf[:])
		if errors.Is(err, io.EOF) {
			s.close()
			s.pieces = s.pieces[1:]
			continue
		}
		name := s.pieces[0].name
		if err != nil {
			return false, fmt.Errorf("%s: %w", name, err)
		}
		p, err := scan.DecodeRecord(s.buf[:scan.RecordLen], files)
		if err != nil {
			return false, fmt.Errorf("%s: %w", name, err)
		}
		c, err := classOf(s.buf[:])
		if err != nil {
			return false, fmt.Errorf("%s: %w", name, err)
		}
		s.p, s.class = p, c
		return true, nil
	}
}

func (s *stream) close() {
	if s.f != nil {
		s.f.Close()
		s.f, s.r = nil, nil
	}
}

// IsURL reports whether a path names a Beam filesystem's file (scheme://…)
// rather than a local one.
func IsURL(path string) bool { return strings.Contains(path, "://") }

// copyOut copies the files of the local folder dir, recursively, to the
// folder url of a Beam filesystem, each under its relative path.
func copyOut(ctx context.Context, dir, url string) error {
	fs, err := filesystem.New(ctx, url)
	if err != nil {
		return err
	}
	defer fs.Close()
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		dst, err := fs.OpenWrite(ctx, strings.TrimSuffix(url, "/")+"/"+filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		if _, err := io.Copy(dst, src); err != nil {
			dst.Close()
			return fmt.Errorf("%s: %w", rel, err)
		}
		return dst.Close()
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
