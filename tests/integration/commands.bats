#!/usr/bin/env bats
# Offline commands (issue 8): `edgerun command list|run|queue|log|purge`, the journal under
# --spool, the detached drainer, crash and reboot recovery.
# shellcheck disable=SC2016,SC2154 # jq filters and sh -c scripts are single-quoted on purpose; $stderr is set by bats' run --separate-stderr

load helpers

# The 1000-entry test makes 1000 `queue` and 1000 drained execs, each with an fsync: about
# 80 s with the plain build on the development VM, twice that under AddressSanitizer
# (SANITIZE=1). bats reads the timeout after loading this file, for each test.
if [[ "$BATS_TEST_NAME" == *1000_queued_entries* ]]; then
	# shellcheck disable=SC2034 # read by bats
	BATS_TEST_TIMEOUT=480
fi

function setup() {
	requires root
	setup_bundle
	SPOOL="$TESTDIR/spool"
	# The commands the tests use. `mark` appends its param to /tmp/marks, as one argv
	# element ($1 of the script), never as shell text.
	declare_cmds '{
		"mark": {"args": ["/bin/sh", "-c", "echo \"$1\" >> /tmp/marks; echo ran $1", "sh", "{n}"],
			 "params": {"n": "^[0-9]+$"}},
		"set-valve": {"args": ["/bin/sh", "-c", "echo valve $1", "sh", "pos={pos}"],
			      "params": {"pos": "^[0-9]{1,3}$"}, "timeout": 10},
		"status": {"args": ["/bin/sh", "-c", "echo out; echo err >&2; exit $1", "sh", "{code}"],
			   "params": {"code": "^[0-9]{1,3}$"}},
		"block": {"args": ["/bin/sh", "-c", "echo started >> /tmp/block; sleep 30"]},
		"iblock": {"args": ["/bin/sh", "-c",
				    "echo started >> /tmp/iblock; [ $(wc -l < /tmp/iblock) -ge 2 ] || sleep 30"],
			   "idempotent": true},
		"slow": {"args": ["sleep", "30"], "timeout": "1s"},
		"touch": {"args": ["touch", "/tmp/touched"]},
		"big": {"args": ["seq", "1", "3000"]}
	}'
}

function teardown() {
	teardown_bundle
}

# ec ARGS...: edgerun with this test's root and spool.
function ec() {
	"$EDGERUN" --root "$ROOT" --spool "$SPOOL" "$@"
}

# declare_cmds JSON: set the org.edgerun.commands annotation of the bundle.
function declare_cmds() {
	update_config '.annotations["org.edgerun.commands"] = ($c | tojson)' --argjson c "$1"
}

# create_c ID / run_c ID: create (and start) a container running `sleep 3600`.
function create_c() {
	ec create "$1" </dev/null >/dev/null 2>&1
}

function run_c() {
	create_c "$1" && ec start "$1"
}

# state_of ID SEQ: the state of one entry.
function state_of() {
	ec command log "$1" --format json | jq -r --argjson s "$2" 'select(.seq == $s) | .state'
}

function _state_is() {
	[[ "$(state_of "$1" "$2")" == "$3" ]]
}

function _marks_are() {
	[[ "$(wc -l <"$ROOTFS/tmp/marks" 2>/dev/null)" -eq "$1" ]]
}

# wait_state ID SEQ STATE: wait (bounded: 10 s) until entry SEQ reaches STATE.
function wait_state() {
	retry 100 0.1 _state_is "$@"
}

@test "command list: the declared commands and their params" {
	run_c cmds-list
	run -0 ec command list cmds-list
	[[ "$output" == *"set-valve pos=^[0-9]{1,3}\$ timeout=10s"* ]]
	[[ "$output" == *"iblock idempotent"* ]]
	[[ "$output" == *"slow timeout=1s"* ]]
}

@test "command queue before create: runs once, in order, after start; log shows done + output" {
	run -0 ec command queue cmds-q1 mark n=1 --bundle "$BUNDLE"
	[[ "$output" == 1 ]]
	run -0 ec command queue cmds-q1 mark n=2 --bundle "$BUNDLE"
	[[ "$output" == 2 ]]
	run -0 ec command log cmds-q1
	[[ "${lines[0]}" == "1 queued mark n=1" ]]
	create_c cmds-q1
	# created, not running: queued (the declaration is the container's now)
	run -0 ec command queue cmds-q1 mark n=3
	[[ "$output" == 3 ]]
	[[ "$(state_of cmds-q1 3)" == queued ]]
	[[ ! -e "$ROOTFS/tmp/marks" ]]
	ec start cmds-q1
	wait_state cmds-q1 3 "done"
	[[ "$(cat "$ROOTFS/tmp/marks")" == $'1\n2\n3' ]]
	run -0 ec command log cmds-q1 --format json
	[[ "$(jq -r 'select(.seq == 1) | .output' <<<"${lines[0]}")" == "ran 1" ]]
	[[ "$(jq -r 'select(.seq == 1) | .exit_status' <<<"${lines[0]}")" == 0 ]]
	[[ "$(jq -s 'map(select(.state == "done")) | length' <<<"$output")" == 3 ]]
	# the drainer is gone and another start of the journal runs nothing twice
	retry 50 0.1 test ! -e "$SPOOL/cmds-q1/drainer.pid"
	run -0 ec command queue cmds-q1 mark n=4
	wait_state cmds-q1 4 "done"
	[[ "$(cat "$ROOTFS/tmp/marks")" == $'1\n2\n3\n4' ]]
}

@test "command queue: the same request id is stored once" {
	run_c cmds-rid
	run -0 ec command queue cmds-rid mark n=7 --request-id abc
	seq=$output
	run -0 ec command queue cmds-rid mark n=7 --request-id abc
	[[ "$output" == "$seq" ]]
	wait_state cmds-rid "$seq" "done"
	run -0 ec command log cmds-rid --format json
	[[ "${#lines[@]}" -eq 1 ]]
	[[ "$(jq -r .request_id <<<"${lines[0]}")" == abc ]]
	[[ "$(cat "$ROOTFS/tmp/marks")" == 7 ]]
}

@test "command queue while running: runs promptly" {
	run_c cmds-live
	run -0 ec command queue cmds-live set-valve pos=42
	wait_state cmds-live 1 "done"
	[[ "$(ec command log cmds-live --format json | jq -r .output)" == "valve pos=42" ]]
}

@test "command queue while stopped: stays queued, runs after the next start" {
	set_args sh -c 'exit 0'
	run_c cmds-stop
	wait_for_status cmds-stop stopped
	run -0 ec command queue cmds-stop touch
	[[ "$(state_of cmds-stop 1)" == queued ]]
	ec delete cmds-stop
	set_args sleep 3600
	run_c cmds-stop
	wait_state cmds-stop 1 "done"
	[[ -e "$ROOTFS/tmp/touched" ]]
}

@test "command queue --ttl: an entry whose ttl passed is expired and never runs" {
	create_c cmds-ttl
	run -0 ec command queue cmds-ttl touch --ttl 200ms
	run -0 ec command queue cmds-ttl mark n=1 --ttl 1h
	sleep 0.3
	ec start cmds-ttl
	wait_state cmds-ttl 2 "done"
	[[ "$(state_of cmds-ttl 1)" == expired ]]
	[[ ! -e "$ROOTFS/tmp/touched" ]]
	run ! ec command queue cmds-ttl touch --ttl 5x
	[[ "$output" == *"invalid --ttl"* ]]
}

@test "command queue/run: rejected requests are neither queued nor run" {
	run_c cmds-bad
	run ! ec command queue cmds-bad set-valve 'pos=1; rm -rf /'
	[[ "$output" == *'param `pos`: value `1; rm -rf /` does not match'* ]]
	run ! ec command queue cmds-bad set-valve 'pos='
	[[ "$output" == *"does not match"* ]]
	run ! ec command queue cmds-bad set-valve pos=1 speed=2
	[[ "$output" == *'param `speed` is not declared'* ]]
	run ! ec command queue cmds-bad set-valve
	[[ "$output" == *'param `pos` is missing'* ]]
	run ! ec command queue cmds-bad reboot
	[[ "$output" == *'command `reboot` is not declared'* ]]
	run ! ec command run cmds-bad set-valve 'pos=1; touch /tmp/touched'
	run ! ec command run cmds-bad 'touch;' 
	[[ "$output" == *"is not declared"* ]]
	run -0 ec command log cmds-bad
	[[ -z "$output" ]]
	[[ ! -e "$ROOTFS/tmp/touched" ]]
	# a container without a declaration: nothing can be queued
	run ! ec command queue cmds-none mark n=1
	[[ "$output" == *"declares no commands"* ]]
}

@test "create fails naming the path of a bad declaration, and leaves nothing" {
	declare_cmds '{"set-valve": {"args": ["/bin/ctl", "{pos}"], "params": {"pos": "^[0-9]{1,3$"}}}'
	run ! ec create cmds-decl </dev/null
	[[ "$output" == *'annotations[\"org.edgerun.commands\"].set-valve.params.pos: invalid regular expression'* ||
		"$output" == *'annotations["org.edgerun.commands"].set-valve.params.pos: invalid regular expression'* ]]
	declare_cmds '{"set-valve": {"args": ["/bin/ctl", "valve", "{position}"], "params": {"pos": "^[0-9]$"}}}'
	run ! ec create cmds-decl </dev/null
	[[ "$output" == *'.set-valve.args[2]: unknown placeholder `{position}`'* ]]
	declare_cmds '{"x": {"args": ["/bin/true"], "timeout": "soon"}}'
	run ! ec create cmds-decl </dev/null
	[[ "$output" == *'.x.timeout: expected seconds or a duration'* ]]
	run -0 ec list -q
	[[ -z "$output" ]]
}

@test "command run: output, exit status and the record" {
	run_c cmds-run
	run -3 ec command run cmds-run status code=3
	[[ "$output" == *out* && "$output" == *err* ]]
	run -0 ec command run cmds-run status code=0
	run -0 ec command log cmds-run --format json
	[[ "$(jq -r 'select(.seq == 1) | "\(.via) \(.state) \(.exit_status)"' <<<"$output")" == "run done 3" ]]
	[[ "$(jq -r 'select(.seq == 1) | .output' <<<"$output")" == $'out\nerr' ]]
	# the journal keeps the last 4 KiB of the output; run prints it all
	run -0 ec command run cmds-run big
	[[ "${#lines[@]}" -eq 3000 && "${lines[2999]}" == 3000 ]]
	run -0 ec command log cmds-run --format json --since 2
	[[ "$(jq -r '.output | length' <<<"$output")" -eq 4096 ]]
	[[ "$(jq -j '.output' <<<"$output" | tail -n 2)" == $'2999\n3000' ]]
	# not running: refused, nothing recorded
	ec kill cmds-run KILL
	wait_for_status cmds-run stopped
	run ! ec command run cmds-run status code=0
	[[ "$output" == *"is not running"* ]]
	[[ "$(ec command log cmds-run | wc -l)" -eq 3 ]]
}

@test "command timeout: a long command is killed and recorded failed" {
	run_c cmds-slow
	run -0 ec command queue cmds-slow slow
	wait_state cmds-slow 1 failed
	run -0 ec command log cmds-slow --format json
	[[ "$(jq -r .error <<<"$output")" == *"timed out after 1000 ms"* ]]
	[[ "$(jq -r .exit_status <<<"$output")" == 137 ]]
	[[ "$(jq -r .duration_ms <<<"$output")" -lt 5000 ]]
	run -137 ec command run cmds-slow slow
}

@test "kill -9 of the drainer while a command runs: interrupted, not re-run" {
	run_c cmds-kill
	run -0 ec command queue cmds-kill block
	retry 100 0.1 test -e "$ROOTFS/tmp/block"
	[[ "$(state_of cmds-kill 1)" == running ]]
	kill -9 "$(cat "$SPOOL/cmds-kill/drainer.pid")"
	# the next drainer (kicked by this queue) recovers the journal first
	run -0 ec command queue cmds-kill mark n=1
	wait_state cmds-kill 2 "done"
	[[ "$(state_of cmds-kill 1)" == interrupted ]]
	[[ "$(wc -l <"$ROOTFS/tmp/block")" -eq 1 ]]
}

@test "kill -9 of the drainer: an idempotent command is run again" {
	run_c cmds-idem
	run -0 ec command queue cmds-idem iblock
	retry 100 0.1 test -e "$ROOTFS/tmp/iblock"
	kill -9 "$(cat "$SPOOL/cmds-idem/drainer.pid")"
	run -0 ec command queue cmds-idem mark n=1
	wait_state cmds-idem 2 "done"
	[[ "$(state_of cmds-idem 1)" == "done" ]]
	[[ "$(wc -l <"$ROOTFS/tmp/iblock")" -eq 2 ]]
	[[ "$(ec command log cmds-idem --format json | jq -r 'select(.seq == 1) | .attempts')" == 2 ]]
}

@test "kill -9 of \`command run' while its command runs: interrupted" {
	run_c cmds-fgkill
	"$EDGERUN" --root "$ROOT" --spool "$SPOOL" command run cmds-fgkill block >/dev/null 2>&1 &
	runner=$!
	retry 100 0.1 test -e "$ROOTFS/tmp/block"
	[[ "$(state_of cmds-fgkill 1)" == running ]]
	kill -9 "$runner"
	wait "$runner" || true
	run -0 ec command queue cmds-fgkill mark n=1
	wait_state cmds-fgkill 2 "done"
	[[ "$(state_of cmds-fgkill 1)" == interrupted ]]
	[[ "$(wc -l <"$ROOTFS/tmp/block")" -eq 1 ]]
}

@test "start forks no drainer when nothing is queued, and one when something is" {
	command -v strace >/dev/null || skip "needs strace"
	create_c cmds-fork1
	# (LeakSanitizer cannot run under ptrace: a SANITIZE=1 binary runs without it here)
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=setsid -o "$TESTDIR/trace1" "$EDGERUN" --root "$ROOT" \
		--spool "$SPOOL" start cmds-fork1
	run ! grep -q setsid "$TESTDIR/trace1"
	create_c cmds-fork2
	ec command queue cmds-fork2 mark n=1 >/dev/null
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=setsid -o "$TESTDIR/trace2" "$EDGERUN" --root "$ROOT" \
		--spool "$SPOOL" start cmds-fork2
	grep -q setsid "$TESTDIR/trace2"
	wait_state cmds-fork2 1 "done"
}

@test "journal: a torn or damaged tail is survived" {
	create_c cmds-torn
	ec command queue cmds-torn mark n=1
	ec command queue cmds-torn mark n=2
	# a record torn in the middle of its write: it is ignored, then cut off
	truncate -s -7 "$SPOOL/cmds-torn/journal"
	run -0 ec command log cmds-torn
	[[ "${#lines[@]}" -eq 1 && "${lines[0]}" == "1 queued mark n=1" ]]
	run -0 --separate-stderr ec command queue cmds-torn mark n=3
	[[ "$output" == 2 && "$stderr" == *"cutting off a torn last record"* ]]
	# garbage lines (a damaged record, a line that is not one) are skipped
	printf '99 00000000 {"t":"queue"}\nnot a record\n' >>"$SPOOL/cmds-torn/journal"
	printf '12 0badf00d {"t":' >>"$SPOOL/cmds-torn/journal"
	run -0 --separate-stderr ec command queue cmds-torn mark n=4
	[[ "$output" == 3 ]]
	run -0 --separate-stderr ec command log cmds-torn
	[[ "${#lines[@]}" -eq 3 && "$stderr" == *"skipping a damaged record"* ]]
	ec start cmds-torn
	wait_state cmds-torn 3 "done"
	[[ "$(cat "$ROOTFS/tmp/marks")" == $'1\n3\n4' ]]
}

@test "simulated reboot: root wiped, spool kept, created again: queued entries run" {
	create_c cmds-boot
	ec command queue cmds-boot mark n=1
	ec command queue cmds-boot mark n=2
	ec delete --force cmds-boot
	rm -rf "$ROOT"
	# after the reboot the id is unknown to the runtime: the declaration kept at create
	# still validates new entries
	run -0 ec command queue cmds-boot mark n=3
	[[ "$output" == 3 ]]
	run_c cmds-boot
	wait_state cmds-boot 3 "done"
	[[ "$(cat "$ROOTFS/tmp/marks")" == $'1\n2\n3' ]]
}

@test "a second drainer exits at once: the lock keeps the journal to one" {
	run_c cmds-lock
	# hold the drainer lock as another drainer would
	ec command queue cmds-lock mark n=1 >/dev/null
	wait_state cmds-lock 1 "done"
	flock -x "$SPOOL/cmds-lock" sleep 3 &
	holder=$!
	retry 50 0.1 sh -c "! flock -n '$SPOOL/cmds-lock' true"
	run -0 ec command queue cmds-lock mark n=2
	sleep 0.5
	[[ "$(state_of cmds-lock 2)" == queued ]]
	wait "$holder"
	run -0 ec command queue cmds-lock mark n=3
	wait_state cmds-lock 3 "done"
	[[ "$(cat "$ROOTFS/tmp/marks")" == $'1\n2\n3' ]]
}

@test "concurrent queues: distinct sequence numbers, every entry runs exactly once" {
	local -a pids=()
	run_c cmds-par
	for n in $(seq 1 20); do
		"$EDGERUN" --root "$ROOT" --spool "$SPOOL" command queue cmds-par mark "n=$n" \
			>"$TESTDIR/seq.$n" &
		pids+=($!)
	done
	wait "${pids[@]}"
	[[ "$(cat "$TESTDIR"/seq.* | sort -n | tr '\n' ' ')" == "$(seq -s ' ' 1 20) " ]]
	retry 300 0.1 _marks_are 20
	[[ "$(sort -n "$ROOTFS/tmp/marks" | tr '\n' ' ')" == "$(seq -s ' ' 1 20) " ]]
	retry 50 0.1 _state_is cmds-par 20 "done"
	[[ "$(ec command log cmds-par --format json | jq -s 'map(select(.state == "done")) | length')" == 20 ]]
}

@test "command purge: drops finished history, keeps queued entries and the numbering" {
	run_c cmds-purge
	for n in 1 2 3; do ec command queue cmds-purge mark n=$n >/dev/null; done
	wait_state cmds-purge 3 "done"
	ec pause cmds-purge
	ec command queue cmds-purge mark n=4 >/dev/null
	run -0 ec command purge cmds-purge --before 3
	run -0 ec command log cmds-purge
	[[ "${#lines[@]}" -eq 2 && "${lines[0]}" == "3 done"* && "${lines[1]}" == "4 queued"* ]]
	run -0 ec command purge cmds-purge
	run -0 ec command log cmds-purge
	[[ "${#lines[@]}" -eq 1 && "${lines[0]}" == "4 queued"* ]]
	ec resume cmds-purge
	run -0 ec command queue cmds-purge mark n=5
	[[ "$output" == 5 ]]
	wait_state cmds-purge 5 "done"
	[[ "$(state_of cmds-purge 4)" == "done" ]]
}

@test "1000 queued entries drain in order; log --since returns exactly the newer ones" {
	create_c cmds-many
	for ((n = 1; n <= 1000; n++)); do
		ec command queue cmds-many mark n=$n >/dev/null
	done
	ec start cmds-many
	# wait on the side effect (cheap) rather than on the log (a full read each time)
	retry 600 0.2 _marks_are 1000
	retry 50 0.1 _state_is cmds-many 1000 "done"
	[[ "$(cat "$ROOTFS/tmp/marks")" == "$(seq 1 1000)" ]]
	run -0 ec command log cmds-many --since 990 --format json
	[[ "${#lines[@]}" -eq 10 ]]
	[[ "$(jq -r .seq <<<"$output" | tr '\n' ' ')" == "$(seq -s ' ' 991 1000) " ]]
	[[ "$(ec command log cmds-many --format json | jq -s 'map(select(.state == "done")) | length')" == 1000 ]]
}
