package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"

	"github.com/port0/port0/capture"
)

// Match expands the command line's inputs, in the driver, into the list
// of captures port0 analyze would read, in the same order: a local file
// as given, a folder walked as capture.ExpandInputs walks it, a glob
// (quoted, so that the shell leaves it: '/data/year=2019/month=*/day=*/hour=*/*.pcap.gz')
// matched in lexical order and each match expanded so; a named input that
// does not exist stays, to be reported as a read error of its own.
//
// A URL (scheme://…) is listed by the Beam filesystem of its scheme,
// which the binary must link (port0-beam links gs:// and s3://), and its
// matches are taken in lexical order. A URL without glob characters names
// one object, kept whatever it holds, as a local file is; the matches of
// a glob URL are filtered as the files of a local folder are: an object
// named like a capture (.pcap, .pcapng, .cap, with .gz, .zst or .zstd
// after) is kept, another only when it starts like one (its first bytes
// read through the filesystem), or cannot be opened. A glob or URL that
// matches nothing, or a glob URL none of whose matches is a capture, is
// an error naming it. The warnings are capture.ExpandInputsWarn's about
// the local folders' entries (port0 analyze's).
func Match(ctx context.Context, args []string) (inputs, warnings []string, err error) {
	for _, arg := range args {
		if IsURL(arg) {
			list, err := matchURL(ctx, arg)
			if err != nil {
				return nil, warnings, err
			}
			inputs = append(inputs, list...)
			continue
		}
		paths := []string{arg}
		if isGlob(arg) {
			m, err := filepath.Glob(arg)
			if err != nil {
				return nil, warnings, fmt.Errorf("%s: %w", arg, err)
			}
			if len(m) == 0 {
				if _, err := os.Lstat(arg); err != nil {
					return nil, warnings, fmt.Errorf("%s: no file matches it", arg)
				}
				m = []string{arg} // a file whose name holds *, ? or [
			}
			paths = m // sorted by filepath.Glob
		}
		for _, p := range paths {
			in, more, err := capture.ExpandInputsWarn([]string{p})
			warnings = append(warnings, more...)
			if err != nil {
				in = []string{p}
			}
			inputs = append(inputs, in...)
		}
	}
	return inputs, warnings, nil
}

// isGlob reports whether a path or URL holds a glob's characters.
func isGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

// matchURL lists url through its filesystem and keeps its captures.
func matchURL(ctx context.Context, url string) ([]string, error) {
	fs, err := filesystem.New(ctx, url)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	list, err := fs.List(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	if len(list) == 0 {
		if !isGlob(url) {
			return nil, fmt.Errorf("%s: no such object (a folder? list it with a glob: %s/**)", url, strings.TrimSuffix(url, "/"))
		}
		return nil, fmt.Errorf("%s: matches nothing", url)
	}
	slices.Sort(list)
	if !isGlob(url) {
		return list, nil
	}
	kept := list[:0:0]
	for _, name := range list {
		if strings.HasSuffix(name, "/") {
			continue // a folder's placeholder object
		}
		if capture.NamedLikeCapture(name) || startsLikeCapture(ctx, fs, name) {
			kept = append(kept, name)
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("%s: matches %d objects, none of them a capture (named .pcap, .pcapng or .cap, possibly compressed, or starting with a capture's magic number)", url, len(list))
	}
	return kept, nil
}

// startsLikeCapture reports whether the object name starts like a capture
// (capture.StartsLikeCapture), or cannot be opened, so that reading it
// says why.
func startsLikeCapture(ctx context.Context, fs filesystem.Interface, name string) bool {
	r, err := fs.OpenRead(ctx, name)
	if err != nil {
		return true
	}
	defer r.Close()
	return capture.StartsLikeCapture(r)
}
