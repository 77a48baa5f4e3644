// Package testcap holds what the tests of several stages share: the
// committed corpus's place and its expected.csv, captures made by the
// generator once per test binary, and zstd compression of test bytes. It
// is imported by tests only, and imports none of the analysis stages, so
// that any stage's own tests may use it.
package testcap

import (
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/port0/port0/gen"
)

// Root is the repository's top folder.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// CorpusDir is the committed corpus of captures, testdata/captures.
func CorpusDir() string { return filepath.Join(Root(), "testdata", "captures") }

// CorpusRow is one line of testdata/captures/expected.csv.
type CorpusRow struct {
	File             string
	Format           string
	Records          int
	HasErr           bool
	ErrIndex, ErrOff int64
	FirstTS          int64
	Pcapgo           int
	ClassSum         int // sum of the class columns, which must equal Records
	// Classes are the class columns by name (src0, dst0, ...).
	Classes map[string]int
	// ICMP0 counts the ICMP errors quoting a port 0 (not a class: such a
	// packet is also counted in a class column).
	ICMP0 int
	// Tunneled counts the packets found inside a tunnel (their class is
	// the inner packet's) and Notes the packets decoded with a
	// decode.Note; neither is a class.
	Tunneled, Notes int
}

// ClassColumns are the class columns of expected.csv, in order.
var ClassColumns = []string{"src0", "dst0", "both0", "ports", "nonfirst", "noports", "truncated", "malformed", "undecodable"}

// ReadExpected reads testdata/captures/expected.csv.
func ReadExpected(t testing.TB) []CorpusRow {
	t.Helper()
	f, err := os.Open(filepath.Join(CorpusDir(), "expected.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	atoi := func(row []string, name string) int64 {
		s := row[col[name]]
		if s == "" {
			return 0
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("expected.csv %s %s: %v", row[0], name, err)
		}
		return v
	}
	var out []CorpusRow
	for _, row := range rows[1:] {
		c := CorpusRow{
			File:     row[col["file"]],
			Format:   row[col["format"]],
			Records:  int(atoi(row, "records")),
			HasErr:   row[col["err_index"]] != "",
			ErrIndex: atoi(row, "err_index"),
			ErrOff:   atoi(row, "err_offset"),
			FirstTS:  atoi(row, "first_ts"),
			Pcapgo:   int(atoi(row, "pcapgo")),
			Classes:  map[string]int{},
			ICMP0:    int(atoi(row, "icmp0")),
			Tunneled: int(atoi(row, "tunneled")),
			Notes:    int(atoi(row, "notes")),
		}
		for _, cl := range ClassColumns {
			c.Classes[cl] = int(atoi(row, cl))
			c.ClassSum += c.Classes[cl]
		}
		out = append(out, c)
	}
	return out
}

// ZstdBytes compresses b into one zstd frame.
func ZstdBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	zw, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	return zw.EncodeAll(b, nil)
}

// Gen is a default-scenario capture made by gen, held in memory.
type Gen struct {
	Pcap  []byte
	Truth []gen.Truth
}

// Generate writes the default scenario (seed 1) as one Ethernet pcap shard
// into dir and returns its bytes and truth.
func Generate(dir string, scale float64) (Gen, error) {
	p, err := gen.NewPlan(gen.Paper(), 1, scale)
	if err != nil {
		return Gen{}, err
	}
	if _, err := gen.Generate(p, gen.Options{Out: dir, Shard: gen.ShardSingle}); err != nil {
		return Gen{}, err
	}
	var g Gen
	if g.Pcap, err = os.ReadFile(filepath.Join(dir, "telescope.pcap")); err != nil {
		return Gen{}, err
	}
	f, err := os.Open(filepath.Join(dir, "telescope.truth"))
	if err != nil {
		return Gen{}, err
	}
	defer f.Close()
	tr, err := gen.NewTruthReader(f)
	if err != nil {
		return Gen{}, err
	}
	for {
		rec, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Gen{}, err
		}
		g.Truth = append(g.Truth, rec)
	}
	return g, nil
}

// cached generates a capture at one scale once per test binary.
type cached struct {
	once  sync.Once
	scale float64
	g     Gen
	err   error
}

func (c *cached) get(t testing.TB) Gen {
	t.Helper()
	c.once.Do(func() {
		dir, err := os.MkdirTemp("", "port0-testcap")
		if err != nil {
			c.err = err
			return
		}
		defer os.RemoveAll(dir)
		c.g, c.err = Generate(dir, c.scale)
	})
	if c.err != nil {
		t.Fatal(c.err)
	}
	return c.g
}

var (
	small  = cached{scale: 1e-7}
	medium = cached{scale: MediumScale}
)

// MediumScale is the scale of Medium (about 570,000 packets over three
// years).
const MediumScale = 2e-6

// Small is a default-scenario capture small enough to cut at every chunk
// size (scale 1e-7: about 28,000 packets), with fragment trains and
// orphans.
func Small(t testing.TB) Gen { return small.get(t) }

// Medium is the default-scenario capture at MediumScale.
func Medium(t testing.TB) Gen { return medium.get(t) }

// CopyEdited copies the files of the folder src (not its subfolders) into
// a new temporary folder, with the named file replaced by edit of its
// text; the other files are hard links where the file system allows.
func CopyEdited(t testing.TB, src, file string, edit func(string) string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		if e.Name() != file && os.Link(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())) == nil {
			continue // unchanged: a hard link will do
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == file {
			b = []byte(edit(string(b)))
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// SameFiles fails t for every file of names that differs between the
// folders a and b, byte for byte, or is missing in one; what names the
// comparison.
func SameFiles(t testing.TB, what, a, b string, names []string) {
	t.Helper()
	for _, f := range names {
		x, err1 := os.ReadFile(filepath.Join(a, f))
		y, err2 := os.ReadFile(filepath.Join(b, f))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Errorf("%s: %s differs (%v, %v)", what, f, err1, err2)
		}
	}
}

// Tree lists every file below dir (by its slash-separated path relative
// to dir) with its bytes.
func Tree(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
