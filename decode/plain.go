package decode

import (
	"encoding/binary"

	"github.com/port0/port0/capture"
)

// PlainIPv4 is the decoder's plain path: it recognises the packets most
// of a capture is — an unfragmented IPv4 TCP or UDP packet over Ethernet
// or raw IP with a 20-byte IP header, a whole transport header (TCP
// options absent or in a layout optionLayout knows), no port 0, not to a
// UDP tunnel's port, and nothing malformed — from their header bytes,
// and returns the IPv4 header. For such a packet Decode would fill a Record with Link OK,
// IPVersion 4, Ports present, Port0 none, Frag none and no Reason; the
// scan counts it so without calling Decode. Every other packet is
// reported false and must take Decode. The rules are Decode's (ipv4,
// tcp, udp in decode.go); TestPlainIPv4 and TestPlainIPv4Damage here, and
// TestPlainPath and the scan's chunk tests, hold the two to the same
// counts.
func PlainIPv4(link capture.LinkType, b []byte) (ip *[IPv4MinLen]byte, ok bool) {
	switch {
	case link == capture.LinkEthernet:
		if len(b) < ethHdrLen || binary.BigEndian.Uint16(b[12:14]) != EtherIPv4 {
			return nil, false
		}
		b = b[ethHdrLen:]
	case isRawLink(link):
	default:
		return nil, false
	}
	if len(b) < IPv4MinLen {
		return nil, false
	}
	h := (*[IPv4MinLen]byte)(b)
	tl := int(binary.BigEndian.Uint16(h[2:4]))
	if h[0] != 0x45 || tl < IPv4MinLen || binary.BigEndian.Uint16(h[6:8])&0x3fff != 0 {
		return nil, false // options, a bad header, or a fragment
	}
	l4 := b[IPv4MinLen:min(tl, len(b))]
	switch h[9] {
	case ProtoTCP:
		if len(l4) < TCPMinLen {
			return nil, false
		}
		hl := int(l4[12]>>4) * 4
		if hl < TCPMinLen || hl > len(l4) {
			return nil, false
		}
		if hl > TCPMinLen {
			if _, _, _, _, ok := optionLayout(l4[TCPMinLen:hl]); !ok {
				return nil, false
			}
		}
	case ProtoUDP:
		if len(l4) < UDPHdrLen || binary.BigEndian.Uint16(l4[4:6]) < UDPHdrLen || portEncap(binary.BigEndian.Uint16(l4[2:4])) != EncapNone {
			return nil, false // or a tunnel Decode follows
		}
	default:
		return nil, false
	}
	if binary.BigEndian.Uint16(l4[0:2]) == 0 || binary.BigEndian.Uint16(l4[2:4]) == 0 {
		return nil, false
	}
	return h, true
}

// UDPDatagram returns a UDP packet's header and the start of its
// payload (nil for any other packet, for a UDP header not whole in data,
// and for IPv6 with extension headers, whose lengths a Record does not
// keep), found from the offset of the IP header and the IP header length
// of its Record r, as Decode filled it from data; the payload is clipped
// to the IP and UDP lengths and to the capture.
func UDPDatagram(data []byte, r *Record) []byte {
	if r.Proto != ProtoUDP || r.Ports != PortsPresent || r.Link != LinkOK {
		return nil
	}
	off := int(r.NetOff)
	switch {
	case r.IPVersion == 4:
		off += int(r.IPHdrLen)
	case r.NExt == 0:
		off += IPv6HdrLen
	default:
		return nil // IPv6 extension header lengths are not kept
	}
	if off+UDPHdrLen > len(data) {
		return nil
	}
	return data[off:min(len(data), off+UDPHdrLen+int(r.PayloadLen))]
}

// UDPPayload returns the start of a UDP packet's payload, where
// UDPDatagram finds the datagram (else nil).
func UDPPayload(data []byte, r *Record) []byte {
	if d := UDPDatagram(data, r); d != nil {
		return d[UDPHdrLen:]
	}
	return nil
}
