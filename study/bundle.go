package study

import (
	"math/bits"
	"net/netip"

	"github.com/port0/port0/classify"
)

// Bundle is one fingerprinting bundle: the probes a source sent to one
// target, in order, with no gap above Options.BundleGap.
type Bundle struct {
	Src, Dst    netip.Addr
	First, Last int64
	Order       []classify.Probe // probes in the order sent (first 16)
	Mask        classify.ProbeSet
}

// Distinct is the number of distinct probe shapes.
func (b *Bundle) Distinct() int { return bits.OnesCount16(uint16(b.Mask)) }

// Distinguishes says which operating systems the bundle's probe set can
// tell apart, by the response matrix of docs/BACKGROUND.md: OpenBSD stays silent
// to P3 (open port), P5 and P6 where Linux and Windows answer; no probe of
// the seven separates Linux from Windows 2000.
func (b *Bundle) Distinguishes() string {
	if b.Mask&(1<<classify.ProbeP34|1<<classify.ProbeP5|1<<classify.ProbeP6) != 0 {
		return "openbsd vs linux/windows"
	}
	return "none"
}
