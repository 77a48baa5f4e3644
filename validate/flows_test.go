package validate

import (
	"path/filepath"
	"testing"

	"github.com/port0/port0/flows"
	"github.com/port0/port0/flowscan"
)

// TestScoreFlowsFixtures scores the judgements of the committed nfcapd
// files (testdata/nfcapd, made by real exporters from the committed
// captures) against those captures' packets.
func TestScoreFlowsFixtures(t *testing.T) {
	type cell struct{ truth, got flows.Judgement }
	for _, tc := range []struct {
		capture, flowFile string
		port0, unmatched  int64
		counts            map[cell]int64
		naive             float64
	}{
		// softflowd: two real flows; the non-first fragments written 0/0
		// are undecidable (no fragment fields), one key is half and half.
		{"captures/fragments_v4.pcap", "frag4-softflowd-v9.nfcapd", 5, 1, map[cell]int64{{flows.Real, flows.Real}: 2, {flows.NoPorts, flows.Undecidable}: 2}, 0.5},
		// nfpcapd reassembles IPv4 fragments: one real flow.
		{"captures/fragments_v4.pcap", "frag4-nfpcapd.nfcapd", 1, 0, map[cell]int64{{flows.Real, flows.Real}: 1}, 0},
		// IPv6 fragments as protocol 44 (nfpcapd) or 0 (softflowd): no
		// ports, every one told.
		{"captures/fragments_v6.pcap", "frag6-nfpcapd.nfcapd", 4, 2, map[cell]int64{{flows.NoPorts, flows.NoPorts}: 2}, 1},
		{"captures/fragments_v6.pcap", "frag6-softflowd-ipfix.nfcapd", 6, 2, map[cell]int64{{flows.Real, flows.Real}: 2, {flows.NoPorts, flows.NoPorts}: 2}, 0.5},
		// The real tools: 33 ICMP flows (no ports), 144 real.
		{"realtools/real_tools.pcap", "realtools-none.nfcapd", 177, 0, map[cell]int64{{flows.Real, flows.Real}: 144, {flows.NoPorts, flows.NoPorts}: 33}, 33.0 / 177},
	} {
		t.Run(tc.flowFile, func(t *testing.T) {
			s, err := ScoreFlowsOf([]string{filepath.Join("..", "testdata", tc.capture)}, func(fn func(*flows.Record)) error {
				return flowscan.Each([]string{filepath.Join("..", "testdata", "nfcapd", tc.flowFile)}, flowscan.Options{}, fn)
			})
			if err != nil {
				t.Fatal(err)
			}
			if s.Port0Flows != tc.port0 || s.Unmatched != tc.unmatched {
				t.Errorf("port-0 flows %d, unmatched %d; want %d, %d", s.Port0Flows, s.Unmatched, tc.port0, tc.unmatched)
			}
			got := map[cell]int64{}
			for tr, row := range s.Counts {
				for g, n := range row {
					got[cell{tr, g}] = n
				}
			}
			if len(got) != len(tc.counts) {
				t.Errorf("counts %v, want %v", got, tc.counts)
			}
			for c, n := range tc.counts {
				if got[c] != n {
					t.Errorf("truth %s judged %s: %d, want %d", c.truth, c.got, got[c], n)
				}
			}
			if d := s.NaiveShare() - tc.naive; d > 1e-9 || d < -1e-9 {
				t.Errorf("naive share %v, want %v", s.NaiveShare(), tc.naive)
			}
			if p, r, _ := s.Score(flows.NoPorts); tc.counts[cell{flows.NoPorts, flows.NoPorts}] > 0 && p != 1 {
				t.Errorf("no-ports precision %v recall %v: a flow judged no-ports that had ports", p, r)
			}
		})
	}
}
