package nfcapd

import "encoding/binary"

// Sniff reports whether head, the first bytes of a file (4 at least),
// start like an nfcapd file: the magic in either byte order and a layout
// version nfdump wrote (1 for nfdump 1.6, 2 from 1.7 on), so that a
// reader of mixed inputs can send nfcapd files here without trusting a
// name.
func Sniff(head []byte) bool {
	if len(head) < 4 {
		return false
	}
	m, v := binary.LittleEndian.Uint16(head), binary.LittleEndian.Uint16(head[2:])
	if m == magicSwapped {
		v = binary.BigEndian.Uint16(head[2:])
	}
	return (m == magic || m == magicSwapped) && (v == layoutVersion1 || v == layoutVersion2)
}
