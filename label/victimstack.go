package label

import "fmt"

// VictimStack is a backscatter victim's operating-system stack as its replies
// tell it: the set of stacks they leave possible, a bit each (Linux, BSD,
// Windows), so that two inferences of one victim meet by intersection
// (Meet). The sets that have names are the values below; events.csv's
// victim_stack holds their String.
type VictimStack uint8

// The victim stacks.
const (
	StackLinux   VictimStack = 1 << iota // linux
	StackBSD                             // bsd: FreeBSD, macOS
	StackWindows                         // windows

	StackLinuxOrBSD = StackLinux | StackBSD     // linux-or-bsd: TTL 64, RSTs alone
	StackNotBSD     = StackLinux | StackWindows // not-bsd: ICMP for UDP to port 0
	StackUnknown    = StackLinux | StackBSD | StackWindows
)

// stackNames are the names of the sets that have one, by value; "" for
// the others.
var stackNames = [...]string{
	StackLinux: "linux", StackBSD: "bsd", StackWindows: "windows",
	StackLinuxOrBSD: "linux-or-bsd", StackNotBSD: "not-bsd", StackUnknown: "unknown",
}

// String returns the stack's name in events.csv.
func (s VictimStack) String() string {
	if int(s) < len(stackNames) && stackNames[s] != "" {
		return stackNames[s]
	}
	return "invalid"
}

// MarshalText implements encoding.TextMarshaler.
func (s VictimStack) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts the names
// of String.
func (s *VictimStack) UnmarshalText(b []byte) error {
	v, err := ParseEnum("victim stack", stackNames[:], b)
	if err == nil && v == 0 {
		err = fmt.Errorf("unknown victim stack %q", b)
	}
	*s = VictimStack(v)
	return err
}

// Meet is what two inferences of one victim's stack say together: the
// stacks both leave possible. Unknown says nothing; two that contradict
// each other (Linux and Windows) make unknown.
func (s VictimStack) Meet(o VictimStack) VictimStack {
	if m := s & o; m != 0 && int(m) < len(stackNames) && stackNames[m] != "" {
		return m
	}
	return StackUnknown
}

// Admits reports whether the inference s claims something (it is not
// unknown) and leaves the stack t possible.
func (s VictimStack) Admits(t VictimStack) bool { return s != StackUnknown && t != 0 && s&t == t }
