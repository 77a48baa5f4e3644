package sketch

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"net/netip"
)

// Compact is an HLL whose memory follows the registers set: the same
// hash, the same registers and exactly the same Count as an HLL given the
// same addresses, but held as a sorted list of 2-byte entries (register
// index << 6 | rank; an index has 10 bits, a rank at most 55 < 64) while
// at most SparseMax registers are set, and as a dense HLL (1 KiB) past
// that, where the list would stop being smaller. The scan keeps one per
// interval of all traffic: three years of 5-minute intervals with a few
// sources each cost tens of bytes an interval, not 1 KiB.
//
// The zero value is an empty sketch. A Compact owns its list: copy one
// with Clone, not by assignment, once it has been added to.
//
// Every Compact that Merge, AddHash or Decode made is canonical: dense
// exactly when more than SparseMax registers are set, so that equal
// register sets have equal encodings. Reset keeps a dense sketch's
// registers (zeroed) for reuse, which a scan's scratch sketch wants; Merge
// from such a sketch still gives a canonical one.
type Compact struct {
	sparse []uint16 // sorted by register index, one entry per register set; unused when dense
	dense  *HLL
}

// SparseMax is the most registers a Compact holds as a list: 256 entries
// are 512 bytes, half a dense sketch (a list grown by append may have
// twice the capacity it holds).
const SparseMax = 256

// entry is the list entry of register i at rank r.
func entry(i uint64, r uint8) uint16 { return uint16(i)<<6 | uint16(r) }

// AddHash counts an address by its hash, as HLL.AddHash does.
func (c *Compact) AddHash(x uint64) {
	if c.dense != nil {
		c.dense.AddHash(x)
		return
	}
	c.addSparse(x)
}

// Add counts one address.
func (c *Compact) Add(a netip.Addr) { c.AddHash(hashAddr(a)) }

// Add16 counts the address whose As16 form is b.
func (c *Compact) Add16(b *[16]byte) { c.AddHash(hash16(b)) }

// addSparse is AddHash on the list: a binary search, and an insertion
// when the register was not set (a conversion to dense past SparseMax).
func (c *Compact) addSparse(x uint64) {
	i := x >> (64 - hllP)
	rank := uint8(bits.LeadingZeros64(x<<hllP|1<<(hllP-1)) + 1)
	s := c.sparse
	key := uint16(i) << 6
	// A lower bound without branches to mispredict (the compiler makes the
	// step a conditional move): the search runs for every packet of a
	// part whose interval has few sources, and its compares are coin
	// flips.
	lo := 0
	for n := len(s); n > 1; {
		half := n >> 1
		if s[lo+half-1] < key {
			lo += half
		}
		n -= half
	}
	if lo < len(s) && s[lo] < key {
		lo++
	}
	if lo < len(s) && s[lo]>>6 == uint16(i) {
		if rank > uint8(s[lo]&63) {
			s[lo] = entry(i, rank)
		}
		return
	}
	if len(s) == SparseMax {
		c.toDense()
		c.dense.Reg[i] = rank
		return
	}
	s = append(s, 0)
	copy(s[lo+1:], s[lo:])
	s[lo] = entry(i, rank)
	c.sparse = s
}

// toDense moves the list into a dense sketch.
func (c *Compact) toDense() {
	d := new(HLL)
	for _, e := range c.sparse {
		d.Reg[e>>6] = uint8(e & 63)
	}
	c.dense, c.sparse = d, nil
}

// Reset empties c, keeping its memory: a dense sketch stays dense (zeroed).
func (c *Compact) Reset() {
	if c.dense != nil {
		*c.dense = HLL{}
		return
	}
	c.sparse = c.sparse[:0]
}

// Dense returns c's dense registers, nil while c is a list: a hot path
// adds to them with the inlined HLL.AddHash, and calls AddHash (not
// inlined) only while c is sparse.
func (c *Compact) Dense() *HLL { return c.dense }

// IsDense reports whether c holds its registers densely.
func (c *Compact) IsDense() bool { return c.dense != nil }

// Registers is the number of registers set.
func (c *Compact) Registers() int {
	if c.dense != nil {
		return c.dense.set()
	}
	return len(c.sparse)
}

// Bytes is the memory c's registers take: the list's capacity at 2 bytes
// an entry, or the dense 1 KiB (the Compact itself is 32 bytes more).
func (c *Compact) Bytes() int {
	if c.dense != nil {
		return len(c.dense.Reg)
	}
	return 2 * cap(c.sparse)
}

// set is the number of registers of h that are not 0.
func (h *HLL) set() int {
	n := 0
	le := binary.LittleEndian
	for i := 0; i < len(h.Reg); i += 8 {
		w := le.Uint64(h.Reg[i:])
		if w == 0 {
			continue
		}
		// A byte is non-zero when any of its bits is: fold them into its low bit.
		w |= w >> 4
		w |= w >> 2
		w |= w >> 1
		n += bits.OnesCount64(w & 0x0101010101010101)
	}
	return n
}

// HLL returns c's registers as a dense sketch.
func (c *Compact) HLL() HLL {
	if c.dense != nil {
		return *c.dense
	}
	var h HLL
	for _, e := range c.sparse {
		h.Reg[e>>6] = uint8(e & 63)
	}
	return h
}

// Clone returns a copy of c that shares no memory with it.
func (c *Compact) Clone() Compact {
	if c.dense != nil {
		d := *c.dense
		return Compact{dense: &d}
	}
	return Compact{sparse: append([]uint16(nil), c.sparse...)}
}

// MergeInto folds c into the dense sketch h.
func (c *Compact) MergeInto(h *HLL) {
	if c.dense != nil {
		h.Merge(c.dense)
		return
	}
	for _, e := range c.sparse {
		if r := uint8(e & 63); r > h.Reg[e>>6] {
			h.Reg[e>>6] = r
		}
	}
}

// Merge folds o into c (register-wise maximum), leaving c canonical.
func (c *Compact) Merge(o *Compact) {
	src := o.sparse
	var buf [SparseMax]uint16
	if o.dense != nil {
		if o.dense.set() > SparseMax {
			if c.dense == nil {
				c.toDense()
			}
			c.dense.Merge(o.dense)
			return
		}
		src = o.dense.entries(buf[:0])
	}
	if len(src) == 0 {
		return
	}
	if c.dense != nil {
		for _, e := range src {
			if r := uint8(e & 63); r > c.dense.Reg[e>>6] {
				c.dense.Reg[e>>6] = r
			}
		}
		return
	}
	var out [2 * SparseMax]uint16
	a, k := c.sparse, 0
	i, j := 0, 0
	for i < len(a) && j < len(src) {
		x, y := a[i], src[j]
		switch {
		case x>>6 < y>>6:
			out[k] = x
			i++
		case x>>6 > y>>6:
			out[k] = y
			j++
		default:
			out[k] = max(x, y) // same index: the larger rank
			i++
			j++
		}
		k++
	}
	k += copy(out[k:], a[i:])
	k += copy(out[k:], src[j:])
	if k > SparseMax {
		d := new(HLL)
		for _, e := range out[:k] {
			d.Reg[e>>6] = uint8(e & 63)
		}
		c.dense, c.sparse = d, nil
		return
	}
	c.sparse = append(c.sparse[:0], out[:k]...)
}

// entries appends h's set registers as list entries to b, in index order.
func (h *HLL) entries(b []uint16) []uint16 {
	le := binary.LittleEndian
	for i := 0; i < len(h.Reg); i += 8 {
		if le.Uint64(h.Reg[i:]) == 0 {
			continue
		}
		for j := i; j < i+8; j++ {
			if r := h.Reg[j]; r != 0 {
				b = append(b, entry(uint64(j), r))
			}
		}
	}
	return b
}

// Count estimates the number of distinct addresses added: exactly what
// HLL.Count gives for the same registers.
func (c *Compact) Count() int64 {
	if c.dense != nil {
		return c.dense.Count()
	}
	// HLL.Count's integer sum: 2^(hllExact-r) per register, 2^hllExact
	// for each of the zero registers.
	zeros := 1<<hllP - len(c.sparse)
	t := uint64(zeros) << hllExact
	for _, e := range c.sparse {
		r := e & 63
		if r > hllExact {
			h := c.HLL() // a rank HLL.Count sums in floats, in register order
			return h.Count()
		}
		t += 1 << (hllExact - r)
	}
	return estimate(math.Ldexp(float64(t), -hllExact), zeros)
}

// CompactDense is the head of a dense Compact's encoding.
const CompactDense = 1 << hllP

// AppendEncoding appends c's encoding to b: a little-endian uint16 head n,
// then for n <= SparseMax the n list entries (uint16 each, increasing
// register index, rank 1..MaxRegister), for n = CompactDense the 1,024
// registers (more than SparseMax of them set). Every sketch has one
// encoding: a dense sketch with SparseMax registers set or fewer is
// written as a list.
func (c *Compact) AppendEncoding(b []byte) []byte {
	le := binary.LittleEndian
	if c.dense != nil && c.dense.set() > SparseMax {
		b = le.AppendUint16(b, CompactDense)
		return append(b, c.dense.Reg[:]...)
	}
	list := c.sparse
	if c.dense != nil {
		var buf [SparseMax]uint16
		list = c.dense.entries(buf[:0])
	}
	b = le.AppendUint16(b, uint16(len(list)))
	for _, e := range list {
		b = le.AppendUint16(b, e)
	}
	return b
}

// EncodedLen is the length of the encoding that follows head, and whether
// head is one AppendEncoding writes.
func EncodedLen(head uint16) (int, bool) {
	switch {
	case head <= SparseMax:
		return 2 * int(head), true
	case head == CompactDense:
		return CompactDense, true
	}
	return 0, false
}

// Decode sets c from an encoding's head and body (EncodedLen(head) bytes),
// accepting only what AppendEncoding writes.
func (c *Compact) Decode(head uint16, body []byte) error {
	n, ok := EncodedLen(head)
	if !ok {
		return fmt.Errorf("sketch head %d: want at most %d list entries or %d (dense)", head, SparseMax, CompactDense)
	}
	if len(body) != n {
		return errors.New("sketch body of the wrong length")
	}
	if head == CompactDense {
		d := new(HLL)
		copy(d.Reg[:], body)
		if !d.Valid() {
			return fmt.Errorf("sketch register above %d", MaxRegister)
		}
		if s := d.set(); s <= SparseMax {
			return fmt.Errorf("dense sketch with %d registers set: a list holds up to %d", s, SparseMax)
		}
		*c = Compact{dense: d}
		return nil
	}
	list := make([]uint16, head)
	for k := range list {
		e := binary.LittleEndian.Uint16(body[2*k:])
		if r := e & 63; r == 0 || r > MaxRegister {
			return fmt.Errorf("sketch entry %d: rank %d, want 1 to %d", k, r, MaxRegister)
		}
		if k > 0 && e>>6 <= list[k-1]>>6 {
			return fmt.Errorf("sketch entry %d: register %d after %d: registers must increase", k, e>>6, list[k-1]>>6)
		}
		list[k] = e
	}
	*c = Compact{sparse: list}
	return nil
}
