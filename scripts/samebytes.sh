#!/usr/bin/env bash
# scripts/samebytes.sh — prove that two port0 binaries write the same bytes (a refactor must not
# change one byte of gen, analyze, validate, experiments, figures or report output).
#
#   bash scripts/samebytes.sh OLD_BIN NEW_BIN [WORK]
#   KEEP_OLD=1 bash scripts/samebytes.sh OLD_BIN NEW_BIN WORK   # reuse WORK/in and WORK/old
#
# The inputs are made ONCE, by OLD_BIN, into WORK/in: gen runs of the paper scenario (seed 1,
# scale 1e-5 as daily shards, gzip shards and one single file; scale 1e-4), of
# testdata/scenarios/robust.scenario (seed 2), a copy of testdata/captures, and gzip and zstd
# copies of the single file. Then each binary runs the same pipeline on those inputs into
# WORK/old and WORK/new, one folder per case, and every case is compared with diff -r (the cases
# are every top-level entry of WORK/old and WORK/new, so this is diff -r WORK/old WORK/new):
#
#   gen                  every gen run above, made again by NEW_BIN (WORK/old/gen = hard links
#                        to WORK/in/gen): gen must not change either
#   paper-1e-5, paper-1e-4, robust     analyze of each gen folder (default -workers)
#   corpus               analyze of testdata/captures (corrupt files on purpose; exit 0 or 1)
#   gzip-shards          analyze of the gen -gzip folder
#   single, single-gzip, single-zstd   analyze of the single 1e-5 pcap, of its gzip copy and of
#                        its zstd copy ("skipped: zstd not installed" when zstd is missing)
#   single-workers1      the single pcap with -workers 1 (the chunked large-file path)
#   single-stdin         the single pcap read from standard input (-)
#   paper-1e-5-count-only  analyze -count-only
#   paper-1e-5-workers1, paper-1e-5-workers2, robust-workers1, robust-workers2
#   merge                -partial of the first and second half of the sorted 1e-5 shards into
#                        merge/A and merge/B, then -merge -out merge/M merge/A merge/B; the
#                        partial/ folders are moved out of the compared tree (to WORK/partial/,
#                        their format may change), the rest of A, B and M is compared
#   study                validate (stdout), experiments -out study/R (stdout), figures -in
#                        study/R -out study/R/figures, report -in study/R, on the paper-1e-5
#                        analysis: all of study/R, REPORT.md, PNG and SVG included
#
# Every step's stdout goes to CASE/STEP.stdout and its exit status to a line of
# CASE/exit-status, both compared; stderr (progress, timings) goes to WORK/log/SIDE/, outside the
# compared tree. Both binaries run from a folder one level below WORK (WORK/in or WORK/old for
# OLD_BIN, WORK/new for NEW_BIN) with the same relative paths, so paths recorded in outputs
# (summary.json's file names, run.json's data folders) are the same strings on both sides.
#
# Prints "same: CASE (N files)" or the diff (first DIFF_LINES lines; all of it in
# WORK/diffs/CASE.diff) and "DIFFERENT: CASE" per case; exits 0 when every case is the same, 1
# when one differs, 2 on a usage error or when OLD_BIN fails on the baseline.
#
# WORK defaults to a new mktemp -d folder below /dev/shm (or /tmp), removed at the end when
# every case is the same. A WORK given on the command line is kept (about 4 GB: the inputs, and
# the baseline, hard-linked where it can be); its in, old, new, log, diffs and partial entries
# are replaced. With KEEP_OLD=1, WORK/in and WORK/old are reused when they were made by this
# OLD_BIN (same sha256) and this version of the script (WORK/baseline.stamp), so only NEW_BIN
# runs. When every case is the same, WORK/new/gen (the same bytes as WORK/in/gen) is removed to
# give back the memory of /dev/shm.
#
# Environment: KEEP_OLD [0], DIFF_LINES [40]. Needs bash, coreutils, diff, find and gzip; zstd
# when installed.
set -euo pipefail
export LC_ALL=C

say() { printf '%s\n' "$*" >&2; }
usage() { say "usage: bash scripts/samebytes.sh OLD_BIN NEW_BIN [WORK]   (KEEP_OLD=1 reuses WORK/in and WORK/old)"; exit 2; }
die() { say "samebytes: $*"; exit 2; }

[[ $# -eq 2 || $# -eq 3 ]] || usage
KEEP_OLD=${KEEP_OLD:-0}
DIFF_LINES=${DIFF_LINES:-40}
[[ $DIFF_LINES =~ ^[0-9]+$ ]] || die "DIFF_LINES: want a whole number, got \"$DIFF_LINES\""
for b in "$1" "$2"; do
	[[ -f $b && -x $b ]] || die "$b is not an executable file"
done
old_bin=$(readlink -f -- "$1")
new_bin=$(readlink -f -- "$2")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
script=$repo/scripts/samebytes.sh
[[ -d $repo/testdata/captures && -f $repo/testdata/scenarios/robust.scenario ]] ||
	die "$repo/testdata/captures or testdata/scenarios/robust.scenario is missing"
command -v gzip >/dev/null || die "needs gzip"

temp_work=0
if [[ $# -eq 3 ]]; then
	mkdir -p -- "$3"
	work=$(cd -- "$3" && pwd)
else
	base=/tmp
	[[ -d /dev/shm && -w /dev/shm ]] && base=/dev/shm
	work=$(mktemp -d "$base/samebytes.XXXXXX")
	temp_work=1
fi
[[ $work == /* && $work != / ]] || die "WORK: $work is not a usable folder"

started=$SECONDS
stamp="old $(sha256sum <"$old_bin" | cut -d' ' -f1) script $(sha256sum <"$script" | cut -d' ' -f1)"

# step CASE NAME CMD...: run CMD in the current folder (WORK/SIDE), stdout to CASE/NAME.stdout,
# stderr to WORK/log/SIDE/CASE.NAME.log, and append "NAME STATUS" to CASE/exit-status.
# A failing CMD is recorded, not fatal: the comparison shows it.
step() {
	local case=$1 name=$2 rc=0 side
	shift 2
	side=${PWD##*/}
	mkdir -p "$case" "$work/log/$side"
	"$@" >"$case/$name.stdout" 2>"$work/log/$side/$case.$name.log" || rc=$?
	printf '%s %d\n' "$name" "$rc" >>"$case/exit-status"
}

# gen_all BIN: the gen runs, into gen/ of the current folder (WORK/in for OLD_BIN, WORK/new for
# NEW_BIN; the scenario file is ../in/robust.scenario from both).
gen_all() {
	local bin=$1
	step gen paper-1e-5 "$bin" gen -q -scenario paper -seed 1 -scale 1e-5 -out gen/paper-1e-5
	step gen paper-1e-4 "$bin" gen -q -scenario paper -seed 1 -scale 1e-4 -out gen/paper-1e-4
	step gen robust "$bin" gen -q -scenario ../in/robust.scenario -seed 2 -out gen/robust
	step gen paper-1e-5-gzip "$bin" gen -q -scenario paper -seed 1 -scale 1e-5 -gzip -out gen/paper-1e-5-gzip
	step gen paper-1e-5-single "$bin" gen -q -scenario paper -seed 1 -scale 1e-5 -shard single -out gen/paper-1e-5-single
}

# analyze_case CASE [FLAG...] -- INPUT...: port0 analyze -q FLAGS -out CASE/analysis INPUTS
analyze_case() {
	local case=$1 flags=()
	shift
	while [[ $1 != -- ]]; do
		flags+=("$1")
		shift
	done
	shift
	step "$case" analyze "$bin" analyze -q "${flags[@]}" -out "$case/analysis" "$@"
}

# cases: everything but gen, in the current folder (WORK/old or WORK/new), with $bin.
cases() {
	local g=../in/gen single=../in/gen/paper-1e-5-single/telescope.pcap side=${PWD##*/}
	analyze_case paper-1e-5 -- "$g/paper-1e-5"
	analyze_case paper-1e-4 -- "$g/paper-1e-4"
	analyze_case robust -- "$g/robust"
	analyze_case corpus -- ../in/captures
	analyze_case gzip-shards -- "$g/paper-1e-5-gzip"
	analyze_case single -- "$single"
	analyze_case single-gzip -- ../in/compressed/telescope.pcap.gz
	if [[ -f ../in/compressed/telescope.pcap.zst ]]; then
		analyze_case single-zstd -- ../in/compressed/telescope.pcap.zst
	fi
	analyze_case single-workers1 -workers 1 -- "$single"
	step single-stdin analyze "$bin" analyze -q -out single-stdin/analysis - <"$single"
	analyze_case paper-1e-5-count-only -count-only -- "$g/paper-1e-5"
	analyze_case paper-1e-5-workers1 -workers 1 -- "$g/paper-1e-5"
	analyze_case paper-1e-5-workers2 -workers 2 -- "$g/paper-1e-5"
	analyze_case robust-workers1 -workers 1 -- "$g/robust"
	analyze_case robust-workers2 -workers 2 -- "$g/robust"

	local shards=("$g"/paper-1e-5/*.pcap) half
	half=$((${#shards[@]} / 2))
	step merge A "$bin" analyze -q -partial -out merge/A "${shards[@]:0:half}"
	step merge B "$bin" analyze -q -partial -out merge/B "${shards[@]:half}"
	step merge M "$bin" analyze -q -merge -out merge/M merge/A merge/B
	mkdir -p "$work/partial/$side"
	for p in A B; do
		for f in partial partial.bin; do # the partial result's folder (older port0) or file
			if [[ -e merge/$p/$f ]]; then
				mkdir -p "$work/partial/$side/$p"
				mv "merge/$p/$f" "$work/partial/$side/$p/"
			fi
		done
	done

	step study validate "$bin" validate -truth "$g/paper-1e-5" -analysis paper-1e-5/analysis
	step study experiments "$bin" experiments -q -out study/R -seed 1 -scale 1e-5 -scenario paper \
		-gen "$g/paper-1e-5" -analysis paper-1e-5/analysis
	step study figures "$bin" figures -q -in study/R -out study/R/figures
	step study report "$bin" report -in study/R
}

# check_baseline: OLD_BIN must have exited 0 everywhere (analyze of the corpus: 0 or 1).
check_baseline() {
	local f case name rc bad=0
	while IFS= read -r f; do
		case=${f#"$work"/old/}
		case=${case%/exit-status}
		while read -r name rc; do
			if [[ $rc != 0 && ! ($case == corpus && $rc == 1) ]]; then
				say "samebytes: OLD_BIN failed on the baseline: $case $name exited $rc (stderr: $work/log/old/$case.$name.log)"
				bad=1
			fi
		done <"$f"
	done < <(find "$work/old" -name exit-status -type f | sort)
	[[ $bad == 0 ]] || exit 2
}

made_baseline=0
if [[ $KEEP_OLD == 1 && -d $work/in && -d $work/old && -f $work/baseline.stamp && $(<"$work/baseline.stamp") == "$stamp" ]]; then
	say "samebytes: KEEP_OLD=1: reusing $work/in and $work/old"
else
	if [[ $KEEP_OLD == 1 ]]; then
		say "samebytes: KEEP_OLD=1, but $work holds no baseline of this OLD_BIN and script: making it"
	fi
	rm -rf -- "$work/in" "$work/old" "$work/log/in" "$work/log/old" "$work/partial/old" "$work/baseline.stamp"
	say "samebytes: making the inputs with $old_bin into $work/in"
	t0=$SECONDS
	mkdir -p "$work/in/compressed"
	cp -- "$repo/testdata/scenarios/robust.scenario" "$work/in/robust.scenario"
	cp -a -- "$repo/testdata/captures" "$work/in/captures"
	(cd "$work/in" && gen_all "$old_bin")
	while read -r name rc; do
		[[ $rc == 0 ]] || die "OLD_BIN gen $name exited $rc (stderr: $work/log/in/gen.$name.log)"
	done <"$work/in/gen/exit-status"
	gzip -1 -c "$work/in/gen/paper-1e-5-single/telescope.pcap" >"$work/in/compressed/telescope.pcap.gz"
	if command -v zstd >/dev/null; then
		zstd -q -c "$work/in/gen/paper-1e-5-single/telescope.pcap" >"$work/in/compressed/telescope.pcap.zst"
	else
		echo "skipped: zstd not installed"
	fi
	say "samebytes: running $old_bin into $work/old"
	mkdir -p "$work/old"
	cp -al -- "$work/in/gen" "$work/old/gen"
	(cd "$work/old" && bin=$old_bin && cases)
	check_baseline
	printf '%s\n' "$stamp" >"$work/baseline.stamp"
	made_baseline=1
	say "samebytes: baseline made in $((SECONDS - t0)) s"
fi
if [[ ! -f $work/in/compressed/telescope.pcap.zst ]]; then
	[[ $made_baseline == 1 ]] || echo "skipped: zstd not installed"
fi

rm -rf -- "$work/new" "$work/log/new" "$work/partial/new" "$work/diffs"
say "samebytes: running $new_bin into $work/new"
t0=$SECONDS
mkdir -p "$work/new" "$work/diffs"
(cd "$work/new" && gen_all "$new_bin" && bin=$new_bin && cases)
new_time=$((SECONDS - t0))

# Compare every top-level entry of either side: the cases in the order they ran, then any other.
order=(gen paper-1e-5 paper-1e-4 robust corpus gzip-shards single single-gzip single-zstd
	single-workers1 single-stdin paper-1e-5-count-only paper-1e-5-workers1 paper-1e-5-workers2
	robust-workers1 robust-workers2 merge study)
mapfile -t entries < <({ ls -A "$work/old"; ls -A "$work/new"; } | sort -u)
for e in "${entries[@]}"; do
	[[ " ${order[*]} " == *" $e "* ]] || order+=("$e")
done
differ=0 ncases=0 nfiles=0
cd "$work"
for c in "${order[@]}"; do
	[[ -e old/$c || -e new/$c ]] || continue
	ncases=$((ncases + 1))
	n=0
	[[ -e old/$c ]] && n=$(find "old/$c" -type f | wc -l)
	nfiles=$((nfiles + n))
	if diff -r "old/$c" "new/$c" >"diffs/$c.diff" 2>&1; then
		rm -f -- "diffs/$c.diff"
		echo "same: $c ($n files)"
	else
		head -n "$DIFF_LINES" "diffs/$c.diff"
		lines=$(wc -l <"diffs/$c.diff")
		if ((lines > DIFF_LINES)); then
			echo "... $((lines - DIFF_LINES)) more lines in $work/diffs/$c.diff"
		fi
		echo "DIFFERENT: $c"
		differ=$((differ + 1))
	fi
done

# Wall-clock time must not leak into outputs: warn about text files holding today's date.
today=$(date -u +%Y-%m-%d)
while IFS= read -r f; do
	say "samebytes: warning: $f holds today's date ($today)"
done < <(grep -rlIF --exclude-dir=gen -e "$today" new old 2>/dev/null || true)

total=$((SECONDS - started))
if ((differ == 0)); then
	echo "samebytes: all $ncases cases the same ($nfiles files); new side ${new_time} s, total ${total} s"
	rm -rf -- "$work/new/gen"
	if ((temp_work)); then
		rm -rf -- "$work"
	else
		say "samebytes: kept $work (KEEP_OLD=1 reuses in/ and old/; new/gen removed: the same bytes as in/gen)"
	fi
	exit 0
fi
echo "samebytes: $differ of $ncases cases DIFFERENT; outputs kept in $work (old/, new/, diffs/, log/); total ${total} s"
exit 1
