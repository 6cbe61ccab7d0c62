#!/usr/bin/env bats
# NOTIFY_SOCKET, as runc does it: with NOTIFY_SOCKET in the caller's environment, create
# bind-mounts ROOT/ID/notify at /run/notify in the container and sets the container's
# NOTIFY_SOCKET=/run/notify/notify.sock; start waits for the container's READY= and passes
# it on to the caller's socket with MAINPID (the init's host pid; with a foreground `run`,
# the runtime's own) and BARRIER=1. Without NOTIFY_SOCKET nothing of this exists.
#
# Two small programs of ours (tests/helpers/): notify_listener.c plays systemd on the host
# (prints each datagram it gets), sd_notify.c is built static and copied into the rootfs as
# /bin/sd_notify (busybox has no sd_notify applet). The same tests run against runc.

load helpers

function setup_file() {
	command -v cc >/dev/null || skip "needs a C compiler (cc)"
	cc -O2 -Wall -o "$BATS_FILE_TMPDIR/notify_listener" "$TESTS_ROOT/helpers/notify_listener.c"
	cc -static -O2 -Wall -o "$BATS_FILE_TMPDIR/sd_notify" "$TESTS_ROOT/helpers/sd_notify.c"
}

function setup() {
	requires root
	setup_bundle
	cp "$BATS_FILE_TMPDIR/sd_notify" "$ROOTFS/bin/sd_notify"
	HOST_SOCK="$TESTDIR/host.sock"
	NOTIFY_OUT="$TESTDIR/notify.out"
	"$BATS_FILE_TMPDIR/notify_listener" "$HOST_SOCK" >"$NOTIFY_OUT" 2>&1 3>&- &
	LISTENER_PID=$!
	retry 100 0.05 test -S "$HOST_SOCK"
}

function teardown() {
	if [[ -n "${LISTENER_PID:-}" ]]; then
		kill "$LISTENER_PID" 2>/dev/null || true
		wait "$LISTENER_PID" 2>/dev/null || true
	fi
	teardown_bundle
}

# notified: what the listener has received so far.
function notified() {
	cat "$NOTIFY_OUT"
}

@test "NOTIFY_SOCKET: create mounts the socket's directory, start forwards READY=1 and MAINPID" {
	set_args sh -c 'env >/tmp/env.out; grep " /run/notify " /proc/self/mountinfo >/tmp/mnt.out
		sleep 0.5; sd_notify "STATUS=starting"; sd_notify READY=1; exec sleep 3600'
	NOTIFY_SOCKET=$HOST_SOCK erun -0 create test_notify
	[ -d "$ROOT/test_notify/notify" ]
	NOTIFY_SOCKET=$HOST_SOCK erun -0 start test_notify

	# start returned only once READY=1 was passed on (and the barrier answered)
	run -0 notified
	[[ "$output" == *"READY=1"* ]]
	[[ "$output" == *"MAINPID=$(container_pid test_notify)"* ]]
	# only READY= is forwarded, as runc does
	[[ "$output" != *"STATUS=starting"* ]]

	run -0 grep -x "NOTIFY_SOCKET=/run/notify/notify.sock" "$ROOTFS/tmp/env.out"
	run -0 cat "$ROOTFS/tmp/mnt.out"
	[[ "$output" == *" ro,"* ]]
}

@test "NOTIFY_SOCKET: start returns when the init exits without READY=" {
	set_args sh -c 'sleep 0.3; exit 0'
	NOTIFY_SOCKET=$HOST_SOCK erun -0 create test_notify
	NOTIFY_SOCKET=$HOST_SOCK erun -0 start test_notify
	run -0 notified
	[ -z "$output" ]
}

@test "NOTIFY_SOCKET: run -d waits for READY=1; MAINPID is the container's init" {
	set_args sh -c 'sleep 0.3; sd_notify READY=1; exec sleep 3600'
	NOTIFY_SOCKET=$HOST_SOCK erun -0 run -d test_notify
	run -0 notified
	[[ "$output" == *"READY=1"* ]]
	[[ "$output" == *"MAINPID=$(container_pid test_notify)"* ]]
}

@test "NOTIFY_SOCKET: a foreground run forwards READY=1 with its own pid as MAINPID" {
	set_args sh -c 'sd_notify READY=1; sleep 1'
	NOTIFY_SOCKET=$HOST_SOCK "$EDGERUN" --root "$ROOT" run test_notify </dev/null >/dev/null 2>&1 &
	local pid=$!
	retry 50 0.1 grep -q "MAINPID=" "$NOTIFY_OUT"
	run -0 notified
	[[ "$output" == *"READY=1"* ]]
	[[ "$output" == *"MAINPID=$pid"* ]]
	wait "$pid"
}

@test "NOTIFY_SOCKET: without it nothing is mounted, set or created" {
	unset NOTIFY_SOCKET
	set_args sh -c 'env >/tmp/env.out; cat /proc/self/mountinfo >/tmp/mnt.out; exec sleep 3600'
	erun -0 create test_notify
	[ ! -e "$ROOT/test_notify/notify" ]
	erun -0 start test_notify
	retry 50 0.1 test -s "$ROOTFS/tmp/mnt.out"
	run ! grep -q "/run/notify" "$ROOTFS/tmp/mnt.out"
	run ! grep -q "NOTIFY_SOCKET" "$ROOTFS/tmp/env.out"
}

@test "NOTIFY_SOCKET: a container in a user namespace, as a non-root user, reaches it" {
	requires userns
	set_namespace user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .process.user = {"uid": 1000, "gid": 1000}'
	# the mapped root cannot create directories in a rootfs owned by the host's root
	mkdir -p "$ROOTFS/run/notify"
	set_args sh -c 'sd_notify READY=1; exec sleep 3600'
	NOTIFY_SOCKET=$HOST_SOCK erun -0 run -d test_notify
	run -0 notified
	[[ "$output" == *"READY=1"* ]]
	[[ "$output" == *"MAINPID=$(container_pid test_notify)"* ]]
}
