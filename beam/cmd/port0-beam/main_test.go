package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/study"
)

// TestUsage checks the exit status and message of bad command lines: 2
// and the flag named, before any pipeline runs.
func TestUsage(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(testcap.Root(), "testdata", "gen-sample")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{good}, "-out is required"},
		{[]string{"-out", dir}, "no input given"},
		{[]string{"-out", dir, "-shards", "0", good}, "-shards 0"},
		{[]string{"-out", dir, "-splits", "0", good}, "-splits 0"},
		{[]string{"-out", dir, "-memlimit", "0", good}, "-memlimit 0"},
		{[]string{"-out", dir, "-interval", "7m", good}, "-interval 7m"},
		{[]string{"-out", dir, "-telescope", "nonsense", good}, "-telescope"},
		{[]string{"-out", dir, "-workers", "-1", good}, "-workers -1"},
		{[]string{"-out", dir, "-"}, "standard input"},
		{[]string{"-out", dir, "-no-such-flag", good}, "no-such-flag"},
		// -out is checked before any input is read.
		{[]string{"-out", file, good}, "is a file, not a folder"},
		{[]string{"-out", filepath.Join(file, "sub"), good}, "cannot make the folder"},
		{[]string{"-out", "s3:///analysis", good}, "no bucket"},
		{[]string{"-out", "nosuchscheme://b/analysis", good}, "not registered"},
		{[]string{"-out", "gs://b/analysis/*", good}, "a glob"},
		// The job server listens on loopback only.
		{[]string{"-job-server", "0.0.0.0:0"}, "loopback"},
		{[]string{"-job-server", ":8073"}, "loopback"},
		{[]string{"-job-server", "192.0.2.1:8073"}, "loopback"},
	} {
		var stderr bytes.Buffer
		if code := run(c.args, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, lastLine(stderr.String()), c.want)
		}
	}
}

// TestRun runs the binary's command on a glob of the sample's shards on
// Prism in-process: exit 0, the files port0 analyze writes for the same
// inputs; an input that does not exist alone: exit 1, its read error.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	glob := filepath.Join(testcap.Root(), "testdata", "gen-sample", "*.pcap")
	inputs, _ := filepath.Glob(glob)
	if len(inputs) != 2 {
		t.Fatalf("%s: %d files", glob, len(inputs))
	}
	want := filepath.Join(dir, "analyze")
	if _, err := analyze.Run(inputs, nil, want, analyze.Options{Study: study.DefaultOptions()}); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	got := filepath.Join(dir, "beam")
	if code := run([]string{"-q", "-workers", "2", "-memlimit", "1", "-shards", "3", "-splits", "5", "-out", got, glob}, &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	sameAnalysis(t, want, got)
	stderr.Reset()
	missing := filepath.Join(dir, "missing.pcap")
	if code := run([]string{"-q", "-out", filepath.Join(dir, "none"), missing}, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "no input could be read") || !strings.Contains(stderr.String(), missing) {
		t.Errorf("a missing input: exit %d, stderr:\n%s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "none", analyze.SummaryFile)); err != nil {
		t.Errorf("no summary.json for the missing input: %v", err)
	}
}

// TestRepeatedInputs: an input given twice (a file named, and again in
// its folder) is read once with a warning on stderr and in summary.json,
// as port0 analyze reads it: the same bytes as analyze.Run of the inputs
// kept with those warnings.
func TestRepeatedInputs(t *testing.T) {
	dir := t.TempDir()
	sample := filepath.Join(testcap.Root(), "testdata", "gen-sample")
	first := filepath.Join(sample, "2016-01-01.pcap")
	args := []string{first, first, sample}
	kept, warnings := capture.CheckInputs(args, "")
	expanded, err := capture.ExpandInputs(kept)
	if err != nil {
		t.Fatal(err)
	}
	inputs, more := capture.CheckInputs(expanded, filepath.Join(dir, "beam"))
	warnings = append(warnings, more...)
	if len(inputs) != 2 || len(warnings) != 2 {
		t.Fatalf("inputs %q, warnings %q: want 2 of each", inputs, warnings)
	}
	want := filepath.Join(dir, "analyze")
	if _, err := analyze.Run(inputs, nil, want, analyze.Options{Study: study.DefaultOptions(), Warnings: warnings}); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	got := filepath.Join(dir, "beam")
	if code := run(append([]string{"-q", "-out", got}, args...), &stderr); code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	if n := strings.Count(stderr.String(), "port0-beam: warning:"); n != 2 {
		t.Errorf("%d warnings on stderr, want 2:\n%s", n, stderr.String())
	}
	sameAnalysis(t, want, got)
}

// sameAnalysis fails unless the analysis folders want (port0 analyze's)
// and got (port0-beam's) hold the same files, at least 5, byte for byte.
func sameAnalysis(t *testing.T, want, got string) {
	t.Helper()
	a, b := testcap.Tree(t, want), testcap.Tree(t, got)
	if len(a) != len(b) || len(a) < 5 {
		t.Fatalf("%d files from analyze, %d from port0-beam", len(a), len(b))
	}
	for name, x := range a {
		if !bytes.Equal(x, b[name]) {
			t.Errorf("%s differs", name)
		}
	}
}

// TestMatchesNothing: a glob or a URL that matches nothing is an error
// naming it (exit 1), before the pipeline runs and before -out is made.
func TestMatchesNothing(t *testing.T) {
	dir := t.TempDir()
	for _, in := range []string{filepath.Join(dir, "year=*", "*.pcap"), "memfs://nothing/year=*/*.pcap"} {
		var stderr bytes.Buffer
		if code := run([]string{"-q", "-out", filepath.Join(dir, "out"), in}, &stderr); code != 1 || !strings.Contains(stderr.String(), in) {
			t.Errorf("%s: exit %d, stderr:\n%s", in, code, stderr.String())
		}
	}
}

// TestSubmitOnly: with --async (through a job server) or --dry_run
// (Dataflow's, which submits nothing), port0-beam returns once the job is
// submitted, exit 0, instead of reading a summary.json still to come.
func TestSubmitOnly(t *testing.T) {
	restoreFlags(t)
	dir := t.TempDir()
	glob := filepath.Join(testcap.Root(), "testdata", "gen-sample", "*.pcap")
	// Left to the end of the process: its job never ends, its worker
	// being /bin/true (LOOPBACK's would be gone with the submitter's
	// return, which Prism does not survive).
	s, err := prism.ServeLoopback("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"async": {"--runner", "universal", "--endpoint", s.Endpoint(), "--async",
			"--environment_type", "PROCESS", "--environment_config", `{"command":"/bin/true"}`, "--worker_binary", self,
			"-out", filepath.Join(dir, "async"), glob},
		"dry_run": {"--runner", "dataflow", "--dry_run", "--environment_type", "DOCKER", "--project", "p", "--region", "europe-west1",
			"--staging_location", "gs://b/staging", "--temp_location", "gs://b/tmp", "--worker_binary", self,
			"-out", "gs://b/analysis", glob},
	} {
		var stderr bytes.Buffer
		done := make(chan int, 1)
		go func() { done <- run(args, &stderr) }()
		select {
		case code := <-done:
			if code != 0 || !strings.Contains(stderr.String(), "job submitted") {
				t.Errorf("%s: exit %d, stderr:\n%s", name, code, lastLine(stderr.String()))
			}
		case <-time.After(2 * time.Minute):
			t.Fatalf("%s: port0-beam did not return within 2 minutes", name)
		}
		restoreFlags(t)
	}
}

// restoreFlags sets Beam's global flags, which run's arguments change,
// back to their values now at the end of the test.
func restoreFlags(t *testing.T) {
	old := map[string]string{}
	flag.VisitAll(func(f *flag.Flag) { old[f.Name] = f.Value.String() })
	t.Cleanup(func() {
		for name, v := range old {
			if flag.Lookup(name).Value.String() != v {
				flag.Set(name, v)
			}
		}
	})
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
