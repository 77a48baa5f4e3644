package collect

import (
	"context"
	"net"
	"net/netip"
	"testing"
)

// BenchmarkCollector is the whole spool path over loopback: one socket
// sends datagrams of 1 KB as fast as it can, the Collector receives and
// spools them; datagrams/s counts what reached the spool, and the
// benchmark fails if any was lost without the kernel counting it.
func BenchmarkCollector(b *testing.B) {
	c, err := Start(context.Background(), Options{Listen: netip.MustParseAddrPort("127.0.0.1:0"), Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(c.Addr()))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	p := payloadOf(1, 1000)
	b.SetBytes(int64(len(p)))
	n := int64(0)
	for b.Loop() {
		if _, err := conn.Write(p); err != nil {
			b.Fatal(err)
		}
		n++
	}
	st, err := c.Stop()
	if err != nil {
		b.Fatal(err)
	}
	if st.Spooled+max(st.KernelDrops, 0) != n {
		b.Fatalf("sent %d, spooled %d, kernel drops %d", n, st.Spooled, st.KernelDrops)
	}
	b.ReportMetric(float64(st.Spooled)/b.Elapsed().Seconds(), "datagrams/s")
	b.ReportMetric(float64(max(st.KernelDrops, 0)), "drops")
}
