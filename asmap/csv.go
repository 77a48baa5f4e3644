package asmap

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strconv"

	"github.com/port0/port0/internal/csvtab"
)

// The generator's asmap.csv (gen.ASMapFile): one synthetic AS a row,
// "prefix,asn,hosting", e.g. "198.18.4.0/22,64512,true", read with the
// project's table reader, which checks the header column by column. It is
// the one format that says whether a prefix is a hosting network.
// (gen.ReadASMap reads the same table from a run's folder into a list;
// this reads it from a file into a lookup table.)

var csvHeader = []string{"prefix", "asn", "hosting"}

// readCSV reads an asmap.csv file.
func readCSV(path string) (*Map, error) {
	b := &builder{name: path}
	line := 1
	err := csvtab.Read(filepath.Dir(path), filepath.Base(path), csvHeader, func(f *csvtab.Fields) error {
		line++
		p, err := netip.ParsePrefix(f.Str("prefix"))
		switch {
		case err != nil:
		case p.Addr().Is4In6():
			err = fmt.Errorf("%s is an IPv4-mapped IPv6 prefix: write an IPv4 prefix as IPv4", p)
		case p.Masked() != p:
			err = fmt.Errorf("%s has host bits set (want %s)", p, p.Masked())
		}
		f.Fail("prefix", err)
		asn := uint32(f.Uint("asn", 32))
		hosting, err := strconv.ParseBool(f.Str("hosting"))
		f.Fail("hosting", err)
		if f.Err() == nil {
			f.Fail("prefix", b.add(p, []uint32{asn}, hosting, line))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("asmap: %s", oneLine(err.Error()))
	}
	if len(b.entries) == 0 {
		return nil, fmt.Errorf("asmap: %s: no prefixes (the header alone)", path)
	}
	return b.done(FormatCSV)
}
