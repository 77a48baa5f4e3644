package decode

import "encoding/binary"

// Header views in the style of gVisor's pkg/tcpip/header: a named byte
// slice with one-line accessors named after the RFC fields. Callers check
// complete() (or the length they need) before using an accessor. The
// per-packet path of (*Record).Decode reads its headers through a fixed
// array instead, (*[IPv4MinLen]byte)(b) after one length check, so that
// the compiler drops every other bounds check; the ICMP quote uses these
// views.

// Header lengths: the fixed part of each header, the only place they are
// defined.
const (
	IPv4MinLen = 20
	IPv6HdrLen = 40
	TCPMinLen  = 20
	UDPHdrLen  = 8
	icmpHdrLen = 8 // type, code, checksum and the 4-byte rest of header (ICMPv4 and ICMPv6)
)

// ipv4Header is an IPv4 header (RFC 791).
type ipv4Header []byte

func (h ipv4Header) complete() bool    { return len(h) >= IPv4MinLen }
func (h ipv4Header) hdrLen() int       { return int(h[0]&0x0f) * 4 }
func (h ipv4Header) totalLen() uint16  { return binary.BigEndian.Uint16(h[2:4]) }
func (h ipv4Header) flagsFrag() uint16 { return binary.BigEndian.Uint16(h[6:8]) }
func (h ipv4Header) protocol() uint8   { return h[9] }

// ipv6Header is an IPv6 fixed header (RFC 8200).
type ipv6Header []byte

func (h ipv6Header) complete() bool    { return len(h) >= IPv6HdrLen }
func (h ipv6Header) nextHeader() uint8 { return h[6] }
func (h ipv6Header) src() [16]byte     { return [16]byte(h[8:24]) }
func (h ipv6Header) dst() [16]byte     { return [16]byte(h[24:40]) }
