#!/usr/bin/env bats
# Container ids: [A-Za-z0-9_+.-], no leading dot, at most 255 bytes; no duplicates.

load helpers

function setup() {
	requires root
	setup_bundle
	set_args true
}

@test "valid ids are accepted" {
	local id
	# (the state directory is named after the id, so a file name's 255 bytes is the most
	# a file system allows)
	for id in a Z 0 a_b a-b a.b a+b "A1_b-C.d+e" "$(printf 'x%.0s' {1..255})"; do
		erun -0 create "$id"
		run -0 edgerun state "$id"
		jq -e --arg id "$id" '.id == $id' <<<"$output"
		run -0 edgerun delete "$id"
	done
}

@test "invalid ids are refused and nothing is created" {
	local id
	for id in "" . .. ../x a/b /abs "a b" "a:b" 'a$b' "a*b" "$(printf 'caf\xc3\xa9')" $'a\nb'; do
		erun ! create "$id"
		[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]] || fail "id \`$id' left $(ls -A "$ROOT")"
	done
	[[ ! -e "$TESTDIR/x" ]]
}

@test "ids starting with a dot are refused" {
	skip_if_runc "runc accepts a leading dot"
	erun ! create .hidden
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}

@test "ids too long for a state directory are refused cleanly" {
	local n
	for n in 256 1024 1025 4096; do
		erun ! create "$(printf 'x%.0s' $(seq "$n"))"
		[[ "$output" == *"longer than 255 bytes"* ]]
		[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
	done
}

@test "a duplicate id is refused and the existing container is untouched" {
	set_args sleep 3600
	erun -0 create test_dup
	local pid
	pid=$(container_pid test_dup)
	erun ! create test_dup
	[[ "$output" == *exist* ]]
	erun ! run test_dup
	[[ "$(container_status test_dup)" == created ]]
	[[ "$(container_pid test_dup)" == "$pid" ]]
}

@test "commands on an invalid id fail cleanly" {
	local verb
	for verb in state start delete kill; do
		run ! edgerun "$verb" ../escape
	done
}
