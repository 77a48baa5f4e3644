package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/gopacket/pcapgo"
	"github.com/port0/port0/internal/testcap"
)

// got is what our reader made of one file.
type got struct {
	pkts   []Packet // Data copied
	err    error
	format string
}

func readCapture(name string) got { return readAll(Open(name)) }

// readAll reads a capture New or Open returned with Next.
func readAll(c *Capture, err error) got {
	var g got
	if err != nil {
		g.err = err
		return g
	}
	defer c.Close()
	g.format = c.Format()
	var p Packet
	for {
		if err := c.Next(&p); err != nil {
			if err != io.EOF {
				g.err = err
			}
			break
		}
		q := p
		q.Data = append([]byte(nil), p.Data...)
		g.pkts = append(g.pkts, q)
	}
	return g
}

// oracle is one packet as gopacket's pcapgo reads it.
type oracle struct {
	data []byte
	orig int
	ts   int64
}

// readPcapgo reads a file with pcapgo (after gunzip for pcapng), stopping
// at EOF or its first error; nil when it cannot open the file.
func readPcapgo(b []byte) []oracle {
	raw := b
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
			raw, _ = io.ReadAll(zr)
		}
	}
	var next func() ([]byte, int, int64, error)
	if len(raw) >= 4 && binary.BigEndian.Uint32(raw) == ngSHB {
		nr, err := pcapgo.NewNgReader(bytes.NewReader(raw), pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return nil
		}
		next = func() ([]byte, int, int64, error) {
			d, ci, err := nr.ReadPacketData()
			return d, ci.Length, ci.Timestamp.UnixNano(), err
		}
	} else {
		pr, err := pcapgo.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil
		}
		next = func() ([]byte, int, int64, error) {
			d, ci, err := pr.ReadPacketData()
			return d, ci.Length, ci.Timestamp.UnixNano(), err
		}
	}
	out := []oracle{}
	for len(out) < 1<<16 {
		d, orig, ts, err := next()
		if err != nil {
			break
		}
		out = append(out, oracle{append([]byte(nil), d...), orig, ts})
	}
	return out
}

// tsSlack is how far pcapgo's timestamps may be off, per file: pcapgo
// v1.1.19 converts power-of-2 if_tsresol units through a float scale and
// misses by a few hundred µs. TestCorpusTimestamps checks ours exactly.
var tsSlack = map[string]int64{"pcapng_tsresol.pcapng": 1e6}

// TestCorpusReaders reads every committed capture and checks record counts,
// errors, offsets and formats against expected.csv, and every packet
// against pcapgo where pcapgo reads it.
func TestCorpusReaders(t *testing.T) {
	rows := testcap.ReadExpected(t)
	if len(rows) < 40 {
		t.Fatalf("expected.csv has %d rows", len(rows))
	}
	for _, row := range rows {
		t.Run(row.File, func(t *testing.T) {
			path := filepath.Join(testcap.CorpusDir(), row.File)
			g := readCapture(path)
			if len(g.pkts) != row.Records {
				t.Errorf("read %d records, want %d (err %v)", len(g.pkts), row.Records, g.err)
			}
			if row.ClassSum != row.Records {
				t.Errorf("expected.csv: classes sum to %d, records %d", row.ClassSum, row.Records)
			}
			if row.Format != "-" && g.format != row.Format {
				t.Errorf("Format() = %q, want %q", g.format, row.Format)
			}
			switch {
			case !row.HasErr && g.err != nil:
				t.Errorf("unexpected error %v", g.err)
			case row.HasErr:
				var re *ReadError
				if !errors.As(g.err, &re) {
					t.Fatalf("error %v (%T), want a *ReadError", g.err, g.err)
				}
				if re.File != path || re.Index != row.ErrIndex || re.Offset != row.ErrOff {
					t.Errorf("error %q: file %q index %d offset %d, want %q %d %d", re, re.File, re.Index, re.Offset, path, row.ErrIndex, row.ErrOff)
				}
			}
			if len(g.pkts) > 0 && g.pkts[0].TS != row.FirstTS {
				t.Errorf("first TS %d, want %d", g.pkts[0].TS, row.FirstTS)
			}
			last := int64(-1)
			for i, p := range g.pkts {
				if p.Index != int64(i) || p.Offset <= last {
					t.Errorf("packet %d: Index %d Offset %d after %d", i, p.Index, p.Offset, last)
				}
				last = p.Offset
			}

			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			o := readPcapgo(b)
			if o == nil {
				o = []oracle{}
				if row.Pcapgo != -1 {
					t.Errorf("pcapgo cannot open the file; expected.csv says it reads %d", row.Pcapgo)
				}
			} else if len(o) != row.Pcapgo {
				t.Errorf("pcapgo read %d packets, expected.csv says %d", len(o), row.Pcapgo)
			}
			for i := 0; i < len(o) && i < len(g.pkts); i++ {
				p := g.pkts[i]
				if !bytes.Equal(p.Data, o[i].data) || int(p.OrigLen) != o[i].orig {
					t.Errorf("packet %d: %d/%d bytes, pcapgo %d/%d", i, len(p.Data), p.OrigLen, len(o[i].data), o[i].orig)
				}
				if d := p.TS - o[i].ts; p.TS != 0 && d != 0 && (d < -tsSlack[row.File] || d > tsSlack[row.File]) {
					t.Errorf("packet %d: TS %d, pcapgo %d", i, p.TS, o[i].ts)
				}
			}
		})
	}
}

// TestCorpusLinkTypes checks the per-record link type, including pcapng
// files whose interfaces and sections differ.
func TestCorpusLinkTypes(t *testing.T) {
	tests := []struct {
		file string
		want []LinkType
	}{
		{"link_null.pcap", []LinkType{LinkNull}},
		{"link_null_be.pcap", []LinkType{LinkNull}},
		{"link_ethernet.pcap", []LinkType{LinkEthernet}},
		{"link_ethernet_fcs.pcap", []LinkType{LinkEthernet}},
		{"link_raw12.pcap", []LinkType{LinkRawBSD12}},
		{"link_raw14.pcap", []LinkType{LinkRawBSD14}},
		{"link_raw101.pcap", []LinkType{LinkRaw}},
		{"link_loop.pcap", []LinkType{LinkLoop}},
		{"link_sll.pcap", []LinkType{LinkSLL}},
		{"link_ipv4_228.pcap", []LinkType{LinkIPv4}},
		{"link_ipv6_229.pcap", []LinkType{LinkIPv6}},
		{"link_sll2.pcap", []LinkType{LinkSLL2}},
		{"link_unknown147.pcap", []LinkType{147}},
		{"pcapng_le.pcapng", []LinkType{LinkEthernet, LinkRaw, LinkRaw, LinkEthernet, LinkEthernet, LinkEthernet}},
		{"pcapng_be.pcapng", []LinkType{LinkEthernet, LinkRaw, LinkRaw, LinkEthernet, LinkEthernet, LinkEthernet}},
		{"pcapng_sections.pcapng", []LinkType{LinkEthernet, LinkEthernet, LinkRaw, LinkRaw, LinkIPv4}},
		{"pcapng_tsresol.pcapng", []LinkType{LinkEthernet, LinkEthernet, LinkEthernet, LinkIPv4}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			g := readCapture(filepath.Join(testcap.CorpusDir(), tt.file))
			if g.err != nil || len(g.pkts) == 0 {
				t.Fatalf("%d packets, err %v", len(g.pkts), g.err)
			}
			for i, p := range g.pkts {
				want := tt.want[min(i, len(tt.want)-1)]
				if p.LinkType != want {
					t.Errorf("packet %d: link type %d, want %d", i, p.LinkType, want)
				}
			}
		})
	}
}

// TestCorpusTimestamps checks exact timestamps where pcapgo cannot be the
// oracle (if_tsoffset, SPB without timestamp).
func TestCorpusTimestamps(t *testing.T) {
	const base = 1546300800 * int64(1e9)
	tests := []struct {
		file string
		want []int64
	}{
		{"pcapng_tsresol.pcapng", []int64{base + 500_000_000, base + 1_250_000_000, base + 2_007_000_000, base + 3_123_456_789}},
		{"pcap_ns_be.pcap", []int64{base + 123_789, base + 1_000_000_000 + 1_234_790}},
		{"pcap_us_be.pcap", []int64{base + 123_000, base + 1_000_000_000 + 1_234_000}},
		{"pcapng_le.pcapng", []int64{base + 123_000, base + 1e9 + 1_234_000, base + 2e9 + 2_345_000, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			g := readCapture(filepath.Join(testcap.CorpusDir(), tt.file))
			for i, w := range tt.want {
				if i >= len(g.pkts) {
					t.Fatalf("only %d packets", len(g.pkts))
				}
				if g.pkts[i].TS != w {
					t.Errorf("packet %d: TS %d, want %d", i, g.pkts[i].TS, w)
				}
			}
		})
	}
}

func TestFCSLen(t *testing.T) {
	for _, tt := range []struct {
		file string
		want int
	}{{"link_ethernet_fcs.pcap", 4}, {"link_ethernet.pcap", 0}} {
		c, err := Open(filepath.Join(testcap.CorpusDir(), tt.file))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.FCSLen(); got != tt.want {
			t.Errorf("%s: FCSLen %d, want %d", tt.file, got, tt.want)
		}
		c.Close()
	}
}

func TestTsresol(t *testing.T) {
	tests := []struct {
		resol  byte
		offset int64
		units  uint64
		want   int64
		out    bool // out of range: want is 0
	}{
		{6, 0, 1_500_000, 1_500_000_000, false},
		{9, 0, 42, 42, false},
		{0, 0, 3, 3_000_000_000, false},
		{3, 10, 1500, 11_500_000_000, false},
		{10, 0, 25, 2, false},
		{12, 0, 1_000_000_000_000, 1_000_000_000, false},
		{40, 0, ^uint64(0), 0, false},
		{0x80, 0, 7, 7_000_000_000, false},
		{0x80 | 10, 0, 1536, 1_500_000_000, false},
		{0x80 | 20, 0, 3 << 19, 1_500_000_000, false},
		{0x80 | 30, -1, 1 << 30, 0, false},
		{0x80 | 64, 0, ^uint64(0), 999_999_999, false},
		{0x80 | 127, 0, ^uint64(0), 0, false},
		{9, -1, 0, -1_000_000_000, false}, // before 1970, but an int64
		// Past 2262-04-11T23:47:16.854775807Z: not wrapped into 1969/1970.
		{6, 0, math.MaxInt64 / 1000, math.MaxInt64 / 1000 * 1000, false},
		{6, 0, math.MaxInt64/1000 + 1, 0, true},
		{9, 0, 1 << 63, 0, true},
		{0, 0, 1 << 40, 0, true},
		{6, 0, ^uint64(0), 0, true},
		{9, 1, math.MaxInt64 - 5e8, 0, true},
		{9, -1, math.MaxInt64 - 5e8, math.MaxInt64 - 15e8, false},
		{0x80, 0, 1 << 40, 0, true},
		{0x80 | 10, 0, ^uint64(0), 0, true},
	}
	for _, tt := range tests {
		var ifc ngInterface
		ifc.setTsresol(tt.resol)
		ifc.offset = tt.offset * 1e9
		if got, ok := ifc.ns(tt.units); got != tt.want || ok == tt.out {
			t.Errorf("tsresol %#x offset %d units %d: %d ns (ok %v), want %d (out of range %v)", tt.resol, tt.offset, tt.units, got, ok, tt.want, tt.out)
		}
	}
}

// TestReadErrorAfter checks what Next does after a ReadError: io.EOF, with
// the error kept in Err.
func TestReadErrorAfter(t *testing.T) {
	c, err := Open(filepath.Join(testcap.CorpusDir(), "cut_mid_record.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var p Packet
	n := 0
	for err = c.Next(&p); err == nil; err = c.Next(&p) {
		n++
	}
	var re *ReadError
	if n != 3 || !errors.As(err, &re) {
		t.Fatalf("%d packets, err %v", n, err)
	}
	for range 2 {
		if err := c.Next(&p); err != io.EOF {
			t.Errorf("Next after a ReadError = %v, want io.EOF", err)
		}
	}
	if c.Err() != error(re) {
		t.Errorf("Err() = %v, want %v", c.Err(), re)
	}
}

func TestReadErrorString(t *testing.T) {
	tests := []struct {
		err  ReadError
		want string
	}{
		{ReadError{File: "a.pcap", Index: 3, Offset: 252, Msg: "record truncated"}, "a.pcap: packet 3 at byte 252: record truncated"},
		{ReadError{File: "b.pcap", Index: -1, Offset: 0, Msg: "empty input"}, "b.pcap: at byte 0: empty input"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// TestNewErrors covers header errors from in-memory input.
func TestNewErrors(t *testing.T) {
	pcapHdr := func(magic uint32, major uint16) []byte {
		b := binary.BigEndian.AppendUint32(nil, magic)
		b = binary.BigEndian.AppendUint16(b, major)
		b = binary.BigEndian.AppendUint16(b, 4)
		return append(b, make([]byte, 16)...)
	}
	shb := func(bom []byte, blen uint32, major uint16) []byte {
		b := binary.LittleEndian.AppendUint32(nil, ngSHB)
		b = binary.LittleEndian.AppendUint32(b, blen)
		b = append(b, bom...)
		b = binary.LittleEndian.AppendUint16(b, major)
		b = binary.LittleEndian.AppendUint16(b, 0)
		b = append(b, make([]byte, 8)...)
		return binary.LittleEndian.AppendUint32(b, blen)
	}
	bomLE := []byte{0x4d, 0x3c, 0x2b, 0x1a}
	tests := []struct {
		name string
		in   []byte
		msg  string // substring of the error; "" = no error
	}{
		{"empty", nil, "empty input"},
		{"short", []byte{0xa1, 0xb2}, "too short"},
		{"magic", []byte("GIF89a......................"), "not a pcap"},
		{"pcap-ok", pcapHdr(pcapMagicUs, 2), ""},
		{"pcap-version", pcapHdr(pcapMagicUs, 3), "unsupported pcap version"},
		{"pcap-short", pcapHdr(pcapMagicNs, 2)[:20], "pcap file header truncated"},
		{"pcapng-ok", shb(bomLE, 28, 1), ""},
		{"pcapng-bom", shb([]byte{1, 2, 3, 4}, 28, 1), "byte-order magic"},
		{"pcapng-len", shb(bomLE, 30, 1), "invalid section header block length"},
		{"pcapng-version", shb(bomLE, 28, 2), "unsupported pcapng version"},
		{"pcapng-trailer", shb(bomLE, 32, 1), "truncated"},
		{"gzip-garbage", []byte{0x1f, 0x8b, 1, 2, 3}, "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New("x", bytes.NewReader(tt.in))
			if tt.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				var p Packet
				if err := c.Next(&p); err != io.EOF {
					t.Errorf("Next = %v, want io.EOF", err)
				}
				return
			}
			var re *ReadError
			if !errors.As(err, &re) || re.Index != -1 || !strings.Contains(re.Msg, tt.msg) {
				t.Errorf("err = %v, want a header *ReadError containing %q", err, tt.msg)
			}
		})
	}
}

// TestNoPanicOnCorruption flips and cuts every committed capture and
// checks that reading never panics and always ends.
func TestNoPanicOnCorruption(t *testing.T) {
	for _, b := range corpusFiles(t) {
		for i := 0; i < len(b); i += 13 {
			mut := append([]byte(nil), b...)
			mut[i] ^= 0x5a
			readBounded(t, mut)
			readBounded(t, b[:i])
		}
	}
}

// readBounded reads a whole capture, checking the invariants the fuzz
// target checks, and returns the packet count.
func readBounded(t testing.TB, b []byte) int {
	c, err := New("fuzz", bytes.NewReader(b))
	if err != nil {
		var re *ReadError
		if !errors.As(err, &re) {
			t.Fatalf("New error %v (%T), want *ReadError", err, err)
		}
		return 0
	}
	defer c.Close()
	var p Packet
	n := 0
	last := int64(-1)
	for {
		err := c.Next(&p)
		if err == io.EOF {
			return n
		}
		if err != nil {
			var re *ReadError
			if !errors.As(err, &re) {
				t.Fatalf("Next error %v (%T), want *ReadError", err, err)
			}
			if c.Next(&p) != io.EOF {
				t.Fatal("Next after a ReadError is not io.EOF")
			}
			return n
		}
		if len(p.Data) > MaxCaplen || p.Index != int64(n) || p.Offset <= last {
			t.Fatalf("packet %d: %d bytes, Index %d, Offset %d after %d", n, len(p.Data), p.Index, p.Offset, last)
		}
		last = p.Offset
		n++
		// Every record consumes at least 12 bytes of the decompressed
		// stream; gzip can expand at most ~1032x.
		if n > (len(b)/12+1)*1100 {
			t.Fatalf("%d packets from %d bytes: not terminating", n, len(b))
		}
	}
}

// corpusFiles returns the bytes of every committed capture.
func corpusFiles(t testing.TB) [][]byte {
	names, err := filepath.Glob(filepath.Join(testcap.CorpusDir(), "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, n := range names {
		if strings.HasSuffix(n, ".csv") {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		t.Fatal("no corpus files")
	}
	return out
}

// FuzzCapture reads arbitrary bytes as a capture: no panic, only
// *ReadError or io.EOF, bounded packets, monotonic offsets.
func FuzzCapture(f *testing.F) {
	for _, b := range corpusFiles(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		readBounded(t, b)
	})
}

// TestKuznetzov reads the modified (Kuznetzov) pcap of the corpus in both
// byte orders: the same packets as the plain pcap they were written from
// (the 8 more bytes of each record header skipped), record by record.
func TestKuznetzov(t *testing.T) {
	read := func(name string) (string, bool, []Packet) {
		c, err := Open(filepath.Join(testcap.CorpusDir(), name))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var ps []Packet
		for {
			var p Packet
			err := c.Next(&p)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			p.Data = append([]byte(nil), p.Data...)
			ps = append(ps, p)
		}
		return c.Format(), c.ByRecord(), ps
	}
	_, _, want := read("pcap_us_le.pcap")
	for _, name := range []string{"pcap_kuznetzov_le.pcap", "pcap_kuznetzov_be.pcap"} {
		format, byRecord, got := read(name)
		if format != "pcap-kuznetzov" || !byRecord || len(got) != len(want) || len(got) == 0 {
			t.Fatalf("%s: format %q, by record %v, %d packets (want pcap-kuznetzov, true, %d)", name, format, byRecord, len(got), len(want))
		}
		for i := range got {
			g, w := got[i], want[i]
			if g.TS != w.TS || g.OrigLen != w.OrigLen || !bytes.Equal(g.Data, w.Data) || g.LinkType != w.LinkType {
				t.Errorf("%s: packet %d differs from pcap_us_le.pcap's", name, i)
			}
		}
	}
}
