package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/flows/collect"
)

// v5Records is the number of flow records in each test datagram.
const v5Records = 20

// netflow5 is a NetFlow v5 datagram (Cisco's "NetFlow Export Datagram
// Format"): a 24-byte header and v5Records records of 48 bytes (984
// bytes), the seq-th of an exporter; every fourth record has destination
// port 0.
func netflow5(seq int) []byte {
	b := make([]byte, 24+48*v5Records)
	be := binary.BigEndian
	be.PutUint16(b[0:], 5)
	be.PutUint16(b[2:], v5Records)
	be.PutUint32(b[4:], 3_600_000)     // SysUptime, ms
	be.PutUint32(b[8:], 1_777_636_800) // unix_secs: 2026-05-01
	be.PutUint32(b[16:], uint32(seq*v5Records))
	for i := range v5Records {
		r := b[24+48*i:]
		be.PutUint32(r[0:], 0xc6120000|uint32(seq)&0xffff) // 198.18.x.y
		be.PutUint32(r[4:], 0xc0000200|uint32(i))          // 192.0.2.i
		be.PutUint32(r[16:], 1)                            // packets
		be.PutUint32(r[20:], 40)                           // octets
		be.PutUint32(r[24:], 3_500_000)                    // First
		be.PutUint32(r[28:], 3_500_000)                    // Last
		be.PutUint16(r[32:], uint16(40000+i))              // source port
		if i%4 != 0 {
			be.PutUint16(r[34:], 80) // destination port, else 0
		}
		r[37] = 0x02 // SYN
		r[38] = 6    // TCP
	}
	return b
}

// syncBuffer is a bytes.Buffer safe for the progress goroutine's writes
// while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// collectSession is one port0 collect run driven by a test: its signals,
// the Collector once it listens, and its outcome.
type collectSession struct {
	signals        chan os.Signal
	ready          chan *collect.Collector
	done           chan error
	stdout, stderr *syncBuffer
}

// startCollect runs collectMain with args in a goroutine, with signals
// the test sends and the analysis given (analyze.Run if nil), and
// returns once it listens (or fails the test if it ends first).
func startCollect(t *testing.T, analysis func([]string, io.Reader, string, analyze.Options) (*analyze.Summary, error), args ...string) (*collectSession, *collect.Collector) {
	t.Helper()
	if analysis == nil {
		analysis = analyze.Run
	}
	s := &collectSession{signals: make(chan os.Signal, 2), ready: make(chan *collect.Collector, 1), done: make(chan error, 1), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: s.stdout, stderr: s.stderr}
	go func() {
		s.done <- collectMain(args, env, collectRun{signals: s.signals, ready: func(c *collect.Collector) { s.ready <- c }, analyze: analysis})
	}()
	select {
	case c := <-s.ready:
		return s, c
	case err := <-s.done:
		t.Fatalf("collect ended before listening: %v\n%s", err, s.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("collect not listening after 30 s")
	}
	return nil, nil
}

// wait waits for the run to end.
func (s *collectSession) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-s.done:
		return err
	case <-time.After(120 * time.Second):
		t.Fatal("collect still running 120 s after the signal")
	}
	return nil
}

// readReport reads DIR/collect.json.
func readReport(t *testing.T, dir string) collectReport {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, collectFile))
	if err != nil {
		t.Fatal(err)
	}
	var r collectReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// notReadYet reports whether err is the analysis' refusal while the
// exporter decoder is not wired into it.
func notReadYet(err error) bool {
	return err != nil && strings.Contains(err.Error(), "exporter datagrams are not read yet")
}

// checkLoopbackOnly fails the test if a UDP socket of this process is
// bound beyond loopback.
func checkLoopbackOnly(t *testing.T) {
	t.Helper()
	socks, err := collect.OwnUDPSockets()
	if err != nil {
		t.Logf("cannot list the sockets: %v", err)
		return
	}
	for _, s := range socks {
		if !s.Local.Addr().IsLoopback() {
			t.Errorf("a UDP socket of this process is bound to %v", s.Local)
		}
	}
}

// TestCollectFullSpeed: 50,000 NetFlow v5 datagrams of 984 bytes sent as
// fast as one socket can, then SIGTERM: every one is in the spool, whole
// and from its source (or counted as the kernel's drop), collect.json
// and the stdout line count them, and the analysis reads their flow
// records.
func TestCollectFullSpeed(t *testing.T) {
	n := 50000
	if testing.Short() {
		n = 5000
	}
	dir := filepath.Join(t.TempDir(), "c")
	s, c := startCollect(t, nil, "-q", "-listen", "127.0.0.1:0", "-out", dir)
	checkLoopbackOnly(t)
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	src := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	t0 := time.Now()
	for i := range n {
		if _, err := conn.Write(netflow5(i)); err != nil {
			t.Fatal(err)
		}
	}
	took := time.Since(t0)
	conn.Close()
	s.signals <- syscall.SIGTERM
	runErr := s.wait(t)
	if runErr != nil && !notReadYet(runErr) {
		t.Fatalf("collect: %v\n%s", runErr, s.stderr.String())
	}
	rep := readReport(t, dir)
	drops := max(rep.KernelDrops, 0)
	t.Logf("sent %d datagrams in %v (%.0f/s): received %d, spooled %d, kernel drops %d; receive buffer asked %d, got %d (forced %v)",
		n, took, float64(n)/took.Seconds(), rep.Datagrams, rep.Spooled, rep.KernelDrops, rep.ReadBufferAsked, rep.ReadBuffer, rep.ReadBufferForced)
	if rep.Datagrams+drops != int64(n) || rep.Spooled != rep.Datagrams {
		t.Fatalf("sent %d; collect.json: received %d, spooled %d, kernel drops %d", n, rep.Datagrams, rep.Spooled, rep.KernelDrops)
	}
	if drops > 0 {
		t.Logf("the kernel dropped %d: spooled + dropped = sent, as it must", drops)
	}
	if runtime.GOOS == "linux" && rep.KernelDrops < 0 {
		t.Error("kernel drops not known on Linux")
	}
	if rep.Listen != c.Addr().String() || rep.Spool != filepath.Join(dir, collect.SpoolName) {
		t.Errorf("collect.json listen %q spool %q", rep.Listen, rep.Spool)
	}
	// The spool, read back as any capture.
	cp, err := capture.Open(rep.Spool)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	var p capture.Packet
	var r decode.Record
	k := 0
	for ; ; k++ {
		if err := cp.Next(&p); err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		r.Decode(p.LinkType, p.Data)
		payload := decode.UDPPayload(p.Data, &r)
		seq := int(binary.BigEndian.Uint32(payload[16:]) / v5Records)
		if from := netip.AddrPortFrom(r.SrcAddr(), r.SrcPort); from != src || r.DstPort != c.Addr().Port() {
			t.Fatalf("record %d: from %v to port %d, want from %v to %d", k, from, r.DstPort, src, c.Addr().Port())
		}
		if !bytes.Equal(payload, netflow5(seq)) {
			t.Fatalf("record %d: datagram %d's payload differs", k, seq)
		}
	}
	if int64(k) != rep.Spooled {
		t.Errorf("spool holds %d records, collect.json says %d", k, rep.Spooled)
	}
	// The line on stdout.
	want := regexp.MustCompile(`^collect: (\d+) datagrams received, (\d+) bytes, (.*), (\d+) dropped by the kernel \(.*datagrams\.pcap\)\n$`)
	m := want.FindStringSubmatch(s.stdout.String())
	if m == nil || m[1] != itoa(rep.Datagrams) || m[2] != itoa(rep.Bytes) || m[4] != itoa(rep.KernelDrops) {
		t.Errorf("stdout %q; collect.json %d datagrams, %d bytes, %d drops", s.stdout.String(), rep.Datagrams, rep.Bytes, rep.KernelDrops)
	}
	if notReadYet(runErr) {
		t.Logf("the analysis does not read exporter datagrams yet: %v", runErr)
		if rep.Flows != nil || !strings.HasPrefix(rep.Analysis, "failed: ") || m == nil || m[3] != "flow records not known (analysis failed)" {
			t.Errorf("collect.json flows %v analysis %q; stdout %q", rep.Flows, rep.Analysis, s.stdout.String())
		}
		return
	}
	sum := readSummary(t, dir)
	wantFlows := rep.Spooled * v5Records
	if sum.Flows == nil || sum.Flows.Flows != wantFlows || rep.Flows == nil || *rep.Flows != wantFlows || m[3] != itoa(wantFlows)+" flow records" {
		t.Errorf("flow records: summary.json %+v, collect.json %v, stdout %q; want %d", sum.Flows, rep.Flows, s.stdout.String(), wantFlows)
	}
	if rep.Analysis != "done" {
		t.Errorf("collect.json analysis %q", rep.Analysis)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestCollectNotFlows: datagrams that are no flow export, or are cut,
// are spooled all the same, and left to the analysis to count.
func TestCollectNotFlows(t *testing.T) {
	dir := t.TempDir()
	s, c := startCollect(t, nil, "-q", "-listen", "127.0.0.1:0", "-out", dir)
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	sent := [][]byte{[]byte("GET / HTTP/1.0\r\n\r\n"), {}, netflow5(1)[:100], {0, 9, 0, 1}, {0, 10, 0xff, 0xff}, netflow5(2)}
	for _, p := range sent {
		conn.Write(p)
	}
	conn.Close()
	s.signals <- os.Interrupt
	err = s.wait(t)
	if err != nil && !notReadYet(err) {
		t.Fatalf("collect: %v\n%s", err, s.stderr.String())
	}
	rep := readReport(t, dir)
	if rep.Spooled != int64(len(sent)) {
		t.Fatalf("spooled %d of %d", rep.Spooled, len(sent))
	}
	if err == nil {
		sum := readSummary(t, dir)
		// netflow5(2) whole, and perhaps the one whole record of the
		// cut netflow5(1).
		if sum.Flows == nil || sum.Flows.Flows < v5Records || sum.Flows.Flows > v5Records+1 {
			t.Errorf("flows %+v, want %d or %d", sum.Flows, v5Records, v5Records+1)
		}
	}
}

// TestCollectRealSignal: a real SIGTERM to this process, caught by
// runCollect's signal.Notify, stops the collection and runs the analysis.
func TestCollectRealSignal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM to send on Windows")
	}
	dir := t.TempDir()
	ready := make(chan *collect.Collector, 1)
	collectReady = func(c *collect.Collector) { ready <- c }
	defer func() { collectReady = nil }()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"collect", "-q", "-listen", "127.0.0.1:0", "-out", dir}, strings.NewReader(""), &stdout, &stderr)
	}()
	var c *collect.Collector
	select {
	case c = <-ready:
	case err := <-done:
		t.Fatalf("collect ended before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("not listening after 30 s")
	}
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		conn.Write(netflow5(i))
	}
	conn.Close()
	// signal.Notify is in place (collectReady is called after it): the
	// signal goes to runCollect's channel, not to the default action.
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err = <-done:
	case <-time.After(120 * time.Second):
		t.Fatal("still running 120 s after SIGTERM")
	}
	if err != nil && !notReadYet(err) {
		t.Fatalf("collect: %v\n%s", err, stderr.String())
	}
	if rep := readReport(t, dir); rep.Spooled+max(rep.KernelDrops, 0) != 100 {
		t.Errorf("spooled %d of 100 (kernel drops %d)", rep.Spooled, rep.KernelDrops)
	}
	if !strings.Contains(stdout.String(), "collect: 100 datagrams received") {
		t.Errorf("stdout %q", stdout.String())
	}
}

// TestCollectSecondSignal: a second signal during the analysis exits at
// once, with a message naming the spool, which is kept whole.
func TestCollectSecondSignal(t *testing.T) {
	dir := t.TempDir()
	started := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	slow := func([]string, io.Reader, string, analyze.Options) (*analyze.Summary, error) {
		close(started)
		<-release
		return nil, errors.New("released")
	}
	s, c := startCollect(t, slow, "-listen", "127.0.0.1:0", "-out", dir)
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		conn.Write(netflow5(i))
	}
	conn.Close()
	s.signals <- os.Interrupt
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the analysis did not start")
	}
	s.signals <- syscall.SIGTERM
	err = s.wait(t)
	spool := filepath.Join(dir, collect.SpoolName)
	if err == nil || exitCode(err) != 128+int(syscall.SIGTERM) || !strings.Contains(err.Error(), spool+" is kept") || !strings.Contains(err.Error(), "port0 analyze -flows -out "+dir+" "+spool) {
		t.Fatalf("second signal: exit %d, %v", exitCode(err), err)
	}
	rep := readReport(t, dir)
	if rep.Analysis != "interrupted" || rep.Spooled != 10 {
		t.Errorf("collect.json: analysis %q, %d spooled", rep.Analysis, rep.Spooled)
	}
	if n := len(recordsOf(t, spool)); n != 10 {
		t.Errorf("the spool holds %d datagrams, want 10", n)
	}
	if !strings.Contains(s.stderr.String(), "a second signal exits at once") {
		t.Errorf("stderr %q", s.stderr.String())
	}
	if !strings.Contains(s.stdout.String(), "flow records not known (analysis interrupted)") {
		t.Errorf("stdout %q", s.stdout.String())
	}
}

// recordsOf reads the records of a capture.
func recordsOf(t *testing.T, path string) [][]byte {
	t.Helper()
	cp, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	var out [][]byte
	var p capture.Packet
	for {
		if err := cp.Next(&p); err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			return out
		}
		out = append(out, bytes.Clone(p.Data))
	}
}

// TestCollectProgress: without -q, the listening line, the receive
// buffer, and a progress line every collectProgressEvery.
func TestCollectProgress(t *testing.T) {
	defer func(d time.Duration) { collectProgressEvery = d }(collectProgressEvery)
	collectProgressEvery = 20 * time.Millisecond
	dir := t.TempDir()
	s, c := startCollect(t, func([]string, io.Reader, string, analyze.Options) (*analyze.Summary, error) {
		return nil, errors.New("no analysis in this test")
	}, "-listen", "127.0.0.1:0", "-out", dir)
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	conn.Write(netflow5(0))
	conn.Close()
	line := regexp.MustCompile(`collect: 1 datagrams, 0\.0 MiB, [0-9]+/s, (0 dropped by the kernel|kernel drops not known)\n`)
	deadline := time.Now().Add(30 * time.Second)
	for !line.MatchString(s.stderr.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("no progress line after 30 s:\n%s", s.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.signals <- os.Interrupt
	s.wait(t)
	e := s.stderr.String()
	if !strings.HasPrefix(e, "collect: listening on "+c.Addr().String()+", spooling into "+filepath.Join(dir, collect.SpoolName)+"; receive buffer ") {
		t.Errorf("stderr %q", e)
	}
	if strings.Contains(e, "beyond loopback") {
		t.Errorf("a loopback address warned of: %q", e)
	}
}

// TestCollectDefaultLoopback: -listen defaults to 127.0.0.1:2055, and an
// address beyond loopback, given explicitly, is warned of (here one this
// machine does not have, so nothing listens beyond loopback in the test).
func TestCollectDefaultLoopback(t *testing.T) {
	var found bool
	// The flag as collectMain declares it: its default, from -h.
	_, stderr, code := runCmd(t, "collect", "-h")
	if code != 0 {
		t.Fatalf("collect -h: exit %d", code)
	}
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, `(default "127.0.0.1:2055")`) {
			found = true
		}
	}
	if !found || collect.DefaultListen != "127.0.0.1:2055" {
		t.Errorf("-listen's default is not 127.0.0.1:2055:\n%s", stderr)
	}
	a, err := parseListen(collect.DefaultListen)
	if err != nil || !a.Addr().IsLoopback() {
		t.Errorf("default %v, %v: not loopback", a, err)
	}
	// TEST-NET-1 is on no interface: the bind fails after the warning.
	before := ownUDP(t)
	dir := t.TempDir()
	_, stderr, code = runCmd(t, "collect", "-q", "-listen", "192.0.2.1:0", "-out", dir)
	if !strings.Contains(stderr, "collect: warning: listening beyond loopback: 192.0.2.1:0") || code != 1 || !strings.Contains(stderr, "port0: collect: -listen 192.0.2.1:0: ") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, collect.SpoolName)); !os.IsNotExist(err) {
		t.Errorf("a failed listen left its spool: %v", err)
	}
	if after := ownUDP(t); after != before {
		t.Errorf("%d UDP sockets after, %d before", after, before)
	}
	checkLoopbackOnly(t)
}

// ownUDP is the number of this process's UDP sockets (-1 if unknown).
func ownUDP(t *testing.T) int {
	s, err := collect.OwnUDPSockets()
	if err != nil {
		return -1
	}
	return len(s)
}

// TestCollectFlagErrors: each bad flag is one line naming the flag and
// the fix, exit status 2, and nothing listens.
func TestCollectFlagErrors(t *testing.T) {
	earlier := t.TempDir()
	os.WriteFile(filepath.Join(earlier, collect.SpoolName), []byte("earlier"), 0o644)
	analyzed := t.TempDir()
	os.WriteFile(filepath.Join(analyzed, analyze.SummaryFile), []byte("{}"), 0o644)
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	out := filepath.Join(t.TempDir(), "out")
	before := ownUDP(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-listen", "x", "-out", out}, 2, `port0: collect: -listen "x": want host:port such as 127.0.0.1:2055`},
		{[]string{"-listen", ":2055", "-out", out}, 2, `port0: collect: -listen ":2055": want host:port such as 127.0.0.1:2055`},
		{[]string{"-listen", "127.0.0.1:65536", "-out", out}, 2, `port0: collect: -listen "127.0.0.1:65536": want host:port`},
		{[]string{"-listen", "example.com:2055", "-out", out}, 2, `port0: collect: -listen "example.com:2055": want host:port`},
		{[]string{"-listen", "::1:2055", "-out", out}, 2, `port0: collect: -listen "::1:2055": want host:port such as 127.0.0.1:2055 ([::1]:2055 for IPv6`},
		{[]string{"-listen", "127.0.0.1:0"}, 2, "port0: collect: -out is required"},
		{[]string{"-out", out, "capture.pcap"}, 2, `port0: collect: "capture.pcap": collect reads no inputs`},
		{[]string{"-out", out, "-interval", "7s"}, 2, "port0: collect: -interval 7s: want"},
		{[]string{"-out", out, "-workers", "-1"}, 2, "port0: collect: -workers -1: want 0 or more"},
		{[]string{"-listen", "127.0.0.1:0", "-out", earlier}, 2, "port0: collect: -out " + earlier + " already holds datagrams.pcap of an earlier collect: give another folder (nothing was overwritten)"},
		{[]string{"-listen", "127.0.0.1:0", "-out", analyzed}, 2, "port0: collect: -out " + analyzed + " already holds summary.json of an earlier run: give another folder"},
		{[]string{"-listen", "127.0.0.1:0", "-out", file}, 1, "port0: collect: -out " + file + ": "},
	} {
		_, stderr, code := runCmd(t, append([]string{"collect", "-q"}, c.args...)...)
		last := stderr
		if i := strings.LastIndex(strings.TrimSuffix(stderr, "\n"), "\n"); i >= 0 {
			last = stderr[i+1:]
		}
		if code != c.code || !strings.Contains(last, c.want) || strings.Count(last, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and one line with %q", c.args, code, stderr, c.code, c.want)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(earlier, collect.SpoolName)); string(b) != "earlier" {
		t.Errorf("the earlier spool was overwritten: %q", b)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused run made %s", out)
	}
	if after := ownUDP(t); after != before {
		t.Errorf("%d UDP sockets after the refused runs, %d before", after, before)
	}
}

// TestAnalyzeFlowsFlag: analyze -flows reads a capture as exporters'
// datagrams (the same capture without it is packets), and is refused
// with -merge.
func TestAnalyzeFlowsFlag(t *testing.T) {
	spool := filepath.Join(t.TempDir(), "datagrams.pcap")
	f, err := os.Create(spool)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := collect.NewWriter(f)
	from, to := netip.MustParseAddrPort("192.0.2.9:9995"), netip.MustParseAddrPort("127.0.0.1:2055")
	for i := range 30 {
		w.WriteDatagram(int64(1_777_636_800+i)*1e9, from, to, netflow5(i))
	}
	f.Close()

	packets := t.TempDir()
	if _, stderr, code := runCmd(t, "analyze", "-q", "-out", packets, spool); code != 0 {
		t.Fatalf("analyze as packets: exit %d %s", code, stderr)
	}
	if s := readSummary(t, packets); s.Total.Packets != 30 || s.Flows != nil {
		t.Errorf("as packets: %d packets, flows %+v", s.Total.Packets, s.Flows)
	}

	dir := t.TempDir()
	_, stderr, code := runCmd(t, "analyze", "-q", "-flows", "-out", dir, spool)
	switch {
	case strings.Contains(stderr, "exporter datagrams are not read yet"):
		t.Logf("-flows reaches the exporter path, which does not read datagrams yet: %s", stderr)
	case code != 0:
		t.Fatalf("analyze -flows: exit %d %s", code, stderr)
	default:
		if s := readSummary(t, dir); s.Flows == nil || s.Flows.Flows != 30*v5Records {
			t.Errorf("analyze -flows: flows %+v, want %d records", s.Flows, 30*v5Records)
		}
	}

	_, stderr, code = runCmd(t, "analyze", "-q", "-flows", "-merge", "-out", t.TempDir(), spool)
	if code != 2 || !strings.Contains(stderr, "-flows") {
		t.Errorf("-flows -merge: exit %d %q", code, stderr)
	}
	_, stderr, _ = runCmd(t, "analyze", "-h")
	if !strings.Contains(stderr, "port0 collect's datagrams.pcap") {
		t.Errorf("analyze -h does not tell of -flows:\n%s", stderr)
	}
}
