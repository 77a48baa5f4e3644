// Package collect receives flow exporters' datagrams live and spools them
// into a capture, so that receiving is never slowed by decoding:
//
//	exporters ──UDP──► Collector (read only) ──► DIR/datagrams.pcap ──► port0 analyze -flows
//
// A Collector listens on one UDP address (loopback unless the caller asks
// for another), asks the kernel for a large receive buffer, and runs two
// goroutines: one that does nothing but read datagrams into a pool of
// buffers, and one that appends each, behind IPv4 or IPv6 and UDP headers
// made from its real source and the listening address, to the spool: a
// pcap file of LINKTYPE_RAW records (Writer) that tcpdump -r, tshark and
// port0 analyze -flows read. Nothing here parses a datagram: a malformed
// one, or one that is no flow export at all, is spooled like any other
// and left to the analysis (package flows/exporter) to count.
//
// On Stop the Collector stops receiving, drains what the socket still
// holds, flushes and closes the spool, and reports what it received and
// what the kernel dropped for its socket (the receive buffer overflowing
// when the writer, or the machine, falls behind): it never loses a
// datagram without saying so.
package collect
