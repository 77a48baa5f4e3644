package exporter

import (
	"maps"
	"slices"
	"strings"

	"github.com/port0/port0/flows"
)

// MaxErrorMessages is how many error messages Stats keeps (the first
// ones); the rest are only counted.
const MaxErrorMessages = 8

// ErrorKind says what was wrong with a datagram that failed.
type ErrorKind uint8

// The error kinds.
const (
	// KindUnknown: the datagram is no flow export (its first bytes name
	// no format); ErrUnknownFormat.
	KindUnknown ErrorKind = iota
	// KindTruncated: shorter than its header, record count, length or a
	// set or sample says; the whole records before the cut are kept.
	KindTruncated
	// KindMalformed: a structure check failed, or goflow2 returned an
	// error; the records decoded before it are kept.
	KindMalformed
	// KindPanic: goflow2 panicked on the datagram (recovered).
	KindPanic
	// KindLimit: the datagram would exceed the Decoder's bounds on
	// exporters (MaxExporters).
	KindLimit
)

var kindNames = [...]string{"not a flow export", "truncated", "malformed", "decoder panic", "limit"}

// String names the kind, for messages and Stats.Errors.
func (k ErrorKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind?"
}

// Stats counts what a Decoder did. Datagrams = NetFlow5 + NetFlow9 +
// IPFIX + SFlow + Unknown.
type Stats struct {
	// Datagrams is the number of calls of Decode; NetFlow5, NetFlow9,
	// IPFIX and SFlow the datagrams of each format (decoded or not),
	// Unknown those of none (ErrUnknownFormat).
	Datagrams                        int64
	NetFlow5, NetFlow9, IPFIX, SFlow int64
	Unknown                          int64
	// Failed is the number of datagrams of a format whose Decode returned
	// an error; Errors counts them by "format: kind" (such as "ipfix:
	// truncated"), and ErrorMessages keeps the first MaxErrorMessages
	// messages.
	Failed        int64
	Errors        map[string]int64
	ErrorMessages []string
	// Records is the number of flows.Records given to out; Samples the
	// Samples given to samples (sFlow raw packet headers, IPFIX packet
	// sections).
	Records, Samples int64
	// BadRecords counts v9/IPFIX data records goflow2's producer could not
	// convert (a field of an impossible length), skipped.
	BadRecords int64

	// Templates counts the v9/IPFIX template and options template records
	// learned (again when re-sent); Withdrawals the template records
	// without fields (RFC 7011 section 8.1); BadTemplates those refused
	// for a field of length 0; TemplatesRefused the new templates of an
	// exporter that already had MaxTemplates. The data sets of a template
	// not kept count as NoTemplate.
	Templates, Withdrawals, BadTemplates, TemplatesRefused int64
	// OptionsRecords counts the v9/IPFIX options data records read (for
	// sampling rates and systemInitTimeMilliseconds).
	OptionsRecords int64
	// NoTemplate counts the v9/IPFIX data sets that came before their
	// template (goflow2's "template not found"): their records are lost,
	// but the datagram's other sets are decoded and Decode does not fail.
	// NoTemplateBytes is their length.
	NoTemplate, NoTemplateBytes int64
	// V9CountFixed counts the v9 datagrams whose header count (RFC 3954:
	// the number of records) was below their number of FlowSets, which
	// goflow2 takes for the most FlowSets to decode; they are decoded
	// whole all the same.
	V9CountFixed int64

	// FlowSamples counts the sFlow flow samples (plain and expanded);
	// CounterSamples and DropSamples the counter and discarded-packet
	// samples, which are ignored. EmptySamples counts the flow samples
	// with neither a raw packet header nor sampled IPv4/IPv6 data (only an
	// Ethernet or extended record), and DuplicateRecords the sampled
	// IPv4/IPv6 data beside a raw header in the same sample (the header
	// goes to samples; the same packet is not made a flow too).
	FlowSamples, CounterSamples, DropSamples int64
	EmptySamples, DuplicateRecords           int64
}

// errKey is the key of Stats.Errors for an error of kind k in format f.
func errKey(f flows.Format, k ErrorKind) string { return f.String() + ": " + k.String() }

// count adds a failed datagram's error.
func (s *Stats) count(e *Error) {
	s.Failed++
	if s.Errors == nil {
		s.Errors = make(map[string]int64)
	}
	s.Errors[errKey(e.Format, e.Kind)]++
	if len(s.ErrorMessages) < MaxErrorMessages {
		s.ErrorMessages = append(s.ErrorMessages, e.Error())
	}
}

// clone returns a copy that shares nothing with s.
func (s *Stats) clone() Stats {
	c := *s
	c.Errors = maps.Clone(s.Errors)
	c.ErrorMessages = slices.Clone(s.ErrorMessages)
	return c
}

// String prints the counts on one line, for logs and tests.
func (s Stats) String() string {
	var b strings.Builder
	add := func(name string, n int64) {
		if n != 0 {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(name)
			b.WriteByte('=')
			b.WriteString(itoa(n))
		}
	}
	add("datagrams", s.Datagrams)
	add("netflow5", s.NetFlow5)
	add("netflow9", s.NetFlow9)
	add("ipfix", s.IPFIX)
	add("sflow", s.SFlow)
	add("unknown", s.Unknown)
	add("failed", s.Failed)
	add("records", s.Records)
	add("samples", s.Samples)
	add("bad-records", s.BadRecords)
	add("templates", s.Templates)
	add("withdrawals", s.Withdrawals)
	add("bad-templates", s.BadTemplates)
	add("templates-refused", s.TemplatesRefused)
	add("options-records", s.OptionsRecords)
	add("no-template", s.NoTemplate)
	add("v9-count-fixed", s.V9CountFixed)
	add("flow-samples", s.FlowSamples)
	add("counter-samples", s.CounterSamples)
	add("drop-samples", s.DropSamples)
	add("empty-samples", s.EmptySamples)
	add("duplicate-records", s.DuplicateRecords)
	for _, k := range slices.Sorted(maps.Keys(s.Errors)) {
		add("["+k+"]", s.Errors[k])
	}
	return b.String()
}
