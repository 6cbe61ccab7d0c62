#!/bin/sh
# shellcheck shell=dash
# delete leaves no cgroup directory behind: after a container that never started, one that
# exited by itself, `run`, a nested cgroupsPath (the parents stay, as with runc) and the
# default path (no cgroupsPath: the id, under our own cgroup).
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

cg_create del-created '.process.args = ["true"]'
[ -d "$CG" ] || fail "no cgroup $CG after create"
rt edgerun delete del-created || fail "delete of a created container"
cg_gone "$CG"

cg_start del-exited '.process.args = ["true"]'
wait_for 10 ctr_stopped edgerun del-exited || fail "the container did not stop"
[ -d "$CG" ] || fail "the cgroup $CG went away before delete"
rt edgerun delete del-exited || fail "delete of a stopped container"
cg_gone "$CG"

cg_bundle del-run '.process.args = ["sh", "-c", "sleep 0.2 & exit 0"]'
rt edgerun run --bundle del-run del-run </dev/null || fail "edgerun run"
cg_gone /sys/fs/cgroup/vmtest/del-run

make_bundle nested '.process.args = ["sleep", "100"] | .linux.cgroupsPath = "/vmtest/a/b/ctr"'
remove_at_exit edgerun nested
ctr_start edgerun nested nested
check_eq "$(cgroup_of "$(ctr_pid edgerun nested)")" /sys/fs/cgroup/vmtest/a/b/ctr "cgroup"
ctr_remove edgerun nested
cg_gone /sys/fs/cgroup/vmtest/a/b/ctr
[ -d /sys/fs/cgroup/vmtest/a/b ] || echo "note: delete removed the parent cgroups too"
rmdir /sys/fs/cgroup/vmtest/a/b /sys/fs/cgroup/vmtest/a 2>/dev/null

make_bundle default '.process.args = ["sleep", "100"] | del(.linux.cgroupsPath)'
remove_at_exit edgerun del-default
ctr_start edgerun del-default default
cg=$(cgroup_of "$(ctr_pid edgerun del-default)")
echo "default cgroup: $cg"
case "$cg" in
*/del-default) ;;
*) fail "the default cgroup path $cg does not end in the container's id" ;;
esac
ctr_remove edgerun del-default
cg_gone "$cg"
