package tables

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// failingWriter fails with ENOSPC (a full disk) once n bytes are written.
type failingWriter struct {
	w io.Writer
	n int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k, _ := f.w.Write(p[:f.n])
		f.n = 0
		return k, &os.PathError{Op: "write", Path: "tmp-name", Err: syscall.ENOSPC}
	}
	f.n -= len(p)
	return f.w.Write(p)
}

// failAfter makes every file whose final name ends in suffix fail after n
// bytes, for the test.
func failAfter(t *testing.T, suffix string, n int) {
	t.Helper()
	testHookWriter = func(name string, w io.Writer) io.Writer {
		if strings.HasSuffix(name, suffix) {
			return &failingWriter{w, n}
		}
		return w
	}
	t.Cleanup(func() { testHookWriter = nil })
}

// listAll is every file and folder under dir, relative, sorted.
func listAll(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != dir {
			rel, _ := filepath.Rel(dir, path)
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// TestFailedTableLeavesNothing: a table whose writing fails midway (the
// disk full after a few KiB) leaves neither its final name nor its
// temporary one, and the error names the final file and the reason.
func TestFailedTableLeavesNothing(t *testing.T) {
	g := newRowGen(7)
	rows := make([]PacketRow, 20000) // ~2.5 MB of CSV: past the 1 MiB buffer
	for i := range rows {
		rows[i] = g.packet(i)
		rows[i].Time = 1700000000e9 + int64(i)*1e9 // a day: one partition
	}
	for _, c := range []struct {
		format Format
		suffix string // of the file that fails
		want   string // the name the error gives
	}{
		{CSV, PacketsFile, PacketsFile},
		{Parquet, ".parquet", filepath.Join(PacketsDir, "day=")},
		{Both, PacketsFile, PacketsFile},
	} {
		t.Run(c.format.String()+"-"+c.suffix, func(t *testing.T) {
			dir := t.TempDir()
			failAfter(t, c.suffix, 4096)
			pw, err := c.format.CreatePackets(dir)
			if err != nil {
				t.Fatal(err)
			}
			for i := range rows {
				if err = pw.Write(&rows[i]); err != nil {
					break
				}
			}
			err = pw.Close(err)
			if err == nil {
				t.Fatal("no error from a table written to a full disk")
			}
			if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), filepath.Join(dir, c.want)) || strings.Contains(err.Error(), TempSuffix+":") {
				t.Errorf("error %q: want ENOSPC naming %s", err, filepath.Join(dir, c.want))
			}
			for _, name := range listAll(t, dir) {
				if name == PacketsFile && c.suffix != PacketsFile {
					continue // the CSV, complete, beside the Parquet that failed
				}
				t.Errorf("%s left behind", name)
			}
		})
	}
	t.Run("sources", func(t *testing.T) {
		dir := t.TempDir()
		srcs := make([]SourceRow, 5000)
		for i := range srcs {
			srcs[i] = g.source()
		}
		failAfter(t, SourcesFile, 1000)
		err := WriteSources(dir, srcs)
		if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, SourcesFile)+": no space left on device") {
			t.Errorf("error %v: want one naming %s", err, SourcesFile)
		}
		if names := listAll(t, dir); len(names) != 0 {
			t.Errorf("left behind: %v", names)
		}
	})
}

// TestCompleteTableRenamed: a table written whole is under its final name
// only, and replaces the one of a run before.
func TestCompleteTableRenamed(t *testing.T) {
	dir := t.TempDir()
	g := newRowGen(3)
	rows := []PacketRow{g.packet(0), g.packet(1)}
	for range 2 {
		pw, err := Both.CreatePackets(dir)
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			if err := pw.Write(&rows[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := pw.Close(nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range listAll(t, dir) {
		if strings.Contains(name, TempSuffix) {
			t.Errorf("%s left behind", name)
		}
	}
	var n int
	if err := ReadPackets(dir, func(*PacketRow) error { n++; return nil }); err != nil || n != 2 {
		t.Errorf("read back %d rows, %v; want 2", n, err)
	}
}

// TestRemoveTemp: what a signal handler calls removes the outputs being
// written, files and folders, and no output starts after it.
func TestRemoveTemp(t *testing.T) {
	t.Cleanup(func() {
		pending.Lock()
		pending.stopped = false
		pending.Unlock()
	})
	dir := t.TempDir()
	f, err := Create(filepath.Join(dir, "a.csv"))
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half a row"))
	d, err := CreateDir(filepath.Join(dir, "parts"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.Path(), "part-0.parquet"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	removed := RemoveTemp()
	if want := []string{filepath.Join(dir, "a.csv.tmp"), filepath.Join(dir, "parts.tmp")}; !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	if names := listAll(t, dir); len(names) != 0 {
		t.Errorf("left behind: %v", names)
	}
	if _, err := Create(filepath.Join(dir, "b.csv")); err == nil {
		t.Error("Create after RemoveTemp: no error")
	}
	f.Commit(nil) // the writer ending after the signal: nothing appears
	if names := listAll(t, dir); len(names) != 0 {
		t.Errorf("after Commit: %v", names)
	}
}
