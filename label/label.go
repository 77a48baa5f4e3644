package label

import "fmt"

// Class is why a packet exists: its purpose, as the generator intended it and
// as the analyzer infers it.
type Class uint8

// The purpose classes. Background is ordinary telescope traffic that is not
// port-0-related; FragmentArtifact is a non-first fragment, which carries no
// transport header (a flow exporter reports it as ports 0/0).
const (
	Unknown          Class = iota // not known
	Background                    // ordinary traffic, no port 0 involved
	Scan                          // scanning with a port 0 (dport 0 sweeps, sport 0 probes of services)
	BackscatterTo0                // a victim's reply to a spoofed source port 0 (dport 0)
	BackscatterFrom0              // a victim's reply from its flooded port 0 (sport 0, or ICMP quoting dport 0)
	Fingerprint                   // OS-fingerprinting probes (port-0 probe bundles, Nmap-like T2–T7)
	Malformed                     // crafted randomised headers (data offset < 5, nonsense flags)
	BitTorrent                    // BitTorrent DHT/uTP payloads on UDP port 0
	FragmentArtifact              // non-first IP fragment: no ports, not port 0
	Other                         // port-0-related, none of the above
	Retry                         // port-0 traffic revisiting a few destinations: retries, misconfigured or buggy clients
	numClasses
)

// NumClasses is the number of classes, Unknown included: every Class is
// below it.
const NumClasses = int(numClasses)

var classNames = [numClasses]string{
	Unknown:          "unknown",
	Background:       "background",
	Scan:             "scan",
	BackscatterTo0:   "backscatter-to-0",
	BackscatterFrom0: "backscatter-from-0",
	Fingerprint:      "fingerprint",
	Malformed:        "crafted-malformed",
	BitTorrent:       "bittorrent",
	FragmentArtifact: "fragment-artifact",
	Other:            "other",
	Retry:            "retry",
}

// Classes lists every class but Unknown, in table order.
func Classes() []Class {
	out := make([]Class, 0, numClasses-1)
	for c := Class(1); c < numClasses; c++ {
		out = append(out, c)
	}
	return out
}

// String returns the class name used in CSV, JSON and flags.
func (c Class) String() string {
	if c < numClasses {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// MarshalText implements encoding.TextMarshaler.
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts the names of String.
func (c *Class) UnmarshalText(b []byte) error {
	v, ok := lookup(classNames[:], string(b))
	if !ok {
		return fmt.Errorf("unknown class %q (want one of %v)", b, classNames[1:])
	}
	*c = Class(v)
	return nil
}

// Port0Related reports whether packets of the class involve a real port 0.
func (c Class) Port0Related() bool {
	switch c {
	case Scan, BackscatterTo0, BackscatterFrom0, Fingerprint, Malformed, BitTorrent, Other, Retry:
		return true
	}
	return false
}

// Tool is the software that crafted a packet, as told by its header fingerprint.
type Tool uint8

// The tools. Stack means an ordinary operating-system network stack (a
// backscatter victim's replies, a BitTorrent client, a reflector).
const (
	ToolUnknown Tool = iota // not known
	ZMap                    // IP ID 54321, window 65535 (TTL 255 unless --probe-ttl)
	Masscan                 // IP ID = dst ^ dport ^ seq, no DF (TTL 255 unless --ttl, window 1024 or 1025)
	Mirai                   // seq = destination address, TTL 64
	Nmap                    // OS-detection probe shapes (T2–T7 windows and flags), or a SYN scan: window 1024, MSS 1460 alone, one sequence number, TTL 37–59
	Hping                   // hping3: TTL 64, TCP window 512 with a random ack and no ACK flag, UDP source ports rising by one (docs/TOOLS.md)
	Stack                   // an ordinary OS stack
	numTools
)

// NumTools is the number of tools, ToolUnknown included: every Tool is
// below it.
const NumTools = int(numTools)

var toolNames = [numTools]string{
	ToolUnknown: "unknown",
	ZMap:        "zmap",
	Masscan:     "masscan",
	Mirai:       "mirai",
	Nmap:        "nmap",
	Hping:       "hping",
	Stack:       "stack",
}

// Tools lists every tool but ToolUnknown, in table order.
func Tools() []Tool {
	out := make([]Tool, 0, numTools-1)
	for t := Tool(1); t < numTools; t++ {
		out = append(out, t)
	}
	return out
}

// String returns the tool name used in CSV, JSON and flags.
func (t Tool) String() string {
	if t < numTools {
		return toolNames[t]
	}
	return fmt.Sprintf("tool(%d)", uint8(t))
}

// MarshalText implements encoding.TextMarshaler.
func (t Tool) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts the names of String.
func (t *Tool) UnmarshalText(b []byte) error {
	v, ok := lookup(toolNames[:], string(b))
	if !ok {
		return fmt.Errorf("unknown tool %q (want one of %v)", b, toolNames[:])
	}
	*t = Tool(v)
	return nil
}

func lookup(names []string, s string) (int, bool) {
	for i, n := range names {
		if n == s {
			return i, true
		}
	}
	return 0, false
}

// EnumName returns names[v], or "invalid" for a value past the table: the
// String of every small enum of the project (classes, tools, shapes,
// probes, the decoder's kinds), so that CSV, JSON and flags share one table
// per enum.
func EnumName(names []string, v uint8) string {
	if int(v) < len(names) {
		return names[v]
	}
	return "invalid"
}

// ParseEnum returns the value named s in names; the error names what is
// parsed and the names it accepts.
func ParseEnum(what string, names []string, s []byte) (uint8, error) {
	v, ok := lookup(names, string(s))
	if !ok || v > 255 {
		return 0, fmt.Errorf("unknown %s %q (want one of %q)", what, s, names)
	}
	return uint8(v), nil
}
