package capture

import (
	"fmt"
	"io"
	"math"
	"math/bits"
)

// pcapng block types.
const (
	ngSHB = 0x0a0d0d0a // section header (palindromic: readable in either byte order)
	ngIDB = 0x00000001 // interface description
	ngOPB = 0x00000002 // packet (obsolete)
	ngSPB = 0x00000003 // simple packet
	ngEPB = 0x00000006 // enhanced packet
)

// pcapng fixed block sizes, trailing length included.
const (
	ngSHBMin = 28
	ngIDBMin = 20
	ngEPBMin = 32
	ngOPBMin = 32
	ngSPBMin = 16
)

// pcapng interface description options the reader honours.
const (
	ngOptEnd      = 0
	ngOptTsresol  = 9
	ngOptTsoffset = 14
)

// tsKind says how an interface's timestamp units become nanoseconds.
type tsKind uint8

const (
	tsMul   tsKind = iota // ns = units * factor (resolution 10^-k, k <= 9)
	tsDiv                 // ns = units / factor (resolution 10^-k, k > 9)
	tsShift               // ns = units * 1e9 >> shift (resolution 2^-shift)
	tsZero                // resolution so fine that every timestamp rounds to 0 ns
	tsNone                // an if_tsoffset beyond what int64 nanoseconds hold: no timestamp can be
)

// ngInterface is one interface description of the current section.
//
// A section may describe any number of interfaces (tcpdump and tshark set
// no limit either): the table (Capture.ifaces) grows with them and is
// emptied at the next section header. Each costs 24 bytes (this struct;
// TestInterfaceCost holds it to that), up to twice as much while append
// grows the table: at most ~2.4 times the bytes of the interface
// description blocks read (one is at least 20 bytes), and at most 2^32
// interfaces, the most a packet block can name (a 32-bit interface id).
type ngInterface struct {
	link    LinkType
	kind    tsKind
	shift   uint8 // tsShift: the resolution is 2^-shift
	snaplen uint32
	factor  uint64
	offset  int64 // if_tsoffset, in nanoseconds
}

// setTsresol applies an if_tsresol value: 10^-v when the top bit is clear,
// 2^-(v&0x7f) when it is set.
func (ifc *ngInterface) setTsresol(v byte) {
	if v&0x80 != 0 {
		ifc.kind, ifc.shift = tsShift, v&0x7f
		return
	}
	k := int(v)
	switch {
	case k <= 9:
		ifc.kind, ifc.factor = tsMul, pow10u64(9-k)
	case k-9 <= 19:
		ifc.kind, ifc.factor = tsDiv, pow10u64(k-9)
	default:
		ifc.kind = tsZero
	}
}

func pow10u64(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

// ns converts a timestamp in interface units to nanoseconds since the
// epoch. ok is false when the time cannot be held in an int64 of
// nanoseconds (after 2262-04-11, or before 1677-09-21 by if_tsoffset);
// such a time cannot be real, and ns is 0 then.
func (ifc *ngInterface) ns(units uint64) (ns int64, ok bool) {
	var v uint64
	switch ifc.kind {
	case tsMul:
		hi, lo := bits.Mul64(units, ifc.factor)
		if hi != 0 {
			return 0, false
		}
		v = lo
	case tsDiv:
		v = units / ifc.factor
	case tsShift:
		hi, lo := bits.Mul64(units, 1e9)
		switch s := ifc.shift; {
		case s == 0:
			if hi != 0 {
				return 0, false
			}
			v = lo
		case s < 64:
			if hi>>s != 0 {
				return 0, false
			}
			v = hi<<(64-s) | lo>>s
		default:
			v = hi >> (s - 64)
		}
	case tsNone:
		return 0, false
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	ns = int64(v)
	sum := ns + ifc.offset
	if (ifc.offset > 0 && sum < ns) || (ifc.offset < 0 && sum > ns) {
		return 0, false
	}
	return sum, true
}

// readSectionHeader parses a section header block at the current position,
// sets the byte order of the new section and forgets the interfaces of the
// previous one.
func (c *Capture) readSectionHeader() error {
	off := c.off
	h, err := c.br.Peek(ngSHBMin)
	if len(h) < 12 {
		return c.truncated(off, "section header block", ngSHBMin, len(h), err)
	}
	switch {
	case h[8] == 0x1a && h[9] == 0x2b && h[10] == 0x3c && h[11] == 0x4d:
		c.be = true
	case h[8] == 0x4d && h[9] == 0x3c && h[10] == 0x2b && h[11] == 0x1a:
		c.be = false
	default:
		return c.fail(off, fmt.Sprintf("bad pcapng byte-order magic % x", h[8:12]), nil)
	}
	blen := c.u32(h[4:])
	if blen < ngSHBMin || blen%4 != 0 || blen > maxSkipBlock {
		return c.fail(off, fmt.Sprintf("invalid section header block length %d", blen), nil)
	}
	if len(h) < ngSHBMin {
		return c.truncated(off, "section header block", int(blen), len(h), err)
	}
	if major := c.u16(h[12:]); major != 1 {
		return c.fail(off, fmt.Sprintf("unsupported pcapng version %d.%d", major, c.u16(h[14:])), nil)
	}
	c.ifaces = c.ifaces[:0]
	return c.skipBlock(off, blen)
}

// skipBlock consumes a block of blen bytes without buffering it whole,
// checking its trailing length.
func (c *Capture) skipBlock(off int64, blen uint32) error {
	n := int(blen) - 4
	if d, err := c.br.Discard(n); d < n {
		return c.truncated(off, "block", int(blen), d, err)
	}
	t, err := c.br.Peek(4)
	if len(t) < 4 {
		return c.truncated(off, "block", int(blen), n+len(t), err)
	}
	if tl := c.u32(t); tl != blen {
		return c.fail(off, fmt.Sprintf("block trailer length %d does not match header length %d", tl, blen), nil)
	}
	c.br.Discard(4)
	c.off += int64(blen)
	return nil
}

// nextPcapng reads blocks until it has a packet.
func (c *Capture) nextPcapng(p *Packet) error {
	for {
		off := c.off
		h, err := c.br.Peek(8)
		if len(h) < 8 {
			if len(h) == 0 && err != nil && ioErr(err) == nil {
				return io.EOF
			}
			return c.truncated(off, "block header", 8, len(h), err)
		}
		typ := c.u32(h)
		if typ == ngSHB {
			if err := c.readSectionHeader(); err != nil {
				return err
			}
			continue
		}
		blen := c.u32(h[4:])
		if blen < 12 || blen%4 != 0 {
			return c.fail(off, fmt.Sprintf("invalid block length %d (block type %#x)", blen, typ), nil)
		}
		switch typ {
		case ngIDB, ngEPB, ngSPB, ngOPB:
		default:
			if blen > maxSkipBlock {
				return c.fail(off, fmt.Sprintf("block length %d exceeds limit %d (block type %#x)", blen, maxSkipBlock, typ), nil)
			}
			if err := c.skipBlock(off, blen); err != nil {
				return err
			}
			continue
		}
		if blen > maxBlock {
			return c.fail(off, fmt.Sprintf("block length %d exceeds limit %d (block type %#x)", blen, maxBlock, typ), nil)
		}
		b, err := c.br.Peek(int(blen))
		if len(b) < int(blen) {
			return c.truncated(off, "block", int(blen), len(b), err)
		}
		if tl := c.u32(b[blen-4:]); tl != blen {
			return c.fail(off, fmt.Sprintf("block trailer length %d does not match header length %d", tl, blen), nil)
		}
		if typ == ngIDB {
			if err := c.parseIDB(off, b); err != nil {
				return err
			}
		} else {
			if err := c.parsePacketBlock(off, typ, b, p); err != nil {
				return err
			}
		}
		c.br.Discard(int(blen))
		c.off += int64(blen)
		if typ != ngIDB {
			c.index++
			return nil
		}
	}
}

// parseIDB appends the interface described by block b.
func (c *Capture) parseIDB(off int64, b []byte) error {
	if len(b) < ngIDBMin {
		return c.fail(off, fmt.Sprintf("interface description block too short (%d bytes)", len(b)), nil)
	}
	ifc := ngInterface{link: LinkType(c.u16(b[8:])), snaplen: c.u32(b[12:])}
	ifc.setTsresol(6)
	offsetOK := true
	opts := b[16 : len(b)-4]
	for len(opts) >= 4 {
		code, olen := c.u16(opts), int(c.u16(opts[2:]))
		if code == ngOptEnd {
			break
		}
		padded := (olen + 3) &^ 3
		if 4+padded > len(opts) {
			return c.fail(off, fmt.Sprintf("interface description option %d overruns its block", code), nil)
		}
		v := opts[4 : 4+olen]
		switch {
		case code == ngOptTsresol && olen >= 1:
			ifc.setTsresol(v[0])
		case code == ngOptTsoffset && olen >= 8:
			sec := int64(c.u64(v))
			ifc.offset, offsetOK = sec*1e9, sec >= math.MinInt64/int64(1e9) && sec <= math.MaxInt64/int64(1e9)
		}
		opts = opts[4+padded:]
	}
	if !offsetOK {
		ifc.kind = tsNone
	}
	c.ifaces = append(c.ifaces, ifc)
	return nil
}

// parsePacketBlock fills p from an enhanced, simple or obsolete packet
// block b (trailer already checked).
func (c *Capture) parsePacketBlock(off int64, typ uint32, b []byte, p *Packet) error {
	var (
		ifid         uint32
		caplen, orig uint32
		units        uint64
		data         int // offset of the packet data in b
		hasTS        = true
	)
	blen := uint32(len(b))
	switch typ {
	case ngEPB:
		if blen < ngEPBMin {
			return c.fail(off, fmt.Sprintf("enhanced packet block too short (%d bytes)", blen), nil)
		}
		ifid = c.u32(b[8:])
		units = uint64(c.u32(b[12:]))<<32 | uint64(c.u32(b[16:]))
		caplen, orig, data = c.u32(b[20:]), c.u32(b[24:]), 28
	case ngOPB:
		if blen < ngOPBMin {
			return c.fail(off, fmt.Sprintf("packet block too short (%d bytes)", blen), nil)
		}
		ifid = uint32(c.u16(b[8:]))
		units = uint64(c.u32(b[12:]))<<32 | uint64(c.u32(b[16:]))
		caplen, orig, data = c.u32(b[20:]), c.u32(b[24:]), 28
	case ngSPB:
		if blen < ngSPBMin {
			return c.fail(off, fmt.Sprintf("simple packet block too short (%d bytes)", blen), nil)
		}
		orig, data, hasTS = c.u32(b[8:]), 12, false
		caplen = min(orig, blen-ngSPBMin)
		if len(c.ifaces) > 0 && c.ifaces[0].snaplen > 0 {
			caplen = min(caplen, c.ifaces[0].snaplen)
		}
	}
	if ifid >= uint32(len(c.ifaces)) {
		return c.fail(off, fmt.Sprintf("packet block references undefined interface %d (%d defined)", ifid, len(c.ifaces)), nil)
	}
	if caplen > MaxCaplen {
		return c.fail(off, fmt.Sprintf("absurd captured length %d (limit %d)", caplen, MaxCaplen), nil)
	}
	if caplen > blen-uint32(data)-4 {
		return c.fail(off, fmt.Sprintf("captured length %d overruns its %d-byte block", caplen, blen), nil)
	}
	ifc := &c.ifaces[ifid]
	end := data + int(caplen)
	p.Data = b[data:end:end]
	p.OrigLen = orig
	p.TS = 0
	if hasTS {
		var ok bool
		if p.TS, ok = ifc.ns(units); !ok {
			c.tsOutOfRange++
		}
	}
	p.LinkType = ifc.link
	p.Index = c.index
	p.Offset = off
	return nil
}
