package pipeline

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/port0/port0/scan"
	"github.com/port0/port0/sketch"
	"github.com/port0/port0/study"
)

// The all-traffic numbers of every interval (its packets and its sources'
// sketch) are most of a scan's counts: 1 KiB an hour, 27 MB for three
// years of hours. They combine by block of intervalBlock consecutive
// intervals, keyed by block, each block counted where it is merged
// (study.TotalsOf), so that the writer receives each interval's packets
// and distinct sources and each block's union, not the sketches.

// intervalBlock is how many consecutive intervals one key holds (bits).
const intervalBlock = 6

// ivAcc is the accumulator of one block of intervals: their merged
// numbers.
type ivAcc struct {
	iv scan.Intervals
}

// splitIntervals moves the intervals of iv into one accumulator a block.
func splitIntervals(iv *scan.Intervals, emit func(int64, *ivAcc)) {
	blocks := map[int64]*ivAcc{}
	var order []int64
	for h, a := range iv.All() {
		k := h >> intervalBlock
		b := blocks[k]
		if b == nil {
			b = &ivAcc{}
			blocks[k] = b
			order = append(order, k)
		}
		b.iv.Set(h, a)
	}
	*iv = scan.Intervals{}
	for _, k := range order {
		emit(k, blocks[k])
	}
}

// encodeIvAcc is the accumulator's encoding: the count of intervals, then
// each one's index (varint), packets (uvarint) and sketch
// (sketch.Compact.AppendEncoding).
func encodeIvAcc(a *ivAcc) []byte {
	b := binary.AppendUvarint(make([]byte, 0, 16+a.iv.Len()*(20+sketch.CompactDense)), uint64(a.iv.Len()))
	for h, x := range a.iv.All() {
		b = binary.AppendVarint(b, h)
		b = binary.AppendUvarint(b, uint64(x.Packets))
		b = x.Sources.AppendEncoding(b)
	}
	return b
}

func decodeIvAcc(b []byte) (*ivAcc, error) {
	a := &ivAcc{}
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, fmt.Errorf("intervals: count")
	}
	b = b[k:]
	for i := uint64(0); i < n; i++ {
		h, k := binary.Varint(b)
		if k <= 0 {
			return nil, fmt.Errorf("intervals: index %d of %d", i, n)
		}
		b = b[k:]
		p, k := binary.Uvarint(b)
		if k <= 0 || len(b[k:]) < 2 {
			return nil, fmt.Errorf("intervals: packets of interval %d", h)
		}
		b = b[k:]
		head := binary.LittleEndian.Uint16(b)
		l, ok := sketch.EncodedLen(head)
		if !ok || len(b) < 2+l {
			return nil, fmt.Errorf("intervals: sketch of interval %d", h)
		}
		x := scan.IntervalAll{Packets: int64(p)}
		if err := x.Sources.Decode(head, b[2:2+l]); err != nil {
			return nil, fmt.Errorf("intervals: interval %d: %w", h, err)
		}
		b = b[2+l:]
		a.iv.Set(h, &x)
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("intervals: %d bytes after the last interval", len(b))
	}
	return a, nil
}

// ivCombine merges a block's intervals from every bundle that has some
// (packets add, sketches take the register-wise maximum) and counts them.
type ivCombine struct{}

// CreateAccumulator returns no interval.
func (ivCombine) CreateAccumulator() *ivAcc { return &ivAcc{} }

// MergeAccumulators merges b's intervals into a (b is emptied).
func (ivCombine) MergeAccumulators(a, b *ivAcc) *ivAcc {
	for h, x := range b.iv.All() {
		a.iv.Set(h, x)
	}
	return a
}

// ExtractOutput is the block's totals (study.TotalsOf), gob-encoded.
func (ivCombine) ExtractOutput(a *ivAcc) ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(study.TotalsOf(&a.iv))
	return buf.Bytes(), err
}

// decodeTotals decodes a block's totals.
func decodeTotals(b []byte) (*study.Totals, error) {
	t := &study.Totals{}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(t); err != nil {
		return nil, fmt.Errorf("interval totals: %w", err)
	}
	return t, nil
}

func init() {
	beam.RegisterCoder(reflect.TypeOf((*ivAcc)(nil)), encodeIvAcc, decodeIvAcc)
}
