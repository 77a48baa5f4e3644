package asmap

import (
	"bytes"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// A synthetic pfx2as file of a real one's size: n IPv4 prefixes, distinct,
// of the lengths a Routeviews table has (most /24, then /22, /23, /20,
// /21 ...), so that many nest; one in 50 multi-origin.
func synthPfx2as(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	lengths := []int{24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 23, 23, 22, 22, 22, 21, 20, 20, 19, 18, 17, 16, 16, 15, 14, 13, 12, 8}
	seen := make(map[netip.Prefix]struct{}, n)
	var b bytes.Buffer
	for len(seen) < n {
		x := 1<<24 + r.Uint32N(223<<24-1<<24) // 1.0.0.0 to 223.255.255.255
		a := netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
		p := netip.PrefixFrom(a, lengths[r.IntN(len(lengths))]).Masked()
		if _, ok := seen[p]; ok {
			continue
		}
		seen[p] = struct{}{}
		b.WriteString(p.Addr().String())
		b.WriteByte('\t')
		b.WriteString(strconv.Itoa(p.Bits()))
		b.WriteByte('\t')
		b.WriteString(strconv.Itoa(int(r.Uint32N(400000))))
		if r.IntN(50) == 0 {
			b.WriteByte('_')
			b.WriteString(strconv.Itoa(int(r.Uint32N(400000))))
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

var (
	bigOnce sync.Once
	bigFile []byte // 1 M lines
)

func big() []byte {
	bigOnce.Do(func() { bigFile = synthPfx2as(1_000_000, 7) })
	return bigFile
}

// probeAddrs are n addresses, half inside a prefix of data's first lines,
// half anywhere in IPv4: telescope sources are both.
func probeAddrs(m *Map, n int) []netip.Addr {
	r := rand.New(rand.NewPCG(3, 4))
	var as []netip.Addr
	for len(as) < n {
		x := r.Uint32()
		a := netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
		if _, ok := m.Lookup(a); ok == (len(as)%2 == 0) {
			as = append(as, a)
		}
	}
	return as
}

// BenchmarkOpenPfx2as is the load time of a 1 M-line pfx2as file.
func BenchmarkOpenPfx2as(b *testing.B) {
	for _, c := range []struct {
		name string
		gzip bool
	}{{"plain", false}, {"gzip", true}} {
		b.Run(c.name, func(b *testing.B) {
			data := big()
			if c.gzip {
				data = gz(data)
			}
			path := write(b, "routeviews.pfx2as", data)
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Open(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLookup is one lookup: in a 1 M-prefix pfx2as table (half the
// addresses found), in IPv6, and in a small mmdb.
func BenchmarkLookup(b *testing.B) {
	m, err := readPfx2as("big", bytes.NewReader(big()), false)
	if err != nil {
		b.Fatal(err)
	}
	as := probeAddrs(m, 1<<16)
	b.Run("pfx2as-1M-v4", func(b *testing.B) { benchLookup(b, m, as) })

	v6, err := readPfx2as("v6", bytes.NewReader([]byte("2001:db8::\t32\t64510\n2001:db8:1::\t48\t64511\n2001:db8:1:2::\t64\t64513\n")), false)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("pfx2as-v6", func(b *testing.B) {
		benchLookup(b, v6, []netip.Addr{netip.MustParseAddr("2001:db8:1:2::1"), netip.MustParseAddr("2001:db9::1")})
	})

	db, err := Open(write(b, "a.mmdb", bigMMDB(b)))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.Run("mmdb-200k-v4", func(b *testing.B) { benchLookup(b, db, probeAddrs(db, 1<<16)) })
}

// bigMMDB is an ASN MaxMind DB (IPv6 tree, 24-bit records) of the first
// 200 k prefixes of the synthetic pfx2as file.
func bigMMDB(b *testing.B) []byte {
	var recs []struct {
		prefix string
		rec    mmdbtype.DataType
	}
	for line := range strings.Lines(string(synthPfx2as(200_000, 7))) {
		f := strings.Split(strings.TrimSpace(line), "\t")
		n, _ := strconv.Atoi(strings.Split(f[2], "_")[0])
		recs = append(recs, struct {
			prefix string
			rec    mmdbtype.DataType
		}{f[0] + "/" + f[1], asn(uint32(n), "AS"+f[2])})
	}
	// More specific prefixes last, so that they split the ones holding them.
	slices.SortStableFunc(recs, func(x, y struct {
		prefix string
		rec    mmdbtype.DataType
	}) int {
		return netip.MustParsePrefix(x.prefix).Bits() - netip.MustParsePrefix(y.prefix).Bits()
	})
	return mmdbFile(b, 6, "GeoLite2-ASN", recs)
}

// BenchmarkOpenMMDB is the load time of a 200 k-prefix mmdb: reading the
// file and walking its networks once.
func BenchmarkOpenMMDB(b *testing.B) {
	path := write(b, "GeoLite2-ASN.mmdb", bigMMDB(b))
	b.ReportAllocs()
	for b.Loop() {
		m, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
	}
}

func benchLookup(b *testing.B, m *Map, as []netip.Addr) {
	b.ReportAllocs()
	found, i := 0, 0
	for b.Loop() {
		if _, ok := m.Lookup(as[i]); ok {
			found++
		}
		if i++; i == len(as) {
			i = 0
		}
	}
	if found == 0 {
		b.Fatal("nothing found")
	}
}
