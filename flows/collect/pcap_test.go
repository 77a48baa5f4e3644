package collect

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/port0/port0/capture"
)

// refSum is the Internet checksum's one's complement sum of b, 16 bits
// at a time, the plain way.
func refSum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

// TestWriterRecords writes datagrams over IPv4 and IPv6, odd and even
// lengths, and reads them back: addresses, ports, lengths, times,
// payloads, and the checksums, checked the plain way.
func TestWriterRecords(t *testing.T) {
	cases := []struct {
		src, dst         string
		wantSrc, wantDst string
		size             int
	}{
		{"192.0.2.7:4739", "127.0.0.1:2055", "192.0.2.7:4739", "127.0.0.1:2055", 1001},
		{"[2001:db8::1]:9995", "[::1]:2055", "[2001:db8::1]:9995", "[::1]:2055", 1001},
		{"[2001:db8::1]:9995", "[::1]:2055", "[2001:db8::1]:9995", "[::1]:2055", 0},
		{"[2001:db8::2]:1", "[::1]:2055", "[2001:db8::2]:1", "[::1]:2055", MaxPayload6},
		// a dual-stack socket: the source IPv4 mapped, the listening
		// address unspecified
		{"[::ffff:198.51.100.9]:2000", "[::]:2055", "198.51.100.9:2000", "0.0.0.0:2055", 64},
		{"[::ffff:198.51.100.9]:2000", "[::1]:2055", "[::ffff:198.51.100.9]:2000", "[::1]:2055", 64},
		{"192.0.2.7:4739", "127.0.0.1:2055", "192.0.2.7:4739", "127.0.0.1:2055", MaxPayload4},
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 5, 1, 12, 0, 0, 123456789, time.UTC).UnixNano()
	for i, c := range cases {
		if err := w.WriteDatagram(base+int64(i), netip.MustParseAddrPort(c.src), netip.MustParseAddrPort(c.dst), payloadOf(i, max(c.size, 8))[:c.size]); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
	}
	if w.Written() != int64(buf.Len()) {
		t.Errorf("Written %d, buffer %d", w.Written(), buf.Len())
	}
	path := filepath.Join(t.TempDir(), "w.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	recs := readSpool(t, path)
	if len(recs) != len(cases) {
		t.Fatalf("%d records, want %d", len(recs), len(cases))
	}
	// The raw records, for the checksums.
	cp, err := capture.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	for i, c := range cases {
		r := recs[i]
		if r.src.String() != c.wantSrc || r.dst.String() != c.wantDst {
			t.Errorf("case %d: %v -> %v, want %s -> %s", i, r.src, r.dst, c.wantSrc, c.wantDst)
		}
		if r.ts != base+int64(i) {
			t.Errorf("case %d: time %d, want %d", i, r.ts, base+int64(i))
		}
		if !bytes.Equal(r.payload, payloadOf(i, max(c.size, 8))[:c.size]) {
			t.Errorf("case %d: payload differs (%d bytes, want %d)", i, len(r.payload), c.size)
		}
		var p capture.Packet
		if err := cp.Next(&p); err != nil {
			t.Fatal(err)
		}
		d := p.Data
		if int(p.OrigLen) != len(d) {
			t.Errorf("case %d: orig len %d, caplen %d", i, p.OrigLen, len(d))
		}
		switch d[0] >> 4 {
		case 4:
			if got := binary.BigEndian.Uint16(d[2:]); int(got) != len(d) {
				t.Errorf("case %d: IPv4 total length %d, record %d", i, got, len(d))
			}
			if s := refSum(d[:20]); s != 0xffff {
				t.Errorf("case %d: IPv4 header checksum wrong (sum %#x)", i, s)
			}
			if got := binary.BigEndian.Uint16(d[24:]); int(got) != len(d)-20 {
				t.Errorf("case %d: UDP length %d, want %d", i, got, len(d)-20)
			}
		case 6:
			if got := binary.BigEndian.Uint16(d[4:]); int(got) != len(d)-40 {
				t.Errorf("case %d: IPv6 payload length %d, want %d", i, got, len(d)-40)
			}
			udp := d[40:]
			if got := binary.BigEndian.Uint16(udp[4:]); int(got) != len(udp) {
				t.Errorf("case %d: UDP length %d, want %d", i, got, len(udp))
			}
			pseudo := append(append([]byte{}, d[8:40]...), 0, 0, byte(len(udp)>>8), byte(len(udp)), 0, 0, 0, 17)
			if s := refSum(append(pseudo, udp...)); s != 0xffff {
				t.Errorf("case %d: UDP checksum wrong (sum %#x)", i, s)
			}
			if binary.BigEndian.Uint16(udp[6:]) == 0 {
				t.Errorf("case %d: UDP checksum 0 over IPv6", i)
			}
		default:
			t.Errorf("case %d: IP version %d", i, d[0]>>4)
		}
	}
}

// TestWriterTooLarge: a payload no IP length can declare is refused.
func TestWriterTooLarge(t *testing.T) {
	w, _ := NewWriter(io.Discard)
	v4 := netip.MustParseAddrPort("127.0.0.1:1")
	v6 := netip.MustParseAddrPort("[::1]:1")
	if err := w.WriteDatagram(0, v4, v4, make([]byte, MaxPayload4+1)); err != ErrTooLarge {
		t.Errorf("IPv4: %v", err)
	}
	if err := w.WriteDatagram(0, v6, v6, make([]byte, MaxPayload6+1)); err != ErrTooLarge {
		t.Errorf("IPv6: %v", err)
	}
}

// TestSumOddAndLong checks sum against the plain sum on lengths of
// every remainder, long ones included.
func TestSumOddAndLong(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 1001, 65535} {
		b := bytes.Repeat([]byte{0xff, 0xfe, 0x01}, n/3+1)[:n]
		if got, want := fold(sum(0, b)), refSum(b); got != want {
			t.Errorf("%d bytes: %#x, want %#x", n, got, want)
		}
	}
}

// BenchmarkWriter is the spool path without the socket: datagrams of
// 1 KB written behind their headers into a 4 MiB bufio.Writer.
func BenchmarkWriter(b *testing.B) {
	for _, v := range []struct {
		name     string
		src, dst netip.AddrPort
	}{
		{"IPv4", netip.MustParseAddrPort("192.0.2.7:4739"), netip.MustParseAddrPort("127.0.0.1:2055")},
		{"IPv6", netip.MustParseAddrPort("[2001:db8::1]:4739"), netip.MustParseAddrPort("[::1]:2055")},
	} {
		b.Run(v.name, func(b *testing.B) {
			bw := bufio.NewWriterSize(io.Discard, 4<<20)
			w, _ := NewWriter(bw)
			p := payloadOf(1, 1000)
			b.SetBytes(int64(len(p)))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if err := w.WriteDatagram(int64(i), v.src, v.dst, p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "datagrams/s")
		})
	}
}
