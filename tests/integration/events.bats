#!/usr/bin/env bats
# `events`: one statistics sample with --stats; otherwise a stream of samples every
# --interval and an "oom" event for each OOM kill, until the container stops.

load helpers

function setup() {
	setup_cgroups
	CG_ID=test_events_${TESTDIR##*.}
	EVENTS_PID=
}

function teardown() {
	if [[ -n "$EVENTS_PID" ]]; then
		kill "$EVENTS_PID" 2>/dev/null || true
		wait "$EVENTS_PID" 2>/dev/null || true
	fi
	teardown_cgroups
}

# start_events ARGS...: `edgerun events ARGS` in the background, its output in
# $TESTDIR/events; EVENTS_PID.
function start_events() {
	# the binary itself, not the edgerun function, so that $! is its pid
	"$EDGERUN" --root "$ROOT" events "$@" >"$TESTDIR/events" 2>"$TESTDIR/events.err" \
		</dev/null 3>&- &
	EVENTS_PID=$!
}

# wait_events: wait (bounded) for the background events to exit; $status is its status.
function wait_events() {
	local i
	for ((i = 0; i < 200; i++)); do
		kill -0 "$EVENTS_PID" 2>/dev/null || break
		sleep 0.1
	done
	status=0
	wait "$EVENTS_PID" || status=$?
	EVENTS_PID=
}

# events_lines TYPE: how many lines of the stream have .type == TYPE
function events_lines() {
	jq -s --arg t "$1" 'map(select(.type == $t)) | length' "$TESTDIR/events"
}

@test "events --stats prints one stats event as JSON, with memory usage and pids" {
	update_config '.linux.resources.memory.limit = 67108864'
	erun -0 run -d "$CG_ID"
	run -0 edgerun events --stats "$CG_ID"
	[[ "${#lines[@]}" -eq 1 ]]
	jq -e --arg id "$CG_ID" '.type == "stats" and .id == $id' <<<"$output"
	jq -e '.data.memory.usage.usage > 0' <<<"$output"
	jq -e '.data.memory.usage.limit == 67108864' <<<"$output"
	jq -e '.data.pids.current >= 1' <<<"$output"
	jq -e '.data.cpu.usage.total > 0' <<<"$output"
	jq -e '.data | has("blkio") and has("hugetlb")' <<<"$output"
}

@test "events --stats of a paused container works" {
	erun -0 run -d "$CG_ID"
	run -0 edgerun pause "$CG_ID"
	run -0 edgerun events --stats "$CG_ID"
	jq -e '.type == "stats" and .data.pids.current >= 1' <<<"$output"
}

@test "events prints a stats event every interval" {
	erun -0 run -d "$CG_ID"
	start_events --interval 300ms "$CG_ID"
	sleep 2
	kill -0 "$EVENTS_PID"
	kill "$EVENTS_PID"
	wait "$EVENTS_PID" || true
	EVENTS_PID=
	local n
	n=$(events_lines stats)
	[[ "$n" -ge 3 && "$n" -le 10 ]] || fail "$n stats events in 2s at a 300ms interval"
	[[ "$(jq -s 'length' "$TESTDIR/events")" -eq "$n" ]]
}

@test "events reports an oom event when a memory hog is OOM-killed, then ends" {
	update_config '.linux.resources.memory.limit = 16777216'
	if [[ -e "$(cgroup_path_dir memory "$(cgroup_path self memory)")/memory.memsw.limit_in_bytes" ]]; then
		# no swapping out of the way: memory+swap at the same limit
		update_config '.linux.resources.memory.swap = 16777216'
	fi
	set_args tail /dev/zero
	erun -0 create "$CG_ID"
	start_events --interval 1s "$CG_ID"
	sleep 0.3
	run -0 edgerun start "$CG_ID"
	wait_for_status "$CG_ID" stopped
	if is_runc; then
		# runc's stream goes on until the cgroup is removed
		retry 50 0.1 grep -q '"oom"' "$TESTDIR/events"
		run -0 edgerun delete "$CG_ID"
	fi
	wait_events
	[[ "$status" -eq 0 ]] || fail "events exited $status: $(cat "$TESTDIR/events.err")"
	[[ "$(events_lines oom)" -ge 1 ]] || fail "no oom event: $(cat "$TESTDIR/events")"
	jq -s -e --arg id "$CG_ID" 'map(select(.type == "oom")) | all(.id == $id)' "$TESTDIR/events"
}

@test "events ends with status 0 when the container stops" {
	skip_if_runc "runc's stream goes on until the cgroup is removed"
	erun -0 run -d "$CG_ID"
	start_events --interval 10s "$CG_ID"
	sleep 0.3
	run -0 edgerun kill "$CG_ID" KILL
	wait_events
	[[ "$status" -eq 0 ]]
	[[ "$(events_lines oom)" -eq 0 ]]
}

@test "events ends with status 0 when the container is deleted" {
	erun -0 run -d "$CG_ID"
	start_events --interval 10s "$CG_ID"
	sleep 0.3
	# the stream does not hold the container's lock
	run -0 edgerun delete --force "$CG_ID"
	wait_events
	[[ "$status" -eq 0 ]]
}

@test "events does not block other commands on the container" {
	erun -0 run -d "$CG_ID"
	start_events --interval 10s "$CG_ID"
	sleep 0.3
	run -0 timeout 10 "$EDGERUN" --root "$ROOT" pause "$CG_ID"
	run -0 timeout 10 "$EDGERUN" --root "$ROOT" resume "$CG_ID"
	run -0 timeout 10 "$EDGERUN" --root "$ROOT" state "$CG_ID"
	kill -0 "$EVENTS_PID"
}

@test "events of a stopped or missing container fails" {
	set_args true
	erun -0 run -d "$CG_ID"
	wait_for_status "$CG_ID" stopped
	run -1 edgerun events --stats "$CG_ID"
	[[ "$output" == *"not running"* ]]
	run -1 edgerun events "$CG_ID"
	[[ "$output" == *"not running"* ]]
	run -1 edgerun events --stats test_events_missing
	[[ "$output" == *"does not exist"* ]]
}

@test "events --interval takes Go durations and refuses bad ones" {
	erun -0 run -d "$CG_ID"
	local d
	for d in 1s 500ms 1m 1m30s 1.5s 2h; do
		run -0 edgerun events --stats --interval "$d" "$CG_ID"
	done
	for d in 0 -1s abc 5 1x 1.s.; do
		run -1 edgerun events --stats --interval "$d" "$CG_ID"
		[[ "$output" == *interval* ]] || fail "--interval $d: unclear error: $output"
	done
}
