#!/usr/bin/env bats
# `create`: sets the container up and leaves it waiting before the user's program.

load helpers

@test "create leaves the container created, its program not yet run" {
	set_args sh -c 'echo ran > /tmp/ran; sleep 3600'
	erun -0 create test_create
	[[ "$(container_status test_create)" == created ]]
	local pid
	pid=$(container_pid test_create)
	[[ "$pid" -gt 0 ]]
	kill -0 "$pid"
	[[ ! -e "$ROOTFS/tmp/ran" ]]
	run -0 edgerun start test_create
	retry 100 0.1 test -e "$ROOTFS/tmp/ran"
}

@test "create: the container's init runs in the container's namespaces" {
	erun -0 create test_ns
	local pid
	pid=$(container_pid test_ns)
	[[ "$(nsid "$pid" mnt)" != "$(nsid $$ mnt)" ]]
	[[ "$(nsid "$pid" pid)" != "$(nsid $$ pid)" ]]
	[[ "$(stat -L -c %d:%i "/proc/$pid/root")" == "$(stat -c %d:%i "$ROOTFS")" ]]
}

@test "create: no runtime process stays resident until start" {
	erun -0 create test_resident
	local pid exe p
	pid=$(container_pid test_resident)
	exe=$(realpath "$EDGERUN")
	# Anything forked from this create still carries its command line (and --root).
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[[ "$p" == "$pid" ]] && continue
		if [[ "$(readlink "/proc/$p/exe" 2>/dev/null)" == "$exe" ]] &&
			tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$ROOT"; then
			echo "process $p ($(tr '\0' ' ' <"/proc/$p/cmdline")) is still running $exe" >&2
			return 1
		fi
	done
}

@test "create: the container's stdout is the creator's stdout" {
	set_args echo "output after start"
	edgerun create test_stdio </dev/null >"$TESTDIR/out" 2>&1
	run -0 edgerun start test_stdio
	wait_for_status test_stdio stopped
	[[ "$(cat "$TESTDIR/out")" == "output after start" ]]
}

@test "create --bundle and -b, absolute and relative to the caller's directory" {
	cd "$TESTDIR"
	erun -0 create --bundle "$BUNDLE" test_abs
	erun -0 create -b bundle test_rel
	run -0 edgerun state test_rel
	[[ "$(jq -r .bundle <<<"$output")" == "$BUNDLE" ]]
}

@test "create with a bundle that does not exist fails and leaves nothing" {
	erun ! create --bundle "$TESTDIR/nothere" test_nobundle
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
	run ! edgerun state test_nobundle
}

@test "create --pid-file writes the init pid" {
	erun -0 create --pid-file "$TESTDIR/pid" test_pidfile
	[[ "$(cat "$TESTDIR/pid")" == "$(container_pid test_pidfile)" ]]
}

@test "create --pid-file with a relative path is relative to the caller's directory" {
	mkdir "$TESTDIR/elsewhere"
	cd "$TESTDIR/elsewhere"
	erun -0 create --bundle "$BUNDLE" --pid-file pid.txt test_relpid
	[[ -f "$TESTDIR/elsewhere/pid.txt" ]]
	[[ ! -e "$BUNDLE/pid.txt" ]]
	[[ "$(cat pid.txt)" == "$(container_pid test_relpid)" ]]
}

@test "create twice with the same id fails and leaves the first container alone" {
	erun -0 create test_dup
	local pid
	pid=$(container_pid test_dup)
	erun ! create test_dup
	[[ "$output" == *exist* ]]
	[[ "$(container_status test_dup)" == created ]]
	[[ "$(container_pid test_dup)" == "$pid" ]]
	kill -0 "$pid"
}

@test "create --no-new-keyring is accepted" {
	set_args echo keyring
	edgerun create --no-new-keyring test_keyring </dev/null >"$TESTDIR/out" 2>&1
	run -0 edgerun start test_keyring
	wait_for_status test_keyring stopped
	[[ "$(cat "$TESTDIR/out")" == keyring ]]
}

@test "create without an id fails" {
	erun ! create
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}

@test "concurrent creates of one id: exactly one wins, the state is intact" {
	local i pids=() ok=0 rc
	for i in 1 2 3 4 5 6; do
		"$EDGERUN" --root "$ROOT" create test_race </dev/null >"$TESTDIR/race.$i" 2>&1 3>&- &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		rc=0
		wait "$i" || rc=$?
		[[ "$rc" -eq 0 ]] && ok=$((ok + 1))
	done
	[[ "$ok" -eq 1 ]] || fail "$ok creates succeeded: $(cat "$TESTDIR"/race.*)"
	run -0 edgerun state test_race
	jq -e '.status == "created" and .pid > 0' <<<"$output"
	kill -0 "$(jq -r .pid <<<"$output")"
	run -0 edgerun list -q
	[[ "$output" == test_race ]]
}

@test "concurrent creates of different ids in one root all succeed" {
	local i pids=()
	for i in 1 2 3 4 5 6; do
		"$EDGERUN" --root "$ROOT" create "test_par$i" </dev/null >"$TESTDIR/par.$i" 2>&1 3>&- &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || fail "a create failed: $(cat "$TESTDIR"/par.*)"
	done
	run -0 edgerun list -q
	[[ "${#lines[@]}" -eq 6 ]]
	for i in 1 2 3 4 5 6; do
		[[ "$(container_status "test_par$i")" == created ]]
	done
}
