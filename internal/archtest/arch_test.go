// Package archtest holds the tests of the module's structure: which
// package may import which (issue 12's one stage, one package).
package archtest

import (
	"bufio"
	"go/build"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/port0/port0"

// root is the module's top folder.
func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// pkg is one package of the module, from its non-test files.
type pkg struct {
	path    string   // import path
	dir     string   // folder
	imports []string // direct imports, non-test files
	files   []string // non-test .go files
}

// loadModule reads every package of the module (the main module only:
// the Beam module and other nested modules are left out).
func loadModule(t *testing.T) map[string]*pkg {
	t.Helper()
	top := root()
	pkgs := map[string]*pkg{}
	err := filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if p != top && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bin" || name == "out" || name == "results") {
			return filepath.SkipDir
		}
		if p != top {
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		bp, err := build.ImportDir(p, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(top, p)
		ip := module
		if rel != "." {
			ip += "/" + filepath.ToSlash(rel)
		}
		pkgs[ip] = &pkg{path: ip, dir: p, imports: bp.Imports, files: bp.GoFiles}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages below %s", len(pkgs), top)
	}
	return pkgs
}

// deps returns every package p imports, directly or not (its non-test
// files; outside packages are listed but not followed).
func deps(pkgs map[string]*pkg, p string) map[string]bool {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(q string) {
		for _, i := range pkgs[q].imports {
			if seen[i] {
				continue
			}
			seen[i] = true
			if pkgs[i] != nil {
				walk(i)
			}
		}
	}
	walk(p)
	return seen
}

func short(p string) string { return strings.TrimPrefix(p, module+"/") }

// gopacketAllowed are the packages that may import gopacket: the
// reference decoder, the tests' packet builder, and the tool that writes
// the committed corpus (with pcapgo, a writer independent of our reader).
var gopacketAllowed = map[string]bool{"reference": true, "internal/pkttest": true, "analyze/internal/mkcorpus": true}

// TestStages checks the stages' imports: the analysis of real captures
// never links the generator, gopacket is the reference decoder's alone,
// the test-support packages are linked by tests only, and no stage imports
// a later one.
func TestStages(t *testing.T) {
	pkgs := loadModule(t)
	const gopacket = "github.com/google/gopacket"
	// The analysis stages, in data-flow order: a stage may import earlier
	// ones only.
	order := []string{"label", "capture", "decode", "classify", "sketch", "scan", "flowscan", "tables", "study", "analyze"}
	pos := map[string]int{}
	for i, s := range order {
		pos[module+"/"+s] = i
		if pkgs[module+"/"+s] == nil {
			t.Fatalf("no package %s", s)
		}
	}
	for path := range pkgs {
		d := deps(pkgs, path)
		var gp []string
		for q := range d {
			if q == gopacket || strings.HasPrefix(q, gopacket+"/") {
				gp = append(gp, q)
			}
		}
		direct := slices.ContainsFunc(pkgs[path].imports, func(q string) bool { return strings.HasPrefix(q, gopacket) })
		switch {
		case direct && !gopacketAllowed[short(path)]:
			t.Errorf("%s imports gopacket: only %v may", short(path), gopacketAllowed)
		case len(gp) > 0 && isStage(pos, path):
			t.Errorf("%s links gopacket (%v): an analysis stage must not", short(path), gp)
		}
		if i, ok := pos[path]; ok {
			if d[module+"/gen"] {
				t.Errorf("%s links gen: the analysis of real captures must not link the generator (only validate and the tools above it may)", short(path))
			}
			for q := range d {
				if j, ok := pos[q]; ok && j > i {
					t.Errorf("%s imports %s, a later stage", short(path), short(q))
				}
			}
		}
		for _, q := range []string{"internal/testcap", "internal/pkttest"} {
			if d[module+"/"+q] {
				t.Errorf("%s links %s, which is for tests only", short(path), q)
			}
		}
	}
	if d := deps(pkgs, module+"/reference"); d[module+"/scan"] || d[module+"/study"] {
		t.Errorf("reference links the scan or the study; it checks the decoder only")
	}
}

// TestNoCycles checks that the import graph of the module's packages has
// no cycle (the compiler refuses one too; this names it).
func TestNoCycles(t *testing.T) {
	pkgs := loadModule(t)
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(string)
	visit = func(p string) {
		color[p] = grey
		stack = append(stack, p)
		for _, q := range pkgs[p].imports {
			if pkgs[q] == nil {
				continue
			}
			switch color[q] {
			case grey:
				i := slices.Index(stack, q)
				t.Errorf("import cycle: %v", append(slices.Clone(stack[i:]), q))
			case white:
				visit(q)
			}
		}
		stack = stack[:len(stack)-1]
		color[p] = black
	}
	paths := make([]string, 0, len(pkgs))
	for p := range pkgs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if color[p] == white {
			visit(p)
		}
	}
}

// TestPackageSize checks that no package holds more than a quarter of the
// module's non-test lines (the old analyze package held 43 %), and that
// every package has a package comment in a doc.go.
func TestPackageSize(t *testing.T) {
	pkgs := loadModule(t)
	lines := map[string]int{}
	total := 0
	for path, p := range pkgs {
		for _, f := range p.files {
			n := countLines(t, filepath.Join(p.dir, f))
			lines[path] += n
			total += n
		}
	}
	for path, n := range lines {
		if 4*n > total {
			t.Errorf("%s holds %d of %d non-test lines (%.0f %%): more than a quarter", short(path), n, total, 100*float64(n)/float64(total))
		}
		if path == module+"/cmd/port0" || strings.HasPrefix(path, module+"/internal/") || strings.Contains(path, "/internal/") {
			continue
		}
		if _, err := os.Stat(filepath.Join(pkgs[path].dir, "doc.go")); err != nil {
			t.Errorf("%s has no doc.go saying its place in the flow", short(path))
		}
	}
	t.Logf("%d non-test lines in %d packages", total, len(lines))
}

func countLines(t *testing.T, name string) int {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
	}
	return n
}

func isStage(pos map[string]int, p string) bool {
	_, ok := pos[p]
	return ok
}
