#!/usr/bin/env bats
# Failures inside the container set-up come back with the step, the errno text, and leave
# nothing behind.

load helpers

function nothing_left() {
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]] || fail "left behind in --root: $(ls -A "$ROOT")"
	[[ -z "$(_leftover_pids)" ]] || fail "processes left: $(_leftover_pids)"
}

@test "create with a missing binary fails with the path and the errno text" {
	set_args /bin/nope
	erun -1 create test_nope
	[[ "$output" == *'/bin/nope'* ]]
	[[ "$output" == *"no such file or directory"* ]]
	nothing_left
}

@test "run with a missing binary fails and leaves nothing" {
	set_args /bin/nope arg
	erun ! run test_nope
	[[ "$output" == *'/bin/nope'* && "$output" == *"no such file or directory"* ]]
	nothing_left
	erun ! run -d test_nope_d
	nothing_left
}

@test "a program that is not executable fails with permission denied" {
	set_args /etc/passwd
	erun ! run test_noexec
	[[ "$output" == *"/etc/passwd"* && "$output" == *"permission denied"* ]]
	nothing_left
}

@test "a directory as the program fails" {
	set_args /tmp
	erun ! run test_dir
	[[ "$output" == *"/tmp"* ]]
	nothing_left
}

@test "a cwd that is not a directory fails with the path and the errno text" {
	update_config '.process.cwd = "/etc/passwd"'
	set_args true
	erun ! run test_badcwd
	[[ "$output" == *"/etc/passwd"* && "$output" == *"not a directory"* ]]
	nothing_left
}

@test "a rootfs that is not a directory fails" {
	update_config '.root.path = "notadir"'
	touch "$BUNDLE/notadir"
	erun ! run test_rootfile
	nothing_left
	skip_if_runc "runc's message does not name the rootfs"
	[[ "$output" == *notadir* ]]
	nothing_left
}

@test "a mount that cannot be done fails naming the destination" {
	add_mount '{"destination": "/mnt/bad", "type": "nosuchfs", "source": "none"}'
	set_args true
	erun ! run test_badmount
	[[ "$output" == *"/mnt/bad"* ]]
	nothing_left
}

@test "a bind mount of a missing source fails naming the source" {
	add_mount "$(jq -nc --arg s "$TESTDIR/missing" '{destination: "/mnt", type: "bind", source: $s, options: ["bind"]}')"
	set_args true
	erun ! run test_badsrc
	[[ "$output" == *"$TESTDIR/missing"* ]]
	nothing_left
}
