#!/usr/bin/env bats
# linux.maskedPaths and linux.readonlyPaths.

load helpers

function setup() {
	requires root
	setup_bundle
	mkdir -p "$ROOTFS/secret/dir"
	echo "top secret" >"$ROOTFS/secret/file"
	echo "hidden" >"$ROOTFS/secret/dir/inside"
	mkdir -p "$ROOTFS/ro/dir"
	echo "keep" >"$ROOTFS/ro/file"
}

@test "maskedPaths: a file reads empty" {
	update_config '.linux.maskedPaths = ["/secret/file"]'
	set_args sh -c 'cat /secret/file; echo "[$?]"; stat -c %t:%T /secret/file'
	run -0 edgerun run test_maskfile
	[[ "${lines[0]}" == "[0]" ]]
	[[ "${lines[1]}" == 1:3 ]]
}

@test "maskedPaths: a directory appears empty and read-only" {
	update_config '.linux.maskedPaths = ["/secret/dir"]'
	set_args sh -c 'ls -A /secret/dir | wc -l; touch /secret/dir/new'
	run ! edgerun run test_maskdir
	[[ "${lines[0]}" == 0 ]]
	[[ "$output" == *"Read-only file system"* ]]
	[[ -f "$ROOTFS/secret/dir/inside" && ! -e "$ROOTFS/secret/dir/new" ]]
}

@test "maskedPaths: the default /proc entries are masked" {
	[[ -n "$(head -c 1 /proc/timer_list 2>/dev/null)" && -n "$(ls -A /sys/firmware)" ]] || skip "no /proc/timer_list or /sys/firmware here"
	set_args sh -c 'wc -c < /proc/timer_list; stat -c %t:%T /proc/timer_list; ls -A /sys/firmware | wc -l'
	run -0 edgerun run test_maskproc
	[[ "${lines[0]}" == 0 ]]
	[[ "${lines[1]}" == 1:3 ]]
	[[ "${lines[2]}" == 0 ]]
}

@test "maskedPaths: paths that do not exist are ignored" {
	update_config '.linux.maskedPaths = ["/does/not/exist", "/secret/file"]'
	set_args cat /secret/file
	run -0 edgerun run test_maskmissing
	[[ -z "$output" ]]
}

@test "readonlyPaths: files and directories become read-only" {
	update_config '.linux.readonlyPaths = ["/ro/file", "/ro/dir"]'
	set_args sh -c 'cat /ro/file; echo x > /ro/file || echo file-ro; touch /ro/dir/x || echo dir-ro; touch /tmp/ok && echo tmp-rw'
	run -0 edgerun run test_ro
	[[ "${lines[0]}" == keep ]]
	[[ "$output" == *file-ro* && "$output" == *dir-ro* && "$output" == *tmp-rw* ]]
	[[ "$(cat "$ROOTFS/ro/file")" == keep ]]
	[[ ! -e "$ROOTFS/ro/dir/x" ]]
}

@test "readonlyPaths: the default /proc entries are read-only" {
	set_args sh -c 'grep " /proc/sys " /proc/self/mountinfo'
	run -0 edgerun run test_roproc
	[[ "$output" =~ ^[0-9]+\ [0-9]+\ [0-9]+:[0-9]+\ [^\ ]+\ /proc/sys\ ro[,\ ] ]]
}

@test "readonlyPaths: paths that do not exist are ignored" {
	update_config '.linux.readonlyPaths = ["/does/not/exist"]'
	set_args true
	run -0 edgerun run test_romissing
}
