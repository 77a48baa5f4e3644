package tables

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
)

// The formats of the tables' fields, and their parsers.

// TimeLayout is how packet times are written: UTC, nanoseconds.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// FmtTime formats ts (ns since the epoch) in TimeLayout.
func FmtTime(ts int64) string {
	var f dayFormat
	return string(f.time(nil, ts))
}

// FmtFloat is how the tables write a float: fixed, 6 decimals.
func FmtFloat(x float64) string { return strconv.FormatFloat(x, 'f', 6, 64) }

// ProtoName names an IP protocol: tcp, udp, icmp, icmpv6, or its number.
func ProtoName(p uint8) string {
	switch p {
	case decode.ProtoTCP:
		return "tcp"
	case decode.ProtoUDP:
		return "udp"
	case decode.ProtoICMP:
		return "icmp"
	case decode.ProtoICMPv6:
		return "icmpv6"
	}
	return strconv.Itoa(int(p))
}

// parseProto parses what ProtoName writes.
func parseProto(s string) (uint8, error) {
	switch s {
	case "tcp":
		return decode.ProtoTCP, nil
	case "udp":
		return decode.ProtoUDP, nil
	case "icmp":
		return decode.ProtoICMP, nil
	case "icmpv6":
		return decode.ProtoICMPv6, nil
	}
	n, err := strconv.ParseUint(s, 10, 8)
	if err != nil {
		return 0, fmt.Errorf("protocol %q: want tcp, udp, icmp, icmpv6 or a number below 256", s)
	}
	return uint8(n), nil
}

// FlagString writes TCP flags tcpdump-style: S, F, R, P, A, U, E, C, N, or
// "none" for a zero flag field.
func FlagString(f uint16) string { return string(appendFlags(nil, f)) }

// flagLetters are the TCP flags in FlagString's order.
var flagLetters = [...]struct {
	bit uint16
	c   byte
}{{decode.TCPFlagSYN, 'S'}, {decode.TCPFlagFIN, 'F'}, {decode.TCPFlagRST, 'R'}, {decode.TCPFlagPSH, 'P'}, {decode.TCPFlagACK, 'A'}, {decode.TCPFlagURG, 'U'}, {decode.TCPFlagECE, 'E'}, {decode.TCPFlagCWR, 'C'}, {decode.TCPFlagNS, 'N'}}

// appendFlags appends FlagString(f) to b.
func appendFlags(b []byte, f uint16) []byte {
	if f == 0 {
		return append(b, "none"...)
	}
	for _, x := range flagLetters {
		if f&x.bit != 0 {
			b = append(b, x.c)
		}
	}
	return b
}

// ParseFlags parses what FlagString writes.
func ParseFlags(s string) (uint16, error) {
	if s == "none" {
		return 0, nil
	}
	var f uint16
next:
	for i := 0; i < len(s); i++ {
		for _, x := range flagLetters {
			if s[i] == x.c {
				f |= x.bit
				continue next
			}
		}
		return 0, fmt.Errorf("TCP flags %q: want letters of SFRPAUECN, or none", s)
	}
	if f == 0 {
		return 0, fmt.Errorf("TCP flags %q: want letters of SFRPAUECN, or none", s)
	}
	return f, nil
}

// appendAddr appends a.String() to b without building the string.
func appendAddr(b []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return append(b, a.String()...) // "invalid IP"; AppendTo writes nothing
	}
	return a.AppendTo(b)
}

// appendOuter appends an outer address of a tunneled packet; nothing for
// the zero netip.Addr of a direct one.
func appendOuter(b []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return b
	}
	return a.AppendTo(b)
}

// parseOuter parses an outer address as appendOuter writes it: empty is
// the zero netip.Addr.
func parseOuter(s string) (netip.Addr, error) {
	if s == "" {
		return netip.Addr{}, nil
	}
	return netip.ParseAddr(s)
}

// outerPtr is an outer address as the Parquet table holds it: nil (NULL)
// for a direct packet.
func outerPtr(a netip.Addr) *string {
	if !a.IsValid() {
		return nil
	}
	s := a.String()
	return &s
}

// csvField quotes a field when it needs it (file names may hold commas).
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// dayFormat writes times as the time package does, in UTC, formatting
// the date ("2006-01-02T") once a day and the time of day by hand: rows in
// time order cost one date a day.
type dayFormat struct {
	day  int64
	date []byte // "2006-01-02T" of day; nil before the first time
}

// dateOf returns "2006-01-02T" of day (days since the epoch).
func (f *dayFormat) dateOf(day int64) []byte {
	if f.date == nil || day != f.day {
		f.day = day
		f.date = time.Unix(day*86400, 0).UTC().AppendFormat(f.date[:0], "2006-01-02T")
	}
	return f.date
}

// floorDiv returns a/b and a%b rounded down (b > 0): the remainder is >= 0.
func floorDiv(a, b int64) (int64, int64) {
	q, r := a/b, a%b
	if r < 0 {
		q, r = q-1, r+b
	}
	return q, r
}

// seconds appends ts (ns since the epoch) to the second, as
// "2006-01-02T15:04:05Z".
func (f *dayFormat) seconds(b []byte, ts int64) []byte {
	day, ns := floorDiv(ts, 86400e9)
	b = append(b, f.dateOf(day)...)
	b = append(appendDigits(b, ns/3600e9, 2), ':')
	b = append(appendDigits(b, ns/60e9%60, 2), ':')
	return append(appendDigits(b, ns/1e9%60, 2), 'Z')
}

// time appends ts in TimeLayout, "2006-01-02T15:04:05.000000000Z".
func (f *dayFormat) time(b []byte, ts int64) []byte {
	day, ns := floorDiv(ts, 86400e9)
	b = append(b, f.dateOf(day)...)
	b = append(appendDigits(b, ns/3600e9, 2), ':')
	b = append(appendDigits(b, ns/60e9%60, 2), ':')
	b = append(appendDigits(b, ns/1e9%60, 2), '.')
	return append(appendDigits(b, ns%1e9, 9), 'Z')
}

// appendDigits appends v (>= 0) as exactly n decimal digits.
func appendDigits(b []byte, v int64, n int) []byte {
	b = append(b, "000000000"[:n]...)
	for i := len(b) - 1; n > 0; i, n = i-1, n-1 {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}

// The fields whose text both formats share: the CSV writes them, and the
// Parquet tables hold them as strings, the same way.

// flagNames holds FlagString of every combination of the nine flags.
var flagNames = func() (n [1 << 9]string) {
	for f := range n {
		n[f] = FlagString(uint16(f))
	}
	return n
}()

// flagName is FlagString(f) without building the string.
func flagName(f uint16) string {
	if f != 0 && f&(1<<9-1) == 0 {
		return "" // bits beyond the nine flags alone: no letter, as FlagString
	}
	return flagNames[f&(1<<9-1)]
}

// noLetters is the flags field of TCP flags with none of the nine.
var noLetters = ""

// packetFlagsPtr is the tcp_flags field of packets: the flags of a TCP
// packet, pointing into flagNames (no allocation); nil for any other
// (empty in the CSV, NULL in Parquet).
func packetFlagsPtr(p *PacketRow) *string {
	switch {
	case p.Proto != decode.ProtoTCP:
		return nil
	case p.Flags != 0 && p.Flags&(1<<9-1) == 0:
		return &noLetters
	}
	return &flagNames[p.Flags&(1<<9-1)]
}

// parsePacketFlags parses what packetFlagsPtr writes ("" for nil).
func parsePacketFlags(s string) (uint16, error) {
	if s == "" {
		return 0, nil
	}
	return ParseFlags(s)
}

// topFlags is the top_flags field of sources: "-" without flags.
func topFlags(s *SourceRow) string {
	if !s.HasTopFlags {
		return "-"
	}
	return flagName(s.TopFlags)
}

// parseTopFlags parses what topFlags writes into s.
func parseTopFlags(f string, s *SourceRow) error {
	if f == "-" {
		return nil
	}
	var err error
	s.TopFlags, err = ParseFlags(f)
	s.HasTopFlags = true
	return err
}

// sourceProbes is the probes field of sources: "-" for none.
func sourceProbes(s *SourceRow) string {
	if s.Probes == 0 {
		return "-"
	}
	return s.Probes.String()
}

// parseSourceProbes parses what sourceProbes writes into s.
func parseSourceProbes(f string, s *SourceRow) error {
	if f == "-" {
		return nil
	}
	var err error
	s.Probes, err = classify.ParseProbeSet(f)
	return err
}

// probeOrder writes probes space-separated.
func probeOrder(ps []classify.Probe) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, " ")
}

// parseProbeOrder parses what probeOrder writes (nil for "").
func parseProbeOrder(s string) ([]classify.Probe, error) {
	var ps []classify.Probe
	for _, f := range strings.Fields(s) {
		var p classify.Probe
		if err := p.UnmarshalText([]byte(f)); err != nil {
			return ps, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// seriesClass is the class field of the time series: "all" or the class.
func seriesClass(r *SeriesRow) string {
	if r.All {
		return "all"
	}
	return r.Class.String()
}

// parseSeriesClass parses what seriesClass writes into r.
func parseSeriesClass(s string, r *SeriesRow) error {
	if s == "all" {
		r.All = true
		return nil
	}
	return r.Class.UnmarshalText([]byte(s))
}
