#!/usr/bin/env bash
# flows-bench.sh — the speed of port0's flow inputs beside nfdump's: the
# section "Flows" of BENCHMARKS.md.
#
#   bash scripts/flows-bench.sh [DIR]   # inputs and results in DIR (default /tmp/flows-bench)
#
# Needs the Debian 12 packages nfdump (nfpcapd, nfdump 1.7.1), softflowd,
# tcpdump and wireshark-common (capinfos), jq, and go; run as root
# (tcpdump records on lo). Nothing is installed here.
#
# Inputs, made here and never committed (about 7 GB in DIR):
#   big:   port0 gen -scenario paper -seed 7 -scale $BIG_SCALE (1e-4) -shard single
#          → nfpcapd -t 200000000 into nfcapd files: none, LZO (-z), LZ4 (-y)
#   small: the same at -scale $SMALL_SCALE (1e-5)
#          → nfpcapd BZ2 (-j), and softflowd -v 5, 9, 10 (IPFIX) exporting to a
#            UDP port of 127.0.0.1, recorded by tcpdump on lo
# Then $RUNS (5) rounds, each timing every input in turn (A B C … A B C …):
#   port0 analyze -q -out OUT FILE           (nfcapd files; the whole study)
#   port0 analyze -q -flows -out OUT FILE    (captures of datagrams)
#   the decoder alone: go test -bench BenchmarkFile (flows/nfcapd,
#     $NFCAPD_BENCH_FILE) or BenchmarkCaptureFile/decode (flows/exporter,
#     $FLOWS_BENCH_FILE), -benchtime 1x: the file is read into memory first
#   nfdump -r FILE -o null                   (nfcapd files)
# One untimed run of each first (the files then sit in the page cache).
# Medians and ratios go to DIR/results.md; every time to DIR/times.tsv.
# Every background process is started here and stopped by its PID.
set -euo pipefail
export TZ=UTC LC_ALL=C

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-/tmp/flows-bench}
runs=${RUNS:-5}
big_scale=${BIG_SCALE:-1e-4}
small_scale=${SMALL_SCALE:-1e-5}
say() { echo "flows-bench: $*" >&2; }
die() {
	say "$*"
	exit 1
}
case $dir in -h | --help)
	sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
for t in nfpcapd nfdump softflowd tcpdump capinfos jq "${GO:-go}"; do
	command -v "$t" > /dev/null || die "$t not found (apt-get install nfdump softflowd tcpdump wireshark-common jq)"
done
[ "$(id -u)" = 0 ] || die "run as root: tcpdump records on lo"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2> /dev/null || true; done
}
trap cleanup EXIT
forget() {
	local p keep=()
	for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	pids=("${keep[@]}")
}

# freeport: a UDP port on 127.0.0.1 that nothing has bound.
freeport() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		grep -q "$(printf ':%04X ' "$p")" /proc/net/udp /proc/net/udp6 2> /dev/null || {
			echo "$p"
			return
		}
	done
	die "no free UDP port found"
}

# ---- inputs ------------------------------------------------------------
say "building bin/port0 and the benchmark binaries"
make -C "$root" -s build > /dev/null
bin=$root/bin/port0
(cd "$root" && "${GO:-go}" test -c -o "$dir/nfcapd.test" ./flows/nfcapd &&
	"${GO:-go}" test -c -o "$dir/exporter.test" ./flows/exporter)

datagrams() { capinfos -c -M "$1" | awk '/Number of packets/ {print $NF}'; }

# gen NAME SCALE: the paper scenario's capture in DIR/NAME/telescope.pcap.
gen() {
	[ -s "$dir/$1/telescope.pcap" ] && [ "$(cat "$dir/$1/scale" 2> /dev/null)" = "$2" ] && return
	say "$1: port0 gen -scenario paper -seed 7 -scale $2 -shard single"
	rm -rf "${dir:?}/$1"
	"$bin" gen -q -scenario paper -seed 7 -scale "$2" -shard single -out "$dir/$1"
	echo "$2" > "$dir/$1/scale"
}

# nfpcapd_to NAME CAPTURE OPTION...: DIR/NAME.nfcapd, nfpcapd's one file
# of the whole capture (-t 200000000: it rotates by packet time).
nfpcapd_to() {
	local name=$1 pcap=$2
	shift 2
	[ -s "$dir/$name.nfcapd" ] && [ "$dir/$name.nfcapd" -nt "$pcap" ] && return
	say "$name: nfpcapd -r CAPTURE -w DIR -t 200000000 $*"
	rm -rf "${dir:?}/$name.d"
	mkdir -p "$dir/$name.d"
	nfpcapd -r "$pcap" -w "$dir/$name.d" -t 200000000 "$@" > "$dir/$name.log" 2>&1 || die "nfpcapd failed: $(cat "$dir/$name.log")"
	local f
	f=$(find "$dir/$name.d" -name 'nfcapd.[0-9]*' | head -1)
	[ -n "$f" ] || die "nfpcapd wrote no file: $(cat "$dir/$name.log")"
	mv "$f" "$dir/$name.nfcapd"
	rm -rf "${dir:?}/$name.d"
}

# softflowd_to NAME CAPTURE VERSION [OPTION...]: softflowd exports CAPTURE's
# flows to 127.0.0.1:PORT, tcpdump records them into DIR/NAME.pcap; both
# checked: tcpdump dropped nothing, and recorded as many datagrams as
# softflowd says it sent. -a -m 16 as in scripts/flows.sh.
softflowd_to() {
	local name=$1 pcap=$2 v=$3 port i td sp sent
	shift 3
	[ -s "$dir/$name.pcap" ] && [ "$dir/$name.pcap" -nt "$pcap" ] && return
	say "$name: softflowd -r CAPTURE -d -n 127.0.0.1:PORT -v $v -a -m 16 $*"
	port=$(freeport)
	tcpdump -i lo -n -U -B 262144 -s 0 -w "$dir/$name.pcap.tmp" "udp and dst host 127.0.0.1 and dst port $port" > "$dir/$name.tcpdump.log" 2>&1 &
	td=$!
	pids+=("$td")
	for i in $(seq 1 100); do
		grep -q "listening on" "$dir/$name.tcpdump.log" && break
		kill -0 "$td" 2> /dev/null || die "tcpdump failed: $(cat "$dir/$name.tcpdump.log")"
		sleep 0.05
	done
	[ "$i" -lt 100 ] || die "tcpdump not ready after 5 s"
	timeout 600 softflowd -r "$pcap" -d -n "127.0.0.1:$port" -v "$v" -a -m 16 "$@" > "$dir/$name.softflowd.log" 2>&1 &
	sp=$!
	pids+=("$sp")
	wait "$sp" || die "softflowd failed: $(cat "$dir/$name.softflowd.log")"
	forget "$sp"
	sleep 1
	kill -INT "$td"
	wait "$td" || true
	forget "$td"
	grep -q "^0 packets dropped by kernel" "$dir/$name.tcpdump.log" || die "tcpdump dropped packets: $(cat "$dir/$name.tcpdump.log")"
	sent=$(sed -n 's/^Flows exported: .* in \([0-9]*\) packets.*/\1/p' "$dir/$name.softflowd.log")
	[ "$(datagrams "$dir/$name.pcap.tmp")" = "$sent" ] || die "$name: recorded $(datagrams "$dir/$name.pcap.tmp") datagrams, softflowd sent $sent"
	mv "$dir/$name.pcap.tmp" "$dir/$name.pcap"
}

gen big "$big_scale"
gen small "$small_scale"
nfpcapd_to big-none "$dir/big/telescope.pcap"
nfpcapd_to big-lzo "$dir/big/telescope.pcap" -z
nfpcapd_to big-lz4 "$dir/big/telescope.pcap" -y
# nfpcapd 1.7.1's -j takes an argument (its help says none) and ignores it.
nfpcapd_to small-bz2 "$dir/small/telescope.pcap" -j bz2
softflowd_to small-v5 "$dir/small/telescope.pcap" 5
softflowd_to small-v9 "$dir/small/telescope.pcap" 9
softflowd_to small-ipfix "$dir/small/telescope.pcap" 10

inputs="big-none.nfcapd big-lzo.nfcapd big-lz4.nfcapd small-bz2.nfcapd small-v5.pcap small-v9.pcap small-ipfix.pcap"

# ---- timing ------------------------------------------------------------
# now: nanoseconds.
now() { date +%s%N; }
times=$dir/times.tsv
# one ROUND INPUT: time each tool on INPUT once; ROUND 0 is not kept.
one() {
	local round=$1 in=$2 f=$dir/$2 t0 t1 out=$dir/out flag=() rps
	case $in in *.pcap) flag=(-flows) ;; esac
	rm -rf "$out"
	t0=$(now)
	"$bin" analyze -q "${flag[@]}" -out "$out" "$f"
	t1=$(now)
	if [ "$round" = 0 ]; then
		jq -r '.flows.flows' "$out/summary.json" > "$dir/$in.records"
	else
		printf '%s\tanalyze\t%s\n' "$in" "$((t1 - t0))" >> "$times"
	fi
	case $in in
	*.nfcapd)
		rps=$(NFCAPD_BENCH_FILE=$f "$dir/nfcapd.test" -test.run '^$' -test.bench '^BenchmarkFile$' -test.benchtime 1x |
			awk '/^BenchmarkFile/ {for (i = 1; i < NF; i++) if ($(i + 1) == "records/s") print $i}')
		;;
	*)
		rps=$(FLOWS_BENCH_FILE=$f "$dir/exporter.test" -test.run '^$' -test.bench '^BenchmarkCaptureFile$/^decode$' -test.benchtime 1x |
			awk '/^BenchmarkCaptureFile/ {for (i = 1; i < NF; i++) if ($(i + 1) == "records/s") print $i}')
		;;
	esac
	[ -n "$rps" ] || die "$in: the Go benchmark printed no records/s"
	[ "$round" = 0 ] || printf '%s\tdecoder\t%s\n' "$in" "$rps" >> "$times"
	case $in in *.nfcapd)
		t0=$(now)
		nfdump -r "$f" -o null > "$dir/nfdump.out"
		t1=$(now)
		if [ "$round" = 0 ]; then
			sed -n 's/^Total flows processed: \([0-9]*\),.*/\1/p' "$dir/nfdump.out" > "$dir/$in.nfdump-records"
		else
			printf '%s\tnfdump\t%s\n' "$in" "$((t1 - t0))" >> "$times"
		fi
		;;
	esac
	return 0
}

: > "$times"
for round in $(seq 0 "$runs"); do
	say "round $round of $runs (load: $(cut -d' ' -f1-3 /proc/loadavg))"
	for in in $inputs; do one "$round" "$in"; done
done

# ---- results -----------------------------------------------------------
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
med() { awk -F'\t' -v i="$1" -v k="$2" '$1 == i && $2 == k {print $3}' "$times" | median; }
{
	echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores, $("${GO:-go}" version | cut -d' ' -f3-), $(nfdump -V); $dir on $(df -T "$dir" | awk 'NR == 2 {print $2}'); $(date -u +%F)"
	echo "medians of $runs rounds (each round times every input in turn; one untimed round first)"
	echo
	echo "| input | bytes | records | port0 analyze: records/s (wall) | port0 decoder alone: records/s | nfdump -r FILE -o null: records/s (wall) | analyze / nfdump | decoder / nfdump |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	for in in $inputs; do
		n=$(cat "$dir/$in.records")
		a=$(med "$in" analyze)
		d=$(med "$in" decoder)
		row=$(awk -v n="$n" -v a="$a" -v d="$d" 'BEGIN {printf "%.2f M (%.2f s) | %.2f M", n / a * 1e3, a / 1e9, d / 1e6}')
		case $in in
		*.nfcapd)
			[ "$(cat "$dir/$in.nfdump-records")" = "$n" ] || say "$in: nfdump read $(cat "$dir/$in.nfdump-records") records, port0 $n"
			x=$(med "$in" nfdump)
			row="$row | $(awk -v n="$n" -v a="$a" -v d="$d" -v x="$x" 'BEGIN {printf "%.2f M (%.2f s) | %.2f | %.2f", n / x * 1e3, x / 1e9, x / a, d / (n / x * 1e9)}')"
			;;
		*) row="$row | — | — | —" ;;
		esac
		echo "| $in | $(stat -c %s "$dir/$in") | $n | $row |"
	done
} | tee "$dir/results.md"
