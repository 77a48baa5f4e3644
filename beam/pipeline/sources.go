package pipeline

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/port0/port0/label"
	"github.com/port0/port0/scan"
	"github.com/port0/port0/study"
)

// shardFn runs the study of one shard's sources: a study.Part over their
// records, in input order (the batches, one per input and shard, sorted by
// input index; a batch holds its input's records in packet order).
type shardFn struct {
	Cfg Config
}

// shardPart is what a shard sends the writer: its rows (its counts go to
// the combine) and its records with their classes, in input order
// (classedLen bytes each: the record, then the class).
type shardPart struct {
	Rows    study.PartTables
	Packets []byte
}

const classedLen = scan.RecordLen + 1

// ProcessElement studies the sources of shard.
func (f *shardFn) ProcessElement(key int64, batches func(*[]byte) bool, tele string, parts func([]byte), counts func(*countsAcc)) error {
	shard := int(uint32(key))
	so, err := f.Cfg.studyOptions()
	if err != nil {
		return err
	}
	// The records, from batches of one or more inputs in any order, put
	// in input order: by input index, then packet index.
	var recs [][]byte
	var b []byte
	for batches(&b) {
		if len(b) == 0 || len(b)%scan.RecordLen != 0 {
			return fmt.Errorf("shard %d: a batch of %d bytes, not whole records of %d", shard, len(b), scan.RecordLen)
		}
		for off := 0; off < len(b); off += scan.RecordLen {
			recs = append(recs, b[off:off+scan.RecordLen:off+scan.RecordLen])
		}
		b = nil
	}
	le := binary.LittleEndian
	slices.SortFunc(recs, func(x, y []byte) int {
		if c := cmp.Compare(le.Uint32(x), le.Uint32(y)); c != 0 {
			return c
		}
		return cmp.Compare(int64(le.Uint64(x[4:])), int64(le.Uint64(y[4:])))
	})
	each := func(fn func(*scan.P0Packet, []byte)) error {
		for _, rec := range recs {
			p, err := scan.DecodeRecord(rec, f.Cfg.Files)
			if err != nil {
				return fmt.Errorf("shard %d: %w", shard, err)
			}
			fn(&p, rec)
		}
		return nil
	}
	part := study.NewPart(so, time.Duration(f.Cfg.IntervalNS))
	if err := each(func(p *scan.P0Packet, _ []byte) { part.Add(p) }); err != nil {
		return err
	}
	part.Decide()
	packets := make([]byte, 0, len(recs)*classedLen)
	if err := each(func(p *scan.P0Packet, rec []byte) {
		c := part.Count(p)
		packets = append(append(packets, rec...), byte(c))
	}); err != nil {
		return err
	}
	var teleAddrs float64
	if tele != "" {
		p, err := netip.ParsePrefix(tele)
		if err != nil {
			return fmt.Errorf("telescope %q: %w", tele, err)
		}
		teleAddrs = study.TelescopeAddrs(p)
	}
	pt := part.Finish(teleAddrs)
	counts(&countsAcc{Counts: pt.Counts})
	pt.Counts = study.Counts{}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&shardPart{Rows: *pt, Packets: packets}); err != nil {
		return fmt.Errorf("shard %d: %w", shard, err)
	}
	parts(buf.Bytes())
	return nil
}

func decodeShardPart(b []byte) (*shardPart, error) {
	sp := &shardPart{}
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(sp); err != nil {
		return nil, fmt.Errorf("shard part: %w", err)
	}
	if len(sp.Packets)%classedLen != 0 {
		return nil, fmt.Errorf("shard part: %d bytes of packets, not whole records of %d", len(sp.Packets), classedLen)
	}
	return sp, nil
}

// classOf is the class byte of a classified record.
func classOf(b []byte) (label.Class, error) {
	c := label.Class(b[scan.RecordLen])
	if int(c) >= label.NumClasses {
		return 0, fmt.Errorf("class %d", c)
	}
	return c, nil
}
