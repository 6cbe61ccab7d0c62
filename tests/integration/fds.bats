#!/usr/bin/env bats
# File descriptors: nothing of the runtime or the caller leaks into the container beyond
# stdio and --preserve-fds N.

load helpers

# ls_fds: the program lists its own fds; the last one is ls's own directory handle.
function ls_fds() {
	set_args ls /proc/self/fd
}

@test "the container's program has only stdin, stdout and stderr open" {
	ls_fds
	# the caller holds more fds open (bats' 3, and these)
	run -0 edgerun run test_fds 5<"$BUNDLE/config.json" 7>"$TESTDIR/seven"
	[[ "$(tr '\n' ' ' <<<"$output")" == "0 1 2 3 " ]]
}

@test "the container's init has only stdio open while it waits for start" {
	set_args sh -c 'sleep 3600'
	edgerun create test_waitfds </dev/null >"$TESTDIR/out" 2>&1 5<"$BUNDLE/config.json"
	local pid fds f
	pid=$(container_pid test_waitfds)
	fds=$(ls "/proc/$pid/fd")
	# stdio plus, at most, what it waits on (the exec fifo or equivalent); nothing of the caller
	for f in $fds; do
		[[ "$f" -le 2 ]] && continue
		local target
		target=$(readlink "/proc/$pid/fd/$f")
		[[ "$target" != *config.json* ]] || fail "fd $f of the caller leaked: $target"
	done
	run -0 edgerun start test_waitfds
	run -0 ls "/proc/$pid/fd"
	[[ "$(tr '\n' ' ' <<<"$output")" == "0 1 2 " || "$(tr '\n' ' ' <<<"$output")" == "0 1 2 255 " ]]
}

@test "--preserve-fds passes fds 3..3+N-1 to the program" {
	echo "third" >"$TESTDIR/three"
	echo "fourth" >"$TESTDIR/four"
	set_args sh -c 'cat <&3; cat <&4'
	run -0 "$EDGERUN" --root "$ROOT" run --preserve-fds 2 test_preserve 3<"$TESTDIR/three" 4<"$TESTDIR/four" 5<"$TESTDIR/three"
	[[ "${lines[0]}" == third && "${lines[1]}" == fourth ]]
	ls_fds
	run -0 "$EDGERUN" --root "$ROOT" run --preserve-fds 2 test_preserve_ls 3<"$TESTDIR/three" 4<"$TESTDIR/four" 5<"$TESTDIR/three"
	[[ "$(tr '\n' ' ' <<<"$output")" == "0 1 2 3 4 5 " ]]
}

@test "--preserve-fds with create and start" {
	echo "kept" >"$TESTDIR/kept"
	set_args sh -c 'cat <&3 > /tmp/got'
	"$EDGERUN" --root "$ROOT" create --preserve-fds 1 test_preserve2 3<"$TESTDIR/kept" </dev/null >"$TESTDIR/out" 2>&1
	run -0 edgerun start test_preserve2
	wait_for_status test_preserve2 stopped
	[[ "$(cat "$ROOTFS/tmp/got")" == kept ]]
}

@test "--preserve-fds 0 passes nothing extra" {
	ls_fds
	run -0 "$EDGERUN" --root "$ROOT" run --preserve-fds 0 test_preserve0 3<"$BUNDLE/config.json"
	[[ "$(tr '\n' ' ' <<<"$output")" == "0 1 2 3 " ]]
}

@test "hooks get no fds of the runtime beyond stdio" {
	update_config '.hooks.prestart = [{path: "/bin/sh", args: ["sh", "-c", "ls /proc/self/fd | tr \"\\n\" \" \" > " + $o]}]' \
		--arg o "$TESTDIR/hookfds"
	erun -0 create test_hookfds 5<"$BUNDLE/config.json"
	[[ "$(cat "$TESTDIR/hookfds")" == "0 1 2 3 " ]]
}
