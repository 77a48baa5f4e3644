package kmerge

import (
	"errors"
	"slices"
	"testing"
)

type stream struct {
	items []int
	i     int
}

// TestMerge merges sorted streams, empty ones and ties included, into
// one sorted sequence, and stops at emit's error.
func TestMerge(t *testing.T) {
	for _, c := range [][][]int{
		{},
		{{1, 2, 3}},
		{{1, 4, 9}, {2, 3, 10, 11}, {5}},
		{{1, 1, 2}, {1, 2, 2}},
	} {
		var ss []*stream
		var want []int
		for _, items := range c {
			want = append(want, items...)
			if len(items) > 0 {
				ss = append(ss, &stream{items: items})
			}
		}
		slices.Sort(want)
		var got []int
		err := Merge(ss, func(a, b *stream) bool { return a.items[a.i] < b.items[b.i] },
			func(s *stream) (bool, error) { s.i++; return s.i < len(s.items), nil },
			func(s *stream) error { got = append(got, s.items[s.i]); return nil })
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%v: got %v, %v; want %v", c, got, err, want)
		}
	}
	stop := errors.New("stop")
	ss := []*stream{{items: []int{1, 2}}}
	err := Merge(ss, func(a, b *stream) bool { return false }, func(s *stream) (bool, error) { s.i++; return s.i < 2, nil },
		func(*stream) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("emit's error: got %v", err)
	}
}
