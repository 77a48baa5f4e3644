package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestVersion: port0 version and port0 -version print the version, the
// revision, Go and the reported libraries; an argument is a usage error.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"-version"}} {
		var out, errb bytes.Buffer
		if err := run(args, nil, &out, &errb); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		s := out.String()
		for _, want := range []string{"port0 ", "\nrevision: ", "\ngo: go1.", "\nmodule: github.com/google/gopacket v1.", "\nmodule: gonum.org/v1/plot v"} {
			if !strings.Contains(s, want) {
				t.Errorf("%v: output lacks %q:\n%s", args, want, s)
			}
		}
	}
	var out, errb bytes.Buffer
	if err := run([]string{"version", "extra"}, nil, &out, &errb); exitCode(err) != 2 {
		t.Errorf("version extra: error %v (exit %d), want a usage error", err, exitCode(err))
	}
}
