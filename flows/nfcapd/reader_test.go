package nfcapd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const fixtures = "../../testdata/nfcapd"

// fixtureFiles are the committed nfcapd files, each with nfdump 1.7.1's own
// dump of it beside it (scripts/nfcapd-fixtures.sh).
var fixtureFiles = []struct {
	name  string
	comp  Compression
	flows int
}{
	{"realtools-none", None, 185},
	{"realtools-lzo", LZO, 185},
	{"realtools-lz4", LZ4, 185},
	{"realtools-bz2", BZ2, 185},
	{"frag4-nfpcapd", None, 1},
	{"frag6-nfpcapd", None, 4},
	{"frag4-softflowd-v9", None, 5},
	{"frag6-softflowd-ipfix", LZO, 6},
}

func fixturePath(name string) string { return filepath.Join(fixtures, name+".nfcapd") }

// readAll reads every flow of r until its error.
func readAll(r *Reader) ([]Flow, error) {
	var flows []Flow
	for {
		var f Flow
		err := r.Next(&f)
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return flows, err
		}
		flows = append(flows, f)
	}
}

// nfdumpFields renders f the way nfdump -N -o fmt:… prints the fields of
// the fixtures' csv header (output_fmt.c at v1.7.1).
func nfdumpFields(f *Flow) map[string]string {
	ts := func(ns int64) string { return time.Unix(0, ns).UTC().Format("2006-01-02 15:04:05.000") }
	dp := strconv.Itoa(int(f.DstPort))
	if f.IsICMP() {
		dp = fmt.Sprintf("%d.%d", f.ICMPType(), f.ICMPCode())
	}
	flags := f.TCPFlags
	if f.Proto != 6 {
		flags = 0 // String_Flags prints TCP's only
	}
	router := "0.0.0.0"
	if f.Router.IsValid() {
		router = f.Router.String()
	}
	u := func(v uint64) string { return strconv.FormatUint(v, 10) }
	return map[string]string{
		"ts": ts(f.First), "te": ts(f.Last), "tr": ts(f.Received),
		"pr": strconv.Itoa(int(f.Proto)),
		"sa": f.Src.String(), "sp": strconv.Itoa(int(f.SrcPort)),
		"da": f.Dst.String(), "dp": dp,
		"it": strconv.Itoa(int(f.ICMPType())), "ic": strconv.Itoa(int(f.ICMPCode())),
		"flg":  flagString(flags),
		"stos": strconv.Itoa(int(f.Tos)), "fwd": strconv.Itoa(int(f.FwdStatus)),
		"ipkt": u(f.Packets), "ibyt": u(f.Bytes), "opkt": u(f.OutPackets), "obyt": u(f.OutBytes),
		"fl":  u(f.Flows),
		"eng": fmt.Sprintf("%d/%d", f.EngineType, f.EngineID),
		"exp": strconv.Itoa(int(f.ExporterID)),
		"ra":  router,
	}
}

// flagString is nfdump's FlagsString (output_util.c:211-225 at v1.7.1).
func flagString(fl uint8) string {
	const names = "CEUAPRSF"
	b := []byte("........")
	for i := range 8 {
		if fl&(0x80>>i) != 0 {
			b[i] = names[i]
		}
	}
	return string(b)
}

// readCSV reads a fixture's expected values: a header line and one line
// per flow.
func readCSV(t *testing.T, name string) (header []string, rows [][]string) {
	t.Helper()
	fh, err := os.Open(filepath.Join(fixtures, name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ",")
		if header == nil {
			header = fields
			continue
		}
		if len(fields) != len(header) {
			t.Fatalf("%s.csv: %d fields, header has %d: %q", name, len(fields), len(header), sc.Text())
		}
		rows = append(rows, fields)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return header, rows
}

// TestFixturesMatchNfdump reads every fixture and compares each flow, field
// by field, with what nfdump 1.7.1 printed for it.
func TestFixturesMatchNfdump(t *testing.T) {
	for _, fx := range fixtureFiles {
		t.Run(fx.name, func(t *testing.T) {
			r, err := Open(fixturePath(fx.name))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := r.Header().Compression; got != fx.comp {
				t.Errorf("compression %v, want %v", got, fx.comp)
			}
			flows, err := readAll(r)
			if err != nil {
				t.Fatal(err)
			}
			header, rows := readCSV(t, fx.name)
			if len(flows) != len(rows) || len(flows) != fx.flows {
				t.Fatalf("%d flows, nfdump printed %d, want %d", len(flows), len(rows), fx.flows)
			}
			for i := range flows {
				got := nfdumpFields(&flows[i])
				for j, h := range header {
					if got[h] != rows[i][j] {
						t.Errorf("flow %d: %s = %q, nfdump printed %q", i, h, got[h], rows[i][j])
					}
				}
			}
			c := r.Counts()
			if c.Flows != int64(fx.flows) || c.LostBlocks != 0 || c.LostRecords != 0 || c.LostBytes != 0 {
				t.Errorf("counts %+v", c)
			}
			st, ok := r.Stat()
			if !ok || st.Flows != uint64(fx.flows) {
				t.Errorf("stat record %+v (read %v), want %d flows", st, ok, fx.flows)
			}
			if r.Ident() != "none" {
				t.Errorf("ident %q, want none", r.Ident())
			}
			if v := r.Header().NfdumpVersion(); v != "1.7.1" {
				t.Errorf("written by nfdump %s, want 1.7.1", v)
			}
		})
	}
}

// TestFixtureMetadata checks the records beside the flows: exporters,
// samplers, and what each tool writes in the record header.
func TestFixtureMetadata(t *testing.T) {
	tests := []struct {
		name      string
		exporters string // "sysid version addr id;…"
		samplers  string // "sysid id packet/space;…"
		expStats  string // "sysid flows;…"
		sampled   bool
		nfversion uint8
		engine    string
		elements  uint64
	}{
		{"frag4-nfpcapd", "", "", "", false, 0x41, "17/1", 1<<ExtGenericFlow | 1<<ExtIPv4Flow},
		{"frag6-nfpcapd", "", "", "", false, 0x41, "17/1", 1<<ExtGenericFlow | 1<<ExtIPv6Flow},
		{"frag4-softflowd-v9", "1 9 127.0.0.1 0;", "", "1 5;", false, 9, "0/0",
			1<<ExtGenericFlow | 1<<ExtIPv4Flow | 1<<ExtFlowMisc | 1<<ExtIPReceivedV4},
		{"frag6-softflowd-ipfix", "1 10 127.0.0.1 0;", "1 -2 1/9;", "1 6;", true, 10, "0/0",
			1<<ExtGenericFlow | 1<<ExtIPv6Flow | 1<<ExtFlowMisc | 1<<ExtIPReceivedV4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(fixturePath(tt.name))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			flows, err := readAll(r)
			if err != nil {
				t.Fatal(err)
			}
			var ex, sa, es string
			for _, e := range r.Exporters() {
				ex += fmt.Sprintf("%d %d %s %d;", e.SysID, e.Version, e.Addr, e.ID)
			}
			for _, s := range r.Samplers() {
				sa += fmt.Sprintf("%d %d %d/%d;", s.ExporterSysID, s.ID, s.PacketInterval, s.SpaceInterval)
			}
			for _, s := range r.ExporterStats() {
				es += fmt.Sprintf("%d %d;", s.SysID, s.Flows)
			}
			if ex != tt.exporters || sa != tt.samplers || es != tt.expStats {
				t.Errorf("exporters %q samplers %q stats %q, want %q %q %q", ex, sa, es, tt.exporters, tt.samplers, tt.expStats)
			}
			for i := range flows {
				f := &flows[i]
				eng := fmt.Sprintf("%d/%d", f.EngineType, f.EngineID)
				if f.Sampled() != tt.sampled || f.NFVersion != tt.nfversion || eng != tt.engine || f.Elements != tt.elements {
					t.Errorf("flow %d: sampled %v nfversion %#x engine %s elements %#x, want %v %#x %s %#x",
						i, f.Sampled(), f.NFVersion, eng, f.Elements, tt.sampled, tt.nfversion, tt.engine, tt.elements)
				}
				s, ok := r.Sampler(f)
				if ok != tt.sampled || ok && s.Rate() != 10 {
					t.Errorf("flow %d: sampler %+v %v", i, s, ok)
				}
			}
		})
	}
}

// TestOpenErrors: files this reader refuses, each with a message that
// says why and, where nfdump can, how to convert.
func TestOpenErrors(t *testing.T) {
	good, err := os.ReadFile(fixturePath("frag4-nfpcapd"))
	if err != nil {
		t.Fatal(err)
	}
	with := func(off int, b ...byte) []byte {
		c := append([]byte(nil), good...)
		copy(c[off:], b)
		return c
	}
	layout1 := make([]byte, 300)
	copy(layout1, []byte{0x0C, 0xA5, 1, 0})
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "x: file header: empty file"},
		{"short", good[:3], "x: file header: truncated: 3 of 40 bytes"},
		{"cut header", good[:39], "x: file header: truncated: 39 of 40 bytes"},
		{"not nfcapd", []byte("\x89PNG\r\n\x1a\n and more bytes than a header holds........"), "not an nfcapd file (magic 0x5089, want 0xA50C)"},
		{"pcap", []byte{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0}, "not an nfcapd file (magic 0xC3D4"},
		{"big endian", []byte{0xA5, 0x0C, 0, 2, 1, 7, 1, 0}, "big-endian"},
		{"layout 1", layout1, "x: file header: an nfdump 1.6 file (layout 1); nfdump 1.7 converts it: nfdump -r x -w NEW"},
		{"layout 3", with(2, 3), "unknown layout version 3"},
		{"compression 9", with(16, 9), "unknown compression 9 (nfdump 1.7 writes 0 none, 1 LZO, 2 BZ2, 3 LZ4, 4 ZSTD); the nfdump that wrote it rewrites it uncompressed: nfdump -r x -w NEW"},
		{"encrypted", with(17, 1), "encrypted (encryption 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(string(tt.data)), "x")
			var e *Error
			if !errors.As(err, &e) || e.Block != BlockFileHeader || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want an *Error containing %q", err, tt.want)
			}
		})
	}
	if _, err := Open(filepath.Join(fixtures, "no-such-file.nfcapd")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
