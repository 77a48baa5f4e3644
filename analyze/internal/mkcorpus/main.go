// Command mkcorpus writes the corpus of small, odd captures in
// testdata/captures that the capture readers and packet decoders are tested
// against, together with testdata/captures/expected.csv, which says for
// every file how many records a reader returns, where it stops with an
// error, and what each record was crafted to be.
//
// Run it from the repository root:
//
//	go run ./analyze/internal/mkcorpus -out testdata/captures
//
// Output is deterministic: fixed timestamps, no randomness. The gzip and
// zstd files depend on compress/flate's and klauspost/compress/zstd's
// output, which their versions keep stable in practice; the test in this
// package compares them after decompression.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/google/gopacket/pcapgo"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mkcorpus:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("mkcorpus", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("out", "testdata/captures", "output folder")
	readme := fl.Bool("readme", false, "also print the per-file lines for testdata/README.md to stdout")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	fs := corpus()
	for _, f := range fs {
		if err := os.WriteFile(filepath.Join(*out, f.name), f.data, 0o644); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := writeExpected(&buf, fs); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "expected.csv"), buf.Bytes(), 0o644); err != nil {
		return err
	}
	if *readme {
		for _, f := range fs {
			fmt.Fprintf(stdout, "| `%s` | %s |\n", f.name, f.note)
		}
	}
	return nil
}

// expectedHeader is the first line of expected.csv.
var expectedHeader = append([]string{"file", "format", "records", "err_index", "err_offset", "first_ts", "pcapgo"},
	append(classNames[:], "icmp0", "tunneled", "notes", "note")...)

func writeExpected(w io.Writer, fs []file) error {
	cw := csv.NewWriter(w)
	cw.Write(expectedHeader)
	for _, f := range fs {
		var counts [numClasses]int
		icmp0, tunneled, noted := 0, 0, 0
		for _, r := range f.recs {
			counts[r.class]++
			if r.icmp0 {
				icmp0++
			}
			if r.tunneled {
				tunneled++
			}
			if r.noted {
				noted++
			}
		}
		row := []string{f.name, formatOf(f.data), strconv.Itoa(len(f.recs)), "", "", "", strconv.Itoa(pcapgoCount(f.data))}
		if f.hasErr {
			row[3] = strconv.FormatInt(f.errIndex, 10)
			row[4] = strconv.FormatInt(f.errOffset, 10)
		}
		if len(f.recs) > 0 {
			row[5] = strconv.FormatInt(f.recs[0].ts, 10)
		}
		for _, c := range counts {
			row = append(row, strconv.Itoa(c))
		}
		row = append(row, strconv.Itoa(icmp0), strconv.Itoa(tunneled), strconv.Itoa(noted), f.note)
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// decompress returns b decompressed as far as possible when it is gzip or
// zstd, and which of the two it is ("" for neither).
func decompress(b []byte) ([]byte, string) {
	switch {
	case len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b:
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, "gzip"
		}
		d, _ := io.ReadAll(zr)
		return d, "gzip"
	case isZstd(b):
		d, _ := unzstd(b)
		return d, "zstd"
	}
	return b, ""
}

// formatOf names the container the way Capture.Format does; "-" when the
// file header is unreadable.
func formatOf(b []byte) string {
	d, comp := decompress(b)
	s := "-"
	if len(d) >= 24 {
		switch binary.BigEndian.Uint32(d) {
		case 0xa1b2c3d4, 0xd4c3b2a1:
			s = "pcap"
		case 0xa1b23c4d, 0x4d3cb2a1:
			s = "pcap-ns"
		case 0xa1b2cd34, 0x34cdb2a1:
			s = "pcap-kuznetzov"
		case 0x0a0d0d0a:
			s = "pcapng"
		}
	}
	if comp != "" && s != "-" {
		s += "+" + comp
	}
	return s
}

// pcapgoCount is how many packets gopacket's pcapgo returns before EOF or an
// error; -1 when it cannot open the file. pcapgo.NewReader handles gzip
// itself (zstd it cannot read); for pcapng the stream is decompressed
// first.
func pcapgoCount(b []byte) int {
	d, _ := decompress(b)
	var next func() error
	if len(d) >= 4 && binary.BigEndian.Uint32(d) == 0x0a0d0d0a {
		var zr io.Reader = bytes.NewReader(b)
		if g, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
			zr = g
		}
		nr, err := pcapgo.NewNgReader(zr, pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return -1
		}
		next = func() error { _, _, err := nr.ReadPacketData(); return err }
	} else {
		pr, err := pcapgo.NewReader(bytes.NewReader(b))
		if err != nil {
			return -1
		}
		next = func() error { _, _, err := pr.ReadPacketData(); return err }
	}
	n := 0
	for n < 1<<20 {
		if next() != nil { // io.EOF or an error
			return n
		}
		n++
	}
	return n
}
