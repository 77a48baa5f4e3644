package gen

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// genInto runs the generator into dir and fails the test on an error.
func genInto(t *testing.T, s *Scenario, seed uint64, scale float64, dir string, opts Options) *Manifest {
	t.Helper()
	p, err := NewPlan(s, seed, scale)
	if err != nil {
		t.Fatal(err)
	}
	opts.Out = dir
	m, err := Generate(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// listing is the sorted names in dir.
func listing(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// manifestNames is every file a run wrote: the files its manifest lists
// and the manifest, sorted.
func manifestNames(m *Manifest) []string {
	names := []string{ManifestName}
	for _, f := range m.Files {
		names = append(names, f.Name)
	}
	slices.Sort(names)
	return names
}

// TestOutReplacesEarlierRun: a run into the folder of an earlier run
// leaves exactly its own files, whatever the earlier run's scenario,
// shard mode or gzip, and the same bytes as a run into an empty folder.
func TestOutReplacesEarlierRun(t *testing.T) {
	short := shortScenario()
	tiny := shortScenario() // a few days, for hourly shards
	tiny.Days, tiny.Sport0.BurstDay, tiny.Garbage.SurgeDay = 4, 1, 2
	wild := Wild()
	wild.Days = 40
	wild.Sport0.BurstDay, wild.Garbage.SurgeDay = 20, 30
	tests := []struct {
		name                  string
		first, second         *Scenario
		scale                 float64
		firstOpts, secondOpts Options
	}{
		{"paper then wild", Paper(), Wild(), 1e-7, Options{}, Options{}},
		{"short paper then short wild", short, wild, 1e-6, Options{}, Options{}},
		{"day then hour gzip", tiny, tiny, 1e-5, Options{}, Options{Shard: ShardHour, Gzip: true}},
		{"hour gzip then single", tiny, tiny, 1e-5, Options{Shard: ShardHour, Gzip: true}, Options{Shard: ShardSingle}},
		{"single gzip then day", short, short, 1e-6, Options{Shard: ShardSingle, Gzip: true}, Options{}},
		{"day then day gzip", short, short, 1e-6, Options{}, Options{Gzip: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scale := tt.scale
			dir := filepath.Join(t.TempDir(), "gen")
			first := genInto(t, tt.first, 1, scale, dir, tt.firstOpts)
			second := genInto(t, tt.second, 13, scale, dir, tt.secondOpts)
			got, want := listing(t, dir), manifestNames(second)
			if !slices.Equal(got, want) {
				var stale []string
				for _, n := range got {
					if !slices.Contains(want, n) {
						stale = append(stale, n)
					}
				}
				t.Fatalf("%d files after the second run, want %d; not the second run's: %q", len(got), len(want), stale)
			}
			if len(manifestNames(first)) < 2 {
				t.Fatal("the first run wrote nothing")
			}
			fresh := filepath.Join(t.TempDir(), "fresh")
			genInto(t, tt.second, 13, scale, fresh, tt.secondOpts)
			a, b := fileHashes(t, dir), fileHashes(t, fresh)
			if len(a) != len(b) {
				t.Fatalf("%d files over an earlier run, %d in a new folder", len(a), len(b))
			}
			for name, h := range b {
				if a[name] != h {
					t.Errorf("%s differs from a run into a new folder", name)
				}
			}
		})
	}
}

// TestOutStaleShard: files named like gen's but not listed by the
// manifest (what an older gen left of an earlier scenario beside a newer
// run) are removed too.
func TestOutStaleShard(t *testing.T) {
	dir := t.TempDir()
	genInto(t, shortScenario(), 1, 1e-6, dir, Options{Shard: ShardSingle})
	for _, name := range []string{"2019-12-31.pcap", "2019-12-31.truth", "2019-12-31T23.pcap.gz", "telescope.pcap.gz", "2016-01-02.pcap.tmp"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("stale"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := genInto(t, shortScenario(), 1, 1e-6, dir, Options{Shard: ShardSingle})
	if got, want := listing(t, dir), manifestNames(m); !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
}

// TestOutRefused: a folder holding anything gen did not write is refused
// with a one-line *OutError naming the folder and the fix, and nothing in
// it changes.
func TestOutRefused(t *testing.T) {
	earlier := t.TempDir()
	genInto(t, shortScenario(), 1, 1e-6, earlier, Options{Shard: ShardSingle})
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"foreign file", func(t *testing.T, dir string) {
			write(t, dir, "notes.txt", "mine")
		}, " is not empty and holds no port0 gen output (no manifest.json): choose an empty or new folder"},
		{"foreign captures named like shards", func(t *testing.T, dir string) {
			write(t, dir, "2016-01-01.pcap", "mine")
			write(t, dir, "telescope.pcap", "mine")
		}, " is not empty and holds no port0 gen output (no manifest.json)"},
		{"foreign folder", func(t *testing.T, dir string) {
			if err := os.Mkdir(filepath.Join(dir, "analysis"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "holds no port0 gen output"},
		{"earlier run and a foreign file", func(t *testing.T, dir string) {
			copyDir(t, earlier, dir)
			write(t, dir, "notes.txt", "mine")
		}, " holds an earlier port0 gen output but also notes.txt, which gen did not write and will not remove: move it out, or choose an empty or new folder"},
		{"earlier run and many foreign files", func(t *testing.T, dir string) {
			copyDir(t, earlier, dir)
			for _, n := range []string{"a", "b", "c", "d", "e"} {
				write(t, dir, n+".csv", "mine")
			}
		}, "but also a.csv, b.csv, c.csv and 2 more, which gen did not write and will not remove: move them out"},
		{"earlier run and a foreign folder", func(t *testing.T, dir string) {
			copyDir(t, earlier, dir)
			if err := os.Mkdir(filepath.Join(dir, "analysis"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "but also analysis, which gen did not write"},
		{"a manifest that is not gen's", func(t *testing.T, dir string) {
			write(t, dir, ManifestName, "not json")
			write(t, dir, "telescope.pcap", "mine")
		}, " holds a manifest.json that is not port0 gen's"},
	}
	p, err := NewPlan(shortScenario(), 2, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			before := fileHashes2(t, dir)
			for _, check := range []func() error{
				func() error { return CheckOut(dir) },
				func() error { _, err := Generate(p, Options{Out: dir}); return err },
			} {
				err := check()
				var oe *OutError
				if !errors.As(err, &oe) {
					t.Fatalf("err %v, want an *OutError", err)
				}
				if msg := err.Error(); !strings.HasPrefix(msg, dir+" ") || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
					t.Errorf("error %q, want one line starting with the folder and holding %q", msg, tt.want)
				}
				after := fileHashes2(t, dir)
				if len(after) != len(before) {
					t.Errorf("%d entries after the refusal, %d before", len(after), len(before))
				}
				for name, h := range before {
					if after[name] != h {
						t.Errorf("%s changed or went", name)
					}
				}
			}
		})
	}
}

// TestOutAccepted: a missing, an empty and a folder holding only hidden
// entries are written into; hidden entries stay.
func TestOutAccepted(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the folder to write into
		keep  []string
	}{
		{"missing", func(t *testing.T, dir string) string { return filepath.Join(dir, "a", "b") }, nil},
		{"empty", func(t *testing.T, dir string) string { return dir }, nil},
		{"hidden only", func(t *testing.T, dir string) string {
			write(t, dir, ".gitkeep", "")
			return dir
		}, []string{".gitkeep"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t, t.TempDir())
			if err := CheckOut(dir); err != nil {
				t.Fatalf("CheckOut: %v", err)
			}
			m := genInto(t, shortScenario(), 1, 1e-6, dir, Options{Shard: ShardSingle})
			want := append(manifestNames(m), tt.keep...)
			slices.Sort(want)
			if got := listing(t, dir); !slices.Equal(got, want) {
				t.Errorf("files %q, want %q", got, want)
			}
		})
	}
}

// TestOutStoppedRun: a run that fails keeps the hidden mark, so the next
// run replaces what it left although there is no manifest; a folder
// without the mark and without a manifest is not gen's.
func TestOutStoppedRun(t *testing.T) {
	p, err := NewPlan(shortScenario(), 1, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tiny := shortScenario()
	tiny.Days, tiny.Sport0.BurstDay, tiny.Garbage.SurgeDay = 4, 1, 2
	genInto(t, tiny, 3, 1e-5, dir, Options{Shard: ShardHour})
	// Day 10's temporary name taken by a folder breaks the run there.
	block := filepath.Join(dir, "2016-01-11.pcap.tmp")
	if err := os.Mkdir(block, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(p, Options{Out: dir}); err == nil {
		t.Fatal("no error")
	}
	names := listing(t, dir)
	if !slices.Contains(names, incompleteName) || slices.Contains(names, ManifestName) || !slices.Contains(names, "2016-01-10.pcap") {
		t.Fatalf("after a failed run: %q; want the mark, day 9's shard and no manifest", names)
	}
	for _, n := range names {
		if strings.Contains(n, "T") {
			t.Fatalf("the earlier run's hourly shard %s survived", n)
		}
	}
	if err := os.Remove(block); err != nil {
		t.Fatal(err)
	}
	if err := CheckOut(dir); err != nil {
		t.Fatalf("the stopped run's folder is refused: %v", err)
	}
	m, err := Generate(p, Options{Out: dir, Gzip: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := listing(t, dir), manifestNames(m); !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	// Without the mark, what an interrupted run left is not recognised.
	if err := os.Remove(filepath.Join(dir, ManifestName)); err != nil {
		t.Fatal(err)
	}
	var oe *OutError
	if err := CheckOut(dir); !errors.As(err, &oe) || oe.Own {
		t.Errorf("CheckOut of shards without manifest or mark: %v, want a refusal", err)
	}
}

// write writes a file of dir.
func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies the files of src into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	for _, name := range listing(t, src) {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		write(t, dst, name, string(b))
	}
}

// fileHashes2 is fileHashes with folders (as an empty content) and hidden
// entries.
func fileHashes2(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range listing(t, dir) {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.IsDir() {
			out[name+"/"] = ""
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(b)
	}
	return out
}
