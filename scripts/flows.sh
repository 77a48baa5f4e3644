#!/usr/bin/env bash
# flows.sh — real flow exporters turn two small generated captures into
# flows: the fixtures of testdata/flows/ (see testdata/flows/README.md).
#
#   bash scripts/flows.sh OUTDIR     # fresh outputs into OUTDIR (made if missing)
#   bash scripts/flows.sh --update   # rewrite testdata/flows/ (README.md kept)
#   bash scripts/flows.sh --redump   # only tshark's .csv.gz of the committed captures, again
#
# Captures: `port0 gen -scenario paper -seed 7` and `-scenario wild -seed 17`
# at -scale $FLOWS_SCALE (default 3e-7), -shard single, regenerated here and
# never committed, then cut by tcpdump to the packets whose flows can show a
# port 0 (the filter $keep below: TCP or UDP with a port 0, IPv4 non-first
# fragments, every other protocol, IPv6 fragments included): the port-0
# sources and every artifact stay, the bulk of ordinary flows goes. Exporters (Debian 12 packages): softflowd 1.1.0 (NetFlow
# v5, v9, IPFIX), nfdump 1.7.1 (nfpcapd; nfcapd as collector), pmacct 1.7.7
# (pmacctd with the nfprobe and sfprobe plugins). Datagrams go to 127.0.0.1
# only, to UDP ports picked free here, recorded by tcpdump on lo; each
# recording is dumped by tshark (NetFlow/IPFIX, sFlow) and each nfcapd file
# by nfdump into FILE.csv.gz. Run as root: missing packages are installed with
# apt-get. Every background process is started here and stopped by its PID.
set -euo pipefail
export TZ=UTC LC_ALL=C

scale=${FLOWS_SCALE:-3e-7}
keep='not (tcp or udp) or tcp port 0 or udp port 0 or (ip and ip[6:2] & 0x1fff != 0)'
root=$(cd "$(dirname "$0")/.." && pwd)
redump=
case ${1:-} in
--update) out=$root/testdata/flows ;;
--redump) # tshark's readings of the committed datagram captures made again (the exporters not rerun)
	out=$root/testdata/flows
	redump=1
	;;
"" | -h | --help)
	sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
*)
	mkdir -p "$1"
	out=$(cd "$1" && pwd)
	;;
esac
say() { echo "flows: $*" >&2; }
# shellcheck source=scripts/nfdump-lib.sh
. "$root/scripts/nfdump-lib.sh"
die() {
	say "$*"
	exit 1
}
start=$(date +%s)

# ---- tools -------------------------------------------------------------
# command:package
need="nfpcapd:nfdump nfcapd:nfdump nfdump:nfdump softflowd:softflowd
pmacctd:pmacct tcpdump:tcpdump tshark:tshark capinfos:tshark jq:jq"
missing=
for t in $need; do
	command -v "${t%%:*}" > /dev/null || missing="$missing ${t#*:}"
done
if [ -n "$missing" ]; then
	missing=$(echo "$missing" | tr ' ' '\n' | sort -u | tr '\n' ' ')
	[ "$(id -u)" = 0 ] || die "missing packages:$missing (run as root, or apt-get install -y$missing)"
	say "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# wireshark-common asks whether non-root users may capture: no.
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing > /dev/null
	for t in $need; do
		command -v "${t%%:*}" > /dev/null || die "${t%%:*} still missing after apt-get install ${t#*:}"
	done
fi
command -v "${GO:-go}" > /dev/null || die "go not found: needed to build bin/port0"

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2> /dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
# forget PID: it has been stopped and waited for.
forget() {
	local p keep=()
	for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	pids=("${keep[@]}")
}

# freeport: a UDP port on 127.0.0.1 that nothing has bound (nor our last picks).
used=" "
freeport() {
	local p i hex
	for i in $(seq 1 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		hex=$(printf ':%04X ' "$p")
		case $used in *" $p "*) continue ;; esac
		if ! grep -q "$hex" /proc/net/udp /proc/net/udp6 2> /dev/null; then
			used="$used$p "
			echo "$p"
			return
		fi
	done
	die "no free UDP port found"
}

# ---- recording: tcpdump on lo, nfcapd as collector ---------------------
td_pid=
# record_start FILE PORT: tcpdump writes the datagrams to 127.0.0.1:PORT to FILE.
record_start() {
	local i
	tcpdump -i lo -n -U -Z root -s 0 -w "$1" "udp and dst host 127.0.0.1 and dst port $2" > "$1.log" 2>&1 &
	td_pid=$!
	pids+=("$td_pid")
	for i in $(seq 1 100); do
		grep -q "listening on" "$1.log" 2> /dev/null && return
		kill -0 "$td_pid" 2> /dev/null || die "tcpdump failed: $(cat "$1.log")"
		sleep 0.05
	done
	die "tcpdump not ready after 5 s: $(cat "$1.log")"
}
# record_stop FILE: let the last datagrams arrive, stop tcpdump, check it dropped none.
record_stop() {
	sleep 1
	kill -INT "$td_pid"
	wait "$td_pid" || true
	forget "$td_pid"
	grep -q "^0 packets dropped by kernel" "$1.log" || die "tcpdump dropped packets: $(cat "$1.log")"
}
nf_pid=
# collect_start DIR PORT: nfcapd collects 127.0.0.1:PORT into DIR (one file: -t 1 day).
collect_start() {
	mkdir -p "$1"
	nfcapd -w "$1" -b 127.0.0.1 -p "$2" -t 86400 $nfz > "$1.log" 2>&1 &
	nf_pid=$!
	pids+=("$nf_pid")
	# Wait for its receive loop: the datagrams of a fast exporter that
	# arrive before it would overflow the socket's buffer.
	local i
	for i in $(seq 1 100); do
		grep -q "^Startup nfcapd" "$1.log" 2> /dev/null && grep -q "$(printf ':%04X ' "$2")" /proc/net/udp && break
		kill -0 "$nf_pid" 2> /dev/null || die "nfcapd failed: $(cat "$1.log")"
		sleep 0.05
	done
	[ "$i" -lt 100 ] || die "nfcapd not listening after 5 s: $(cat "$1.log")"
	sleep 0.5
}
collect_stop() {
	kill -TERM "$nf_pid"
	wait "$nf_pid" || true
	forget "$nf_pid"
}
# one DIR: the single nfcapd file in DIR that holds flows.
one() { nfdump_one "$1" || die "rerun"; }

# ---- dumps -------------------------------------------------------------
# nfcapd files: nfdump's own reading (the fields of testdata/nfcapd/).
dump_nfcapd() { nfdump_csv "$1" | gzip -n -9 > "${1%.nfcapd}.csv.gz"; }

# tshark's JSON, all frames. ip.defragment off: each datagram (and each
# packet header that sFlow samples) is dissected alone.
tsjson() { # PCAP DECODE-AS
	tshark -r "$1" -n -d "$2" -o ip.defragment:FALSE -o tcp.analyze_sequence_numbers:FALSE \
		-o udp.try_heuristic_first:FALSE -T json 2> /dev/null
}

# table(KEEP): rows (objects) as CSV lines: the KEEP columns present, then
# the others sorted; a column other than KEEP's that holds one value in
# every row is left out and printed first as a line "#name=value".
# shellcheck disable=SC2016
jq_table='
def table($keep):
  . as $rows
  | ($rows | map(keys_unsorted) | add // [] | unique) as $all
  | (($keep | map(select(. as $k | $all | index($k)))) + (($all - $keep) | sort)) as $cols0
  | ($cols0 | map(. as $c | select(($keep | index($c)) or ([$rows[] | .[$c] // ""] | unique | length) > 1))) as $cols
  | (($cols0 - $cols)[] | "#\(.)=\($rows[0][.] // "")"),
    ($cols | join(",")),
    ($rows[] | [$cols[] as $c | .[$c] // ""] | join(","));
'

# NetFlow v5/v9/IPFIX: one row per data record, with its datagram's header.
# Columns are the fields tshark shows (its field names less "cflow."), TCP
# flag bits and tshark's own analysis left out; absolute times become
# seconds since 1970 with tshark's nine fraction digits, uptimes stay the
# seconds tshark shows.
# shellcheck disable=SC2016
jq_cflow='
def mon: {"Jan":"01","Feb":"02","Mar":"03","Apr":"04","May":"05","Jun":"06",
          "Jul":"07","Aug":"08","Sep":"09","Oct":"10","Nov":"11","Dec":"12"};
def epoch: capture("^(?<m>[A-Z][a-z]{2}) +(?<d>[0-9]+), (?<y>[0-9]+) (?<t>[0-9:]+)\\.(?<f>[0-9]+) UTC$")
  | "\((.y + "-" + mon[.m] + "-" + (if (.d|length) == 1 then "0" + .d else .d end) + "T" + .t + "Z") | fromdateiso8601).\(.f)";
def strip: sub("^cflow\\."; "");
def wanted: startswith("cflow.") and (test("^cflow\\.(tcpflags\\.|sequence_analysis|timedelta$|padding$|timestamp$)") | not);
def leaves: [paths(scalars) as $p | {key: ($p[-1]), value: getpath($p)}] | map(select(.key | wanted));
[ .[] | ._source.layers as $l | ($l.frame["frame.number"]) as $n | $l.cflow as $c
  | ({datagram: $n}
     + ([$c | to_entries[] | select(.value | type == "string") | select(.key | wanted)
         | {key: (.key | strip), value}] | from_entries)
     + ([$c["cflow.timestamp_tree"] // {} | to_entries[] | {key: (.key | strip), value}] | from_entries)) as $h
  | $c | .. | objects | select(has("cflow.srcaddr") or has("cflow.srcaddrv6"))
  | $h + (leaves | map(.key |= strip) | from_entries)
  | with_entries(if (.key | startswith("abstime")) then .value |= epoch else . end)
  # tshark 4.0 shows a v9 uptime of 0 as an absolute time of 1970: keep it an uptime.
  | if .version != "10" and .abstimestart == "0.000000000" then del(.abstimestart) | .timestart = "0.000000000" else . end
  | if .version != "10" and .abstimeend == "0.000000000" then del(.abstimeend) | .timeend = "0.000000000" else . end
] | table(["datagram","version","sysuptime","unix_secs","unix_nsecs","exporttime","sequence",
   "srcaddr","dstaddr","srcaddrv6","dstaddrv6","srcport","dstport","protocol","icmp_type_code_ipv4","icmp_type_code_ipv6",
   "tcpflags","tos","packets","octets","timestart","timeend","abstimestart","abstimeend"])
'
# csv PCAP: jq's lines into PCAP.csv.gz, the constant columns into exporters.log.
csv() {
	local f=${1%.pcap}.csv
	cat > "$tmp/csv"
	{ grep -v '^#' "$tmp/csv" || true; } | gzip -n -9 > "$f.gz"
	if grep -q '^#' "$tmp/csv"; then
		echo "  $(basename "$f"): same in every row, left out: $(grep '^#' "$tmp/csv" | cut -c2- | tr '\n' ' ')"
	fi
}
dump_cflow() { # PCAP PORT
	tsjson "$1" "udp.port==$2,cflow" | jq -r "$jq_table $jq_cflow" | csv "$1"
}

# sFlow v5: one row per flow sample, with its datagram's header and the
# sampled packet's IP and TCP/UDP/ICMP header fields as tshark reads them.
# shellcheck disable=SC2016
jq_sflow='
def f($o; $k): ($o[$k] // "");
[ .[] | ._source.layers as $l | ($l.frame["frame.number"]) as $n | $l.sflow as $s
  | $s | to_entries[] | select(.value | type == "object") | .value
  | select(.["sflow_245.sampletype"] == "1" or .["sflow_245.sampletype"] == "3")
  | . as $smp
  | ([$smp | .. | objects | select(has("sflow_245.header_tree"))][0] // {}) as $raw
  | ($raw["sflow_245.header_tree"] // {}) as $h
  | ($h.ip // {}) as $ip | ($h.tcp // {}) as $tcp | ($h.udp // {}) as $udp | ($h.icmp // {}) as $icmp
  | { datagram: $n, dgram_seq: $s["sflow_245.sequence_number"], sysuptime_ms: $s["sflow_245.sysuptime"],
      agent: $s["sflow_245.agent"], sub_agent_id: $s["sflow_245.sub_agent_id"],
      sampletype: $smp["sflow_245.sampletype"],
      sample_seq: f($smp; "sflow.flow_sample.sequence_number"), source_index: f($smp; "sflow.flow_sample.index"),
      sampling_rate: f($smp; "sflow.flow_sample.sampling_rate"), sample_pool: f($smp; "sflow.flow_sample.sample_pool"),
      drops: f($smp; "sflow.flow_sample.dropped_packets"), input_if: f($smp; "sflow.flow_sample.input_interface"),
      output_if: f($smp; "sflow.flow_sample.output_interface"),
      header_protocol: f($raw; "sflow_245.header_protocol"), frame_length: f($raw; "sflow_245.header.frame_length"),
      stripped: f($raw; "sflow_245.header.payload_stripped"), header_length: f($raw; "sflow_245.header.sampled_header_length"),
      src: f($ip; "ip.src"), dst: f($ip; "ip.dst"), proto: f($ip; "ip.proto"), ip_len: f($ip; "ip.len"),
      ip_id: f($ip; "ip.id"), ttl: f($ip; "ip.ttl"), dsfield: f($ip; "ip.dsfield"), ip_flags: f($ip; "ip.flags"),
      frag_offset: f($ip; "ip.frag_offset"),
      sport: (f($tcp; "tcp.srcport") + f($udp; "udp.srcport")), dport: (f($tcp; "tcp.dstport") + f($udp; "udp.dstport")),
      tcp_flags: f($tcp; "tcp.flags"), icmp_type: f($icmp; "icmp.type"), icmp_code: f($icmp; "icmp.code") }
] | table(["datagram","dgram_seq","sysuptime_ms","sample_seq","sampling_rate","sample_pool","drops",
   "frame_length","stripped","header_length","src","dst","proto","ip_len","ip_id","ttl","dsfield","ip_flags","frag_offset",
   "sport","dport","tcp_flags","icmp_type","icmp_code"])
'
dump_sflow() { # PCAP PORT
	tsjson "$1" "udp.port==$2,sflow" | jq -r "$jq_table $jq_sflow" | csv "$1"
	# counter samples (sFlow's interface counters, sent on a wall-clock timer): not rows
	echo "  $(basename "$1"): $(tsjson "$1" "udp.port==$2,sflow" | jq '[.[]._source.layers.sflow | to_entries[] | select(.value | type == "object") | select(.value["sflow_245.sampletype"] == "2" or .value["sflow_245.sampletype"] == "4")] | length') counter samples"
}

datagrams() { capinfos -c -M "$1" | awk '/Number of packets/ {print $NF}'; }
rows() { echo $(($(zcat "$1.gz" | wc -l) - 1)); } # rows NAME.csv: of NAME.csv.gz

# ---- exporters ---------------------------------------------------------
# nfcapd files are LZ4-compressed (-y): a quarter of the size.
nfz=-y
# same A.csv B.csv: say when they hold different numbers of rows. Not a
# failure: tshark decodes at most the FlowSets a v9 header counts, and
# softflowd counts only its data records, so tshark can miss a set that
# nfcapd (and port0) read; the Go tests compare port0's reading with both.
same() {
	[ "$(rows "$dir/$1")" = "$(rows "$dir/$2")" ] ||
		echo "  rows differ: $1 $(rows "$dir/$1"), $2 $(rows "$dir/$2")"
}
# Each run appends what the exporter said and what its files hold to
# DIR/exporters.log ($log); temporary files go to $work.

# softflowd NAME VERSION [OPTIONS]: softflowd reads $pcap and exports to
# 127.0.0.1:PORT; tcpdump records $dir/NAME.pcap, and for v9 nfcapd also
# collects the run into $dir/NAME-collected.nfcapd. -a: softflowd's clock is
# the capture's (packet times), so its export headers and expiry do not
# depend on when it runs. -m 16: with -r softflowd expires no flow by a
# timeout, only when its table exceeds max_flows (oldest first) and at the
# end; a table of 16 exports each flow a few flows after its last packet,
# as an idle timeout would, and keeps v5/v9's 32-bit millisecond uptimes
# from wrapping between a flow's start and its export (49.7 days).
sf_opts="-a -m 16"
softflowd_run() {
	local name=$1 v=$2 port
	shift 2
	port=$(freeport)
	record_start "$work/$name.pcap" "$port"
	[ "$v" = 9 ] && collect_start "$work/$name.col" "$port"
	# No -c: after -r it would bring back the control socket, which softflowd
	# 1.1.0 then accept()s on between reads of the file (its poll() array is
	# not cleared when reading a file) and so waits for softflowctl.
	# shellcheck disable=SC2086
	timeout 120 softflowd -r "$pcap" -d -n "127.0.0.1:$port" -v "$v" $sf_opts "$@" > "$work/$name.log" 2>&1 &
	local sp=$!
	pids+=("$sp")
	wait "$sp" || die "softflowd failed: $(cat "$work/$name.log")"
	forget "$sp"
	record_stop "$work/$name.pcap"
	{
		echo
		echo "== $name: softflowd -r CAPTURE -d -n 127.0.0.1:PORT -v $v $sf_opts $*"
		sed -n '/^Number of active flows/,$p' "$work/$name.log" | grep -v '^$' | sed 's/^/  /'
		cp "$work/$name.pcap" "$dir/$name.pcap"
		dump_cflow "$dir/$name.pcap" "$port"
		if [ "$v" = 9 ]; then
			collect_stop
			cp "$(one "$work/$name.col")" "$dir/$name-collected.nfcapd"
			dump_nfcapd "$dir/$name-collected.nfcapd"
			echo "  $name-collected.nfcapd: nfcapd -w DIR -b 127.0.0.1 -p PORT -t 86400 $nfz, in the same run"
			same "$name-collected.csv" "$name.csv"
		fi
	} >> "$log"
}

# nfpcapd: nfdump's own pcap-to-flow code; -t 200000000: one file for the
# whole 2-3 year capture (it rotates files by packet time).
nfpcapd_run() {
	mkdir -p "$work/np"
	nfpcapd -r "$pcap" -w "$work/np" -t 200000000 $nfz > "$work/np.log" 2>&1 || die "nfpcapd failed: $(cat "$work/np.log")"
	{
		echo
		echo "== nfpcapd: nfpcapd -r CAPTURE -w DIR -t 200000000 $nfz"
		grep -E '^Total: Processed' "$work/np.log" | sed 's/^/  /'
		cp "$(one "$work/np")" "$dir/nfpcapd.nfcapd"
		dump_nfcapd "$dir/nfpcapd.nfcapd"
	} >> "$log"
}

# pmacct NAME KIND CONFIG-LINES...: pmacctd reads $pcap with one plugin
# (nfprobe or sfprobe) exporting to 127.0.0.1:PORT; for nfprobe, nfcapd
# collects the run too (not kept: a check of the record count).
pmacct_run() {
	local name=$1 kind=$2 port
	shift 2
	port=$(freeport)
	{
		echo "daemonize: false"
		echo "pcap_savefile: $pcap"
		echo "plugins: $kind"
		echo "${kind}_receiver: 127.0.0.1:$port"
		printf '%s\n' "$@"
	} > "$work/$name.conf"
	record_start "$work/$name.pcap" "$port"
	[ "$kind" = nfprobe ] && collect_start "$work/$name.col" "$port"
	timeout 120 pmacctd -f "$work/$name.conf" > "$work/$name.log" 2>&1 &
	local pp=$!
	pids+=("$pp")
	wait "$pp" || die "pmacctd failed: $(cat "$work/$name.log")"
	forget "$pp"
	record_stop "$work/$name.pcap"
	[ "$kind" = nfprobe ] && collect_stop
	{
		echo
		echo "== $name: pmacctd -f CONFIG; CONFIG: daemonize: false, pcap_savefile: CAPTURE, plugins: $kind," \
			"${kind}_receiver: 127.0.0.1:PORT, $(printf '%s, ' "$@" | sed 's/, $//')"
		grep -E 'WARN|ERROR' "$work/$name.log" | grep -v 'Shutting down on user request' | sed 's/^/  /' || true
		cp "$work/$name.pcap" "$dir/$name.pcap"
		if [ "$kind" = nfprobe ]; then
			dump_cflow "$dir/$name.pcap" "$port"
			# pmacctd sends as fast as it reads the file: nfcapd may lose
			# datagrams that tcpdump kept (recorded, not a failure).
			echo "  nfcapd collecting the same run: $(nfdump -q -r "$(one "$work/$name.col")" -o 'fmt:%pr' | wc -l) of $(rows "$dir/$name.csv") flows"
		else
			dump_sflow "$dir/$name.pcap" "$port"
		fi
	} >> "$log"
}

# ---- redump: the .csv.gz of each committed datagram capture, from its bytes
if [ -n "$redump" ]; then
	for f in "$out"/*/*.pcap; do
		port=$(tshark -r "$f" -T fields -e udp.dstport -c 1)
		case $(basename "$f") in
		*sfprobe*) dump_sflow "$f" "$port" > /dev/null ;;
		*) dump_cflow "$f" "$port" > /dev/null ;;
		esac
		say "$(basename "$(dirname "$f")")/$(basename "$f"): $(rows "${f%.pcap}.csv") rows"
	done
	exit 0
fi

# ---- run ---------------------------------------------------------------
say "building bin/port0"
make -C "$root" -s build > /dev/null
bin=$root/bin/port0
mkdir -p "$out"
rm -rf "${out:?}"/paper7 "${out:?}"/wild17 "$out/VERSIONS"
{
	softflowd -h 2>&1 | sed -n 's/.*\(softflowd version [0-9.]*[0-9]\).*/\1/p'
	nfdump -V
	nfpcapd -V 2>&1 | head -1
	pmacctd -V 2>&1 | head -1
	tcpdump --version 2>&1 | head -2
	tshark -v 2>&1 | head -1
	jq --version
} > "$out/VERSIONS"

for sc in paper:7:paper7 wild:17:wild17; do
	IFS=: read -r scenario seed name <<< "$sc"
	dir=$out/$name
	work=$tmp/$name
	log=$dir/exporters.log
	mkdir -p "$dir" "$work"
	"$bin" gen -q -scenario "$scenario" -seed "$seed" -scale "$scale" -shard single -out "$work/gen"
	full=$work/gen/telescope.pcap
	pcap=$work/telescope.pcap
	tcpdump -r "$full" -w "$pcap" "$keep" 2> /dev/null
	say "$name: $(datagrams "$pcap") of $(datagrams "$full") packets from port0 gen -scenario $scenario -seed $seed -scale $scale -shard single"
	{
		echo "capture: port0 gen -scenario $scenario -seed $seed -scale $scale -shard single -out DIR"
		echo "  DIR/telescope.pcap: $(datagrams "$full") packets, $(stat -c %s "$full") bytes, sha256 $(sha256sum < "$full" | cut -c1-64)"
		echo "CAPTURE: tcpdump -r DIR/telescope.pcap -w CAPTURE '$keep'"
		echo "  CAPTURE: $(datagrams "$pcap") packets, $(stat -c %s "$pcap") bytes, sha256 $(sha256sum < "$pcap" | cut -c1-64)"
	} > "$log"

	softflowd_run softflowd-v5 5
	softflowd_run softflowd-v9 9
	# IPFIX with absolute microsecond times (-A micro: flowStart/EndMicroseconds).
	softflowd_run softflowd-ipfix 10 -A micro
	nfpcapd_run
	pmacct_run pmacct-nfprobe-v9 nfprobe "nfprobe_version: 9"
	pmacct_run pmacct-sfprobe sfprobe "sampling_rate: 1"
	pmacct_run pmacct-sfprobe-s10 sfprobe "sampling_rate: 10"

	{
		echo
		echo "files (datagrams: UDP datagrams recorded; rows: lines of the .csv less its header):"
		for f in "$dir"/*.pcap; do
			echo "  $(basename "$f"): $(stat -c %s "$f") bytes, $(datagrams "$f") datagrams, $(rows "${f%.pcap}.csv") rows"
		done
		for f in "$dir"/*.nfcapd; do
			echo "  $(basename "$f"): $(stat -c %s "$f") bytes, $(rows "${f%.nfcapd}.csv") rows; nfdump: $(nfdump -r "$f" -o 'fmt:%pr' | sed -n 's/^Summary: //p')"
		done
	} >> "$log"
done
say "done in $(($(date +%s) - start)) s: $out ($(du -sk "$out" | cut -f1) KB)"
