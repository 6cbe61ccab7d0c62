#!/usr/bin/env bats
# process.*: args, env, cwd, user, umask, rlimits, capabilities, noNewPrivileges,
# oomScoreAdj, scheduler, ioPriority.

load helpers

# status_field NAME: the value of NAME: in the container's /proc/self/status (from $output).
function status_field() {
	awk -v f="$1:" '$1 == f { $1 = ""; sub(/^[ \t]+/, ""); print }' <<<"$output"
}

@test "process.args are passed verbatim" {
	set_args printf '[%s]\n' 'two words' '' '$HOME' '*' '-n' "quote\"d"
	run -0 edgerun run test_args
	[[ "$output" == "[two words]"$'\n'"[]"$'\n''[$HOME]'$'\n''[*]'$'\n''[-n]'$'\n''[quote"d]' ]]
}

@test "process.args[0] is looked up in the container's PATH" {
	update_config '.process.env = ["PATH=/nowhere:/bin"]'
	set_args echo found
	run -0 edgerun run test_path
	[[ "$output" == found ]]
}

@test "process.args[0] is not found outside the container's PATH" {
	update_config '.process.env = ["PATH=/usr/bin"]'
	set_args echo found
	erun ! run test_nopath
	[[ "$output" == *echo* ]]
	[[ -z "$(ls -A "$ROOT" 2>/dev/null)" ]]
}

@test "process.env is the whole environment" {
	update_config '.process.env = ["PATH=/bin", "FOO=bar", "EMPTY=", "SPACES=a b  c"]'
	set_args env
	export LEAK_CHECK=from-the-host
	run -0 edgerun run test_env
	[[ "$output" == *"FOO=bar"* && "$output" == *"SPACES=a b  c"* && "$output" == *"EMPTY="* ]]
	[[ "$output" != *LEAK_CHECK* && "$output" != *BATS* ]]
}

@test "process.cwd is the working directory" {
	update_config '.process.cwd = "/tmp"'
	set_args pwd
	run -0 edgerun run test_cwd
	[[ "$output" == /tmp ]]
}

@test "process.cwd that does not exist is created" {
	update_config '.process.cwd = "/work/dir"'
	set_args pwd
	run -0 edgerun run test_newcwd
	[[ "$output" == /work/dir ]]
	[[ -d "$ROOTFS/work/dir" ]]
}

@test "process.user uid, gid and additionalGids" {
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20]}'
	set_args cat /proc/self/status
	run -0 edgerun run test_user
	[[ "$(status_field Uid)" =~ ^1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$ ]]
	[[ "$(status_field Gid)" =~ ^1001[[:space:]]+1001[[:space:]]+1001[[:space:]]+1001$ ]]
	[[ "$(status_field Groups)" =~ ^10[[:space:]]+20$ ]]
}

@test "process.user without additionalGids drops the runtime's groups" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	set_args cat /proc/self/status
	run -0 edgerun run test_nogroups
	[[ -z "$(status_field Groups)" ]]
}

@test "process.user.umask" {
	update_config '.process.user.umask = 63'
	set_args sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
	run -0 edgerun run test_umask
	[[ "${lines[0]}" == 0077 ]]
	[[ "${lines[1]}" == 600 ]]
}

@test "default umask is 0022" {
	set_args sh -c umask
	run -0 edgerun run test_umask_default
	[[ "$output" == 0022 ]]
}

@test "process.rlimits" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200},
		{"type": "RLIMIT_NPROC", "soft": 1000, "hard": 1000},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]'
	set_args cat /proc/self/limits
	run -0 edgerun run test_rlimits
	[[ "$output" =~ Max\ open\ files\ +100\ +200\ +files ]]
	[[ "$output" =~ Max\ processes\ +1000\ +1000\ +processes ]]
	[[ "$output" =~ Max\ core\ file\ size\ +0\ +0\ +bytes ]]
}

@test "default capabilities (AUDIT_WRITE, KILL, NET_BIND_SERVICE) in every set but inheritable" {
	set_args cat /proc/self/status
	update_config '.process.capabilities.ambient = []'
	run -0 edgerun run test_caps_default
	[[ "$(status_field CapBnd)" == 0000000020000420 ]]
	[[ "$(status_field CapEff)" == 0000000020000420 ]]
	[[ "$(status_field CapPrm)" == 0000000020000420 ]]
	[[ "$(status_field CapAmb)" == 0000000000000000 ]]
}

@test "process.capabilities: each set is applied" {
	# KILL=5, NET_BIND_SERVICE=10, NET_ADMIN=12, SYS_ADMIN=21, SYS_PTRACE=19
	update_config '.process.capabilities = {
		"bounding": ["CAP_KILL", "CAP_NET_ADMIN", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_KILL", "CAP_NET_ADMIN", "CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_KILL"],
		"inheritable": ["CAP_NET_ADMIN", "CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	set_args cat /proc/self/status
	run -0 edgerun run test_caps
	[[ "$(status_field CapBnd)" == 0000000000281420 ]]
	[[ "$(status_field CapPrm)" == 0000000000001420 ]]
	[[ "$(status_field CapInh)" == 0000000000001400 ]]
	[[ "$(status_field CapAmb)" == 0000000000000400 ]]
}

@test "process.capabilities: effective set of the program" {
	# execve of a program without file capabilities: effective = permitted for root
	update_config '.process.capabilities = {"bounding": ["CAP_KILL", "CAP_CHOWN"],
		"permitted": ["CAP_KILL", "CAP_CHOWN"], "effective": ["CAP_KILL", "CAP_CHOWN"]}'
	set_args cat /proc/self/status
	run -0 edgerun run test_capeff
	[[ "$(status_field CapEff)" == 0000000000000021 ]]
	[[ "$(status_field CapBnd)" == 0000000000000021 ]]
}

@test "process.capabilities: no capabilities at all" {
	update_config '.process.capabilities = {"bounding": [], "permitted": [], "effective": [], "inheritable": [], "ambient": []}'
	set_args cat /proc/self/status
	run -0 edgerun run test_nocaps
	[[ "$(status_field CapBnd)" == 0000000000000000 ]]
	[[ "$(status_field CapEff)" == 0000000000000000 ]]
	set_args touch /bin/denied
	update_config '.process.user = {"uid": 0, "gid": 0}'
	chmod 0555 "$ROOTFS/bin"
	run ! edgerun run test_nocaps2
	[[ ! -e "$ROOTFS/bin/denied" ]]
}

@test "process.capabilities.ambient keeps capabilities for a non-root user" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {"bounding": ["CAP_NET_BIND_SERVICE"], "permitted": ["CAP_NET_BIND_SERVICE"],
			"effective": ["CAP_NET_BIND_SERVICE"], "inheritable": ["CAP_NET_BIND_SERVICE"],
			"ambient": ["CAP_NET_BIND_SERVICE"]}'
	set_args cat /proc/self/status
	run -0 edgerun run test_ambient
	[[ "$(status_field CapEff)" == 0000000000000400 ]]
	[[ "$(status_field CapAmb)" == 0000000000000400 ]]
}

@test "a non-root user without ambient capabilities has none effective" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {"bounding": ["CAP_KILL"], "permitted": ["CAP_KILL"], "effective": ["CAP_KILL"]}'
	set_args cat /proc/self/status
	run -0 edgerun run test_noambient
	[[ "$(status_field CapEff)" == 0000000000000000 ]]
}

@test "process.noNewPrivileges true" {
	update_config '.process.noNewPrivileges = true'
	set_args cat /proc/self/status
	run -0 edgerun run test_nnp
	[[ "$(status_field NoNewPrivs)" == 1 ]]
}

@test "process.noNewPrivileges false" {
	update_config '.process.noNewPrivileges = false'
	set_args cat /proc/self/status
	run -0 edgerun run test_nonnp
	[[ "$(status_field NoNewPrivs)" == 0 ]]
}

@test "process.oomScoreAdj" {
	local v
	for v in 321 1000; do
		update_config '.process.oomScoreAdj = ($v | tonumber)' --arg v "$v"
		set_args cat /proc/self/oom_score_adj
		run -0 edgerun run test_oom
		[[ "$output" == "$v" ]]
	done
}

@test "process.scheduler sets the policy and nice value" {
	skip_if_runc "runc 1.1 has no process.scheduler"
	[[ -e /proc/self/sched ]] || skip "no /proc/PID/sched"
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
	set_args sh -c 'cat /proc/self/sched; cat /proc/self/stat'
	run -0 edgerun run test_sched
	[[ "$output" =~ policy\ +:\ +3 ]]
	# field 19 of /proc/PID/stat is the nice value
	[[ "$(tail -n 1 <<<"$output" | sed 's/.*) //' | awk '{ print $17 }')" == 7 ]]
}

@test "process.ioPriority" {
	skip_if_runc "runc 1.1 has no process.ioPriority"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	ln -s busybox "$ROOTFS/bin/ionice"
	set_args ionice -p 1
	run -0 edgerun run test_ioprio
	[[ "$output" == *"best-effort"*"6"* || "$output" == *"prio 6"* ]]
}
