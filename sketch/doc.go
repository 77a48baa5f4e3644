// Package sketch holds the analysis' mergeable distinct counter, HLL, a
// HyperLogLog of 1 KiB, and Compact, the same registers and exactly the
// same count in memory that follows the registers set (a sorted list of
// 2-byte entries up to SparseMax, then dense): the scan counts the
// distinct sources of all traffic in a Compact an interval, the study the
// distinct destinations of each port-0 source in an HLL. Sketches merge by
// register-wise maximum, so counts of separate files, chunks and machines
// combine exactly as if counted together.
//
//	netip.Addr / 16-byte address / hash ──► HLL, Compact ──► Count (≈ 3.3 % standard error)
package sketch
