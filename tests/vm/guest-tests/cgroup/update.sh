#!/bin/sh
# shellcheck shell=dash
# `edgerun update` changes the limits of a running container in its cgroup v2 files, from
# runc's flags and from --resources, with the same mappings as create.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

has_verb update || skip "edgerun has no update command yet"

cg_start update '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 20},
	"cpu": {"shares": 1024, "quota": 50000, "period": 100000}}
	| .process.args = ["sleep", "100"]'
cg_check memory.max 67108864
cg_check pids.max 20

rt edgerun update --memory 32m --memory-swap 64m --pids-limit 10 --cpu-quota 30000 \
	--cpu-period 200000 --cpu-shares 512 --blkio-weight 300 --cpuset-cpus 0 update ||
	fail "edgerun update (flags)"
cg_check memory.max 33554432
cg_check memory.swap.max 33554432
cg_check pids.max 10
cg_check cpu.max "30000 200000"
cg_check cpu.weight 20
cg_check io.weight "default $((1 + (300 - 10) * 9999 / 990))"
cg_check cpuset.cpus 0

echo '{"memory": {"limit": 50331648, "reservation": 8388608}, "pids": {"limit": 15},
	"cpu": {"quota": 40000}}' >res.json
rt edgerun update --resources res.json update || fail "edgerun update --resources FILE"
cg_check memory.max 50331648
cg_check memory.low 8388608
cg_check pids.max 15
cg_check cpu.max "40000 200000"
# Values not in the update stay.
cg_check cpu.weight 20

echo '{"pids": {"limit": 12}}' | rt edgerun update --resources - update ||
	fail "edgerun update --resources -"
cg_check pids.max 12

# A value the kernel refuses is an error naming the file, and nothing else changes.
if rt edgerun update --cpuset-cpus 63 update 2>bad.log; then
	fail "update to cpuset.cpus 63 succeeded on a $(nproc)-cpu guest"
fi
cat bad.log
grep -q cpuset bad.log || fail "the error does not name cpuset"
cg_check cpuset.cpus 0
ctr_remove edgerun update
cg_gone "$CG"
