package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/port0/port0/analyze"
	"github.com/port0/port0/flows/collect"
)

// collectFile is the collection's report in the -out folder of port0
// collect: collect.Stats, the flow records the analysis read, and how the
// analysis ended.
const collectFile = "collect.json"

// collectProgressEvery is how often port0 collect prints its progress.
var collectProgressEvery = 5 * time.Second

// collectReady, when a test sets it, is called once port0 collect
// listens and its signal handler is in place.
var collectReady func(*collect.Collector)

// collectRun is what runCollect hands to collectMain, and tests replace:
// the signals, the hook called once listening, and the analysis.
type collectRun struct {
	signals <-chan os.Signal
	ready   func(*collect.Collector)
	analyze func(inputs []string, stdin io.Reader, dir string, o analyze.Options) (*analyze.Summary, error)
}

// runCollect is "port0 collect": it listens for flow exporters'
// datagrams (loopback by default), spools each into DIR/datagrams.pcap
// (package flows/collect) until SIGINT or SIGTERM, then drains the
// socket, closes the spool and studies it as port0 analyze -flows does,
// writing the tables and summary.json beside it, DIR/collect.json, and
// one line on stdout: datagrams, bytes, flow records, kernel drops. A
// second signal during the analysis exits at once, keeping the spool.
func runCollect(args []string, env *cmdEnv) error {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	return collectMain(args, env, collectRun{signals: sig, ready: collectReady, analyze: analyze.Run})
}

// collectReport is collect.json.
type collectReport struct {
	collect.Stats
	// Flows is summary.json's flows.flows, the flow records the analysis
	// read; null when it did not end.
	Flows *int64 `json:"flows"`
	// Analysis is "done", "not run", "interrupted", or "failed: ERROR".
	Analysis string `json:"analysis"`
}

func collectMain(args []string, env *cmdEnv, cr collectRun) error {
	fs := newFlagSet("collect", "-out DIR [-listen HOST:PORT] [-q] [analysis flags]  (receives until SIGINT or SIGTERM, then studies what came)", env)
	listen := fs.String("listen", collect.DefaultListen, "UDP `HOST:PORT` to receive exporters' datagrams on: loopback unless you name another (0.0.0.0:2055 for every IPv4 address, with a warning); [::1]:2055 for IPv6")
	out := fs.String("out", "", "output folder `DIR` (required, new or without an earlier collection): datagrams.pcap, collect.json, then summary.json and the tables")
	quiet := fs.Bool("q", false, "no progress on stderr")
	flags := analyze.AddFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	o, err := flags.Options()
	if err != nil {
		return &exitStatus{2, fmt.Errorf("collect: %w", err)}
	}
	if fs.NArg() > 0 {
		return &exitStatus{2, fmt.Errorf("collect: %q: collect reads no inputs, it receives on -listen (to study a capture: port0 analyze -flows)", fs.Arg(0))}
	}
	addr, err := parseListen(*listen)
	if err != nil {
		return &exitStatus{2, fmt.Errorf("collect: %w", err)}
	}
	if *out == "" {
		fs.Usage()
		return &exitStatus{2, errors.New("collect: -out is required: a new folder for datagrams.pcap and the analysis")}
	}
	for _, name := range []string{collectFile, analyze.SummaryFile} {
		if _, err := os.Stat(filepath.Join(*out, name)); err == nil {
			return &exitStatus{2, fmt.Errorf("collect: -out %s already holds %s of an earlier run: give another folder (nothing was overwritten)", *out, name)}
		}
	}
	if !addr.Addr().IsLoopback() {
		fmt.Fprintf(env.stderr, "collect: warning: listening beyond loopback: %s: whoever can reach it can send datagrams into the study\n", addr)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, err := collect.Start(ctx, collect.Options{Listen: addr, Dir: *out})
	if err != nil {
		var op *net.OpError
		switch {
		case errors.Is(err, collect.ErrSpoolExists):
			return &exitStatus{2, fmt.Errorf("collect: -out %s already holds %s of an earlier collect: give another folder (nothing was overwritten)", *out, collect.SpoolName)}
		case errors.As(err, &op):
			return fmt.Errorf("collect: -listen %s: %w", addr, err)
		}
		return fmt.Errorf("collect: -out %s: %w", *out, err)
	}
	st := c.Stats()
	if !*quiet {
		fmt.Fprintf(env.stderr, "collect: listening on %s, spooling into %s; receive buffer %s (asked %s); stop with Ctrl-C or SIGTERM\n",
			c.Addr(), c.Spool(), bufferSize(st.ReadBuffer, st.ReadBufferForced), mib(int64(st.ReadBufferAsked)))
	}
	if st.ReadBuffer > 0 && st.ReadBuffer < 2*st.ReadBufferAsked {
		fmt.Fprintf(env.stderr, "collect: warning: receive buffer %s, not the %s asked: net.core.rmem_max caps it (sysctl -w net.core.rmem_max=%d, or run with CAP_NET_ADMIN); a burst may overflow it, and the kernel's drops will say so\n",
			bufferSize(st.ReadBuffer, false), mib(int64(st.ReadBufferAsked)), st.ReadBufferAsked)
	}
	if cr.ready != nil {
		cr.ready(c)
	}
	stopProgress := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		if *quiet {
			return
		}
		collectProgress(env.stderr, c, stopProgress)
	}()

	var first os.Signal
	select {
	case first = <-cr.signals:
	case <-c.Done(): // the socket failed
	}
	close(stopProgress)
	<-progressDone
	if first != nil && !*quiet {
		fmt.Fprintf(env.stderr, "collect: %v: stopping: draining the socket, then the analysis (a second signal exits at once, keeping %s)\n", first, c.Spool())
	}
	st, cerr := c.Stop()
	rep := collectReport{Stats: st, Analysis: "not run"}
	path := filepath.Join(*out, collectFile)
	if err := writeCollectReport(path, &rep); err != nil {
		return fmt.Errorf("collect: %w", err)
	}
	if cerr != nil {
		fmt.Fprintln(env.stdout, collectLine(st, nil, "no analysis"))
		return fmt.Errorf("collect: %w (%d datagrams received, %d spooled; what was spooled is in %s)", cerr, st.Datagrams, st.Spooled, st.Spool)
	}

	redo := fmt.Sprintf("port0 analyze -flows -out %s %s", *out, st.Spool)
	if !*quiet {
		o.Scan.Progress = env.stderr
	}
	o.FlowDatagrams = true
	type result struct {
		sum *analyze.Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := cr.analyze([]string{st.Spool}, nil, *out, o)
		done <- result{sum, err}
	}()
	var res result
	select {
	case res = <-done:
	case s := <-cr.signals:
		rep.Analysis = "interrupted"
		writeCollectReport(path, &rep)
		fmt.Fprintln(env.stdout, collectLine(st, nil, "analysis interrupted"))
		code := 1
		if n, ok := s.(syscall.Signal); ok {
			code = 128 + int(n)
		}
		return &exitStatus{code, fmt.Errorf("collect: %v during the analysis: stopped; %s is kept (%d datagrams): %s studies it", s, st.Spool, st.Spooled, redo)}
	}
	if res.sum != nil {
		for _, e := range res.sum.ReadErrors {
			fmt.Fprintln(env.stderr, "collect:", e)
		}
	}
	var flowsRead *int64
	if res.err == nil && res.sum != nil && res.sum.Flows != nil {
		flowsRead = &res.sum.Flows.Flows
	}
	rep.Flows = flowsRead
	rep.Analysis = "done"
	why := "no flows in summary.json"
	if res.err != nil {
		rep.Analysis = "failed: " + res.err.Error()
		why = "analysis failed"
	}
	if err := writeCollectReport(path, &rep); err != nil {
		return fmt.Errorf("collect: %w", err)
	}
	fmt.Fprintln(env.stdout, collectLine(st, flowsRead, why))
	if res.err != nil {
		return fmt.Errorf("collect: analysis of %s: %w (the spool is kept: %s redoes it)", st.Spool, res.err, redo)
	}
	return nil
}

// parseListen reads -listen: an IP address (IPv6 in brackets) or
// localhost, and a port.
func parseListen(s string) (netip.AddrPort, error) {
	bad := fmt.Errorf("-listen %q: want host:port such as %s ([::1]:2055 for IPv6, 0.0.0.0:2055 for every IPv4 address)", s, collect.DefaultListen)
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return netip.AddrPort{}, bad
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return netip.AddrPort{}, bad
	}
	var a netip.Addr
	if strings.EqualFold(host, "localhost") {
		a = netip.MustParseAddr("127.0.0.1")
	} else if a, err = netip.ParseAddr(host); err != nil {
		return netip.AddrPort{}, bad
	}
	return netip.AddrPortFrom(a.Unmap(), uint16(p)), nil
}

// collectProgress prints a line every collectProgressEvery until stop is
// closed: datagrams, bytes, the rate since the last line, the kernel's
// drops.
func collectProgress(w io.Writer, c *collect.Collector, stop <-chan struct{}) {
	tick := time.NewTicker(collectProgressEvery)
	defer tick.Stop()
	last, lastAt := int64(0), time.Now()
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			st := c.Stats()
			rate := float64(st.Datagrams-last) / now.Sub(lastAt).Seconds()
			last, lastAt = st.Datagrams, now
			fmt.Fprintf(w, "collect: %d datagrams, %s, %.0f/s, %s\n", st.Datagrams, mib(st.Bytes), rate, dropsText(st.KernelDrops))
		}
	}
}

// collectLine is the line port0 collect prints on stdout; flows is nil
// when the analysis did not end, and why says why.
func collectLine(st collect.Stats, flows *int64, why string) string {
	f := "flow records not known (" + why + ")"
	if flows != nil {
		f = fmt.Sprintf("%d flow records", *flows)
	}
	return fmt.Sprintf("collect: %d datagrams received, %d bytes, %s, %s (%s)", st.Datagrams, st.Bytes, f, dropsText(st.KernelDrops), st.Spool)
}

// dropsText says the kernel's drop count, or that the system does not
// give it.
func dropsText(n int64) string {
	if n < 0 {
		return "kernel drops not known"
	}
	return fmt.Sprintf("%d dropped by the kernel", n)
}

// mib writes a byte count in MiB with one decimal.
func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// bufferSize writes the receive buffer getsockopt read back (Linux counts
// twice what it grants), or that it is not known.
func bufferSize(n int, forced bool) string {
	if n <= 0 {
		return "not known"
	}
	s := mib(int64(n)) + " as the kernel counts it"
	if forced {
		s += ", past rmem_max"
	}
	return s
}

// writeCollectReport writes collect.json.
func writeCollectReport(path string, rep *collectReport) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
