#!/usr/bin/env bats
# shellcheck disable=SC2030,SC2031 # variables exported by setup_file are read by the tests
#
# edgerun under a real containerd: a private daemon (own config, root, state and socket under
# a temp dir), its runc v2 shim told to run the built edgerun (`ctr run --runc-binary`, with
# a `--runc-root` of ours so the test can see edgerun's state), and a busybox image written
# locally as an OCI archive (tests/integration/e2e/oci-image.sh) and imported with ctr.

load helpers

IMAGE=docker.io/library/edgerun-busybox:test
NS=edgerun-test

function setup_file() {
	requires root
	if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
		skip "containerd is not installed (apt-get install containerd)"
	fi
	is_runc && skip "these tests drive edgerun through containerd"
	mkdir -p "$CACHE_DIR"
	_build_cache || fail "cannot build the busybox rootfs"
	# Short: the socket path must fit in sun_path.
	CTRD=$(mktemp -d /tmp/edgerun-ctrd.XXXXXX)
	export CTRD
	cat >"$CTRD/config.toml" <<-TOML
		version = 2
		root = "$CTRD/root"
		state = "$CTRD/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
			"io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs",
			"io.containerd.snapshotter.v1.devmapper"]
		[grpc]
		  address = "$CTRD/containerd.sock"
		[ttrpc]
		  address = "$CTRD/containerd.sock.ttrpc"
		[debug]
		  level = "debug"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CTRD/opt"
	TOML
	containerd --config "$CTRD/config.toml" >"$CTRD/containerd.log" 2>&1 &
	echo $! >"$CTRD/containerd.pid"
	for _ in $(seq 100); do
		ctr --address "$CTRD/containerd.sock" version >/dev/null 2>&1 && break
		sleep 0.1
	done
	ctr --address "$CTRD/containerd.sock" version >/dev/null ||
		fail "containerd did not come up: $(tail -5 "$CTRD/containerd.log")"
	"$INTEGRATION_ROOT/e2e/oci-image.sh" "$CACHE_DIR/rootfs" "$CTRD/image.tar" "$IMAGE"
	ctr --address "$CTRD/containerd.sock" -n "$NS" image import "$CTRD/image.tar" ||
		fail "ctr image import failed"
}

function teardown_file() {
	[[ -n "${CTRD:-}" && -d "$CTRD" ]] || return 0
	local id pid d m
	for id in $(ctrn task ls -q 2>/dev/null); do
		ctrn task kill -s 9 "$id" >/dev/null 2>&1 || true
		ctrn task delete -f "$id" >/dev/null 2>&1 || true
	done
	for id in $(ctrn container ls -q 2>/dev/null); do
		ctrn container rm "$id" >/dev/null 2>&1 || true
	done
	ctrn image rm "$IMAGE" >/dev/null 2>&1 || true
	pid=$(cat "$CTRD/containerd.pid" 2>/dev/null || true)
	if [[ -n "$pid" ]]; then
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	# The shim's cgroups are /NAMESPACE/ID in each hierarchy: ours is NS.
	for d in /sys/fs/cgroup/"$NS" /sys/fs/cgroup/*/"$NS"; do
		[[ -d "$d" ]] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	# Mounts left under the daemon's root or state (snapshots, shim bundles).
	grep -o " ${CTRD}[^ ]*" /proc/self/mountinfo | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$CTRD"
}

function setup() {
	ID=t$BATS_TEST_NUMBER
	export ID
}

function teardown() {
	if [[ -z "${BATS_TEST_COMPLETED:-}" && -n "${output:-}" ]]; then
		echo "last output (status ${status:-?}):"
		printf '  %s\n' "${lines[@]}"
		echo "containerd log tail:"
		tail -20 "$CTRD/containerd.log" | sed 's/^/  /'
	fi
	ctrn task kill -s 9 "$ID" >/dev/null 2>&1 || true
	ctrn task delete -f "$ID" >/dev/null 2>&1 || true
	ctrn container rm "$ID" >/dev/null 2>&1 || true
}

# ctrn ARGS...: ctr on the private daemon and namespace.
function ctrn() {
	ctr --address "$CTRD/containerd.sock" -n "$NS" "$@"
}

# task_stopped: the task $ID is STOPPED (for retry).
function task_stopped() {
	ctrn task ls | grep -q "^$ID .*STOPPED"
}

# ctr_run ARGS...: `ctr run` with the shim running the built edgerun.
function ctr_run() {
	ctrn run --runc-binary "$EDGERUN" --runc-root "$CTRD/edgerun-root" "$@"
}

@test "ctr run --rm prints the output (through edgerun)" {
	run ctr_run --rm "$IMAGE" "$ID" echo hello
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	# The shim ran edgerun on our --runc-root (it keeps one state dir per namespace).
	[ -d "$CTRD/edgerun-root/$NS" ]
}

@test "ctr run --rm returns the exit code" {
	run ctr_run --rm "$IMAGE" "$ID" sh -c 'exit 3'
	[ "$status" -eq 3 ]
}

@test "ctr run -d, then task ps, pause, resume, kill, delete, container rm" {
	run ctr_run -d "$IMAGE" "$ID" sleep 600
	[ "$status" -eq 0 ]
	# edgerun's own state has the container.
	run "$EDGERUN" --root "$CTRD/edgerun-root/$NS" state "$ID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = running ]

	run ctrn task ps "$ID"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 2 ]

	run ctrn task pause "$ID"
	[ "$status" -eq 0 ]
	run ctrn task ls
	[[ "$output" == *"$ID"*PAUSED* ]]
	run "$EDGERUN" --root "$CTRD/edgerun-root/$NS" state "$ID"
	[ "$(jq -r .status <<<"$output")" = paused ]

	run ctrn task resume "$ID"
	[ "$status" -eq 0 ]
	run ctrn task ls
	[[ "$output" == *"$ID"*RUNNING* ]]

	run ctrn task kill -s 9 "$ID"
	[ "$status" -eq 0 ]
	retry 50 0.1 task_stopped
	run ctrn task delete "$ID"
	[ "$status" -eq 0 ]
	run ctrn container rm "$ID"
	[ "$status" -eq 0 ]
	run "$EDGERUN" --root "$CTRD/edgerun-root/$NS" state "$ID"
	[ "$status" -ne 0 ]
}

@test "ctr task exec runs a process in the container (edgerun exec)" {
	run ctr_run -d "$IMAGE" "$ID" sleep 600
	[ "$status" -eq 0 ]
	run ctrn task exec --exec-id x1 "$ID" echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	run ctrn task exec --exec-id x2 "$ID" sh -c 'exit 5'
	[ "$status" -eq 5 ]
	# The exec'd process sees the container's pid namespace: sleep is pid 1.
	run ctrn task exec --exec-id x3 "$ID" cat /proc/1/cmdline
	[ "$status" -eq 0 ]
	[[ "$output" == sleep* ]]
}

@test "ctr run --seccomp works" {
	run ctr_run --rm --seccomp "$IMAGE" "$ID" sh -c 'grep Seccomp: /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" == *"Seccomp:"*2* ]]
}

@test "a missing binary shows edgerun's error text in ctr's output" {
	run ctr_run --rm "$IMAGE" "$ID" /nope
	[ "$status" -ne 0 ]
	# containerd reads the runtime's error from its log.json: edgerun's wording, e.g.
	# OCI runtime create failed: create container `t6`: exec "/nope": no such file or directory
	[[ "$output" == *"OCI runtime create failed"* ]]
	[[ "$output" == *"create container \`$ID\`"* ]]
	[[ "$output" == *'"/nope": no such file or directory'* ]]
}
