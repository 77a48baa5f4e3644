package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/port0/port0/internal/testcap"
)

// TestLoopbackOnly runs the study on Prism in-process, as port0-beam runs
// it without --endpoint, and watches, while it runs and after, every TCP
// socket this process listens on (/proc/net/tcp and tcp6, matched by
// inode with /proc/self/fd): each must be bound to 127.0.0.0/8 or ::1.
// Beam's own prism runner listens on every interface ([::]:PORT); the
// test fails with it. At least one listener must be seen (the job
// server), so that the check is not empty.
func TestLoopbackOnly(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("no /proc/net/tcp:", err)
	}
	dir := t.TempDir()
	seen := map[string]bool{}
	sample := func() {
		socks, err := listening()
		if err != nil {
			t.Error(err)
			return
		}
		for _, s := range socks {
			seen[s] = true
		}
	}
	done := make(chan int)
	var stderr bytes.Buffer
	go func() {
		done <- run([]string{"-q", "-workers", "2", "-out", filepath.Join(dir, "out"), filepath.Join(testcap.Root(), "testdata", "gen-sample")}, &stderr)
	}()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for running := true; running; {
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr.String())
			}
			running = false
		case <-tick.C:
			sample()
		}
	}
	sample()
	if len(seen) == 0 {
		t.Fatal("no listening socket of this process seen: the check saw nothing")
	}
	for s := range seen {
		host, _, _ := net.SplitHostPort(s)
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			t.Errorf("listening on %s, not a loopback address", s)
		}
	}
	t.Logf("listening sockets seen: %v", keys(seen))
}

func keys(m map[string]bool) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	return k
}

// listening returns the local addresses (HOST:PORT) of the TCP sockets
// of this process in the LISTEN state.
func listening() ([]string, error) {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil, err
	}
	mine := map[string]bool{}
	for _, fd := range fds {
		l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(l, "socket:[") {
			mine[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	var out []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // the header
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			if len(fields) < 10 || fields[3] != "0A" || !mine[fields[9]] {
				continue
			}
			addr, err := procAddr(fields[1])
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: %v", table, err)
			}
			out = append(out, addr)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// procAddr decodes an address of /proc/net/tcp{,6}: the IP in hex, by
// 32-bit words in host (little-endian) order, a colon and the port in hex.
func procAddr(s string) (string, error) {
	h, p, ok := strings.Cut(s, ":")
	if !ok {
		return "", fmt.Errorf("address %q", s)
	}
	b, err := hex.DecodeString(h)
	if err != nil || (len(b) != 4 && len(b) != 16) {
		return "", fmt.Errorf("address %q", s)
	}
	for i := 0; i < len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return "", fmt.Errorf("port of %q", s)
	}
	return net.JoinHostPort(net.IP(b).String(), strconv.Itoa(int(port))), nil
}

// TestProcAddr decodes /proc/net/tcp's addresses.
func TestProcAddr(t *testing.T) {
	for in, want := range map[string]string{
		"0100007F:1F90":                         "127.0.0.1:8080",
		"00000000:0050":                         "0.0.0.0:80",
		"00000000000000000000000000000000:1F90": "[::]:8080",
		"00000000000000000000000001000000:0016": "[::1]:22",
	} {
		if got, err := procAddr(in); err != nil || got != want {
			t.Errorf("procAddr(%s) = %s, %v; want %s", in, got, err, want)
		}
	}
}
