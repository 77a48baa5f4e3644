package classify

import (
	"bytes"
	"strings"

	"github.com/port0/port0/decode"
	"github.com/port0/port0/label"
)

// This file answers the second question (docs/BACKGROUND.md, "The two
// questions") — why does a packet exist? — in two steps. Shape says what one packet looks like, from its
// headers and first payload bytes alone; the purpose class of a packet then
// comes from its shape and, where one packet cannot tell (a lone SYN to port
// 0 may be a scan or one probe of a fingerprinting bundle), from what its
// source did overall (Source.Class). Nothing here knows about the generator.

// Shape is what one port-0-related packet looks like. The zero value means
// the packet is not port-0-related.
type Shape uint8

// Shapes, from the headers (docs/BACKGROUND.md).
const (
	ShapeNone       Shape = iota // not port-0-related
	ShapeMalformed               // TCP with a data offset below 5 and a port 0
	ShapeBitTorrent              // UDP with a port 0 and a DHT, uTP or tracker payload
	ShapeReplyTo0                // TCP SYN-ACK, RST-ACK or RST from a service port to port 0
	ShapeReplyFrom0              // TCP RST or RST-ACK from port 0
	ShapeICMPQuote0              // ICMP error quoting a TCP/UDP packet with a port 0
	ShapeSYNTo0                  // TCP SYN (no ACK) to port 0
	ShapeUDPTo0                  // UDP to port 0, no known payload
	ShapeSYNFrom0                // TCP SYN from port 0 to a service port
	ShapeUDPFrom0                // UDP from port 0 to a service port
	ShapeOtherTCP                // any other TCP flag combination with a port 0
	ShapeCut                     // TCP or UDP with a port 0, its header cut after the ports (tiny first fragment, snap length)
	NumShapes
)

var shapeNames = [NumShapes]string{"none", "malformed", "bittorrent", "reply-to-0", "reply-from-0", "icmp-quote-0",
	"syn-to-0", "udp-to-0", "syn-from-0", "udp-from-0", "other-tcp", "cut-header"}

// String returns a short lower-case name.
func (s Shape) String() string { return label.EnumName(shapeNames[:], uint8(s)) }

// MarshalText returns the String name (CSV, JSON).
func (s Shape) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a String name.
func (s *Shape) UnmarshalText(b []byte) error {
	v, err := label.ParseEnum("shape", shapeNames[:], b)
	*s = Shape(v)
	return err
}

// Probe is which OS-fingerprinting probe a packet looks like: Ste Jones's
// seven port-0 probes (P3 and P4 differ only in whether the port is open,
// which a telescope cannot see, so they are one shape) and Nmap's T2–T7
// shapes aimed at port 0. The zero value means none.
type Probe uint8

// Probes.
const (
	ProbeNone Probe = iota
	ProbeP1         // TCP SYN 0 → 0
	ProbeP2         // TCP SYN X → 0
	ProbeP34        // TCP SYN 0 → Y (open or closed port)
	ProbeP5         // UDP 0 → 0
	ProbeP6         // UDP 53 → 0
	ProbeP7         // UDP 0 → Y
	ProbeT2         // TCP no flags, window 128, to port 0
	ProbeT3         // TCP SYN+FIN+URG+PSH, window 256
	ProbeT4         // TCP ACK, window 1024
	ProbeT5         // TCP SYN, window 31337
	ProbeT6         // TCP ACK, window 32768
	ProbeT7         // TCP FIN+PSH+URG, window 65535
	NumProbes
)

var probeNames = [NumProbes]string{"-", "P1", "P2", "P3/P4", "P5", "P6", "P7", "T2", "T3", "T4", "T5", "T6", "T7"}

// String returns the probe's name ("-" for none).
func (p Probe) String() string { return label.EnumName(probeNames[:], uint8(p)) }

// MarshalText returns the String name (CSV, JSON).
func (p Probe) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText parses a String name.
func (p *Probe) UnmarshalText(b []byte) error {
	v, err := label.ParseEnum("probe", probeNames[:], b)
	*p = Probe(v)
	return err
}

// ProbeSet is a set of probe shapes: bit p is probe p.
type ProbeSet uint16

// Add adds p to the set.
func (s *ProbeSet) Add(p Probe) { *s |= 1 << p }

// Has reports whether p is in the set.
func (s ProbeSet) Has(p Probe) bool { return s&(1<<p) != 0 }

// String lists the probes in probe order, space-separated ("P1 P2 T3"),
// ProbeNone left out; "" for the empty set.
func (s ProbeSet) String() string {
	var b []byte
	for p := ProbeP1; p < NumProbes; p++ {
		if s.Has(p) {
			if len(b) > 0 {
				b = append(b, ' ')
			}
			b = append(b, p.String()...)
		}
	}
	return string(b)
}

// ParseProbeSet parses what String writes.
func ParseProbeSet(s string) (ProbeSet, error) {
	var set ProbeSet
	for _, f := range strings.Fields(s) {
		var p Probe
		if err := p.UnmarshalText([]byte(f)); err != nil {
			return 0, err
		}
		set.Add(p)
	}
	return set, nil
}

// nmapShapes are Nmap's T2–T7 windows and flags.
var nmapShapes = [6]struct {
	window uint16
	flags  uint16
}{
	{128, 0},
	{256, decode.TCPFlagSYN | decode.TCPFlagFIN | decode.TCPFlagURG | decode.TCPFlagPSH},
	{1024, decode.TCPFlagACK},
	{31337, decode.TCPFlagSYN},
	{32768, decode.TCPFlagACK},
	{65535, decode.TCPFlagFIN | decode.TCPFlagPSH | decode.TCPFlagURG},
}

// ShapeOf says what a packet looks like. payload is the start of the
// transport payload (may be short or nil); only UDP payloads are read.
func ShapeOf(r *decode.Record, payload []byte) (Shape, Probe) {
	if r.Port0 < decode.Port0Src {
		if r.ICMP && r.Inner.Ports == decode.PortsPresent && r.Inner.Port0 >= decode.Port0Src {
			return ShapeICMPQuote0, ProbeNone
		}
		return ShapeNone, ProbeNone
	}
	if r.Ports != decode.PortsPresent {
		return ShapeCut, ProbeNone // the flags and the payload are not there
	}
	sp, dp := r.SrcPort, r.DstPort
	if r.Proto == decode.ProtoUDP {
		switch {
		case IsBitTorrent(payload):
			return ShapeBitTorrent, ProbeNone
		case dp == 0:
			switch sp {
			case 0:
				return ShapeUDPTo0, ProbeP5
			case 53:
				return ShapeUDPTo0, ProbeP6
			}
			return ShapeUDPTo0, ProbeNone
		}
		return ShapeUDPFrom0, ProbeP7
	}
	// TCP.
	if r.DataOffset < 5 {
		return ShapeMalformed, ProbeNone
	}
	f := r.Flags &^ decode.TCPFlagNS
	syn, ack, rst := f&decode.TCPFlagSYN != 0, f&decode.TCPFlagACK != 0, f&decode.TCPFlagRST != 0
	probe := ProbeNone
	if dp == 0 {
		for i, s := range nmapShapes {
			if r.Window == s.window && f == s.flags {
				probe = ProbeT2 + Probe(i)
			}
		}
	}
	switch {
	case dp == 0 && sp != 0 && ack && (syn || rst) && f&^(decode.TCPFlagSYN|decode.TCPFlagACK|decode.TCPFlagRST|decode.TCPFlagECE|decode.TCPFlagCWR) == 0:
		return ShapeReplyTo0, probe
	case dp == 0 && sp != 0 && f == decode.TCPFlagRST:
		return ShapeReplyTo0, probe
	case sp == 0 && dp != 0 && rst && !syn:
		return ShapeReplyFrom0, probe
	case syn && !ack && !rst && f&decode.TCPFlagFIN == 0:
		if probe == ProbeNone {
			switch {
			case sp == 0 && dp == 0:
				probe = ProbeP1
			case dp == 0:
				probe = ProbeP2
			default:
				probe = ProbeP34
			}
		}
		if dp == 0 {
			return ShapeSYNTo0, probe
		}
		return ShapeSYNFrom0, probe
	}
	return ShapeOtherTCP, probe
}

// BitTorrent payload signatures (docs/BACKGROUND.md, BEP 5, 15, 29): DHT bencoded queries and
// responses, uTP packets (type<<4 | version 1 with a 20-byte header) and the
// UDP tracker's connect magic.
var (
	dhtQuery    = []byte("d1:ad2:id20:")
	dhtResponse = []byte("d1:rd2:id20:")
	trackerMag  = []byte{0, 0, 0x04, 0x17, 0x27, 0x10, 0x19, 0x80}
)

// IsBitTorrent reports whether a UDP payload starts like BitTorrent.
func IsBitTorrent(p []byte) bool {
	if bytes.HasPrefix(p, dhtQuery) || bytes.HasPrefix(p, dhtResponse) || bytes.HasPrefix(p, trackerMag) {
		return true
	}
	// uTP: type 0..4 in the high nibble, version 1, extension 0 or 1, and
	// at least the 20-byte header.
	return len(p) >= 20 && p[0]&0x0f == 1 && p[0]>>4 <= 4 && p[1] <= 1
}

// ShapeClass is the purpose class a shape implies on its own, before the
// source's behaviour is known.
func ShapeClass(s Shape) label.Class {
	switch s {
	case ShapeMalformed:
		return label.Malformed
	case ShapeBitTorrent:
		return label.BitTorrent
	case ShapeReplyTo0:
		return label.BackscatterTo0
	case ShapeReplyFrom0, ShapeICMPQuote0:
		return label.BackscatterFrom0
	case ShapeSYNTo0, ShapeUDPTo0, ShapeSYNFrom0, ShapeUDPFrom0:
		return label.Scan
	case ShapeOtherTCP, ShapeCut:
		return label.Other
	}
	return label.Unknown
}

// PacketClass is the purpose class of a packet of the given shape and probe
// sent by a source classified as src. Packets of fingerprinting sources that
// look like probes are fingerprint probes; packets of a retrying source
// that look like scanning are its retries; every other packet keeps the
// class its shape implies.
func PacketClass(s Shape, p Probe, src label.Class) label.Class {
	switch c := ShapeClass(s); {
	case src == label.Fingerprint && p != ProbeNone:
		return label.Fingerprint
	case src == label.Retry && c == label.Scan:
		return label.Retry
	default:
		return c
	}
}

// InitialTTL infers the initial TTL of a sender from an observed TTL: the
// smallest of 32, 64, 128 and 255 that is at least the observed value.
func InitialTTL(ttl uint8) uint8 {
	for _, t := range [...]uint8{32, 64, 128} {
		if ttl <= t {
			return t
		}
	}
	return 255
}

// NaiveFlowPorts are the ports a NetFlow/IPFIX exporter writes for a packet:
// the real ports where a TCP/UDP header is present, 0/0 for fragments without
// one and protocols without ports, and for ICMP source 0 and destination
// type*256+code (so an echo reply reads as "destination port 0").
func NaiveFlowPorts(r *decode.Record) (src, dst uint16) {
	switch {
	case r.Ports == decode.PortsPresent:
		return r.SrcPort, r.DstPort
	case r.ICMP:
		return 0, uint16(r.ICMPType)<<8 | uint16(r.ICMPCode)
	}
	return 0, 0
}
