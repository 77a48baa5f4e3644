package archtest

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// outsideDocs are pointers to notes that live outside the repository: a
// clone does not have them, so every file must cite docs/BACKGROUND.md
// (or say what it means) instead. Built by concatenation so that this file
// does not match itself.
var outsideDocs = []string{
	"../" + "shared",
	"REFERENCE" + ".md",
	"DESIGN" + ".md",
}

// repoFiles lists the repository's files, relative to top: the tracked
// and the new, not ignored ones when git can tell, else every file below
// top but the version-control folder and the untracked outputs.
func repoFiles(t *testing.T, top string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = top
	if out, err := cmd.Output(); err == nil {
		var files []string
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" {
				files = append(files, filepath.FromSlash(f))
			}
		}
		return files
	}
	var files []string
	err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(top, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch rel {
			case ".git", "out", "results", "bin", "sweep-results", "study-results":
				return filepath.SkipDir
			}
			return nil
		}
		if rel == "port0" { // the binary make builds at the top
			return nil
		}
		files = append(files, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestNoPointersOutsideRepo fails when a file of the repository points to
// design notes that are not part of it: everyone who clones the repository
// would find the pointer dangling. docs/BACKGROUND.md holds what they said.
func TestNoPointersOutsideRepo(t *testing.T) {
	top := root()
	self := filepath.Join("internal", "archtest", "shared_test.go")
	files := repoFiles(t, top)
	if len(files) == 0 {
		t.Fatal("no files found below", top)
	}
	for _, rel := range files {
		if rel == self {
			continue
		}
		data, err := os.ReadFile(filepath.Join(top, rel))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the work tree, not yet in the index
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 {
			continue // binary
		}
		for i, line := range strings.Split(string(data), "\n") {
			for _, s := range outsideDocs {
				if strings.Contains(line, s) {
					t.Errorf("%s:%d points outside the repository (%q); cite docs/BACKGROUND.md instead", filepath.ToSlash(rel), i+1, s)
				}
			}
		}
	}
}
