package flowscan

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"strings"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/flows"
	"github.com/port0/port0/flows/exporter"
	"github.com/port0/port0/scan"
)

// Datagrams is what the captures of exporters' datagrams held beside the
// flow records, for summary.json.
type Datagrams struct {
	// Read counts the capture's packets (exporter.ReadStats summed).
	Read exporter.ReadStats `json:"read"`
	// Decoder is the exporters' datagrams by format, the decode errors,
	// templates and samples (exporter.Stats).
	Decoder exporter.Stats `json:"decoder"`
	// Samples counts the sampled packets (sFlow raw packet headers)
	// that went through the packet decoder, by sampling rate.
	Samples map[string]int64 `json:"samples_by_sampling_rate"`
	// EstimatedSampled is the sampling rate applied to the samples: the
	// packets they stand for on the wire (each sample times its rate).
	// The tables count the samples themselves.
	EstimatedSampled int64 `json:"estimated_sampled_packets"`
}

// runDatagrams is Run on captures of exporters' datagrams: their flow
// records as Run's, and their sampled packet headers (sFlow) written to
// a capture of their own and scanned as the packets they are, the two
// results merged.
func runDatagrams(inputs []string, o Options) (*scan.Result, *Summary, error) {
	b := scan.NewBuilder(inputs, o.Scan)
	sum := newSummary()
	dg := &Datagrams{Samples: map[string]int64{}}
	sum.Datagrams = dg
	d := exporter.NewDecoder()
	sp := &sampleSpool{}
	defer sp.remove()
	for i, in := range inputs {
		started := false
		start := func() {
			if !started {
				b.Start(i, "flow exporters' datagrams")
				started = true
			}
		}
		var index int64
		rs, err := exporter.ReadCapture(in, d, func(r *flows.Record) {
			start()
			add(b, sum, r, index)
			index++
		}, func(s *exporter.Sample) {
			start()
			dg.Samples[rateName(s.SamplingRate)]++
			dg.EstimatedSampled += int64(max(s.SamplingRate, 1))
			sp.add(s)
		})
		addReadStats(&dg.Read, &rs)
		switch {
		case err != nil && rs.Packets == 0 && !started:
			b.Fail(i, -1, 0, trimName(err.Error(), in))
		case err != nil:
			start()
			b.Fail(i, index, 0, trimName(err.Error(), in)+fmt.Sprintf(" (the %d packets before it were read)", rs.Packets))
		default:
			start()
		}
	}
	dg.Decoder = d.Stats()
	res, err := b.Result()
	if err != nil || sp.err != nil {
		if err == nil {
			err = sp.err
		}
		return res, sum, err
	}
	if names := sp.close(); len(names) > 0 {
		so := o.Scan
		so.Port0 = true
		sres, serr := scan.Run(names, nil, so)
		if serr != nil {
			sres.Close()
			return res, sum, fmt.Errorf("sampled packet headers: %w", serr)
		}
		for i := range sres.Files {
			sres.Files[i].File = "sampled packet headers (" + sp.what[i] + ") of the exporters' datagrams"
		}
		if err := res.Merge(sres); err != nil {
			sres.Close()
			return res, sum, err
		}
	}
	return res, sum, nil
}

// eachDatagrams reads a capture of exporters' datagrams, fn getting every
// flow record (the sampled packets are not flows, and not given).
func eachDatagrams(in string, d *exporter.Decoder, fn func(*flows.Record)) error {
	_, err := exporter.ReadCapture(in, d, fn, func(*exporter.Sample) {})
	return err
}

// trimName drops a leading "NAME: " from an error message whose input is
// named apart.
func trimName(msg, name string) string { return strings.TrimPrefix(msg, name+": ") }

// rateName is a sampling rate as summary.json's maps key it.
func rateName(r uint32) string {
	if r == 0 {
		return "unknown"
	}
	return fmt.Sprint(r)
}

// addReadStats adds o to s.
func addReadStats(s, o *exporter.ReadStats) {
	s.Packets += o.Packets
	s.NotUDP += o.NotUDP
	s.Fragments += o.Fragments
	s.Datagrams += o.Datagrams
	s.NotExport += o.NotExport
	s.Failed += o.Failed
}

// sampleSpool writes sampled packet headers into temporary pcap files,
// one per link type, for the packet scan to read: a header is a packet's
// first bytes, captured length len(Header), original length the frame's.
type sampleSpool struct {
	files map[capture.LinkType]*spoolFile
	order []capture.LinkType
	what  []string
	err   error
	names []string
}

type spoolFile struct {
	f *os.File
	w *bufio.Writer
}

// add writes one sample; a sample of a header protocol the decoder does
// not read is left out (the decoder's stats count the samples).
func (sp *sampleSpool) add(s *exporter.Sample) {
	link, ok := s.LinkType()
	if !ok || sp.err != nil {
		return
	}
	if sp.files == nil {
		sp.files = map[capture.LinkType]*spoolFile{}
	}
	sf := sp.files[link]
	if sf == nil {
		f, err := os.CreateTemp("", "port0-samples-*.pcap")
		if err != nil {
			sp.err = err
			return
		}
		sf = &spoolFile{f: f, w: bufio.NewWriterSize(f, 1<<20)}
		sp.files[link] = sf
		sp.order = append(sp.order, link)
		sp.names = append(sp.names, f.Name())
		le := binary.LittleEndian
		h := le.AppendUint32(nil, 0xa1b23c4d) // nanosecond pcap
		h = le.AppendUint16(h, 2)
		h = le.AppendUint16(h, 4)
		h = le.AppendUint32(h, 0)
		h = le.AppendUint32(h, 0)
		h = le.AppendUint32(h, capture.MaxCaplen)
		h = le.AppendUint32(h, uint32(link))
		sf.w.Write(h)
	}
	n := min(len(s.Header), capture.MaxCaplen)
	orig := max(s.FrameLength, uint32(n))
	le := binary.LittleEndian
	var rh [16]byte
	le.PutUint32(rh[0:], uint32(s.Received/1e9))
	le.PutUint32(rh[4:], uint32(s.Received%1e9))
	le.PutUint32(rh[8:], uint32(n))
	le.PutUint32(rh[12:], orig)
	sf.w.Write(rh[:])
	if _, err := sf.w.Write(s.Header[:n]); err != nil {
		sp.err = err
	}
}

// close flushes and closes the spool files and returns their names, in
// the order their link types were first seen (what names each).
func (sp *sampleSpool) close() []string {
	for _, link := range sp.order {
		sf := sp.files[link]
		if err := sf.w.Flush(); err != nil && sp.err == nil {
			sp.err = err
		}
		sf.f.Close()
		sp.what = append(sp.what, linkName(link))
	}
	return sp.names
}

// remove deletes the spool files.
func (sp *sampleSpool) remove() {
	for _, link := range sp.order {
		sp.files[link].f.Close()
	}
	for _, n := range sp.names {
		os.Remove(n)
	}
}

// linkName names a sampled header's link type.
func linkName(l capture.LinkType) string {
	switch l {
	case capture.LinkEthernet:
		return "Ethernet"
	case capture.LinkIPv4:
		return "IPv4"
	case capture.LinkIPv6:
		return "IPv6"
	}
	return fmt.Sprintf("link type %d", l)
}
