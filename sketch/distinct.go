package sketch

import "net/netip"

// ExactMax is the most distinct addresses a Distinct counts exactly.
const ExactMax = 1024

// Distinct counts distinct addresses exactly up to ExactMax of them (a set
// of the addresses) and with an HLL above, where the set is dropped: so a
// sweep of 20 addresses counts 20, not HyperLogLog's 19 or 21, while a
// source reaching millions of addresses costs 1 KiB. The count does not
// depend on the order of the addresses. The zero value is empty.
type Distinct struct {
	set  map[netip.Addr]struct{}
	over bool // more than ExactMax addresses: only hll counts
	hll  HLL
}

// Add counts one address.
func (d *Distinct) Add(a netip.Addr) {
	if d.over {
		d.hll.Add(a)
		return
	}
	if d.set == nil {
		d.set = make(map[netip.Addr]struct{}, 4)
	}
	d.set[a] = struct{}{}
	if len(d.set) > ExactMax {
		for x := range d.set {
			d.hll.Add(x) // HLL registers do not depend on the order
		}
		d.set, d.over = nil, true
	}
}

// Count is the number of distinct addresses added: exact up to ExactMax,
// the HLL's estimate (3.3 % standard error) above.
func (d *Distinct) Count() int64 {
	if d.over {
		return d.hll.Count()
	}
	return int64(len(d.set))
}

// Exact reports whether Count is exact.
func (d *Distinct) Exact() bool { return !d.over }
