#!/usr/bin/env bats
# hooks: prestart, createRuntime, createContainer, startContainer, poststart, poststop —
# when each runs, the state on its stdin, its namespace and working directory, its args
# and env, timeouts, and what a failure does.

load helpers

function setup() {
	requires root
	setup_bundle
	OUT="$TESTDIR/hookout"
	mkdir -p "$OUT" "$ROOTFS/hookout"
	# The recording hook: args are NAME OUTDIR [EXTRA...]. Written for both the host's /bin/sh
	# and busybox (startContainer hooks run inside the container, from its rootfs).
	cat >"$TESTDIR/hook.sh" <<'HOOK'
#!/bin/sh
name=$1 out=$2
shift 2
echo "HOOKVAR=${HOOKVAR-unset} LEAK=${HOOK_LEAK-unset}" >"$out/$name.env"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
cat >"$out/$name.state"
readlink /proc/self/ns/mnt >"$out/$name.mntns"
stat -c %d:%i . >"$out/$name.cwdid"
for a in "$@"; do echo "[$a]"; done >"$out/$name.args"
if test -e /tmp/ran; then echo yes; else echo no; fi >"$out/$name.ran"
echo "$name" >>"$out/order"
HOOK
	chmod 0755 "$TESTDIR/hook.sh"
	cp "$TESTDIR/hook.sh" "$ROOTFS/hook.sh"
	# The program marks that it ran (in the rootfs, seen by every hook as /tmp/ran).
	set_args sh -c 'touch /tmp/ran; sleep 3600'
}

# add_hook KIND NAME [JQ_OBJECT_EXTRA]: a recording hook of KIND named NAME.
function add_hook() {
	local kind=$1 name=$2 extra=${3:-'{}'} path=$TESTDIR/hook.sh out=$OUT
	if [[ "$kind" == startContainer ]]; then
		path=/hook.sh
		out=/hookout
	fi
	update_config '.hooks[$k] += [{path: $p, args: ["hook.sh", $n, $o]} + $x]' \
		--arg k "$kind" --arg p "$path" --arg n "$name" --arg o "$out" --argjson x "$extra"
}

# add_script_hook KIND SCRIPT [JQ_OBJECT_EXTRA]: a hook running SCRIPT with the host's sh.
function add_script_hook() {
	update_config '.hooks[$k] += [{path: "/bin/sh", args: ["sh", "-c", $s]} + $x]' \
		--arg k "$1" --arg s "$2" --argjson x "${3:-{\}}"
}

# hook_file NAME EXT: the file a hook wrote (startContainer writes inside the rootfs).
function hook_file() {
	if [[ -e "$OUT/$1.$2" ]]; then
		echo "$OUT/$1.$2"
	else
		echo "$ROOTFS/hookout/$1.$2"
	fi
}

function hook_ran() {
	[[ -e "$(hook_file "$1" state)" ]]
}

function add_all_hooks() {
	local k
	for k in prestart createRuntime createContainer startContainer poststart poststop; do
		add_hook "$k" "$k"
	done
}

@test "hooks run at their phase: create, start, delete" {
	add_all_hooks
	erun -0 create test_hooks
	hook_ran prestart
	hook_ran createRuntime
	hook_ran createContainer
	! hook_ran startContainer || fail "startContainer ran during create"
	! hook_ran poststop || fail "poststop ran during create"
	run -0 edgerun start test_hooks
	hook_ran startContainer
	retry 100 0.1 hook_ran poststart
	! hook_ran poststop || fail "poststop ran before delete"
	run -0 edgerun delete --force test_hooks
	hook_ran poststop
	# none of them saw the program run, except poststart which may
	local h
	for h in prestart createRuntime createContainer startContainer; do
		[[ "$(cat "$(hook_file "$h" ran)")" == no ]] || fail "$h ran after the program"
	done
}

@test "poststart hooks do not run during create" {
	skip_if_runc "runc runs poststart hooks during create"
	add_hook poststart poststart
	erun -0 create test_poststart
	! hook_ran poststart || fail "poststart ran during create"
	run -0 edgerun start test_poststart
	retry 100 0.1 hook_ran poststart
}

@test "hooks of one kind run in order, kinds in lifecycle order" {
	add_hook prestart pre1
	add_hook prestart pre2
	add_hook createRuntime cr1
	add_hook createContainer cc1
	add_hook poststart ps1
	add_hook poststop stop1
	add_hook poststop stop2
	erun -0 run -d test_order
	retry 100 0.1 hook_ran ps1
	run -0 edgerun delete --force test_order
	run -0 cat "$OUT/order"
	skip_if_runc "runc runs poststart hooks during create"
	[[ "$output" == "pre1"$'\n'"pre2"$'\n'"cr1"$'\n'"cc1"$'\n'"ps1"$'\n'"stop1"$'\n'"stop2" ]]
}

@test "hooks get the state on stdin with the status of their phase" {
	update_config '.annotations = {"org.example.a": "b"}'
	add_all_hooks
	erun -0 create test_state
	run -0 edgerun start test_state
	retry 100 0.1 hook_ran poststart
	run -0 edgerun delete --force test_state
	local h f
	for h in prestart createRuntime createContainer startContainer poststart poststop; do
		f=$(hook_file "$h" state)
		jq -e --arg b "$BUNDLE" '.id == "test_state" and .bundle == $b and (.ociVersion | type) == "string"' "$f" ||
			fail "$h: bad state $(cat "$f")"
		jq -e '.annotations["org.example.a"] == "b"' "$f" || fail "$h: no annotations: $(cat "$f")"
	done
	for h in prestart createRuntime createContainer; do
		jq -e '.status == "creating"' "$(hook_file "$h" state)" || fail "$h: $(cat "$(hook_file "$h" state)")"
	done
	jq -e '.status == "created"' "$(hook_file startContainer state)"
	jq -e '.status == "stopped"' "$(hook_file poststop state)"
	skip_if_runc "runc runs poststart hooks during create (status created)"
	jq -e '.status == "running"' "$(hook_file poststart state)"
}

@test "hooks get the container's host pid in the state" {
	add_all_hooks
	erun -0 create test_pid
	local pid
	pid=$(container_pid test_pid)
	run -0 edgerun start test_pid
	retry 100 0.1 hook_ran poststart
	local h
	for h in prestart createRuntime poststart; do
		jq -e --argjson p "$pid" '.pid == $p' "$(hook_file "$h" state)" || fail "$h: $(cat "$(hook_file "$h" state)")"
	done
	skip_if_runc "runc passes the pid as seen in the container (1) to createContainer and startContainer"
	for h in createContainer startContainer; do
		jq -e --argjson p "$pid" '.pid == $p' "$(hook_file "$h" state)" || fail "$h: $(cat "$(hook_file "$h" state)")"
	done
}

@test "prestart, createRuntime, poststart and poststop run in the runtime's mount namespace" {
	add_all_hooks
	erun -0 run -d test_ns
	retry 100 0.1 hook_ran poststart
	run -0 edgerun delete --force test_ns
	local h host
	host=$(nsid $$ mnt)
	for h in prestart createRuntime poststart poststop; do
		[[ "$(cat "$(hook_file "$h" mntns)")" == "$host" ]] || fail "$h ran in $(cat "$(hook_file "$h" mntns)")"
	done
}

@test "createContainer and startContainer run in the container's mount namespace, in its root" {
	add_all_hooks
	erun -0 run -d test_ctns
	local pid rootid h
	pid=$(container_pid test_ctns)
	rootid=$(stat -c %d:%i "$ROOTFS")
	for h in createContainer startContainer; do
		[[ "$(cat "$(hook_file "$h" mntns)")" == "$(nsid "$pid" mnt)" ]] || fail "$h not in the container's mount namespace"
		[[ "$(cat "$(hook_file "$h" cwdid)")" == "$rootid" ]] || fail "$h's working directory is not the container's root"
	done
}

@test "startContainer hooks are resolved inside the container" {
	# only the rootfs has /hook.sh
	add_hook startContainer startContainer
	erun -0 run -d test_inside
	hook_ran startContainer
}

@test "hook args and env" {
	update_config '.hooks.prestart = [{path: $p, args: ["hook.sh", "prestart", $o, "two words", "", "last"], env: ["HOOKVAR=set by config"]}]' \
		--arg p "$TESTDIR/hook.sh" --arg o "$OUT"
	export HOOK_LEAK=from-the-runtime
	erun -0 create test_args
	[[ "$(cat "$OUT/prestart.args")" == "[two words]"$'\n'"[]"$'\n'"[last]" ]]
	[[ "$(cat "$OUT/prestart.env")" == "HOOKVAR=set by config LEAK=unset" ]]
}

@test "a hook that does not read its stdin does not break the lifecycle" {
	update_config '.annotations = {"big": $b}' --arg b "$(head -c 100000 /dev/zero | tr '\0' x)"
	add_script_hook prestart 'exit 0'
	add_script_hook poststart 'exit 0'
	add_script_hook poststop 'exit 0'
	erun -0 run -d test_noread
	run -0 edgerun delete --force test_noread
}

@test "a failing prestart hook fails create and leaves nothing" {
	add_script_hook prestart 'echo prestart-said-no >&2; exit 3'
	erun -1 create test_prefail
	run ! edgerun state test_prefail
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
	[[ ! -e "$ROOTFS/tmp/ran" ]]
	[[ -z "$(_leftover_pids)" ]]
}

@test "a failing createRuntime hook fails create and leaves nothing" {
	add_script_hook createRuntime 'exit 1'
	erun -1 create test_crfail
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
	[[ -z "$(_leftover_pids)" ]]
}

@test "a failing createContainer hook fails create and leaves nothing" {
	add_script_hook createContainer 'exit 1'
	erun -1 create test_ccfail
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
	[[ -z "$(_leftover_pids)" ]]
}

@test "a failing startContainer hook fails start and the program never runs" {
	update_config '.hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "exit 1"]}]'
	erun -0 create test_scfail
	local pid
	pid=$(container_pid test_scfail)
	run edgerun start test_scfail
	local start_status=$status
	retry 100 0.1 test ! -e "/proc/$pid/root"
	[[ ! -e "$ROOTFS/tmp/ran" ]]
	run edgerun state test_scfail
	[[ "$status" -ne 0 || "$(jq -r .status <<<"$output")" == stopped ]]
	skip_if_runc "runc's start succeeds (the hook fails in the container after start returned)"
	[[ "$start_status" -ne 0 ]]
}

@test "a failing poststart hook is a warning: the container keeps running" {
	skip_if_runc "runc kills the container when a poststart hook fails"
	add_script_hook poststart 'exit 1'
	add_hook poststart after
	erun -0 create test_psfail
	run -0 edgerun start test_psfail
	[[ "$(container_status test_psfail)" == running ]]
	# the remaining hooks still run
	retry 100 0.1 hook_ran after
}

@test "a failing poststop hook is a warning: delete succeeds and runs the others" {
	add_script_hook poststop 'exit 1'
	add_hook poststop after
	erun -0 run -d test_pstopfail
	run -0 edgerun delete --force test_pstopfail
	run ! edgerun state test_pstopfail
	skip_if_runc "runc skips the remaining poststop hooks"
	hook_ran after
}

@test "a hook that outlives its timeout fails create and is killed" {
	add_script_hook prestart 'echo $$ > '"$TESTDIR"'/hookpid; exec sleep 600' '{"timeout": 1}'
	erun -1 create test_timeout
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
	retry 100 0.1 test ! -e "/proc/$(cat "$TESTDIR/hookpid")/cmdline"
}

@test "a hook that finishes within its timeout is fine" {
	add_hook prestart prestart '{"timeout": 30}'
	erun -0 create test_intime
	hook_ran prestart
}

@test "poststop hooks run when a created container is deleted" {
	add_hook poststop poststop
	erun -0 create test_createdstop
	run -0 edgerun delete test_createdstop
	hook_ran poststop
}

@test "without post* hooks, start and delete do not read the saved config" {
	skip_if_runc "runc keeps its config in state.json"
	erun -0 create test_nohooks
	# the config copy create saved: start and delete have no hook to look up in it, so a
	# damaged copy goes unnoticed (it is read only for hooks, and exec when given no --process)
	echo 'not json' >"$ROOT/test_nohooks/config.json"
	run -0 edgerun start test_nohooks
	[[ "$output" != *config* ]]
	[[ "$(container_status test_nohooks)" == running ]]
	run -0 edgerun delete --force test_nohooks
	[[ "$output" != *config* ]]
}

@test "with a poststart hook, start reads the saved config and runs it" {
	add_hook poststart after
	erun -0 create test_withhooks
	run -0 edgerun start test_withhooks
	retry 100 0.1 hook_ran after
}
