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
