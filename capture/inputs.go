package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/port0/port0/flows/nfcapd"
)

// ExpandInputs is ExpandInputsWarn printing its warnings on standard
// error, one line each starting "warning: ", for the callers that do not
// keep them: an entry not read is never skipped without a word.
func ExpandInputs(args []string) ([]string, error) {
	inputs, warnings, err := ExpandInputsWarn(args)
	for _, w := range warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	return inputs, err
}

// ExpandInputsWarn turns command-line inputs into a list of captures to
// read, and says what it leaves out that could hold packets.
//
// Files are kept as given (whatever their content, so a bad file is
// reported when it is read; a FIFO or a device named on its own is read
// too), "-" is kept and means standard input, and folders are walked
// recursively in lexical order, skipping hidden files and folders (names
// starting with "."). Symbolic links are followed, to folders as to files,
// whether given as an input or found inside a folder: a folder reached a
// second time — a link back to a folder that contains it (a loop), two
// links to one folder, a link to a folder also walked under its own name,
// within one call — is walked once, and each repeat is named in a warning.
//
// Inside folders the files that look like captures are kept: named like
// one (.pcap, .pcapng, .cap, possibly with .gz, .zst or .zstd after), or
// starting with a pcap, modified-pcap or pcapng magic number, possibly
// behind gzip or zstd, or nfdump's nfcapd files of flow records (by their
// magic), or unreadable — a file that cannot be opened, a subfolder that
// cannot be listed, a link that leads nowhere — so that reading them says
// why (a read error); truth files, manifests and READMEs next to the
// shards are ignored. The entries that are not files — FIFOs, sockets,
// devices — are not read (reading a FIFO may never end) and each is named
// in a warning, which says how to read it. Duplicates are not removed (see
// CheckInputs).
//
// The warnings are one line each, without a prefix (the command adds its
// own, such as "analyze: warning: "), for stderr and summary.json's
// "warnings". The error is that of an input that cannot be found, or of a
// folder given as an input that cannot be listed; inputs is nil then, the
// warnings found so far are returned.
func ExpandInputsWarn(args []string) (inputs, warnings []string, err error) {
	w := walker{seen: map[fileKey]string{}}
	for _, arg := range args {
		if arg == "-" {
			w.out = append(w.out, arg)
			continue
		}
		info, err := os.Stat(arg)
		if err != nil {
			return nil, w.warnings, err
		}
		if !info.IsDir() {
			w.out = append(w.out, arg)
			continue
		}
		if !w.enter(arg, info) {
			continue
		}
		err = w.walk(arg, info, true)
		w.leave()
		if err != nil {
			return nil, w.warnings, err
		}
	}
	return w.out, w.warnings, nil
}

// walker walks the input folders of one ExpandInputsWarn call.
type walker struct {
	out, warnings []string
	// seen holds the folders entered, by identity, with the path each was
	// first entered under; seenList is for systems without a file key.
	seen     map[fileKey]string
	seenList []fileSeen
	// stack is the folders being walked, outermost first: a repeat among
	// them is a loop.
	stack []fileSeen
}

// enter records folder path, of info, as walked; false when it was walked
// already, with a warning naming the repeat.
func (w *walker) enter(path string, info fs.FileInfo) bool {
	first := ""
	key, ok := keyOf(info)
	if ok {
		first = w.seen[key]
	} else {
		first = sameFile(w.seenList, info)
	}
	if first == "" {
		if ok {
			w.seen[key] = path
		} else {
			w.seenList = append(w.seenList, fileSeen{path, info})
		}
		w.stack = append(w.stack, fileSeen{path, info})
		return true
	}
	if anc := sameFile(w.stack, info); anc != "" {
		w.warnings = append(w.warnings, fmt.Sprintf("%s leads back to %s, a folder that holds it (a loop of symbolic links): not walked again", path, anc))
	} else {
		w.warnings = append(w.warnings, fmt.Sprintf("%s is the same folder as %s (a symbolic link): walked once, as %s", path, first, first))
	}
	return false
}

// leave ends the walk of the innermost folder entered.
func (w *walker) leave() { w.stack = w.stack[:len(w.stack)-1] }

// walk adds what folder dir (entered) holds. An error listing dir is
// returned when it is an input (root); a subfolder that cannot be listed
// is kept as an input instead, so that reading it says why.
func (w *walker) walk(dir string, info fs.FileInfo, root bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if root {
			return err
		}
		w.out = append(w.out, dir)
		return nil
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		typ := e.Type()
		var fi fs.FileInfo
		if typ&fs.ModeSymlink != 0 || typ&fs.ModeDir != 0 {
			// Where a link leads (os.Stat follows it); a link that leads
			// nowhere is kept, so that reading it says why.
			if fi, err = os.Stat(path); err != nil {
				w.out = append(w.out, path)
				continue
			}
			typ = fi.Mode().Type()
		}
		switch {
		case typ.IsDir():
			if !w.enter(path, fi) {
				continue
			}
			err := w.walk(path, fi, false)
			w.leave()
			if err != nil {
				return err
			}
		case typ&(fs.ModeNamedPipe|fs.ModeSocket|fs.ModeDevice|fs.ModeIrregular) != 0:
			w.warnings = append(w.warnings, fmt.Sprintf("%s is %s, not a file: not read (name it as an input of its own to read it)", path, kindOf(typ)))
		default:
			if looksLikeCapture(path) {
				w.out = append(w.out, path)
			}
		}
	}
	return nil
}

// kindOf names a file type that is not a regular file or a folder.
func kindOf(typ fs.FileMode) string {
	switch {
	case typ&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case typ&fs.ModeSocket != 0:
		return "a socket"
	case typ&fs.ModeCharDevice != 0:
		return "a character device"
	case typ&fs.ModeDevice != 0:
		return "a block device"
	}
	return "of an unknown type"
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
// capture is skipped without a word. Other than regular files are not
// captures (ExpandInputsWarn names the FIFOs, sockets and devices it finds,
// and walks the folders).
func looksLikeCapture(path string) bool {
	info, err := os.Stat(path)
	if err != nil {
		return true
	}
	if !info.Mode().IsRegular() {
		return false
	}
	if NamedLikeCapture(path) {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	defer f.Close()
	return StartsLikeCapture(f)
}

// NamedLikeCapture reports whether the last element of name (a path or a
// URL) ends like a capture's: captureExts, optionally followed by .gz,
// .zst or .zstd, in any case.
func NamedLikeCapture(name string) bool {
	name = strings.ToLower(name)
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	for _, z := range []string{".gz", ".zst", ".zstd"} {
		name = strings.TrimSuffix(name, z)
	}
	for _, ext := range captureExts {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// StartsLikeCapture reports whether r starts with a pcap, modified-pcap or
// pcapng magic number or an nfcapd file's, looking through gzip and zstd
// (a zstd frame that asks for more than DefaultZstdWindow counts, so that
// its reader says what it needs rather than the file being skipped). It
// reads at most a few KiB of r when compressed, 4 bytes otherwise.
func StartsLikeCapture(r io.Reader) bool {
	br := bufio.NewReader(r)
	r = br
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
