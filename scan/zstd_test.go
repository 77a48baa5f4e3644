package scan

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/port0/port0/internal/testcap"
)

// TestZstdFile scans a zstd file on disk as Run does, with one decoder
// and with two: the counts of the plain file, and a format that says
// zstd.
func TestZstdFile(t *testing.T) {
	g := testcap.Small(t)
	dir := t.TempDir()
	plain, zst := filepath.Join(dir, "a.pcap"), filepath.Join(dir, "a.pcap.zst")
	if err := os.WriteFile(plain, g.Pcap, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zst, testcap.ZstdBytes(t, g.Pcap), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		sp := (&fileWorker{workers: workers, minParallel: ParallelMin}).file(plain, nil)
		sz := (&fileWorker{workers: workers, minParallel: ParallelMin}).file(zst, nil)
		if sz.Format != sp.Format+"+zstd" || sz.ReadError != nil {
			t.Fatalf("workers %d: format %q, error %+v", workers, sz.Format, sz.ReadError)
		}
		sz.File, sz.Format = sp.File, sp.Format
		if !reflect.DeepEqual(sz, sp) {
			t.Errorf("workers %d: the zstd file's summary differs from the plain file's", workers)
		}
	}
}
