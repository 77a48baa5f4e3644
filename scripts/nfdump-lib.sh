# nfdump-lib.sh — what scripts/nfcapd-fixtures.sh and scripts/flows.sh both
# need of nfdump; sourced, not run.

# nfdump_fields are the fields the tests compare, as the header of an
# nfdump reading; nfdump_fmt asks nfdump for them.
nfdump_fields='ts,te,tr,pr,sa,sp,da,dp,it,ic,flg,stos,fwd,ipkt,ibyt,opkt,obyt,fl,eng,exp,ra'
nfdump_fmt="fmt:%ts,%te,%tr,%pr,%sa,%sp,%da,%dp,%it,%ic,%flg,%stos,%fwd,%ipkt,%ibyt,%opkt,%obyt,%fl,%eng,%exp,%ra"

# nfdump_csv FILE.nfcapd: nfdump's own reading of it as CSV on stdout
# (-N plain numbers, not "1.2 M"; -q no header or summary lines).
nfdump_csv() {
	echo "$nfdump_fields"
	nfdump -N -q -r "$1" -o "$nfdump_fmt" | sed -e 's/ *, */,/g' -e 's/^ *//' -e 's/ *$//'
}

# nfdump_one DIR: the single nfcapd file in DIR that holds flows; fails
# (status 1, a line on stderr) when there are none or several.
nfdump_one() {
	local f n=0 got=
	for f in "$1"/nfcapd.[0-9]*; do
		[ -e "$f" ] || continue
		if [ -n "$(nfdump -q -r "$f" -o 'fmt:%pr' 2> /dev/null | head -1)" ]; then
			got=$f
			n=$((n + 1))
		fi
	done
	[ "$n" = 1 ] || { echo "$1 holds $n nfcapd files with flows, want 1" >&2; return 1; }
	echo "$got"
}
