#!/usr/bin/env bats
# Default device nodes and links, configured devices, and no device created outside the rootfs.

load helpers

@test "default device nodes with the right type and major:minor" {
	set_args sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done'
	run -0 edgerun run test_devs
	[[ "${lines[0]}" == "/dev/null character special file 1:3" ]]
	[[ "${lines[1]}" == "/dev/zero character special file 1:5" ]]
	[[ "${lines[2]}" == "/dev/full character special file 1:7" ]]
	[[ "${lines[3]}" == "/dev/random character special file 1:8" ]]
	[[ "${lines[4]}" == "/dev/urandom character special file 1:9" ]]
	[[ "${lines[5]}" == "/dev/tty character special file 5:0" ]]
}

@test "default devices work" {
	set_args sh -c 'echo gone > /dev/null && head -c 5 /dev/zero | wc -c && head -c 7 /dev/urandom | wc -c && ! echo x > /dev/full'
	run -0 edgerun run test_devuse
	[[ "${lines[0]}" == 5 && "${lines[1]}" == 7 ]]
}

@test "default /dev links and devpts" {
	set_args sh -c 'for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done; grep " /dev/pts " /proc/self/mountinfo'
	run -0 edgerun run test_links
	[[ "${lines[0]}" == "fd -> /proc/self/fd" ]]
	[[ "${lines[1]}" == "stdin -> /proc/self/fd/0" ]]
	[[ "${lines[2]}" == "stdout -> /proc/self/fd/1" ]]
	[[ "${lines[3]}" == "stderr -> /proc/self/fd/2" ]]
	[[ "${lines[4]}" == "ptmx -> pts/ptmx" ]]
	[[ "${lines[5]}" == *" - devpts "* ]]
}

@test "/dev is a fresh tmpfs without the host's devices" {
	set_args sh -c 'grep " /dev " /proc/self/mountinfo; ls /dev'
	run -0 edgerun run test_devtmpfs
	[[ "${lines[0]}" == *" - tmpfs "* ]]
	[[ "$output" != *vda* && "$output" != *kmsg* ]]
}

@test "configured devices are created with their type, numbers, mode and owner" {
	update_config '.linux.devices = [
		{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 432, "uid": 1000, "gid": 1001},
		{"path": "/dev/sub/myzero", "type": "c", "major": 1, "minor": 5},
		{"path": "/dev/myloop", "type": "b", "major": 7, "minor": 200},
		{"path": "/dev/myfifo", "type": "p"}]'
	set_args sh -c 'stat -c "%n %F %t:%T %a %u:%g" /dev/mynull /dev/sub/myzero /dev/myloop; stat -c "%n %F" /dev/myfifo'
	run -0 edgerun run test_mydevs
	[[ "${lines[0]}" == "/dev/mynull character special file 1:3 660 1000:1001" ]]
	[[ "${lines[1]}" == "/dev/sub/myzero character special file 1:5 "* ]]
	[[ "${lines[2]}" == "/dev/myloop block special file 7:c8 "* ]]
	[[ "${lines[3]}" == "/dev/myfifo fifo" ]]
}

@test "device nodes are not created through a /dev symlink outside the rootfs" {
	mkdir "$TESTDIR/outside"
	rm -rf "${ROOTFS:?}/dev"
	ln -s "$TESTDIR/outside" "$ROOTFS/dev"
	update_config '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3}]'
	set_args true
	skip_if_runc "runc 1.1.5 creates the /dev/fd, /dev/std* and /dev/ptmx links through the symlink"
	erun run test_devlink
	[[ -z "$(ls -A "$TESTDIR/outside")" ]] || fail "created outside the rootfs: $(ls -A "$TESTDIR/outside")"
}

@test "a device path that climbs out with .. stays inside the rootfs" {
	mkdir "$TESTDIR/outside"
	update_config '.linux.devices = [{"path": "/dev/../../../../../../../../../..'"$TESTDIR"'/outside/evil", "type": "c", "major": 1, "minor": 3}]'
	set_args true
	erun run test_devdots
	[[ ! -e "$TESTDIR/outside/evil" ]]
}
