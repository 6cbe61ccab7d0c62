#!/usr/bin/env bats
# Invalid config.json: an error naming the JSON path and the reason, exit status 1, and
# nothing left behind in --root.

load helpers

# config_error JQ_FILTER PATH_REGEX: apply the edit, `create` must fail with status 1, print
# a message matching PATH_REGEX (an extended regex) and leave nothing behind.
function config_error() {
	update_config "$1"
	erun -1 create test_cfg
	[[ "$output" =~ $2 ]] || fail "message does not match \`$2': $output"
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]] || fail "left behind: $(ls -A "$ROOT")"
	run ! edgerun state test_cfg
}

@test "config.json that is not JSON" {
	echo '{"ociVersion": "1.0.2", "process": {' >"$BUNDLE/config.json"
	erun -1 create test_cfg
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
	erun -1 run test_cfg
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}

@test "config.json that is a JSON array" {
	skip_if_runc "runc prints Go's unmarshal message"
	echo '[]' >"$BUNDLE/config.json"
	erun -1 create test_cfg
	[[ "$output" == *config.json* || "$output" == *object* ]]
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	erun -1 create test_cfg
	[[ "$output" == *config.json* ]]
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}

@test "process.user.uid negative" {
	config_error '.process.user.uid = -1' 'process\.user\.uid'
}

@test "process.user.uid of the wrong type" {
	config_error '.process.user.uid = "0"' 'process\.user\.uid'
}

@test "process.user.gid too large" {
	config_error '.process.user.gid = 4294967296' 'process\.user\.gid'
}

@test "process.args not an array" {
	config_error '.process.args = "sh"' 'process\.args'
}

@test "process.args empty" {
	skip_if_runc "runc says \`args must not be empty'"
	config_error '.process.args = []' 'process\.args'
}

@test "process missing" {
	skip_if_runc "runc says \`process property must not be empty'"
	config_error 'del(.process)' 'process'
}

@test "process.cwd relative" {
	skip_if_runc "runc says \`Cwd must be an absolute path'"
	config_error '.process.cwd = "tmp"' 'process\.cwd'
}

@test "process.env not strings" {
	config_error '.process.env = [1]' 'process\.env'
}

@test "process.oomScoreAdj of the wrong type" {
	config_error '.process.oomScoreAdj = "x"' 'process\.oomScoreAdj'
}

@test "process.rlimits with an unknown type" {
	skip_if_runc "runc says \`wrong rlimit value'"
	config_error '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]' 'process\.rlimits(\[0\]|\.0)?(\.type)?.*RLIMIT_BOGUS|RLIMIT_BOGUS.*process\.rlimits'
}

@test "process.rlimits soft of the wrong type" {
	config_error '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": "a", "hard": 1}]' 'process\.rlimits(\[0\]|\.0)?\.soft'
}

@test "mounts[].destination of the wrong type" {
	config_error '.mounts[0].destination = 5' 'mounts(\[0\]|\.0)?\.destination'
}

@test "mounts[].options not an array" {
	config_error '.mounts[0].options = "ro"' 'mounts(\[0\]|\.0)?\.options'
}

@test "mounts[].destination relative" {
	skip_if_runc "runc fails later with an unrelated message"
	config_error '.mounts[0].destination = "proc"' 'mounts(\[0\]|\.0)?\.destination'
}

@test "linux.namespaces with an unknown type" {
	skip_if_runc "runc's message does not name the field"
	config_error '.linux.namespaces[0].type = "bogus"' 'linux\.namespaces(\[0\]|\.0)?(\.type)?'
}

@test "linux.namespaces with a type twice" {
	skip_if_runc "runc's message does not name the field"
	config_error '.linux.namespaces += [{"type": "pid"}]' 'linux\.namespaces'
}

@test "linux.devices with an unknown type" {
	skip_if_runc "runc's message does not name the field"
	config_error '.linux.devices = [{"path": "/dev/x", "type": "q", "major": 1, "minor": 3}]' 'linux\.devices(\[0\]|\.0)?(\.type)?'
}

@test "linux.sysctl values that are not strings" {
	config_error '.linux.sysctl = {"net.ipv4.ip_forward": 1}' 'linux\.sysctl'
}

@test "hostname of the wrong type" {
	config_error '.hostname = 5' 'hostname'
}

@test "ociVersion of the wrong type" {
	config_error '.ociVersion = 5' 'ociVersion'
}

@test "root missing" {
	skip_if_runc "runc says \`root must be specified'"
	config_error 'del(.root)' '(^|[^a-z])root'
}

@test "hooks with a relative path" {
	skip_if_runc "runc fails when it runs the hook"
	config_error '.hooks.prestart = [{"path": "relative"}]' 'hooks\.prestart(\[0\]|\.0)?\.path'
}

@test "root.path that does not exist" {
	update_config '.root.path = "nothere"'
	erun -1 create test_cfg
	[[ "$output" == *nothere* ]]
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}

@test "unknown fields are ignored" {
	update_config '.foo = 1 | .process.bar = {"x": 2} | .linux.baz = [] | .mounts[0].qux = true'
	set_args echo fine
	run -0 edgerun run test_unknown
	[[ "$output" == fine ]]
}

@test "unknown capability names are ignored" {
	update_config '.process.capabilities.bounding += ["CAP_BOGUS"] | .process.capabilities.effective += ["CAP_BOGUS"]'
	set_args echo fine
	run -0 edgerun run test_unknowncap
	[[ "${lines[-1]}" == fine ]]
}

@test "linux.intelRdt is refused: edgerun does not apply it" {
	skip_if_runc "runc applies intelRdt where the host has resctrl"
	update_config '.linux.intelRdt = {closID: "c1"}'
	erun -1 create test_cfg
	[[ "$output" == *"linux.intelRdt"*"not supported"* ]]
	[[ ! -e "$ROOT/test_cfg" ]]
}
