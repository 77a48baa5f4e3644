package flows

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated table in docs/FLOWS.md")

// formatsTable is docs/FLOWS.md's table of what each format keeps.
func formatsTable() string {
	var b strings.Builder
	b.WriteString("| format | ports | TCP flags | fragment offset | fragment flags | TTL | IP ID | payload | timing | source |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, f := range Formats {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f.Name, f.Ports, f.TCPFlags, f.FragOffset, f.FragFlags, f.TTL, f.IPID, f.Payload, f.Timing, f.Source)
	}
	return b.String()
}

const (
	beginFormats = "<!-- begin: formats table, generated from flows.Formats (go test ./flows -run TestFormatsDoc -update) -->\n"
	endFormats   = "<!-- end: formats table -->\n"
)

// TestFormatsDoc fails when docs/FLOWS.md's table is not flows.Formats'.
func TestFormatsDoc(t *testing.T) {
	name := filepath.Join("..", "docs", "FLOWS.md")
	doc, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(doc, []byte(beginFormats)), bytes.Index(doc, []byte(endFormats))
	if i < 0 || j < i {
		t.Fatalf("%s has no generated formats table (markers %q … %q)", name, beginFormats, endFormats)
	}
	want := formatsTable()
	if got := string(doc[i+len(beginFormats) : j]); got != want {
		if !*update {
			t.Fatalf("%s: the formats table is stale: go test ./flows -run TestFormatsDoc -update", name)
		}
		out := append(append(append([]byte{}, doc[:i+len(beginFormats)]...), want...), doc[j:]...)
		if err := os.WriteFile(name, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, f := range Formats {
		if f.Format != Format(i+1) {
			t.Errorf("Formats[%d] is %s, want the order of Format", i, f.Format)
		}
	}
}
