package gen

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/port0/port0/label"
)

// ShardMode says how packets are split into files.
type ShardMode int

// The shard modes.
const (
	ShardDay    ShardMode = iota // one file per UTC day (default)
	ShardHour                    // one file per UTC hour
	ShardSingle                  // one file for the whole period
)

// ParseShardMode reads "day", "hour" or "single".
func ParseShardMode(s string) (ShardMode, error) {
	switch s {
	case "day":
		return ShardDay, nil
	case "hour":
		return ShardHour, nil
	case "single":
		return ShardSingle, nil
	}
	return 0, fmt.Errorf("unknown shard mode %q (want day, hour or single)", s)
}

func (m ShardMode) String() string { return [...]string{"day", "hour", "single"}[m] }

// Options are the output choices of a run. None of them changes which
// packets are generated, only how they are written.
type Options struct {
	// Out is the output folder. It may be missing (it is created), empty
	// (hidden entries, named ".…", do not count and are left alone), or
	// hold an earlier run of gen, recognised by its manifest.json (or by
	// the hidden mark of a run that was stopped): that run is replaced
	// whole, its files removed (the ones its manifest lists and any named
	// as gen names its shards, tables and temporary files, whatever the
	// scenario, shard mode or gzip) before the new run writes. A folder
	// holding anything else is refused with an *OutError, and nothing in
	// it is changed (see CheckOut).
	Out      string
	Shard    ShardMode // file split
	Nano     bool      // nanosecond pcap timestamps (else microsecond)
	RawIP    bool      // LINKTYPE_RAW (101) instead of Ethernet
	Gzip     bool      // gzip every pcap shard
	Workers  int       // generating goroutines; 0 = GOMAXPROCS
	Progress io.Writer // progress lines; nil = none
}

// Manifest describes a finished run: what was asked, what was written, and
// the sha256 of every file. It holds no wall-clock time.
type Manifest struct {
	Generator string           `json:"generator"`
	Scenario  string           `json:"scenario"`
	Seed      uint64           `json:"seed"`
	Scale     float64          `json:"scale"`
	Telescope string           `json:"telescope"`
	Start     string           `json:"start"`
	Days      int              `json:"days"`
	Shard     string           `json:"shard"`
	LinkType  int              `json:"link_type"`
	Nanosec   bool             `json:"nanosecond"`
	Gzip      bool             `json:"gzip"`
	ChunkSec  int64            `json:"chunk_seconds"`
	Packets   int64            `json:"packets"`
	Classes   map[string]int64 `json:"classes"`
	Planned   map[string]int64 `json:"planned_classes"`
	Actors    int              `json:"actors"`
	Files     []FileEntry      `json:"files"`
	Shards    []ShardEntry     `json:"shards"`
	// ScenarioText is the full scenario, as 'port0 gen -print-scenario' writes it.
	ScenarioText string `json:"scenario_text"`
}

// FileEntry is one written file and its checksum.
type FileEntry struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// ShardEntry is one pcap shard with its truth file and per-class counts.
type ShardEntry struct {
	Pcap    string           `json:"pcap"`
	Truth   string           `json:"truth"`
	Packets int64            `json:"packets"`
	Classes map[string]int64 `json:"classes"`
}

// GeneratorVersion names the packet layouts; it changes when bytes do.
const GeneratorVersion = "port0-gen/1"

// ManifestName is the file written last: its presence marks a complete run.
const ManifestName = "manifest.json"

// Generate writes the plan's packets, truth, actor and AS tables and the
// manifest into opts.Out. The folder must be missing, empty or an earlier
// run of gen, which is replaced whole: no file of it is left beside the
// new run (Options.Out says which files go; any other content makes
// Generate refuse with an *OutError before it changes anything). Files
// are written under temporary names and renamed when complete; the
// manifest comes last. On error nothing that looks complete is left:
// temporary files are removed and no manifest exists; the folder keeps a
// hidden mark that makes it gen's to replace on the next run.
func Generate(p *Plan, opts Options) (m *Manifest, err error) {
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create output folder: %w", err)
	}
	// An earlier run goes first, its manifest before its files: a manifest
	// would vouch for files we are replacing.
	if err := clearOut(opts.Out); err != nil {
		return nil, err
	}
	g := &run{p: p, opts: opts}
	defer func() {
		if err != nil {
			g.abort()
		}
	}()
	if err := g.packets(); err != nil {
		return nil, err
	}
	if err := g.tables(); err != nil {
		return nil, err
	}
	m = g.manifest()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	if err := g.writeFile(ManifestName, buf.Bytes(), false); err != nil {
		return nil, err
	}
	if err := doneOut(opts.Out); err != nil {
		return nil, err
	}
	return m, nil
}

// run is the state of one Generate call.
type run struct {
	p       *Plan
	opts    Options
	temps   []string     // temporary files not yet renamed
	files   []*FileEntry // SHA256 filled in by the hasher
	shards  []ShardEntry
	packetN int64
	classes [16]int64
	hashes  chan hashJob // to the hasher goroutine, in write order
}

func (g *run) abort() {
	for _, t := range g.temps {
		os.Remove(t)
	}
}

// outFile is a file being written under a temporary name. Its sha256 is
// computed by the hasher goroutine from the same bytes, in the same order,
// so hashing overlaps with writing and generating.
type outFile struct {
	name, tmp string
	f         *os.File
	h         hash.Hash
	n         int64
	err       error // first write error
}

// hashJob asks the hasher to hash data into h, then, if c is set, to hand
// chunk c back to the free pool; or, with done set, to finish entry e.
type hashJob struct {
	h    hash.Hash
	data []byte
	c    *chunkBuf
	free chan *chunkBuf
	e    *FileEntry
}

// hasher hashes file contents in write order until jobs is closed.
func hasher(jobs <-chan hashJob, done chan<- struct{}) {
	for j := range jobs {
		switch {
		case j.e != nil:
			j.e.SHA256 = hex.EncodeToString(j.h.Sum(nil))
		case j.data != nil:
			j.h.Write(j.data)
		}
		if j.c != nil {
			j.free <- j.c
		}
	}
	close(done)
}

func (g *run) create(name string) (*outFile, error) {
	final := filepath.Join(g.opts.Out, name)
	tmp := final + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return nil, err
	}
	g.temps = append(g.temps, tmp)
	return &outFile{name: name, tmp: tmp, f: f, h: sha256.New()}, nil
}

// write writes b and queues it for hashing; b must stay unchanged until the
// hasher is done with it (chunk buffers come back through the free pool).
func (g *run) write(o *outFile, b []byte) {
	if o.err == nil {
		_, o.err = o.f.Write(b)
	}
	o.n += int64(len(b))
	if g.hashes != nil {
		g.hashes <- hashJob{h: o.h, data: b}
	} else {
		o.h.Write(b)
	}
}

// finish closes the file, renames it to its final name and lists it.
func (g *run) finish(o *outFile) error {
	err := o.err
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(o.tmp, filepath.Join(g.opts.Out, o.name)); err != nil {
		return err
	}
	for i, t := range g.temps {
		if t == o.tmp {
			g.temps = append(g.temps[:i], g.temps[i+1:]...)
			break
		}
	}
	e := &FileEntry{Name: o.name, Bytes: o.n}
	g.files = append(g.files, e)
	if g.hashes != nil {
		g.hashes <- hashJob{h: o.h, e: e}
	} else {
		e.SHA256 = hex.EncodeToString(o.h.Sum(nil))
	}
	return nil
}

// writeFile writes a small file whole; list says whether the manifest
// lists it (the manifest does not list itself).
func (g *run) writeFile(name string, data []byte, list bool) error {
	o, err := g.create(name)
	if err != nil {
		return err
	}
	g.write(o, data)
	if list {
		return g.finish(o)
	}
	err = o.err
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	g.temps = g.temps[:len(g.temps)-1]
	return os.Rename(o.tmp, filepath.Join(g.opts.Out, name))
}

// linkType is the pcap link type of the run's shards.
func (g *run) linkType() uint32 {
	if g.opts.RawIP {
		return 101
	}
	return 1
}

// pcapHeader is the 24-byte pcap file header (little endian).
func (g *run) pcapHeader() []byte {
	h := make([]byte, 24)
	magic := uint32(0xa1b2c3d4)
	if g.opts.Nano {
		magic = 0xa1b23c4d
	}
	binary.LittleEndian.PutUint32(h[0:], magic)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 262144) // snaplen
	binary.LittleEndian.PutUint32(h[20:], g.linkType())
	return h
}

// shardOf is the shard index of chunk k.
func (g *run) shardOf(k int) int64 {
	t := int64(k) * g.p.ChunkNS
	switch g.opts.Shard {
	case ShardHour:
		return t / (3600 * nsPerSec)
	case ShardSingle:
		return 0
	}
	return t / nsPerDay
}

// shardName is the base file name of shard i.
func (g *run) shardName(i int64) string {
	t := time.Unix(0, g.p.Start).UTC()
	switch g.opts.Shard {
	case ShardHour:
		return t.Add(time.Duration(i) * time.Hour).Format("2006-01-02T15")
	case ShardSingle:
		return "telescope"
	}
	return t.AddDate(0, 0, int(i)).Format(time.DateOnly)
}

// batchPackets is about how many packets one batch of chunks holds (~400
// KB of pcap): the unit a worker generates and the writer writes with one
// system call per file. One chunk a job cost a write, a hash call and
// several goroutine hand-overs (futex, nanosleep) per chunk: at scale 1e-5
// (~110 packets a chunk) 75 k futex and 42 k nanosleep calls beside 53 k
// writes, and system calls are dear in a VM.
const batchPackets = 4096

// batch is a run of consecutive chunks [k0, k1), all in one shard.
type batch struct{ k0, k1 int }

// batches splits the chunks into batches of about batchPackets expected
// packets that do not cross a shard boundary. Which chunks go together
// changes no byte: a chunk's packets depend on its index alone, and with
// gzip every chunk stays its own member.
func (g *run) batches() []batch {
	p := g.p
	total, _ := p.PlannedPackets()
	per := 1
	if total > 0 && p.NChunks > 0 {
		per = max(1, min(p.NChunks, int(batchPackets/(total/float64(p.NChunks)))))
	}
	var bs []batch
	for k := 0; k < p.NChunks; {
		s := g.shardOf(k)
		e := k + 1
		for e < p.NChunks && e-k < per && g.shardOf(e) == s {
			e++
		}
		bs = append(bs, batch{k, e})
		k = e
	}
	return bs
}

// packets generates every batch of chunks on the workers and writes them in
// order.
func (g *run) packets() error {
	p := g.p
	workers := g.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	bs := g.batches()
	window := 2*workers + 2
	jobs := make(chan int)
	slots := make([]chan *chunkBuf, window)
	for i := range slots {
		slots[i] = make(chan *chunkBuf, 1)
	}
	// Exactly window buffers, each taken before its job: the batches in
	// flight are always a run [written, written+window), so batch j owns
	// slot j%window alone.
	free := make(chan *chunkBuf, window)
	for i := 0; i < window; i++ {
		// Room for a batch's expected bytes (~90 a packet) and more from
		// the start: growing by doubling leaves garbage that the runtime
		// hands back to the kernel, and touching fresh pages is dear in a
		// VM.
		free <- &chunkBuf{ethernet: !g.opts.RawIP, nano: g.opts.Nano,
			pcap: make([]byte, 0, 160*batchPackets), truth: make([]byte, 0, 2*truthRecLen*batchPackets)}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	go func() {
		defer close(jobs)
		for j := range bs {
			select {
			case jobs <- j:
			case <-stop:
				return
			}
		}
	}()
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(p)
			var zw *gzip.Writer
			var zbuf bytes.Buffer
			for {
				var c *chunkBuf
				select {
				case c = <-free:
				case <-stop:
					return
				}
				j, ok := <-jobs
				if !ok {
					return
				}
				c.reset(j)
				for k := bs[j].k0; k < bs[j].k1; k++ {
					from := len(c.pcap)
					w.appendChunk(k, c)
					if g.opts.Gzip {
						// Each chunk is its own gzip member; concatenated
						// members are one valid gzip stream (RFC 1952),
						// made in parallel.
						zbuf.Reset()
						if zw == nil {
							zw, _ = gzip.NewWriterLevel(&zbuf, gzip.BestSpeed)
						} else {
							zw.Reset(&zbuf)
						}
						zw.Write(c.pcap[from:])
						zw.Close()
						c.gz = append(c.gz, zbuf.Bytes()...)
					}
				}
				select {
				case slots[j%window] <- c:
				case <-stop:
					return
				}
			}
		}()
	}
	g.hashes = make(chan hashJob, 4*window)
	hashed := make(chan struct{})
	go hasher(g.hashes, hashed)
	err := g.writeChunks(bs, slots, free, window)
	close(g.hashes)
	<-hashed
	g.hashes = nil
	close(stop)
	wg.Wait()
	return err
}

// writeChunks consumes batches in order and appends them to shard files.
func (g *run) writeChunks(bs []batch, slots []chan *chunkBuf, free chan *chunkBuf, window int) error {
	var pc, tr *outFile
	cur := int64(-1)
	var shard ShardEntry
	var shardClasses [16]int64
	closeShard := func() error {
		if pc == nil {
			return nil
		}
		if err := g.finish(pc); err != nil {
			return err
		}
		if err := g.finish(tr); err != nil {
			return err
		}
		shard.Classes = classMap(shardClasses[:])
		g.shards = append(g.shards, shard)
		pc, tr = nil, nil
		return nil
	}
	start := time.Now()
	lastReport := start
	var err error
	for j, b := range bs {
		c := <-slots[j%window]
		if c.k != j {
			return fmt.Errorf("internal error: batch %d arrived in the place of batch %d", c.k, j)
		}
		if s := g.shardOf(b.k0); s != cur {
			if err = closeShard(); err != nil {
				return err
			}
			cur = s
			base := g.shardName(s)
			pname := base + ".pcap"
			if g.opts.Gzip {
				pname += ".gz"
			}
			if pc, err = g.create(pname); err != nil {
				return err
			}
			if tr, err = g.create(base + ".truth"); err != nil {
				return err
			}
			hdr := g.pcapHeader()
			if g.opts.Gzip {
				var zb bytes.Buffer
				zw, _ := gzip.NewWriterLevel(&zb, gzip.BestSpeed)
				zw.Write(hdr)
				zw.Close()
				hdr = zb.Bytes()
			}
			g.write(pc, hdr)
			g.write(tr, truthHeader())
			shard = ShardEntry{Pcap: pname, Truth: base + ".truth"}
			shardClasses = [16]int64{}
		}
		if g.opts.Gzip {
			g.write(pc, c.gz)
		} else {
			g.write(pc, c.pcap)
		}
		g.write(tr, c.truth)
		shard.Packets += c.packets
		g.packetN += c.packets
		for i, n := range c.classes {
			shardClasses[i] += n
			g.classes[i] += n
		}
		// The hasher returns the buffer to the pool once it has hashed it.
		g.hashes <- hashJob{c: c, free: free}
		if g.opts.Progress != nil && (time.Since(lastReport) > time.Second || j == len(bs)-1) {
			lastReport = time.Now()
			el := time.Since(start).Seconds()
			frac := float64(j+1) / float64(len(bs))
			fmt.Fprintf(g.opts.Progress, "gen: %5.1f%%  %d packets  %.2f Mpkt/s  eta %.0fs\n",
				100*frac, g.packetN, float64(g.packetN)/el/1e6, el/frac-el)
		}
	}
	return closeShard()
}

func classMap(counts []int64) map[string]int64 {
	m := map[string]int64{}
	for i, n := range counts {
		if n > 0 {
			m[label.Class(i).String()] = n
		}
	}
	return m
}

// tables writes actors.csv and asmap.csv.
func (g *run) tables() error {
	p := g.p
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(actorsHeader)
	for i := range p.Actors {
		a := &p.Actors[i]
		w.Write([]string{
			strconv.FormatUint(uint64(a.ID), 10), a.Family.String(), a.kindName(), a.Class.String(), a.Tool.String(),
			ipString(a.Src), strconv.FormatUint(uint64(a.ASN), 10), strconv.Itoa(int(a.TTL)),
			time.Unix(0, a.Start).UTC().Format(time.RFC3339), time.Unix(0, a.End).UTC().Format(time.RFC3339),
			strconv.FormatFloat(a.Packets, 'f', 3, 64), strconv.Itoa(int(a.Port)), stackNames[a.Stack],
		})
	}
	w.Flush()
	if err := g.writeFile("actors.csv", b.Bytes(), true); err != nil {
		return err
	}
	b.Reset()
	w = csv.NewWriter(&b)
	w.Write([]string{"prefix", "asn", "hosting"})
	for _, as := range p.ASes {
		w.Write([]string{ipString(as.Prefix) + "/" + strconv.Itoa(as.Bits), strconv.FormatUint(uint64(as.ASN), 10), strconv.FormatBool(as.Hosting)})
	}
	w.Flush()
	return g.writeFile("asmap.csv", b.Bytes(), true)
}

// scanOptNames are the suffixes a scanner's options add to its kind in
// actors.csv, in that order.
var scanOptNames = []struct {
	opt  uint8
	name string
}{
	{optCustom, "+options"},     // Scan0.OptionsFraction
	{optRandomID, "+random-id"}, // Scan0.HpingRandomID
	{optCurrent, "+current"},    // Scan0.CurrentFraction
	{optValue, "+value"},        // Scan0.OptionValues
	{optRetries, "+retries"},    // Scan0.RetriesFraction
	{optProcs, "+2procs"},       // half of the retrying Nmap scanners
	{optSampled, "+sampled"},    // Scan0.SampledFraction
	{optNAT, "+nat"},            // Scan0.NATFraction
}

// kindName names an actor's kind within its family.
func (a *Actor) kindName() string {
	switch a.Family {
	case famBackground:
		return bgKindNames[a.Kind]
	case famScan0:
		k := [...]string{"tcp", "udp"}[a.Kind]
		for _, o := range scanOptNames {
			if a.Opts&o.opt != 0 {
				k += o.name
			}
		}
		return k
	case famFragments:
		return [...]string{"tcp", "udp"}[a.Kind]
	case famSport0:
		return [...]string{"udp-steady", "tcp-burst"}[a.Kind]
	case famBackscatter:
		return [...]string{"to0", "from0-tcp", "from0-icmp"}[a.Kind]
	case famFingerprint:
		return [...]string{"p1-p7", "p1-p7+nmap-t2-t7"}[a.Kind]
	case famBitTorrent:
		return [...]string{"dht", "utp"}[a.Kind]
	case famRetry:
		return [...]string{"tcp", "udp"}[a.Kind]
	}
	return "-"
}

func ipString(ip uint32) string {
	return strconv.Itoa(int(ip>>24)) + "." + strconv.Itoa(int(ip>>16&255)) + "." + strconv.Itoa(int(ip>>8&255)) + "." + strconv.Itoa(int(ip&255))
}

func (g *run) manifest() *Manifest {
	p := g.p
	s := p.Scenario
	var st strings.Builder
	s.Format(&st)
	_, planned := p.PlannedPackets()
	pm := map[string]int64{}
	for c, n := range planned {
		pm[c.String()] = int64(n + 0.5)
	}
	files := make([]FileEntry, len(g.files))
	for i, e := range g.files {
		files[i] = *e
	}
	return &Manifest{
		Generator: GeneratorVersion,
		Scenario:  s.Name, Seed: p.Seed, Scale: p.Scale,
		Telescope: s.Telescope.String(), Start: s.Start.Format(time.DateOnly), Days: s.Days,
		Shard: g.opts.Shard.String(), LinkType: int(g.linkType()), Nanosec: g.opts.Nano, Gzip: g.opts.Gzip,
		ChunkSec: p.ChunkNS / nsPerSec,
		Packets:  g.packetN, Classes: classMap(g.classes[:]), Planned: pm,
		Actors: len(p.Actors), Files: files, Shards: g.shards,
		ScenarioText: st.String(),
	}
}
