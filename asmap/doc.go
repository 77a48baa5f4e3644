// Package asmap places addresses in their origin ASes, from real routing
// data or from the generator's own AS map: `port0 study -asmap FILE` and
// the experiments read one with Open and look up each port-0 source with
// Lookup. Without an -asmap file the AS analyses say "no AS data (-asmap)"
// instead of guessing.
//
//	FILE ──► Open (format by content) ──► *Map ──► Lookup(netip.Addr) ──► Origin{Prefix, ASNs, Hosting}
//
// Open reads three formats, whatever the file's name (docs/ASMAP.md):
//
//   - CAIDA's Routeviews prefix-to-AS files (pfx2as), plain or gzip, IPv4
//     or IPv6 (or both, concatenated): "prefix<TAB>length<TAB>AS" a line
//     (https://www.caida.org/catalog/datasets/routeviews-prefix2as/,
//     https://data.caida.org/datasets/routing/routeviews-prefix2as/README.txt).
//     A prefix that several ASes originate (64500_64501, a MOAS) or whose
//     origin is an AS set (64500,64501) keeps ALL its ASes, in the file's
//     order (CAIDA lists a MOAS's most seen origin first), each once.
//   - MaxMind DB files (.mmdb; https://maxmind.github.io/MaxMind-DB/) whose
//     records carry autonomous_system_number, such as GeoLite2-ASN, read
//     with github.com/oschwald/maxminddb-golang/v2: one origin a network.
//   - The generator's asmap.csv ("prefix,asn,hosting"), the one format
//     that says whether a prefix is a hosting or cloud network
//     (Origin.Hosting, Map.KnowsHosting).
//
// Lookup is a longest-prefix match, IPv4 and IPv6, an IPv4-mapped IPv6
// address taken as IPv4. For pfx2as and asmap.csv it is a binary search
// in a table of address runs and allocates nothing; for an mmdb it is the
// reader's tree walk.
//
// A file that is wrong, truncated or empty is one error of one line,
// naming the file and, for text, the line and what was expected. A text
// prefix with host bits set (10.0.0.1/8), a length out of range, an AS
// number over 32 bits or a prefix given twice is an error, not mended: it
// means a file that is not what it seems.
package asmap
