package label

import "testing"

func TestClassTextRoundTrip(t *testing.T) {
	for _, c := range append([]Class{Unknown}, Classes()...) {
		b, err := c.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var got Class
		if err := got.UnmarshalText(b); err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		if got != c {
			t.Errorf("round trip %v -> %q -> %v", c, b, got)
		}
	}
	var c Class
	if err := c.UnmarshalText([]byte("nonsense")); err == nil {
		t.Error("nonsense class accepted")
	}
	if s := Class(200).String(); s != "class(200)" {
		t.Errorf("out of range class prints %q", s)
	}
}

func TestToolTextRoundTrip(t *testing.T) {
	for _, tool := range append([]Tool{ToolUnknown}, Tools()...) {
		b, _ := tool.MarshalText()
		var got Tool
		if err := got.UnmarshalText(b); err != nil || got != tool {
			t.Errorf("round trip %v -> %q -> %v (%v)", tool, b, got, err)
		}
	}
	var tool Tool
	if err := tool.UnmarshalText([]byte("nmapx")); err == nil {
		t.Error("unknown tool accepted")
	}
}

func TestPort0Related(t *testing.T) {
	tests := []struct {
		c    Class
		want bool
	}{
		{Unknown, false}, {Background, false}, {FragmentArtifact, false},
		{Scan, true}, {BackscatterTo0, true}, {BackscatterFrom0, true},
		{Fingerprint, true}, {Malformed, true}, {BitTorrent, true}, {Other, true},
	}
	for _, tt := range tests {
		if got := tt.c.Port0Related(); got != tt.want {
			t.Errorf("%v.Port0Related() = %v, want %v", tt.c, got, tt.want)
		}
	}
}

// TestVictimStackMeet: two inferences of one victim's stack together keep
// the stacks both leave possible, whatever their order; each name reads
// back; Admits is what experiments judge an inference by.
func TestVictimStackMeet(t *testing.T) {
	for _, c := range []struct{ a, b, want VictimStack }{
		{StackLinuxOrBSD, StackNotBSD, StackLinux},
		{StackLinuxOrBSD, StackLinux, StackLinux},
		{StackLinuxOrBSD, StackBSD, StackBSD},
		{StackNotBSD, StackWindows, StackWindows},
		{StackUnknown, StackLinuxOrBSD, StackLinuxOrBSD},
		{StackLinux, StackWindows, StackUnknown},
		{StackBSD, StackNotBSD, StackUnknown},
		{StackLinux, StackLinux, StackLinux},
	} {
		for _, p := range [][2]VictimStack{{c.a, c.b}, {c.b, c.a}} {
			if got := p[0].Meet(p[1]); got != c.want {
				t.Errorf("%v meet %v = %v, want %v", p[0], p[1], got, c.want)
			}
		}
	}
	for _, s := range []VictimStack{StackLinux, StackBSD, StackWindows, StackLinuxOrBSD, StackNotBSD, StackUnknown} {
		var back VictimStack
		if err := back.UnmarshalText([]byte(s.String())); err != nil || back != s {
			t.Errorf("%v reads back as %v, %v", s, back, err)
		}
	}
	for _, bad := range []string{"", "invalid", "solaris"} {
		var v VictimStack
		if v.UnmarshalText([]byte(bad)) == nil {
			t.Errorf("%q read as a stack", bad)
		}
	}
	for _, c := range []struct {
		inferred, truth VictimStack
		want            bool
	}{
		{StackLinuxOrBSD, StackBSD, true}, {StackLinuxOrBSD, StackWindows, false}, {StackNotBSD, StackWindows, true},
		{StackLinux, StackLinux, true}, {StackLinux, StackBSD, false}, {StackUnknown, StackLinux, false},
	} {
		if got := c.inferred.Admits(c.truth); got != c.want {
			t.Errorf("%v admits %v: %v, want %v", c.inferred, c.truth, got, c.want)
		}
	}
}
