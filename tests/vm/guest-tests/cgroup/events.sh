#!/bin/sh
# shellcheck shell=dash
# `edgerun events --stats` reads the container's cgroup v2 statistics in runc's format, and
# the `events` stream reports an `oom` event when the kernel OOM-kills in the container.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

has_verb events || skip "edgerun has no events command yet"

# The hog starts on a signal (a file) once `events` listens; the init survives it.
cg_start events '.linux.resources = {"memory": {"limit": 33554432, "swap": 33554432},
		"pids": {"limit": 50}}
	| .process.args = ["sh", "-c",
		"while [ ! -e /tmp/go ]; do sleep 0.1; done
		dd if=/dev/zero of=/dev/null bs=64M count=1
		exec sleep 100"]'

rt edgerun events --stats events >stats.json || fail "edgerun events --stats"
cat stats.json
# One jq for all (it is slow to start under TCG).
jq -r '.type, .id, .data.memory.usage.limit, .data.pids.limit, .data.pids.current,
	.data.memory.usage.usage, .data.cpu.usage.total' stats.json >stats.txt ||
	fail "the stats are not JSON"
{
	read -r type
	read -r id
	read -r mem_limit
	read -r pids_limit
	read -r pids
	read -r mem_usage
	read -r cpu
} <stats.txt
check_eq "$type" stats "type of the stats event"
check_eq "$id" events "id of the stats event"
check_eq "$mem_limit" 33554432 "memory limit in the stats"
check_eq "$pids_limit" 50 "pids limit in the stats"
[ "$pids" -ge 1 ] || fail "no pids counted in the stats"
[ "$mem_usage" -gt 0 ] || fail "no memory use in the stats"
[ "$cpu" -gt 0 ] || fail "no cpu use in the stats"

rt edgerun events --interval 1s events >stream.json 2>stream.err &
events_pid=$!
at_exit "kill $events_pid 2>/dev/null"
sleep 1
touch events/rootfs/tmp/go
saw_oom() {
	grep -q '"type": *"oom"' stream.json
}
wait_for 30 saw_oom || { cat stream.json stream.err; fail "no oom event"; }
echo "events: $(grep '"oom"' stream.json)"
echo "memory.events: $(tr '\n' ' ' <"$CG/memory.events")"
[ "$(cg_key memory.events oom_kill)" -ge 1 ] || fail "memory.events counts no oom_kill"
ctr_remove edgerun events
# The stream ends with the container (our child stays a zombie until waited for).
# shellcheck disable=SC2317 # called through wait_for
exited() {
	! grep -qs '^State:[[:space:]]*[RSDT]' "/proc/$1/status"
}
wait_for 10 exited "$events_pid" || fail "events did not end after the container"
cg_gone "$CG"
