package analyze

import "encoding/binary"

// Header views in the style of gVisor's pkg/tcpip/header: a named byte
// slice with one-line accessors named after the RFC fields. Callers check
// complete() (or the length they need) before using an accessor.

const (
	ipv4MinLen = 20
	ipv6HdrLen = 40
	tcpMinLen  = 20
	udpHdrLen  = 8
	icmpHdrLen = 8 // type, code, checksum and the 4-byte rest of header (ICMPv4 and ICMPv6)
)

// ipv4Header is an IPv4 header (RFC 791).
type ipv4Header []byte

func (h ipv4Header) complete() bool    { return len(h) >= ipv4MinLen }
func (h ipv4Header) version() uint8    { return h[0] >> 4 }
func (h ipv4Header) hdrLen() int       { return int(h[0]&0x0f) * 4 }
func (h ipv4Header) totalLen() uint16  { return binary.BigEndian.Uint16(h[2:4]) }
func (h ipv4Header) id() uint16        { return binary.BigEndian.Uint16(h[4:6]) }
func (h ipv4Header) flagsFrag() uint16 { return binary.BigEndian.Uint16(h[6:8]) }
func (h ipv4Header) ttl() uint8        { return h[8] }
func (h ipv4Header) protocol() uint8   { return h[9] }
func (h ipv4Header) src() (a [4]byte)  { return [4]byte(h[12:16]) }
func (h ipv4Header) dst() (a [4]byte)  { return [4]byte(h[16:20]) }

// ipv6Header is an IPv6 fixed header (RFC 8200).
type ipv6Header []byte

func (h ipv6Header) complete() bool     { return len(h) >= ipv6HdrLen }
func (h ipv6Header) version() uint8     { return h[0] >> 4 }
func (h ipv6Header) payloadLen() uint16 { return binary.BigEndian.Uint16(h[4:6]) }
func (h ipv6Header) nextHeader() uint8  { return h[6] }
func (h ipv6Header) hopLimit() uint8    { return h[7] }
func (h ipv6Header) src() [16]byte      { return [16]byte(h[8:24]) }
func (h ipv6Header) dst() [16]byte      { return [16]byte(h[24:40]) }

// tcpHeader is a TCP header (RFC 9293); seq needs 8 bytes, the rest 20.
type tcpHeader []byte

func (t tcpHeader) seq() uint32       { return binary.BigEndian.Uint32(t[4:8]) }
func (t tcpHeader) ack() uint32       { return binary.BigEndian.Uint32(t[8:12]) }
func (t tcpHeader) dataOffset() uint8 { return t[12] >> 4 }
func (t tcpHeader) flags() uint16     { return uint16(t[13]) | uint16(t[12]&1)<<8 }
func (t tcpHeader) window() uint16    { return binary.BigEndian.Uint16(t[14:16]) }

// udpHeader is a UDP header (RFC 768).
type udpHeader []byte

func (u udpHeader) length() uint16 { return binary.BigEndian.Uint16(u[4:6]) }
