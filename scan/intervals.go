package scan

import (
	"iter"
	"math"
	"math/bits"
	"slices"
)

// Intervals holds all traffic's numbers (IntervalAll) by interval index
// (the interval's start / Options.Interval), in blocks of blockLen
// consecutive intervals: three years of 5-minute intervals are 315,648
// intervals but only 4,932 blocks, so the index costs next to nothing
// beside the numbers (a map entry per interval would cost about as much
// as their sketches), and a capture with one packet a day still wastes
// at most a block a day. The zero value is empty.
type Intervals struct {
	blocks map[int64]*intervalBlock // by index >> blockBits
	n      int
}

const (
	blockBits = 6
	blockLen  = 1 << blockBits
)

// intervalBlock is the numbers of blockLen consecutive intervals; bit i of
// set says whether interval i of the block has any.
type intervalBlock struct {
	set uint64
	a   [blockLen]IntervalAll
}

// Len is the number of intervals with numbers.
func (iv *Intervals) Len() int { return iv.n }

// At returns the numbers of interval h, or nil.
func (iv *Intervals) At(h int64) *IntervalAll {
	b := iv.blocks[h>>blockBits]
	if b == nil || b.set&(1<<(h&(blockLen-1))) == 0 {
		return nil
	}
	return &b.a[h&(blockLen-1)]
}

// get returns the numbers of interval h, adding empty ones (added true)
// when it has none.
func (iv *Intervals) get(h int64) (a *IntervalAll, added bool) {
	if iv.blocks == nil {
		iv.blocks = map[int64]*intervalBlock{}
	}
	b := iv.blocks[h>>blockBits]
	if b == nil {
		b = &intervalBlock{}
		iv.blocks[h>>blockBits] = b
	}
	i := h & (blockLen - 1)
	if b.set&(1<<i) == 0 {
		b.set |= 1 << i
		iv.n++
		return &b.a[i], true
	}
	return &b.a[i], false
}

// Set makes o the numbers of interval h (o is not to be used after it:
// its sketch moves), or adds o to them when h has numbers already.
func (iv *Intervals) Set(h int64, o *IntervalAll) {
	a, added := iv.get(h)
	if added {
		*a = *o
		*o = IntervalAll{}
		return
	}
	a.Add(o)
}

// Span returns the first and the last interval with numbers (ok false
// when there is none).
func (iv *Intervals) Span() (first, last int64, ok bool) {
	if iv.n == 0 {
		return 0, 0, false
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for k, b := range iv.blocks {
		if b.set == 0 {
			continue
		}
		lo = min(lo, k<<blockBits+int64(bits.TrailingZeros64(b.set)))
		hi = max(hi, k<<blockBits+int64(63-bits.LeadingZeros64(b.set)))
	}
	return lo, hi, true
}

// All yields every interval with numbers, in increasing index order.
func (iv *Intervals) All() iter.Seq2[int64, *IntervalAll] {
	return func(yield func(int64, *IntervalAll) bool) {
		keys := make([]int64, 0, len(iv.blocks))
		for k := range iv.blocks {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			b := iv.blocks[k]
			for s := b.set; s != 0; s &= s - 1 {
				i := bits.TrailingZeros64(s)
				if !yield(k<<blockBits+int64(i), &b.a[i]) {
					return
				}
			}
		}
	}
}

// merge moves o's intervals into iv (adding where both have one); o is
// empty after it.
func (iv *Intervals) merge(o *Intervals) {
	for k, ob := range o.blocks {
		b := iv.blocks[k]
		if b == nil {
			if iv.blocks == nil {
				iv.blocks = map[int64]*intervalBlock{}
			}
			iv.blocks[k] = ob
			iv.n += bits.OnesCount64(ob.set)
			continue
		}
		for s := ob.set; s != 0; s &= s - 1 {
			i := bits.TrailingZeros64(s)
			iv.Set(k<<blockBits+int64(i), &ob.a[i])
		}
	}
	*o = Intervals{}
}
