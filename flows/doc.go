// Package flows is the study's second kind of input: flow records
// (NetFlow v5, v9, IPFIX, sFlow and nfdump's nfcapd files) instead of
// packets. Each reader turns its format into a Record, one declaration for
// every format, whose Has bits say which optional fields the format
// carried; Judge then answers the question flow users keep asking of a
// flow with a port 0: is it a real port 0 (a TCP or UDP header said 0), a
// flow without ports (a non-first fragment, ICMP, another protocol, which
// exporters write as port 0), or can the format not tell?
//
//	nfcapd file ──► flows/nfcapd ─┐
//	exporter datagrams (pcap, UDP) ──► flows/exporter ─┼─► Record ──► Judge ──► the scan's port-0 records ──► study
//	sFlow raw header samples ──► the packet decoder (they are packets) ──┘
//
// What each format keeps and loses is the table Formats, from which
// docs/FLOWS.md's table is made. A rule that needs a field a format does
// not carry (an IP ID, a window, options, a payload) says "not in this
// format" and never guesses.
package flows
