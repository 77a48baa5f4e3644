package capture

import (
	"encoding/binary"
	"fmt"
	"io"
)

// pcap magic numbers as read big-endian from the first four bytes.
const (
	pcapMagicUs        = 0xa1b2c3d4 // microseconds, big-endian file
	pcapMagicNs        = 0xa1b23c4d // nanoseconds, big-endian file
	pcapMagicUsSwapped = 0xd4c3b2a1 // microseconds, little-endian file
	pcapMagicNsSwapped = 0x4d3cb2a1 // nanoseconds, little-endian file
	// Alexey Kuznetzov's modified pcap (libpcap's KUZNETZOV_TCPDUMP_MAGIC,
	// written by patched libpcaps of Red Hat Linux 6.1 and 6.2 and read by
	// libpcap to this day): microseconds, and each record header followed
	// by 8 more bytes (struct pcap_sf_patched_pkthdr: interface index,
	// protocol, packet type, padding) before the packet.
	pcapMagicKuz        = 0xa1b2cd34
	pcapMagicKuzSwapped = 0x34cdb2a1
)

// The pcap framing: a file header, then records of a header and the
// captured bytes.
const (
	FileHeaderLen = 24 // magic, version, snap length, link type
	RecordLen     = 16 // seconds, fraction, captured length, original length
	// KuznetzovRecordLen is a record header of the modified (Kuznetzov)
	// pcap: RecordLen, then interface index (4), protocol (2), packet type
	// (1) and a pad byte, as sizeof(struct pcap_sf_patched_pkthdr).
	KuznetzovRecordLen = RecordLen + 8
)

// readPcapHeader parses the 24-byte pcap file header. The link-layer field
// is split as libpcap does: link type in the low 16 bits, and, when the F
// bit (0x04000000) is set, the FCS length in 16-bit words in the top 4 bits.
func (c *Capture) readPcapHeader() error {
	m, _ := c.br.Peek(4)
	switch binary.BigEndian.Uint32(m) {
	case pcapMagicUs:
		c.format, c.be, c.tsMul = formatPcap, true, 1000
	case pcapMagicUsSwapped:
		c.format, c.be, c.tsMul = formatPcap, false, 1000
	case pcapMagicNs:
		c.format, c.be, c.tsMul = formatPcapNs, true, 1
	case pcapMagicNsSwapped:
		c.format, c.be, c.tsMul = formatPcapNs, false, 1
	case pcapMagicKuz:
		c.format, c.be, c.tsMul = formatPcapKuz, true, 1000
	case pcapMagicKuzSwapped:
		c.format, c.be, c.tsMul = formatPcapKuz, false, 1000
	default:
		return c.headerError(fmt.Sprintf("not a pcap or pcapng capture (magic % x)", m), nil)
	}
	h, err := c.br.Peek(FileHeaderLen)
	if len(h) < FileHeaderLen {
		return c.headerError(fmt.Sprintf("pcap file header truncated: %d of %d bytes", len(h), FileHeaderLen)+c.ioSuffix(err), ioErr(err))
	}
	if major := c.u16(h[4:]); major != 2 {
		return c.headerError(fmt.Sprintf("unsupported pcap version %d.%d", major, c.u16(h[6:])), nil)
	}
	c.snaplen = c.u32(h[16:])
	network := c.u32(h[20:])
	c.link = LinkType(network & 0xffff)
	if network&0x04000000 != 0 {
		c.fcsLen = int(network>>28) * 2
	}
	c.recLen = RecordLen
	if c.format == formatPcapKuz {
		c.recLen = KuznetzovRecordLen
	}
	c.br.Discard(FileHeaderLen)
	c.off = FileHeaderLen
	return nil
}

// FCSLen returns the number of frame check sequence bytes at the end of
// every record, as declared in a pcap file header (0 when not declared, and
// always 0 for pcapng). Decoders that take lengths from the IP header can
// ignore it.
func (c *Capture) FCSLen() int { return c.fcsLen }

// nextPcap reads one pcap record. A captured length above the snapshot
// length is accepted (some writers do it); one above MaxCaplen is not.
func (c *Capture) nextPcap(p *Packet) error {
	hl := c.recLen
	hdr, err := c.br.Peek(hl)
	if len(hdr) < hl {
		if len(hdr) == 0 && err != nil && ioErr(err) == nil {
			return io.EOF
		}
		return c.truncated(c.off, "record header", hl, len(hdr), err)
	}
	sec, frac, caplen, orig := recordHeader((*[RecordLen]byte)(hdr), c.be)
	if caplen > MaxCaplen {
		return c.fail(c.off, fmt.Sprintf("absurd captured length %d (limit %d)", caplen, MaxCaplen), nil)
	}
	n := hl + int(caplen)
	rec, err := c.br.Peek(n)
	if len(rec) < n {
		return c.truncated(c.off, "record", n, len(rec), err)
	}
	p.Data = rec[hl:n:n]
	p.OrigLen = orig
	p.TS = int64(sec)*1e9 + int64(frac)*c.tsMul
	p.LinkType = c.link
	p.Index = c.index
	p.Offset = c.off
	c.br.Discard(n)
	c.off += int64(n)
	c.index++
	return nil
}
