#!/usr/bin/env bats
# linux.seccomp: the filter is enforced (actions, errnoRet, argument filters, the ENOSYS
# rule), loaded with and without noNewPrivileges, compiled once and cached under
# ROOT/.seccomp, and SCMP_ACT_NOTIFY hands the listener fd to listenerPath.
#
# fixtures/seccomp-containerd-default.json is containerd 1.6.20's default profile (the
# linux.seccomp of `ctr run --seccomp` with the default capabilities, as Debian 12 ships it).
# Two small programs of ours (tests/helpers/): seccomp_syscall.c, built static and copied
# into the rootfs as /bin/syscall (busybox has no applet for keyctl, personality or a raw
# syscall number), and seccomp_listener.c, a listenerPath agent running on the host.
# jq filters are single-quoted on purpose ($var there is a jq variable):
# shellcheck disable=SC2016

load helpers

FIXTURE="$INTEGRATION_ROOT/fixtures/seccomp-containerd-default.json"

function setup_file() {
	command -v cc >/dev/null || skip "needs a C compiler (cc)"
	cc -O2 -Wall -o "$BATS_FILE_TMPDIR/seccomp_listener" "$TESTS_ROOT/helpers/seccomp_listener.c"
	cc -static -O2 -Wall -o "$BATS_FILE_TMPDIR/syscall" "$TESTS_ROOT/helpers/seccomp_syscall.c"
}

function setup() {
	requires root
	setup_bundle
	cp "$BATS_FILE_TMPDIR/syscall" "$ROOTFS/bin/syscall"
}

function teardown() {
	if [[ -n "${LISTENER_PID:-}" ]]; then
		kill "$LISTENER_PID" 2>/dev/null || true
		wait "$LISTENER_PID" 2>/dev/null || true
	fi
	teardown_bundle
}

# set_profile JSON: linux.seccomp = JSON.
function set_profile() {
	update_config '.linux.seccomp = $s' --argjson s "$1"
}

# allow_all_but RULES: a profile allowing every syscall but those of the syscalls[] RULES.
function allow_all_but() {
	set_profile "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": $1}"
}

# containerd_profile: linux.seccomp = containerd's default profile.
function containerd_profile() {
	update_config '.linux.seccomp = $p[0]' --slurpfile p "$FIXTURE"
}

# add_cap CAP: add a capability to every set of process.capabilities.
function add_cap() {
	update_config '.process.capabilities |= with_entries(.value += [$c])' --arg c "$1"
}

# The cache files of this test's root.
function cache_files() {
	find "$ROOT/.seccomp" -maxdepth 1 -type f -name '*.bpf' 2>/dev/null | sort
}

# flip_byte FILE OFFSET: invert the bits of one byte of FILE in place.
function flip_byte() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1")
	# shellcheck disable=SC2059 # the format is the escape itself
	printf "\\x$(printf %02x $((b ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# start_listener ANSWER: seccomp_listener on $TESTDIR/listener.sock, writing the state it
# receives to $TESTDIR/listener.state and its log to $TESTDIR/listener.log.
function start_listener() {
	LISTENER_SOCK="$TESTDIR/listener.sock"
	"$BATS_FILE_TMPDIR/seccomp_listener" "$LISTENER_SOCK" "$TESTDIR/listener.state" "$1" \
		>"$TESTDIR/listener.log" 2>&1 3>&- &
	LISTENER_PID=$!
	retry 100 0.05 test -S "$LISTENER_SOCK"
}

# notify_profile RULE_NAMES_JSON: allow all, notify the named syscalls to the listener.
function notify_profile() {
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $l,
		listenerMetadata: "edgerun-test metadata", syscalls: [{names: $n, action: "SCMP_ACT_NOTIFY"}]}' \
		--arg l "$LISTENER_SOCK" --argjson n "$1"
}

# wait_listener: the listener exits 0 once the container is gone.
function wait_listener() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$LISTENER_PID" 2>/dev/null || break
		sleep 0.05
	done
	wait "$LISTENER_PID" || fail "seccomp_listener failed: $(cat "$TESTDIR/listener.log")"
	LISTENER_PID=
}

@test "containerd's default profile: unshare, keyctl and mount are refused, ordinary programs run" {
	# CAP_SYS_ADMIN: without the filter all three work (checked first), so only the
	# filter can refuse them (the profile, made for the default capabilities, lacks them)
	add_cap CAP_SYS_ADMIN
	mkdir -p "$ROOTFS/mnt"
	set_args sh -c 'ls / >/dev/null && echo ls-ok
		unshare -u true && echo unshare-ok
		syscall keyctl 0 -3 0
		mount -t tmpfs none /mnt && echo mount-ok
		echo script-end'
	run -0 edgerun run test_sc_nofilter
	[[ "$output" == *ls-ok* && "$output" == *unshare-ok* && "$output" == *mount-ok* ]]
	[[ "$output" == *"keyctl: ok"* ]]

	containerd_profile
	run -0 edgerun run test_sc_containerd
	[[ "$output" == *ls-ok* && "$output" == *script-end* ]]
	[[ "$output" != *unshare-ok* && "$output" != *mount-ok* ]]
	[[ "$output" == *"keyctl: errno 1 (Operation not permitted)"* ]]
}

@test "containerd's default profile: a syscall number beyond the profile's gets ENOSYS, not EPERM" {
	containerd_profile
	set_args sh -c 'syscall 1000; syscall keyctl 0 -3 0; true'
	run -0 edgerun run test_sc_enosys
	[[ "$output" == *"1000: errno 38 (Function not implemented)"* ]]
	# a known syscall the profile does not allow gets the default action (EPERM)
	[[ "$output" == *"keyctl: errno 1 (Operation not permitted)"* ]]
}

@test "SCMP_ACT_ERRNO returns errnoRet, EPERM without it" {
	allow_all_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]'
	set_args mkdir /tmp/d
	run -1 edgerun run test_sc_errno
	[[ "$output" == *"No message of desired type"* ]]
	[[ ! -e "$ROOTFS/tmp/d" ]]

	allow_all_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
	run -1 edgerun run test_sc_eperm
	[[ "$output" == *"Operation not permitted"* ]]
	[[ ! -e "$ROOTFS/tmp/d" ]]
}

@test "SCMP_ACT_KILL_PROCESS kills the program with SIGSYS" {
	allow_all_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_KILL_PROCESS"}]'
	update_config '.process.rlimits += [{type: "RLIMIT_CORE", hard: 0, soft: 0}]'
	set_args mkdir /tmp/d
	run -159 edgerun run test_sc_kill
	[[ ! -e "$ROOTFS/tmp/d" ]]
}

@test "an argument filter matches only the given value" {
	allow_all_but '[{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
		"args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]'
	set_args sh -c 'syscall personality 0xffffffff; syscall personality 8; syscall personality 0'
	run -0 edgerun run test_sc_args
	[[ "${lines[0]}" == "personality: ok ("* ]]
	[[ "${lines[1]}" == "personality: errno 42 "* ]]
	[[ "${lines[2]}" == "personality: ok ("* ]]
}

@test "SCMP_CMP_MASKED_EQ compares only the bits of the mask" {
	# umask(m) is refused when (m & 077) == 022, whatever the bits outside the mask
	allow_all_but '[{"names": ["umask"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
		"args": [{"index": 0, "value": 63, "valueTwo": 18, "op": "SCMP_CMP_MASKED_EQ"}]}]'
	set_args sh -c 'syscall umask 022; syscall umask 0722; syscall umask 027'
	run -0 edgerun run test_sc_masked
	[[ "${lines[0]}" == "umask: errno 42 "* ]]
	[[ "${lines[1]}" == "umask: errno 42 "* ]]
	[[ "${lines[2]}" == "umask: ok ("* ]]
}

@test "a syscall name unknown to libseccomp is skipped; the rest of its rule applies" {
	allow_all_but '[{"names": ["no_such_syscall", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]'
	set_args mkdir /tmp/d
	run -1 edgerun run test_sc_unknown
	[[ "$output" == *"No message of desired type"* ]]
	[[ ! -e "$ROOTFS/tmp/d" ]]
}

@test "a malformed profile fails create with the JSON path of the mistake" {
	skip_if_runc "runc's message does not name the JSON path"
	allow_all_but '[{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}, {"names": ["mkdir"], "action": "SCMP_ACT_BOGUS"}]'
	erun ! create test_sc_bad
	[[ "$output" == *"linux.seccomp.syscalls[1].action"* && "$output" == *SCMP_ACT_BOGUS* ]]
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]

	allow_all_but '[{"names": ["umask"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]'
	erun ! create test_sc_bad
	[[ "$output" == *"linux.seccomp.syscalls[0].args[0].index"* ]]
}

@test "without noNewPrivileges and without CAP_SYS_ADMIN the filter is still enforced" {
	update_config '.process.noNewPrivileges = false'
	# neither the default capabilities nor uid 1000 keep CAP_SYS_ADMIN
	[[ "$(jq '.process.capabilities.effective | index("CAP_SYS_ADMIN")' "$BUNDLE/config.json")" == null ]]
	allow_all_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]'
	set_args sh -c 'mkdir /tmp/d; grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status'
	run -0 edgerun run test_sc_nonnp
	[[ "$output" == *"No message of desired type"* ]]
	[[ "$output" == *$'NoNewPrivs:\t0'* && "$output" == *$'Seccomp:\t2'* ]]

	update_config '.process.user = {uid: 1000, gid: 1000}'
	run -0 edgerun run test_sc_nonnp_user
	[[ "$output" == *"No message of desired type"* ]]
	[[ "$output" == *$'NoNewPrivs:\t0'* && "$output" == *$'Seccomp:\t2'* ]]
	[[ ! -e "$ROOTFS/tmp/d" ]]
}

@test "without noNewPrivileges but with CAP_SYS_ADMIN the filter is enforced" {
	update_config '.process.noNewPrivileges = false'
	add_cap CAP_SYS_ADMIN
	allow_all_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]'
	set_args sh -c 'mkdir /tmp/d; grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status'
	run -0 edgerun run test_sc_nonnp_admin
	[[ "$output" == *"No message of desired type"* ]]
	[[ "$output" == *$'NoNewPrivs:\t0'* && "$output" == *$'Seccomp:\t2'* ]]
}

@test "the compiled filter is cached: the second start of the same profile skips the compiler" {
	skip_if_runc "the filter cache is edgerun's"
	containerd_profile
	set_args sh -c 'syscall keyctl 0 -3 0; true'
	run -0 edgerun --debug run test_sc_cache1
	[[ "$output" == *"keyctl: errno 1 "* ]]
	[[ "$output" == *"profile compiled"* && "$output" != *"profile cache hit"* ]]
	[[ "$(cache_files | wc -l)" -eq 1 ]]

	run -0 edgerun --debug run test_sc_cache2
	[[ "$output" == *"profile cache hit"* ]]
	[[ "$output" == *"keyctl: errno 1 "* ]]
	[[ "$(cache_files | wc -l)" -eq 1 ]]

	# another profile is another entry
	allow_all_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]'
	run -0 edgerun --debug run test_sc_cache3
	[[ "$output" == *"profile compiled"* && "$output" != *"profile cache hit"* ]]
	[[ "$(cache_files | wc -l)" -eq 2 ]]
}

@test "a corrupted or truncated cache entry is rebuilt, never loaded" {
	skip_if_runc "the filter cache is edgerun's"
	local f size how
	allow_all_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]'
	set_args sh -c 'mkdir /tmp/d; echo mkdir-done'
	run -0 edgerun run test_sc_corrupt0
	f=$(cache_files)
	[[ -n "$f" && -s "$f" ]]
	size=$(stat -c %s "$f")
	for how in flip truncate empty; do
		case "$how" in
		flip) flip_byte "$f" $((size / 2)) ;;
		truncate) truncate -s $((size - 8)) "$f" ;;
		empty) : >"$f" ;;
		esac
		run -0 edgerun --debug run "test_sc_corrupt_$how"
		[[ "$output" == *"corrupt, recompiling"* && "$output" == *"profile compiled"* ]]
		[[ "$output" != *"profile cache hit"* ]]
		[[ "$output" == *"No message of desired type"* && "$output" == *mkdir-done* ]]
		[[ ! -e "$ROOTFS/tmp/d" ]]
		# rebuilt: whole again, and used by the next start
		[[ "$(stat -c %s "$f")" -eq "$size" ]]
		run -0 edgerun --debug run "test_sc_corrupt_${how}_again"
		[[ "$output" == *"profile cache hit"* ]]
	done
}

@test "SCMP_ACT_NOTIFY: the listener gets the fd and the process state, and its answer counts" {
	start_listener errno:42
	notify_profile '["mkdir", "mkdirat"]'
	set_args sh -c 'mkdir /tmp/d 2>/tmp/out; echo "status $?" >>/tmp/out'
	erun -0 create test_sc_notify
	# the listener has the state before create returns; the pid is the container's
	retry 50 0.1 test -s "$TESTDIR/listener.state"
	run -0 jq -e --argjson pid "$(container_pid test_sc_notify)" '.ociVersion != null and
		.fds == ["seccompFd"] and .pid == $pid and .metadata == "edgerun-test metadata" and
		.state.id == "test_sc_notify" and .state.status == "creating" and .state.pid == $pid and
		.state.bundle == $b' --arg b "$BUNDLE" "$TESTDIR/listener.state"
	run -0 edgerun start test_sc_notify
	wait_for_status test_sc_notify stopped
	wait_listener
	[[ "$(cat "$ROOTFS/tmp/out")" == *"No message of desired type"*"status 1" ]]
	[[ ! -e "$ROOTFS/tmp/d" ]]
	grep -q '^nr ' "$TESTDIR/listener.log"
}

@test "SCMP_ACT_NOTIFY without noNewPrivileges: the listener's success answer is what the program sees" {
	skip_if_runc "runc 1.1.5's init panics with SCMP_ACT_NOTIFY and noNewPrivileges false"
	update_config '.process.noNewPrivileges = false'
	start_listener ok
	notify_profile '["mkdir", "mkdirat"]'
	set_args sh -c 'mkdir /tmp/d && echo mkdir-ok'
	run -0 edgerun run test_sc_notify_ok
	[[ "$output" == mkdir-ok ]]
	# "ok" answers without running the call: the directory was never made
	[[ ! -e "$ROOTFS/tmp/d" ]]
	wait_listener
	jq -e '.state.id == "test_sc_notify_ok"' "$TESTDIR/listener.state"
}

@test "SCMP_ACT_NOTIFY on the runtime's own syscalls (sendmsg, recvmsg, close, ...) does not block create" {
	skip_if_runc "runc 1.1.5 refuses SCMP_ACT_NOTIFY for write, and panics without noNewPrivileges"
	local nnp
	for nnp in true false; do
		update_config '.process.noNewPrivileges = $n' --argjson n "$nnp"
		start_listener continue
		notify_profile '["sendmsg", "recvmsg", "close", "wait4", "munmap", "read", "write",
			"openat", "execve", "mkdir", "mkdirat"]'
		set_args sh -c 'mkdir /tmp/d && echo mkdir-ok'
		run -0 edgerun run "test_sc_notify_own_$nnp"
		[[ "$output" == mkdir-ok ]]
		# "continue": the kernel ran it
		[[ -d "$ROOTFS/tmp/d" ]]
		rmdir "$ROOTFS/tmp/d"
		wait_listener
		[[ "$(grep -c '^nr ' "$TESTDIR/listener.log")" -gt 2 ]]
	done
}

@test "SCMP_ACT_NOTIFY: a listener that cannot be reached fails create, naming its path" {
	LISTENER_SOCK="$TESTDIR/nobody.sock"
	notify_profile '["mkdir", "mkdirat"]'
	set_args true
	erun ! create test_sc_nolistener
	[[ "$output" == *"$TESTDIR/nobody.sock"* ]]
	run ! edgerun state test_sc_nolistener
	retry 50 0.1 procs_left_are 0
}
