package gen

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"github.com/port0/port0/label"
)

// genPacket is one packet read back from a generated run, with its truth.
type genPacket struct {
	shard string
	index int
	ts    int64
	data  []byte // link-layer frame
	link  layers.LinkType
	truth Truth
}

// readRun reads every shard of a finished run with gopacket's pcapgo reader
// (the oracle, not our own reader) and joins each packet to its truth record.
func readRun(t testing.TB, dir string, fn func(p *genPacket)) *Manifest {
	t.Helper()
	mb, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		t.Fatal(err)
	}
	for _, sh := range m.Shards {
		f, err := os.Open(filepath.Join(dir, sh.Pcap))
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = f
		if strings.HasSuffix(sh.Pcap, ".gz") {
			zr, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		pr, err := pcapgo.NewReader(r)
		if err != nil {
			t.Fatalf("%s: %v", sh.Pcap, err)
		}
		tf, err := os.Open(filepath.Join(dir, sh.Truth))
		if err != nil {
			t.Fatal(err)
		}
		tr, err := NewTruthReader(tf)
		if err != nil {
			t.Fatalf("%s: %v", sh.Truth, err)
		}
		n := 0
		for {
			data, ci, err := pr.ReadPacketData()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s packet %d: %v", sh.Pcap, n, err)
			}
			truth, err := tr.Next()
			if err != nil {
				t.Fatalf("%s: truth for packet %d: %v", sh.Truth, n, err)
			}
			fn(&genPacket{shard: sh.Pcap, index: n, ts: ci.Timestamp.UnixNano(), data: data, link: pr.LinkType(), truth: truth})
			n++
		}
		if _, err := tr.Next(); err != io.EOF {
			t.Fatalf("%s: more truth records than the %d packets", sh.Truth, n)
		}
		if int64(n) != sh.Packets {
			t.Fatalf("%s: read %d packets, manifest says %d", sh.Pcap, n, sh.Packets)
		}
		f.Close()
		tf.Close()
	}
	return &m
}

// generate runs the generator into a temporary folder.
func generate(t testing.TB, s *Scenario, seed uint64, scale float64, opts Options) (string, *Manifest) {
	t.Helper()
	p, err := NewPlan(s, seed, scale)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Out == "" {
		opts.Out = t.TempDir()
	}
	m, err := Generate(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return opts.Out, m
}

// reserialize decodes an IPv4 packet with gopacket and serializes its layers
// again with gopacket computing lengths and checksums. A packet whose bytes
// survive unchanged has correct lengths and checksums.
func reserialize(ipBytes []byte) ([]byte, error) {
	pkt := gopacket.NewPacket(ipBytes, layers.LayerTypeIPv4, gopacket.Default)
	// gopacket guesses application layers from ports (DNS on 53…); a
	// payload it cannot parse as one is still our bytes, so only errors
	// below the transport layer count.
	if el := pkt.ErrorLayer(); el != nil && pkt.TransportLayer() == nil {
		return nil, fmt.Errorf("gopacket: %v", el.Error())
	}
	var ls []gopacket.SerializableLayer
	var ip *layers.IPv4
	for _, l := range pkt.Layers() {
		switch l := l.(type) {
		case *layers.IPv4:
			ip = l
			ls = append(ls, l)
		case *layers.TCP:
			l.SetNetworkLayerForChecksum(ip)
			ls = append(ls, l)
		case *layers.UDP:
			l.SetNetworkLayerForChecksum(ip)
			ls = append(ls, l)
		case *layers.ICMPv4:
			ls = append(ls, l)
			// gopacket keeps ICMP's body as the layer payload.
			ls = append(ls, gopacket.Payload(l.LayerPayload()))
		default:
			// Application layers gopacket decoded from the payload (DNS…):
			// serialize their raw bytes, which is what we sent.
			ls = append(ls, gopacket.Payload(l.LayerContents()), gopacket.Payload(l.LayerPayload()))
		}
		if _, ok := l.(*layers.ICMPv4); ok {
			break
		}
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	// gopacket v1.1.19 sends a computed UDP checksum of zero as 0x0000;
	// RFC 768 says to send it as 0xffff (0 means "no checksum"), as we do.
	if len(out) >= ipv4HeaderLen+udpHeaderLen && out[9] == protoUDP && binary.BigEndian.Uint16(out[6:])&0x3fff == 0 {
		if c := out[ipv4HeaderLen+6:]; c[0] == 0 && c[1] == 0 {
			c[0], c[1] = 0xff, 0xff
		}
	}
	return out, nil
}

// ipOf strips the link layer and Ethernet padding: the IPv4 total length,
// not the frame, says where the packet ends.
func ipOf(t testing.TB, p *genPacket) []byte {
	b := p.data
	switch p.link {
	case layers.LinkTypeEthernet:
		if len(b) < ethMinFrame {
			t.Fatalf("%s #%d: Ethernet frame of %d bytes, below the 60-byte minimum", p.shard, p.index, len(b))
		}
		if binary.BigEndian.Uint16(b[12:]) != 0x0800 {
			t.Fatalf("%s #%d: EtherType %#x", p.shard, p.index, binary.BigEndian.Uint16(b[12:]))
		}
		b = b[ethHeaderLen:]
	case layers.LinkTypeRaw:
	default:
		t.Fatalf("unexpected link type %v", p.link)
	}
	n := int(binary.BigEndian.Uint16(b[2:]))
	if n > len(b) {
		t.Fatalf("%s #%d: IP total length %d beyond the %d captured bytes", p.shard, p.index, n, len(b))
	}
	for _, x := range b[n:] {
		if x != 0 {
			t.Fatalf("%s #%d: non-zero Ethernet padding", p.shard, p.index)
		}
	}
	return b[:n]
}

// checkOracle checks one packet's lengths and checksums against gopacket,
// and returns the packet decoded by gopacket.
func checkOracle(t testing.TB, p *genPacket, ipb []byte) {
	t.Helper()
	if p.truth.Class == label.Malformed {
		// The one intended defect: a TCP data offset below 5. Repair it and
		// the rest must be exactly right.
		off := ipb[ipv4HeaderLen+12] >> 4
		if off >= 5 {
			t.Fatalf("%s #%d: crafted-malformed packet with a legal data offset %d", p.shard, p.index, off)
		}
		fixed := bytes.Clone(ipb)
		fixed[ipv4HeaderLen+12] = 5<<4 | fixed[ipv4HeaderLen+12]&0x0f
		pkt := gopacket.NewPacket(fixed, layers.LayerTypeIPv4, gopacket.Default)
		ip, _ := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		tcp, _ := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if ip == nil || tcp == nil {
			t.Fatalf("%s #%d: gopacket cannot decode the repaired packet", p.shard, p.index)
		}
		// Serialize with the bad offset put back, without FixLengths so
		// gopacket writes it as is, and with checksums computed.
		tcp.DataOffset = off
		tcp.SetNetworkLayerForChecksum(ip)
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{ComputeChecksums: true}, ip, tcp); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), ipb) {
			t.Fatalf("%s #%d: crafted-malformed packet differs from gopacket's beyond its data offset\n ours %x\n gopk %x", p.shard, p.index, ipb, buf.Bytes())
		}
		return
	}
	if binary.BigEndian.Uint16(ipb[6:])&0x3fff != 0 {
		// A fragment: gopacket cannot check the transport checksum of a
		// piece; the IPv4 header still must be exact. Trains are
		// reassembled and checked whole in TestPacketsMatchOracle.
		pkt := gopacket.NewPacket(ipb, layers.LayerTypeIPv4, gopacket.Default)
		ip, _ := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		if ip == nil {
			t.Fatalf("%s #%d: gopacket finds no IPv4 in a fragment", p.shard, p.index)
		}
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ip, gopacket.Payload(ip.Payload)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), ipb) {
			t.Fatalf("%s #%d: fragment differs from gopacket's serialization", p.shard, p.index)
		}
		return
	}
	got, err := reserialize(ipb)
	if err != nil {
		t.Fatalf("%s #%d (%v): %v", p.shard, p.index, p.truth.Class, err)
	}
	if ipb[9] == protoUDP && p.truth.Tool == label.ZMap && len(got) >= ipv4HeaderLen+udpHeaderLen {
		// ZMap sends its UDP probes without a checksum (0, RFC 768):
		// the one field that differs from what gopacket computes.
		if binary.BigEndian.Uint16(ipb[ipv4HeaderLen+6:]) != 0 {
			t.Fatalf("%s #%d: a ZMap UDP probe with a checksum", p.shard, p.index)
		}
		got[ipv4HeaderLen+6], got[ipv4HeaderLen+7] = 0, 0
	}
	if !bytes.Equal(got, ipb) {
		t.Fatalf("%s #%d (%v): bytes differ from gopacket's serialization\n ours %x\n gopk %x", p.shard, p.index, p.truth.Class, ipb, got)
	}
	if ipb[9] == protoICMP && ipb[ipv4HeaderLen] == 3 {
		// The quoted packet of an ICMP error must itself be exact.
		inner := ipb[ipv4HeaderLen+8:]
		got, err := reserialize(inner)
		if err != nil || !bytes.Equal(got, inner) {
			t.Fatalf("%s #%d: quoted packet differs from gopacket's serialization (%v)", p.shard, p.index, err)
		}
	}
}

// fragKey identifies a fragment train.
type fragKey struct {
	src, dst uint32
	id       uint16
	proto    uint8
}

// reassembler collects fragment trains and checks whole ones with gopacket.
type reassembler struct {
	t      testing.TB
	trains map[fragKey]map[int][]byte // offset → data
	lastAt map[fragKey]int            // total length once the last fragment is seen
	header map[fragKey][]byte
	whole  int
}

func (r *reassembler) add(p *genPacket, ipb []byte) {
	k := fragKey{binary.BigEndian.Uint32(ipb[12:]), binary.BigEndian.Uint32(ipb[16:]), binary.BigEndian.Uint16(ipb[4:]), ipb[9]}
	ff := binary.BigEndian.Uint16(ipb[6:])
	off := int(ff&0x1fff) * 8
	if r.trains[k] == nil {
		r.trains[k] = map[int][]byte{}
	}
	r.trains[k][off] = bytes.Clone(ipb[ipv4HeaderLen:])
	if off == 0 {
		r.header[k] = bytes.Clone(ipb[:ipv4HeaderLen])
	}
	if ff&ipMF == 0 {
		r.lastAt[k] = off + len(ipb) - ipv4HeaderLen
	}
	total, done := r.lastAt[k]
	if !done || r.header[k] == nil {
		return
	}
	seg := make([]byte, 0, total)
	for len(seg) < total {
		piece, ok := r.trains[k][len(seg)]
		if !ok {
			return
		}
		seg = append(seg, piece...)
	}
	whole := append(bytes.Clone(r.header[k]), seg...)
	binary.BigEndian.PutUint16(whole[2:], uint16(len(whole)))
	binary.BigEndian.PutUint16(whole[6:], 0)
	binary.BigEndian.PutUint16(whole[10:], 0)
	binary.BigEndian.PutUint16(whole[10:], fold(sum16(whole[:ipv4HeaderLen], 0)))
	got, err := reserialize(whole)
	if err != nil || !bytes.Equal(got, whole) {
		r.t.Fatalf("%s #%d: reassembled train differs from gopacket's serialization (%v)", p.shard, p.index, err)
	}
	r.whole++
	delete(r.trains, k)
}

// checkIntent checks that the headers say what the truth says the packet is.
func checkIntent(t testing.TB, p *genPacket, ipb []byte, tele uint32, teleBits int) {
	t.Helper()
	fail := func(format string, a ...any) {
		t.Helper()
		t.Fatalf("%s #%d (%v/%v): %s\n%x", p.shard, p.index, p.truth.Class, p.truth.Tool, fmt.Sprintf(format, a...), ipb)
	}
	dst := binary.BigEndian.Uint32(ipb[16:])
	if dst&^(1<<teleBits-1) != tele {
		fail("destination %s outside the telescope", ipString(dst))
	}
	proto := ipb[9]
	ff := binary.BigEndian.Uint16(ipb[6:])
	fragOff := ff & 0x1fff
	l4 := ipb[ipv4HeaderLen:]
	var sport, dport uint16
	hasPorts := (proto == protoTCP || proto == protoUDP) && fragOff == 0
	if hasPorts {
		sport, dport = binary.BigEndian.Uint16(l4), binary.BigEndian.Uint16(l4[2:])
	}
	port0 := hasPorts && (sport == 0 || dport == 0)
	switch c := p.truth.Class; c {
	case label.Background:
		if port0 {
			fail("background packet with a port 0")
		}
		if proto == protoICMP && l4[0] == 3 {
			fail("background ICMP error")
		}
	case label.FragmentArtifact:
		if fragOff == 0 {
			fail("fragment artifact that is not a non-first fragment")
		}
	case label.Scan, label.Fingerprint, label.Malformed, label.BitTorrent:
		if !port0 {
			fail("%v packet without a port 0", c)
		}
	case label.Retry:
		switch {
		case proto == protoTCP && dport == 0 && sport != 0 && l4[13] == flagSYN:
		case proto == protoUDP && sport == 0 && dport != 0:
		default:
			fail("a retry is a SYN to port 0 or UDP from port 0 to a service")
		}
	case label.BackscatterTo0:
		if proto != protoTCP || dport != 0 || sport == 0 {
			fail("to-0 backscatter is a TCP reply from a service to port 0")
		}
		if f := l4[13]; f != flagSYN|flagACK && f != flagRST|flagACK {
			fail("to-0 backscatter flags %#x", f)
		}
	case label.BackscatterFrom0:
		switch proto {
		case protoTCP:
			if sport != 0 || l4[13] != flagRST|flagACK {
				fail("from-0 TCP backscatter is RST-ACK from port 0")
			}
		case protoICMP:
			inner := l4[8:]
			if l4[0] != 3 || l4[1] != 3 || inner[9] != protoUDP || binary.BigEndian.Uint16(inner[ipv4HeaderLen+2:]) != 0 {
				fail("from-0 ICMP backscatter is port unreachable quoting UDP to port 0")
			}
			if binary.BigEndian.Uint32(inner[16:]) != binary.BigEndian.Uint32(ipb[12:]) {
				fail("the quoted packet was not sent to the victim")
			}
		default:
			fail("from-0 backscatter over protocol %d", proto)
		}
	default:
		fail("unexpected class")
	}
	if p.truth.Class == label.Malformed && (proto != protoTCP || l4[12]>>4 >= 5) {
		fail("crafted-malformed packet with a legal data offset")
	}
	if p.truth.Class == label.BitTorrent {
		pl := l4[udpHeaderLen:]
		if proto != protoUDP || dport != 0 || !(bytes.HasPrefix(pl, []byte("d1:ad2:id20:")) || (len(pl) == 20 && pl[0] == 0x41)) {
			fail("BitTorrent packet without a DHT query or uTP SYN to UDP port 0")
		}
	}
	// Tool fingerprints of TCP SYN scanners.
	if proto == protoTCP && fragOff == 0 && l4[13] == flagSYN && p.truth.Class != label.Fingerprint {
		ipid := binary.BigEndian.Uint16(ipb[4:])
		seq := binary.BigEndian.Uint32(l4[4:])
		win := binary.BigEndian.Uint16(l4[14:])
		ack := binary.BigEndian.Uint32(l4[8:])
		// TTL 255 by default, 64 when set (ZMap --probe-ttl, Masscan
		// --ttl), or 40–255 (Scan0.OptionValues).
		ttlOK := ipb[8] >= 40-30
		switch p.truth.Tool {
		case label.ZMap:
			// ≤ 4.0: IP ID 54321; ≥ 4.1: its "windows" options instead.
			current := l4[12]>>4 == 8 && bytes.Equal(l4[20:32], windowsSYNOpts[:])
			if ipid != 54321 && !current || win != 65535 || !ttlOK {
				fail("ZMap probe without IP ID 54321 (or ZMap 4.1's options), window 65535, TTL 255 or 64")
			}
		case label.Masscan:
			if ipid != masscanID(dst, dport, seq) || (win != 1024 && win != 1025) || !ttlOK {
				fail("Masscan probe without its IP ID relation, window 1024/1025, TTL 255 or 64")
			}
		case label.Hping:
			// Window 512 unless -w (Scan0.OptionValues) sets another.
			if ack == 0 || ipb[8] > 64 || ipb[6]&0x40 != 0 || l4[12]>>4 != 5 {
				fail("hping3 SYN without a random ack, TTL 64, no DF, no options")
			}
		case label.Nmap:
			if win != 1024 || ipb[8] > 59 || ipb[6]&0x40 != 0 || l4[12]>>4 != 6 || !bytes.Equal(l4[20:24], []byte{2, 4, 5, 0xb4}) {
				fail("Nmap SYN without window 1024, MSS 1460 alone, a TTL of 37–59, no DF")
			}
		case label.Mirai:
			if seq != dst || (dport != 23 && dport != 2323) || ipb[8] > 64 {
				fail("Mirai probe without seq = destination, telnet port, TTL 64")
			}
		}
	}
	if p.truth.Class == label.Fingerprint {
		checkProbe(fail, p.truth.Detail, proto, sport, dport, l4)
	}
}

// checkProbe checks a fingerprint probe against its shape (docs/BACKGROUND.md).
func checkProbe(fail func(string, ...any), probe uint8, proto uint8, sport, dport uint16, l4 []byte) {
	type shape struct {
		proto        uint8
		sport, dport int // -1: any non-zero
	}
	shapes := map[uint8]shape{
		probeP1: {protoTCP, 0, 0}, probeP2: {protoTCP, -1, 0}, probeP3: {protoTCP, 0, 80}, probeP4: {protoTCP, 0, -1},
		probeP5: {protoUDP, 0, 0}, probeP6: {protoUDP, 53, 0}, probeP7: {protoUDP, 0, -1},
	}
	want, ok := shapes[probe]
	if !ok {
		if probe < probeT2 || probe > probeT7 {
			fail("unknown probe %d", probe)
		}
		tp := nmapT[probe-probeT2]
		if proto != protoTCP || dport != 0 || l4[13] != tp.flags || binary.BigEndian.Uint16(l4[14:]) != tp.window {
			fail("%s is not Nmap's window %d flags %#x to port 0", ProbeName(probe), tp.window, tp.flags)
		}
		return
	}
	match := func(want int, got uint16) bool {
		if want < 0 {
			return got != 0
		}
		return int(got) == want
	}
	if proto != want.proto || !match(want.sport, sport) || !match(want.dport, dport) {
		fail("%s has proto %d ports %d→%d", ProbeName(probe), proto, sport, dport)
	}
}

// TestPacketsMatchOracle generates the default scenario (Ethernet, µs) and
// the wild one (raw IP, ns, gzip) at a small scale and checks every packet: gopacket decodes it, its lengths and checksums are
// exactly what gopacket's serializer computes (the crafted-malformed class
// differs only in its data offset), fragment trains reassemble to exact
// datagrams, and the headers say what the truth says.
func TestPacketsMatchOracle(t *testing.T) {
	for _, raw := range []bool{false, true} {
		t.Run(map[bool]string{false: "paper/ethernet-us", true: "wild/raw-ns-gzip"}[raw], func(t *testing.T) {
			s := Paper()
			if raw {
				s = Wild()
			}
			dir, m := generate(t, s, 7, 1e-6, Options{RawIP: raw, Nano: raw, Gzip: raw})
			ra := &reassembler{t: t, trains: map[fragKey]map[int][]byte{}, lastAt: map[fragKey]int{}, header: map[fragKey][]byte{}}
			tele := addr4(s.Telescope.Addr().As4())
			bitsT := 32 - s.Telescope.Bits()
			perClass := map[label.Class]int{}
			var last int64
			readRun(t, dir, func(p *genPacket) {
				ipb := ipOf(t, p)
				checkOracle(t, p, ipb)
				checkIntent(t, p, ipb, tele, bitsT)
				if binary.BigEndian.Uint16(ipb[6:])&0x3fff != 0 {
					ra.add(p, ipb)
				}
				if p.ts < last {
					t.Fatalf("%s #%d: time goes backwards: %d after %d (%v)", p.shard, p.index, p.ts, last, p.truth)
				}
				last = p.ts
				perClass[p.truth.Class]++
			})
			for _, c := range label.Classes() {
				if c != label.Other && !(c == label.Retry && s.Retry.Share == 0) && perClass[c] == 0 {
					t.Errorf("no packet of class %v among %d", c, m.Packets)
				}
			}
			if ra.whole == 0 {
				t.Error("no fragment train was reassembled")
			}
			t.Logf("%d packets checked, %d trains reassembled, classes %v", m.Packets, ra.whole, perClass)
		})
	}
}
