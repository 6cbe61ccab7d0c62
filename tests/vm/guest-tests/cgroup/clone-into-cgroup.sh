#!/bin/sh
# shellcheck shell=dash
# On cgroup v2 the container's init is cloned straight into its cgroup (clone3 with
# CLONE_INTO_CGROUP): `create --debug` says so and does not move it afterwards, and right
# after create (before start) the init is in the container's cgroup; inside, with its own
# cgroup namespace, that cgroup is the root.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

cg_bundle clone '.process.args = ["cat", "/proc/self/cgroup"]
	| .linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])'
remove_at_exit edgerun clone
rt edgerun --debug create --bundle clone clone </dev/null >clone.log 2>clone.debug ||
	{ cat clone.log clone.debug; fail "edgerun create"; }
grep -i 'clone\|cgroup' clone.debug
pid=$(ctr_pid edgerun clone)
grep -q "init pid $pid cloned into its cgroup (CLONE_INTO_CGROUP)" clone.debug ||
	fail "create --debug does not say the init was cloned into its cgroup"
grep -q "moved into its cgroup" clone.debug && fail "the init was moved into its cgroup"
check_eq "$(cat "/proc/$pid/cgroup")" "0::/vmtest/clone" "/proc/$pid/cgroup after create"
check_eq "$(cat /sys/fs/cgroup/vmtest/clone/cgroup.procs)" "$pid" "processes of the cgroup"

rt edgerun start clone || fail "edgerun start"
wait_for 10 ctr_stopped edgerun clone || fail "the container did not stop"
cat clone.log
check_eq "$(cat clone.log)" "0::/" "/proc/self/cgroup in the container"
rt edgerun delete clone || fail "edgerun delete"
cg_gone /sys/fs/cgroup/vmtest/clone
