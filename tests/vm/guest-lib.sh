#!/bin/sh
# shellcheck shell=dash
#
# Helpers for the guest tests (installed as /tests/lib.sh; a test does `. "$VMTEST_LIB"`).
# Each test runs with a fresh scratch directory as its working directory; it passes by
# exiting 0, fails with any other status (see fail), and is skipped with skip (exit 77).

# fail MESSAGE...: end the test as failed.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# skip REASON...: end the test as skipped.
skip() {
	echo "SKIP: $*"
	exit 77
}

# have PROGRAM: whether the image holds PROGRAM (runc, crun and jq are optional).
have() {
	command -v "$1" >/dev/null 2>&1
}

# check_eq GOT WANT WHAT: fail unless GOT is WANT.
check_eq() {
	[ "$1" = "$2" ] || fail "$3: got \`$1', want \`$2'"
}

# make_rootfs DIR: a busybox root filesystem.
make_rootfs() {
	mkdir -p "$1/bin" "$1/proc" "$1/sys" "$1/dev" "$1/tmp" "$1/etc" "$1/root"
	cp /bin/busybox "$1/bin/busybox"
	# Links to /bin/busybox, our own path, which is also its path in the rootfs.
	busybox --install -s "$1/bin"
	cp /etc/passwd /etc/group "$1/etc/"
}

# make_bundle DIR JQ-FILTER: a bundle in DIR with a busybox rootfs and the config.json of
# `edgerun spec` (terminal off), edited with JQ-FILTER (`.` leaves it as is).
make_bundle() {
	have jq || skip "jq is not in the image"
	mkdir -p "$1"
	make_rootfs "$1/rootfs"
	(cd "$1" && edgerun spec) || fail "edgerun spec"
	jq ".process.terminal = false | $2" "$1/config.json" >"$1/config.json.new" ||
		fail "jq \`$2'"
	mv "$1/config.json.new" "$1/config.json"
}

# cgroup_of PID: the cgroup v2 directory of process PID (/sys/fs/cgroup/...).
cgroup_of() {
	local path
	path=$(sed -n 's/^0:://p' "/proc/$1/cgroup")
	[ -n "$path" ] || fail "no cgroup v2 entry in /proc/$1/cgroup"
	echo "/sys/fs/cgroup${path%/}"
}

# wait_for SECONDS COMMAND...: retry COMMAND every 0.1 s until it succeeds.
wait_for() {
	local tries=$(($1 * 10))
	shift
	while ! "$@"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

# rt RUNTIME ARGS...: run a runtime (edgerun, runc or crun) on its own state root.
rt() {
	local runtime="$1"
	shift
	"$runtime" --root "/run/vmtest-$runtime" "$@"
}

# ctr_start RUNTIME ID BUNDLE: create and start a detached container. Its stdout and
# stderr (and the runtime's) go to ./ID.log, shown when a step fails.
ctr_start() {
	rt "$1" create --bundle "$3" "$2" </dev/null >"$2.log" 2>&1 ||
		{ cat "$2.log"; fail "$1 create $2"; }
	rt "$1" start "$2" >>"$2.log" 2>&1 || { cat "$2.log"; fail "$1 start $2"; }
}

# ctr_field RUNTIME ID KEY: a number or string of the top level of `RUNTIME state ID` (one
# key a line, as runc, crun and edgerun print it; annotations come after the top-level
# keys). sed, not jq: jq takes about a second to start under TCG.
ctr_field() {
	rt "$1" state "$2" | sed -n -e "s/^[[:space:]]*\"$3\": \"\(.*\)\",\{0,1\}\$/\1/p" \
		-e "s/^[[:space:]]*\"$3\": \([0-9-]*\),\{0,1\}\$/\1/p" | head -n 1
}

# ctr_status RUNTIME ID: the container's status (created, running, stopped, ...).
ctr_status() {
	ctr_field "$1" "$2" status
}

# ctr_pid RUNTIME ID: the pid of the container's init process.
ctr_pid() {
	ctr_field "$1" "$2" pid
}

# ctr_remove RUNTIME ID: kill the container with SIGKILL, wait until it stops, delete it.
ctr_remove() {
	rt "$1" kill "$2" KILL 2>/dev/null
	wait_for 10 ctr_stopped "$1" "$2" || fail "$1: $2 did not stop after SIGKILL"
	rt "$1" delete "$2" || fail "$1 delete $2"
}

ctr_stopped() {
	[ "$(ctr_status "$1" "$2")" = stopped ]
}

# memory_limit_test RUNTIME: a container with memory.limit 32 MiB in cgroup
# /vmtest/RUNTIME-mem has memory.max 33554432, and delete removes that cgroup.
memory_limit_test() {
	local runtime="$1" id="mem-$1" pid cg
	have "$runtime" || skip "$runtime is not in the image"
	# crun 1.8 accepts only ociVersion 1.0.x.
	make_bundle bundle ".ociVersion = \"1.0.2\" | .process.args = [\"sleep\", \"60\"]
		| .linux.resources.memory.limit = 33554432
		| .linux.cgroupsPath = \"/vmtest/$runtime-mem\""
	ctr_start "$runtime" "$id" bundle
	pid=$(ctr_pid "$runtime" "$id")
	cg=$(cgroup_of "$pid")
	echo "container pid $pid in $cg"
	check_eq "$cg" "/sys/fs/cgroup/vmtest/$runtime-mem" "cgroup of the container"
	check_eq "$(cat "$cg/memory.max")" 33554432 "memory.max"
	ctr_remove "$runtime" "$id"
	[ ! -d "$cg" ] || fail "$cg still exists after delete"
	rmdir /sys/fs/cgroup/vmtest 2>/dev/null || true
}

# oom_kill_test RUNTIME: a container limited to 32 MiB that fills 64 MiB is OOM-killed by
# the kernel (exit 137) and memory.events of its parent cgroup counts the oom_kill.
oom_kill_test() {
	local runtime="$1" id="oom-$1" parent="/sys/fs/cgroup/vmtest-oom-$1" rc=0 kills
	have "$runtime" || skip "$runtime is not in the image"
	make_bundle bundle ".process.args = [\"dd\", \"if=/dev/zero\", \"of=/dev/null\", \"bs=64M\", \"count=1\"]
		| .linux.resources.memory.limit = 33554432
		| .linux.resources.memory.swap = 33554432
		| .linux.cgroupsPath = \"/vmtest-oom-$runtime/ctr\""
	rt "$runtime" run --bundle bundle "$id" </dev/null || rc=$?
	check_eq "$rc" 137 "exit status of the OOM-killed container"
	kills=$(awk '$1 == "oom_kill" { print $2 }' "$parent/memory.events")
	echo "memory.events of $parent: oom_kill $kills"
	[ "${kills:-0}" -ge 1 ] || fail "no oom_kill counted in $parent/memory.events"
	rt "$runtime" delete "$id" 2>/dev/null || true
	rmdir "$parent" 2>/dev/null || true
}

# ---- edgerun containers in cgroups of their own (the cgroup/ tests) ----

# Containers to remove when the test ends, however it ends: "RUNTIME ID" words; then the
# commands of at_exit, last first.
VMTEST_CONTAINERS=""
VMTEST_AT_EXIT=":"

vmtest_cleanup() {
	local runtime id
	# shellcheck disable=SC2086 # a list of words
	set -- $VMTEST_CONTAINERS
	while [ $# -ge 2 ]; do
		runtime=$1 id=$2
		shift 2
		rt "$runtime" delete --force "$id" >/dev/null 2>&1
	done
	rmdir /sys/fs/cgroup/vmtest 2>/dev/null
	eval "$VMTEST_AT_EXIT"
	return 0
}
trap vmtest_cleanup EXIT

# at_exit COMMAND: run the shell COMMAND when the test ends (after its containers are gone).
at_exit() {
	VMTEST_AT_EXIT="$1; $VMTEST_AT_EXIT"
}

# remove_at_exit RUNTIME ID: delete --force the container when the test ends.
remove_at_exit() {
	VMTEST_CONTAINERS="$VMTEST_CONTAINERS $1 $2"
}

# has_verb VERB: whether edgerun has the command VERB.
has_verb() {
	edgerun "$1" --help >/dev/null 2>&1
}

# cg_bundle ID JQ-FILTER: bundle ./ID (writable busybox root) whose container goes in the
# cgroup /vmtest/ID, edited with JQ-FILTER.
cg_bundle() {
	make_bundle "$1" ".root.readonly = false | .linux.cgroupsPath = \"/vmtest/$1\" | $2"
}

# cg_create ID JQ-FILTER: `edgerun create` of a cg_bundle (log in ./ID.log); sets PID (the
# init's) and CG (its cgroup directory), after checking the init is in /vmtest/ID.
cg_create() {
	cg_bundle "$1" "$2"
	remove_at_exit edgerun "$1"
	rt edgerun create --bundle "$1" "$1" </dev/null >"$1.log" 2>&1 ||
		{ cat "$1.log"; fail "edgerun create $1"; }
	PID=$(ctr_pid edgerun "$1")
	CG=/sys/fs/cgroup/vmtest/$1
	check_eq "$(cgroup_of "$PID")" "$CG" "cgroup of the init of $1"
}

# cg_start ID JQ-FILTER: cg_create, then `edgerun start`.
cg_start() {
	cg_create "$1" "$2"
	rt edgerun start "$1" >>"$1.log" 2>&1 || { cat "$1.log"; fail "edgerun start $1"; }
}

# cg_check FILE WANT: fail unless the file FILE of the cgroup $CG holds WANT.
cg_check() {
	local got
	got=$(cat "$CG/$1") || fail "cannot read $CG/$1"
	check_eq "$got" "$2" "$CG/$1"
}

# cg_key FILE KEY: the value of KEY in a flat-keyed cgroup file of $CG (memory.events, ...).
cg_key() {
	awk -v k="$2" '$1 == k { print $2 }' "$CG/$1"
}

# cg_procs_at_least N: whether the cgroup $CG holds N processes or more (for wait_for).
cg_procs_at_least() {
	[ "$(wc -l <"$CG/cgroup.procs")" -ge "$1" ]
}

# cg_gone DIR: fail if the cgroup directory DIR still exists.
cg_gone() {
	[ ! -d "$1" ] || fail "cgroup $1 is still there"
}
