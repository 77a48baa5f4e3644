// Package pkttest builds test packets with gopacket's serializer, the
// oracle the decoders' tests check against: fixed lengths and checksums,
// and a few base layers with known field values. It is imported by tests
// only (the analysis stages themselves import gopacket nowhere but in the
// reference decoder).
package pkttest

import (
	"net"
	"net/netip"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// The addresses of the base layers.
var (
	Src4 = netip.MustParseAddr("192.0.2.1")
	Dst4 = netip.MustParseAddr("198.18.0.5")
	Src6 = netip.MustParseAddr("2001:db8::1")
	Dst6 = netip.MustParseAddr("2001:db8::2")
)

// Ser serializes layers with fixed lengths and checksums. t may be nil
// (outside a test), and a serialization error panics then.
func Ser(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	buf := gopacket.NewSerializeBuffer()
	sum := false
	for _, l := range ls {
		var nl gopacket.NetworkLayer
		switch x := l.(type) {
		case *layers.IPv4:
			nl = x
		case *layers.IPv6:
			nl = x
		}
		if nl != nil {
			for _, m := range ls {
				switch y := m.(type) {
				case *layers.TCP:
					_ = y.SetNetworkLayerForChecksum(nl)
				case *layers.UDP:
					_ = y.SetNetworkLayerForChecksum(nl)
				}
			}
			sum = true
			break
		}
	}
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: sum}, ls...); err != nil {
		if t != nil {
			t.Fatal(err)
		}
		panic(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

// Eth is an Ethernet header of EtherType et.
func Eth(et layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: et}
}

// IP4 is an IPv4 header Src4 → Dst4, TTL 64, IP ID 0x1234.
func IP4(proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: 0x1234, Protocol: proto, SrcIP: Src4.AsSlice(), DstIP: Dst4.AsSlice()}
}

// IP6 is an IPv6 header Src6 → Dst6, hop limit 255.
func IP6(next layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 255, NextHeader: next, SrcIP: Src6.AsSlice(), DstIP: Dst6.AsSlice()}
}

// SYN is a TCP SYN, seq 0xdeadbeef, window 1024, options MSS 1460, NOP,
// window scale 7.
func SYN(sport, dport uint16) *layers.TCP {
	return &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: 0xdeadbeef, SYN: true, Window: 1024,
		Options: []layers.TCPOption{
			{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}},
			{OptionType: layers.TCPOptionKindNop},
			{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}},
		}}
}

// TCP is a TCP header, seq 7, with flags given as letters of SARFPU.
func TCP(sport, dport uint16, window uint16, flags string) *layers.TCP {
	t := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: 7, Window: window}
	for _, f := range flags {
		switch f {
		case 'S':
			t.SYN = true
		case 'A':
			t.ACK = true
		case 'R':
			t.RST = true
		case 'F':
			t.FIN = true
		case 'P':
			t.PSH = true
		case 'U':
			t.URG = true
		}
	}
	return t
}

// UDP is a UDP header.
func UDP(sport, dport uint16) *layers.UDP {
	return &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
}
