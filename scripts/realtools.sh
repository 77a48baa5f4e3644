#!/usr/bin/env bash
# realtools.sh OUT.pcap — capture what the real tools send to port 0, for
# testdata/captures/tools/ (see testdata/README.md). Needs root and the
# Debian packages hping3 nmap zmap masscan tcpdump. Every packet goes out
# of a veth interface whose peer sits in an empty network namespace with
# no address and no forwarding: nothing leaves this machine. Each tool run
# has its own source address in 198.51.100.0/24 (TEST-NET-2) and sends to
# 203.0.113.0/24 (TEST-NET-3), so the capture's sources name the runs.
set -euo pipefail
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
