#!/bin/sh
# shellcheck shell=dash
# The same linux.resources give the same cgroup v2 files under edgerun as under runc (the
# reference): every mapped value, conversions included.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

have runc || skip "runc is not in the image"

blk=""
[ -e /sys/block/nullb0/dev ] && blk=$(cat /sys/block/nullb0/dev)
blockio='{"weight": 250}'
if [ -n "$blk" ]; then
	dev="\"major\": ${blk%:*}, \"minor\": ${blk#*:}"
	blockio="{\"weight\": 250, \"throttleReadBpsDevice\": [{$dev, \"rate\": 2097152}],
		\"throttleWriteIOPSDevice\": [{$dev, \"rate\": 300}]}"
fi
resources="{
	\"memory\": {\"limit\": 67108864, \"reservation\": 33554432, \"swap\": 134217728},
	\"cpu\": {\"shares\": 700, \"quota\": 30000, \"period\": 150000, \"cpus\": \"0\", \"mems\": \"0\"},
	\"pids\": {\"limit\": 42},
	\"blockIO\": $blockio,
	\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 6291456}],
	\"unified\": {\"memory.high\": \"50331648\"}}"
files="memory.max memory.low memory.swap.max memory.high cpu.weight cpu.max cpuset.cpus
	cpuset.mems pids.max io.weight io.max hugetlb.2MB.max"
# Not compared: hugetlb.2MB.rsvd.max, which runc 1.1 leaves alone and runc 1.2, crun and
# edgerun set to the limit too (hugetlb.sh checks it).

# dump RUNTIME: create a container under RUNTIME with those resources, print its files.
dump() {
	local id="same-$1" f
	# runc 1.1 accepts only ociVersion 1.0.x and 1.1.x.
	make_bundle "$id" ".ociVersion = \"1.0.2\" | .process.args = [\"sleep\", \"100\"]
		| .linux.cgroupsPath = \"/vmtest/$id\" | .linux.resources += $resources"
	remove_at_exit "$1" "$id"
	rt "$1" create --bundle "$id" "$id" </dev/null >"$id.log" 2>&1 ||
		{ cat "$id.log"; fail "$1 create"; }
	for f in $files; do
		printf '%s: ' "$f"
		if [ -e "/sys/fs/cgroup/vmtest/$id/$f" ]; then
			tr '\n' ' ' <"/sys/fs/cgroup/vmtest/$id/$f"
			echo
		else
			echo "(none)"
		fi
	done >"$1.files"
	rt "$1" delete --force "$id" || fail "$1 delete"
	cg_gone "/sys/fs/cgroup/vmtest/$id"
}
dump runc
dump edgerun
paste -d'|' runc.files edgerun.files | sed 's/|/   edgerun: /; s/^/runc: /'
diff runc.files edgerun.files || fail "edgerun's cgroup files differ from runc's"
