#!/usr/bin/env bats
# linux.sysctl

load helpers

@test "sysctl values are written in the container's namespaces" {
	local host_fwd
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	local want=$((1 - host_fwd))
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": $v, "kernel.msgmax": "4321", "net/ipv4/tcp_syncookies": "0"}' --arg v "$want"
	set_args cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax /proc/sys/net/ipv4/tcp_syncookies
	run -0 edgerun run test_sysctl
	[[ "${lines[0]}" == "$want" && "${lines[1]}" == 4321 && "${lines[2]}" == 0 ]]
	[[ "$(cat /proc/sys/net/ipv4/ip_forward)" == "$host_fwd" ]]
	[[ "$(cat /proc/sys/kernel/msgmax)" != 4321 ]]
}

@test "a network sysctl without a network namespace is refused" {
	drop_namespace network
	local host_fwd
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": $v}' --arg v "$((1 - host_fwd))"
	set_args true
	erun ! run test_hostnet
	[[ "$output" == *net.ipv4.ip_forward* ]]
	[[ "$(cat /proc/sys/net/ipv4/ip_forward)" == "$host_fwd" ]]
}

@test "an ipc sysctl without an ipc namespace is refused" {
	drop_namespace ipc
	update_config '.linux.sysctl = {"kernel.msgmax": "4321"}'
	set_args true
	erun ! run test_hostipc
	[[ "$output" == *kernel.msgmax* ]]
	[[ "$(cat /proc/sys/kernel/msgmax)" != 4321 ]]
}

@test "a sysctl that does not exist fails" {
	update_config '.linux.sysctl = {"net.ipv4.no_such_thing": "1"}'
	set_args true
	erun ! run test_nosysctl
	[[ "$output" == *no_such_thing* ]]
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}
