package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/memfs"

	"github.com/port0/port0/internal/testcap"
)

// TestMatchURL: the matches of a glob URL are filtered as a local
// folder's files are (named like a capture, or starting like one: a
// capture under another name is kept, a README or a truth file is not);
// a URL without a glob is kept whatever it names; a URL or glob that
// matches nothing, or whose matches hold no capture, is an error naming it.
func TestMatchURL(t *testing.T) {
	pcap, err := os.ReadFile(filepath.Join(testcap.Root(), "testdata", "gen-sample", "2016-01-01.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	memfs.Write("memfs://match/day=1/a.pcap", pcap)
	memfs.Write("memfs://match/day=1/b.PCAP.GZ", []byte("not read: the name says capture"))
	memfs.Write("memfs://match/day=1/capture-without-name", pcap)
	memfs.Write("memfs://match/day=1/README", []byte("about the captures"))
	memfs.Write("memfs://match/day=1/truth.csv", []byte("src,class\n"))
	memfs.Write("memfs://match/docs/README", []byte("no capture here"))
	ctx := context.Background()
	got, _, err := Match(ctx, []string{"memfs://match/day=*/*"})
	want := []string{"memfs://match/day=1/a.pcap", "memfs://match/day=1/b.PCAP.GZ", "memfs://match/day=1/capture-without-name"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("glob URL: %q, %v; want %q", got, err, want)
	}
	got, _, err = Match(ctx, []string{"memfs://match/day=1/README"})
	if err != nil || !slices.Equal(got, []string{"memfs://match/day=1/README"}) {
		t.Errorf("a URL named: %q, %v; want it kept", got, err)
	}
	for _, c := range []struct{ arg, want string }{
		{"memfs://match/day=9/*.pcap", "matches nothing"},
		{"memfs://match/missing.pcap", "no such object"},
		{"memfs://match/docs/*", "none of them a capture"},
		{"nosuchscheme://x/y.pcap", "not registered"},
		{filepath.Join(t.TempDir(), "day=*", "*.pcap"), "no file matches it"},
	} {
		got, _, err := Match(ctx, []string{c.arg})
		if err == nil || !strings.Contains(err.Error(), c.arg) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %q, %v; want an error naming it and saying %q", c.arg, got, err, c.want)
		}
	}
}

// TestMatchLocal: a local glob's matches are expanded as named inputs (a
// folder walked, a file kept); a named input that does not exist stays,
// to be a read error.
func TestMatchLocal(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"d1/a.pcap", "d1/notes.txt", "d2/b.pcap", "c.pcap"} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	missing := filepath.Join(dir, "missing.pcap")
	got, _, err := Match(context.Background(), []string{filepath.Join(dir, "d*"), filepath.Join(dir, "*.pcap"), missing})
	want := []string{filepath.Join(dir, "d1/a.pcap"), filepath.Join(dir, "d2/b.pcap"), filepath.Join(dir, "c.pcap"), missing}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("%q, %v; want %q", got, err, want)
	}
}
