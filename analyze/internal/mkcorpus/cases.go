package main

import (
	"bytes"
	"compress/gzip"
	"io"
)

func ipv4Options() file {
	w := newPcap(le, false, 65535, 1)
	add := func(c class, h ip4, seg []byte) { w.add(r(c, eth(etIPv4, pkt4(h, seg)))) }
	syn0 := func() []byte { return tcp{sport: 40000, dport: 0, flags: tcpSYN}.bytes(nil) }
	add(clDst0, ip4{src: out4c, dst: tel4a, proto: protoTCP, id: 1, opts: []byte{1, 1, 1, 0}}, syn0())
	rr := []byte{7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0} // record route, room for 2 addresses
	add(clSrc0, ip4{src: out4a, dst: tel4b, proto: protoUDP, id: 2, opts: rr}, udp(0, 53, []byte("q")))
	ts := make([]byte, 40) // timestamp option filling the 40-byte maximum: IHL 15
	ts[0], ts[1], ts[2] = 68, 40, 5
	add(clBoth0, ip4{src: out4a, dst: tel4a, proto: protoUDP, id: 3, opts: ts}, udp(0, 0, nil))
	add(clPorts, ip4{src: out4b, dst: tel4a, proto: protoTCP, id: 4, opts: []byte{148, 4, 0, 0}}, tcp{sport: 1234, dport: 80, flags: tcpSYN}.bytes(nil))
	add(clMalformed, ip4{src: out4c, dst: tel4a, proto: protoTCP, id: 5, ihl: 4}, syn0())
	add(clMalformed, ip4{src: out4c, dst: tel4a, proto: protoTCP, id: 6, ihl: 15, tot: 40}, syn0())
	return w.file("ipv4_options.pcap", "IPv4 options: IHL 6 NOPs (TCP dst 0), IHL 8 record route (UDP src 0), IHL 15 timestamp (UDP both 0), IHL 6 router alert (TCP ports); malformed: IHL 4, and IHL 15 beyond total length 40")
}

func ipv6Ext() file {
	w := newPcap(le, false, 65535, 1)
	add := func(c class, b []byte) { w.add(r(c, eth(etIPv6, b))) }
	hbh := extOpts(protoHopByHop, []byte{5, 2, 0, 0}) // router alert
	dst := extOpts(protoDstOpts, nil)
	rt := extRouting(tel6b)
	syn0 := tcp{sport: 40000, dport: 0, flags: tcpSYN}.bytes(nil)
	add(clDst0, pkt6(ip6{src: out6a, dst: tel6a, exts: []ext{hbh}}, protoTCP, syn0))
	add(clSrc0, pkt6(ip6{src: out6a, dst: tel6a, exts: []ext{rt}}, protoUDP, udp(0, 53, []byte("q"))))
	add(clBoth0, pkt6(ip6{src: out6b, dst: tel6b, exts: []ext{dst}}, protoUDP, udp(0, 0, nil)))
	add(clDst0, pkt6(ip6{src: out6b, dst: tel6a, exts: []ext{extFrag(0, false, 0xa70)}}, protoTCP, tcp{sport: 40001, dport: 0, flags: tcpSYN}.bytes(nil)))
	fr := fragments6(ip6{src: out6a, dst: tel6b, exts: []ext{hbh, dst, rt}}, 0xf00d, protoUDP, udp(5000, 0, bytes.Repeat([]byte{'z'}, 64)), 40)
	add(clDst0, fr[0])
	add(clNonFirst, fr[1])
	add(clNoPorts, ip6{src: out6a, dst: tel6a, exts: []ext{hbh}}.packet(protoNoNext, nil))
	long := extOpts(protoHopByHop, nil)
	long.body[0] = 10 // claims 88 bytes, 28 follow
	add(clMalformed, ip6{src: out6a, dst: tel6a, exts: []ext{long}}.packet(protoTCP, tcp{sport: 1, dport: 0, flags: tcpSYN}.bytes(nil)))
	return w.file("ipv6_exthdr.pcap", "IPv6 extension headers: HBH (TCP dst 0), routing type 0 (UDP src 0), dest opts (UDP both 0), atomic fragment (TCP dst 0), HBH+DO+RH+first fragment (UDP dst 0) and its non-first fragment, HBH then no-next-header, malformed: HBH length beyond the packet")
}

func fileFrags4() file {
	w := newPcap(le, false, 65535, 1)
	add := func(c class, b []byte) { w.add(r(c, eth(etIPv4, b))) }
	a := fragments4(ip4{src: out4a, dst: tel4a, proto: protoUDP, id: 0x1001}, udp(33000, 0, bytes.Repeat([]byte{'a'}, 1000)), 512)
	b := fragments4(ip4{src: out4b, dst: tel4a, proto: protoTCP, id: 0x1002}, tcp{sport: 80, dport: 33000, flags: tcpACK}.bytes(bytes.Repeat([]byte{'b'}, 600)), 200, 400)
	c := fragments4(ip4{src: out4c, dst: tel4b, proto: protoTCP, id: 0x1003}, tcp{sport: 0, dport: 80, flags: tcpSYN}.bytes(bytes.Repeat([]byte{'c'}, 300)), 200)
	d := fragments4(ip4{src: out4a, dst: tel4b, proto: protoUDP, id: 0x1004}, udp(0, 0, bytes.Repeat([]byte{'d'}, 100)), 56)
	add(clDst0, a[0])
	add(clNonFirst, a[1])
	add(clNonFirst, b[1])
	add(clSrc0, c[0])
	add(clNonFirst, d[1])
	add(clBoth0, d[0])
	return w.file("fragments_v4.pcap", "IPv4 fragments: UDP dst 0 first+last; orphan middle TCP fragment; orphan first TCP src 0; UDP both 0 last fragment before its first")
}

func fileFrags6() file {
	w := newPcap(le, false, 65535, 1)
	add := func(c class, b []byte) { w.add(r(c, eth(etIPv6, b))) }
	a := fragments6(ip6{src: out6a, dst: tel6a}, 0x2001, protoUDP, udp(33000, 0, bytes.Repeat([]byte{'a'}, 1000)), 512)
	b := fragments6(ip6{src: out6b, dst: tel6a}, 0x2002, protoTCP, tcp{sport: 80, dport: 33000, flags: tcpACK}.bytes(bytes.Repeat([]byte{'b'}, 600)), 200, 400)
	c := fragments6(ip6{src: out6a, dst: tel6b}, 0x2003, protoTCP, tcp{sport: 0, dport: 80, flags: tcpSYN}.bytes(bytes.Repeat([]byte{'c'}, 300)), 200)
	d := fragments6(ip6{src: out6b, dst: tel6b}, 0x2004, protoUDP, udp(0, 0, bytes.Repeat([]byte{'d'}, 100)), 56)
	add(clDst0, a[0])
	add(clNonFirst, a[1])
	add(clNonFirst, b[1])
	add(clSrc0, c[0])
	add(clNonFirst, d[1])
	add(clBoth0, d[0])
	return w.file("fragments_v6.pcap", "IPv6 fragments, same layout as fragments_v4.pcap")
}

func tinyFrags() file {
	w := newPcap(le, false, 65535, 1)
	t4 := fragments4(ip4{src: out4c, dst: tel4a, proto: protoTCP, id: 0x3001}, tcp{sport: 40000, dport: 0, flags: tcpSYN}.bytes(nil), 8)
	t6 := fragments6(ip6{src: out6a, dst: tel6a}, 0x3002, protoTCP, tcp{sport: 40000, dport: 0, flags: tcpSYN}.bytes(nil), 8)
	t16 := fragments4(ip4{src: out4c, dst: tel4b, proto: protoTCP, id: 0x3003}, tcp{sport: 0, dport: 0, flags: tcpSYN}.bytes(bytes.Repeat([]byte{'t'}, 8)), 16)
	u := fragments4(ip4{src: out4a, dst: tel4a, proto: protoUDP, id: 0x3004}, udp(5000, 0, bytes.Repeat([]byte{'u'}, 16)), 8)
	w.add(
		r(clMalformed, eth(etIPv4, t4[0])),
		r(clNonFirst, eth(etIPv4, t4[1])),
		r(clMalformed, eth(etIPv6, t6[0])),
		r(clNonFirst, eth(etIPv6, t6[1])),
		r(clMalformed, eth(etIPv4, t16[0])),
		r(clDst0, eth(etIPv4, u[0])),
		r(clNonFirst, eth(etIPv4, u[1])),
	)
	return w.file("tiny_fragments.pcap", "tiny first fragments (RFC 1858), meant as malformed: IPv4 and IPv6 with 8 bytes of TCP (dst 0), IPv4 with 16 bytes of TCP (both 0); each followed by its rest (non-first); control: IPv4 first fragment with exactly the 8-byte UDP header (dst 0)")
}

func truncatedSnaplen() file {
	w := newPcap(le, false, 64, 1)
	cut := func(c class, frame []byte, n int) rec {
		return rec{data: frame[:min(n, len(frame))], orig: uint32(len(frame)), class: c}
	}
	mss := []byte{2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7} // MSS, SACK-perm, TS, NOP, WS: 20 bytes
	synOpts := eth(etIPv4, pkt4(ip4{src: out4c, dst: tel4a, proto: protoTCP, id: 9}, tcp{sport: 40000, dport: 0, flags: tcpSYN, opts: mss}.bytes(nil)))
	hbh := extOpts(protoHopByHop, []byte{5, 2, 0, 0})
	w.add(
		cut(clTruncated, synOpts, 14+20+3),
		cut(clTruncated, eth(etIPv4, udp4(out4a, tel4b, 0, 53, []byte("q"))), 14+20+6),
		cut(clTruncated, synOpts, 14+20+14),
		cut(clTruncated, eth(etIPv4, udp4(out4a, tel4b, 0, 53, []byte("q"))), 14+12),
		cut(clTruncated, eth(etIPv6, udp6(out6a, tel6a, 0, 0, nil)), 14+40+2),
		cut(clTruncated, eth(etIPv6, pkt6(ip6{src: out6a, dst: tel6a, exts: []ext{hbh}}, protoTCP, tcp{sport: 1, dport: 0, flags: tcpSYN}.bytes(nil))), 14+40+4),
		cut(clTruncated, eth(etIPv4, udp4(out4a, tel4b, 0, 53, nil)), 10),
		cut(clDst0, eth(etIPv4, udp4(out4a, tel4a, 7, 0, nil)), 64),
		cut(clDst0, synOpts, 64),
	)
	return w.file("truncated_snaplen.pcap", "snaplen 64; caplen cuts: inside TCP src port, UDP after 6 bytes (ports readable, length not), TCP after 14 bytes (ports readable), inside IPv4 header, inside IPv6 UDP ports, inside IPv6 HBH, inside Ethernet header; whole UDP dst 0; TCP dst 0 with fixed 20-byte header complete but options cut (meant as readable)")
}

func brokenFiles() []file {
	var fs []file
	m := mixed()

	w := newPcap(le, false, 65535, 1)
	w.add(m[:3]...)
	tail := le.AppendUint32(nil, uint32(tsUs(3)/1e9))
	tail = le.AppendUint32(tail, 0)
	tail = le.AppendUint32(tail, 74)
	tail = le.AppendUint32(tail, 74)
	tail = append(tail, m[0].data[:30]...)
	fs = append(fs, w.broken("cut_mid_record.pcap", "3 good records, then a record header for 74 bytes with only 30 present", tail))

	w = newPcap(le, false, 65535, 1)
	w.add(m[:2]...)
	fs = append(fs, w.broken("cut_mid_header.pcap", "2 good records, then 7 bytes of a record header", tail[:7]))

	w = newPcap(le, false, 65535, 1)
	fs = append(fs, file{name: "cut_file_header.pcap", data: w.buf[:10], hasErr: true, errIndex: -1, note: "10 bytes of a pcap file header"})
	fs = append(fs, file{name: "empty.pcap", data: []byte{}, hasErr: true, errIndex: -1, note: "zero bytes"})
	fs = append(fs, file{name: "not_a_capture.pcap", data: []byte("this is not a capture file\n"), hasErr: true, errIndex: -1, note: "text with a capture name: bad magic"})
	fs = append(fs, w.file("header_only.pcap", "a valid pcap file header and no records"))

	w = newPcap(le, false, 65535, 1)
	w.add(m[0])
	w.add(rec{data: nil, orig: 60, class: clTruncated})
	w.add(m[1])
	w.add(rec{data: nil, orig: 0, class: clTruncated})
	w.add(m[2])
	fs = append(fs, w.file("zero_length.pcap", "zero-length records (caplen 0 with orig 60, and caplen 0 with orig 0) between normal ones; meant as truncated"))

	w = newPcap(le, false, 65535, 1)
	w.add(m[:2]...)
	tail = le.AppendUint32(nil, uint32(tsUs(2)/1e9))
	tail = le.AppendUint32(tail, 0)
	tail = le.AppendUint32(tail, 0x00fffff0)
	tail = le.AppendUint32(tail, 0x00fffff0)
	tail = append(tail, bytes.Repeat([]byte{0xab}, 20)...)
	fs = append(fs, w.broken("absurd_caplen.pcap", "2 good records, then a record header with caplen 16777200", tail))

	w = newPcap(le, false, 40, 1)
	w.add(m[0], m[2])
	fs = append(fs, w.file("caplen_over_snaplen.pcap", "header snaplen 40 but records of 60 and 67 bytes: accepted"))

	ng := func() *ngw {
		w := &ngw{}
		w.shb(le)
		w.idb(1, 65535, nil)
		return w
	}
	n := ng()
	n.epb(m[0], m[1])
	var tmp ngw
	tmp.bo = le
	tmp.block(6, make([]byte, 20+len(m[2].data)))
	fs = append(fs, n.broken("pcapng_cut.pcapng", "2 EPBs, then the first half of a third", tmp.buf[:len(tmp.buf)/2]))

	n = ng()
	n.epb(m[0])
	bad := le.AppendUint32(nil, 6)
	bad = le.AppendUint32(bad, 30)
	bad = append(bad, make([]byte, 22)...)
	fs = append(fs, n.broken("pcapng_bad_blocklen.pcapng", "1 EPB, then a block whose length 30 is not a multiple of 4", bad))

	n = ng()
	n.epb(m[0])
	bad = le.AppendUint32(nil, 6)
	bad = le.AppendUint32(bad, 48)
	bad = le.AppendUint32(bad, 0)
	bad = le.AppendUint32(bad, 0)
	bad = le.AppendUint32(bad, 0)
	bad = le.AppendUint32(bad, 5000) // caplen beyond the block
	bad = le.AppendUint32(bad, 5000)
	bad = append(bad, make([]byte, 16)...)
	bad = le.AppendUint32(bad, 48)
	fs = append(fs, n.broken("pcapng_bad_caplen.pcapng", "1 EPB, then an EPB whose caplen 5000 overruns its 48-byte block", bad))

	n = ng()
	n.epb(m[0])
	tmp = ngw{bo: le, res: n.res}
	tmp.epb(m[1])
	bad = tmp.buf
	le.PutUint32(bad[len(bad)-4:], 12345)
	fs = append(fs, n.broken("pcapng_bad_trailer.pcapng", "1 EPB, then an EPB whose trailing length 12345 differs from its header", bad))

	n = ng()
	n.epb(m[0])
	tmp = ngw{bo: le, res: append(n.res, n.res[0])}
	tmp.epb(rec{ifid: 1, data: m[1].data, orig: m[1].orig})
	fs = append(fs, n.broken("pcapng_bad_ifid.pcapng", "1 EPB, then an EPB on interface 1 of a section with one interface", tmp.buf))
	return fs
}

func icmpErrors() file {
	w := newPcap(le, false, 65535, 1)
	q4 := func(code byte, inner []byte) rec {
		var src, dst addr4
		copy(dst[:], inner[12:16]) // back to the quoted packet's source
		src = out4b
		b := pkt4(ip4{src: src, dst: dst, proto: protoICMP, id: 77}, icmp(3, code, 0, inner[:28]))
		return rec{data: eth(etIPv4, b), class: clNoPorts}
	}
	q6 := func(code byte, inner []byte) rec {
		var dst addr6
		copy(dst[:], inner[8:24])
		b := pkt6(ip6{src: out6b, dst: dst}, protoICMPv6, icmp(1, code, 0, inner[:48]))
		return rec{data: eth(etIPv6, b), class: clNoPorts}
	}
	rs := []rec{
		q4(3, udp4(tel4a, out4a, 41000, 0, []byte("payload"))),
		q4(1, tcp4(tel4b, out4c, 0, 80, tcpSYN, nil)),
		q4(10, tcp4(tel4a, out4c, 0, 0, tcpSYN, nil)),
		q6(4, udp6(tel6a, out6b, 5000, 0, []byte("payload"))),
		q6(0, tcp6(tel6b, out6a, 0, 443, tcpSYN, nil)),
		q4(3, udp4(tel4a, out4a, 1234, 53, []byte("payload"))),
	}
	for i := range rs {
		rs[i].orig = uint32(len(rs[i].data))
		rs[i].icmp0 = i < 5
	}
	w.add(rs...)
	return w.file("icmp_errors.pcap", "ICMP dest-unreachable (3/3, 3/1, 3/10) and ICMPv6 (1/4, 1/0) quoting a packet with a port 0 (inner IP header + 8 bytes of UDP/TCP): UDP dst 0, TCP src 0, TCP both 0, v6 UDP dst 0, v6 TCP src 0; control: 3/3 quoting UDP 1234->53")
}

// icmp6ExtQuotes are ICMPv6 errors quoting IPv6 packets with extension
// headers, which the decoders walk to the quoted transport header.
func icmp6ExtQuotes() file {
	w := newPcap(le, false, 65535, 1)
	hbh := extOpts(protoHopByHop, []byte{5, 2, 0, 0}) // router alert
	dst := extOpts(protoDstOpts, nil)
	q := func(exts []ext, upper byte, l4 []byte, icmp0 bool) rec {
		inner := pkt6(ip6{src: tel6a, dst: out6b, exts: exts}, upper, l4)
		n := 40 + 8 // the header and 8 transport bytes, after the extension headers
		for _, e := range exts {
			n += 1 + len(e.body)
		}
		n = min(n, len(inner))
		b := pkt6(ip6{src: out6b, dst: tel6a}, protoICMPv6, icmp(1, 4, 0, inner[:n]))
		return rec{data: eth(etIPv6, b), orig: uint32(14 + len(b)), class: clNoPorts, icmp0: icmp0}
	}
	w.add(
		q([]ext{hbh, dst}, protoUDP, udp(5000, 0, []byte("payload")), true),
		q([]ext{extRouting(out6a)}, protoTCP, tcp{sport: 0, dport: 443, flags: tcpSYN}.bytes(nil), true),
		q([]ext{extFrag(0, true, 9)}, protoUDP, udp(0, 0, []byte("first")), true),
		q([]ext{extFrag(4, false, 9)}, protoUDP, udp(0, 0, []byte("later")), false),
		q([]ext{dst}, protoUDP, udp(5000, 53, []byte("control")), false),
	)
	return w.file("icmp6_ext_quotes.pcap", "ICMPv6 1/4 quoting IPv6 with extension headers, walked to the quoted ports: hop-by-hop + destination options then UDP dst 0, routing then TCP src 0, first fragment then UDP both 0; not port 0: a non-first fragment's bytes, and a control quoting UDP 5000->53")
}

func portPositions() file {
	w := newPcap(le, false, 65535, 1)
	pos := []struct {
		sp, dp uint16
		c      class
	}{{0, 33000, clSrc0}, {33000, 0, clDst0}, {0, 0, clBoth0}, {33000, 80, clPorts}}
	for _, p := range pos {
		w.add(r(p.c, eth(etIPv4, tcp4(out4a, tel4a, p.sp, p.dp, tcpSYN, nil))))
		w.add(r(p.c, eth(etIPv4, udp4(out4a, tel4a, p.sp, p.dp, []byte("x")))))
		w.add(r(p.c, eth(etIPv6, tcp6(out6a, tel6a, p.sp, p.dp, tcpSYN, nil))))
		w.add(r(p.c, eth(etIPv6, udp6(out6a, tel6a, p.sp, p.dp, []byte("x")))))
	}
	return w.file("port0_positions.pcap", "port 0 in every position, in groups of 4 (IPv4 TCP, IPv4 UDP, IPv6 TCP, IPv6 UDP): src only, dst only, both, neither")
}

func tcpBadOffset() file {
	w := newPcap(le, false, 65535, 1)
	seg := func(sp, dp uint16, doff byte, opts []byte) []byte {
		s := tcp{sport: sp, dport: dp, flags: tcpSYN, opts: opts}.bytes(nil)
		if doff != 0xff {
			s[12] = doff << 4
		}
		return s
	}
	add := func(c class, s []byte) {
		w.add(r(c, eth(etIPv4, pkt4(ip4{src: out4c, dst: tel4a, proto: protoTCP, id: 42}, s))))
	}
	add(clMalformed, seg(40000, 0, 0, nil))
	add(clMalformed, seg(40000, 0, 2, nil))
	add(clMalformed, seg(0, 80, 4, nil))
	add(clMalformed, seg(40000, 0, 15, nil))
	add(clDst0, seg(40000, 0, 0xff, nil))
	add(clDst0, seg(40000, 0, 0xff, []byte{2, 4, 5, 0xb4}))
	return w.file("tcp_bad_offset.pcap", "TCP data offset 0, 2, 4 (below 5) and 15 (beyond the 20-byte segment): malformed; controls with offset 5 and 6, dst 0")
}

// gzipBroken makes damaged gzip copies of base.
func gzipBroken(base file) []file {
	z := gz(base.data)
	end := int64(len(base.data))
	n := len(base.recs)
	var fs []file
	fs = append(fs, file{name: "gzip_truncated.pcap.gz", data: z[:len(z)-4], recs: base.recs, hasErr: true, errIndex: int64(n), errOffset: end,
		note: "gzip of pcap_us_le.pcap without its last 4 bytes (ISIZE): every record, then an error"})
	bad := append([]byte(nil), z...)
	bad[len(bad)-8] ^= 0xff
	fs = append(fs, file{name: "gzip_corrupt.pcap.gz", data: bad, recs: base.recs, hasErr: true, errIndex: int64(n), errOffset: end,
		note: "gzip of pcap_us_le.pcap with a wrong CRC-32: every record, then a checksum error"})

	cut := z[:len(z)/2]
	zr, err := gzip.NewReader(bytes.NewReader(cut))
	var prefix []byte
	if err == nil {
		prefix, _ = io.ReadAll(zr)
	}
	off, k := int64(24), 0
	for k < n && off+16+int64(len(base.recs[k].data)) <= int64(len(prefix)) {
		off += 16 + int64(len(base.recs[k].data))
		k++
	}
	fs = append(fs, file{name: "gzip_cut_mid.pcap.gz", data: cut, recs: base.recs[:k], hasErr: true, errIndex: int64(k), errOffset: off,
		note: "the first half of the gzip of pcap_us_le.pcap: the records that decompress whole, then an error"})
	fs = append(fs, file{name: "gzip_bad_header.pcap.gz", data: []byte("\x1f\x8b\x00garbage"), hasErr: true, errIndex: -1,
		note: "gzip magic followed by garbage: a header error"})
	return fs
}
