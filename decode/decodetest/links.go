package decodetest

import (
	"bytes"
	"encoding/binary"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
)

// LinkCases frame SYNPacket (a TCP SYN to port 0), or the same SYN over
// IPv6, in every link layer beyond Ethernet, SLL, loopback and raw IP,
// with variants the formats allow, and frames that are not IP or are cut.
func LinkCases() []Case {
	ip, ip6 := SYNPacket(), Ser(IP6(decode.ProtoTCP), SYN(40000, 0))
	be := func(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
	le := func(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
	snap := Cat([]byte{0xaa, 0xaa, 0x03, 0, 0, 0}, be(0x0800))
	mac := make([]byte, 6)
	dot11 := func(fc0, fc1 byte, extra int) []byte {
		return Cat([]byte{fc0, fc1, 0, 0}, mac, mac, mac, []byte{0, 0}, make([]byte, extra), snap, ip)
	}
	nflogTLV := func(bo binary.AppendByteOrder) []byte {
		b := []byte{2, 0, 0, 1}
		b = bo.AppendUint16(b, uint16(4+len(ip)))
		b = bo.AppendUint16(b, 9)
		return append(b, ip...)
	}
	// syn is the SYN's Record behind netOff bytes of link headers.
	syn := func(netOff uint16) decode.Record {
		r := SYNRecord
		r.NetOff = netOff
		return r
	}
	syn6 := func(netOff uint16) decode.Record {
		r := WithSYN(IPv6Record(decode.ProtoTCP, 28), 40000, 0)
		r.NetOff = netOff
		return r
	}
	tagged := func(r decode.Record, vlans, mpls uint8) decode.Record {
		r.VLANs, r.MPLS = vlans, mpls
		return r
	}
	notIP := decode.Record{Link: decode.LinkNotIP}
	cut := decode.Record{Link: decode.LinkTruncated, Reason: decode.ReasonTruncated}
	return []Case{
		{"ppp/ff03", capture.LinkPPP, Cat([]byte{0xff, 0x03, 0x00, 0x21}, ip), syn(4)},
		{"ppp/pfc", capture.LinkPPP, Cat([]byte{0x21}, ip), syn(1)},
		{"ppp/direction-marker", capture.LinkPPP, Cat([]byte{0x00, 0x03, 0x00, 0x21}, ip), syn(4)},
		{"ppp/ethertype", capture.LinkPPP, Cat([]byte{0xff, 0x03, 0x08, 0x00}, ip), syn(4)},
		{"ppp/lcp", capture.LinkPPP, []byte{0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4}, notIP},
		{"ppp-hdlc/ff03", capture.LinkPPPHDLC, Cat([]byte{0xff, 0x03, 0x00, 0x21}, ip), syn(4)},
		{"ppp-hdlc/cisco", capture.LinkPPPHDLC, Cat([]byte{0x8f, 0x00, 0x08, 0x00}, ip), syn(4)},
		{"ppp-hdlc/cut", capture.LinkPPPHDLC, []byte{0xff, 0x03, 0x00}, cut},
		{"chdlc", capture.LinkCHDLC, Cat([]byte{0x0f, 0x00, 0x08, 0x00}, ip), syn(4)},
		{"chdlc/slarp", capture.LinkCHDLC, []byte{0x8f, 0x00, 0x80, 0x35, 0, 0, 0, 1}, notIP},
		{"fddi/snap", capture.LinkFDDI, Cat([]byte{0x50}, mac, mac, snap, ip), syn(21)},
		{"fddi/rfc948", capture.LinkFDDI, Cat([]byte{0x51}, mac, mac, []byte{0x06, 0x06, 0x03}, ip), syn(16)},
		{"fddi/smt", capture.LinkFDDI, Cat([]byte{0x41}, mac, mac, snap, ip), notIP},
		{"802.11/data", capture.LinkIEEE80211, dot11(0x08, 0x01, 0), syn(32)},
		{"802.11/qos", capture.LinkIEEE80211, dot11(0x88, 0x01, 2), syn(34)},
		{"802.11/wds", capture.LinkIEEE80211, dot11(0x08, 0x03, 6), syn(38)},
		{"802.11/protected", capture.LinkIEEE80211, dot11(0x08, 0x41, 0), notIP},
		{"802.11/beacon", capture.LinkIEEE80211, dot11(0x80, 0x00, 0), notIP},
		{"radiotap", capture.LinkRadiotap, Cat([]byte{0, 0, 8, 0, 0, 0, 0, 0}, dot11(0x08, 0x02, 0)), syn(40)},
		{"frelay/nlpid", capture.LinkFrameRelay, Cat([]byte{0x04, 0x01, 0x03, 0xcc}, ip), syn(4)},
		{"frelay/pad-snap", capture.LinkFrameRelay, Cat([]byte{0x04, 0x01, 0x03, 0x00, 0x80, 0, 0, 0, 0x08, 0x00}, ip), syn(10)},
		{"frelay/3-byte-address", capture.LinkFrameRelay, Cat([]byte{0x04, 0x00, 0x01, 0x03, 0xcc}, ip), syn(5)},
		{"frelay/cisco", capture.LinkFrameRelay, Cat([]byte{0x04, 0x01, 0x08, 0x00}, ip), syn(4)},
		{"arcnet/rfc1201", capture.LinkARCNET, Cat([]byte{1, 2, 0, 0, 212, 0, 0, 1}, ip), syn(8)},
		{"arcnet/rfc1051", capture.LinkARCNET, Cat([]byte{1, 2, 0, 0, 240}, ip), syn(5)},
		{"ipoib", capture.LinkIPoIB, Cat(be(0x0800), []byte{0, 0}, ip), syn(4)},
		{"ipoib/long", capture.LinkIPoIB, Cat(make([]byte, 40), be(0x0800), []byte{0, 0}, ip), syn(44)},
		{"ipnet", capture.LinkIPNet, Cat([]byte{2, 2}, make([]byte, 22), ip), syn(24)},
		{"nflog/le", capture.LinkNFLog, nflogTLV(binary.LittleEndian), syn(8)},
		{"nflog/be", capture.LinkNFLog, nflogTLV(binary.BigEndian), syn(8)},
		{"mpls/two-labels", capture.LinkEthernet, Cat(mac, mac, be(0x8847), be(0x0006), []byte{0x40, 0x40}, be(0x0007), []byte{0x01, 0x40}, ip), tagged(syn(22), 0, 2)},
		{"mpls/explicit-null", capture.LinkEthernet, Cat(mac, mac, be(0x8847), []byte{0, 0, 0x01, 0x40}, ip), tagged(syn(18), 0, 1)},
		{"pppoe", capture.LinkEthernet, Cat(mac, mac, be(0x8864), []byte{0x11, 0x00, 0x12, 0x34}, be(uint16(2+len(ip))), be(0x0021), ip), syn(22)},
		{"pppoe/vlan", capture.LinkEthernet, Cat(mac, mac, be(0x8100), be(5), be(0x8864), []byte{0x11, 0x00, 0x12, 0x34}, be(uint16(2+len(ip))), be(0x0021), ip), tagged(syn(26), 1, 0)},
		{"pppoe/discovery", capture.LinkEthernet, Cat(mac, mac, be(0x8864), []byte{0x11, 0x09, 0, 0, 0, 0}), notIP},
		{"pppoe/cut", capture.LinkEthernet, Cat(mac, mac, be(0x8864), []byte{0x11, 0x00}), cut},

		// IPv6 in every link layer that names it, and the link headers
		// that are not IP or are cut.
		{"null-le/ipv6-darwin", capture.LinkNull, Cat([]byte{30, 0, 0, 0}, ip6), syn6(4)},
		{"null/unknown-family", capture.LinkNull, Cat([]byte{7, 0, 0, 0}, ip), notIP},
		{"ppp/ipv6", capture.LinkPPP, Cat([]byte{0xff, 0x03, 0x00, 0x57}, ip6), syn6(4)},
		{"ppp/mpls", capture.LinkPPP, Cat([]byte{0xff, 0x03, 0x02, 0x81}, []byte{0, 0, 0x01, 0x40}, ip), tagged(syn(8), 0, 1)},
		{"ppp/address-without-control", capture.LinkPPP, []byte{0xff}, cut},
		{"ppp/empty", capture.LinkPPP, nil, cut},
		{"mpls/ipv6-explicit-null", capture.LinkEthernet, Cat(mac, mac, be(0x8847), []byte{0, 0, 0x21, 0x40}, ip6), tagged(syn6(18), 0, 1)},
		{"mpls/guess-ipv6", capture.LinkEthernet, Cat(mac, mac, be(0x8847), []byte{0, 0x01, 0x01, 0x40}, ip6), tagged(syn6(18), 0, 1)},
		{"mpls/guess-ipv4", capture.LinkEthernet, Cat(mac, mac, be(0x8847), []byte{0, 0x01, 0x01, 0x40}, ip), tagged(syn(18), 0, 1)},
		{"mpls/control-word-not-ip", capture.LinkEthernet, Cat(mac, mac, be(0x8847), []byte{0, 0x01, 0x01, 0x40}, make([]byte, 4)), tagged(notIP, 0, 1)},
		{"mpls/nothing-after-the-stack", capture.LinkEthernet, Cat(mac, mac, be(0x8847), []byte{0, 0x01, 0x01, 0x40}), tagged(cut, 0, 1)},
		{"mpls/too-many-labels", capture.LinkEthernet, Cat(mac, mac, be(0x8847), bytes.Repeat([]byte{0, 0x01, 0x00, 0x40}, decode.MaxMPLSLabels+1), ip), tagged(notIP, 0, decode.MaxMPLSLabels)},
		{"fddi/llc-not-snap", capture.LinkFDDI, Cat([]byte{0x50}, mac, mac, []byte{0xf0, 0xf0, 0x03}, ip), notIP},
		{"fddi/snap-other-oui", capture.LinkFDDI, Cat([]byte{0x50}, mac, mac, []byte{0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x08, 0x00}, ip), notIP},
		{"fddi/short", capture.LinkFDDI, Cat([]byte{0x50}, mac), cut},
		{"802.11/qos-htc", capture.LinkIEEE80211, dot11(0x88, 0x81, 6), syn(38)},
		{"802.11/control-frame-cut", capture.LinkIEEE80211, make([]byte, 10), cut},
		{"802.11/qos-header-cut", capture.LinkIEEE80211, Cat([]byte{0x88, 0x01, 0, 0}, mac, mac, mac, []byte{0, 0}), cut},
		{"frelay/ipv6", capture.LinkFrameRelay, Cat([]byte{0x04, 0x01, 0x03, 0x8e}, ip6), syn6(4)},
		{"frelay/ppp", capture.LinkFrameRelay, Cat([]byte{0x04, 0x01, 0x03, 0xcf, 0x00, 0x21}, ip), syn(6)},
		{"frelay/4-byte-address", capture.LinkFrameRelay, Cat([]byte{0x04, 0x00, 0x00, 0x01, 0x03, 0xcc}, ip), syn(6)},
		{"frelay/cisco-3-byte-address", capture.LinkFrameRelay, Cat([]byte{0x04, 0x00, 0x01, 0x08, 0x00}, ip), syn(5)},
		{"frelay/cisco-4-byte-address", capture.LinkFrameRelay, Cat([]byte{0x04, 0x00, 0x00, 0x05, 0x08, 0x00}, ip), syn(6)},
		{"frelay/cisco-dlci-0", capture.LinkFrameRelay, Cat([]byte{0x00, 0x01, 0x08, 0x00}, ip), notIP},
		{"frelay/unknown-nlpid", capture.LinkFrameRelay, Cat([]byte{0x04, 0x01, 0x03, 0x81}, ip), notIP},
		{"frelay/address-too-long", capture.LinkFrameRelay, []byte{0x04, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcc}, notIP},
		{"frelay/one-byte-address", capture.LinkFrameRelay, Cat([]byte{0x05, 0x03, 0xcc}, ip), notIP},
		{"frelay/cut-in-address", capture.LinkFrameRelay, []byte{0x04, 0x00}, cut},
		{"frelay/cut-after-pad", capture.LinkFrameRelay, []byte{0x04, 0x01, 0x03, 0x00}, cut},
		{"arcnet/ipv6", capture.LinkARCNET, Cat([]byte{1, 2, 0, 0, 0xc4, 0, 0, 1}, ip6), syn6(8)},
		{"arcnet/arp", capture.LinkARCNET, Cat([]byte{1, 2, 0, 0, 241}, make([]byte, 28)), notIP},
		{"arcnet/cut", capture.LinkARCNET, []byte{1, 2, 0, 0, 212, 0}, cut},
		{"ipnet/ipv6", capture.LinkIPNet, Cat([]byte{2, 26}, make([]byte, 22), ip6), syn6(24)},
		{"ipnet/other-family", capture.LinkIPNet, Cat([]byte{2, 7}, make([]byte, 22), ip), notIP},
		{"nflog/ipv6", capture.LinkNFLog, Cat([]byte{10, 0, 0, 1}, le(uint16(4+len(ip6))), le(9), ip6), syn6(8)},
		{"nflog/tlv-before-payload", capture.LinkNFLog, Cat([]byte{2, 0, 0, 1}, le(6), le(1), []byte{0, 8, 0, 0}, le(uint16(4+len(ip))), le(9), ip), syn(16)},
		{"nflog/version-1", capture.LinkNFLog, Cat([]byte{2, 1, 0, 1}, le(uint16(4+len(ip))), le(9), ip), notIP},
		{"nflog/other-family", capture.LinkNFLog, Cat([]byte{7, 0, 0, 1}, le(uint16(4+len(ip))), le(9), ip), notIP},
		{"nflog/bad-tlv-length", capture.LinkNFLog, Cat([]byte{2, 0, 0, 1}, le(2), le(9), ip), notIP},
		{"nflog/no-payload-tlv", capture.LinkNFLog, Cat([]byte{2, 0, 0, 1}, le(8), le(1), []byte{0, 0, 0, 0}), cut},
		{"nflog/short", capture.LinkNFLog, []byte{2, 0}, cut},
	}
}
