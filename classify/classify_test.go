package classify

import (
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/internal/pkttest"
	"github.com/port0/port0/label"
)

func TestShapeOf(t *testing.T) {
	dht := gopacket.Payload("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe")
	utp := gopacket.Payload(append([]byte{0x41, 0}, make([]byte, 18)...))
	// The IP header and first 8 transport bytes an ICMP error quotes.
	quoteSYN := gopacket.Payload(pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.SYN(40000, 0))[:28])
	quoteOther := gopacket.Payload(pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.SYN(40000, 80))[:28])
	tests := []struct {
		name  string
		frame []byte
		shape Shape
		probe Probe
		class label.Class
	}{
		{"syn to 0 (P2)", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(40000, 0, 65535, "S")), ShapeSYNTo0, ProbeP2, label.Scan},
		{"syn 0 to 0 (P1)", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(0, 0, 512, "S")), ShapeSYNTo0, ProbeP1, label.Scan},
		{"syn from 0 to 445 (P3/P4)", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(0, 445, 512, "S")), ShapeSYNFrom0, ProbeP34, label.Scan},
		{"syn-ack to 0", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(80, 0, 29200, "SA")), ShapeReplyTo0, ProbeNone, label.BackscatterTo0},
		{"rst-ack to 0", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(443, 0, 0, "RA")), ShapeReplyTo0, ProbeNone, label.BackscatterTo0},
		{"rst-ack from 0", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(0, 51000, 0, "RA")), ShapeReplyFrom0, ProbeNone, label.BackscatterFrom0},
		{"udp to 0", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(33000, 0)), ShapeUDPTo0, ProbeNone, label.Scan},
		{"udp 0 to 0 (P5)", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(0, 0)), ShapeUDPTo0, ProbeP5, label.Scan},
		{"udp 53 to 0 (P6)", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(53, 0)), ShapeUDPTo0, ProbeP6, label.Scan},
		{"udp 0 to 123 (P7)", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(0, 123)), ShapeUDPFrom0, ProbeP7, label.Scan},
		{"dht to 0", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(6881, 0), dht), ShapeBitTorrent, ProbeNone, label.BitTorrent},
		{"utp to 0", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolUDP), pkttest.UDP(6881, 0), utp), ShapeBitTorrent, ProbeNone, label.BitTorrent},
		{"nmap T2", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(40000, 0, 128, "")), ShapeOtherTCP, ProbeT2, label.Other},
		{"nmap T3", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(40000, 0, 256, "SFUP")), ShapeOtherTCP, ProbeT3, label.Other},
		{"nmap T5", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(40000, 0, 31337, "S")), ShapeSYNTo0, ProbeT5, label.Scan},
		{"nmap T7", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(40000, 0, 65535, "FPU")), ShapeOtherTCP, ProbeT7, label.Other},
		{"no port 0", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(40000, 80, 1024, "S")), ShapeNone, ProbeNone, label.Unknown},
		{"icmp quoting a syn to 0", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolICMPv4), &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 3)}, quoteSYN), ShapeICMPQuote0, ProbeNone, label.BackscatterFrom0},
		{"icmp quoting no port 0", pkttest.Ser(t, pkttest.IP4(layers.IPProtocolICMPv4), &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 3)}, quoteOther), ShapeNone, ProbeNone, label.Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r decode.Record
			r.Decode(capture.LinkRaw, tt.frame)
			payload := tt.frame[min(len(tt.frame), 28):] // IPv4 (20) + UDP (8)
			shape, probe := ShapeOf(&r, payload)
			if shape != tt.shape || probe != tt.probe {
				t.Errorf("ShapeOf = %v, %v; want %v, %v", shape, probe, tt.shape, tt.probe)
			}
			if c := ShapeClass(shape); c != tt.class {
				t.Errorf("ShapeClass = %v, want %v", c, tt.class)
			}
			if r.Port0Related() != (tt.shape != ShapeNone) {
				t.Errorf("Port0Related = %v", r.Port0Related())
			}
		})
	}
}

func TestShapeMalformed(t *testing.T) {
	b := pkttest.Ser(t, pkttest.IP4(layers.IPProtocolTCP), pkttest.TCP(0, 0, 1, "SA"))
	b[20+12] = 2 << 4 // data offset 8 bytes
	var r decode.Record
	r.Decode(capture.LinkRaw, b)
	if s, _ := ShapeOf(&r, nil); s != ShapeMalformed {
		t.Errorf("shape %v, want malformed", s)
	}
}

func TestPacketClass(t *testing.T) {
	if c := PacketClass(ShapeSYNTo0, ProbeP2, label.Fingerprint); c != label.Fingerprint {
		t.Errorf("probe of a fingerprinter: %v", c)
	}
	if c := PacketClass(ShapeSYNTo0, ProbeP2, label.Scan); c != label.Scan {
		t.Errorf("probe-like packet of a scanner: %v", c)
	}
	if c := PacketClass(ShapeReplyTo0, ProbeNone, label.Fingerprint); c != label.BackscatterTo0 {
		t.Errorf("a reply keeps its class: %v", c)
	}
}

func TestInitialTTL(t *testing.T) {
	for _, tt := range []struct{ in, want uint8 }{{1, 32}, {32, 32}, {33, 64}, {64, 64}, {100, 128}, {128, 128}, {129, 255}, {255, 255}} {
		if got := InitialTTL(tt.in); got != tt.want {
			t.Errorf("InitialTTL(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestNaiveFlowPorts(t *testing.T) {
	var r decode.Record
	r.Decode(capture.LinkRaw, pkttest.Ser(t, pkttest.IP4(layers.IPProtocolICMPv4), &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(0, 0)}))
	if s, d := NaiveFlowPorts(&r); s != 0 || d != 0 {
		t.Errorf("echo reply: %d/%d, want 0/0", s, d)
	}
	r.Decode(capture.LinkRaw, pkttest.Ser(t, pkttest.IP4(layers.IPProtocolICMPv4), &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0)}))
	if _, d := NaiveFlowPorts(&r); d != 8<<8 {
		t.Errorf("echo request dport %d, want 2048", d)
	}
}

// TestText checks that Shape, Probe and ProbeSet read back what they
// write, and that unknown names are errors.
func TestText(t *testing.T) {
	for s := range NumShapes {
		b, err := s.MarshalText()
		var got Shape
		if err != nil || got.UnmarshalText(b) != nil || got != s {
			t.Errorf("shape %d: %q reads back as %d", s, b, got)
		}
	}
	for p := range NumProbes {
		b, err := p.MarshalText()
		var got Probe
		if err != nil || got.UnmarshalText(b) != nil || got != p {
			t.Errorf("probe %d: %q reads back as %d", p, b, got)
		}
	}
	var all ProbeSet
	for p := ProbeP1; p < NumProbes; p++ {
		all.Add(p)
	}
	for _, tt := range []struct {
		set  ProbeSet
		text string
	}{
		{0, ""},
		{1 << ProbeP1, "P1"},
		{1<<ProbeP34 | 1<<ProbeT7, "P3/P4 T7"},
		{all, "P1 P2 P3/P4 P5 P6 P7 T2 T3 T4 T5 T6 T7"},
	} {
		if got := tt.set.String(); got != tt.text {
			t.Errorf("ProbeSet(%#x).String() = %q, want %q", uint16(tt.set), got, tt.text)
		}
		if got, err := ParseProbeSet(tt.text); err != nil || got != tt.set {
			t.Errorf("ParseProbeSet(%q) = %#x, %v; want %#x", tt.text, uint16(got), err, uint16(tt.set))
		}
	}
	var s Shape
	var p Probe
	if s.UnmarshalText([]byte("nonsense")) == nil || p.UnmarshalText([]byte("P8")) == nil {
		t.Error("unknown names read without an error")
	}
	if _, err := ParseProbeSet("P1 X"); err == nil {
		t.Error("ParseProbeSet(\"P1 X\") gives no error")
	}
}
