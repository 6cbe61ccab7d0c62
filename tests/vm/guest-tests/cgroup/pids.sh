#!/bin/sh
# shellcheck shell=dash
# linux.resources.pids.limit -> pids.max, and a fork loop in the container stops there:
# the container's processes reach the limit and no more, pids.events counts the refusals.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

# The inner shell forks sleeps until a fork fails (busybox sh then exits); the outer one
# records that and becomes a sleep itself, so the container keeps running.
cg_start pids '.linux.resources.pids.limit = 8
	| .process.args = ["sh", "-c",
		"sh -c \"while :; do sleep 100 & done\" 2>/tmp/forkloop.err
		echo $? >/tmp/forkloop
		exec sleep 100"]'
cg_check pids.max 8
wait_for 60 test -s pids/rootfs/tmp/forkloop || fail "the fork loop did not stop"
cat pids/rootfs/tmp/forkloop.err
echo "fork loop ended with status $(cat pids/rootfs/tmp/forkloop)"
# At the limit: the outer shell, the inner one and 6 sleeps; the inner shell has exited since.
cg_check pids.current 7
echo "pids.events: $(cat "$CG/pids.events")"
refused=$(cg_key pids.events max)
[ "${refused:-0}" -ge 1 ] || fail "pids.events counts no refused fork"
check_eq "$(ctr_status edgerun pids)" running "status of the container"
check_eq "$(wc -l <"$CG/cgroup.procs")" 7 "processes in $CG"
ctr_remove edgerun pids
cg_gone "$CG"
