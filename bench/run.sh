#!/usr/bin/env bash
# bench/run.sh: start-up benchmarks of edgerun side by side with runc and crun (see
# bench/README.md). Needs root. Prints one markdown table; the raw hyperfine results (JSON)
# go to bench/results/<date>/.
#
# Environment: BENCH_RUNS (timed runs per row, default 50), BENCH_ROUNDS (rounds the runs
# are split into, default 10), BENCH_WARMUP (warm-up runs per row before the first round,
# default 3; one before each later round),
# BENCH_SCENARIOS (default "1 2 3 4 5 6 7 8 verify command"; 9, the floor, is a row of
# scenario 1; verify and command are bench/verify.sh and bench/command.sh),
# BENCH_MANY (containers present in scenario 6, default 500), EDGERUN RUNC CRUN (the
# binaries), BENCH_RESULTS (where the results go).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$BENCH_DIR")
EDGERUN=${EDGERUN:-$TOP/edgerun}
RUNC=${RUNC:-runc}
CRUN=${CRUN:-crun}
RUNS=${BENCH_RUNS:-50}
WARMUP=${BENCH_WARMUP:-3}
ROUNDS=${BENCH_ROUNDS:-10}
SCENARIOS=${BENCH_SCENARIOS:-1 2 3 4 5 6 7 8 verify command}
MANY=${BENCH_MANY:-500}
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
	[ -x /usr/bin/time ] || ensure_cmd /usr/bin/time time
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
	ln -s busybox "$WORK/rootfs/bin/sleep"
	(cd "$WORK/spec" && "$RUNC" spec)
	make_bundle "$WORK/spec/config.json" bundle-default
	make_bundle "$WORK/spec/config.json" bundle-sleep '["/bin/sleep", "3600"]'
	# scenario 6: many long-lived containers without network namespaces (a network
	# namespace each would measure the kernel's netns teardown, not the runtimes)
	make_bundle "$WORK/spec/config.json" bundle-light '["/bin/sleep", "3600"]'
	jq '.linux.namespaces = [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}]' \
		"$WORK/bundle-light/config.json" >"$WORK/bundle-light/c.json"
	mv "$WORK/bundle-light/c.json" "$WORK/bundle-light/config.json"
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

# set while the table is printed: setup_scenario then only names the rows
PRINT_ONLY=

# Rows of the current scenario: parallel arrays of name, command, prepare command, and for
# the ratios the row's group (rows compared with each other) and runtime.
NAMES=()
CMDS=()
PREPS=()
GROUPS_=()
RTS=()
# per-scenario run count and rounds (0: BENCH_RUNS, BENCH_ROUNDS)
SC_RUNS=0
SC_ROUNDS=0

# new_root RUNTIME: a state root of its own for the next row (its path in ROOT_DIR)
new_root() {
	ROOT_DIR="$WORK/root-${#NAMES[@]}-$SCENARIO"
	mkdir -p "$ROOT_DIR"
	echo "$1" >"$ROOT_DIR/.runtime"
}

# add_cmd GROUP RUNTIME-LABEL COMMAND PREPARE: one row; PREPARE runs untimed (sh -c)
add_cmd() {
	local name=$2
	[ -z "$1" ] || name="$2 $1"
	NAMES+=("$name")
	CMDS+=("$3")
	PREPS+=("sh -c '$4'")
	GROUPS_+=("$1")
	RTS+=("$2")
}

# add_row NAME RUNTIME BUNDLE [cold]: `RUNTIME run` of BUNDLE with a state root of its own;
# the prepare step removes a left-over container and, for a cold row, edgerun's seccomp cache
add_row() {
	local rt=$2 bundle=$3 id prep
	new_root "$rt"
	id="bench-$SCENARIO-${#NAMES[@]}"
	prep="$rt --root $ROOT_DIR delete -f $id >/dev/null 2>&1; true"
	if [ "${4:-}" = cold ]; then prep="rm -rf $ROOT_DIR/.seccomp; $prep"; fi
	add_cmd "" "$1" "$rt --root $ROOT_DIR run --bundle $WORK/$bundle $id" "$prep"
}

add_floor() {
	add_cmd "" "floor (unshare+chroot)" \
		"unshare -m -u -i -n -p -f --mount-proc=$WORK/rootfs/proc chroot $WORK/rootfs /bin/true" true
}

# Scenario 3: create, start and delete of one container, each timed alone; the other steps
# are the untimed prepare. start releases /bin/true; delete removes a stopped container.
add_lifecycle_rows() {
	local name=$1 rt=$2 id r b="$WORK/bundle-default" del wait
	new_root "$rt"
	r=$ROOT_DIR
	id="bench-3-${#NAMES[@]}"
	del="$rt --root $r delete -f $id >/dev/null 2>&1"
	wait="until $rt --root $r state $id 2>/dev/null | grep -q stopped; do sleep 0.001; done"
	add_cmd create "$name" "$rt --root $r create --bundle $b $id" "$del; true"
	add_cmd start "$name" "$rt --root $r start $id" "$del; $rt --root $r create --bundle $b $id"
	add_cmd delete "$name" "$rt --root $r delete $id" \
		"$del; $rt --root $r create --bundle $b $id && $rt --root $r start $id && $wait"
}

# Scenario 4: exec of /bin/true into a running container (started here, deleted by cleanup)
add_exec_row() {
	local rt=$2 id
	new_root "$rt"
	id="bench-4-${#NAMES[@]}"
	[ -n "$PRINT_ONLY" ] || "$rt" --root "$ROOT_DIR" run -d --bundle "$WORK/bundle-sleep" "$id" </dev/null >/dev/null 2>&1 ||
		die "$1: cannot start the container for exec"
	add_cmd exec "$1" "$rt --root $ROOT_DIR exec $id /bin/true" true
}

# Scenario 5: 50 containers (sleep) created and started, two at a time
add_batch_row() {
	local rt=$2 pfx
	new_root "$rt"
	pfx="b5-${#NAMES[@]}-"
	add_cmd "50 create+start, 2 at a time" "$1" \
		"$BENCH_DIR/batch.sh start $rt $ROOT_DIR $WORK/bundle-sleep $pfx 50" \
		"$BENCH_DIR/batch.sh delete $rt $ROOT_DIR - $pfx 50"
}

# Scenario 6: list, and state of one container, with MANY containers present (made here,
# untimed); edgerun's state is also timed with a single container present
add_many_rows() {
	local rt=$2 pfx
	new_root "$rt"
	pfx="b6-${#NAMES[@]}-"
	if [ -z "$PRINT_ONLY" ]; then
		echo "bench: $1: starting $MANY containers for scenario 6" >&2
		"$BENCH_DIR/batch.sh" start "$rt" "$ROOT_DIR" "$WORK/bundle-light" "$pfx" "$MANY" ||
			die "$1: cannot start $MANY containers"
	fi
	add_cmd "list ($MANY containers)" "$1" "$rt --root $ROOT_DIR list" true
	add_cmd "state ($MANY containers)" "$1" "$rt --root $ROOT_DIR state ${pfx}1" true
}

add_state_one_row() {
	new_root "$EDGERUN"
	[ -n "$PRINT_ONLY" ] || "$EDGERUN" --root "$ROOT_DIR" run -d --bundle "$WORK/bundle-light" b6-one \
		</dev/null >/dev/null 2>&1 || die "edgerun: cannot start a container"
	add_cmd "" "edgerun state (1 container)" "$EDGERUN --root $ROOT_DIR state b6-one" true
}

setup_scenario() {
	NAMES=()
	CMDS=()
	PREPS=()
	GROUPS_=()
	RTS=()
	SC_RUNS=0
	SC_ROUNDS=0
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
	3)
		TITLE="3: create, start, delete (each alone)"
		add_lifecycle_rows edgerun "$EDGERUN"
		add_lifecycle_rows crun "$CRUN"
		add_lifecycle_rows runc "$RUNC"
		;;
	4)
		TITLE="4: exec /bin/true into a running container"
		add_exec_row edgerun "$EDGERUN"
		add_exec_row crun "$CRUN"
		add_exec_row runc "$RUNC"
		;;
	5)
		TITLE="5: 50 containers created and started, 2 at a time"
		SC_RUNS=$(((RUNS + 9) / 10))
		((SC_RUNS >= 2)) || SC_RUNS=2
		SC_ROUNDS=$((SC_RUNS / 2))
		add_batch_row edgerun "$EDGERUN"
		add_batch_row crun "$CRUN"
		add_batch_row runc "$RUNC"
		;;
	6)
		TITLE="6: list and state with $MANY containers present"
		add_many_rows edgerun "$EDGERUN"
		add_many_rows crun "$CRUN"
		add_many_rows runc "$RUNC"
		add_state_one_row
		;;
	*) die "unknown scenario \`$SCENARIO\`" ;;
	esac
}

# One hyperfine invocation per round with every row of the scenario, the order rotated each
# round, so that the runtimes alternate and slow phases of the machine hit all of them.
run_scenario() {
	local runs=$RUNS rounds=$ROUNDS warmup=$WARMUP r i j n=${#NAMES[@]} args per
	if ((SC_RUNS > 0)); then
		runs=$SC_RUNS rounds=$SC_ROUNDS warmup=1
	fi
	((rounds >= 1)) || rounds=1
	while ((rounds > 1 && runs / rounds < 2)); do rounds=$((rounds - 1)); done
	per=$((runs / rounds))
	for ((r = 1; r <= rounds; r++)); do
		echo "bench: scenario $TITLE, round $r/$rounds" >&2
		args=()
		for ((j = 0; j < n; j++)); do
			i=$(((j + r - 1) % n))
			args+=(-n "${NAMES[$i]}" --prepare "${PREPS[$i]}" "${CMDS[$i]}")
		done
		# the last round takes what the division left over
		if ((r == rounds)); then per=$((runs - (rounds - 1) * (runs / rounds))); fi
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

# the column of row NAME in the scenario's TSV (2 median, 5 CPU)
tsv_field() {
	awk -F'\t' -v n="$1" -v f="$2" '$1 == n { print $f }' "$OUT/scenario$SCENARIO.tsv"
}

# Prints the markdown rows of the current scenario (aggregated in $OUT/scenarioN.tsv): an
# edgerun row is compared with the crun and runc rows of its group.
print_rows() {
	local i name med p25 p75 cpu vs_crun vs_runc other
	for i in "${!NAMES[@]}"; do
		name=${NAMES[$i]}
		IFS=$'\t' read -r _ med p25 p75 cpu _ < <(grep -F "$name"$'\t' "$OUT/scenario$SCENARIO.tsv" |
			awk -F'\t' -v n="$name" '$1 == n' | head -n 1) || continue
		vs_crun=
		vs_runc=
		if [[ ${RTS[$i]} == edgerun* ]]; then
			for other in crun runc; do
				local on="$other${GROUPS_[$i]:+ ${GROUPS_[$i]}}" om oc r
				om=$(tsv_field "$on" 2)
				oc=$(tsv_field "$on" 5)
				[ -n "$om" ] || continue
				r="$(ratio "$med" "$om") / $(ratio "$cpu" "$oc")"
				if [ $other = crun ]; then vs_crun=$r; else vs_runc=$r; fi
			done
		fi
		printf '| %s | %s | %.1f | %.1f–%.1f | %.1f | %s | %s |\n' "$TITLE" "$name" \
			"$med" "$p25" "$p75" "$cpu" "$vs_crun" "$vs_runc"
		TITLE=
	done
}

# edgerun's distance to the floor in scenario 1, wall and CPU
print_floor_ratio() {
	local tsv=$OUT/scenario1.tsv
	[ -f "$tsv" ] || return 0
	awk -F'\t' '$1 == "edgerun" { m = $2; c = $5 } $1 ~ /^floor/ { fm = $2; fc = $5 }
		END { if (fm > 0 && fc > 0)
			printf "edgerun / floor (scenario 1): %.2f wall, %.2f CPU\n", m / fm, c / fc }' "$tsv"
}

# Scenario 7: peak RSS (KiB, GNU time's %M: the largest resident set of the runtime or of a
# process it waited for) of `run` of /bin/true with the runc spec config, 10 interleaved
# runs each, median. Writes $OUT/rss.json.
measure_rss() {
	local rt name i root id n=10 rss
	for rt in "$EDGERUN" "$CRUN" "$RUNC"; do
		mkdir -p "$WORK/root-rss-$(basename "$rt")"
	done
	: >"$OUT/rss.tsv"
	echo "bench: scenario 7: peak RSS, $n runs per runtime" >&2
	for ((i = 1; i <= n; i++)); do
		for rt in "$EDGERUN" "$CRUN" "$RUNC"; do
			name=$(basename "$rt")
			root="$WORK/root-rss-$name"
			id="bench-7-$name"
			/usr/bin/time -f %M -o "$WORK/rss.out" "$rt" --root "$root" run \
				--bundle "$WORK/bundle-default" "$id" >/dev/null 2>&1 || die "$name: run failed"
			rss=$(tail -n 1 "$WORK/rss.out")
			printf '%s\t%s\n' "$name" "$rss" >>"$OUT/rss.tsv"
		done
	done
	jq -R -s 'split("\n") | map(select(length > 0) | split("\t"))
		| group_by(.[0]) | map({runtime: .[0][0], kib: (map(.[1] | tonumber) | sort)})
		| map(. + {median: .kib[(.kib | length) / 2 | floor]})' "$OUT/rss.tsv" >"$OUT/rss.json"
}

# Scenario 8: file size of each binary and the shared libraries it loads besides libc.
# Writes $OUT/size.json.
measure_size() {
	local rt libs
	for rt in "$EDGERUN" "$CRUN" "$RUNC"; do
		libs=$(ldd "$rt" 2>/dev/null | awk '$3 ~ /^\// && $1 !~ /^(libc|libm|libpthread|libdl)\.so/ { print $3 }' | paste -sd ' ')
		# shellcheck disable=SC2086 # a list of paths
		jq -n --arg runtime "$(basename "$rt")" --argjson bytes "$(stat -L -c %s "$rt")" \
			--arg libs "$libs" --argjson libbytes "$(cat /dev/null $libs | wc -c)" \
			'{runtime: $runtime, bytes: $bytes, libs: $libs, lib_bytes: $libbytes}'
	done | jq -s . >"$OUT/size.json"
}

# The memory and size table (scenarios 7 and 8)
print_memory_table() {
	local want7=$1 want8=$2 name rss e_rss size libsz
	echo "| Runtime | 7: peak RSS of \`run\` (KiB) | edgerun / this | 8: binary (KiB) | + shared libraries besides libc (KiB) |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	e_rss=$([ "$want7" = 1 ] && jq -r '.[] | select(.runtime == "edgerun") | .median' "$OUT/rss.json")
	for name in edgerun crun runc; do
		rss=- size=- libsz=-
		if [ "$want7" = 1 ]; then
			rss=$(jq -r --arg n "$name" '.[] | select(.runtime == $n) | .median' "$OUT/rss.json")
		fi
		if [ "$want8" = 1 ]; then
			size=$(jq -r --arg n "$name" '.[] | select(.runtime == $n) | .bytes / 1024 | floor' "$OUT/size.json")
			libsz=$(jq -r --arg n "$name" '.[] | select(.runtime == $n) | .lib_bytes / 1024 | floor' "$OUT/size.json")
		fi
		printf '| %s | %s | %s | %s | %s |\n' "$name" "$rss" \
			"$([ "$want7" = 1 ] && [ "$name" != edgerun ] && ratio "$e_rss" "$rss")" "$size" "$libsz"
	done
}

is_timed_scenario() {
	case $SCENARIO in 1 | 2 | 3 | 4 | 5 | 6) return 0 ;; 7 | 8 | 9 | verify | command) return 1 ;; esac
	die "unknown scenario \`$SCENARIO\`"
}

# deletes the containers the scenario left running (scenarios 4 and 6), two at a time
teardown_scenario() {
	local root
	for root in "$WORK"/root-*-"$SCENARIO"; do
		[ -f "$root/.runtime" ] || continue
		"$BENCH_DIR/batch.sh" delete-all "$(cat "$root/.runtime")" "$root"
	done
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
		is_timed_scenario || continue
		setup_scenario
		run_scenario
		aggregate >"$OUT/scenario$SCENARIO.tsv"
		teardown_scenario
	done
	{
		echo "| Scenario | Runtime | Median (ms) | p25–p75 (ms) | CPU user+sys (ms) | edgerun / crun (wall / CPU) | edgerun / runc (wall / CPU) |"
		echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
		PRINT_ONLY=1
		for SCENARIO in $SCENARIOS; do
			is_timed_scenario || continue
			setup_scenario
			print_rows
		done
		PRINT_ONLY=
	} | tee "$OUT/table.md"
	local want7=0 want8=0
	[[ " $SCENARIOS " != *" 7 "* ]] || want7=1
	[[ " $SCENARIOS " != *" 8 "* ]] || want8=1
	[ "$want7" = 0 ] || measure_rss
	[ "$want8" = 0 ] || measure_size
	if [ "$want7$want8" != 00 ]; then
		echo
		print_memory_table "$want7" "$want8" | tee -a "$OUT/table.md"
	fi
	# the edge features' own scripts: each prints markdown rows and writes OUT/NAME.json
	for SCENARIO in verify command; do
		[[ " $SCENARIOS " == *" $SCENARIO "* ]] || continue
		echo >&2 "bench: scenario $SCENARIO (bench/$SCENARIO.sh)"
		{
			echo
			if [ "$SCENARIO" = command ]; then
				echo "| Scenario | Runtime | Median (ms) | min–max (ms) | Runs |"
				echo "| --- | --- | ---: | ---: | ---: |"
			fi
		} | tee -a "$OUT/table.md"
		# their own run counts (BENCH_RUNS of the start-up rows would make them long)
		env -u BENCH_RUNS EDGERUN="$EDGERUN" "$BENCH_DIR/$SCENARIO.sh" "$OUT" |
			tee -a "$OUT/table.md" || die "bench/$SCENARIO.sh failed"
	done
	echo
	print_floor_ratio
	[ -z "$SECCOMP_NOTE" ] || echo "Note: $SECCOMP_NOTE"
	echo "$RUNS runs per row in $ROUNDS interleaved rounds; $(nproc) CPUs; raw results: $OUT"
}

main "$@"
