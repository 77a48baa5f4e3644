package main

import (
	"bytes"
	"encoding/binary"
	"io"

	"github.com/klauspost/compress/zstd"
)

// isZstd reports whether b starts with a zstd frame or a skippable frame.
func isZstd(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	v := binary.LittleEndian.Uint32(b)
	return v == 0xfd2fb528 || v&^0xf == 0x184d2a50
}

// unzstd decompresses b as far as the decoder gets, and returns its error.
// It decodes as analyze's reader does, in the caller's goroutine
// (concurrency 1), which holds a frame's last block back until its
// checksum is checked.
func unzstd(b []byte) ([]byte, error) {
	zr, err := zstd.NewReader(bytes.NewReader(b), zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(zr)
}

// zst compresses b into one zstd frame with a content checksum. window, when
// not 0, is the frame's window, which also bounds its blocks: a small one
// cuts a small file into several blocks.
func zst(b []byte, window int) []byte {
	opts := []zstd.EOption{zstd.WithEncoderConcurrency(1), zstd.WithEncoderCRC(true), zstd.WithEncoderLevel(zstd.SpeedBestCompression)}
	if window > 0 {
		opts = append(opts, zstd.WithWindowSize(window))
	}
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf, opts...)
	if err != nil {
		panic(err)
	}
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// skippable is a zstd skippable frame holding content, as pzstd writes one
// before its frames.
func skippable(content []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0x184d2a5e)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(content)))
	return append(b, content...)
}

// zstdFile is a zstd stream of base that a reader reads as far as the
// decoder decompresses it: the records whole in that prefix, then an error
// at the first record (or the file header) it cuts, when the decoder fails.
func zstdFile(name string, base file, data []byte, note string) file {
	f := file{name: name, data: data, note: note}
	prefix, err := unzstd(data)
	if len(prefix) > len(base.data) || !bytes.Equal(prefix, base.data[:len(prefix)]) {
		panic(name + ": the stream does not decompress to a prefix of its base")
	}
	if len(prefix) < 24 {
		f.hasErr, f.errIndex = true, -1
		return f
	}
	off := int64(24)
	for _, r := range base.recs {
		if off+16+int64(len(r.data)) > int64(len(prefix)) {
			break
		}
		off += 16 + int64(len(r.data))
		f.recs = append(f.recs, r)
	}
	if err != nil || len(f.recs) < len(base.recs) {
		f.hasErr, f.errIndex, f.errOffset = true, int64(len(f.recs)), off
	}
	return f
}

// zstdFiles are the zstd cases: whole streams of pcapUsLe and pcapngLe, the
// framings other tools write, and damaged streams.
func zstdFiles(pcapUsLe, pcapngLe file) []file {
	z := zst(pcapUsLe.data, 0)
	ok := func(name string, base file, data []byte, note string) file {
		return file{name: name, data: data, recs: base.recs, note: note}
	}
	// A bigger base, cut by a 1 KiB window into several blocks, of which a
	// damaged stream decodes the first whole ones.
	w := newPcap(le, false, 65535, 1)
	for range 8 {
		w.add(mixed()...)
	}
	big := w.file("", "")
	zbig := zst(big.data, 1024)
	half := len(pcapUsLe.data) / 2
	twoFrames := append(zst(pcapUsLe.data[:half], 0), zst(pcapUsLe.data[half:], 0)...)
	bad := append([]byte(nil), zbig...)
	bad[len(bad)-1] ^= 0xff
	// A frame header asking for a 1 GiB window (Window_Descriptor 0xa0:
	// exponent 20, 2^(10+20) bytes), then a raw last block of 4 bytes.
	huge := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa0, 0x21, 0x00, 0x00, 0xd4, 0xc3, 0xb2, 0xa1}
	return []file{
		ok("zstd_misnamed.pcap", pcapUsLe, z, "zstd of pcap_us_le.pcap with a misleading name (no .zst)"),
		ok("pcapng_le.pcapng.zst", pcapngLe, zst(pcapngLe.data, 0), "zstd of pcapng_le.pcapng"),
		ok("zstd_skippable.pcap.zst", pcapUsLe, append(skippable([]byte("pzstd index")), z...), "a skippable frame (as pzstd writes first), then the zstd of pcap_us_le.pcap"),
		ok("zstd_two_frames.pcap.zst", pcapUsLe, twoFrames, "pcap_us_le.pcap as two zstd frames, cut inside a record (as concatenated .zst files or pzstd give)"),
		zstdFile("zstd_truncated.pcap.zst", big, zbig[:len(zbig)-4], "the zstd (1 KiB blocks) of 64 records without its last 4 bytes (the content checksum): the records of every block but the last, which the decoder holds back until the checksum it lacks, then an error"),
		zstdFile("zstd_corrupt.pcap.zst", big, bad, "the zstd (1 KiB blocks) of 64 records with a wrong content checksum: the records of every block but the last, which the decoder holds back until the checksum fails, then an error"),
		zstdFile("zstd_cut_mid.pcap.zst", big, zbig[:len(zbig)/2], "the first half of the zstd (1 KiB blocks) of 64 records: the records of the blocks that decompress whole, then an error"),
		zstdFile("zstd_bad_header.pcap.zst", pcapUsLe, []byte("\x28\xb5\x2f\xfdgarbage"), "zstd magic followed by garbage: a header error"),
		zstdFile("zstd_huge_window.pcap.zst", pcapUsLe, huge, "a zstd frame asking for a 1 GiB window, above the reader's 128 MiB: a header error, not 1 GiB of memory"),
	}
}
