package asmap_test

import (
	"fmt"
	"log"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/port0/port0/asmap"
)

// Open reads a CAIDA pfx2as file (here one written on the spot: two
// nested prefixes, the inner one announced by two ASes); Lookup finds the
// longest prefix holding each address and all its origin ASes.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "asmap")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "routeviews-rv2-20240601-1200.pfx2as")
	pfx2as := "198.18.0.0\t15\t64500\n198.18.4.0\t22\t64501_64502\n2001:db8::\t32\t64503\n"
	if err := os.WriteFile(path, []byte(pfx2as), 0o644); err != nil {
		log.Fatal(err)
	}
	m, err := asmap.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Format(), m.Len(), "prefixes")
	for _, s := range []string{"198.18.0.1", "198.18.5.9", "::ffff:198.18.5.9", "2001:db8::1", "192.0.2.1"} {
		if o, ok := m.Lookup(netip.MustParseAddr(s)); ok {
			fmt.Println(s, o.Prefix, o.ASNs)
		} else {
			fmt.Println(s, "no origin")
		}
	}
	// Output:
	// pfx2as 3 prefixes
	// 198.18.0.1 198.18.0.0/15 [64500]
	// 198.18.5.9 198.18.4.0/22 [64501 64502]
	// ::ffff:198.18.5.9 198.18.4.0/22 [64501 64502]
	// 2001:db8::1 2001:db8::/32 [64503]
	// 192.0.2.1 no origin
}
