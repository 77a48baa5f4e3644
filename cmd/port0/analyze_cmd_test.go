package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/port0/port0/analyze"
	"github.com/port0/port0/internal/testcap"
)

var corpus = filepath.Join("..", "..", "testdata", "captures")

// genSample is the committed generator sample (testdata/README.md).
var genSample = filepath.Join("..", "..", "testdata", "gen-sample")

func readSummary(t *testing.T, dir string) *analyze.Summary {
	t.Helper()
	s, err := analyze.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAnalyzeCorruptAmongGood: a corrupt file is reported on stderr and in
// summary.json with file, packet index and byte offset; its packets
// before the error and the other files are still counted; exit status 0.
func TestAnalyzeCorruptAmongGood(t *testing.T) {
	good := filepath.Join(corpus, "pcap_us_le.pcap")
	cut := filepath.Join(corpus, "cut_mid_record.pcap")
	other := filepath.Join(corpus, "port0_positions.pcap")
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run([]string{"analyze", "-q", "-out", dir, good, cut, other}, nil, &stdout, &stderr); err != nil {
		t.Fatalf("analyze: %v\n%s", err, stderr.String())
	}
	want := "analyze: " + cut + ": packet 3 at byte 252: record truncated"
	if !strings.HasPrefix(stderr.String(), want) || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("stderr %q, want one line starting %q", stderr.String(), want)
	}
	s := readSummary(t, dir)
	if len(s.Files) != 3 || s.Total.Files != 3 || s.Total.Packets != 8+3+16 {
		t.Errorf("%d files, total %d files %d packets; want 3, 3, 27", len(s.Files), s.Total.Files, s.Total.Packets)
	}
	if len(s.ReadErrors) != 1 || s.ReadErrors[0].File != cut || s.ReadErrors[0].PacketIndex != 3 || s.ReadErrors[0].ByteOffset != 252 {
		t.Errorf("read errors %+v", s.ReadErrors)
	}
	if s.Files[1].ReadError == nil || s.Files[1].Counts.Packets != 3 {
		t.Errorf("corrupt file entry %+v", s.Files[1])
	}
	// pcap_us_le: 4 port-0 packets; cut_mid_record: 2; port0_positions: 12.
	if s.Total.Port0.Total != 4+2+12 {
		t.Errorf("port-0 total %d, want 18", s.Total.Port0.Total)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
}

// TestAnalyzeStdinAndProgress reads "-" from stdin and, without -q,
// prints progress (at least the final line) on stderr.
func TestAnalyzeStdinAndProgress(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpus, "pcap_us_le.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var stderr bytes.Buffer
	if err := run([]string{"analyze", "-out", dir, "-"}, bytes.NewReader(data), &stderr, &stderr); err != nil {
		t.Fatalf("analyze -: %v\n%s", err, stderr.String())
	}
	s := readSummary(t, dir)
	if len(s.Files) != 1 || s.Files[0].File != "-" || s.Total.Packets != 8 || s.Total.Port0.Total != 4 {
		t.Errorf("summary %+v", s)
	}
	if !strings.Contains(stderr.String(), "analyze: 1/1 files, 8 packets") {
		t.Errorf("stderr %q: no progress line", stderr.String())
	}
}

// TestAnalyzeWorkersSameBytes runs the CLI on the corpus folder with 1
// and 4 workers: summary.json must be byte-identical.
func TestAnalyzeWorkersSameBytes(t *testing.T) {
	var outs [][]byte
	for _, w := range []string{"1", "4"} {
		dir := t.TempDir()
		var stderr bytes.Buffer
		if err := run([]string{"analyze", "-q", "-workers", w, "-out", dir, corpus}, nil, &stderr, &stderr); err != nil {
			t.Fatalf("workers %s: %v", w, err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b)
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Error("summary.json differs between -workers 1 and -workers 4")
	}
}

func TestAnalyzeUsage(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(corpus, "pcap_us_le.pcap")
	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"no-out", []string{"analyze", good}, 2},
		{"no-input", []string{"analyze", "-out", dir}, 2},
		{"bad-flag", []string{"analyze", "-out", dir, "-bogus", good}, 2},
		{"negative-workers", []string{"analyze", "-out", dir, "-workers", "-1", good}, 2},
		{"zstd-window-0", []string{"analyze", "-out", dir, "-zstd-window", "0", good}, 2},
		{"zstd-window-too-big", []string{"analyze", "-out", dir, "-zstd-window", "2049", good}, 2},
		{"mem-not-a-size", []string{"analyze", "-out", dir, "-mem", "lots", good}, 2},
		{"mem-too-small", []string{"analyze", "-out", dir, "-mem", "10MiB", good}, 2},
		{"mem-unbounded", []string{"analyze", "-q", "-out", dir, "-mem", "0", good}, 0},
		{"mem-512MiB", []string{"analyze", "-q", "-out", dir, "-mem", "512MiB", good}, 0},
		{"help", []string{"analyze", "-h"}, 0},
		{"nothing-readable", []string{"analyze", "-q", "-out", dir, filepath.Join(corpus, "empty.pcap"), filepath.Join(dir, "missing.pcap")}, 1},
		{"missing-among-good", []string{"analyze", "-q", "-out", dir, filepath.Join(dir, "missing.pcap"), good}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(c.args, nil, &out, &out)
			if code := exitCode(err); (err == nil && c.code != 0) || (err != nil && code != c.code) {
				t.Errorf("err %v (exit %d), want exit %d\n%s", err, code, c.code, out.String())
			}
		})
	}
	// Nothing readable still writes a summary with the errors.
	var out bytes.Buffer
	run([]string{"analyze", "-q", "-out", dir, filepath.Join(corpus, "not_a_capture.pcap")}, nil, &out, &out)
	if s := readSummary(t, dir); len(s.ReadErrors) != 1 || s.Total.Files != 0 {
		t.Errorf("summary of an unreadable input: %+v", s)
	}
}

// TestAnalyzeZstdWindow: a zstd capture whose frame wants more window than
// -zstd-window allows is reported with the value that allows it, and read
// with it.
func TestAnalyzeZstdWindow(t *testing.T) {
	plain, err := os.ReadFile(filepath.Join(corpus, "pcap_us_le.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(4<<20))
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(plain[:100])
	zw.Flush() // the header is written before the content size is known: it says the window
	zw.Write(plain[100:])
	zw.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "w.pcap.zst")
	if err := os.WriteFile(in, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = run([]string{"analyze", "-q", "-zstd-window", "2", "-out", filepath.Join(dir, "a"), in}, nil, &out, &out)
	if exitCode(err) != 1 || !strings.Contains(out.String(), "window of 4 MiB, above the 2 MiB allowed: allow it with -zstd-window 4 ") {
		t.Fatalf("-zstd-window 2: err %v, output\n%s", err, out.String())
	}
	out.Reset()
	if err := run([]string{"analyze", "-q", "-zstd-window", "4", "-out", filepath.Join(dir, "b"), in}, nil, &out, &out); err != nil {
		t.Fatalf("-zstd-window 4: %v\n%s", err, out.String())
	}
	if s := readSummary(t, filepath.Join(dir, "b")); s.Total.Packets != 8 || s.Files[0].Format != "pcap+zstd" {
		t.Errorf("-zstd-window 4: %d packets, format %q; want 8, pcap+zstd", s.Total.Packets, s.Files[0].Format)
	}
	out.Reset()
	if err := run([]string{"crosscheck", "-zstd-window", "4", in}, nil, &out, &out); err != nil || !strings.Contains(out.String(), "8 packets, 0 differing") {
		t.Errorf("crosscheck -zstd-window 4: %v\n%s", err, out.String())
	}
}

// analyzeCmd runs port0 with args (runCmd) and returns its stderr; a
// non-zero exit status or output on stdout fails the test.
func analyzeCmd(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, code := runCmd(t, args...)
	if code != 0 || stdout != "" {
		t.Fatalf("port0 %s: exit %d, stdout %q\n%s", strings.Join(args, " "), code, stdout, stderr)
	}
	return stderr
}

// sameFolders compares two analysis folders: the same files but
// analyze.PartialFile, each byte for byte.
func sameFolders(t *testing.T, what, a, b string) {
	t.Helper()
	names := func(dir string) []string {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, e := range ents {
			if e.Name() != analyze.PartialFile {
				n = append(n, e.Name())
			}
		}
		return n
	}
	na, nb := names(a), names(b)
	if !slices.Equal(na, nb) || len(na) < 6 {
		t.Fatalf("%s: files %v and %v", what, na, nb)
	}
	testcap.SameFiles(t, what, a, b, na)
}

// TestAnalyzePartialMerge: inputs analyzed in two halves with -partial and
// combined with -merge (one half named by its folder, the other by its
// partial.bin) give every output file of one run over all of them, byte
// for byte: the generator sample's two daily shards, and the corpus, read
// errors and all, cut in the middle.
func TestAnalyzePartialMerge(t *testing.T) {
	for _, c := range []struct {
		name, input string
	}{
		{"sample", genSample},
		{"corpus", corpus},
	} {
		t.Run(c.name, func(t *testing.T) {
			ents, err := os.ReadDir(c.input)
			if err != nil {
				t.Fatal(err)
			}
			var inputs []string
			for _, e := range ents {
				if n := e.Name(); strings.Contains(n, ".pcap") {
					inputs = append(inputs, filepath.Join(c.input, n))
				}
			}
			if len(inputs) < 2 {
				t.Fatalf("%d captures in %s", len(inputs), c.input)
			}
			dir := t.TempDir()
			one, a, b, merged := filepath.Join(dir, "one"), filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "merged")
			analyzeCmd(t, append([]string{"analyze", "-q", "-out", one}, inputs...)...)
			half := len(inputs) / 2
			analyzeCmd(t, append([]string{"analyze", "-q", "-partial", "-out", a}, inputs[:half]...)...)
			analyzeCmd(t, append([]string{"analyze", "-q", "-partial", "-workers", "1", "-out", b}, inputs[half:]...)...)
			for _, p := range []string{a, b} {
				if fi, err := os.Stat(filepath.Join(p, analyze.PartialFile)); err != nil || !fi.Mode().IsRegular() {
					t.Fatalf("-partial: %v", err)
				}
			}
			if _, err := os.Stat(filepath.Join(one, analyze.PartialFile)); err == nil {
				t.Errorf("a run without -partial wrote %s", analyze.PartialFile)
			}
			out := analyzeCmd(t, "analyze", "-merge", "-out", merged, a, filepath.Join(b, analyze.PartialFile))
			if want := fmt.Sprintf("analyze: merged 2 partial results (%d inputs) into %s\n", len(inputs), merged); out != want {
				t.Errorf("-merge said %q, want %q", out, want)
			}
			sameFolders(t, "merged halves vs one run", one, merged)
			if s := readSummary(t, merged); s.Inputs != len(inputs) || s.Port0 == nil {
				t.Errorf("merged summary: %d inputs, want %d; study %v", s.Inputs, len(inputs), s.Port0 != nil)
			}
		})
	}
	// -merge takes no -partial nor -count-only; -partial no -count-only.
	dir := t.TempDir()
	for _, args := range [][]string{
		{"analyze", "-merge", "-partial", "-out", dir, dir},
		{"analyze", "-merge", "-count-only", "-out", dir, dir},
		{"analyze", "-partial", "-count-only", "-out", dir, filepath.Join(corpus, "pcap_us_le.pcap")},
	} {
		var out bytes.Buffer
		if err := run(args, nil, &out, &out); exitCode(err) != 2 {
			t.Errorf("%s: err %v (exit %d), want exit 2", strings.Join(args, " "), err, exitCode(err))
		}
	}
}

// TestAnalyzeMergeDamaged: a damaged partial.bin — cut short, or one byte
// of its header flipped — makes analyze -merge fail with an error naming
// the file, never panic; named by its folder, the error names the file in
// it.
func TestAnalyzeMergeDamaged(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	analyzeCmd(t, "analyze", "-q", "-partial", "-out", good, filepath.Join(corpus, "port0_positions.pcap"), filepath.Join(corpus, "cut_mid_record.pcap"))
	data, err := os.ReadFile(filepath.Join(good, analyze.PartialFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 100 {
		t.Fatalf("%s: %d bytes", analyze.PartialFile, len(data))
	}
	flip := func(i int) []byte {
		b := slices.Clone(data)
		b[i] ^= 0xff
		return b
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"cut in the magic", data[:5]},
		{"cut in the header", data[:14]},
		{"cut in the meta", data[:len(data)/4]},
		{"cut in half", data[:len(data)/2]},
		{"cut before the end mark", data[:len(data)-6]},
		{"last byte missing", data[:len(data)-1]},
		{"byte after the end", append(slices.Clone(data), 0)},
		{"magic flipped", flip(0)},
		{"magic end flipped", flip(7)},
		{"version flipped", flip(8)},
		{"version high byte flipped", flip(11)},
		{"meta length flipped", flip(12)},
		{"meta length high byte flipped", flip(15)},
		{"meta start flipped", flip(16)},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := t.TempDir()
			asFile := filepath.Join(d, "damaged.bin")
			folder := filepath.Join(d, "run")
			if err := os.WriteFile(asFile, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(folder, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(folder, analyze.PartialFile), c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, in := range []struct{ arg, named string }{
				{asFile, asFile},
				{folder, filepath.Join(folder, analyze.PartialFile)},
			} {
				var out bytes.Buffer
				err := func() (err error) {
					defer func() {
						if r := recover(); r != nil {
							err = fmt.Errorf("panic: %v", r)
							t.Errorf("analyze -merge %s panicked: %v", in.arg, r)
						}
					}()
					return run([]string{"analyze", "-merge", "-out", filepath.Join(d, "out"), good, in.arg}, nil, &out, &out)
				}()
				if err == nil || exitCode(err) != 1 {
					t.Fatalf("merge of %s: err %v (exit %d), want exit 1\n%s", in.arg, err, exitCode(err), out.String())
				}
				if !strings.Contains(err.Error(), in.named+":") {
					t.Errorf("error %q does not name %s", err, in.named)
				}
			}
		})
	}
}

// TestAnalyzeFormat: -format parquet writes the Parquet tables alone,
// which validate and experiments read (its -format writes the
// experiments' tables as Parquet, which figures draws from); a format
// that is none of csv, parquet and both is a usage error naming the flag
// and the formats.
func TestAnalyzeFormat(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "analysis")
	if _, stderr, code := runCmd(t, "analyze", "-q", "-format", "parquet", "-out", a, genSample); code != 0 {
		t.Fatalf("analyze -format parquet: exit %d: %s", code, stderr)
	}
	for _, f := range []string{"summary.json", "packets/day=2016-01-02/part-0.parquet", "sources.parquet", "events.parquet", "bundles.parquet", "timeseries/day=2016-01-01/part-0.parquet"} {
		if _, err := os.Stat(filepath.Join(a, f)); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(a, "packets.csv")); err == nil {
		t.Error("-format parquet wrote packets.csv")
	}
	if out, stderr, code := runCmd(t, "validate", "-truth", genSample, "-analysis", a); code != 0 || !strings.Contains(out, "packets: confusion matrix") {
		t.Errorf("validate of the Parquet analysis: exit %d\n%s%s", code, out, stderr)
	}
	res := filepath.Join(dir, "results")
	if _, stderr, code := runCmd(t, "experiments", "-q", "-format", "parquet", "-out", res, "-only", "tcp-flags", "-gen", genSample, "-analysis", a); code != 0 {
		t.Fatalf("experiments -format parquet: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(res, "tcp-flags", "flags.parquet")); err != nil {
		t.Error(err)
	}
	if out, stderr, code := runCmd(t, "figures", "-in", res); code != 0 || !strings.HasPrefix(out, "2 figures") || !strings.Contains(stderr, "tcp_flags.png") { // tcp_flags and the verdicts
		t.Errorf("figures from Parquet tables: exit %d, %q %q", code, out, stderr)
	}
	for _, cmd := range []string{"analyze", "experiments"} {
		_, stderr, code := runCmd(t, cmd, "-q", "-format", "json", "-out", filepath.Join(dir, "x"), genSample)
		if code != 2 || !strings.Contains(stderr, "-format") || !strings.Contains(stderr, "csv, parquet or both") {
			t.Errorf("%s -format json: exit %d, stderr %q", cmd, code, stderr)
		}
	}
}

// TestAnalyzeFolderEntries: a symlinked folder given as input is read,
// and a FIFO inside an input folder is named on stderr and in
// summary.json's warnings, never skipped in silence.
func TestAnalyzeFolderEntries(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "realtools", "real_tools.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(real, "a.pcap"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(real, "pipe"), 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	out := filepath.Join(dir, "out")
	stderr := analyzeCmd(t, "analyze", "-q", "-out", out, link)
	sum := readSummary(t, out)
	if sum.Inputs != 1 || sum.Total.Packets == 0 {
		t.Errorf("the symlinked folder gave %d inputs, %d packets; want its capture read", sum.Inputs, sum.Total.Packets)
	}
	found := false
	for _, w := range sum.Warnings {
		found = found || strings.Contains(w, "pipe") && strings.Contains(w, "FIFO")
	}
	if !found || !strings.Contains(stderr, "FIFO") {
		t.Errorf("the FIFO is not named: warnings %q, stderr %q", sum.Warnings, stderr)
	}
}
