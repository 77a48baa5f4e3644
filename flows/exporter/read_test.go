package exporter

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/flows"
)

// exporterCapture builds what `tcpdump -i lo -w f.pcap udp` records of
// exporters sending to a collector, with a few packets that are not
// theirs, and says what ReadCapture must make of it.
func exporterCapture() (pcap, raw []byte, want ReadStats, wantRecords []flows.Record, wantSamples int) {
	collector4 := netip.MustParseAddrPort("127.0.0.1:2055")
	collector6 := netip.MustParseAddrPort("[::1]:4739")
	sflowCollector := netip.MustParseAddrPort("127.0.0.1:6343")
	t0 := int64(secs) * 1e9
	agent := netip.MustParseAddr("192.0.2.99")
	frame := ether(ipv4UDP(netip.AddrPortFrom(hostA, 1234), netip.AddrPortFrom(hostB, 0), 0, []byte("x")))

	v5 := buildV5(v5Header{uptime: 100_000, secs: secs},
		v5Record{src: hostA, dst: hostB, packets: 1, octets: 40, first: 100_000, last: 100_000, proto: 17})
	ipfix := newIPFIX(1, secs).template(300, v9ICMP...).data(300, rec(v9ICMP, hostA, hostB, 0, 53, 17)).bytes()
	sf := sflowDatagram(agent, 0, 1, 1,
		flowSample(1, 256, 256, 1, 2, rawHeader(HeaderEthernet, uint32(len(frame)), 0, frame)),
		flowSample(2, 256, 512, 1, 2, sampledIPv4(40, 6, hostA, hostB, 0, 80, 0x02, 0)))
	v9NoTemplate := newV9(1, secs, 1).data(400, []byte{1, 2, 3, 4}).bytes()
	badIPFIX := []byte{0, 10, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

	pkts := []pcapPacket{
		{t0 + 1e3, ipv4UDP(expA, collector4, 0, v5)},
		{t0 + 2e3, ipv6UDP(exp6, collector6, ipfix)},
		{t0 + 3e3, ipv4UDP(expB, sflowCollector, 0, sf)},
		{t0 + 4e3, ipv4TCP(expA, collector4)},
		{t0 + 5e3, ipv4UDP(expA, netip.MustParseAddrPort("127.0.0.53:53"), 0, []byte{0x12, 0x34, 1, 0, 0, 1, 0, 0})},
		{t0 + 6e3, ipv4UDP(expA, collector4, 0, v9NoTemplate)},
		{t0 + 7e3, ipv4UDP(expA, collector4, 0x2000, v5)}, // a first fragment (MF)
		{t0 + 8e3, ipv4UDP(expB, collector4, 0, badIPFIX)},
	}
	// flows/collect spools raw IP (LINKTYPE_RAW, 101); tcpdump -i lo
	// records Ethernet.
	raw = buildPcapLink(101, pkts...)
	for i := range pkts {
		pkts[i].frame = ether(pkts[i].frame)
	}
	pcap = buildPcap(pkts...)
	want = ReadStats{Packets: 8, NotUDP: 1, Fragments: 1, Datagrams: 6, NotExport: 1, Failed: 1}
	wantRecords = []flows.Record{
		{Format: flows.NetFlow5, Exporter: expA.Addr(), Has: flows.HasTCPFlags | flows.HasTimes, First: t0, Last: t0,
			Src: hostA, Dst: hostB, Proto: 17, Packets: 1, Bytes: 40},
		{Format: flows.IPFIX, Exporter: exp6.Addr(), First: t0, Last: t0, Src: hostA, Dst: hostB, Proto: 17, DstPort: 53},
		{Format: flows.SFlow, Exporter: agent, Has: flows.HasTCPFlags, First: t0 + 3e3, Last: t0 + 3e3,
			Src: hostA, Dst: hostB, Proto: 6, DstPort: 80, TCPFlags: 2, Packets: 1, Bytes: 40, SamplingRate: 256},
	}
	return pcap, raw, want, wantRecords, 1
}

func TestReadCapture(t *testing.T) {
	pcap, raw, want, wantRecords, wantSamples := exporterCapture()
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"f.pcap", pcap},
		{"f.pcap.gz", gzipped(t, pcap)},
		{"raw.pcap", raw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			d := NewDecoder()
			var c collector
			st, err := ReadCapture(path, d, c.out, c.sample)
			if err != nil {
				t.Fatal(err)
			}
			if st != want {
				t.Errorf("read stats %+v, want %+v", st, want)
			}
			checkRecords(t, c.recs, wantRecords)
			if len(c.samples) != wantSamples || c.samples[0].Received != int64(secs)*1e9+3e3 {
				t.Errorf("samples %+v", c.samples)
			}
			if s := d.Stats(); s.NoTemplate != 1 || s.Unknown != 1 || s.Failed != 1 {
				t.Errorf("decoder stats %v", s)
			}
		})
	}

	// A capture cut inside its last packet: the packets before it are
	// decoded, and the read error is returned with their counts.
	path := filepath.Join(dir, "cut.pcap")
	if err := os.WriteFile(path, pcap[:len(pcap)-5], 0o644); err != nil {
		t.Fatal(err)
	}
	var c collector
	st, err := ReadCapture(path, NewDecoder(), c.out, nil)
	var re *capture.ReadError
	if !errors.As(err, &re) || st.Packets != 7 || len(c.recs) != len(wantRecords) {
		t.Errorf("%v, %+v, %d records", err, st, len(c.recs))
	}
	if _, err := ReadCapture(filepath.Join(dir, "missing.pcap"), NewDecoder(), nil, nil); err == nil {
		t.Error("no error for a missing file")
	}
}
