package collect

import (
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
)

// The spool's pcap format: nanosecond timestamps (magic a1b23c4d, written
// little-endian), version 2.4, LINKTYPE_RAW (101: each record starts with
// an IPv4 or IPv6 header).
const (
	pcapMagicNs   = 0xa1b23c4d
	pcapHeaderLen = 24
	recordLen     = 16
	// LinkTypeRaw is the spool's link type, LINKTYPE_RAW.
	LinkTypeRaw = 101
	// Snaplen is the snapshot length the spool's header declares: more
	// than any record (an IPv6 header, a UDP header and the largest UDP
	// payload an IPv6 length allows, 40 + 65535 bytes).
	Snaplen = 262144
)

// Header sizes of the records' headers.
const (
	ipv4HdrLen = 20
	ipv6HdrLen = 40
	udpHdrLen  = 8
)

// MaxPayload4 and MaxPayload6 are the largest UDP payloads a record can
// hold over IPv4 and IPv6: an IPv4 total length and an IPv6 payload length
// are 16 bits. No UDP datagram a socket receives is larger (jumbograms
// aside).
const (
	MaxPayload4 = 0xffff - ipv4HdrLen - udpHdrLen
	MaxPayload6 = 0xffff - udpHdrLen
)

// ErrTooLarge is the error of WriteDatagram for a payload no IP header
// could declare (more than MaxPayload4 over IPv4, MaxPayload6 over IPv6).
var ErrTooLarge = errors.New("collect: datagram too large for an IP header")

// Writer writes UDP datagrams as a pcap capture of LINKTYPE_RAW records:
// each record an IPv4 header (when both addresses are IPv4, or IPv4
// mapped into IPv6) or an IPv6 header, a UDP header and the payload, with
// the receive time as the record's timestamp. The IP and UDP lengths are
// right; the IPv4 header checksum and the UDP checksum over IPv6 are
// computed, the UDP checksum over IPv4 is 0 ("no checksum", RFC 768). A
// Writer does not buffer: give it a bufio.Writer. It is not safe for
// concurrent use.
type Writer struct {
	w   io.Writer
	hdr [recordLen + ipv6HdrLen + udpHdrLen]byte
	id  uint16 // the next IPv4 identification
	n   int64  // bytes written
}

// NewWriter writes the pcap file header to w and returns a Writer of
// records after it.
func NewWriter(w io.Writer) (*Writer, error) {
	var h [pcapHeaderLen]byte
	le := binary.LittleEndian
	le.PutUint32(h[0:], pcapMagicNs)
	le.PutUint16(h[4:], 2)
	le.PutUint16(h[6:], 4)
	le.PutUint32(h[16:], Snaplen)
	le.PutUint32(h[20:], LinkTypeRaw)
	if _, err := w.Write(h[:]); err != nil {
		return nil, err
	}
	return &Writer{w: w, n: pcapHeaderLen}, nil
}

// Written returns the number of bytes written so far, file header
// included.
func (w *Writer) Written() int64 { return w.n }

// WriteDatagram appends one record: payload as sent from src to dst,
// received at ts (nanoseconds since the Unix epoch). When one address is
// IPv4 (or IPv4 mapped into IPv6) and the other IPv6, the IPv6 one is
// replaced by the unspecified address of IPv4 if it is unspecified (a
// socket listening on all addresses), else the record is IPv6 with the
// IPv4 address mapped.
func (w *Writer) WriteDatagram(ts int64, src, dst netip.AddrPort, payload []byte) error {
	sa, da := src.Addr().Unmap(), dst.Addr().Unmap()
	if sa.Is4() != da.Is4() {
		switch {
		case sa.Is4() && da.IsUnspecified():
			da = netip.IPv4Unspecified()
		case da.Is4() && sa.IsUnspecified():
			sa = netip.IPv4Unspecified()
		default:
			sa, da = as16(sa), as16(da)
		}
	}
	v4 := sa.Is4()
	if v4 && len(payload) > MaxPayload4 || !v4 && len(payload) > MaxPayload6 {
		return ErrTooLarge
	}
	ipLen := ipv6HdrLen
	if v4 {
		ipLen = ipv4HdrLen
	}
	n := ipLen + udpHdrLen + len(payload)
	h := w.hdr[:recordLen+ipLen+udpHdrLen]
	le, be := binary.LittleEndian, binary.BigEndian
	if ts < 0 {
		ts = 0
	}
	le.PutUint32(h[0:], uint32(ts/1e9))
	le.PutUint32(h[4:], uint32(ts%1e9))
	le.PutUint32(h[8:], uint32(n))
	le.PutUint32(h[12:], uint32(n))
	ip := h[recordLen : recordLen+ipLen]
	udp := h[recordLen+ipLen:]
	be.PutUint16(udp[0:], src.Port())
	be.PutUint16(udp[2:], dst.Port())
	be.PutUint16(udp[4:], uint16(udpHdrLen+len(payload)))
	be.PutUint16(udp[6:], 0)
	if v4 {
		ip[0] = 0x45
		ip[1] = 0
		be.PutUint16(ip[2:], uint16(n))
		be.PutUint16(ip[4:], w.id)
		w.id++
		be.PutUint16(ip[6:], 0x4000) // don't fragment, offset 0
		ip[8] = 64
		ip[9] = 17
		be.PutUint16(ip[10:], 0)
		s4, d4 := sa.As4(), da.As4()
		copy(ip[12:16], s4[:])
		copy(ip[16:20], d4[:])
		be.PutUint16(ip[10:], ^fold(sum(0, ip)))
	} else {
		be.PutUint32(ip[0:], 6<<28)
		be.PutUint16(ip[4:], uint16(udpHdrLen+len(payload)))
		ip[6] = 17
		ip[7] = 64
		s16, d16 := sa.As16(), da.As16()
		copy(ip[8:24], s16[:])
		copy(ip[24:40], d16[:])
		// RFC 8200 section 8.1: the pseudo-header is the addresses, the
		// upper-layer length and the next header; a sum of 0 is sent as
		// ffff.
		s := sum(0, ip[8:40])
		s += uint32(udpHdrLen+len(payload)) + 17
		s = sum(s, udp)
		c := ^fold(sum(s, payload))
		if c == 0 {
			c = 0xffff
		}
		be.PutUint16(udp[6:], c)
	}
	if _, err := w.w.Write(h); err != nil {
		return err
	}
	w.n += int64(len(h))
	if _, err := w.w.Write(payload); err != nil {
		return err
	}
	w.n += int64(len(payload))
	return nil
}

// as16 is a as an IPv6 address (IPv4 mapped).
func as16(a netip.Addr) netip.Addr {
	if a.Is4() {
		return netip.AddrFrom16(a.As16())
	}
	return a
}

// sum adds b, as big-endian 16-bit words (an odd last byte padded with
// 0), to the one's complement sum s and returns it partly folded (at
// most 17 bits, so a caller may add a few 16-bit words before fold). The
// 32-bit words of b are added into 64 bits, which no datagram overflows.
func sum(s uint32, b []byte) uint32 {
	acc := uint64(s)
	for len(b) >= 8 {
		acc += uint64(binary.BigEndian.Uint32(b)) + uint64(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		acc += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	for acc>>32 != 0 {
		acc = acc&0xffffffff + acc>>32
	}
	return uint32(acc&0xffff) + uint32(acc>>16) // at most 0x1fffe: no overflow left for the caller's few adds
}

// fold folds a one's complement sum into 16 bits.
func fold(s uint32) uint16 {
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}
