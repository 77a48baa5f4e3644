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

	LinkPPP        LinkType = 9   // PPP (RFC 1661), optionally with the HDLC-like address and control bytes
	LinkFDDI       LinkType = 10  // FDDI: 13-byte MAC header, then 802.2 LLC/SNAP
	LinkPPPHDLC    LinkType = 50  // PPP in HDLC-like framing (RFC 1662), or Cisco PPP with HDLC framing
	LinkCHDLC      LinkType = 104 // Cisco HDLC: address, control, EtherType
	LinkIEEE80211  LinkType = 105 // IEEE 802.11 MAC header, then LLC/SNAP
	LinkFrameRelay LinkType = 107 // Frame Relay: Q.922 address, then RFC 2427 NLPID encapsulation
	LinkRadiotap   LinkType = 127 // radiotap header, then IEEE 802.11
	LinkARCNET     LinkType = 129 // ARCNET as Linux captures it (LINKTYPE_ARCNET_LINUX)
	LinkIPNet      LinkType = 226 // Solaris ipnet: a 24-byte header with the address family
	LinkNFLog      LinkType = 239 // Linux netfilter NFLOG: a 4-byte header, then TLVs, the packet in NFULA_PAYLOAD
	LinkIPoIB      LinkType = 242 // IP over InfiniBand (RFC 4391): EtherType and reserved bytes
)
