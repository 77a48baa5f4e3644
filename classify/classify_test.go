package classify

import (
	"net/netip"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/label"
	"github.com/port0/port0/sketch"
)

func tcpL(sport, dport uint16, window uint16, flags string) *layers.TCP {
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

func TestShapeOf(t *testing.T) {
	dht := gopacket.Payload("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe")
	utp := gopacket.Payload(append([]byte{0x41, 0}, make([]byte, 18)...))
	tests := []struct {
		name  string
		frame []byte
		shape Shape
		probe Probe
		class label.Class
	}{
		{"syn to 0 (P2)", reference.ser(t, reference.ip4L(layers.IPProtocolTCP), tcpL(40000, 0, 65535, "S")), ShapeSYNTo0, ProbeP2, label.Scan},
		{"syn 0 to 0 (P1)", reference.ser(t, reference.ip4L(layers.IPProtocolTCP), tcpL(0, 0, 512, "S")), ShapeSYNTo0, ProbeP1, label.Scan},
		{"syn from 0 to 445 (P3/P4)", reference.ser(t, reference.ip4L(layers.IPProtocolTCP), tcpL(0, 445, 512, "S")), ShapeSYNFrom0, ProbeP34, label.Scan},
		{"syn-ack to 0", reference.ser(t, reference.ip4L(layers.IPProtocolTCP), tcpL(80, 0, 29200, "SA")), ShapeReplyTo0, ProbeNone, label.BackscatterTo0},
		{"rst-ack to 0", reference.ser(t, reference.ip4L(layers.IPProtocolTCP), tcpL(443, 0, 0, "RA")), ShapeReplyTo0, ProbeNone, label.BackscatterTo0},
		{"rst-ack from 0", reference.ser(t, reference.ip4L(layers.IPProtocolTCP), tcpL(0, 51000, 0, "RA")), ShapeReplyFrom0, ProbeNone, label.BackscatterFrom0},
		{"udp to 0", reference.ser(t, reference.ip4L(layers.IPProtocolUDP), reference.udpL(33000, 0)), ShapeUDPTo0, ProbeNone, label.Scan},
		{"udp 0 to 0 (P5)", reference.ser(t, reference.ip4L(layers.IPProtocolUDP), reference.udpL(0, 0)), ShapeUDPTo0, ProbeP5, label.Scan},
		{"udp 53 to 0 (P6)", reference.ser(t, reference.ip4L(layers.IPProtocolUDP), reference.udpL(53, 0)), ShapeUDPTo0, ProbeP6, label.Scan},
		{"udp 0 to 123 (P7)", reference.ser(t, reference.ip4L(layers.IPProtocolUDP), reference.udpL(0, 123)), ShapeUDPFrom0, ProbeP7, label.Scan},
		{"dht to 0", reference.ser(t, reference.ip4L(layers.IPProtocolUDP), reference.udpL(6881, 0), dht), ShapeBitTorrent, ProbeNone, label.BitTorrent},
		{"utp to 0", reference.ser(t, reference.ip4L(layers.IPProtocolUDP), reference.udpL(6881, 0), utp), ShapeBitTorrent, ProbeNone, label.BitTorrent},
		{"nmap T2", reference.ser(t, reference.ip4L(layers.IPProtocolTCP), tcpL(40000, 0, 128, "")), ShapeOtherTCP, ProbeT2, label.Other},
		{"nmap T3", reference.ser(t, reference.ip4L(layers.IPProtocolTCP), tcpL(40000, 0, 256, "SFUP")), ShapeOtherTCP, ProbeT3, label.Other},
		{"nmap T5", reference.ser(t, reference.ip4L(layers.IPProtocolTCP), tcpL(40000, 0, 31337, "S")), ShapeSYNTo0, ProbeT5, label.Scan},
		{"nmap T7", reference.ser(t, reference.ip4L(layers.IPProtocolTCP), tcpL(40000, 0, 65535, "FPU")), ShapeOtherTCP, ProbeT7, label.Other},
		{"no port 0", reference.ser(t, reference.ip4L(layers.IPProtocolTCP), tcpL(40000, 80, 1024, "S")), ShapeNone, ProbeNone, label.Unknown},
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
	b := reference.ser(t, reference.ip4L(layers.IPProtocolTCP), tcpL(0, 0, 1, "SA"))
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
	r.Decode(capture.LinkRaw, reference.ser(t, reference.ip4L(layers.IPProtocolICMPv4), &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(0, 0)}))
	if s, d := NaiveFlowPorts(&r); s != 0 || d != 0 {
		t.Errorf("echo reply: %d/%d, want 0/0", s, d)
	}
	r.Decode(capture.LinkRaw, reference.ser(t, reference.ip4L(layers.IPProtocolICMPv4), &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0)}))
	if _, d := NaiveFlowPorts(&r); d != 8<<8 {
		t.Errorf("echo request dport %d, want 2048", d)
	}
}

func TestHLL(t *testing.T) {
	for _, n := range []int{0, 1, 100, 5000, 200000} {
		var h, a, b sketch.HLL
		for i := 0; i < n; i++ {
			x := netip.AddrFrom4([4]byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)})
			h.Add(x)
			if i%2 == 0 {
				a.Add(x)
			} else {
				b.Add(x)
			}
		}
		got := h.Count()
		if err := float64(got-int64(n)) / float64(max(n, 1)); err > 0.1 || err < -0.1 { // 3 standard errors
			t.Errorf("n=%d: count %d (%.1f%% off)", n, got, 100*err)
		}
		a.Merge(&b)
		if a != h {
			t.Errorf("n=%d: merged halves differ from the whole", n)
		}
	}
}
