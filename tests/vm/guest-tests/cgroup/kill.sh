#!/bin/sh
# shellcheck shell=dash
# `kill --all` and `delete --force` reach every process of the container's cgroup, through
# cgroup.kill for SIGKILL (--debug says so), sub-cgroups included; `kill --all TERM` signals
# each process; afterwards delete leaves no cgroup behind.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

# shellcheck disable=SC2317 # called through wait_for
populated() {
	grep -qx "populated $1" "$CG/cgroup.events"
}

# The init and two sleeps; one more sleep moved by us into a sub-cgroup of the container.
args='.process.args = ["sh", "-c", "sleep 100 & sleep 100 & wait"]'
cg_start kill-all "$args"
wait_for 10 cg_procs_at_least 3 || fail "the container did not start its sleeps"
mkdir "$CG/sub" || fail "mkdir $CG/sub"
escaped=$(grep -vx "$PID" "$CG/cgroup.procs" | head -n 1)
echo "$escaped" >"$CG/sub/cgroup.procs" || fail "move $escaped into $CG/sub"
echo "processes: $(cat "$CG/cgroup.procs") and $(cat "$CG/sub/cgroup.procs") in sub"
rt edgerun --debug kill --all kill-all KILL 2>kill.debug || { cat kill.debug; fail "kill --all"; }
cat kill.debug
grep -q 'cgroup.kill written' kill.debug || fail "kill --all KILL did not use cgroup.kill"
wait_for 10 populated 0 || fail "processes left after kill --all: $(cat "$CG/cgroup.procs")"
[ ! -d "/proc/$escaped" ] || fail "the process in the sub-cgroup ($escaped) survived"
wait_for 10 ctr_stopped edgerun kill-all || fail "the container is not stopped"
rt edgerun delete kill-all || fail "edgerun delete kill-all"
cg_gone "$CG"

# kill --all TERM: the sleeps die, so the init's wait returns and it exits (the init of a
# pid namespace ignores a TERM it has no handler for).
cg_start kill-term "$args"
wait_for 10 cg_procs_at_least 3 || fail "the container did not start its sleeps"
rt edgerun kill --all kill-term TERM || fail "kill --all TERM"
wait_for 10 ctr_stopped edgerun kill-term || fail "the container did not stop after kill --all TERM"
rt edgerun delete kill-term || fail "edgerun delete kill-term"
cg_gone "$CG"

# delete --force of a running container.
cg_start delete-force "$args"
wait_for 10 cg_procs_at_least 3 || fail "the container did not start its sleeps"
pids=$(cat "$CG/cgroup.procs")
rt edgerun --debug delete --force delete-force 2>delete.debug ||
	{ cat delete.debug; fail "delete --force"; }
grep -q 'cgroup.kill written' delete.debug ||
	{ cat delete.debug; fail "delete --force did not use cgroup.kill"; }
for p in $pids; do
	[ ! -d "/proc/$p" ] || fail "process $p survived delete --force"
done
cg_gone "$CG"
rt edgerun state delete-force >/dev/null 2>&1 && fail "delete-force still exists"
exit 0
