package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// ngBlock appends a big-endian pcapng block of type typ to b.
func ngBlock(b []byte, typ uint32, body []byte) []byte {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	l := uint32(12 + len(body))
	b = binary.BigEndian.AppendUint32(b, typ)
	b = binary.BigEndian.AppendUint32(b, l)
	b = append(b, body...)
	return binary.BigEndian.AppendUint32(b, l)
}

// ngSection is a section header block (big-endian).
func ngSection() []byte {
	be := binary.BigEndian
	shb := be.AppendUint32(nil, 0x1a2b3c4d)
	shb = be.AppendUint32(shb, 1<<16)
	shb = be.AppendUint64(shb, ^uint64(0))
	return ngBlock(nil, ngSHB, shb)
}

// ngIDBBody describes an interface of link type link, with if_tsresol
// tsresol when it is not 0.
func ngIDBBody(link uint16, tsresol byte) []byte {
	body := binary.BigEndian.AppendUint16(nil, link)
	body = append(body, 0, 0, 0, 0, 0xff, 0xff)
	if tsresol != 0 {
		body = append(body, 0, ngOptTsresol, 0, 1, tsresol, 0, 0, 0)
	}
	return body
}

// ngEPBBody is an enhanced packet of 4 bytes on interface ifid at units.
func ngEPBBody(ifid uint32, units uint64) []byte {
	be := binary.BigEndian
	e := be.AppendUint32(nil, ifid)
	e = be.AppendUint32(e, uint32(units>>32))
	e = be.AppendUint32(e, uint32(units))
	e = be.AppendUint32(e, 4)
	e = be.AppendUint32(e, 4)
	return append(e, 1, 2, 3, 4)
}

// TestInterfaceCost: the comment of ngInterface says 24 bytes.
func TestInterfaceCost(t *testing.T) {
	if n := unsafe.Sizeof(ngInterface{}); n != 24 {
		t.Errorf("ngInterface is %d bytes; its comment says 24", n)
	}
}

// TestManyInterfaces: a pcapng section may describe more than 4,096
// interfaces (tcpdump and tshark read such files): each packet gets the
// link type and time resolution of its own interface, and a new section
// forgets them.
func TestManyInterfaces(t *testing.T) {
	const n = 5000
	b := ngSection()
	for i := range n {
		// Interface i: link type 1000+i; resolution ns on odd ones.
		var res byte
		if i%2 == 1 {
			res = 9
		}
		b = ngBlock(b, ngIDB, ngIDBBody(uint16(1000+i), res))
	}
	withPackets := func(ifids ...uint32) []byte {
		out := bytes.Clone(b)
		for _, id := range ifids {
			out = ngBlock(out, ngEPB, ngEPBBody(id, 1_000_000))
		}
		return out
	}
	newSection := append(withPackets(4999), ngSection()...)
	newSection = ngBlock(newSection, ngIDB, ngIDBBody(1, 0))
	newSection = ngBlock(newSection, ngEPB, ngEPBBody(4999, 1))
	tests := []struct {
		name  string
		data  []byte
		links []LinkType
		ts    []int64
		err   string
	}{
		{"5000 interfaces", withPackets(0, 4095, 4096, 4999), []LinkType{1000, 5095, 5096, 5999}, []int64{1e9, 1e6, 1e9, 1e6}, ""},
		{"beyond the last", withPackets(4999, 5000), []LinkType{5999}, []int64{1e6}, "undefined interface 5000 (5000 defined)"},
		{"a new section forgets them", newSection, []LinkType{5999}, []int64{1e6}, "undefined interface 4999 (1 defined)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New("many", bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var links []LinkType
			var ts []int64
			var p Packet
			for {
				if err = c.Next(&p); err != nil {
					break
				}
				links, ts = append(links, p.LinkType), append(ts, p.TS)
			}
			var re *ReadError
			switch {
			case tt.err == "" && !errors.Is(err, io.EOF):
				t.Errorf("error %v; want none", err)
			case tt.err != "" && (!errors.As(err, &re) || !strings.Contains(re.Msg, tt.err)):
				t.Errorf("error %v; want %q", err, tt.err)
			}
			if !slices.Equal(links, tt.links) || !slices.Equal(ts, tt.ts) {
				t.Errorf("links %v, times %v; want %v, %v", links, ts, tt.links, tt.ts)
			}
		})
	}
}

// TestTimestampsOutOfRange: pcapng times past what int64 nanoseconds hold
// (2262) are counted and read as no time (TS 0), not wrapped into 1969 or
// 1970; so are all those of an interface whose if_tsoffset is beyond it.
func TestTimestampsOutOfRange(t *testing.T) {
	be := binary.BigEndian
	offsetIDB := func(sec int64) []byte {
		body := ngIDBBody(1, 0)
		body = append(body, 0, ngOptTsoffset, 0, 8)
		return be.AppendUint64(body, uint64(sec))
	}
	const past = math.MaxInt64/1000 + 1 // µs: one past 2262-04-11T23:47:16.854775Z
	tests := []struct {
		name  string
		idb   []byte
		units []uint64
		want  []int64
		out   int64
	}{
		{"in range", ngIDBBody(1, 0), []uint64{1_700_000_000_000_000, past - 1}, []int64{1_700_000_000_000_000_000, (past - 1) * 1000}, 0},
		{"past 2262", ngIDBBody(1, 0), []uint64{1_700_000_000_000_000, past, ^uint64(0), 5}, []int64{1_700_000_000_000_000_000, 0, 0, 5000}, 2},
		{"ns, past 2262", ngIDBBody(1, 9), []uint64{1 << 63, 1<<63 - 1}, []int64{0, 1<<63 - 1}, 1},
		{"offset pushes past", offsetIDB(1), []uint64{past - 1000, 0}, []int64{0, 1_000_000_000}, 1},
		{"offset beyond int64 ns", offsetIDB(1 << 62), []uint64{0, 1}, []int64{0, 0}, 2},
		{"negative offset", offsetIDB(-10), []uint64{20_000_000}, []int64{10_000_000_000}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ngBlock(ngSection(), ngIDB, tt.idb)
			for _, u := range tt.units {
				b = ngBlock(b, ngEPB, ngEPBBody(0, u))
			}
			c, err := New("ts", bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var ts []int64
			var p Packet
			for c.Next(&p) == nil {
				ts = append(ts, p.TS)
			}
			if err := c.Err(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ts, tt.want) || c.TimestampsOutOfRange() != tt.out {
				t.Errorf("times %v, %d out of range; want %v, %d", ts, c.TimestampsOutOfRange(), tt.want, tt.out)
			}
		})
	}
}
