#!/usr/bin/env bats
# `run`: create + start; foreground waits and passes the exit status; --detach; --keep.

load helpers

@test "run prints the container's output and exits 0" {
	set_args echo "Hello from a container"
	run -0 edgerun run test_run
	[[ "$output" == "Hello from a container" ]]
}

@test "run passes the container's exit status through" {
	set_args sh -c 'exit 3'
	run -3 edgerun run test_exit
}

@test "run exits 128+signal when the container is killed" {
	set_args sleep 3600
	edgerun run test_sig 3>&- &
	local runpid=$!
	wait_for_status test_sig running
	edgerun kill test_sig KILL
	local rc=0
	wait "$runpid" || rc=$?
	[[ "$rc" -eq 137 ]]
}

@test "run forwards signals it receives to the container" {
	set_args sh -c 'trap "exit 42" TERM; echo ready > /tmp/ready; sleep 3600 & wait'
	# the runtime itself (not a subshell running the edgerun function) gets the signal
	"$EDGERUN" --root "$ROOT" run test_fwd 3>&- &
	local runpid=$!
	retry 100 0.1 test -e "$ROOTFS/tmp/ready"
	kill -TERM "$runpid"
	local rc=0
	wait "$runpid" || rc=$?
	[[ "$rc" -eq 42 ]]
}

@test "run without --keep deletes the container after it exits" {
	set_args true
	run -0 edgerun run test_gone
	run ! edgerun state test_gone
	[[ -z "$(ls -A "$ROOT")" ]]
}

@test "run --keep leaves the stopped container" {
	set_args sh -c 'exit 5'
	run -5 edgerun run --keep test_keep
	[[ "$(container_status test_keep)" == stopped ]]
	run -0 edgerun delete test_keep
	run ! edgerun state test_keep
}

@test "run --detach returns with the container running" {
	set_args sleep 3600
	erun -0 run --detach test_detach
	[[ "$(container_status test_detach)" == running ]]
	local pid
	pid=$(container_pid test_detach)
	kill -0 "$pid"
	erun -0 run -d test_detach2
	[[ "$(container_status test_detach2)" == running ]]
}

@test "run --detach of a short program ends stopped" {
	set_args true
	erun -0 run -d test_short
	wait_for_status test_short stopped
}

@test "run with --bundle from another directory" {
	set_args echo bundled
	cd "$TESTDIR"
	run -0 edgerun run --bundle "$BUNDLE" test_b
	[[ "$output" == bundled ]]
	run -0 edgerun run -b bundle test_b2
	[[ "$output" == bundled ]]
}

@test "run: container stdin is passed through" {
	set_args sh -c 'read line; echo "got $line"'
	run -0 edgerun run test_stdin <<<"hello"
	[[ "$output" == "got hello" ]]
}
