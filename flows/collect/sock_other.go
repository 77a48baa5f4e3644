//go:build !linux

package collect

import (
	"errors"
	"net"
	"net/netip"
)

// setReadBuffer asks for a receive buffer of size bytes with SO_RCVBUF;
// what the system granted is not read back (0).
func setReadBuffer(c *net.UDPConn, size int) (got int, forced bool, err error) {
	return 0, false, c.SetReadBuffer(size)
}

// enableRecvInfo does nothing here: receive times are taken after each
// read, and the kernel's drops are not known.
func enableRecvInfo(c *net.UDPConn) (inode uint64) { return 0 }

// pending cannot tell here whether the socket holds a datagram: the
// drain ends at its first quiet DrainIdle.
func pending(c *net.UDPConn) bool { return false }

// oobSize is the room for control messages of one read: none here.
const oobSize = 0

// parseOOB finds nothing: no control messages are asked for.
func parseOOB(oob []byte) (ts int64, drops uint32, ok bool) { return 0, 0, false }

// Socket is a UDP socket as Linux's /proc/net/udp lists it.
type Socket struct {
	// Local is the address it is bound to.
	Local netip.AddrPort
	// Inode is the socket's inode number.
	Inode uint64
	// Drops is the number of datagrams the kernel dropped for it.
	Drops int64
}

// ErrNoProc is the error of OwnUDPSockets where /proc/net/udp is not
// there: always, on this system.
var ErrNoProc = errors.New("collect: no /proc/net/udp")

// OwnUDPSockets lists this process's UDP sockets on Linux; here it
// returns ErrNoProc.
func OwnUDPSockets() ([]Socket, error) { return nil, ErrNoProc }

// procDrops returns -1: the drops are not known here.
func procDrops(inode uint64) int64 { return -1 }
