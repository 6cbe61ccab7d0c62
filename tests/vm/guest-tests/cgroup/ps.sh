#!/bin/sh
# shellcheck shell=dash
# `edgerun ps --format json` lists exactly the processes of the container's cgroup, and
# `edgerun ps` (table) runs ps on them.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

has_verb ps || skip "edgerun has no ps command yet"

cg_start ps '.process.args = ["sh", "-c", "sleep 100 & sleep 101 & wait"]'
wait_for 10 cg_procs_at_least 3 || fail "the sleeps did not start"
want=$(sort -n "$CG/cgroup.procs" | tr '\n' ' ')
got=$(rt edgerun ps --format json ps | jq -r '.[]' | sort -n | tr '\n' ' ') ||
	fail "edgerun ps --format json"
check_eq "$got" "$want" "pids of edgerun ps --format json"
rt edgerun ps ps >table.txt || fail "edgerun ps"
cat table.txt
check_eq "$(grep -cE ' sleep 10[01]$' table.txt)" 2 "sleeps in the table"
ctr_remove edgerun ps
cg_gone "$CG"
