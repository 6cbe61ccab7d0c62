#!/usr/bin/env bats
# `list`: containers under --root, runc's columns; -q; -f json.

load helpers

@test "list with no containers prints only the header" {
	mkdir -p "$ROOT"
	run -0 edgerun list
	[[ "${#lines[@]}" -eq 1 ]]
	[[ "${lines[0]}" =~ ^ID[[:space:]]+PID[[:space:]]+STATUS[[:space:]]+BUNDLE[[:space:]]+CREATED[[:space:]]+OWNER$ ]]
	run -0 edgerun list -q
	[[ -z "$output" ]]
}

@test "list -f json with no containers prints []" {
	skip_if_runc "runc prints null"
	mkdir -p "$ROOT"
	run -0 edgerun list -f json
	jq -e '. == []' <<<"$output"
}

@test "list on a --root that does not exist yet succeeds" {
	run -0 "$EDGERUN" --root "$TESTDIR/never" list -q
	[[ -z "$output" ]]
}

@test "list shows every container with its status" {
	erun -0 create test_b
	erun -0 run -d test_a
	run -0 edgerun list
	[[ "${#lines[@]}" -eq 3 ]]
	[[ "${lines[0]}" =~ ^ID[[:space:]]+PID[[:space:]]+STATUS[[:space:]]+BUNDLE[[:space:]]+CREATED[[:space:]]+OWNER$ ]]
	local pa pb
	pa=$(container_pid test_a)
	pb=$(container_pid test_b)
	[[ "${lines[1]}" =~ ^test_a[[:space:]]+${pa}[[:space:]]+running[[:space:]]+${BUNDLE}[[:space:]]+[0-9T:.Z+-]+[[:space:]]+root$ ]]
	[[ "${lines[2]}" =~ ^test_b[[:space:]]+${pb}[[:space:]]+created[[:space:]]+${BUNDLE}[[:space:]]+[0-9T:.Z+-]+[[:space:]]+root$ ]]
}

@test "list -q prints the ids only" {
	erun -0 create test_q2
	erun -0 create test_q1
	run -0 edgerun list -q
	[[ "$output" == "test_q1"$'\n'"test_q2" ]]
	run -0 edgerun list --quiet
	[[ "${#lines[@]}" -eq 2 ]]
}

@test "list -f json prints an array of state objects" {
	erun -0 create test_j1
	set_args true
	erun -0 run -d test_j2
	wait_for_status test_j2 stopped
	run -0 edgerun list -f json
	jq -e 'type == "array" and length == 2' <<<"$output"
	jq -e --arg b "$BUNDLE" 'map(select(.id == "test_j1"))[0] | .status == "created" and .pid > 0 and .bundle == $b' <<<"$output"
	jq -e 'map(select(.id == "test_j2"))[0] | .status == "stopped"' <<<"$output"
	run -0 edgerun list --format json
	jq -e 'length == 2' <<<"$output"
	run -0 edgerun list --format table
	[[ "${#lines[@]}" -eq 3 ]]
}

@test "list with a bad format fails" {
	mkdir -p "$ROOT"
	run ! edgerun list -f yaml
}
