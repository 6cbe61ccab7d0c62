#!/bin/sh
# shellcheck shell=dash
# linux.resources.unified: each key is written to the cgroup v2 file of that name (after
# the mapped resources, so it wins over them); a key naming no file is an error that names
# it, and a key that is not a plain file name is refused.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

cg_create unified '.linux.resources.memory.limit = 67108864
	| .linux.resources.unified = {"memory.high": "33554432", "memory.max": "50331648",
		"pids.max": "7", "memory.oom.group": "1", "cpu.weight.nice": "5"}'
cg_check memory.high 33554432
cg_check memory.max 50331648
cg_check pids.max 7
cg_check memory.oom.group 1
cg_check cpu.weight.nice 5
rt edgerun delete unified || fail "edgerun delete unified"
cg_gone "$CG"

# bad_key ID KEY: create with unified {KEY: "1"} fails, names KEY, leaves no cgroup behind.
bad_key() {
	cg_bundle "$1" ".linux.resources.unified = {\"$2\": \"1\"}"
	remove_at_exit edgerun "$1"
	if rt edgerun create --bundle "$1" "$1" </dev/null >"$1.log" 2>&1; then
		fail "create with unified key \`$2' succeeded"
	fi
	cat "$1.log"
	grep -qF "$2" "$1.log" || fail "the error does not name the unified key \`$2'"
	cg_gone "/sys/fs/cgroup/vmtest/$1"
}
bad_key unified-nofile memory.no_such_file
bad_key unified-slash ../pids.max
bad_key unified-nodot cgroup
