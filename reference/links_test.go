package reference

import (
	"encoding/binary"
	"testing"

	"github.com/google/gopacket/layers"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/internal/pkttest"
)

// linkCase is one frame of a link layer beyond Ethernet, SLL, loopback and
// raw IP, with where its IP header starts (0: none).
type linkCase struct {
	name   string
	link   capture.LinkType
	data   []byte
	netOff uint16
	link2  decode.LinkResult
}

// linkCases frames a TCP SYN to port 0 in every new link layer, with
// variants the formats allow, and a few frames that are not IP or are cut.
func linkCases() []linkCase {
	ip := pkttest.Ser(nil, pkttest.IP4(layers.IPProtocolTCP), pkttest.SYN(40000, 0))
	be := func(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
	snap := cat([]byte{0xaa, 0xaa, 0x03, 0, 0, 0}, be(0x0800))
	mac := make([]byte, 6)
	dot11 := func(fc0, fc1 byte, extra int) []byte {
		return cat([]byte{fc0, fc1, 0, 0}, mac, mac, mac, []byte{0, 0}, make([]byte, extra), snap, ip)
	}
	nflogTLV := func(bo binary.AppendByteOrder) []byte {
		b := []byte{2, 0, 0, 1}
		b = bo.AppendUint16(b, uint16(4+len(ip)))
		b = bo.AppendUint16(b, 9)
		return append(b, ip...)
	}
	ok := decode.LinkOK
	return []linkCase{
		{"ppp/ff03", capture.LinkPPP, cat([]byte{0xff, 0x03, 0x00, 0x21}, ip), 4, ok},
		{"ppp/pfc", capture.LinkPPP, cat([]byte{0x21}, ip), 1, ok},
		{"ppp/direction-marker", capture.LinkPPP, cat([]byte{0x00, 0x03, 0x00, 0x21}, ip), 4, ok},
		{"ppp/ethertype", capture.LinkPPP, cat([]byte{0xff, 0x03, 0x08, 0x00}, ip), 4, ok},
		{"ppp/lcp", capture.LinkPPP, []byte{0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4}, 0, decode.LinkNotIP},
		{"ppp-hdlc/ff03", capture.LinkPPPHDLC, cat([]byte{0xff, 0x03, 0x00, 0x21}, ip), 4, ok},
		{"ppp-hdlc/cisco", capture.LinkPPPHDLC, cat([]byte{0x8f, 0x00, 0x08, 0x00}, ip), 4, ok},
		{"ppp-hdlc/cut", capture.LinkPPPHDLC, []byte{0xff, 0x03, 0x00}, 0, decode.LinkTruncated},
		{"chdlc", capture.LinkCHDLC, cat([]byte{0x0f, 0x00, 0x08, 0x00}, ip), 4, ok},
		{"chdlc/slarp", capture.LinkCHDLC, []byte{0x8f, 0x00, 0x80, 0x35, 0, 0, 0, 1}, 0, decode.LinkNotIP},
		{"fddi/snap", capture.LinkFDDI, cat([]byte{0x50}, mac, mac, snap, ip), 21, ok},
		{"fddi/rfc948", capture.LinkFDDI, cat([]byte{0x51}, mac, mac, []byte{0x06, 0x06, 0x03}, ip), 16, ok},
		{"fddi/smt", capture.LinkFDDI, cat([]byte{0x41}, mac, mac, snap, ip), 0, decode.LinkNotIP},
		{"802.11/data", capture.LinkIEEE80211, dot11(0x08, 0x01, 0), 32, ok},
		{"802.11/qos", capture.LinkIEEE80211, dot11(0x88, 0x01, 2), 34, ok},
		{"802.11/wds", capture.LinkIEEE80211, dot11(0x08, 0x03, 6), 38, ok},
		{"802.11/protected", capture.LinkIEEE80211, dot11(0x08, 0x41, 0), 0, decode.LinkNotIP},
		{"802.11/beacon", capture.LinkIEEE80211, dot11(0x80, 0x00, 0), 0, decode.LinkNotIP},
		{"radiotap", capture.LinkRadiotap, cat([]byte{0, 0, 8, 0, 0, 0, 0, 0}, dot11(0x08, 0x02, 0)), 40, ok},
		{"frelay/nlpid", capture.LinkFrameRelay, cat([]byte{0x04, 0x01, 0x03, 0xcc}, ip), 4, ok},
		{"frelay/pad-snap", capture.LinkFrameRelay, cat([]byte{0x04, 0x01, 0x03, 0x00, 0x80, 0, 0, 0, 0x08, 0x00}, ip), 10, ok},
		{"frelay/3-byte-address", capture.LinkFrameRelay, cat([]byte{0x04, 0x00, 0x01, 0x03, 0xcc}, ip), 5, ok},
		{"frelay/cisco", capture.LinkFrameRelay, cat([]byte{0x04, 0x01, 0x08, 0x00}, ip), 4, ok},
		{"arcnet/rfc1201", capture.LinkARCNET, cat([]byte{1, 2, 0, 0, 212, 0, 0, 1}, ip), 8, ok},
		{"arcnet/rfc1051", capture.LinkARCNET, cat([]byte{1, 2, 0, 0, 240}, ip), 5, ok},
		{"ipoib", capture.LinkIPoIB, cat(be(0x0800), []byte{0, 0}, ip), 4, ok},
		{"ipoib/long", capture.LinkIPoIB, cat(make([]byte, 40), be(0x0800), []byte{0, 0}, ip), 44, ok},
		{"ipnet", capture.LinkIPNet, cat([]byte{2, 2}, make([]byte, 22), ip), 24, ok},
		{"nflog/le", capture.LinkNFLog, nflogTLV(binary.LittleEndian), 8, ok},
		{"nflog/be", capture.LinkNFLog, nflogTLV(binary.BigEndian), 8, ok},
		{"mpls/two-labels", capture.LinkEthernet, cat(mac, mac, be(0x8847), be(0x0006), []byte{0x40, 0x40}, be(0x0007), []byte{0x01, 0x40}, ip), 22, ok},
		{"mpls/explicit-null", capture.LinkEthernet, cat(mac, mac, be(0x8847), []byte{0, 0, 0x01, 0x40}, ip), 18, ok},
		{"pppoe", capture.LinkEthernet, cat(mac, mac, be(0x8864), []byte{0x11, 0x00, 0x12, 0x34}, be(uint16(2+len(ip))), be(0x0021), ip), 22, ok},
		{"pppoe/vlan", capture.LinkEthernet, cat(mac, mac, be(0x8100), be(5), be(0x8864), []byte{0x11, 0x00, 0x12, 0x34}, be(uint16(2+len(ip))), be(0x0021), ip), 26, ok},
		{"pppoe/discovery", capture.LinkEthernet, cat(mac, mac, be(0x8864), []byte{0x11, 0x09, 0, 0, 0, 0}), 0, decode.LinkNotIP},
	}
}

// TestLinks decodes every link case with both decoders: the IP header is
// found where the format puts it, the TCP SYN to port 0 is seen, and the
// two decoders agree (after Normalize) on every field.
func TestLinks(t *testing.T) {
	ref := NewRefDecoder()
	for _, c := range linkCases() {
		t.Run(c.name, func(t *testing.T) {
			var fast, slow decode.Record
			fast.Decode(c.link, c.data)
			ref.Decode(c.link, c.data, &slow)
			if fast.Link != c.link2 {
				t.Errorf("link %v, want %v", fast.Link, c.link2)
			}
			if c.link2 == decode.LinkOK && (fast.NetOff != c.netOff || fast.Port0 != decode.Port0Dst) {
				t.Errorf("NetOff %d (want %d), Port0 %v", fast.NetOff, c.netOff, fast.Port0)
			}
			nf, nr := Normalize(fast, slow)
			if nf != nr {
				t.Errorf("fast != ref\n%s", FormatDiffs(DiffRecords(nf, nr)))
			}
		})
	}
}
