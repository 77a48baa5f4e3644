package decode

import (
	"encoding/binary"
	"net/netip"

	"github.com/port0/port0/label"
)

// Record is what the headers of one packet say. It is filled in place by
// (*Record).Decode and by (*RefDecoder).Decode, and it is comparable, so a
// differential test is one !=.
//
// Zero values mean unknown. Each field's comment says when it is valid;
// a field that is not valid is zero.
//
// A Record holds no pointers: its addresses are Addr, 16-byte arrays,
// not netip.Addr, whose zone pointer would make every reset and every
// address store go through the garbage collector's write barriers.
// SrcAddr and DstAddr return them as netip.Addr. The fields a plain TCP
// or UDP packet fills come first; those of TCP options, IPv6 extension
// headers and ICMP errors last.
type Record struct {
	// Link is the result of the link layer. Always valid after Decode.
	Link LinkResult
	// VLANs is the number of 802.1Q / QinQ tags skipped (saturates at 255).
	// Valid when Link is LinkOK or LinkNotIP.
	VLANs uint8
	// MPLS is the number of MPLS labels skipped (saturates at 255).
	MPLS uint8
	// NetOff is the offset of the IP header in the frame: the length of
	// every link header before it (Ethernet, tags, labels, PPP, LLC/SNAP,
	// ...). Valid when Link is LinkOK.
	NetOff uint16

	// IPVersion is 4 or 6: the network header was recognised and its fixed
	// part (20 or 40 bytes) is in the capture. Every IP field below is
	// valid only when IPVersion != 0.
	IPVersion uint8
	// TTL is the IPv4 time to live or the IPv6 hop limit.
	TTL uint8
	// IPHdrLen is the IPv4 header length in bytes (IHL*4) as the header
	// says it, even when malformed; 0 for IPv6.
	IPHdrLen uint8
	// IPOptions is set when the IPv4 header carries options (IHL > 5).
	IPOptions bool
	// DF and MF are the IPv4 Don't Fragment and More Fragments flags; MF is
	// also the M flag of an IPv6 Fragment header.
	DF, MF bool
	// Frag says whether the packet is a fragment. Valid when the IPv4
	// header is well formed or the IPv6 Fragment header was reached.
	Frag FragKind
	// Proto is the final transport protocol number (after IPv6 extension
	// headers). Valid when IPVersion != 0 and the IP header (and its
	// extension headers) were walked: Ports != PortsUnknown.
	Proto uint8
	// Ports says whether the transport header holds ports and, if not,
	// why. Valid when IPVersion != 0.
	Ports PortsKind
	// Port0 is the position of port 0. Valid iff the port fields are
	// captured: Ports is PortsPresent, or PortsCut.
	Port0 Port0Pos
	// IPLen is the IPv4 total length or the IPv6 payload length field as
	// written in the header.
	IPLen uint16
	// FragOffset is the fragment offset in 8-byte units (IPv4 header or
	// IPv6 Fragment header).
	FragOffset uint16
	// IPID is the IPv4 Identification, or the IPv6 Fragment header
	// Identification when that header is present.
	IPID uint32
	// SrcPort and DstPort are the TCP or UDP ports. Valid iff Port0 is
	// (not Port0Unknown): the first 4 bytes of the TCP or UDP header are
	// inside both the capture and the IP length.
	SrcPort, DstPort uint16
	// Src and Dst are the IP source and destination addresses (IPv4 ones
	// in their IPv4-mapped form); SrcAddr and DstAddr return them as
	// netip.Addr.
	Src, Dst Addr

	// PayloadLen is the number of bytes after the last header decoded
	// (TCP header with options, UDP header, 8-byte ICMP header, or the IP
	// header and extension headers for other protocols and non-first
	// fragments), taken from the IP and UDP length fields and clipped to
	// the capture; never from the frame length. Valid when IPVersion != 0
	// and Reason is zero.
	PayloadLen uint16
	// UDPLen is the UDP length field. Valid when Proto is UDP and Ports is
	// PortsPresent.
	UDPLen uint16

	// Seq, Ack, Window, Flags (CWR..FIN in the low 8 bits, NS as bit 8:
	// TCPFlagNS) and DataOffset (in 32-bit words, as written) of the TCP
	// header. Valid when Proto is TCP and Ports is PortsPresent.
	Seq        uint32
	Ack        uint32
	Window     uint16
	Flags      uint16
	DataOffset uint8
	// Opts lists the first len(Opts) TCP option kinds in order (NOP and
	// End-of-list included); NOpts counts all options parsed (saturating).
	// Valid when the TCP fields are, DataOffset >= 5 and the options are
	// within the capture.
	Opts  [8]uint8
	NOpts uint8
	// MSS and WScale are the values of the MSS (kind 2, length 4) and
	// window scale (kind 3, length 3) options; valid when that kind is
	// among the options parsed.
	MSS    uint16
	WScale uint8

	// Ext lists the IPv6 extension header numbers walked, in order (0
	// hop-by-hop, 43 routing, 44 fragment, 60 destination options). NExt
	// is how many; at most maxExt are walked.
	Ext  [MaxExt]uint8
	NExt uint8

	// ICMPType and ICMPCode are the ICMPv4 or ICMPv6 type and code. Valid
	// when ICMP is set.
	ICMP               bool
	ICMPType, ICMPCode uint8

	// Reason says why the packet is malformed or cut short; zero means it
	// is neither. Fields decoded before the problem stay valid.
	Reason Reason

	// Note says what the decoder presumed to decode a packet that a
	// strict reading calls malformed (an offloaded length, a jumbogram),
	// or that it stopped following tunnels; zero means nothing.
	Note Note

	// Inner is the packet quoted by an ICMP error message (ICMPv4 types
	// 3, 4, 5, 11, 12; ICMPv6 types 1, 2, 3, 4). Zero otherwise.
	Inner Quoted

	// Encap is the outermost tunnel the packet was found in; EncapNone
	// for a packet that is not tunneled. Every IP and transport field
	// above then describes the innermost packet reached (the one that
	// is classified) and NetOff its IP header; Tunnels is how many
	// tunnels were followed to reach it (at most MaxTunnels), and
	// OuterVersion, OuterSrc and OuterDst are the outermost IP header's
	// (OuterSrcAddr and OuterDstAddr return them as netip.Addr).
	Encap              Encap
	Tunnels            uint8
	OuterVersion       uint8
	OuterSrc, OuterDst Addr
}

// OuterSrcAddr returns the outermost IP source address of a tunneled
// packet; the zero netip.Addr for one that is not tunneled.
func (r *Record) OuterSrcAddr() netip.Addr { return r.OuterSrc.addr(r.OuterVersion) }

// OuterDstAddr returns the outermost IP destination address of a
// tunneled packet; the zero netip.Addr for one that is not tunneled.
func (r *Record) OuterDstAddr() netip.Addr { return r.OuterDst.addr(r.OuterVersion) }

// SrcAddr returns the IP source address (an IPv4 address when IPVersion
// is 4); the zero netip.Addr when IPVersion is 0.
func (r *Record) SrcAddr() netip.Addr { return r.Src.addr(r.IPVersion) }

// DstAddr returns the IP destination address; the zero netip.Addr when
// IPVersion is 0.
func (r *Record) DstAddr() netip.Addr { return r.Dst.addr(r.IPVersion) }

// Port0Related reports whether the headers involve a real port 0: a TCP or
// UDP header whose port fields are captured with a port 0 (the rest of
// the header may be cut: PortsCut), or an ICMP error quoting one.
// Non-first fragments, protocols without ports and headers cut before
// their ports never are.
func (r *Record) Port0Related() bool {
	return r.Port0 >= Port0Src || r.ICMP && r.Inner.Ports == PortsPresent && r.Inner.Port0 >= Port0Src
}

// PortsCut reports whether the port fields of a TCP or UDP header are
// captured but not the rest of its fixed header: a tiny first fragment
// (Ports short-first-fragment) or a header cut by the snap length (Ports
// truncated). SrcPort, DstPort and Port0 are valid then; the other
// transport fields are not.
func (r *Record) PortsCut() bool { return r.Port0 != Port0Unknown && r.Ports != PortsPresent }

// Quoted is the IP header and first 8 transport bytes an ICMP error
// message quotes. Valid when Version != 0.
type Quoted struct {
	// Version is 4 or 6 when the quoted IP header is complete; the fields
	// below are valid only then.
	Version uint8
	// Proto is the quoted protocol (the IPv6 Next Header field as
	// written: quoted extension headers are not walked).
	Proto uint8
	// Ports is PortsPresent when the quote holds 8 bytes of a TCP or UDP
	// header of a packet that is not a non-first fragment.
	Ports PortsKind
	// SrcPort, DstPort and Port0 as in Record; valid iff Ports is
	// PortsPresent.
	Port0            Port0Pos
	SrcPort, DstPort uint16
	// Src and Dst are the quoted addresses, as in Record; SrcAddr and
	// DstAddr return them as netip.Addr.
	Src, Dst Addr
	// Transport is the first 8 bytes of the quoted transport header; valid
	// iff Ports is PortsPresent.
	Transport [8]byte
}

// SrcAddr returns the quoted source address; the zero netip.Addr when
// Version is 0.
func (q *Quoted) SrcAddr() netip.Addr { return q.Src.addr(q.Version) }

// DstAddr returns the quoted destination address; the zero netip.Addr
// when Version is 0.
func (q *Quoted) DstAddr() netip.Addr { return q.Dst.addr(q.Version) }

// Addr is an IP address as a Record holds it: the 16 bytes
// netip.Addr.As16 returns, so an IPv4 address in its IPv4-mapped form
// (::ffff:a.b.c.d), and no zone. It is comparable and, unlike
// netip.Addr, holds no pointer. Whether it is an IPv4 address is the
// record's IP version: use (*Record).SrcAddr and the like for a
// netip.Addr.
type Addr [16]byte

// AddrFrom returns ip as an Addr, dropping any zone; the zero Addr for the
// zero netip.Addr.
func AddrFrom(ip netip.Addr) Addr { return ip.As16() }

// As16 returns the 16 bytes of a, as netip.Addr.As16 does.
func (a Addr) As16() [16]byte { return a }

// String formats a as netip.Addr does, an IPv4-mapped address as IPv4.
func (a Addr) String() string { return netip.AddrFrom16(a).Unmap().String() }

// addr returns a as a netip.Addr of IP version v (4 or 6); the zero
// netip.Addr for another v.
func (a *Addr) addr(v uint8) netip.Addr {
	switch v {
	case 4:
		return netip.AddrFrom4([4]byte(a[12:16]))
	case 6:
		return netip.AddrFrom16(*a)
	}
	return netip.Addr{}
}

// PutAddr4 stores the IPv4 address in b[:4] at a in its IPv4-mapped
// form: one 8-byte store, the first 8 bytes of a staying zero (a Record
// is reset before it is filled).
func PutAddr4(a *Addr, b []byte) {
	binary.LittleEndian.PutUint64(a[8:16], uint64(binary.LittleEndian.Uint32(b))<<32|0xffff0000)
}

// MaxExt bounds the IPv6 extension header walk.
const MaxExt = 8

// TCP flag bits in Record.Flags.
const (
	TCPFlagFIN uint16 = 1 << iota
	TCPFlagSYN
	TCPFlagRST
	TCPFlagPSH
	TCPFlagACK
	TCPFlagURG
	TCPFlagECE
	TCPFlagCWR
	TCPFlagNS
)

// IP protocol numbers the decoders look at.
const (
	ProtoHopByHop = 0
	ProtoICMP     = 1
	ProtoTCP      = 6
	ProtoUDP      = 17
	ProtoRouting  = 43
	ProtoFragment = 44
	ProtoICMPv6   = 58
	ProtoDestOpts = 60
)

// LinkResult is the outcome of the link layer.
type LinkResult uint8

// Link results. The zero value means the packet was not decoded.
const (
	LinkUnknown     LinkResult = iota
	LinkOK                     // link header decoded, IPv4 or IPv6 follows
	LinkNotIP                  // link header decoded, something else follows (ARP, LLC, other AF)
	LinkUnsupported            // link type the decoder does not know
	LinkTruncated              // capture ends inside the link header
)

var linkResultNames = [...]string{"unknown", "ok", "not-ip", "unsupported-link", "truncated-link"}

// String returns a short lower-case name.
func (l LinkResult) String() string { return label.EnumName(linkResultNames[:], uint8(l)) }

// FragKind says whether a packet is an IP fragment.
type FragKind uint8

// Fragment kinds. The zero value means unknown.
const (
	FragUnknown  FragKind = iota
	FragNone              // not a fragment (an IPv6 atomic fragment counts as none)
	FragFirst             // offset 0, more fragments follow: holds the transport header
	FragNonFirst          // offset > 0: no transport header
)

var fragNames = [...]string{"unknown", "none", "first", "non-first"}

// String returns a short lower-case name.
func (f FragKind) String() string { return label.EnumName(fragNames[:], uint8(f)) }

// PortsKind says whether a packet's transport header holds ports and, if
// not, why. See the false-positive traps in docs/BACKGROUND.md.
type PortsKind uint8

// Ports kinds. The zero value means unknown (no IP layer).
const (
	PortsUnknown            PortsKind = iota
	PortsPresent                      // TCP or UDP with its whole fixed header (20 or 8 bytes)
	PortsNonFirstFragment             // fragment offset > 0: no transport header
	PortsShortFirstFragment           // first fragment shorter than the fixed TCP or UDP header
	PortsNone                         // protocol without ports (ICMP, GRE, ESP, ...)
	PortsTruncated                    // the capture ends before the ports
	PortsMalformed                    // the IP header is malformed, ports cannot be located
)

var portsNames = [...]string{"unknown", "present", "non-first-fragment", "short-first-fragment", "no-ports", "truncated", "malformed"}

// String returns a short lower-case name.
func (p PortsKind) String() string { return label.EnumName(portsNames[:], uint8(p)) }

// Port0Pos is where port 0 sits in a TCP or UDP header.
type Port0Pos uint8

// Port-0 positions. The zero value means unknown (no ports).
const (
	Port0Unknown Port0Pos = iota
	Port0None             // neither port is 0
	Port0Src              // source port only
	Port0Dst              // destination port only
	Port0Both             // both ports
)

var port0Names = [...]string{"unknown", "none", "src", "dst", "both"}

// String returns a short lower-case name.
func (p Port0Pos) String() string { return label.EnumName(port0Names[:], uint8(p)) }

// MarshalText returns the String name (CSV, JSON).
func (p Port0Pos) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText parses a String name.
func (p *Port0Pos) UnmarshalText(b []byte) error {
	v, err := label.ParseEnum("port-0 position", port0Names[:], b)
	*p = Port0Pos(v)
	return err
}

// Port0Of says where port 0 is, without branches: Port0None, plus 1 for
// the source, plus 2 for the destination.
func Port0Of(src, dst uint16) Port0Pos {
	p := Port0None
	if src == 0 {
		p += Port0Src - Port0None
	}
	if dst == 0 {
		p += Port0Dst - Port0None
	}
	return p
}

// Reason says why a packet is malformed or cut short. It implements error
// so callers can return it without allocating; the zero value means none.
type Reason uint8

// Reasons.
const (
	ReasonNone          Reason = iota
	ReasonTruncated            // the capture ends inside a header
	ReasonIPVersion            // IP version is not 4 or 6, or not what the link layer says
	ReasonIPv4HeaderLen        // IPv4 IHL < 5
	ReasonIPv4TotalLen         // IPv4 total length < header length
	ReasonIPv4Options          // IPv4 option with a bad length
	ReasonIPLength             // a header extends past the IP length field (or IPv6 payload length 0)
	ReasonIPv6Options          // IPv6 hop-by-hop/destination TLV option overruns its header
	ReasonIPv6ExtChain         // more than maxExt IPv6 extension headers, or two Fragment headers
	ReasonTCPDataOffset        // TCP data offset < 5 (ports are still valid)
	ReasonTCPOptions           // TCP option with a bad length (ports and flags are still valid)
	ReasonUDPLength            // UDP length < 8 (ports are still valid)
	ReasonShortFragment        // first fragment shorter than the fixed TCP/UDP header (RFC 1858 tiny fragment)
	NumReasons
)

var reasonNames = [...]string{
	"none", "truncated", "bad IP version", "IPv4 IHL < 5", "IPv4 total length < header length",
	"bad IPv4 option", "header beyond IP length", "bad IPv6 option", "bad IPv6 extension header chain",
	"TCP data offset < 5", "bad TCP option", "UDP length < 8", "tiny first fragment",
}

// Note is what the decoder presumed to decode a packet, or where it
// stopped; the zero value means nothing.
type Note uint8

// Notes.
const (
	NoteNone        Note = iota
	NoteTSO              // IPv4 total length 0, TCP or UDP: presumed TSO/GSO, the length taken from the capture (tcpdump ip_print)
	NoteJumbogram        // IPv6 payload length 0 and a Jumbo Payload option of 65536 or more (RFC 2675)
	NoteBigTCP           // IPv6 payload length 0, no extension header, TCP or UDP: presumed BIG TCP, the length taken from the capture (tcpdump ip6_print)
	NoteTunnelDepth      // tunnels nested deeper than MaxTunnels: the innermost is not followed
	NumNotes
)

var noteNames = [...]string{"none", "presumed-tso", "jumbogram", "presumed-big-tcp", "tunnel-depth"}

// String returns a short lower-case name.
func (n Note) String() string { return label.EnumName(noteNames[:], uint8(n)) }

// Error returns a short description.
func (r Reason) Error() string { return label.EnumName(reasonNames[:], uint8(r)) }

// String returns the same as Error.
func (r Reason) String() string { return r.Error() }
