package study

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/tables"
)

// matrixDir holds the option matrix of scripts/realtools.sh (issue 30):
// real tools run with options other than their defaults, with default
// retries, behind a NAT, sampled by a telescope, and legitimate clients
// whose UDP checksum is 0; its truth file names the tool each run must
// get. A hidden folder, which TestGolden/realtools's folder walk skips.
var matrixDir = filepath.Join(testcap.Root(), "testdata", "realtools", ".matrix")

// truthRun is one row of option_matrix_truth.csv: one run from one
// source address (inside: its address behind a NAT, if any).
type truthRun struct {
	src, inside, tool, options, run string
	want                            label.Tool
	packets                         int64
}

// readMatrixTruth reads the truth file, by column name.
func readMatrixTruth(t *testing.T, name string) []truthRun {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 2 {
		t.Fatalf("%s: no run", name)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range []string{"src", "inside", "packets", "tool", "options", "expected_tool", "run"} {
		if _, ok := col[h]; !ok {
			t.Fatalf("%s: no column %q", name, h)
		}
	}
	var runs []truthRun
	for _, r := range recs[1:] {
		n, err := strconv.ParseInt(r[col["packets"]], 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var want label.Tool
		if err := want.UnmarshalText([]byte(r[col["expected_tool"]])); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		runs = append(runs, truthRun{src: r[col["src"]], inside: r[col["inside"]], tool: r[col["tool"]], options: r[col["options"]],
			want: want, run: r[col["run"]], packets: n})
	}
	return runs
}

// TestOptionMatrix runs the study over the option matrix's capture and
// checks every source's tool against the truth file: the tool of the run
// that sent most of the address's packets (as port0 validate scores an
// address shared through a NAT), never another tool (a wrong name is
// worse than unknown), and on a shared address the named tool's share
// in its evidence. A run whose packets are not port-0 traffic (the
// checksum-0 clients on ports 123 and 514) may have no source, if the
// truth wants no tool for it.
func TestOptionMatrix(t *testing.T) {
	runs := readMatrixTruth(t, filepath.Join(matrixDir, "option_matrix_truth.csv"))
	res, err := scan.Run([]string{filepath.Join(matrixDir, "option_matrix.pcap")}, nil, scan.Options{Port0: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Close() })
	_, tb := studyOf(t, res)
	got := map[string]*tables.SourceRow{}
	for i := range tb.Sources {
		got[tb.Sources[i].Src.String()] = &tb.Sources[i]
	}
	// The runs by address, in the truth's order.
	var addrs []string
	byAddr := map[string][]truthRun{}
	for _, r := range runs {
		if byAddr[r.src] == nil {
			addrs = append(addrs, r.src)
		}
		byAddr[r.src] = append(byAddr[r.src], r)
	}
	for _, a := range addrs {
		rs := byAddr[a]
		top, total := rs[0], int64(0)
		for _, r := range rs {
			total += r.packets
			if r.packets > top.packets {
				top = r
			}
		}
		t.Run(a, func(t *testing.T) {
			row := got[a]
			delete(got, a)
			what := top.tool + " " + top.options + " (" + top.run + ")"
			if row == nil {
				if top.want != label.ToolUnknown {
					t.Errorf("%s: no port-0 source, want %s", what, top.want)
				}
				return
			}
			switch {
			case row.Tool == top.want:
				t.Logf("%s %s: %s (%s)", a, row.Class, row.Tool, row.ToolEvidence)
			case row.Tool == label.ToolUnknown:
				t.Errorf("%s: unknown (%s), want %s", what, row.ToolEvidence, top.want)
			default:
				t.Errorf("%s: WRONG name %s (%s), want %s", what, row.Tool, row.ToolEvidence, top.want)
			}
			if len(rs) > 1 && row.Tool != label.ToolUnknown {
				share := row.Tool.String() + "-share=" + strconv.FormatInt(top.packets, 10) + "/" + strconv.FormatInt(total, 10)
				if !strings.Contains(row.ToolEvidence, share) {
					t.Errorf("%s: evidence %q, want the share %s", what, row.ToolEvidence, share)
				}
			}
		})
	}
	for a, row := range got {
		t.Errorf("source %s (%s, %s) is no run of the truth file", a, row.Class, row.Tool)
	}
}
