package gen

import (
	"math/rand/v2"
	"testing"
)

// TestChecksumFromFields holds the checksums putIPv4 and (*chunkBuf).tcp
// sum from the header fields to the plain sum over the bytes: random
// headers, options and payloads (odd lengths and forced data offsets
// included), and the words at their extremes.
func TestChecksumFromFields(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	cases := []struct {
		ip  ipHdr
		tcp tcpHdr
		pl  int
	}{
		{}, // every field zero
		{ip: ipHdr{src: ^uint32(0), dst: ^uint32(0), id: 0xffff, frag: 0xffff, ttl: 255},
			tcp: tcpHdr{sport: 0xffff, dport: 0xffff, seq: ^uint32(0), ack: ^uint32(0), flags: 0xff, window: 0xffff}, pl: 1},
		{tcp: tcpHdr{forceOff: true, dataOff: 15}},
	}
	for range 2000 {
		opts := make([]byte, 4*r.IntN(11))
		for i := range opts {
			opts[i] = byte(r.Uint32())
		}
		cases = append(cases, struct {
			ip  ipHdr
			tcp tcpHdr
			pl  int
		}{
			ip: ipHdr{src: r.Uint32(), dst: r.Uint32(), id: uint16(r.Uint32()), frag: uint16(r.Uint32()), ttl: uint8(r.Uint32())},
			tcp: tcpHdr{sport: uint16(r.Uint32()), dport: uint16(r.Uint32()), seq: r.Uint32(), ack: r.Uint32(),
				flags: uint8(r.Uint32()), window: uint16(r.Uint32()), forceOff: r.IntN(4) == 0, dataOff: uint8(r.IntN(16)), opts: opts},
			pl: r.IntN(100),
		})
	}
	c := &chunkBuf{ethernet: true}
	for i, tc := range cases {
		payload := make([]byte, tc.pl)
		for j := range payload {
			payload[j] = byte(r.Uint32())
		}
		c.reset(0)
		ip, h := tc.ip, tc.tcp
		c.tcp(1e9, &ip, &h, payload, truthRec{})
		b := c.pcap[pcapRecordLen+ethHeaderLen:]
		total := ipv4HeaderLen + tcpHeaderLen + len(h.opts) + len(payload)
		b = b[:total]
		if got := fold(sum16(b[:ipv4HeaderLen], 0)); got != 0 && got != 0xffff {
			t.Fatalf("case %d: IPv4 header checksum does not verify (%#04x): % x", i, got, b[:ipv4HeaderLen])
		}
		seg := b[ipv4HeaderLen:]
		want := seg[16:18]
		w := uint16(want[0])<<8 | uint16(want[1])
		want[0], want[1] = 0, 0
		if sum := fold(sum16(seg, pseudo(ip.src, ip.dst, protoTCP, len(seg)))); sum != w {
			t.Fatalf("case %d: TCP checksum %#04x, the bytes sum to %#04x", i, w, sum)
		}
		hdr := b[:ipv4HeaderLen]
		cs := uint16(hdr[10])<<8 | uint16(hdr[11])
		hdr[10], hdr[11] = 0, 0
		if sum := fold(sum16(hdr, 0)); sum != cs {
			t.Fatalf("case %d: IPv4 checksum %#04x, the bytes sum to %#04x", i, cs, sum)
		}
	}
}
