package scan

import "encoding/binary"

// Orphan fragments.
//
// A non-first fragment is an orphan when the first fragment of its
// datagram is not seen in the same file within the reassembly window.
// Fragments belong to the same datagram when they share IP version,
// source, destination and identification, and, for IPv4, the protocol
// (RFC 791). For IPv6 the protocol is not part of the key (RFC 8200
// section 4.5): the Next Header of a non-first fragment's Fragment header
// need not be the transport protocol the first fragment finally reaches.
//
// The window of a datagram opens with the first of its fragments seen
// (first or not) and lasts FragWindow of capture time; the first fragment
// may come before or after the others inside it, as reassembly in a stack
// allows. When the window closes, the non-first fragments still waiting
// for a first fragment are orphans; a later fragment with the same key
// opens a new window. At the end of a file every open window closes.
//
// The table holds at most FragTableSize datagrams. When it is full the
// oldest datagram is closed early (its waiting fragments count as orphans)
// and counted in FragmentCounts.TableEvictions, so memory stays bounded
// whatever the capture. Timestamps that go backwards never close a window
// early. Records without a timestamp (pcapng simple packet blocks) have
// time 0.
const (
	// FragWindow is the reassembly window in nanoseconds of capture time.
	FragWindow = 60e9
	// FragTableSize bounds the datagrams tracked at once per file.
	FragTableSize = 1 << 16
)

// fragKey identifies a datagram.
type fragKey struct {
	src, dst [16]byte
	id       uint32
	proto    uint8
	ver      uint8
}

func (k *fragKey) hash() uint64 {
	const m = 0x9e3779b97f4a7c15
	h := uint64(k.id) | uint64(k.proto)<<32 | uint64(k.ver)<<40
	for _, w := range [4]uint64{
		binary.LittleEndian.Uint64(k.src[:8]), binary.LittleEndian.Uint64(k.src[8:]),
		binary.LittleEndian.Uint64(k.dst[:8]), binary.LittleEndian.Uint64(k.dst[8:]),
	} {
		h = (h ^ w) * m
		h ^= h >> 29
	}
	return h
}

// fragSlot is one datagram in the open-addressing table.
type fragSlot struct {
	key     fragKey
	hash    uint64
	used    bool
	first   bool  // its first fragment has been seen
	pending int64 // non-first fragments seen before the first one
}

// fragOpen is a datagram in the order its window opened.
type fragOpen struct {
	key      fragKey
	deadline int64
}

// fragTable tracks the open datagrams of one file: a linear-probing hash
// table (backward-shift deletion, so no tombstones) of twice the capacity,
// and a ring of the open windows in opening order. The capacity starts at
// fragTableMin and doubles when the ring is full, up to FragTableSize; a
// grown table is kept for the next file.
type fragTable struct {
	slots []fragSlot
	ring  []fragOpen
	head  int // oldest open window in ring
	n     int // open windows

	orphans   int64
	evictions int64
}

func (t *fragTable) init() {
	if t.slots == nil {
		t.slots = make([]fragSlot, 2*fragTableMin)
		t.ring = make([]fragOpen, fragTableMin)
	}
}

// fragTableMin is the datagrams a new table has room for; it doubles as
// they come, up to FragTableSize, so a file with few fragments touches
// little memory.
const fragTableMin = 64

// grow doubles the table: the ring of open windows keeps its order, the
// slots are hashed anew.
func (t *fragTable) grow() {
	ring := make([]fragOpen, 2*len(t.ring))
	for i := range t.n {
		ring[i] = t.ring[(t.head+i)%len(t.ring)]
	}
	old := t.slots
	t.ring, t.head = ring, 0
	t.slots = make([]fragSlot, 2*len(ring))
	for i := range old {
		if old[i].used {
			t.slots[t.find(&old[i].key, old[i].hash)] = old[i]
		}
	}
}

// find returns the slot of k, or the empty slot where k would go.
func (t *fragTable) find(k *fragKey, h uint64) int {
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if !s.used || (s.hash == h && s.key == *k) {
			return int(i)
		}
	}
}

// seen records a fragment of the datagram k at time ts: a first fragment
// when first is set, else a non-first one.
func (t *fragTable) seen(k *fragKey, ts int64, first bool) {
	t.init()
	t.expire(ts)
	h := k.hash()
	i := t.find(k, h)
	s := &t.slots[i]
	if s.used {
		if first {
			s.first, s.pending = true, 0
		} else if !s.first {
			s.pending++
		}
		return
	}
	if t.n == FragTableSize {
		t.evictions++
		t.closeOldest()
		i = t.find(k, h) // the deletion may have moved slots
		s = &t.slots[i]
	} else if t.n == len(t.ring) {
		t.grow()
		i = t.find(k, h)
		s = &t.slots[i]
	}
	*s = fragSlot{key: *k, hash: h, used: true, first: first}
	if !first {
		s.pending = 1
	}
	t.ring[(t.head+t.n)%len(t.ring)] = fragOpen{key: *k, deadline: ts + FragWindow}
	t.n++
}

// expire closes the windows whose deadline is before ts.
func (t *fragTable) expire(ts int64) {
	for t.n > 0 && t.ring[t.head].deadline < ts {
		t.closeOldest()
	}
}

// flush closes every window (end of file).
func (t *fragTable) flush() {
	for t.n > 0 {
		t.closeOldest()
	}
}

// closeOldest closes the oldest window: its waiting fragments are orphans.
func (t *fragTable) closeOldest() {
	k := &t.ring[t.head].key
	i := t.find(k, k.hash())
	t.orphans += t.slots[i].pending
	t.remove(i)
	t.head = (t.head + 1) % len(t.ring)
	t.n--
}

// remove empties slot i and shifts back the entries of its probe run.
func (t *fragTable) remove(i int) {
	mask := len(t.slots) - 1
	for {
		t.slots[i].used = false
		j := i
		for {
			j = (j + 1) & mask
			if !t.slots[j].used {
				return
			}
			k := int(t.slots[j].hash) & mask // home slot of entry j
			// Entry j may move to i unless its home lies cyclically in (i, j].
			if (i < j && (k <= i || k > j)) || (i > j && k <= i && k > j) {
				t.slots[i] = t.slots[j]
				i = j
				break
			}
		}
	}
}
