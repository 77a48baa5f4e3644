package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

const committed = "../../../testdata/captures"

// TestCommittedCorpus checks that testdata/captures is what this program
// writes: byte for byte, except gzip and zstd files, which are compared
// after decompression so that a change in the compressors' output does not
// fail the test. Regenerate with the command in the package doc.
func TestCommittedCorpus(t *testing.T) {
	fs := corpus()
	var names []string
	for _, f := range fs {
		names = append(names, f.name)
		b, err := os.ReadFile(filepath.Join(committed, f.name))
		if err != nil {
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		got, comp1 := decompress(b)
		want, comp2 := decompress(f.data)
		if comp1 != comp2 || !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output; rerun go run ./analyze/internal/mkcorpus", f.name)
		}
	}
	var buf bytes.Buffer
	if err := writeExpected(&buf, fs); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(committed, "expected.csv"))
	if err != nil || !bytes.Equal(b, buf.Bytes()) {
		t.Errorf("expected.csv differs from the generator's output (%v)", err)
	}
	entries, err := os.ReadDir(committed)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "expected.csv" && !slices.Contains(names, e.Name()) {
			t.Errorf("%s is committed but not generated", e.Name())
		}
	}
}

// TestPacketsMatchGopacket checks the byte-level builders against
// gopacket's serializer (checksums and lengths computed by gopacket).
func TestPacketsMatchGopacket(t *testing.T) {
	opts := gopacket.SerializeOptions{ComputeChecksums: true, FixLengths: true}
	ser := func(ls ...gopacket.SerializableLayer) []byte {
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	ip4l := func(proto layers.IPProtocol, id uint16) *layers.IPv4 {
		return &layers.IPv4{Version: 4, TTL: 64, Id: id, Protocol: proto, SrcIP: out4a[:], DstIP: tel4a[:]}
	}
	ip6l := func(next layers.IPProtocol) *layers.IPv6 {
		return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: next, SrcIP: out6a[:], DstIP: tel6a[:]}
	}
	payload := gopacket.Payload("hello")
	tests := []struct {
		name      string
		got, want []byte
	}{
		{"udp4", udp4(out4a, tel4a, 0, 53, []byte("hello")), func() []byte {
			ip := ip4l(layers.IPProtocolUDP, 0^53)
			u := &layers.UDP{SrcPort: 0, DstPort: 53}
			u.SetNetworkLayerForChecksum(ip)
			return ser(ip, u, payload)
		}()},
		{"tcp4", tcp4(out4a, tel4a, 40000, 0, tcpSYN, []byte("hello")), func() []byte {
			ip := ip4l(layers.IPProtocolTCP, 40000^0)
			tc := &layers.TCP{SrcPort: 40000, DstPort: 0, Seq: 0x01020304, SYN: true, Window: 65535}
			tc.SetNetworkLayerForChecksum(ip)
			return ser(ip, tc, payload)
		}()},
		{"udp6", udp6(out6a, tel6a, 5353, 0, []byte("hello")), func() []byte {
			ip := ip6l(layers.IPProtocolUDP)
			u := &layers.UDP{SrcPort: 5353, DstPort: 0}
			u.SetNetworkLayerForChecksum(ip)
			return ser(ip, u, payload)
		}()},
		{"tcp6", tcp6(out6a, tel6a, 0, 0, tcpSYN, []byte("hello")), func() []byte {
			ip := ip6l(layers.IPProtocolTCP)
			tc := &layers.TCP{SrcPort: 0, DstPort: 0, Seq: 0x01020304, SYN: true, Window: 65535}
			tc.SetNetworkLayerForChecksum(ip)
			return ser(ip, tc, payload)
		}()},
		{"icmp4", pkt4(ip4{src: out4a, dst: tel4a, proto: protoICMP, id: 7}, icmp(8, 0, 0x12340001, []byte("hello"))), func() []byte {
			ip := ip4l(layers.IPProtocolICMPv4, 7)
			return ser(ip, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 0x1234, Seq: 1}, payload)
		}()},
	}
	for _, tt := range tests {
		if !bytes.Equal(tt.got, tt.want) {
			t.Errorf("%s:\n got % x\nwant % x", tt.name, tt.got, tt.want)
		}
	}
}
