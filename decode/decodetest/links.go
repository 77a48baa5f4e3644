package decodetest

import (
	"encoding/binary"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
)

// LinkCases frame SYNPacket (a TCP SYN to port 0) in every link layer
// beyond Ethernet, SLL, loopback and raw IP, with variants the formats
// allow, and a few frames that are not IP or are cut.
func LinkCases() []Case {
	ip := SYNPacket()
	be := func(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
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
	}
}
