#!/usr/bin/env bats
# Global flags: --version, --help, --log, --log-format, --debug, --root, --systemd-cgroup.

load helpers

VERBS=(spec create start run state list kill delete)
NL=$'\n'

function setup() {
	setup_bundle
}

@test "--version and -v print the runtime, commit, spec and libseccomp versions" {
	local name=edgerun
	is_runc && name=runc
	for flag in --version -v; do
		run -0 "$EDGERUN" "$flag"
		[[ "${lines[0]}" =~ ^$name\ version\ [0-9]+\.[0-9]+ ]]
		[[ "${lines[*]:1}" =~ (^| )commit:\  ]]
		[[ "$output" =~ (^|$NL)spec:\ [0-9]+\.[0-9]+\.[0-9]+ ]]
		[[ "$output" =~ (^|$NL)libseccomp:\ [0-9]+\.[0-9]+ ]]
	done
}

@test "--help and -h list every command and global flag" {
	for flag in --help -h; do
		run -0 "$EDGERUN" "$flag"
		for v in "${VERBS[@]}"; do
			[[ "$output" == *"$v"* ]]
		done
		for f in --root --log --log-format --debug --systemd-cgroup; do
			[[ "$output" == *"$f"* ]]
		done
	done
}

@test "every command has --help, -h and help COMMAND" {
	local v
	for v in "${VERBS[@]}"; do
		run -0 "$EDGERUN" "$v" --help
		[[ "$output" == *"$v"* ]]
		local long=$output
		run -0 "$EDGERUN" "$v" -h
		[[ "$output" == "$long" ]]
		run -0 "$EDGERUN" help "$v"
		[[ "$output" == *"$v"* ]]
	done
	run -0 "$EDGERUN" create --help
	[[ "$output" == *--bundle* && "$output" == *--console-socket* && "$output" == *--pid-file* ]]
	[[ "$output" == *--no-pivot* && "$output" == *--no-new-keyring* && "$output" == *--preserve-fds* ]]
	run -0 "$EDGERUN" run --help
	[[ "$output" == *--detach* && "$output" == *--keep* ]]
	run -0 "$EDGERUN" kill --help
	[[ "$output" == *--all* ]]
	run -0 "$EDGERUN" delete --help
	[[ "$output" == *--force* ]]
	run -0 "$EDGERUN" list --help
	[[ "$output" == *--format* && "$output" == *--quiet* ]]
}

@test "an unknown command or flag fails" {
	run ! "$EDGERUN" frobnicate
	run ! "$EDGERUN" --frobnicate list
	run ! "$EDGERUN" --root "$ROOT" state --frobnicate x
}

@test "--log FILE receives error messages as text log lines" {
	run -1 edgerun --log "$TESTDIR/log" state test_missing
	run -0 grep -E '^time="[^"]+" level=error msg=".*does not exist.*"$' "$TESTDIR/log"
}

@test "--log-format json writes one JSON object per line with level, msg and time" {
	run -1 edgerun --log "$TESTDIR/log.json" --log-format json state test_missing
	[[ -s "$TESTDIR/log.json" ]]
	run -0 jq -e -s 'all(.[]; (.level | type) == "string" and (.msg | type) == "string" and (.time | type) == "string")' "$TESTDIR/log.json"
	run -0 jq -e -s 'map(select(.level == "error" and (.msg | contains("does not exist")))) | length == 1' "$TESTDIR/log.json"
}

@test "--log-format with a bad value fails" {
	run ! edgerun --log-format yaml list
}

@test "--debug writes level=debug lines describing the steps" {
	set_args true
	run -0 edgerun --debug run test_debug
	[[ "$output" == *"level=debug"* ]]
	run -0 edgerun --debug --log "$TESTDIR/debug.log" run test_debug2
	run -0 grep -c 'level=debug' "$TESTDIR/debug.log"
	[[ "$output" -ge 2 ]]
}

@test "--debug with --log-format json writes JSON debug lines" {
	set_args true
	run -0 edgerun --debug --log "$TESTDIR/debug.json" --log-format json run test_debugj
	run -0 jq -e -s 'map(select(.level == "debug")) | length >= 2' "$TESTDIR/debug.json"
}

@test "without --debug there are no debug lines" {
	set_args true
	run -0 edgerun --log "$TESTDIR/quiet.log" run test_quiet
	run ! grep -q 'level=debug' "$TESTDIR/quiet.log"
}

@test "--root keeps each root's containers apart" {
	erun -0 create test_root
	run -0 "$EDGERUN" --root "$TESTDIR/other" list -q
	[[ -z "$output" ]]
	run ! "$EDGERUN" --root "$TESTDIR/other" state test_root
	run -0 edgerun list -q
	[[ "$output" == test_root ]]
	[[ -d "$ROOT/test_root" ]]
}

@test "--systemd-cgroup is accepted and reports that there is no systemd driver" {
	skip_if_runc "runc has a systemd cgroup driver"
	set_args true
	erun ! --systemd-cgroup run test_systemd
	[[ "$output" == *systemd* ]]
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}

@test "options may follow the container id, and -- ends options" {
	skip_if_runc "runc stops parsing options at the first argument"
	erun -0 run test_after -d
	[[ "$(container_status test_after)" == running ]]
	run -0 edgerun delete test_after --force
	run ! edgerun state test_after
	run -1 edgerun state -- --force
}
