package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/port0/port0/internal/testcap"
)

// TestHelperPort0 is port0 itself when a test runs this binary with
// PORT0_HELPER_ARGS (the arguments, separated by \x1f): the helper-process
// pattern, for what a test cannot do in its own process (a signal, a file
// size limit). PORT0_HELPER_SPILL sets the spill's memory limit,
// PORT0_HELPER_FSIZE the largest file the process may write (RLIMIT_FSIZE:
// a full disk).
func TestHelperPort0(t *testing.T) {
	args := os.Getenv("PORT0_HELPER_ARGS")
	if args == "" {
		t.Skip("the port0 of other tests' child processes")
	}
	if s := os.Getenv("PORT0_HELPER_SPILL"); s != "" {
		testSpillLimit, _ = strconv.ParseInt(s, 10, 64)
	}
	if s := os.Getenv("PORT0_HELPER_FSIZE"); s != "" {
		n, _ := strconv.ParseUint(s, 10, 64)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
			t.Fatal(err)
		}
	}
	err := run(strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr)
	if err != nil {
		os.Stderr.WriteString("port0: " + err.Error() + "\n")
	}
	os.Exit(exitCode(err))
}

// helper is the command of a port0 child process with args and the
// environment env added (see TestHelperPort0).
func helper(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPort0$")
	cmd.Env = append(os.Environ(), "PORT0_HELPER_ARGS="+strings.Join(args, "\x1f"))
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

// port0Capture writes a capture of n port-0 packets (and as many others)
// to dir/name and returns its path.
func port0Capture(t *testing.T, dir, name string, n int) string {
	t.Helper()
	ps := make([]testcap.SyntheticPacket, 2*n)
	for i := range ps {
		ps[i] = testcap.SyntheticPacket{TS: 1700000000e9 + int64(i)*1e6, Src: 0x0a000000 + uint32(i%500), Port0: i%2 == 0}
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, testcap.Synthetic(ps), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// filesUnder lists every file and folder under dir, relative.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && path != dir {
			rel, _ := filepath.Rel(dir, path)
			names = append(names, rel)
		}
		return nil
	})
	return names
}

// noRead is a stdin that fails the test when read.
type noRead struct{ t *testing.T }

func (r noRead) Read([]byte) (int, error) {
	r.t.Error("standard input read")
	return 0, io.EOF
}

// TestStdinTwice: standard input named twice ("-" twice, "-" and
// /dev/stdin) is a usage error of analyze and study, in one line that says
// what to do, before anything is read.
func TestStdinTwice(t *testing.T) {
	good := filepath.Join(corpus, "pcap_us_le.pcap")
	for _, args := range [][]string{
		{"analyze", "-q", "-out", "OUT", "-", "-"},
		{"analyze", "-q", "-out", "OUT", "-", good, "/dev/stdin"},
		{"study", "-q", "-out", "OUT", "-", "-"},
	} {
		t.Run(strings.Join(args, "_"), func(t *testing.T) {
			dir := t.TempDir()
			args[3] = filepath.Join(dir, "out")
			var stderr bytes.Buffer
			err := run(args, noRead{t}, &stderr, &stderr)
			if code := exitCode(err); code != 2 || err == nil {
				t.Fatalf("exit %d (%v), want 2", code, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, args[0]+": standard input is given 2 times") || !strings.Contains(msg, "give - once") || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line naming standard input and the fix", msg)
			}
			if _, err := os.Stat(args[3]); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("-out made: %v", err)
			}
		})
	}
	// Once is fine.
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	if err := run([]string{"analyze", "-q", "-out", t.TempDir(), "-", good}, bytes.NewReader(data), &stderr, &stderr); err != nil {
		t.Errorf("- once: %v\n%s", err, stderr.String())
	}
}

// countingReader counts what is read of it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestOutCheckedFirst: an -out that cannot be written is an error in one
// line naming -out and the reason, before any input is read: a regular
// file (for root too), a read-only folder or a folder below one (not for
// root, whom permissions do not stop).
func TestOutCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(corpus, "pcap_us_le.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, out, why string
		root           bool // also when run as root
	}{
		{"file", file, "is a file, not a folder", true},
		{"below-file", filepath.Join(file, "sub"), "cannot make the folder: not a directory", true},
		{"read-only", ro, "cannot write in it: permission denied", false},
		{"below-read-only", filepath.Join(ro, "sub"), "cannot make the folder: permission denied", false},
	}
	for _, cmd := range []string{"analyze", "study"} {
		for _, c := range cases {
			t.Run(cmd+"_"+c.name, func(t *testing.T) {
				if !c.root && os.Geteuid() == 0 {
					t.Skip("root writes in read-only folders")
				}
				stdin := &countingReader{r: bytes.NewReader(data)}
				var stderr bytes.Buffer
				err := run([]string{cmd, "-q", "-out", c.out, "-"}, stdin, &stderr, &stderr)
				if err == nil {
					t.Fatal("no error")
				}
				want := cmd + ": -out " + c.out + ": " + c.why
				if msg := err.Error(); !strings.HasPrefix(msg, want) || strings.Contains(msg, "\n") {
					t.Errorf("error %q, want one line starting %q", msg, want)
				}
				if stdin.n != 0 {
					t.Errorf("%d bytes of input read before -out was found unwritable", stdin.n)
				}
			})
		}
	}
	if names := filesUnder(t, ro); len(names) != 0 {
		t.Errorf("left in the read-only folder: %v", names)
	}
}

// TestSignalRemovesTemporaryFiles: SIGTERM or SIGINT while analyze runs
// (its spill files written, standard input still open) removes the spill
// files and the outputs being written, and the process exits with 128 +
// the signal.
func TestSignalRemovesTemporaryFiles(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			tmp := filepath.Join(dir, "tmp")
			if err := os.Mkdir(tmp, 0o755); err != nil {
				t.Fatal(err)
			}
			in := port0Capture(t, dir, "in.pcap", 20000)
			out := filepath.Join(dir, "out")
			cmd := helper(t, []string{"TMPDIR=" + tmp, "PORT0_HELPER_SPILL=-1"}, "analyze", "-q", "-out", out, in, "-")
			stdin, err := cmd.StdinPipe() // held open: the run waits on it
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait for a spill file.
			deadline := time.Now().Add(30 * time.Second)
			for !hasSpill(t, tmp) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					cmd.Wait()
					t.Fatalf("no spill file in %s after 30 s; stderr:\n%s", tmp, stderr.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 128+int(sig) {
				t.Errorf("exit: %v, want status %d; stderr:\n%s", err, 128+int(sig), stderr.String())
			}
			if !strings.Contains(stderr.String(), "analyze: stopped by") {
				t.Errorf("stderr %q: want the stop said", stderr.String())
			}
			if names := filesUnder(t, tmp); len(names) != 0 {
				t.Errorf("left in $TMPDIR: %v", names)
			}
			for _, name := range filesUnder(t, out) {
				if strings.HasSuffix(name, ".tmp") {
					t.Errorf("left in -out: %s", name)
				}
			}
		})
	}
}

// hasSpill reports whether a spill file is under dir.
func hasSpill(t *testing.T, dir string) bool {
	for _, name := range filesUnder(t, dir) {
		if strings.HasPrefix(filepath.Base(name), "port0-records-") {
			return true
		}
	}
	return false
}

// TestFullDiskNoHalfTable: a run whose writes fail midway (the files it
// may write limited to 64 KiB: a full disk, as the process sees it) ends
// in an error naming the table and leaves neither the table under its
// final name nor a temporary file; a summary.json that cannot be written
// is not left either, nor its .tmp.
func TestFullDiskNoHalfTable(t *testing.T) {
	dir := t.TempDir()
	in := port0Capture(t, dir, "in.pcap", 5000) // packets.csv ~600 KB
	for _, c := range []struct {
		name    string
		fsize   string
		args    []string
		missing []string // outputs that must not be there
		names   string   // the file the error names
	}{
		{"packets", "65536", nil, []string{"packets.csv"}, "packets.csv"},
		{"summary", "512", []string{"-count-only"}, []string{"summary.json"}, "summary.json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, c.name)
			args := append(append([]string{"analyze", "-q"}, c.args...), "-out", out, in)
			cmd := helper(t, []string{"PORT0_HELPER_FSIZE=" + c.fsize}, args...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1; stderr:\n%s", err, stderr.String())
			}
			want := filepath.Join(out, c.names) + ": file too large"
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr %q: want %q", stderr.String(), want)
			}
			for _, name := range filesUnder(t, out) {
				if strings.HasSuffix(name, ".tmp") {
					t.Errorf("left in -out: %s", name)
				}
			}
			for _, name := range c.missing {
				if _, err := os.Stat(filepath.Join(out, name)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s: %v, want none", name, err)
				}
			}
		})
	}
}
