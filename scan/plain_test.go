package scan

import (
	"encoding/binary"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
)

// TestPlainPath holds the plain fast path to the full one: for ordinary
// packets and for every kind of damage a few random bytes do to their
// headers, a part fed by plain (falling back to Decode and packet as
// decodeChunk does) equals a part fed by Decode and packet alone.
func TestPlainPath(t *testing.T) {
	tcp := func(opts []byte) []byte {
		b := make([]byte, 14+20+20+len(opts)+6)
		binary.BigEndian.PutUint16(b[12:], decode.EtherIPv4)
		ip := b[14:]
		ip[0], ip[8], ip[9] = 0x45, 57, decode.ProtoTCP
		binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
		copy(ip[12:], []byte{203, 0, 113, 9, 198, 18, 4, 7})
		l4 := ip[20:]
		binary.BigEndian.PutUint16(l4[0:], 40001)
		binary.BigEndian.PutUint16(l4[2:], 445)
		l4[12], l4[13] = byte((20+len(opts))/4)<<4, 0x02
		copy(l4[20:], opts)
		return b
	}
	udp := func() []byte {
		b := make([]byte, 14+20+8+12)
		binary.BigEndian.PutUint16(b[12:], decode.EtherIPv4)
		ip := b[14:]
		ip[0], ip[8], ip[9] = 0x45, 120, decode.ProtoUDP
		binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
		copy(ip[12:], []byte{192, 0, 2, 77, 198, 19, 200, 1})
		binary.BigEndian.PutUint16(ip[20:], 5353)
		binary.BigEndian.PutUint16(ip[22:], 53)
		binary.BigEndian.PutUint16(ip[24:], 20)
		return b
	}
	bases := [][]byte{
		tcp(nil),
		tcp([]byte{2, 4, 5, 0xb4}),
		tcp([]byte{2, 4, 5, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2}),
		tcp([]byte{2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0, 1, 3, 3, 7}),
		tcp([]byte{3, 3, 10, 1, 2, 4, 1, 9, 8, 10, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 4, 2}), // Nmap: walked
		udp(),
	}
	// Port 0 on one side: the full path's business.
	dport0, sport0 := tcp(nil), udp()
	binary.BigEndian.PutUint16(dport0[14+22:], 0)
	binary.BigEndian.PutUint16(sport0[14+20:], 0)
	bases = append(bases, dport0, sport0)
	rng := rand.New(rand.NewPCG(7, 8))
	var d decoder
	fast, full := &part{study: true}, &part{study: true}
	fast.reset()
	full.reset()
	plains := 0
	for i := range 20000 {
		base := bases[i%len(bases)]
		b := append([]byte(nil), base...)
		for range rng.IntN(4) { // 0 to 3 damaged header bytes
			b[rng.IntN(min(len(b), 14+20+40))] = byte(rng.Uint32())
		}
		if rng.IntN(8) == 0 {
			b = b[:rng.IntN(len(b)+1)] // cut
		}
		links := []capture.LinkType{capture.LinkEthernet, capture.LinkRaw}
		link := links[rng.IntN(2)]
		if link == capture.LinkRaw {
			b = b[min(14, len(b)):]
		}
		p := capture.Packet{LinkType: link, Data: b, OrigLen: uint32(len(b) + rng.IntN(2)), TS: int64(i) * 7e8, Index: int64(i)}
		if h, ok := decode.PlainIPv4(p.LinkType, p.Data); ok {
			fast.plain(&p, h)
			plains++
		} else {
			d.r.Decode(p.LinkType, p.Data)
			fast.packet(&d, &p, &d.r)
		}
		d.r.Decode(p.LinkType, p.Data)
		full.packet(&d, &p, &d.r)
		if !reflect.DeepEqual(fast.t, full.t) || fast.dmin != full.dmin || fast.dmax != full.dmax || !reflect.DeepEqual(fast.intervals, full.intervals) {
			t.Fatalf("packet %d (% x, link %v): the plain path and the full one differ", i, b, link)
		}
	}
	if plains < 2500 || plains > 17500 {
		t.Errorf("%d of 20000 packets took the plain path: the test does not exercise both paths", plains)
	}
}
