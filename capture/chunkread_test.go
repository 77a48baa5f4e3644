package capture

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/port0/port0/internal/testcap"
)

// readChunked reads a whole pcap capture with ReadChunk and Chunk.Record,
// in chunks of size bytes read piece bytes at a time, and returns what
// Next would have: the packets (Data copied) and the read error. It
// checks each chunk's First and End against its records, and Skipped
// after a read error in plain input against the bytes left.
func readChunked(t *testing.T, data []byte, size, piece int) got {
	t.Helper()
	c, err := NewWith("chunked", bytes.NewReader(data), ReadOptions{ChunkRead: piece})
	if err != nil {
		return got{err: err}
	}
	defer c.Close()
	if c.ByRecord() {
		t.Fatal("pcapng input: ReadChunk is for pcap")
	}
	g := got{format: c.Format()}
	ch := NewChunk(size)
	end := int64(FileHeaderLen)
	for {
		c.ReadChunk(ch)
		if ch.First() != int64(len(g.pkts)) {
			t.Fatalf("chunk First %d after %d records", ch.First(), len(g.pkts))
		}
		var p Packet
		p.Index = ch.First()
		for pos := 0; pos < ch.Len(); p.Index++ {
			pos = ch.Record(pos, &p)
			q := p
			q.LinkType = ch.Link()
			q.Data = bytes.Clone(p.Data)
			g.pkts = append(g.pkts, q)
			end = p.Offset + RecordLen + int64(len(p.Data))
		}
		if ch.End() != end {
			t.Fatalf("chunk End %d, its last record ends at %d", ch.End(), end)
		}
		if ch.Err() == nil && ch.BadBytes() != 0 {
			t.Fatalf("chunk without an error has %d bad bytes", ch.BadBytes())
		}
		if ch.Last() {
			g.err = ch.Err()
			var re *ReadError
			if errors.As(g.err, &re) && !c.Compressed() {
				if n, exact := c.Skipped(re.Offset, ch.BadBytes()); n != int64(len(data))-re.Offset || !exact {
					t.Errorf("Skipped %d bytes (exact %v) after the error at byte %d of %d", n, exact, re.Offset, len(data))
				}
			}
			if c.Offset() != ch.End() {
				t.Errorf("Offset %d after the last chunk, which ends at %d", c.Offset(), ch.End())
			}
			return g
		}
		if ch.Err() != nil {
			t.Fatalf("chunk with error %v is not the last", ch.Err())
		}
	}
}

// TestReadChunkLikeNext reads every pcap of the corpus (plain, gzip and
// zstd) and the generated capture with ReadChunk, at chunk sizes that
// cut records everywhere (and are smaller than one record) and at small
// and default read pieces: the same packets, at the same indexes and
// offsets, and the same read error as Next.
func TestReadChunkLikeNext(t *testing.T) {
	inputs := map[string][]byte{"gen.pcap": testcap.Small(t).Pcap}
	names, err := filepath.Glob(filepath.Join(testcap.CorpusDir(), "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		c, err := New(n, bytes.NewReader(b))
		if err != nil {
			continue // not a capture, or a file header error: no records to read
		}
		if !c.ByRecord() {
			inputs[filepath.Base(n)] = b
		}
		c.Close()
	}
	if len(inputs) < 30 {
		t.Fatalf("only %d pcap inputs", len(inputs))
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			want := readAll(New("chunked", bytes.NewReader(data)))
			sizes := []int{1, 17, 100, 1500, 4096, 0}
			pieces := []int{7, 1000, 0}
			if name == "gen.pcap" {
				sizes, pieces = []int{1000 + rng.IntN(1000), 1 << 16, 0}, []int{4096, 0}
			}
			for _, size := range sizes {
				for _, piece := range pieces {
					g := readChunked(t, data, size, piece)
					if len(g.pkts) != len(want.pkts) {
						t.Fatalf("chunk %d, piece %d: %d packets (error %v), Next reads %d (error %v)", size, piece, len(g.pkts), g.err, len(want.pkts), want.err)
					}
					for i, p := range g.pkts {
						w := want.pkts[i]
						if !bytes.Equal(p.Data, w.Data) || p.TS != w.TS || p.OrigLen != w.OrigLen || p.Offset != w.Offset || p.Index != w.Index || p.LinkType != w.LinkType {
							t.Fatalf("chunk %d, piece %d: packet %d is %+v, Next reads %+v", size, piece, i, p, w)
						}
					}
					var re *ReadError
					if (g.err == nil) != (want.err == nil) || g.err != nil && (!errors.As(g.err, &re) || g.err.Error() != want.err.Error()) {
						t.Errorf("chunk %d, piece %d: error %v, Next: %v", size, piece, g.err, want.err)
					}
				}
			}
		})
	}
}
