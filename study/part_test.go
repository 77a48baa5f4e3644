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
	for _, bad := range []int64{0, MaxScanMinDsts + 1} {
		o := opts
		o.ScanMinDsts = bad
		if err := o.Check(); err == nil || !strings.Contains(err.Error(), "-scan-min-dsts") {
			t.Errorf("-scan-min-dsts %d: %v", bad, err)
		}
	}
}

// TestNATSharedAddress: a BitTorrent client and a client retrying to
// port 0 behind one NAT address. The source is what most of its packets
// are; the retrying client's packets are retry all the same, not scan.
func TestNATSharedAddress(t *testing.T) {
	sec := int64(time.Second)
	src := netip.MustParseAddr("203.0.113.70")
	var recs []scan.P0Packet
	for i := range 10 { // DHT queries to 10 telescope addresses
		recs = append(recs, scan.P0Packet{TS: int64(i) * sec, Src: src, Dst: netip.AddrFrom4([4]byte{198, 18, 4, byte(i)}),
			Proto: decode.ProtoUDP, TTL: 50, Shape: classify.ShapeBitTorrent, Port0: decode.Port0Dst, SrcPort: 6881})
	}
	for i := range 4 { // SYN retries to one address
		recs = append(recs, scan.P0Packet{TS: int64(20+i) * sec, Src: src, Dst: netip.AddrFrom4([4]byte{198, 18, 5, 1}),
			Proto: decode.ProtoTCP, TTL: 110, Shape: classify.ShapeSYNTo0, Probe: classify.ProbeP2, Port0: decode.Port0Dst, SrcPort: 50000, Flags: decode.TCPFlagSYN, Window: 64240, DF: true})
	}
	pt := NewPart(DefaultOptions(), 0)
	for i := range recs {
		pt.Add(&recs[i])
	}
	pt.Decide()
	if got := pt.Sources[0].Class; got != label.BitTorrent {
		t.Errorf("source class %v, want bittorrent", got)
	}
	// Neither client crafts its packets: no tool, not even on the subset
	// of one of them (TestToolRules' "masscan behind a NAT" has a tool's).
	if got := pt.Sources[0].Tool; got != label.ToolUnknown {
		t.Errorf("source tool %v (%s), want unknown", got, pt.Sources[0].toolEv)
	}
	for i := range recs {
		want := label.BitTorrent
		if i >= 10 {
			want = label.Retry
		}
		if got := pt.Count(&recs[i]); got != want {
			t.Errorf("packet %d: %v, want %v", i, got, want)
		}
	}
}

// TestToolRules runs each tool rule of toolEvidence (docs/TOOLS.md
// section 9) on the packets the tool sends, with its defaults and with
// the options people change, and on the OS stacks and tools that share
// part of its fingerprint: each names its tool or stays unknown, with
// the evidence that decided.
func TestToolRules(t *testing.T) {
	type pkt struct {
		udp                      bool
		ttl                      uint8
		window                   uint16
		sport                    uint16
		seq, ipid                uint32
		df, ackQuirk, mss, noSYN bool
		opts, zmapOpts, noSum    bool
		length                   uint16
		sameDst                  bool // to one address (the study calls a source of such packets retry)
	}
	// each gives packet i of n.
	type each func(i int, dst uint32) pkt
	masscan := func(ttl uint8) each {
		return func(i int, dst uint32) pkt {
			seq := uint32(i) * 2654435761
			return pkt{ttl: ttl, window: 1024, sport: 41000, seq: seq, ipid: (dst ^ seq) & 0xffff}
		}
	}
	zmap := func(ttl uint8, window uint16) each {
		return func(i int, _ uint32) pkt {
			return pkt{ttl: ttl, window: window, sport: uint16(33000 + 77*i), ipid: 54321, seq: uint32(i) * 7919}
		}
	}
	nmap := func(ttl uint8, mss, sameSeq bool) each {
		return func(i int, _ uint32) pkt {
			seq := uint32(0x5eed)
			if !sameSeq {
				seq += uint32(i) * 7919
			}
			return pkt{ttl: ttl - uint8(i), window: 1024, sport: 45000, seq: seq, ipid: uint32(i * 4099 % 65536), mss: mss}
		}
	}
	hping := func(window uint16, ackQuirk bool, ipid func(int) uint32) each {
		return func(i int, _ uint32) pkt {
			return pkt{ttl: 50, window: window, sport: uint16(2000 + i), seq: uint32(i) * 104729, ipid: ipid(i), ackQuirk: ackQuirk}
		}
	}
	random := func(i int) uint32 { return uint32(i*40503+17) & 0xffff }
	plusOne := func(i int) uint32 { return uint32(1000 + i) }
	for _, c := range []struct {
		name     string
		n        int
		each     each
		want     label.Tool
		evidence string
	}{
		{"zmap", 5, zmap(240, 65535), label.ZMap, "ipid54321=5/5 win65535=5/5"},
		{"zmap --probe-ttl 64", 5, zmap(50, 65535), label.ZMap, "ipid54321=5/5 win65535=5/5"},
		{"IP ID 54321 without ZMap's window", 5, zmap(50, 8192), label.ToolUnknown, "no-match ipid=54321 ttl=64 packets=5"},
		{"masscan", 5, masscan(240), label.Masscan, "ipid-masscan=5/5 no-df=5/5"},
		{"masscan --ttl 64, one packet", 1, masscan(50), label.Masscan, "ipid-masscan=1/1 no-df=1/1"},
		{"nmap -sS -p0", 6, nmap(40, true, true), label.Nmap, "syn-win1024-mss=6/6 seq-repeated=5/5 ttl<=64=6/6"},
		{"nmap -sS -p0, one packet", 1, nmap(40, true, true), label.Nmap, "syn-win1024-mss=1/1 ttl<=64=1/1"},
		{"window 1024 without MSS", 6, nmap(40, false, true), label.ToolUnknown, "no-match ipid=random ttl=64 packets=6"},
		{"a sequence number per target", 6, nmap(40, true, false), label.ToolUnknown, "no-match ipid=random ttl=64 packets=6"},
		{"TTL 255", 6, nmap(240, true, true), label.ToolUnknown, "no-match ipid=random ttl=255 packets=6"},
		{"hping3 -S", 8, hping(512, true, random), label.Hping, "win512-ack-noopts=8/8 ttl64=8/8"},
		{"hping3 -S --safe (IP ID +1)", 8, hping(512, true, plusOne), label.Hping, "win512-ack-noopts=8/8 ttl64=8/8"},
		{"hping3 -S, one packet", 1, hping(512, true, random), label.Hping, "win512-ack-noopts=1/1 ttl64=1/1"},
		{"window 512 with ack 0", 8, hping(512, false, plusOne), label.ToolUnknown, "no-match ipid=+1 ttl=64 packets=8"},
		{"hping3 -w 1000", 8, hping(1000, true, random), label.Hping, "ack-noopts=8/8 ttl64=8/8"},
		{"window 1000 with ack 0", 8, hping(1000, false, random), label.ToolUnknown, "no-match ipid=random ttl=64 packets=8"},
		{"hping3 -S -w 1024 to one host (retry)", 6, func(i int, _ uint32) pkt {
			return pkt{ttl: 64, window: 1024, sport: uint16(2997 + i), seq: uint32(i) * 104729, ipid: random(i), ackQuirk: true, sameDst: true}
		}, label.Hping, "ack-noopts=6/6 ttl64=6/6"},
		{"nmap -sS, default retries (P+2, seq ^ 0x20002)", 8, func(i int, _ uint32) pkt {
			q := pkt{ttl: uint8(37 + i*5%23), window: 1024, sport: 43102, seq: 0xf0975f66, ipid: random(i), mss: true}
			if i >= 4 {
				q.sport, q.seq = 43104, 0xf0975f66^0x20002
			}
			return q
		}, label.Nmap, "syn-win1024-mss=8/8 seq-repeated=7/7 ttl<=64=8/8"},
		{"nmap -O's port-0 SYN and its retry", 2, func(i int, _ uint32) pkt {
			return pkt{ttl: uint8(44 + i), window: 1024, sport: uint16(37425 + 2*i), seq: 0x7afbf5a0 ^ uint32(i)*0x20002, ipid: random(i), mss: true, sameDst: true}
		}, label.Nmap, "syn-win1024-mss=2/2 seq-repeated=1/1 ttl<=64=2/2"},
		{"sequence numbers XORing to more than a try number", 6, func(i int, _ uint32) pkt {
			return pkt{ttl: 40, window: 1024, sport: 45000, seq: 0x5eed ^ uint32(i)*0x4000400, ipid: random(i), mss: true}
		}, label.ToolUnknown, "no-match ipid=random ttl=64 packets=6"},
		{"linux retrying", 8, func(i int, _ uint32) pkt {
			return pkt{ttl: 50, window: 64240, sport: 51000, ipid: uint32(1000 + i), df: true, opts: true}
		}, label.ToolUnknown, "no-match ipid=+1 ttl=64 packets=8"},
		{"zmap ≥ 4.1", 5, func(i int, _ uint32) pkt {
			return pkt{ttl: 50, window: 65535, sport: uint16(40000 + 977*i), seq: uint32(i) * 7919, ipid: random(i), zmapOpts: true}
		}, label.ZMap, "syn-win65535-zmapopts=5/5"},
		{"zmap ≥ 4.1 --probe-ttl 100", 5, func(i int, _ uint32) pkt {
			return pkt{ttl: 100, window: 65535, sport: uint16(40000 + 977*i), seq: uint32(i) * 7919, ipid: random(i), zmapOpts: true}
		}, label.ZMap, "syn-win65535-zmapopts=5/5"},
		{"Windows XP's window 65535 SYN", 5, func(i int, _ uint32) pkt {
			return pkt{ttl: 110, window: 65535, sport: uint16(1100 + i), ipid: plusOne(i), df: true, opts: true}
		}, label.ToolUnknown, "no-match ipid=+1 ttl=128 packets=5"},
		{"ZMap's options and window with DF (a tuned Windows)", 5, func(i int, _ uint32) pkt {
			return pkt{ttl: 110, window: 65535, sport: uint16(50100 + i), ipid: plusOne(i), df: true, zmapOpts: true}
		}, label.ToolUnknown, "no-match ipid=+1 ttl=128 packets=5"},
		{"masscan behind a NAT with a Linux client", 44, func(i int, dst uint32) pkt {
			if i%11 < 3 { // 12 SYNs of a client retrying to one host
				return pkt{ttl: 63, window: 64240, sport: 56269, ipid: uint32(24299 + i), df: true, opts: true, sameDst: true}
			}
			return masscan(254)(i, dst)
		}, label.Masscan, "ipid-masscan=32/32 ttl-band=255 masscan-share=32/44"},
		{"masscan, a minority behind a NAT", 10, func(i int, dst uint32) pkt {
			if i < 6 {
				return pkt{ttl: 63, window: 64240, sport: 56269, ipid: uint32(24299 + i), df: true, opts: true, sameDst: true}
			}
			return masscan(254)(i, dst)
		}, label.ToolUnknown, "no-match ipid=random ttl=64 packets=10"},
		{"masscan's IP ID on one packet among others", 5, func(i int, dst uint32) pkt {
			if i > 0 {
				return pkt{ttl: 63, window: 64240, sport: 56269, ipid: uint32(24299 + i), df: true, opts: true}
			}
			return masscan(254)(i, dst)
		}, label.ToolUnknown, "no-match ipid=+1 ttl=64 packets=5"},
		{"zmap UDP (no checksum)", 4, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: 50, sport: uint16(40000 + 977*i), ipid: random(i), noSum: true}
		}, label.ZMap, "udp-no-checksum=4/4 no-df=4/4"},
		{"NTP client from port 0 with checksum 0, retrying to one server", 40, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: 64, sport: 0, ipid: uint32(i + 1), noSum: true, length: 76, sameDst: true}
		}, label.ToolUnknown, "no-match ipid=+1 ttl=64 packets=40"},
		{"checksum 0, random IP IDs, retrying to one address", 10, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: 64, sport: 40514, ipid: random(i), noSum: true, length: 76, sameDst: true}
		}, label.ToolUnknown, "no-match ipid=random ttl=64 packets=10"},
		{"checksum 0 and IP IDs +1 to many addresses", 20, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: 64, sport: 0, ipid: uint32(i + 1), noSum: true, length: 76}
		}, label.ToolUnknown, "no-match ipid=+1 ttl=64 packets=20"},
		{"masscan UDP", 6, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: 240, sport: uint16(45000 + 16*(i%2)), ipid: random(i), length: 28}
		}, label.Masscan, "udp-empty-sport-pair=6/6 ttl255=6/6"},
		{"masscan UDP, one packet", 1, func(i int, _ uint32) pkt { return pkt{udp: true, ttl: 240, sport: 45016, ipid: random(i), length: 28} }, label.Masscan, "udp-empty-sport-pair=1/1 ttl255=1/1"},
		{"masscan UDP --ttl 64", 6, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: 50, sport: uint16(45016 - 16*(i%2)), ipid: random(i), length: 28}
		}, label.Masscan, "udp-empty-sport-pair=6/6 sport-pair=45016"},
		{"masscan 1.3.2 UDP --ttl 64 (one port)", 3, func(i int, _ uint32) pkt { return pkt{udp: true, ttl: 50, sport: 45000, ipid: random(i), length: 28} }, label.Masscan, "udp-empty-sport-pair=3/3 sport=45000 ttl-fixed=2/2"},
		{"masscan UDP --ttl 64, one packet", 1, func(i int, _ uint32) pkt { return pkt{udp: true, ttl: 50, sport: 45000, ipid: random(i), length: 28} }, label.ToolUnknown, "no-match ipid=random ttl=64 packets=1"},
		{"nmap -sU -p0", 8, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: uint8(37 + (i*7)%23), sport: 59434, ipid: random(i), length: 28}
		}, label.Nmap, "udp-empty-fixed-sport=8/8 ttl-changing=7/7 ttl-range=21"},
		{"nmap -sU -p0, default retries (P, P+2)", 16, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: uint8(37 + (i*7)%23), sport: uint16(51406 + 2*(i/8)), ipid: random(i), length: 28}
		}, label.Nmap, "udp-empty-fixed-sport=16/16 ttl-changing=15/15 ttl-range=22"},
		{"masscan UDP 1.3.2 to one host, retried", 6, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: 240, sport: 45000, ipid: random(i), length: 28, sameDst: true}
		}, label.ToolUnknown, "no-match ipid=random ttl=255 packets=6"},
		// hping3 -2 -k: its base port (1024–3023, main.c), an empty
		// datagram with a checksum, no DF, TTL 64 (issue 30).
		{"hping3 -2 -k", 6, func(i int, _ uint32) pkt { return pkt{udp: true, ttl: 50, sport: 2000, ipid: random(i), length: 28} }, label.Hping, "udp-empty-sport1024-3023=6/6 ttl64=6/6 no-df=6/6"},
		{"empty UDP from a fixed port past hping3's bases", 6, func(i int, _ uint32) pkt { return pkt{udp: true, ttl: 50, sport: 3024, ipid: random(i), length: 28} }, label.ToolUnknown, "no-match ipid=random ttl=64 packets=6"},
		{"hping3 -2", 6, func(i int, _ uint32) pkt { return pkt{udp: true, ttl: 50, sport: uint16(1500 + i), ipid: random(i)} }, label.Hping, "sport-rising=5/5 ttl-fixed=5/5 ttl64=6/6 no-df=6/6"},
		{"hping3 -2 --rand-dest, sampled (ports rise by ~100)", 12, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: 50, sport: uint16(2699 + i*97 + i*i%61), ipid: random(i), length: 28}
		}, label.Hping, "sport-rising-gaps=11/11 ttl-fixed=11/11 ttl64=12/12 no-df=12/12"},
		{"hping3 -2 --rand-dest, sampled, the port wrapping", 6, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: 50, sport: uint16(65300 + 150*i), ipid: random(i), length: 28}
		}, label.Hping, "sport-rising-gaps=5/5 ttl-fixed=5/5 ttl64=6/6 no-df=6/6"},
		{"ports rising with gaps, three packets", 3, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: 50, sport: uint16(4099 + i*97), ipid: random(i), length: 28}
		}, label.ToolUnknown, "no-match ipid=random ttl=64 packets=3"},
		// Nmap -sU, a probe and its retry (base + 2), the TTL drawn a
		// packet: not hping3's +1 (issue 30).
		{"nmap -sU, a probe and its retry", 2, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: uint8(45 + 7*i), sport: uint16(40000 + 2*i), ipid: random(i), length: 28}
		}, label.ToolUnknown, "no-match ipid=random ttl=64 packets=2"},
		{"hping3 -2, one packet", 1, func(i int, _ uint32) pkt { return pkt{udp: true, ttl: 50, sport: 1500, ipid: random(i)} }, label.ToolUnknown, "no-match ipid=random ttl=64 packets=1"},
		{"UDP from random ports", 6, func(i int, _ uint32) pkt {
			return pkt{udp: true, ttl: 50, sport: uint16(30000 + 7919*i), ipid: random(i)}
		}, label.ToolUnknown, "no-match ipid=random ttl=64 packets=6"},
	} {
		t.Run(c.name, func(t *testing.T) {
			pt := NewPart(DefaultOptions(), 0)
			for i := range c.n {
				dst := uint32(198<<24 | 18<<16 | 3<<8 | i)
				q := c.each(i, dst)
				to := netip.AddrFrom4([4]byte{198, 18, 3, byte(i)})
				if q.sameDst {
					to = netip.AddrFrom4([4]byte{198, 18, 4, 200})
				}
				p := scan.P0Packet{TS: int64(i) * int64(time.Second), Src: netip.MustParseAddr("203.0.113.61"), Dst: to,
					Proto: decode.ProtoTCP, TTL: q.ttl, Shape: classify.ShapeSYNTo0, Port0: decode.Port0Dst,
					SrcPort: q.sport, Window: q.window, Seq: q.seq, IPID: q.ipid, DataOffOK: true, Flags: decode.TCPFlagSYN,
					DF: q.df, AckNoACK: q.ackQuirk, MSSOnly: q.mss, TCPOpts: q.opts || q.mss || q.zmapOpts, ZMapOpts: q.zmapOpts,
					UDPSum0: q.noSum, Length: 40}
				if q.length > 0 {
					p.Length = q.length
				}
				if q.udp {
					p.Proto, p.Shape, p.Flags, p.Window, p.Seq = decode.ProtoUDP, classify.ShapeUDPTo0, 0, 0, 0
				}
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
		want  label.VictimStack
	}{
		{"linux SYN-ACK", synAck(50, 29200), label.StackLinux},
		{"bsd SYN-ACK", synAck(55, 65535), label.StackBSD},
		{"windows SYN-ACK", synAck(115, 8192), label.StackWindows},
		{"windows RST", rstFrom0(110), label.StackWindows},
		{"RST, TTL 64", rstFrom0(60), label.StackLinuxOrBSD},
		{"ICMP port unreachable, TTL 64", icmp(50), label.StackLinux},
		{"ICMP port unreachable, TTL 255", icmp(240), label.StackNotBSD},
		{"TTL 255 RST", rstFrom0(240), label.StackUnknown},
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
				t.Errorf("stack %v, want %v", got, c.want)
			}
		})
	}
	// A victim's events say its stack together (events.csv victim_stack):
	// as Linux 6.18 answered in testdata/realtools, RST-ACKs from port 0
	// (Linux or BSD) and ICMP port unreachable for UDP (not BSD) are Linux.
	pt := NewPart(opts, 0)
	var recs []scan.P0Packet
	for i := range 10 {
		r := rstFrom0(60)
		if i >= 5 {
			r = icmp(60)
		}
		r.TS, r.Src, r.Dst = int64(i)*int64(time.Second), netip.MustParseAddr("192.0.2.98"), netip.AddrFrom4([4]byte{198, 18, 5, byte(i)})
		recs = append(recs, r)
		pt.Add(&recs[i])
	}
	pt.Decide()
	for i := range recs {
		pt.Count(&recs[i])
	}
	rows := pt.Finish(0).Events
	if len(rows) != 2 {
		t.Fatalf("%d events, want 2", len(rows))
	}
	for _, r := range rows {
		if r.VictimStack != label.StackLinux.String() {
			t.Errorf("%v %v event: victim stack %q, want linux", r.Class, r.Proto, r.VictimStack)
		}
	}
}

// BenchmarkPartOpenBundles: one source probing a new target every
// millisecond, so that thousands of bundles are open at once, all within
// the gap (a fast fingerprinting or scanning source). Each expiry pass
// closes none of them; before passes were spaced by doubling, every new
// bundle past 4,096 paid a pass over them all (50,000 packets: 6.8 s).
func BenchmarkPartOpenBundles(b *testing.B) {
	src := netip.MustParseAddr("198.51.100.1")
	const n = 50000
	ps := make([]scan.P0Packet, n)
	for i := range ps {
		ps[i] = scan.P0Packet{TS: int64(i) * int64(time.Millisecond), Src: src, Dst: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}),
			Proto: decode.ProtoTCP, TTL: 250, Shape: classify.ShapeSYNTo0, Probe: classify.ProbeP2, Port0: decode.Port0Dst, DataOffOK: true}
	}
	b.ReportAllocs()
	for b.Loop() {
		pt := NewPart(DefaultOptions(), 0)
		for i := range ps {
			pt.Add(&ps[i])
		}
		pt.Decide()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
}

// TestIssue30Rules: Nmap's T2–T7 shapes name Nmap only with the options
// Nmap gives them (a prober copying two shapes stays unknown); two Nmap
// SYN scans at once from one address, each retried (P+2, seq XOR
// 0x20002), are Nmap; a scanner sharing its address with a desktop
// retrying a connection (SYNs with DF) is named on its packets alone,
// with the share.
func TestIssue30Rules(t *testing.T) {
	src := netip.MustParseAddr("203.0.113.62")
	run := func(n int, each func(i int, p *scan.P0Packet)) *Source {
		pt := NewPart(DefaultOptions(), 0)
		for i := range n {
			p := scan.P0Packet{TS: int64(i) * int64(time.Second), Src: src, Dst: netip.AddrFrom4([4]byte{198, 18, 3, byte(i)}),
				Proto: decode.ProtoTCP, TTL: 50, Shape: classify.ShapeSYNTo0, Port0: decode.Port0Dst, DataOffOK: true,
				Flags: decode.TCPFlagSYN, Length: 44, IPID: uint32(i*7919) & 0xffff}
			each(i, &p)
			pt.Add(&p)
		}
		pt.Decide()
		return pt.byAddr[src]
	}
	tShapes := func(opts bool) func(i int, p *scan.P0Packet) {
		return func(i int, p *scan.P0Packet) {
			p.Shape, p.Probe, p.Flags, p.Window = classify.ShapeOtherTCP, classify.ProbeT2, 0, 128
			if i%2 == 1 {
				p.Probe, p.Flags, p.Window = classify.ProbeT3, decode.TCPFlagSYN|decode.TCPFlagFIN|decode.TCPFlagURG|decode.TCPFlagPSH, 256
			}
			p.TCPOpts, p.NmapOpts = opts, opts
		}
	}
	if s := run(4, tShapes(false)); s.Tool != label.ToolUnknown {
		t.Errorf("T2 and T3 shapes without Nmap's options: tool %v (%s), want unknown", s.Tool, s.toolEv)
	}
	if s := run(4, tShapes(true)); s.Tool != label.Nmap || !strings.Contains(s.toolEv, "nmap-t-options=4/4") {
		t.Errorf("T2 and T3 with Nmap's options: tool %v (%s), want nmap", s.Tool, s.toolEv)
	}
	// Two nmap processes, targets alternating, each probe retried.
	s := run(16, func(i int, p *scan.P0Packet) {
		proc, try2 := (i/2)%2, i%2 == 1
		p.Window, p.MSSOnly, p.TCPOpts = 1024, true, true
		p.SrcPort, p.Seq = uint16(40000+1000*proc), uint32(0x5a5a0000+proc*0x1234567)
		if try2 {
			p.SrcPort += 2
			p.Seq ^= 0x20002
		}
		p.Dst = netip.AddrFrom4([4]byte{198, 18, 3, byte(i / 2)})
	})
	if s.Tool != label.Nmap || !strings.Contains(s.toolEv, "seq-repeated=14/14 scans=2") {
		t.Errorf("two Nmap SYN scans with retries: tool %v (%s), want nmap, seq-repeated=14/14 scans=2", s.Tool, s.toolEv)
	}
	// ZMap < 4.1 (IP ID 54321, window 65535) on 13 packets, a desktop's
	// SYNs (DF, window 64240, options, IP ID +1) on 4: 76 % of the address.
	s = run(17, func(i int, p *scan.P0Packet) {
		p.SrcPort, p.Seq, p.Window, p.IPID = uint16(33000+77*i), uint32(i)*7919, 65535, 54321
		if i%7 == 3 || i%7 == 6 {
			p.DF, p.Window, p.TCPOpts, p.IPID, p.TTL, p.SrcPort = true, 64240, true, uint32(100+i), 57, 50000
		}
	})
	if s.Tool != label.ZMap || !strings.Contains(s.toolEv, "tool-share=13/17") {
		t.Errorf("ZMap behind a NAT with a desktop: tool %v (%s), want zmap with tool-share=13/17", s.Tool, s.toolEv)
	}
}
