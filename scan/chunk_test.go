package scan

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/internal/testcap"
)

// scanResult is everything the scan of one file gives: its summary, its
// port-0 records (encoded, in order), and the study's all-traffic numbers.
type scanResult struct {
	fs        FileSummary
	recs      []byte
	intervals map[int64]IntervalAll
	dst       DstRange
	naive     NaiveFlow
}

// scanFile scans one file with s (a tap and a segment of records
// included) as Run does.
func scanFile(t *testing.T, s *fileWorker, name string) scanResult {
	t.Helper()
	if s.tap == nil {
		s.tap = &tap{}
	}
	rs := Records{spill: newSpill(SpillOptions{})}
	s.tap.spill = rs.spill
	seg := rs.newSegment()
	s.tap.startFile(3, seg)
	var res scanResult
	res.fs = s.file(name, nil)
	if err := seg.close(); err != nil {
		t.Fatal(err)
	}
	res.recs = recordBytes(t, &rs)
	if err := rs.close(); err != nil {
		t.Fatal(err)
	}
	res.intervals = map[int64]IntervalAll{}
	for h, a := range s.tap.intervals.All() {
		res.intervals[h] = *a
	}
	res.dst, res.naive = s.tap.dst, s.tap.naive
	return res
}

// sameHours compares the intervals' numbers: packets, registers and
// the sketches' encodings (one per register set, dense or sparse alike).
func sameIntervals(a, b map[int64]IntervalAll) bool {
	if len(a) != len(b) {
		return false
	}
	for h, x := range a {
		y, ok := b[h]
		if !ok || x.Packets != y.Packets || x.Sources.HLL() != y.Sources.HLL() ||
			!bytes.Equal(x.Sources.AppendEncoding(nil), y.Sources.AppendEncoding(nil)) {
			return false
		}
	}
	return true
}

// chunkInputs returns captures to cut into chunks: a generated capture
// (every port-0 shape, fragment trains with orphans), that capture cut
// short at random places and with an absurd record length, gzip-compressed
// (whole, corrupt and cut), and every capture of the test corpus.
func chunkInputs(t *testing.T) map[string][]byte {
	t.Helper()
	g := testcap.Small(t)
	in := map[string][]byte{"gen.pcap": g.Pcap}
	rng := rand.New(rand.NewPCG(6, 6))
	for i := range 4 {
		n := capture.FileHeaderLen + rng.IntN(len(g.Pcap)-capture.FileHeaderLen)
		in[fmt.Sprintf("gen-cut%d.pcap", i)] = g.Pcap[:n]
	}
	// An absurd captured length at a record in the middle.
	bad := bytes.Clone(g.Pcap)
	off := capture.FileHeaderLen
	for range len(g.Truth) / 2 {
		off += capture.RecordLen + int(binary.LittleEndian.Uint32(bad[off+8:]))
	}
	binary.LittleEndian.PutUint32(bad[off+8:], capture.MaxCaplen+1)
	in["gen-absurd.pcap"] = bad
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(g.Pcap)
	zw.Close()
	z := zb.Bytes()
	// Each compressed form whole, cut in half, and with 64 bytes of its
	// middle third flipped; gzip also with a bad CRC-32.
	for ext, c := range map[string][]byte{"gz": z, "zst": testcap.ZstdBytes(t, g.Pcap)} {
		in["gen.pcap."+ext] = c
		in["gen-cut.pcap."+ext] = c[:len(c)/2]
		corrupt := bytes.Clone(c)
		for i := len(c) / 3; i < len(c)/3+64; i++ {
			corrupt[i] ^= 0x5a
		}
		in["gen-corrupt.pcap."+ext] = corrupt
	}
	trailer := bytes.Clone(z)
	trailer[len(trailer)-6] ^= 1 // the CRC-32
	in["gen-crc.pcap.gz"] = trailer
	ents, err := os.ReadDir(testcap.CorpusDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() == "expected.csv" || e.Name() == "README.md" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(testcap.CorpusDir(), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		in["corpus-"+e.Name()] = b
	}
	return in
}

// TestChunkedScan checks that reading a pcap file in chunks of whole
// records, decoded in this goroutine or by several, gives exactly what
// reading it record by record with Next gives: the summary (counts,
// orphan fragments, read error, skipped bytes), the port-0 records one by one,
// and the hourly all-traffic numbers. Chunk sizes run over every size up
// to a few records (so every record boundary is cut) and random sizes.
func TestChunkedScan(t *testing.T) {
	inputs := chunkInputs(t)
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	sizes := []int{}
	for n := 1; n <= 300; n++ {
		sizes = append(sizes, n)
	}
	for range 30 {
		sizes = append(sizes, 300+rng.IntN(1<<16))
	}
	sizes = append(sizes, 1<<16, 1<<18, capture.ChunkSize)
	for name, data := range inputs {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			ref := scanFile(t, &fileWorker{byRecord: true}, path)
			if len(data) > 4<<20 {
				t.Fatal("input too large for the size sweep")
			}
			if name == "gen.pcap" && (ref.fs.Counts.Fragments.OrphanNonFirst == 0 || ref.fs.Counts.Port0.Total == 0 || len(ref.recs) == 0 || len(ref.intervals) < 2) {
				t.Fatalf("the generated capture lacks orphans, port-0 packets, records or hours: %+v", ref.fs.Counts)
			}
			check := func(t *testing.T, workers, size, piece int) {
				t.Helper()
				s := &fileWorker{workers: workers, chunkSize: size, readPiece: piece}
				got := scanFile(t, s, path)
				if !reflect.DeepEqual(got.fs, ref.fs) {
					t.Fatalf("workers %d, chunk %d, piece %d: summary\n%+v\nwant\n%+v", workers, size, piece, got.fs, ref.fs)
				}
				if !bytes.Equal(got.recs, ref.recs) {
					t.Fatalf("workers %d, chunk %d, piece %d: %d port-0 records differ from the %d of the record-by-record scan", workers, size, piece, len(got.recs)/RecordLen, len(ref.recs)/RecordLen)
				}
				if !sameIntervals(got.intervals, ref.intervals) || got.dst != ref.dst || got.naive != ref.naive {
					t.Fatalf("workers %d, chunk %d, piece %d: all-traffic numbers differ", workers, size, piece)
				}
			}
			for i, size := range sizes {
				if len(data) > 64<<10 && size < 300 && size%23 != 0 {
					continue // large inputs: a sample of the small sizes
				}
				if len(data) > 64<<10 && name != "gen.pcap" && i%3 != 0 && size < 1<<18 {
					continue // and of the others for its variants (not the chunks of several read pieces)
				}
				// Every other size reads its chunks in pieces of a half to a
				// sixth of it, so that chunks of several pieces, cut records
				// and read errors meet at every kind of piece boundary, not
				// only in the chunks above readPiece.
				piece := 0
				if i%2 == 1 {
					piece = 1 + size/(2+i%5)
				}
				check(t, 1+i%3, size, piece)
			}
		})
	}
}

// TestChunkedScanReuse reads several files with one scanner, as a file
// worker does, alternating chunk sizes: nothing of one file leaks into
// the next.
func TestChunkedScanReuse(t *testing.T) {
	inputs := chunkInputs(t)
	dir := t.TempDir()
	s := &fileWorker{workers: 2, chunkSize: 4096}
	for _, name := range []string{"gen.pcap", "gen-absurd.pcap", "gen.pcap.gz", "corpus-fragments_v4.pcap", "gen-cut0.pcap", "gen.pcap"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, inputs[name], 0o644); err != nil {
			t.Fatal(err)
		}
		ref := scanFile(t, &fileWorker{byRecord: true}, path)
		got := scanFile(t, s, path)
		if !reflect.DeepEqual(got.fs, ref.fs) || !bytes.Equal(got.recs, ref.recs) || !sameIntervals(got.intervals, ref.intervals) || got.dst != ref.dst || got.naive != ref.naive {
			t.Fatalf("%s: reused file worker differs from a new one", name)
		}
	}
}

// TestPartHours checks the interval a part files each packet under
// against ts / interval, for intervals of 1s, 1m, 5m, 1h and 1d, over
// times around interval boundaries, zero, negative and far off, and its
// destination range against DstRange.
func TestPartIntervals(t *testing.T) {
	for _, iv := range []time.Duration{time.Second, time.Minute, 5 * time.Minute, time.Hour, 24 * time.Hour} {
		t.Run(iv.String(), func(t *testing.T) { testPartIntervals(t, int64(iv)) })
	}
}

func testPartIntervals(t *testing.T, iv int64) {
	rng := rand.New(rand.NewPCG(9, 9))
	var ts []int64
	for _, base := range []int64{0, iv, 2 * iv, 3600e9, 7200e9, 1451606400e9, -3600e9, -iv, 1 << 62, -1 << 62} {
		for _, d := range []int64{-1, 0, 1, iv - 1, iv, -iv, 3599999999999, 3600e9, -3600e9} {
			ts = append(ts, base+d)
		}
	}
	for range 2000 {
		ts = append(ts, 1451606400e9+rng.Int64N(4*3600e9)-3600e9)
	}
	for range 200 {
		ts = append(ts, int64(rng.Uint64()))
	}
	var pt part
	pt.reset()
	pt.study, pt.iv = true, iv
	var d decoder
	r := decode.Record{IPVersion: 4, Ports: decode.PortsNone, Proto: 99}
	want := map[int64]int64{}
	var dst DstRange
	for i, x := range ts {
		p := capture.Packet{TS: x}
		r.IPVersion = uint8(4 + 2*(i%3/2)) // IPv6 every third packet
		decode.PutAddr4(&r.Dst, binary.BigEndian.AppendUint32(nil, uint32(rng.Uint64())))
		pt.tap(&d, &p, &r)
		want[x/iv]++
		if r.IPVersion == 4 {
			dst.add(binary.BigEndian.Uint32(r.Dst[12:]))
		}
	}
	if got := (DstRange{Min: pt.dmin, Max: pt.dmax, Seen: pt.dseen}); got != dst {
		t.Errorf("destination range %+v, want %+v", got, dst)
	}
	got := map[int64]int64{}
	for _, sl := range pt.intervals {
		got[sl.h] += sl.a.Packets
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("hours %v, want %v", got, want)
	}
}

// scanMem scans a capture held in memory (as standard input is read) and
// returns its counts, its read error and the bytes skipped after it.
func scanMem(s *fileWorker, data []byte) (Counts, string, int64) {
	c, err := capture.New("mem", bytes.NewReader(data))
	if err != nil {
		return Counts{}, "header: " + err.Error(), 0
	}
	defer c.Close()
	cnt := newCounts()
	err = s.scanWith(c, s.workers)
	s.t.counts(&cnt)
	if err == nil {
		return cnt, "", 0
	}
	info := errorInfo("mem", err)
	n, _ := c.Skipped(info.ByteOffset, s.badBytes)
	return cnt, info.String(), n
}

// FuzzChunkedScan checks the chunk reader, a parser of pcap record
// framing, against reading record by record with Next: same counts
// (orphan fragments included), same read error, same skipped bytes, for
// any bytes, chunk size and number of decoders. The corpus captures
// (their first 8 KiB, whole and gzip-compressed) are its seeds.
func FuzzChunkedScan(f *testing.F) {
	ents, err := os.ReadDir(testcap.CorpusDir())
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(testcap.CorpusDir(), e.Name()))
		if err != nil || len(b) < 4 {
			continue
		}
		b = b[:min(len(b), 8<<10)]
		f.Add(b, uint16(len(b)/3), uint8(1))
		f.Add(b, uint16(len(b)/2), uint8(1|3<<2))
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		zw.Write(b)
		zw.Close()
		f.Add(zb.Bytes(), uint16(100), uint8(2))
	}
	// workers picks the decoders (its value mod 3, plus 1) and, in bits 2
	// and 3, the read pieces: the chunk, a half, a quarter or an eighth of it.
	f.Fuzz(func(t *testing.T, data []byte, size uint16, workers uint8) {
		rc, rerr, rskip := scanMem(&fileWorker{byRecord: true}, data)
		chunk := 1 + int(size)
		s := &fileWorker{workers: 1 + int(workers%3), chunkSize: chunk, readPiece: max(1, chunk>>(workers>>2&3))}
		gc, gerr, gskip := scanMem(s, data)
		if !reflect.DeepEqual(gc, rc) || gerr != rerr || gskip != rskip {
			t.Fatalf("chunk %d, pieces of %d, %d decoders: counts %+v, error %q, skipped %d\nrecord by record: %+v, %q, %d",
				chunk, s.readPiece, s.workers, gc, gerr, gskip, rc, rerr, rskip)
		}
	})
}
