package reference

import (
	"path/filepath"
	"testing"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
	"github.com/port0/port0/decode/decodetest"
	"github.com/port0/port0/internal/testcap"
)

// fuzzLinks maps the fuzzer's link byte onto the link types that matter.
var fuzzLinks = [...]capture.LinkType{capture.LinkNull, capture.LinkEthernet, capture.LinkRawBSD12, capture.LinkRawBSD14, capture.LinkRaw, capture.LinkLoop, capture.LinkSLL, capture.LinkIPv4, capture.LinkIPv6, capture.LinkSLL2, 147,
	capture.LinkPPP, capture.LinkFDDI, capture.LinkPPPHDLC, capture.LinkCHDLC, capture.LinkIEEE80211, capture.LinkFrameRelay, capture.LinkRadiotap, capture.LinkARCNET, capture.LinkIPNet, capture.LinkNFLog, capture.LinkIPoIB}

// FuzzDecoders checks that neither decoder panics and that they agree
// after Normalize. The table cases of decodetest (Cases, LinkCases), and
// every packet of the committed corpus on a link type of fuzzLinks (the
// tunnel and note files among them), are its seeds.
func FuzzDecoders(f *testing.F) {
	for _, c := range append(decodetest.Cases(), decodetest.LinkCases()...) {
		for i, l := range fuzzLinks {
			if l == c.Link {
				f.Add(uint8(i), c.Data)
			}
		}
	}
	for _, row := range testcap.ReadExpected(f) {
		for _, p := range corpusPackets(filepath.Join(testcap.CorpusDir(), row.File)) {
			for i, l := range fuzzLinks {
				if l == p.LinkType {
					f.Add(uint8(i), p.Data)
				}
			}
		}
	}
	ref := NewRefDecoder()
	f.Fuzz(func(t *testing.T, li uint8, data []byte) {
		link := fuzzLinks[int(li)%len(fuzzLinks)]
		var fast, slow decode.Record
		fast.Decode(link, data)
		ref.Decode(link, data, &slow)
		nf, nr := Normalize(fast, slow)
		if nf != nr {
			t.Errorf("link %d data %x\n%s", link, data, FormatDiffs(DiffRecords(nf, nr)))
		}
	})
}
