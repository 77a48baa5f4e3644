// Package classify answers the second question of docs/BACKGROUND.md for
// one packet — why does it exist? — as far as one packet can tell: its shape
// (what a port-0 packet looks like: a reply to port 0, a SYN to port 0, a
// BitTorrent payload, …), its probe (which of the fingerprinting probes
// P1–P7 and T2–T7 it is), and the purpose class that shape and probe give
// once its source's class is known.
//
//	decode.Record (+ UDP payload) ──► ShapeOf ──► Shape, Probe ──► PacketClass(shape, probe, source class) ──► label.Class
//
// Input: a decoded Record and the start of its UDP payload. Output: the
// Shape and Probe the scan keeps in each port-0 record, and the class the
// study gives each packet. The source-level decisions (class of a source,
// its tool) are the study's (package study).
package classify
