package tables

import (
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/port0/port0/internal/testcap"
)

func TestChunkStarts(t *testing.T) {
	for _, c := range []struct {
		rows []int64
		size int64
		want []int
	}{
		{nil, 4, nil},
		{[]int64{10}, 4, nil},                          // one input: one chunk, however long
		{[]int64{2, 2, 2, 2, 2}, 4, []int{2, 4}},       // a chunk ends once it holds 4
		{[]int64{3, 0, 0, 1, 5, 0, 1}, 4, []int{4, 6}}, // inputs without rows start nothing
		{[]int64{0, 0, 7, 1}, 4, []int{3}},
		{[]int64{1, 1, 1}, 1, []int{1, 2}},
	} {
		got := ChunkStarts(c.rows, c.size)
		if !slices.Equal(got, c.want) {
			t.Errorf("ChunkStarts(%v, %d) = %v, want %v", c.rows, c.size, got, c.want)
		}
		for i := range c.rows {
			want := 0
			for _, s := range c.want {
				if s <= i {
					want++
				}
			}
			if got := ChunkOf(got, i); got != want {
				t.Errorf("%v: ChunkOf(%d) = %d, want %d", c.rows, i, got, want)
			}
		}
	}
}

// chunkRowsOf are rows of files f0, f1, ... (rows[i] rows each), their
// times in four days of 2016, jumping between them, so that days come
// back after others (new parts) and fill parts (partRows).
func chunkRowsOf(rows []int64) []PacketRow {
	g := newRowGen(7)
	g.exact = true
	base := int64(1451606400e9)
	var out []PacketRow
	for f, n := range rows {
		for i := range n {
			r := g.packet(len(out))
			r.File, r.Index = "f"+strconv.Itoa(f), i
			r.Time = base + g.r.Int64N(4)*86400e9 + i
			if g.r.IntN(3) > 0 && len(out) > 0 { // mostly the day of the row before
				r.Time = out[len(out)-1].Time + 1
			}
			out = append(out, r)
		}
	}
	return out
}

// TestPacketChunks: the packets table written one chunk at a time
// (CreatePacketsChunk) and put together (AssemblePackets) is the table
// PacketWriter writes from all the rows, byte for byte, in every format,
// whatever the chunk size; and the chunk rule cuts Parquet parts where
// ChunkStarts says.
func TestPacketChunks(t *testing.T) {
	defer func(n int64) { partRows = n }(partRows)
	partRows = 5
	perFile := []int64{3, 9, 0, 2, 1, 14, 4, 0, 6, 2}
	rows := chunkRowsOf(perFile)
	for _, size := range []int64{1, 4, 10, 1000} {
		restore := SetChunkRows(size)
		starts := ChunkStarts(perFile, size)
		for _, f := range []Format{CSV, Parquet, Both} {
			whole := t.TempDir()
			if err := writePacketsAs(f, whole, rows); err != nil {
				t.Fatal(err)
			}
			var chunks []PacketsChunk
			for c := 0; c <= len(starts); c++ {
				dir := filepath.Join(t.TempDir(), "chunk")
				pw, err := f.CreatePacketsChunk(dir)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for i := range rows {
					file, _ := strconv.Atoi(rows[i].File[1:])
					if ChunkOf(starts, file) == c {
						if err := pw.Write(&rows[i]); err != nil {
							t.Fatal(err)
						}
						n++
					}
				}
				if err := pw.Close(nil); err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					t.Fatalf("size %d: chunk %d has no rows", size, c)
				}
				pc := PacketsChunk{Parquet: pw.Parts()}
				if f.WritesCSV() {
					pc.CSV = filepath.Join(dir, PacketsFile)
				}
				chunks = append(chunks, pc)
			}
			parts := t.TempDir()
			if err := f.AssemblePackets(parts, chunks, func(name string) (io.ReadCloser, error) { return os.Open(name) }); err != nil {
				t.Fatal(err)
			}
			got, want := testcap.Tree(t, parts), testcap.Tree(t, whole)
			if len(got) != len(want) {
				t.Fatalf("size %d, %v: %d files assembled, want %d", size, f, len(got), len(want))
			}
			for name, b := range want {
				if string(got[name]) != string(b) {
					t.Errorf("size %d, %v: %s differs", size, f, name)
				}
			}
			if f == Parquet {
				t.Logf("chunks of %d: %d chunks, %d Parquet files", size, len(chunks), len(want))
			}
		}
		restore()
	}
}

// TestChunkPartOrder: AssemblePackets refuses a chunk whose parts are
// not listed in the order they were written.
func TestChunkPartOrder(t *testing.T) {
	a := netip.MustParseAddr("192.0.2.1")
	dir := t.TempDir()
	pw, err := Parquet.CreatePacketsChunk(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func(n int64) { partRows = n }(partRows)
	partRows = 1
	for i := range 2 {
		if err := pw.Write(&PacketRow{File: "a", Index: int64(i), Time: 1451606400e9, Src: a, Dst: a}); err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.Close(nil); err != nil {
		t.Fatal(err)
	}
	parts := slices.Clone(pw.Parts())
	slices.Reverse(parts)
	err = Parquet.AssemblePackets(t.TempDir(), []PacketsChunk{{Parquet: parts}}, func(name string) (io.ReadCloser, error) { return os.Open(name) })
	if err == nil {
		t.Fatal("parts out of order assembled")
	}
	t.Log(err)
}
