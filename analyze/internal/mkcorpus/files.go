package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
)

var (
	le = binary.LittleEndian
	be = binary.BigEndian
)

// Addresses: the telescope is 198.18.0.0/15 and 2001:db8:18::/48; the
// outside world uses the documentation ranges.
var (
	tel4a = v4(198, 18, 0, 5)
	tel4b = v4(198, 19, 200, 7)
	out4a = v4(203, 0, 113, 9)
	out4b = v4(192, 0, 2, 1)
	out4c = v4(198, 51, 100, 7)
	tel6a = v6(0x18, 5)
	tel6b = v6(0x18, 0x77)
	out6a = v6(0xbad, 9)
	out6b = v6(0xbee, 1)
)

// ipPkt is an IP packet before link framing.
type ipPkt struct {
	ver   int // 4 or 6
	b     []byte
	class class
	icmp0 bool
}

func tcp4(src, dst addr4, sp, dp uint16, flags byte, payload []byte) []byte {
	return pkt4(ip4{src: src, dst: dst, proto: protoTCP, id: sp ^ dp}, tcp{sport: sp, dport: dp, seq: 0x01020304, flags: flags}.bytes(payload))
}

func udp4(src, dst addr4, sp, dp uint16, payload []byte) []byte {
	return pkt4(ip4{src: src, dst: dst, proto: protoUDP, id: sp ^ dp}, udp(sp, dp, payload))
}

func tcp6(src, dst addr6, sp, dp uint16, flags byte, payload []byte) []byte {
	return pkt6(ip6{src: src, dst: dst}, protoTCP, tcp{sport: sp, dport: dp, seq: 0x01020304, flags: flags}.bytes(payload))
}

func udp6(src, dst addr6, sp, dp uint16, payload []byte) []byte {
	return pkt6(ip6{src: src, dst: dst}, protoUDP, udp(sp, dp, payload))
}

func echo4(src, dst addr4) []byte {
	return pkt4(ip4{src: src, dst: dst, proto: protoICMP, id: 7}, icmp(8, 0, 0x12340001, []byte("port0")))
}

// mixed is the set shared by the four pcap variants and the gzip copies.
func mixed() []rec {
	return []rec{
		r(clDst0, eth(etIPv4, tcp4(out4c, tel4a, 40000, 0, tcpSYN, nil))),
		r(clSrc0, eth(etIPv4, udp4(out4a, tel4b, 0, 53, []byte("q")))),
		r(clPorts, eth(etIPv4, tcp4(out4b, tel4a, 80, 443, tcpACK|tcpPSH, []byte("hello")))),
		r(clNoPorts, eth(etIPv4, echo4(out4b, tel4b))),
		r(clBoth0, eth(etIPv4, udp4(out4c, tel4a, 0, 0, nil))),
		r(clDst0, eth(etIPv6, tcp6(out6a, tel6a, 40001, 0, tcpSYN, nil))),
		r(clPorts, eth(etIPv6, udp6(out6b, tel6b, 5353, 5353, []byte("mdns")))),
		r(clUndecodable, eth(etARP, arp())),
	}
}

// linkSet is the set every per-link-type file carries (IPv4 and IPv6).
func linkSet() []ipPkt {
	return []ipPkt{
		{ver: 4, b: tcp4(out4c, tel4a, 40000, 0, tcpSYN, nil), class: clDst0},
		{ver: 4, b: udp4(out4a, tel4b, 0, 123, []byte("ntp")), class: clSrc0},
		{ver: 6, b: udp6(out6a, tel6a, 0, 0, nil), class: clBoth0},
		{ver: 6, b: tcp6(out6b, tel6b, 443, 51000, tcpSYN|tcpACK, nil), class: clPorts},
	}
}

func only(ver int, ps []ipPkt) []ipPkt {
	var out []ipPkt
	for _, p := range ps {
		if p.ver == ver {
			out = append(out, p)
		}
	}
	return out
}

func etherType(ver int) uint16 {
	if ver == 6 {
		return etIPv6
	}
	return etIPv4
}

// linkFile frames ps with frame and writes a µs little-endian pcap.
func linkFile(name, note string, network uint32, ps []ipPkt, frame func(ipPkt) []byte) file {
	w := newPcap(le, false, 65535, network)
	for _, p := range ps {
		w.add(rec{data: frame(p), orig: uint32(len(frame(p))), class: p.class, icmp0: p.icmp0})
	}
	return w.file(name, note)
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// corpus returns every file, in the order of expected.csv.
func corpus() []file {
	var fs []file

	// The four pcap magics.
	for _, v := range []struct {
		name string
		bo   order
		ns   bool
	}{
		{"pcap_us_le.pcap", le, false},
		{"pcap_us_be.pcap", be, false},
		{"pcap_ns_le.pcap", le, true},
		{"pcap_ns_be.pcap", be, true},
	} {
		w := newPcap(v.bo, v.ns, 65535, 1)
		w.add(mixed()...)
		fs = append(fs, w.file(v.name, "mixed set, Ethernet: v4 TCP SYN dst 0, v4 UDP src 0, v4 TCP ports, v4 ICMP echo, v4 UDP both 0, v6 TCP SYN dst 0, v6 UDP ports, ARP"))
	}
	pcapUsLe := fs[0]

	// The modified (Kuznetzov) pcap, both byte orders, and one cut inside
	// the longer record header.
	for _, v := range []struct {
		name string
		bo   order
	}{{"pcap_kuznetzov_le.pcap", le}, {"pcap_kuznetzov_be.pcap", be}} {
		w := newKuznetzov(v.bo, 65535, 1)
		w.add(mixed()...)
		fs = append(fs, w.file(v.name, "the mixed set in the modified (Kuznetzov) pcap of patched libpcaps: magic a1b2cd34, 24-byte record headers"))
	}
	kw := newKuznetzov(le, 65535, 1)
	kw.add(mixed()[:2]...)
	fs = append(fs, kw.broken("kuznetzov_cut_header.pcap", "modified pcap cut 20 bytes into a 24-byte record header", make([]byte, 20)))

	// pcapng, two interfaces of different link types, both byte orders.
	var pcapngLe file
	for _, v := range []struct {
		name string
		bo   order
	}{{"pcapng_le.pcapng", le}, {"pcapng_be.pcapng", be}} {
		w := &ngw{}
		w.shb(v.bo)
		w.idb(1, 65535, nil, opt{2, []byte("eth0")})
		w.idb(101, 65535, func(ts int64) uint64 { return uint64(ts) }, opt{2, []byte("tun0")}, opt{9, []byte{9}})
		w.epb(r(clDst0, eth(etIPv4, tcp4(out4c, tel4a, 40000, 0, tcpSYN, nil))))
		w.epb(rec{ifid: 1, data: udp6(out6a, tel6a, 0, 7, []byte("x")), orig: 49, class: clSrc0})
		w.block(0x00000bad, []byte("unknown block, skipped by length"))
		w.epb(rec{ifid: 1, data: tcp4(out4a, tel4b, 0, 0, tcpRST, nil), orig: 40, class: clBoth0})
		w.spb(r(clPorts, eth(etIPv4, udp4(out4b, tel4a, 1234, 53, []byte("simple")))))
		w.block(5, append(w.bo.AppendUint32(nil, 0), make([]byte, 8)...)) // interface statistics, skipped
		w.epbOpts([]opt{{1, []byte("a comment")}}, r(clNoPorts, eth(etIPv4, echo4(out4b, tel4b))))
		w.epb(r(clPorts, eth(etIPv4, tcp4(out4b, tel4a, 80, 8080, tcpACK, []byte("data")))))
		f := w.file(v.name, "SHB, IDB0 Ethernet (µs), IDB1 raw IP 101 (if_tsresol=9, ns); EPBs on both, an unknown block 0xbad, an SPB (if 0, no timestamp), an ISB, an EPB with options")
		fs = append(fs, f)
		if v.bo == le {
			pcapngLe = f
		}
	}

	fs = append(fs, tsresolFile())

	// pcapng, several sections with different byte orders.
	{
		w := &ngw{}
		w.shb(le)
		w.idb(1, 65535, nil)
		w.epb(r(clDst0, eth(etIPv4, tcp4(out4c, tel4a, 40000, 0, tcpSYN, nil))))
		w.epb(r(clPorts, eth(etIPv4, udp4(out4a, tel4b, 53, 53, nil))))
		w.shb(be)
		w.idb(101, 65535, func(ts int64) uint64 { return uint64(ts) }, opt{9, []byte{9}})
		w.epb(r(clBoth0, udp6(out6a, tel6a, 0, 0, nil)))
		w.epb(r(clSrc0, tcp4(out4a, tel4a, 0, 22, tcpSYN, nil)))
		w.shb(le)
		w.idb(228, 65535, nil)
		w.epb(r(clDst0, udp4(out4b, tel4b, 1024, 0, nil)))
		fs = append(fs, w.file("pcapng_sections.pcapng", "three sections: LE Ethernet, BE raw IP 101 (ns), LE raw IPv4 228; interface ids restart per section"))
	}

	// Obsolete packet blocks.
	{
		w := &ngw{}
		w.shb(le)
		w.idb(1, 65535, nil)
		w.opb(r(clDst0, eth(etIPv4, tcp4(out4c, tel4a, 40000, 0, tcpSYN, nil))))
		w.opb(r(clSrc0, eth(etIPv4, udp4(out4a, tel4b, 0, 53, []byte("q")))))
		fs = append(fs, w.file("pcapng_obsolete.pcapng", "obsolete Packet Blocks (type 2) on an Ethernet interface"))
	}

	// One file per link type.
	ls := linkSet()
	fs = append(fs,
		linkFile("link_ethernet.pcap", "link type 1 Ethernet; every link_* file holds v4 TCP dst 0, v4 UDP src 0, v6 UDP both 0, v6 TCP ports (228/229: only their version)", 1, ls, func(p ipPkt) []byte { return eth(etherType(p.ver), p.b) }),
		linkFile("link_vlan.pcap", "link type 1, 802.1Q tag (0x8100, VID 100)", 1, ls, func(p ipPkt) []byte {
			return ethTagged(etherType(p.ver), p.b, 0, et1Q, 100)
		}),
		linkFile("link_qinq.pcap", "link type 1, QinQ: 0x88a8 (VID 10) then 0x8100 (VID 200)", 1, ls, func(p ipPkt) []byte {
			return ethTagged(etherType(p.ver), p.b, 0, et1AD, 10, et1Q, 200)
		}),
		linkFile("link_raw101.pcap", "link type 101 raw IP", 101, ls, func(p ipPkt) []byte { return p.b }),
		linkFile("link_raw12.pcap", "link type 12 raw IP (BSD)", 12, ls, func(p ipPkt) []byte { return p.b }),
		linkFile("link_raw14.pcap", "link type 14 raw IP (OpenBSD)", 14, ls, func(p ipPkt) []byte { return p.b }),
		linkFile("link_ipv4_228.pcap", "link type 228 raw IPv4 (IPv4 packets only)", 228, only(4, ls), func(p ipPkt) []byte { return p.b }),
		linkFile("link_ipv6_229.pcap", "link type 229 raw IPv6 (IPv6 packets only)", 229, only(6, ls), func(p ipPkt) []byte { return p.b }),
		linkFile("link_sll.pcap", "link type 113 Linux cooked v1", 113, ls, func(p ipPkt) []byte { return sll(etherType(p.ver), p.b) }),
		linkFile("link_sll2.pcap", "link type 276 Linux cooked v2", 276, ls, func(p ipPkt) []byte { return sll2(etherType(p.ver), p.b) }),
		linkFile("link_ppp9.pcap", "link type 9 PPP with address and control (ff 03), protocol 0x0021/0x0057", 9, ls, pppFrame),
		linkFile("link_ppp9_pfc.pcap", "link type 9 PPP without address and control, protocol compressed to one byte (0x21/0x57)", 9, ls, pppCompressed),
		linkFile("link_ppp_hdlc50.pcap", "link type 50 PPP in HDLC-like framing (ff 03, 2-byte protocol)", 50, ls, pppFrame),
		linkFile("link_ppp_hdlc50_cisco.pcap", "link type 50 with Cisco HDLC framing (0f 00, EtherType)", 50, ls, chdlcFrame),
		linkFile("link_chdlc104.pcap", "link type 104 Cisco HDLC (0f 00, EtherType)", 104, ls, chdlcFrame),
		linkFile("link_fddi10.pcap", "link type 10 FDDI: frame control 0x50, addresses, LLC/SNAP", 10, ls, fddiFrame),
		linkFile("link_80211_105.pcap", "link type 105 IEEE 802.11 data frame (ToDS, 24-byte header), LLC/SNAP", 105, ls, func(p ipPkt) []byte { return dot11Frame(p, false) }),
		linkFile("link_80211_105_qos.pcap", "link type 105 IEEE 802.11 QoS data frame (26-byte header), LLC/SNAP", 105, ls, func(p ipPkt) []byte { return dot11Frame(p, true) }),
		linkFile("link_radiotap127.pcap", "link type 127 radiotap (8 bytes, no fields), 802.11 data frame, LLC/SNAP", 127, ls, radiotapFrame),
		linkFile("link_frelay107.pcap", "link type 107 Frame Relay: 2-byte Q.922 address (DLCI 16), UI 0x03, NLPID 0xcc/0x8e", 107, ls, frFrame),
		linkFile("link_arcnet129.pcap", "link type 129 ARCNET (Linux): 8-byte header, protocol id 212 (IPv4) / 0xc4 (IPv6)", 129, ls, arcnetFrame),
		linkFile("link_ipoib242.pcap", "link type 242 IP over InfiniBand, RFC 4391 4-byte header", 242, ls, ipoibFrame),
		linkFile("link_ipoib242_long.pcap", "link type 242 in the layout of tcpdump's printer: 40 bytes of hardware addresses, then the 4-byte header", 242, ls, ipoibLongFrame),
		linkFile("link_ipnet226.pcap", "link type 226 Solaris ipnet: 24-byte header, family 2 (IPv4) / 26 (IPv6)", 226, ls, ipnetFrame),
		linkFile("link_nflog239.pcap", "link type 239 NFLOG of a little-endian host: 4-byte header, a packet-header TLV, the NFULA_PAYLOAD TLV", 239, ls, nflogFrame),
		linkFile("link_mpls.pcap", "Ethernet, EtherType 0x8847: two MPLS labels (100, 200 bottom of stack) above IP", 1, ls, mplsFrame),
		linkFile("link_pppoe.pcap", "Ethernet, EtherType 0x8864: PPPoE session (code 0), PPP protocol 0x0021/0x0057", 1, ls, pppoeFrame),
	)
	nullSet := []ipPkt{
		{ver: 2, b: tcp4(out4c, tel4a, 40000, 0, tcpSYN, nil), class: clDst0},
		{ver: 24, b: udp6(out6a, tel6a, 0, 0, nil), class: clBoth0},
		{ver: 28, b: udp6(out6a, tel6b, 0, 0, nil), class: clBoth0},
		{ver: 30, b: tcp6(out6b, tel6a, 0, 80, tcpSYN, nil), class: clSrc0},
		{ver: 2, b: udp4(out4a, tel4b, 1, 2, nil), class: clPorts},
	}
	fs = append(fs,
		linkFile("link_null.pcap", "link type 0 BSD loopback, little-endian file, AF in host (LE) order: 2, 24, 28, 30", 0, nullSet, func(p ipPkt) []byte { return afHeader(le, uint32(p.ver), p.b) }),
	)
	{
		w := newPcap(be, false, 65535, 0)
		for _, p := range nullSet {
			w.add(rec{data: afHeader(be, uint32(p.ver), p.b), orig: uint32(4 + len(p.b)), class: p.class})
		}
		fs = append(fs, w.file("link_null_be.pcap", "link type 0, big-endian file, AF in host (BE) order: 2, 24, 28, 30"))
	}
	loopSet := []ipPkt{
		{ver: 2, b: tcp4(out4c, tel4a, 40000, 0, tcpSYN, nil), class: clDst0},
		{ver: 24, b: udp6(out6a, tel6a, 0, 0, nil), class: clBoth0},
	}
	fs = append(fs,
		linkFile("link_loop.pcap", "link type 108 OpenBSD loopback, AF in network order: 2, 24", 108, loopSet, func(p ipPkt) []byte { return afHeader(be, uint32(p.ver), p.b) }),
	)
	{
		w := newPcap(le, false, 65535, 147)
		for _, p := range only(4, ls) {
			w.add(rec{data: p.b, orig: uint32(len(p.b)), class: clUndecodable})
		}
		fs = append(fs, w.file("link_unknown147.pcap", "link type 147 (USER0, unknown to the decoder) holding raw IPv4: undecodable"))
	}
	{
		w := newPcap(le, false, 65535, 0x24000001) // F bit, FCS length 2 words = 4 bytes, Ethernet
		w.add(r(clDst0, withFCS(eth(etIPv4, tcp4(out4c, tel4a, 40000, 0, tcpSYN, nil)))))
		w.add(r(clSrc0, withFCS(eth(etIPv4, udp4(out4a, tel4b, 0, 53, []byte("q"))))))
		fs = append(fs, w.file("link_ethernet_fcs.pcap", "Ethernet, header network field 0x24000001 (F bit, 4-byte FCS), frames end in a CRC-32"))
	}

	// Ethernet padding.
	{
		w := newPcap(le, false, 65535, 1)
		w.add(r(clBoth0, eth(etIPv4, udp4(out4a, tel4a, 0, 0, nil))))
		w.add(r(clDst0, ethTagged(etIPv4, tcp4(out4c, tel4a, 40000, 0, tcpSYN, nil), 0xee)))
		w.add(r(clNoPorts, ethTagged(etIPv4, pkt4(ip4{src: out4b, dst: tel4b, proto: protoICMP, id: 1}, icmp(8, 0, 1, nil)), 0xaa)))
		w.add(r(clSrc0, ethTagged(etIPv4, udp4(out4a, tel4b, 0, 9, []byte("hi")), 0x55)))
		w.add(r(clDst0, ethTagged(etIPv4, tcp4(out4c, tel4a, 40000, 0, tcpSYN, nil), 0xee, et1Q, 5)))
		fs = append(fs, w.file("ethernet_padding.pcap", "Ethernet frames padded to 60 bytes with zeros or junk (0xee/0xaa/0x55), one inside a VLAN tag; lengths must come from IP/UDP"))
	}

	fs = append(fs, ipv4Options(), ipv6Ext(), fileFrags4(), fileFrags6(), tinyFrags(), truncatedSnaplen())
	fs = append(fs, brokenFiles()...)
	fs = append(fs, icmpErrors(), icmp6ExtQuotes(), portPositions(), tcpBadOffset())
	fs = append(fs, tunnelFiles()...)
	fs = append(fs, noteFiles()...)

	// Gzip.
	fs = append(fs,
		file{name: "gzipped.pcap", data: gz(pcapUsLe.data), recs: pcapUsLe.recs, note: "gzip of pcap_us_le.pcap with a misleading name (no .gz)"},
		file{name: "pcapng_le.pcapng.gz", data: gz(pcapngLe.data), recs: pcapngLe.recs, note: "gzip of pcapng_le.pcapng"},
	)
	fs = append(fs, gzipBroken(pcapUsLe)...)
	fs = append(fs, zstdFiles(pcapUsLe, pcapngLe)...)
	return fs
}

// tsresolFile exercises if_tsresol in its three forms and if_tsoffset.
func tsresolFile() file {
	w := &ngw{}
	w.shb(le)
	// if 0: 2^-20 s units.
	w.idb(1, 0, func(ts int64) uint64 { return uint64(ts/1e9)<<20 | uint64(ts%1e9)<<20/1e9 }, opt{9, []byte{0x80 | 20}})
	// if 1: milliseconds with if_tsoffset = baseSec seconds.
	w.idb(1, 0, func(ts int64) uint64 { return uint64((ts - baseSec*1e9) / 1e6) }, opt{9, []byte{3}}, opt{14, le.AppendUint64(nil, baseSec)})
	// if 2: raw IPv4, 10^-10 s units, divided down to ns.
	w.idb(228, 0, func(ts int64) uint64 { return uint64(ts) * 10 }, opt{9, []byte{10}})
	mk := func(ifid int, ts int64, c class, data []byte) rec {
		return rec{ifid: ifid, ts: ts, data: data, orig: uint32(len(data)), class: c}
	}
	w.epb(
		mk(0, baseSec*1e9+500_000_000, clSrc0, eth(etIPv4, udp4(out4a, tel4a, 0, 9, nil))),
		mk(0, (baseSec+1)*1e9+250_000_000, clDst0, eth(etIPv4, udp4(out4a, tel4a, 9, 0, nil))),
		mk(1, (baseSec+2)*1e9+7_000_000, clBoth0, eth(etIPv4, tcp4(out4a, tel4a, 0, 0, tcpSYN, nil))),
		mk(2, (baseSec+3)*1e9+123_456_789, clPorts, tcp4(out4a, tel4a, 1, 2, tcpSYN, nil)),
	)
	return w.file("pcapng_tsresol.pcapng", "if_tsresol 2^-20 (power-of-2 form), 10^-3 with if_tsoffset, 10^-10 on raw IPv4 228; exact ns timestamps")
}
