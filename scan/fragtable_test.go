package scan

import (
	"math/rand/v2"
	"testing"

	"github.com/port0/port0/decode"
)

// fragOp is one fragment in a fragTable test: datagram id, time in
// seconds, first or not.
type fragOp struct {
	id    uint32
	sec   float64
	first bool
}

func TestFragTable(t *testing.T) {
	for _, c := range []struct {
		name    string
		ops     []fragOp
		orphans int64
	}{
		{"first-then-rest", []fragOp{{1, 0, true}, {1, 0.001, false}, {1, 0.002, false}}, 0},
		{"rest-then-first", []fragOp{{1, 0, false}, {1, 1, false}, {1, 2, true}}, 0},
		{"no-first", []fragOp{{1, 0, false}, {1, 1, false}}, 2},
		{"first-only", []fragOp{{1, 0, true}}, 0},
		{"first-after-window", []fragOp{{1, 0, false}, {1, 61, true}}, 1},
		{"rest-after-window", []fragOp{{1, 0, true}, {1, 61, false}}, 1},
		{"window-edge", []fragOp{{1, 0, false}, {1, 60, true}}, 0},
		{"other-datagram", []fragOp{{1, 0, true}, {2, 0, false}}, 1},
		{"time-backwards", []fragOp{{1, 100, false}, {2, 0, false}, {1, 101, true}}, 1},
		{"expired-by-other", []fragOp{{1, 0, false}, {2, 100, true}, {1, 100, true}}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			var ft fragTable
			for _, op := range c.ops {
				k := fragKey{id: op.id, ver: 4, proto: decode.ProtoUDP}
				ft.seen(&k, int64(op.sec*1e9), op.first)
			}
			ft.flush()
			if ft.orphans != c.orphans || ft.evictions != 0 {
				t.Errorf("orphans %d evictions %d, want %d 0", ft.orphans, ft.evictions, c.orphans)
			}
		})
	}
	t.Run("full", func(t *testing.T) {
		var ft fragTable
		for i := range FragTableSize + 2 {
			k := fragKey{id: uint32(i), ver: 6}
			ft.seen(&k, 0, false)
		}
		if ft.evictions != 2 || ft.orphans != 2 || ft.n != FragTableSize {
			t.Errorf("evictions %d orphans %d open %d", ft.evictions, ft.orphans, ft.n)
		}
		ft.flush()
		if ft.orphans != FragTableSize+2 || ft.n != 0 {
			t.Errorf("after flush: orphans %d open %d", ft.orphans, ft.n)
		}
	})
}

// TestFragTableModel runs random fragments over few datagrams through the
// table and through a map-based model of the same rule; heavy collisions
// exercise the backward-shift deletion.
func TestFragTableModel(t *testing.T) {
	type state struct {
		first    bool
		pending  int64
		deadline int64
	}
	r := rand.New(rand.NewPCG(1, 2))
	var ft fragTable
	model := map[fragKey]*state{}
	var order []fragKey
	var orphans int64
	closeOldest := func() {
		k := order[0]
		order = order[1:]
		orphans += model[k].pending
		delete(model, k)
	}
	ts := int64(0)
	for i := range 200000 {
		ts += int64(r.IntN(2e6)) // ~60,000 fragments per window: the table is a third full
		k := fragKey{id: uint32(r.IntN(40000)), ver: 4}
		k.src[15] = byte(r.IntN(2))
		first := r.IntN(4) == 0
		ft.seen(&k, ts, first)
		for len(order) > 0 && model[order[0]].deadline < ts {
			closeOldest()
		}
		if s := model[k]; s != nil {
			if first {
				s.first, s.pending = true, 0
			} else if !s.first {
				s.pending++
			}
		} else {
			if len(order) == FragTableSize {
				closeOldest()
			}
			s := &state{first: first, deadline: ts + FragWindow}
			if !first {
				s.pending = 1
			}
			model[k] = s
			order = append(order, k)
		}
		if ft.orphans != orphans || ft.n != len(order) {
			t.Fatalf("op %d: table orphans %d open %d, model %d %d", i, ft.orphans, ft.n, orphans, len(order))
		}
	}
	for _, k := range order {
		if i := ft.find(&k, k.hash()); !ft.slots[i].used || ft.slots[i].pending != model[k].pending {
			t.Fatalf("datagram %+v lost or wrong in the table", k)
		}
	}
}
