package gen

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The output folder: Generate writes into a folder that is missing, empty
// or an earlier run of its own, and replaces such a run whole, so that no
// shard of another scenario or shard mode is left beside the new ones for
// an analysis to read.

// incompleteName is a hidden file Generate keeps in the output folder
// while it writes, and removes after the manifest: a folder holding it was
// left by a run that did not finish, and is gen's to replace although it
// has no manifest. Captures are read from folders without hidden files
// (capture.ExpandInputs), so the mark is never read as an input.
const incompleteName = ".port0-gen-incomplete"

// ownName matches the names Generate writes: the manifest, the tables, a
// shard (pcap, gzip pcap, truth) of a day, an hour or the single file,
// each also with the ".tmp" ending it has while written.
var ownName = regexp.MustCompile(`^(?:` + regexp.QuoteMeta(ManifestName) + `|` + regexp.QuoteMeta(ActorsFile) + `|` + regexp.QuoteMeta(ASMapFile) +
	`|(?:\d{4}-\d{2}-\d{2}(?:T\d{2})?|telescope)\.(?:pcap|pcap\.gz|truth))(?:\.tmp)?$`)

// OutError is Generate's (and CheckOut's) refusal of an output folder that
// holds something port0 gen did not write. Nothing in the folder has been
// changed.
type OutError struct {
	Dir string
	// Own says whether Dir holds an earlier run of gen (a manifest.json or
	// an unfinished run's mark); Foreign then names, sorted, the first few
	// entries beside it that gen did not write.
	Own     bool
	Foreign []string
	// More is the number of foreign entries beyond Foreign.
	More int
	// Err, when set, is why manifest.json could not be read.
	Err error
}

// Error is one line naming the folder and the fix.
func (e *OutError) Error() string {
	switch {
	case e.Err != nil:
		return fmt.Sprintf("%s holds a manifest.json that is not port0 gen's (%v): choose an empty or new folder", e.Dir, e.Err)
	case !e.Own:
		return fmt.Sprintf("%s is not empty and holds no port0 gen output (no %s): choose an empty or new folder", e.Dir, ManifestName)
	}
	names, them := strings.Join(e.Foreign, ", "), "them"
	if e.More > 0 {
		names += fmt.Sprintf(" and %d more", e.More)
	} else if len(e.Foreign) == 1 {
		them = "it"
	}
	return fmt.Sprintf("%s holds an earlier port0 gen output but also %s, which gen did not write and will not remove: move %s out, or choose an empty or new folder", e.Dir, names, them)
}

// maxForeign is how many foreign names an OutError lists.
const maxForeign = 3

// CheckOut reports whether Generate would refuse dir: an *OutError when dir
// holds something port0 gen did not write, else nil — dir does not exist,
// is empty (hidden entries, whose names start with ".", are neither
// counted nor touched) or holds an earlier run of gen and nothing else; a
// folder that cannot be read is left for Generate to report. Generate
// makes the same check before it changes anything; a command calls
// CheckOut to refuse early, before a long plan.
func CheckOut(dir string) error {
	_, err := oldOutput(dir)
	var oe *OutError
	if errors.As(err, &oe) {
		return err
	}
	return nil
}

// oldOutput lists the entries of dir that an earlier run of gen left and
// Generate removes: the manifest, the files it lists, and every file named
// as gen names its files (ownName: a shard of another mode or day, a
// temporary file of a stopped run). dir is gen's when it holds a manifest
// that ReadManifest reads, or the mark of an unfinished run; then any
// other entry is foreign, and so is any entry of a folder that is not gen's
// (an *OutError). Folders named like gen's files are neither listed nor
// foreign: gen removes files only, and a run fails where such a folder
// stands in its way. Hidden entries are left alone.
func oldOutput(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var visible []fs.DirEntry
	marked := false
	for _, e := range ents {
		if e.Name() == incompleteName {
			marked = true
		} else if !strings.HasPrefix(e.Name(), ".") {
			visible = append(visible, e)
		}
	}
	if len(visible) == 0 {
		if marked {
			return []string{incompleteName}, nil
		}
		return nil, nil
	}
	listed := map[string]bool{}
	_, err = os.Lstat(filepath.Join(dir, ManifestName))
	switch {
	case err == nil:
		m, err := ReadManifest(dir)
		if err != nil {
			return nil, &OutError{Dir: dir, Own: true, Err: err}
		}
		for _, f := range m.Files {
			listed[f.Name] = true
		}
		for _, s := range m.Shards {
			listed[s.Pcap], listed[s.Truth] = true, true
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	case !marked:
		return nil, &OutError{Dir: dir}
	}
	var old, foreign []string
	for _, e := range visible {
		name := e.Name()
		own := listed[name] || listed[strings.TrimSuffix(name, ".tmp")] || ownName.MatchString(name)
		switch {
		case own && !e.IsDir():
			old = append(old, name)
		case !own:
			foreign = append(foreign, name) // ReadDir sorts by name
		}
	}
	if len(foreign) > 0 {
		oe := &OutError{Dir: dir, Own: true, Foreign: foreign}
		if len(foreign) > maxForeign {
			oe.Foreign, oe.More = foreign[:maxForeign], len(foreign)-maxForeign
		}
		return nil, oe
	}
	if marked {
		old = append(old, incompleteName)
	}
	return old, nil
}

// clearOut makes dir ready for a run: it checks dir (oldOutput), marks
// it as being written (incompleteName), then removes the earlier run's
// files, the manifest first, so that no manifest vouches for a half
// removed run and a run stopped from here on is recognised as gen's.
func clearOut(dir string) error {
	old, err := oldOutput(dir)
	if err != nil {
		return err
	}
	mark := filepath.Join(dir, incompleteName)
	if err := os.WriteFile(mark, []byte("port0 gen is writing this folder, or was stopped before it finished; port0 gen -out replaces it whole\n"), 0o644); err != nil {
		return fmt.Errorf("cannot mark the output folder: %w", err)
	}
	for _, name := range old {
		if name == ManifestName {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("cannot replace the old manifest: %w", err)
			}
		}
	}
	for _, name := range old {
		if name == ManifestName || name == incompleteName {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot remove the earlier output: %w", err)
		}
	}
	return nil
}

// doneOut removes the mark of a run being written, once its manifest is.
func doneOut(dir string) error {
	if err := os.Remove(filepath.Join(dir, incompleteName)); err != nil {
		return fmt.Errorf("cannot remove %s: %w", incompleteName, err)
	}
	return nil
}
