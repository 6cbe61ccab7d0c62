#!/usr/bin/env bash
# bench/verify.sh OUTDIR: signed-bundle benchmarks (issue 7). Needs root.
#
#   - verify of a ~200 MB rootfs, cold (--no-cache: every file read and hashed), against
#     sha256sum over the same files (one process, one CPU: what a shell script would do);
#   - verify with the digest cache warm (a stat walk);
#   - `run` of busybox /bin/true from a signed bundle against the same bundle unsigned.
#
# Prints markdown table rows (| scenario | tool | median ms | p25-p75 ms | CPU ms | ratio |)
# to stdout and writes OUTDIR/verify.json (every row with its raw times). Uses hyperfine
# (-N) when installed, else a loop timed with date +%s%N. Everything it makes is under one
# temporary directory in /tmp, removed at the end.
#
# Environment: EDGERUN (binary, default ./edgerun of this tree), BENCH_RUNS (timed runs per
# row, default 10; the run rows use 5x as many), BENCH_VERIFY_ROUNDS (rounds the runs are
# split into, the two rows of a comparison alternating; default 5), BENCH_VERIFY_MB (rootfs
# size, default 200), BENCH_NO_HYPERFINE (set: time with date +%s%N even if hyperfine is
# installed).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$BENCH_DIR")
EDGERUN=${EDGERUN:-$TOP/edgerun}
RUNS=${BENCH_RUNS:-10}
MB=${BENCH_VERIFY_MB:-200}
OUT=${1:-}

die() {
	echo "bench/verify: $*" >&2
	exit 1
}

[ -n "$OUT" ] || die "usage: bench/verify.sh OUTDIR"
[ "$(id -u)" -eq 0 ] || die "needs root"
command -v "$EDGERUN" >/dev/null || die "no edgerun binary at \`$EDGERUN\` (run make)"
EDGERUN=$(realpath "$(command -v "$EDGERUN")")
command -v jq >/dev/null || die "needs jq"
command -v openssl >/dev/null || die "needs openssl"
[ -x /bin/busybox ] || die "needs /bin/busybox (busybox-static)"
((RUNS >= 2)) || die "BENCH_RUNS must be >= 2"
mkdir -p "$OUT"
OUT=$(realpath "$OUT")

WORK=$(mktemp -d /tmp/edgerun-bench-verify.XXXXXX)
cleanup() {
	"$EDGERUN" --root "$WORK/root" delete -f bench-verify >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

# busybox_rootfs DIR: a small busybox rootfs.
busybox_rootfs() {
	mkdir -p "$1"/{bin,dev,etc,proc,sys,tmp,root}
	cp /bin/busybox "$1/bin/"
	for a in sh true echo cat ls; do ln -s busybox "$1/bin/$a"; done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$1/etc/passwd"
}

# bundle DIR: config.json from `edgerun spec`, /bin/true, read-only root.
bundle() {
	(cd "$1" && "$EDGERUN" spec)
	jq '.process.terminal = false | .process.args = ["/bin/true"] | .root.readonly = true' \
		"$1/config.json" >"$1/config.json.new"
	mv "$1/config.json.new" "$1/config.json"
}

# The big rootfs: busybox + files of a realistic mix of sizes, ~MB megabytes in all:
# 60% in files of 64 KB, the rest in 25 large files, plus 3000 files of 1 KB.
make_big_rootfs() {
	local r=$1 i big_mb n
	busybox_rootfs "$r"
	mkdir -p "$r/usr/share/doc" "$r/opt/big"
	for ((i = 0; i < 50; i++)); do
		mkdir -p "$r/usr/lib/d$i"
	done
	# one random source, cut into pieces (faster than /dev/urandom per file)
	dd if=/dev/urandom of="$WORK/random" bs=1M count="$MB" status=none
	n=$(((MB * 6 / 10) * 1024 / 64))
	for ((i = 0; i < n; i++)); do
		dd if="$WORK/random" of="$r/usr/lib/d$((i % 50))/f$i.so" bs=64K skip="$i" count=1 \
			status=none
	done
	for ((i = 0; i < 3000; i++)); do
		head -c 1024 "$WORK/random" >"$r/usr/share/doc/n$i.txt"
		printf '%d' "$i" >>"$r/usr/share/doc/n$i.txt"
	done
	big_mb=$(((MB - MB * 6 / 10 - 3) / 25))
	((big_mb >= 1)) || big_mb=1
	for ((i = 0; i < 25; i++)); do
		dd if="$WORK/random" of="$r/opt/big/blob$i.bin" bs=1M skip=$((i % (MB / 2))) \
			count="$big_mb" status=none
	done
	rm -f "$WORK/random"
}

USE_HYPERFINE=0
[ -n "${BENCH_NO_HYPERFINE:-}" ] || ! command -v hyperfine >/dev/null || USE_HYPERFINE=1

# Rows are timed in rounds, the rows of a pair alternating, so that a noisy neighbour hits
# both sides of a ratio alike. timed KEY RUNS CMD...: RUNS timed runs of CMD (no shell),
# their wall times (ms) appended to $WORK/KEY.times and their mean CPU time to KEY.cpu.
ROUNDS=${BENCH_VERIFY_ROUNDS:-5}
timed() {
	local key=$1 runs=$2
	shift 2
	if ((USE_HYPERFINE)); then
		hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$WORK/h.json" \
			"$(printf '%q ' "$@")" >/dev/null 2>&1 || die "\`$*\` failed under hyperfine"
		jq -r '.results[0].times[] * 1000' "$WORK/h.json" >>"$WORK/$key.times"
		jq -r '.results[0] | (.user + .system) * 1000' "$WORK/h.json" >>"$WORK/$key.cpu"
		return
	fi
	local i t0 t1
	"$@" >/dev/null 2>&1 || die "\`$*\` failed"
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		awk -v us=$(((t1 - t0) / 1000)) 'BEGIN { print us / 1000 }' >>"$WORK/$key.times"
	done
}

# rounds RUNS KEY_A CMD_A... -- KEY_B CMD_B...: RUNS runs of each, in ROUNDS alternating rounds.
rounds() {
	local runs=$1 r per a_key b_key
	local -a a=() b=()
	shift
	a_key=$1
	shift
	while [[ "$1" != -- ]]; do a+=("$1"); shift; done
	shift
	b_key=$1
	shift
	b=("$@")
	per=$(((runs + ROUNDS - 1) / ROUNDS))
	((per >= 2)) || per=2
	for ((r = 0; r < ROUNDS; r++)); do
		timed "$a_key" "$per" "${a[@]}"
		[[ -z "$b_key" ]] || timed "$b_key" "$per" "${b[@]}"
	done
}

# row KEY NAME TOOL: one JSON row (median, p25, p75, mean CPU, raw times) from KEY's files.
row() {
	local cpu=null
	[[ -s "$WORK/$1.cpu" ]] && cpu=$(jq -s 'add / length' "$WORK/$1.cpu")
	jq -s -c --arg n "$2" --arg t "$3" --argjson cpu "$cpu" '
		sort as $ts | ($ts | length) as $l |
		{scenario: $n, tool: $t, median_ms: $ts[($l / 2 | floor)],
		 p25_ms: $ts[($l * 0.25 | floor)], p75_ms: $ts[($l * 0.75 | floor)],
		 cpu_ms: $cpu, times_ms: $ts}' "$WORK/$1.times"
}

echo "bench/verify: building a ${MB} MB rootfs under $WORK" >&2
BIG="$WORK/big"
mkdir -p "$BIG/rootfs" "$WORK/trust" "$WORK/keys"
make_big_rootfs "$BIG/rootfs"
bundle "$BIG"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/keys/k.pem" 2>/dev/null
openssl pkey -in "$WORK/keys/k.pem" -pubout -out "$WORK/trust/k.pub"
ER=("$EDGERUN" --root "$WORK/root" --trust-dir "$WORK/trust")
"${ER[@]}" seal --bundle "$BIG" --key "$WORK/keys/k.pem" >&2
find "$BIG/rootfs" -type f -print0 >"$WORK/files0"
files=$(tr -cd '\0' <"$WORK/files0" | wc -c)
bytes=$(du -sb --apparent-size "$BIG/rootfs" | cut -f1)
echo "bench/verify: $files files, $((bytes / 1024 / 1024)) MB; $(nproc) CPUs" >&2
# the digest cache only takes files whose ctime is 2 s old
sleep 2.5
"${ER[@]}" verify --bundle "$BIG" >&2

label="${MB} MB, $files files"
rounds "$RUNS" cold "${ER[@]}" verify --bundle "$BIG" --no-cache -- \
	sha256sum xargs -0 -a "$WORK/files0" sha256sum
rounds "$RUNS" cached "${ER[@]}" verify --bundle "$BIG" -- ""

echo "bench/verify: run of a signed vs an unsigned busybox bundle" >&2
for b in signed unsigned; do
	mkdir -p "$WORK/$b/rootfs"
	busybox_rootfs "$WORK/$b/rootfs"
	bundle "$WORK/$b"
done
"${ER[@]}" seal --bundle "$WORK/signed" --key "$WORK/keys/k.pem" >&2
sleep 2.5
rounds $((RUNS * 5)) signed "${ER[@]}" run --bundle "$WORK/signed" bench-verify -- \
	unsigned "${ER[@]}" run --bundle "$WORK/unsigned" bench-verify

{
	row cold "verify: cold, $label (--no-cache)" edgerun
	row sha256sum "verify: cold, $label" "sha256sum (same files)"
	row cached "verify: cached, $label" edgerun
	row signed "run: signed busybox bundle (verify before create)" edgerun
	row unsigned "run: the same bundle unsigned" edgerun
} >"$WORK/rows.jsonl"
jq -s --arg mb "$MB" --arg files "$files" --arg cpus "$(nproc)" \
	'{rootfs_mb: ($mb | tonumber), files: ($files | tonumber), cpus: ($cpus | tonumber),
	  rows: .}' "$WORK/rows.jsonl" >"$OUT/verify.json"

# ratio NAME_A NAME_B: median of row A / median of row B
ratio() {
	jq -r --argjson a "$1" --argjson b "$2" \
		'.rows as $r | ($r[$a].median_ms / $r[$b].median_ms * 100 | round / 100)' "$OUT/verify.json"
}
echo "| Scenario | Tool | Median (ms) | p25–p75 (ms) | CPU user+sys (ms) | Ratio |"
echo "| --- | --- | ---: | ---: | ---: | --- |"
jq -r --arg r0 "$(ratio 0 1)" --arg r2 "$(ratio 2 1)" --arg r3 "$(ratio 3 4)" '.rows | to_entries[] |
	.key as $k | .value |
	"| \(.scenario) | \(.tool) | \(.median_ms * 10 | round / 10) | \(.p25_ms * 10 | round / 10)–\(.p75_ms * 10 | round / 10) | \(if .cpu_ms then (.cpu_ms * 10 | round / 10) else "-" end) | " +
	(if $k == 0 then "\($r0) of sha256sum" elif $k == 2 then "\($r2) of sha256sum" elif $k == 3 then "\($r3) of unsigned" else "-" end) + " |"' \
	"$OUT/verify.json"
