package reference

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/label"
)

// corpusClass maps a record to the class of expected.csv it was crafted
// as. Ports count as readable when Record.Ports is PortsPresent, even when
// a later part of the header is cut (TCP options); a packet whose ports
// are readable but whose header is inconsistent (TCP data offset < 5 or
// beyond the segment) is malformed, as is a tiny first fragment.
func corpusClass(r *decode.Record) string {
	switch {
	case r.Link == decode.LinkUnsupported || r.Link == decode.LinkNotIP:
		return "undecodable"
	case r.Ports == decode.PortsPresent && r.Reason != decode.ReasonNone && r.Reason != decode.ReasonTruncated:
		return "malformed"
	case r.Ports == decode.PortsPresent:
		return [...]string{decode.Port0None: "ports", decode.Port0Src: "src0", decode.Port0Dst: "dst0", decode.Port0Both: "both0"}[r.Port0]
	case r.Reason == decode.ReasonTruncated:
		return "truncated"
	case r.Reason != decode.ReasonNone:
		return "malformed"
	case r.Ports == decode.PortsNonFirstFragment:
		return "nonfirst"
	case r.Ports == decode.PortsNone:
		return "noports"
	}
	return "unclassified"
}

// corpusPackets reads every packet of a capture (their data copied) up to
// its end or its read error; none for a file that cannot be opened.
func corpusPackets(name string) []capture.Packet {
	c, err := capture.Open(name)
	if err != nil {
		return nil
	}
	defer c.Close()
	var pkts []capture.Packet
	var p capture.Packet
	for {
		if c.Next(&p) != nil {
			return pkts
		}
		q := p
		q.Data = bytes.Clone(p.Data)
		pkts = append(pkts, q)
	}
}

// TestCorpusDecoders decodes every committed capture with both decoders
// (subtests "fast" and "ref") and checks the classes of expected.csv.
// The reference record is compared after Normalize, which takes the
// transport header of first fragments from the fast record (gopacket
// stops at the Fragment layer); fast and ref must then be equal.
func TestCorpusDecoders(t *testing.T) {
	rows := testcap.ReadExpected(t)
	if len(rows) < 40 {
		t.Fatalf("expected.csv has %d rows", len(rows))
	}
	ref := NewRefDecoder()
	for _, row := range rows {
		t.Run(row.File, func(t *testing.T) {
			pkts := corpusPackets(filepath.Join(testcap.CorpusDir(), row.File))
			fast := make([]decode.Record, len(pkts))
			slow := make([]decode.Record, len(pkts))
			for i, p := range pkts {
				var f, r decode.Record
				f.Decode(p.LinkType, p.Data)
				ref.Decode(p.LinkType, p.Data, &r)
				fast[i], slow[i] = Normalize(f, r)
				if fast[i] != slow[i] {
					t.Errorf("packet %d: fast and ref differ after Normalize:\n%s", i, FormatDiffs(DiffRecords(fast[i], slow[i])))
				}
			}
			want := map[string]int{"icmp0": row.ICMP0, "tunneled": row.Tunneled, "notes": row.Notes}
			for cl, n := range row.Classes {
				want[cl] = n
			}
			for _, dec := range []struct {
				name string
				recs []decode.Record
			}{{"fast", fast}, {"ref", slow}} {
				t.Run(dec.name, func(t *testing.T) {
					got := map[string]int{}
					for i := range dec.recs {
						r := &dec.recs[i]
						c := corpusClass(r)
						got[c]++
						if r.Inner.Ports == decode.PortsPresent && r.Inner.Port0 >= decode.Port0Src {
							got["icmp0"]++
						}
						if r.Encap != decode.EncapNone {
							got["tunneled"]++
						}
						if r.Note != decode.NoteNone {
							got["notes"]++
						}
						if c == "unclassified" {
							t.Errorf("packet %d: no class for %+v", i, *r)
						}
					}
					for _, cl := range append(testcap.ClassColumns, "icmp0", "tunneled", "notes") {
						if got[cl] != want[cl] {
							t.Errorf("%s: %d, want %d", cl, got[cl], want[cl])
						}
					}
				})
			}
		})
	}
}

// TestGenCapture checks a default-scenario gen capture (testcap.Medium):
// the decoders agree on every packet (Crosscheck), and the packets with a
// port 0 in their own headers plus the ICMP errors quoting a port 0 are
// exactly the packets of the truth's port-0-related classes. (The
// generator makes no port-0-related packet without one of the two:
// crafted-malformed TCP headers with data offset < 5 keep their ports,
// and backscatter-from-0 includes ICMP unreachables quoting a UDP header
// to port 0.) That the scan counts them, and the orphan fragments, as the
// truth says is scan's TestGenCaptureCounts.
func TestGenCapture(t *testing.T) {
	g := testcap.Medium(t)
	t.Run("crosscheck", func(t *testing.T) {
		var out bytes.Buffer
		res, err := Crosscheck([]string{"-"}, bytes.NewReader(g.Pcap), capture.ReadOptions{}, 10, &out)
		if err != nil || res.Differing != 0 || res.Packets != int64(len(g.Truth)) {
			t.Fatalf("crosscheck: %v, %+v\n%s", err, res, out.String())
		}
	})
	c, err := capture.New("gen", bytes.NewReader(g.Pcap))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	perClass := map[label.Class][2]int64{} // truth count, decoded port-0 count
	var p capture.Packet
	var r decode.Record
	for i, tr := range g.Truth {
		if err := c.Next(&p); err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		r.Decode(p.LinkType, p.Data)
		own := r.Ports == decode.PortsPresent && r.Port0 >= decode.Port0Src
		quoted := r.Inner.Ports == decode.PortsPresent && r.Inner.Port0 >= decode.Port0Src
		n := perClass[tr.Class]
		n[0]++
		if own || quoted {
			n[1]++
		}
		perClass[tr.Class] = n
	}
	if err := c.Next(&p); !errors.Is(err, io.EOF) {
		t.Errorf("after the truth's %d packets: %v, want the end", len(g.Truth), err)
	}
	for cl, n := range perClass {
		want := int64(0)
		if cl.Port0Related() {
			want = n[0]
		}
		if n[1] != want {
			t.Errorf("class %v: %d packets, %d with a port 0 in their headers or quote, want %d", cl, n[0], n[1], want)
		}
	}
}
