// Package capture is the first stage of the analysis: it reads captures.
//
//	files, folders, stdin ──► capture ──► Packet (record by record: Next)
//	                                  └─► Chunk  (runs of whole pcap records: ReadChunk)
//
// Input: paths (ExpandInputsWarn turns folders into the captures inside
// them, detected by content, following symbolic links, and names in
// warnings the entries it does not read: FIFOs, sockets, devices, a folder
// reached twice), or any
// io.Reader. Containers: pcap (µs and ns timestamps, both byte orders),
// pcapng, either inflated from gzip (github.com/klauspost/compress, with
// compress/gzip taking over on a damaged stream so that the bytes and the
// error are the standard library's) or zstd (the same module), detected
// by their magic numbers whatever the file is called.
//
// Output: a Packet per record — its bytes, lengths, time, link type, index
// and stream offset — for the decoder (package decode); or, for pcap, a
// Chunk of whole records that another goroutine turns into Packets with
// (*Chunk).Record, which is how the scan (package scan) decodes one file on
// several cores. The pcap record header is parsed in one place
// (recordHeader); the chunked walk is the reader's own state, which
// nothing outside this package touches.
//
// A corrupt or truncated capture never panics: the reader returns every
// packet before the damage and a *ReadError naming the file, the index the
// next packet would have had and the byte offset of the bad record;
// (*Capture).Skipped says how many bytes after it were not read (for a
// stream, counted only up to SkipCountBytes or SkipCountTime: then "at
// least" so many).
//
// # Aliasing
//
// Packet.Data aliases the reader's buffer and is valid only until the
// next call to (*Capture).Next; a Chunk's records alias the chunk, until
// the next ReadChunk into it. Copy what you keep.
package capture
