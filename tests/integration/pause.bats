#!/usr/bin/env bats
# `pause` and `resume`: the freezer stops every process of the container, `state` says
# paused, and resume lets them go on; errors for containers in the wrong state.

load helpers

function setup() {
	setup_cgroups
	CG_ID=test_pause_${TESTDIR##*.}
}

function teardown() {
	teardown_cgroups
}

# A container whose init counts in /tmp/count (the rootfs is writable), 20 times a second.
function start_counter() {
	set_args sh -c 'i=0; while true; do i=$((i + 1)); echo $i >/tmp/count; sleep 0.05; done'
	erun -0 run -d "$1"
	retry 100 0.1 test -s "$ROOTFS/tmp/count"
}

function count() {
	cat "$ROOTFS/tmp/count"
}

# count_passes N: the counter went past N
function count_passes() {
	local c
	c=$(count)
	[[ -n "$c" && "$c" -gt "$1" ]]
}

# The init and its children, host pids.
function init_and_children() {
	local pid
	pid=$(container_pid "$1")
	echo "$pid"
	cat "/proc/$pid/task/"*/children
}

@test "pause freezes every process; state says paused; resume lets them go on" {
	start_counter "$CG_ID"
	run -0 edgerun pause "$CG_ID"
	[[ "$(container_status "$CG_ID")" == paused ]]
	local before p st
	before=$(count)
	sleep 0.5
	[[ "$(count)" == "$before" ]] || fail "the counter moved while paused: $before -> $(count)"
	if [[ -n "$(cgroup_mount freezer)" ]]; then
		# frozen by the v1 freezer: uninterruptible (D) or stopped (T), never running or sleeping
		for p in $(init_and_children "$CG_ID"); do
			st=$(awk '$1 == "State:" { print $2 }' "/proc/$p/status")
			[[ "$st" == D || "$st" == T ]] || fail "pid $p is in state $st while paused"
		done
	fi
	run -0 edgerun resume "$CG_ID"
	[[ "$(container_status "$CG_ID")" == running ]]
	before=$(count)
	retry 50 0.1 count_passes "${before:-0}"
}

@test "pause twice fails (not running), resume twice fails (not paused)" {
	start_counter "$CG_ID"
	run -0 edgerun pause "$CG_ID"
	run -1 edgerun pause "$CG_ID"
	[[ "$output" == *"not running"* ]]
	[[ "$(container_status "$CG_ID")" == paused ]]
	run -0 edgerun resume "$CG_ID"
	run -1 edgerun resume "$CG_ID"
	[[ "$output" == *"not paused"* ]]
	[[ "$(container_status "$CG_ID")" == running ]]
}

@test "resume of a running container fails and leaves it running" {
	start_counter "$CG_ID"
	run -1 edgerun resume "$CG_ID"
	[[ "$output" == *"container not paused"* ]]
	[[ "$(container_status "$CG_ID")" == running ]]
}

@test "pause of a stopped container fails" {
	set_args true
	erun -0 run -d "$CG_ID"
	wait_for_status "$CG_ID" stopped
	run -1 edgerun pause "$CG_ID"
	[[ "$output" == *"container not running"* ]]
	[[ "$(container_status "$CG_ID")" == stopped ]]
}

@test "pause and resume of a missing container fail" {
	run -1 edgerun pause test_pause_missing
	[[ "$output" == *"does not exist"* ]]
	run -1 edgerun resume test_pause_missing
	[[ "$output" == *"does not exist"* ]]
}

@test "pause needs exactly one argument" {
	run -1 edgerun pause
	[[ "$output" == *"Incorrect Usage"* ]]
	run -1 edgerun resume a b
	[[ "$output" == *"Incorrect Usage"* ]]
}

@test "a created container can be paused and resumed, and then started" {
	set_args sh -c 'echo started >/tmp/started; sleep 3600'
	erun -0 create "$CG_ID"
	run -0 edgerun pause "$CG_ID"
	[[ "$(container_status "$CG_ID")" == paused ]]
	run -0 edgerun resume "$CG_ID"
	[[ "$(container_status "$CG_ID")" == created ]]
	run -0 edgerun start "$CG_ID"
	retry 100 0.1 test -e "$ROOTFS/tmp/started"
}

@test "delete --force removes a paused container and its processes" {
	start_counter "$CG_ID"
	local pid
	pid=$(container_pid "$CG_ID")
	run -0 edgerun pause "$CG_ID"
	run -0 edgerun delete --force "$CG_ID"
	run ! edgerun state "$CG_ID"
	retry 100 0.1 test ! -e "/proc/$pid/root"
}

@test "kill KILL of a paused container stops it (the cgroup is thawed, as runc does)" {
	start_counter "$CG_ID"
	local pid
	pid=$(container_pid "$CG_ID")
	run -0 edgerun pause "$CG_ID"
	run -0 edgerun kill "$CG_ID" KILL
	wait_for_status "$CG_ID" stopped
	retry 100 0.1 test ! -e "/proc/$pid/root"
}
