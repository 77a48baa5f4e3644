package capture

// LinkType is a pcap/pcapng link-layer header type (LINKTYPE_* in the
// tcpdump.org registry). Readers report it per record, since the interfaces
// of one pcapng file may differ.
type LinkType uint16

// The link types the decoder understands. Others are counted and reported.
const (
	LinkNull     LinkType = 0   // BSD loopback: 4-byte address family in host byte order
	LinkEthernet LinkType = 1   // Ethernet II, with optional 802.1Q / QinQ tags
	LinkRawBSD12 LinkType = 12  // raw IP (DLT_RAW on some BSDs)
	LinkRawBSD14 LinkType = 14  // raw IP (DLT_RAW on OpenBSD)
	LinkRaw      LinkType = 101 // raw IP, version from the first nibble
	LinkLoop     LinkType = 108 // OpenBSD loopback: 4-byte address family in network byte order
	LinkSLL      LinkType = 113 // Linux cooked capture v1
	LinkIPv4     LinkType = 228 // raw IPv4
	LinkIPv6     LinkType = 229 // raw IPv6
	LinkSLL2     LinkType = 276 // Linux cooked capture v2
)
