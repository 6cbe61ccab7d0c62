#!/usr/bin/env bats
# linux.namespaces: new or the host's for each type, joined by path; time namespace offsets.

load helpers

# OCI namespace type -> /proc/PID/ns file name
declare -gA NSFILE=([pid]=pid [network]=net [ipc]=ipc [uts]=uts [mount]=mnt [cgroup]=cgroup [user]=user [time]=time)

# same_ns PID1 PID2 TYPE: both processes are in the same namespace of OCI type TYPE.
function same_ns() {
	local f=${NSFILE[$3]} a b
	a=$(nsid "$1" "$f") && b=$(nsid "$2" "$f") || fail "cannot read the $3 namespace of $1 or $2"
	[[ -n "$a" && "$a" == "$b" ]]
}

@test "each namespace type can be new" {
	requires cgroupns
	set_namespace cgroup
	erun -0 run -d test_newns
	local pid t
	pid=$(container_pid test_newns)
	for t in pid network ipc uts mount cgroup; do
		! same_ns "$pid" $$ "$t" || fail "$t namespace is the host's"
	done
	# not asked for: the host's user namespace
	same_ns "$pid" $$ user
}

@test "each namespace type left out is the host's" {
	local t pid
	for t in pid network ipc uts cgroup; do
		setup_bundle_config_again
		drop_namespace "$t"
		[[ "$t" == uts ]] && update_config 'del(.hostname)'
		erun -0 run -d "test_host_$t"
		pid=$(container_pid "test_host_$t")
		same_ns "$pid" $$ "$t" || fail "$t namespace is not the host's"
		run -0 edgerun delete --force "test_host_$t"
	done
}

# Restore the base config.json (a loop in one test that edits it several times).
function setup_bundle_config_again() {
	cp "$CACHE_DIR/config.json" "$BUNDLE/config.json"
}

@test "a container in the host pid namespace sees the host's processes" {
	drop_namespace pid
	set_args sh -c 'echo $$; ls -d /proc/[0-9]* | wc -l'
	run -0 edgerun run test_hostpid
	[[ "${lines[0]}" -gt 1 ]]
	[[ "${lines[1]}" -gt 5 ]]
}

@test "in a new pid namespace the program is pid 1" {
	set_args sh -c 'echo $$'
	run -0 edgerun run test_pid1
	[[ "$output" == 1 ]]
}

@test "a new network namespace has only a loopback device" {
	set_args ls /sys/class/net
	run -0 edgerun run test_netns
	[[ "$output" == lo ]]
}

@test "namespaces are joined by path" {
	requires cgroupns
	set_namespace cgroup
	erun -0 run -d test_first
	local first
	first=$(container_pid test_first)
	local t
	for t in network ipc uts pid cgroup; do
		set_namespace "$t" "/proc/$first/ns/${NSFILE[$t]}"
	done
	update_config 'del(.hostname)'
	erun -0 run -d test_joiner
	local joiner
	joiner=$(container_pid test_joiner)
	for t in network ipc uts pid cgroup; do
		same_ns "$joiner" "$first" "$t" || fail "$t namespace not joined"
	done
	# a new mount namespace of its own
	! same_ns "$joiner" "$first" mount || fail "mount namespace shared"
}

@test "joining the pid namespace of a running container: both see each other" {
	set_args sh -c 'echo first > /tmp/first; sleep 3600'
	erun -0 run -d test_pidA
	local first
	first=$(container_pid test_pidA)
	set_namespace pid "/proc/$first/ns/pid"
	set_args sh -c 'ls -d /proc/[0-9]* | wc -l; echo $$'
	run -0 edgerun run test_pidB
	[[ "${lines[0]}" -ge 2 ]]
	[[ "${lines[1]}" != 1 ]]
}

@test "joining a namespace path that does not exist fails" {
	set_namespace network "$TESTDIR/no-such-ns"
	set_args true
	erun ! run test_nons
	[[ "$output" == *"$TESTDIR/no-such-ns"* ]]
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}

@test "joining a namespace file of another type fails" {
	erun -0 run -d test_other
	local pid
	pid=$(container_pid test_other)
	set_namespace network "/proc/$pid/ns/ipc"
	set_args true
	erun ! run test_wrongtype
	run ! edgerun state test_wrongtype
}

@test "time namespace offsets" {
	requires timens
	skip_if_runc "runc 1.1 has no time namespaces"
	set_namespace time
	update_config '.linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}, "boottime": {"secs": 172800, "nanosecs": 500}}'
	set_args sh -c 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
	run -0 edgerun run test_timens
	[[ "$output" =~ monotonic\ +86400\ +0 ]]
	[[ "$output" =~ boottime\ +172800\ +500 ]]
	[[ "${lines[-1]}" -ge 172800 ]]
}

@test "a new time namespace without offsets" {
	requires timens
	skip_if_runc "runc 1.1 has no time namespaces"
	set_namespace time
	erun -0 run -d test_timens2
	local pid
	pid=$(container_pid test_timens2)
	! same_ns "$pid" $$ time || fail "time namespace is the host's"
}

@test "timeOffsets without a time namespace is refused" {
	requires timens
	skip_if_runc "runc 1.1 has no time namespaces"
	update_config '.linux.timeOffsets = {"monotonic": {"secs": 10, "nanosecs": 0}}'
	set_args true
	erun ! run test_notimens
	[[ "$output" == *time* ]]
}
