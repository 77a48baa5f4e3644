#!/usr/bin/env bash
# beam/sdk.sh — make beam/.sdk, the Beam Go SDK module that go.mod's
# replace directive names: the module of the version go.mod requires, as
# the module cache holds it, linked file by file (nothing is copied), with
# port0's files in beam/_prism/ added to two of Prism's packages, so that
# Prism in-process and Prism's job server listen on loopback only (Beam's
# own listen on every interface and run the command of any job's PROCESS
# environment). Every go command in beam/ needs it: the Makefile's beam,
# beam-test and vet make it first; by hand: beam/sdk.sh once, then go
# build, test and vet as usual. It is made afresh when the version or the
# module cache changes; it is not committed (its links are this machine's).
#
# Why not go build -overlay: the go command refuses an overlay of files
# beneath GOMODCACHE.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mod=github.com/apache/beam/sdks/v2
ver=$(cd "$here" && go mod edit -json | sed -n '/"Path": "github.com\/apache\/beam\/sdks\/v2"/{n;s/.*"Version": "\(.*\)".*/\1/p;q}')
[[ -n $ver ]] || { echo "sdk.sh: go.mod requires no version of $mod" >&2; exit 1; }
# The module's folder in the cache (downloaded if missing), outside this
# module, whose replace directive would hide it.
dir=$(cd /tmp && GOFLAGS=-mod=mod GOWORK=off go mod download -json "$mod@$ver" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
[[ -n $dir && -f $dir/go.mod ]] || { echo "sdk.sh: no folder for $mod@$ver in the module cache" >&2; exit 1; }
# The Beam packages port0 adds files to, by the name of their folder in _prism.
declare -A pkg=(
	[jobservices]=go/pkg/beam/runners/prism/internal/jobservices
	[prism]=go/pkg/beam/runners/prism
)
dst=$here/.sdk
stamp="$dir $here $(cd "$here/_prism" && ls -1 */*.go | tr '\n' ' ')"
if [[ -f $dst/.made && $(cat "$dst/.made") == "$stamp" && -e $dst/go.mod ]]; then
	exit 0
fi
tmp=$(mktemp -d "$here/.sdk.XXXXXX")
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
# link DIR: the entries of the cache's DIR (a path in the module, "" for
# its root) linked in tmp's, except the folders on the way to a package
# that gets files: those are made, and linked in turn.
declare -A real=()
for p in "${pkg[@]}"; do
	d=$p
	while [[ $d != . ]]; do real[$d]=1; d=$(dirname "$d"); done
done
link() {
	local rel=$1 e child
	mkdir -p "$tmp/$rel"
	for e in "$dir${rel:+/$rel}"/* "$dir${rel:+/$rel}"/.[!.]*; do
		[[ -e $e ]] || continue
		child=${rel:+$rel/}$(basename "$e")
		if [[ -n ${real[$child]:-} ]]; then
			link "$child"
		else
			ln -s "$e" "$tmp/$child"
		fi
	done
}
link ""
for sub in "${!pkg[@]}"; do
	for f in "$here/_prism/$sub"/*.go; do
		[[ -e $f ]] || continue
		[[ ! -e $dir/${pkg[$sub]}/$(basename "$f") ]] || { echo "sdk.sh: $(basename "$f") is a file of Beam's in ${pkg[$sub]}: port0's files only add" >&2; exit 1; }
		ln -s "$f" "$tmp/${pkg[$sub]}/$(basename "$f")"
	done
done
echo "$stamp" >"$tmp/.made"
rm -rf "$dst"
mv "$tmp" "$dst"
trap - EXIT
