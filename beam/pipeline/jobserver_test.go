package pipeline

import (
	"bufio"
	"encoding/json"
	"flag"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/universal"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/study"
)

// TestJobServer builds port0-beam, starts it as a Prism job server of its
// own (port0-beam -job-server 127.0.0.1:0, loopback only) and submits the
// pipeline to it through the portable job API (--runner universal, the
// API Flink's and Spark's job servers speak): with the LOOPBACK
// environment (the SDK worker runs in this process), then with the
// PROCESS environment, as a Flink cluster runs Go workers without Docker:
// the job server starts port0-beam itself as the command, which asks the
// provision service for its endpoints and runs as the SDK worker. Each
// time the outputs are port0 analyze's.
func TestJobServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts a job server")
	}
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir) // LOOPBACK leaves a beamloopbackworker-* file there
	bin := filepath.Join(dir, "port0-beam")
	// Without DWARF (-w) the linker of a binary this size peaks at
	// 1.18 GB, not 1.33: make test stays well within 2 GB.
	build := exec.Command("go", "build", "-ldflags=-w", "-o", bin, "github.com/port0/port0/beam/cmd/port0-beam")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building port0-beam: %v\n%s", err, out)
	}
	endpoint := startJobServer(t, bin)
	setFlag(t, "endpoint", endpoint)

	inputs, err := capture.ExpandInputs([]string{filepath.Join(testcap.Root(), "testdata", "gen-sample"), testcap.CorpusDir()})
	if err != nil {
		t.Fatal(err)
	}
	o := analyze.Options{Study: study.DefaultOptions()}
	want := filepath.Join(dir, "analyze")
	analyzeInto(t, inputs, want, o)

	t.Run("LOOPBACK", func(t *testing.T) {
		setFlag(t, "environment_type", "LOOPBACK")
		cfg := ConfigOf(o, filepath.Join(dir, "loopback"), 2, 8)
		runPipeline(t, "universal", inputs, cfg)
		n := sameTree(t, "job server, LOOPBACK", want, cfg.Out)
		t.Logf("through the job server at %s, LOOPBACK: %d files the same as port0 analyze's", endpoint, n)
	})
	t.Run("PROCESS", func(t *testing.T) {
		command, _ := json.Marshal(map[string]string{"command": bin})
		setFlag(t, "environment_type", "PROCESS")
		setFlag(t, "environment_config", string(command))
		// Staged as the job's artifact (else the runner would build one);
		// the command is the worker already.
		setFlag(t, "worker_binary", bin)
		cfg := ConfigOf(o, filepath.Join(dir, "process"), 2, 8)
		runPipeline(t, "universal", inputs, cfg)
		n := sameTree(t, "job server, PROCESS", want, cfg.Out)
		t.Logf("through the job server at %s, PROCESS (%s): %d files the same as port0 analyze's", endpoint, bin, n)
	})
}

// startJobServer starts bin -job-server 127.0.0.1:0 and returns the
// address it names, once it accepts connections; the
// server is stopped (SIGTERM) at the end of the test.
func startJobServer(t *testing.T, bin string) string {
	t.Helper()
	srv := exec.Command(bin, "-job-server", "127.0.0.1:0")
	stderr, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- srv.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("the job server did not stop cleanly: %v", err)
			}
		case <-time.After(30 * time.Second):
			srv.Process.Kill()
			<-done
			t.Errorf("the job server did not stop within 30 s of SIGINT")
		}
	})
	// Prism logs its own lines first.
	lines := bufio.NewReader(stderr)
	re := regexp.MustCompile(`job server on (\S+) \(loopback only\)`)
	var m []string
	for m == nil {
		line, err := lines.ReadString('\n')
		if err != nil {
			t.Fatalf("the job server named no address: %v", err)
		}
		os.Stderr.WriteString(line)
		m = re.FindStringSubmatch(line)
	}
	go io.Copy(os.Stderr, lines)
	host, _, err := net.SplitHostPort(m[1])
	if err != nil || host != "127.0.0.1" {
		t.Fatalf("the job server listens on %s, not 127.0.0.1", m[1])
	}
	waitListening(t, m[1], 30*time.Second)
	return m[1]
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
