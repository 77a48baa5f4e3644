// Package decodetest holds the decoders' case tables and the small packet
// builder they are written with, free of gopacket, so that one table runs
// against several implementations: package decode's tests check the fast
// decoder against the Records the tables state, and package reference's
// tests check the gopacket reference decoder against the same tables and
// the two decoders against each other on the same packets.
//
// It is imported by tests only. The builder serializes as gopacket's
// serializer does with fixed lengths and checksums (reference's tests hold
// it to that, byte for byte), so the packets are the ones the tables were
// first written with.
package decodetest
