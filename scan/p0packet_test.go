package scan

import (
	"encoding/hex"
	"net/netip"
	"testing"
)

// TestRecordLayout pins the encoding of a port-0 record (the spill files'
// and a partial result's): the offsets of its fields, RecordLen, and the
// bytes of two records, one with every field set to a value of its own and
// one with the bits that the first leaves clear. A change of the layout
// changes these on purpose: the records it reads are written by this
// program (Records, WriteResult), so no version of the format is kept.
func TestRecordLayout(t *testing.T) {
	for _, f := range []struct {
		name      string
		off, want int
	}{
		{"File", recFile, 0}, {"Index", recIndex, 4}, {"TS", recTS, 12}, {"Src", recSrc, 20}, {"Dst", recDst, 37},
		{"InnerSrc", recInnerSrc, 54}, {"Proto", recProto, 71}, {"TTL", recTTL, 72}, {"Shape", recShape, 73},
		{"Probe", recProbe, 74}, {"Flags", recFlags, 75}, {"Window", recWindow, 77}, {"SrcPort", recSrcPort, 79},
		{"DstPort", recDstPort, 81}, {"IPID", recIPID, 83}, {"Seq", recSeq, 87}, {"Length", recLength, 91},
		{"Port0", recPort0, 93}, {"ICMPType", recICMPType, 94}, {"bits", recBits, 95}, {"Encap", recEncap, 96},
		{"OuterSrc", recOuterSrc, 97}, {"OuterDst", recOuterDst, 114}, {"RecordLen", RecordLen, 131},
	} {
		if f.off != f.want {
			t.Errorf("%s at %d, want %d", f.name, f.off, f.want)
		}
	}
	full := P0Packet{File: 0x01020304, Index: 0x1112131415161718, TS: -0x2122232425262728,
		Src: netip.MustParseAddr("192.0.2.1"), Dst: netip.MustParseAddr("2001:db8::2"), Proto: 6, TTL: 0x41,
		Shape: 3, Probe: 2, Flags: 0x1a2, Window: 0xb1b2, SrcPort: 0xc1c2, DstPort: 0, IPID: 0xd1d2d3d4, Seq: 0xe1e2e3e4,
		Length: 0xf1f2, Port0: 2, ICMPType: 3, InnerSrc: netip.MustParseAddr("198.51.100.7"),
		DataOffOK: true, AckNoACK: true, TCPOpts: true, ZMapOpts: true, UDPSum0: true, Encap: 2,
		OuterSrc: netip.MustParseAddr("203.0.113.9"), OuterDst: netip.MustParseAddr("2001:db8::ff")}
	rest := P0Packet{DF: true, MSSOnly: true, TCPOpts: true}
	for _, c := range []struct {
		p    P0Packet
		want string
	}{
		{full, "040302011817161514131211d8d8d9dadbdcddde00000000000000000000ffffc00002010420010db8000000000000000000000002060000" +
			"0000000000000000ffffc63364070406410302a201b2b1c2c10000d4d3d2d1e4e3e2e1f2f102036d0200000000000000000000ffffcb007109" +
			"0420010db80000000000000000000000ff06"},
		{rest, "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
			"0000000000000000000000000000000000000000000000000000000000000000000000000000001a00000000000000000000000000000000" +
			"00000000000000000000000000000000000000"},
	} {
		b := c.p.AppendRecord(nil)
		if got := hex.EncodeToString(b); got != c.want {
			t.Errorf("%+v encodes as\n%s\nwant\n%s", c.p, got, c.want)
		}
		back, err := DecodeRecord(b, int(c.p.File)+1)
		if err != nil || back != c.p {
			t.Errorf("decoded %+v, %v; want %+v", back, err, c.p)
		}
	}
}

// TestRecordCheck: check refuses a record encode cannot have written,
// naming what is wrong, at the field's named offset.
func TestRecordCheck(t *testing.T) {
	good := P0Packet{Src: netip.MustParseAddr("192.0.2.1"), TCPOpts: true}
	for _, c := range []struct {
		name string
		edit func(b []byte)
		want string
	}{
		{"file", func(b []byte) { b[recFile] = 1 }, "file index 1 of 1 files"},
		{"family", func(b []byte) { b[recDst+addrFamily] = 5 }, "destination address family 5"},
		{"not v4", func(b []byte) { b[recSrc+10] = 0 }, "source address of family 4 is not an IPv4 address"},
		{"none with bytes", func(b []byte) { b[recOuterDst] = 1 }, "outer destination address of family 0 has address bytes"},
		{"shape", func(b []byte) { b[recShape] = 0xff }, "shape 255"},
		{"probe", func(b []byte) { b[recProbe] = 0xff }, "probe 255"},
		{"port0", func(b []byte) { b[recPort0] = 0xff }, "port-0 position 255"},
		{"nmap options", func(b []byte) { b[recBits] = bitNmapOpts }, "an option layout without TCP options (header flags 0x80)"},
		{"options", func(b []byte) { b[recBits] = bitMSSOnly }, "an option layout without TCP options (header flags 0x10)"},
		{"encap", func(b []byte) { b[recEncap] = 0xff }, "encapsulation 255"},
	} {
		b := good.AppendRecord(nil)
		if err := check(b, 1); err != nil {
			t.Fatalf("good record: %v", err)
		}
		c.edit(b)
		if err := check(b, 1); err == nil || err.Error() != c.want {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
