package nfcapd

import "errors"

// LZO1X decompression, for the blocks nfdump compresses with minilzo's
// lzo1x_1_compress (nffile.c:169-192 at v1.7.1) and reads back with
// lzo1x_decompress_safe (nffile.c:194-222).
//
// Written from the public description of the LZO1X stream in the Linux
// kernel's Documentation/staging/lzo.rst ("LZO stream format as understood
// by Linux's LZO decompressor"), which this summary follows. A stream is
// a sequence of instructions; each copies literals from the input or a
// match from the output already written, and most say in their two low
// bits S how many literals (0-3) follow them. The meaning of an opcode
// below 16 depends on "state", the number of literals the previous
// instruction copied (0, 1-3, or 4 for four or more):
//
//	first byte 18..255  copy byte-17 literals; state = that count (4 if ≥ 4)
//	0000LLLL, state 0    literal run of 3+L bytes (L = 0: 18 + 255 per zero byte + next byte)
//	0000DDSS, state 1-3  2-byte match, distance (H<<2)+D+1, H the next byte
//	0000DDSS, state 4    3-byte match, distance (H<<2)+D+2049
//	0001HLLL             match of 2+L bytes (L = 0: 9 + …), distance 16384+(H<<14)+(LE16>>2);
//	                     distance 16384 ends the stream
//	001LLLLL             match of 2+L bytes (L = 0: 33 + …), distance (LE16>>2)+1
//	01LDDDSS             match of 3+L bytes, distance (H<<3)+D+1
//	1LLDDDSS             match of 5+L bytes, distance (H<<3)+D+1
//
// LE16 is the little-endian 16-bit word after the opcode (after any length
// extension bytes); its two low bits are S for the two long forms. The
// code is this package's own; nothing of minilzo is copied.

var (
	errLZOInput      = errors.New("lzo: compressed data ends inside an instruction")
	errLZOOutput     = errors.New("lzo: decompressed data exceeds the largest nfdump block")
	errLZOLookBehind = errors.New("lzo: match reaches back before the start of the block")
	errLZOTrailing   = errors.New("lzo: bytes follow the end-of-stream marker")
	errLZOEmpty      = errors.New("lzo: empty block")
)

// lzo1xDecompress decompresses src into dst[:0], growing dst as needed but
// never past max bytes, and returns the result.
func lzo1xDecompress(dst, src []byte, max int) ([]byte, error) {
	out := dst[:0]
	n := len(src)
	if n == 0 {
		return out, errLZOEmpty
	}
	ip := 0
	state := 0
	if src[0] > 17 {
		t := int(src[0]) - 17
		ip = 1
		if ip+t > n {
			return out, errLZOInput
		}
		if len(out)+t > max {
			return out, errLZOOutput
		}
		out = append(out, src[ip:ip+t]...)
		ip += t
		state = min(t, 4)
	}
	for {
		if ip >= n {
			return out, errLZOInput
		}
		t := int(src[ip])
		ip++
		var dist, length, s int
		switch {
		case t < 16 && state == 0:
			// A literal run of 3 or more bytes.
			length = t
			if length == 0 {
				var ok bool
				if length, ip, ok = lzoLength(src, ip, 15, max); !ok {
					return out, errLZOInput
				}
			}
			length += 3
			if ip+length > n {
				return out, errLZOInput
			}
			if len(out)+length > max {
				return out, errLZOOutput
			}
			out = append(out, src[ip:ip+length]...)
			ip += length
			state = 4
			continue
		case t < 16:
			if ip >= n {
				return out, errLZOInput
			}
			h := int(src[ip])
			ip++
			if state == 4 {
				dist, length = (h<<2)+(t>>2)+2049, 3
			} else {
				dist, length = (h<<2)+(t>>2)+1, 2
			}
			s = t & 3
		case t < 32:
			length = t & 7
			if length == 0 {
				var ok bool
				if length, ip, ok = lzoLength(src, ip, 7, max); !ok {
					return out, errLZOInput
				}
			}
			length += 2
			if ip+2 > n {
				return out, errLZOInput
			}
			w := int(src[ip]) | int(src[ip+1])<<8
			ip += 2
			dist = 16384 + (t&8)<<11 + w>>2
			if dist == 16384 {
				if ip != n {
					return out, errLZOTrailing
				}
				return out, nil
			}
			s = w & 3
		case t < 64:
			length = t & 31
			if length == 0 {
				var ok bool
				if length, ip, ok = lzoLength(src, ip, 31, max); !ok {
					return out, errLZOInput
				}
			}
			length += 2
			if ip+2 > n {
				return out, errLZOInput
			}
			w := int(src[ip]) | int(src[ip+1])<<8
			ip += 2
			dist = w>>2 + 1
			s = w & 3
		default:
			if ip >= n {
				return out, errLZOInput
			}
			h := int(src[ip])
			ip++
			dist = (h << 3) + (t>>2)&7 + 1
			length = t>>5 + 1
			s = t & 3
		}
		// Copy the match, byte by byte when it overlaps what it writes.
		if dist > len(out) {
			return out, errLZOLookBehind
		}
		if len(out)+length > max {
			return out, errLZOOutput
		}
		from := len(out) - dist
		if dist >= length {
			out = append(out, out[from:from+length]...)
		} else {
			for i := range length {
				out = append(out, out[from+i])
			}
		}
		// Then the S literals the instruction announced.
		if s > 0 {
			if ip+s > n {
				return out, errLZOInput
			}
			if len(out)+s > max {
				return out, errLZOOutput
			}
			out = append(out, src[ip:ip+s]...)
			ip += s
		}
		state = s
	}
}

// lzoLength reads an extended length: base plus 255 for every zero byte,
// plus the first non-zero byte. It fails when the input ends first or the
// length would exceed max.
func lzoLength(src []byte, ip, base, max int) (int, int, bool) {
	length := base
	for ip < len(src) && src[ip] == 0 {
		length += 255
		ip++
		if length > max {
			return 0, ip, false
		}
	}
	if ip >= len(src) {
		return 0, ip, false
	}
	length += int(src[ip])
	return length, ip + 1, true
}
