package gen

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// FamilyProjection is what a plan holds of one actor family: the numbers
// the scenario itself gives at a scale, before any packet is drawn.
type FamilyProjection struct {
	Family  string
	Actors  int
	Packets float64 // planned (expected) packets
	// TopShare is the share of the family's planned packets sent by its
	// heaviest actor.
	TopShare float64
	// Events is the family's multi-packet events a telescope sees:
	// backscatter victims (one attack each), fingerprint bundles
	// (planned packets over the probes per bundle); 0 for the others.
	Events float64
}

// Projection is a plan's populations and volumes per family, and the
// concentration of its port-0 traffic: what the scenario says a telescope
// at that scale holds.
type Projection struct {
	Scale        float64
	Packets      float64 // all planned packets
	Port0Packets float64 // planned port-0-related packets
	Families     []FamilyProjection
	// Top10Share is the share of the planned port-0 packets sent by the
	// ten heaviest port-0 actors.
	Top10Share float64
}

// Project summarises the plan by family (in the order of the scenario).
// It reads the planned actors only, so it is exact for the plan and costs
// no packet: at scale 1 (two million actors) it takes the plan's own
// building time, some 20 s and 0.4 GB.
func (p *Plan) Project() Projection {
	pr := Projection{Scale: p.Scale}
	fams := make([]FamilyProjection, numFamilies)
	top := make([]float64, numFamilies)
	var port0 []float64
	for i := range p.Actors {
		a := &p.Actors[i]
		f := &fams[a.Family]
		f.Actors++
		f.Packets += a.Packets
		top[a.Family] = max(top[a.Family], a.Packets)
		pr.Packets += a.Packets
		switch a.Family {
		case famBackscatter:
			f.Events++
		case famFingerprint:
			f.Events += a.Packets / float64(bundleLen(a.Kind))
		}
		if a.Family != famBackground && a.Family != famFragments {
			port0 = append(port0, a.Packets)
			pr.Port0Packets += a.Packets
		}
	}
	for fam := range numFamilies {
		f := fams[fam]
		if f.Actors == 0 {
			continue
		}
		f.Family = family(fam).String()
		if f.Packets > 0 {
			f.TopShare = top[fam] / f.Packets
		}
		pr.Families = append(pr.Families, f)
	}
	slices.SortFunc(port0, func(a, b float64) int { return cmp.Compare(b, a) })
	heavy := 0.0
	for _, v := range port0[:min(10, len(port0))] {
		heavy += v
	}
	if pr.Port0Packets > 0 {
		pr.Top10Share = heavy / pr.Port0Packets
	}
	return pr
}

// WriteMarkdown writes the projection as rows of a Markdown table, with
// the table's header first when header is set: one row per family, then
// the port-0 top-10 share.
func (p Projection) WriteMarkdown(w io.Writer, header bool) error {
	if header {
		if _, err := io.WriteString(w, "| scale | family | actors | planned packets | heaviest actor | events |\n|---|---|---:|---:|---:|---:|\n"); err != nil {
			return err
		}
	}
	scale := FormatScale(p.Scale)
	for _, f := range p.Families {
		ev := "—"
		if f.Events > 0 {
			ev = strconv.FormatFloat(math.Round(f.Events), 'f', 0, 64)
		}
		if _, err := fmt.Fprintf(w, "| %s | %s | %d | %.0f | %.1f %% | %s |\n", scale, f.Family, f.Actors, math.Round(f.Packets), 100*f.TopShare, ev); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "| %s | *port-0 top 10* | | %.0f | %.1f %% | |\n", scale, math.Round(p.Port0Packets), 100*p.Top10Share)
	return err
}

// FormatScale prints a scale as the flags and the Makefile take it: 3e-6,
// 1e-3, 0.01, 1.
func FormatScale(s float64) string {
	t := strconv.FormatFloat(s, 'g', -1, 64)
	if s < 0.01 {
		t = strconv.FormatFloat(s, 'e', -1, 64)
	}
	return strings.Replace(t, "e-0", "e-", 1)
}
