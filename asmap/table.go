package asmap

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
)

// The lookup table of the text formats. The prefixes of a family nest or
// are disjoint, never partly overlap, so they cut the family's address
// space into runs of addresses whose longest match is the same prefix (or
// none): a run is its first address and the prefix's entry (-1: none).
// Lookup finds the last run starting at or before the address by binary
// search, within the runs of the address's top 16 bits (first). 1 M
// prefixes make about 1.6 M runs: 8 bytes each for IPv4, 20 for IPv6, and
// no pointer for the garbage collector to follow.

// u128 is an address of either family as a number: IPv4 in lo alone.
type u128 struct{ hi, lo uint64 }

func (a u128) less(b u128) bool { return a.hi < b.hi || a.hi == b.hi && a.lo < b.lo }

// next is a+1; false when a is the largest u128.
func (a u128) next() (u128, bool) {
	if a.lo != ^uint64(0) {
		return u128{a.hi, a.lo + 1}, true
	}
	if a.hi != ^uint64(0) {
		return u128{a.hi + 1, 0}, true
	}
	return a, false
}

// ones is a mask of the n low bits, n in 0..64.
func ones(n int) uint64 {
	if n >= 64 {
		return ^uint64(0)
	}
	return 1<<n - 1
}

// span is one prefix as the range of addresses it covers, while the
// table is built.
type span struct {
	start u128
	entry int32
	line  int32 // where the file gives it, for a duplicate's error
	bits  uint8
	v4    bool
}

// spanOf is the span of a masked prefix, IPv4 or IPv6.
func spanOf(p netip.Prefix) span {
	a := p.Addr()
	if a.Is4() {
		b := a.As4()
		x := uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
		return span{start: u128{0, x}, bits: uint8(p.Bits()), v4: true}
	}
	return span{start: from16(a.As16()), bits: uint8(p.Bits())}
}

// end is the span's last address.
func (s *span) end() u128 {
	if s.v4 {
		return u128{0, s.start.lo | ones(32-int(s.bits))}
	}
	bits := int(s.bits)
	return u128{s.start.hi | ones(max(0, 64-bits)), s.start.lo | ones(min(64, 128-bits))}
}

// from16 is an IPv6 address as a number.
func from16(b [16]byte) u128 {
	var x u128
	for i := range 8 {
		x.hi = x.hi<<8 | uint64(b[i])
		x.lo = x.lo<<8 | uint64(b[8+i])
	}
	return x
}

// runs sorts a family's spans and cuts the family's space (up to top)
// into runs: starts[0] is always 0. Two spans of one prefix are an error,
// returned as the two spans.
func runs(sp []span, top u128) (starts []u128, entries []int32, dup [2]*span) {
	slices.SortFunc(sp, func(a, b span) int {
		if a.start != b.start {
			if a.start.less(b.start) {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.bits, b.bits), cmp.Compare(a.line, b.line))
	})
	for i := 1; i < len(sp); i++ {
		if sp[i].start == sp[i-1].start && sp[i].bits == sp[i-1].bits {
			return nil, nil, [2]*span{&sp[i-1], &sp[i]}
		}
	}
	// Each prefix opens a run and closes at most one: 2n+1 runs at most.
	starts, entries = make([]u128, 1, 2*len(sp)+1), make([]int32, 1, 2*len(sp)+1)
	entries[0] = -1
	emit := func(at u128, e int32) {
		last := len(starts) - 1
		switch {
		case starts[last] == at:
			entries[last] = e
			if last > 0 && entries[last-1] == e {
				starts, entries = starts[:last], entries[:last]
			}
		case entries[last] != e:
			starts, entries = append(starts, at), append(entries, e)
		}
	}
	var stack []*span
	pop := func() {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		after, ok := s.end().next()
		if !ok || top.less(after) {
			return
		}
		parent := int32(-1)
		if len(stack) > 0 {
			parent = stack[len(stack)-1].entry
		}
		emit(after, parent)
	}
	for i := range sp {
		for len(stack) > 0 && stack[len(stack)-1].end().less(sp[i].start) {
			pop()
		}
		emit(sp[i].start, sp[i].entry)
		stack = append(stack, &sp[i])
	}
	for len(stack) > 0 {
		pop()
	}
	return starts, entries, dup
}

// firstOf indexes sorted runs by their top 16 bits: first[h] is the number
// of runs whose top 16 bits are below h, for h in 0..65536.
func firstOf(n int, top16 func(i int) uint32) []int32 {
	first := make([]int32, 1<<16+1)
	i := 0
	for h := range first {
		for i < n && top16(i) < uint32(h) {
			i++
		}
		first[h] = int32(i)
	}
	return first
}

// table4 holds the IPv4 runs.
type table4 struct {
	first   []int32
	starts  []uint32
	entries []int32
}

func newTable4(sp []span) (table4, [2]*span) {
	if len(sp) == 0 {
		return table4{}, [2]*span{}
	}
	starts, entries, dup := runs(sp, u128{0, 1<<32 - 1})
	if dup[0] != nil {
		return table4{}, dup
	}
	t := table4{starts: make([]uint32, len(starts)), entries: slices.Clone(entries)}
	for i, s := range starts {
		t.starts[i] = uint32(s.lo)
	}
	t.first = firstOf(len(t.starts), func(i int) uint32 { return t.starts[i] >> 16 })
	return t, dup
}

// find is the entry of x's longest match, -1 for none.
func (t *table4) find(x uint32) int32 {
	if len(t.starts) == 0 {
		return -1
	}
	h := x >> 16
	lo, hi := t.first[h], t.first[h+1]
	for lo < hi {
		mid := int32(uint32(lo+hi) >> 1)
		if t.starts[mid] <= x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	// starts[0] is 0, so some run starts at or before x: lo ≥ 1.
	return t.entries[lo-1]
}

// table6 holds the IPv6 runs.
type table6 struct {
	first   []int32
	starts  []u128
	entries []int32
}

func newTable6(sp []span) (table6, [2]*span) {
	if len(sp) == 0 {
		return table6{}, [2]*span{}
	}
	starts, entries, dup := runs(sp, u128{^uint64(0), ^uint64(0)})
	if dup[0] != nil {
		return table6{}, dup
	}
	t := table6{starts: slices.Clone(starts), entries: slices.Clone(entries)}
	t.first = firstOf(len(t.starts), func(i int) uint32 { return uint32(t.starts[i].hi >> 48) })
	return t, dup
}

func (t *table6) find(x u128) int32 {
	if len(t.starts) == 0 {
		return -1
	}
	h := x.hi >> 48
	lo, hi := t.first[h], t.first[h+1]
	for lo < hi {
		mid := int32(uint32(lo+hi) >> 1)
		if !x.less(t.starts[mid]) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return t.entries[lo-1]
}

// entry is one prefix's data: its origins are asns[off:off+n] of the Map.
type entry struct {
	off     uint32
	n       uint16
	bits    uint8
	hosting bool
}

// builder collects the prefixes of a text file.
type builder struct {
	name           string
	spans4, spans6 []span
	entries        []entry
	asns           []uint32
	dedup          map[uint32]struct{}
}

// add appends a masked prefix with its origins (duplicates dropped, the
// first of each kept in place) at line.
func (b *builder) add(p netip.Prefix, asns []uint32, hosting bool, line int) error {
	off := len(b.asns)
	if len(asns) > 32 { // many origins: a set, not a quadratic scan
		clear(b.dedup)
		if b.dedup == nil {
			b.dedup = make(map[uint32]struct{})
		}
		for _, a := range asns {
			if _, ok := b.dedup[a]; !ok {
				b.dedup[a] = struct{}{}
				b.asns = append(b.asns, a)
			}
		}
	} else {
		for _, a := range asns {
			if !slices.Contains(b.asns[off:], a) {
				b.asns = append(b.asns, a)
			}
		}
	}
	n := len(b.asns) - off
	if n > 1<<16-1 {
		return fmt.Errorf("%d distinct AS numbers: at most %d are kept per prefix", n, 1<<16-1)
	}
	if len(b.entries) >= 1<<31-1 || len(b.asns) >= 1<<32-1 {
		return fmt.Errorf("too many prefixes")
	}
	s := spanOf(p)
	s.entry, s.line = int32(len(b.entries)), int32(min(line, 1<<31-1))
	b.entries = append(b.entries, entry{off: uint32(off), n: uint16(n), bits: uint8(p.Bits()), hosting: hosting})
	if p.Addr().Is4() {
		b.spans4 = append(b.spans4, s)
	} else {
		b.spans6 = append(b.spans6, s)
	}
	return nil
}

// done builds the Map; a prefix given twice is an error naming both lines.
func (b *builder) done(format string) (*Map, error) {
	m := &Map{name: b.name, format: format, n: len(b.entries), entries: slices.Clip(b.entries), asns: slices.Clip(b.asns)}
	var dup [2]*span
	if m.v4, dup = newTable4(b.spans4); dup[0] == nil {
		m.v6, dup = newTable6(b.spans6)
	}
	if dup[0] != nil {
		return nil, fmt.Errorf("asmap: %s line %d: %s is already on line %d", b.name, dup[1].line, dup[1].prefix(), dup[0].line)
	}
	b.spans4, b.spans6 = nil, nil
	return m, nil
}

// prefix is the span's prefix again, for an error.
func (s *span) prefix() netip.Prefix {
	if s.v4 {
		x := uint32(s.start.lo)
		return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)}), int(s.bits))
	}
	var b [16]byte
	for i := range 8 {
		b[i] = byte(s.start.hi >> (56 - 8*i))
		b[8+i] = byte(s.start.lo >> (56 - 8*i))
	}
	return netip.PrefixFrom(netip.AddrFrom16(b), int(s.bits))
}
