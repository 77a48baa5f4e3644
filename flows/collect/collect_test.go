package collect

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
)

// spooled is one record of a spool as read back.
type spooled struct {
	src, dst netip.AddrPort
	ts       int64
	payload  []byte
}

// readSpool reads a spool back with the project's capture reader and
// packet decoder, as port0 analyze -flows does.
func readSpool(t testing.TB, path string) []spooled {
	t.Helper()
	c, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out []spooled
	var p capture.Packet
	var r decode.Record
	for {
		if err := c.Next(&p); err != nil {
			if err == io.EOF {
				return out
			}
			t.Fatalf("record %d: %v", len(out), err)
		}
		if p.LinkType != capture.LinkRaw {
			t.Fatalf("record %d: link type %d, want %d", len(out), p.LinkType, capture.LinkRaw)
		}
		r.Decode(p.LinkType, p.Data)
		dg := decode.UDPDatagram(p.Data, &r)
		if dg == nil {
			t.Fatalf("record %d: no UDP datagram (%+v)", len(out), r)
		}
		out = append(out, spooled{
			src:     netip.AddrPortFrom(r.SrcAddr(), r.SrcPort),
			dst:     netip.AddrPortFrom(r.DstAddr(), r.DstPort),
			ts:      p.TS,
			payload: bytes.Clone(dg[decode.UDPHdrLen:]),
		})
	}
}

// payloadOf is the i-th test datagram: its index, then bytes that depend
// on it, size bytes in all (at least 8).
func payloadOf(i, size int) []byte {
	b := make([]byte, size)
	binary.BigEndian.PutUint64(b, uint64(i))
	for j := 8; j < size; j++ {
		b[j] = byte(i*7 + j)
	}
	return b
}

// start starts a Collector on addr into a new folder, stopped at the
// test's end.
func start(t testing.TB, addr string) *Collector {
	t.Helper()
	c, err := Start(context.Background(), Options{Listen: netip.MustParseAddrPort(addr), Dir: filepath.Join(t.TempDir(), "c")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop() })
	return c
}

// send sends n datagrams of size bytes to addr as fast as one socket
// can, and returns the sender's address.
func send(t testing.TB, addr netip.AddrPort, n, size int) netip.AddrPort {
	t.Helper()
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	b := payloadOf(0, size)
	for i := range n {
		binary.BigEndian.PutUint64(b, uint64(i))
		for j := 8; j < size; j++ {
			b[j] = byte(i*7 + j)
		}
		if _, err := conn.Write(b); err != nil {
			t.Fatalf("datagram %d: %v", i, err)
		}
	}
	return conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// checkAll checks that the spool holds every one of n datagrams sent
// from src to dst but those the kernel dropped, each once and whole, in
// the order sent, with receive times in [from, to].
func checkAll(t *testing.T, st Stats, recs []spooled, n, size int, src, dst netip.AddrPort, from, to time.Time) {
	t.Helper()
	if st.KernelDrops < 0 && runtime.GOOS == "linux" {
		t.Errorf("kernel drops not known on Linux")
	}
	drops := max(st.KernelDrops, 0)
	if int64(len(recs)) != st.Spooled || st.Spooled != st.Datagrams {
		t.Errorf("spool holds %d records; stats say %d spooled of %d received", len(recs), st.Spooled, st.Datagrams)
	}
	if int64(len(recs))+drops != int64(n) {
		t.Fatalf("sent %d, spooled %d, the kernel dropped %d: %d lost without a word", n, len(recs), drops, int64(n)-int64(len(recs))-drops)
	}
	if drops > 0 {
		t.Logf("the kernel dropped %d of %d datagrams (receive buffer %d bytes): spooled + dropped = sent, as it must", drops, n, st.ReadBuffer)
	}
	last := -1
	for k, r := range recs {
		i := int(binary.BigEndian.Uint64(r.payload))
		if i <= last || i >= n {
			t.Fatalf("record %d: datagram %d after %d", k, i, last)
		}
		last = i
		if !bytes.Equal(r.payload, payloadOf(i, size)) {
			t.Fatalf("record %d: datagram %d's payload differs", k, i)
		}
		if r.src != src || r.dst != dst {
			t.Fatalf("record %d: %v -> %v, want %v -> %v", k, r.src, r.dst, src, dst)
		}
		if r.ts < from.UnixNano() || r.ts > to.UnixNano() {
			t.Fatalf("record %d: time %v outside [%v, %v]", k, time.Unix(0, r.ts), from, to)
		}
	}
	if want := int64(len(recs)) * int64(size); st.Bytes != want {
		t.Errorf("stats: %d bytes, want %d", st.Bytes, want)
	}
	if fi, err := os.Stat(st.Spool); err != nil || fi.Size() != st.SpoolBytes {
		t.Errorf("spool: %v, stats say %d bytes", err, st.SpoolBytes)
	}
}

// TestCollectFullSpeed sends 50,000 datagrams of 1 KB as fast as a
// socket can, stops the Collector at once, and finds every one in the
// spool, from the right source, or counted as dropped by the kernel.
func TestCollectFullSpeed(t *testing.T) {
	n, size := 50000, 1000
	if testing.Short() {
		n = 5000
	}
	c := start(t, "127.0.0.1:0")
	from := time.Now()
	t0 := time.Now()
	src := send(t, c.Addr(), n, size)
	took := time.Since(t0)
	st, err := c.Stop()
	to := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sent %d datagrams in %v (%.0f/s); received %d, spooled %d, kernel drops %d, reader waits %d, drained after stop %d; receive buffer asked %d, got %d (forced %v)",
		n, took, float64(n)/took.Seconds(), st.Datagrams, st.Spooled, st.KernelDrops, st.ReaderWaits, st.Drained, st.ReadBufferAsked, st.ReadBuffer, st.ReadBufferForced)
	recs := readSpool(t, st.Spool)
	checkAll(t, st, recs, n, size, src, c.Addr(), from, to)
	if runtime.GOOS == "linux" && st.ReadBuffer < 2*st.ReadBufferAsked && st.ReadBufferForced {
		t.Errorf("SO_RCVBUFFORCE accepted, yet the buffer reads back %d, want %d", st.ReadBuffer, 2*st.ReadBufferAsked)
	}
}

// TestCollectIPv6 collects on [::1], and the spool's records are IPv6
// with a right UDP checksum.
func TestCollectIPv6(t *testing.T) {
	c, err := Start(context.Background(), Options{Listen: netip.MustParseAddrPort("[::1]:0"), Dir: t.TempDir()})
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	from := time.Now()
	src := send(t, c.Addr(), 100, 333)
	st, err := c.Stop()
	if err != nil {
		t.Fatal(err)
	}
	recs := readSpool(t, st.Spool)
	checkAll(t, st, recs, 100, 333, src, c.Addr(), from, time.Now())
	if !src.Addr().Is6() || !c.Addr().Addr().Is6() {
		t.Errorf("addresses %v, %v: want IPv6", src, c.Addr())
	}
}

// TestStopDrains: whatever the socket holds when Stop is called is
// spooled, even when the reader had fallen behind: here the writer is
// held back until Stop has been called, so the reader fills its two
// buffers and waits, and the rest waits in the socket for the drain.
func TestStopDrains(t *testing.T) {
	t.Run("idle 50ms", func(t *testing.T) { testStopDrains(t, 0) })
	// Every read of the drain times out before it begins: the drain
	// must not take that for an empty socket.
	t.Run("idle 1ns", func(t *testing.T) { testStopDrains(t, time.Nanosecond) })
}

func testStopDrains(t *testing.T, idle time.Duration) {
	hold := make(chan struct{})
	testHookWrite = func() { <-hold }
	defer func() { testHookWrite = nil }()
	c, err := Start(context.Background(), Options{Listen: netip.MustParseAddrPort("127.0.0.1:0"), Dir: t.TempDir(), MaxBuffered: 1, DrainIdle: idle})
	if err != nil {
		t.Fatal(err)
	}
	const n, size = 20000, 1200
	src := send(t, c.Addr(), n, size)
	behind := c.Stats()
	stopped := make(chan struct{})
	var st Stats
	go func() {
		st, err = c.Stop()
		close(stopped)
	}()
	time.Sleep(100 * time.Millisecond)
	close(hold)
	<-stopped
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("read %d of %d before Stop; drained %d after; kernel drops %d; reader waits %d", behind.Datagrams, n, st.Drained, st.KernelDrops, st.ReaderWaits)
	if behind.Datagrams >= n {
		t.Errorf("the reader had read all %d before Stop: the drain is not tested", n)
	}
	if st.Drained == 0 {
		t.Errorf("nothing drained after Stop")
	}
	recs := readSpool(t, st.Spool)
	checkAll(t, st, recs, n, size, src, c.Addr(), c.started, time.Now())
}

// TestStopByContext: the end of the context stops the Collector.
func TestStopByContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	c, err := Start(ctx, Options{Listen: netip.MustParseAddrPort("127.0.0.1:0"), Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	src := send(t, c.Addr(), 10, 50)
	cancel()
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("not stopped 10 s after the context's end")
	}
	st, err := c.Stop()
	if err != nil {
		t.Fatal(err)
	}
	checkAll(t, st, readSpool(t, st.Spool), 10, 50, src, c.Addr(), st.Started, st.Stopped)
	if st.Stopped.Before(st.Started) {
		t.Errorf("stopped %v before started %v", st.Stopped, st.Started)
	}
	// The socket is closed: nothing listens any more.
	socks, err := OwnUDPSockets()
	if err == nil {
		for _, s := range socks {
			if s.Local == c.Addr() {
				t.Errorf("still bound to %v after Stop", s.Local)
			}
		}
	}
}

// TestAnyPayloadSpooled: datagrams that are no flow export — empty, one
// byte, garbage, the largest IPv4 allows — are spooled as they came.
func TestAnyPayloadSpooled(t *testing.T) {
	c := start(t, "127.0.0.1:0")
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(c.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	big := bytes.Repeat([]byte{0xa5}, MaxPayload4)
	sent := [][]byte{{}, {0}, []byte("not a flow export"), {0, 5, 0, 99}, {0, 10, 0, 16, 1, 2}, big}
	for _, p := range sent {
		if _, err := conn.Write(p); err != nil {
			t.Fatalf("%d bytes: %v", len(p), err)
		}
	}
	st, err := c.Stop()
	if err != nil {
		t.Fatal(err)
	}
	recs := readSpool(t, st.Spool)
	if len(recs)+int(max(st.KernelDrops, 0)) != len(sent) {
		t.Fatalf("spooled %d of %d (kernel drops %d)", len(recs), len(sent), st.KernelDrops)
	}
	for i, r := range recs {
		if !bytes.Equal(r.payload, sent[i]) {
			t.Errorf("datagram %d: %d bytes spooled, %d sent", i, len(r.payload), len(sent[i]))
		}
	}
}

// TestSpoolExists: a folder holding an earlier spool is refused, before
// anything listens, and the spool is left as it was.
func TestSpoolExists(t *testing.T) {
	dir := t.TempDir()
	spool := filepath.Join(dir, SpoolName)
	if err := os.WriteFile(spool, []byte("earlier"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := ownSockets(t)
	_, err := Start(context.Background(), Options{Listen: netip.MustParseAddrPort("127.0.0.1:0"), Dir: dir})
	if !errors.Is(err, ErrSpoolExists) {
		t.Fatalf("err %v, want ErrSpoolExists", err)
	}
	if b, _ := os.ReadFile(spool); string(b) != "earlier" {
		t.Errorf("earlier spool changed: %q", b)
	}
	if after := ownSockets(t); after != before {
		t.Errorf("%d UDP sockets after a refused start, %d before", after, before)
	}
}

// TestUnwritableDir: a folder that cannot be made or written is an error
// before anything listens.
func TestUnwritableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	before := ownSockets(t)
	for _, dir := range []string{filepath.Join(file, "sub"), file} {
		if _, err := Start(context.Background(), Options{Listen: netip.MustParseAddrPort("127.0.0.1:0"), Dir: dir}); err == nil {
			t.Errorf("Start in %s: no error", dir)
		}
	}
	if after := ownSockets(t); after != before {
		t.Errorf("%d UDP sockets after refused starts, %d before", after, before)
	}
	if _, err := Start(context.Background(), Options{Listen: netip.MustParseAddrPort("127.0.0.1:0")}); err == nil {
		t.Error("Start without a folder: no error")
	}
}

// TestBadListen: an address that cannot be bound is Start's error, and
// the spool it had made is removed with the folder it made.
func TestBadListen(t *testing.T) {
	l, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dir := filepath.Join(t.TempDir(), "new")
	_, err = Start(context.Background(), Options{Listen: l.LocalAddr().(*net.UDPAddr).AddrPort(), Dir: dir})
	if err == nil {
		t.Fatal("listening on a port in use: no error")
	}
	if _, serr := os.Stat(dir); !os.IsNotExist(serr) {
		t.Errorf("after %v, %s is left (%v)", err, dir, serr)
	}
}

// TestDefaultLoopback: the default address is loopback, and a Collector
// on loopback has no socket bound elsewhere.
func TestDefaultLoopback(t *testing.T) {
	a := netip.MustParseAddrPort(DefaultListen)
	if !a.Addr().IsLoopback() || a.Port() != 2055 {
		t.Fatalf("DefaultListen %v: want 127.0.0.1:2055", a)
	}
	c := start(t, "127.0.0.1:0")
	socks, err := OwnUDPSockets()
	if err != nil {
		t.Skip(err)
	}
	found := false
	for _, s := range socks {
		found = found || s.Local == c.Addr()
		if !s.Local.Addr().IsLoopback() {
			t.Errorf("a UDP socket of this process is bound to %v", s.Local)
		}
	}
	if !found {
		t.Errorf("the Collector's socket %v is not among this process's: %v", c.Addr(), socks)
	}
}

// ownSockets is the number of this process's UDP sockets, -1 where they
// cannot be listed.
func ownSockets(t *testing.T) int {
	s, err := OwnUDPSockets()
	if err != nil {
		return -1
	}
	return len(s)
}

// TestLiveStats: Stats while receiving counts what came in.
func TestLiveStats(t *testing.T) {
	c := start(t, "127.0.0.1:0")
	send(t, c.Addr(), 20, 100)
	deadline := time.Now().Add(10 * time.Second)
	for c.Stats().Spooled < 20 {
		if time.Now().After(deadline) {
			t.Fatalf("stats after 10 s: %+v", c.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	st := c.Stats()
	if st.Datagrams != 20 || st.Bytes != 2000 || !st.Stopped.IsZero() {
		t.Errorf("live stats %+v", st)
	}
	if runtime.GOOS == "linux" && st.KernelDrops != 0 {
		t.Errorf("live kernel drops %d, want 0", st.KernelDrops)
	}
}

// failAfter is a writer that fails once n bytes have been written.
type failAfter struct {
	w io.Writer
	n int
}

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k, _ := f.w.Write(p[:f.n])
		f.n = 0
		return k, errors.New("no space left on the test's device")
	}
	f.n -= len(p)
	return f.w.Write(p)
}

// TestWriteError: when the spool cannot be written, Stop says so, and
// every datagram received is counted as spooled or not spooled.
func TestWriteError(t *testing.T) {
	testHookSpool = func(w io.Writer) io.Writer { return &failAfter{w: w, n: 6 << 20} }
	defer func() { testHookSpool = nil }()
	c := start(t, "127.0.0.1:0")
	send(t, c.Addr(), 10000, 1000)
	st, err := c.Stop()
	if err == nil || st.WriteError == "" {
		t.Fatalf("a spool that cannot be written: err %v, stats %+v", err, st)
	}
	t.Log(err)
	if st.Spooled+st.NotSpooled != st.Datagrams || st.NotSpooled == 0 {
		t.Errorf("%d received, %d spooled, %d not spooled", st.Datagrams, st.Spooled, st.NotSpooled)
	}
}
