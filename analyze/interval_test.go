package analyze

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/port0/port0/internal/testcap"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/study"
	"github.com/port0/port0/tables"
)

// intervalInputs writes two synthetic captures: nine days with packets in
// most minutes (a silent minute in 7, a silent 5-minute interval in 50,
// hour 30 silent, port-0 packets among them), and, after three silent
// days, half a day more.
func intervalInputs(t *testing.T) []string {
	t.Helper()
	rng := rand.New(rand.NewPCG(17, 17))
	start := time.Date(2024, 2, 27, 0, 0, 0, 0, time.UTC).UnixNano()
	var first, second []testcap.SyntheticPacket
	for m := range int64(13.5 * 1440) {
		switch {
		case m >= 9*1440 && m < 12*1440, m%7 == 3, m/5%50 == 11, m/60 == 30:
			continue
		}
		for range 1 + rng.IntN(6) {
			p := testcap.SyntheticPacket{TS: start + m*60e9 + rng.Int64N(60e9), Src: 0x0a000000 | rng.Uint32N(300), Port0: rng.IntN(10) == 0}
			if m < 9*1440 {
				first = append(first, p)
			} else {
				second = append(second, p)
			}
		}
	}
	sortPackets(first)
	sortPackets(second)
	dir := t.TempDir()
	var in []string
	for i, ps := range [][]testcap.SyntheticPacket{first, second} {
		name := filepath.Join(dir, []string{"a.pcap", "b.pcap"}[i])
		if err := os.WriteFile(name, testcap.Synthetic(ps), 0o644); err != nil {
			t.Fatal(err)
		}
		in = append(in, name)
	}
	return in
}

func sortPackets(ps []testcap.SyntheticPacket) {
	for i := 1; i < len(ps); i++ { // nearly sorted: insertion sort
		for j := i; j > 0 && ps[j].TS < ps[j-1].TS; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// TestIntervals runs the study at 1m, 5m, 1h and 1d over the same
// captures and checks timeseries.csv: its header; one "all" row for every
// interval of the period, zero rows included, the three silent days
// too; the packets of the short intervals of a long one adding up
// to its packets, for all traffic and for every class; and every other
// output the same whatever the interval.
func TestIntervals(t *testing.T) {
	in := intervalInputs(t)
	ivs := []time.Duration{time.Minute, 5 * time.Minute, time.Hour, 24 * time.Hour}
	dirs := map[time.Duration]string{}
	series := map[time.Duration][]tables.SeriesRow{}
	for _, iv := range ivs {
		dir := filepath.Join(t.TempDir(), iv.String())
		if _, err := Run(in, nil, dir, Options{Scan: scan.Options{Interval: iv}, Study: study.DefaultOptions()}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, tables.SeriesFile))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("start,class,packets,sources\n2024-02-27T00:00:00Z,all,")) {
			t.Errorf("%v: timeseries.csv starts %q", iv, b[:min(len(b), 60)])
		}
		rows, err := tables.ReadSeries(dir)
		if err != nil {
			t.Fatal(err)
		}
		dirs[iv], series[iv] = dir, rows
		checkGrid(t, iv, rows)
	}
	for _, c := range [][2]time.Duration{{time.Minute, 5 * time.Minute}, {time.Minute, time.Hour}, {5 * time.Minute, time.Hour}, {time.Hour, 24 * time.Hour}} {
		short, long := sums(series[c[0]], c[1]), sums(series[c[1]], c[1])
		if len(short) != len(long) {
			t.Errorf("%v in %v: %d keys, want %d", c[0], c[1], len(short), len(long))
		}
		for k, n := range long {
			if short[k] != n {
				t.Errorf("%v rows of the %v interval %s: %d packets, want %d", c[0], c[1], k, short[k], n)
				break
			}
		}
	}
	for _, f := range []string{SummaryFile, tables.PacketsFile, tables.SourcesFile, tables.EventsFile, tables.BundlesFile} {
		want, err := os.ReadFile(filepath.Join(dirs[time.Hour], f))
		if err != nil {
			t.Fatal(err)
		}
		for _, iv := range ivs {
			if got, _ := os.ReadFile(filepath.Join(dirs[iv], f)); !bytes.Equal(got, want) {
				t.Errorf("%s differs at -interval %v", f, iv)
			}
		}
	}
}

// checkGrid checks that rows have an "all" row at every interval from the
// first to the last, the three silent days included, with zero rows where
// an interval has no packet, and class rows only after their "all" row.
func checkGrid(t *testing.T, iv time.Duration, rows []tables.SeriesRow) {
	t.Helper()
	var prev int64
	zeros, gaps := 0, 0
	for i, r := range rows {
		if r.Start%int64(iv) != 0 {
			t.Fatalf("%v: row %d starts at %d, not on an interval", iv, i, r.Start)
		}
		if !r.All {
			if i == 0 || rows[i-1].Start != r.Start || r.Packets == 0 {
				t.Fatalf("%v: class row %d (%+v) not after its interval's all row, or empty", iv, i, r)
			}
			continue
		}
		if r.Packets == 0 {
			zeros++
			if r.Sources != 0 {
				t.Fatalf("%v: zero row %d with %d sources", iv, i, r.Sources)
			}
		}
		if i > 0 && r.Start != prev+int64(iv) {
			gap := time.Duration(r.Start - prev - int64(iv))
			if gap <= study.MaxZeroGap {
				t.Fatalf("%v: row %d: a silence of %v left out", iv, i, gap)
			}
			gaps++
		}
		prev = r.Start
	}
	if zeros == 0 || gaps != 0 { // the silent days are zero rows at every interval, a day included

		t.Errorf("%v: %d zero rows, %d gaps", iv, zeros, gaps)
	}
	t.Logf("%v: %d rows, %d zero rows", iv, len(rows), zeros)
}

// sums adds the packets of rows by class and interval of length d.
func sums(rows []tables.SeriesRow, d time.Duration) map[string]int64 {
	m := map[string]int64{}
	for _, r := range rows {
		c := "all"
		if !r.All {
			c = r.Class.String()
		}
		k := time.Unix(0, r.Start/int64(d)*int64(d)).UTC().Format(time.RFC3339) + " " + c
		if r.Packets > 0 || r.All {
			m[k] += r.Packets
		}
	}
	return m
}

// TestIntervalMerge checks that partial results of one interval merge
// into what one run gives, and that those of different intervals do not
// and say why, through Merge as through the command line's -merge.
func TestIntervalMerge(t *testing.T) {
	in := intervalInputs(t)
	tmp := t.TempDir()
	run := func(name string, iv time.Duration, in ...string) string {
		dir := filepath.Join(tmp, name)
		if _, err := Run(in, nil, dir, Options{Scan: scan.Options{Interval: iv}, Study: study.DefaultOptions(), Partial: true}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	whole := run("whole", 5*time.Minute, in...)
	a, b := run("a", 5*time.Minute, in[0]), run("b", 5*time.Minute, in[1])
	merged := filepath.Join(tmp, "merged")
	if _, err := Merge([]string{a, b}, merged, Options{Study: study.DefaultOptions()}); err != nil {
		t.Fatal(err)
	}
	testcap.SameFiles(t, "merged 5m partials", whole, merged, []string{tables.SeriesFile, SummaryFile})
	h := run("h", time.Hour, in[1])
	_, err := Merge([]string{a, h}, filepath.Join(tmp, "bad"), Options{Study: study.DefaultOptions()})
	if err == nil || !strings.Contains(err.Error(), "-interval 5m0s") || !strings.Contains(err.Error(), "-interval 1h0m0s") {
		t.Errorf("merging 5m and 1h partials: error %v, want one naming both intervals", err)
	}
}
