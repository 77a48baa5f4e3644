package main

import (
	"encoding/binary"
	"fmt"
)

// order is a byte order that can also append.
type order interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// class is what a record was crafted to be, as the header decoder should
// see it. Exactly one per record; see testdata/README.md.
type class uint8

const (
	clSrc0        class = iota // TCP/UDP header readable, source port 0 only
	clDst0                     // destination port 0 only
	clBoth0                    // both ports 0
	clPorts                    // TCP/UDP header readable, both ports non-zero
	clNonFirst                 // non-first IP fragment (no L4 header)
	clNoPorts                  // ICMP, ICMPv6, no-next-header: IP without ports
	clTruncated                // capture ends before the L4 header is complete
	clMalformed                // headers inconsistent (reason in the file note)
	clUndecodable              // not IP, or a link type the decoder does not know
	numClasses
)

var classNames = [numClasses]string{"src0", "dst0", "both0", "ports", "nonfirst", "noports", "truncated", "malformed", "undecodable"}

// rec is one record as written and as a reader should return it.
type rec struct {
	data     []byte
	orig     uint32
	ts       int64 // ns; what a reader must report
	class    class
	icmp0    bool // an ICMP error quoting a TCP/UDP packet with a port 0
	tunneled bool // found inside a tunnel: the class is the inner packet's
	noted    bool // decoded with a decode.Note (presumed length, tunnel depth)
	ifid     int  // pcapng interface
}

// r makes a record of class c with orig = len(data).
func r(c class, data []byte) rec { return rec{data: data, orig: uint32(len(data)), class: c} }

// baseSec is 2019-01-01T00:00:00Z; every timestamp is fixed.
const baseSec = 1546300800

// tsUs is the i-th timestamp of a file, a whole number of microseconds.
func tsUs(i int) int64 { return (baseSec+int64(i))*1e9 + int64(i*1111+123)*1000 }

// tsNs is the i-th timestamp with sub-microsecond digits.
func tsNs(i int) int64 { return tsUs(i) + 789 + int64(i) }

// file is one corpus file and what a reader must make of it.
type file struct {
	name      string
	data      []byte
	recs      []rec // the records a reader returns, in order
	hasErr    bool  // the read ends in an error after recs
	errIndex  int64 // -1 = file header error
	errOffset int64
	note      string
}

// pcapw writes a classic pcap file, or the modified (Kuznetzov) pcap of
// patched libpcaps (kuz: magic a1b2cd34, 8 more bytes a record header).
type pcapw struct {
	bo   order
	ns   bool
	kuz  bool
	buf  []byte
	recs []rec
}

// newKuznetzov writes the file header of a modified pcap: libpcap's
// KUZNETZOV_TCPDUMP_MAGIC, microseconds, version 2.4.
func newKuznetzov(bo order, snaplen, network uint32) *pcapw {
	w := newPcap(bo, false, snaplen, network)
	bo.PutUint32(w.buf, 0xa1b2cd34)
	w.kuz = true
	return w
}

// newPcap writes the file header: magic in byte order bo, version 2.4.
func newPcap(bo order, ns bool, snaplen, network uint32) *pcapw {
	w := &pcapw{bo: bo, ns: ns}
	magic := uint32(0xa1b2c3d4)
	if ns {
		magic = 0xa1b23c4d
	}
	w.buf = bo.AppendUint32(w.buf, magic)
	w.buf = bo.AppendUint16(w.buf, 2)
	w.buf = bo.AppendUint16(w.buf, 4)
	w.buf = bo.AppendUint32(w.buf, 0) // thiszone
	w.buf = bo.AppendUint32(w.buf, 0) // sigfigs
	w.buf = bo.AppendUint32(w.buf, snaplen)
	w.buf = bo.AppendUint32(w.buf, network)
	return w
}

// header appends a record header for ts with the given lengths.
func (w *pcapw) header(ts int64, caplen, orig uint32) {
	frac := ts % 1e9
	if !w.ns {
		if frac%1000 != 0 {
			panic(fmt.Sprintf("timestamp %d not whole microseconds", ts))
		}
		frac /= 1000
	}
	w.buf = w.bo.AppendUint32(w.buf, uint32(ts/1e9))
	w.buf = w.bo.AppendUint32(w.buf, uint32(frac))
	w.buf = w.bo.AppendUint32(w.buf, caplen)
	w.buf = w.bo.AppendUint32(w.buf, orig)
	if w.kuz { // struct pcap_sf_patched_pkthdr: index, protocol, pkt_type, pad
		w.buf = w.bo.AppendUint32(w.buf, 2)
		w.buf = w.bo.AppendUint16(w.buf, 0x0008) // ETH_P_IP as the kernel stores it
		w.buf = append(w.buf, 0, 0)              // PACKET_HOST, padding
	}
}

// add appends records, giving each the next fixed timestamp unless it has one.
func (w *pcapw) add(rs ...rec) {
	for _, r := range rs {
		if r.ts == 0 {
			if w.ns {
				r.ts = tsNs(len(w.recs))
			} else {
				r.ts = tsUs(len(w.recs))
			}
		}
		w.header(r.ts, uint32(len(r.data)), r.orig)
		w.buf = append(w.buf, r.data...)
		w.recs = append(w.recs, r)
	}
}

// file wraps up a clean file.
func (w *pcapw) file(name, note string) file {
	return file{name: name, data: w.buf, recs: w.recs, note: note}
}

// broken wraps up a file that ends with raw bytes a reader must reject at
// the offset where they start.
func (w *pcapw) broken(name, note string, tail []byte) file {
	f := file{name: name, recs: w.recs, note: note, hasErr: true, errIndex: int64(len(w.recs)), errOffset: int64(len(w.buf))}
	f.data = append(w.buf, tail...)
	return f
}

// ngw writes a pcapng file, one section at a time.
type ngw struct {
	bo   order
	buf  []byte
	recs []rec
	res  []func(ts int64) uint64 // per interface of the current section: ns → units
}

type opt struct {
	code uint16
	val  []byte
}

// block appends a block with body padded to 4 bytes.
func (w *ngw) block(typ uint32, body []byte) {
	body = pad(body, 4, 0)
	n := uint32(12 + len(body))
	w.buf = w.bo.AppendUint32(w.buf, typ)
	w.buf = w.bo.AppendUint32(w.buf, n)
	w.buf = append(w.buf, body...)
	w.buf = w.bo.AppendUint32(w.buf, n)
}

func (w *ngw) options(b []byte, opts []opt) []byte {
	if len(opts) == 0 {
		return b
	}
	for _, o := range opts {
		b = w.bo.AppendUint16(b, o.code)
		b = w.bo.AppendUint16(b, uint16(len(o.val)))
		b = append(b, pad(o.val, 4, 0)...)
	}
	return append(b, 0, 0, 0, 0) // opt_endofopt
}

// shb starts a section in byte order bo.
func (w *ngw) shb(bo order) {
	w.bo = bo
	w.res = nil
	b := bo.AppendUint32(nil, 0x1a2b3c4d)
	b = bo.AppendUint16(b, 1)
	b = bo.AppendUint16(b, 0)
	b = bo.AppendUint64(b, ^uint64(0)) // section length unknown
	b = w.options(b, []opt{{4, []byte("port0 mkcorpus")}})
	w.block(0x0a0d0d0a, b)
}

// idb describes an interface; toUnits converts ns to its timestamp units
// (nil = microseconds, the default resolution).
func (w *ngw) idb(link uint16, snaplen uint32, toUnits func(int64) uint64, opts ...opt) {
	if toUnits == nil {
		toUnits = func(ts int64) uint64 { return uint64(ts / 1000) }
	}
	w.res = append(w.res, toUnits)
	b := w.bo.AppendUint16(nil, link)
	b = w.bo.AppendUint16(b, 0)
	b = w.bo.AppendUint32(b, snaplen)
	w.block(1, w.options(b, opts))
}

func (w *ngw) stamp(r *rec) uint64 {
	if r.ts == 0 {
		r.ts = tsUs(len(w.recs)) // whole µs: exact at every resolution used here
	}
	return w.res[r.ifid](r.ts)
}

// epb appends enhanced packet blocks.
func (w *ngw) epb(rs ...rec) { w.epbOpts(nil, rs...) }

func (w *ngw) epbOpts(opts []opt, rs ...rec) {
	for _, r := range rs {
		u := w.stamp(&r)
		b := w.bo.AppendUint32(nil, uint32(r.ifid))
		b = w.bo.AppendUint32(b, uint32(u>>32))
		b = w.bo.AppendUint32(b, uint32(u))
		b = w.bo.AppendUint32(b, uint32(len(r.data)))
		b = w.bo.AppendUint32(b, r.orig)
		b = append(b, pad(r.data, 4, 0)...)
		w.block(6, w.options(b, opts))
		w.recs = append(w.recs, r)
	}
}

// opb appends obsolete packet blocks (type 2).
func (w *ngw) opb(rs ...rec) {
	for _, r := range rs {
		u := w.stamp(&r)
		b := w.bo.AppendUint16(nil, uint16(r.ifid))
		b = w.bo.AppendUint16(b, 0) // drops
		b = w.bo.AppendUint32(b, uint32(u>>32))
		b = w.bo.AppendUint32(b, uint32(u))
		b = w.bo.AppendUint32(b, uint32(len(r.data)))
		b = w.bo.AppendUint32(b, r.orig)
		b = append(b, r.data...)
		w.block(2, b)
		w.recs = append(w.recs, r)
	}
}

// spb appends a simple packet block: interface 0, no timestamp.
func (w *ngw) spb(r rec) {
	r.ts, r.ifid = 0, 0
	b := w.bo.AppendUint32(nil, r.orig)
	w.block(3, append(b, r.data...))
	w.recs = append(w.recs, r)
}

func (w *ngw) file(name, note string) file {
	return file{name: name, data: w.buf, recs: w.recs, note: note}
}

func (w *ngw) broken(name, note string, tail []byte) file {
	f := file{name: name, recs: w.recs, note: note, hasErr: true, errIndex: int64(len(w.recs)), errOffset: int64(len(w.buf))}
	f.data = append(w.buf, tail...)
	return f
}
