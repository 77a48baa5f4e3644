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
	// NmapOpts says the options are those of Nmap's OS-detection T2–T7
	// probes: WS 10 (15 on T7), NOP, MSS 265, timestamp, SACK-permitted
	// (osscan2.cc prbOpts, docs/TOOLS.md section 4).
	NmapOpts bool
	UDPSum0  bool
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

// nmapTOpts are the option kinds of Nmap's T2–T7 probes in order: WS,
// NOP, MSS, timestamp, SACK-permitted.
var nmapTOpts = [5]uint8{3, 1, 2, 8, 4}

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
			p.NmapOpts = r.NOpts == 5 && [5]uint8(r.Opts[:5]) == nmapTOpts && r.MSS == 265 && (r.WScale == 10 || r.WScale == 15)
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

// putAddr encodes a into b[:addrLen]: its 16 bytes (IPv4-mapped for
// IPv4, zero for the zero netip.Addr), then its family byte.
func putAddr(b []byte, a netip.Addr) {
	switch {
	case a.Is4():
		b[addrFamily] = 4
	case a.Is6():
		b[addrFamily] = 6
	default:
		b[addrFamily] = 0
	}
	x := a.As16()
	if !a.IsValid() {
		x = [16]byte{}
	}
	copy(b, x[:])
}

// getAddr decodes what putAddr encoded.
func getAddr(b []byte) netip.Addr {
	a := netip.AddrFrom16([16]byte(b[:addrFamily]))
	switch b[addrFamily] {
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

// The encoded record, in the style of gVisor's tcpip/header: one named
// offset and length per field, in the order of the encoding. Each field's
// offset is the one before it plus that one's length, so a field added,
// removed or widened shifts the ones after it, and RecordLen follows.
// Integers are little endian; an address is addrLen bytes (putAddr); the
// one-bit fields share the byte at recBits (the bit* masks).
const (
	addrFamily = 16             // an address's family byte, after its 16 address bytes (IPv4-mapped for IPv4, zero for none): 0, 4 or 6
	addrLen    = addrFamily + 1 // an encoded address

	recFile, recFileLen         = 0, 4                                  // File, uint32
	recIndex, recIndexLen       = recFile + recFileLen, 8               // Index, int64
	recTS, recTSLen             = recIndex + recIndexLen, 8             // TS, int64
	recSrc, recSrcLen           = recTS + recTSLen, addrLen             // Src
	recDst, recDstLen           = recSrc + recSrcLen, addrLen           // Dst
	recInnerSrc, recInnerSrcLen = recDst + recDstLen, addrLen           // InnerSrc
	recProto, recProtoLen       = recInnerSrc + recInnerSrcLen, 1       // Proto
	recTTL, recTTLLen           = recProto + recProtoLen, 1             // TTL
	recShape, recShapeLen       = recTTL + recTTLLen, 1                 // Shape
	recProbe, recProbeLen       = recShape + recShapeLen, 1             // Probe
	recFlags, recFlagsLen       = recProbe + recProbeLen, 2             // Flags, uint16
	recWindow, recWindowLen     = recFlags + recFlagsLen, 2             // Window, uint16
	recSrcPort, recSrcPortLen   = recWindow + recWindowLen, 2           // SrcPort, uint16
	recDstPort, recDstPortLen   = recSrcPort + recSrcPortLen, 2         // DstPort, uint16
	recIPID, recIPIDLen         = recDstPort + recDstPortLen, 4         // IPID, uint32
	recSeq, recSeqLen           = recIPID + recIPIDLen, 4               // Seq, uint32
	recLength, recLengthLen     = recSeq + recSeqLen, 2                 // Length, uint16
	recPort0, recPort0Len       = recLength + recLengthLen, 1           // Port0
	recICMPType, recICMPTypeLen = recPort0 + recPort0Len, 1             // ICMPType
	recBits, recBitsLen         = recICMPType + recICMPTypeLen, 1       // the one-bit fields (bit*)
	recEncap, recEncapLen       = recBits + recBitsLen, 1               // Encap
	recOuterSrc, recOuterSrcLen = recEncap + recEncapLen, addrLen       // OuterSrc
	recOuterDst, recOuterDstLen = recOuterSrc + recOuterSrcLen, addrLen // OuterDst

	// RecordLen is the encoded size of a P0Packet: the end of its last
	// field.
	RecordLen = recOuterDst + recOuterDstLen
)

// The bits of the byte at recBits, one per one-bit field of P0Packet.
const (
	bitDataOffOK = 1 << iota
	bitDF
	bitAckNoACK
	bitTCPOpts
	bitMSSOnly
	bitZMapOpts
	bitUDPSum0
	bitNmapOpts

	bitsUsed = 1<<iota - 1 // every bit a field has
)

// addrOffsets are the offsets of the encoded addresses, and addrNames
// their names in errors.
var (
	addrOffsets = [...]int{recSrc, recDst, recInnerSrc, recOuterSrc, recOuterDst}
	addrNames   = [...]string{"source", "destination", "inner source", "outer source", "outer destination"}
)

// bits packs the one-bit fields of p into the byte at recBits.
func (p *P0Packet) bits() uint8 {
	return bit(p.DataOffOK)*bitDataOffOK | bit(p.DF)*bitDF | bit(p.AckNoACK)*bitAckNoACK | bit(p.TCPOpts)*bitTCPOpts |
		bit(p.MSSOnly)*bitMSSOnly | bit(p.ZMapOpts)*bitZMapOpts | bit(p.UDPSum0)*bitUDPSum0 | bit(p.NmapOpts)*bitNmapOpts
}

// setBits unpacks q, the byte at recBits, into p's one-bit fields.
func (p *P0Packet) setBits(q uint8) {
	p.DataOffOK, p.DF, p.AckNoACK = q&bitDataOffOK != 0, q&bitDF != 0, q&bitAckNoACK != 0
	p.TCPOpts, p.MSSOnly, p.ZMapOpts, p.UDPSum0 = q&bitTCPOpts != 0, q&bitMSSOnly != 0, q&bitZMapOpts != 0, q&bitUDPSum0 != 0
	p.NmapOpts = q&bitNmapOpts != 0
}

func (p *P0Packet) encode(b []byte) {
	le := binary.LittleEndian
	_ = b[RecordLen-1]
	le.PutUint32(b[recFile:], p.File)
	le.PutUint64(b[recIndex:], uint64(p.Index))
	le.PutUint64(b[recTS:], uint64(p.TS))
	putAddr(b[recSrc:], p.Src)
	putAddr(b[recDst:], p.Dst)
	putAddr(b[recInnerSrc:], p.InnerSrc)
	b[recProto], b[recTTL], b[recShape], b[recProbe] = p.Proto, p.TTL, uint8(p.Shape), uint8(p.Probe)
	le.PutUint16(b[recFlags:], p.Flags)
	le.PutUint16(b[recWindow:], p.Window)
	le.PutUint16(b[recSrcPort:], p.SrcPort)
	le.PutUint16(b[recDstPort:], p.DstPort)
	le.PutUint32(b[recIPID:], p.IPID)
	le.PutUint32(b[recSeq:], p.Seq)
	le.PutUint16(b[recLength:], p.Length)
	b[recPort0], b[recICMPType] = uint8(p.Port0), p.ICMPType
	b[recBits] = p.bits()
	b[recEncap] = uint8(p.Encap)
	putAddr(b[recOuterSrc:], p.OuterSrc)
	putAddr(b[recOuterDst:], p.OuterDst)
}

func (p *P0Packet) decode(b []byte) {
	le := binary.LittleEndian
	_ = b[RecordLen-1]
	p.File = le.Uint32(b[recFile:])
	p.Index = int64(le.Uint64(b[recIndex:]))
	p.TS = int64(le.Uint64(b[recTS:]))
	p.Src, p.Dst, p.InnerSrc = getAddr(b[recSrc:]), getAddr(b[recDst:]), getAddr(b[recInnerSrc:])
	p.Proto, p.TTL, p.Shape, p.Probe = b[recProto], b[recTTL], classify.Shape(b[recShape]), classify.Probe(b[recProbe])
	p.Flags = le.Uint16(b[recFlags:])
	p.Window = le.Uint16(b[recWindow:])
	p.SrcPort = le.Uint16(b[recSrcPort:])
	p.DstPort = le.Uint16(b[recDstPort:])
	p.IPID = le.Uint32(b[recIPID:])
	p.Seq = le.Uint32(b[recSeq:])
	p.Length = le.Uint16(b[recLength:])
	p.Port0, p.ICMPType = decode.Port0Pos(b[recPort0]), b[recICMPType]
	p.setBits(b[recBits])
	p.Encap = decode.Encap(b[recEncap])
	p.OuterSrc, p.OuterDst = getAddr(b[recOuterSrc:]), getAddr(b[recOuterDst:])
}

// check reports what makes b, an encoded record, one that encode cannot
// have written for a result of files inputs: a file index out of range, an
// address family other than none, 4 or 6, or an address not in its
// family's form (none: 16 zero bytes; 4: an IPv4-mapped address), an enum
// out of its range. So decode and encode give b back for every b it
// accepts.
func check(b []byte, files int) error {
	le := binary.LittleEndian
	if f := le.Uint32(b[recFile:]); uint64(f) >= uint64(files) {
		return fmt.Errorf("file index %d of %d files", f, files)
	}
	for i, o := range addrOffsets {
		name := addrNames[i]
		switch fam := b[o+addrFamily]; fam {
		case 0:
			if [16]byte(b[o:o+addrFamily]) != [16]byte{} {
				return fmt.Errorf("%s address of family 0 has address bytes", name)
			}
		case 4:
			if !netip.AddrFrom16([16]byte(b[o : o+addrFamily])).Is4In6() {
				return fmt.Errorf("%s address of family 4 is not an IPv4 address", name)
			}
		case 6:
		default:
			return fmt.Errorf("%s address family %d", name, fam)
		}
	}
	switch q := b[recBits]; {
	case b[recShape] >= uint8(classify.NumShapes):
		return fmt.Errorf("shape %d", b[recShape])
	case b[recProbe] >= uint8(classify.NumProbes):
		return fmt.Errorf("probe %d", b[recProbe])
	case b[recPort0] > uint8(decode.Port0Both):
		return fmt.Errorf("port-0 position %d", b[recPort0])
	case q&^bitsUsed != 0:
		return fmt.Errorf("header flags %#02x", q)
	case q&(bitMSSOnly|bitZMapOpts|bitNmapOpts) != 0 && q&bitTCPOpts == 0:
		return fmt.Errorf("an option layout without TCP options (header flags %#02x)", q)
	case b[recEncap] >= uint8(decode.NumEncaps):
		return fmt.Errorf("encapsulation %d", b[recEncap])
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
