#!/bin/sh
# shellcheck shell=dash
# create, start, state, kill and delete of a detached container under edgerun in the guest.
# shellcheck source-path=SCRIPTDIR source=../guest-lib.sh
. "$VMTEST_LIB"

make_bundle bundle '.process.args = ["sleep", "60"]'
rt edgerun create --bundle bundle vmtest-life </dev/null >life.log 2>&1 ||
	{ cat life.log; fail "edgerun create"; }
check_eq "$(ctr_status edgerun vmtest-life)" created "status after create"
rt edgerun start vmtest-life || fail "edgerun start"
check_eq "$(ctr_status edgerun vmtest-life)" running "status after start"
pid=$(ctr_pid edgerun vmtest-life)
check_eq "$(cat "/proc/$pid/comm")" sleep "command of the container's pid $pid"
echo "container pid $pid in $(cgroup_of "$pid")"
ctr_remove edgerun vmtest-life
[ ! -d "/proc/$pid" ] || fail "pid $pid still alive after kill and delete"
