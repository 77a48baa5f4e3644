package scan

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
)

// Port-0-related packets are rare, so they alone pay for classification:
// the scan keeps a compact fixed-size record of each (Records), and the
// study reads them back, in input order, once the scan is done.

// P0Packet is the record the scan keeps of one port-0-related packet.
type P0Packet struct {
	File      uint32 // input index (into the run's file list)
	Index     int64  // packet index within the file
	TS        int64  // ns since the epoch
	Src, Dst  netip.Addr
	Proto     uint8
	TTL       uint8
	Shape     classify.Shape
	Probe     classify.Probe
	Flags     uint16
	Window    uint16
	SrcPort   uint16 // TCP/UDP ports; for an ICMP quote, the quoted packet's
	DstPort   uint16
	IPID      uint32
	Seq       uint32
	Length    uint16 // IP length field (IPv4 total length, IPv6 payload length + 40)
	Port0     decode.Port0Pos
	ICMPType  uint8
	InnerSrc  netip.Addr // ICMP quote: the quoted packet's source (a spoofed address)
	DataOffOK bool       // TCP data offset >= 5
	// DF is the IPv4 Don't Fragment flag. AckNoACK says a TCP header
	// carries a non-zero acknowledgment number without the ACK flag
	// (hping3's and Nmap's OS probes' random ack, p0f's "ack+" quirk,
	// docs/TOOLS.md section 8). TCPOpts says it carries options;
	// MSSOnly that they are one MSS option; ZMapOpts that they are
	// exactly MSS 1460, NOP, WS 8, NOP, NOP, SACK-permitted (ZMap ≥ 4.1's
	// default "windows" probe options). UDPSum0 says a UDP header
	// carries no checksum (0: ZMap's UDP probes).
	DF, AckNoACK               bool
	TCPOpts, MSSOnly, ZMapOpts bool
	UDPSum0                    bool
	// Encap is the tunnel the packet was found in (decode.EncapNone: not
	// tunneled); OuterSrc and OuterDst are then the outermost IP
	// header's addresses (Src and Dst are the inner packet's).
	Encap              decode.Encap
	OuterSrc, OuterDst netip.Addr
}

// zmapOpts are the option kinds of ZMap ≥ 4.1's default TCP SYN probe
// ("windows", packet.c set_tcp_options): MSS, NOP, WS, NOP, NOP,
// SACK-permitted.
var zmapOpts = [6]uint8{2, 1, 3, 1, 1, 4}

// newP0Packet fills a record from a packet data that r decoded.
func newP0Packet(file uint32, index, ts int64, r *decode.Record, data []byte) P0Packet {
	var payload []byte
	udp := decode.UDPDatagram(data, r)
	if udp != nil {
		payload = udp[decode.UDPHdrLen:]
	}
	shape, probe := classify.ShapeOf(r, payload)
	p := P0Packet{
		File: file, Index: index, TS: ts, Src: r.SrcAddr(), Dst: r.DstAddr(), Proto: r.Proto, TTL: r.TTL,
		Shape: shape, Probe: probe, IPID: r.IPID, Port0: r.Port0, Encap: r.Encap,
		DF: r.IPVersion == 4 && r.DF,
	}
	if r.Encap != decode.EncapNone {
		p.OuterSrc, p.OuterDst = r.OuterSrcAddr(), r.OuterDstAddr()
	}
	if r.IPVersion == 4 {
		p.Length = r.IPLen
	} else {
		p.Length = r.IPLen + 40
	}
	switch {
	case r.Port0 != decode.Port0Unknown:
		p.SrcPort, p.DstPort = r.SrcPort, r.DstPort
		if r.Proto == decode.ProtoTCP && r.Ports == decode.PortsPresent {
			p.Flags, p.Window, p.Seq = r.Flags, r.Window, r.Seq
			p.DataOffOK = r.DataOffset >= 5
			p.AckNoACK = r.Ack != 0 && r.Flags&decode.TCPFlagACK == 0
			p.TCPOpts = r.NOpts > 0
			p.MSSOnly = r.NOpts == 1 && r.Opts[0] == 2
			p.ZMapOpts = r.NOpts == 6 && [6]uint8(r.Opts[:6]) == zmapOpts && r.MSS == 1460 && r.WScale == 8
		}
		if udp != nil && r.IPVersion == 4 {
			p.UDPSum0 = udp[6] == 0 && udp[7] == 0
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

func bit(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// RecordLen is the encoded size of a P0Packet: fixed fields plus five
// addresses of 17 bytes (16 address bytes and a family byte).
const RecordLen = 4 + 8 + 8 + 3*17 + 1 + 1 + 1 + 1 + 2 + 2 + 2 + 2 + 4 + 4 + 2 + 1 + 1 + 1 + 1 + 2*17

// addrOffsets are the offsets of the encoded addresses, and addrNames
// their names in errors.
var (
	addrOffsets = [...]int{20, 37, 54, 97, 114}
	addrNames   = [...]string{"source", "destination", "inner source", "outer source", "outer destination"}
)

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
	b[o+24] = bit(p.DataOffOK) | bit(p.DF)<<1 | bit(p.AckNoACK)<<2 | bit(p.TCPOpts)<<3 | bit(p.MSSOnly)<<4 | bit(p.ZMapOpts)<<5 | bit(p.UDPSum0)<<6
	b[o+25] = uint8(p.Encap)
	putAddr(b[97:], p.OuterSrc)
	putAddr(b[114:], p.OuterDst)
}

func (p *P0Packet) decode(b []byte) {
	le := binary.LittleEndian
	p.File = le.Uint32(b[0:])
	p.Index = int64(le.Uint64(b[4:]))
	p.TS = int64(le.Uint64(b[12:]))
	p.Src, p.Dst, p.InnerSrc = getAddr(b[20:]), getAddr(b[37:]), getAddr(b[54:])
	o := 71
	p.Proto, p.TTL, p.Shape, p.Probe = b[o], b[o+1], classify.Shape(b[o+2]), classify.Probe(b[o+3])
	p.Flags = le.Uint16(b[o+4:])
	p.Window = le.Uint16(b[o+6:])
	p.SrcPort = le.Uint16(b[o+8:])
	p.DstPort = le.Uint16(b[o+10:])
	p.IPID = le.Uint32(b[o+12:])
	p.Seq = le.Uint32(b[o+16:])
	p.Length = le.Uint16(b[o+20:])
	p.Port0, p.ICMPType = decode.Port0Pos(b[o+22]), b[o+23]
	q := b[o+24]
	p.DataOffOK, p.DF, p.AckNoACK, p.TCPOpts = q&1 != 0, q&2 != 0, q&4 != 0, q&8 != 0
	p.MSSOnly, p.ZMapOpts, p.UDPSum0 = q&16 != 0, q&32 != 0, q&64 != 0
	p.Encap = decode.Encap(b[o+25])
	p.OuterSrc, p.OuterDst = getAddr(b[97:]), getAddr(b[114:])
}

// check reports what makes b, an encoded record, one that encode cannot
// have written for a result of files inputs: a file index out of range, an
// address family other than none, 4 or 6, or an address not in its
// family's form (none: 16 zero bytes; 4: an IPv4-mapped address), an enum
// out of its range. So decode and encode give b back for every b it
// accepts.
func check(b []byte, files int) error {
	le := binary.LittleEndian
	if f := le.Uint32(b[0:]); uint64(f) >= uint64(files) {
		return fmt.Errorf("file index %d of %d files", f, files)
	}
	for i, o := range addrOffsets {
		name := addrNames[i]
		switch fam := b[o+16]; fam {
		case 0:
			if [16]byte(b[o:o+16]) != [16]byte{} {
				return fmt.Errorf("%s address of family 0 has address bytes", name)
			}
		case 4:
			if !netip.AddrFrom16([16]byte(b[o : o+16])).Is4In6() {
				return fmt.Errorf("%s address of family 4 is not an IPv4 address", name)
			}
		case 6:
		default:
			return fmt.Errorf("%s address family %d", name, fam)
		}
	}
	o := 71
	switch {
	case b[o+2] >= uint8(classify.NumShapes):
		return fmt.Errorf("shape %d", b[o+2])
	case b[o+3] >= uint8(classify.NumProbes):
		return fmt.Errorf("probe %d", b[o+3])
	case b[o+22] > uint8(decode.Port0Both):
		return fmt.Errorf("port-0 position %d", b[o+22])
	case b[o+24]&0x80 != 0:
		return fmt.Errorf("header flags %#02x", b[o+24])
	case b[o+24]&(16|32) != 0 && b[o+24]&8 == 0:
		return fmt.Errorf("an option layout without TCP options (header flags %#02x)", b[o+24])
	case b[o+25] >= uint8(decode.NumEncaps):
		return fmt.Errorf("encapsulation %d", b[o+25])
	}
	return nil
}

// AppendRecord appends p's encoding, RecordLen bytes (the form Records and
// a Result's encoding hold), to b.
func (p *P0Packet) AppendRecord(b []byte) []byte {
	b = append(b, make([]byte, RecordLen)...)
	p.encode(b[len(b)-RecordLen:])
	return b
}

// DecodeRecord decodes a record that AppendRecord wrote, of a result with
// the given number of files; a record it could not have written (a file
// index out of range, an address or an enum out of its form) is an error.
func DecodeRecord(b []byte, files int) (P0Packet, error) {
	var p P0Packet
	if len(b) != RecordLen {
		return p, fmt.Errorf("record of %d bytes, want %d", len(b), RecordLen)
	}
	if err := check(b, files); err != nil {
		return p, err
	}
	p.decode(b)
	return p, nil
}
