package validate

import (
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/capture"
	"github.com/port0/port0/gen"
	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/label"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// run generates a small default-scenario telescope and analyzes it,
// returning the two folders.
func run(t *testing.T) (genDir, anaDir string) {
	t.Helper()
	dir := t.TempDir()
	genDir, anaDir = filepath.Join(dir, "gen"), filepath.Join(dir, "analysis")
	p, err := gen.NewPlan(gen.Paper(), 6, 2e-6)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gen.Generate(p, gen.Options{Out: genDir}); err != nil {
		t.Fatal(err)
	}
	inputs, err := capture.ExpandInputs([]string{genDir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := analyze.Run(inputs, nil, anaDir, analyze.Options{Study: study.DefaultOptions()}); err != nil {
		t.Fatal(err)
	}
	return genDir, anaDir
}

// header replaces the first line of a table.
func header(h string) func(string) string {
	return func(s string) string {
		_, body, _ := strings.Cut(s, "\n")
		return h + "\n" + body
	}
}

// TestValidate scores a fresh analysis against its truth, then breaks one
// table at a time and checks Validate fails naming the file and column.
func TestValidate(t *testing.T) {
	g, a := run(t)
	v, err := Validate(g, a)
	if err != nil {
		t.Fatal(err)
	}
	if f, c := MinF1(v.Packets.Scores()); f < 0.95 {
		t.Errorf("packets: F1 %.4f (%v) on an unbroken analysis", f, c)
	}
	if f, c := MinF1(v.Sources.Scores()); f < 0.95 {
		t.Errorf("sources: F1 %.4f (%v) on an unbroken analysis", f, c)
	}
	if v.Packets.Counts[label.Scan][label.Scan] == 0 || len(v.Tools) == 0 {
		t.Errorf("nothing scored: %+v", v)
	}
	const packets = "file,index,time,src,dst,proto,sport,dport,port0,tcp_flags,ttl,ip_id,shape,probe,class"
	const sources = "src,class,tool,tool_evidence,first,last,packets,bytes,distinct_dsts,coverage,rate_pps,top_dport,top_sport,tcp_packets,udp_packets,top_flags,init_ttl,ip_id_pattern,bundles,probes"
	for _, c := range []struct {
		name       string
		truth      bool // the broken file is the generator's
		file       string
		edit       func(string) string
		col        int    // the column a ColumnError names (0: another error)
		got, want  string // its header names
		inTheError []string
	}{
		{"packets renamed", false, tables.PacketsFile, header(strings.Replace(packets, ",class", ",purpose", 1)),
			15, "purpose", "class", []string{`column 15 is "purpose", want "class"`}},
		{"packets missing", false, tables.PacketsFile, header(strings.TrimSuffix(packets, ",class")),
			15, "", "class", []string{`no column 15 "class"`}},
		{"packets moved", false, tables.PacketsFile, header(strings.Replace(packets, "file,index", "index,file", 1)),
			1, "index", "file", []string{`column 1 is "index", want "file"`}},
		{"sources with the packets header", false, tables.SourcesFile, header(packets),
			1, "file", "src", nil},
		{"sources renamed src", false, tables.SourcesFile, header(strings.Replace(sources, "src,", "source,", 1)),
			1, "source", "src", []string{`column 1 is "source", want "src"`}},
		{"packets bad class", false, tables.PacketsFile, func(s string) string { return strings.Replace(s, ",bittorrent,none,,\n", ",torrent,none,,\n", 1) },
			0, "", "", []string{"column class", `"torrent"`}},
		{"actors renamed", true, gen.ActorsFile, func(s string) string { return strings.Replace(s, ",tool,", ",tools,", 1) },
			5, "tools", "tool", []string{`column 5 is "tools", want "tool"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			gd, ad := g, a
			if c.truth {
				gd = testcap.CopyEdited(t, g, c.file, c.edit)
			} else {
				ad = testcap.CopyEdited(t, a, c.file, c.edit)
			}
			path := filepath.Join(ad, c.file)
			if c.truth {
				path = filepath.Join(gd, c.file)
			}
			_, err := Validate(gd, ad)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range append([]string{path}, c.inTheError...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
			if c.col == 0 {
				return
			}
			var col int
			var got, want, file string
			var te *tables.ColumnError
			var ge *gen.ColumnError
			switch {
			case errors.As(err, &te):
				col, got, want, file = te.Column, te.Got, te.Want, te.File
			case errors.As(err, &ge):
				col, got, want, file = ge.Column, ge.Got, ge.Want, ge.File
			default:
				t.Fatalf("%v: not a column error", err)
			}
			if file != path || col != c.col || got != c.got || want != c.want {
				t.Errorf("column error %s column %d %q want %q; want %s column %d %q want %q", file, col, got, want, path, c.col, c.got, c.want)
			}
		})
	}
	if _, err := Validate(t.TempDir(), a); err == nil || !strings.Contains(err.Error(), "truth: ") || !strings.Contains(err.Error(), gen.ManifestName) {
		t.Errorf("no manifest: %v", err)
	}
}

// TestValidateParquet: an analysis written as Parquet alone scores as the
// CSV one does.
func TestValidateParquet(t *testing.T) {
	g := filepath.Join(testcap.Root(), "testdata", "gen-sample")
	inputs, err := capture.ExpandInputs([]string{g})
	if err != nil {
		t.Fatal(err)
	}
	var vs []*Validation
	for _, f := range []tables.Format{tables.CSV, tables.Parquet} {
		a := t.TempDir()
		if _, err := analyze.Run(inputs, nil, a, analyze.Options{Study: study.DefaultOptions(), Format: f}); err != nil {
			t.Fatal(err)
		}
		v, err := Validate(g, a)
		if err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		vs = append(vs, v)
	}
	if vs[0].Packets.Counts[label.Scan][label.Scan] == 0 || !reflect.DeepEqual(vs[0], vs[1]) {
		t.Errorf("parquet scores\n%+v\ncsv\n%+v", vs[1], vs[0])
	}
}

// TestToolScores scores hand-made per-source tool confusions: a source
// left unknown costs its tool's recall, one named wrongly costs the named
// tool's precision too, and a tool only the analysis names scores 0.
func TestToolScores(t *testing.T) {
	type row = map[label.Tool]int64
	for _, c := range []struct {
		name  string
		tools map[label.Tool]row
		want  []ToolScore
		min   float64
		minAt label.Tool
	}{
		{"exact", map[label.Tool]row{label.ZMap: {label.ZMap: 4}, label.ToolUnknown: {label.ToolUnknown: 9}},
			[]ToolScore{{label.ZMap, 4, 4, 4, 1, 1, 1}}, 1, label.ZMap},
		{"unknown costs recall", map[label.Tool]row{label.Hping: {label.Hping: 9, label.ToolUnknown: 3}},
			[]ToolScore{{label.Hping, 12, 9, 9, 1, 0.75, 2 * 0.75 / 1.75}}, 2 * 0.75 / 1.75, label.Hping},
		{"a wrong name costs precision", map[label.Tool]row{label.Nmap: {label.Nmap: 1, label.Hping: 1}, label.Hping: {label.Hping: 2}},
			[]ToolScore{{label.Nmap, 2, 1, 1, 1, 0.5, 2 * 0.5 / 1.5}, {label.Hping, 2, 3, 2, 2.0 / 3, 1, 2 * (2.0 / 3) / (5.0 / 3)}}, 2 * 0.5 / 1.5, label.Nmap},
		{"named only by the analysis", map[label.Tool]row{label.ToolUnknown: {label.Mirai: 2, label.ToolUnknown: 5}},
			[]ToolScore{{label.Mirai, 0, 2, 0, 0, 0, 0}}, 0, label.Mirai},
		{"nothing named", map[label.Tool]row{label.ToolUnknown: {label.ToolUnknown: 5}}, nil, 1, label.ToolUnknown},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := &Validation{Tools: c.tools}
			got := v.ToolScores()
			if len(got) != len(c.want) {
				t.Fatalf("scores %+v, want %+v", got, c.want)
			}
			for i := range got {
				g, w := got[i], c.want[i]
				if g.Tool != w.Tool || g.Support != w.Support || g.Predicted != w.Predicted || g.TruePositives != w.TruePositives ||
					math.Abs(g.Precision-w.Precision) > 1e-12 || math.Abs(g.Recall-w.Recall) > 1e-12 || math.Abs(g.F1-w.F1) > 1e-12 {
					t.Errorf("score %d: %+v, want %+v", i, g, w)
				}
			}
			if f, tool := MinToolF1(got); math.Abs(f-c.min) > 1e-12 || tool != c.minAt {
				t.Errorf("MinToolF1 = %v %v, want %v %v", f, tool, c.min, c.minAt)
			}
		})
	}
}

// TestSourceTruth: an address shared by actors (a NAT) is the class most
// of its packets have, and the tool of the actor that sent most; ties go
// to the lower class and the lower id.
func TestSourceTruth(t *testing.T) {
	actors := []gen.ActorRow{
		{ID: 0, Class: label.BitTorrent, Tool: label.Stack},
		{ID: 1, Class: label.Retry, Tool: label.Stack},
		{ID: 2, Class: label.Retry, Tool: label.Hping},
	}
	for _, c := range []struct {
		name    string
		byActor map[uint32]int64
		class   label.Class
		actor   uint32
	}{
		{"one actor", map[uint32]int64{1: 5}, label.Retry, 1},
		{"most packets", map[uint32]int64{0: 9, 1: 4}, label.BitTorrent, 0},
		{"a class summed over actors", map[uint32]int64{0: 6, 1: 4, 2: 3}, label.Retry, 0},
		{"a tie", map[uint32]int64{0: 4, 1: 4}, label.BitTorrent, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			class, row := sourceTruth(actors, c.byActor)
			if class != c.class || row.ID != c.actor {
				t.Errorf("class %v, actor %d; want %v, %d", class, row.ID, c.class, c.actor)
			}
		})
	}
}
