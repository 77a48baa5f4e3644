package exporter

import (
	"github.com/netsampler/goflow2/v2/decoders/netflow"
)

// fieldID is one of the Information Elements (v9 field types) whose
// presence or value the conversion reads itself, beside goflow2's
// producer: which optional fields a record carried, and the fields the
// producer does not read (ipTTL, maximumTTL, the IPFIX sysUpTime times,
// totals, PSAMP sampling, packet sections).
type fieldID uint8

// The fields, each named by its IPFIX IE (IANA "IPFIX Information
// Elements"; 1-127 are v9's field types of the same numbers, RFC 3954
// section 8).
const (
	fProto              fieldID = iota // 4 protocolIdentifier
	fTCPFlags                          // 6 tcpControlBits
	fSrcPort                           // 7 sourceTransportPort
	fDstPort                           // 11 destinationTransportPort
	fFragOffset                        // 88 fragmentOffset
	fFragFlags                         // 197 fragmentFlags
	fMinTTL                            // 52 minimumTTL
	fMaxTTL                            // 53 maximumTTL
	fIPTTL                             // 192 ipTTL
	fICMPTypeCode4                     // 32 icmpTypeCodeIPv4
	fICMPTypeCode6                     // 139 icmpTypeCodeIPv6
	fICMPType4                         // 176 icmpTypeIPv4
	fICMPCode4                         // 177 icmpCodeIPv4
	fICMPType6                         // 178 icmpTypeIPv6
	fICMPCode6                         // 179 icmpCodeIPv6
	fStartUptime                       // 22 flowStartSysUpTime (v9 FIRST_SWITCHED)
	fEndUptime                         // 21 flowEndSysUpTime (v9 LAST_SWITCHED)
	fStartSec                          // 150 flowStartSeconds
	fEndSec                            // 151 flowEndSeconds
	fStartMs                           // 152 flowStartMilliseconds
	fEndMs                             // 153 flowEndMilliseconds
	fStartUs                           // 154 flowStartMicroseconds
	fEndUs                             // 155 flowEndMicroseconds
	fStartNs                           // 156 flowStartNanoseconds
	fEndNs                             // 157 flowEndNanoseconds
	fStartDelta                        // 158 flowStartDeltaMicroseconds
	fEndDelta                          // 159 flowEndDeltaMicroseconds
	fSamplingInterval                  // 34 samplingInterval
	fSamplerRandom                     // 50 samplerRandomInterval
	fPacketInterval                    // 305 samplingPacketInterval
	fPacketSpace                       // 306 samplingPacketSpace
	fSamplingSize                      // 309 samplingSize
	fSamplingPopulation                // 310 samplingPopulation
	fOctetTotal                        // 85 octetTotalCount
	fPacketTotal                       // 86 packetTotalCount
	fInitTime                          // 160 systemInitTimeMilliseconds
	fFrameSection                      // 315 dataLinkFrameSection
	fIPSection                         // 313 ipHeaderPacketSection
	fFrameType                         // 408 dataLinkFrameType
	fFrameSize                         // 312 dataLinkFrameSize
	numFields
)

var _ [64 - numFields]struct{} // the presence bits fit a uint64

// ieField maps an IE (without enterprise number) to its fieldID.
func ieField(t uint16) (fieldID, bool) {
	switch t {
	case netflow.IPFIX_FIELD_protocolIdentifier:
		return fProto, true
	case netflow.IPFIX_FIELD_tcpControlBits:
		return fTCPFlags, true
	case netflow.IPFIX_FIELD_sourceTransportPort:
		return fSrcPort, true
	case netflow.IPFIX_FIELD_destinationTransportPort:
		return fDstPort, true
	case netflow.IPFIX_FIELD_fragmentOffset:
		return fFragOffset, true
	case netflow.IPFIX_FIELD_fragmentFlags:
		return fFragFlags, true
	case netflow.IPFIX_FIELD_minimumTTL:
		return fMinTTL, true
	case netflow.IPFIX_FIELD_maximumTTL:
		return fMaxTTL, true
	case netflow.IPFIX_FIELD_ipTTL:
		return fIPTTL, true
	case netflow.IPFIX_FIELD_icmpTypeCodeIPv4:
		return fICMPTypeCode4, true
	case netflow.IPFIX_FIELD_icmpTypeCodeIPv6:
		return fICMPTypeCode6, true
	case netflow.IPFIX_FIELD_icmpTypeIPv4:
		return fICMPType4, true
	case netflow.IPFIX_FIELD_icmpCodeIPv4:
		return fICMPCode4, true
	case netflow.IPFIX_FIELD_icmpTypeIPv6:
		return fICMPType6, true
	case netflow.IPFIX_FIELD_icmpCodeIPv6:
		return fICMPCode6, true
	case netflow.IPFIX_FIELD_flowStartSysUpTime:
		return fStartUptime, true
	case netflow.IPFIX_FIELD_flowEndSysUpTime:
		return fEndUptime, true
	case netflow.IPFIX_FIELD_flowStartSeconds:
		return fStartSec, true
	case netflow.IPFIX_FIELD_flowEndSeconds:
		return fEndSec, true
	case netflow.IPFIX_FIELD_flowStartMilliseconds:
		return fStartMs, true
	case netflow.IPFIX_FIELD_flowEndMilliseconds:
		return fEndMs, true
	case netflow.IPFIX_FIELD_flowStartMicroseconds:
		return fStartUs, true
	case netflow.IPFIX_FIELD_flowEndMicroseconds:
		return fEndUs, true
	case netflow.IPFIX_FIELD_flowStartNanoseconds:
		return fStartNs, true
	case netflow.IPFIX_FIELD_flowEndNanoseconds:
		return fEndNs, true
	case netflow.IPFIX_FIELD_flowStartDeltaMicroseconds:
		return fStartDelta, true
	case netflow.IPFIX_FIELD_flowEndDeltaMicroseconds:
		return fEndDelta, true
	case netflow.IPFIX_FIELD_samplingInterval:
		return fSamplingInterval, true
	case netflow.IPFIX_FIELD_samplerRandomInterval:
		return fSamplerRandom, true
	case netflow.IPFIX_FIELD_samplingPacketInterval:
		return fPacketInterval, true
	case netflow.IPFIX_FIELD_samplingPacketSpace:
		return fPacketSpace, true
	case netflow.IPFIX_FIELD_samplingSize:
		return fSamplingSize, true
	case netflow.IPFIX_FIELD_samplingPopulation:
		return fSamplingPopulation, true
	case netflow.IPFIX_FIELD_octetTotalCount:
		return fOctetTotal, true
	case netflow.IPFIX_FIELD_packetTotalCount:
		return fPacketTotal, true
	case netflow.IPFIX_FIELD_systemInitTimeMilliseconds:
		return fInitTime, true
	case netflow.IPFIX_FIELD_dataLinkFrameSection:
		return fFrameSection, true
	case netflow.IPFIX_FIELD_ipHeaderPacketSection:
		return fIPSection, true
	case netflow.IPFIX_FIELD_dataLinkFrameType:
		return fFrameType, true
	case netflow.IPFIX_FIELD_dataLinkFrameSize:
		return fFrameSize, true
	}
	return 0, false
}

// fieldSet is what a data record carried of the fields: present is a bit
// per fieldID, v the value of each numeric one (of 1 to 8 bytes, as
// unsigned big-endian; a longer one is present with value 0), frame and
// ip the packet sections.
type fieldSet struct {
	present uint64
	v       [numFields]uint64
	frame   []byte
	ip      []byte
}

// scan reads a record's fields. Fields with an enterprise number are
// other IEs (softflowd's reverse direction, for one) and are skipped, as
// goflow2's producer skips them. A field given twice keeps its last
// value, as in the producer.
func (f *fieldSet) scan(values []netflow.DataField) {
	for i := range values {
		df := &values[i]
		if df.PenProvided {
			continue
		}
		id, ok := ieField(df.Type)
		if !ok {
			continue
		}
		b, _ := df.Value.([]byte)
		f.present |= 1 << id
		switch id {
		case fFrameSection:
			f.frame = b
		case fIPSection:
			f.ip = b
		default:
			f.v[id] = uintBE(b)
		}
	}
}

// has reports whether the record carried the field.
func (f *fieldSet) has(id fieldID) bool { return f.present&(1<<id) != 0 }

// hasAny reports whether the record carried any of the fields.
func (f *fieldSet) hasAny(ids ...fieldID) bool {
	for _, id := range ids {
		if f.has(id) {
			return true
		}
	}
	return false
}

// uintBE reads an unsigned big-endian number of up to 8 bytes (0 for a
// longer one).
func uintBE(b []byte) uint64 {
	if len(b) > 8 {
		return 0
	}
	var n uint64
	for _, c := range b {
		n = n<<8 | uint64(c)
	}
	return n
}

// samplingRate returns the packet sampling rate (1 in N) the record's
// fields give, in this order: PSAMP systematic count-based sampling
// (RFC 5477: samplingPacketInterval packets taken, then
// samplingPacketSpace skipped, so N = (interval+space)/interval; an
// interval alone is taken for N, as goflow2 does); random n-out-of-N
// (samplingPopulation/samplingSize); v9's SAMPLING_INTERVAL (34) and
// FLOW_SAMPLER_RANDOM_INTERVAL (50), which are N. goflow2's producer
// takes IE 305 alone for N, which for softflowd (interval 1, space N-1)
// says 1.
func (f *fieldSet) samplingRate() (uint32, bool) {
	var n uint64
	switch {
	case f.has(fPacketInterval):
		n = f.v[fPacketInterval]
		if f.has(fPacketSpace) && n > 0 {
			n = (n + f.v[fPacketSpace]) / n
		}
	case f.has(fSamplingSize) && f.has(fSamplingPopulation) && f.v[fSamplingSize] > 0:
		n = f.v[fSamplingPopulation] / f.v[fSamplingSize]
	case f.has(fSamplingInterval):
		n = f.v[fSamplingInterval]
	case f.has(fSamplerRandom):
		n = f.v[fSamplerRandom]
	default:
		return 0, false
	}
	return uint32(min(n, 1<<32-1)), true
}

// ntpEpochOffset is the seconds from 1900 (NTP's epoch, which the IPFIX
// dateTimeMicroseconds and dateTimeNanoseconds count from, RFC 7011
// section 6.1.9) to 1970.
const ntpEpochOffset = 2208988800

// ntpNs converts an NTP timestamp (32 bits of seconds, 32 of fraction) to
// ns since 1970.
func ntpNs(t uint64) int64 {
	return (int64(t>>32)-ntpEpochOffset)*1e9 + int64((t&0xffffffff)*1e9>>32)
}

// times returns the flow's first and last packet times (ns since the
// epoch) from the record's fields, the first of these it carries:
// absolute times in ns, µs, ms or s (IEs 150-157); delta µs before the
// export time (158, 159); sysUpTime ms (22, 21), which count from the
// header's SysUptime in v9 and from systemInitTimeMilliseconds (IE 160,
// sent in options data, init) in IPFIX. With only a start or only an end,
// both are that time. ok is false when the record has no time it can
// use: the Record then keeps the export time, without HasTimes.
func (f *fieldSet) times(h nfHeader, init int64, haveInit bool) (first, last int64, ok bool) {
	exportNs := int64(h.exportSecs) * 1e9
	one := func(ns, us, ms, s, delta, up fieldID) (int64, bool) {
		switch {
		case f.has(ns):
			return ntpNs(f.v[ns]), true
		case f.has(us):
			return ntpNs(f.v[us]), true
		case f.has(ms):
			return int64(f.v[ms]) * 1e6, true
		case f.has(s):
			return int64(f.v[s]) * 1e9, true
		case f.has(delta):
			return exportNs - int64(f.v[delta])*1e3, true
		case f.has(up) && h.version == 9:
			return exportNs + uptimeDelta(uint32(f.v[up]), h.uptime), true
		case f.has(up) && haveInit:
			return init + int64(f.v[up])*1e6, true
		}
		return 0, false
	}
	first, okFirst := one(fStartNs, fStartUs, fStartMs, fStartSec, fStartDelta, fStartUptime)
	last, okLast := one(fEndNs, fEndUs, fEndMs, fEndSec, fEndDelta, fEndUptime)
	switch {
	case okFirst && okLast:
		return first, last, true
	case okFirst:
		return first, first, true
	case okLast:
		return last, last, true
	}
	return 0, 0, false
}
