#!/bin/sh
# shellcheck shell=dash
# linux.resources.cpu.cpus/mems -> cpuset.cpus/cpuset.mems, and the container's process may
# run only on those cpus.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

[ "$(nproc)" -ge 2 ] || skip "the guest has a single cpu"
cg_create cpuset '.linux.resources.cpu = {"cpus": "1", "mems": "0"}
	| .process.args = ["grep", "Cpus_allowed_list", "/proc/self/status"]'
cg_check cpuset.cpus 1
cg_check cpuset.mems 0
cg_check cpuset.cpus.effective 1
rt edgerun start cpuset || fail "edgerun start cpuset"
wait_for 10 ctr_stopped edgerun cpuset || fail "the container did not stop"
# The container's stdout is the one of `edgerun create`: ./cpuset.log.
cat cpuset.log
grep -q 'Cpus_allowed_list:[[:space:]]*1$' cpuset.log ||
	fail "the container's process may run on other cpus than 1"
rt edgerun delete cpuset || fail "edgerun delete cpuset"
cg_gone "$CG"
