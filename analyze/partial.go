package analyze

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// A partial result is what one analysis keeps so that several can be
// combined later, on this machine or another: the scan's summary, the
// spool of each input, and the all-traffic hourly counts and destination
// range. Everything in it merges exactly (sums, register maxima,
// concatenation in input order), so merging partial results of disjoint
// inputs and running the study equals one run over all the inputs.

const (
	partialSummary = "summary.json"
	partialHours   = "hours.bin"
	partialMagic   = "P0PART01"
)

// SavePartial writes the partial result of sum into dir (created): the
// summary (without the study), the hourly counts, and a copy of every spool.
func SavePartial(sum *Summary, dir string) error {
	if sum.spools == nil {
		return errors.New("no spools: run Analyze with Options.Spool")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	scan := *sum
	scan.Port0 = nil
	b, err := scan.JSON()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, partialSummary), b, 0o644); err != nil {
		return err
	}
	if err := writeHours(filepath.Join(dir, partialHours), sum.hours, sum.dst); err != nil {
		return err
	}
	for i, sp := range sum.spools {
		if sp == "" {
			continue
		}
		if err := copyFile(sp, filepath.Join(dir, fmt.Sprintf("%06d.spool", i))); err != nil {
			return err
		}
	}
	return nil
}

// MergePartials combines the partial results in dirs, in order, into one
// summary whose spools are rewritten into spoolDir with the merged input
// numbering; RunStudy then runs on it as on a fresh scan.
func MergePartials(dirs []string, spoolDir string) (*Summary, error) {
	if err := os.MkdirAll(spoolDir, 0o755); err != nil {
		return nil, err
	}
	out := &Summary{Total: newCounts(), ReadErrors: []ReadErrorInfo{}, NaiveFlow: &NaiveFlow{}, hours: map[int64]*HourAll{}}
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, partialSummary))
		if err != nil {
			return nil, fmt.Errorf("%s: not a partial result (run port0 analyze -partial): %w", d, err)
		}
		var s Summary
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(d, partialSummary), err)
		}
		if err := readHours(filepath.Join(d, partialHours), out.hours, &out.dst); err != nil {
			return nil, err
		}
		base := len(out.Files)
		for i := range s.Files {
			name := filepath.Join(d, fmt.Sprintf("%06d.spool", i))
			merged := filepath.Join(spoolDir, fmt.Sprintf("%06d.spool", base+i))
			if _, err := os.Stat(name); err != nil {
				out.spools = append(out.spools, "")
				continue
			}
			if err := renumberSpool(name, merged, uint32(base)); err != nil {
				return nil, err
			}
			out.spools = append(out.spools, merged)
		}
		out.Inputs += s.Inputs
		out.Files = append(out.Files, s.Files...)
		out.ReadErrors = append(out.ReadErrors, s.ReadErrors...)
		out.Total.Add(&s.Total)
		if s.NaiveFlow != nil {
			out.NaiveFlow.Add(s.NaiveFlow)
		}
	}
	if out.Total.Files == 0 {
		return out, ErrNoInput
	}
	return out, nil
}

func renumberSpool(from, to string, base uint32) error {
	w, err := createSpool(to)
	if err != nil {
		return err
	}
	err = readSpool(from, func(p *P0Packet) error {
		p.File += base
		w.add(p)
		return nil
	})
	if cerr := w.close(); err == nil {
		err = cerr
	}
	return err
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeHours stores the hourly all-traffic counts (sorted by hour) and the
// destination range: magic, range, count, then per hour its number, packets
// and HLL registers.
func writeHours(name string, hours map[int64]*HourAll, dst dstRange) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	w.WriteString(partialMagic)
	var b [8]byte
	put := func(v uint64) {
		binary.LittleEndian.PutUint64(b[:], v)
		w.Write(b[:])
	}
	seen := uint64(0)
	if dst.Seen {
		seen = 1
	}
	put(seen)
	put(uint64(dst.Min))
	put(uint64(dst.Max))
	hs := make([]int64, 0, len(hours))
	for h := range hours {
		hs = append(hs, h)
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i] < hs[j] })
	put(uint64(len(hs)))
	for _, h := range hs {
		put(uint64(h))
		put(uint64(hours[h].Packets))
		w.Write(hours[h].Sources.Reg[:])
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// readHours adds the hourly counts of a partial result into hours and its
// destination range into dst.
func readHours(name string, hours map[int64]*HourAll, dst *dstRange) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	bad := func(err error) error { return fmt.Errorf("%s: corrupt hourly counts: %v", name, err) }
	var magic [8]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil || string(magic[:]) != partialMagic {
		return bad(errors.New("bad magic"))
	}
	var b [8]byte
	get := func() (uint64, error) {
		_, err := io.ReadFull(r, b[:])
		return binary.LittleEndian.Uint64(b[:]), err
	}
	seen, _ := get()
	lo, _ := get()
	hi, _ := get()
	n, err := get()
	if err != nil || n > 1<<24 {
		return bad(fmt.Errorf("hour count %d (%v)", n, err))
	}
	if seen == 1 {
		dst.merge(dstRange{Min: uint32(lo), Max: uint32(hi), Seen: true})
	}
	var a HourAll
	for i := uint64(0); i < n; i++ {
		h, _ := get()
		p, err := get()
		if err != nil {
			return bad(err)
		}
		if _, err := io.ReadFull(r, a.Sources.Reg[:]); err != nil {
			return bad(err)
		}
		x := hours[int64(h)]
		if x == nil {
			x = &HourAll{}
			hours[int64(h)] = x
		}
		a.Packets = int64(p)
		x.add(&a)
	}
	return nil
}
