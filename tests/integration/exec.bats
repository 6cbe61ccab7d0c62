#!/usr/bin/env bats
# exec: a new process in a living container: output and status, env, user and groups, cwd,
# capabilities, no_new_privs, namespaces, cgroup, seccomp, --detach/--pid-file, --process,
# terminals, the refused states, ps, user namespaces.
# jq filters are single-quoted on purpose ($var there is a jq variable):
# shellcheck disable=SC2016

load helpers

function setup() {
	setup_cgroups
	CG_ID=test_exec_${TESTDIR##*.}
	SOCK="$TESTDIR/console.sock"
	TTYOUT="$TESTDIR/tty.out"
	LISTENERS=()
}

function teardown() {
	local p
	for p in ${RECVTTY_PID:-} "${LISTENERS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	teardown_cgroups
}

# start_container: the container $CG_ID (sleep 3600 by default) running in the background.
function start_container() {
	erun -0 run -d "$CG_ID"
}

# exec_detached PIDFILE ARGS...: `exec -d --pid-file PIDFILE ARGS...`; prints the pid.
function exec_detached() {
	local pidfile=$1
	shift
	erun -0 exec -d --pid-file "$pidfile" "$@"
	cat "$pidfile"
}

# cap_bit HEX N: 1 if capability N is in the capability mask HEX (from /proc/PID/status).
function cap_bit() {
	echo $(((0x$1 >> $2) & 1))
}

@test "exec: the program's output and exit status pass through" {
	start_container
	run -0 edgerun exec "$CG_ID" echo hello from exec
	[[ "$output" == "hello from exec" ]]
	run -42 edgerun exec "$CG_ID" sh -c 'echo out; echo err >&2; exit 42'
	[[ "$output" == *out* && "$output" == *err* ]]
	run -1 edgerun exec "$CG_ID" false
	# killed by a signal: 128+N, as a shell reports it
	run -137 edgerun exec "$CG_ID" sh -c 'kill -KILL $$'
	# stdin is the caller's
	run -0 edgerun exec "$CG_ID" cat <<<"from stdin"
	[[ "$output" == "from stdin" ]]
}

@test "exec: options after the container id belong to the command" {
	start_container
	run -0 edgerun exec "$CG_ID" ls -la /
	[[ "$output" == *bin* ]]
	run -0 edgerun exec "$CG_ID" sh -c 'echo "$1"' sh --env
	[[ "$output" == "--env" ]]
}

@test "exec: the process inherits the container's env; --env adds and overrides" {
	update_config '.process.env += ["FROM_CONFIG=config", "KEEP=kept"]'
	start_container
	run -0 edgerun exec --env FROM_CONFIG=override --env NEW=new "$CG_ID" env
	[[ "${lines[*]}" == *"FROM_CONFIG=override"* ]]
	[[ "${lines[*]}" != *"FROM_CONFIG=config"* ]]
	[[ "${lines[*]}" == *"NEW=new"* ]]
	[[ "${lines[*]}" == *"KEEP=kept"* ]]
	[[ "${lines[*]}" == *"TERM=xterm"* ]]
	[[ "$(grep -c '^FROM_CONFIG=' <<<"$output")" -eq 1 ]]
	# PATH too is only overridden, never the whole environment
	run -0 edgerun exec --env PATH=/bin "$CG_ID" env
	[[ "${lines[*]}" == *"PATH=/bin"* && "${lines[*]}" == *"KEEP=kept"* ]]
	# HOME comes from the container's /etc/passwd
	run -0 edgerun exec "$CG_ID" sh -c 'echo $HOME'
	[[ "$output" == /root ]]
}

@test "exec --user and --additional-gids" {
	start_container
	run -0 edgerun exec --user 1000:1000 "$CG_ID" id -u
	[[ "$output" == 1000 ]]
	run -0 edgerun exec --user 1000:1000 --additional-gids 100 --additional-gids 65534 "$CG_ID" id -G
	[[ "$output" == "1000 100 65534" ]]
	# only a uid: the config's gid stays; no passwd entry: HOME is /
	run -0 edgerun exec -u 1000 "$CG_ID" sh -c 'id -g; echo $HOME'
	[[ "${lines[0]}" == 0 && "${lines[1]}" == / ]]
	local pid
	pid=$(exec_detached "$TESTDIR/pid" --user 1000:1000 "$CG_ID" sleep 100)
	[[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" == 1000 ]]
	[[ "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" == 1000 ]]
}

@test "exec: the short and long forms of a repeated option may be mixed" {
	skip_if_runc "runc 1.1.5 refuses: Cannot use two forms of the same flag"
	start_container
	run -0 edgerun exec -e A=1 --env B=2 -g 100 --additional-gids 65534 -u 1000:1000 "$CG_ID" sh -c 'echo $A$B; id -G'
	[[ "${lines[0]}" == 12 && "${lines[1]}" == "1000 100 65534" ]]
}

@test "exec --user -d never chowns the host's /dev/null" {
	start_container
	local before
	before=$(stat -c %u:%g /dev/null)
	erun -0 exec -d --user 1000:1000 "$CG_ID" true
	[[ "$(stat -c %u:%g /dev/null)" == "$before" ]]
}

@test "exec --cwd, and the config's cwd by default" {
	update_config '.process.cwd = "/tmp"'
	start_container
	run -0 edgerun exec "$CG_ID" pwd
	[[ "$output" == /tmp ]]
	run -0 edgerun exec --cwd /bin "$CG_ID" pwd
	[[ "$output" == /bin ]]
}

@test "exec --cap adds a capability" {
	start_container
	local eff
	run -0 edgerun exec "$CG_ID" awk '/^CapEff:/ { print $2 }' /proc/self/status
	eff=$output
	# CAP_NET_ADMIN (12) is not in the default set; CAP_KILL (5) is
	[[ "$(cap_bit "$eff" 12)" == 0 && "$(cap_bit "$eff" 5)" == 1 ]]
	run -0 edgerun exec --cap CAP_NET_ADMIN "$CG_ID" awk '/^Cap(Eff|Bnd):/ { print $2 }' /proc/self/status
	[[ "$(cap_bit "${lines[0]}" 12)" == 1 && "$(cap_bit "${lines[1]}" 12)" == 1 ]]
	[[ "$(cap_bit "${lines[0]}" 5)" == 1 ]]
}

@test "exec --cap with an unknown capability fails" {
	skip_if_runc "runc 1.1.5 ignores unknown capabilities with a warning"
	start_container
	run -255 edgerun exec --cap CAP_NO_SUCH "$CG_ID" true
	[[ "$output" == *"unknown capability"*CAP_NO_SUCH* ]]
}

@test "exec --no-new-privs" {
	update_config '.process.noNewPrivileges = false'
	start_container
	run -0 edgerun exec "$CG_ID" grep NoNewPrivs /proc/self/status
	[[ "$output" == *0 ]]
	run -0 edgerun exec --no-new-privs "$CG_ID" grep NoNewPrivs /proc/self/status
	[[ "$output" == *1 ]]
}

@test "exec: the process is in the container's namespaces and cgroup" {
	start_container
	local init pid ns
	init=$(container_pid "$CG_ID")
	pid=$(exec_detached "$TESTDIR/pid" "$CG_ID" sleep 100)
	[[ "$pid" != "$init" ]]
	for ns in pid net ipc uts mnt; do
		[[ "$(nsid "$pid" "$ns")" == "$(nsid "$init" "$ns")" ]] ||
			fail "$ns: $(nsid "$pid" "$ns") vs the init's $(nsid "$init" "$ns")"
	done
	[[ "$(nsid "$pid" pid)" != "$(nsid $$ pid)" ]]
	[[ "$(cat "/proc/$pid/cgroup")" == "$(cat "/proc/$init/cgroup")" ]]
	# seen from inside: the init is pid 1, the root is the container's
	run -0 edgerun exec "$CG_ID" sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; cat /proc/self/cgroup'
	[[ "${lines[0]}" == "sleep 3600 " ]]
	[[ "$(printf '%s\n' "${lines[@]:1}")" == "$(cat "/proc/$init/cgroup")" ]]
	run -0 edgerun exec "$CG_ID" hostname
	[[ "$output" == "$(jq -r .hostname "$BUNDLE/config.json")" ]]
}

@test "exec joins a time namespace with the container's offsets" {
	requires timens
	skip_if_runc "runc 1.1.5 has no time namespaces"
	set_namespace time
	update_config '.linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}}'
	start_container
	local init pid
	init=$(container_pid "$CG_ID")
	pid=$(exec_detached "$TESTDIR/pid" "$CG_ID" sleep 100)
	[[ "$(nsid "$pid" time)" == "$(nsid "$init" time)" ]]
	run -0 edgerun exec "$CG_ID" cat /proc/self/timens_offsets
	[[ "$output" == *"monotonic"*86400* ]]
}

@test "exec --cgroup: a sub-cgroup of the container's, never above it" {
	start_container
	local init d
	init=$(container_pid "$CG_ID")
	while read -r d; do
		mkdir "$d/sub"
		if [[ -e "$d/cpuset.cpus" ]]; then
			cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus"
			cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
		fi
	done < <(cgroup_dirs "$init")
	run -0 edgerun exec --cgroup sub "$CG_ID" cat /proc/self/cgroup
	while read -r d; do
		[[ "$d" == */sub ]] || fail "not in the sub-cgroup: $d"
	done <<<"$output"
	run -0 edgerun exec --cgroup / "$CG_ID" cat /proc/self/cgroup
	[[ "$output" == "$(cat "/proc/$init/cgroup")" ]]
	run ! edgerun exec --cgroup .. "$CG_ID" true
	[[ "$output" == *"sub cgroup path"* ]]
	run ! edgerun exec --cgroup nonexistent "$CG_ID" true
}

@test "exec: the container's seccomp profile applies" {
	# without no_new_privs the filter goes on before the capabilities are dropped
	update_config '.process.noNewPrivileges = false'
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	start_container
	run ! edgerun exec "$CG_ID" mkdir /tmp/denied
	[[ ! -e "$ROOTFS/tmp/denied" ]]
	run -0 edgerun exec "$CG_ID" touch /tmp/allowed
	[[ -e "$ROOTFS/tmp/allowed" ]]
	run ! edgerun exec --user 1000:1000 "$CG_ID" mkdir /tmp/denied2
	[[ ! -e "$ROOTFS/tmp/denied2" ]]
	# with no_new_privs it is the last step before the program
	run ! edgerun exec --no-new-privs --user 1000:1000 "$CG_ID" mkdir /tmp/denied3
	[[ ! -e "$ROOTFS/tmp/denied3" ]]
	run -0 edgerun exec "$CG_ID" grep Seccomp: /proc/self/status
	[[ "$output" == *2 ]]
}

# start_listener NAME: tests/helpers/seccomp_listener on $TESTDIR/listener.sock (it takes one
# connection, then removes the socket), answering errno 42; state in $TESTDIR/NAME.state.
function start_listener() {
	[[ -x "$TESTDIR/seccomp_listener" ]] ||
		cc -O2 -Wall -o "$TESTDIR/seccomp_listener" "$TESTS_ROOT/helpers/seccomp_listener.c"
	"$TESTDIR/seccomp_listener" "$TESTDIR/listener.sock" "$TESTDIR/$1.state" errno:42 \
		>"$TESTDIR/$1.log" 2>&1 3>&- &
	LISTENERS+=("$!")
	retry 100 0.05 test -S "$TESTDIR/listener.sock"
}

@test "exec: SCMP_ACT_NOTIFY gives listenerPath a listener for the exec'd process" {
	requires cc
	skip_if_runc "runc 1.1.5 sends no listener for an exec'd process (its syscalls get ENOSYS) and hangs"
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", listenerPath: $l,
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}' \
		--arg l "$TESTDIR/listener.sock"
	start_listener init
	start_container
	retry 50 0.1 test -s "$TESTDIR/init.state"
	start_listener exec
	run -0 edgerun exec "$CG_ID" sh -c 'mkdir /tmp/d; echo "status $?"'
	[[ "$output" == *"status 1" ]]
	[[ ! -e "$ROOTFS/tmp/d" ]]
	jq -e --argjson init "$(container_pid "$CG_ID")" --arg id "$CG_ID" \
		'.fds == ["seccompFd"] and .pid != $init and .state.id == $id' "$TESTDIR/exec.state"
	grep -q '^nr ' "$TESTDIR/exec.log"
}

@test "exec --detach --pid-file: returns once the program runs" {
	start_container
	local pid
	pid=$(exec_detached "$TESTDIR/pid" "$CG_ID" sleep 100)
	[[ "$pid" =~ ^[0-9]+$ ]]
	[[ "$pid" != "$(container_pid "$CG_ID")" ]]
	[[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == "sleep 100 " ]]
	# a relative pid file is relative to the caller's directory
	cd "$TESTDIR"
	erun -0 exec -d --pid-file rel.pid "$CG_ID" sleep 100
	[[ -s "$TESTDIR/rel.pid" ]]
}

@test "exec --process: a process.json of its own" {
	start_container
	cat >"$TESTDIR/process.json" <<'EOF'
{
	"args": ["sh", "-c", "echo $ONLY; pwd; id -u; echo ${TERM:-none}"],
	"env": ["ONLY=from-process-json", "PATH=/bin"],
	"cwd": "/tmp",
	"user": {"uid": 1000, "gid": 1000}
}
EOF
	run -0 edgerun exec --process "$TESTDIR/process.json" "$CG_ID"
	[[ "${lines[0]}" == from-process-json ]]
	[[ "${lines[1]}" == /tmp ]]
	[[ "${lines[2]}" == 1000 ]]
	# the container's env is not added to a process.json's
	[[ "${lines[3]}" == none ]]
}

@test "exec --process with an invalid process.json fails" {
	start_container
	echo '{"args": ["true"]}' >"$TESTDIR/process.json"
	run -255 edgerun exec -p "$TESTDIR/process.json" "$CG_ID"
	[[ "${output,,}" == *cwd* ]]
}

@test "exec --tty --console-socket: the pty master goes to the socket" {
	requires cc
	start_container
	start_recvtty "$SOCK" "$TTYOUT"
	erun -0 exec -d -t --console-socket "$SOCK" "$CG_ID" sh -c 'tty; test -t 0 && echo stdin-tty'
	wait_recvtty
	run -0 tr -d '\r' <"$TTYOUT"
	[[ "${lines[0]}" == /dev/pts/* ]]
	[[ "${lines[1]}" == stdin-tty ]]
}

@test "exec --tty in the foreground: the caller's terminal is proxied" {
	command -v script >/dev/null || skip "needs script(1)"
	start_container
	# script(1) gives exec a terminal of its own to proxy
	run -0 script -qec "$EDGERUN --root $ROOT exec -t $CG_ID sh -c 'tty; exit 0'" /dev/null
	[[ "$output" == *"/dev/pts/"* ]]
	run -3 script -qec "$EDGERUN --root $ROOT exec -t $CG_ID sh -c 'exit 3'" /dev/null
}

@test "exec --tty in the foreground without a terminal of the caller's" {
	skip_if_runc "runc 1.1.5 needs a controlling terminal (open /dev/tty)"
	start_container
	run -0 edgerun exec -t "$CG_ID" sh -c 'tty; exit 0'
	[[ "$output" == /dev/pts/* ]]
	run -3 edgerun exec -t "$CG_ID" sh -c 'exit 3'
}

@test "exec --tty with --detach and no --console-socket is refused" {
	start_container
	run ! edgerun exec -d -t "$CG_ID" true
	[[ "$output" == *console* ]]
}

@test "exec: a foreground exec forwards signals" {
	start_container
	"$EDGERUN" --root "$ROOT" exec "$CG_ID" sh -c 'trap "exit 7" TERM; touch /tmp/ready; while :; do sleep 0.1; done' &
	local pid=$!
	retry 100 0.1 test -e "$ROOTFS/tmp/ready"
	kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	[[ "$st" -eq 7 ]] || fail "exit status $st, expected 7"
}

@test "exec into a stopped container fails" {
	set_args true
	erun -0 run -d "$CG_ID"
	wait_for_status "$CG_ID" stopped
	run -255 edgerun exec "$CG_ID" true
	[[ "$output" == *"cannot exec in a stopped container"* ]]
}

@test "exec into a missing container fails" {
	run -255 edgerun exec test_exec_nonexistent true
}

@test "exec without a command fails" {
	start_container
	run -255 edgerun exec "$CG_ID"
	[[ "$output" == *"args cannot be empty"* ]]
}

@test "exec into a created container" {
	erun -0 create "$CG_ID"
	run -0 edgerun exec "$CG_ID" echo in-created
	[[ "$output" == in-created ]]
	[[ "$(container_status "$CG_ID")" == created ]]
}

@test "exec into a paused container is refused without --ignore-paused" {
	start_container
	run -0 edgerun pause "$CG_ID"
	run -255 edgerun exec "$CG_ID" true
	[[ "$output" == *paused* ]]
	# with it the process starts, frozen with the container until it is resumed
	"$EDGERUN" --root "$ROOT" exec --ignore-paused "$CG_ID" sh -c 'echo ran' >"$TESTDIR/out" 2>&1 &
	local pid=$! st=0
	sleep 0.5
	run -0 edgerun resume "$CG_ID"
	wait "$pid" || st=$?
	[[ "$st" -eq 0 ]] || fail "exec --ignore-paused exited $st: $(cat "$TESTDIR/out")"
	[[ "$(cat "$TESTDIR/out")" == ran ]]
}

@test "exec of a missing program exits 255 with the reason" {
	start_container
	# with --log the error is also printed plainly (unquoted) on stderr
	run -255 edgerun --log "$TESTDIR/log" exec "$CG_ID" nope
	[[ "$output" == *'exec: "nope": executable file not found in $PATH'* ]]
	run -255 edgerun exec "$CG_ID" /bin/nope
	[[ "$output" == *'/bin/nope'*'no such file or directory'* ]]
	run -255 edgerun exec --cwd /nonexistent "$CG_ID" true
	[[ "$output" == *'/nonexistent'* ]]
	# the container is not disturbed
	[[ "$(container_status "$CG_ID")" == running ]]
}

@test "exec: an unwritable pid file fails and leaves no process" {
	start_container
	run -255 edgerun exec --pid-file /nonexistent/dir/pid "$CG_ID" true
	run -0 edgerun ps --format json "$CG_ID"
	[[ "$(jq length <<<"$output")" -eq 1 ]]
}

@test "exec --preserve-fds passes descriptors on" {
	start_container
	echo hello >"$TESTDIR/fd.txt"
	exec 4<"$TESTDIR/fd.txt"
	run -0 edgerun exec --preserve-fds=2 "$CG_ID" cat /proc/self/fd/4
	exec 4<&-
	[[ "$output" == hello ]]
}

@test "exec --apparmor / --process-label on a host without that LSM fail clearly" {
	[[ ! -e /sys/module/apparmor/parameters/enabled && ! -e /sys/fs/selinux/enforce ]] ||
		skip "the host has AppArmor or SELinux"
	start_container
	run -255 edgerun exec --apparmor edgerun-test "$CG_ID" true
	[[ "${output,,}" == *apparmor* ]]
	run -255 edgerun exec --process-label system_u:system_r:container_t:s0 "$CG_ID" true
	[[ "${output,,}" == *selinux* ]]
	# edgerun says so before it starts anything
	is_runc || [[ "$output" == *"not supported"* ]]
}

@test "exec: ps lists the exec'd process" {
	start_container
	local pid
	pid=$(exec_detached "$TESTDIR/pid" "$CG_ID" sleep 100)
	run -0 edgerun ps --format json "$CG_ID"
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
	jq -e --argjson p "$(container_pid "$CG_ID")" 'index($p) != null' <<<"$output"
}

@test "exec --debug describes the steps" {
	skip_if_runc "runc's debug lines differ"
	start_container
	run -0 edgerun --debug exec "$CG_ID" true
	[[ "$output" == *level=debug*"joining namespaces"* ]]
}

@test "exec in a container with a user namespace" {
	requires userns
	set_namespace user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	start_container
	local init pid
	init=$(container_pid "$CG_ID")
	run -0 edgerun exec "$CG_ID" sh -c 'id -u; id -g; cat /proc/self/uid_map'
	[[ "${lines[0]}" == 0 && "${lines[1]}" == 0 ]]
	[[ "${lines[2]}" =~ ^\ *0\ +100000\ +65536$ ]]
	pid=$(exec_detached "$TESTDIR/pid" --user 1000:1000 "$CG_ID" sleep 100)
	[[ "$(nsid "$pid" user)" == "$(nsid "$init" user)" ]]
	[[ "$(nsid "$pid" mnt)" == "$(nsid "$init" mnt)" ]]
	[[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" == 101000 ]]
	[[ "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" == 201000 ]]
	run -0 edgerun exec -u 1000:1000 -g 5 "$CG_ID" id -G
	[[ "$output" == "1000 5" ]]
}
