#!/usr/bin/env bats
# User namespaces: uid/gid mappings, ownership, joining, and bind mounts the mapped user
# could not reach by itself.

load helpers

function setup() {
	requires root userns
	setup_bundle
	set_namespace user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
}

@test "uid and gid mappings are written and the program is root inside" {
	set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g'
	run -0 edgerun run test_maps
	[[ "${lines[0]}" =~ ^\ *0\ +100000\ +65536$ ]]
	[[ "${lines[1]}" =~ ^\ *0\ +200000\ +65536$ ]]
	[[ "${lines[2]}" == 0 && "${lines[3]}" == 0 ]]
}

@test "the container's root is the mapped host uid and gid" {
	erun -0 run -d test_hostids
	local pid
	pid=$(container_pid test_hostids)
	[[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" == 100000 ]]
	[[ "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" == 200000 ]]
	[[ "$(nsid "$pid" user)" != "$(nsid $$ user)" ]]
}

@test "files the container creates belong to the mapped ids on the host" {
	set_args touch /tmp/made
	run -0 edgerun run test_owner
	[[ "$(stat -c %u:%g "$ROOTFS/tmp/made")" == 100000:200000 ]]
}

@test "several mapping ranges" {
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 1000, "hostID": 300000, "size": 10}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 2000}]'
	set_args cat /proc/self/uid_map
	run -0 edgerun run test_ranges
	[[ "${lines[0]}" =~ ^\ *0\ +100000\ +1000$ ]]
	[[ "${lines[1]}" =~ ^\ *1000\ +300000\ +10$ ]]
}

@test "a mapped non-root user" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	erun -0 run -d test_mappeduser
	local pid
	pid=$(container_pid test_mappeduser)
	[[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" == 101000 ]]
	[[ "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" == 201000 ]]
}

@test "default devices work in a user namespace" {
	set_args sh -c 'echo x > /dev/null && head -c 3 /dev/zero | wc -c && stat -c "%t:%T" /dev/null'
	run -0 edgerun run test_userdevs
	[[ "${lines[0]}" == 3 && "${lines[1]}" == 1:3 ]]
}

@test "bind mounts from a host directory the mapped user cannot reach still work" {
	mkdir -m 0700 "$TESTDIR/private"
	mkdir "$TESTDIR/private/shared"
	echo "reachable" >"$TESTDIR/private/shared/f"
	chmod 0755 "$TESTDIR/private/shared"
	chmod 0644 "$TESTDIR/private/shared/f"
	# the mount point exists in the image: the rootfs is not the mapped user's to write
	mkdir -p "$ROOTFS/mnt"
	add_mount "$(jq -nc --arg s "$TESTDIR/private/shared" '{destination: "/mnt", source: $s, options: ["rbind", "ro"]}')"
	set_args cat /mnt/f
	skip_if_runc "runc 1.1.5 fails: it resolves the source as the mapped user"
	run -0 edgerun run test_unreachable
	[[ "$output" == reachable ]]
}

@test "a user namespace is joined by path" {
	erun -0 run -d test_userA
	local first
	first=$(container_pid test_userA)
	# the mappings stay in the config (runc requires them); they are the joined namespace's
	set_namespace user "/proc/$first/ns/user"
	set_namespace network "/proc/$first/ns/net"
	set_args cat /proc/self/uid_map
	run -0 edgerun run test_userB
	[[ "${lines[0]}" =~ ^\ *0\ +100000\ +65536$ ]]
}

@test "a user namespace without mappings is refused" {
	update_config 'del(.linux.uidMappings) | del(.linux.gidMappings)'
	set_args true
	erun ! run test_nomaps
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}
