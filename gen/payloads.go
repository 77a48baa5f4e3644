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
	case 514:
		return syslogMsg
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

// fillChargen fills b with chargen's rotating lines of printable ASCII
// (RFC 864), starting at a position chosen by u. Line r of the pattern
// that starts at position s is line s+r of the one that starts at 0, so b
// is usually a copy out of chargenLines.
func fillChargen(b []byte, u uint64) {
	start := int(u % 95)
	if copy(b, chargenLines[start*chargenLine:]) < len(b) {
		chargenFrom(b, start) // longer than any segment of 16 fragments
	}
}

// chargenFrom writes the chargen pattern that starts at position start
// into b.
func chargenFrom(b []byte, start int) {
	for i := range b {
		switch col := i % chargenLine; col {
		case chargenLine - 2:
			b[i] = '\r'
		case chargenLine - 1:
			b[i] = '\n'
		default:
			b[i] = byte(' ' + (start+i/chargenLine+col)%95)
		}
	}
}

// chargenLine is the bytes of a chargen line: 72 characters and CRLF.
const chargenLine = 72 + 2

// chargenLines is the pattern from position 0: enough lines for every
// start position and a segment of 16 full fragments.
var chargenLines = func() []byte {
	b := make([]byte, (95+16*fragPayload/chargenLine+1)*chargenLine)
	chargenFrom(b, 0)
	return b
}()

// fillDNSResponse fills b (at least 64 bytes) with a well-formed DNS
// response to "example.com ANY" whose TXT answers exactly use up b, as an
// amplifying resolver sends it.
func fillDNSResponse(b []byte, id uint16) {
	q := dnsQuery[12:] // question: example.com A IN
	n := copy(b, []byte{byte(id >> 8), byte(id), 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0})
	n += copy(b[n:], q[:len(q)-4])
	n += copy(b[n:], []byte{0x00, 0xff, 0x00, 0x01}) // ANY, IN
	answers := 0
	for len(b)-n >= 12+1 {
		rest := len(b) - n - 12 // rdata room for this record
		rdlen := min(rest, 4096)
		if left := rest - rdlen; left > 0 && left < 13 {
			rdlen -= 13 - left // leave room for one more whole record
		}
		b[n], b[n+1] = 0xc0, 0x0c // name: pointer to the question
		b[n+2], b[n+3] = 0, 16    // TXT
		b[n+4], b[n+5] = 0, 1     // IN
		b[n+6], b[n+7], b[n+8], b[n+9] = 0, 0, 0x0e, 0x10
		b[n+10], b[n+11] = byte(rdlen>>8), byte(rdlen)
		n += 12
		// rdata: character strings of at most 255 bytes each.
		for end := n + rdlen; n < end; {
			l := min(end-n-1, 255)
			b[n] = byte(l)
			// b[m] = 'a' + m%26 for m in n+1..n+l
			copy(b[n+1:n+1+l], dnsLetters[(n+1)%26:])
			n += 1 + l
		}
		answers++
	}
	for ; n < len(b); n++ { // cannot happen for len(b) ≥ 64, kept safe
		b[n] = 0
	}
	b[6], b[7] = byte(answers>>8), byte(answers)
}

// dnsLetters is the alphabet over and over, long enough to copy a
// 255-byte character string from any of its first 26 positions.
var dnsLetters = func() (b [26 + 255]byte) {
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return
}()

// syslogMsg is a BSD syslog message (RFC 3164: <PRI>TIMESTAMP HOST TAG:
// MSG), one-way UDP whose sender may leave its source port 0 (RFC 768:
// "If not used, a value of zero is inserted").
var syslogMsg = []byte("<134>Mar  1 00:00:00 cpe-router kernel: eth1: link down")
