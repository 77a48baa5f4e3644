package pipeline

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/port0/port0/scan"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// TestChunksOf: the writer puts the packets table together only from
// every chunk the inputs' records make, each with its rows: a chunk that
// did not report (the last one too), one short of rows or one too many is
// an error, not a shorter table.
func TestChunksOf(t *testing.T) {
	rows := []int64{3, 0, 2, 5} // chunks of 4: inputs 0–2 (5 rows), 3 (5)
	m := func(chunk int, rows int64) chunkManifest {
		return chunkManifest{Chunk: chunk, Rows: rows, Files: tables.PacketsChunk{CSV: "c" + string(rune('0'+chunk))}}
	}
	for _, c := range []struct {
		name string
		rows []int64
		cs   []chunkManifest
		want string // an error, or the CSV names in order
	}{
		{"all", rows, []chunkManifest{m(1, 5), m(0, 5)}, "c0 c1"},
		{"no record", []int64{0, 0}, nil, ""},
		{"last missing", rows, []chunkManifest{m(0, 5)}, "chunk 1 of 2 did not report"},
		{"first missing", rows, []chunkManifest{m(1, 5)}, "chunk 0 of 2 did not report"},
		{"short", rows, []chunkManifest{m(0, 5), m(1, 4)}, "chunk 1 wrote 4 rows of 5"},
		{"one too many", rows, []chunkManifest{m(0, 5), m(1, 5), m(2, 1)}, "3 chunks reported, 2 made"},
	} {
		got, err := chunksOf(c.cs, c.rows, 4)
		var names []string
		for _, p := range got {
			names = append(names, p.CSV)
		}
		switch {
		case err != nil && !strings.Contains(err.Error(), c.want), err == nil && strings.Join(names, " ") != c.want:
			t.Errorf("%s: chunks %v, error %v; want %q", c.name, names, err, c.want)
		}
	}
}

// TestWriteClassifiedCreateFails: a chunk's file that cannot be created
// is the shard's error, naming it (not a panic on the writer it never
// had).
func TestWriteClassifiedCreateFails(t *testing.T) {
	store := study.Storage{
		// a nil *os.File, as Beam's local filesystem returns os.OpenFile's
		Create: func(name string) (io.WriteCloser, error) {
			var f *os.File
			return f, fmt.Errorf("create %s: no space left on device", name)
		},
	}
	p := scan.P0Packet{File: 0, Index: 1, Src: netip.MustParseAddr("192.0.2.1"), Dst: netip.MustParseAddr("198.18.0.1")}
	each := func(fn func(*scan.P0Packet) error) error { return fn(&p) }
	_, err := writeClassified(store, "parts/shard-00000-0", study.NewPart(study.DefaultOptions(), 0), each, nil)
	if err == nil || !strings.Contains(err.Error(), "shard-00000-0-000000.packets") {
		t.Fatalf("error %v, want the file named", err)
	}
}
