package asmap

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

// The formats Open reads, as Format names them.
const (
	FormatPfx2as = "pfx2as"          // CAIDA's Routeviews prefix-to-AS, plain or gzip
	FormatMMDB   = "mmdb"            // a MaxMind DB whose records carry autonomous_system_number
	FormatCSV    = "port0 asmap.csv" // the generator's asmap.csv
)

// Origin is what a Map knows of an address: the longest prefix holding it
// and the ASes that originate that prefix.
type Origin struct {
	// Prefix is the longest prefix holding the address, as the file has
	// it. An mmdb's tree splits a prefix around the more specific ones
	// within it: there it is the piece holding the address.
	Prefix netip.Prefix
	// ASNs are the origin ASes, in the file's order, each once: one for
	// most prefixes, several for a multi-origin prefix (pfx2as's 64500_64501)
	// or an AS set (64500,64501). The slice is the Map's own memory: do not
	// change it (append copies).
	ASNs []uint32
	// Hosting: the prefix is a hosting or cloud network. Only asmap.csv
	// says so; from pfx2as and mmdb it is always false (KnowsHosting).
	Hosting bool
}

// ASN is the first origin AS (0 for none). In CAIDA's files since
// 2010-10-27 it is the origin most RouteViews peers saw.
func (o Origin) ASN() uint32 {
	if len(o.ASNs) == 0 {
		return 0
	}
	return o.ASNs[0]
}

// Map maps addresses to their origin ASes, read from one file by Open.
// Lookup is safe for concurrent use.
type Map struct {
	name, format string
	n            int // prefixes (networks) loaded

	// pfx2as and asmap.csv: the runs of each family, the prefixes' entries
	// and their origins.
	v4      table4
	v6      table6
	entries []entry
	asns    []uint32

	// mmdb: the reader, and each data record's entry (-1: no AS number).
	db       *maxminddb.Reader
	byOffset map[uintptr]int32
}

// Name is the path the Map was opened from.
func (m *Map) Name() string { return m.name }

// Format is the file's format: FormatPfx2as, FormatMMDB or FormatCSV.
func (m *Map) Format() string { return m.format }

// Len is the number of prefixes loaded: for an mmdb, the networks of its
// tree whose record has an AS number, an IPv4 network of an IPv6
// database counted once.
func (m *Map) Len() int { return m.n }

// KnowsHosting tells whether Origin.Hosting means anything: true for
// asmap.csv alone.
func (m *Map) KnowsHosting() bool { return m.format == FormatCSV }

// Close releases an mmdb's reader; the Map cannot be used after it. It
// does nothing for the other formats.
func (m *Map) Close() error {
	if m.db == nil {
		return nil
	}
	err := m.db.Close()
	m.db = nil
	return err
}

// Lookup returns the origin of the longest prefix holding a, and whether
// one does. An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is looked up
// as IPv4; a zone is ignored. For pfx2as and asmap.csv it allocates
// nothing.
func (m *Map) Lookup(a netip.Addr) (Origin, bool) {
	a = a.Unmap()
	if m.db != nil {
		return m.lookupDB(a)
	}
	var i int32
	switch {
	case a.Is4():
		b := a.As4()
		i = m.v4.find(binary.BigEndian.Uint32(b[:]))
	case a.Is6():
		i = m.v6.find(from16(a.As16()))
	default:
		return Origin{}, false
	}
	if i < 0 {
		return Origin{}, false
	}
	e := m.entries[i]
	p, _ := a.Prefix(int(e.bits))
	end := e.off + uint32(e.n)
	return Origin{Prefix: p, ASNs: m.asns[e.off:end:end], Hosting: e.hosting}, true
}

// Open reads an AS map from path, in whichever of the three formats its
// content is (the name does not matter): a MaxMind DB if its last 128 KiB
// hold the metadata marker, else CAIDA's pfx2as if it is gzip (1f 8b) or
// its first line that is not blank or a comment starts with an IP
// address, else the generator's asmap.csv if it starts "prefix,". Every
// error is one line naming the file, and for text the line.
func Open(path string) (*Map, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("asmap: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("asmap: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("asmap: %s is a directory: give a file (a generator run's is %s/asmap.csv)", path, path)
	}
	if st.Size() == 0 {
		return nil, fmt.Errorf("asmap: %s: empty file", path)
	}
	tail := make([]byte, min(st.Size(), metadataMax+int64(len(metadataMarker))))
	if _, err := f.ReadAt(tail, st.Size()-int64(len(tail))); err != nil {
		return nil, fmt.Errorf("asmap: %s: %w", path, err)
	}
	if bytes.Contains(tail, metadataMarker) {
		data := make([]byte, st.Size())
		if _, err := f.ReadAt(data, 0); err != nil {
			return nil, fmt.Errorf("asmap: %s: %w", path, err)
		}
		return openMMDB(path, data)
	}
	head := make([]byte, min(st.Size(), 512))
	if _, err := f.ReadAt(head, 0); err != nil {
		return nil, fmt.Errorf("asmap: %s: %w", path, err)
	}
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("asmap: %s: gzip: %v%s", path, err, truncated(err))
		}
		return readPfx2as(path, zr, true)
	case bytes.HasPrefix(head, []byte("prefix,")):
		return readCSV(path)
	}
	return readPfx2as(path, f, false)
}

// notFormat is the error for a file that is none of the three formats,
// with a hint at what it seems to be ("" for none).
func notFormat(name, hint string) error {
	if hint != "" {
		hint = " (" + hint + ")"
	}
	return fmt.Errorf("asmap: %s: not a CAIDA pfx2as file, a MaxMind DB (.mmdb) or port0's asmap.csv%s", name, hint)
}

// truncated adds the likely cause to a decompression error that ends the
// data early.
func truncated(err error) string {
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return " (the file is truncated)"
	}
	return ""
}

// oneLine keeps an error message from a library on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
