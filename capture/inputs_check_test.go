package capture

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCheckInputs: repeats are kept once with a "read once" warning each,
// whatever name they come under; files inside the output folder are kept
// with a warning; inputs without a trap give no warning.
func TestCheckInputs(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	for _, name := range []string{"caps/a.pcap", "caps/b.pcap", "out/old.pcap", "outer/c.pcap"} {
		if err := os.MkdirAll(filepath.Dir(p(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p(name), memPcap(0), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// b.pcap's twin has its size but is another file.
	if err := os.WriteFile(p("twin.pcap"), memPcap(0), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct{ target, name string }{
		{p("caps/a.pcap"), "sym.pcap"},
		{p("caps"), "capslink"},
		{p("out/old.pcap"), "into-out.pcap"},
		{p("out"), "outlink"},
	} {
		if err := os.Symlink(l.target, p(l.name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(p("caps/a.pcap"), p("hard.pcap")); err != nil {
		t.Fatal(err)
	}
	expanded, err := ExpandInputs([]string{p("caps")})
	if err != nil {
		t.Fatal(err)
	}
	a, b := p("caps/a.pcap"), p("caps/b.pcap")
	tests := []struct {
		name   string
		inputs []string
		out    string
		kept   []string
		want   []string // a substring of each warning, in order
	}{
		{"no trap", []string{a, b, p("twin.pcap"), "-"}, p("out"), []string{a, b, p("twin.pcap"), "-"}, nil},
		{"same path", []string{a, b, a}, p("out"), []string{a, b}, []string{a + " appears twice among the inputs: its packets would all be counted twice, making scanners look like retrying clients; read once"}},
		{"same path once cleaned", []string{a, dir + "/caps/./sub/../a.pcap"}, "", []string{a}, []string{dir + "/caps/./sub/../a.pcap appears twice among the inputs (also as " + a + ")"}},
		{"symlink", []string{p("sym.pcap"), a}, "", []string{p("sym.pcap")}, []string{a + " is the same file as " + p("sym.pcap") + ": its packets would all be counted twice"}},
		{"hard link", []string{a, p("hard.pcap")}, "", []string{a}, []string{p("hard.pcap") + " is the same file as " + a}},
		{"file and its folder", append([]string{b}, expanded...), "", []string{b, a}, []string{b + " appears twice among the inputs"}},
		{"folder and a link to it", []string{p("caps"), p("capslink")}, "", []string{p("caps")}, []string{p("capslink") + " is the same folder as " + p("caps")}},
		{"stdin twice", []string{"-", a, "-"}, "", []string{"-", a}, []string{"- appears twice"}},
		{"missing twice", []string{p("nope.pcap"), p("nope.pcap")}, "", []string{p("nope.pcap")}, []string{"nope.pcap appears twice"}},
		{"inside out", []string{a, p("out/old.pcap")}, p("out"), []string{a, p("out/old.pcap")}, []string{p("out/old.pcap") + " lies inside the output folder " + p("out") + ": it may be an earlier run's output, or be overwritten by this run"}},
		{"link into out", []string{p("into-out.pcap")}, p("out"), []string{p("into-out.pcap")}, []string{"into-out.pcap lies inside the output folder"}},
		{"out through a link", []string{p("out/old.pcap")}, p("outlink"), []string{p("out/old.pcap")}, []string{"old.pcap lies inside the output folder " + p("outlink")}},
		{"out relative", []string{p("out/old.pcap")}, relTo(t, p("out")), []string{p("out/old.pcap")}, []string{"lies inside the output folder"}},
		{"a sibling named like out", []string{p("outer/c.pcap")}, p("out"), []string{p("outer/c.pcap")}, nil},
		{"folder inside out", []string{p("out")}, p("out"), []string{p("out")}, nil},
		{"out missing", []string{a}, p("new/analysis"), []string{a}, nil},
		{"no out", []string{p("out/old.pcap")}, "", []string{p("out/old.pcap")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kept, warnings := CheckInputs(tt.inputs, tt.out)
			if !slices.Equal(kept, tt.kept) {
				t.Errorf("kept %q, want %q", kept, tt.kept)
			}
			if len(warnings) != len(tt.want) {
				t.Fatalf("warnings %q, want %d", warnings, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(warnings[i], w) {
					t.Errorf("warning %q lacks %q", warnings[i], w)
				}
				if strings.Contains(warnings[i], "\n") {
					t.Errorf("warning %q is not one line", warnings[i])
				}
			}
		})
	}
}

// relTo is path relative to the working folder.
func relTo(t *testing.T, path string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}
