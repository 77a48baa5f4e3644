package reference

import (
	"bytes"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/port0/port0/decode/decodetest"
	"github.com/port0/port0/internal/pkttest"
)

// TestBuilder holds decodetest's packet builder, which the case tables are
// written with, to gopacket's serializer: the same layers give the same
// bytes, lengths and checksums included.
func TestBuilder(t *testing.T) {
	d := decodetest.Ser
	g := func(ls ...gopacket.SerializableLayer) []byte { return pkttest.Ser(t, ls...) }
	ipo := pkttest.IP4(layers.IPProtocolUDP)
	ipo.Options = []layers.IPv4Option{{OptionType: 1}, {OptionType: 1}, {OptionType: 1}, {OptionType: 0}}
	dipo := decodetest.IP4(17)
	dipo.Options = []byte{1, 1, 1, 0}
	for _, c := range []struct {
		name      string
		got, want []byte
	}{
		{"ethernet/ipv4/syn", d(decodetest.Eth(0x0800), decodetest.IP4(6), decodetest.SYN(40000, 0)), g(pkttest.Eth(layers.EthernetTypeIPv4), pkttest.IP4(layers.IPProtocolTCP), pkttest.SYN(40000, 0))},
		{"ethernet/ipv4/udp-padded", d(decodetest.Eth(0x0800), decodetest.IP4(17), decodetest.UDP(5000, 0), decodetest.Payload("hi")), g(pkttest.Eth(layers.EthernetTypeIPv4), pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(5000, 0), gopacket.Payload("hi"))},
		{"ipv4/tcp-flags-payload", d(decodetest.IP4(6), decodetest.TCP(443, 51000, 29200, "FSRPAU"), decodetest.Payload("hello")), g(pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(443, 51000, 29200, "FSRPAU"), gopacket.Payload("hello"))},
		{"ipv4-options/udp", d(dipo, decodetest.UDP(0, 53), decodetest.Payload("abcd")), g(ipo, pkttest.UDP(0, 53), gopacket.Payload("abcd"))},
		{"ipv4/icmp", d(&decodetest.IPv4{TTL: 250, ID: 9, Proto: 1, Src: decodetest.Dst4, Dst: decodetest.Src4}, &decodetest.ICMPv4{Type: 3, Code: 3}, decodetest.Payload("quote")),
			g(&layers.IPv4{Version: 4, IHL: 5, TTL: 250, Id: 9, Protocol: layers.IPProtocolICMPv4, SrcIP: pkttest.Dst4.AsSlice(), DstIP: pkttest.Src4.AsSlice()}, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 3)}, gopacket.Payload("quote"))},
		{"ipv4/fragment-payload", d(&decodetest.IPv4{TTL: 64, ID: 0x1234, Proto: 17, Src: decodetest.Src4, Dst: decodetest.Dst4, Flags: 1, FragOffset: 185}, decodetest.Payload("odd")),
			g(&layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: 0x1234, Protocol: layers.IPProtocolUDP, Flags: layers.IPv4MoreFragments, FragOffset: 185, SrcIP: pkttest.Src4.AsSlice(), DstIP: pkttest.Dst4.AsSlice()}, gopacket.Payload("odd"))},
		{"ipv6/syn", d(decodetest.IP6(6), decodetest.SYN(0, 80)), g(pkttest.IP6(layers.IPProtocolTCP), pkttest.SYN(0, 80))},
		{"ipv6/udp-odd", d(decodetest.IP6(17), decodetest.UDP(0, 53), decodetest.Payload("q")), g(pkttest.IP6(layers.IPProtocolUDP), pkttest.UDP(0, 53), gopacket.Payload("q"))},
		{"udp-alone", d(decodetest.UDP(0, 7), decodetest.Payload("pay")), g(pkttest.UDP(0, 7), gopacket.Payload("pay"))},
		{"ethernet-header", decodetest.EthHeader(0x86dd), g(pkttest.Eth(layers.EthernetTypeIPv6))[:14]},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s:\n got %x\nwant %x", c.name, c.got, c.want)
		}
	}
}
