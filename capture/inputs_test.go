package capture

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/port0/port0/internal/testcap"
)

func TestExpandInputs(t *testing.T) {
	dir := t.TempDir()
	// A zstd frame asking for a 1 GiB window: kept without decoding it, so
	// that its reader says what it needs.
	huge, err := os.ReadFile(filepath.Join(testcap.CorpusDir(), "zstd_huge_window.pcap.zst"))
	if err != nil {
		t.Fatal(err)
	}
	pcapHdr := memPcap(0)
	// The modified (Kuznetzov) pcap magic, in either byte order, without
	// a capture's name: kept by its magic.
	kuz := append([]byte{0xa1, 0xb2, 0xcd, 0x34}, pcapHdr[4:]...)
	kuzSwapped := append([]byte{0x34, 0xcd, 0xb2, 0xa1}, pcapHdr[4:]...)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(pcapHdr)
	zw.Close()
	var zt bytes.Buffer
	zw = gzip.NewWriter(&zt)
	zw.Write([]byte("src,dst\n"))
	zw.Close()
	files := map[string][]byte{
		"a.pcap":           pcapHdr,
		"sub/b.pcapng":     memPcapng(1),
		"sub/c.txt":        []byte("not a capture"),
		"sub/deeper/d.cap": pcapHdr,
		".hidden/x.pcap":   pcapHdr,
		".h.pcap":          pcapHdr,
		"z.pcap.gz":        z.Bytes(),
		"truth.csv.gz":     zt.Bytes(),
		"y.pcap.zst":       testcap.ZstdBytes(t, pcapHdr),
		"truth.csv.zst":    testcap.ZstdBytes(t, []byte("src,dst\n")),
		"w.pcap.zst":       huge,
		"empty":            nil,
		// Named like captures but not readable as one: kept, so that
		// reading them reports why (never a silent skip).
		"bad/garbage.pcap":    []byte("not a capture"),
		"bad/zero.pcapng":     nil,
		"bad/broken.pcap.gz":  []byte("\x1f\x8b\x00garbage"),
		"bad/broken.cap.zst":  []byte("\x28\xb5\x2f\xfd garbage"),
		"bad/notes.txt":       []byte("not a capture"),
		"bad/kuz-no-ext":      kuz,
		"bad/kuz-swapped.bin": kuzSwapped,
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "bad", "dangling.pcap")); err != nil {
		t.Fatal(err)
	}
	j := func(s string) string { return filepath.Join(dir, s) }
	tests := []struct {
		name    string
		args    []string
		want    []string
		wantErr bool
	}{
		{"stdin", []string{"-"}, []string{"-"}, false},
		{"files as given", []string{j("sub/c.txt"), j("a.pcap"), j("sub/c.txt")}, []string{j("sub/c.txt"), j("a.pcap"), j("sub/c.txt")}, false},
		{"folder", []string{dir}, []string{j("a.pcap"), j("bad/broken.cap.zst"), j("bad/broken.pcap.gz"), j("bad/dangling.pcap"), j("bad/garbage.pcap"), j("bad/kuz-no-ext"), j("bad/kuz-swapped.bin"), j("bad/zero.pcapng"),
			j("sub/b.pcapng"), j("sub/deeper/d.cap"), j("w.pcap.zst"), j("y.pcap.zst"), j("z.pcap.gz")}, false},
		{"mixed", []string{"-", j("sub"), j("empty")}, []string{"-", j("sub/b.pcapng"), j("sub/deeper/d.cap"), j("empty")}, false},
		{"hidden file given explicitly", []string{j(".h.pcap")}, []string{j(".h.pcap")}, false},
		{"missing", []string{j("nope.pcap")}, nil, true},
		{"none", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ExpandInputs(tt.args)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}
