package study

import (
	"net/netip"

	"github.com/port0/port0/label"
)

// Event is one backscatter event: a victim's replies in one direction
// (to or from port 0) and protocol with no gap above the timeout.
type Event struct {
	Victim      netip.Addr
	Class       label.Class // backscatter-to-0 or backscatter-from-0
	Proto       uint8
	First, Last int64
	Packets     int64
	Port        uint16 // service port: the victim's source port (to-0) or 0
	peakBin     int64
	binCount    int64
	PeakPerMin  int64
	// The victim's replies, for its stack (Stack): by inferred initial
	// TTL 64 and 128, SYN-ACKs with window 65535 and with another window,
	// and ICMP errors.
	ttl64, ttl128, synAck65535, synAckOther, icmp int64
}

// Stack is the victim's operating-system stack as its replies to port 0
// tell it (docs/TOOLS.md section 7, the response matrix of
// docs/BACKGROUND.md):
// a UDP flood to its port 0 answered by ICMP port unreachable is not BSD
// (FreeBSD's udp_input drops datagrams to port 0, Linux's
// __udp4_lib_rcv answers them); an initial TTL of 128 is Windows, of 64
// Linux or BSD; a SYN-ACK of window 65535 with TTL 64 is BSD (FreeBSD,
// macOS), of another window Linux (mss×10, mss×20, 64240). RSTs alone
// with TTL 64 cannot tell Linux from BSD (both DF, IP ID 0, window 0).
// Each inference needs 80 % of the replies to agree.
func (e *Event) Stack() label.VictimStack {
	n := float64(e.Packets)
	ttl64, ttl128 := float64(e.ttl64) >= 0.8*n, float64(e.ttl128) >= 0.8*n
	switch {
	case ttl128:
		return label.StackWindows
	case e.icmp > 0 && float64(e.icmp) >= 0.8*n:
		if ttl64 {
			return label.StackLinux
		}
		return label.StackNotBSD
	case !ttl64:
		return label.StackUnknown
	case e.synAck65535 > 0 && e.synAck65535 >= 4*e.synAckOther:
		return label.StackBSD
	case e.synAckOther > 0 && e.synAckOther >= 4*e.synAck65535:
		return label.StackLinux
	case e.synAck65535 == 0 && e.synAckOther == 0:
		return label.StackLinuxOrBSD
	}
	return label.StackUnknown
}

type eventKey struct {
	victim netip.Addr
	class  label.Class
	proto  uint8
}
