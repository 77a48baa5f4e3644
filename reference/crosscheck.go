package reference

import (
	"errors"
	"fmt"
	"io"

	"github.com/port0/port0/capture"
	"github.com/port0/port0/decode"
)

// CrosscheckResult counts what Crosscheck saw.
type CrosscheckResult struct {
	Files       int   // captures opened
	Packets     int64 // packets decoded both ways
	Differing   int64 // packets whose normalised records differ
	Unsupported int64 // packets on a link type the decoders do not know
	ReadErrors  int   // captures that could not be opened or ended in a *ReadError
}

// ErrDecodersDiffer is returned by Crosscheck when some packet decodes
// differently with the fast and the reference decoder.
var ErrDecodersDiffer = errors.New("fast and reference decoders differ")

// Crosscheck decodes every packet of every input with the fast decoder
// and with the reference decoder, normalises the pair (Normalize) and
// writes the first maxDiffs differing packets to w, one line per field:
//
//	FILE: packet INDEX (link L, N bytes): FIELD: fast X, ref Y
//
// followed by a hex dump line of the packet. Inputs are paths or "-" for
// stdin (already expanded: see ExpandInputs), opened with ro. A capture that cannot be
// opened or ends in a *ReadError is reported to w and counted; the other
// inputs are still read. The error is ErrDecodersDiffer when a packet
// differs, else a read error if any, else nil.
func Crosscheck(inputs []string, stdin io.Reader, ro capture.ReadOptions, maxDiffs int, w io.Writer) (CrosscheckResult, error) {
	var res CrosscheckResult
	var firstReadErr error
	ref := NewRefDecoder()
	var p capture.Packet
	var fast, slow decode.Record
	for _, name := range inputs {
		var c *capture.Capture
		var err error
		if name == "-" {
			c, err = capture.NewWith("stdin", stdin, ro)
		} else {
			c, err = capture.OpenWith(name, ro)
		}
		if err != nil {
			res.ReadErrors++
			fmt.Fprintf(w, "%s: %v\n", name, err)
			if firstReadErr == nil {
				firstReadErr = err
			}
			continue
		}
		res.Files++
		for {
			err = c.Next(&p)
			if err != nil {
				break
			}
			res.Packets++
			fast.Decode(p.LinkType, p.Data)
			ref.Decode(p.LinkType, p.Data, &slow)
			if fast.Link == decode.LinkUnsupported {
				res.Unsupported++
			}
			nf, nr := Normalize(fast, slow)
			if nf == nr {
				continue
			}
			res.Differing++
			if res.Differing > int64(maxDiffs) {
				continue
			}
			for _, d := range DiffRecords(nf, nr) {
				fmt.Fprintf(w, "%s: packet %d (link %d, %d bytes): %s: fast %s, ref %s\n",
					name, p.Index, p.LinkType, len(p.Data), d.Field, d.Fast, d.Ref)
			}
			fmt.Fprintf(w, "%s: packet %d: %x\n", name, p.Index, p.Data)
		}
		if !errors.Is(err, io.EOF) {
			res.ReadErrors++
			fmt.Fprintln(w, err) // a *ReadError names file, packet and offset
			if firstReadErr == nil {
				firstReadErr = err
			}
		}
		c.Close()
	}
	if res.Differing > 0 {
		return res, ErrDecodersDiffer
	}
	return res, firstReadErr
}
