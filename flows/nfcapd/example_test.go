package nfcapd_test

import (
	"fmt"
	"io"
	"time"

	"github.com/port0/port0/flows/nfcapd"
)

// Read the flows nfpcapd (nfdump 1.7.1) made of testdata/captures/
// fragments_v6.pcap: IPv6 fragments it does not reassemble, so each flow
// is protocol 44 (the fragment header) with ports 0.
func Example() {
	r, err := nfcapd.Open("../../testdata/nfcapd/frag6-nfpcapd.nfcapd")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	var f nfcapd.Flow
	for {
		err := r.Next(&f)
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s [%s]:%d > [%s]:%d proto %d, %d packets, %d bytes\n",
			time.Unix(0, f.First).UTC().Format("15:04:05.000"), f.Src, f.SrcPort, f.Dst, f.DstPort, f.Proto, f.Packets, f.Bytes)
	}
	h := r.Header()
	st, _ := r.Stat()
	fmt.Printf("nfdump %s, %s, %d flows (stat record: %d)\n", h.NfdumpVersion(), h.Compression, r.Counts().Flows, st.Flows)
	// Output:
	// 00:00:00.000 [2001:db8:bad::9]:0 > [2001:db8:18::5]:0 proto 44, 2 packets, 1104 bytes
	// 00:00:03.003 [2001:db8:bad::9]:0 > [2001:db8:18::77]:0 proto 44, 1 packets, 248 bytes
	// 00:00:02.002 [2001:db8:bee::1]:0 > [2001:db8:18::5]:0 proto 44, 1 packets, 248 bytes
	// 00:00:04.004 [2001:db8:bee::1]:0 > [2001:db8:18::77]:0 proto 44, 2 packets, 204 bytes
	// nfdump 1.7.1, not compressed, 4 flows (stat record: 4)
}

// nfdump keeps an ICMP flow's type and code in its destination port.
func ExampleFlow_ICMPType() {
	r, err := nfcapd.Open("../../testdata/nfcapd/realtools-lz4.nfcapd")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	var f nfcapd.Flow
	if err := r.Next(&f); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("proto %d, DstPort %#04x: type %d, code %d\n", f.Proto, f.DstPort, f.ICMPType(), f.ICMPCode())
	// Output:
	// proto 1, DstPort 0x0809: type 8, code 9
}
