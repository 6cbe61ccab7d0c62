#!/usr/bin/env bats
# cgroups: where the container's cgroup is made (linux.cgroupsPath), that the init is in it
# before the program runs, that delete removes it in every hierarchy, and that a value the
# kernel refuses fails create cleanly. Resources: cgroups_resources.bats; devices:
# cgroups_devices.bats.

# jq filters are single-quoted on purpose ($p there is a jq variable):
# shellcheck disable=SC2016

load helpers

function setup() {
	setup_cgroups
}

function teardown() {
	teardown_cgroups
}

# own_cgroup HIER: this shell's cgroup in the hierarchy, without a trailing slash ("" = root).
function own_cgroup() {
	local p
	p=$(cgroup_path self "$1")
	echo "${p%/}"
}

# in_cgroup PID HIER PATH: PID is in cgroup PATH of the hierarchy, and its directory exists.
function in_cgroup() {
	local got
	got=$(cgroup_path "$1" "$2")
	[[ "$got" == "$3" ]] || fail "$2: pid $1 is in \`$got', expected \`$3'"
	[[ -d "$(cgroup_path_dir "$2" "$3")" ]] || fail "$2: no directory for \`$3'"
}

# in_default_cgroup PID: PID is in cgroup <own>/$CG_ID of every hierarchy.
function in_default_cgroup() {
	local h
	for h in $(cgroup_hierarchies); do
		in_cgroup "$1" "$h" "$(own_cgroup "$h")/$CG_ID"
	done
}

# no_cgroup PATH: cgroup PATH exists in no hierarchy; a relative PATH is below this shell's
# own cgroup of each hierarchy, as the runtime resolves it.
function no_cgroup() {
	local h p dir
	for h in $(cgroup_hierarchies); do
		p=$1
		[[ "$p" == /* ]] || p="$(own_cgroup "$h")/$p"
		dir=$(cgroup_path_dir "$h" "$p") || continue
		[[ ! -e "$dir" ]] || fail "$h: \`$dir' was left behind"
	done
}

# create_fails_cleanly WORD...: create $CG_ID fails with status 1 and an error holding every
# WORD; no state, no cgroup (default path) and no process are left.
function create_fails_cleanly() {
	local w
	erun -1 create "$CG_ID"
	for w in "$@"; do
		[[ "$output" == *"$w"* ]] || fail "the error does not name \`$w'"
	done
	run ! edgerun state "$CG_ID"
	[[ ! -e "$ROOT/$CG_ID" ]]
	no_cgroup "$CG_ID"
	[[ -z "$(_leftover_pids)" ]] || fail "processes left: $(_leftover_pids)"
}

# ---- placement -----------------------------------------------------------------------------

@test "cgroup: the default path is the id below the caller's own cgroup, in every hierarchy" {
	erun -0 create "$CG_ID"
	in_default_cgroup "$(container_pid "$CG_ID")"
}

@test "cgroup: an absolute cgroupsPath is used in every hierarchy and its parents are created" {
	update_config '.linux.cgroupsPath = $p' --arg p "$TEST_CG/a/c"
	erun -0 create "$CG_ID"
	local pid h
	pid=$(container_pid "$CG_ID")
	for h in $(cgroup_hierarchies); do
		in_cgroup "$pid" "$h" "$TEST_CG/a/c"
	done
}

@test "cgroup: a relative cgroupsPath is below the caller's own cgroup" {
	update_config '.linux.cgroupsPath = $p' --arg p "$TEST_CG_REL/c"
	erun -0 create "$CG_ID"
	local pid h
	pid=$(container_pid "$CG_ID")
	for h in $(cgroup_hierarchies); do
		in_cgroup "$pid" "$h" "$(own_cgroup "$h")/$TEST_CG_REL/c"
	done
}

@test "cgroup: containerd's /<namespace>/<id>: delete removes the container's cgroup, not the namespace's" {
	local p="/edgerun-test/$CG_ID" pid h
	update_config '.linux.cgroupsPath = $p' --arg p "$p"
	erun -0 create "$CG_ID"
	pid=$(container_pid "$CG_ID")
	for h in $(cgroup_hierarchies); do
		in_cgroup "$pid" "$h" "$p"
	done
	run -0 edgerun delete "$CG_ID"
	no_cgroup "$p"
	for h in $(cgroup_hierarchies); do
		[[ -d "$(cgroup_path_dir "$h" /edgerun-test)" ]] || fail "$h: the parent was removed"
	done
}

@test "cgroup: the container's program starts inside its cgroup" {
	set_args cat /proc/self/cgroup
	# /proc/self/cgroup of this shell, each path followed by /<id>
	local want
	want=$(awk -v id="$CG_ID" '{
		p = $0
		sub(/^[^:]*:[^:]*:/, "", p)
		head = substr($0, 1, length($0) - length(p))
		sub(/\/$/, "", p)
		print head p "/" id
	}' /proc/self/cgroup)
	run -0 edgerun run "$CG_ID"
	[[ "$output" == "$want" ]] || fail "expected:"$'\n'"$want"
}

@test "cgroup: new v1 cpuset parents get cpus and mems, so the init can join" {
	requires cgroups_v1
	update_config '.linux.cgroupsPath = $p' --arg p "$TEST_CG/a/c"
	set_args true
	erun -0 create "$CG_ID"
	local p dir
	for p in "$TEST_CG" "$TEST_CG/a" "$TEST_CG/a/c"; do
		dir=$(cgroup_path_dir cpuset "$p")
		[[ -n "$(cat "$dir/cpuset.cpus")" ]] || fail "$dir/cpuset.cpus is empty"
		[[ -n "$(cat "$dir/cpuset.mems")" ]] || fail "$dir/cpuset.mems is empty"
	done
	in_cgroup "$(container_pid "$CG_ID")" cpuset "$TEST_CG/a/c"
	run -0 edgerun start "$CG_ID"
	wait_for_status "$CG_ID" stopped
}

@test "cgroup: on a hybrid host the container also has a cgroup in the cgroup2 tree" {
	requires cgroups_hybrid
	erun -0 create "$CG_ID"
	in_cgroup "$(container_pid "$CG_ID")" unified "$(own_cgroup unified)/$CG_ID"
}

@test "cgroup: a cgroup that already has processes is refused, and nothing is left behind" {
	skip_if_runc "runc 1.1 only warns about a non-empty cgroup"
	local h dir p
	(cd / && exec sleep 3600) 3>&- &
	CG_KILL+=($!)
	# the holder in $TEST_CG/c of every hierarchy but pids, where create has to make it
	for h in $(cgroup_hierarchies); do
		[[ "$h" == pids ]] && continue
		for p in /edgerun-test "$TEST_CG" "$TEST_CG/c"; do
			dir=$(cgroup_path_dir "$h" "$p")
			mkdir -p "$dir"
			if [[ "$h" == cpuset && -z "$(cat "$dir/cpuset.cpus")" ]]; then
				cat "$(dirname "$dir")/cpuset.cpus" >"$dir/cpuset.cpus"
				cat "$(dirname "$dir")/cpuset.mems" >"$dir/cpuset.mems"
			fi
		done
		echo "${CG_KILL[0]}" >"$dir/cgroup.procs"
	done
	update_config '.linux.cgroupsPath = $p' --arg p "$TEST_CG/c"
	erun -1 create "$CG_ID"
	[[ "$output" == *"not empty"* ]]
	run ! edgerun state "$CG_ID"
	[[ ! -e "$ROOT/$CG_ID" ]]
	[[ -z "$(_leftover_pids)" ]]
	# what create made is gone; what was there stays, holder included
	[[ ! -e "$(cgroup_path_dir pids "$TEST_CG")" ]]
	kill -0 "${CG_KILL[0]}"
	for h in $(cgroup_hierarchies); do
		[[ "$h" == pids ]] && continue
		[[ "$(cgroup_path "${CG_KILL[0]}" "$h")" == "$TEST_CG/c" ]] || fail "$h: holder moved"
	done
}

@test "cgroup: a cgroup frozen by someone else is refused, without hanging" {
	requires cgroups_v1
	local dir
	dir=$(cgroup_path_dir freezer "$TEST_CG/c")
	mkdir -p "$dir"
	echo FROZEN >"$dir/freezer.state"
	update_config '.linux.cgroupsPath = $p' --arg p "$TEST_CG/c"
	set_args true
	# (a file, not a pipe: a frozen init would hold a pipe open)
	status=0
	timeout 20 "$EDGERUN" --root "$ROOT" run "$CG_ID" </dev/null >"$TESTDIR/out" 2>&1 || status=$?
	output=$(cat "$TESTDIR/out")
	[[ "$status" -eq 1 ]]
	[[ "$output" == *frozen* ]]
	[[ ! -e "$ROOT/$CG_ID" ]]
	echo THAWED >"$dir/freezer.state"
}

# ---- exec ----------------------------------------------------------------------------------

function requires_exec() {
	"$EDGERUN" exec --help >/dev/null 2>&1 || skip "the runtime has no exec verb yet"
}

@test "cgroup: exec runs the process in the container's cgroup" {
	requires_exec
	erun -0 run -d "$CG_ID"
	local want
	want=$(cat "/proc/$(container_pid "$CG_ID")/cgroup")
	run -0 edgerun exec "$CG_ID" cat /proc/self/cgroup
	[[ "$output" == "$want" ]]
	in_default_cgroup "$(container_pid "$CG_ID")"
}

@test "cgroup: exec --cgroup runs the process in an existing sub-cgroup" {
	requires_exec
	erun -0 run -d "$CG_ID"
	local h dir
	for h in $(cgroup_hierarchies); do
		dir="$(cgroup_dir "$(container_pid "$CG_ID")" "$h")"
		[[ "$dir" == */"$CG_ID" ]] || fail "$h: not in a cgroup of its own: $dir"
		mkdir "$dir/sub"
		if [[ "$h" == cpuset ]]; then
			cat "$dir/cpuset.cpus" >"$dir/sub/cpuset.cpus"
			cat "$dir/cpuset.mems" >"$dir/sub/cpuset.mems"
		fi
	done
	run -0 edgerun exec --cgroup sub "$CG_ID" cat /proc/self/cgroup
	for h in $(cgroup_hierarchies); do
		[[ "$output" == *":$(own_cgroup "$h")/$CG_ID/sub"* ]] || fail "$h: not in sub"
	done
	[[ "$(wc -l <<<"$output")" -eq "$(cgroup_hierarchies | wc -l)" ]]
	grep -qv "/$CG_ID/sub\$" <<<"$output" && fail "some hierarchy is not in sub"
	run -0 edgerun delete --force "$CG_ID"
	no_cgroup "$CG_ID"
}

@test "cgroup: exec --cgroup refuses a path that leaves the container's cgroup" {
	requires_exec
	erun -0 run -d "$CG_ID"
	run ! edgerun exec --cgroup ../x "$CG_ID" true
	[[ "$output" == *..* ]]
}

# ---- removal -------------------------------------------------------------------------------

@test "cgroup: delete of a stopped container leaves no cgroup directory in any hierarchy" {
	update_config '.linux.cgroupsPath = $p' --arg p "$TEST_CG/c"
	set_args true
	erun -0 create "$CG_ID"
	local dirs d
	dirs=$(cgroup_dirs "$(container_pid "$CG_ID")")
	[[ "$(wc -l <<<"$dirs")" -eq "$(cgroup_hierarchies | wc -l)" ]]
	run -0 edgerun start "$CG_ID"
	wait_for_status "$CG_ID" stopped
	for d in $dirs; do
		[[ -d "$d" ]] || fail "\`$d' is gone before delete"
	done
	run -0 edgerun delete "$CG_ID"
	no_cgroup "$TEST_CG/c"
	[[ -d "$(cgroup_path_dir memory "$TEST_CG")" ]] || fail "the parent was removed"
}

@test "cgroup: delete --force of a running container with sub-cgroups leaves no cgroup directory" {
	set_args sh -c 'sleep 3600 & sleep 3600 & wait'
	erun -0 run -d "$CG_ID"
	local pid dirs d
	pid=$(container_pid "$CG_ID")
	in_default_cgroup "$pid"
	dirs=$(cgroup_dirs "$pid")
	# a sub-cgroup someone made inside the container's cgroup (as systemd in a container does)
	for d in $dirs; do
		[[ "$d" == */"$CG_ID" ]] && mkdir "$d/sub"
	done
	run -0 edgerun delete --force "$CG_ID"
	no_cgroup "$CG_ID"
	retry 100 0.1 procs_left_are 0
}

@test "cgroup: run removes the cgroup when the container exits" {
	set_args cat /proc/self/cgroup
	run -0 edgerun run "$CG_ID"
	[[ "$output" == *":$(own_cgroup memory)/$CG_ID"* ]]
	no_cgroup "$CG_ID"
}

# ---- values the kernel refuses ---------------------------------------------------------------

@test "cgroup: cpu.cpus the kernel refuses fails create, naming file and value, leaving nothing" {
	update_config '.linux.resources.cpu.cpus = "99999"'
	create_fails_cleanly cpuset.cpus 99999
}

@test "cgroup: a cpu quota the kernel refuses fails create, naming file and value" {
	update_config '.linux.resources.cpu |= . + {quota: 500, period: 100000}'
	create_fails_cleanly cpu.cfs_quota_us 500
}

@test "cgroup: memory+swap below the memory limit fails create, naming file and value" {
	[[ -e "$(cgroup_path_dir memory "$(own_cgroup memory)")/memory.memsw.limit_in_bytes" ]] ||
		skip "no swap accounting (memory.memsw.limit_in_bytes)"
	update_config '.linux.resources.memory = {limit: 67108864, swap: 33554432}'
	create_fails_cleanly memory.memsw.limit_in_bytes 33554432
}

@test "cgroup: a negative memory limit fails create, naming file and value" {
	update_config '.linux.resources.memory = {limit: -2}'
	create_fails_cleanly memory.limit_in_bytes -2
}

@test "cgroup: a memory limit below what the init needs fails create, naming the limit" {
	update_config '.linux.resources.memory = {limit: 65536}'
	create_fails_cleanly memory 65536
}

@test "cgroup: a failed create removes the parents it made" {
	skip_if_runc "runc leaves the parents it created"
	update_config '.linux.cgroupsPath = $p | .linux.resources.cpu.cpus = "99999"' --arg p "$TEST_CG/a/c"
	erun -1 create "$CG_ID"
	[[ "$output" == *cpuset.cpus* ]]
	no_cgroup "$TEST_CG"
}
