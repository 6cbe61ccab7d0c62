#!/bin/bash
# shellcheck shell=bash
# jq filters are single-quoted on purpose ($var there is a jq variable):
# shellcheck disable=SC2016
#
# Shared helpers for the edgerun integration tests (bats), in the style of runc's.
#
#   EDGERUN=/path/to/binary bats tests/integration      # default: ./edgerun of this tree
#   EDGERUN=runc bats tests/integration                 # same tests against runc
#
# Every test gets a fresh state root ($ROOT) and a fresh bundle ($BUNDLE, the current
# directory while the test runs) holding a busybox rootfs ($ROOTFS) and a config.json made
# by `$EDGERUN spec` with terminal=false. The default setup/teardown below do that; a file
# that needs more defines its own setup() calling setup_bundle first.

bats_require_minimum_version 1.5.0

INTEGRATION_ROOT=$(cd "$BATS_TEST_DIRNAME" && pwd)
TESTS_ROOT=$(cd "$INTEGRATION_ROOT/.." && pwd)

EDGERUN=${EDGERUN:-$TESTS_ROOT/../edgerun}
if [[ "$EDGERUN" == */* ]]; then
	EDGERUN=$(realpath -m "$EDGERUN")
else
	EDGERUN=$(command -v "$EDGERUN" || echo "$EDGERUN")
fi

# Things built once per `bats` run (shared by every file and test of the run).
CACHE_DIR="$BATS_RUN_TMPDIR/cache"

# --- the runtime -----------------------------------------------------------------------

# A hung test fails instead of blocking the whole run.
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

# edgerun ARGS...: the runtime under test, on this test's state root.
function edgerun() {
	"$EDGERUN" --root "$ROOT" "$@"
}

# erun [-N|!] ARGS...: like bats' `run [-N|!] edgerun ARGS...`, but with stdin from /dev/null
# and stdout+stderr through a file instead of a pipe: use it for `create` and `run -d`,
# whose container keeps the runtime's stdio open (a pipe would make the test wait for
# the container to exit). Sets $status, $output and $lines; with -N or ! it checks the
# status and prints the output when it does not match.
function erun() {
	local expect="" out
	if [[ "$1" == "!" || "$1" =~ ^-[0-9]+$ ]]; then
		expect=$1
		shift
	fi
	out=$(mktemp "$TESTDIR/erun.XXXXXX")
	status=0
	edgerun "$@" </dev/null >"$out" 2>&1 || status=$?
	output=$(cat "$out")
	# shellcheck disable=SC2034 # $lines is for the tests, as with bats' run
	mapfile -t lines <"$out"
	rm -f "$out"
	if [[ "$expect" == "!" && "$status" -eq 0 ]] ||
		[[ "$expect" == -* && "$status" -ne "${expect#-}" ]]; then
		local want=${expect#-}
		[[ "$expect" == "!" ]] && want="non-zero"
		echo "\`edgerun $*' exited $status, expected $want; output:" >&2
		echo "$output" >&2
		return 1
	fi
	return 0
}

function is_runc() {
	[[ "$(basename "$EDGERUN")" == runc* ]]
}

# skip_if_runc REASON: for tests where runc knowingly differs from what edgerun must do.
function skip_if_runc() {
	if is_runc; then
		skip "runc differs: $*"
	fi
}

# --- generic helpers -------------------------------------------------------------------

# requires FEATURE...: skip the test unless the host can do all of them.
function requires() {
	local f
	for f in "$@"; do
		case "$f" in
		root)
			[[ $EUID -eq 0 ]] || skip "needs root"
			;;
		userns)
			[[ -e /proc/self/ns/user ]] || skip "needs user namespaces"
			[[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null)" != 0 ]] ||
				skip "user namespaces are disabled"
			;;
		timens)
			[[ -e /proc/self/ns/time ]] || skip "needs time namespaces"
			;;
		cgroupns)
			[[ -e /proc/self/ns/cgroup ]] || skip "needs cgroup namespaces"
			;;
		cc)
			command -v cc >/dev/null || skip "needs a C compiler (cc)"
			;;
		cgroups_v1)
			[[ -n "$(cgroup_mount memory)" ]] || skip "needs cgroup v1 (a v1 memory hierarchy)"
			;;
		cgroups_hybrid)
			[[ -n "$(cgroup_mount memory)" && -n "$(cgroup_mount unified)" ]] ||
				skip "needs a hybrid cgroup host (v1 hierarchies and a cgroup2 tree)"
			;;
		*)
			fail "requires: unknown feature \`$f'"
			;;
		esac
	done
}

# fail MESSAGE: fail the test with a message.
function fail() {
	echo "$*" >&2
	return 1
}

# retry ATTEMPTS DELAY CMD...: run CMD until it succeeds, at most ATTEMPTS times.
function retry() {
	local attempts=$1 delay=$2 i
	shift 2
	for ((i = 0; i < attempts; i++)); do
		run "$@"
		if [[ "$status" -eq 0 ]]; then
			return 0
		fi
		sleep "$delay"
	done
	echo "command \`$*' failed $attempts times; last output: $output" >&2
	return 1
}

# container_status ID: prints the status field of `state ID`.
function container_status() {
	edgerun state "$1" | jq -r .status
}

function _has_status() {
	[[ "$(container_status "$1")" == "$2" ]]
}

# wait_for_status ID STATUS: wait (bounded) until the container reports STATUS.
function wait_for_status() {
	retry 100 0.1 _has_status "$1" "$2"
}

# container_pid ID: prints the host pid of the container's init.
function container_pid() {
	edgerun state "$1" | jq -r .pid
}

# nsid PID TYPE: the namespace identity (e.g. `net:[4026531840]`) of a host pid.
function nsid() {
	readlink "/proc/$1/ns/$2"
}

# --- bundle and config -----------------------------------------------------------------

# update_config JQ_FILTER [JQ_OPTIONS...]: edit $BUNDLE/config.json in place, e.g.
#   update_config '.hostname = $h' --arg h edge1
function update_config() {
	local filter=$1
	shift
	jq "$@" "$filter" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" &&
		mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# set_args ARG...: set process.args to exactly these strings.
function set_args() {
	local -a jqargs=()
	local list="" i=0 a
	for a in "$@"; do
		jqargs+=(--arg "a$i" "$a")
		list+="${list:+,}\$a$i"
		i=$((i + 1))
	done
	update_config ".process.args = [$list]" "${jqargs[@]}"
}

# add_mount JSON: append one mount object to .mounts.
function add_mount() {
	update_config '.mounts += [$m]' --argjson m "$1"
}

# drop_namespace TYPE: remove linux.namespaces[] entries of TYPE (use the host's).
function drop_namespace() {
	update_config '.linux.namespaces |= map(select(.type != $t))' --arg t "$1"
}

# set_namespace TYPE [PATH]: create (or join PATH) a namespace of TYPE.
function set_namespace() {
	if [[ $# -ge 2 ]]; then
		update_config '.linux.namespaces = ((.linux.namespaces | map(select(.type != $t))) + [{type: $t, path: $p}])' \
			--arg t "$1" --arg p "$2"
	else
		update_config '.linux.namespaces = ((.linux.namespaces | map(select(.type != $t))) + [{type: $t}])' \
			--arg t "$1"
	fi
}

# The applets the tests use (symlinks to /bin/busybox in the rootfs).
BUSYBOX_APPLETS=(sh ash cat echo ls id env pwd printf test true false sleep grep sed awk
	stat readlink mkdir rm touch mount umount hostname domainname uname ps kill tty stty
	head tail wc cut tr sort xargs chmod chown ln cp mv dd sync sysctl nproc basename
	dirname realpath find nsenter unshare which mkfifo mknod seq timeout dnsdomainname)

# _build_cache: once per run, a busybox rootfs, a base config.json and the recvtty helper.
function _build_cache() {
	[[ -e "$CACHE_DIR/.done" ]] && return 0
	(
		flock 9
		[[ -e "$CACHE_DIR/.done" ]] && exit 0
		local busybox a tmp
		busybox=$(command -v busybox || true)
		[[ -x /bin/busybox ]] && busybox=/bin/busybox
		[[ -n "$busybox" ]] || { echo "busybox (busybox-static) is not installed" >&2; exit 1; }
		if ldd "$busybox" >/dev/null 2>&1; then
			echo "$busybox is not static: install busybox-static" >&2
			exit 1
		fi
		tmp="$CACHE_DIR/rootfs.tmp"
		rm -rf "$tmp"
		mkdir -p "$tmp"/{bin,dev,etc,proc,sys,tmp,root,home}
		chmod 1777 "$tmp/tmp"
		chmod 0700 "$tmp/root"
		cp "$busybox" "$tmp/bin/busybox"
		for a in $("$busybox" --list); do
			[[ " ${BUSYBOX_APPLETS[*]} " == *" $a "* ]] && ln -s busybox "$tmp/bin/$a"
		done
		printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$tmp/etc/passwd"
		printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"
		mv "$tmp" "$CACHE_DIR/rootfs"

		# The base config: the runtime's own default spec, made non-interactive.
		mkdir -p "$CACHE_DIR/spec"
		(cd "$CACHE_DIR/spec" && "$EDGERUN" spec) || { echo "\`$EDGERUN spec' failed" >&2; exit 1; }
		jq '.process.terminal = false | .root.readonly = false | .process.args = ["sleep", "3600"]' \
			"$CACHE_DIR/spec/config.json" >"$CACHE_DIR/config.json" || exit 1

		# Small helpers of ours (tests/helpers/*.c): recvtty, spawnpid.
		if command -v cc >/dev/null; then
			for a in recvtty spawnpid; do
				cc -O2 -Wall -o "$CACHE_DIR/$a" "$TESTS_ROOT/helpers/$a.c" || exit 1
			done
		fi
		touch "$CACHE_DIR/.done"
	) 9>"$BATS_RUN_TMPDIR/cache.lock"
}

# setup_bundle: fresh $TESTDIR with root/ (the --root) and bundle/ (busybox rootfs + config).
function setup_bundle() {
	mkdir -p "$CACHE_DIR"
	# Paths under the run's temp dir must be reachable by uids mapped in user namespaces.
	chmod 0755 "$BATS_RUN_TMPDIR"
	_build_cache || fail "cannot build the test bundle cache" || return 1
	TESTDIR=$(mktemp -d "$BATS_RUN_TMPDIR/test.XXXXXX")
	chmod 0755 "$TESTDIR"
	ROOT="$TESTDIR/root"
	BUNDLE="$TESTDIR/bundle"
	ROOTFS="$BUNDLE/rootfs"
	mkdir -p "$BUNDLE"
	cp -a "$CACHE_DIR/rootfs" "$ROOTFS"
	cp "$CACHE_DIR/config.json" "$BUNDLE/config.json"
	export TESTDIR ROOT BUNDLE ROOTFS
	cd "$BUNDLE" || return 1
}

# _leftover_pids: processes whose root directory is this test's rootfs (containers that
# survived delete) or whose working directory is $TESTDIR, $BUNDLE or $ROOTFS (stray
# hooks and helpers). Shell builtins only: forks are slow on small machines.
function _leftover_pids() {
	local p k v ancestors=" "
	[[ -d "$ROOTFS" ]] || return 0
	p=$BASHPID
	while [[ "$p" -gt 1 ]]; do
		ancestors+="$p "
		v=""
		while read -r k v; do
			[[ "$k" == PPid: ]] && break
		done <"/proc/$p/status" 2>/dev/null
		p=${v:-1}
	done
	for p in /proc/[0-9]*; do
		[[ "$ancestors" == *" ${p#/proc/} "* ]] && continue
		if [[ "$p/root" -ef "$ROOTFS" || "$p/cwd" -ef "$TESTDIR" || "$p/cwd" -ef "$BUNDLE" ||
			"$p/cwd" -ef "$ROOTFS" ]]; then
			echo "${p#/proc/}"
		fi
	done
}

# procs_left_are N: exactly N processes are left in this test's rootfs (see _leftover_pids);
# for `retry 100 0.1 procs_left_are 0`.
function procs_left_are() {
	local p n=0
	for p in $(_leftover_pids); do
		n=$((n + 1))
	done
	[[ "$n" -eq "$1" ]]
}

# teardown_bundle: delete every container of $ROOT (--force), kill what is left, unmount
# and remove $TESTDIR.
function teardown_bundle() {
	# On failure, show what the last `run`/`erun` printed (bats does not).
	if [[ -z "${BATS_TEST_COMPLETED:-}" && -n "${output:-}" ]]; then
		echo "last output (status ${status:-?}):"
		printf '  %s\n' "${lines[@]}"
	fi
	[[ -n "${TESTDIR:-}" && -d "$TESTDIR" ]] || return 0
	cd / || return 1
	local id p m i
	if [[ -d "$ROOT" ]]; then
		for id in $("$EDGERUN" --root "$ROOT" list -q 2>/dev/null) "$ROOT"/*; do
			id=${id##*/}
			[[ "$id" == "*" ]] && continue
			"$EDGERUN" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	for i in 1 2 3; do
		p=$(_leftover_pids)
		[[ -z "$p" ]] && break
		# shellcheck disable=SC2086
		kill -9 $p 2>/dev/null || true
		sleep 0.1
	done
	# Unmount anything left below $TESTDIR, deepest first.
	while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done < <(awk -v d="$TESTDIR" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
	rm -rf --one-file-system "$TESTDIR"
	unset TESTDIR
}

# Default per-test fixtures; a file overrides setup() when it needs more.
function setup() {
	requires root
	setup_bundle
}

function teardown() {
	teardown_bundle
}

# --- terminals ---------------------------------------------------------------------------

# start_recvtty SOCKET OUTFILE: receive a pty master on SOCKET (tests/helpers/recvtty.c) and
# copy what the container writes on its terminal to OUTFILE. Sets RECVTTY_PID.
function start_recvtty() {
	requires cc
	[[ -x "$CACHE_DIR/recvtty" ]] || fail "recvtty was not built"
	"$CACHE_DIR/recvtty" "$1" >"$2" 2>&1 3>&- &
	RECVTTY_PID=$!
	retry 100 0.05 test -S "$1"
}

# wait_recvtty: wait for recvtty to see the terminal closed; fails on its error status.
function wait_recvtty() {
	local i
	for ((i = 0; i < 200; i++)); do
		kill -0 "$RECVTTY_PID" 2>/dev/null || break
		sleep 0.05
	done
	wait "$RECVTTY_PID"
}

# --- cgroups -------------------------------------------------------------------------------
# A hierarchy is named by one of its v1 controllers ("memory", "cpu", "name=systemd") or
# "unified" for the cgroup2 tree (/sys/fs/cgroup/unified on a hybrid host).

# cgroup_hierarchies: every hierarchy this shell is in, one name per line.
function cgroup_hierarchies() {
	awk -F: '$1 == "0" && $2 == "" { print "unified"; next } { split($2, c, ","); print c[1] }' \
		/proc/self/cgroup
}

# cgroup_mount HIER: "MOUNTPOINT ROOT" of the hierarchy (a mount under /sys/fs/cgroup
# preferred); nothing if it is not mounted.
function cgroup_mount() {
	awk -v h="$1" '{
		for (i = 7; i <= NF && $i != "-"; i++)
			;
		if (h == "unified") {
			if ($(i + 1) != "cgroup2") next
		} else if ($(i + 1) != "cgroup" || index("," $(i + 3) ",", "," h ",") == 0) {
			next
		}
		if (index($5, "/sys/fs/cgroup") == 1) { print $5, $4; found = 1; exit }
		if (first == "") first = $5 " " $4
	} END { if (!found && first != "") print first }' /proc/self/mountinfo
}

# cgroup_path PID HIER: the cgroup of PID ("self": this shell) in the hierarchy, as
# /proc/PID/cgroup shows it ("/a/b").
function cgroup_path() {
	awk -v h="$2" '{
		line = $0
		sub(/^[^:]*:/, "", line)
		ctl = line
		sub(/:.*/, "", ctl)
		sub(/^[^:]*:/, "", line)
		if (h == "unified") {
			if ($0 ~ /^0::/) { print line; exit }
		} else if (index("," ctl ",", "," h ",")) {
			print line
			exit
		}
	}' "/proc/$1/cgroup"
}

# cgroup_path_dir HIER PATH: the directory of cgroup PATH of the hierarchy.
function cgroup_path_dir() {
	local mnt root p=$2
	read -r mnt root < <(cgroup_mount "$1")
	[[ -n "$mnt" ]] || return 1
	if [[ "$root" != / ]]; then
		[[ "$p" == "$root" || "$p" == "$root"/* ]] || return 1
		p=${p#"$root"}
	fi
	p=${p%/}
	echo "$mnt$p"
}

# cgroup_dir PID HIER: the directory of PID's cgroup in the hierarchy, e.g.
# `cgroup_dir "$pid" memory` -> /sys/fs/cgroup/memory/test_x.
function cgroup_dir() {
	cgroup_path_dir "$2" "$(cgroup_path "$1" "$2")"
}

# cgroup_dirs PID: the directory of PID's cgroup in every hierarchy, one per line.
function cgroup_dirs() {
	local h
	for h in $(cgroup_hierarchies); do
		cgroup_dir "$1" "$h"
	done
}

# remove_cgroup_tree HIER PATH: remove cgroup PATH and everything below it (rmdir, deepest
# first) in the hierarchy; for cgroups a test made itself (their processes must be gone).
function remove_cgroup_tree() {
	local dir d
	dir=$(cgroup_path_dir "$1" "$2") || return 0
	[[ -d "$dir" && "$dir" != "$(cgroup_path_dir "$1" /)" ]] || return 0
	while read -r d; do
		rmdir "$d" 2>/dev/null || true
	done < <(find "$dir" -depth -type d)
}

# cgroup_file ID HIER FILE: the content of FILE in container ID's cgroup of the hierarchy.
function cgroup_file() {
	local dir
	dir=$(cgroup_dir "$(container_pid "$1")" "$2") || return 1
	cat "$dir/$3"
}

# setup_cgroups: setup_bundle plus names unique to this test: CG_ID (a container id; more
# as "${CG_ID}_2"), TEST_CG (an absolute cgroup, "/edgerun-test/<unique>") and TEST_CG_REL
# (a relative one). teardown_cgroups removes whatever is left of them in every hierarchy,
# after killing the pids in CG_KILL (processes the test started itself).
function setup_cgroups() {
	requires root
	setup_bundle || return 1
	local u=${TESTDIR##*.}
	CG_ID=test_cg_$u
	TEST_CG=/edgerun-test/$u
	TEST_CG_REL=edgerun-test-$u
	CG_KILL=()
}

function teardown_cgroups() {
	local h own d p
	teardown_bundle
	for p in "${CG_KILL[@]}"; do
		kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[[ -n "${CG_ID:-}" ]] || return 0
	for h in $(cgroup_hierarchies); do
		own=$(cgroup_path self "$h")
		own=${own%/}
		remove_cgroup_tree "$h" "$TEST_CG"
		remove_cgroup_tree "$h" "/edgerun-test/$CG_ID"
		remove_cgroup_tree "$h" "$own/$TEST_CG_REL"
		for d in "$(cgroup_path_dir "$h" "$own")/$CG_ID"*; do
			[[ -d "$d" ]] && remove_cgroup_tree "$h" "$own/${d##*/}"
		done
		# /edgerun-test itself stays: another test running at the same time may be
		# about to use it (removing it when empty raced with such a test)
	done
	return 0
}
