package collect

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// setReadBuffer asks for a receive buffer of size bytes: first with
// SO_RCVBUFFORCE, which passes over net.core.rmem_max but needs
// CAP_NET_ADMIN, then, if that is refused, with SO_RCVBUF (capped by the
// kernel at rmem_max). It returns what getsockopt(SO_RCVBUF) reads back:
// Linux doubles the value asked for (the other half is its bookkeeping),
// so a full 64 MiB reads back as 128 MiB.
func setReadBuffer(c *net.UDPConn, size int) (got int, forced bool, err error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, false, err
	}
	var ferr, gerr error
	cerr := rc.Control(func(fd uintptr) {
		ferr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, size)
	})
	if cerr != nil {
		return 0, false, cerr
	}
	forced = ferr == nil
	if !forced {
		if err := c.SetReadBuffer(size); err != nil {
			return 0, false, err
		}
	}
	cerr = rc.Control(func(fd uintptr) {
		got, gerr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF)
	})
	if cerr != nil {
		return 0, forced, cerr
	}
	return got, forced, gerr
}

// enableRecvInfo asks for the kernel's receive time of each datagram
// (SO_TIMESTAMPNS) and the socket's drop count (SO_RXQ_OVFL) in the
// control messages of every read. Failing that, the reads go on without
// them.
func enableRecvInfo(c *net.UDPConn) (inode uint64) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	rc.Control(func(fd uintptr) {
		syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
		syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RXQ_OVFL, 1)
		var st syscall.Stat_t
		if syscall.Fstat(int(fd), &st) == nil {
			inode = st.Ino
		}
	})
	return inode
}

// pending reports whether the socket holds a datagram, without waiting
// (a peek of MSG_DONTWAIT).
func pending(c *net.UDPConn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		return false
	}
	var b [1]byte
	var rerr error = syscall.EAGAIN
	rc.Control(func(fd uintptr) {
		_, _, rerr = syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	})
	return rerr == nil
}

// oobSize is the room for the control messages of one read: a timespec
// and a 32-bit counter, each behind a cmsghdr.
const oobSize = 128

// parseOOB reads the control messages of one read: the kernel's receive
// time (0 if none) and the socket's drop count (ok false if none). It
// does not allocate.
func parseOOB(oob []byte) (ts int64, drops uint32, ok bool) {
	const hdr = syscall.SizeofCmsghdr
	lenSize := hdr - 8 // Len is a size_t, Level and Type are int32
	ne := binary.NativeEndian
	for len(oob) >= hdr {
		var l int
		if lenSize == 8 {
			l = int(ne.Uint64(oob))
		} else {
			l = int(ne.Uint32(oob))
		}
		level := int32(ne.Uint32(oob[lenSize:]))
		typ := int32(ne.Uint32(oob[lenSize+4:]))
		if l < hdr || l > len(oob) {
			break
		}
		data := oob[hdr:l]
		if level == syscall.SOL_SOCKET {
			switch {
			case typ == syscall.SO_TIMESTAMPNS && len(data) == 16:
				ts = int64(ne.Uint64(data))*1e9 + int64(ne.Uint64(data[8:]))
			case typ == syscall.SO_TIMESTAMPNS && len(data) == 8:
				ts = int64(int32(ne.Uint32(data)))*1e9 + int64(int32(ne.Uint32(data[4:])))
			case typ == syscall.SO_RXQ_OVFL && len(data) >= 4:
				drops, ok = ne.Uint32(data), true
			}
		}
		next := (l + lenSize - 1) &^ (lenSize - 1) // CMSG_ALIGN
		if next >= len(oob) {
			break
		}
		oob = oob[next:]
	}
	return ts, drops, ok
}

// Socket is a UDP socket as /proc/net/udp or /proc/net/udp6 lists it.
type Socket struct {
	// Local is the address it is bound to.
	Local netip.AddrPort
	// Inode is the socket's inode number.
	Inode uint64
	// Drops is the number of datagrams the kernel dropped for it (its
	// receive buffer full, or memory short).
	Drops int64
}

// ErrNoProc is the error of OwnUDPSockets where /proc/net/udp is not
// there (another system than Linux, or /proc not mounted).
var ErrNoProc = errors.New("collect: no /proc/net/udp")

// OwnUDPSockets returns this process's UDP sockets, IPv4 and IPv6, as
// /proc/net/udp and /proc/net/udp6 list them: where each is bound, and
// its kernel drop count. Tests use it to see that nothing listens beyond
// loopback.
func OwnUDPSockets() ([]Socket, error) {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil, ErrNoProc
	}
	own := make(map[uint64]bool)
	for _, fd := range fds {
		l, err := os.Readlink("/proc/self/fd/" + fd.Name())
		if err != nil {
			continue
		}
		if s, ok := strings.CutPrefix(l, "socket:["); ok {
			if n, err := strconv.ParseUint(strings.TrimSuffix(s, "]"), 10, 64); err == nil {
				own[n] = true
			}
		}
	}
	all, err := procUDP()
	if err != nil {
		return nil, err
	}
	var mine []Socket
	for _, s := range all {
		if own[s.Inode] {
			mine = append(mine, s)
		}
	}
	return mine, nil
}

// procDrops returns the kernel's drop count of the socket of inode, -1
// when it cannot be read.
func procDrops(inode uint64) int64 {
	if inode == 0 {
		return -1
	}
	all, err := procUDP()
	if err != nil {
		return -1
	}
	for _, s := range all {
		if s.Inode == inode {
			return s.Drops
		}
	}
	return -1
}

// procUDP reads every socket of /proc/net/udp and /proc/net/udp6.
func procUDP() ([]Socket, error) {
	var all []Socket
	read := 0
	for _, name := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		read++
		sc := bufio.NewScanner(f)
		sc.Scan() // the column names
		for sc.Scan() {
			if s, ok := parseProcLine(sc.Text()); ok {
				all = append(all, s)
			}
		}
		f.Close()
	}
	if read == 0 {
		return nil, ErrNoProc
	}
	return all, nil
}

// parseProcLine reads one line of /proc/net/udp(6): "sl local_address
// rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
// ref pointer drops", the addresses in hex as the kernel holds them (each
// 32-bit word in host byte order), the port in hex.
func parseProcLine(line string) (Socket, bool) {
	f := strings.Fields(line)
	if len(f) < 13 {
		return Socket{}, false
	}
	host, port, ok := strings.Cut(f[1], ":")
	if !ok {
		return Socket{}, false
	}
	raw, err := hex.DecodeString(host)
	if err != nil || len(raw) != 4 && len(raw) != 16 {
		return Socket{}, false
	}
	var b [16]byte
	for i := 0; i < len(raw); i += 4 {
		binary.NativeEndian.PutUint32(b[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	p, err := strconv.ParseUint(port, 16, 16)
	if err != nil {
		return Socket{}, false
	}
	var a netip.Addr
	if len(raw) == 4 {
		a = netip.AddrFrom4([4]byte(b[:4]))
	} else {
		a = netip.AddrFrom16(b)
	}
	ino, err1 := strconv.ParseUint(f[9], 10, 64)
	drops, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return Socket{}, false
	}
	return Socket{Local: netip.AddrPortFrom(a, uint16(p)), Inode: ino, Drops: drops}, true
}
