package pipeline

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"reflect"
	"slices"
	"sort"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/port0/port0/scan"
	"github.com/port0/port0/sketch"
	"github.com/port0/port0/study"
)

// scanAcc is the combine's accumulator of scan counts: the merged result
// of some inputs (without records), the input index of each of its files
// and the port-0 records each sent on (the packets table's rows of each
// input, which say where its chunks start: tables.ChunkStarts). Results
// merge in whatever order the runner picks (counts add, sketches take the
// maximum, ranges widen: scan.Result.Merge is commutative but for the
// order of the files), and the files, with the read errors (one at most a
// file), are put back in input order at the end.
type scanAcc struct {
	res   *scan.Result
	files []int   // input index of each of res.Files
	recs  []int64 // records of each of res.Files
}

// newScanAcc is the accumulator of the scan res of input index, which
// sent on records port-0 records.
func newScanAcc(res *scan.Result, index int, records int64) *scanAcc {
	a := &scanAcc{res: res, files: make([]int, len(res.Files)), recs: make([]int64, len(res.Files))}
	for i := range a.files {
		a.files[i] = index
	}
	if len(a.recs) > 0 {
		a.recs[0] = records
	}
	return a
}

func (a *scanAcc) merge(o *scanAcc) error {
	if err := a.res.Merge(o.res); err != nil {
		return err
	}
	a.files = append(a.files, o.files...)
	a.recs = append(a.recs, o.recs...)
	return nil
}

// rowsByInput is the records of each of n inputs, in input order.
func (a *scanAcc) rowsByInput(n int) []int64 {
	rows := make([]int64, n)
	for i, in := range a.files {
		rows[in] += a.recs[i]
	}
	return rows
}

// sortInputs puts the files in input order and lists their read errors
// in that order, as scan.Run does.
func (a *scanAcc) sortInputs() {
	r := a.res
	fi := make([]int, len(r.Files))
	for i := range fi {
		fi[i] = i
	}
	sort.SliceStable(fi, func(i, j int) bool { return a.files[fi[i]] < a.files[fi[j]] })
	files, idx, recs := make([]scan.FileSummary, len(fi)), make([]int, len(fi)), make([]int64, len(fi))
	r.ReadErrors = r.ReadErrors[:0]
	for i, k := range fi {
		files[i], idx[i], recs[i] = r.Files[k], a.files[k], a.recs[k]
		if e := files[i].ReadError; e != nil {
			r.ReadErrors = append(r.ReadErrors, *e)
		}
	}
	r.Files, a.files, a.recs = files, idx, recs
}

// encodeScanAcc is the accumulator's encoding: the index list (uvarint
// count, then an index and a record count a file, uvarints), then the
// result's own encoding (scan.Result.WriteTo).
func encodeScanAcc(a *scanAcc) ([]byte, error) {
	b := binary.AppendUvarint(nil, uint64(len(a.files)))
	for i, v := range a.files {
		b = binary.AppendUvarint(binary.AppendUvarint(b, uint64(v)), uint64(a.recs[i]))
	}
	// Room for the result at once (a file's summary is ~1.2 KiB of JSON,
	// an interval at most a dense sketch): no regrowing of a buffer of
	// tens of MB.
	buf := bytes.NewBuffer(slices.Grow(b, 4096+len(a.files)*1536+a.res.Intervals.Len()*(18+sketch.CompactDense)))
	if _, err := a.res.WriteTo(buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeScanAcc(b []byte) (*scanAcc, error) {
	r := bufio.NewReader(bytes.NewReader(b))
	a := &scanAcc{}
	n, err := binary.ReadUvarint(r)
	if err != nil || n > uint64(len(b)) {
		return nil, fmt.Errorf("scan counts: index list: %v", err)
	}
	a.files, a.recs = make([]int, n), make([]int64, n)
	for i := range a.files {
		v, err := binary.ReadUvarint(r)
		var recs uint64
		if err == nil {
			recs, err = binary.ReadUvarint(r)
		}
		if err != nil {
			return nil, fmt.Errorf("scan counts: index list: %w", err)
		}
		a.files[i], a.recs[i] = int(v), int64(recs)
	}
	res, err := scan.ReadResult(r, scan.SpillOptions{})
	if err != nil {
		return nil, err
	}
	if len(a.files) != len(res.Files) {
		res.Close()
		return nil, fmt.Errorf("scan counts: %d file indexes for %d files", len(a.files), len(res.Files))
	}
	a.res = res
	return a, nil
}

// scanCombine combines the scan counts of every input into one result.
// Its input is the accumulator itself (a bundle's counts, merged in the
// scan worker), so that the combine's first step, fused with the scan,
// moves no bytes.
type scanCombine struct{}

// CreateAccumulator returns the counts of no input.
func (scanCombine) CreateAccumulator() *scanAcc { return &scanAcc{res: &scan.Result{}} }

// MergeAccumulators merges the counts of two sets of inputs into a (b is
// emptied).
func (scanCombine) MergeAccumulators(a, b *scanAcc) (*scanAcc, error) { return a, a.merge(b) }

// ExtractOutput is the counts of all inputs, files in input order.
func (scanCombine) ExtractOutput(a *scanAcc) *scanAcc {
	a.sortInputs()
	return a
}

// countsAcc is the combine's accumulator of the study's counts.
type countsAcc struct {
	Counts study.Counts
}

func encodeCounts(a *countsAcc) []byte {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(a); err != nil {
		panic(err) // plain numbers and maps of them always encode
	}
	return buf.Bytes()
}

func decodeCounts(b []byte) (*countsAcc, error) {
	a := &countsAcc{}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(a); err != nil {
		return nil, fmt.Errorf("study counts: %w", err)
	}
	return a, nil
}

// countsCombine adds the study's counts of every shard (its input is
// the accumulator itself, as scanCombine's).
type countsCombine struct{}

// CreateAccumulator returns the counts of no source.
func (countsCombine) CreateAccumulator() *countsAcc { return &countsAcc{} }

// MergeAccumulators adds the counts of two sets of shards.
func (countsCombine) MergeAccumulators(a, b *countsAcc) *countsAcc {
	a.Counts.Merge(&b.Counts)
	return a
}

func init() {
	beam.RegisterCoder(reflect.TypeOf((*scanAcc)(nil)), encodeScanAcc, decodeScanAcc)
	beam.RegisterCoder(reflect.TypeOf((*countsAcc)(nil)), encodeCounts, decodeCounts)
}
