#!/usr/bin/env bash
# scripts/compare.sh — time `port0 analyze` beside cat, zcat, zstd, tcpdump, tshark and the
# gopacket reference decoder on one default-scenario capture of ~10 M packets (issue 6).
# `make compare` runs it; BENCHMARKS.md has a measured table.
#
# Steps:
#   1. go build -o bin/port0 ./cmd/port0 (skipped when PORT0 names a binary);
#   2. `port0 gen -scenario paper -seed SEED -scale SCALE -shard single` into WORK/gen (one
#      Ethernet µs pcap, telescope.pcap) and a gzip -GZIP_LEVEL copy, WORK/telescope.pcap.gz;
#      both are reused when WORK already holds a capture of that scenario, seed and scale made
#      by a generator that writes the same bytes (a 28 k-packet probe run, ~0.2 s, is compared
#      with the one kept beside the capture, so a changed generator makes a new capture);
#      when zstd is installed, a zstd -ZSTD_LEVEL copy too, WORK/telescope.pcap.zst, reused the
#      same way as the gzip copy;
#   3. warms the page cache, then times every command RUNS times, round-robin (run 1 of every
#      command, then run 2, ...), with GNU time for the peak RSS;
#   4. prints a Markdown table of medians and the ratios issue 6 asks for, and the port-0
#      packet counts each tool found. The same report goes to WORK/report.md.
# A missing tcpdump, tshark or zstd is reported ("tcpdump: not installed, skipped") and skipped,
# and so is a port0 binary that cannot read zstd (older than zstd input).
#
# Environment (defaults in brackets):
#   COMPARE_DIR  work folder [/dev/shm/port0-compare if /dev/shm has room, else
#                ${TMPDIR:-/tmp}/port0-compare]
#   PACKETS      packets wanted [10000000]; SCALE = PACKETS / 2.84e11 unless SCALE is set
#   SCALE        gen -scale, overrides PACKETS
#   SEED         gen -seed [1]
#   RUNS         timed runs of each command [5]
#   TSHARK_RUNS  timed runs of tshark [RUNS]
#   TSHARK_PACKETS  tshark reads only the first N packets (-c N) [1000000; 0 = all], as it
#                reads only 15-50 k packets/s here; its speed and ratio are per packet
#   GZIP_LEVEL   gzip level of the compressed copy [1, what `port0 gen -gzip` uses]
#   ZSTD_LEVEL   zstd level of the zstd copy [3, zstd's default]
#   PORT0        port0 binary to time; when set, nothing is built [bin/port0, built]
#   TCPDUMP, TSHARK, ZSTD  the tools [found on PATH]; a path that is not executable skips the tool
#   GNU_TIME     GNU time [/usr/bin/time]
#   GO           go command [go]
# Needs bash, coreutils, gzip, GNU time and awk; nothing else.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '%s\n' "$*" >&2; }
die() { say "compare: $*"; exit 1; }

RUNS=${RUNS:-5}
TSHARK_RUNS=${TSHARK_RUNS:-$RUNS}
TSHARK_PACKETS=${TSHARK_PACKETS:-1000000}
SEED=${SEED:-1}
PACKETS=${PACKETS:-10000000}
GZIP_LEVEL=${GZIP_LEVEL:-1}
GNU_TIME=${GNU_TIME:-/usr/bin/time}
GO=${GO:-go}
TCPDUMP=${TCPDUMP-$(command -v tcpdump || true)}
TSHARK=${TSHARK-$(command -v tshark || true)}
ZSTD=${ZSTD-$(command -v zstd || true)}
ZSTD_LEVEL=${ZSTD_LEVEL:-3}

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS: want a positive whole number, got \"$RUNS\""
[[ $TSHARK_RUNS =~ ^[0-9]+$ ]] || die "TSHARK_RUNS: want a whole number, got \"$TSHARK_RUNS\""
[[ $TSHARK_PACKETS =~ ^[0-9]+$ ]] || die "TSHARK_PACKETS: want a whole number, got \"$TSHARK_PACKETS\""
[[ $SEED =~ ^[0-9]+$ ]] || die "SEED: want a whole number, got \"$SEED\""
[[ $GZIP_LEVEL =~ ^[1-9]$ ]] || die "GZIP_LEVEL: want 1-9, got \"$GZIP_LEVEL\""
[[ $ZSTD_LEVEL =~ ^[1-9]$|^1[0-9]$ ]] || die "ZSTD_LEVEL: want 1-19, got \"$ZSTD_LEVEL\""
if [[ -z ${SCALE:-} ]]; then
	[[ $PACKETS =~ ^[1-9][0-9]*$ ]] || die "PACKETS: want a positive whole number, got \"$PACKETS\""
	# paper, scale 1e-5: 2.84 M packets (BENCHMARKS.md).
	SCALE=$(awk -v p="$PACKETS" 'BEGIN { printf "%.4g", p / 2.84e11 }')
fi
"$GNU_TIME" -f %e true 2>/dev/null || die "needs GNU time at $GNU_TIME (apt-get install time, or set GNU_TIME)"
command -v gzip >/dev/null || die "needs gzip"

# ---- the port0 binary
PORT0_GIVEN=${PORT0:-}
if [[ -z $PORT0_GIVEN ]]; then
	say "compare: $GO build -o bin/port0 ./cmd/port0"
	"$GO" build -o bin/port0 ./cmd/port0
	PORT0=bin/port0
fi
[[ -x $PORT0 ]] || die "PORT0: $PORT0 is not an executable"
PORT0=$(cd "$(dirname "$PORT0")" && pwd)/$(basename "$PORT0")

# ---- the work folder
if [[ -z ${COMPARE_DIR:-} ]]; then
	# pcap is ~90 bytes a packet; the gzip copy and outputs need ~40 % more; ask for 2x.
	need_kb=$(awk -v s="$SCALE" 'BEGIN { printf "%d", s * 2.84e11 * 90 * 2 / 1024 }')
	shm_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }' || true)
	if [[ -n $shm_kb && $shm_kb -gt $need_kb ]]; then
		COMPARE_DIR=/dev/shm/port0-compare
	else
		COMPARE_DIR=${TMPDIR:-/tmp}/port0-compare
	fi
fi
W=$COMPARE_DIR
mkdir -p "$W"
W=$(cd "$W" && pwd)
PCAP=$W/gen/telescope.pcap
GZ=$W/telescope.pcap.gz

# manifest_get KEY: the first top-level-looking `"KEY": value` of the manifest.
manifest_get() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$W/gen/manifest.json" | head -1; }

# probe_sum: a checksum of what this generator writes for the scenario and seed at a small
# scale (the sha256 lines of its manifest), to tell whether a kept capture is still what
# this binary would generate.
probe_sum() {
	rm -rf "$W/probe"
	"$PORT0" gen -q -scenario paper -seed "$SEED" -scale 1e-7 -shard single -out "$W/probe" >&2
	grep '"sha256"' "$W/probe/manifest.json" | sha256sum | cut -c1-64
	rm -rf "$W/probe"
}
PROBE=$(probe_sum)

capture_matches() {
	[[ -f $W/gen/manifest.json && -f $PCAP ]] || return 1
	[[ $(manifest_get scenario) == paper && $(manifest_get seed) == "$SEED" && $(manifest_get shard) == single ]] || return 1
	awk -v a="$(manifest_get scale)" -v b="$SCALE" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= 1e-9 * b) }' || return 1
	# the first file of the manifest is the pcap; its size must match (an interrupted copy would not)
	[[ $(manifest_get bytes) == "$(stat -c %s "$PCAP")" ]]
}

if capture_matches && [[ -f $W/gen/probe.sum && $(cat "$W/gen/probe.sum") == "$PROBE" ]]; then
	say "compare: reusing $PCAP (paper, seed $SEED, scale $SCALE, same generator output)"
else
	if capture_matches; then
		say "compare: $PCAP was made by a generator that wrote other bytes (or before probes were kept); making it again"
	fi
	say "compare: port0 gen -scenario paper -seed $SEED -scale $SCALE -shard single -out $W/gen"
	rm -rf "$W/gen" "$W/gen.tmp" "$GZ" "$GZ.src"
	"$PORT0" gen -q -scenario paper -seed "$SEED" -scale "$SCALE" -shard single -out "$W/gen.tmp"
	printf '%s\n' "$PROBE" > "$W/gen.tmp/probe.sum"
	mv "$W/gen.tmp" "$W/gen"
	capture_matches || die "gen wrote $W/gen, but its manifest does not match seed $SEED, scale $SCALE"
fi
PACKETS_IN=$(manifest_get packets)
SHA=$(manifest_get sha256)
BYTES=$(stat -c %s "$PCAP")
# compressed_copy TOOL LEVEL OUT CMD...: OUT is CMD's compressed copy of the capture, made
# again unless OUT.src says it was made at LEVEL from these very bytes.
compressed_copy() {
	local tool=$1 level=$2 out=$3 src="level=$2 bytes=$BYTES sha256=$SHA"
	shift 3
	if [[ -f $out && -f $out.src && $(cat "$out.src") == "$src" ]]; then
		say "compare: reusing $out"
		return
	fi
	say "compare: $tool -$level $PCAP > $out"
	rm -f "$out" "$out.src"
	"$@" > "$out.tmp"
	mv "$out.tmp" "$out"
	printf '%s\n' "$src" > "$out.src"
}
compressed_copy gzip "$GZIP_LEVEL" "$GZ" gzip -"$GZIP_LEVEL" -c "$PCAP"
GZBYTES=$(stat -c %s "$GZ")
ZST=$W/telescope.pcap.zst
ZSTBYTES=
if [[ -n $ZSTD && -x $ZSTD ]]; then
	compressed_copy zstd "$ZSTD_LEVEL" "$ZST" "$ZSTD" -q -"$ZSTD_LEVEL" -T0 -c "$PCAP"
	ZSTBYTES=$(stat -c %s "$ZST")
fi

# ---- the commands
# Each command: a name, its runs, where its stdout goes, the command line. Outputs go to
# $W/out/NAME, emptied before every run (outside the timing).
OUT=$W/out
TIMES=$W/times
rm -rf "$OUT" "$TIMES"
mkdir -p "$OUT" "$TIMES"

names=() labels=() nruns=() stdouts=() cmds=() notes=() npk=()
add() { # add NAME RUNS STDOUT LABEL CMD...   (the command reads every packet)
	addn "$PACKETS_IN" "$@"
}
addn() { # addn PACKETS-READ NAME RUNS STDOUT LABEL CMD...
	npk+=("$1") names+=("$2") nruns+=("$3") stdouts+=("$4") labels+=("$5")
	shift 5
	local q
	printf -v q '%q ' "$@"
	cmds+=("$q")
}
skip() { notes+=("$1"); say "compare: $1"; }

add cat "$RUNS" /dev/null 'cat FILE > /dev/null' cat "$PCAP"
add zcat "$RUNS" /dev/null "zcat FILE.gz > /dev/null (gzip -cd)" gzip -cd "$GZ"
add analyze "$RUNS" "$OUT/analyze.stdout" 'port0 analyze -q -out TMP FILE (full study, all outputs)' \
	"$PORT0" analyze -q -out "$OUT/analyze" "$PCAP"
add analyze-gz "$RUNS" "$OUT/analyze-gz.stdout" 'port0 analyze -q -out TMP FILE.gz' \
	"$PORT0" analyze -q -out "$OUT/analyze-gz" "$GZ"
COUNT_ONLY=
analyze_help=$("$PORT0" analyze -h 2>&1 || true)
if [[ $analyze_help == *-count-only* ]]; then
	COUNT_ONLY=-count-only
	add count-only "$RUNS" "$OUT/count-only.stdout" 'port0 analyze -q -count-only -out TMP FILE' \
		"$PORT0" analyze -q -count-only -out "$OUT/count-only" "$PCAP"
else
	skip "port0 analyze -count-only: no such flag, skipped"
fi
if [[ -n $ZSTBYTES ]]; then
	add zstdcat "$RUNS" /dev/null "zstd -dc FILE.zst > /dev/null" "$ZSTD" -dcq "$ZST"
	# Can this binary read zstd? A 1 MiB piece of the capture tells (a cut record is a read
	# error, exit status 0; an unreadable input is 1).
	head -c 1048576 "$PCAP" | "$ZSTD" -q -c > "$W/probe.zst"
	if "$PORT0" analyze -q -out "$W/probe-out" "$W/probe.zst" > /dev/null 2>&1; then
		add analyze-zst "$RUNS" "$OUT/analyze-zst.stdout" 'port0 analyze -q -out TMP FILE.zst' \
			"$PORT0" analyze -q -out "$OUT/analyze-zst" "$ZST"
	else
		skip "port0 analyze FILE.zst: this port0 cannot read zstd, skipped"
	fi
	rm -rf "$W/probe.zst" "$W/probe-out"
else
	skip "zstd: not installed, skipped${ZSTD:+ ($ZSTD is not executable)}"
fi
add workers1 "$RUNS" "$OUT/workers1.stdout" 'port0 analyze -q -workers 1 -out TMP FILE' \
	"$PORT0" analyze -q -workers 1 -out "$OUT/workers1" "$PCAP"
if [[ -n $TCPDUMP && -x $TCPDUMP ]]; then
	# The matches go to a file rather than /dev/null so that they can be counted; they are
	# ~0.2 % of the packets, the same write cost as /dev/null within the noise.
	add tcpdump "$RUNS" "$OUT/tcpdump.stdout" "tcpdump -r FILE -w OUT 'tcp port 0 or udp port 0'" \
		"$TCPDUMP" -r "$PCAP" -w "$OUT/tcpdump/match.pcap" 'tcp port 0 or udp port 0'
else
	skip "tcpdump: not installed, skipped${TCPDUMP:+ ($TCPDUMP is not executable)}"
fi
if [[ $TSHARK_RUNS -eq 0 ]]; then
	skip "tshark: TSHARK_RUNS=0, skipped"
elif [[ -n $TSHARK && -x $TSHARK ]]; then
	if ((TSHARK_PACKETS > 0 && TSHARK_PACKETS < PACKETS_IN)); then
		addn "$TSHARK_PACKETS" tshark "$TSHARK_RUNS" "$OUT/tshark.stdout" \
			"tshark -n -r FILE -c $TSHARK_PACKETS -Y 'tcp.port==0 || udp.port==0' -w OUT (first $TSHARK_PACKETS packets only)" \
			"$TSHARK" -n -r "$PCAP" -c "$TSHARK_PACKETS" -Y 'tcp.port==0 || udp.port==0' -w "$OUT/tshark/match.pcapng"
		notes+=("tshark reads only the first $TSHARK_PACKETS packets (TSHARK_PACKETS; 0 = all): its MB/s, packets/s and ratio are per packet, so they compare with the whole-file rows; its MB/s assumes the file's mean packet size")
	else
		add tshark "$TSHARK_RUNS" "$OUT/tshark.stdout" "tshark -n -r FILE -Y 'tcp.port==0 || udp.port==0' -w OUT" \
			"$TSHARK" -n -r "$PCAP" -Y 'tcp.port==0 || udp.port==0' -w "$OUT/tshark/match.pcapng"
	fi
else
	skip "tshark: not installed, skipped${TSHARK:+ ($TSHARK is not executable)}"
fi
add crosscheck "$RUNS" "$OUT/crosscheck.stdout" 'port0 crosscheck FILE (fast AND gopacket decoders on every packet)' \
	"$PORT0" crosscheck "$PCAP"

# ---- warm up: the page cache, and tshark's first start (plugins, caches)
say "compare: warming the page cache ($BYTES + $GZBYTES${ZSTBYTES:+ + $ZSTBYTES} bytes)"
cat "$PCAP" "$GZ" ${ZSTBYTES:+"$ZST"} > /dev/null
if [[ -n $TSHARK && -x $TSHARK ]]; then
	"$TSHARK" -n -r "$PCAP" -c 1000 -Y 'tcp.port==0 || udp.port==0' -w /dev/null > /dev/null 2>&1 || true
fi

failed=()
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
maxruns=$RUNS
if ((TSHARK_RUNS > maxruns)); then maxruns=$TSHARK_RUNS; fi
for ((r = 1; r <= maxruns; r++)); do
	for i in "${!names[@]}"; do
		n=${names[$i]}
		((r <= nruns[i])) || continue
		[[ " ${failed[*]} " == *" $n "* ]] && continue
		rm -rf "${OUT:?}/$n"
		mkdir -p "$OUT/$n"
		say "compare: run $r/${nruns[$i]}: ${labels[$i]}"
		eval "set -- ${cmds[$i]}"
		cut -d' ' -f1 /proc/loadavg >> "$TIMES/load"
		t0=$EPOCHREALTIME
		rc=0
		"$GNU_TIME" -f '%M %U %S' -o "$TIMES/$n.rss" "$@" > "${stdouts[$i]}" 2> "$OUT/$n.stderr" || rc=$?
		t1=$EPOCHREALTIME
		if ((rc != 0)); then
			say "compare: ${labels[$i]}: exit status $rc; its stderr:"
			tail -5 "$OUT/$n.stderr" >&2
			case $n in
			tcpdump | tshark) failed+=("$n"); notes+=("$n: failed (exit status $rc), see $OUT/$n.stderr") ;;
			*) die "${labels[$i]} failed" ;;
			esac
			continue
		fi
		# wall s, peak RSS KiB, user + sys s
		tail -1 "$TIMES/$n.rss" | awk -v a="$t0" -v b="$t1" '{ printf "%.6f %d %.2f\n", b - a, $1, $2 + $3 }' >> "$TIMES/$n.tsv"
	done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report
# median FILE COLUMN
median() { awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$2" '{ print $c }' "$1" | sort -g | awk -v w="$3" 'NR == 1 { lo = $1 } { hi = $1 } END { print (w == "min") ? lo : hi }'; }
declare -A med per
for i in "${!names[@]}"; do
	n=${names[$i]}
	if [[ -s $TIMES/$n.tsv ]]; then
		med[$n]=$(median "$TIMES/$n.tsv" 1)
		per[$n]=$(awk -v t="${med[$n]}" -v p="${npk[$i]}" 'BEGIN { printf "%.9g", t / p }') # s a packet
	fi
done

# json_get FILE PATH: a number from the indented JSON port0 writes (one key a line), e.g.
# json_get summary.json total.port0.total
json_get() {
	[[ -f $1 ]] || { echo '?'; return; }
	awk -v want="$2" '
		function path(k,  i, p) { p = ""; for (i = 1; i <= d; i++) if (st[i] != "") p = p st[i] "."; return p k }
		{
			line = $0; sub(/^[ \t]+/, "", line)
			key = ""
			if (match(line, /^"[^"]*":/)) { key = substr(line, 2, RLENGTH - 3); line = substr(line, RLENGTH + 1); sub(/^[ \t]+/, "", line) }
			if (line ~ /^[{[]$/) { st[++d] = key; next }
			if (line ~ /^[}\]]/) { d--; next }
			if (key != "" && path(key) == want) { v = line; sub(/,$/, "", v); print v; found = 1; exit }
		}
		END { if (!found) print "?" }' "$1"
}

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
built="built from this working tree"
[[ -z $PORT0_GIVEN ]] || built="given by PORT0, not built here: say which commit it is"
# uncommitted changes, by top-level folder or file
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | awk '{ p = $NF; sub(/\/.*/, "/", p); if (!s[p]++) printf "%s ", p }' || true)
report=$W/report.md
{
	echo "## port0 compare, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "- commit: $commit${dirty:+ (uncommitted changes in the working tree under: ${dirty% })}; port0 binary: $PORT0 ($built)"
	echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores (nproc), $("$GO" version 2>/dev/null | sed 's/^go version //' || echo 'go: ?')"
	echo "- load average (1, 5, 15 min): $load_before before, $load_after after; 1-min load before each run: $(sort -g "$TIMES/load" | awk 'NR == 1 { lo = $1 } { hi = $1; s += $1 } END { printf "%s–%s, mean %.2f", lo, hi, s / NR }')"
	echo "- capture: $PCAP — paper, seed $SEED, scale $SCALE, one Ethernet µs pcap, $PACKETS_IN packets, $BYTES bytes ($(awk -v b="$BYTES" 'BEGIN { printf "%.0f", b / 1e6 }') MB), sha256 ${SHA:0:16}…"
	echo "- gzip copy: $GZ, gzip -$GZIP_LEVEL, $GZBYTES bytes ($(awk -v b="$GZBYTES" -v p="$BYTES" 'BEGIN { printf "%.0f MB, %.1f %%", b / 1e6, 100 * b / p }'))"
	if [[ -n $ZSTBYTES ]]; then
		echo "- zstd copy: $ZST, zstd -$ZSTD_LEVEL, $ZSTBYTES bytes ($(awk -v b="$ZSTBYTES" -v p="$BYTES" 'BEGIN { printf "%.0f MB, %.1f %%", b / 1e6, 100 * b / p }'))"
	fi
	echo "- work folder: $W ($(df -PT "$W" | awk 'NR == 2 { print $2 }')); page cache warm; runs round-robin; times are wall clock, CPU is user + sys, RSS is GNU time's maximum resident set size"
	echo "- medians of the runs; MB/s and packets/s are of the uncompressed pcap, also for the gzip and zstd rows"
	echo
	echo "| command | runs | median s | min–max s | CPU s | MB/s | M packets/s | peak RSS MiB |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	for i in "${!names[@]}"; do
		n=${names[$i]}
		if [[ -z ${med[$n]:-} ]]; then
			echo "| ${labels[$i]} | 0 | failed | | | | | |"
			continue
		fi
		awk -v l="${labels[$i]}" -v k="$(wc -l < "$TIMES/$n.tsv")" -v m="${med[$n]}" \
			-v lo="$(col "$TIMES/$n.tsv" 1 min)" -v hi="$(col "$TIMES/$n.tsv" 1 max)" \
			-v rss="$(median "$TIMES/$n.tsv" 2)" -v cpu="$(median "$TIMES/$n.tsv" 3)" -v b="$BYTES" -v p="${npk[$i]}" -v all="$PACKETS_IN" \
			'BEGIN { gsub(/\|/, "\\|", l); printf "| %s | %d | %.3f | %.3f–%.3f | %.2f | %.0f | %.2f | %.0f |\n", l, k, m, lo, hi, cpu, b * p / all / 1e6 / m, p / 1e6 / m, rss / 1024 }'
	done
	for note in "${notes[@]}"; do echo "- $note"; done
	echo
	echo "| ratio (of median times per packet) | value | goal | met |"
	echo "|---|---:|---|---|"
	ratio() { # ratio LABEL NUM DEN GOAL-OP GOAL-VALUE
		local a=${per[$2]:-} b=${per[$3]:-}
		if [[ -z $a || -z $b ]]; then
			echo "| $1 | — | ${4:+$4 $5×} | skipped ($([[ -z $a ]] && echo "$2" || echo "$3") not measured) |"
			return
		fi
		awk -v l="$1" -v a="$a" -v b="$b" -v op="$4" -v g="$5" 'BEGIN {
			r = a / b
			met = (op == "") ? "(no goal)" : (op == "≥" ? (r >= g ? "**yes**" : "no") : (r <= g ? "**yes**" : "no"))
			printf "| %s | %.2f× | %s | %s |\n", l, r, (op == "" ? "" : op " " g "×"), met
		}'
	}
	ratio 'tcpdump / analyze: analyze is N× faster than tcpdump' tcpdump analyze '≥' 5
	ratio 'analyze / cat: analyze takes N× the time of cat' analyze cat '≤' 2.5
	ratio 'analyze FILE.gz / zcat: N× the time of zcat' analyze-gz zcat '≤' 1
	ratio 'analyze FILE.zst / zstd -dc' analyze-zst zstdcat '' ''
	ratio "analyze -workers 1 / analyze (all $(nproc) cores): the speed-up of more workers" workers1 analyze '' ''
	ratio 'count-only / cat' count-only cat '' ''
	ratio 'tshark / analyze' tshark analyze '' ''
	ratio 'crosscheck (both decoders) / analyze' crosscheck analyze '' ''
	echo
	echo "With more than one worker, one pcap file of 16 MiB or more (and gzip or zstd input) is cut into chunks of whole records that every worker decodes; -workers 1 decodes on one core."
	echo "crosscheck has no reference-only mode: it decodes every packet with the fast decoder AND gopacket and compares them, so its time is an upper bound for gopacket alone."
	echo
	echo "Port-0 packets each tool found:"
	echo
	S=$OUT/analyze/summary.json
	echo "- port0 analyze: $(json_get "$S" total.port0.total) packets with TCP/UDP port 0 in their own header (total.port0.total), $(json_get "$S" total.icmp_quoting_port0) ICMP errors quoting one, $(json_get "$S" port0.port0_related_packets) port-0-related packets in the study (port0.port0_related_packets), of $(json_get "$S" total.packets) packets"
	S=$OUT/analyze-gz/summary.json
	echo "- port0 analyze FILE.gz: $(json_get "$S" total.port0.total) port-0 packets of $(json_get "$S" total.packets)"
	S=$OUT/analyze-zst/summary.json
	if [[ -f $S ]]; then
		echo "- port0 analyze FILE.zst: $(json_get "$S" total.port0.total) port-0 packets of $(json_get "$S" total.packets)"
	fi
	for t in tcpdump tshark; do
		f=$OUT/$t/match.pcap
		[[ $t == tshark ]] && f=$OUT/$t/match.pcapng
		if [[ -f $f ]]; then
			c=$OUT/count-$t
			"$PORT0" analyze -q ${COUNT_ONLY:+"$COUNT_ONLY"} -out "$c" "$f" 2>/dev/null || true
			of=
			[[ $t == tshark ]] && ((TSHARK_PACKETS > 0 && TSHARK_PACKETS < PACKETS_IN)) && of=" (of the first $TSHARK_PACKETS packets only)"
			echo "- $t: $(json_get "$c/summary.json" total.packets) packets written$of (counted by port0 analyze); port0 sees $(json_get "$c/summary.json" total.port0.total) of them with port 0 in their own header and $(json_get "$c/summary.json" total.icmp_quoting_port0) ICMP errors quoting port 0"
		else
			echo "- $t: not run"
		fi
	done
	if [[ -s $OUT/crosscheck.stdout ]]; then
		echo "- $(tail -1 "$OUT/crosscheck.stdout")"
	fi
} | tee "$report"
say "compare: report in $report, timings in $TIMES, outputs in $OUT"
