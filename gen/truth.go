package gen

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/port0/port0/label"
)

// A .truth file holds the ground truth of one pcap shard: a 16-byte header
// ("P0TRUTH1", then uint32 version 1 and uint32 record size 8, little endian),
// then one 8-byte record per packet, in the shard's packet order:
//
//	offset 0: uint32 actor ID (row of actors.csv)
//	offset 4: uint8 class (label.Class)
//	offset 5: uint8 tool (label.Tool)
//	offset 6: uint8 detail (fingerprint probe 1–13; 1 on fragments of an orphan train)
//	offset 7: reserved, 0
//
// Packet i of the shard (0-based) joins record i.
const truthMagic = "P0TRUTH1"

func truthHeader() []byte {
	h := make([]byte, 16)
	copy(h, truthMagic)
	binary.LittleEndian.PutUint32(h[8:], 1)
	binary.LittleEndian.PutUint32(h[12:], truthRecLen)
	return h
}

// Truth is the ground truth of one packet.
type Truth struct {
	Actor  uint32
	Class  label.Class
	Tool   label.Tool
	Detail uint8
}

// Probe numbers in Truth.Detail of fingerprint packets: 1–7 are Ste Jones's
// P1–P7, 8–13 are Nmap's T2–T7 aimed at port 0.
func ProbeName(detail uint8) string {
	switch {
	case detail >= probeP1 && detail <= probeP7:
		return fmt.Sprintf("P%d", detail)
	case detail >= probeT2 && detail <= probeT7:
		return fmt.Sprintf("T%d", detail-probeT2+2)
	}
	return ""
}

// TruthReader reads a .truth file record by record.
type TruthReader struct {
	r *bufio.Reader
	n int64
}

// NewTruthReader checks the header and returns a reader of the records.
func NewTruthReader(r io.Reader) (*TruthReader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var h [16]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return nil, fmt.Errorf("truth header: %w", err)
	}
	if string(h[:8]) != truthMagic || binary.LittleEndian.Uint32(h[8:]) != 1 || binary.LittleEndian.Uint32(h[12:]) != truthRecLen {
		return nil, errors.New("not a port0 truth file (bad magic, version or record size)")
	}
	return &TruthReader{r: br}, nil
}

// Next returns the next record, or io.EOF after the last one.
func (t *TruthReader) Next() (Truth, error) {
	var b [truthRecLen]byte
	if _, err := io.ReadFull(t.r, b[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			return Truth{}, fmt.Errorf("truth record %d: file ends mid-record", t.n)
		}
		return Truth{}, err
	}
	t.n++
	return Truth{Actor: binary.LittleEndian.Uint32(b[:]), Class: label.Class(b[4]), Tool: label.Tool(b[5]), Detail: b[6]}, nil
}
