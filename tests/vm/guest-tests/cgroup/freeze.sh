#!/bin/sh
# shellcheck shell=dash
# `edgerun pause` freezes the container through cgroup.freeze: state says paused, the
# cgroup is frozen and the container's counter stops; `resume` thaws it and the counter goes
# on. A paused container can be deleted with --force (cgroup.kill reaches frozen tasks).
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

{ has_verb pause && has_verb resume; } || skip "edgerun has no pause/resume commands yet"

# The container appends a line every 0.1 s (appending: a reader never sees a file that is
# being rewritten, even when the writer is frozen half-way).
count() {
	wc -l <freeze/rootfs/tmp/count
}
frozen() {
	grep -qx "frozen $1" "$CG/cgroup.events"
}

# shellcheck disable=SC2016 # the container's shell expands it
cg_start freeze '.process.args = ["sh", "-c",
	"i=0; while :; do i=$((i + 1)); echo $i >>/tmp/count; sleep 0.1; done"]'
wait_for 10 test -s freeze/rootfs/tmp/count || fail "the container's counter did not start"

rt edgerun pause freeze || fail "edgerun pause"
check_eq "$(ctr_status edgerun freeze)" paused "status after pause"
cg_check cgroup.freeze 1
frozen 1 || fail "cgroup.events does not say frozen 1 after pause"
c0=$(count)
sleep 1
c1=$(count)
check_eq "$c1" "$c0" "counter of the paused container after 1 s"
rt edgerun pause freeze 2>/dev/null && echo "note: pausing a paused container succeeds"

rt edgerun resume freeze || fail "edgerun resume"
check_eq "$(ctr_status edgerun freeze)" running "status after resume"
cg_check cgroup.freeze 0
frozen 0 || fail "cgroup.events does not say frozen 0 after resume"
# shellcheck disable=SC2317 # called through wait_for
counting() {
	[ "$(count)" -gt "$c1" ]
}
wait_for 10 counting || fail "the counter did not go on after resume"

rt edgerun pause freeze || fail "edgerun pause (2)"
pid=$(ctr_pid edgerun freeze)
rt edgerun delete --force freeze || fail "edgerun delete --force of a paused container"
wait_for 10 test ! -d "/proc/$pid" || fail "the init ($pid) survived delete --force"
cg_gone "$CG"
