#!/bin/sh
# shellcheck shell=dash
# The controllers a runtime needs are enabled at the root, a child cgroup has their files,
# and the cgroup core features of the issue work: limits, cgroup.freeze, cgroup.kill.
# shellcheck source-path=SCRIPTDIR source=../guest-lib.sh
. "$VMTEST_LIB"

enabled=" $(cat /sys/fs/cgroup/cgroup.subtree_control) "
echo "enabled:$enabled"
for c in cpu cpuset io memory pids hugetlb; do
	case "$enabled" in *" $c "*) ;; *) fail "controller $c is not enabled at the root" ;; esac
done

cg=/sys/fs/cgroup/vmtest-probe
mkdir "$cg" || fail "mkdir $cg"
for f in cpu.max cpu.weight cpuset.cpus cpuset.mems io.max io.weight memory.max memory.low \
	memory.swap.max memory.events pids.max hugetlb.2MB.max cgroup.freeze cgroup.kill; do
	[ -e "$cg/$f" ] || fail "$cg has no $f"
done
echo 32M >"$cg/memory.max" || fail "write memory.max"
check_eq "$(cat "$cg/memory.max")" 33554432 "memory.max"
echo "50000 100000" >"$cg/cpu.max" || fail "write cpu.max"
check_eq "$(cat "$cg/cpu.max")" "50000 100000" "cpu.max"
echo 10 >"$cg/pids.max" || fail "write pids.max"

sleep 60 &
pid=$!
echo "$pid" >"$cg/cgroup.procs" || fail "move $pid into $cg"
check_eq "$(cgroup_of "$pid")" "$cg" "cgroup of $pid"

frozen() { grep -qx "frozen $1" "$cg/cgroup.events"; }
echo 1 >"$cg/cgroup.freeze"
wait_for 10 frozen 1 || fail "cgroup.freeze did not freeze $cg"
echo 0 >"$cg/cgroup.freeze"
wait_for 10 frozen 0 || fail "cgroup.freeze did not thaw $cg"

echo 1 >"$cg/cgroup.kill"
wait "$pid"
check_eq "$?" 137 "exit status of the process killed through cgroup.kill"
populated() { grep -qx "populated $1" "$cg/cgroup.events"; }
wait_for 10 populated 0 || fail "$cg still populated after cgroup.kill"
rmdir "$cg" || fail "rmdir $cg"
