#!/usr/bin/env bats
# The devices cgroup (v1 devices.allow/deny): runc's default allow list, a device outside
# the list cannot be opened even by root, extra rules grant exactly their access.
# (Device nodes themselves: devices.bats; the cgroup v2 eBPF filter: tests/vm.)

# jq filters are single-quoted on purpose ($maj there is a jq variable):
# shellcheck disable=SC2016

load helpers

function setup() {
	setup_cgroups
	[[ -n "$(cgroup_mount devices)" ]] || skip "no v1 devices hierarchy"
	# a block device to make a node of in the container: a loop device if there is one
	# (nothing is read from or written to it), else any disk
	local d
	BLK=""
	for d in /sys/block/loop0 /sys/block/*; do
		[[ -e "$d/dev" ]] && BLK=$(cat "$d/dev") && break
	done
	[[ -n "$BLK" ]] || skip "no block device on this host"
}

function teardown() {
	teardown_cgroups
}

# open_both: the container (with CAP_MKNOD) makes node /tmp/blk for $BLK and opens it for
# reading and for writing (dd of zero blocks), printing "read=STATUS" and "write=STATUS".
function open_both() {
	update_config '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
	set_args sh -c "mknod /tmp/blk b ${BLK%:*} ${BLK#*:} || exit 9
		dd if=/tmp/blk of=/dev/null count=0; echo read=\$?
		dd if=/dev/zero of=/tmp/blk count=0 conv=notrunc; echo write=\$?"
}

@test "devices: the default rules are runc's allow list, and those devices work" {
	set_args sh -c 'echo gone >/dev/null && head -c 5 /dev/zero | wc -c &&
		head -c 7 /dev/urandom | wc -c && head -c 3 /dev/random | wc -c &&
		! { echo x >/dev/full; } 2>/dev/null'
	erun -0 create "$CG_ID"
	local want got
	want=$(printf '%s\n' 'b *:* m' 'c *:* m' 'c 1:3 rwm' 'c 1:5 rwm' 'c 1:7 rwm' 'c 1:8 rwm' \
		'c 1:9 rwm' 'c 5:0 rwm' 'c 5:2 rwm' 'c 10:200 rwm' 'c 136:* rwm' | sort)
	got=$(cgroup_file "$CG_ID" devices devices.list | sort)
	[[ "$got" == "$want" ]] || fail "devices.list:"$'\n'"$got"
	run -0 edgerun start "$CG_ID"
	wait_for_status "$CG_ID" stopped
	run -0 edgerun delete "$CG_ID"
	# and the same program through `run`, to see its output
	run -0 edgerun run "${CG_ID}_2"
	[[ "${lines[*]}" == "5 7 3" ]]
}

@test "devices: a device not in the rules cannot be opened, even by root" {
	open_both
	run -0 edgerun run "$CG_ID"
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *read=1* && "$output" == *write=1* ]]
}

@test "devices: an extra allow rule grants exactly its access" {
	update_config '.linux.resources.devices += [{allow: true, type: "b", major: $maj, minor: $min, access: "r"}]' \
		--argjson maj "${BLK%:*}" --argjson min "${BLK#*:}"
	open_both
	erun -0 create "$CG_ID"
	grep -qx "b $BLK r" <(cgroup_file "$CG_ID" devices devices.list)
	run -0 edgerun delete "$CG_ID"
	run -0 edgerun run "${CG_ID}_2"
	[[ "$output" == *read=0* && "$output" == *write=1* ]]
	[[ "$output" == *"Operation not permitted"* ]]
}

@test "devices: a deny that would punch a hole in an allowed wildcard is refused on v1" {
	update_config '.linux.resources.devices += [
		{allow: true, type: "b", major: 7, access: "rwm"},
		{allow: false, type: "b", major: 7, minor: 0, access: "rwm"}]'
	set_args true
	erun -1 create "$CG_ID"
	[[ "$output" == *punch* ]]
	[[ ! -e "$ROOT/$CG_ID" ]]
}
