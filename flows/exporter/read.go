package exporter

import (
	"errors"
	"io"
	"net/netip"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/flows"
)

// ReadStats counts the packets of a capture ReadCapture read. Packets =
// NotUDP + Fragments + Datagrams.
type ReadStats struct {
	// Packets is the number of packets read.
	Packets int64
	// NotUDP counts the packets that are no whole UDP datagram over IPv4
	// or IPv6 (another protocol, a malformed or cut header, an IPv6
	// datagram behind extension headers); Fragments the IP fragments,
	// which are not reassembled.
	NotUDP, Fragments int64
	// Datagrams counts the UDP datagrams given to the Decoder; of them,
	// NotExport the ones of no flow-export format, and Failed those of a
	// format that failed to decode (Decode's error; the Decoder's Stats
	// say more).
	Datagrams, NotExport, Failed int64
}

// ReadCapture reads a capture of exporters' datagrams (pcap or pcapng,
// gzip- or zstd-compressed or not: whatever capture.Open reads),
// such as `tcpdump -i lo -w f.pcap udp port 2055` records, and decodes
// each UDP datagram's payload with d as sent by its source address and
// port at the packet's time. Packets that are not UDP, and UDP datagrams
// that are no flow export or fail to decode, are counted and passed over.
// A read error of the capture ends the reading: it is returned with the
// counts of what was read before it, whose records have been given to out.
func ReadCapture(name string, d *Decoder, out func(*flows.Record), samples func(*Sample)) (ReadStats, error) {
	return eachDatagram(name, func(payload []byte, from netip.AddrPort, ts int64, st *ReadStats) {
		if err := d.Decode(payload, from, ts, out, samples); err != nil {
			if errors.Is(err, ErrUnknownFormat) {
				st.NotExport++
			} else {
				st.Failed++
			}
		}
	})
}

// eachDatagram reads a capture and gives fn the payload of each whole UDP
// datagram (fragments and packets that are not UDP counted and passed
// over), its source and its time. The payload is the capture's buffer,
// valid during the call.
func eachDatagram(name string, fn func(payload []byte, from netip.AddrPort, ts int64, st *ReadStats)) (ReadStats, error) {
	var st ReadStats
	c, err := capture.Open(name)
	if err != nil {
		return st, err
	}
	defer c.Close()
	var p capture.Packet
	var r decode.Record
	for {
		if err := c.Next(&p); err != nil {
			if err == io.EOF {
				return st, nil
			}
			return st, err
		}
		st.Packets++
		r.Decode(p.LinkType, p.Data)
		if r.Frag == decode.FragFirst || r.Frag == decode.FragNonFirst {
			st.Fragments++
			continue
		}
		dg := decode.UDPDatagram(p.Data, &r)
		if dg == nil {
			st.NotUDP++
			continue
		}
		st.Datagrams++
		fn(dg[decode.UDPHdrLen:], netip.AddrPortFrom(r.SrcAddr(), r.SrcPort), p.TS, &st)
	}
}
