package study

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
)

// TestBundleWindow checks that every packet a fingerprinting source sends
// to a target inside one of its bundles' windows (the bundle's span
// widened by the gap) is fingerprint, whatever its shape; the same shape
// to another target, after the window, or from a source that is not
// fingerprinting keeps the class its shape implies.
func TestBundleWindow(t *testing.T) {
	fp, scanner := netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("203.0.113.8")
	target, other := netip.MustParseAddr("198.18.0.5"), netip.MustParseAddr("198.18.0.6")
	sec := int64(time.Second)
	gap := int64(DefaultOptions().BundleGap)
	mk := func(src, dst netip.Addr, ts int64, shape classify.Shape, probe classify.Probe) scan.P0Packet {
		p := scan.P0Packet{TS: ts, Src: src, Dst: dst, Proto: decode.ProtoTCP, TTL: 50, Shape: shape, Probe: probe, Port0: decode.Port0Dst, DataOffOK: true}
		if shape == classify.ShapeUDPTo0 || shape == classify.ShapeUDPFrom0 {
			p.Proto = decode.ProtoUDP
		}
		return p
	}
	recs := []struct {
		p    scan.P0Packet
		want label.Class
	}{
		{mk(fp, target, 100*sec, classify.ShapeSYNTo0, classify.ProbeP1), label.Fingerprint},
		{mk(fp, target, 101*sec, classify.ShapeSYNTo0, classify.ProbeP2), label.Fingerprint},
		{mk(fp, target, 102*sec, classify.ShapeUDPTo0, classify.ProbeP5), label.Fingerprint},
		{mk(fp, target, 103*sec, classify.ShapeUDPFrom0, classify.ProbeP7), label.Fingerprint},
		// Inside the window, no probe shape: the fingerprinting's.
		{mk(fp, target, 100*sec-gap, classify.ShapeOtherTCP, classify.ProbeNone), label.Fingerprint},
		{mk(fp, target, 103*sec+gap, classify.ShapeReplyFrom0, classify.ProbeNone), label.Fingerprint},
		// Outside it, or to a target without a bundle: the shape's class.
		{mk(fp, target, 103*sec+gap+1, classify.ShapeOtherTCP, classify.ProbeNone), label.Other},
		{mk(fp, target, 100*sec-gap-1, classify.ShapeOtherTCP, classify.ProbeNone), label.Other},
		{mk(fp, other, 101*sec, classify.ShapeOtherTCP, classify.ProbeNone), label.Other},
		// A source without bundles sends the same shapes at the same times
		// (to one target, three times: retry, TestRetrySources).
		{mk(scanner, target, 101*sec, classify.ShapeSYNTo0, classify.ProbeP2), label.Retry},
		{mk(scanner, target, 102*sec, classify.ShapeSYNTo0, classify.ProbeP2), label.Retry},
		{mk(scanner, target, 102*sec, classify.ShapeOtherTCP, classify.ProbeNone), label.Other},
	}
	pt := NewPart(DefaultOptions(), 0)
	for i := range recs {
		pt.Add(&recs[i].p)
	}
	pt.Decide()
	if len(pt.Bundles) != 1 {
		t.Fatalf("%d bundles, want 1: %+v", len(pt.Bundles), pt.Bundles)
	}
	for i := range recs {
		if got := pt.Count(&recs[i].p); got != recs[i].want {
			t.Errorf("record %d (%v %v to %v at %v): %v, want %v", i, recs[i].p.Shape, recs[i].p.Probe, recs[i].p.Dst, recs[i].p.TS, got, recs[i].want)
		}
	}
}

// TestRetrySources checks the breadth rule: a source of scanning shapes
// that revisits fewer than ScanMinDsts destinations (RetryRevisits
// packets a destination or more) is retry, and so are its scanning
// packets; one that reaches each destination once, or reaches
// ScanMinDsts or more, is a scanner.
func TestRetrySources(t *testing.T) {
	opts := DefaultOptions()
	sec := int64(time.Second)
	tele := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{198, 18, 1, byte(i)}) }
	for _, c := range []struct {
		name         string
		packets, dst int // packets sent round-robin to dst destinations
		want         label.Class
	}{
		{"one destination, retried", 6, 1, label.Retry},
		{"below the breadth, each twice", 2 * int(opts.ScanMinDsts-1), int(opts.ScanMinDsts - 1), label.Retry},
		{"below the breadth, once each", 3, 3, label.Scan},
		{"a single packet", 1, 1, label.Scan},
		{"at the breadth, revisited", 4 * int(opts.ScanMinDsts), int(opts.ScanMinDsts), label.Scan},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := netip.MustParseAddr("203.0.113.50")
			pt := NewPart(opts, 0)
			recs := make([]scan.P0Packet, c.packets)
			for i := range recs {
				recs[i] = scan.P0Packet{TS: int64(i) * 3 * sec, Src: src, Dst: tele(i % c.dst), Proto: decode.ProtoUDP, TTL: 50,
					Shape: classify.ShapeUDPFrom0, Probe: classify.ProbeP7, Port0: decode.Port0Src, SrcPort: 0, DstPort: 123}
				pt.Add(&recs[i])
			}
			pt.Decide()
			if got := pt.Sources[0].Class; got != c.want {
				t.Errorf("source class %v, want %v", got, c.want)
			}
			for i := range recs {
				if got := pt.Count(&recs[i]); got != c.want {
					t.Errorf("packet %d: %v, want %v", i, got, c.want)
				}
			}
		})
	}
	o := opts
	o.ScanMinDsts = 0
	if err := o.Check(); err == nil || !strings.Contains(err.Error(), "-scan-min-dsts") {
		t.Errorf("-scan-min-dsts 0: %v", err)
	}
}

// TestHpingNeedsWindow512: TTL 64 and IP IDs counting up by one are what
// hping-like crafting shows, and what a Linux client retrying a
// connection shows too (its socket's inet_id counts up, docs/TOOLS.md);
// only hping's window 512 (DEFAULT_SRCWINSIZE) tells them apart.
func TestHpingNeedsWindow512(t *testing.T) {
	for _, c := range []struct {
		name     string
		window   uint16
		want     label.Tool
		evidence string
	}{
		{"hping3", 512, label.Hping, "ipid+1=7/7 ttl64=8/8 win512=8/8"},
		{"linux retrying", 64240, label.ToolUnknown, "no-match ipid=+1 ttl=64 packets=8"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pt := NewPart(DefaultOptions(), 0)
			for i := range 8 {
				p := scan.P0Packet{TS: int64(i) * int64(time.Second), Src: netip.MustParseAddr("203.0.113.60"), Dst: netip.AddrFrom4([4]byte{198, 18, 2, byte(i)}),
					Proto: decode.ProtoTCP, TTL: 50, Shape: classify.ShapeSYNTo0, Probe: classify.ProbeP2, Port0: decode.Port0Dst,
					SrcPort: 40000, Window: c.window, IPID: uint32(1000 + i), DataOffOK: true, Flags: decode.TCPFlagSYN}
				pt.Add(&p)
			}
			pt.Decide()
			s := pt.Sources[0]
			if tool, ev := s.toolEvidence(); s.Tool != c.want || tool != c.want || ev != c.evidence {
				t.Errorf("tool %v (%v), evidence %q; want %v, %q", s.Tool, tool, ev, c.want, c.evidence)
			}
		})
	}
}

// TestNmapSYNScan: window 1024 with one sequence number for every packet
// and a TTL at or below 64 is Nmap's SYN scan (docs/TOOLS.md section 4);
// the same window with a sequence number per target, or TTL 255, is not.
func TestNmapSYNScan(t *testing.T) {
	for _, c := range []struct {
		name     string
		sameSeq  bool
		ttl      uint8
		want     label.Tool
		evidence string
	}{
		{"nmap -sS -p0", true, 40, label.Nmap, "win1024=6/6 seq-repeated=5/5 ttl<=64=6/6"},
		{"a sequence number per target", false, 40, label.ToolUnknown, "no-match ipid=random ttl=64 packets=6"},
		{"TTL 255", true, 240, label.ToolUnknown, "no-match ipid=random ttl=255 packets=6"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pt := NewPart(DefaultOptions(), 0)
			for i := range 6 {
				seq := uint32(0x5eed)
				if !c.sameSeq {
					seq += uint32(i) * 7919
				}
				p := scan.P0Packet{TS: int64(i) * int64(time.Second), Src: netip.MustParseAddr("203.0.113.61"), Dst: netip.AddrFrom4([4]byte{198, 18, 3, byte(i)}),
					Proto: decode.ProtoTCP, TTL: c.ttl - uint8(i), Shape: classify.ShapeSYNTo0, Probe: classify.ProbeP2, Port0: decode.Port0Dst,
					SrcPort: 45000, Window: 1024, Seq: seq, IPID: uint32(i * 4099 % 65536), DataOffOK: true, Flags: decode.TCPFlagSYN}
				pt.Add(&p)
			}
			pt.Decide()
			if tool, ev := pt.Sources[0].toolEvidence(); tool != c.want || ev != c.evidence {
				t.Errorf("tool %v, evidence %q; want %v, %q", tool, ev, c.want, c.evidence)
			}
		})
	}
}

// TestVictimStack checks Event.Stack on each kind of reply a victim sends.
func TestVictimStack(t *testing.T) {
	opts := DefaultOptions()
	opts.EventMinPackets = 1
	synAck := func(ttl uint8, window uint16) scan.P0Packet {
		return scan.P0Packet{Proto: decode.ProtoTCP, TTL: ttl, Shape: classify.ShapeReplyTo0, Flags: decode.TCPFlagSYN | decode.TCPFlagACK,
			Window: window, SrcPort: 80, Port0: decode.Port0Dst, DataOffOK: true}
	}
	rstFrom0 := func(ttl uint8) scan.P0Packet {
		return scan.P0Packet{Proto: decode.ProtoTCP, TTL: ttl, Shape: classify.ShapeReplyFrom0, Flags: decode.TCPFlagRST | decode.TCPFlagACK,
			DstPort: 51000, Port0: decode.Port0Src, DataOffOK: true}
	}
	icmp := func(ttl uint8) scan.P0Packet {
		return scan.P0Packet{Proto: decode.ProtoICMP, TTL: ttl, Shape: classify.ShapeICMPQuote0, ICMPType: 3}
	}
	for _, c := range []struct {
		name  string
		reply scan.P0Packet
		want  string
	}{
		{"linux SYN-ACK", synAck(50, 29200), StackLinux},
		{"bsd SYN-ACK", synAck(55, 65535), StackBSD},
		{"windows SYN-ACK", synAck(115, 8192), StackWindows},
		{"windows RST", rstFrom0(110), StackWindows},
		{"RST, TTL 64", rstFrom0(60), StackLinuxOrBSD},
		{"ICMP port unreachable, TTL 64", icmp(50), StackLinux},
		{"ICMP port unreachable, TTL 255", icmp(240), StackNotBSD},
		{"TTL 255 RST", rstFrom0(240), StackUnknown},
	} {
		t.Run(c.name, func(t *testing.T) {
			pt := NewPart(opts, 0)
			recs := make([]scan.P0Packet, 5)
			for i := range recs {
				recs[i] = c.reply
				recs[i].TS, recs[i].Src, recs[i].Dst = int64(i)*int64(time.Second), netip.MustParseAddr("192.0.2.99"), netip.AddrFrom4([4]byte{198, 18, 4, byte(i)})
				pt.Add(&recs[i])
			}
			pt.Decide()
			for i := range recs {
				pt.Count(&recs[i])
			}
			ev := pt.ev.finish()
			if len(ev) != 1 {
				t.Fatalf("%d events, want 1", len(ev))
			}
			if got := ev[0].Stack(); got != c.want {
				t.Errorf("stack %q, want %q", got, c.want)
			}
		})
	}
}
