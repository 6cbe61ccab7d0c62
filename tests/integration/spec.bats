#!/usr/bin/env bats
# `spec`: the default config.json (runc's defaults).

load helpers

function setup() {
	setup_bundle
	SPECDIR="$TESTDIR/spec"
	mkdir -p "$SPECDIR"
	cd "$SPECDIR" || return 1
}

@test "spec writes a default config.json in the current directory" {
	run -0 "$EDGERUN" spec
	[[ -f config.json ]]
	run -0 jq -e '.process.args == ["sh"] and .process.terminal == true and .root.path == "rootfs"' config.json
	run -0 jq -e '.process.cwd == "/" and .process.user.uid == 0 and .process.user.gid == 0' config.json
	run -0 jq -e '.process.env | index("TERM=xterm") != null and (map(startswith("PATH=")) | any)' config.json
}

@test "spec: ociVersion is the spec version printed by --version" {
	run -0 "$EDGERUN" --version
	local ver
	ver=$(sed -n 's/^spec: *//p' <<<"$output")
	[[ -n "$ver" ]]
	run -0 "$EDGERUN" spec
	run -0 jq -r .ociVersion config.json
	[[ "$output" == "$ver" ]]
}

@test "spec: default mounts, namespaces, masked and readonly paths like runc" {
	run -0 "$EDGERUN" spec
	local m
	for m in /proc /dev /dev/pts /dev/shm /dev/mqueue /sys; do
		jq -e --arg m "$m" '[.mounts[].destination] | index($m) != null' config.json
	done
	local ns
	for ns in pid network ipc uts mount; do
		jq -e --arg t "$ns" '[.linux.namespaces[].type] | index($t) != null' config.json
	done
	jq -e '.linux.maskedPaths | index("/proc/kcore") != null and index("/sys/firmware") != null' config.json
	jq -e '.linux.readonlyPaths | index("/proc/sys") != null and index("/proc/sysrq-trigger") != null' config.json
	jq -e '.mounts[] | select(.destination == "/proc") | .type == "proc"' config.json
	jq -e '.mounts[] | select(.destination == "/dev/pts") | .type == "devpts"' config.json
}

@test "spec: default capabilities are AUDIT_WRITE, KILL and NET_BIND_SERVICE" {
	run -0 "$EDGERUN" spec
	local set
	for set in bounding effective permitted; do
		run -0 jq -c --arg s "$set" '.process.capabilities[$s] | sort' config.json
		[[ "$output" == '["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]' ]]
	done
	run -0 jq -e '.process.noNewPrivileges == true' config.json
	run -0 jq -e '.process.rlimits[] | select(.type == "RLIMIT_NOFILE") | .soft == 1024 and .hard == 1024' config.json
}

@test "spec --bundle writes into the given directory" {
	mkdir other
	run -0 "$EDGERUN" spec --bundle other
	[[ -f other/config.json ]]
	[[ ! -e config.json ]]
	mkdir third
	run -0 "$EDGERUN" spec -b "$SPECDIR/third"
	[[ -f third/config.json ]]
}

@test "spec refuses to overwrite an existing config.json" {
	echo '{"mine": true}' >config.json
	run ! "$EDGERUN" spec
	[[ "$output" == *config.json* ]]
	run -0 jq -e '.mine == true' config.json
}

@test "spec --rootless maps the caller's uid and gid into a user namespace" {
	run -0 "$EDGERUN" spec --rootless
	run -0 jq -e '[.linux.namespaces[].type] | index("user") != null' config.json
	run -0 jq -e --argjson u "$(id -u)" '.linux.uidMappings[0] | .containerID == 0 and .hostID == $u and .size == 1' config.json
	run -0 jq -e --argjson g "$(id -g)" '.linux.gidMappings[0] | .containerID == 0 and .hostID == $g and .size == 1' config.json
}

@test "spec output is a runnable config for the busybox bundle" {
	requires root
	run -0 "$EDGERUN" spec
	cp -a "$ROOTFS" rootfs
	jq '.process.terminal = false | .process.args = ["echo", "hello from spec"]' config.json >c.json
	mv c.json config.json
	run -0 edgerun run test_spec
	[[ "$output" == "hello from spec" ]]
}
