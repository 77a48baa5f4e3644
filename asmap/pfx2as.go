package asmap

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
)

// CAIDA's Routeviews prefix-to-AS files (pfx2as): one prefix a line, as
// three fields separated by tabs: the prefix's first address, its length
// and its origin AS, e.g. "192.0.2.0\t24\t64500". The AS field lists
// several ASes for a prefix that several ASes originate, joined by "_"
// (a multi-origin prefix, MOAS: 64500_64501), and the members of an AS
// set joined by "," (64500,64501); the two combine (64500_64501,64502).
// See https://www.caida.org/catalog/datasets/routeviews-prefix2as/ and
// the dataset's README.

// maxLine is the longest line read; a real file's are under 100 bytes.
const maxLine = 1 << 20

// readPfx2as reads a pfx2as file from r (decompressed when gz).
func readPfx2as(name string, r io.Reader, gz bool) (*Map, error) {
	rr := &errReader{r: r}
	br := bufio.NewReaderSize(rr, 64<<10)
	head, _ := br.Peek(512)
	switch {
	case gz && bytes.HasPrefix(head, []byte("prefix,")):
		return nil, notFormat(name, "a gzip-compressed asmap.csv: gunzip it first")
	case bytes.IndexByte(head, 0) >= 0 && gz:
		return nil, notFormat(name, "gzip-compressed binary data")
	case bytes.IndexByte(head, 0) >= 0:
		return nil, notFormat(name, "binary data without MaxMind DB metadata: a truncated .mmdb?")
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	b := &builder{name: name}
	var asns []uint32
	line, data := 0, false
	for sc.Scan() {
		line++
		s := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		if len(s) == 0 || s[0] == '#' {
			continue
		}
		if !data {
			data = true
			if !startsWithAddr(s) {
				if rr.err != nil {
					return nil, readError(name, line-1, rr.err, gz)
				}
				return nil, notFormat(name, fmt.Sprintf("line %d %s does not start with an IP address", line, quote(s)))
			}
		}
		var p netip.Prefix
		var msg string
		p, asns, msg = parseLine(s, asns[:0])
		if msg == "" {
			if err := b.add(p, asns, false, line); err != nil {
				msg = err.Error()
			}
		}
		if msg != "" {
			if rr.err != nil { // the line may be cut short by the read error
				return nil, readError(name, line-1, rr.err, gz)
			}
			return nil, fmt.Errorf("asmap: %s line %d: %s: %s", name, line, quote(s), msg)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) && !data {
			return nil, notFormat(name, fmt.Sprintf("a first line longer than %d bytes", maxLine))
		}
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("asmap: %s line %d: longer than %d bytes: not a pfx2as line", name, line+1, maxLine)
		}
		return nil, readError(name, line, err, gz)
	}
	if !data {
		return nil, fmt.Errorf("asmap: %s: no prefixes (only blank lines and # comments)", name)
	}
	return b.done(FormatPfx2as)
}

// readError is a failed read after line lines.
func readError(name string, line int, err error, gz bool) error {
	msg := err.Error()
	if gz && !strings.HasPrefix(msg, "gzip: ") {
		msg = "gzip: " + msg
	}
	hint := truncated(err)
	if hint == "" && gz {
		hint = " (a corrupt file)"
	}
	return fmt.Errorf("asmap: %s: after line %d: %s%s", name, line, msg, hint)
}

// errReader keeps the first error of r other than io.EOF.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// startsWithAddr tells whether a line's first field (up to a tab or a
// space) is an IP address: the line is meant as pfx2as.
func startsWithAddr(s []byte) bool {
	if i := bytes.IndexAny(s, "\t "); i >= 0 {
		s = s[:i]
	}
	_, err := netip.ParseAddr(string(s))
	return err == nil
}

// parseLine parses one pfx2as line, its origins appended to asns; msg
// says what is wrong ("" when nothing is).
func parseLine(s []byte, asns []uint32) (p netip.Prefix, _ []uint32, msg string) {
	f0, rest, ok1 := bytes.Cut(s, []byte("\t"))
	f1, f2, ok2 := bytes.Cut(rest, []byte("\t"))
	if !ok1 || !ok2 || bytes.IndexByte(f2, '\t') >= 0 {
		return p, asns, "want prefix, length and AS separated by tabs"
	}
	a, err := netip.ParseAddr(string(f0))
	switch {
	case err != nil:
		return p, asns, fmt.Sprintf("prefix %s is not an IP address", quote(f0))
	case a.Zone() != "":
		return p, asns, fmt.Sprintf("prefix %s has a zone", quote(f0))
	case a.Is4In6():
		return p, asns, fmt.Sprintf("prefix %s is an IPv4-mapped IPv6 address: write an IPv4 prefix as IPv4", quote(f0))
	}
	bits, ok := number(f1, 3)
	if !ok || bits > uint64(a.BitLen()) {
		fam := "IPv4"
		if a.Is6() {
			fam = "IPv6"
		}
		return p, asns, fmt.Sprintf("length %s: want 0 to %d for an %s prefix", quote(f1), a.BitLen(), fam)
	}
	p = netip.PrefixFrom(a, int(bits))
	if m := p.Masked(); m != p {
		return p, asns, fmt.Sprintf("%s has host bits set (want %s)", p, m)
	}
	start := 0
	for i := 0; i <= len(f2); i++ {
		if i < len(f2) && f2[i] != '_' && f2[i] != ',' {
			continue
		}
		n, ok := number(f2[start:i], 10)
		if !ok || n > 1<<32-1 {
			return p, asns, fmt.Sprintf("AS %s: want AS numbers 0 to 4294967295 joined by _ (several origins) or , (an AS set)", quote(f2))
		}
		asns = append(asns, uint32(n))
		start = i + 1
	}
	return p, asns, ""
}

// number parses 1 to digits decimal digits.
func number(b []byte, digits int) (uint64, bool) {
	if len(b) == 0 || len(b) > digits {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// quote is a line or field for an error: quoted, cut after 80 bytes.
func quote(b []byte) string {
	if len(b) > 80 {
		return fmt.Sprintf("%q...", b[:80])
	}
	return fmt.Sprintf("%q", b)
}
