package asmap

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// write makes a file name in a fresh folder and returns its path.
func write(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// gz compresses data.
func gz(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// probe is one lookup and its wanted answer ("" prefix: not found).
type probe struct {
	addr    string
	prefix  string
	asns    []uint32
	hosting bool
}

func check(t *testing.T, m *Map, probes []probe) {
	t.Helper()
	for _, p := range probes {
		o, ok := m.Lookup(netip.MustParseAddr(p.addr))
		if p.prefix == "" {
			if ok {
				t.Errorf("%s: found %v %v, want none", p.addr, o.Prefix, o.ASNs)
			}
			continue
		}
		if !ok || o.Prefix != netip.MustParsePrefix(p.prefix) || !slices.Equal(o.ASNs, p.asns) || o.Hosting != p.hosting {
			t.Errorf("%s: got %v %v hosting %v (found %v), want %s %v hosting %v", p.addr, o.Prefix, o.ASNs, o.Hosting, ok, p.prefix, p.asns, p.hosting)
		}
	}
}

// TestOpenPfx2as reads pfx2as files, plain and gzip, IPv4 and IPv6, with
// multi-origin and AS-set entries and nested prefixes.
func TestOpenPfx2as(t *testing.T) {
	v4 := "# a comment\n\n192.0.2.0\t24\t64500\n" +
		"198.18.0.0\t15\t64501_64502\n" +
		"198.18.4.0\t22\t64503,64504\n" +
		"198.18.4.128\t25\t64505_64506,64507_64505\n" +
		"203.0.113.7\t32\t64508\r\n" +
		"10.0.0.0\t8\t4294967295\n"
	v6 := "2001:db8::\t32\t64510\n" +
		"2001:db8:1::\t48\t64511_64512\n" +
		"2001:db8:1:2::\t64\t64513\n" +
		"2001:db8:1:2::1\t128\t64514\n"
	v4probes := []probe{
		{"192.0.2.1", "192.0.2.0/24", []uint32{64500}, false},
		{"192.0.3.1", "", nil, false},
		{"198.18.0.1", "198.18.0.0/15", []uint32{64501, 64502}, false},
		{"198.19.255.255", "198.18.0.0/15", []uint32{64501, 64502}, false},
		{"198.20.0.0", "", nil, false},
		{"198.18.4.0", "198.18.4.0/22", []uint32{64503, 64504}, false},
		{"198.18.4.127", "198.18.4.0/22", []uint32{64503, 64504}, false},
		{"198.18.4.128", "198.18.4.128/25", []uint32{64505, 64506, 64507}, false},
		{"198.18.4.255", "198.18.4.128/25", []uint32{64505, 64506, 64507}, false},
		{"198.18.5.0", "198.18.4.0/22", []uint32{64503, 64504}, false},
		{"198.18.8.0", "198.18.0.0/15", []uint32{64501, 64502}, false},
		{"203.0.113.7", "203.0.113.7/32", []uint32{64508}, false},
		{"203.0.113.6", "", nil, false},
		{"203.0.113.8", "", nil, false},
		{"10.255.255.255", "10.0.0.0/8", []uint32{4294967295}, false},
		{"::ffff:192.0.2.200", "192.0.2.0/24", []uint32{64500}, false},
		{"0.0.0.0", "", nil, false},
		{"255.255.255.255", "", nil, false},
	}
	v6probes := []probe{
		{"2001:db8::1", "2001:db8::/32", []uint32{64510}, false},
		{"2001:db8:1::1", "2001:db8:1::/48", []uint32{64511, 64512}, false},
		{"2001:db8:1:2::2", "2001:db8:1:2::/64", []uint32{64513}, false},
		{"2001:db8:1:2::1", "2001:db8:1:2::1/128", []uint32{64514}, false},
		{"2001:db8:1:3::", "2001:db8:1::/48", []uint32{64511, 64512}, false},
		{"2001:db8:2::", "2001:db8::/32", []uint32{64510}, false},
		{"2001:db9::", "", nil, false},
		{"fe80::1%eth0", "", nil, false},
		{"::", "", nil, false},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "", nil, false},
	}
	for _, c := range []struct {
		name   string
		data   string
		gzip   bool
		n      int
		probes []probe
	}{
		{"v4 plain", v4, false, 6, v4probes},
		{"v4 gzip", v4, true, 6, v4probes},
		{"v6 plain", v6, false, 4, v6probes},
		{"v6 gzip", v6, true, 4, v6probes},
		{"v4 and v6", v4 + v6, false, 10, append(slices.Clip(v4probes), v6probes...)},
		{"v4 and v6 gzip members", "", true, 10, append(slices.Clip(v4probes), v6probes...)},
		{"v6 only: no IPv4", v6, false, 4, []probe{{"192.0.2.1", "", nil, false}}},
		{"v4 only: no IPv6", v4, false, 6, []probe{{"2001:db8::1", "", nil, false}}},
		{"whole space", "0.0.0.0\t0\t1\n128.0.0.0\t1\t2\n::\t0\t3\n", false, 3, []probe{
			{"0.0.0.0", "0.0.0.0/0", []uint32{1}, false}, {"127.255.255.255", "0.0.0.0/0", []uint32{1}, false},
			{"128.0.0.0", "128.0.0.0/1", []uint32{2}, false}, {"255.255.255.255", "128.0.0.0/1", []uint32{2}, false},
			{"::", "::/0", []uint32{3}, false}, {"ffff::", "::/0", []uint32{3}, false}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := []byte(c.data)
			switch {
			case c.data == "": // cat v4.gz v6.gz
				data = append(gz([]byte(v4)), gz([]byte(v6))...)
			case c.gzip:
				data = gz(data)
			}
			path := write(t, "routeviews-rv2-20240601-1200.pfx2as", data)
			m, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if m.Format() != FormatPfx2as || m.Len() != c.n || m.Name() != path || m.KnowsHosting() {
				t.Errorf("Format %q Len %d Name %q KnowsHosting %v, want %q %d %q false", m.Format(), m.Len(), m.Name(), m.KnowsHosting(), FormatPfx2as, c.n, path)
			}
			check(t, m, c.probes)
		})
	}
}

// csvData is an asmap.csv as the generator writes it.
const csvData = "prefix,asn,hosting\n198.18.0.0/16,64512,false\n198.18.4.0/22,64513,true\n100.64.0.0/24,64514,true\n"

// TestASMapCSV reads the generator's asmap.csv, with its hosting flag.
func TestASMapCSV(t *testing.T) {
	m, err := Open(write(t, "asmap.csv", []byte(csvData)))
	if err != nil {
		t.Fatal(err)
	}
	if m.Format() != FormatCSV || m.Len() != 3 || !m.KnowsHosting() {
		t.Errorf("Format %q Len %d KnowsHosting %v, want %q 3 true", m.Format(), m.Len(), m.KnowsHosting(), FormatCSV)
	}
	check(t, m, []probe{
		{"198.18.0.1", "198.18.0.0/16", []uint32{64512}, false},
		{"198.18.5.1", "198.18.4.0/22", []uint32{64513}, true},
		{"198.18.8.1", "198.18.0.0/16", []uint32{64512}, false},
		{"100.64.0.255", "100.64.0.0/24", []uint32{64514}, true},
		{"100.64.1.0", "", nil, false},
	})
	// Any name: the content decides.
	if m, err := Open(write(t, "routeviews.pfx2as", []byte(csvData))); err != nil || m.Format() != FormatCSV {
		t.Errorf("asmap.csv named .pfx2as: %v", err)
	}
}

// TestOpenErrors checks that each wrong, truncated or empty file is one
// line of error naming the file, and for text the line and what was
// expected.
func TestOpenErrors(t *testing.T) {
	good := "192.0.2.0\t24\t64500\n198.18.0.0\t15\t64501\n"
	whole := gz([]byte(strings.Repeat(good, 200)))
	corrupt := slices.Clone(whole)
	corrupt[len(corrupt)-6] ^= 0xff // the CRC-32 in the trailer
	mmdb := testMMDB(t, 6)
	for _, c := range []struct {
		name string
		data []byte
		want string // the error after "asmap: PATH"
	}{
		{"empty", nil, ": empty file"},
		{"comments only", []byte("# nothing\n\n"), ": no prefixes (only blank lines and # comments)"},
		{"spaces", []byte(good + "10.0.0.0 x 64500\n"), ` line 3: "10.0.0.0 x 64500": want prefix, length and AS separated by tabs`},
		{"two fields", []byte("10.0.0.0\t8\n"), ` line 1: "10.0.0.0\t8": want prefix, length and AS separated by tabs`},
		{"four fields", []byte("10.0.0.0\t8\t1\t2\n"), ` line 1: "10.0.0.0\t8\t1\t2": want prefix, length and AS separated by tabs`},
		{"bad address", []byte(good + "10.0.0\t8\t1\n"), ` line 3: "10.0.0\t8\t1": prefix "10.0.0" is not an IP address`},
		{"zone", []byte("fe80::%eth0\t64\t1\n"), ` line 1: "fe80::%eth0\t64\t1": prefix "fe80::%eth0" has a zone`},
		{"4in6", []byte("::ffff:10.0.0.0\t104\t1\n"), `: write an IPv4 prefix as IPv4`},
		{"length x", []byte("10.0.0.0\tx\t1\n"), ` line 1: "10.0.0.0\tx\t1": length "x": want 0 to 32 for an IPv4 prefix`},
		{"length 33", []byte("10.0.0.0\t33\t1\n"), `length "33": want 0 to 32 for an IPv4 prefix`},
		{"length 129", []byte("2001:db8::\t129\t1\n"), `length "129": want 0 to 128 for an IPv6 prefix`},
		{"length -1", []byte("10.0.0.0\t-1\t1\n"), `length "-1": want 0 to 32`},
		{"host bits", []byte("10.0.0.1\t8\t1\n"), ` line 1: "10.0.0.1\t8\t1": 10.0.0.1/8 has host bits set (want 10.0.0.0/8)`},
		{"host bits v6", []byte("2001:db8::1\t32\t1\n"), `2001:db8::1/32 has host bits set (want 2001:db8::/32)`},
		{"AS x", []byte("10.0.0.0\t8\tAS1\n"), `AS "AS1": want AS numbers 0 to 4294967295 joined by _ (several origins) or , (an AS set)`},
		{"AS over 32 bits", []byte("10.0.0.0\t8\t4294967296\n"), `AS "4294967296": want AS numbers`},
		{"AS empty", []byte("10.0.0.0\t8\t\n"), `AS "": want AS numbers`},
		{"AS dangling _", []byte("10.0.0.0\t8\t64500_\n"), `AS "64500_": want AS numbers`},
		{"AS double ,", []byte("10.0.0.0\t8\t64500,,1\n"), `AS "64500,,1": want AS numbers`},
		{"duplicate", []byte(good + "# again\n192.0.2.0\t24\t64502\n"), ` line 4: 192.0.2.0/24 is already on line 1`},
		{"duplicate v6", []byte("2001:db8::\t32\t1\n2001:db8::\t32\t1\n"), ` line 2: 2001:db8::/32 is already on line 1`},
		{"text", []byte("hello, world\n"), `: not a CAIDA pfx2as file, a MaxMind DB (.mmdb) or port0's asmap.csv (line 1 "hello, world" does not start with an IP address)`},
		{"binary", []byte("\x00\x00\x01\x02garbage"), `: not a CAIDA pfx2as file, a MaxMind DB (.mmdb) or port0's asmap.csv (binary data without MaxMind DB metadata: a truncated .mmdb?)`},
		{"long line", bytes.Repeat([]byte("1"), maxLine+10), `: not a CAIDA pfx2as file, a MaxMind DB (.mmdb) or port0's asmap.csv (a first line longer than 1048576 bytes)`},
		{"long line later", append([]byte(good), bytes.Repeat([]byte("1"), maxLine+10)...), ` line 3: longer than 1048576 bytes: not a pfx2as line`},
		{"gzip truncated", whole[:len(whole)/2], `: after line 1: gzip: unexpected EOF (the file is truncated)`},
		{"gzip truncated in header", whole[:5], `: gzip: unexpected EOF (the file is truncated)`},
		{"gzip no trailer", whole[:len(whole)-4], `(the file is truncated)`},
		{"gzip corrupt", corrupt, `: after line 400: gzip: invalid checksum (a corrupt file)`},
		{"gzip of text", gz([]byte("hello\n")), `: not a CAIDA pfx2as file, a MaxMind DB (.mmdb) or port0's asmap.csv (line 1 "hello" does not start with an IP address)`},
		{"gzip of csv", gz([]byte(csvData)), `(a gzip-compressed asmap.csv: gunzip it first)`},
		{"gzip of binary", gz([]byte("\x00\x01")), `(gzip-compressed binary data)`},
		{"gzip of nothing", gz(nil), `: no prefixes`},
		{"csv header only", []byte("prefix,asn,hosting\n"), `: no prefixes (the header alone)`},
		{"csv renamed column", []byte("prefix,as,hosting\n10.0.0.0/8,1,true\n"), `: column 2 is "as", want "asn"`},
		{"csv bad asn", []byte(csvData + "10.0.0.0/8,4294967296,true\n"), `:5: column asn: `},
		{"csv bad hosting", []byte(csvData + "10.0.0.0/8,1,maybe\n"), `:5: column hosting: `},
		{"csv bad prefix", []byte(csvData + "10.0.0.0/33,1,true\n"), `:5: column prefix: `},
		{"csv host bits", []byte(csvData + "10.0.0.1/8,1,true\n"), `:5: column prefix: 10.0.0.1/8 has host bits set (want 10.0.0.0/8)`},
		{"csv duplicate", []byte(csvData + "198.18.4.0/22,1,true\n"), ` line 5: 198.18.4.0/22 is already on line 3`},
		{"mmdb truncated", mmdb[:len(mmdb)/2], `: not a CAIDA pfx2as file, a MaxMind DB (.mmdb) or port0's asmap.csv (binary data without MaxMind DB metadata: a truncated .mmdb?)`},
		{"mmdb cut in the metadata", mmdb[:len(mmdb)-40], `: a MaxMind DB the reader refuses (truncated or corrupt?): `},
		{"mmdb marker alone", metadataMarker, `: a MaxMind DB the reader refuses (truncated or corrupt?): `},
		{"mmdb empty", mmdbFile(t, 6, "GeoLite2-ASN", nil), ": a MaxMind DB with no networks"},
		{"mmdb corrupt tree", corruptTree(mmdb), ": a corrupt MaxMind DB"},
		{"mmdb without AS numbers", testCityMMDB(t), `: a MaxMind DB ("Test-City") whose records carry no autonomous_system_number: want an ASN database such as GeoLite2-ASN`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := write(t, "routeviews.pfx2as", c.data)
			m, err := Open(path)
			if err == nil {
				t.Fatalf("no error (%s, %d prefixes)", m.Format(), m.Len())
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.HasPrefix(msg, "asmap: "+path) || !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
				t.Errorf("error\n%s\nwant one line starting asmap: %s and holding\n%s", msg, path, c.want)
			}
		})
	}
	// Exactly the documented example, with a short name.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "routeviews.pfx2as"), []byte(good+"10.0.0.0 x 64500\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	_, err := Open("routeviews.pfx2as")
	if want := `asmap: routeviews.pfx2as line 3: "10.0.0.0 x 64500": want prefix, length and AS separated by tabs`; err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	for _, c := range []struct{ path, want string }{
		{"missing", "asmap: open missing: no such file or directory"},
		{".", "asmap: . is a directory: give a file (a generator run's is ./asmap.csv)"},
	} {
		if _, err := Open(c.path); err == nil || err.Error() != c.want {
			t.Errorf("Open(%q): %v, want %s", c.path, err, c.want)
		}
	}
}

// corruptTree is a copy of an mmdb with its search tree's first nodes
// pointing past the data.
func corruptTree(db []byte) []byte {
	db = slices.Clone(db)
	for i := range 48 {
		db[i] = 0xfe
	}
	return db
}

// TestLookupAllocs checks that a lookup in a pfx2as or asmap.csv map
// allocates nothing, found or not, IPv4 or IPv6; nor, with the reader
// version in go.mod, in an mmdb.
func TestLookupAllocs(t *testing.T) {
	pfx, err := Open(write(t, "a.pfx2as", []byte("192.0.2.0\t24\t64500_64501\n2001:db8::\t32\t64502\n")))
	if err != nil {
		t.Fatal(err)
	}
	csv, err := Open(write(t, "asmap.csv", []byte(csvData)))
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(write(t, "a.mmdb", testMMDB(t, 6)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	addrs := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.51.100.1"),
		netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("::ffff:198.18.4.1"), netip.MustParseAddr("198.18.4.1")}
	for _, m := range []*Map{pfx, csv, db} {
		found := 0
		if n := testing.AllocsPerRun(100, func() {
			for _, a := range addrs {
				if _, ok := m.Lookup(a); ok {
					found++
				}
			}
		}); n != 0 {
			t.Errorf("%s: %.1f allocations a run of %d lookups, want 0", m.Format(), n, len(addrs))
		}
		if found == 0 {
			t.Errorf("%s: nothing found", m.Format())
		}
	}
}

// naive is the longest match by a scan of every prefix.
func naive(ps []netip.Prefix, a netip.Addr) (netip.Prefix, bool) {
	var best netip.Prefix
	for _, p := range ps {
		if p.Contains(a) && (!best.IsValid() || p.Bits() > best.Bits()) {
			best = p
		}
	}
	return best, best.IsValid()
}

// TestLookupMatchesScan compares Lookup with a scan of every prefix, on
// random sets of nested and disjoint prefixes of both families, at each
// prefix's first and last address, just outside them, and at random.
func TestLookupMatchesScan(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 40 {
		seen := map[netip.Prefix]bool{}
		var ps []netip.Prefix
		var text strings.Builder
		for range 1 + r.IntN(300) {
			var a netip.Addr
			if r.IntN(2) == 0 {
				// few distinct top bits: many nest
				a = netip.AddrFrom4([4]byte{byte(r.IntN(4)), byte(r.IntN(3)), byte(r.Uint32()), byte(r.Uint32())})
			} else {
				var b [16]byte
				b[0], b[1], b[2], b[15] = 0x20, byte(r.IntN(2)), byte(r.IntN(3)), byte(r.Uint32())
				b[7] = byte(r.Uint32())
				a = netip.AddrFrom16(b)
			}
			p := netip.PrefixFrom(a, r.IntN(a.BitLen()+1)).Masked()
			if seen[p] {
				continue
			}
			seen[p] = true
			ps = append(ps, p)
			text.WriteString(p.Addr().String() + "\t" + strconv.Itoa(p.Bits()) + "\t" + strconv.Itoa(len(ps)) + "\n")
		}
		m, err := readPfx2as("round", strings.NewReader(text.String()), false)
		if err != nil {
			t.Fatal(err)
		}
		var probes []netip.Addr
		for _, p := range ps {
			first, last := p.Addr(), lastAddr(p)
			probes = append(probes, first, last, first.Prev(), last.Next())
		}
		for range 200 {
			probes = append(probes, netip.AddrFrom4([4]byte{byte(r.IntN(4)), byte(r.IntN(3)), byte(r.Uint32()), byte(r.Uint32())}))
		}
		for _, a := range probes {
			if !a.IsValid() {
				continue
			}
			want, wok := naive(ps, a)
			o, ok := m.Lookup(a)
			if ok != wok || o.Prefix != want || ok && o.ASNs[0] != uint32(slices.Index(ps, want)+1) {
				t.Fatalf("round %d: %s: got %v %v (%v), want %v (%v)", round, a, o.Prefix, o.ASNs, ok, want, wok)
			}
		}
	}
}

// lastAddr is a prefix's last address.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
