#!/usr/bin/env bats
# `update`: flags and --resources change the limits of a live container's cgroup (read back
# from the v1 files of this host); bad values fail cleanly and change nothing.

load helpers

function setup() {
	setup_cgroups
	CG_ID=test_update_${TESTDIR##*.}
	requires cgroups_v1
	erun -0 run -d "$CG_ID"
}

function teardown() {
	teardown_cgroups
}

function cg() {
	cgroup_file "$CG_ID" "$1" "$2"
}

@test "update --memory: sizes with k/m/g suffixes, any case, powers of 1024" {
	local v want
	for v in 64M:67108864 64m:67108864 1g:1073741824 1G:1073741824 65536k:67108864 \
		32MiB:33554432 32mb:33554432 1.5m:1572864 50003968:50003968; do
		want=${v#*:}
		run -0 edgerun update --memory "${v%%:*}" "$CG_ID"
		[[ "$(cg memory memory.limit_in_bytes)" == "$want" ]] ||
			fail "--memory ${v%%:*}: memory.limit_in_bytes is $(cg memory memory.limit_in_bytes), expected $want"
	done
}

@test "update: options may follow the container id" {
	run -0 edgerun update "$CG_ID" --memory 48M
	[[ "$(cg memory memory.limit_in_bytes)" == 50331648 ]]
}

@test "update --memory -1 removes the limit" {
	run -0 edgerun update --memory 64m "$CG_ID"
	[[ "$(cg memory memory.limit_in_bytes)" == 67108864 ]]
	run -0 edgerun update --memory -1 "$CG_ID"
	# "max" rounded down to the page size by the kernel
	[[ "$(cg memory memory.limit_in_bytes)" -gt 1000000000000000 ]]
}

@test "update --memory-swap and --memory-reservation" {
	[[ -e "$(cgroup_dir "$(container_pid "$CG_ID")" memory)/memory.memsw.limit_in_bytes" ]] ||
		skip "no swap accounting (memory.memsw.*) on this host"
	run -0 edgerun update --memory 32m --memory-swap 64m --memory-reservation 16m "$CG_ID"
	[[ "$(cg memory memory.limit_in_bytes)" == 33554432 ]]
	[[ "$(cg memory memory.memsw.limit_in_bytes)" == 67108864 ]]
	[[ "$(cg memory memory.soft_limit_in_bytes)" == 16777216 ]]
}

@test "update --pids-limit" {
	run -0 edgerun update --pids-limit 42 "$CG_ID"
	[[ "$(cg pids pids.max)" == 42 ]]
	run -0 edgerun update --pids-limit -1 "$CG_ID"
	[[ "$(cg pids pids.max)" == max ]]
}

@test "update --cpu-share, --cpu-quota, --cpu-period" {
	run -0 edgerun update --cpu-share 512 --cpu-period 100000 --cpu-quota 50000 "$CG_ID"
	[[ "$(cg cpu cpu.shares)" == 512 ]]
	[[ "$(cg cpu cpu.cfs_period_us)" == 100000 ]]
	[[ "$(cg cpu cpu.cfs_quota_us)" == 50000 ]]
	run -0 edgerun update --cpu-quota -1 "$CG_ID"
	[[ "$(cg cpu cpu.cfs_quota_us)" == -1 ]]
}

@test "update --cpu-shares is accepted as an alias of runc's --cpu-share" {
	skip_if_runc "runc 1.1 has only --cpu-share"
	run -0 edgerun update --cpu-shares 256 "$CG_ID"
	[[ "$(cg cpu cpu.shares)" == 256 ]]
}

@test "update --cpuset-cpus and --cpuset-mems" {
	run -0 edgerun update --cpuset-cpus 0 --cpuset-mems 0 "$CG_ID"
	[[ "$(cg cpuset cpuset.cpus)" == 0 ]]
	[[ "$(cg cpuset cpuset.mems)" == 0 ]]
}

@test "update --resources - reads a LinuxResources object from standard input" {
	run -0 edgerun update --resources - "$CG_ID" <<-EOF
		{"memory": {"limit": 41943040}, "cpu": {"shares": 300}, "pids": {"limit": 33}}
	EOF
	[[ "$(cg memory memory.limit_in_bytes)" == 41943040 ]]
	[[ "$(cg cpu cpu.shares)" == 300 ]]
	[[ "$(cg pids pids.max)" == 33 ]]
}

@test "update -r FILE reads the resources from a file (relative to the current directory)" {
	echo '{"memory": {"limit": 45088768}, "pids": {"limit": 44}}' >res.json
	run -0 edgerun update -r res.json "$CG_ID"
	[[ "$(cg memory memory.limit_in_bytes)" == 45088768 ]]
	[[ "$(cg pids pids.max)" == 44 ]]
}

@test "update -r FILE with flags: the flags override the file" {
	skip_if_runc "runc ignores the flags when --resources is given"
	echo '{"memory": {"limit": 45088768}, "pids": {"limit": 44}}' >res.json
	run -0 edgerun update -r res.json --pids-limit 55 "$CG_ID"
	[[ "$(cg memory memory.limit_in_bytes)" == 45088768 ]]
	[[ "$(cg pids pids.max)" == 55 ]]
}

@test "update keeps the values it does not change, and saves them in the state" {
	run -0 edgerun update --memory 40m "$CG_ID"
	run -0 edgerun update --pids-limit 21 "$CG_ID"
	[[ "$(cg memory memory.limit_in_bytes)" == 41943040 ]]
	[[ "$(cg pids pids.max)" == 21 ]]
	run -0 edgerun events --stats "$CG_ID"
	jq -e '.data.memory.usage.limit == 41943040' <<<"$output"
}

@test "update with bad values fails with a clear error and changes nothing" {
	run -0 edgerun update --memory 64m --pids-limit 42 "$CG_ID"
	local args opt
	for args in "--memory 12abc" "--memory 1.2.3m" "--memory -5" "--memory-swap lots" \
		"--pids-limit x" "--cpu-quota 1.5" "--cpu-share -1" "--cpu-period x"; do
		# shellcheck disable=SC2086 # split into option and value on purpose
		run -1 edgerun update $args "$CG_ID"
		# the error names the option (runc: "invalid value for memory: ...")
		opt=${args%% *}
		[[ "$output" == *"invalid value"*"${opt#--}"* ]] ||
			fail "\`update $args': unclear error: $output"
	done
	[[ "$(cg memory memory.limit_in_bytes)" == 67108864 ]]
	[[ "$(cg pids pids.max)" == 42 ]]
}

@test "update --resources with bad JSON or a missing file fails and changes nothing" {
	run -0 edgerun update --pids-limit 42 "$CG_ID"
	run -1 edgerun update -r - "$CG_ID" <<<'{"pids": {"limit": "many"}}'
	[[ "$output" == *pids* ]]
	run -1 edgerun update -r - "$CG_ID" <<<'{"pids": '
	run -1 edgerun update -r "$TESTDIR/missing.json" "$CG_ID"
	[[ "$output" == *missing.json* ]]
	[[ "$(cg pids pids.max)" == 42 ]]
}

@test "update: a value the kernel refuses names the file and the value" {
	skip_if_runc "runc's message names neither"
	run -1 edgerun update --cpuset-cpus 100000 "$CG_ID"
	[[ "$output" == *cpuset.cpus* && "$output" == *100000* ]]
}

@test "update --kernel-memory is accepted and ignored with a warning" {
	run -0 edgerun update --kernel-memory 64m "$CG_ID"
	[[ "$output" == *"ignored"* ]]
}

@test "update of Intel RDT schemas fails: not supported" {
	run -1 edgerun update --l3-cache-schema "L3:0=f" "$CG_ID"
	[[ "$output" == *"l3"* || "$output" == *"L3"* ]]
	run -1 edgerun update --mem-bw-schema "MB:0=50" "$CG_ID"
}

@test "update of a stopped or missing container fails" {
	run -0 edgerun kill "$CG_ID" KILL
	wait_for_status "$CG_ID" stopped
	run -1 edgerun update --memory 64m "$CG_ID"
	[[ "$output" == *"not running"* ]]
	run -1 edgerun update --memory 64m test_update_missing
	[[ "$output" == *"does not exist"* ]]
}
