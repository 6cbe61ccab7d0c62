#!/usr/bin/env bats
# hostname and domainname (UTS namespace).

load helpers

@test "hostname and domainname are set in a new UTS namespace" {
	skip_if_runc "runc 1.1 ignores domainname"
	update_config '.hostname = "edge-box" | .domainname = "example.org"'
	set_args sh -c 'hostname; cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname'
	run -0 edgerun run test_uts
	[[ "${lines[0]}" == edge-box && "${lines[1]}" == edge-box && "${lines[2]}" == example.org ]]
	[[ "$(hostname)" != edge-box ]]
}

@test "hostname alone" {
	update_config '.hostname = "edge-box"'
	set_args hostname
	run -0 edgerun run test_hostname
	[[ "$output" == edge-box ]]
}

@test "without a hostname the new UTS namespace keeps the host's name" {
	update_config 'del(.hostname)'
	set_args hostname
	run -0 edgerun run test_nohost
	[[ "$output" == "$(hostname)" ]]
}

@test "a hostname without a private UTS namespace is refused" {
	drop_namespace uts
	update_config '.hostname = "nope"'
	set_args true
	erun ! run test_hostuts
	[[ "$output" == *UTS* || "$output" == *uts* ]]
	[[ "$(hostname)" != nope ]]
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}

@test "a domainname without a private UTS namespace is refused" {
	drop_namespace uts
	skip_if_runc "runc 1.1 ignores domainname"
	update_config 'del(.hostname) | .domainname = "nope.org"'
	set_args true
	erun ! run test_hostdomain
	[[ "$(cat /proc/sys/kernel/domainname)" != nope.org ]]
}
