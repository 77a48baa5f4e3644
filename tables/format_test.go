package tables

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestDayFormat holds dayFormat to the time package's formatting: every
// hour of several years around the epoch, 2024's leap day, 2106 (the end
// of 32-bit pcap seconds) and the last ones an int64 of nanoseconds holds
// (2262), in order, then at random (seconds, as
// timeseries.csv writes hours); whole seconds at random; and nanosecond
// times (time) in order within days and at random, before the epoch too.
func TestDayFormat(t *testing.T) {
	const secondLayout = "2006-01-02T15:04:05Z"
	wantHour := func(h int64) string { return time.Unix(h*3600, 0).UTC().Format("2006-01-02T15:00:00Z") }
	var hours []int64
	for h := int64(-3 * 8784); h < 3*8784; h++ { // 1967–1973
		hours = append(hours, h)
	}
	for _, y := range []int{2024, 2106} {
		start := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / 3600
		for h := start - 48; h < start+8784+48; h++ {
			hours = append(hours, h)
		}
	}
	// The last hours whose start fits an int64 of ns (April 2262): the
	// times are ns now, so 9999 is out of reach.
	for h := time.Date(2261, 1, 1, 0, 0, 0, 0, time.UTC).Unix() / 3600; h <= math.MaxInt64/int64(3600e9); h++ {
		hours = append(hours, h)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		hours = append(hours, r.Int64N(1<<32/3600))
	}
	var f dayFormat
	var b []byte
	for _, h := range hours {
		if b = f.seconds(b[:0], h*3600e9); string(b) != wantHour(h) {
			t.Fatalf("hour %d: %q, want %q", h, b, wantHour(h))
		}
	}
	var times []int64
	for ts := int64(-2 * 86400e9); ts < 2*86400e9; ts += 1e9 + r.Int64N(1e11) {
		times = append(times, ts)
	}
	for range 20000 {
		times = append(times, r.Int64N(1<<32*1e9)-1e18, r.Int64N(1<<62))
	}
	times = append(times, 0, -1, 1, 86400e9-1, 86400e9, -86400e9)
	for _, ts := range times {
		want := time.Unix(0, ts).UTC().Format(TimeLayout)
		if b = f.time(b[:0], ts); string(b) != want {
			t.Fatalf("time %d: %q, want %q", ts, b, want)
		}
		// seconds drops the fraction, rounding down as the time package does.
		want = time.Unix(0, ts).UTC().Format(secondLayout)
		if b = f.seconds(b[:0], ts); string(b) != want {
			t.Fatalf("seconds %d: %q, want %q", ts, b, want)
		}
	}
	if got := FmtTime(-1); got != "1969-12-31T23:59:59.999999999Z" {
		t.Errorf("FmtTime(-1) = %q", got)
	}
}

// TestFormats: the small formats and their parsers agree, and the parsers
// refuse what the writers never write.
func TestFormats(t *testing.T) {
	for f := range uint16(1 << 9) {
		s := FlagString(f)
		g, err := ParseFlags(s)
		if err != nil || g != f {
			t.Fatalf("flags %#x: %q parses as %#x, %v", f, s, g, err)
		}
	}
	for _, s := range []string{"", "X", "SX", "s"} {
		if _, err := ParseFlags(s); err == nil {
			t.Errorf("ParseFlags(%q): no error", s)
		}
	}
	for p := range 256 {
		s := ProtoName(uint8(p))
		g, err := parseProto(s)
		if err != nil || g != uint8(p) {
			t.Fatalf("protocol %d: %q parses as %d, %v", p, s, g, err)
		}
	}
	for _, s := range []string{"", "TCP", "256", "-1", "sctp"} {
		if _, err := parseProto(s); err == nil {
			t.Errorf("parseProto(%q): no error", s)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"a.pcap", "a.pcap"}, {"a,b.pcap", `"a,b.pcap"`}, {`say "x".pcap`, `"say ""x"".pcap"`}, {"a\nb", "\"a\nb\""},
	} {
		if got := csvField(c.in); got != c.want {
			t.Errorf("csvField(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if FmtFloat(1.0/3) != "0.333333" || FmtFloat(2) != "2.000000" {
		t.Errorf("FmtFloat: %s, %s", FmtFloat(1.0/3), FmtFloat(2))
	}
}
