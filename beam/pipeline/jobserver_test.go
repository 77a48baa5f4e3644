package pipeline

import (
	"flag"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/universal"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/study"
)

// TestJobServer builds Prism's standalone job server from the Beam
// module, starts it as a process of its own on a free loopback port,
// submits the pipeline to it through the portable job API (--runner
// universal, the API Flink's and Spark's job servers speak) with the
// LOOPBACK environment (the SDK worker runs in this process), checks the
// outputs against port0 analyze's and stops the server.
func TestJobServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts a job server")
	}
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir) // LOOPBACK leaves a beamloopbackworker-* file there
	bin := filepath.Join(dir, "prism")
	build := exec.Command("go", "build", "-o", bin, "github.com/apache/beam/sdks/v2/go/cmd/prism")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building prism: %v\n%s", err, out)
	}
	port := freePort(t)
	srv := exec.Command(bin, "-job_port", strconv.Itoa(port), "-serve_http=false", "-log_level", "warn")
	srv.Stdout, srv.Stderr = os.Stderr, os.Stderr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Process.Kill()
		srv.Wait()
	})
	endpoint := "127.0.0.1:" + strconv.Itoa(port)
	waitListening(t, endpoint, 30*time.Second)
	setFlag(t, "endpoint", endpoint)
	setFlag(t, "environment_type", "LOOPBACK")

	inputs, err := capture.ExpandInputs([]string{filepath.Join(testcap.Root(), "testdata", "gen-sample"), testcap.CorpusDir()})
	if err != nil {
		t.Fatal(err)
	}
	o := analyze.Options{Study: study.DefaultOptions()}
	want := filepath.Join(dir, "analyze")
	analyzeInto(t, inputs, want, o)
	cfg := ConfigOf(o, filepath.Join(dir, "beam"), 2, 8)
	runPipeline(t, "universal", inputs, cfg)
	n := sameTree(t, "job server", want, cfg.Out)
	t.Logf("through the job server at %s: %d files the same as port0 analyze's", endpoint, n)
}

// freePort returns a TCP port free on the loopback interface.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitListening waits until addr accepts a connection.
func waitListening(t *testing.T, addr string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job server at %s did not listen within %v: %v", addr, limit, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// setFlag sets one of Beam's global flags for the test.
func setFlag(t *testing.T, name, value string) {
	t.Helper()
	f := flag.Lookup(name)
	if f == nil {
		t.Fatalf("no flag -%s", name)
	}
	old := f.Value.String()
	if err := flag.Set(name, value); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { flag.Set(name, old) })
}
