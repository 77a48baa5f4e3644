package gen

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// TestScenarioRoundTrip prints every built-in scenario and reads it back.
func TestScenarioRoundTrip(t *testing.T) {
	for _, name := range BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			b, _ := Builtin(name)
			var buf bytes.Buffer
			if err := b.Format(&buf); err != nil {
				t.Fatal(err)
			}
			s, err := ParseScenario("printed", &buf)
			if err != nil {
				t.Fatalf("printed scenario does not parse: %v\n%s", err, buf.String())
			}
			if want, _ := Builtin(name); !reflect.DeepEqual(s, want) {
				t.Error("printed and re-read scenario differs from the built-in one")
			}
		})
	}
}

func TestScenarioEdits(t *testing.T) {
	in := `# a comment
base = paper
name = tiny     # trailing comment
days = 30
port0_share = 0.01

[scan0]
actors = 50
tcp_fraction = 1

[garbage]
surge_day = 10
[sport0]
burst_day = 3
`
	s, err := ParseScenario("tiny.scenario", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "tiny" || s.Days != 30 || s.Port0Share != 0.01 || s.Scan0.Actors != 50 || s.Scan0.TCPFraction != 1 || s.Garbage.SurgeDay != 10 {
		t.Errorf("fields not set: %+v", s)
	}
	if s.Backscatter != Paper().Backscatter {
		t.Error("a field left out did not keep the paper value")
	}
}

func TestScenarioErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // substrings of the error
	}{
		{"unknown field", "days = 3\nfoo = 1\n", []string{"f:2", "foo", "unknown field"}},
		{"unknown section field", "[scan0]\nrate = 1\n", []string{"f:2", "scan0.rate", "unknown field"}},
		{"unknown section", "[scanners]\n", []string{"f:1", "unknown section [scanners]", "[scan0]"}},
		{"bad number", "total_pps = fast\n", []string{"f:1", "total_pps", "want a number"}},
		{"out of range", "port0_share = 2\n", []string{"port0_share", "out of range [0, 0.5]"}},
		{"negative", "[scan0]\nactors = -4\n", []string{"scan0.actors", "out of range"}},
		{"not a line", "days 3\n", []string{"f:1", "want key = value"}},
		{"open section", "[scan0\n", []string{"closing ]"}},
		{"duplicate", "days = 3\ndays = 4\n", []string{"f:2", "days", "set twice (first on line 1)"}},
		{"base late", "days = 3\nbase = paper\n", []string{"base must come before"}},
		{"base unknown", "base = moon\n", []string{"unknown built-in scenario \"moon\""}},
		{"bad prefix", "telescope = 2001:db8::/32\n", []string{"telescope", "IPv4 prefix"}},
		{"bad date", "start = 2016-13-01\n", []string{"start", "YYYY-MM-DD"}},
		{"bad bool", "[bittorrent]\ndiurnal = sometimes\n", []string{"bittorrent.diurnal", "true or false"}},
		{"bad weights", "[garbage]\ndata_offsets = 1,2,3\n", []string{"garbage.data_offsets", "want 5"}},
		{"shares", "[background]\nzmap_share = 0.5\n", []string{"f:2", "background", "sum to 1.38", "make them sum to 1"}},
		{"port0 shares", "[scan0]\nshare = 0.1\n", []string{"f:2", "scan0.share", "sum to 0.7"}},
		{"burst outside", "days = 10\n", []string{"sport0.burst_day", "after the period of 10 days"}},
		{"min above actors", "[fingerprint]\nmin_actors = 500\n", []string{"fingerprint.min_actors", "exceeds actors 300"}},
		{"no tools", "[scan0]\nzmap = 0\nmasscan = 0\nhping = 0\n", []string{"scan0.zmap", "sum to zero"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseScenario("f", strings.NewReader(tt.in))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
		})
	}
}

// FuzzParseScenario: the parser never panics, and whatever it accepts prints
// to a file that reads back to the same scenario.
func FuzzParseScenario(f *testing.F) {
	var buf bytes.Buffer
	Paper().Format(&buf)
	f.Add(buf.String())
	f.Add("base = paper\ndays = 30\n[sport0]\nburst_day = 3\n[garbage]\nsurge_day=2\n")
	f.Add("[scan0]\nshare = 0.4 # c\n")
	f.Add("telescope = 10.0.0.0/8\n")
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseScenario("fuzz", strings.NewReader(in))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := s.Format(&out); err != nil {
			t.Fatal(err)
		}
		s2, err := ParseScenario("again", &out)
		if err != nil {
			t.Fatalf("accepted scenario prints to one that fails: %v\n%s", err, out.String())
		}
		if !reflect.DeepEqual(s, s2) {
			t.Fatalf("scenario changed on a print/parse round trip\n%s", out.String())
		}
	})
}
