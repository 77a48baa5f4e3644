package analyze

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sync"
)

// Port-0-related packets are rare, so they alone pay for classification:
// the scan writes a compact fixed-size record of each to a spool file, and
// the study reads the spools back, in input order, once the scan is done.
// Memory stays bounded by the number of port-0 sources, never by packets,
// and spools of separate runs concatenate (port0 analyze -merge).

// P0Packet is the spooled record of one port-0-related packet.
type P0Packet struct {
	File      uint32 // input index (into the run's file list)
	Index     int64  // packet index within the file
	TS        int64  // ns since the epoch
	Src, Dst  netip.Addr
	Proto     uint8
	TTL       uint8
	Shape     Shape
	Probe     Probe
	Flags     uint16
	Window    uint16
	SrcPort   uint16 // TCP/UDP ports; for an ICMP quote, the quoted packet's
	DstPort   uint16
	IPID      uint32
	Seq       uint32
	Length    uint16 // IP length field (IPv4 total length, IPv6 payload length + 40)
	Port0     Port0Pos
	ICMPType  uint8
	InnerSrc  netip.Addr // ICMP quote: the quoted packet's source (a spoofed address)
	DataOffOK bool       // TCP data offset >= 5
}

// newP0Packet fills a spool record from a decoded packet.
func newP0Packet(file uint32, index, ts int64, r *Record, payload []byte) P0Packet {
	shape, probe := ShapeOf(r, payload)
	p := P0Packet{
		File: file, Index: index, TS: ts, Src: r.SrcAddr(), Dst: r.DstAddr(), Proto: r.Proto, TTL: r.TTL,
		Shape: shape, Probe: probe, IPID: r.IPID, Port0: r.Port0,
	}
	if r.IPVersion == 4 {
		p.Length = r.IPLen
	} else {
		p.Length = r.IPLen + 40
	}
	switch {
	case r.Ports == PortsPresent:
		p.SrcPort, p.DstPort = r.SrcPort, r.DstPort
		if r.Proto == ProtoTCP {
			p.Flags, p.Window, p.Seq = r.Flags, r.Window, r.Seq
			p.DataOffOK = r.DataOffset >= 5
		}
	case r.ICMP:
		p.ICMPType = r.ICMPType
		p.SrcPort, p.DstPort, p.Port0 = r.Inner.SrcPort, r.Inner.DstPort, r.Inner.Port0
		p.InnerSrc = r.Inner.SrcAddr()
	}
	return p
}

func putAddr(b []byte, a netip.Addr) {
	switch {
	case a.Is4():
		b[16] = 4
	case a.Is6():
		b[16] = 6
	default:
		b[16] = 0
	}
	x := a.As16()
	if !a.IsValid() {
		x = [16]byte{}
	}
	copy(b, x[:])
}

func getAddr(b []byte) netip.Addr {
	a := netip.AddrFrom16([16]byte(b[:16]))
	switch b[16] {
	case 4:
		return a.Unmap()
	case 6:
		return a
	}
	return netip.Addr{}
}

// spoolRecLen is the encoded size: fixed fields plus three addresses of 17
// bytes (16 address bytes and a family byte).
const spoolRecLen = 4 + 8 + 8 + 3*17 + 1 + 1 + 1 + 1 + 2 + 2 + 2 + 2 + 4 + 4 + 2 + 1 + 1 + 1

func (p *P0Packet) encode(b []byte) {
	le := binary.LittleEndian
	le.PutUint32(b[0:], p.File)
	le.PutUint64(b[4:], uint64(p.Index))
	le.PutUint64(b[12:], uint64(p.TS))
	putAddr(b[20:], p.Src)
	putAddr(b[37:], p.Dst)
	putAddr(b[54:], p.InnerSrc)
	o := 71
	b[o], b[o+1], b[o+2], b[o+3] = p.Proto, p.TTL, uint8(p.Shape), uint8(p.Probe)
	le.PutUint16(b[o+4:], p.Flags)
	le.PutUint16(b[o+6:], p.Window)
	le.PutUint16(b[o+8:], p.SrcPort)
	le.PutUint16(b[o+10:], p.DstPort)
	le.PutUint32(b[o+12:], p.IPID)
	le.PutUint32(b[o+16:], p.Seq)
	le.PutUint16(b[o+20:], p.Length)
	b[o+22], b[o+23] = uint8(p.Port0), p.ICMPType
	b[o+24] = 0
	if p.DataOffOK {
		b[o+24] = 1
	}
}

func (p *P0Packet) decode(b []byte) {
	le := binary.LittleEndian
	p.File = le.Uint32(b[0:])
	p.Index = int64(le.Uint64(b[4:]))
	p.TS = int64(le.Uint64(b[12:]))
	p.Src, p.Dst, p.InnerSrc = getAddr(b[20:]), getAddr(b[37:]), getAddr(b[54:])
	o := 71
	p.Proto, p.TTL, p.Shape, p.Probe = b[o], b[o+1], Shape(b[o+2]), Probe(b[o+3])
	p.Flags = le.Uint16(b[o+4:])
	p.Window = le.Uint16(b[o+6:])
	p.SrcPort = le.Uint16(b[o+8:])
	p.DstPort = le.Uint16(b[o+10:])
	p.IPID = le.Uint32(b[o+12:])
	p.Seq = le.Uint32(b[o+16:])
	p.Length = le.Uint16(b[o+20:])
	p.Port0, p.ICMPType = Port0Pos(b[o+22]), b[o+23]
	p.DataOffOK = b[o+24] == 1
}

// spoolWriter appends records to one spool file.
type spoolWriter struct {
	f   *os.File
	w   *bufio.Writer
	buf [spoolRecLen]byte
	n   int64
}

func createSpool(name string) (*spoolWriter, error) {
	f, err := os.Create(name)
	if err != nil {
		return nil, err
	}
	w := spoolWriters.Get().(*bufio.Writer)
	w.Reset(f)
	return &spoolWriter{f: f, w: w}, nil
}

// The 64 KiB buffers of spool files are pooled: a run over thousands of
// shards writes and reads as many spools.
var (
	spoolWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}
	spoolReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}
)

func (s *spoolWriter) add(p *P0Packet) {
	p.encode(s.buf[:])
	s.w.Write(s.buf[:])
	s.n++
}

// write appends encoded records.
func (s *spoolWriter) write(b []byte) {
	s.w.Write(b)
	s.n += int64(len(b) / spoolRecLen)
}

func (s *spoolWriter) close() error {
	err := s.w.Flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.w.Reset(nil)
	spoolWriters.Put(s.w)
	s.w = nil
	return err
}

// readSpool calls fn for every record of a spool file, in order.
func readSpool(name string, fn func(p *P0Packet) error) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	r := spoolReaders.Get().(*bufio.Reader)
	r.Reset(f)
	defer func() { r.Reset(nil); spoolReaders.Put(r) }()
	var b [spoolRecLen]byte
	var p P0Packet
	for i := 0; ; i++ {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("spool %s: record %d: %w", name, i, err)
		}
		p.decode(b[:])
		if err := fn(&p); err != nil {
			return err
		}
	}
}
