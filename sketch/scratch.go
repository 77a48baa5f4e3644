package sketch

import (
	"encoding/binary"
	"math/bits"
)

// Scratch is a sketch that many adds go to and that is then merged into a
// Compact and reset, as a scan part's interval is: dense registers, so an
// add is one register's compare (and inlines), where a Compact's sparse
// list is searched on every add — most of a scan's CPU when its intervals
// have few sources each. It counts the registers it has set, and merging
// skips its empty words, eight registers at a time.
type Scratch struct {
	h HLL
	n int // registers set
}

// AddHash counts an address by its hash, as HLL.AddHash does.
func (s *Scratch) AddHash(x uint64) {
	i := x >> (64 - hllP)
	rank := uint8(bits.LeadingZeros64(x<<hllP|1<<(hllP-1)) + 1)
	if r := s.h.Reg[i]; rank > r {
		if r == 0 {
			s.n++
		}
		s.h.Reg[i] = rank
	}
}

// Reset empties s.
func (s *Scratch) Reset() {
	if s.n > 0 {
		s.h, s.n = HLL{}, 0
	}
}

// MergeInto folds s into c: c's registers become the register-wise
// maximum, as Compact.Merge of a Compact holding s's registers makes them.
func (s *Scratch) MergeInto(c *Compact) {
	if s.n == 0 {
		return
	}
	if s.n > SparseMax || c.dense != nil {
		if c.dense == nil {
			c.toDense()
		}
		c.dense.Merge(&s.h)
		return
	}
	var buf [SparseMax]uint16
	k := 0
	for w := 0; w < len(s.h.Reg); w += 8 {
		if binary.LittleEndian.Uint64(s.h.Reg[w:]) == 0 {
			continue
		}
		for i := w; i < w+8; i++ {
			if r := s.h.Reg[i]; r != 0 {
				buf[k] = entry(uint64(i), r)
				k++
			}
		}
	}
	o := Compact{sparse: buf[:k]}
	c.Merge(&o)
}
