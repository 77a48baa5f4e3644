package gen

import (
	"bytes"
	"testing"
)

// fillDNSResponseRef is fillDNSResponse as first written, a byte at a
// time: the reference for the one that copies the letters.
func fillDNSResponseRef(b []byte, id uint16) {
	q := dnsQuery[12:]
	n := copy(b, []byte{byte(id >> 8), byte(id), 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0})
	n += copy(b[n:], q[:len(q)-4])
	n += copy(b[n:], []byte{0x00, 0xff, 0x00, 0x01})
	answers := 0
	for len(b)-n >= 12+1 {
		rest := len(b) - n - 12
		rdlen := min(rest, 4096)
		if left := rest - rdlen; left > 0 && left < 13 {
			rdlen -= 13 - left
		}
		b[n], b[n+1] = 0xc0, 0x0c
		b[n+2], b[n+3] = 0, 16
		b[n+4], b[n+5] = 0, 1
		b[n+6], b[n+7], b[n+8], b[n+9] = 0, 0, 0x0e, 0x10
		b[n+10], b[n+11] = byte(rdlen>>8), byte(rdlen)
		n += 12
		for end := n + rdlen; n < end; {
			l := min(end-n-1, 255)
			b[n] = byte(l)
			for i := 1; i <= l; i++ {
				b[n+i] = byte('a' + (n+i)%26)
			}
			n += 1 + l
		}
		answers++
	}
	for ; n < len(b); n++ {
		b[n] = 0
	}
	b[6], b[7] = byte(answers>>8), byte(answers)
}

// TestFillDNSResponse holds fillDNSResponse to the byte-at-a-time
// reference for every length a fragment train's UDP payload can have.
func TestFillDNSResponse(t *testing.T) {
	got, want := make([]byte, 16*fragPayload), make([]byte, 16*fragPayload)
	for n := 64; n <= len(got); n++ {
		id := uint16(n * 40503)
		clear(got)
		clear(want)
		fillDNSResponse(got[:n], id)
		fillDNSResponseRef(want[:n], id)
		if !bytes.Equal(got, want) {
			t.Fatalf("length %d: the payloads differ", n)
		}
	}
}
