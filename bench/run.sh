#!/usr/bin/env bash
# bench/run.sh: start-up benchmarks of edgerun side by side with runc and crun (see
# bench/README.md). Needs root. Prints one markdown table; the raw hyperfine results (JSON)
# go to bench/results/<date>/.
#
# Environment: BENCH_RUNS (timed runs per row, default 50), BENCH_ROUNDS (rounds the runs
# are split into, default 10), BENCH_WARMUP (warm-up runs per row before the first round,
# default 3; one before each later round),
# BENCH_SCENARIOS (default "1 2"), EDGERUN RUNC CRUN (the binaries), BENCH_RESULTS (where
# the results go).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$BENCH_DIR")
EDGERUN=${EDGERUN:-$TOP/edgerun}
RUNC=${RUNC:-runc}
CRUN=${CRUN:-crun}
RUNS=${BENCH_RUNS:-50}
WARMUP=${BENCH_WARMUP:-3}
ROUNDS=${BENCH_ROUNDS:-10}
SCENARIOS=${BENCH_SCENARIOS:-1 2}
RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results}
CONTAINERD_SPEC=$BENCH_DIR/containerd-default-spec.json
UNIFIED=/sys/fs/cgroup/unified

die() {
	echo "bench: $*" >&2
	exit 1
}

# ensure_cmd CMD PACKAGE: install Debian's PACKAGE when CMD is missing
ensure_cmd() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "bench: installing $2" >&2
	apt-get install -y "$2" >/dev/null ||
		{ apt-get update -qq && apt-get install -y "$2" >/dev/null; } ||
		die "cannot install \`$2\`"
}

check_host() {
	[ "$(id -u)" -eq 0 ] || die "needs root"
	command -v "$EDGERUN" >/dev/null || die "no edgerun binary at \`$EDGERUN\` (run make)"
	EDGERUN=$(realpath "$(command -v "$EDGERUN")")
	ensure_cmd hyperfine hyperfine
	ensure_cmd jq jq
	ensure_cmd runc runc
	ensure_cmd crun crun
	[ -x /bin/busybox ] || ensure_cmd busybox busybox-static
	RUNC=$(command -v "$RUNC")
	CRUN=$(command -v "$CRUN")
	((RUNS >= 2 && ROUNDS >= 1)) || die "BENCH_RUNS must be >= 2"
	# hyperfine needs at least two runs per invocation
	while ((ROUNDS > 1 && RUNS / ROUNDS < 2)); do ROUNDS=$((ROUNDS - 1)); done
}

# On a hybrid cgroup host every runtime runs in one private mount namespace without the
# cgroup2 tree at /sys/fs/cgroup/unified: crun refuses hybrid mode otherwise.
enter_namespace() {
	if [ -z "${EDGERUN_BENCH_NS:-}" ] && mountpoint -q "$UNIFIED"; then
		EDGERUN_BENCH_NS=1 exec unshare -m --propagation private bash "${BASH_SOURCE[0]}" "$@"
	fi
	if [ -n "${EDGERUN_BENCH_NS:-}" ] && mountpoint -q "$UNIFIED"; then
		umount "$UNIFIED" || die "cannot unmount \`$UNIFIED\`"
	fi
}

WORK=
cleanup() {
	[ -n "$WORK" ] || return 0
	local root rt id
	for root in "$WORK"/root-*; do
		[ -d "$root" ] || continue
		rt=$(cat "$root/.runtime" 2>/dev/null) || continue
		for id in $("$rt" --root "$root" list -q 2>/dev/null); do
			"$rt" --root "$root" delete -f "$id" >/dev/null 2>&1 || true
		done
	done
	rm -rf "$WORK"
}

# make_bundle CONFIG NAME [ARGS-JSON]: a bundle WORK/NAME whose config is CONFIG with the
# shared busybox rootfs, no terminal and /bin/true (or ARGS) as the process
make_bundle() {
	mkdir -p "$WORK/$2"
	jq --arg root "$WORK/rootfs" --argjson args "${3:-[\"/bin/true\"]}" \
		'.root.path = $root | .process.args = $args | .process.terminal = false
		 | del(.linux.cgroupsPath)' "$1" >"$WORK/$2/config.json"
}

prepare_bundles() {
	mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/proc" "$WORK/rootfs/dev" "$WORK/rootfs/sys" \
		"$WORK/rootfs/tmp" "$WORK/spec"
	cp /bin/busybox "$WORK/rootfs/bin/busybox"
	ln -s busybox "$WORK/rootfs/bin/true"
	ln -s busybox "$WORK/rootfs/bin/sh"
	(cd "$WORK/spec" && "$RUNC" spec)
	make_bundle "$WORK/spec/config.json" bundle-default
	[ -f "$CONTAINERD_SPEC" ] || die "missing \`$CONTAINERD_SPEC\` (bench/gen-containerd-spec.sh)"
	make_bundle "$CONTAINERD_SPEC" bundle-containerd
	make_bundle "$CONTAINERD_SPEC" bundle-seccomp-check \
		'["/bin/busybox", "grep", "^Seccomp:", "/proc/self/status"]'
}

# Whether each runtime really loads the containerd profile: the Seccomp field of
# /proc/self/status inside the container (2 = filter loaded, 0 = none). Sets SECCOMP_NOTE.
check_seccomp() {
	local rt name mode root="$WORK/root-check" n=0
	mkdir -p "$root"
	SECCOMP_NOTE=
	for rt in "$EDGERUN" "$CRUN" "$RUNC"; do
		name=$(basename "$rt")
		echo "$rt" >"$root/.runtime"
		n=$((n + 1))
		mode=$("$rt" --root "$root" run --bundle "$WORK/bundle-seccomp-check" "check-$n" \
			2>/dev/null | awk '{ print $2 }') || mode=
		"$rt" --root "$root" delete -f "check-$n" >/dev/null 2>&1 || true
		case $mode in
		2) ;;
		0) SECCOMP_NOTE+="${SECCOMP_NOTE:+ }$name does not load the seccomp profile (Seccomp: 0 in the container)." ;;
		*) SECCOMP_NOTE+="${SECCOMP_NOTE:+ }$name: the seccomp check container failed." ;;
		esac
	done
	jq --arg note "$SECCOMP_NOTE" '.seccomp_note = $note' "$OUT/meta.json" >"$OUT/meta.json.tmp"
	mv "$OUT/meta.json.tmp" "$OUT/meta.json"
}

# Rows of the current scenario: parallel arrays of name, command and prepare command.
NAMES=()
CMDS=()
PREPS=()

# add_row NAME RUNTIME BUNDLE [cold]: `RUNTIME run` of BUNDLE with a state root of its own;
# the prepare step removes a left-over container and, for a cold row, edgerun's seccomp cache
add_row() {
	local name=$1 rt=$2 bundle=$3 root id prep
	root="$WORK/root-${#NAMES[@]}-$SCENARIO"
	id="bench-$SCENARIO-${#NAMES[@]}"
	mkdir -p "$root"
	echo "$rt" >"$root/.runtime"
	prep="$rt --root $root delete -f $id >/dev/null 2>&1; true"
	if [ "${4:-}" = cold ]; then prep="rm -rf $root/.seccomp; $prep"; fi
	NAMES+=("$name")
	CMDS+=("$rt --root $root run --bundle $WORK/$bundle $id")
	PREPS+=("sh -c '$prep'")
}

add_floor() {
	NAMES+=("floor (unshare+chroot)")
	CMDS+=("unshare -m -u -i -n -p -f --mount-proc=$WORK/rootfs/proc chroot $WORK/rootfs /bin/true")
	PREPS+=("true")
}

setup_scenario() {
	NAMES=()
	CMDS=()
	PREPS=()
	case $SCENARIO in
	1)
		TITLE="1: run /bin/true, runc spec config"
		add_row edgerun "$EDGERUN" bundle-default
		add_row crun "$CRUN" bundle-default
		add_row runc "$RUNC" bundle-default
		add_floor
		;;
	2)
		TITLE="2: run /bin/true, containerd default config"
		add_row "edgerun (cold cache)" "$EDGERUN" bundle-containerd cold
		add_row "edgerun (warm cache)" "$EDGERUN" bundle-containerd
		add_row crun "$CRUN" bundle-containerd
		add_row runc "$RUNC" bundle-containerd
		;;
	*) die "unknown scenario \`$SCENARIO\`" ;;
	esac
}

# One hyperfine invocation per round with every row of the scenario, the order rotated each
# round, so that the runtimes alternate and slow phases of the machine hit all of them.
run_scenario() {
	local per=$((RUNS / ROUNDS)) warmup=$WARMUP r i j n=${#NAMES[@]} args
	for ((r = 1; r <= ROUNDS; r++)); do
		echo "bench: scenario $TITLE, round $r/$ROUNDS" >&2
		args=()
		for ((j = 0; j < n; j++)); do
			i=$(((j + r - 1) % n))
			args+=(-n "${NAMES[$i]}" --prepare "${PREPS[$i]}" "${CMDS[$i]}")
		done
		# the last round takes what the division left over
		if ((r == ROUNDS)); then per=$((RUNS - (ROUNDS - 1) * (RUNS / ROUNDS))); fi
		# hyperfine's warnings about outliers go to a log beside the results
		hyperfine -N --style none --warmup "$warmup" --runs "$per" \
			--export-json "$OUT/scenario$SCENARIO-round$r.json" "${args[@]}" \
			>>"$OUT/hyperfine.log" 2>&1 || {
			tail -n 20 "$OUT/hyperfine.log" >&2
			die "scenario $SCENARIO, round $r failed"
		}
		if ((warmup > 1)); then warmup=1; fi
	done
}

# Aggregates the rounds of one scenario into tab-separated rows:
# name, median, p25, p75, cpu (ms), runs
aggregate() {
	jq -r -s --argjson order "$(printf '%s\n' "${NAMES[@]}" | jq -R . | jq -s .)" '
		def pct($p): ((length - 1) * $p) as $x | ($x | floor) as $lo | ($x | ceil) as $hi
			| .[$lo] + (.[$hi] - .[$lo]) * ($x - $lo);
		[.[].results[]] | group_by(.command) | map({
			name: .[0].command,
			times: ([.[].times[]] | sort),
			cpu: ((map((.user + .system) * (.times | length)) | add)
				/ (map(.times | length) | add))
		}) | map({name, median: (.times | pct(0.5)), p25: (.times | pct(0.25)),
			p75: (.times | pct(0.75)), cpu, runs: (.times | length)}) as $rows
		| $order[] as $n | $rows[] | select(.name == $n)
		| [.name, .median * 1000, .p25 * 1000, .p75 * 1000, .cpu * 1000, .runs]
		| @tsv' "$OUT"/scenario"$SCENARIO"-round*.json
}

# ratio A B: A / B with two decimals
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'
}

# Prints the markdown rows of the current scenario (aggregated in $OUT/scenarioN.tsv).
print_rows() {
	local tsv=$OUT/scenario$SCENARIO.tsv name med p25 p75 cpu
	local crun_med crun_cpu runc_med runc_cpu vs_crun vs_runc
	crun_med=$(awk -F'\t' '$1 == "crun" { print $2 }' "$tsv")
	crun_cpu=$(awk -F'\t' '$1 == "crun" { print $5 }' "$tsv")
	runc_med=$(awk -F'\t' '$1 == "runc" { print $2 }' "$tsv")
	runc_cpu=$(awk -F'\t' '$1 == "runc" { print $5 }' "$tsv")
	while IFS=$'\t' read -r name med p25 p75 cpu _; do
		vs_crun=
		vs_runc=
		if [[ $name == edgerun* ]]; then
			vs_crun="$(ratio "$med" "$crun_med") / $(ratio "$cpu" "$crun_cpu")"
			vs_runc="$(ratio "$med" "$runc_med") / $(ratio "$cpu" "$runc_cpu")"
		fi
		printf '| %s | %s | %.1f | %.1f–%.1f | %.1f | %s | %s |\n' "$TITLE" "$name" \
			"$med" "$p25" "$p75" "$cpu" "$vs_crun" "$vs_runc"
		TITLE=
	done <"$tsv"
}

# edgerun's distance to the floor in scenario 1, wall and CPU
print_floor_ratio() {
	local tsv=$OUT/scenario1.tsv
	[ -f "$tsv" ] || return 0
	awk -F'\t' '$1 == "edgerun" { m = $2; c = $5 } $1 ~ /^floor/ { fm = $2; fc = $5 }
		END { if (fm > 0 && fc > 0)
			printf "edgerun / floor (scenario 1): %.2f wall, %.2f CPU\n", m / fm, c / fc }' "$tsv"
}

write_meta() {
	jq -n --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg kernel "$(uname -r)" \
		--arg cpus "$(nproc)" --arg model "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
		--arg edgerun "$("$EDGERUN" --version 2>/dev/null | head -n 2 | paste -sd ' ')" \
		--arg runc "$("$RUNC" --version | head -n 1)" --arg crun "$("$CRUN" --version | head -n 1)" \
		--arg hyperfine "$(hyperfine --version)" \
		--argjson runs "$RUNS" --argjson warmup "$WARMUP" --argjson rounds "$ROUNDS" \
		'{date: $date, kernel: $kernel, cpus: ($cpus | tonumber), cpu_model: $model,
		  edgerun: $edgerun, runc: $runc, crun: $crun, hyperfine: $hyperfine,
		  runs: $runs, warmup: $warmup, rounds: $rounds}' >"$OUT/meta.json"
}

main() {
	check_host
	enter_namespace "$@"
	OUT="$RESULTS/$(date -u +%Y%m%dT%H%M%SZ)"
	mkdir -p "$OUT"
	WORK=$(mktemp -d /tmp/edgerun-bench.XXXXXX)
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	prepare_bundles
	write_meta
	SECCOMP_NOTE=
	if [[ " $SCENARIOS " == *" 2 "* ]]; then check_seccomp; fi
	for SCENARIO in $SCENARIOS; do
		setup_scenario
		run_scenario
		aggregate >"$OUT/scenario$SCENARIO.tsv"
	done
	{
		echo "| Scenario | Runtime | Median (ms) | p25–p75 (ms) | CPU user+sys (ms) | edgerun / crun (wall / CPU) | edgerun / runc (wall / CPU) |"
		echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
		for SCENARIO in $SCENARIOS; do
			setup_scenario
			print_rows
		done
	} | tee "$OUT/table.md"
	echo
	print_floor_ratio
	[ -z "$SECCOMP_NOTE" ] || echo "Note: $SECCOMP_NOTE"
	echo "$RUNS runs per row in $ROUNDS interleaved rounds; $(nproc) CPUs; raw results: $OUT"
}

main "$@"
