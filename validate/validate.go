package validate

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"

	"github.com/port0/port0/gen"
	"github.com/port0/port0/label"
	"github.com/port0/port0/tables"
)

// Confusion is a confusion matrix over purpose classes: Counts[truth][got].
// label.Unknown stands for "not port-0-related" on either side (a packet the
// analyzer missed, or one it listed that the truth does not call port-0).
type Confusion struct {
	Counts map[label.Class]map[label.Class]int64
}

func newConfusion() *Confusion { return &Confusion{Counts: map[label.Class]map[label.Class]int64{}} }

func (c *Confusion) add(truth, got label.Class) {
	if c.Counts[truth] == nil {
		c.Counts[truth] = map[label.Class]int64{}
	}
	c.Counts[truth][got]++
}

// Score is precision, recall and F1 of one class.
type Score struct {
	Class                        label.Class
	Support                      int64 // truth count
	Predicted                    int64
	Precision, Recall, F1        float64
	TruePositives, FalseNegative int64
}

// Scores computes per-class scores for every port-0 class present in the
// truth or in the predictions, in class order.
func (c *Confusion) Scores() []Score {
	classes := map[label.Class]bool{}
	for t, row := range c.Counts {
		classes[t] = true
		for g := range row {
			classes[g] = true
		}
	}
	var out []Score
	for _, k := range label.Classes() {
		if !classes[k] || !k.Port0Related() {
			continue
		}
		var s Score
		s.Class = k
		s.Support, s.Predicted, s.TruePositives = tally(c.Counts, k)
		s.FalseNegative = s.Support - s.TruePositives
		s.Precision, s.Recall, s.F1 = prf(s.TruePositives, s.Predicted, s.Support)
		out = append(out, s)
	}
	return out
}

// tally is k's support (truth row), predictions (analysis column) and
// true positives in a confusion matrix m[truth][analysis].
func tally[K comparable](m map[K]map[K]int64, k K) (support, predicted, tp int64) {
	for t, row := range m {
		for g, n := range row {
			if t == k {
				support += n
			}
			if g == k {
				predicted += n
			}
			if t == k && g == k {
				tp += n
			}
		}
	}
	return support, predicted, tp
}

// prf is precision, recall and F1 from the true positives, the
// predictions and the truth's support (0 where undefined).
func prf(tp, predicted, support int64) (precision, recall, f1 float64) {
	if predicted > 0 {
		precision = float64(tp) / float64(predicted)
	}
	if support > 0 {
		recall = float64(tp) / float64(support)
	}
	if precision+recall > 0 {
		f1 = 2 * precision * recall / (precision + recall)
	}
	return precision, recall, f1
}

// Print writes the matrix and the scores as aligned text.
func (c *Confusion) Print(w io.Writer, title string) {
	present := map[label.Class]bool{}
	for t, row := range c.Counts {
		present[t] = true
		for g := range row {
			present[g] = true
		}
	}
	var cls []label.Class
	for _, k := range append([]label.Class{label.Unknown}, label.Classes()...) {
		if present[k] {
			cls = append(cls, k)
		}
	}
	name := func(k label.Class) string {
		if k == label.Unknown {
			return "(none)"
		}
		return k.String()
	}
	fmt.Fprintf(w, "%s: confusion matrix (rows: truth, columns: analysis)\n%-20s", title, "")
	for _, g := range cls {
		fmt.Fprintf(w, " %12.12s", name(g))
	}
	fmt.Fprintln(w)
	for _, t := range cls {
		fmt.Fprintf(w, "%-20s", name(t))
		for _, g := range cls {
			fmt.Fprintf(w, " %12d", c.Counts[t][g])
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%-20s %9s %9s %9s %9s %9s\n", "class", "support", "predicted", "precision", "recall", "F1")
	for _, s := range c.Scores() {
		fmt.Fprintf(w, "%-20s %9d %9d %9.4f %9.4f %9.4f\n", s.Class, s.Support, s.Predicted, s.Precision, s.Recall, s.F1)
	}
}

// Validation is the result of comparing an analysis with the generator's
// ground truth.
type Validation struct {
	Packets, Sources *Confusion
	Tools            map[label.Tool]map[label.Tool]int64 // per source: truth → analysis
}

// Validate compares the analysis in anaDir (its packets and sources
// tables, CSV or Parquet: see tables.ReadPackets) with
// the truth in genDir (manifest.json, .truth files, actors.csv). Packets are
// joined by shard file name and packet index; sources by address, where
// an address shared by several actors (a NAT) is the class most of its
// port-0 packets have and the tool of the actor that sent most. Only
// port-0-related classes are scored; stack-built packets have tool unknown.
func Validate(genDir, anaDir string) (*Validation, error) {
	m, err := gen.ReadManifest(genDir)
	if err != nil {
		return nil, fmt.Errorf("truth: %w", err)
	}
	actors, err := gen.ReadActors(genDir)
	if err != nil {
		return nil, err
	}
	for i, a := range actors {
		if int(a.ID) != i {
			return nil, fmt.Errorf("%s: actor ids must count up from 0 (row %d holds id %d)", filepath.Join(genDir, gen.ActorsFile), i+2, a.ID)
		}
	}
	// Analysis packets by (shard base name, index).
	type pkey struct {
		file  string
		index int64
	}
	got := map[pkey]label.Class{}
	err = tables.ReadPackets(anaDir, func(p *tables.PacketRow) error {
		got[pkey{filepath.Base(p.File), p.Index}] = p.Class
		return nil
	})
	if err != nil {
		return nil, err
	}
	sources, err := tables.ReadSources(anaDir)
	if err != nil {
		return nil, err
	}
	type verdict struct {
		class label.Class
		tool  label.Tool
	}
	gotSrc := make(map[netip.Addr]verdict, len(sources))
	for _, s := range sources {
		gotSrc[s.Src] = verdict{s.Class, s.Tool}
	}
	v := &Validation{Packets: newConfusion(), Sources: newConfusion(), Tools: map[label.Tool]map[label.Tool]int64{}}
	// An address's port-0 packets by actor: more than one actor where
	// hosts share an address behind a NAT.
	truthSrc := map[netip.Addr]map[uint32]int64{}
	for _, sh := range m.Shards {
		f, err := os.Open(filepath.Join(genDir, sh.Truth))
		if err != nil {
			return nil, fmt.Errorf("truth: %w", err)
		}
		tr, err := gen.NewTruthReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("truth: %s: %w", sh.Truth, err)
		}
		for i := int64(0); ; i++ {
			t, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("truth: %s: %w", sh.Truth, err)
			}
			k := pkey{sh.Pcap, i}
			g, listed := got[k]
			tc := t.Class
			if !tc.Port0Related() {
				if listed {
					v.Packets.add(label.Unknown, g)
				}
				continue
			}
			if !listed {
				g = label.Unknown
			}
			v.Packets.add(tc, g)
			if int(t.Actor) < len(actors) {
				a := &actors[t.Actor]
				if truthSrc[a.Src] == nil {
					truthSrc[a.Src] = map[uint32]int64{}
				}
				truthSrc[a.Src][a.ID]++
			}
			delete(got, k)
		}
		f.Close()
	}
	for a, byActor := range truthSrc {
		g := gotSrc[a] // the zero verdict (unknown, unknown) when not listed
		class, row := sourceTruth(actors, byActor)
		v.Sources.add(class, g.class)
		tt := row.Tool
		if tt == label.Stack {
			tt = label.ToolUnknown // an OS stack has no crafting fingerprint
		}
		if v.Tools[tt] == nil {
			v.Tools[tt] = map[label.Tool]int64{}
		}
		v.Tools[tt][g.tool]++
		delete(gotSrc, a)
	}
	for _, g := range gotSrc {
		v.Sources.add(label.Unknown, g.class)
	}
	return v, nil
}

// sourceTruth is the truth of an address whose port-0 packets came from
// the actors of byActor (packets by actor id): the class with the most
// of its packets, and the actor with the most (its tool is the
// address's). Ties go to the lower class and the lower id, so the
// verdict does not depend on map order.
func sourceTruth(actors []gen.ActorRow, byActor map[uint32]int64) (label.Class, *gen.ActorRow) {
	var perClass [label.NumClasses]int64
	var top *gen.ActorRow
	var topN int64
	for id, n := range byActor {
		a := &actors[id]
		perClass[a.Class] += n
		if n > topN || n == topN && a.ID < top.ID {
			top, topN = a, n
		}
	}
	best := label.Unknown
	for c := range perClass {
		if perClass[c] > perClass[best] {
			best = label.Class(c)
		}
	}
	return best, top
}

// MinF1 returns the lowest F1 over the port-0 classes with truth support,
// and that class.
func MinF1(scores []Score) (float64, label.Class) {
	lo, cls := 2.0, label.Unknown
	for _, s := range scores {
		if s.Support > 0 && s.F1 < lo {
			lo, cls = s.F1, s.Class
		}
	}
	if cls == label.Unknown {
		lo = 0 // nothing to score
	}
	return lo, cls
}

// ToolScore is precision, recall and F1 of one tool over the sources:
// Support is the sources the truth says it sent, Predicted those the
// analysis names it for, TruePositives both. A source the analysis leaves
// unknown costs recall only; one it names wrongly costs the named tool's
// precision as well.
type ToolScore struct {
	Tool                              label.Tool
	Support, Predicted, TruePositives int64
	Precision, Recall, F1             float64
}

// ToolScores scores every tool but unknown that the truth or the analysis
// names, in tool order. An OS stack counts as unknown on the truth's side
// (Validate): it has no crafting fingerprint to find.
func (v *Validation) ToolScores() []ToolScore {
	var out []ToolScore
	for _, k := range label.Tools() {
		s := ToolScore{Tool: k}
		s.Support, s.Predicted, s.TruePositives = tally(v.Tools, k)
		if s.Support == 0 && s.Predicted == 0 {
			continue
		}
		s.Precision, s.Recall, s.F1 = prf(s.TruePositives, s.Predicted, s.Support)
		out = append(out, s)
	}
	return out
}

// MinToolF1 returns the lowest F1 over the scored tools, and that tool;
// 1 and ToolUnknown when no tool is named on either side (nothing to
// gate).
func MinToolF1(scores []ToolScore) (float64, label.Tool) {
	lo, tool := 1.0, label.ToolUnknown
	for _, s := range scores {
		if tool == label.ToolUnknown || s.F1 < lo {
			lo, tool = s.F1, s.Tool
		}
	}
	return lo, tool
}

// PrintTools writes the per-source tool confusion, then each tool's
// precision, recall and F1.
func (v *Validation) PrintTools(w io.Writer) {
	var tools []label.Tool
	for t := range v.Tools {
		tools = append(tools, t)
	}
	sort.Slice(tools, func(i, j int) bool { return tools[i] < tools[j] })
	fmt.Fprintln(w, "sources: tool (truth → analysis)")
	for _, t := range tools {
		var parts []string
		var keys []label.Tool
		for g := range v.Tools[t] {
			keys = append(keys, g)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		for _, g := range keys {
			parts = append(parts, fmt.Sprintf("%s:%d", g, v.Tools[t][g]))
		}
		fmt.Fprintf(w, "  %-8s → %v\n", t, parts)
	}
	fmt.Fprintf(w, "%-20s %9s %9s %9s %9s %9s\n", "tool", "support", "predicted", "precision", "recall", "F1")
	for _, s := range v.ToolScores() {
		fmt.Fprintf(w, "%-20s %9d %9d %9.4f %9.4f %9.4f\n", s.Tool, s.Support, s.Predicted, s.Precision, s.Recall, s.F1)
	}
}
