// Package sketch holds the analysis' mergeable distinct counter, HLL, a
// HyperLogLog of 1 KiB, and Compact, the same registers and exactly the
// same count in memory that follows the registers set (a sorted list of
// 2-byte entries up to SparseMax, then dense): the scan counts the
// distinct sources of all traffic in a Compact an interval. Sketches merge
// by register-wise maximum, so counts of separate files, chunks and
// machines combine exactly as if counted together. Distinct, which the
// study keeps per port-0 source for its distinct destinations, is exact up
// to ExactMax addresses and an HLL above: a source's packets all reach one
// study part, so it never merges.
//
//	netip.Addr / 16-byte address / hash ──► HLL, Compact ──► Count (≈ 3.3 % standard error)
//	netip.Addr ──► Distinct ──► Count (exact up to ExactMax)
package sketch
