package sketch

import "net/netip"

// ExactMax is the most distinct addresses a Distinct counts exactly.
const ExactMax = 1024

// Distinct counts distinct addresses exactly up to ExactMax of them (a set
// of the addresses) and with an HLL above, where the set is dropped: so a
// sweep of 20 addresses counts 20, not HyperLogLog's 19 or 21, while a
// source reaching millions of addresses costs 1 KiB. One address costs no
// more than the Distinct itself (the set is made at the second), so a
// spoofed flood's millions of one-packet sources each cost tens of bytes
// here, not a map and a sketch. The count does not depend on the order of
// the addresses. The zero value is empty.
type Distinct struct {
	first netip.Addr // the first address, until set holds them all
	has   bool       // first is set
	set   map[netip.Addr]struct{}
	hll   *HLL // more than ExactMax addresses: only hll counts
}

// Add counts one address.
func (d *Distinct) Add(a netip.Addr) {
	switch {
	case d.hll != nil:
		d.hll.Add(a)
		return
	case d.set == nil && (!d.has || d.first == a):
		d.first, d.has = a, true
		return
	case d.set == nil:
		d.set = make(map[netip.Addr]struct{}, 4)
		d.set[d.first] = struct{}{}
	}
	d.set[a] = struct{}{}
	if len(d.set) > ExactMax {
		d.hll = new(HLL)
		for x := range d.set {
			d.hll.Add(x) // HLL registers do not depend on the order
		}
		d.set = nil
	}
}

// Count is the number of distinct addresses added: exact up to ExactMax,
// the HLL's estimate (3.3 % standard error) above.
func (d *Distinct) Count() int64 {
	switch {
	case d.hll != nil:
		return d.hll.Count()
	case d.set == nil && d.has:
		return 1
	}
	return int64(len(d.set))
}

// Exact reports whether Count is exact.
func (d *Distinct) Exact() bool { return d.hll == nil }

// setEntryBytes is about what an address costs in Distinct's set (a
// map slot of 24 bytes and the map's spare room).
const setEntryBytes = 48

// Mem estimates the bytes d holds beyond its own size: the set's
// addresses, or the HLL's registers. It is cheap enough to ask after every
// Add (the study keeps its memory to a budget with it).
func (d *Distinct) Mem() int64 {
	switch {
	case d.hll != nil:
		return int64(len(d.hll.Reg))
	case d.set != nil:
		return int64(len(d.set)) * setEntryBytes
	}
	return 0
}
