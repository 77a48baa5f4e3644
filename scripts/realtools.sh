#!/usr/bin/env bash
# realtools.sh OUT.pcap — capture what the real tools send to port 0, for
# testdata/captures/tools/ (see testdata/README.md). Needs root and the
# Debian packages hping3 nmap zmap masscan tcpdump. Every packet goes out
# of a veth interface whose peer sits in an empty network namespace with
# no address and no forwarding: nothing leaves this machine. Each tool run
# has its own source address in 198.51.100.0/24 (TEST-NET-2) and sends to
# 203.0.113.0/24 (TEST-NET-3), so the capture's sources name the runs.
set -euo pipefail
# realtools.sh matrix [OUT.pcap [TRUTH.csv]] — the option matrix (issue 30):
# the tools with options other than the ones above, with default retries,
# behind a NAT, sampled by a telescope, and legitimate clients whose UDP
# checksum is 0. Defaults: testdata/realtools/.matrix/option_matrix.pcap
# and option_matrix_truth.csv beside it (a hidden folder, which a folder
# walk skips: TestGolden/realtools analyzes testdata/realtools/ whole and
# knows the runs above alone). Needs also nftables and a ZMap with --probe-ttl
# (3.0 or later; Debian 12's 2.1.1 has none): ZMAP=/path/to/zmap, else the
# two ZMap runs are left out. Everything happens in four network namespaces
# made here; the root namespace gets no address, route or interface.
# p0m-tools holds the runs' source addresses (198.51.100.61-74 on one
# veth); p0m-nat is a NAT box (nftables masquerade to 198.51.100.69) for
# p0m-lan (198.18.0.0/24: a masscan and a Linux client); p0m-sink holds a
# bridge (02:00:00:00:00:fe, no address, no forwarding) that both veths end
# on and the capture listens on. The targets, 203.0.113.0/24 and
# 10.0.0.0/8, are routed to the bridge and dropped there.
matrix() {
	local out=${1:-testdata/realtools/.matrix/option_matrix.pcap}
	local truth=${2:-${out%.pcap}_truth.csv}
	mkdir -p "$(dirname "$out")" "$(dirname "$truth")"
	local zmap=${ZMAP:-zmap}
	local gw=02:00:00:00:00:fe natlan=02:00:00:00:00:21
	local T="ip netns exec p0m-tools" N="ip netns exec p0m-nat" L="ip netns exec p0m-lan"
	td_pid=
	mcleanup() {
		if [ -n "$td_pid" ]; then
			kill -INT "$td_pid" 2>/dev/null || true
			wait "$td_pid" 2>/dev/null || true
			td_pid=
		fi
		local n
		for n in p0m-lan p0m-nat p0m-tools p0m-sink; do ip netns del $n 2>/dev/null || true; done
	}
	trap mcleanup EXIT
	mcleanup
	local n
	for n in p0m-sink p0m-tools p0m-nat p0m-lan; do
		ip netns add $n
		ip -n $n link set lo up
	done
	ip -n p0m-sink link add p0mbr address $gw type bridge
	ip -n p0m-sink link set p0mbr up
	ip link add p0mt netns p0m-tools address 02:00:00:00:00:01 type veth peer p0mt-br netns p0m-sink
	ip link add p0mn netns p0m-nat address 02:00:00:00:00:02 type veth peer p0mn-br netns p0m-sink
	ip link add p0ml netns p0m-lan address 02:00:00:00:00:22 type veth peer p0ml-gw netns p0m-nat address $natlan
	for n in p0mt-br p0mn-br; do
		ip -n p0m-sink link set $n master p0mbr
		ip -n p0m-sink link set $n up
	done
	ip -n p0m-tools link set p0mt up
	ip -n p0m-tools addr add 198.51.100.1/24 dev p0mt
	for n in 61 62 63 64 65 66 67 68 70 71 72 73 74; do ip -n p0m-tools addr add 198.51.100.$n/32 dev p0mt; done
	ip -n p0m-tools neigh replace 198.51.100.254 lladdr $gw dev p0mt nud permanent
	ip -n p0m-tools route add 203.0.113.0/24 via 198.51.100.254 dev p0mt
	ip -n p0m-tools route add 10.0.0.0/8 via 198.51.100.254 dev p0mt
	ip -n p0m-nat link set p0mn up
	ip -n p0m-nat link set p0ml-gw up
	ip -n p0m-nat addr add 198.51.100.69/24 dev p0mn
	ip -n p0m-nat addr add 198.18.0.1/24 dev p0ml-gw
	ip -n p0m-nat neigh replace 198.51.100.254 lladdr $gw dev p0mn nud permanent
	ip -n p0m-nat route add 203.0.113.0/24 via 198.51.100.254 dev p0mn
	$N sysctl -qw net.ipv4.ip_forward=1
	$N nft -f - <<-'NFT'
	table ip p0m {
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "p0mn" ip saddr 198.18.0.0/24 masquerade
		}
	}
	NFT
	ip -n p0m-lan link set p0ml up
	ip -n p0m-lan addr add 198.18.0.2/24 dev p0ml
	ip -n p0m-lan addr add 198.18.0.3/32 dev p0ml
	ip -n p0m-lan neigh replace 198.18.0.1 lladdr $natlan dev p0ml nud permanent
	ip -n p0m-lan route add 203.0.113.0/24 via 198.18.0.1 dev p0ml
	# The capture: every IPv4 packet from the runs' sources, but of the
	# --rand-dest sweeps over 10.0.0.0/8 only those a telescope on
	# 10.0.0.0/15 would see (1 in 128 of an even sweep).
	ip netns exec p0m-sink tcpdump -i p0mbr -U -w "$out" \
		'ip and src net 198.51.100.0/24 and not (dst net 10.0.0.0/8 and not dst net 10.0.0.0/15)' 2>/dev/null &
	td_pid=$!
	sleep 1
	# One truth row a run: its source (and address behind the NAT), a BPF
	# filter picking its packets out of the capture, the tool, its options,
	# the tool name it should get, and what it does.
	local rows=()
	row() { rows+=("$1|$2|$3|$4|$5|$6|$7"); }
	q() { "$@" > /dev/null 2>&1 || echo "realtools: $* failed" >&2; }
	h() { $T hping3 "$@" > /dev/null 2>&1 || [ $? = 1 ] || echo "realtools: hping3 $* failed" >&2; }
	# hping3 3.a2: a window other than its default 512; --rand-dest over a /8,
	# SYN and UDP, 8192 packets each.
	h -S -w 1024 -c 6 -i u50000 -a 198.51.100.61 203.0.113.10
	row 198.51.100.61 "" "src host 198.51.100.61" "hping3 3.a2" "-S -w 1024 -c 6 -i u50000 203.0.113.10" hping "6 SYNs to one host's port 0, window 1024"
	h -S --rand-dest -I p0mt -c 8192 -i u1000 -a 198.51.100.62 10.x.x.x
	row 198.51.100.62 "" "src host 198.51.100.62" "hping3 3.a2" "-S --rand-dest -I p0mt -c 8192 -i u1000 10.x.x.x" hping "SYN sweep of 10.0.0.0/8; the capture keeps what a 10.0.0.0/15 telescope sees (1/128 of the /8 if hping3's random octets were even)"
	h -2 --rand-dest -I p0mt -c 8192 -i u1000 -a 198.51.100.63 10.x.x.x
	row 198.51.100.63 "" "src host 198.51.100.63" "hping3 3.a2" "-2 --rand-dest -I p0mt -c 8192 -i u1000 10.x.x.x" hping "UDP sweep of 10.0.0.0/8; the capture keeps what a 10.0.0.0/15 telescope sees (1/128 of the /8 if hping3's random octets were even)"
	# Nmap 7.93 with its default retries and timing.
	q $T nmap -n -Pn -sS -p0 -e p0mt -S 198.51.100.64 203.0.113.32/28
	row 198.51.100.64 "" "src host 198.51.100.64" "Nmap 7.93" "-n -Pn -sS -p0 -e p0mt 203.0.113.32/28" nmap "SYN scan of port 0 of 16 hosts, default retries"
	q $T nmap -n -Pn -O -p0 -e p0mt -S 198.51.100.65 203.0.113.64
	row 198.51.100.65 "" "src host 198.51.100.65" "Nmap 7.93" "-n -Pn -O -p0 -e p0mt 203.0.113.64" nmap "OS detection of a host that does not answer, default retries"
	q $T nmap -n -Pn -sU -p0 -e p0mt -S 198.51.100.66 203.0.113.80/29
	row 198.51.100.66 "" "src host 198.51.100.66" "Nmap 7.93" "-n -Pn -sU -p0 -e p0mt 203.0.113.80/29" nmap "UDP scan of port 0 of 8 hosts, default retries"
	# Masscan 1.3.2 and ZMap with the TTL set to 100.
	q $T masscan -p0 --ttl 100 --seed 1 --rate 100 --wait 0 --adapter p0mt --adapter-ip 198.51.100.67 --router-mac $gw 203.0.113.128/28
	row 198.51.100.67 "" "src host 198.51.100.67" "Masscan 1.3.2" "-p0 --ttl 100 --seed 1 --rate 100 --wait 0 203.0.113.128/28" masscan "SYN scan of port 0 of 16 hosts, TTL 100"
	if [[ $($zmap --help 2>/dev/null) == *--probe-ttl* ]]; then
		local zv
		zv=$($zmap --version 2>/dev/null | awk '{print $2; exit}')
		q $T $zmap -q -p 0 --probe-ttl 100 -e 1 -i p0mt -G $gw -S 198.51.100.68 -r 100 -c 1 -b /dev/null -o /dev/null 203.0.113.96/28
		row 198.51.100.68 "" "src host 198.51.100.68" "ZMap ${zv#v}" "-p 0 --probe-ttl 100 -e 1 -r 100 -b /dev/null 203.0.113.96/28" zmap "SYN scan of port 0 of 16 hosts, TTL 100"
		# The same ZMap with its default TTL, to tell what the TTL changes
		# from what the version does.
		q $T $zmap -q -p 0 -e 1 -i p0mt -G $gw -S 198.51.100.70 -r 100 -c 1 -b /dev/null -o /dev/null 203.0.113.112/28
		row 198.51.100.70 "" "src host 198.51.100.70" "ZMap ${zv#v}" "-p 0 -e 1 -r 100 -b /dev/null 203.0.113.112/28" zmap "SYN scan of port 0 of 16 hosts, default TTL"
	else
		echo "realtools: $zmap has no --probe-ttl (ZMap 3.0 or later): zmap runs left out" >&2
	fi
	# One NAT address, two runs behind it at once: Masscan 1.3.2 (32 SYNs
	# to port 0, 10 a second) and a Linux client whose connect() to TCP port
	# 0 of one host times out three times (a SYN and its retransmissions
	# each, 1 s apart: Linux 6.x's net.ipv4.tcp_syn_linear_timeouts).
	$L timeout 15 python3 -c '
import socket
for _ in range(3):
    s = socket.socket()
    s.bind(("198.18.0.3", 0))
    s.settimeout(3.5)
    try:
        s.connect(("203.0.113.200", 0))
    except OSError:
        pass
    s.close()
' &
	local cl=$!
	sleep 0.5
	q $L masscan -p0 --seed 1 --rate 10 --wait 0 --adapter p0ml --adapter-ip 198.18.0.2 --router-mac $natlan 203.0.113.160/27
	wait $cl || true
	row 198.51.100.69 198.18.0.2 "src host 198.51.100.69 and ip[8] = 254" "Masscan 1.3.2" "-p0 --seed 1 --rate 10 --wait 0 203.0.113.160/27" masscan "SYN scan of port 0 of 32 hosts behind a NAT (nftables masquerade), forwarded: TTL -1"
	row 198.51.100.69 198.18.0.3 "src host 198.51.100.69 and ip[8] = 63" "Linux $(uname -r | cut -d- -f1) connect()" "3 x connect(203.0.113.200:0), 3.5 s timeout" unknown "a desktop retrying a TCP connection to port 0 behind the same NAT: a SYN and its retransmissions per connect"
	# Legitimate UDP clients whose checksum is 0 (RFC 768 allows it), 40
	# datagrams each to one address: NTP (mode 3 client) and syslog, first
	# from real ports (not port 0, so the analyzer leaves them out), then the
	# same from source port 0. 198.51.100.71 uses the kernel's UDP socket
	# with SO_NO_CHECK (DF, the kernel's IP ID); the others a raw socket
	# as an embedded stack writes them: no DF, IP ID 1, 2, 3 ..., TTL 64.
	local udp='
import socket, struct, sys, time
src, sport, dst, dport, kind, how = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
def payload(i):
    if kind == "ntp":  # LI 0, VN 4, mode 3, poll 6, precision -20; transmit time 2024-01-01 + 64 s a poll
        return struct.pack("!BBbb11I", 0x23, 0, 6, -20, *([0] * 9), 3913056000 + 64 * i, 0)
    return ("<14>Jan  1 00:%02d:00 cam01 heartbeat %d" % (i, i)).encode()
if how == "kernel":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, 11, 1)  # SO_NO_CHECK: UDP checksum 0
    s.bind((src, sport))
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for i in range(40):
    p = payload(i)
    if how == "kernel":
        s.sendto(p, (dst, dport))
    else:
        u = struct.pack("!HHHH", sport, dport, 8 + len(p), 0) + p
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), i + 1, 0, 64, 17, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
        s.sendto(ip + u, (dst, 0))
    time.sleep(0.05)
'
	q $T python3 -c "$udp" 198.51.100.71 123 203.0.113.220 123 ntp kernel
	row 198.51.100.71 "" "src host 198.51.100.71" "python3 UDP socket" "SO_NO_CHECK, 123 -> 203.0.113.220:123" unknown "NTP client: 40 mode-3 requests to one server, UDP checksum 0 (not port 0)"
	q $T python3 -c "$udp" 198.51.100.72 40514 203.0.113.220 514 syslog raw
	row 198.51.100.72 "" "src host 198.51.100.72" "python3 raw socket" "40514 -> 203.0.113.220:514, no DF, IP ID +1" unknown "syslog sender: 40 messages to one collector, UDP checksum 0 (not port 0)"
	q $T python3 -c "$udp" 198.51.100.73 0 203.0.113.220 123 ntp raw
	row 198.51.100.73 "" "src host 198.51.100.73" "python3 raw socket" "0 -> 203.0.113.220:123, no DF, IP ID +1" unknown "NTP client from source port 0: 40 mode-3 requests to one server, UDP checksum 0"
	q $T python3 -c "$udp" 198.51.100.74 0 203.0.113.220 514 syslog raw
	row 198.51.100.74 "" "src host 198.51.100.74" "python3 raw socket" "0 -> 203.0.113.220:514, no DF, IP ID +1" unknown "syslog sender from source port 0: 40 messages to one collector, UDP checksum 0"
	sleep 1
	kill -INT "$td_pid"
	wait "$td_pid" 2>/dev/null || true
	td_pid=
	local r src inside filter tool opts want what pk
	{
		echo "src,inside,filter,packets,tool,options,expected_tool,run"
		for r in "${rows[@]}"; do
			IFS='|' read -r src inside filter tool opts want what <<< "$r"
			pk=$(tcpdump -nr "$out" "$filter" 2>/dev/null | wc -l)
			[ "$pk" -gt 0 ] || echo "realtools: no packets from $src ($tool $opts)" >&2
			printf '%s,%s,"%s",%s,"%s","%s",%s,"%s"\n' "$src" "$inside" "$filter" "$pk" "$tool" "$opts" "$want" "$what"
		done
	} > "$truth"
}
if [ "${1:-}" = matrix ]; then
	shift
	matrix "$@"
	exit
fi
out=${1:?usage: realtools.sh OUT.pcap}
ns=p0tools
td_pid=
cleanup() {
	if [ -n "$td_pid" ]; then
		kill -INT "$td_pid" 2>/dev/null || true
		wait "$td_pid" 2>/dev/null || true
	fi
	ip link del p0ta 2>/dev/null || true
	ip netns del $ns 2>/dev/null || true
}
trap cleanup EXIT
cleanup
ip netns add $ns
ip link add p0ta type veth peer name p0tb
ip link set p0tb netns $ns
ip -n $ns link set p0tb up
ip link set p0ta up
ip addr add 198.51.100.1/24 dev p0ta
for i in 11 12 13 14 15 21 22 23 51; do ip addr add 198.51.100.$i/32 dev p0ta; done
mac=$(ip -n $ns link show p0tb | awk '/ether/{print $2}')
ip route replace 203.0.113.0/24 via 198.51.100.254 dev p0ta
ip neigh replace 198.51.100.254 lladdr "$mac" dev p0ta nud permanent
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 0 ] || { echo "ip_forward is on: refusing" >&2; exit 1; }
tcpdump -i p0ta -U -w "$out" 'ip and (src net 198.51.100.0/24 or src host 203.0.113.250)' 2>/dev/null &
td_pid=$!
sleep 1
q() { "$@" > /dev/null 2>&1 || echo "realtools: $* failed" >&2; }
# hping3 3.a2 (Debian 12): SYN, flagless, UDP, and SYN with -k, to its default port 0.
# hping3 exits 1 when no reply comes back, as none does here.
h() { hping3 "$@" > /dev/null 2>&1 || [ $? = 1 ] || echo "realtools: hping3 $* failed" >&2; }
h -S -c 6 -i u50000 -a 198.51.100.11 203.0.113.10
h -c 4 -i u50000 -a 198.51.100.12 203.0.113.11
h -2 -c 6 -i u50000 -a 198.51.100.13 203.0.113.12
h -S -k -s 5000 -c 4 -i u50000 -a 198.51.100.14 203.0.113.13
h -S --rand-dest -I p0ta -c 10 -i u50000 -a 198.51.100.15 203.0.113.x
# Nmap 7.93: a SYN scan of port 0, OS detection with -p0, a UDP scan of port 0.
q nmap -n -Pn -sS -p0 --max-retries 0 -e p0ta -S 198.51.100.21 203.0.113.32/28
q nmap -n -Pn -O -p0 --max-retries 0 -e p0ta -S 198.51.100.22 203.0.113.64
q nmap -n -Pn -sU -p0 --max-retries 0 -e p0ta -S 198.51.100.23 203.0.113.80/29
# ZMap 2.1.1: TCP SYN and UDP to port 0 (its blacklist holds the TEST-NETs: none here).
q zmap -q -p 0 -i p0ta -G "$mac" -S 198.51.100.31 -r 200 -c 1 -b /dev/null -o /dev/null 203.0.113.96/28
q zmap -q -M udp -p 0 --probe-args=text:port0 -i p0ta -G "$mac" -S 198.51.100.32 -r 200 -c 1 -b /dev/null -o /dev/null 203.0.113.112/28
# Masscan 1.3.2: TCP SYN and UDP to port 0.
q masscan -p0 --rate 200 --wait 0 --adapter p0ta --adapter-ip 198.51.100.41 --router-mac "$mac" 203.0.113.128/28
q masscan -pU:0 --rate 200 --wait 0 --adapter p0ta --adapter-ip 198.51.100.42 --router-mac "$mac" 203.0.113.144/28
# Linux's own stack: a client connecting to TCP port 0 retransmits its SYN
# (same source port and sequence number, IP IDs +1, DF, TTL 64). The veth
# offloads the TCP checksum, so the capture shows it unfilled.
timeout 5 python3 -c '
import socket
s = socket.socket()
s.bind(("198.51.100.51", 0))
s.settimeout(3.5)
try:
    s.connect(("203.0.113.200", 0))
except OSError:
    pass
' || true
# A Linux victim (the namespace's own kernel, 203.0.113.250) of floods with
# random spoofed sources: SYN to its port 0 (RST-ACK from port 0), UDP to
# its port 0 (ICMP port unreachable), SYN from source port 0 to its closed
# port 80 (RST-ACK to port 0). Its replies go to the spoofed addresses,
# out of the namespace and into this one, which forwards nothing; the
# capture keeps the replies, as a telescope sees backscatter.
ip -n $ns addr add 203.0.113.250/24 dev p0tb
ip -n $ns link set lo up
ip -n $ns route add 198.51.100.254/32 dev p0tb
ip -n $ns route add default via 198.51.100.254 dev p0tb
ip -n $ns neigh replace 198.51.100.254 lladdr "$(ip link show p0ta | awk '/ether/{print $2}')" dev p0tb nud permanent
h -S -p 0 --rand-source -i u4000 -c 120 203.0.113.250
h -2 -p 0 --rand-source -i u4000 -c 120 203.0.113.250
h -S -s 0 -k -p 80 --rand-source -i u4000 -c 120 203.0.113.250
sleep 1
