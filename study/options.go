package study

import (
	"fmt"
	"net/netip"
	"time"
)

// Options are the parameters of the port-0 study (flags of port0
// analyze), with documented defaults.
type Options struct {
	// Telescope is the watched prefix; invalid means infer it from the
	// destinations of all traffic.
	Telescope netip.Prefix
	// EventTimeout splits a victim's backscatter into events (Moore et al.:
	// 5 minutes).
	EventTimeout time.Duration
	// EventMinPackets and EventMinDuration: an event is kept when it has at
	// least this many packets or lasts at least this long.
	EventMinPackets  int64
	EventMinDuration time.Duration
	// BundleGap is the longest gap between two probes of one fingerprint
	// bundle (same source, same target).
	BundleGap time.Duration
	// BundleMinProbes is how many distinct probe shapes make a bundle.
	BundleMinProbes int
	// ScanMinDsts is the breadth that makes a scanner: a source whose
	// packets look like scanning but reach fewer distinct destinations,
	// each revisited (at least RetryRevisits packets a destination on
	// average), is a retry source (label.Retry), not a scanner. The
	// default, 8, leaves room for a few retrying clients behind one
	// NAT address, each with its own few destinations; a scanner that
	// reaches a /15 telescope at fewer than 8 addresses and probes each
	// twice is called retry.
	ScanMinDsts int64
	// Flows says the records stand for flows (package flows), not
	// captured packets: flows keep no IP ID, window, TCP options or
	// payload, so no tool is named, and tool_evidence says so
	// (NotInFormat) rather than guess from fields that are not there.
	Flows bool
}

// NotInFormat is the tool evidence of a source of flow records: the tool
// rules read header fields no flow format keeps.
const NotInFormat = "not-in-this-format (flows keep no IP ID, window, TCP options or payload)"

// RetryRevisits is how many packets a destination, on average, make a
// source of scanning shapes that reaches fewer than ScanMinDsts
// destinations a retry source: a scanner seen by a telescope reaches
// each address about once (its probes are spread over the Internet; ZMap
// and Masscan send one probe a target by default), a client retrying or
// misconfigured sends again and again to the same few.
const RetryRevisits = 2

// MaxScanMinDsts bounds Options.ScanMinDsts: a source keeps up to that
// many destinations of its scanning-shaped packets, exactly.
const MaxScanMinDsts = 1024

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{
		EventTimeout:     5 * time.Minute,
		EventMinPackets:  100,
		EventMinDuration: 60 * time.Second,
		BundleGap:        60 * time.Second,
		BundleMinProbes:  3,
		ScanMinDsts:      8,
	}
}

// Check reports the first option out of its range, naming the flag of
// port0 analyze that sets it.
func (o Options) Check() error {
	switch {
	case o.EventTimeout <= 0:
		return fmt.Errorf("-event-timeout %v: want a positive duration", o.EventTimeout)
	case o.EventMinPackets < 1:
		return fmt.Errorf("-event-min-packets %d: want at least 1", o.EventMinPackets)
	case o.EventMinDuration < 0:
		return fmt.Errorf("-event-min-duration %v: want 0 or more", o.EventMinDuration)
	case o.BundleGap <= 0:
		return fmt.Errorf("-bundle-gap %v: want a positive duration", o.BundleGap)
	case o.BundleMinProbes < 1:
		return fmt.Errorf("-bundle-min-probes %d: want at least 1", o.BundleMinProbes)
	case o.ScanMinDsts < 1 || o.ScanMinDsts > MaxScanMinDsts:
		return fmt.Errorf("-scan-min-dsts %d: want 1 to %d", o.ScanMinDsts, MaxScanMinDsts)
	}
	return nil
}
