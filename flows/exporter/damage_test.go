package exporter

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/port0/port0/flows"
)

// corpusEntry is a datagram to damage, after the datagrams that give it
// its templates, and the records and samples it gives whole.
type corpusEntry struct {
	name             string
	prime            [][]byte
	dg               []byte
	records, samples int
}

// corpus is one datagram of each format and kind the tests build.
func corpus() []corpusEntry {
	v5 := buildV5(v5Header{uptime: 100_000, secs: secs, sampling: 100},
		v5Record{src: hostA, dst: hostB, packets: 3, octets: 120, first: 99_000, last: 99_500, flags: 0x02, proto: 6},
		v5Record{src: hostA, dst: hostB, packets: 1, octets: 84, dport: 0x0303, proto: 1})
	v9Templates := newV9(7, secs, 50_000).template(256, v9Plain...).template(257, v9Frag...)
	v9Data := newV9(7, secs, 50_000).
		data(256, rec(v9Plain, hostA, hostB, 0, 0, 17, 0, 28, 1, 49_000, 49_900)).
		data(257, rec(v9Frag, hostA, hostB, 0, 0, 17, 0, 1500, 1, 49_000, 49_900, 185, 0x20, 55),
			rec(v9Frag, hostA, hostB, 0, 0, 17, 0, 1500, 1, 49_000, 49_900, 0, 0x20, 55))
	opts := append(append([]fld(nil), ipfixOptScope...), ipfixOptions...)
	ipfixAll := newIPFIX(1, secs).
		optionsTemplate(400, ipfixOptScope, ipfixOptions).
		data(400, rec(opts, 1, uint64(secs-3600)*1000, 1, 99)).
		template(300, ipfixSoftflowd...).template(302, ipfixRich...).
		data(300, rec(ipfixSoftflowd, hostA, hostB, 1000, 1500, 40, 1, 40000, 0, 6, 0x14, 4)).
		data(302, rec(ipfixRich, host6, dst6, 0, 0, 17, 0, uint64(secs)*1000+1, uint64(secs)*1000+2, 64, 0, 0, 2, 3000, 99))
	ipfixTemplates := newIPFIX(1, secs).template(300, ipfixSoftflowd...).template(302, ipfixRich...)
	ipfixData := newIPFIX(1, secs).
		data(300, rec(ipfixSoftflowd, hostA, hostB, 1000, 1500, 40, 1, 40000, 0, 6, 0x14, 4)).
		data(302, rec(ipfixRich, host6, dst6, 0, 0, 17, 0, uint64(secs)*1000+1, uint64(secs)*1000+2, 64, 0, 0, 2, 3000, 99))
	section := []fld{{ieFrameSize, 2, 0}, {ieFrameSect, 0xffff, 0}}
	frame := ether(ipv4UDP(netip.AddrPortFrom(hostA, 1234), netip.AddrPortFrom(hostB, 0), 0, []byte("nineteen bytes long")))
	ipfixSection := newIPFIX(9, secs).template(320, section...).data(320, rec(section, 1514, frame[:48]))
	sf := sflowDatagram(netip.MustParseAddr("192.0.2.99"), 3, 77, 1000,
		flowSample(1, 512, 5120, 4, 5, rawHeader(HeaderEthernet, uint32(len(frame))+4, 4, frame)),
		counterSample(1, 4, ifCounters(4)),
		flowSample(2, 512, 5632, 4, 5, sampledIPv4(40, 6, hostA, hostB, 80, 0, 0x12, 0)),
		expandedFlowSample(3, 1024, 9000, 6, 7, rawHeader(HeaderEthernet, uint32(len(frame)), 0, frame)))
	sf6 := sflowDatagram(netip.MustParseAddr("2001:db8::99"), 0, 1, 1,
		flowSample(1, 1, 1, 0, 0, sampledIPv4(40, 17, hostA, hostB, 0, 0, 0, 0)))
	return []corpusEntry{
		{"netflow5", nil, v5, 2, 0},
		{"netflow9 templates and data", nil, newV9(7, secs, 50_000).template(256, v9Plain...).
			data(256, rec(v9Plain, hostA, hostB, 0, 0, 17, 0, 28, 1, 49_000, 49_900)).bytes(), 1, 0},
		{"netflow9 data", [][]byte{v9Templates.bytes()}, v9Data.bytes(), 3, 0},
		{"ipfix options, templates and data", nil, ipfixAll.bytes(), 2, 0},
		{"ipfix data", [][]byte{ipfixTemplates.bytes()}, ipfixData.bytes(), 2, 0},
		{"ipfix packet section", nil, ipfixSection.bytes(), 0, 1},
		{"sflow", nil, sf, 1, 2},
		{"sflow agent ipv6", nil, sf6, 1, 0},
	}
}

// decodeCounting decodes dg after prime with a new Decoder and counts
// what comes out; a datagram of prime must decode without an error.
func decodeCounting(t testing.TB, prime [][]byte, dg []byte) (records, samples int, err error) {
	t.Helper()
	d := NewDecoder()
	for _, p := range prime {
		if err := d.Decode(p, expA, 0, nil, nil); err != nil {
			t.Fatalf("prime: %v", err)
		}
	}
	err = d.Decode(dg, expA, 0, func(r *flows.Record) {
		records++
		if r.Has&^allHas != 0 {
			t.Errorf("Has %#x", r.Has)
		}
	}, func(s *Sample) {
		samples++
		if len(s.Header) > len(dg) {
			t.Errorf("sample header of %d bytes from %d", len(s.Header), len(dg))
		}
	})
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %T %v", err, err)
		}
	}
	return records, samples, err
}

func TestCorpusWhole(t *testing.T) {
	for _, c := range corpus() {
		t.Run(c.name, func(t *testing.T) {
			recs, samples, err := decodeCounting(t, c.prime, c.dg)
			if err != nil || recs != c.records || samples != c.samples {
				t.Errorf("%d records, %d samples, %v; want %d, %d", recs, samples, err, c.records, c.samples)
			}
		})
	}
}

// TestCuts: every cut of a valid datagram decodes without a panic to an
// error or to no more than the whole datagram gives; a cut inside the
// header is always an error.
func TestCuts(t *testing.T) {
	for _, c := range corpus() {
		t.Run(c.name, func(t *testing.T) {
			for n := range len(c.dg) {
				recs, samples, err := decodeCounting(t, c.prime, c.dg[:n])
				if recs > c.records || samples > c.samples {
					t.Errorf("cut at %d: %d records, %d samples, more than whole", n, recs, samples)
				}
				if err == nil && n < 16 {
					t.Errorf("cut at %d: no error", n)
				}
				if err == nil && recs == c.records && samples == c.samples && c.records+c.samples > 0 {
					t.Errorf("cut at %d: all of it, and no error", n)
				}
			}
		})
	}
}

// TestCorrupt: any byte of a valid datagram changed decodes without a
// panic, in bounded time, to records or an error.
func TestCorrupt(t *testing.T) {
	for _, c := range corpus() {
		t.Run(c.name, func(t *testing.T) {
			b := make([]byte, len(c.dg))
			for i := range c.dg {
				for _, x := range []byte{0xff, 0x80, 0x01, 0x7f} {
					copy(b, c.dg)
					b[i] ^= x
					decodeCounting(t, c.prime, b)
				}
			}
		})
	}
}

// FuzzDecode: whatever the bytes, Decode returns nil or an *Error, never
// panics, sets only Has bits that exist, and keeps its counts adding up;
// a datagram decoded twice gives its own templates to its data the
// second time. The seed corpus (run by plain go test) is the corpus
// above, primers included.
func FuzzDecode(f *testing.F) {
	for _, c := range corpus() {
		f.Add(c.dg)
		for _, p := range c.prime {
			f.Add(append(append([]byte(nil), p...), c.dg...))
			f.Add(p)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder()
		for range 2 {
			err := d.Decode(data, expA, 0, func(r *flows.Record) {
				if r.Has&^allHas != 0 {
					t.Fatalf("Has %#x", r.Has)
				}
			}, func(s *Sample) {
				if len(s.Header) > len(data) {
					t.Fatalf("sample header of %d bytes from %d", len(s.Header), len(data))
				}
			})
			var e *Error
			if err != nil && !errors.As(err, &e) {
				t.Fatalf("error %T %v", err, err)
			}
		}
		s := d.Stats()
		if s.Datagrams != 2 || s.NetFlow5+s.NetFlow9+s.IPFIX+s.SFlow+s.Unknown != s.Datagrams {
			t.Fatalf("stats %v", s)
		}
		var n int64
		for _, v := range s.Errors {
			n += v
		}
		if n != s.Failed || len(s.ErrorMessages) > MaxErrorMessages {
			t.Fatalf("stats %v", s)
		}
	})
}
