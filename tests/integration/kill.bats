#!/usr/bin/env bats
# `kill`: signal names and numbers, default TERM, --all, errors.

load helpers

function setup() {
	setup_cgroups
}

function teardown() {
	teardown_cgroups
}

# A container whose init writes the name of each USR1/TERM it gets to /tmp/sig.
function start_trapper() {
	set_args sh -c 'trap "echo usr1 >> /tmp/sig" USR1; trap "echo term >> /tmp/sig; exit 0" TERM
		echo ready > /tmp/ready; while true; do sleep 3600 & wait; done'
	erun -0 run -d "$1"
	retry 100 0.1 test -e "$ROOTFS/tmp/ready"
}

function sig_count() {
	[[ "$(grep -c "^$1\$" "$ROOTFS/tmp/sig" 2>/dev/null)" -eq "$2" ]]
}

@test "kill without a signal sends TERM" {
	start_trapper test_term
	run -0 edgerun kill test_term
	retry 100 0.1 sig_count term 1
	wait_for_status test_term stopped
}

@test "kill accepts signal names with and without SIG, any case, and numbers" {
	start_trapper test_names
	local n=0 s
	for s in USR1 SIGUSR1 usr1 sigusr1 10; do
		run -0 edgerun kill test_names "$s"
		n=$((n + 1))
		retry 100 0.1 sig_count usr1 "$n"
	done
	run -0 edgerun kill test_names TERM
	wait_for_status test_names stopped
}

@test "kill KILL stops a running container" {
	erun -0 run -d test_kill
	local pid
	pid=$(container_pid test_kill)
	run -0 edgerun kill test_kill KILL
	wait_for_status test_kill stopped
	retry 100 0.1 test ! -e "/proc/$pid/root"
}

@test "kill a created container" {
	erun -0 create test_created
	run -0 edgerun kill test_created SIGKILL
	wait_for_status test_created stopped
}

@test "kill --all signals every process of the container" {
	# init (pid 1 of its namespace, no handler) ignores TERM; its children do not
	set_args sh -c 'sleep 3600 & sleep 3600 & wait'
	erun -0 run -d test_all
	local pid
	pid=$(container_pid test_all)
	run -0 edgerun kill test_all TERM
	sleep 0.5
	[[ "$(container_status test_all)" == running ]]
	run -0 edgerun kill --all test_all TERM
	wait_for_status test_all stopped
	retry 100 0.1 test ! -e "/proc/$pid/root"
}

@test "kill a stopped container fails" {
	set_args true
	erun -0 run -d test_stopped
	wait_for_status test_stopped stopped
	run ! edgerun kill test_stopped KILL
	[[ "$output" == *"not running"* ]]
}

@test "kill with an unknown signal fails and does not signal" {
	start_trapper test_badsig
	run ! edgerun kill test_badsig SIGNOPE
	run ! edgerun kill test_badsig 999
	[[ "$(container_status test_badsig)" == running ]]
	[[ ! -e "$ROOTFS/tmp/sig" ]]
}

@test "kill a container that does not exist fails" {
	run -1 edgerun kill test_missing KILL
	[[ "$output" == *"does not exist"* ]]
}

# start_escapers ID: a container without a pid namespace of its own whose init has a child
# and a daemonised grandchild (reparented away from the init): only the cgroup holds them all.
function start_escapers() {
	drop_namespace pid
	set_args sh -c '(sleep 3600 &); sleep 3600 & wait'
	erun -0 run -d "$1"
	retry 100 0.1 procs_left_are 3
}

@test "kill --all KILL reaches every process through the cgroup, without a pid namespace" {
	start_escapers "$CG_ID"
	local dirs d
	dirs=$(cgroup_dirs "$(container_pid "$CG_ID")")
	run -0 edgerun kill --all "$CG_ID" KILL
	retry 100 0.1 procs_left_are 0
	wait_for_status "$CG_ID" stopped
	run -0 edgerun delete "$CG_ID"
	for d in $dirs; do
		[[ "$d" == */"$CG_ID" ]] || fail "the container was not in a cgroup of its own: $d"
		[[ ! -e "$d" ]] || fail "\`$d' was left behind"
	done
}

@test "kill --all TERM reaches every process through the cgroup, without a pid namespace" {
	start_escapers "$CG_ID"
	run -0 edgerun kill --all "$CG_ID" TERM
	retry 100 0.1 procs_left_are 0
	wait_for_status "$CG_ID" stopped
}
