package analyze

import (
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/port0/port0/internal/testcap"
)

// TestFilesBounded: past MaxListedFiles inputs, summary.json lists every
// file with a read error and the first MaxListedFiles of the others, says
// how many more were read whole, and files.csv has a row for every input;
// a run of few inputs in the same folder lists them all and removes that
// files.csv.
func TestFilesBounded(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(testcap.CorpusDir(), "pcap_us_le.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	cut, err := os.ReadFile(filepath.Join(testcap.CorpusDir(), "cut_mid_record.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	in := t.TempDir()
	n := MaxListedFiles + 5
	bad := map[int]bool{3: true, MaxListedFiles + 2: true}
	var inputs []string
	for i := range n {
		name := filepath.Join(in, fmt.Sprintf("f%05d.pcap", i))
		data := good
		if bad[i] {
			data = cut
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, name)
	}
	out := t.TempDir()
	for _, countOnly := range []bool{true, false} {
		o := options(2)
		o.CountOnly = countOnly
		sum, err := Run(inputs, nil, out, o)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ReadSummary(out)
		if err != nil {
			t.Fatal(err)
		}
		if s.Inputs != n || s.Total.Files != int64(n) || len(s.ReadErrors) != 2 || len(s.Files) != MaxListedFiles+2 {
			t.Errorf("%d inputs, %d files counted, %d read errors, %d files listed; want %d, %d, 2, %d", s.Inputs, s.Total.Files, len(s.ReadErrors), len(s.Files), n, n, MaxListedFiles+2)
		}
		if nl := s.FilesNotListed; nl == nil || nl.Files != 3 || nl.Table != FilesTable {
			t.Errorf("files_not_listed %+v, want 3 in %s", nl, FilesTable)
		}
		if last := s.Files[len(s.Files)-1]; last.File != inputs[MaxListedFiles+2] || last.ReadError == nil {
			t.Errorf("last listed %s (%v), want the read error of %s", last.File, last.ReadError, inputs[MaxListedFiles+2])
		}
		if len(sum.Files) != len(s.Files) {
			t.Errorf("returned summary lists %d files, summary.json %d", len(sum.Files), len(s.Files))
		}
		f, err := os.Open(filepath.Join(out, FilesTable))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != n+1 || rows[0][0] != "file" || rows[n][0] != inputs[n-1] || rows[4][len(rows[4])-1] == "" || rows[1][2] != "8" {
			t.Errorf("%s: %d rows, want a header and %d; first %v, bad %v", FilesTable, len(rows), n, rows[1], rows[4])
		}
	}
	// Few inputs: all listed, no files.csv.
	if _, err := Run(inputs[:3], nil, out, options(1)); err != nil {
		t.Fatal(err)
	}
	s, err := ReadSummary(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Files) != 3 || s.FilesNotListed != nil {
		t.Errorf("3 inputs: %d listed, not listed %+v", len(s.Files), s.FilesNotListed)
	}
	if _, err := os.Stat(filepath.Join(out, FilesTable)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s after a run of 3 inputs: %v", FilesTable, err)
	}
}
