#!/usr/bin/env bash
# bench-compare.sh — is this tree faster or slower than revision OLD?
# Builds bin/port0 at OLD (a git worktree in a temporary folder) and at the
# working tree, generates one fixed capture (paper, seed 1, one file), and
# times `port0 analyze` of it by both binaries in alternating rounds
# (scripts/ab.sh) at -workers 1 and at the default, printing each one's
# median and the ratio new/old of the medians (< 1: faster).
#
#   make bench-compare OLD=25a556c [RUNS=7] [SCALE=3e-5]
#   bash scripts/bench-compare.sh OLD
#
# The capture and the outputs go below /dev/shm when it exists (memory, so
# the disk does not time itself), else $TMPDIR.
set -euo pipefail
export LC_ALL=C
old=${1:?usage: scripts/bench-compare.sh OLD-REVISION}
runs=${RUNS:-7}
scale=${SCALE:-3e-5}
root=$(cd "$(dirname "$0")/.." && pwd)
base=${TMPDIR:-/tmp}
[ -d /dev/shm ] && base=/dev/shm
say() { echo "bench-compare: $*" >&2; }

rev=$(git -C "$root" rev-parse --verify --quiet "$old^{commit}") || { say "OLD: $old is not a revision of this repository (git log names them)"; exit 2; }
work=$(mktemp -d "$base/bench-compare.XXXXXX")
cleanup() {
	git -C "$root" worktree remove --force "$work/old" 2> /dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
say "building $old ($rev) and the working tree"
git -C "$root" worktree add --detach --quiet "$work/old" "$rev"
(cd "$work/old" && go build -o "$work/port0-old" ./cmd/port0)
(cd "$root" && go build -o "$work/port0-new" ./cmd/port0)
say "generating paper seed 1 scale $scale (one file)"
"$work/port0-new" gen -q -scenario paper -seed 1 -scale "$scale" -shard single -out "$work/gen"
in=$work/gen/telescope.pcap
say "$(stat -c %s "$in") bytes; $runs alternating rounds per setting"
export TMPDIR=$work
for args in "-workers 1" ""; do
	out=$(ARGS="$args" bash "$root/scripts/ab.sh" "$runs" "$in" "$work/port0-old" "$work/port0-new" 2> /dev/null)
	o=$(echo "$out" | awk '/port0-old/ {print $4}')
	n=$(echo "$out" | awk '/port0-new/ {print $4}')
	echo "${args:-default workers}: old $old median ${o} s, new median ${n} s, new/old $(awk -v n="$n" -v o="$o" 'BEGIN {printf "%.3f", n / o}')"
done
