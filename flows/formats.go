package flows

// Carry is whether a format carries a field.
type Carry uint8

// How a format carries a field.
const (
	// Never: the format has no place for it.
	Never Carry = iota
	// Template: only when the exporter's template holds it (NetFlow v9,
	// IPFIX), or the collector's version writes it (nfcapd).
	Template
	// Always: every record holds it.
	Always
	// Sampled: every sampled packet's header holds it (sFlow raw packet
	// headers: 1 in N packets, their first bytes).
	Sampled
)

var carryNames = [...]string{"no", "if exported", "yes", "sampled packets"}

// String says how the field is carried, as docs/FLOWS.md's table does.
func (c Carry) String() string {
	if int(c) < len(carryNames) {
		return carryNames[c]
	}
	return "?"
}

// FormatFields says what a format keeps of the fields the port-0 study
// reads: the table docs/FLOWS.md shows (generated from it: go test
// ./flows -run TestFormatsDoc -update).
type FormatFields struct {
	Format Format
	// Name is the format as the table names it.
	Name string
	// Ports, TCPFlags, FragOffset, FragFlags, TTL, IPID, Payload: how
	// the format carries each.
	Ports, TCPFlags, FragOffset, FragFlags, TTL, IPID, Payload Carry
	// Timing says what time a record has and its precision.
	Timing string
	// Source is where the facts come from.
	Source string
}

// Formats is what each flow format keeps, in the order of Format.
var Formats = []FormatFields{
	{NetFlow5, "NetFlow v5", Always, Always, Never, Never, Never, Never, Never,
		"first and last packet, ms of router uptime", "Cisco, NetFlow Export Datagram Format, version 5 record"},
	{NetFlow9, "NetFlow v9", Template, Template, Template, Never, Template, Template, Never,
		"FIRST/LAST_SWITCHED (22/21), ms of router uptime", "RFC 3954 §8 and Cisco's NetFlow v9 field types: 7/11 ports, 6 TCP_FLAGS, 52/53 MIN/MAX_TTL, 54 IPV4_IDENT, 88 FRAGMENT_OFFSET"},
	{IPFIX, "IPFIX", Template, Template, Template, Template, Template, Template, Template,
		"flowStart/End in s, ms, µs or ns (IEs 150–159) or uptime (22/21)", "RFC 7011 and the IANA IPFIX registry: IEs 6 tcpFlags, 88 fragmentOffset, 197 fragmentFlags, 192 ipTTL, 52/53 min/max TTL, 54 fragmentIdentification, 313–315 packet sections (PSAMP)"},
	{SFlow, "sFlow v5 (raw packet headers)", Sampled, Sampled, Sampled, Sampled, Sampled, Sampled, Sampled,
		"the datagram's arrival; no flow, 1 in N packets", "sflow.org sflow_version_5.txt: flow sample, sampled_header (first 128 bytes by default)"},
	{Nfcapd, "nfcapd (nfdump 1.7)", Always, Always, Never, Template, Template, Never, Never,
		"first and last packet, ms", "nfdump nfxV3.h: EXgenericFlow; EXipInfo (fragment flags MF/DF, min/max TTL) from 1.7.5, when the exporter sent them"},
}
