package tables

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// TempSuffix ends the name an output has while it is written: a table,
// a partitioned table's folder or summary.json is written as NAME.tmp
// beside NAME and renamed to NAME only once it is complete, so that a run
// that fails midway (a full disk, an error) or is stopped never leaves a
// part of an output under its final name.
const TempSuffix = ".tmp"

// pending is every output of this process being written under its
// temporary name, by that name (true for a folder), for RemoveTemp.
var pending = struct {
	sync.Mutex
	names   map[string]bool
	stopped bool
}{names: map[string]bool{}}

// errStopped is what Create and CreateDir return after RemoveTemp.
var errStopped = errors.New("the run is being stopped")

// track records the temporary name tmp (a folder when dir), or fails
// once RemoveTemp has run.
func track(tmp string, dir bool) error {
	pending.Lock()
	defer pending.Unlock()
	if pending.stopped {
		return errStopped
	}
	pending.names[tmp] = dir
	return nil
}

func untrack(tmp string) {
	pending.Lock()
	delete(pending.names, tmp)
	pending.Unlock()
}

// RemoveTemp removes every output this process is writing under its
// temporary name and makes Create and CreateDir fail from then on: what a
// signal handler calls before the process exits. It returns the names
// removed, sorted.
func RemoveTemp() []string {
	pending.Lock()
	defer pending.Unlock()
	pending.stopped = true
	var names []string
	for name, dir := range pending.names {
		if dir {
			os.RemoveAll(name)
		} else {
			os.Remove(name)
		}
		names = append(names, name)
	}
	clear(pending.names)
	sort.Strings(names)
	return names
}

// testHookWriter, when set (tests), wraps the writer of every file Create
// makes: a writer that fails midway stands for a full disk.
var testHookWriter func(name string, w io.Writer) io.Writer

// File is an output file written under its temporary name (Name +
// TempSuffix) and renamed to Name by Commit once complete.
type File struct {
	name  string // final
	shown string // the name errors give: name, or where a folder's Commit will put it
	f     *os.File
	w     io.Writer
}

// Create starts the output file name: it creates name+TempSuffix (a
// leftover of that name is replaced).
func Create(name string) (*File, error) { return createShown(name, name) }

// createShown is Create of a file that errors call shown: a file in a
// folder written under its temporary name, named as it will be.
func createShown(name, shown string) (*File, error) {
	tmp := name + TempSuffix
	if err := track(tmp, false); err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	f, err := os.Create(tmp)
	if err != nil {
		untrack(tmp)
		return nil, named(shown, "create", err)
	}
	o := &File{name: name, shown: shown, f: f, w: f}
	if testHookWriter != nil {
		o.w = testHookWriter(shown, f)
	}
	return o, nil
}

// Name is the file's final name.
func (o *File) Name() string { return o.name }

// Write writes to the temporary file; an error names the final one.
func (o *File) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil {
		err = named(o.shown, "write", err)
	}
	return n, err
}

// TempName is the name the file has until Commit.
func (o *File) TempName() string { return o.name + TempSuffix }

// errDiscarded is the error Discard commits with.
var errDiscarded = errors.New("discarded")

// Discard ends a file that is not to be an output: its temporary file is
// removed.
func (o *File) Discard() { o.Commit(errDiscarded) }

// Commit ends the file. With err nil (the writer's error) it closes the
// temporary file and renames it to the final name; otherwise, or when
// that fails, it removes the temporary file and returns the error (err
// first), which names the final file. The final name is only ever the
// complete file.
func (o *File) Commit(err error) error {
	tmp := o.TempName()
	defer untrack(tmp)
	if cerr := o.f.Close(); err == nil && cerr != nil {
		err = named(o.shown, "close", cerr)
	}
	if err == nil {
		if rerr := os.Rename(tmp, o.name); rerr != nil {
			err = named(o.shown, "rename", rerr)
		}
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// Dir is an output folder (a table partitioned by day) written under its
// temporary name (Name + TempSuffix) and renamed to Name by Commit.
type Dir struct {
	name string // final
}

// CreateDir starts the output folder name: it makes name+TempSuffix
// afresh (a leftover of that name is removed).
func CreateDir(name string) (*Dir, error) {
	tmp := name + TempSuffix
	if err := track(tmp, true); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := os.RemoveAll(tmp); err != nil {
		untrack(tmp)
		return nil, named(name, "remove", err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		untrack(tmp)
		return nil, named(name, "mkdir", err)
	}
	return &Dir{name}, nil
}

// Path is where the folder's files are written until Commit.
func (d *Dir) Path() string { return d.name + TempSuffix }

// Shown is the name of the file at path in the temporary folder once the
// folder is renamed: the name errors give.
func (d *Dir) Shown(path string) string {
	rel, ok := strings.CutPrefix(path, d.Path())
	if !ok || rel != "" && rel[0] != filepath.Separator {
		return path
	}
	return d.name + rel
}

// Commit ends the folder: with err nil it replaces the final folder (a
// run's before) with the temporary one; otherwise, or when that fails, it
// removes the temporary folder and returns the error (err first).
func (d *Dir) Commit(err error) error {
	tmp := d.Path()
	defer untrack(tmp)
	if err == nil {
		if rerr := os.RemoveAll(d.name); rerr != nil {
			err = named(d.name, "remove", rerr)
		} else if rerr := os.Rename(tmp, d.name); rerr != nil {
			err = named(d.name, "rename", rerr)
		}
	}
	if err != nil {
		os.RemoveAll(tmp)
		err = d.named(err)
	}
	return err
}

// named is err with the path of a file in the temporary folder made the
// path it would have had in the final one.
func (d *Dir) named(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		pe.Path = d.Shown(pe.Path)
	}
	return err
}

// named is err as an error of the output name (its final name, not the
// temporary one it is written under): "write DIR/packets.csv: no space
// left on device". An error that already names name is returned as is.
func named(name, op string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if pe.Path == name {
			return err
		}
		return &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return &fs.PathError{Op: op, Path: name, Err: le.Err}
	}
	return &fs.PathError{Op: op, Path: name, Err: err}
}
