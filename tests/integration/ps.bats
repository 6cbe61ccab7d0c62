#!/usr/bin/env bats
# `ps`: the container's processes, as a pid array (json) or ps(1)'s table cut down to them.

load helpers

function setup() {
	setup_cgroups
	CG_ID=test_ps_${TESTDIR##*.}
}

function teardown() {
	teardown_cgroups
}

# A container of three processes: the init shell and two sleeps.
function start_three() {
	set_args sh -c 'sleep 3600 & sleep 3600 & echo ready >/tmp/ready; wait'
	erun -0 run -d "$CG_ID"
	retry 100 0.1 test -e "$ROOTFS/tmp/ready"
}

# The pids of the container's cgroup (memory hierarchy, or the cgroup2 tree), sorted.
function cgroup_pids() {
	local h=memory
	[[ -n "$(cgroup_mount memory)" ]] || h=unified
	cgroup_file "$CG_ID" "$h" cgroup.procs | sort -n
}

@test "ps --format json lists exactly the pids of the container's cgroup" {
	start_three
	run -0 edgerun ps --format json "$CG_ID"
	# compact, as runc prints it
	[[ "$output" =~ ^\[[0-9]+(,[0-9]+)*\]$ ]] || fail "not a compact pid array: $output"
	local got want
	got=$(jq -r '.[]' <<<"$output" | sort -n)
	want=$(cgroup_pids)
	[[ "$got" == "$want" ]] || fail "ps: $got; cgroup.procs: $want"
	[[ "$(wc -l <<<"$got")" -eq 3 ]]
	jq -e --argjson p "$(container_pid "$CG_ID")" 'index($p) != null' <<<"$output"
}

@test "ps -f json of a created container lists its init" {
	erun -0 create "$CG_ID"
	run -0 edgerun ps -f json "$CG_ID"
	[[ "$output" == "[$(container_pid "$CG_ID")]" ]]
}

@test "ps: the table has ps's header and a line for each process, the init's among them" {
	start_three
	local pid
	pid=$(container_pid "$CG_ID")
	run -0 edgerun ps "$CG_ID"
	[[ "${lines[0]}" =~ ^UID\ +PID\ +PPID ]] || fail "no ps -ef header: ${lines[0]}"
	[[ "${#lines[@]}" -eq 4 ]] || fail "expected the header and 3 processes"
	printf '%s\n' "${lines[@]:1}" | awk -v p="$pid" '$2 == p { found = 1 } END { exit !found }'
	# every line is one of the container's processes, nothing of the host
	local got
	got=$(printf '%s\n' "${lines[@]:1}" | awk '{ print $2 }' | sort -n)
	[[ "$got" == "$(cgroup_pids)" ]]
}

@test "ps ID -- ARGS passes ARGS to ps(1)" {
	skip_if_runc "runc 1.1 passes the -- to ps too"
	start_three
	run -0 edgerun ps "$CG_ID" -- -o pid,comm
	[[ "${lines[0]}" =~ ^\ *PID\ +COMMAND$ ]] || fail "header: ${lines[0]}"
	[[ "${#lines[@]}" -eq 4 ]]
	[[ "$(printf '%s\n' "${lines[@]:1}" | awk '{ print $2 }' | sort | uniq -c | awk '{ print $1 $2 }' | sort | tr '\n' ' ')" == "1sh 2sleep " ]]
}

@test "ps ID ARGS: what follows the container id goes to ps(1), as in runc" {
	start_three
	run -0 edgerun ps "$CG_ID" -o pid,stat,comm
	[[ "${lines[0]}" =~ ^\ *PID\ +STAT\ +COMMAND$ ]] || fail "header: ${lines[0]}"
	[[ "${#lines[@]}" -eq 4 ]]
}

@test "ps with ps options that have no PID column fails" {
	start_three
	run -1 edgerun ps "$CG_ID" -o comm
	[[ "$output" == *"PID field"* ]]
}

@test "ps of a stopped container is a clean error" {
	skip_if_runc "runc prints an empty table"
	set_args true
	erun -0 run -d "$CG_ID"
	wait_for_status "$CG_ID" stopped
	run -1 edgerun ps "$CG_ID"
	[[ "$output" == *"not running"* ]]
	run -1 edgerun ps -f json "$CG_ID"
	[[ "$output" == *"not running"* ]]
}

@test "ps of a missing container fails" {
	run -1 edgerun ps test_ps_missing
	[[ "$output" == *"does not exist"* ]]
	run -1 edgerun ps
	[[ "$output" == *"Incorrect Usage"* ]]
}

@test "ps --format other than table or json fails" {
	start_three
	run -1 edgerun ps --format xml "$CG_ID"
	[[ "$output" == *"invalid format option"* ]]
}
