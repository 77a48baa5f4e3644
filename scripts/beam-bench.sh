#!/usr/bin/env bash
# scripts/beam-bench.sh — time port0-beam (Prism in-process) against port0 analyze on one input,
# by alternating runs (issue 13): RUNS rounds of analyze -workers 1, port0-beam -workers 1,
# analyze -workers 2, port0-beam -workers 2, each under GNU time, then the medians of wall time
# and CPU seconds (user + sys), the peak RSS, the engine's ratio to the plain binary and each
# one's speed-up from 1 to 2 workers, as a Markdown table. The first round's outputs are compared
# with diff -r: the numbers are of runs that wrote the same bytes.
#
#   scripts/beam-bench.sh RUNS INPUT...     e.g. scripts/beam-bench.sh 7 /dev/shm/days
#
# Environment: PORT0 [bin/port0], PORT0_BEAM [bin/port0-beam], GNU_TIME [/usr/bin/time];
# outputs go to a temporary folder below ${TMPDIR:-/tmp}.
set -euo pipefail

say() { printf '%s\n' "$*" >&2; }
[[ $# -ge 2 ]] || { say "usage: scripts/beam-bench.sh RUNS INPUT..."; exit 2; }
runs=$1
shift
[[ $runs =~ ^[1-9][0-9]*$ ]] || { say "beam-bench: RUNS: want a positive whole number, got \"$runs\""; exit 2; }
PORT0=${PORT0:-bin/port0} PORT0_BEAM=${PORT0_BEAM:-bin/port0-beam} GNU_TIME=${GNU_TIME:-/usr/bin/time}
for b in "$PORT0" "$PORT0_BEAM"; do
	[[ -x $b ]] || { say "beam-bench: $b is not an executable (make build beam)"; exit 2; }
done
"$GNU_TIME" -f %e true 2>/dev/null || { say "beam-bench: needs GNU time at $GNU_TIME (or set GNU_TIME)"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
names=(analyze-1 beam-1 analyze-2 beam-2)
run() { # NAME OUT
	case $1 in
	analyze-*) "$PORT0" analyze -q -workers "${1#*-}" -out "$2" "${inputs[@]}" ;;
	beam-*) "$PORT0_BEAM" -q -workers "${1#*-}" -out "$2" "${inputs[@]}" 2>>"$work/beam.log" ;;
	esac
}
inputs=("$@")
cat "${inputs[@]}" >/dev/null 2>&1 || find "${inputs[@]}" -type f -exec cat {} + >/dev/null # warm the page cache
for ((r = 1; r <= runs; r++)); do
	for n in "${names[@]}"; do
		rm -rf "$work/out.$n"
		"$GNU_TIME" -f '%e %U %S %M' -a -o "$work/times.$n" bash -c "$(declare -f run); work=$work PORT0=$PORT0 PORT0_BEAM=$PORT0_BEAM; inputs=($(printf '%q ' "${inputs[@]}")); run $n $work/out.$n"
	done
	if ((r == 1)); then
		for w in 1 2; do
			diff -r "$work/out.analyze-$w" "$work/out.beam-$w" >/dev/null ||
				{ say "beam-bench: -workers $w: port0-beam's outputs differ from analyze's"; exit 1; }
		done
		say "beam-bench: round 1: outputs byte-identical ($(find "$work/out.analyze-1" -type f | wc -l) files)"
	fi
	say "beam-bench: round $r/$runs"
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A wall cpu rss
for n in "${names[@]}"; do
	wall[$n]=$(awk '{ print $1 }' "$work/times.$n" | median)
	cpu[$n]=$(awk '{ print $2 + $3 }' "$work/times.$n" | median)
	rss[$n]=$(awk '$4 > m { m = $4 } END { printf "%.0f", m / 1024 }' "$work/times.$n")
done
echo "| command | workers | wall s (median of $runs) | CPU s (median) | peak RSS MB |"
echo "|---|---:|---:|---:|---:|"
for n in "${names[@]}"; do
	echo "| ${n%-*} | ${n#*-} | ${wall[$n]} | ${cpu[$n]} | ${rss[$n]} |"
done
r() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "- port0-beam / analyze, wall: $(r "${wall[beam-1]}" "${wall[analyze-1]}")× at 1 worker, $(r "${wall[beam-2]}" "${wall[analyze-2]}")× at 2; CPU: $(r "${cpu[beam-1]}" "${cpu[analyze-1]}")×, $(r "${cpu[beam-2]}" "${cpu[analyze-2]}")×"
echo "- 1 → 2 workers: analyze $(r "${wall[analyze-1]}" "${wall[analyze-2]}")×, port0-beam $(r "${wall[beam-1]}" "${wall[beam-2]}")×"
