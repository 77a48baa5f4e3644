//go:build unix

package capture

import (
	"io/fs"
	"syscall"
)

// fileKey identifies a file: its device and inode numbers.
type fileKey struct{ dev, ino uint64 }

// keyOf returns the identity of the file info describes, or false when
// the system does not say it.
func keyOf(info fs.FileInfo) (fileKey, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fileKey{}, false
	}
	return fileKey{uint64(st.Dev), uint64(st.Ino)}, true
}
