package exporter

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"

	protoproducer "github.com/netsampler/goflow2/v2/producer/proto"

	"github.com/port0/port0/flows"
)

var be = binary.BigEndian

// ErrUnknownFormat is the error (wrapped in an *Error of KindUnknown) of a
// datagram whose first bytes name no flow-export format.
var ErrUnknownFormat = errors.New("not a flow export (no NetFlow v5/v9, IPFIX or sFlow v5 header)")

// Error is a datagram Decode could not decode, whole or in part. Every
// record and sample decoded before the damage has been given to out and
// samples.
type Error struct {
	// Format is the datagram's format, FormatUnknown for one of none.
	Format flows.Format
	// Kind says what was wrong.
	Kind ErrorKind
	// Exporter is the datagram's source.
	Exporter netip.AddrPort
	// Msg says what is wrong.
	Msg string
	err error // goflow2's error, or ErrUnknownFormat
}

// Error returns "FORMAT from EXPORTER: KIND: MSG".
func (e *Error) Error() string {
	s := e.Format.String() + " from " + e.Exporter.String() + ": " + e.Kind.String()
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

// Unwrap returns goflow2's error, ErrUnknownFormat, or nil.
func (e *Error) Unwrap() error { return e.err }

// Bounds on the state a Decoder keeps, so that a hostile or corrupt
// capture cannot make it grow without limit.
const (
	// MaxExporters is the most v9/IPFIX exporters (transport sessions) a
	// Decoder keeps templates for; datagrams of further ones fail with
	// KindLimit.
	MaxExporters = 1 << 16
	// MaxTemplates is the most templates one exporter may have; further
	// new template IDs are refused (Stats.TemplatesRefused) and their
	// data sets count as NoTemplate.
	MaxTemplates = 4096
)

// Decoder decodes the datagrams of flow exporters into flows.Records and
// Samples. It keeps, as a collector must, the v9 and IPFIX templates,
// sampling rates and system init times of each exporter: for NetFlow v9
// per source address and Source ID (RFC 3954 section 5.1: "the
// combination of the source IP address plus the Source ID field"), for
// IPFIX per Transport Session (over UDP, the source address and port: RFC
// 7011 section 2) and Observation Domain. Nothing is global: two Decoders share
// no state. A Decoder is not safe for concurrent use.
type Decoder struct {
	exporters map[exporterKey]*exporterState
	stats     Stats
	msg       protoproducer.ProtoProducerMessage // goflow2's FlowMessage, reused per record
	scratch   []byte                             // a cut v5 datagram's whole records, a v9 datagram of a fixed count
}

// NewDecoder returns a Decoder with no exporter state.
func NewDecoder() *Decoder {
	return &Decoder{exporters: make(map[exporterKey]*exporterState)}
}

// Stats returns a copy of the Decoder's counts.
func (d *Decoder) Stats() Stats { return d.stats.clone() }

// Format detects the format of a datagram from its first bytes: the
// version in the first 16 bits for NetFlow (5, 9) and IPFIX (10); for
// sFlow, version 5 in the first 32 bits followed by an agent address type
// of 1 (IPv4) or 2 (IPv6). FormatUnknown otherwise.
func Format(data []byte) flows.Format {
	if len(data) < 2 {
		return flows.FormatUnknown
	}
	switch be.Uint16(data) {
	case 5:
		return flows.NetFlow5
	case 9:
		return flows.NetFlow9
	case 10:
		return flows.IPFIX
	case 0:
		if len(data) >= 8 && be.Uint32(data) == 5 {
			if t := be.Uint32(data[4:]); t == 1 || t == 2 {
				return flows.SFlow
			}
		}
	}
	return flows.FormatUnknown
}

// Decode decodes one datagram (the UDP payload) that came from the
// exporter from at received (ns since the epoch). Each flow record
// becomes a flows.Record given to out; each sFlow raw packet header (and
// IPFIX packet section) a Sample given to samples. Either callback may be
// nil. The Record and Sample passed are reused after the callback
// returns, and Sample.Header points into data (or the Decoder's copy of
// it): copy what must be kept.
//
// Decode returns an *Error for a datagram that is no flow export
// (wrapping ErrUnknownFormat) or could not be decoded whole: every record
// before the damage has been given to out, the error is counted in
// Stats, and the next datagram is decoded as usual. It never panics on
// any data: a panic inside goflow2 becomes an Error of KindPanic. Data
// sets whose template has not come yet are counted (Stats.NoTemplate),
// and are no error.
func (d *Decoder) Decode(data []byte, from netip.AddrPort, received int64, out func(*flows.Record), samples func(*Sample)) error {
	if out == nil {
		out = func(*flows.Record) {}
	}
	if samples == nil {
		samples = func(*Sample) {}
	}
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	d.stats.Datagrams++
	c := call{d: d, from: from, received: received, out: out, samples: samples}
	var err *Error
	switch c.format = Format(data); c.format {
	case flows.NetFlow5:
		d.stats.NetFlow5++
		err = c.netflow5(data)
	case flows.NetFlow9:
		d.stats.NetFlow9++
		err = c.netflow(data, 9)
	case flows.IPFIX:
		d.stats.IPFIX++
		err = c.netflow(data, 10)
	case flows.SFlow:
		d.stats.SFlow++
		err = c.sflow(data)
	default:
		d.stats.Unknown++
		return &Error{Format: flows.FormatUnknown, Kind: KindUnknown, Exporter: from, err: ErrUnknownFormat}
	}
	if err != nil {
		d.stats.count(err)
		return err
	}
	return nil
}

// call is one Decode call's arguments.
type call struct {
	d        *Decoder
	format   flows.Format
	from     netip.AddrPort
	received int64
	out      func(*flows.Record)
	samples  func(*Sample)
	rec      flows.Record
	sample   Sample
}

// fail returns an Error of the call's format.
func (c *call) fail(k ErrorKind, err error, format string, args ...any) *Error {
	return &Error{Format: c.format, Kind: k, Exporter: c.from, Msg: fmt.Sprintf(format, args...), err: err}
}

// safely runs fn, a call into goflow2, turning a panic into an Error of
// KindPanic and an error into one of KindMalformed. The callbacks out and
// samples are never called inside fn, so their panics are not taken for
// the library's.
func (c *call) safely(what string, fn func() error) (e *Error) {
	defer func() {
		if r := recover(); r != nil {
			e = c.fail(KindPanic, nil, "%s: %v", what, r)
		}
	}()
	if err := fn(); err != nil {
		return c.fail(KindMalformed, err, "%s: %v", what, err)
	}
	return nil
}

// emit gives c.rec to out.
func (c *call) emit() {
	c.d.stats.Records++
	c.out(&c.rec)
}

// emitSample gives c.sample to samples.
func (c *call) emitSample() {
	c.d.stats.Samples++
	c.samples(&c.sample)
}

// itoa formats n in decimal.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }
