package nfcapd

import "strconv"

// Where an Error happened, beside the data blocks' own numbers (0, 1, …).
const (
	// BlockFileHeader marks an error in the 40-byte file header.
	BlockFileHeader = -1
	// BlockAppendix marks an error in the appendix (ident and stat record).
	BlockAppendix = -2
)

// Error is a malformed, truncated or unreadable nfcapd file. Every record
// before it has been returned; (*Reader).Counts says what was not read.
type Error struct {
	// File is the name given to Open or NewReader.
	File string
	// Block is the data block's index (0 is the first after the file
	// header), or BlockFileHeader, or BlockAppendix (then Index is the
	// appendix block's).
	Block int
	// Index is the appendix block's index when Block is BlockAppendix.
	Index int
	// Offset is the file offset of the block's 12-byte header (of the file
	// header: 0).
	Offset int64
	// Record is the index in its block of the bad record, or -1 when the
	// block as a whole is bad.
	Record int
	// RecordOffset is the bad record's offset in the block's decompressed
	// bytes (0 is the first byte after the block header).
	RecordOffset int
	// Msg says what is wrong.
	Msg string
	err error // underlying I/O or decompression error, if any
}

// Error returns "FILE: block B at byte OFF: MSG", with "record R at block
// byte X" between them for a bad record.
func (e *Error) Error() string {
	s := e.File + ": "
	switch e.Block {
	case BlockFileHeader:
		s += "file header"
	case BlockAppendix:
		s += "appendix block " + strconv.Itoa(e.Index) + " at byte " + strconv.FormatInt(e.Offset, 10)
	default:
		s += "block " + strconv.Itoa(e.Block) + " at byte " + strconv.FormatInt(e.Offset, 10)
	}
	if e.Record >= 0 {
		s += ": record " + strconv.Itoa(e.Record) + " at block byte " + strconv.Itoa(e.RecordOffset)
	}
	s += ": " + e.Msg
	if e.err != nil {
		s += ": " + e.err.Error()
	}
	return s
}

// Unwrap returns the underlying I/O or decompression error, or nil when
// the file itself is malformed.
func (e *Error) Unwrap() error { return e.err }
