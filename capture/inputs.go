package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/port0/port0/flows/nfcapd"
)

// ExpandInputs turns command-line inputs into a list of captures to read.
// Files are kept as given (whatever their content, so a bad file is reported
// when it is read), "-" is kept and means standard input, and folders are
// walked recursively in lexical order (filepath.WalkDir), skipping hidden
// files and folders (names starting with "."). Inside folders the files
// that look like captures are kept: named like one (.pcap, .pcapng, .cap,
// possibly with .gz, .zst or .zstd after), or starting with a pcap,
// modified-pcap or pcapng magic number, possibly behind gzip or zstd, or
// nfdump's nfcapd files of flow records (by their magic), or
// unreadable (so that reading them says why); truth files, manifests and
// READMEs next to the shards are ignored. Duplicates are not removed.
func ExpandInputs(args []string) ([]string, error) {
	var out []string
	for _, arg := range args {
		if arg == "-" {
			out = append(out, arg)
			continue
		}
		info, err := os.Stat(arg)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, arg)
			continue
		}
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil && path != arg {
				// A subfolder that cannot be listed stays an input, so
				// that reading it reports why; the walk goes on.
				out = append(out, path)
				if d != nil && d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if err != nil {
				return err
			}
			if path != arg && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if looksLikeCapture(path) {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// captureExts are the file name endings (before .gz, .zst or .zstd) of
// captures: a file so named is one, whatever it holds, and is read and
// reported if it cannot be.
var captureExts = []string{".pcap", ".pcapng", ".cap"}

// looksLikeCapture reports whether the file at path is to be read as a
// capture: it is named like one (captureExts, optionally compressed), or
// it starts with a pcap, modified-pcap or pcapng magic number, looking
// through gzip and zstd (a zstd file whose first frame asks for more than
// DefaultZstdWindow is kept without looking, so that its reader says what
// it needs rather than the file being skipped). A file that cannot be
// opened is kept, so that reading it reports why: nothing that may be a
// capture is skipped without a word. Non-regular files (devices, sockets,
// symlinks to folders) are not captures.
func looksLikeCapture(path string) bool {
	info, err := os.Stat(path)
	if err != nil {
		return true
	}
	if !info.Mode().IsRegular() {
		return false
	}
	name := strings.ToLower(filepath.Base(path))
	for _, z := range []string{".gz", ".zst", ".zstd"} {
		name = strings.TrimSuffix(name, z)
	}
	for _, ext := range captureExts {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	head, _ := br.Peek(4)
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		gz, err := gzip.NewReader(br)
		if err != nil {
			return false
		}
		r = gz
	case isZstd(head):
		zr, err := newZstdReader(br, DefaultZstdWindow)
		var we *windowError
		if errors.As(err, &we) {
			// Not decoded here: the reader, with ReadOptions.ZstdWindow,
			// decodes it or says how much window it needs.
			return true
		}
		if err != nil {
			return false
		}
		defer zr.Close()
		r = zr
	}
	var m [4]byte
	if _, err := io.ReadFull(r, m[:]); err != nil {
		return false
	}
	if nfcapd.Sniff(m[:]) {
		return true // flow records of nfdump: analyze reads them as flows
	}
	switch binary.BigEndian.Uint32(m[:]) {
	case pcapMagicUs, pcapMagicUsSwapped, pcapMagicNs, pcapMagicNsSwapped, pcapMagicKuz, pcapMagicKuzSwapped, ngSHB:
		return true
	}
	return false
}
