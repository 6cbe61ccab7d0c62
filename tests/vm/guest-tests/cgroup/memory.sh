#!/bin/sh
# shellcheck shell=dash
# linux.resources.memory on cgroup v2: limit -> memory.max, reservation -> memory.low,
# swap (memory+swap, as on v1) -> memory.swap.max = swap - limit, -1 -> max; delete removes
# the cgroup.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

memory_limit_test edgerun

cg_create mem-low '.linux.resources.memory = {"limit": 67108864, "reservation": 16777216,
	"swap": 100663296}'
cg_check memory.max 67108864
cg_check memory.low 16777216
cg_check memory.swap.max 33554432
rt edgerun delete mem-low || fail "edgerun delete mem-low"
cg_gone "$CG"

cg_create mem-unlimited-swap '.linux.resources.memory = {"limit": 33554432, "swap": -1}'
cg_check memory.max 33554432
cg_check memory.swap.max max
rt edgerun delete mem-unlimited-swap || fail "edgerun delete mem-unlimited-swap"
cg_gone "$CG"

# A swap limit below the memory limit is refused, naming the resource.
cg_bundle mem-bad '.linux.resources.memory = {"limit": 67108864, "swap": 33554432}'
remove_at_exit edgerun mem-bad
if rt edgerun create --bundle mem-bad mem-bad </dev/null >bad.log 2>&1; then
	fail "create with memory.swap < memory.limit succeeded"
fi
cat bad.log
grep -q 'swap' bad.log || fail "the error does not name the swap limit"
cg_gone /sys/fs/cgroup/vmtest/mem-bad
