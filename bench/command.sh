#!/usr/bin/env bash
# bench/command.sh OUTDIR: offline commands (edgerun-command(8)): the time from
# `edgerun command queue` to the start of the queued command in a running busybox container,
# and the time `queue` itself takes (validation + durable append + fsync + drainer kick).
#
# The command creates a file in the container; its modification time (set by the kernel
# when the command writes it) is the command's start. N runs (BENCH_COMMAND_RUNS, default
# 20), each from an idle journal (the previous drainer has exited), so every run includes
# starting the detached drainer. Prints markdown table rows on stdout
#   | scenario | runtime | median ms | min–max ms | runs |
# and writes OUTDIR/command.json. Needs root; EDGERUN is the binary (default ./edgerun).
# shellcheck disable=SC2016 # backquotes in the table rows are markdown, not shell
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$BENCH_DIR")
EDGERUN=${EDGERUN:-$TOP/edgerun}
N=${BENCH_COMMAND_RUNS:-20}
OUT=${1:-}

die() {
	echo "bench/command.sh: $*" >&2
	exit 1
}

[ -n "$OUT" ] || die "usage: bench/command.sh OUTDIR"
[ "$(id -u)" -eq 0 ] || die "needs root"
command -v jq >/dev/null || die "needs jq"
[ -x /bin/busybox ] || die "needs /bin/busybox (busybox-static)"
EDGERUN=$(realpath "$(command -v "$EDGERUN")") || die "no edgerun binary (run make)"
mkdir -p "$OUT"

WORK=$(mktemp -d /tmp/edgerun-bench-command.XXXXXX)
ID=bench-command-$$
E=("$EDGERUN" --root "$WORK/root" --spool "$WORK/spool")
cleanup() {
	"${E[@]}" delete --force "$ID" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

# a busybox bundle whose container sleeps and declares one command
BUNDLE=$WORK/bundle
mkdir -p "$BUNDLE"/rootfs/{bin,dev,proc,sys,tmp}
cp /bin/busybox "$BUNDLE/rootfs/bin/busybox"
for a in sh sleep; do ln -s busybox "$BUNDLE/rootfs/bin/$a"; done
(cd "$BUNDLE" && "$EDGERUN" spec)
jq '.process.terminal = false | .root.readonly = false | .process.args = ["sleep", "3600"]
    | .annotations["org.edgerun.commands"] = ({
        stamp: {args: ["/bin/sh", "-c", "echo > /tmp/stamp-$1", "sh", "{n}"],
                params: {n: "^[0-9]+$"}}} | tojson)' \
	"$BUNDLE/config.json" >"$BUNDLE/config.json.new"
mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
"${E[@]}" create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>&1 || die "create failed"
"${E[@]}" start "$ID" || die "start failed"

# wait_for CMD...: up to 10 s
wait_for() {
	local i
	for ((i = 0; i < 1000; i++)); do
		"$@" && return 0
		sleep 0.01
	done
	return 1
}

to_start=()
queue=()
for ((i = 1; i <= N; i++)); do
	wait_for test ! -e "$WORK/spool/$ID/drainer.pid" || die "the drainer does not exit"
	t0=$(date +%s%N)
	"${E[@]}" command queue "$ID" stamp "n=$i" >/dev/null
	t1=$(date +%s%N)
	stamp=$BUNDLE/rootfs/tmp/stamp-$i
	wait_for test -e "$stamp" || die "run $i: the command did not run"
	started=$(stat -c %.9Y "$stamp")
	started=${started/./}
	to_start+=("$(((started - t0) / 1000))")
	queue+=("$(((t1 - t0) / 1000))")
done

# stats US...: "median min max" in ms with one decimal
stats() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.1f %.1f %.1f\n", m / 1000, v[1] / 1000, v[NR] / 1000 }'
}

read -r s_med s_min s_max < <(stats "${to_start[@]}")
read -r q_med q_min q_max < <(stats "${queue[@]}")
printf '| offline command: `queue` to the command'"'"'s start (running container) | edgerun | %s | %s–%s | %d |\n' \
	"$s_med" "$s_min" "$s_max" "$N"
printf '| offline command: `queue` returns (durable append) | edgerun | %s | %s–%s | %d |\n' \
	"$q_med" "$q_min" "$q_max" "$N"

jq -n --argjson n "$N" \
	--argjson start "$(printf '%s\n' "${to_start[@]}" | jq -s 'map(. / 1000)')" \
	--argjson queue "$(printf '%s\n' "${queue[@]}" | jq -s 'map(. / 1000)')" \
	--argjson sm "$s_med" --argjson qm "$q_med" \
	'{scenario: "offline command", runs: $n, unit: "ms",
	  queue_to_start: {median: $sm, values: $start},
	  queue_returns: {median: $qm, values: $queue}}' >"$OUT/command.json"
