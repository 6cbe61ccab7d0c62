#!/usr/bin/env bats
# process.terminal with --console-socket: the pty master is sent over a unix socket
# (received by tests/helpers/recvtty.c); consoleSize; the refused combinations.

load helpers

function setup() {
	requires root cc
	setup_bundle
	update_config '.process.terminal = true'
	SOCK="$TESTDIR/console.sock"
	TTYOUT="$TESTDIR/tty.out"
}

@test "run -d --console-socket: the program's terminal is a pty from the container" {
	set_args sh -c 'tty; test -t 0 && test -t 1 && test -t 2 && echo all-ttys; echo /dev/pts/*'
	start_recvtty "$SOCK" "$TTYOUT"
	erun -0 run -d --console-socket "$SOCK" test_tty
	wait_recvtty
	run -0 tr -d '\r' <"$TTYOUT"
	[[ "${lines[0]}" == /dev/pts/0 ]]
	[[ "${lines[1]}" == all-ttys ]]
	# the container has its own devpts instance: only its pty and ptmx
	[[ "${lines[2]}" == "/dev/pts/0 /dev/pts/ptmx" ]]
}

@test "create --console-socket then start" {
	set_args sh -c 'echo "from the terminal"'
	start_recvtty "$SOCK" "$TTYOUT"
	erun -0 create --console-socket "$SOCK" test_ttycreate
	run -0 edgerun start test_ttycreate
	wait_recvtty
	[[ "$(tr -d '\r' <"$TTYOUT")" == "from the terminal" ]]
}

@test "process.consoleSize is applied" {
	update_config '.process.consoleSize = {"height": 30, "width": 100}'
	set_args stty size
	start_recvtty "$SOCK" "$TTYOUT"
	erun -0 run -d --console-socket "$SOCK" test_size
	wait_recvtty
	[[ "$(tr -d '\r' <"$TTYOUT")" == "30 100" ]]
}

@test "a relative --console-socket is relative to the caller's directory" {
	skip_if_runc "runc 1.1.5 resolves it after changing to the bundle directory"
	set_args echo relative
	start_recvtty "$SOCK" "$TTYOUT"
	cd "$TESTDIR"
	erun -0 run -d --bundle "$BUNDLE" --console-socket console.sock test_relsock
	wait_recvtty
	[[ "$(tr -d '\r' <"$TTYOUT")" == relative ]]
}

@test "the pty is the controlling terminal of the program" {
	# ^C on the terminal (written by the container to its own tty) would need input; the
	# session/controlling tty is visible in /proc/self/stat (tty_nr != 0)
	set_args sh -c 'cut -d" " -f7 /proc/self/stat'
	start_recvtty "$SOCK" "$TTYOUT"
	erun -0 run -d --console-socket "$SOCK" test_ctty
	wait_recvtty
	[[ "$(tr -d '\r' <"$TTYOUT")" -ne 0 ]]
}

@test "terminal with --detach and no --console-socket is refused" {
	set_args true
	erun ! run -d test_nosock
	[[ "$output" == *console* ]]
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
	erun ! create test_nosock2
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}

@test "--console-socket without a terminal is refused" {
	update_config '.process.terminal = false'
	set_args true
	start_recvtty "$SOCK" "$TTYOUT"
	erun ! run -d --console-socket "$SOCK" test_notty
	[[ "$output" == *console* ]]
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
	kill "$RECVTTY_PID"
}

@test "a --console-socket nobody listens on fails and leaves nothing" {
	set_args true
	erun ! run -d --console-socket "$TESTDIR/nobody.sock" test_nolistener
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
	[[ -z "$(_leftover_pids)" ]]
}

@test "run in the foreground on a terminal passes the exit status" {
	command -v script >/dev/null || skip "needs script(1)"
	set_args sh -c 'tty; exit 7'
	run -7 script -qec "$EDGERUN --root $ROOT run test_fgtty" /dev/null
	[[ "$output" == *"/dev/pts/"* ]]
}
