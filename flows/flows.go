package flows

import (
	"fmt"
	"net/netip"
	"strconv"
)

// Format is the format a flow record came in.
type Format uint8

// The flow formats. The zero value is unknown.
const (
	FormatUnknown Format = iota
	NetFlow5
	NetFlow9
	IPFIX
	SFlow
	Nfcapd
)

var formatNames = [...]string{"unknown", "netflow5", "netflow9", "ipfix", "sflow", "nfcapd"}

// String is the format's name in the tables and summary.json.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "format(" + strconv.Itoa(int(f)) + ")"
}

// Field is a set of optional fields a Record carries: a format (or an
// exporter's template) may leave each out, and a field left out is
// unknown, never 0.
type Field uint16

// The optional fields.
const (
	// HasTCPFlags: TCPFlags is the OR of the flow's TCP flags (NetFlow v5,
	// v9/IPFIX IE 6, nfcapd).
	HasTCPFlags Field = 1 << iota
	// HasFragOffset: FragOffset is the fragment offset (IPFIX IE 88
	// fragmentOffset, v9 type 88).
	HasFragOffset
	// HasFragFlags: MoreFragments and DontFragment are known (IPFIX IE 197
	// fragmentFlags, nfcapd's EXipInfo).
	HasFragFlags
	// HasTTL: TTL is the (minimum) IP TTL of the flow's packets.
	HasTTL
	// HasICMP: ICMPType and ICMPCode come from their own fields or from
	// the port field of an ICMP flow, where NetFlow and nfdump put them.
	HasICMP
	// HasTimes: First and Last are the flow's first and last packet
	// (else both are the time the record was exported or received).
	HasTimes
)

// Record is one flow record, whatever its format: the fields the port-0
// study reads. The zero value of each optional field means unknown; Has
// says which are known.
type Record struct {
	Format Format
	// Exporter is the address the record came from (the datagram's
	// source, nfcapd's exporter or router); the zero Addr when unknown.
	Exporter netip.Addr
	Has      Field
	// First and Last are the first and last packet, ns since the epoch.
	First, Last int64
	Src, Dst    netip.Addr
	Proto       uint8
	// SrcPort and DstPort are as exported: for ICMP, NetFlow and nfdump
	// write type<<8|code in DstPort, and for a packet without ports (a
	// non-first fragment, another protocol) 0.
	SrcPort, DstPort uint16
	TCPFlags         uint8
	ICMPType         uint8
	ICMPCode         uint8
	// FragOffset is the fragment offset in bytes; MoreFragments and
	// DontFragment the IP flags.
	FragOffset                  uint16
	MoreFragments, DontFragment bool
	TTL                         uint8
	// Packets and Bytes are the flow's counts as exported: of the
	// sampled packets when SamplingRate > 1.
	Packets, Bytes uint64
	// SamplingRate is 1 in SamplingRate packets (0: unknown, as 1).
	SamplingRate uint32
}

// Port0 reports whether the record has a port 0 as exported: a TCP or UDP
// flow with either port 0, or any other flow (whose ports an exporter
// writes as 0, or ICMP type and code in: an echo reply is 0/0).
func (r *Record) Port0() bool { return r.SrcPort == 0 || r.DstPort == 0 }

// Judgement is what a flow with a port 0 is.
type Judgement uint8

// The judgements. The zero value is a flow without a port 0.
const (
	NotPort0 Judgement = iota
	// Real: a TCP or UDP header said port 0.
	Real
	// NoPorts: the flow has no ports to be 0 (a non-first fragment,
	// ICMP, another protocol); the 0 is the exporter's.
	NoPorts
	// Undecidable: the format does not carry what would tell.
	Undecidable
)

var judgementNames = [...]string{"not-port0", "real", "no-ports", "undecidable"}

// String is the judgement's name in the tables and summary.json.
func (j Judgement) String() string {
	if int(j) < len(judgementNames) {
		return judgementNames[j]
	}
	return "judgement(" + strconv.Itoa(int(j)) + ")"
}

// Judgements lists the judgements of flows with a port 0, in order.
func Judgements() []Judgement { return []Judgement{Real, NoPorts, Undecidable} }

// Reason says why a flow was judged as it was.
type Reason uint8

// The reasons, each one rule of Judge.
const (
	ReasonNone         Reason = iota
	ReasonProto               // a protocol without ports (ICMP, GRE, ESP, …)
	ReasonNonFirstFrag        // fragment offset > 0: no transport header
	ReasonOnePort             // one port 0 and one not: the exporter read the header
	ReasonTCPFlags            // TCP flags were seen: the exporter read a TCP header
	ReasonFirstFrag           // a first fragment (offset 0, more fragments): its header is there
	ReasonNotFragment         // offset 0 and no more fragments: a whole packet with its header
	ReasonBothNoFlags         // both ports 0, no TCP flags: a non-first fragment writes the same
	ReasonBothUDP             // UDP with both ports 0: a non-first fragment writes the same
)

var reasonNames = [...]string{"", "protocol without ports", "non-first fragment", "one port non-zero",
	"TCP flags seen", "first fragment", "not a fragment", "both ports 0 without TCP flags, no fragment fields",
	"UDP with both ports 0, no fragment fields"}

// String says the reason in words.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "reason(" + strconv.Itoa(int(r)) + ")"
}

// Protocol numbers Judge knows to carry ports (RFC 793, 768; SCTP 132
// and DCCP 33 carry ports too, but port 0 is TCP's and UDP's question).
const (
	protoTCP = 6
	protoUDP = 17
)

// Judge tells a real port 0 from a flow without ports, from what the
// record carries, in this order:
//  1. a protocol other than TCP and UDP has no ports: NoPorts (ICMP's
//     type and code sit in the port field: an echo reply reads 0/0);
//  2. a fragment offset above 0 (when exported): NoPorts, the packet had
//     no transport header and the exporter wrote 0/0;
//  3. one port 0 and the other not: Real (the exporter read a header; a
//     packet without one is written 0/0);
//  4. fragment fields exported and offset 0: Real (a first fragment, or
//     no fragment: the header is there);
//  5. TCP flags seen (TCPFlags ≠ 0): Real (only a TCP header has them);
//  6. otherwise both ports are 0 and nothing tells a header that said
//     0/0 from a non-first fragment: Undecidable.
//
// A record without a port 0 is NotPort0 (ReasonNone).
func Judge(r *Record) (Judgement, Reason) {
	if !r.Port0() {
		return NotPort0, ReasonNone
	}
	switch {
	case r.Proto != protoTCP && r.Proto != protoUDP:
		return NoPorts, ReasonProto
	case r.Has&HasFragOffset != 0 && r.FragOffset > 0:
		return NoPorts, ReasonNonFirstFrag
	case r.SrcPort != r.DstPort: // one is 0, the other not
		return Real, ReasonOnePort
	case r.Has&HasFragOffset != 0 && r.Has&HasFragFlags != 0 && r.MoreFragments:
		return Real, ReasonFirstFrag
	case r.Has&HasFragOffset != 0:
		return Real, ReasonNotFragment
	case r.Proto == protoTCP && r.Has&HasTCPFlags != 0 && r.TCPFlags != 0:
		return Real, ReasonTCPFlags
	case r.Proto == protoTCP:
		return Undecidable, ReasonBothNoFlags
	}
	return Undecidable, ReasonBothUDP
}

// String prints a record briefly, for messages and tests.
func (r Record) String() string {
	return fmt.Sprintf("%s %s:%d > %s:%d proto %d flags %#x packets %d bytes %d", r.Format, r.Src, r.SrcPort, r.Dst, r.DstPort, r.Proto, r.TCPFlags, r.Packets, r.Bytes)
}
