#!/usr/bin/env bash
# collect-softflowd.sh — does port0 collect keep up with a real exporter?
# softflowd (1.1.0, Debian 12) replays a generated capture at full speed as
# IPFIX to port0 collect on 127.0.0.1, which spools the datagrams and
# studies them; the flow records the study read (summary.json flows.flows)
# must be at least 99 % of the records softflowd says it exported, and so
# must the datagrams received (collect.json) of the datagrams it sent.
# Run from the repository root:
#
#   bash scripts/collect-softflowd.sh              # builds bin/port0 first
#   BIN=/tmp/port0 BUILD=0 bash scripts/collect-softflowd.sh
#   PORT=29555 SCALE=1e-6 bash scripts/collect-softflowd.sh
#
# Installs softflowd with apt-get when it is missing and the script runs as
# root. Everything it starts is stopped by its PID on exit; nothing listens
# beyond loopback.
set -euo pipefail
export LC_ALL=C

BIN=${BIN:-bin/port0}
BUILD=${BUILD:-1}
SCALE=${SCALE:-2e-6}
PORT=${PORT:-$((20000 + RANDOM % 20000))}
MIN_PERCENT=99

say() { echo "collect-softflowd: $*" >&2; }
fail() {
	say "FAIL: $*"
	exit 1
}

if ! command -v softflowd > /dev/null || ! command -v softflowctl > /dev/null; then
	[ "$(id -u)" = 0 ] || fail "softflowd not found (apt-get install softflowd, as root)"
	say "installing softflowd"
	apt-get update -qq > /dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq softflowd > /dev/null
fi
command -v python3 > /dev/null || fail "python3 not found (it reads the JSON files)"
if [ "$BUILD" = 1 ]; then
	go build -o "$BIN" ./cmd/port0
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# A free port: nothing bound to it on loopback, IPv4.
hexport=$(printf '%04X' "$PORT")
if grep -q ":$hexport " /proc/net/udp 2> /dev/null; then
	fail "UDP port $PORT is in use: set PORT"
fi

"$BIN" gen -q -scenario paper -seed 7 -scale "$SCALE" -shard single -out "$tmp/gen"
pcap=$(ls "$tmp"/gen/*.pcap)
say "capture $(basename "$pcap"): $(stat -c %s "$pcap") bytes"

"$BIN" collect -q -listen "127.0.0.1:$PORT" -out "$tmp/collect" > "$tmp/collect.out" 2> "$tmp/collect.err" &
cpid=$!
pids+=("$cpid")
# Wait until it listens: its socket in /proc/net/udp, bound to 127.0.0.1.
for i in $(seq 1 100); do
	grep -q "0100007F:$hexport " /proc/net/udp 2> /dev/null && break
	kill -0 "$cpid" 2> /dev/null || {
		cat "$tmp/collect.err" >&2
		fail "port0 collect exited before listening"
	}
	[ "$i" = 100 ] && fail "port0 collect not listening on 127.0.0.1:$PORT after 10 s"
	sleep 0.1
done

# softflowd reading a file (-r) exports every flow and exits at its end,
# printing its statistics; 1.1.0 reads a batch of 8192 packets each time
# its poll() returns, so its control socket is spoken to until it leaves.
softflowd -r "$pcap" -v 10 -n "127.0.0.1:$PORT" -d -p "$tmp/sf.pid" -c "$tmp/sf.ctl" > "$tmp/sf.log" 2>&1 &
spid=$!
pids+=("$spid")
start=$(date +%s.%N)
while kill -0 "$spid" 2> /dev/null; do
	softflowctl -c "$tmp/sf.ctl" statistics > /dev/null 2>&1 || sleep 0.01
	if [ "$(echo "$(date +%s.%N) - $start > 300" | bc)" = 1 ]; then
		fail "softflowd still running after 300 s"
	fi
done
wait "$spid" || {
	cat "$tmp/sf.log" >&2
	fail "softflowd failed"
}
took=$(echo "$(date +%s.%N) - $start" | bc)
# "Flows exported: 566349 (566349 records) in 18135 packets (0 failures)"
line=$(grep '^Flows exported:' "$tmp/sf.log" | tail -1)
[ -n "$line" ] || {
	cat "$tmp/sf.log" >&2
	fail "no 'Flows exported' line from softflowd"
}
read -r records packets failures < <(echo "$line" | sed -E 's/.*\(([0-9]+) records\) in ([0-9]+) packets \(([0-9]+) failures\).*/\1 \2 \3/')
say "softflowd exported $records records in $packets datagrams ($failures send failures) in ${took} s"

kill -TERM "$cpid"
crc=0
wait "$cpid" || crc=$?
pids=()
say "port0 collect exited $crc: $(cat "$tmp/collect.out")"
[ -s "$tmp/collect.err" ] && sed 's/^/  /' "$tmp/collect.err" >&2

json() { # json FILE EXPR: EXPR of the JSON object d of FILE
	python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($2)" "$1"
}
[ -f "$tmp/collect/collect.json" ] || fail "no collect.json"
got=$(json "$tmp/collect/collect.json" 'd["datagrams"]')
drops=$(json "$tmp/collect/collect.json" 'd["kernel_drops"]')
buf=$(json "$tmp/collect/collect.json" 'd["read_buffer"]')
say "port0 collect received $got of $packets datagrams; the kernel dropped $drops (receive buffer $buf bytes as the kernel counts it)"

ok=1
enough() { # enough GOT WANT: GOT is at least MIN_PERCENT % of WANT
	[ "$(echo "$1 * 100 >= $2 * $MIN_PERCENT" | bc)" = 1 ]
}
if ! enough "$got" "$packets"; then
	say "FAIL: datagrams: $got received of $packets sent, below $MIN_PERCENT %"
	ok=0
fi
if [ -f "$tmp/collect/summary.json" ]; then
	flows=$(json "$tmp/collect/summary.json" '(d.get("flows") or {}).get("flows", 0)')
	say "the study read $flows flow records of the $records exported"
	if ! enough "$flows" "$records"; then
		say "FAIL: flow records: $flows of $records, below $MIN_PERCENT %"
		ok=0
	fi
else
	say "FAIL: no summary.json: the analysis did not end ($(json "$tmp/collect/collect.json" 'd["analysis"]'))"
	ok=0
fi
[ "$ok" = 1 ] || exit 1
say "PASS"
