#!/usr/bin/env bats
# `features`: the runtime-spec features document (features.md, features-linux.md), in runc's
# layout, listing only what edgerun really takes; the last tests run containers that use
# the listed capabilities and seccomp flags.

# jq filters are single-quoted on purpose ($v there is a jq variable):
# shellcheck disable=SC2016

load helpers

function setup() {
	FEATURES=$(mktemp "$BATS_RUN_TMPDIR/features.XXXXXX")
	"$EDGERUN" features >"$FEATURES"
}

function teardown() {
	rm -f "$FEATURES"
	teardown_bundle
}

# feat JQ_EXPRESSION: true when the expression holds for the document.
function feat() {
	jq -e "$@" "$FEATURES" >/dev/null || fail "features: \`$*' does not hold: $(cat "$FEATURES")"
}

@test "features prints one JSON object with ociVersionMin and ociVersionMax" {
	run -0 "$EDGERUN" features
	run -0 jq -e 'type == "object"' "$FEATURES"
	feat '.ociVersionMin == "1.0.0"'
	feat '.ociVersionMax | type == "string"'
}

@test "features: ociVersionMax is 1.3.0, the spec version --version names" {
	skip_if_runc "runc 1.1 implements spec 1.0.2-dev"
	feat '.ociVersionMax == "1.3.0"'
	run -0 "$EDGERUN" --version
	local spec
	spec=$(sed -n 's/^spec: *//p' <<<"$output")
	feat --arg v "$spec" '.ociVersionMax == $v'
}

@test "features: runc's layout (4-space indent, \"key\": value, a final newline)" {
	run -0 sed -n '1,3p' "$FEATURES"
	[[ "${lines[0]}" == "{" ]]
	[[ "${lines[1]}" == '    "ociVersionMin": "1.0.0",' ]]
	[[ "${lines[2]}" == '    "ociVersionMax": '* ]]
	[[ "$(tail -c 2 "$FEATURES" | od -An -c | tr -d ' ')" == '}\n' ]]
	grep -q '^        "namespaces": \[$' "$FEATURES"
}

@test "features: hooks, every kind of the spec" {
	feat '.hooks == ["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]'
}

@test "features: mountOptions with the recursive ones, without idmap or filesystem data" {
	feat '.mountOptions | index("rro") and index("rnosuid") and index("rnosymfollow") and index("rrelatime")'
	feat '.mountOptions | index("ro") and index("bind") and index("rbind") and index("rprivate") and index("tmpcopyup")'
	feat '.mountOptions == (.mountOptions | sort)'
	skip_if_runc "runc lists acl and defaults"
	feat '.mountOptions | (index("idmap") or index("ridmap") or index("defaults") or index("acl")) | not'
}

@test "features: linux.namespaces, including time" {
	skip_if_runc "runc 1.1 has no time namespace"
	feat '.linux.namespaces == ["cgroup","ipc","mount","network","pid","time","user","uts"]'
}

@test "features: linux.capabilities, the kernel's, by name" {
	feat '.linux.capabilities[0] == "CAP_CHOWN"'
	feat '.linux.capabilities | index("CAP_SYS_ADMIN") and index("CAP_NET_RAW")'
	feat '.linux.capabilities | all(startswith("CAP_"))'
	local last
	last=$(cat /proc/sys/kernel/cap_last_cap)
	feat --argjson n "$((last + 1))" '.linux.capabilities | length <= $n'
}

@test "features: linux.cgroup v1 and v2 with rdma, no systemd driver" {
	feat '.linux.cgroup.v1 == true and .linux.cgroup.v2 == true'
	skip_if_runc "runc has a systemd driver"
	feat '.linux.cgroup == {v1: true, v2: true, systemd: false, systemdUser: false, rdma: true}'
}

@test "features: linux.seccomp actions, operators and archs" {
	feat '.linux.seccomp.enabled == true'
	feat '.linux.seccomp.actions | index("SCMP_ACT_NOTIFY") and index("SCMP_ACT_KILL_PROCESS") and index("SCMP_ACT_LOG")'
	feat '.linux.seccomp.actions | length == 9'
	feat '.linux.seccomp.operators == ["SCMP_CMP_EQ","SCMP_CMP_GE","SCMP_CMP_GT","SCMP_CMP_LE","SCMP_CMP_LT","SCMP_CMP_MASKED_EQ","SCMP_CMP_NE"]'
	feat '.linux.seccomp.archs | index("SCMP_ARCH_AARCH64") and index("SCMP_ARCH_S390X")'
	feat '.linux.seccomp.archs == (.linux.seccomp.archs | sort)'
	if [[ "$(uname -m)" == x86_64 ]]; then
		feat '.linux.seccomp.archs | index("SCMP_ARCH_X86_64") and index("SCMP_ARCH_X86") and index("SCMP_ARCH_X32")'
	fi
}

@test "features: linux.seccomp knownFlags and the supportedFlags among them" {
	skip_if_runc "runc 1.1 does not list seccomp flags"
	feat '.linux.seccomp.knownFlags == ["SECCOMP_FILTER_FLAG_TSYNC","SECCOMP_FILTER_FLAG_SPEC_ALLOW","SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
	feat '.linux.seccomp.supportedFlags - .linux.seccomp.knownFlags == []'
	# every kernel edgerun runs on (>= 5.x) has these three
	feat '.linux.seccomp.supportedFlags | index("SECCOMP_FILTER_FLAG_TSYNC") and index("SECCOMP_FILTER_FLAG_SPEC_ALLOW") and index("SECCOMP_FILTER_FLAG_LOG")'
}

@test "features: apparmor and selinux as this host has them; netDevices; no intelRdt or idmap mounts" {
	skip_if_runc "runc reports what it was built with"
	local aa=false se=false
	[[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" == Y* ]] && aa=true
	[[ -e /sys/fs/selinux/enforce ]] && se=true
	feat --argjson a "$aa" --argjson s "$se" '.linux.apparmor == {enabled: $a} and .linux.selinux == {enabled: $s}'
	feat '.linux.intelRdt == {enabled: false}'
	feat '.linux.mountExtensions == {idmap: {enabled: false}}'
	feat '.linux.netDevices == {enabled: true}'
	feat '.linux | keys_unsorted == ["namespaces","capabilities","cgroup","seccomp","apparmor","selinux","intelRdt","mountExtensions","netDevices"]'
}

@test "features: annotations name libseccomp, the version and the commit as --version does" {
	run -0 "$EDGERUN" --version
	local libseccomp version commit
	libseccomp=$(sed -n 's/^libseccomp: *//p' <<<"$output")
	version=$(sed -n 's/^.* version *//p' <<<"$output")
	commit=$(sed -n 's/^commit: *//p' <<<"$output")
	[[ -n "$libseccomp" ]]
	feat --arg v "$libseccomp" '.annotations["io.github.seccomp.libseccomp.version"] == $v'
	skip_if_runc "runc's own annotations"
	feat --arg v "$version" --arg c "$commit" \
		'.annotations == {"io.github.seccomp.libseccomp.version": .annotations["io.github.seccomp.libseccomp.version"], "org.edgerun.commit": $c, "org.edgerun.version": $v}'
}

@test "features takes no arguments" {
	run -1 "$EDGERUN" features extra
	[[ "${lines[0]}" == "Incorrect Usage." ]]
	[[ "$output" == *"requires exactly 0 argument(s)"* ]]
	run -1 "$EDGERUN" features --bogus
	[[ "$output" == *"flag provided but not defined: -bogus"* ]]
}

@test "features is in the command list and has its help" {
	run -0 "$EDGERUN" --help
	[[ "$output" == *"   features "*"show the enabled features"* ]]
	run -0 "$EDGERUN" features --help
	[[ "$output" == *"features - show the enabled features"* ]]
}

# --- the listed names work in a container ---

@test "features: a container gets every listed capability in its bounding set" {
	requires root
	setup_bundle
	# The list is in bit order (libcap names a prefix of the kernel's bits). A container can
	# only get what its caller has: give it the listed ones we have, expect exactly those.
	local own n i idx="" caps got
	own=$((16#$(awk '/^CapBnd/ {print $2}' /proc/self/status)))
	n=$(jq '.linux.capabilities | length' "$FEATURES")
	for ((i = 0; i < n; i++)); do
		if ((own >> i & 1)); then
			idx+="${idx:+,}$i"
		fi
	done
	caps=$(jq -c --argjson idx "[$idx]" '[.linux.capabilities[$idx[]]]' "$FEATURES")
	update_config '.process.capabilities.bounding = $c | .process.capabilities.effective = $c | .process.capabilities.permitted = $c' \
		--argjson c "$caps"
	set_args sh -c 'grep CapBnd /proc/self/status'
	run -0 edgerun run features-caps
	got=$((16#$(awk '{print $2}' <<<"$output")))
	[[ "$got" -eq $((own & ((1 << n) - 1))) ]] || fail "CapBnd $output, own $(printf %x "$own"), $n listed"
}

@test "features: a container runs with the supported seccomp flags" {
	requires root
	skip_if_runc "runc 1.1 does not list seccomp flags"
	setup_bundle
	local flags
	# WAIT_KILLABLE_RECV only goes with an SCMP_ACT_NOTIFY rule (seccomp.bats covers it)
	flags=$(jq -c '.linux.seccomp.supportedFlags - ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]' "$FEATURES")
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", flags: $f,
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 122}]}' \
		--argjson f "$flags"
	set_args sh -c 'mkdir /x; true'
	run -0 edgerun run features-seccomp
	# the filter is in place: EDQUOT, not the read-only root's EROFS
	[[ "$output" == *"quota exceeded"* ]]
}
