// Package sketch holds the analysis' mergeable distinct counter, HLL, a
// HyperLogLog of 1 KiB: the scan counts the distinct sources of all
// traffic in one an hour, the study the distinct destinations of each
// port-0 source. Sketches merge by register-wise maximum, so counts of
// separate files, chunks and machines combine exactly as if counted
// together.
//
//	netip.Addr / 16-byte address / hash ──► HLL ──► Count (≈ 3.3 % standard error)
package sketch
