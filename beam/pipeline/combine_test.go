package pipeline

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/scan"
)

// TestScanCombineAnyOrder merges the corpus's per-file counts in shuffled
// orders and groupings, through the accumulator's coder, as a runner
// may: the output is the encoding of one scan of every file, records
// dropped, whatever the order.
func TestScanCombineAnyOrder(t *testing.T) {
	inputs, err := capture.ExpandInputs([]string{testcap.CorpusDir()})
	if err != nil {
		t.Fatal(err)
	}
	opts := scan.Options{Port0: true}
	whole, _ := scan.Run(inputs, nil, opts)
	defer whole.Close()
	if err := whole.DropRecords(); err != nil {
		t.Fatal(err)
	}
	sc, err := scan.NewScanner(opts)
	if err != nil {
		t.Fatal(err)
	}
	var each [][]byte
	recs := make([]int64, len(inputs))
	for i, in := range inputs {
		res, _ := sc.Scan(in, nil)
		recs[i] = int64(res.Records.Len())
		if err := res.DropRecords(); err != nil {
			t.Fatal(err)
		}
		b, err := encodeScanAcc(newScanAcc(res, i, recs[i]))
		if err != nil {
			t.Fatal(err)
		}
		each = append(each, b) // as the runner moves it
	}
	want, err := encodeScanAcc(&scanAcc{res: whole, files: seq(len(inputs)), recs: recs})
	if err != nil {
		t.Fatal(err)
	}
	var c scanCombine
	for seed := range uint64(5) {
		r := rand.New(rand.NewPCG(seed, 1))
		order := r.Perm(len(each))
		// Two accumulators, each fed half of the shuffled inputs, each sent
		// through the coder, then merged.
		accs := []*scanAcc{c.CreateAccumulator(), c.CreateAccumulator()}
		for j, k := range order {
			in, err := decodeScanAcc(each[k])
			if err != nil {
				t.Fatal(err)
			}
			if accs[j%2], err = c.MergeAccumulators(accs[j%2], in); err != nil {
				t.Fatal(err)
			}
		}
		for i, a := range accs {
			b, err := encodeScanAcc(a)
			if err != nil {
				t.Fatal(err)
			}
			if accs[i], err = decodeScanAcc(b); err != nil {
				t.Fatal(err)
			}
		}
		m, err := c.MergeAccumulators(accs[1], accs[0])
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeScanAcc(c.ExtractOutput(m))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("seed %d: the combined counts (%d bytes) are not one scan's (%d bytes)", seed, len(got), len(want))
		}
	}
	if _, err := decodeScanAcc(want[:len(want)/2]); err == nil {
		t.Error("half an accumulator decoded")
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
