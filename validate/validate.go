package validate

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/port0/port0/gen"
	"github.com/port0/port0/label"
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
		for t, row := range c.Counts {
			for g, n := range row {
				if t == k {
					s.Support += n
				}
				if g == k {
					s.Predicted += n
				}
				if t == k && g == k {
					s.TruePositives += n
				}
			}
		}
		s.FalseNegative = s.Support - s.TruePositives
		if s.Predicted > 0 {
			s.Precision = float64(s.TruePositives) / float64(s.Predicted)
		}
		if s.Support > 0 {
			s.Recall = float64(s.TruePositives) / float64(s.Support)
		}
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
		out = append(out, s)
	}
	return out
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

// Validate compares the analysis in anaDir (packets.csv, sources.csv) with
// the truth in genDir (manifest.json, .truth files, actors.csv). Packets are
// joined by shard file name and packet index; sources by address. Only
// port-0-related classes are scored; stack-built packets have tool unknown.
func Validate(genDir, anaDir string) (*Validation, error) {
	mb, err := os.ReadFile(filepath.Join(genDir, gen.ManifestName))
	if err != nil {
		return nil, fmt.Errorf("truth: %w", err)
	}
	var m gen.Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		return nil, fmt.Errorf("truth: %s: %w", gen.ManifestName, err)
	}
	actors, err := readActors(filepath.Join(genDir, "actors.csv"))
	if err != nil {
		return nil, err
	}
	// Analysis packets by (shard base name, index).
	type pkey struct {
		file  string
		index int64
	}
	got := map[pkey]label.Class{}
	gotSrc := map[netip.Addr][2]string{}
	err = ReadCSV(filepath.Join(anaDir, "packets.csv"), []string{"file", "index", "class"}, func(f []string) error {
		i, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return err
		}
		var c label.Class
		if err := c.UnmarshalText([]byte(f[2])); err != nil {
			return err
		}
		got[pkey{filepath.Base(f[0]), i}] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = ReadCSV(filepath.Join(anaDir, "sources.csv"), []string{"src", "class", "tool"}, func(f []string) error {
		a, err := netip.ParseAddr(f[0])
		if err != nil {
			return err
		}
		gotSrc[a] = [2]string{f[1], f[2]}
		return nil
	})
	if err != nil {
		return nil, err
	}
	v := &Validation{Packets: newConfusion(), Sources: newConfusion(), Tools: map[label.Tool]map[label.Tool]int64{}}
	truthSrc := map[netip.Addr]actorRow{}
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
				a := actors[t.Actor]
				truthSrc[a.src] = a
			}
			delete(got, k)
		}
		f.Close()
	}
	for a, row := range truthSrc {
		g := gotSrc[a]
		var gc label.Class
		var gt label.Tool
		if g[0] != "" {
			gc.UnmarshalText([]byte(g[0]))
			gt.UnmarshalText([]byte(g[1]))
		}
		v.Sources.add(row.class, gc)
		tt := row.tool
		if tt == label.Stack {
			tt = label.ToolUnknown // an OS stack has no crafting fingerprint
		}
		if v.Tools[tt] == nil {
			v.Tools[tt] = map[label.Tool]int64{}
		}
		v.Tools[tt][gt]++
		delete(gotSrc, a)
	}
	for _, g := range gotSrc {
		var gc label.Class
		gc.UnmarshalText([]byte(g[0]))
		v.Sources.add(label.Unknown, gc)
	}
	return v, nil
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

// PrintTools writes the per-source tool confusion.
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
}

type actorRow struct {
	src   netip.Addr
	class label.Class
	tool  label.Tool
}

func readActors(name string) ([]actorRow, error) {
	var out []actorRow
	err := ReadCSV(name, []string{"id", "class", "tool", "src"}, func(f []string) error {
		id, err := strconv.Atoi(f[0])
		if err != nil || id != len(out) {
			return fmt.Errorf("actor ids must count up from 0 (row %q)", f[0])
		}
		var r actorRow
		if r.src, err = netip.ParseAddr(f[3]); err != nil {
			return err
		}
		if err := r.class.UnmarshalText([]byte(f[1])); err != nil {
			return err
		}
		if err := r.tool.UnmarshalText([]byte(f[2])); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// readCSV reads the named columns of a CSV file with a header row.
func ReadCSV(name string, cols []string, fn func(fields []string) error) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = -1
		for j, h := range head {
			if h == c {
				idx[i] = j
			}
		}
		if idx[i] < 0 {
			return fmt.Errorf("%s: no column %q", name, c)
		}
	}
	fields := make([]string, len(cols))
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for i, j := range idx {
			fields[i] = rec[j]
		}
		if err := fn(fields); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
}
