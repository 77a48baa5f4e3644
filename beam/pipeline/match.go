package pipeline

import (
	"context"
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
// matched in lexical order and each match expanded so; an input that does
// not exist stays, to be reported as a read error of its own. A URL
// (scheme://…) is listed by the Beam filesystem of its scheme, which the
// binary must link (gs:// is; s3:// with the aws filesystem package), and
// its matches are taken in lexical order.
func Match(ctx context.Context, args []string) ([]string, error) {
	var inputs []string
	for _, arg := range args {
		if IsURL(arg) {
			fs, err := filesystem.New(ctx, arg)
			if err != nil {
				return nil, err
			}
			list, err := fs.List(ctx, arg)
			fs.Close()
			if err != nil {
				return nil, err
			}
			slices.Sort(list)
			inputs = append(inputs, list...)
			continue
		}
		paths := []string{arg}
		if strings.ContainsAny(arg, "*?[") {
			if m, err := filepath.Glob(arg); err == nil && len(m) > 0 {
				paths = m // sorted by filepath.Glob
			}
		}
		for _, p := range paths {
			in, err := capture.ExpandInputs([]string{p})
			if err != nil {
				in = []string{p}
			}
			inputs = append(inputs, in...)
		}
	}
	return inputs, nil
}
