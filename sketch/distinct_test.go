package sketch

import (
	"net/netip"
	"testing"
)

// TestDistinct checks the count is exact up to ExactMax, whatever the
// repeats, and the HLL's estimate above, equal to an HLL fed the same
// addresses in another order.
func TestDistinct(t *testing.T) {
	addr := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)}) }
	for _, n := range []int{0, 1, 19, 20, 613, ExactMax, ExactMax + 1, 5000} {
		var d Distinct
		var h HLL
		for i := n - 1; i >= 0; i-- {
			d.Add(addr(i))
			d.Add(addr(i)) // repeats count once
			h.Add(addr(n - 1 - i))
		}
		got := d.Count()
		switch {
		case n <= ExactMax:
			if got != int64(n) || !d.Exact() {
				t.Errorf("%d addresses: count %d (exact %v), want %d exactly", n, got, d.Exact(), n)
			}
		case got != h.Count() || d.Exact():
			t.Errorf("%d addresses: count %d (exact %v), want the HLL's %d", n, got, d.Exact(), h.Count())
		}
	}
}
