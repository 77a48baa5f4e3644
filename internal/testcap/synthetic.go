package testcap

import (
	"encoding/binary"
	"math/rand/v2"
)

// SyntheticPacket is one packet of Synthetic: a time (ns since the epoch),
// an IPv4 source, and whether it is a UDP packet to port 0 (else to 53).
type SyntheticPacket struct {
	TS    int64
	Src   uint32
	Port0 bool
}

// Synthetic returns a raw-IP (LINKTYPE_RAW), nanosecond pcap of UDP
// packets, one per p, to destinations in 198.18.0.0/15: a capture of any
// period and density for the time-series tests, without running gen.
func Synthetic(ps []SyntheticPacket) []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, 0xa1b23c4d) // nanosecond pcap
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 4)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, 65535)
	b = le.AppendUint32(b, 101)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range ps {
		const n = 20 + 8
		b = le.AppendUint32(b, uint32(p.TS/1e9))
		b = le.AppendUint32(b, uint32(p.TS%1e9))
		b = le.AppendUint32(b, n)
		b = le.AppendUint32(b, n)
		ip := []byte{0x45, 0, 0, n, 0, 1, 0, 0, 64, 17, 0, 0}
		ip = binary.BigEndian.AppendUint32(ip, p.Src)
		ip = binary.BigEndian.AppendUint32(ip, 0xc6120000|rng.Uint32()&0x1ffff)
		var sum uint32
		for i := 0; i < 20; i += 2 {
			sum += uint32(binary.BigEndian.Uint16(ip[i:]))
		}
		for sum > 0xffff {
			sum = sum&0xffff + sum>>16
		}
		binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
		dport := uint16(53)
		if p.Port0 {
			dport = 0
		}
		udp := binary.BigEndian.AppendUint16(nil, 40000+uint16(rng.IntN(1000)))
		udp = binary.BigEndian.AppendUint16(udp, dport)
		udp = binary.BigEndian.AppendUint16(udp, 8)
		udp = binary.BigEndian.AppendUint16(udp, 0)
		b = append(append(b, ip...), udp...)
	}
	return b
}
