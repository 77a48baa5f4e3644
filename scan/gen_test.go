package scan

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/label"
)

// TestGenCaptureCounts scans a default-scenario gen capture (testcap.Medium)
// and holds the result to the generator's truth: every packet is counted;
// the port-0 packets plus the ICMP errors quoting a port 0 are exactly the
// port-0-related packets of the truth, and exactly the port-0 records, in
// packet order; the orphan non-first fragments are exactly those of the
// trains gen sent without their first fragment. (That the decoders agree
// on every packet of it, and which classes have a port 0 in their
// headers, is reference's TestGenCapture.)
func TestGenCaptureCounts(t *testing.T) {
	g := testcap.Medium(t)
	res, err := Run([]string{"-"}, bytes.NewReader(g.Pcap), Options{Port0: true})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	c := res.Total
	var related, quoting, orphans, nonFirst int64
	cp, err := capture.New("gen", bytes.NewReader(g.Pcap))
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	var p capture.Packet
	var r decode.Record
	var relatedIndex []int64
	for i, tr := range g.Truth {
		if err := cp.Next(&p); err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		r.Decode(p.LinkType, p.Data)
		if tr.Class.Port0Related() {
			related++
			relatedIndex = append(relatedIndex, int64(i))
		}
		if r.Inner.Ports == decode.PortsPresent && r.Inner.Port0 >= decode.Port0Src {
			quoting++
		}
		if tr.Class == label.FragmentArtifact {
			nonFirst++
			if tr.Detail == 1 {
				orphans++
			}
		}
	}
	if c.Packets != int64(len(g.Truth)) || c.Port0.Total+c.ICMPQuotingPort0 != related || c.ICMPQuotingPort0 != quoting {
		t.Errorf("result: %d packets, port0 %d + icmp quoting %d; truth: %d packets, %d port-0-related (%d quoting)",
			c.Packets, c.Port0.Total, c.ICMPQuotingPort0, len(g.Truth), related, quoting)
	}
	if c.Fragments.NonFirst != nonFirst || c.Fragments.OrphanNonFirst != orphans || c.Fragments.TableEvictions != 0 {
		t.Errorf("fragments %+v; truth: %d non-first, %d in orphan trains", c.Fragments, nonFirst, orphans)
	}
	var k int
	err = res.Records.Each(func(p *P0Packet) error {
		if p.File != 0 || k >= len(relatedIndex) || p.Index != relatedIndex[k] {
			t.Fatalf("record %d: file %d packet %d, not the truth's next port-0-related packet", k, p.File, p.Index)
		}
		k++
		return nil
	})
	if err != nil || k != len(relatedIndex) {
		t.Errorf("%d records (error %v), want the %d port-0-related packets of the truth", k, err, len(relatedIndex))
	}
	t.Logf("%d packets, %d port-0 (+%d ICMP quoting), %d non-first fragments (%d orphans), %d hours",
		c.Packets, c.Port0.Total, c.ICMPQuotingPort0, c.Fragments.NonFirst, c.Fragments.OrphanNonFirst, res.Intervals.Len())
}

// tcpdumpCases are the captures compared with tcpdump's
// '(tcp or udp) and port 0', and how many more packets tcpdump counts
// than Run, by design (docs/CLI.md, "The port-0 definition"). Captures
// tcpdump cannot read (gzip, pcapng with mixed link types, link type 14)
// are left out.
var tcpdumpCases = []struct {
	file  string
	delta int64
	why   string
}{
	{"pcap_us_le.pcap", 0, ""},
	{"pcap_us_be.pcap", 0, ""},
	{"pcap_ns_le.pcap", 0, ""},
	{"pcap_ns_be.pcap", 0, ""},
	{"port0_positions.pcap", 0, ""},
	{"link_ethernet.pcap", 0, ""},
	{"link_ethernet_fcs.pcap", 0, ""},
	{"link_raw101.pcap", 0, ""},
	{"link_raw12.pcap", 0, ""},
	{"link_ipv4_228.pcap", 0, ""},
	{"link_ipv6_229.pcap", 0, ""},
	{"link_sll.pcap", 0, ""},
	{"link_sll2.pcap", 0, ""},
	{"link_null.pcap", 0, ""},
	{"link_null_be.pcap", 0, ""},
	{"link_loop.pcap", 0, ""},
	{"ipv4_options.pcap", 0, ""},
	{"fragments_v4.pcap", 0, "IPv4 first fragments: BPF checks the offset is 0, as we do"},
	{"icmp_errors.pcap", 0, "quoted port 0 is not port 0 for either"},
	{"tcp_bad_offset.pcap", 0, "data offset < 5: both read the ports"},
	{"caplen_over_snaplen.pcap", 0, ""},
	{"zero_length.pcap", 0, ""},
	{"link_vlan.pcap", -3, "802.1Q: tcpdump needs the 'vlan' keyword"},
	{"link_qinq.pcap", -3, "QinQ: tcpdump needs 'vlan and vlan'"},
	{"ethernet_padding.pcap", -1, "one frame is VLAN-tagged"},
	{"ipv6_exthdr.pcap", -5, "tcpdump's ip6 tcp/udp look at the fixed header's next header only"},
	{"fragments_v6.pcap", -3, "IPv6 first fragments: the Fragment header hides the protocol from tcpdump"},
	{"tiny_fragments.pcap", -1, "tiny first fragments (RFC 1858) hold the ports: both read the IPv4 ones; the IPv6 one's Fragment header hides the protocol from tcpdump"},
	{"truncated_snaplen.pcap", 1, "an IPv6 UDP header cut inside its destination port: BPF's 'port 0' accepts on the source port 0 it has; we need all 4 port bytes"},
}

// tcpdumpCount counts the lines tcpdump prints for the port-0 filter.
func tcpdumpCount(t *testing.T, tcpdump, file string) int64 {
	t.Helper()
	cmd := exec.Command(tcpdump, "-r", file, "-nn", "(tcp or udp) and port 0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tcpdump -r %s: %v\n%s", file, err, stderr.String())
	}
	return int64(bytes.Count(out, []byte("\n")))
}

// TestTcpdumpPort0 compares the scan's port-0 count with tcpdump's on the
// gen capture and on corpus files. Skipped when tcpdump is not installed.
func TestTcpdumpPort0(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump not on PATH")
	}
	t.Run("gen", func(t *testing.T) {
		g := testcap.Medium(t)
		file := filepath.Join(t.TempDir(), "telescope.pcap")
		if err := os.WriteFile(file, g.Pcap, 0o644); err != nil {
			t.Fatal(err)
		}
		res := run(t, []string{file}, Options{})
		if n := tcpdumpCount(t, tcpdump, file); n != res.Total.Port0.Total {
			t.Errorf("tcpdump %d, scan %d", n, res.Total.Port0.Total)
		}
	})
	for _, c := range tcpdumpCases {
		t.Run(c.file, func(t *testing.T) {
			file := filepath.Join(testcap.CorpusDir(), c.file)
			res := run(t, []string{file}, Options{})
			n := tcpdumpCount(t, tcpdump, file)
			if got := n - res.Total.Port0.Total; got != c.delta {
				t.Errorf("tcpdump %d, scan %d: difference %d, want %d (%s)", n, res.Total.Port0.Total, got, c.delta, c.why)
			}
		})
	}
}
