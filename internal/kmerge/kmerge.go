// Package kmerge merges sorted streams (a k-way merge on a heap): the
// study's sorted runs of rows when it runs in parts on disk, and the Beam
// pipeline's sorted runs of records and its shards' classified records.
package kmerge

import "container/heap"

// Merge is a k-way merge of sorted streams, each positioned on its first
// item: it calls emit with the stream whose current item is least
// (less), then next to advance that stream (false at its end), until all
// are done.
func Merge[S any](streams []S, less func(a, b S) bool, next func(S) (bool, error), emit func(S) error) error {
	h := &streamHeap[S]{s: streams, less: less}
	heap.Init(h)
	for len(h.s) > 0 {
		s := h.s[0]
		if err := emit(s); err != nil {
			return err
		}
		ok, err := next(s)
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return nil
}

// streamHeap orders streams by their current items.
type streamHeap[S any] struct {
	s    []S
	less func(a, b S) bool
}

func (h *streamHeap[S]) Len() int           { return len(h.s) }
func (h *streamHeap[S]) Less(i, j int) bool { return h.less(h.s[i], h.s[j]) }
func (h *streamHeap[S]) Swap(i, j int)      { h.s[i], h.s[j] = h.s[j], h.s[i] }
func (h *streamHeap[S]) Push(x any)         { h.s = append(h.s, x.(S)) }
func (h *streamHeap[S]) Pop() any {
	x := h.s[len(h.s)-1]
	h.s = h.s[:len(h.s)-1]
	return x
}
