package capture

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CheckInputs looks for two traps in a list of inputs and the output
// folder out of the run that reads them:
//
//   - an input given twice, under the same path (after filepath.Clean) or
//     under two names of one file or folder (os.SameFile: a symbolic or
//     hard link, a relative and an absolute path). Every packet of it
//     would be counted twice, so each scanner would seem to reach each
//     destination twice and look like a retrying client. Only its first
//     occurrence is kept; the warning says so ("read once").
//   - a file inside out (compared as absolute paths with symbolic links
//     resolved): the run writes its results there, so the input may be an
//     earlier run's output or be overwritten by this one. It is kept.
//     Folders are not checked against out, nor is anything when out is "".
//
// A command calls it twice: on its arguments with out "", so that a folder
// given twice makes one warning, and on the files ExpandInputs finds in
// what is left, with its output folder, which catches a file named on its
// own and found again in a named folder, and the inputs inside out.
//
// It returns the inputs to read, in their order, and one line per trap
// found, without a prefix (the command adds its own, such as
// "analyze: warning: "); none when there is none. "-" (standard input)
// given twice is a repeat too; inputs that cannot be found are compared by
// path alone, and reading them reports why.
func CheckInputs(inputs []string, out string) (kept, warnings []string) {
	outAbs := resolved(out)
	seen := map[string]string{}      // cleaned path -> the input kept under it
	bySize := map[int64][]fileSeen{} // inputs kept that exist, by size (os.SameFile within)
	for _, in := range inputs {
		clean := in
		if in != "-" {
			clean = filepath.Clean(in)
		}
		if first, ok := seen[clean]; ok {
			also := ""
			if first != in {
				also = " (also as " + first + ")"
			}
			warnings = append(warnings, fmt.Sprintf("%s appears twice among the inputs%s: %s; read once", in, also, twice))
			continue
		}
		var info os.FileInfo
		if in != "-" {
			info, _ = os.Stat(in)
		}
		if info != nil {
			if first := sameFile(bySize[info.Size()], info); first != "" {
				what := "file"
				if info.IsDir() {
					what = "folder"
				}
				warnings = append(warnings, fmt.Sprintf("%s is the same %s as %s: %s; read once", in, what, first, twice))
				continue
			}
			bySize[info.Size()] = append(bySize[info.Size()], fileSeen{in, info})
		}
		seen[clean] = in
		kept = append(kept, in)
		if info != nil && !info.IsDir() && outAbs != "" {
			if abs := resolved(in); abs != "" && within(abs, outAbs) {
				warnings = append(warnings, fmt.Sprintf("%s lies inside the output folder %s: it may be an earlier run's output, or be overwritten by this run; keep inputs and -out apart", in, out))
			}
		}
	}
	return kept, warnings
}

// twice is what reading an input twice does to a study.
const twice = "its packets would all be counted twice, making scanners look like retrying clients"

// fileSeen is an input kept and what os.Stat said of it.
type fileSeen struct {
	name string
	info os.FileInfo
}

// sameFile returns the name of the file in files that is info's file, or "".
func sameFile(files []fileSeen, info os.FileInfo) string {
	for _, f := range files {
		if os.SameFile(f.info, info) {
			return f.name
		}
	}
	return ""
}

// resolved is path as an absolute path with every symbolic link resolved,
// or "" when that cannot be done (the path does not exist).
func resolved(path string) string {
	if path == "" {
		return ""
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	r, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return ""
	}
	return r
}

// within reports whether path is dir or lies below it (both clean and
// absolute).
func within(path, dir string) bool {
	if path == dir {
		return true
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
