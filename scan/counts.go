package scan

import (
	"fmt"
	"strconv"
)

// FileSummary is the result of one input.
type FileSummary struct {
	// File is the input as given; "-" is standard input.
	File string `json:"file"`
	// Format is what (*Capture).Format says; empty when the file could
	// not be opened or its header is unreadable.
	Format string `json:"format"`
	// Counts are the file's counts.
	Counts Counts `json:"counts"`
	// ReadError is the error that ended the file early, if any.
	ReadError *ReadErrorInfo `json:"read_error,omitempty"`
}

// ReadErrorInfo is a read error: a file that cannot be opened, an
// unreadable file header (PacketIndex -1), or a corrupt or truncated
// record after which the rest of the file is skipped.
type ReadErrorInfo struct {
	File string `json:"file"`
	// PacketIndex is the index the next packet would have had; -1 for an
	// open or file header error.
	PacketIndex int64 `json:"packet_index"`
	// ByteOffset is the offset in the (decompressed) stream of the record
	// or block that cannot be read.
	ByteOffset int64  `json:"byte_offset"`
	Message    string `json:"message"`
}

// String returns the error as one line, like (*ReadError).Error.
func (e ReadErrorInfo) String() string {
	if e.PacketIndex < 0 {
		return e.File + ": at byte " + strconv.FormatInt(e.ByteOffset, 10) + ": " + e.Message
	}
	return fmt.Sprintf("%s: packet %d at byte %d: %s", e.File, e.PacketIndex, e.ByteOffset, e.Message)
}

// Counts are the counts of one file or of several. They are mergeable:
// Add sums them field by field, so partial results combine across workers
// and machines. Maps are keyed by the String names of this package's enums
// (or link type numbers) and hold only non-zero counts.
type Counts struct {
	// Files is the number of captures whose header could be read.
	Files int64 `json:"files"`
	// Packets is the number of records read.
	Packets int64 `json:"packets"`
	// CapturedBytes is the sum of the captured lengths.
	CapturedBytes int64 `json:"captured_bytes"`
	// Snapped counts records captured shorter than their length on the
	// wire (snap length).
	Snapped int64 `json:"snapped"`
	// LinkTypes counts packets by link type number.
	LinkTypes map[string]int64 `json:"link_types"`
	// UnsupportedLinkTypes counts the packets on link types the decoder
	// does not know, by link type number; they are not decoded further.
	UnsupportedLinkTypes map[string]int64 `json:"unsupported_link_types"`
	// Links counts packets by the outcome of the link layer
	// (LinkResult names: ok, not-ip, unsupported-link, truncated-link).
	Links map[string]int64 `json:"links"`
	// IPv4 and IPv6 count packets whose IP header was recognised.
	IPv4 int64 `json:"ipv4"`
	IPv6 int64 `json:"ipv6"`
	// WithPorts counts packets with a readable TCP or UDP header
	// (Record.Ports == PortsPresent).
	WithPorts int64 `json:"with_ports"`
	// Port0 counts the direct port-0 packets: not inside a tunnel, their
	// TCP or UDP port fields captured and one of them 0 (the rest of the
	// header may be cut: Port0Counts.CutHeader).
	Port0 Port0Counts `json:"port0"`
	// ICMPQuotingPort0 counts ICMP and ICMPv6 errors (not inside a
	// tunnel) that quote a TCP or UDP header with a port 0: backscatter
	// evidence, not port-0 packets.
	ICMPQuotingPort0 int64 `json:"icmp_quoting_port0"`
	// Tunneled counts the packets found inside tunnels, and the tunneled
	// port-0 packets among them, apart from the direct ones.
	Tunneled TunnelCounts `json:"tunneled"`
	// Notes counts packets decoded on a presumption a strict reading
	// calls malformed, by decode.Note name: presumed-tso (IPv4 total
	// length 0), jumbogram, presumed-big-tcp (IPv6 payload length 0), and
	// tunnel-depth (tunnels nested deeper than decode.MaxTunnels).
	Notes map[string]int64 `json:"notes"`
	// Fragments counts IP fragments and orphans (see FragWindow).
	Fragments FragmentCounts `json:"fragments"`
	// NoPorts counts packets without readable ports by PortsKind name
	// (non-first-fragment, short-first-fragment, no-ports, truncated,
	// malformed, and unknown for packets without an IP header). Packets
	// = WithPorts + the sum of NoPorts.
	NoPorts map[string]int64 `json:"no_ports"`
	// Truncated counts packets the capture cuts inside a header.
	Truncated TruncatedCounts `json:"truncated"`
	// Malformed counts packets with inconsistent headers by Reason name
	// (every Reason but none and truncated).
	Malformed map[string]int64 `json:"malformed"`
	// ReadErrors counts inputs that could not be opened or ended in a
	// read error.
	ReadErrors int64 `json:"read_errors"`
	// SkippedBytes counts the bytes after a read error that were not
	// analyzed: for a plain file its size minus the error offset (the
	// whole file when it cannot be opened or its header is unreadable);
	// for compressed (gzip, zstd) input and stdin, the decompressed bytes
	// that could still be read from the error offset on (the compressed
	// size of a file whose header is unreadable), counted by reading
	// them, but only up to capture.SkipCountBytes or for
	// capture.SkipCountTime (see SkippedBytesAtLeast). Records after a
	// read error cannot be counted: the reader does not resynchronise.
	SkippedBytes int64 `json:"skipped_bytes"`
	// SkippedBytesAtLeast says that SkippedBytes is a lower bound: the
	// rest of a compressed input or of a pipe was longer than the bounds
	// of its counting (or the pipe stalled), so it was not read to its
	// end (the file's read error message says "at least"). Absent when
	// false.
	SkippedBytesAtLeast bool `json:"skipped_bytes_at_least,omitempty"`
	// TimestampsOutOfRange counts the packets whose time int64
	// nanoseconds cannot hold (pcapng timestamps past 2262): they are
	// counted as packets without a time (0, 1970-01-01, as pcapng simple
	// packet blocks), not wrapped (see
	// capture.(*Capture).TimestampsOutOfRange). Absent when 0.
	TimestampsOutOfRange int64 `json:"timestamps_out_of_range,omitempty"`
}

// Port0Counts counts port-0 packets: a TCP or UDP header is readable
// (Record.Ports == PortsPresent) and a port is 0 (Record.Port0 is src,
// dst or both).
type Port0Counts struct {
	Total int64 `json:"total"`
	// By transport protocol and IP version.
	TCPv4 int64 `json:"tcp4"`
	TCPv6 int64 `json:"tcp6"`
	UDPv4 int64 `json:"udp4"`
	UDPv6 int64 `json:"udp6"`
	// By position: only the source port, only the destination port, both.
	SrcOnly int64 `json:"src_only"`
	DstOnly int64 `json:"dst_only"`
	Both    int64 `json:"both"`
	// FirstFragments counts the port-0 packets that are first fragments.
	FirstFragments int64 `json:"first_fragments"`
	// CutHeader counts the port-0 packets whose TCP or UDP header ends
	// after the port fields but inside its fixed part: a tiny first
	// fragment (RFC 1858; also in Malformed) or a short snap length
	// (also in Truncated.AfterPortFields).
	CutHeader int64 `json:"cut_header"`
	// Malformed counts the port-0 packets whose headers are also
	// malformed (TCP data offset < 5, bad TCP option, UDP length < 8, TCP
	// header beyond the IP length).
	Malformed int64 `json:"malformed"`
}

// FragmentCounts counts IP fragments.
type FragmentCounts struct {
	// First counts first fragments (offset 0, more fragments).
	First int64 `json:"first"`
	// NonFirst counts non-first fragments (offset > 0).
	NonFirst int64 `json:"non_first"`
	// OrphanNonFirst counts the non-first fragments whose first fragment
	// was not seen within the reassembly window (see FragWindow).
	OrphanNonFirst int64 `json:"orphan_non_first"`
	// TableEvictions counts datagrams closed early because the fragment
	// table was full (FragTableSize).
	TableEvictions int64 `json:"table_evictions"`
}

// TunnelCounts counts packets found inside tunnels (decode.Encap): the
// innermost packet reached is the one counted everywhere else in Counts
// (IPv4, WithPorts, ...), except that its port 0 is counted here, not in
// Port0.
type TunnelCounts struct {
	// Packets counts the tunneled packets; ByEncap by the outermost
	// tunnel's decode.Encap name (ipip, 6in4, gre, erspan, vxlan,
	// geneve, gtp-u).
	Packets int64            `json:"packets"`
	ByEncap map[string]int64 `json:"by_encap"`
	// Port0 counts the tunneled port-0 packets, Port0ByEncap by tunnel.
	Port0        int64            `json:"port0"`
	Port0ByEncap map[string]int64 `json:"port0_by_encap"`
	// ICMPQuotingPort0 counts the tunneled ICMP errors quoting a port 0.
	ICMPQuotingPort0 int64 `json:"icmp_quoting_port0"`
}

// Add adds o to c.
func (c *TunnelCounts) Add(o *TunnelCounts) {
	c.Packets += o.Packets
	c.ByEncap = addMap(c.ByEncap, o.ByEncap)
	c.Port0 += o.Port0
	c.Port0ByEncap = addMap(c.Port0ByEncap, o.Port0ByEncap)
	c.ICMPQuotingPort0 += o.ICMPQuotingPort0
}

// TruncatedCounts counts packets the capture cuts inside a header
// (Reason truncated), by where.
type TruncatedCounts struct {
	Total int64 `json:"total"`
	// Link: inside the link header (zero-length records included).
	Link int64 `json:"link"`
	// IP: inside the fixed IPv4 or IPv6 header.
	IP int64 `json:"ip"`
	// BeforePorts: inside the IPv4 options, the IPv6 extension headers
	// or the port fields of the TCP/UDP header (Ports truncated).
	BeforePorts int64 `json:"before_ports"`
	// AfterPortFields: inside the fixed TCP/UDP header, after the port
	// fields (Ports truncated, but the ports count).
	AfterPortFields int64 `json:"after_port_fields"`
	// AfterPorts: the fixed TCP header is there but its options are cut;
	// the ports count.
	AfterPorts int64 `json:"after_ports"`
	// Other: a header of a protocol without ports (ICMP) is cut.
	Other int64 `json:"other"`
}

// Add adds o to c.
func (c *Counts) Add(o *Counts) {
	c.Files += o.Files
	c.Packets += o.Packets
	c.CapturedBytes += o.CapturedBytes
	c.Snapped += o.Snapped
	c.LinkTypes = addMap(c.LinkTypes, o.LinkTypes)
	c.UnsupportedLinkTypes = addMap(c.UnsupportedLinkTypes, o.UnsupportedLinkTypes)
	c.Links = addMap(c.Links, o.Links)
	c.IPv4 += o.IPv4
	c.IPv6 += o.IPv6
	c.WithPorts += o.WithPorts
	c.Port0.Add(&o.Port0)
	c.ICMPQuotingPort0 += o.ICMPQuotingPort0
	c.Tunneled.Add(&o.Tunneled)
	c.Notes = addMap(c.Notes, o.Notes)
	c.Fragments.Add(&o.Fragments)
	c.NoPorts = addMap(c.NoPorts, o.NoPorts)
	c.Truncated.Add(&o.Truncated)
	c.Malformed = addMap(c.Malformed, o.Malformed)
	c.ReadErrors += o.ReadErrors
	c.SkippedBytes += o.SkippedBytes
	c.SkippedBytesAtLeast = c.SkippedBytesAtLeast || o.SkippedBytesAtLeast
	c.TimestampsOutOfRange += o.TimestampsOutOfRange
}

// Add adds o to c.
func (c *Port0Counts) Add(o *Port0Counts) {
	c.Total += o.Total
	c.TCPv4 += o.TCPv4
	c.TCPv6 += o.TCPv6
	c.UDPv4 += o.UDPv4
	c.UDPv6 += o.UDPv6
	c.SrcOnly += o.SrcOnly
	c.DstOnly += o.DstOnly
	c.Both += o.Both
	c.FirstFragments += o.FirstFragments
	c.CutHeader += o.CutHeader
	c.Malformed += o.Malformed
}

// Add adds o to c.
func (c *FragmentCounts) Add(o *FragmentCounts) {
	c.First += o.First
	c.NonFirst += o.NonFirst
	c.OrphanNonFirst += o.OrphanNonFirst
	c.TableEvictions += o.TableEvictions
}

// Add adds o to c.
func (c *TruncatedCounts) Add(o *TruncatedCounts) {
	c.Total += o.Total
	c.Link += o.Link
	c.IP += o.IP
	c.BeforePorts += o.BeforePorts
	c.AfterPortFields += o.AfterPortFields
	c.AfterPorts += o.AfterPorts
	c.Other += o.Other
}

// addMap adds the counts of o to m, creating m if needed (so an empty map
// is written as {}, never null).
func addMap(m, o map[string]int64) map[string]int64 {
	if m == nil {
		m = make(map[string]int64, len(o))
	}
	for k, v := range o {
		m[k] += v
	}
	return m
}

// newCounts returns Counts with empty, non-nil maps.
func newCounts() Counts {
	var c Counts
	c.Add(&Counts{})
	return c
}
