#!/usr/bin/env bash
# scripts/ab.sh — compare port0 binaries on one input by alternating runs (issue 6).
# On a shared VM whose speed moves by tens of percent from minute to minute, only runs of the
# binaries taken in turn, in the same minutes, compare; this takes RUNS rounds of one run of each
# binary and prints each one's median and best wall time, mean user and sys CPU and peak RSS.
#
#   scripts/ab.sh RUNS INPUT BINARY...            e.g. scripts/ab.sh 15 /dev/shm/big.pcap /tmp/old bin/port0
#   ARGS='-workers 1' scripts/ab.sh ...           extra flags for port0 analyze
#
# Each run is `BINARY analyze -q $ARGS -out DIR INPUT` under GNU time; outputs go to a temporary
# folder below ${TMPDIR:-/tmp} (set TMPDIR=/dev/shm where creating files in /tmp is slow).
set -euo pipefail

say() { printf '%s\n' "$*" >&2; }
[[ $# -ge 3 ]] || { say "usage: scripts/ab.sh RUNS INPUT BINARY..."; exit 2; }
runs=$1 input=$2
shift 2
[[ $runs =~ ^[1-9][0-9]*$ ]] || { say "ab: RUNS: want a positive whole number, got \"$runs\""; exit 2; }
[[ -e $input ]] || { say "ab: INPUT: $input does not exist"; exit 2; }
GNU_TIME=${GNU_TIME:-/usr/bin/time}
"$GNU_TIME" -f %e true 2>/dev/null || { say "ab: needs GNU time at $GNU_TIME (or set GNU_TIME)"; exit 2; }
for b in "$@"; do
	[[ -x $b ]] || { say "ab: $b is not an executable"; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
read -r -a extra <<<"${ARGS:-}"
for ((r = 1; r <= runs; r++)); do
	n=0
	for b in "$@"; do
		n=$((n + 1))
		"$GNU_TIME" -f '%e %U %S %M' -a -o "$work/times.$n" "$b" analyze -q "${extra[@]}" -out "$work/out.$n" "$input"
	done
	say "ab: round $r/$runs"
done
n=0
for b in "$@"; do
	n=$((n + 1))
	sort -n "$work/times.$n" | awk -v name="$b" '
		{ w[NR] = $1; u += $2; s += $3; if ($4 > m) m = $4 }
		END { printf "%-30s wall median %.3f s  best %.3f s  user %.3f s  sys %.3f s  peak RSS %d MiB\n",
			name, w[int((NR + 1) / 2)], w[1], u / NR, s / NR, m / 1024 }'
done
