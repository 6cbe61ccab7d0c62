#!/usr/bin/env bats
# `delete`: stopped and created containers; running ones only with --force.

load helpers

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
