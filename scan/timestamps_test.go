package scan

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// pcapngTimes is a big-endian pcapng of one raw-IP interface (µs) and a
// 4-byte packet at each of units.
func pcapngTimes(units ...uint64) []byte {
	be := binary.BigEndian
	block := func(b []byte, typ uint32, body []byte) []byte {
		l := uint32(12 + len(body))
		b = be.AppendUint32(b, typ)
		b = be.AppendUint32(b, l)
		b = append(b, body...)
		return be.AppendUint32(b, l)
	}
	shb := be.AppendUint32(nil, 0x1a2b3c4d)
	shb = be.AppendUint32(shb, 1<<16)
	shb = be.AppendUint64(shb, ^uint64(0))
	b := block(nil, 0x0a0d0d0a, shb)
	b = block(b, 1, []byte{0, 101, 0, 0, 0, 0, 0xff, 0xff})
	for _, u := range units {
		e := be.AppendUint32(nil, 0)
		e = be.AppendUint32(e, uint32(u>>32))
		e = be.AppendUint32(e, uint32(u))
		e = be.AppendUint32(e, 4)
		e = be.AppendUint32(e, 4)
		b = block(b, 6, append(e, 0x45, 0, 0, 4))
	}
	return b
}

// TestTimestampsOutOfRangeCounted: the packets whose pcapng time is past
// 2262 are counted per file (timestamps_out_of_range) and in the total.
func TestTimestampsOutOfRangeCounted(t *testing.T) {
	const past = 1 << 62 // µs: far past 2262
	tests := []struct {
		name  string
		units []uint64
		out   int64
	}{
		{"none", []uint64{1_700_000_000_000_000}, 0},
		{"two of three", []uint64{past, 1_700_000_000_000_000, ^uint64(0)}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := NewScanner(Options{Port0: true})
			if err != nil {
				t.Fatal(err)
			}
			res, err := sc.Scan("t.pcapng", bytes.NewReader(pcapngTimes(tt.units...)))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Close()
			f := res.Files[0].Counts
			if f.Packets != int64(len(tt.units)) || f.TimestampsOutOfRange != tt.out || res.Total.TimestampsOutOfRange != tt.out {
				t.Errorf("%d packets, %d out of range (total %d); want %d, %d", f.Packets, f.TimestampsOutOfRange, res.Total.TimestampsOutOfRange, len(tt.units), tt.out)
			}
		})
	}
}
