package tables

import (
	"bufio"
	"io"
	"testing"
)

// benchPackets are packet rows as a capture gives them: one file, times
// rising by a millisecond within a day, every other field varied.
func benchPackets(n int) []PacketRow {
	rows := makeRows(5, n, rowGen.packet)
	for i := range rows {
		rows[i].File = "telescope/2016-01-01.pcap"
		rows[i].Time = 1451606400e9 + int64(i)*1e6
	}
	return rows
}

// BenchmarkPacketCSV is the hot path of the packets table: one row
// formatted and handed to the file's buffer (which writes to io.Discard
// here, so that the disk is not measured).
func BenchmarkPacketCSV(b *testing.B) {
	rows := benchPackets(4096)
	pw, err := createPacketsCSV(b.TempDir(), packetsHeader)
	if err != nil {
		b.Fatal(err)
	}
	defer pw.t.close(nil)
	pw.t.w = bufio.NewWriterSize(io.Discard, 1<<20)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := pw.write(&rows[i%len(rows)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPacketParquet writes the packets table as Parquet, a row at a
// time.
func BenchmarkPacketParquet(b *testing.B) {
	rows := benchPackets(4096)
	pw, err := Parquet.CreatePackets(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := pw.Write(&rows[i%len(rows)]); err != nil {
			b.Fatal(err)
		}
	}
	if err := pw.Close(nil); err != nil {
		b.Fatal(err)
	}
}

// benchRead reads a packets table of 16,384 rows written in format f,
// b.N rows in all.
func benchRead(b *testing.B, f Format) {
	rows := benchPackets(16384)
	dir := b.TempDir()
	if err := writePacketsAs(f, dir, rows); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; {
		err := ReadPackets(dir, func(*PacketRow) error {
			n++
			if n == b.N {
				return io.EOF
			}
			return nil
		})
		if err != nil && err != io.EOF {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadPacketsCSV and BenchmarkReadPacketsParquet read the
// packets table back, per row.
func BenchmarkReadPacketsCSV(b *testing.B)     { benchRead(b, CSV) }
func BenchmarkReadPacketsParquet(b *testing.B) { benchRead(b, Parquet) }

// BenchmarkSourcesCSV writes the sources table, per row.
func BenchmarkSourcesCSV(b *testing.B) {
	rows := makeRows(6, 4096, func(g rowGen, _ int) SourceRow { return g.source() })
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n += len(rows) {
		if err := WriteSources(dir, rows[:min(len(rows), b.N-n)]); err != nil {
			b.Fatal(err)
		}
	}
}
