#!/usr/bin/env bats
# `state`: OCI state JSON plus runc's extra fields.

load helpers

@test "state of a created container" {
	update_config '.annotations = {"org.example.key": "value"}'
	erun -0 create test_state
	run -0 edgerun state test_state
	local st=$output
	jq -e '.id == "test_state" and .status == "created"' <<<"$st"
	jq -e '.pid > 0' <<<"$st"
	jq -e --arg b "$BUNDLE" '.bundle == $b' <<<"$st"
	jq -e --arg r "$ROOTFS" '.rootfs == $r' <<<"$st"
	jq -e '.ociVersion | test("^[0-9]+\\.[0-9]+\\.[0-9]+")' <<<"$st"
	jq -e '.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")' <<<"$st"
	jq -e '.owner == ""' <<<"$st"
	jq -e '.annotations["org.example.key"] == "value"' <<<"$st"
	kill -0 "$(jq -r .pid <<<"$st")"
}

@test "state of a running container" {
	erun -0 create test_running
	run -0 edgerun start test_running
	run -0 edgerun state test_running
	jq -e '.status == "running" and .pid > 0' <<<"$output"
	[[ "$(readlink "/proc/$(jq -r .pid <<<"$output")/root")" != "" ]]
}

@test "state of a container whose program exited is stopped, pid 0" {
	set_args true
	erun -0 run -d test_stopped
	wait_for_status test_stopped stopped
	run -0 edgerun state test_stopped
	jq -e '.status == "stopped" and .pid == 0' <<<"$output"
}

@test "state of a container killed from outside is stopped" {
	erun -0 run -d test_killed
	local pid
	pid=$(container_pid test_killed)
	kill -9 "$pid"
	wait_for_status test_killed stopped
}

@test "state: a stopped container whose pid was reused stays stopped" {
	requires cc
	set_args true
	erun -0 create test_reuse
	local pid
	pid=$(container_pid test_reuse)
	run -0 edgerun start test_reuse
	wait_for_status test_reuse stopped
	# wait until the old init is reaped and its pid free
	retry 100 0.1 test ! -e "/proc/$pid"
	# an unrelated process gets the pid (tests/helpers/spawnpid.c: clone3 with set_tid)
	retry 50 0.1 "$CACHE_DIR/spawnpid" "$pid" sleep 3600
	local impostor=$output
	[[ "$impostor" == "$pid" ]]
	run -0 edgerun state test_reuse
	jq -e '.status == "stopped"' <<<"$output"
	# kill and delete must leave the unrelated process alone
	run ! edgerun kill test_reuse KILL
	run -0 edgerun delete test_reuse
	kill -0 "$impostor"
	kill "$impostor"
}

@test "state of a container that does not exist fails" {
	run -1 edgerun state test_missing
	[[ "$output" == *"does not exist"* ]]
}

@test "state without an id fails" {
	run ! edgerun state
}
