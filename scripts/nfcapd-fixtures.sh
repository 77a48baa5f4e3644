#!/usr/bin/env bash
# nfcapd-fixtures.sh — make the nfcapd files of testdata/nfcapd/ with the real
# nfdump tools, and nfdump's own dump of each as the expected values (see
# testdata/nfcapd/README.md). Needs the Debian 12 packages nfdump (1.7.1)
# and softflowd (1.1.0); the collector runs use UDP port 19995 on 127.0.0.1
# only. Run from the repository root:
#
#   bash scripts/nfcapd-fixtures.sh            # rewrite testdata/nfcapd/*.nfcapd and *.csv
#   bash scripts/nfcapd-fixtures.sh bench DIR  # make two larger files in DIR (not committed)
#                                              # and time nfdump reading them
#
# Every nfcapd file holds the time it was written (file header, and each
# flow's "received" time), so a rerun changes bytes but not flows.
set -euo pipefail
export TZ=UTC LC_ALL=C
# shellcheck source=scripts/nfdump-lib.sh
. scripts/nfdump-lib.sh

out=testdata/nfcapd
rt=testdata/realtools/real_tools.pcap
f4=testdata/captures/fragments_v4.pcap
f6=testdata/captures/fragments_v6.pcap
# real_tools.pcap without most of the 335 replies of the victim
# 203.0.113.250 (each to its own spoofed address, so each its own flow):
# the runs of every tool, and the victim's replies to 0.0.0.0/3.
rtfilter='not src host 203.0.113.250 or dst net 0.0.0.0/3'
port=19995

for t in nfpcapd nfcapd nfdump softflowd softflowctl; do
	command -v $t > /dev/null || { echo "nfcapd-fixtures: $t not found (apt-get install nfdump softflowd)" >&2; exit 1; }
done

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# one DIR: the single nfcapd file in DIR that holds flows.
one() { nfdump_one "$1" || exit 1; }

# dump FILE.nfcapd: nfdump's own reading of it, FILE.csv.
dump() {
	local csv=${1%.nfcapd}.csv
	nfdump_csv "$1" > "$csv"
	echo "$1: $(($(wc -l < "$csv") - 1)) flows, $(stat -c %s "$1") bytes; $(nfdump -v "$1" | sed -n 's/^Version *: //p')"
}

# pcapd NAME PCAP [nfpcapd options and filter]: nfpcapd reads PCAP.
pcapd() {
	local name=$1 pcap=$2
	shift 2
	mkdir -p "$tmp/$name"
	nfpcapd -r "$pcap" -w "$tmp/$name" "$@" > "$tmp/$name.log" 2>&1
	cp "$(one "$tmp/$name")" "$out/$name.nfcapd"
	dump "$out/$name.nfcapd"
}

# collect NAME PCAP "NFCAPD OPTIONS" SOFTFLOWD-OPTIONS...: softflowd reads
# PCAP and exports it to nfcapd on loopback. softflowd 1.1.0 reading a
# file sits in poll() until its control socket is spoken to, so the
# loop below asks it for statistics until it has read the file and left.
collect() {
	local name=$1 pcap=$2 nfopts=$3
	shift 3
	local d=$tmp/$name
	mkdir -p "$d"
	# shellcheck disable=SC2086
	nfcapd -w "$d" -b 127.0.0.1 -p $port -t 3600 $nfopts > "$d.nfcapd.log" 2>&1 &
	local np=$!
	pids+=("$np")
	sleep 1
	softflowd -r "$pcap" -n 127.0.0.1:$port -d -p "$d.sf.pid" -c "$d.sf.ctl" "$@" > "$d.sf.log" 2>&1 &
	local sp=$! i
	pids+=("$sp")
	for i in $(seq 1 60); do
		sleep 1
		kill -0 "$sp" 2> /dev/null || break
		softflowctl -c "$d.sf.ctl" statistics > /dev/null 2>&1 || true
	done
	wait "$sp" || { echo "nfcapd-fixtures: softflowd failed, see:" >&2; cat "$d.sf.log" >&2; exit 1; }
	sleep 1
	kill "$np"
	wait "$np" || true
	cp "$(one "$d")" "$out/$name.nfcapd"
	dump "$out/$name.nfcapd"
}

if [ "${1:-}" = bench ]; then
	dir=${2:?usage: nfcapd-fixtures.sh bench DIR}
	mkdir -p "$dir" "$tmp/copies" "$tmp/full"
	nfpcapd -r "$rt" -w "$tmp/full" > /dev/null 2>&1
	full=$(one "$tmp/full")
	# 200 copies of the whole capture's 476 flows, merged by nfdump into one
	# file, uncompressed and LZ4.
	for i in $(seq -w 1 200); do cp "$full" "$tmp/copies/nfcapd.2026120316$i"; done
	nfdump -R "$tmp/copies" -w "$dir/big-none.nfcapd" > /dev/null
	nfdump -r "$dir/big-none.nfcapd" -y -w "$dir/big-lz4.nfcapd" > /dev/null
	for f in "$dir/big-none.nfcapd" "$dir/big-lz4.nfcapd"; do
		n=$(nfdump -q -r "$f" -o 'fmt:%pr' | wc -l)
		echo "$f: $n flows, $(stat -c %s "$f") bytes"
		for run in 1 2 3 4 5; do
			s=$(date +%s.%N)
			nfdump -r "$f" -q -o csv > /dev/null
			e=$(date +%s.%N)
			awk -v s="$s" -v e="$e" -v n="$n" -v f="$(basename "$f")" \
				'BEGIN { printf "  nfdump -r %s -q -o csv > /dev/null: %.3f s, %.0f records/s\n", f, e - s, n / (e - s) }'
		done
	done
	echo "then: NFCAPD_BENCH_FILE=$dir/big-none.nfcapd go test ./flows/nfcapd -run '^\$' -bench BenchmarkFile -benchtime 20x"
	exit 0
fi

mkdir -p "$out"
rm -f "$out"/*.nfcapd "$out"/*.csv
echo "nfpcapd $(nfpcapd -V 2>&1 | sed 's/.*Version: *//'), $(nfdump -V), $(softflowd -h 2>&1 | sed -n 's/.*softflowd version \([0-9]*\.[0-9]*\.[0-9]*\).*/softflowd \1/p')"

# nfpcapd (pcap -> flows in one program), one file per compression.
pcapd realtools-none "$rt" "$rtfilter"
pcapd realtools-lzo "$rt" -z "$rtfilter"
pcapd realtools-lz4 "$rt" -y "$rtfilter"
# nfpcapd 1.7.1 declares -j with an argument (getopt "j:"), which it ignores.
pcapd realtools-bz2 "$rt" -j bz2 "$rtfilter"
pcapd frag4-nfpcapd "$f4"
pcapd frag6-nfpcapd "$f6"

# softflowd (pcap -> NetFlow v9 / IPFIX) into the collector nfcapd: what a
# flow exporter that does not reassemble makes of the same fragments.
collect frag4-softflowd-v9 "$f4" "" -v 9
# IPFIX with IPv6 tracking, and nfcapd's static default sampler 1:10.
collect frag6-softflowd-ipfix "$f6" "-s 10 -z" -v 10 -6
