package asmap

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzPfx2as parses pfx2as text: it never panics, an error is one line,
// and a file it reads answers every lookup as a scan of the prefixes of
// its lines does.
func FuzzPfx2as(f *testing.F) {
	for _, s := range []string{
		"192.0.2.0\t24\t64500\n",
		"# c\n\n198.18.0.0\t15\t64501_64502\n198.18.4.0\t22\t64503,64504\n198.18.4.128\t25\t1_2,3\n",
		"2001:db8::\t32\t64510\n2001:db8:1::\t48\t64511\n::\t0\t1\n",
		"0.0.0.0\t0\t1\n255.255.255.255\t32\t2\n",
		"10.0.0.0 x 64500\n",
		"10.0.0.1\t8\t1\n",
		"10.0.0.0\t8\t1\n10.0.0.0\t8\t2\n",
		"10.0.0.0\t8\t99999999999\n",
		"\x00\x01",
		"hello\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := readPfx2as("fuzz", bytes.NewReader(data), false)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "asmap: fuzz") || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line starting asmap: fuzz", msg)
			}
			return
		}
		// The file read: each data line is a prefix.
		var ps []netip.Prefix
		for line := range strings.Lines(string(data)) {
			line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
			if line == "" || line[0] == '#' {
				continue
			}
			fs := strings.Split(line, "\t")
			bits, _ := strconv.Atoi(fs[1])
			ps = append(ps, netip.PrefixFrom(netip.MustParseAddr(fs[0]), bits))
		}
		if m.Len() != len(ps) {
			t.Fatalf("Len %d, %d data lines", m.Len(), len(ps))
		}
		for _, p := range ps {
			for _, a := range []netip.Addr{p.Addr(), lastAddr(p), p.Addr().Prev(), lastAddr(p).Next()} {
				if !a.IsValid() {
					continue
				}
				want, wok := naive(ps, a)
				o, ok := m.Lookup(a)
				if ok != wok || o.Prefix != want || ok && len(o.ASNs) == 0 {
					t.Fatalf("%s: got %v %v (%v), want %v (%v)", a, o.Prefix, o.ASNs, ok, want, wok)
				}
			}
		}
	})
}

// FuzzOpen opens any file: Open never panics, an error is one line naming
// the file, and a map it returns finds only prefixes holding the address.
// The seeds are one file of each format, gzip, and broken ones.
func FuzzOpen(f *testing.F) {
	pfx := []byte("192.0.2.0\t24\t64500\n2001:db8::\t32\t64510_64511\n")
	db := testMMDB(f, 6)
	for _, s := range [][]byte{
		pfx, gz(pfx), gz(pfx)[:20], []byte(csvData), db, testMMDB(f, 4), db[:len(db)-30], db[:len(db)/2],
		corruptTree(db), nil, []byte("prefix,asn,hosting\n"), []byte("\x1f\x8b"),
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	probes := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.18.4.1"), netip.MustParseAddr("2001:db8::1"),
		netip.MustParseAddr("0.0.0.0"), netip.MustParseAddr("::"), netip.MustParseAddr("203.0.113.9")}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "in")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Open(path)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "asmap: "+path) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line starting asmap: %s", msg, path)
			}
			return
		}
		defer m.Close()
		if m.Len() <= 0 {
			t.Fatalf("%s map of %d prefixes", m.Format(), m.Len())
		}
		for _, a := range probes {
			if o, ok := m.Lookup(a); ok && (!o.Prefix.Contains(a) || len(o.ASNs) == 0) {
				t.Fatalf("%s: %v %v", a, o.Prefix, o.ASNs)
			}
		}
	})
}
