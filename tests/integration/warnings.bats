#!/usr/bin/env bats
# Parts of the config that are parsed but not enforced yet (cgroups, seccomp) are never
# ignored silently: create says so. These tests go when enforcement lands.

load helpers

@test "a resource limit is not ignored silently: create warns that it is not enforced yet" {
	skip_if_runc "runc enforces linux.resources"
	update_config '.linux.resources.memory = {limit: 33554432}'
	set_args true
	run -0 edgerun run test_res_warn
	[[ "$output" == *"linux.resources is not enforced yet"* ]]
}

@test "a seccomp profile is not ignored silently: create warns that it is not enforced yet" {
	skip_if_runc "runc enforces linux.seccomp"
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW"}'
	set_args true
	run -0 edgerun run test_sec_warn
	[[ "$output" == *"linux.seccomp is not enforced yet"* ]]
}

@test "the default config (device rules only) runs without a warning" {
	set_args true
	run -0 edgerun run test_no_warn
	[[ -z "$output" ]]
}
