package asmap

import (
	"fmt"
	"net/netip"

	"github.com/oschwald/maxminddb-golang/v2"
)

// MaxMind DB files (.mmdb; https://maxmind.github.io/MaxMind-DB/): a
// binary search tree over the address bits, a data section and, at the
// end, the metadata, after the marker "\xab\xcd\xefMaxMind.com", within
// the file's last 128 KiB. GeoLite2-ASN and GeoIP2-ISP records carry
// autonomous_system_number, as may anyone's database. The library's
// reader does the lookups; Open walks every network once, which checks
// the tree and the records and maps each data record to its AS number,
// so that Lookup decodes nothing.

var metadataMarker = []byte("\xab\xcd\xefMaxMind.com")

// metadataMax is the most the spec allows the metadata section.
const metadataMax = 128 << 10

// asRecord is the part of a record that is read.
type asRecord struct {
	ASN *uint64 `maxminddb:"autonomous_system_number"`
}

// openMMDB reads a MaxMind DB held in data.
func openMMDB(name string, data []byte) (m *Map, err error) {
	// The reader's handling of malformed files improved after the version
	// used here (see go.mod): a panic on a corrupt file is its error.
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("asmap: %s: a corrupt MaxMind DB (the reader failed: %s)", name, oneLine(fmt.Sprint(r)))
		}
	}()
	db, err := maxminddb.OpenBytes(data)
	if err != nil {
		return nil, fmt.Errorf("asmap: %s: a MaxMind DB the reader refuses (truncated or corrupt?): %s", name, oneLine(err.Error()))
	}
	m = &Map{name: name, format: FormatMMDB, db: db, byOffset: make(map[uintptr]int32)}
	fail := func(p netip.Prefix, err error) (*Map, error) {
		db.Close()
		return nil, fmt.Errorf("asmap: %s: a corrupt MaxMind DB at %s: %s", name, p, oneLine(err.Error()))
	}
	for res := range db.Networks() {
		if err := res.Err(); err != nil {
			return fail(res.Prefix(), err)
		}
		off := res.Offset()
		if i, ok := m.byOffset[off]; ok {
			if i >= 0 {
				m.n++
			}
			continue
		}
		var rec asRecord
		if err := res.Decode(&rec); err != nil {
			return fail(res.Prefix(), err)
		}
		if rec.ASN == nil {
			m.byOffset[off] = -1
			continue
		}
		if *rec.ASN > 1<<32-1 {
			return fail(res.Prefix(), fmt.Errorf("autonomous_system_number %d does not fit 32 bits", *rec.ASN))
		}
		m.n++
		m.byOffset[off] = int32(len(m.entries))
		m.entries = append(m.entries, entry{off: uint32(len(m.asns)), n: 1})
		m.asns = append(m.asns, uint32(*rec.ASN))
	}
	switch {
	case len(m.byOffset) == 0:
		db.Close()
		return nil, fmt.Errorf("asmap: %s: a MaxMind DB with no networks", name)
	case m.n == 0:
		db.Close()
		return nil, fmt.Errorf("asmap: %s: a MaxMind DB (%q) whose records carry no autonomous_system_number: want an ASN database such as GeoLite2-ASN", name, db.Metadata.DatabaseType)
	}
	return m, nil
}

// lookupDB is Lookup for an mmdb.
func (m *Map) lookupDB(a netip.Addr) (Origin, bool) {
	if !a.IsValid() {
		return Origin{}, false
	}
	res := m.db.Lookup(a.WithZone(""))
	if !res.Found() {
		return Origin{}, false
	}
	i, ok := m.byOffset[res.Offset()]
	if !ok || i < 0 {
		return Origin{}, false
	}
	e := m.entries[i]
	end := e.off + uint32(e.n)
	return Origin{Prefix: dbPrefix(res.Prefix(), a), ASNs: m.asns[e.off:end:end]}, true
}

// dbPrefix is the reader's prefix for a, made to hold a. The reader
// version in go.mod misstates the prefix when a record sits above the
// IPv4 subtree of an IPv6 database (::/96), as no real ASN database has
// it (fixed in maxminddb-golang 2.2.0); then an IPv4 address is in
// 0.0.0.0/0, and otherwise the prefix is the address alone.
func dbPrefix(p netip.Prefix, a netip.Addr) netip.Prefix {
	if p.Contains(a) {
		return p
	}
	if a.Is4() && p.Addr().Is6() && p.Bits() <= 96 {
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	}
	return netip.PrefixFrom(a.WithZone(""), a.BitLen())
}
