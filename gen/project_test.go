package gen

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// TestProject checks a projection adds up to its plan: every actor in one
// family, the families' packets to the plan's, a backscatter event per
// victim, and the top-10 share of the heaviest port-0 actors; and that the
// heavy hitters keep the port-0 traffic concentrated as the scale grows
// (SCALING.md).
func TestProject(t *testing.T) {
	var prev float64
	for i, scale := range []float64{1e-6, 1e-4, 1e-2} {
		p, err := NewPlan(Paper(), 1, scale)
		if err != nil {
			t.Fatal(err)
		}
		pr := p.Project()
		actors, packets := 0, 0.0
		for _, f := range pr.Families {
			actors += f.Actors
			packets += f.Packets
			if f.Family == "backscatter0" && f.Events != float64(f.Actors) {
				t.Errorf("scale %g: %v backscatter events for %d victims", scale, f.Events, f.Actors)
			}
		}
		if actors != len(p.Actors) || math.Abs(packets-pr.Packets) > 1e-6*pr.Packets {
			t.Errorf("scale %g: %d actors of %d, %v packets of %v", scale, actors, len(p.Actors), packets, pr.Packets)
		}
		if pr.Top10Share < 0.8 || pr.Top10Share > 1 || (i > 0 && pr.Top10Share > prev+1e-9) {
			t.Errorf("scale %g: planned top-10 share %.4f (previous scale %.4f): want ≥ 0.8, not growing", scale, pr.Top10Share, prev)
		}
		prev = pr.Top10Share
		var b bytes.Buffer
		if err := pr.WriteMarkdown(&b, true); err != nil || !strings.Contains(b.String(), "| "+FormatScale(scale)+" | *port-0 top 10* |") {
			t.Errorf("WriteMarkdown: %v\n%s", err, b.String())
		}
	}
	for s, want := range map[float64]string{3e-6: "3e-6", 1e-5: "1e-5", 1e-3: "1e-3", 0.01: "0.01", 1: "1", 2.5e-10: "2.5e-10"} {
		if got := FormatScale(s); got != want {
			t.Errorf("FormatScale(%g) = %q, want %q", s, got, want)
		}
	}
}
