//go:build !unix

package capture

import "io/fs"

// fileKey identifies a file; on this system folders are compared with
// os.SameFile instead (keyOf says false).
type fileKey struct{}

func keyOf(fs.FileInfo) (fileKey, bool) { return fileKey{}, false }
