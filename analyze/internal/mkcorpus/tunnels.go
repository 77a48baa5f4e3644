package main

import "encoding/binary"

// Tunnels and the lengths the decoder presumes (decode/tunnel.go,
// decode.Note): one file per tunnel kind, one for nesting and the depth
// limit, one per note. Every file mixes packets the decoder follows into
// the tunnel (their class is the inner packet's, and they count in the
// tunneled column) with packets it must leave as the outer packet.

// Tunnel endpoints: a provider's router outside and a telescope address.
var (
	ep4a = v4(192, 0, 2, 50)
	ep4b = v4(198, 18, 0, 1)
	ep6a = v6(0xbad, 0x50)
	ep6b = v6(0x18, 1)
)

// IP protocol numbers of tunnels.
const (
	protoIPIP = 4
	protoIPv6 = 41
	protoGRE  = 47
)

// in4 is an outer IPv4 header of protocol proto from ep4a to ep4b.
func in4(proto byte, payload []byte) []byte {
	return ip4{src: ep4a, dst: ep4b, proto: proto, id: 0x7001, ttl: 250}.packet(payload)
}

// in6 is an outer IPv6 header of next header nh from ep6a to ep6b.
func in6(nh byte, payload []byte) []byte {
	return ip6{src: ep6a, dst: ep6b, hop: 250}.packet(nh, payload)
}

// udpIn4 is outer IPv4 and UDP from sp to dp around payload.
func udpIn4(sp, dp uint16, payload []byte) []byte {
	return pkt4(ip4{src: ep4a, dst: ep4b, proto: protoUDP, id: 0x7002, ttl: 250}, udp(sp, dp, payload))
}

// udpIn6 is outer IPv6 and UDP from sp to dp around payload.
func udpIn6(sp, dp uint16, payload []byte) []byte {
	return pkt6(ip6{src: ep6a, dst: ep6b, hop: 250}, protoUDP, udp(sp, dp, payload))
}

// ethHdr is the length of an untagged Ethernet header.
const ethHdr = 14

// innerEth is the Ethernet frame a bridging tunnel carries.
func innerEth(ver int, p []byte) []byte { return eth(etherType(ver), p) }

// The inner packets.
var (
	synDst0  = func() []byte { return tcp4(out4c, tel4a, 40000, 0, tcpSYN, nil) }
	udpSrc0  = func() []byte { return udp4(out4a, tel4b, 0, 123, []byte("ntp")) }
	tcpPorts = func() []byte { return tcp4(out4b, tel4a, 80, 443, tcpACK|tcpPSH, []byte("hello")) }
	udp6Both = func() []byte { return udp6(out6a, tel6a, 0, 0, nil) }
	syn6Dst0 = func() []byte { return tcp6(out6a, tel6b, 40001, 0, tcpSYN, nil) }
	tcp6Port = func() []byte { return tcp6(out6b, tel6b, 443, 51000, tcpSYN|tcpACK, nil) }
)

// tun marks a record as found inside a tunnel.
func tun(c class, data []byte) rec {
	rc := r(c, data)
	rc.tunneled = true
	return rc
}

// noted marks a record as decoded with a decode.Note.
func noted(rc rec) rec {
	rc.noted = true
	return rc
}

// ethFile writes recs as a µs little-endian Ethernet pcap.
func ethFile(name, note string, recs ...rec) file {
	w := newPcap(le, false, 65535, 1)
	w.add(recs...)
	return w.file(name, note)
}

// gtpu is a GTPv1-U G-PDU header (version 1, PT, message type 255,
// TEID 1) with flags' E, S and PN bits, the optional 4 bytes when any is
// set, then ext (extension headers, ending in a next type of 0) and ip.
func gtpu(flags byte, ext, ip []byte) []byte {
	h := []byte{0x30 | flags, 0xff, 0, 0, 0, 0, 0, 1}
	if flags&7 != 0 {
		next := byte(0)
		if len(ext) > 0 {
			next = 0x85 // PDU session container
		}
		h = append(h, 0, 1, 0, next) // sequence number 1, N-PDU 0, next type
	}
	b := cat(h, ext, ip)
	binary.BigEndian.PutUint16(b[2:4], uint16(len(b)-8))
	return b
}

// tunnelFiles are the tunnel cases of the corpus.
func tunnelFiles() []file {
	arp := cat(eth(etARP, nil)[:14], arp())
	mpls := func(p []byte) []byte { return cat(binary.BigEndian.AppendUint32(nil, 300<<12|1<<8|64), p) }
	ethVLAN := func(p []byte) []byte { return ethTagged(etIPv4, p, 0, et1Q, 42) }
	deep := synDst0()
	for range 5 { // one more than decode.MaxTunnels
		deep = in4(protoIPIP, deep)
	}
	firstFrag := ip4{src: ep4a, dst: ep4b, proto: protoGRE, id: 0x7003, mf: true}.packet(cat(be16(0), be16(etIPv4), synDst0()))
	cut6 := in4(protoIPv6, udp6Both())[:20+30] // the inner IPv6 header cut at 30 of 40 bytes
	return []file{
		ethFile("tunnel_ipip.pcap", "IP in IP (protocol 4, RFC 2003/2473): v4 TCP dst 0 in IPv4, v4 UDP src 0 in IPv6, v4 TCP ports in IPv4 (3 tunneled); IPv4 protocol 4 carrying IPv6: not followed (noports)",
			tun(clDst0, eth(etIPv4, in4(protoIPIP, synDst0()))),
			tun(clSrc0, eth(etIPv6, in6(protoIPIP, udpSrc0()))),
			tun(clPorts, eth(etIPv4, in4(protoIPIP, tcpPorts()))),
			r(clNoPorts, eth(etIPv4, in4(protoIPIP, udp6Both()))),
		),
		ethFile("tunnel_6in4.pcap", "IPv6 in IPv4 or IPv6 (protocol 41, RFC 4213/2473): v6 UDP both 0 and v6 TCP dst 0 in IPv4, v6 TCP ports in IPv6 (3 tunneled); an inner IPv6 header cut by the capture: not followed (noports)",
			tun(clBoth0, eth(etIPv4, in4(protoIPv6, udp6Both()))),
			tun(clDst0, eth(etIPv4, in4(protoIPv6, syn6Dst0()))),
			tun(clPorts, eth(etIPv6, in6(protoIPv6, tcp6Port()))),
			r(clNoPorts, eth(etIPv4, cut6)),
		),
		ethFile("tunnel_gre.pcap", "GRE (protocol 47): IPv4; checksum, key and sequence number then IPv6; TEB (an Ethernet frame with a VLAN tag); an MPLS label; PPTP enhanced GRE (version 1) with PPP (5 tunneled: dst0, both0, src0, ports, dst0); TEB carrying ARP and a first fragment of a GRE packet: not followed (noports)",
			tun(clDst0, eth(etIPv4, in4(protoGRE, cat(be16(0), be16(etIPv4), synDst0())))),
			tun(clBoth0, eth(etIPv4, in4(protoGRE, cat(be16(0xb000), be16(etIPv6), make([]byte, 4), be16(0), be16(42), be16(0), be16(1), udp6Both())))),
			tun(clSrc0, eth(etIPv4, in4(protoGRE, cat(be16(0), be16(0x6558), ethVLAN(udpSrc0()))))),
			tun(clPorts, eth(etIPv4, in4(protoGRE, cat(be16(0), be16(0x8847), mpls(tcpPorts()))))),
			tun(clDst0, eth(etIPv4, in4(protoGRE, cat(be16(0x3001), be16(0x880b), be16(0x30), be16(1), be16(0), be16(5), []byte{0xff, 0x03}, be16(0x21), synDst0())))),
			r(clNoPorts, eth(etIPv4, in4(protoGRE, cat(be16(0), be16(0x6558), arp)))),
			r(clNoPorts, eth(etIPv4, firstFrag)),
		),
		ethFile("tunnel_erspan.pcap", "GRE carrying ERSPAN: type I (0x88be, no sequence number), type II (0x88be, 8-byte header), type III (0x22eb, 12 bytes), type III with its 8-byte platform subheader (O flag), each then an Ethernet frame (4 tunneled: dst0, src0, both0, ports)",
			tun(clDst0, eth(etIPv4, in4(protoGRE, cat(be16(0), be16(0x88be), innerEth(4, synDst0()))))),
			tun(clSrc0, eth(etIPv4, in4(protoGRE, cat(be16(0x1000), be16(0x88be), be16(0), be16(1), be16(0x1000), be16(1), make([]byte, 4), innerEth(4, udpSrc0()))))),
			tun(clBoth0, eth(etIPv4, in4(protoGRE, cat(be16(0x1000), be16(0x22eb), be16(0), be16(2), be16(0x2000), be16(1), make([]byte, 8), innerEth(6, udp6Both()))))),
			tun(clPorts, eth(etIPv6, in6(protoGRE, cat(be16(0x1000), be16(0x22eb), be16(0), be16(3), be16(0x2000), be16(1), make([]byte, 7), []byte{1}, make([]byte, 8), innerEth(4, tcpPorts()))))),
		),
		ethFile("tunnel_vxlan.pcap", "VXLAN (UDP port 4789): v4 TCP dst 0 over IPv4, v6 UDP both 0 over IPv6, v4 TCP dst 0 without the I flag (followed, as tcpdump's vxlan_print does) (3 tunneled); not followed: UDP from port 0 to 4789 (src0, direct port 0), VXLAN carrying ARP (ports)",
			tun(clDst0, eth(etIPv4, udpIn4(50000, 4789, cat([]byte{8, 0, 0, 0, 0, 0, 1, 0}, innerEth(4, synDst0()))))),
			tun(clBoth0, eth(etIPv6, udpIn6(50001, 4789, cat([]byte{8, 0, 0, 0, 0, 0, 2, 0}, innerEth(6, udp6Both()))))),
			tun(clDst0, eth(etIPv4, udpIn4(50002, 4789, cat([]byte{0, 0, 0, 0, 0, 0, 1, 0}, innerEth(4, synDst0()))))),
			r(clSrc0, eth(etIPv4, udpIn4(0, 4789, cat([]byte{8, 0, 0, 0, 0, 0, 1, 0}, innerEth(4, tcpPorts()))))),
			r(clPorts, eth(etIPv4, udpIn4(50003, 4789, cat([]byte{8, 0, 0, 0, 0, 0, 1, 0}, arp)))),
		),
		ethFile("tunnel_geneve.pcap", "Geneve (UDP port 6081): an Ethernet frame (0x6558), IPv4 after a 4-byte option, IPv6 (3 tunneled: dst0, src0, both0); version 1: not Geneve (ports)",
			tun(clDst0, eth(etIPv4, udpIn4(50000, 6081, cat([]byte{0, 0}, be16(0x6558), []byte{0, 0, 1, 0}, innerEth(4, synDst0()))))),
			tun(clSrc0, eth(etIPv4, udpIn4(50001, 6081, cat([]byte{1, 0}, be16(etIPv4), []byte{0, 0, 1, 0}, []byte{1, 2, 3, 0}, udpSrc0())))),
			tun(clBoth0, eth(etIPv6, udpIn6(50002, 6081, cat([]byte{0, 0}, be16(etIPv6), []byte{0, 0, 1, 0}, udp6Both())))),
			r(clPorts, eth(etIPv4, udpIn4(50003, 6081, cat([]byte{0x40, 0}, be16(etIPv4), []byte{0, 0, 1, 0}, synDst0())))),
		),
		ethFile("tunnel_gtpu.pcap", "GTP-U (UDP port 2152, G-PDU): IPv4; IPv6 after a sequence number (S); IPv4 after a PDU session container extension header (E) (3 tunneled: dst0, both0, ports); an echo request (message type 1): not followed (ports)",
			tun(clDst0, eth(etIPv4, udpIn4(2152, 2152, gtpu(0, nil, synDst0())))),
			tun(clBoth0, eth(etIPv4, udpIn4(2152, 2152, gtpu(0x02, nil, udp6Both())))),
			tun(clPorts, eth(etIPv6, udpIn6(2152, 2152, gtpu(0x04, []byte{1, 0, 9, 0}, tcpPorts())))),
			r(clPorts, eth(etIPv4, udpIn4(2152, 2152, []byte{0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0}))),
		),
		ethFile("tunnel_nested.pcap", "nested tunnels: GRE in IP in IP in VXLAN (3 tunneled, the kind is the outermost: vxlan); 5 IP-in-IP headers around a TCP SYN to port 0, one more than MaxTunnels: the fifth is not followed (noports, tunneled, note tunnel-depth)",
			tun(clDst0, eth(etIPv4, udpIn4(50000, 4789, cat([]byte{8, 0, 0, 0, 0, 0, 1, 0}, innerEth(4, in4(protoIPIP, in4(protoGRE, cat(be16(0), be16(etIPv4), synDst0())))))))),
			noted(tun(clNoPorts, eth(etIPv4, deep))),
		),
	}
}

// noteFiles are the packets decoded on a presumption (decode.Note).
func noteFiles() []file {
	tso := func(p []byte) []byte {
		p[2], p[3] = 0, 0 // total length 0, as captured before segmentation offload
		return p
	}
	icmpTSO := tso(echo4(out4b, tel4b))
	bigTCP := func(p []byte) []byte {
		p[4], p[5] = 0, 0 // payload length 0, no hop-by-hop header
		return p
	}
	// A jumbogram: payload length 0, a hop-by-hop header with a Jumbo
	// Payload option of 70,008 bytes (the hop-by-hop header and 70,000
	// bytes of UDP), UDP length 0 (RFC 2675); the capture holds its first
	// bytes, the record's original length is the whole.
	jumbo := func(c class, sp, dp uint16) rec {
		u := udp(sp, dp, []byte("jumbo"))
		u[4], u[5] = 0, 0
		hbh := cat([]byte{protoUDP, 0, 0xc2, 4}, binary.BigEndian.AppendUint32(nil, 8+70000))
		p := ip6{src: out6a, dst: tel6a}.packet(protoHopByHop, cat(hbh, u))
		p[4], p[5] = 0, 0
		rc := r(c, eth(etIPv6, p))
		rc.orig = uint32(ethHdr + 40 + 8 + 70000)
		return noted(rc)
	}
	// Payload length 0, a hop-by-hop header holding only a PadN option.
	noOpt := ip6{src: out6a, dst: tel6a}.packet(protoHopByHop, cat([]byte{protoUDP, 0, 1, 4, 0, 0, 0, 0}, udp(0, 53, nil)))
	noOpt[4], noOpt[5] = 0, 0
	return []file{
		ethFile("note_tso.pcap", "IPv4 total length 0 as captured under TCP segmentation offload: TCP SYN dst 0 and UDP src 0 decoded with note presumed-tso; ICMP with total length 0: malformed",
			noted(r(clDst0, eth(etIPv4, tso(synDst0())))),
			noted(r(clSrc0, eth(etIPv4, tso(udpSrc0())))),
			r(clMalformed, eth(etIPv4, icmpTSO)),
		),
		ethFile("note_big_tcp.pcap", "IPv6 payload length 0 with TCP or UDP right after the header (BIG TCP, Linux 5.19+): TCP dst 0 and UDP both 0 decoded with note presumed-big-tcp",
			noted(r(clDst0, eth(etIPv6, bigTCP(syn6Dst0())))),
			noted(r(clBoth0, eth(etIPv6, bigTCP(udp6Both())))),
		),
		ethFile("note_jumbogram.pcap", "IPv6 jumbograms (RFC 2675: payload length 0, hop-by-hop Jumbo Payload option 70,008, UDP length 0), the first 75 of 70,062 bytes captured: UDP src 0 and dst 0 decoded with note jumbogram; payload length 0 with a hop-by-hop header and no Jumbo Payload option: malformed",
			jumbo(clSrc0, 0, 53),
			jumbo(clDst0, 5353, 0),
			r(clMalformed, eth(etIPv6, noOpt)),
		),
	}
}
