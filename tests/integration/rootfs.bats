#!/usr/bin/env bats
# root.path and root.readonly, --no-pivot, and a /proc that is a symlink in the image.

load helpers

@test "the container sees the bundle's rootfs as /" {
	echo marker >"$ROOTFS/marker"
	set_args sh -c 'cat /marker; ls /'
	run -0 edgerun run test_root
	[[ "${lines[0]}" == marker ]]
	[[ "$output" != *bats* ]]
}

@test "root.path may be absolute" {
	mv "$ROOTFS" "$TESTDIR/elsewhere"
	update_config '.root.path = $p' --arg p "$TESTDIR/elsewhere"
	echo elsewhere >"$TESTDIR/elsewhere/marker"
	set_args cat /marker
	run -0 edgerun run test_absroot
	[[ "$output" == elsewhere ]]
}

@test "root.readonly: / is read-only, mounts on it stay writable" {
	update_config '.root.readonly = true'
	add_mount '{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs"}'
	set_args sh -c 'touch /newfile || echo root-ro; touch /scratch/f && echo scratch-rw; grep -E "^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / ro[, ]" /proc/self/mountinfo | wc -l'
	run -0 edgerun run test_rootro
	[[ "$output" == *"Read-only file system"* && "$output" == *root-ro* && "$output" == *scratch-rw* ]]
	[[ "${lines[-1]}" == 1 ]]
	[[ ! -e "$ROOTFS/newfile" ]]
}

@test "root.readonly false: / is writable" {
	update_config '.root.readonly = false'
	set_args touch /newfile
	run -0 edgerun run test_rootrw
	[[ -e "$ROOTFS/newfile" ]]
}

@test "--no-pivot runs the container in its rootfs" {
	echo marker >"$ROOTFS/marker"
	set_args sh -c 'cat /marker; ls / | wc -l'
	run -0 edgerun run --no-pivot test_nopivot
	[[ "${lines[0]}" == marker ]]
	[[ "${lines[1]}" -eq "$(ls "$ROOTFS" | wc -l)" ]]
	set_args sleep 3600
	erun -0 create --no-pivot test_nopivot2
	run -0 edgerun start test_nopivot2
	wait_for_status test_nopivot2 running
	[[ "$(stat -L -c %d:%i "/proc/$(container_pid test_nopivot2)/root")" == "$(stat -c %d:%i "$ROOTFS")" ]]
}

@test "a /proc that is a symlink in the image is refused with a clear message" {
	mkdir "$ROOTFS/evil"
	rmdir "$ROOTFS/proc"
	ln -s /evil "$ROOTFS/proc"
	set_args true
	erun ! run test_procsym
	[[ "$output" == *"/proc"* ]]
	[[ -z "$(ls -A "$ROOTFS/evil")" ]]
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}
