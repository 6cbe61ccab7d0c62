#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031 # variables exported by setup_file are read by the tests
#
# edgerun under podman: `podman --runtime <built edgerun>` with a busybox --rootfs, its
# storage under a temp --root/--runroot (the host's podman storage is not touched), the
# cgroupfs manager, file events, no network. Hard rlimits: podman asks for nofile/nproc
# hard limits above what some hosts allow, so every container gets explicit --ulimit.

load helpers

function setup_file() {
	requires root
	command -v podman >/dev/null || skip "podman is not installed (apt-get install podman)"
	is_runc && skip "these tests drive edgerun through podman"
	mkdir -p "$CACHE_DIR"
	_build_cache || fail "cannot build the busybox rootfs"
	PM=$(mktemp -d /tmp/edgerun-podman.XXXXXX)
	export PM
	# podman (cgroupfs) makes libpod_parent/ in each hierarchy: removed at the end if it
	# was not there before.
	[[ -d /sys/fs/cgroup/memory/libpod_parent || -d /sys/fs/cgroup/libpod_parent ]] ||
		touch "$PM/.remove-libpod-parent"
	# Same for the empty /run/containers/networks that podman makes even with --network none.
	[[ -d /run/containers ]] || touch "$PM/.remove-run-containers"
	cp -a "$CACHE_DIR/rootfs" "$PM/rootfs"
}

function teardown_file() {
	[[ -n "${PM:-}" && -d "$PM" ]] || return 0
	pm rm -a -f -t 0 >/dev/null 2>&1 || true
	# Anything still running of ours (conmon with our paths, containers in our rootfs).
	local p d m
	for p in /proc/[0-9]*; do
		if [[ "$p/root" -ef "$PM/rootfs" ]] || grep -qF "$PM/" "$p/cmdline" 2>/dev/null; then
			kill -9 "${p#/proc/}" 2>/dev/null || true
		fi
	done
	if [[ -e "$PM/.remove-libpod-parent" ]]; then
		for d in /sys/fs/cgroup/libpod_parent /sys/fs/cgroup/*/libpod_parent; do
			[[ -d "$d" ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		done
	fi
	if [[ -e "$PM/.remove-run-containers" ]]; then
		rmdir /run/containers/networks /run/containers 2>/dev/null || true
	fi
	grep -o " ${PM}[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$PM"
}

function setup() {
	NAME=t$BATS_TEST_NUMBER
	export NAME
}

function teardown() {
	if [[ -z "${BATS_TEST_COMPLETED:-}" && -n "${output:-}" ]]; then
		echo "last output (status ${status:-?}):"
		printf '  %s\n' "${lines[@]}"
	fi
	pm rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
}

# pm ARGS...: podman on our private storage, running the built edgerun.
# With CONTAINERS_CONF set, its runtime is used (no --runtime).
function pm() {
	local rt=(--runtime "$EDGERUN")
	[[ -n "${CONTAINERS_CONF:-}" ]] && rt=()
	podman --root "$PM/root" --runroot "$PM/runroot" --tmpdir "$PM/tmp" \
		--storage-driver vfs "${rt[@]}" --cgroup-manager cgroupfs \
		--events-backend file --network-config-dir "$PM/networks" "$@"
}

# pm_run ARGS...: `podman run` of the busybox rootfs; ARGS are run's options, then `--`,
# then the command.
function pm_run() {
	local opts=()
	while [[ $# -gt 0 && "$1" != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	pm run --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		"${opts[@]}" --rootfs "$PM/rootfs" "$@"
}

@test "podman run --rm prints the output" {
	run pm_run --rm --name "$NAME" -- echo hello
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
}

@test "podman run --rm propagates the exit code" {
	run pm_run --rm --name "$NAME" -- sh -c 'exit 7'
	[ "$status" -eq 7 ]
}

@test "podman run -d, exec, exec -t, stop, rm" {
	run pm_run -d --name "$NAME" -- sleep 600
	[ "$status" -eq 0 ]
	# podman's runtime is ours.
	run pm inspect --format '{{.OCIRuntime}}' "$NAME"
	[ "$status" -eq 0 ]
	[[ "$output" == edgerun || "$output" == "$EDGERUN" ]]
	run pm inspect --format '{{.State.Status}}' "$NAME"
	[ "$output" = running ]

	run pm exec "$NAME" echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	run pm exec "$NAME" sh -c 'exit 4'
	[ "$status" -eq 4 ]
	# exec -t: the process gets a terminal.
	run pm exec -t "$NAME" sh -c 'test -t 1 && echo tty'
	[ "$status" -eq 0 ]
	[[ "$output" == tty* ]]
	# exec sees the container's pid namespace (sleep is pid 1).
	run pm exec "$NAME" cat /proc/1/cmdline
	[[ "$output" == sleep* ]]

	# sleep ignores SIGTERM as pid 1: stop ends with SIGKILL after the timeout.
	run pm stop -t 1 "$NAME"
	[ "$status" -eq 0 ]
	run pm inspect --format '{{.State.Status}}' "$NAME"
	[ "$output" = exited ]
	run pm rm "$NAME"
	[ "$status" -eq 0 ]
	run pm ps -a -q
	[ -z "$output" ]
}

@test "podman run -d of a process that exits reports its exit code" {
	run pm_run -d --name "$NAME" -- sh -c 'exit 9'
	[ "$status" -eq 0 ]
	run pm wait "$NAME"
	[ "$status" -eq 0 ]
	[ "$output" = 9 ]
}

@test "podman shows edgerun's error for a missing binary" {
	# 127, "command not found", as with runc; the text is edgerun's (from its log), e.g.
	# ... msg="create container `ID`: exec \"/nope\": no such file or directory" ...
	run -127 pm_run --rm --name "$NAME" -- /nope
	[[ "$output" == *"create container"* ]]
	[[ "$output" == *'/nope\": no such file or directory'* ]]
}

@test "containers.conf [engine.runtimes] entry selects edgerun (README)" {
	printf '[engine]\nruntime = "edgerun"\n\n[engine.runtimes]\nedgerun = ["%s"]\n' "$EDGERUN" \
		>"$PM/containers.conf"
	# Exported: pm then drops --runtime, and teardown's `pm rm` knows the runtime `edgerun`.
	export CONTAINERS_CONF="$PM/containers.conf"
	run pm run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		--rootfs "$PM/rootfs" sh -c 'echo hello; exit 6'
	[ "$status" -eq 6 ]
	[ "$output" = hello ]
	run pm run -d --name "$NAME" --network none --ulimit nofile=1024:1024 \
		--ulimit nproc=1024:1024 --rootfs "$PM/rootfs" sleep 600
	[ "$status" -eq 0 ]
	run pm inspect --format '{{.OCIRuntime}}' "$NAME"
	[ "$output" = edgerun ]
	run pm exec "$NAME" echo hi
	[ "$output" = hi ]
}
