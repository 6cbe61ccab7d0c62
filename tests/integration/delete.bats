#!/usr/bin/env bats
# `delete`: stopped and created containers; running ones only with --force.

load helpers

function setup() {
	setup_cgroups
}

function teardown() {
	teardown_cgroups
}

# Host pids of every process in the pid namespace of host pid $1.
function pids_in_pidns() {
	local ns p
	ns=$(nsid "$1" pid)
	for p in /proc/[0-9]*; do
		[[ "$(readlink "$p/ns/pid" 2>/dev/null)" == "$ns" ]] && echo "${p#/proc/}"
	done
	return 0
}

@test "delete a stopped container removes it" {
	set_args true
	erun -0 run -d test_del
	wait_for_status test_del stopped
	run -0 edgerun delete test_del
	run -1 edgerun state test_del
	[[ ! -e "$ROOT/test_del" ]]
	run -0 edgerun list -q
	[[ -z "$output" ]]
}

@test "delete a created container without --force kills its waiting init" {
	erun -0 create test_created
	local pid
	pid=$(container_pid test_created)
	run -0 edgerun delete test_created
	run ! edgerun state test_created
	retry 100 0.1 test ! -e "/proc/$pid/root"
	[[ ! -e "$ROOT/test_created" ]]
}

@test "delete a running container without --force fails and leaves it running" {
	erun -0 run -d test_running
	run -1 edgerun delete test_running
	[[ "$output" == *running* ]]
	[[ "$(container_status test_running)" == running ]]
	kill -0 "$(container_pid test_running)"
}

@test "delete --force kills every process of a running container" {
	set_args sh -c 'sleep 3600 & sleep 3600 & wait'
	erun -0 run -d test_force
	local pid all p
	pid=$(container_pid test_force)
	retry 100 0.1 test "$(pids_in_pidns "$pid" | wc -l)" -eq 3
	all=$(pids_in_pidns "$pid")
	run -0 edgerun delete --force test_force
	run ! edgerun state test_force
	for p in $all; do
		retry 100 0.1 test ! -e "/proc/$p/root"
	done
	[[ ! -e "$ROOT/test_force" ]]
}

@test "delete -f of a stopped container works too" {
	set_args true
	erun -0 run -d test_f
	wait_for_status test_f stopped
	run -0 edgerun delete -f test_f
	run ! edgerun state test_f
}

@test "delete after the container's init was killed from outside" {
	erun -0 run -d test_abnormal
	kill -9 "$(container_pid test_abnormal)"
	wait_for_status test_abnormal stopped
	run -0 edgerun delete test_abnormal
	run ! edgerun state test_abnormal
}

@test "delete a container that does not exist fails" {
	run -1 edgerun delete test_missing
	[[ "$output" == *"does not exist"* ]]
}

@test "delete leaves the bundle alone" {
	set_args true
	erun -0 run -d test_bundle
	wait_for_status test_bundle stopped
	run -0 edgerun delete test_bundle
	[[ -f "$BUNDLE/config.json" && -x "$ROOTFS/bin/busybox" ]]
}

@test "delete --force kills every process through the cgroup, without a pid namespace" {
	drop_namespace pid
	# a daemonised grandchild is reparented away from the init: only the cgroup holds it
	set_args sh -c '(sleep 3600 &); sleep 3600 & wait'
	erun -0 run -d "$CG_ID"
	retry 100 0.1 procs_left_are 3
	local dirs d
	dirs=$(cgroup_dirs "$(container_pid "$CG_ID")")
	run -0 edgerun delete --force "$CG_ID"
	run ! edgerun state "$CG_ID"
	retry 100 0.1 procs_left_are 0
	for d in $dirs; do
		[[ "$d" == */"$CG_ID" ]] || fail "the container was not in a cgroup of its own: $d"
		[[ ! -e "$d" ]] || fail "\`$d' was left behind"
	done
}

@test "delete --force of a running container leaves no cgroup directory in any hierarchy" {
	set_args sh -c 'sleep 3600 & sleep 3600 & wait'
	erun -0 run -d "$CG_ID"
	local dirs d
	dirs=$(cgroup_dirs "$(container_pid "$CG_ID")")
	[[ "$(wc -l <<<"$dirs")" -eq "$(cgroup_hierarchies | wc -l)" ]]
	run -0 edgerun delete --force "$CG_ID"
	for d in $dirs; do
		[[ "$d" == */"$CG_ID" ]] || fail "the container was not in a cgroup of its own: $d"
		[[ ! -e "$d" ]] || fail "\`$d' was left behind"
	done
}

@test "delete of a created container leaves no cgroup directory in any hierarchy" {
	erun -0 create "$CG_ID"
	local dirs d
	dirs=$(cgroup_dirs "$(container_pid "$CG_ID")")
	run -0 edgerun delete "$CG_ID"
	for d in $dirs; do
		[[ "$d" == */"$CG_ID" ]] || fail "the container was not in a cgroup of its own: $d"
		[[ ! -e "$d" ]] || fail "\`$d' was left behind"
	done
}
