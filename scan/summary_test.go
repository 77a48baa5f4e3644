package scan

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/internal/testcap"
)

var update = flag.Bool("update", false, "rewrite testdata/analyze/corpus-summary.json")

// corpusInputs lists the committed captures as "port0 analyze" would.
func corpusInputs(t testing.TB) []string {
	t.Helper()
	in, err := capture.ExpandInputs([]string{testcap.CorpusDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(in) < 40 {
		t.Fatalf("only %d captures in %s", len(in), testcap.CorpusDir())
	}
	return in
}

// run is Run for a test: the result is closed at the test's end, and an
// error fails the test.
func run(t testing.TB, inputs []string, opts Options) *Result {
	t.Helper()
	res, err := Run(inputs, nil, opts)
	if res != nil {
		t.Cleanup(func() { res.Close() })
	}
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// countSummary is summary.json of a count-only run ("port0 analyze
// -count-only": analyze.Summary without the study's naive_flow and
// port0), which this package, below analyze, cannot import.
type countSummary struct {
	Inputs     int             `json:"inputs"`
	Files      []FileSummary   `json:"files"`
	Total      Counts          `json:"total"`
	ReadErrors []ReadErrorInfo `json:"read_errors"`
}

// summaryJSON is the summary.json of a count-only run over inputs.
func summaryJSON(t testing.TB, inputs []string, workers int) []byte {
	t.Helper()
	res := run(t, inputs, Options{Workers: workers})
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(countSummary{res.Inputs, res.Files, res.Total, res.ReadErrors}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCorpusSummaryGolden compares the counts of every committed capture,
// written as summary.json holds them, with
// testdata/analyze/corpus-summary.json, byte for byte. Regenerate with
// go test ./scan -run TestCorpusSummaryGolden -update and review the diff
// like code.
//
// The test runs from the repository root, so the golden file is exactly
// what "port0 analyze -count-only -out DIR testdata/captures" writes there.
func TestCorpusSummaryGolden(t *testing.T) {
	t.Chdir(testcap.Root())
	in, err := capture.ExpandInputs([]string{"testdata/captures"})
	if err != nil {
		t.Fatal(err)
	}
	got := summaryJSON(t, in, 1)
	const goldenSummary = "testdata/analyze/corpus-summary.json"
	if *update {
		if err := os.MkdirAll(filepath.Dir(goldenSummary), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenSummary, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenSummary)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("summary differs from %s at line %d:\n got: %s\nwant: %s\n(rerun with -update if the change is intended)", goldenSummary, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("summary differs from %s in length: %d lines, want %d", goldenSummary, len(gl), len(wl))
	}
}

// encoding is the result's encoding (WriteTo).
func encoding(t testing.TB, res *Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := res.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo says %d bytes, wrote %d", n, buf.Len())
	}
	return buf.Bytes()
}

// TestRunWorkers checks that the result does not depend on the number of
// workers — its counts (as summary.json holds them) and, with the port-0
// side, its whole encoding: records, hours, ranges — and that the total
// is the sum of the files in any order.
func TestRunWorkers(t *testing.T) {
	in := corpusInputs(t)
	in = append(in, in...) // more files than workers, duplicates included
	want := summaryJSON(t, in, 1)
	wantEnc := encoding(t, run(t, in, Options{Workers: 1, Port0: true}))
	for _, w := range []int{0, 2, 3, 16, 1000} {
		t.Run(strconv.Itoa(w), func(t *testing.T) {
			if got := summaryJSON(t, in, w); !bytes.Equal(got, want) {
				t.Errorf("workers %d: summary differs from workers 1", w)
			}
			if got := encoding(t, run(t, in, Options{Workers: w, Port0: true})); !bytes.Equal(got, wantEnc) {
				t.Errorf("workers %d: the port-0 result's encoding differs from workers 1", w)
			}
		})
	}
	res := run(t, in, Options{Workers: 2})
	rev := newCounts()
	for i := len(res.Files) - 1; i >= 0; i-- {
		rev.Add(&res.Files[i].Counts)
	}
	a, _ := json.Marshal(rev)
	b, _ := json.Marshal(res.Total)
	if !bytes.Equal(a, b) {
		t.Errorf("total summed in reverse order differs:\n%s\n%s", a, b)
	}
	if res.Total.Packets != 2*int64(countRecords(t)) {
		t.Errorf("total packets %d, want %d", res.Total.Packets, 2*countRecords(t))
	}
}

// countRecords sums the records column of expected.csv.
func countRecords(t testing.TB) int {
	n := 0
	for _, r := range testcap.ReadExpected(t) {
		n += r.Records
	}
	return n
}

// TestRunInvariants checks relations between the result's counts on the
// corpus: every packet is counted once by ports kind, port-0 packets once
// by protocol and once by position.
func TestRunInvariants(t *testing.T) {
	res := run(t, corpusInputs(t), Options{})
	for _, f := range append(res.Files, FileSummary{File: "total", Counts: res.Total}) {
		c := f.Counts
		noPorts := int64(0)
		for _, n := range c.NoPorts {
			noPorts += n
		}
		links := int64(0)
		for _, n := range c.LinkTypes {
			links += n
		}
		p := c.Port0
		for _, chk := range []struct {
			name      string
			got, want int64
		}{
			{"with_ports + no_ports", c.WithPorts + noPorts, c.Packets},
			{"link_types", links, c.Packets},
			{"port0 by protocol", p.TCPv4 + p.TCPv6 + p.UDPv4 + p.UDPv6, p.Total},
			{"port0 by position", p.SrcOnly + p.DstOnly + p.Both, p.Total},
			{"truncated by place", c.Truncated.Link + c.Truncated.IP + c.Truncated.BeforePorts + c.Truncated.AfterPortFields + c.Truncated.AfterPorts + c.Truncated.Other, c.Truncated.Total},
			{"non-first fragments", c.NoPorts["non-first-fragment"], c.Fragments.NonFirst},
		} {
			if chk.got != chk.want {
				t.Errorf("%s: %s = %d, want %d", f.File, chk.name, chk.got, chk.want)
			}
		}
		if p.Total-p.CutHeader > c.WithPorts || p.CutHeader > p.Total || c.Fragments.OrphanNonFirst > c.Fragments.NonFirst {
			t.Errorf("%s: impossible counts %+v", f.File, c)
		}
	}
}

// TestRunTunnelsNotes checks the summary's tunneled packets and notes of
// every committed capture against expected.csv's tunneled and notes
// columns, and that the tunneled port-0 packets are counted apart from the
// direct ones: by tunnel kind, within the tunneled packets.
func TestRunTunnelsNotes(t *testing.T) {
	rows := testcap.ReadExpected(t)
	res := run(t, corpusInputs(t), Options{})
	byName := map[string]Counts{}
	for _, f := range res.Files {
		byName[filepath.Base(f.File)] = f.Counts
	}
	tunneled := 0
	for _, row := range rows {
		c, ok := byName[row.File]
		if !ok {
			continue // a file the folder scan reports as unreadable
		}
		notes := int64(0)
		for _, n := range c.Notes {
			notes += n
		}
		byKind := int64(0)
		for _, n := range c.Tunneled.Port0ByEncap {
			byKind += n
		}
		if c.Tunneled.Packets != int64(row.Tunneled) || notes != int64(row.Notes) {
			t.Errorf("%s: %d tunneled, %d noted; want %d, %d", row.File, c.Tunneled.Packets, notes, row.Tunneled, row.Notes)
		}
		if byKind != c.Tunneled.Port0 || c.Tunneled.Port0 > c.Tunneled.Packets {
			t.Errorf("%s: tunneled port 0 %d, by kind %d, of %d tunneled", row.File, c.Tunneled.Port0, byKind, c.Tunneled.Packets)
		}
		tunneled += row.Tunneled
	}
	if tunneled == 0 || res.Total.Tunneled.Port0 == 0 {
		t.Fatalf("the corpus has %d tunneled packets, %d tunneled port 0", tunneled, res.Total.Tunneled.Port0)
	}
}

// TestRunFragments checks the orphan rule on the fragment captures: in
// each, one middle fragment has no first fragment (orphan), a first
// fragment has no rest, and a last fragment comes before its first (not
// an orphan: it is inside the window).
func TestRunFragments(t *testing.T) {
	for _, c := range []struct {
		file                     string
		first, nonFirst, orphans int64
	}{
		{"fragments_v4.pcap", 3, 3, 1},
		{"fragments_v6.pcap", 3, 3, 1},
		{"tiny_fragments.pcap", 4, 3, 0},
		{"ipv6_exthdr.pcap", 1, 1, 0},
	} {
		t.Run(c.file, func(t *testing.T) {
			res := run(t, []string{filepath.Join(testcap.CorpusDir(), c.file)}, Options{})
			f := res.Total.Fragments
			if f.First != c.first || f.NonFirst != c.nonFirst || f.OrphanNonFirst != c.orphans || f.TableEvictions != 0 {
				t.Errorf("fragments %+v, want first %d non-first %d orphans %d", f, c.first, c.nonFirst, c.orphans)
			}
		})
	}
}

// TestRunReadErrors checks that a corrupt file keeps its packets before
// the error, names file, index and offset, and that the other files are
// still read; and that no readable input at all is ErrNoInput, with the
// result and its read errors returned all the same.
func TestRunReadErrors(t *testing.T) {
	good := filepath.Join(testcap.CorpusDir(), "pcap_us_le.pcap")
	cut := filepath.Join(testcap.CorpusDir(), "cut_mid_record.pcap")
	missing := filepath.Join(t.TempDir(), "missing.pcap")
	res := run(t, []string{good, cut, missing, good}, Options{Workers: 2})
	if len(res.ReadErrors) != 2 || res.Total.ReadErrors != 2 {
		t.Fatalf("read errors %+v", res.ReadErrors)
	}
	e := res.ReadErrors[0]
	if e.File != cut || e.PacketIndex != 3 || e.ByteOffset != 252 {
		t.Errorf("error %+v, want %s packet 3 at byte 252", e, cut)
	}
	if res.Files[1].Counts.Packets != 3 || res.Files[1].Counts.SkippedBytes != 298-252 {
		t.Errorf("cut file: %d packets, %d bytes skipped; want 3, 46", res.Files[1].Counts.Packets, res.Files[1].Counts.SkippedBytes)
	}
	if e := res.ReadErrors[1]; e.File != missing || e.PacketIndex != -1 {
		t.Errorf("missing file error %+v", e)
	}
	if res.Total.Packets != 8+3+8 || res.Total.Files != 3 {
		t.Errorf("total: %d packets in %d files, want 19 in 3", res.Total.Packets, res.Total.Files)
	}
	for _, port0 := range []bool{false, true} {
		res, err := Run([]string{missing, filepath.Join(testcap.CorpusDir(), "empty.pcap"), "-"}, nil, Options{Port0: port0})
		if err != ErrNoInput || res == nil || len(res.ReadErrors) != 3 || res.Inputs != 3 {
			t.Errorf("port0 %v, no readable input: err %v, result %+v", port0, err, res)
		}
		if res != nil {
			if err := res.Close(); err != nil {
				t.Error(err)
			}
		}
	}
}

// TestRunNoInputs: no inputs at all is ErrNoInput too, with an empty
// result that encodes, reads back and merges.
func TestRunNoInputs(t *testing.T) {
	for _, port0 := range []bool{false, true} {
		res, err := Run(nil, nil, Options{Port0: port0})
		if !errors.Is(err, ErrNoInput) || res.Inputs != 0 || len(res.Files) != 0 || res.Records.Len() != 0 {
			t.Fatalf("port0 %v: err %v, %+v", port0, err, res)
		}
		b := encoding(t, res)
		back := readBack(t, b, SpillOptions{})
		if !reflect.DeepEqual(back.Files, res.Files) || back.Port0 != port0 || !bytes.Equal(encoding(t, back), b) {
			t.Errorf("port0 %v: the empty result does not read back as itself", port0)
		}
		res.Close()
	}
}
