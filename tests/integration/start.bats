#!/usr/bin/env bats
# `start`: releases a created container.

load helpers

@test "start runs the program and the container is running" {
	set_args sh -c 'echo started > /tmp/started; sleep 3600'
	erun -0 create test_start
	local pid
	pid=$(container_pid test_start)
	run -0 edgerun start test_start
	[[ "$(container_status test_start)" == running ]]
	[[ "$(container_pid test_start)" == "$pid" ]]
	retry 100 0.1 test -e "$ROOTFS/tmp/started"
}

@test "start a program that exits: the container ends stopped" {
	set_args true
	erun -0 create test_short
	run -0 edgerun start test_short
	wait_for_status test_short stopped
}

@test "start twice fails and leaves the running container alone" {
	erun -0 create test_twice
	run -0 edgerun start test_twice
	local pid
	pid=$(container_pid test_twice)
	run ! edgerun start test_twice
	[[ "$(container_status test_twice)" == running ]]
	[[ "$(container_pid test_twice)" == "$pid" ]]
}

@test "start a stopped container fails" {
	set_args true
	erun -0 create test_stopped
	run -0 edgerun start test_stopped
	wait_for_status test_stopped stopped
	run ! edgerun start test_stopped
	[[ "$(container_status test_stopped)" == stopped ]]
}

@test "start a container that does not exist fails" {
	run -1 edgerun start test_missing
	[[ "$output" == *"does not exist"* ]]
}

@test "start without an id fails" {
	run ! edgerun start
}
