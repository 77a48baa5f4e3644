package collect

import (
	"net/netip"
	"syscall"
	"testing"
	"unsafe"
)

// TestParseProcLine reads lines of /proc/net/udp and udp6 as Linux
// writes them on a little-endian machine (the words of an address in
// host order).
func TestParseProcLine(t *testing.T) {
	var one uint16 = 1
	if *(*byte)(unsafe.Pointer(&one)) != 1 {
		t.Skip("the lines below are a little-endian machine's")
	}
	for _, c := range []struct {
		line  string
		local string
		ino   uint64
		drops int64
	}{
		{"  946: 0100007F:0807 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 17", "127.0.0.1:2055", 4242, 17},
		{"  1: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 99 2 0000000000000000 0", "0.0.0.0:53", 99, 0},
		{"  12: 00000000000000000000000001000000:0807 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 77 2 0000000000000000 3", "[::1]:2055", 77, 3},
		{"  12: B80D0120000000000000000001000000:0001 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 78 2 0000000000000000 0", "[2001:db8::1]:1", 78, 0},
	} {
		s, ok := parseProcLine(c.line)
		if !ok {
			t.Errorf("%q: not read", c.line)
			continue
		}
		if s.Local != netip.MustParseAddrPort(c.local) || s.Inode != c.ino || s.Drops != c.drops {
			t.Errorf("%q: %+v, want %s inode %d drops %d", c.line, s, c.local, c.ino, c.drops)
		}
	}
	for _, bad := range []string{"", "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops", "0: zz:0807 a b c d e f g 1 2 3 4"} {
		if _, ok := parseProcLine(bad); ok {
			t.Errorf("%q: read", bad)
		}
	}
}

// TestParseOOB reads control messages built as the kernel lays them
// out: SO_TIMESTAMPNS's timespec, then SO_RXQ_OVFL's counter.
func TestParseOOB(t *testing.T) {
	ts := syscall.Timespec{Sec: 1777636800, Nsec: 123456789}
	tsb := unsafe.Slice((*byte)(unsafe.Pointer(&ts)), unsafe.Sizeof(ts))
	drops := uint32(42)
	db := unsafe.Slice((*byte)(unsafe.Pointer(&drops)), 4)
	var oob []byte
	for _, m := range []struct {
		typ  int
		data []byte
	}{{syscall.SO_TIMESTAMPNS, tsb}, {syscall.SO_RXQ_OVFL, db}} {
		b := make([]byte, syscall.CmsgSpace(len(m.data)))
		h := (*syscall.Cmsghdr)(unsafe.Pointer(&b[0]))
		h.Level = syscall.SOL_SOCKET
		h.Type = int32(m.typ)
		h.SetLen(syscall.CmsgLen(len(m.data)))
		copy(b[syscall.CmsgLen(0):], m.data)
		oob = append(oob, b...)
	}
	if len(oob) > oobSize {
		t.Fatalf("control messages of %d bytes, room for %d", len(oob), oobSize)
	}
	got, d, ok := parseOOB(oob)
	if want := ts.Nano(); got != want || d != 42 || !ok {
		t.Errorf("parseOOB: %d, %d, %v; want %d, 42, true", got, d, ok, want)
	}
	if got, d, ok := parseOOB(oob[:5]); got != 0 || d != 0 || ok {
		t.Errorf("cut: %d, %d, %v", got, d, ok)
	}
	if got, _, ok := parseOOB(oob[:syscall.CmsgSpace(len(tsb))]); got != ts.Nano() || ok {
		t.Errorf("time only: %d, %v", got, ok)
	}
}
