#!/usr/bin/env bats
# linux.resources on real cgroups: each value lands in its file, and the limits that can be
# seen working are seen working (OOM kill at the memory limit, a fork loop stopped at
# pids.limit, a busy loop throttled by the cpu quota). Written for cgroup v1 and hybrid hosts;
# the cgroup v2 guest (tests/vm) covers v2.

# jq filters are single-quoted on purpose ($x there is a jq variable):
# shellcheck disable=SC2016

load helpers

function setup() {
	setup_cgroups
	requires cgroups_v1
}

function teardown() {
	teardown_cgroups
}

# resources JSON: merge JSON into .linux.resources.
function resources() {
	update_config '.linux.resources *= $r' --argjson r "$1"
}

# cg HIER FILE: FILE of the container $CG_ID's cgroup in the hierarchy.
function cg() {
	cgroup_file "$CG_ID" "$@"
}

# own_has HIER FILE: this shell's cgroup of the hierarchy has FILE (so a child has it too).
function own_has() {
	[[ -e "$(cgroup_dir self "$1")/$2" ]]
}

# rootfs_file FILE: wait (bounded) until the container wrote $ROOTFS/FILE, then print it.
function rootfs_file() {
	retry 200 0.1 test -s "$ROOTFS/$1"
	cat "$ROOTFS/$1"
}

# block_device: "MAJOR:MINOR" of a real block device of this host (a disk, not a partition).
function block_device() {
	local d
	for d in /sys/block/*; do
		[[ -e "$d/dev" && -e "$d/queue" ]] || continue
		[[ "${d##*/}" == loop* || "${d##*/}" == ram* || "${d##*/}" == zram* ]] && continue
		cat "$d/dev"
		return 0
	done
	return 1
}

# ---- memory --------------------------------------------------------------------------------

@test "memory.limit is written to memory.limit_in_bytes" {
	resources '{"memory": {"limit": 33554432}}'
	erun -0 create "$CG_ID"
	[[ "$(cg memory memory.limit_in_bytes)" == 33554432 ]]
}

@test "memory.reservation is written to memory.soft_limit_in_bytes" {
	resources '{"memory": {"limit": 67108864, "reservation": 16777216}}'
	erun -0 create "$CG_ID"
	[[ "$(cg memory memory.soft_limit_in_bytes)" == 16777216 ]]
}

@test "memory.swap is written to memory.memsw.limit_in_bytes" {
	own_has memory memory.memsw.limit_in_bytes || skip "no swap accounting (memory.memsw.*)"
	resources '{"memory": {"limit": 33554432, "swap": 67108864}}'
	erun -0 create "$CG_ID"
	[[ "$(cg memory memory.limit_in_bytes)" == 33554432 ]]
	[[ "$(cg memory memory.memsw.limit_in_bytes)" == 67108864 ]]
}

@test "memory.swappiness is written to memory.swappiness" {
	resources '{"memory": {"swappiness": 7}}'
	erun -0 create "$CG_ID"
	[[ "$(cg memory memory.swappiness)" == 7 ]]
}

@test "memory.disableOOMKiller sets oom_kill_disable" {
	resources '{"memory": {"limit": 33554432, "disableOOMKiller": true}}'
	erun -0 create "$CG_ID"
	grep -qx 'oom_kill_disable 1' <(cg memory memory.oom_control)
}

@test "memory: a hog is OOM-killed at the limit (status 137, usage peaked at the limit, oom_kill)" {
	local mem='{"memory": {"limit": 16777216}}'
	own_has memory memory.memsw.limit_in_bytes && mem='{"memory": {"limit": 16777216, "swap": 16777216}}'
	resources "$mem"
	# dd fills a 64 MiB buffer (bounded, should the limit be missing); nothing else
	# allocates meanwhile, so the OOM killer has one candidate
	set_args sh -c 'dd if=/dev/zero of=/dev/null bs=67108864 count=1 2>/dev/null
		echo $? >/tmp/status; exec sleep 3600'
	erun -0 run -d "$CG_ID"
	[[ "$(rootfs_file tmp/status)" == 137 ]]
	local peak n
	peak=$(cg memory memory.max_usage_in_bytes)
	[[ "$peak" -le 16777216 && "$peak" -ge 15728640 ]] || fail "peak usage $peak"
	n=$(cg memory memory.oom_control | awk '$1 == "oom_kill" { print $2 }')
	[[ -z "$n" || "$n" -ge 1 ]] || fail "oom_kill is $n"
}

@test "memory: run of a hog exits 137" {
	local mem='{"memory": {"limit": 16777216}}'
	own_has memory memory.memsw.limit_in_bytes && mem='{"memory": {"limit": 16777216, "swap": 16777216}}'
	resources "$mem"
	set_args dd if=/dev/zero of=/dev/null bs=67108864 count=1
	run -137 edgerun run "$CG_ID"
}

# ---- pids ----------------------------------------------------------------------------------

@test "pids.limit stops a fork loop" {
	resources '{"pids": {"limit": 10}}'
	# the inner shell forks sleeps until it cannot; the init (no fork needed) then reports
	set_args sh -c 'sh -c "i=0; while [ \$i -lt 40 ]; do sleep 100 & i=\$((i + 1)); done" 2>/tmp/err
		echo $? >/tmp/status; exec sleep 3600'
	erun -0 run -d "$CG_ID"
	rootfs_file tmp/status
	[[ "$(cg pids pids.max)" == 10 ]]
	[[ "$(cg pids pids.current)" -le 10 ]]
	[[ "$(cg pids cgroup.procs | wc -l)" -le 10 ]]
	grep -q "can't fork" "$ROOTFS/tmp/err"
}

# ---- cpu -----------------------------------------------------------------------------------

@test "cpu.shares is written to cpu.shares" {
	resources '{"cpu": {"shares": 512}}'
	erun -0 create "$CG_ID"
	[[ "$(cg cpu cpu.shares)" == 512 ]]
}

@test "cpu quota and period are written, and a busy loop is throttled" {
	resources '{"cpu": {"quota": 20000, "period": 100000}}'
	set_args sh -c 'while :; do :; done'
	erun -0 run -d "$CG_ID"
	[[ "$(cg cpu cpu.cfs_quota_us)" == 20000 ]]
	[[ "$(cg cpu cpu.cfs_period_us)" == 100000 ]]
	sleep 1
	local n
	n=$(cg cpu cpu.stat | awk '$1 == "nr_throttled" { print $2 }')
	[[ "$n" -gt 0 ]] || fail "nr_throttled is \`$n'"
}

@test "cpu.burst is written to cpu.cfs_burst_us" {
	own_has cpu cpu.cfs_burst_us || skip "the kernel has no cpu.cfs_burst_us"
	skip_if_runc "runc 1.1 does not know cpu.burst"
	resources '{"cpu": {"quota": 50000, "period": 100000, "burst": 10000}}'
	erun -0 create "$CG_ID"
	[[ "$(cg cpu cpu.cfs_burst_us)" == 10000 ]]
}

@test "cpu.cpus and cpu.mems are written to the cpuset and bind the program" {
	[[ "$(nproc)" -gt 1 ]] || skip "one cpu only: the binding cannot be seen"
	resources '{"cpu": {"cpus": "0", "mems": "0"}}'
	set_args grep -E '^(Cpus|Mems)_allowed_list' /proc/self/status
	run -0 edgerun run "$CG_ID"
	[[ "${lines[0]}" =~ ^Cpus_allowed_list:[[:space:]]+0$ ]]
	[[ "${lines[1]}" =~ ^Mems_allowed_list:[[:space:]]+0$ ]]
}

@test "cpu.cpus and cpu.mems read back from cpuset.cpus and cpuset.mems" {
	resources '{"cpu": {"cpus": "0", "mems": "0"}}'
	erun -0 create "$CG_ID"
	[[ "$(cg cpuset cpuset.cpus)" == 0 ]]
	[[ "$(cg cpuset cpuset.mems)" == 0 ]]
}

@test "cpu realtime period and runtime are written where the parent has a budget" {
	own_has cpu cpu.rt_runtime_us || skip "no real-time group scheduling (cpu.rt_runtime_us)"
	[[ "$(cat "$(cgroup_dir self cpu)/cpu.rt_runtime_us")" -ge 20000 ]] ||
		skip "this shell's cpu cgroup has no real-time budget to share"
	resources '{"cpu": {"realtimePeriod": 1000000, "realtimeRuntime": 10000}}'
	erun -0 create "$CG_ID"
	[[ "$(cg cpu cpu.rt_period_us)" == 1000000 ]]
	[[ "$(cg cpu cpu.rt_runtime_us)" == 10000 ]]
}

@test "cpu realtime runtime the kernel refuses is reported with file and value" {
	own_has cpu cpu.rt_runtime_us || skip "no real-time group scheduling (cpu.rt_runtime_us)"
	# a new parent cgroup has no real-time budget, so its child cannot get any
	update_config '.linux.cgroupsPath = $p' --arg p "$TEST_CG/c"
	resources '{"cpu": {"realtimePeriod": 1000000, "realtimeRuntime": 10000}}'
	erun -1 create "$CG_ID"
	[[ "$output" == *cpu.rt_runtime_us* && "$output" == *10000* ]]
	[[ ! -e "$ROOT/$CG_ID" ]]
	[[ ! -e "$(cgroup_path_dir cpu "$TEST_CG/c")" ]]
}

@test "cpu.idle is written to cpu.idle" {
	own_has cpu cpu.idle || skip "the kernel has no cpu.idle"
	skip_if_runc "runc 1.1 sets cpu.idle on cgroup v2 only"
	resources '{"cpu": {"idle": 1}}'
	erun -0 create "$CG_ID"
	[[ "$(cg cpu cpu.idle)" == 1 ]]
}

# ---- blockIO -------------------------------------------------------------------------------

@test "blockIO.weight goes to blkio.weight or blkio.bfq.weight, or fails naming them" {
	# which weight file does a new cgroup of this host get?
	local probe file=""
	probe=$(cgroup_path_dir blkio "$TEST_CG/probe")
	mkdir -p "$probe"
	[[ -e "$probe/blkio.bfq.weight" ]] && file=blkio.bfq.weight
	[[ -e "$probe/blkio.weight" ]] && file=blkio.weight
	rmdir "$probe"
	resources '{"blockIO": {"weight": 300}}'
	if [[ -z "$file" ]]; then
		erun -1 create "$CG_ID"
		[[ "$output" == *blkio.bfq.weight* ]]
		return
	fi
	erun -0 create "$CG_ID"
	[[ "$(cg blkio "$file")" =~ (^|default )300$ ]]
}

@test "blockIO throttle read/write bps/iops are written for a real device" {
	local dev
	dev=$(block_device) || skip "no block device on this host"
	resources "$(jq -n --argjson maj "${dev%:*}" --argjson min "${dev#*:}" '{blockIO: {
		throttleReadBpsDevice: [{major: $maj, minor: $min, rate: 1048576}],
		throttleWriteBpsDevice: [{major: $maj, minor: $min, rate: 2097152}],
		throttleReadIOPSDevice: [{major: $maj, minor: $min, rate: 100}],
		throttleWriteIOPSDevice: [{major: $maj, minor: $min, rate: 200}]}}')"
	erun -0 create "$CG_ID"
	[[ "$(cg blkio blkio.throttle.read_bps_device)" == "$dev 1048576" ]]
	[[ "$(cg blkio blkio.throttle.write_bps_device)" == "$dev 2097152" ]]
	[[ "$(cg blkio blkio.throttle.read_iops_device)" == "$dev 100" ]]
	[[ "$(cg blkio blkio.throttle.write_iops_device)" == "$dev 200" ]]
}

@test "blockIO throttle on a device the kernel does not know fails naming file and value" {
	resources '{"blockIO": {"throttleReadBpsDevice": [{"major": 250, "minor": 4095, "rate": 1048576}]}}'
	erun -1 create "$CG_ID"
	[[ "$output" == *blkio.throttle.read_bps_device* && "$output" == *"250:4095"* ]]
	[[ ! -e "$ROOT/$CG_ID" ]]
}

# ---- hugetlb -------------------------------------------------------------------------------

@test "hugepageLimits: 2MB limit in the hugetlb hierarchy (v1, or the cgroup2 tree on hybrid)" {
	[[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]] || skip "no 2MB huge pages"
	resources '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}'
	if [[ -n "$(cgroup_mount hugetlb)" ]]; then
		erun -0 create "$CG_ID"
		[[ "$(cg hugetlb hugetlb.2MB.limit_in_bytes)" == 4194304 ]]
	elif grep -qw hugetlb "$(cgroup_path_dir unified /)/cgroup.controllers" 2>/dev/null; then
		skip_if_runc "runc 1.1 does not use the cgroup2 tree of a hybrid host for hugetlb"
		erun -0 create "$CG_ID"
		[[ "$(cg unified hugetlb.2MB.max)" == 4194304 ]]
	else
		skip "no hugetlb controller"
	fi
}

# ---- network, rdma -------------------------------------------------------------------------

@test "network.classID is written to net_cls.classid" {
	[[ -n "$(cgroup_mount net_cls)" ]] || skip "net_cls is not mounted"
	resources '{"network": {"classID": 1048577}}'
	erun -0 create "$CG_ID"
	[[ "$(cg net_cls net_cls.classid)" == 1048577 ]]
}

@test "network.priorities are written to net_prio.ifpriomap" {
	[[ -n "$(cgroup_mount net_prio)" ]] || skip "net_prio is not mounted"
	resources '{"network": {"priorities": [{"name": "lo", "priority": 5}]}}'
	erun -0 create "$CG_ID"
	grep -qx 'lo 5' <(cg net_prio net_prio.ifpriomap)
}

@test "rdma limits are written to rdma.max" {
	[[ -n "$(cgroup_mount rdma)" ]] || skip "no rdma controller mounted"
	local dev
	for dev in /sys/class/infiniband/*; do
		break
	done
	[[ -e "$dev" ]] || skip "no rdma device"
	dev=${dev##*/}
	resources "$(jq -n --arg d "$dev" '{rdma: {($d): {hcaHandles: 3, hcaObjects: 30}}}')"
	erun -0 create "$CG_ID"
	grep -q "^$dev hca_handle=3 hca_object=30" <(cg rdma rdma.max)
}

@test "a resource whose controller this host lacks fails create, naming the controller" {
	if [[ -z "$(cgroup_mount net_cls)" ]]; then
		resources '{"network": {"classID": 1048577}}'
		erun -1 create "$CG_ID"
		[[ "$output" == *net_cls* ]]
	elif [[ -z "$(cgroup_mount rdma)" ]]; then
		resources '{"rdma": {"mlx4_0": {"hcaHandles": 3}}}'
		erun -1 create "$CG_ID"
		[[ "$output" == *rdma* ]]
	else
		skip "net_cls and rdma are both mounted"
	fi
	[[ ! -e "$ROOT/$CG_ID" ]]
}

# ---- unified -------------------------------------------------------------------------------

@test "unified: a key of a controller served by v1 is refused, naming the key" {
	skip_if_runc "runc 1.1 refuses any unified key on a v1 or hybrid host, naming none"
	resources '{"unified": {"memory.max": "33554432"}}'
	erun -1 create "$CG_ID"
	[[ "$output" == *linux.resources.unified* && "$output" == *memory.max* ]]
	[[ ! -e "$ROOT/$CG_ID" ]]
}

@test "unified: a cgroup2 file is written in the cgroup2 tree of a hybrid host" {
	requires cgroups_hybrid
	skip_if_runc "runc 1.1 refuses unified on hybrid hosts"
	resources '{"unified": {"cgroup.max.descendants": "7"}}'
	erun -0 create "$CG_ID"
	[[ "$(cg unified cgroup.max.descendants)" == 7 ]]
}
