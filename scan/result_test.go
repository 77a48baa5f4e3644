package scan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/sketch"
)

// recordBytes returns the records of rs, read with Each, encoded one
// after the other as the result's encoding holds them.
func recordBytes(t testing.TB, rs *Records) []byte {
	t.Helper()
	var b []byte
	var rec [RecordLen]byte
	err := rs.Each(func(p *P0Packet) error {
		p.encode(rec[:])
		b = append(b, rec[:]...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := int64(len(b) / RecordLen); n != rs.Len() {
		t.Fatalf("Each gave %d records, Len says %d", n, rs.Len())
	}
	return b
}

// records returns the records of rs, read with Each.
func records(t testing.TB, rs *Records) []P0Packet {
	t.Helper()
	var out []P0Packet
	if err := rs.Each(func(p *P0Packet) error { out = append(out, *p); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// readBack reads an encoding with ReadResult; the result is closed at the
// test's end.
func readBack(t testing.TB, b []byte, so SpillOptions) *Result {
	t.Helper()
	res, err := ReadResult(bytes.NewReader(b), so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Close() })
	return res
}

// sameResult reports every field in which got differs from want: the
// counts, the read errors, the hours with their sketches' registers, the
// ranges and every record.
func sameResult(t testing.TB, got, want *Result) {
	t.Helper()
	if got.Inputs != want.Inputs || got.Port0 != want.Port0 || got.Interval != want.Interval {
		t.Errorf("inputs %d, port0 %v, interval %v; want %d, %v, %v", got.Inputs, got.Port0, got.Interval, want.Inputs, want.Port0, want.Interval)
	}
	if !reflect.DeepEqual(got.Files, want.Files) {
		t.Errorf("files differ:\n%+v\nwant\n%+v", got.Files, want.Files)
	}
	if !reflect.DeepEqual(got.Total, want.Total) {
		t.Errorf("total %+v, want %+v", got.Total, want.Total)
	}
	if !reflect.DeepEqual(got.ReadErrors, want.ReadErrors) {
		t.Errorf("read errors %+v, want %+v", got.ReadErrors, want.ReadErrors)
	}
	if got.NaiveFlow != want.NaiveFlow || got.Dst != want.Dst {
		t.Errorf("naive flow %+v, dst %+v; want %+v, %+v", got.NaiveFlow, got.Dst, want.NaiveFlow, want.Dst)
	}
	if got.Intervals.Len() != want.Intervals.Len() {
		t.Errorf("%d intervals, want %d", got.Intervals.Len(), want.Intervals.Len())
	}
	for h, a := range want.Intervals.All() {
		if b := got.Intervals.At(h); b == nil || b.Packets != a.Packets || b.Sources.HLL() != a.Sources.HLL() ||
			!bytes.Equal(b.Sources.AppendEncoding(nil), a.Sources.AppendEncoding(nil)) {
			t.Errorf("interval %d differs", h)
			break
		}
	}
	g, w := records(t, &got.Records), records(t, &want.Records)
	if len(g) != len(w) {
		t.Errorf("%d records, want %d", len(g), len(w))
	}
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			t.Errorf("record %d: %+v, want %+v", i, g[i], w[i])
			break
		}
	}
}

// pcapShards cuts a little-endian pcap into n captures of consecutive
// whole records, each with the file header.
func pcapShards(t testing.TB, pcap []byte, n int) [][]byte {
	t.Helper()
	var starts []int
	for off := capture.FileHeaderLen; off < len(pcap); off += capture.RecordLen + int(binary.LittleEndian.Uint32(pcap[off+8:])) {
		starts = append(starts, off)
	}
	if len(starts) < n {
		t.Fatalf("%d records for %d shards", len(starts), n)
	}
	var out [][]byte
	for i := range n {
		end := len(pcap)
		if i < n-1 {
			end = starts[(i+1)*len(starts)/n]
		}
		shard := append([]byte(nil), pcap[:capture.FileHeaderLen]...)
		out = append(out, append(shard, pcap[starts[i*len(starts)/n]:end]...))
	}
	return out
}

// mergeInputs writes testcap.Small cut into three shards into a temporary
// folder and returns them with corpus captures between them: port-0
// packets of every position, ICMP errors quoting port 0, IPv6 fragments,
// a read error, a file that does not exist, pcapng and gzip.
func mergeInputs(t testing.TB) []string {
	t.Helper()
	dir := t.TempDir()
	var shards []string
	for i, b := range pcapShards(t, testcap.Small(t).Pcap, 3) {
		name := filepath.Join(dir, "shard"+string(rune('0'+i))+".pcap")
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
		shards = append(shards, name)
	}
	corpus := func(name string) string { return filepath.Join(testcap.CorpusDir(), name) }
	return []string{
		shards[0], corpus("port0_positions.pcap"), shards[1], corpus("cut_mid_record.pcap"),
		corpus("icmp_errors.pcap"), filepath.Join(dir, "missing.pcap"), shards[2],
		corpus("fragments_v6.pcap"), corpus("pcapng_le.pcapng.gz"),
	}
}

// TestResultRoundTrip writes results with WriteTo and reads them back with
// ReadResult (records in memory and spilled): the same result in every
// field, and the same bytes when written again.
func TestResultRoundTrip(t *testing.T) {
	small := filepath.Join(t.TempDir(), "small.pcap")
	if err := os.WriteFile(small, testcap.Small(t).Pcap, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		inputs []string
		port0  bool
	}{
		{"small", []string{small}, true},
		{"corpus", corpusInputs(t), true},
		{"corpus-count-only", corpusInputs(t), false},
		{"small-count-only", []string{small}, false},
		{"merge-inputs", mergeInputs(t), true},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := run(t, c.inputs, Options{Port0: c.port0})
			if c.port0 && (res.Records.Len() == 0 || res.Intervals.Len() == 0 || !res.Dst.Seen || res.NaiveFlow.Packets == 0) {
				t.Fatalf("nothing to round-trip: %d records, %d hours", res.Records.Len(), res.Intervals.Len())
			}
			if !c.port0 && (res.Records.Len() != 0 || res.Intervals.Len() != 0) {
				t.Fatalf("count-only result with %d records, %d hours", res.Records.Len(), res.Intervals.Len())
			}
			b := encoding(t, res)
			for _, so := range []SpillOptions{{}, {MemLimit: -1, Dir: t.TempDir()}, {MemLimit: 5 * RecordLen, Dir: t.TempDir()}} {
				back := readBack(t, b, so)
				sameResult(t, back, res)
				if got := encoding(t, back); !bytes.Equal(got, b) {
					t.Errorf("spill %+v: re-encoded result of %d bytes differs from the %d read", so, len(got), len(b))
				}
			}
		})
	}
	// A file name that is not UTF-8 (JSON cannot hold it: it reads back
	// with a replacement character) still gives an encoding that reads
	// back and writes as itself.
	t.Run("file-name-not-utf8", func(t *testing.T) {
		name := filepath.Join(t.TempDir(), "bad\xff.pcap")
		if err := os.WriteFile(name, testcap.Small(t).Pcap, 0o644); err != nil {
			t.Skip(err) // a file system that refuses the name
		}
		res := run(t, []string{name, filepath.Join(t.TempDir(), "missing\xfe.pcap")}, Options{Port0: true})
		b := encoding(t, res)
		back := readBack(t, b, SpillOptions{})
		if got := encoding(t, back); !bytes.Equal(got, b) {
			t.Error("re-encoded result differs from the one read")
		}
		if f := back.Files[0].File; !strings.HasSuffix(f, "bad\ufffd.pcap") || back.Records.Len() != res.Records.Len() {
			t.Errorf("read back as file %q with %d records", f, back.Records.Len())
		}
	})
}

// runAny is Run for inputs that may all be unreadable (ErrNoInput is no
// failure); the result is closed at the test's end.
func runAny(t testing.TB, inputs []string, opts Options) *Result {
	t.Helper()
	res, err := Run(inputs, nil, opts)
	t.Cleanup(func() { res.Close() })
	if err != nil && !errors.Is(err, ErrNoInput) {
		t.Fatal(err)
	}
	return res
}

// TestResultMerge checks that merging the results of the parts of a list
// of inputs, in order, gives the result of one run over the whole list,
// byte for byte: at every cut into two halves, into three parts, from
// results read back from their encoding (as "port0 analyze -merge" does),
// with the port-0 side and without. A result with the port-0 side and
// one without do not merge.
func TestResultMerge(t *testing.T) {
	in := mergeInputs(t)
	for _, port0 := range []bool{true, false} {
		whole := run(t, in, Options{Port0: port0, Workers: 2})
		want := encoding(t, whole)
		for k := 0; k <= len(in); k++ {
			a := runAny(t, in[:k], Options{Port0: port0, Workers: 1})
			b := runAny(t, in[k:], Options{Port0: port0, Workers: 3})
			if err := a.Merge(b); err != nil {
				t.Fatalf("port0 %v, cut at %d: %v", port0, k, err)
			}
			if got := encoding(t, a); !bytes.Equal(got, want) {
				sameResult(t, a, whole)
				t.Fatalf("port0 %v, cut at %d: the merged halves' encoding differs from one run's", port0, k)
			}
			if b.Inputs != 0 || b.Records.Len() != 0 || b.Intervals.Len() != 0 {
				t.Errorf("port0 %v, cut at %d: the merged result is not empty after Merge: %+v", port0, k, b)
			}
		}
		// Three parts read back from their encodings, records spilled or
		// not, merged into an empty result.
		all := &Result{}
		t.Cleanup(func() { all.Close() })
		for i, part := range [][]string{in[:2], in[2:6], in[6:]} {
			enc := encoding(t, run(t, part, Options{Port0: port0}))
			so := SpillOptions{}
			if i != 1 {
				so = SpillOptions{MemLimit: -1, Dir: t.TempDir()}
			}
			p, err := ReadResult(bytes.NewReader(enc), so)
			if err != nil {
				t.Fatal(err)
			}
			if err := all.Merge(p); err != nil {
				t.Fatal(err)
			}
		}
		if got := encoding(t, all); !bytes.Equal(got, want) {
			sameResult(t, all, whole)
			t.Fatalf("port0 %v: three parts read back and merged differ from one run", port0)
		}
	}

	withPort0 := run(t, in[:3], Options{Port0: true})
	countOnly := run(t, in[3:], Options{})
	before := encoding(t, withPort0)
	for _, c := range []struct{ a, b *Result }{{withPort0, countOnly}, {countOnly, withPort0}} {
		if err := c.a.Merge(c.b); err == nil || !strings.Contains(err.Error(), "port-0") {
			t.Errorf("merging port0 %v into port0 %v: error %v, want one about the port-0 side", c.b.Port0, c.a.Port0, err)
		}
	}
	if !bytes.Equal(encoding(t, withPort0), before) {
		t.Error("a failed merge changed the result")
	}
	// An empty result merges with either.
	if err := withPort0.Merge(&Result{}); err != nil || !bytes.Equal(encoding(t, withPort0), before) {
		t.Errorf("merging an empty result: %v, or the result changed", err)
	}
}

// spillFiles lists the spill files in dir.
func spillFiles(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "port0-records-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSpill checks that records spilled to disk, all of them or those past
// a small memory limit, are the records of a run in memory, in order, as
// often as they are read; that the spill files are in Spill.Dir while the
// result lives and are all gone after Close; and that a spill folder that
// cannot be written is an error.
func TestSpill(t *testing.T) {
	in := mergeInputs(t)
	mem := run(t, in, Options{Port0: true, Spill: SpillOptions{Dir: t.TempDir()}})
	want := encoding(t, mem)
	wantRecs := recordBytes(t, &mem.Records)
	withRecords := 0
	for _, s := range mem.Records.segs {
		if s.name != "" {
			t.Fatalf("the in-memory run spilled %s", s.name)
		}
		if s.n > 0 {
			withRecords++
		}
	}
	if withRecords < 3 {
		t.Fatalf("only %d inputs with port-0 records", withRecords)
	}
	for _, c := range []struct {
		name  string
		limit int64
	}{{"all", -1}, {"small", 40 * RecordLen}} {
		for _, workers := range []int{1, 2} {
			dir := t.TempDir()
			res, err := Run(in, nil, Options{Port0: true, Workers: workers, Spill: SpillOptions{MemLimit: c.limit, Dir: dir}})
			if err != nil {
				t.Fatal(err)
			}
			files := spillFiles(t, dir)
			switch {
			case c.limit < 0 && len(files) != withRecords:
				t.Errorf("%s, %d workers: %d spill files, want one for each of the %d inputs with records", c.name, workers, len(files), withRecords)
			case len(files) == 0 || len(files) > withRecords:
				t.Errorf("%s, %d workers: %d spill files for %d inputs with records", c.name, workers, len(files), withRecords)
			}
			for range 2 {
				if got := recordBytes(t, &res.Records); !bytes.Equal(got, wantRecs) {
					t.Errorf("%s, %d workers: the spilled records differ from those held in memory", c.name, workers)
				}
			}
			if got := encoding(t, res); !bytes.Equal(got, want) {
				t.Errorf("%s, %d workers: the spilled result's encoding differs", c.name, workers)
			}
			if err := res.Close(); err != nil {
				t.Fatal(err)
			}
			if left := spillFiles(t, dir); len(left) != 0 {
				t.Errorf("%s, %d workers: Close left %v", c.name, workers, left)
			}
			if res.Records.Len() != 0 {
				t.Errorf("%s, %d workers: %d records after Close", c.name, workers, res.Records.Len())
			}
		}
	}

	// ReadResult spills as Run does, and a read that fails removes what it
	// spilled.
	dir := t.TempDir()
	back := readBack(t, want, SpillOptions{MemLimit: -1, Dir: dir})
	if len(spillFiles(t, dir)) != 1 || !bytes.Equal(recordBytes(t, &back.Records), wantRecs) {
		t.Errorf("read back spilled: %d files", len(spillFiles(t, dir)))
	}
	back.Close()
	if left := spillFiles(t, dir); len(left) != 0 {
		t.Errorf("Close left %v", left)
	}
	if _, err := ReadResult(bytes.NewReader(want[:len(want)-len(resultEnd)-RecordLen/2]), SpillOptions{MemLimit: -1, Dir: dir}); err == nil {
		t.Error("a cut result read without an error")
	}
	if left := spillFiles(t, dir); len(left) != 0 {
		t.Errorf("a failed read left %v", left)
	}

	res, err := Run(in, nil, Options{Port0: true, Spill: SpillOptions{MemLimit: -1, Dir: filepath.Join(dir, "missing")}})
	if err == nil || !strings.Contains(err.Error(), "spill") {
		t.Errorf("spill folder missing: error %v, want a spill error", err)
	}
	if res != nil {
		res.Close()
	}
}

// tinyResult is a small result made by hand: two files (one unreadable),
// three hours (one before 1970; the last with a dense sketch, the others
// sparse), IPv4, IPv6 and ICMP-quote records.
func tinyResult(t testing.TB) *Result {
	t.Helper()
	r := newResult(2, true, SpillOptions{})
	r.Interval = DefaultInterval
	a := FileSummary{File: "a.pcap", Format: "pcap", Counts: newCounts()}
	a.Counts.Files, a.Counts.Packets, a.Counts.Port0.Total = 1, 5, 2
	a.Counts.LinkTypes["1"] = 5
	b := FileSummary{File: "b.pcap", Counts: newCounts(), ReadError: &ReadErrorInfo{File: "b.pcap", PacketIndex: -1, Message: "open b.pcap: no such file or directory"}}
	b.Counts.ReadErrors = 1
	r.Files[0], r.Files[1] = a, b
	r.Total.Add(&a.Counts)
	r.Total.Add(&b.Counts)
	r.ReadErrors = append(r.ReadErrors, *b.ReadError)
	for i, h := range []int64{-3, 480000, 480002} {
		x := &IntervalAll{Packets: int64(10 + i)}
		x.Sources.Add(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}))
		x.Sources.Add(netip.MustParseAddr("2001:db8::7"))
		if i == 2 {
			for k := range 2000 {
				x.Sources.Add(netip.AddrFrom4([4]byte{10, 0, byte(k >> 8), byte(k)}))
			}
		}
		r.Intervals.Set(h, x)
	}
	r.Dst = DstRange{Min: 0xc6120000, Max: 0xc612ffff, Seen: true}
	r.NaiveFlow = NaiveFlow{Packets: 3, Port0: 2, ICMP: 1}
	seg := r.Records.newSegment()
	recs := []P0Packet{
		{File: 0, Index: 1, TS: 1728000000e9, Src: netip.MustParseAddr("192.0.2.1"), Dst: netip.MustParseAddr("198.18.0.5"),
			Proto: decode.ProtoTCP, TTL: 51, Shape: classify.Shape(1), Probe: classify.Probe(2), Flags: 0x02, Window: 1024,
			SrcPort: 40000, IPID: 7, Seq: 1 << 31, Length: 40, Port0: decode.Port0Dst, DataOffOK: true},
		{File: 0, Index: 3, TS: -1, Src: netip.MustParseAddr("2001:db8::1"), Dst: netip.MustParseAddr("2001:db8::2"),
			Proto: decode.ProtoUDP, TTL: 64, DstPort: 53, Length: 48, Port0: decode.Port0Src},
		{File: 0, Index: 4, TS: 1728007200e9, Src: netip.MustParseAddr("203.0.113.9"), Dst: netip.MustParseAddr("198.18.0.9"),
			Proto: 1, TTL: 250, ICMPType: 3, Length: 56, SrcPort: 53, Port0: decode.Port0Both, InnerSrc: netip.MustParseAddr("198.18.0.9")},
	}
	for _, p := range recs {
		var e [RecordLen]byte
		p.encode(e[:])
		seg.write(r.Records.spill, e[:])
	}
	if err := seg.close(); err != nil {
		t.Fatal(err)
	}
	r.Records.newSegment() // b.pcap's: empty
	t.Cleanup(func() { r.Close() })
	return r
}

// resultLayout is where the sections of an encoding start.
type resultLayout struct {
	meta, intervals, records, end int // meta's bytes; the interval count; the record count; the end mark
	nh, nr                        int
	interval                      []int // where each interval starts (its index; packets and sketch follow)
}

func layoutOf(t testing.TB, b []byte) resultLayout {
	t.Helper()
	var l resultLayout
	l.meta = len(resultMagic) + 4 + 4
	l.intervals = l.meta + int(binary.LittleEndian.Uint32(b[l.meta-4:]))
	l.nh = int(binary.LittleEndian.Uint64(b[l.intervals:]))
	at := l.intervals + 8
	for range l.nh {
		l.interval = append(l.interval, at)
		n, ok := sketch.EncodedLen(binary.LittleEndian.Uint16(b[at+16:]))
		if !ok {
			t.Fatalf("interval at %d: bad sketch head", at)
		}
		at += 16 + 2 + n
	}
	l.interval = append(l.interval, at)
	l.records = at
	l.nr = int(binary.LittleEndian.Uint64(b[l.records:]))
	l.end = l.records + 8 + l.nr*RecordLen
	if l.end+len(resultEnd) != len(b) {
		t.Fatalf("layout %+v of %d bytes", l, len(b))
	}
	return l
}

// fuzzSeeds are small valid encodings: the hand-made result, results of
// scanning a few corpus captures with and without the port-0 side, and
// the empty result.
func fuzzSeeds(t testing.TB) [][]byte {
	t.Helper()
	seeds := [][]byte{encoding(t, tinyResult(t))}
	small := []string{filepath.Join(testcap.CorpusDir(), "port0_positions.pcap"), filepath.Join(testcap.CorpusDir(), "icmp_errors.pcap")}
	for _, port0 := range []bool{true, false} {
		seeds = append(seeds, encoding(t, run(t, small, Options{Port0: port0})))
	}
	empty, _ := Run(nil, nil, Options{Port0: true})
	seeds = append(seeds, encoding(t, empty))
	empty.Close()
	return seeds
}

// FuzzReadResult checks the decoder of the result's encoding on any bytes:
// it never panics, and what it accepts is exactly what WriteTo writes of
// the result it returns, byte for byte (so no two encodings read as one
// result, and nothing is dropped). Its seeds are small valid encodings,
// each cut at every section and with bytes of every section changed.
func FuzzReadResult(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
		l := layoutOf(f, b)
		for _, cut := range []int{0, 4, len(resultMagic) + 2, l.meta - 1, l.meta + 5, l.intervals + 3, l.interval[0] + 17, (l.interval[0] + l.interval[l.nh]) / 2, l.records - 1, l.records + 7, l.records + 8 + RecordLen/3, l.end + 2, len(b) - 1} {
			if cut < len(b) {
				f.Add(b[:cut])
			}
		}
		for _, at := range []int{3, len(resultMagic), l.meta + 2, l.intervals, l.intervals + 8, l.intervals + 8 + 16, l.intervals + 8 + 18, l.intervals + 8 + 20, l.interval[l.nh] - 20, l.interval[l.nh] - 500, l.records, l.records + 8 + 20, l.records + 8 + 2*17 + 36, l.end} {
			if at < len(b) {
				c := bytes.Clone(b)
				c[at] ^= 0x41
				f.Add(c)
			}
		}
		f.Add(append(bytes.Clone(b), 0))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := ReadResult(bytes.NewReader(data), SpillOptions{})
		if err != nil {
			if res != nil {
				t.Fatalf("error %v with a result", err)
			}
			if !strings.HasPrefix(err.Error(), "scan result: ") {
				t.Fatalf("error %q does not say it is about a scan result", err)
			}
			return
		}
		defer res.Close()
		var buf bytes.Buffer
		if _, err := res.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), data) {
			t.Fatalf("read %d bytes as a result that writes as %d other bytes", len(data), buf.Len())
		}
	})
}

// TestReadResultErrors reads damaged encodings of a small result: each is
// an error that names what is wrong (and, for a record, which one and
// where it starts), never a panic or a result.
func TestReadResultErrors(t *testing.T) {
	good := encoding(t, tinyResult(t))
	l := layoutOf(t, good)
	meta := good[l.meta:l.intervals]
	// with returns good with its bytes from off changed by fn.
	with := func(fn func(b []byte)) []byte {
		b := bytes.Clone(good)
		fn(b)
		return b
	}
	// withMeta returns good with other meta bytes.
	withMeta := func(m []byte) []byte {
		b := append([]byte(nil), good[:l.meta-4]...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(m)))
		b = append(b, m...)
		return append(b, good[l.intervals:]...)
	}
	countOnly := bytes.Replace(meta, []byte(`"port0":true`), []byte(`"port0":false`), 1)
	countOnly = bytes.Replace(countOnly, []byte(`"interval_s":3600`), []byte(`"interval_s":0`), 1)
	// countOnlyWith returns the count-only form of good, without hours,
	// followed by the sections from the record count on.
	countOnlyWith := func(tail []byte) []byte {
		b := withMeta(countOnly)
		b = b[:len(b)-(len(good)-l.intervals)]
		return append(binary.LittleEndian.AppendUint64(b, 0), tail...)
	}
	rec := func(i int) int { return l.records + 8 + i*RecordLen }
	u64 := func(off int, v uint64) func([]byte) {
		return func(b []byte) { binary.LittleEndian.PutUint64(b[off:], v) }
	}
	for _, c := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "at byte 0: header: unexpected EOF"},
		{"bad magic", with(func(b []byte) { b[1] = 'X' }), `not a port0 scan result (magic "PXRESULT")`},
		{"wrong version", with(func(b []byte) { b[len(resultMagic)] = 1 }), "version 1, this port0 reads version 4"},
		{"cut in header", good[:len(resultMagic)+1], "header: unexpected EOF"},
		{"cut in meta length", good[:l.meta-2], "meta length: unexpected EOF"},
		{"meta length above the bound", with(func(b []byte) { binary.LittleEndian.PutUint32(b[l.meta-4:], maxMeta+1) }), "meta length 1073741825 above"},
		{"cut in meta", good[:l.meta+len(meta)/2], "meta: unexpected EOF"},
		{"meta not JSON", withMeta(append([]byte("x"), meta[1:]...)), "meta: invalid character"},
		{"meta not as written", withMeta(bytes.Replace(meta, []byte(`"inputs":2,`), []byte(`"inputs": 2,`), 1)), "meta is not as WriteTo writes it"},
		{"meta unknown field", withMeta(append([]byte(`{"x":1,`), meta[1:]...)), "meta is not as WriteTo writes it"},
		{"meta inputs and files", withMeta(bytes.Replace(meta, []byte(`"inputs":2,`), []byte(`"inputs":3,`), 1)), "meta: 3 inputs but 2 files"},
		{"interval not a divisor of a day", withMeta(bytes.Replace(meta, []byte(`"interval_s":3600`), []byte(`"interval_s":7`), 1)), "meta: an interval of 7 s"},
		{"no interval", withMeta(bytes.Replace(meta, []byte(`"interval_s":3600`), []byte(`"interval_s":0`), 1)), "meta: an interval of 0 s"},
		{"interval above a day", withMeta(bytes.Replace(meta, []byte(`"interval_s":3600`), []byte(`"interval_s":172800`), 1)), "meta: an interval of 172800 s"},
		{"interval in a count-only result", withMeta(bytes.Replace(countOnly, []byte(`"interval_s":0`), []byte(`"interval_s":60`), 1)), "meta: an interval of 60 s (with the port-0 side: false)"},
		{"cut in interval count", good[:l.intervals+5], "interval count: unexpected EOF"},
		{"intervals in a count-only result", withMeta(countOnly), "interval count 3"},
		{"interval count above the bound", with(u64(l.intervals, maxIntervals+1)), "interval count 68719476737"},
		{"cut in interval", good[:l.interval[1]+3], "interval: unexpected EOF"},
		{"cut in interval packets", good[:l.intervals+8+12], "interval packets: unexpected EOF"},
		{"cut in sketch head", good[:l.interval[0]+17], "interval sketch: unexpected EOF"},
		{"cut in sparse sketch", good[:l.interval[0]+18+3], "interval sketch: unexpected EOF"},
		{"cut in dense sketch", good[:l.interval[2]+18+100], "interval sketch: unexpected EOF"},
		{"sketch head", with(func(b []byte) { binary.LittleEndian.PutUint16(b[l.interval[1]+16:], 300) }), "interval 480000: sketch head 300"},
		{"sparse sketch rank", with(func(b []byte) { b[l.interval[1]+18] |= 63 }), "interval 480000: sketch entry 0: rank 63"},
		{"sparse sketch order", with(func(b []byte) { copy(b[l.interval[1]+18:], b[l.interval[1]+20:l.interval[1]+22]) }), "interval 480000: sketch entry 1: register"},
		{"dense sketch register", with(func(b []byte) { b[l.interval[2]+18+7] = 56 }), "interval 480002: sketch register above 55"},
		{"intervals out of order", with(u64(l.interval[1], 480003)), "interval 480002 after interval 480003: intervals must increase"},
		{"interval twice", with(u64(l.interval[2], 480000)), "interval 480000 after interval 480000: intervals must increase"},
		{"cut in record count", good[:l.records+3], "record count: unexpected EOF"},
		{"records in a count-only result", countOnlyWith(good[l.records:]), "record count 3 in a result without the port-0 side"},
		{"cut in record", good[:rec(1)+10], "record 1 of 3: unexpected EOF"},
		{"more records than there are", with(u64(l.records, 4)), "record 3 of 4: unexpected EOF"},
		{"file index out of range", with(func(b []byte) { binary.LittleEndian.PutUint32(b[rec(1):], 2) }), "record 1: file index 2 of 2 files"},
		{"address family", with(func(b []byte) { b[rec(2)+20+16] = 5 }), "record 2: source address family 5"},
		{"IPv4 address not IPv4", with(func(b []byte) { b[rec(0)+20+3] = 1 }), "record 0: source address of family 4 is not an IPv4 address"},
		{"no address with bytes", with(func(b []byte) { b[rec(0)+54+15] = 1 }), "record 0: inner source address of family 0 has address bytes"},
		{"shape", with(func(b []byte) { b[rec(0)+73] = uint8(classify.NumShapes) }), "record 0: shape"},
		{"probe", with(func(b []byte) { b[rec(0)+74] = uint8(classify.NumProbes) }), "record 0: probe"},
		{"port-0 position", with(func(b []byte) { b[rec(1)+93] = 9 }), "record 1: port-0 position 9"},
		{"option layout without options", with(func(b []byte) { b[rec(2)+95] = 16 }), "record 2: an option layout without TCP options"},
		{"cut end mark", good[:len(good)-2], "no end mark"},
		{"bad end mark", with(func(b []byte) { b[len(b)-1] = 'x' }), "no end mark"},
		{"trailing bytes", append(bytes.Clone(good), 'x'), "bytes after the end mark"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := ReadResult(bytes.NewReader(c.in), SpillOptions{})
			if err == nil || res != nil {
				t.Fatalf("no error (result %v)", res != nil)
			}
			if !strings.HasPrefix(err.Error(), "scan result: at byte ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want one saying %q", err, c.want)
			}
		})
	}
	// A record's error says where the record starts.
	_, err := ReadResult(bytes.NewReader(with(func(b []byte) { b[rec(2)] = 9 })), SpillOptions{})
	if want := "at byte " + strconv.Itoa(rec(2)) + ": record 2: file index 9"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	if res, err := ReadResult(bytes.NewReader(good), SpillOptions{}); err != nil {
		t.Fatalf("the undamaged encoding: %v", err)
	} else {
		res.Close()
	}
}

// TestScannerOneByOne scans the corpus one file at a time with one
// Scanner (its buffers and sketches kept from file to file) and merges
// the results: the encoding is that of one Run over every file, read
// errors, records and interval sketches included, and each file's error
// is Run's for it alone.
func TestScannerOneByOne(t *testing.T) {
	inputs, err := capture.ExpandInputs([]string{testcap.CorpusDir()})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Port0: true, Workers: 2}
	want, err := Run(inputs, nil, opts)
	defer want.Close()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := NewScanner(opts)
	if err != nil {
		t.Fatal(err)
	}
	all := &Result{}
	defer all.Close()
	for _, in := range inputs {
		res, err := sc.Scan(in, nil)
		if (err != nil) != (res.Files[0].ReadError != nil && res.Total.Files == 0) {
			t.Errorf("%s: error %v, read error %v", in, err, res.Files[0].ReadError)
		}
		if err := all.Merge(res); err != nil {
			t.Fatal(err)
		}
	}
	var a, b bytes.Buffer
	if _, err := want.WriteTo(&a); err != nil {
		t.Fatal(err)
	}
	if _, err := all.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("one Scanner file by file: %d bytes of result, one Run: %d; they differ", b.Len(), a.Len())
	}
	if len(all.ReadErrors) < 5 || all.Records.Len() == 0 {
		t.Errorf("the corpus proves little: %d read errors, %d records", len(all.ReadErrors), all.Records.Len())
	}
	if _, err := NewScanner(Options{Interval: 7 * time.Minute}); err == nil {
		t.Error("NewScanner took a 7-minute interval")
	}
}

// TestMergeSpillFails merges into a result whose records must spill to a
// folder that does not exist: Merge fails, and both results are as they
// were (the other still holds its records).
func TestMergeSpillFails(t *testing.T) {
	in := mergeInputs(t)
	a := run(t, in[:1], Options{Port0: true})
	b := run(t, in[1:], Options{Port0: true})
	// From now on a's records must spill, to a folder that is not there.
	a.Records.spill.opts = SpillOptions{MemLimit: 1, Dir: filepath.Join(t.TempDir(), "missing")}
	if b.Records.Len() == 0 {
		t.Fatal("the second part has no records: the test proves nothing")
	}
	wantA, wantB := encoding(t, a), encoding(t, b)
	if err := a.Merge(b); err == nil {
		t.Fatal("merge with a spill folder that does not exist: no error")
	}
	if got := encoding(t, a); !bytes.Equal(got, wantA) {
		t.Error("the failed merge changed the result merged into")
	}
	if got := encoding(t, b); !bytes.Equal(got, wantB) {
		t.Error("the failed merge changed the result merged from")
	}
}
