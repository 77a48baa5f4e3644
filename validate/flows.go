package validate

import (
	"fmt"
	"io"
	"net/netip"
	"path/filepath"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/classify"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/flows"
	"github.com/port0/port0/gen"
)

// FlowScore is how the flows an exporter made of a generated capture
// were judged (flows.Judge) against what their packets were: a flow
// with a port 0 is really port 0 when most packets of its key (source,
// destination and the ports as an exporter writes them) had a TCP or UDP
// header saying 0, and has no ports when most were non-first fragments,
// ICMP or another protocol. The packets' truth is what the headers say
// (the decoder, checked against gopacket), not an inference.
type FlowScore struct {
	// Flows is every flow record read; Port0Flows those with a port 0.
	Flows, Port0Flows int64
	// Unmatched counts port-0 flows whose key no packet of the capture
	// has (an exporter's own rewriting, or another capture).
	Unmatched int64
	// Counts[truth][judgement]: truth is flows.Real or flows.NoPorts;
	// the judgement is Judge's, Undecidable included.
	Counts map[flows.Judgement]map[flows.Judgement]int64
	// TCPUDP counts the port-0 flows with a known truth whose record says
	// TCP or UDP, and TCPUDPNoPorts those of them that had no ports (non-
	// first fragments, which exporters give the payload's protocol).
	TCPUDP, TCPUDPNoPorts int64
}

// NaiveTCPUDPShare is NaiveShare among the flows whose record says TCP or
// UDP: the share of "TCP/UDP port 0" that was fragments, what a count
// that already leaves out ICMP and other protocols still gets wrong.
func (s *FlowScore) NaiveTCPUDPShare() float64 {
	if s.TCPUDP == 0 {
		return 0
	}
	return float64(s.TCPUDPNoPorts) / float64(s.TCPUDP)
}

// Score is precision and recall of judgement j: of the flows judged j,
// the share that are j; of the flows that are j, the share judged j
// (an undecidable one is not).
func (s *FlowScore) Score(j flows.Judgement) (precision, recall float64, support int64) {
	var tp, predicted int64
	for t, row := range s.Counts {
		for g, n := range row {
			if g == j {
				predicted += n
			}
			if t == j {
				support += n
			}
			if t == j && g == j {
				tp += n
			}
		}
	}
	precision, recall, _ = prf(tp, predicted, support)
	return precision, recall, support
}

// NaiveShare is the share of the port-0 flows with a known truth that a
// naive count (a port 0 in the record) would report and that are not
// real port 0: the artifact the field asks about.
func (s *FlowScore) NaiveShare() float64 {
	var all, noPorts int64
	for t, row := range s.Counts {
		for _, n := range row {
			all += n
			if t == flows.NoPorts {
				noPorts += n
			}
		}
	}
	if all == 0 {
		return 0
	}
	return float64(noPorts) / float64(all)
}

// flowKey is a flow's key as exporters write it for the question asked
// here: addresses and the ports as exported (0/0 for a packet without
// ports, ICMP type and code in the destination port). The protocol is
// left out: exporters write an IPv6 fragment's as 44 (nfpcapd) or 0
// (softflowd), not the payload's.
type flowKey struct {
	src, dst     netip.Addr
	sport, dport uint16
}

// packetTruth counts, per key, the packets that were really port 0 and
// those that had no ports.
type packetTruth map[flowKey]*[2]int64

// capturePort0Truth reads captures and counts, per flow key with a port 0
// as exported, its real port-0 packets and its packets without ports.
func capturePort0Truth(pcaps []string) (packetTruth, error) {
	truth := packetTruth{}
	var p capture.Packet
	var r decode.Record
	for _, name := range pcaps {
		c, err := capture.Open(name)
		if err != nil {
			return nil, err
		}
		for {
			err := c.Next(&p)
			if err == io.EOF {
				break
			}
			if err != nil {
				c.Close()
				return nil, err
			}
			r.Decode(p.LinkType, p.Data)
			if r.IPVersion == 0 {
				continue
			}
			sp, dp := classify.NaiveFlowPorts(&r)
			if sp != 0 && dp != 0 {
				continue
			}
			k := flowKey{r.SrcAddr(), r.DstAddr(), sp, dp}
			n := truth[k]
			if n == nil {
				n = new([2]int64)
				truth[k] = n
			}
			if r.Ports == decode.PortsPresent && (r.Proto == decode.ProtoTCP || r.Proto == decode.ProtoUDP) {
				n[0]++ // a real port 0
			} else {
				n[1]++
			}
		}
		c.Close()
	}
	return truth, nil
}

// ScoreFlows scores the judgements of the flow records that each yields
// (the flows an exporter made of the generated capture in genDir) against
// what the capture's packets were.
func ScoreFlows(genDir string, each func(fn func(*flows.Record)) error) (*FlowScore, error) {
	m, err := gen.ReadManifest(genDir)
	if err != nil {
		return nil, fmt.Errorf("truth: %w", err)
	}
	var pcaps []string
	for _, sh := range m.Shards {
		pcaps = append(pcaps, filepath.Join(genDir, sh.Pcap))
	}
	return ScoreFlowsOf(pcaps, each)
}

// ScoreFlowsOf is ScoreFlows against the packets of any captures.
func ScoreFlowsOf(pcaps []string, each func(fn func(*flows.Record)) error) (*FlowScore, error) {
	truth, err := capturePort0Truth(pcaps)
	if err != nil {
		return nil, err
	}
	s := &FlowScore{Counts: map[flows.Judgement]map[flows.Judgement]int64{}}
	err = each(func(r *flows.Record) {
		s.Flows++
		j, _ := flows.Judge(r)
		if j == flows.NotPort0 {
			return
		}
		s.Port0Flows++
		k := flowKey{r.Src, r.Dst, r.SrcPort, r.DstPort}
		if r.Has&flows.HasICMP != 0 && (r.Proto == decode.ProtoICMP || r.Proto == decode.ProtoICMPv6) {
			// Type and code in their own fields (v9, IPFIX): keyed as
			// NetFlow v5 and nfdump write them.
			k.sport, k.dport = 0, uint16(r.ICMPType)<<8|uint16(r.ICMPCode)
		}
		n := truth[k]
		if n == nil || n[0] == n[1] {
			s.Unmatched++
			return
		}
		t := flows.Real
		if n[1] > n[0] {
			t = flows.NoPorts
		}
		if s.Counts[t] == nil {
			s.Counts[t] = map[flows.Judgement]int64{}
		}
		s.Counts[t][j]++
		if r.Proto == decode.ProtoTCP || r.Proto == decode.ProtoUDP {
			s.TCPUDP++
			if t == flows.NoPorts {
				s.TCPUDPNoPorts++
			}
		}
	})
	return s, err
}
