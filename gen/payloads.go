package gen

// Payloads of ordinary probes, one fixed template per service, as scanners
// send them (a DNS query, an NTP client request, an SNMP get, an SSDP search…).
var (
	dnsQuery = []byte{
		0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // id, RD, 1 question
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, // example.com
		0x00, 0x01, 0x00, 0x01, // A, IN
	}
	ntpRequest  = append([]byte{0xe3, 0x00, 0x06, 0xec}, make([]byte, 44)...) // v4 client, 48 bytes
	snmpGet     = []byte{0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c', 0xa0, 0x19, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00}
	ssdpSearch  = []byte("M-SEARCH * HTTP/1.1\r\nHOST:239.255.255.250:1900\r\nMAN:\"ssdp:discover\"\r\nMX:1\r\nST:ssdp:all\r\n\r\n")
	sipOptions  = []byte("OPTIONS sip:100@1.1.1.1 SIP/2.0\r\nVia: SIP/2.0/UDP 1.1.1.1:5060\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
	nbnsStat    = []byte{0x80, 0xf0, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 'C', 'K', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 0x00, 0x00, 0x21, 0x00, 0x01}
	memcStats   = []byte("\x00\x01\x00\x00\x00\x01\x00\x00stats\r\n")
	cldapSearch = []byte{0x30, 0x25, 0x02, 0x01, 0x01, 0x63, 0x20, 0x04, 0x00, 0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00, 0x87, 0x0b, 'o', 'b', 'j', 'e', 'c', 't', 'c', 'l', 'a', 's', 's', 0x30, 0x00}
	chargen     = []byte{0x01}
	mdnsQuery   = []byte{0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 9, '_', 's', 'e', 'r', 'v', 'i', 'c', 'e', 's', 7, '_', 'd', 'n', 's', '-', 's', 'd', 4, '_', 'u', 'd', 'p', 5, 'l', 'o', 'c', 'a', 'l', 0, 0x00, 0x0c, 0x00, 0x01}
	genericUDP  = []byte("\r\n\r\n")
)

// udpPayload returns the probe payload for a UDP service port.
func udpPayload(port uint16) []byte {
	switch port {
	case 53:
		return dnsQuery
	case 123:
		return ntpRequest
	case 161:
		return snmpGet
	case 1900:
		return ssdpSearch
	case 5060:
		return sipOptions
	case 137:
		return nbnsStat
	case 11211:
		return memcStats
	case 389:
		return cldapSearch
	case 19:
		return chargen
	case 5353:
		return mdnsQuery
	}
	return genericUDP
}

// Echo request payloads: Linux ping's 56 bytes (a timeval then 0x10…0x37)
// and Windows ping's 32 letters.
var (
	icmpLinux = func() (b [56]byte) {
		for i := 16; i < 56; i++ {
			b[i] = byte(i)
		}
		return
	}()
	icmpWindows = [32]byte([]byte("abcdefghijklmnopqrstuvwabcdefghi"))
)
