package scan

import (
	"net/netip"

	"github.com/port0/port0/decode"
	"github.com/port0/port0/sketch"
)

// Builder makes a Result from inputs that are not packet captures — flow
// records (package flowscan) — so that they meet packets at the port-0
// record and the study reads them the same way. The caller says, input
// by input, what traffic it saw (Traffic), what a naive flow view would
// call port 0 (Naive), which port-0 packets it stands for (Port0) and the
// records of those packets (Record); Result gives the whole. A Builder is
// used by one goroutine.
type Builder struct {
	res  *Result
	iv   int64
	cur  int
	t    tap
	open bool
}

// NewBuilder returns a Builder for the inputs named files, with the
// port-0 side (Options.Port0 is taken as set) and o's interval and spill
// limits.
func NewBuilder(files []string, o Options) *Builder {
	o.Port0 = true
	b := &Builder{res: o.newResult(len(files)), iv: int64(intervalOr(o.Interval))}
	for i, f := range files {
		b.res.Files[i].File = f
		b.res.Files[i].Counts = newCounts()
		b.res.Records.newSegment()
	}
	b.cur = -1
	return b
}

// Interval is the length of the result's intervals, in ns.
func (b *Builder) Interval() int64 { return b.iv }

// Start readies input i, whose format (as FileSummary.Format says it) is
// format: what follows is its traffic and records.
func (b *Builder) Start(i int, format string) {
	b.end()
	b.cur, b.open = i, true
	fs := &b.res.Files[i]
	fs.Format = format
	fs.Counts.Files = 1
	b.t = tap{spill: b.res.Records.spill, seg: b.res.Records.segs[i]}
	b.t.startFile(i, b.res.Records.segs[i])
}

// end folds the current input's numbers into the result.
func (b *Builder) end() {
	if !b.open {
		return
	}
	b.t.mergeInto(b.res)
	b.open = false
}

// Traffic adds n packets from src to dst at time ts (ns) to all traffic:
// the input's packet counts, the interval's packets and sources, and the
// destination range.
func (b *Builder) Traffic(ts int64, src, dst netip.Addr, n int64) {
	c := &b.res.Files[b.cur].Counts
	c.Packets += n
	if src.Is4() {
		c.IPv4 += n
	} else {
		c.IPv6 += n
	}
	h := ts / b.iv
	if ts < 0 {
		h = (ts - b.iv + 1) / b.iv
	}
	a, _ := b.t.intervals.get(h)
	a.Packets += n
	s16 := src.As16()
	a.Sources.AddHash(sketch.Hash16(&s16))
	if dst.Is4() {
		d4 := dst.As4()
		b.t.dst.add(uint32(d4[0])<<24 | uint32(d4[1])<<16 | uint32(d4[2])<<8 | uint32(d4[3]))
	}
}

// NaiveKind is what the packets a naive flow view calls port 0 really
// are (NaiveFlow's fields).
type NaiveKind uint8

// The kinds of Naive.
const (
	NaivePort0            NaiveKind = iota // a real TCP or UDP port 0
	NaiveNonFirstFragment                  // no transport header
	NaiveICMP                              // ICMP type/code in the port fields
	NaiveOtherProto                        // a protocol without ports
	NaiveUndecidable                       // the flow format cannot tell
)

// Naive adds n packets that a naive flow view calls port 0, of kind k.
func (b *Builder) Naive(k NaiveKind, n int64) {
	v := &b.t.naive
	v.Packets += n
	switch k {
	case NaivePort0:
		v.Port0 += n
	case NaiveNonFirstFragment:
		v.NonFirstFragment += n
	case NaiveICMP:
		v.ICMP += n
	case NaiveOtherProto:
		v.OtherProto += n
	default:
		v.Undecidable += n
	}
}

// Port0 counts n port-0 packets like p (its protocol, address family and
// port position) in the input's port-0 counts; their records are added
// with Record.
func (b *Builder) Port0(p *P0Packet, n int64) {
	c := &b.res.Files[b.cur].Counts
	c.WithPorts += n
	pc := &c.Port0
	pc.Total += n
	switch v4 := p.Src.Is4(); {
	case p.Proto == decode.ProtoTCP && v4:
		pc.TCPv4 += n
	case p.Proto == decode.ProtoTCP:
		pc.TCPv6 += n
	case v4:
		pc.UDPv4 += n
	default:
		pc.UDPv6 += n
	}
	switch p.Port0 {
	case decode.Port0Src:
		pc.SrcOnly += n
	case decode.Port0Dst:
		pc.DstOnly += n
	case decode.Port0Both:
		pc.Both += n
	}
}

// WithPorts counts n packets whose TCP or UDP ports were read (and are
// not 0).
func (b *Builder) WithPorts(n int64) { b.res.Files[b.cur].Counts.WithPorts += n }

// Record appends a port-0 record to the current input's; its File is set
// to the input's index.
func (b *Builder) Record(p *P0Packet) {
	p.File = uint32(b.cur)
	var buf [RecordLen]byte
	p.encode(buf[:])
	b.t.seg.write(b.t.spill, buf[:])
}

// Fail records a read error of input i: index is the index the next
// record would have had (-1: the input could not be opened or its header
// read), offset the byte offset of what could not be read.
func (b *Builder) Fail(i int, index, offset int64, msg string) {
	e := ReadErrorInfo{File: b.res.Files[i].File, PacketIndex: index, ByteOffset: offset, Message: msg}
	b.res.Files[i].ReadError = &e
}

// Result ends the last input and returns the result: the inputs' counts
// summed into Total, their read errors in input order. It fails when the
// records could not be spilled, or no input could be read (ErrNoInput).
func (b *Builder) Result() (*Result, error) {
	b.end()
	r := b.res
	r.Total = newCounts()
	for i := range r.Files {
		r.Total.Add(&r.Files[i].Counts)
		if e := r.Files[i].ReadError; e != nil {
			r.ReadErrors = append(r.ReadErrors, *e)
		}
	}
	if err := r.Records.spill.err; err != nil {
		return r, err
	}
	if r.Total.Files == 0 {
		return r, ErrNoInput
	}
	return r, nil
}
