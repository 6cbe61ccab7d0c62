#!/usr/bin/env bats
# A config that is applied in full runs without warnings: resource limits (cgroups) and
# seccomp profiles are enforced, not ignored with a message.

load helpers

@test "the default config (device rules only) runs without a warning" {
	set_args true
	run -0 edgerun run test_no_warn
	[[ -z "$output" ]]
}

@test "a resource limit is enforced without a warning" {
	update_config '.linux.resources.memory = {limit: 33554432}'
	set_args sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
	run -0 edgerun run test_res_nowarn
	[[ "$output" == 33554432 ]]
}

@test "a seccomp profile is enforced without a warning" {
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW"}'
	set_args sh -c 'grep ^Seccomp: /proc/self/status'
	run -0 edgerun run test_sec_nowarn
	[[ "$output" == *"Seccomp:"*2 ]]
}
