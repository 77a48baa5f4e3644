package reference

import (
	"testing"

	"github.com/port0/port0/decode"
	"github.com/port0/port0/decode/decodetest"
)

// The case tables are decodetest's: package decode's tests hold the fast
// decoder to the Records they state; here the reference decoder is held to
// the same Records (but for refWants) and the two decoders to each other,
// after Normalize, on the same packets.

// Short names for the expected records' bases.
var (
	rIPv4   = decodetest.IPv4Record
	rIPv6   = decodetest.IPv6Record
	withSYN = decodetest.WithSYN
	withUDP = decodetest.WithUDP
)

// refWants are the Records the reference decoder gives, before Normalize,
// where they differ from the table's (a known difference of gopacket); the
// normalised pair must still agree.
func refWants() map[string]decode.Record {
	m := map[string]decode.Record{}
	// gopacket decodes no transport header in a fragment.
	r := rIPv4(decode.ProtoTCP, 48)
	r.MF, r.Frag = true, decode.FragFirst
	m["ipv4/first-fragment-tcp"] = r
	r = rIPv4(decode.ProtoUDP, 24)
	r.MF, r.Frag = true, decode.FragFirst
	m["ipv4/tiny-first-fragment"] = r
	v6f, _ := decodetest.Find("ipv6/first-fragment-udp")
	r = rIPv6(decode.ProtoUDP, v6f.Want.IPLen)
	r.Ext, r.NExt, r.MF, r.IPID, r.Frag = [decode.MaxExt]uint8{44}, 1, true, 0xcafebabe, decode.FragFirst
	m["ipv6/first-fragment-udp"] = r
	// gopacket fails inside its IPv6 layer, which holds the hop-by-hop
	// header: it knows neither that header nor what follows.
	r = rIPv6(decode.ProtoHopByHop, 0)
	r.Ports, r.Reason = decode.PortsMalformed, decode.ReasonIPLength
	m["ipv6/length-0-no-jumbo-option"] = r
	return m
}

// refDiffers are the cases where gopacket's Record differs from the
// table's in a way Normalize reconciles, with why; only the normalised
// pair is compared there.
var refDiffers = map[string]string{
	"ipv6/ext-chain-too-long":               "gopacket walks any number of extension headers",
	"ipv6/two-fragment-headers":             "gopacket stops at the first Fragment header",
	"ipv6/ext-cut-by-capture":               "gopacket calls a header cut by the capture beyond the IP length",
	"ipv6/jumbo-option-with-payload-length": "gopacket fails inside its IPv6 layer, which holds the hop-by-hop header",
	"ipv6/option-longer-than-header":        "gopacket does not hold options to their header's length",
	"ipv6-229/ipv4-packet":                  "gopacket decodes link type 229 as IPv6 whatever the version nibble",
	"icmp4/header-cut-by-ip-length":         "gopacket calls an ICMP header the IP length cuts truncated",
	"tunnel/ipip-first-fragment":            "gopacket decodes nothing after the IP header of a fragment",
}

// gotWant formats the differences between a decoder's record and the
// expected one.
func gotWant(got, want decode.Record) string {
	var s string
	for _, d := range DiffRecords(got, want) {
		s += "  " + d.Field + ": got " + d.Fast + ", want " + d.Ref + "\n"
	}
	return s
}

// TestDecode runs every case of decodetest's Cases and LinkCases through
// the reference decoder, against the table's Record (or refWants', or
// none for refDiffers), and checks that the fast decoder agrees with it
// after Normalize.
func TestDecode(t *testing.T) {
	ref := NewRefDecoder()
	refWant := refWants()
	for _, c := range append(decodetest.Cases(), decodetest.LinkCases()...) {
		t.Run(c.Name, func(t *testing.T) {
			var fast, slow decode.Record
			fast.Decode(c.Link, c.Data)
			ref.Decode(c.Link, c.Data, &slow)
			want, known := refWant[c.Name]
			if !known {
				want = c.Want
			}
			if _, differs := refDiffers[c.Name]; !differs && slow != want {
				t.Errorf("ref: got != want\n%s", gotWant(slow, want))
			}
			nf, nr := Normalize(fast, slow)
			if nf != nr {
				t.Errorf("fast != ref after Normalize\n%s", FormatDiffs(DiffRecords(nf, nr)))
			}
		})
	}
	for name := range refWant {
		if _, ok := decodetest.Find(name); !ok {
			t.Errorf("refWants names %q, which is no case", name)
		}
	}
	for name := range refDiffers {
		if _, ok := decodetest.Find(name); !ok {
			t.Errorf("refDiffers names %q, which is no case", name)
		}
	}
}
