#!/bin/sh
# bench/batch.sh: many containers at once for bench/run.sh, two at a time (xargs -P2).
#   batch.sh start RUNTIME ROOT BUNDLE PREFIX N   create and start PREFIX1..PREFIXN
#   batch.sh delete RUNTIME ROOT - PREFIX N       delete --force PREFIX1..PREFIXN (if present)
#   batch.sh delete-all RUNTIME ROOT              delete --force every container of ROOT
set -eu
op=$1 rt=$2 root=$3
case $op in
start)
	bundle=$4 pfx=$5 n=$6
	# shellcheck disable=SC2016 # expanded by the inner shell
	seq "$n" | xargs -P2 -I'{}' sh -c '"$1" --root "$2" create --bundle "$3" "$4" \
		</dev/null >/dev/null 2>&1 && "$1" --root "$2" start "$4"' \
		sh "$rt" "$root" "$bundle" "$pfx{}"
	;;
delete)
	pfx=$5 n=$6
	seq "$n" | xargs -P2 -I'{}' "$rt" --root "$root" delete -f "$pfx{}" >/dev/null 2>&1 || true
	;;
delete-all)
	"$rt" --root "$root" list -q 2>/dev/null |
		xargs -r -P2 -n1 "$rt" --root "$root" delete -f >/dev/null 2>&1 || true
	;;
*)
	echo "batch.sh: unknown operation \`$op\`" >&2
	exit 1
	;;
esac
