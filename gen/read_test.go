package gen

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestReadRoundTrip generates a run and reads its manifest, actors and AS
// map back: every row holds what the plan said, as the tables write it
// (times to the second, planned packets to 3 decimals).
func TestReadRoundTrip(t *testing.T) {
	p, err := NewPlan(shortScenario(), 5, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	m, err := Generate(p, Options{Out: dir})
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Errorf("ReadManifest:\n%+v\nwant\n%+v", back, m)
	}
	actors, err := ReadActors(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(actors) != len(p.Actors) || len(actors) == 0 {
		t.Fatalf("%d actors read, the plan has %d", len(actors), len(p.Actors))
	}
	for i, got := range actors {
		a := &p.Actors[i]
		want := ActorRow{ID: a.ID, Family: a.Family.String(), Kind: a.kindName(), Class: a.Class, Tool: a.Tool,
			Src: netip.AddrFrom4([4]byte{byte(a.Src >> 24), byte(a.Src >> 16), byte(a.Src >> 8), byte(a.Src)}),
			ASN: a.ASN, TTL: a.TTL, Start: time.Unix(0, a.Start).UTC().Truncate(time.Second), End: time.Unix(0, a.End).UTC().Truncate(time.Second),
			Port: a.Port, Stack: stackNames[a.Stack]}
		if d := got.Packets - a.Packets; d < -5e-4 || d > 5e-4 {
			t.Errorf("actor %d: %v planned packets, want %v", i, got.Packets, a.Packets)
		}
		got.Packets = 0
		if got != want {
			t.Errorf("actor %d: read %+v\nwant %+v", i, got, want)
		}
	}
	ases, err := ReadASMap(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ases) != len(p.ASes) || len(ases) == 0 {
		t.Fatalf("%d ASes read, the plan has %d", len(ases), len(p.ASes))
	}
	hosting := 0
	for i, got := range ases {
		as := p.ASes[i]
		want := ASPrefix{Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(as.Prefix >> 24), byte(as.Prefix >> 16), byte(as.Prefix >> 8), byte(as.Prefix)}), as.Bits),
			ASN: as.ASN, Hosting: as.Hosting}
		if got != want {
			t.Errorf("AS %d: read %+v, want %+v", i, got, want)
		}
		if got.Hosting {
			hosting++
		}
	}
	if hosting == 0 || hosting == len(ases) {
		t.Errorf("%d of %d ASes hosting: the round trip does not see both values", hosting, len(ases))
	}
}

// TestReadErrors breaks the header or a field of each table of a run and
// checks the reader fails naming the file and the column.
func TestReadErrors(t *testing.T) {
	src, _ := generate(t, shortScenario(), 5, 1e-6, Options{})
	read := map[string]func(dir string) error{
		ActorsFile: func(dir string) error { _, err := ReadActors(dir); return err },
		ASMapFile:  func(dir string) error { _, err := ReadASMap(dir); return err },
	}
	for _, c := range []struct {
		name, file string
		edit       func(head, body string) (string, string)
		col        *ColumnError // the header error wanted; nil for a field error
		want       []string     // in the error's text
	}{
		{"actors renamed", ActorsFile, func(h, b string) (string, string) { return strings.Replace(h, ",src,", ",source,", 1), b },
			&ColumnError{Column: 6, Got: "source", Want: "src"}, []string{`column 6 is "source", want "src"`}},
		{"actors missing", ActorsFile, func(h, b string) (string, string) { return strings.TrimSuffix(h, ",stack"), b },
			&ColumnError{Column: 13, Want: "stack"}, []string{`no column 13 "stack"`}},
		{"actors extra", ActorsFile, func(h, b string) (string, string) { return h + ",more", b },
			&ColumnError{Column: 14, Got: "more"}, []string{`column 14 "more" is not a column`}},
		{"actors bad class", ActorsFile, func(h, b string) (string, string) {
			return h, strings.Replace(b, ",tcp-scan,background,", ",tcp-scan,nonsense,", 1)
		},
			nil, []string{":2: column class:", "nonsense"}},
		{"actors bad family", ActorsFile, func(h, b string) (string, string) { return h, strings.Replace(b, ",background,", ",bg,", 1) },
			nil, []string{":2: column family:", `"bg"`}},
		{"asmap renamed", ASMapFile, func(h, b string) (string, string) { return strings.Replace(h, "asn", "as", 1), b },
			&ColumnError{Column: 2, Got: "as", Want: "asn"}, []string{`column 2 is "as", want "asn"`}},
		{"asmap missing", ASMapFile, func(h, b string) (string, string) { return "prefix,asn", b },
			&ColumnError{Column: 3, Want: "hosting"}, []string{`no column 3 "hosting"`}},
		{"asmap bad hosting", ASMapFile, func(h, b string) (string, string) {
			return h, strings.Replace(b, ",false\n", ",yes\n", 1)
		}, nil, []string{":2: column hosting:", `"yes"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{ActorsFile, ASMapFile, ManifestName} {
				b, err := os.ReadFile(filepath.Join(src, f))
				if err != nil {
					t.Fatal(err)
				}
				if f == c.file {
					head, body, _ := strings.Cut(string(b), "\n")
					head, body = c.edit(head, body)
					b = []byte(head + "\n" + body)
				}
				if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(dir, c.file)
			err := read[c.file](dir)
			if err == nil {
				t.Fatal("no error")
			}
			var ce *ColumnError
			if errors.As(err, &ce) != (c.col != nil) {
				t.Fatalf("%v: a ColumnError %v, want %v", err, ce != nil, c.col != nil)
			}
			if c.col != nil {
				want := *c.col
				want.File = path
				if *ce != want {
					t.Errorf("%+v, want %+v", *ce, want)
				}
			}
			for _, w := range append([]string{path}, c.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
			// The other table still reads.
			for f, r := range read {
				if f != c.file {
					if err := r(dir); err != nil {
						t.Errorf("%s: %v", f, err)
					}
				}
			}
		})
	}
	// A missing file and a broken manifest name their file.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ManifestName), []byte("{"), 0o644)
	if _, err := ReadManifest(dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, ManifestName)) {
		t.Errorf("broken manifest: %v", err)
	}
	for f, r := range read {
		if err := r(dir); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), f) {
			t.Errorf("missing %s: %v", f, err)
		}
	}
}
