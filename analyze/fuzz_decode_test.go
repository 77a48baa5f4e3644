package analyze

import (
	"testing"
)

// fuzzLinks maps the fuzzer's link byte onto the link types that matter.
var fuzzLinks = [...]LinkType{LinkNull, LinkEthernet, LinkRawBSD12, LinkRawBSD14, LinkRaw, LinkLoop, LinkSLL, LinkIPv4, LinkIPv6, LinkSLL2, 147}

// FuzzDecoders checks that neither decoder panics and that they agree
// after Normalize. The table cases of decodeCases are its seeds.
func FuzzDecoders(f *testing.F) {
	for _, c := range decodeCases() {
		for i, l := range fuzzLinks {
			if l == c.link {
				f.Add(uint8(i), c.data)
			}
		}
	}
	ref := NewRefDecoder()
	f.Fuzz(func(t *testing.T, li uint8, data []byte) {
		link := fuzzLinks[int(li)%len(fuzzLinks)]
		var fast, slow Record
		fast.Decode(link, data)
		ref.Decode(link, data, &slow)
		nf, nr := Normalize(fast, slow)
		if nf != nr {
			t.Errorf("link %d data %x\n%s", link, data, formatDiffs(DiffRecords(nf, nr)))
		}
	})
}
