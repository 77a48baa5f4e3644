package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// reportedModules are the libraries whose versions a bug report needs:
// the results depend on them.
var reportedModules = []string{
	"github.com/google/gopacket",
	"github.com/klauspost/compress",
	"github.com/parquet-go/parquet-go",
	"gonum.org/v1/gonum",
	"gonum.org/v1/plot",
}

// buildInfo is what the binary knows of how it was built: the module's
// version, the VCS revision and whether the tree was modified, the Go
// version, and the versions of reportedModules that it links.
type buildInfo struct {
	Version, Revision, Time string
	Modified                bool
	Go                      string
	Deps                    []string // "path version", in reportedModules order
}

// readBuildInfo reads the binary's build information (all "unknown" in a
// binary built without it).
func readBuildInfo() buildInfo {
	b := buildInfo{Version: "unknown", Revision: "unknown", Go: "unknown"}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Version, b.Go = bi.Main.Version, bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	for _, want := range reportedModules {
		for _, m := range bi.Deps {
			if m.Path == want {
				v := m.Version
				if m.Replace != nil {
					v += " => " + m.Replace.Path + " " + m.Replace.Version
				}
				b.Deps = append(b.Deps, m.Path+" "+v)
			}
		}
	}
	return b
}

// write prints the build information, one item a line.
func (b buildInfo) write(w io.Writer) {
	rev := b.Revision
	if b.Modified {
		rev += " (modified)"
	}
	if b.Time != "" {
		rev += ", " + b.Time
	}
	fmt.Fprintf(w, "port0 %s\nrevision: %s\ngo: %s\n", b.Version, rev, b.Go)
	for _, d := range b.Deps {
		fmt.Fprintln(w, "module:", d)
	}
}

// deps lists the reported modules' versions on one line.
func (b buildInfo) deps() string {
	if len(b.Deps) == 0 {
		return "unknown (no build information)"
	}
	return strings.Join(b.Deps, ", ")
}

// runVersion prints the build information (port0 version, port0 -version).
func runVersion(args []string, env *cmdEnv) error {
	fs := newFlagSet("version", "", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &exitStatus{2, fmt.Errorf("version: unexpected argument %q", fs.Arg(0))}
	}
	readBuildInfo().write(env.stdout)
	return nil
}
