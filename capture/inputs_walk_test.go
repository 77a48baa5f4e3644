//go:build unix

package capture

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestExpandInputsWarn: symbolic links to folders are followed, given as
// inputs or found inside one, a folder reached twice (a loop, two links)
// is walked once with a warning, and FIFOs, sockets and devices inside a
// folder are named in warnings, never skipped without a word.
func TestExpandInputsWarn(t *testing.T) {
	dir := t.TempDir()
	pcap := memPcap(0)
	mk := func(name string, b []byte) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, name string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	j := func(s string) string { return filepath.Join(dir, s) }

	mk("real/a.pcap", pcap)
	mk("real/deep/b.pcap", pcap)
	link(j("real"), "ln")                  // a link to a folder, given as an input
	mk("other.pcap", pcap)                 //
	mk("tree/c.pcap", pcap)                // a folder holding a link to a folder outside it
	link(j("real"), "tree/sub")            //
	mk("loop/d.pcap", pcap)                // a link back to an ancestor
	link("..", "loop/in/up")               // (relative)
	mk("twice/x/e.pcap", pcap)             // two links to one folder, and the folder itself
	link(j("twice/x"), "twice/l1")         //
	link(j("twice/x"), "twice/l2")         //
	link(j("real/a.pcap"), "files/f.pcap") // a link to a file
	link(j("nowhere"), "files/dangling")   // a link that leads nowhere: kept, reading says why
	link(os.DevNull, "odd/null")           // a link to a character device
	mk("odd/g.pcap", pcap)                 //
	if err := syscall.Mkfifo(j("odd/fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", j("odd/sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := syscall.Mkfifo(j("fifo-alone"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		want     []string
		warnings []string // substrings, one per warning, in order
		wantErr  bool
	}{
		{"linked folder alone", []string{j("ln")}, []string{j("ln/a.pcap"), j("ln/deep/b.pcap")}, nil, false},
		{"linked folder beside a file", []string{j("other.pcap"), j("ln")}, []string{j("other.pcap"), j("ln/a.pcap"), j("ln/deep/b.pcap")}, nil, false},
		{"linked subfolder", []string{j("tree")}, []string{j("tree/c.pcap"), j("tree/sub/a.pcap"), j("tree/sub/deep/b.pcap")}, nil, false},
		{"loop", []string{j("loop")}, []string{j("loop/d.pcap")}, []string{j("loop/in/up") + " leads back to " + j("loop") + ", a folder that holds it"}, false},
		{"two links to one folder", []string{j("twice")}, []string{j("twice/l1/e.pcap")},
			[]string{j("twice/l2") + " is the same folder as " + j("twice/l1"), j("twice/x") + " is the same folder as " + j("twice/l1")}, false},
		{"a folder and a link to it", []string{j("real"), j("ln")}, []string{j("real/a.pcap"), j("real/deep/b.pcap")}, []string{j("ln") + " is the same folder as " + j("real")}, false},
		{"links to files", []string{j("files")}, []string{j("files/dangling"), j("files/f.pcap")}, nil, false},
		{"fifo, socket, device", []string{j("odd")}, []string{j("odd/g.pcap")},
			[]string{j("odd/fifo") + " is a FIFO (named pipe), not a file: not read", j("odd/null") + " is a character device, not a file: not read", j("odd/sock") + " is a socket, not a file: not read"}, false},
		{"fifo given on its own", []string{j("fifo-alone")}, []string{j("fifo-alone")}, nil, false},
		{"missing", []string{j("nope")}, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings, err := ExpandInputsWarn(tt.args)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
			if len(warnings) != len(tt.warnings) {
				t.Fatalf("warnings %q\nwant %q", warnings, tt.warnings)
			}
			for i, w := range warnings {
				if !strings.Contains(w, tt.warnings[i]) {
					t.Errorf("warning %d: %q\nwant it to hold %q", i, w, tt.warnings[i])
				}
			}
		})
	}
}

// TestExpandInputsUnreadable: a file that cannot be opened and a folder
// that cannot be listed inside an input folder are kept as inputs, so
// that reading them reports why (a read error, in summary.json).
func TestExpandInputsUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.pcap"), memPcap(0), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "locked.bin"), memPcap(0), 0o000); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "shut"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "shut", "b.pcap"), memPcap(0), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "shut"), 0o000); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "shut"), 0o755) })
	tests := []struct {
		name string
		args []string
		want []string
		err  bool
	}{
		{"inside a folder", []string{dir}, []string{filepath.Join(dir, "a.pcap"), filepath.Join(dir, "locked.bin"), filepath.Join(dir, "shut")}, false},
		{"a folder that cannot be listed, given", []string{filepath.Join(dir, "shut")}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings, err := ExpandInputsWarn(tt.args)
			if (err != nil) != tt.err || !slices.Equal(got, tt.want) || len(warnings) != 0 {
				t.Fatalf("got %q, warnings %q, err %v; want %q, err %v", got, warnings, err, tt.want, tt.err)
			}
			for _, in := range got[min(1, len(got)):] { // the first is a.pcap
				if _, err := Open(in); err == nil || !strings.Contains(err.Error(), "permission denied") {
					t.Errorf("reading %s: %v; want permission denied", in, err)
				}
			}
		})
	}
}
