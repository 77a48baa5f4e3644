package flowscan

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/port0/port0/flows"
	"github.com/port0/port0/scan"
)

// fixtures are the committed nfcapd files (testdata/nfcapd, made by
// nfpcapd and softflowd+nfcapd: scripts/nfcapd-fixtures.sh) with the
// judgements of their flows with a port 0, checked by hand against their
// nfdump -o csv dumps beside them.
var fixtures = []struct {
	file       string
	flows      int64
	judgements map[string]int64
}{
	// nfpcapd reassembles IPv4: the fragmented datagram is one flow
	// from port 33000 to 0.
	{"frag4-nfpcapd.nfcapd", 1, map[string]int64{"real": 1}},
	// softflowd writes non-first fragments as UDP or TCP 0/0 with no
	// flags: nothing tells them from a header that said 0/0.
	{"frag4-softflowd-v9.nfcapd", 5, map[string]int64{"real": 2, "undecidable": 3}},
	// nfpcapd writes IPv6 fragments as protocol 44 (the Fragment
	// header), without ports.
	{"frag6-nfpcapd.nfcapd", 4, map[string]int64{"no-ports": 4}},
	// softflowd writes IPv6 non-first fragments as protocol 0.
	{"frag6-softflowd-ipfix.nfcapd", 6, map[string]int64{"no-ports": 3, "real": 2, "undecidable": 1}},
	// The real tools' capture: 33 ICMP flows, the rest TCP/UDP with
	// one port 0 (real).
	{"realtools-none.nfcapd", 185, map[string]int64{"no-ports": 33, "real": 144}},
	{"realtools-lz4.nfcapd", 185, map[string]int64{"no-ports": 33, "real": 144}},
}

func TestRunFixtures(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.file, func(t *testing.T) {
			in := filepath.Join("..", "testdata", "nfcapd", fx.file)
			if !IsNfcapd(in) {
				t.Fatalf("%s not recognised as nfcapd", in)
			}
			res, sum, err := Run([]string{in}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer res.Close()
			if sum.Flows != fx.flows {
				t.Errorf("flows %d, want %d (the csv's rows)", sum.Flows, fx.flows)
			}
			var port0 int64
			for _, j := range flows.Judgements() {
				if got, want := sum.Judgements[j.String()], fx.judgements[j.String()]; got != want {
					t.Errorf("%s flows %d, want %d", j, got, want)
				}
				port0 += fx.judgements[j.String()]
			}
			if sum.Port0Flows != port0 {
				t.Errorf("port-0 flows %d, want %d", sum.Port0Flows, port0)
			}
			// The records are the real flows' packets; the traffic, every
			// packet the flows stand for.
			if got, want := res.Records.Len(), sum.JudgedPackets["real"]; got != want {
				t.Errorf("records %d, want the real flows' %d packets", got, want)
			}
			var traffic int64
			for _, a := range res.Intervals.All() {
				traffic += a.Packets
			}
			if traffic != sum.Packets || res.Total.Packets != sum.Packets {
				t.Errorf("traffic %d, total %d, want %d", traffic, res.Total.Packets, sum.Packets)
			}
			nf := res.NaiveFlow
			if nf.Port0 != sum.JudgedPackets["real"] || nf.Undecidable != sum.JudgedPackets["undecidable"] || nf.Packets != nf.Port0+nf.NonFirstFragment+nf.ICMP+nf.OtherProto+nf.Undecidable {
				t.Errorf("naive flow view %+v does not add up to the judgements %v", nf, sum.JudgedPackets)
			}
		})
	}
}

func TestRunBadInputs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join("..", "testdata", "nfcapd", "realtools-none.nfcapd")
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.nfcapd")
	os.WriteFile(cut, b[:len(b)*2/3], 0o644)
	missing := filepath.Join(dir, "missing.nfcapd")
	res, sum, err := Run([]string{missing, cut, good}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if len(res.ReadErrors) != 2 || res.ReadErrors[0].File != missing || res.ReadErrors[1].File != cut {
		t.Fatalf("read errors %+v, want the missing file's and the cut file's, in input order", res.ReadErrors)
	}
	// The fixture is one block: a cut inside it loses the block, and says
	// where and how much.
	if e := res.ReadErrors[1]; e.ByteOffset != 40 || !strings.Contains(e.Message, "runs past the end of the file") || !strings.Contains(e.Message, "lost: 1 blocks") || strings.Contains(e.Message, cut) {
		t.Errorf("the cut file's error %+v, want block 0 at byte 40 running past the end, what was lost, the file named once (in File)", e)
	}
	if sum.Flows != 185 {
		t.Errorf("flows %d, want the good file's 185", sum.Flows)
	}
	if _, _, err := Run([]string{missing}, Options{}); !errors.Is(err, scan.ErrNoInput) {
		t.Errorf("no readable input: %v, want ErrNoInput", err)
	}
}

// TestSpread: a flow's packets are counted over the intervals it spans,
// every one once.
func TestSpread(t *testing.T) {
	a, d := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.18.0.5")
	const hour = int64(3600e9)
	for _, tc := range []struct {
		name        string
		first, last int64
		n           int64
		want        map[int64]int64
	}{
		{"one instant", 10 * hour, 10 * hour, 5, map[int64]int64{10: 5}},
		{"inside one hour", 10*hour + 1, 10*hour + 100, 7, map[int64]int64{10: 7}},
		{"over two hours, evenly", 10 * hour, 12*hour - 1, 4, map[int64]int64{10: 2, 11: 2}},
		{"ending on an hour's first ns", 10 * hour, 11 * hour, 3, map[int64]int64{10: 2, 11: 1}},
		{"three hours", 10*hour + hour/2, 12*hour + hour/2, 5, map[int64]int64{10: 1, 11: 2, 12: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := scan.NewBuilder([]string{"x"}, scan.Options{})
			b.Start(0, "test")
			spread(b, &flows.Record{Src: a, Dst: d, First: tc.first, Last: tc.last}, tc.n)
			res, err := b.Result()
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]int64{}
			for h, iv := range res.Intervals.All() {
				got[h] = iv.Packets
			}
			if len(got) != len(tc.want) {
				t.Fatalf("intervals %v, want %v", got, tc.want)
			}
			for h, n := range tc.want {
				if got[h] != n {
					t.Errorf("intervals %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// TestSampledEstimate: a sampled record's packets are counted as
// exported and, times its rate, as the estimate on the wire.
func TestSampledEstimate(t *testing.T) {
	b := scan.NewBuilder([]string{"x"}, scan.Options{})
	b.Start(0, "test")
	sum := newSummary()
	src, dst := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.51.100.2")
	recs := []flows.Record{
		{Src: src, Dst: dst, Proto: 6, SrcPort: 0, DstPort: 80, Packets: 3, Bytes: 120, SamplingRate: 100, Has: flows.HasTimes},
		{Src: src, Dst: dst, Proto: 1, DstPort: 0x0800, Packets: 2, Bytes: 56, SamplingRate: 0, Has: flows.HasTimes | flows.HasICMP, ICMPType: 8},
		{Src: src, Dst: dst, Proto: 17, SrcPort: 53, DstPort: 53, Packets: 5, Bytes: 500, SamplingRate: 10, Has: flows.HasTimes},
	}
	for i := range recs {
		add(b, sum, &recs[i], int64(i))
	}
	res, err := b.Result()
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if sum.Packets != 10 || sum.Estimated != 3*100+2+5*10 {
		t.Errorf("packets %d, estimated %d; want 10, 352", sum.Packets, sum.Estimated)
	}
	if sum.EstimatedJudgement["real"] != 300 || sum.EstimatedJudgement["no-ports"] != 2 || sum.JudgedPackets["real"] != 3 {
		t.Errorf("estimated by judgement %v, judged packets %v", sum.EstimatedJudgement, sum.JudgedPackets)
	}
	if got := sum.SamplingRates; got["100"] != 1 || got["unknown"] != 1 || got["10"] != 1 {
		t.Errorf("sampling rates %v", got)
	}
}
