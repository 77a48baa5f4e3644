package asmap

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// The MaxMind DB files of the tests are written with MaxMind's own writer
// (github.com/maxmind/mmdbwriter, a test-only dependency): search tree
// records of 24 bits, an IPv6 tree holding IPv4 under ::/96, and
// GeoLite2-ASN's record, {"autonomous_system_number": uint32,
// "autonomous_system_organization": string}.

// asn is a GeoLite2-ASN record.
func asn(n uint32, org string) mmdbtype.Map {
	return mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(n), "autonomous_system_organization": mmdbtype.String(org)}
}

// mmdbFile writes a MaxMind DB of ipVersion (4 or 6) holding records.
func mmdbFile(t testing.TB, ipVersion int, dbType string, records []struct {
	prefix string
	rec    mmdbtype.DataType
}) []byte {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType: dbType, Description: map[string]string{"en": "asmap test"}, Languages: []string{"en"},
		IPVersion: ipVersion, RecordSize: 24, BuildEpoch: 1717243200, IncludeReservedNetworks: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		_, n, err := net.ParseCIDR(r.prefix)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Insert(n, r.rec); err != nil {
			t.Fatal(r.prefix, err)
		}
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testMMDB is a small ASN database: nested IPv4 prefixes, and with
// ipVersion 6 IPv6 ones, one sharing its record with an IPv4 prefix, and
// one network whose record has no AS number.
func testMMDB(t testing.TB, ipVersion int) []byte {
	recs := []struct {
		prefix string
		rec    mmdbtype.DataType
	}{
		{"192.0.2.0/24", asn(64500, "Example A")},
		{"198.18.0.0/15", asn(64501, "Example B")},
		{"198.18.4.0/22", asn(4294967295, "Example C")},
		{"203.0.113.0/24", mmdbtype.Map{"autonomous_system_organization": mmdbtype.String("no number")}},
	}
	if ipVersion == 6 {
		recs = append(recs, []struct {
			prefix string
			rec    mmdbtype.DataType
		}{
			{"2001:db8::/32", asn(64510, "Example D")},
			{"2001:db8:1::/48", asn(64500, "Example A")},
		}...)
	}
	return mmdbFile(t, ipVersion, "GeoLite2-ASN", recs)
}

// testCityMMDB is a database of another kind: no AS numbers.
func testCityMMDB(t testing.TB) []byte {
	return mmdbFile(t, 6, "Test-City", []struct {
		prefix string
		rec    mmdbtype.DataType
	}{{"192.0.2.0/24", mmdbtype.Map{"city": mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String("Nowhere")}}}}})
}

// TestMMDB reads MaxMind DBs, IPv6 (IPv4 within) and IPv4-only, through
// Open. An mmdb's tree splits a prefix around a more specific one, so the
// prefix found is the tree's network: 198.18.0.0/15 less 198.18.4.0/22
// is seven networks.
func TestMMDB(t *testing.T) {
	v4 := []probe{
		{"192.0.2.1", "192.0.2.0/24", []uint32{64500}, false},
		{"::ffff:192.0.2.1", "192.0.2.0/24", []uint32{64500}, false},
		{"198.18.4.1", "198.18.4.0/22", []uint32{4294967295}, false},
		{"198.18.7.255", "198.18.4.0/22", []uint32{4294967295}, false},
		{"198.18.0.1", "198.18.0.0/22", []uint32{64501}, false},
		{"198.18.8.1", "198.18.8.0/21", []uint32{64501}, false},
		{"198.19.255.255", "198.19.0.0/16", []uint32{64501}, false},
		{"198.20.0.0", "", nil, false},
		{"203.0.113.1", "", nil, false}, // a record without a number
		{"10.0.0.1", "", nil, false},
	}
	v6 := []probe{
		{"2001:db8::1", "2001:db8::/48", []uint32{64510}, false},
		{"2001:db8:1::1", "2001:db8:1::/48", []uint32{64500}, false},
		{"2001:db8:2::1", "2001:db8:2::/47", []uint32{64510}, false},
		{"2001:db9::1", "", nil, false},
	}
	for _, c := range []struct {
		name      string
		ipVersion int
		n         int
		probes    []probe
	}{
		{"IPv6 tree", 6, 1 + 8 + 16 + 1, append(append([]probe(nil), v4...), v6...)},
		{"IPv4 tree", 4, 1 + 8, append(append([]probe(nil), v4...), probe{"2001:db8::1", "", nil, false})},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := Open(write(t, "GeoLite2-ASN.mmdb", testMMDB(t, c.ipVersion)))
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if m.Format() != FormatMMDB || m.KnowsHosting() {
				t.Errorf("Format %q KnowsHosting %v, want %q false", m.Format(), m.KnowsHosting(), FormatMMDB)
			}
			if m.Len() != c.n {
				t.Errorf("Len %d, want %d", m.Len(), c.n)
			}
			check(t, m, c.probes)
			if _, ok := m.Lookup(netip.Addr{}); ok {
				t.Error("the zero Addr found")
			}
		})
	}
}

// TestDBPrefix checks the mending of a prefix the reader misstates (a
// corrupt or odd database): the prefix found always holds the address.
func TestDBPrefix(t *testing.T) {
	for _, c := range []struct{ p, a, want string }{
		{"192.0.2.0/24", "192.0.2.1", "192.0.2.0/24"},
		{"::/50", "192.0.2.1", "0.0.0.0/0"},
		{"10.0.0.0/8", "192.0.2.1", "192.0.2.1/32"},
		{"2001:db8::/32", "2001:db9::1", "2001:db9::1/128"},
	} {
		if got := dbPrefix(netip.MustParsePrefix(c.p), netip.MustParseAddr(c.a)); got != netip.MustParsePrefix(c.want) {
			t.Errorf("dbPrefix(%s, %s) = %s, want %s", c.p, c.a, got, c.want)
		}
	}
}
