package decode

import (
	"math/rand/v2"
	"testing"
)

// TestTCPOptionLayouts checks that the whole-layout matches of tcpOptions
// give the Record the option walk gives, on the three layouts with random
// values and on every one-byte change of them (which must fall back to the
// walk, or still match when the change is in a value field).
func TestTCPOptionLayouts(t *testing.T) {
	layouts := [][]byte{
		{2, 4, 5, 0xb4},
		{2, 4, 5, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2},
		{2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(o []byte) {
		var fast, walk Record
		okF := fast.tcpOptions(o)
		okW := walk.walkOptions(o)
		if okF != okW || fast != walk {
			t.Fatalf("options % x: tcpOptions gives %v %+v, the walk %v %+v", o, okF, fast, okW, walk)
		}
	}
	for _, l := range layouts {
		for range 200 {
			o := append([]byte(nil), l...)
			o[2], o[3] = byte(rng.Uint32()), byte(rng.Uint32())
			if len(o) == 20 {
				for i := 8; i < 16; i++ {
					o[i] = byte(rng.Uint32())
				}
			}
			o[len(o)-1] = byte(rng.Uint32())
			check(o)
			for i := range o {
				m := append([]byte(nil), o...)
				m[i] = byte(rng.Uint32())
				check(m)
				m[i] = o[i] ^ 1
				check(m)
			}
		}
	}
}
