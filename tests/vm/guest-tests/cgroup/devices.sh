#!/bin/sh
# shellcheck shell=dash
# The eBPF device filter (BPF_PROG_TYPE_CGROUP_DEVICE) on the container's cgroup: a device
# node outside linux.resources.devices (and runc's defaults) cannot be opened, whether
# edgerun made it (linux.devices) or the container did (mknod is allowed by default); a
# rule allowing it lets it be opened, for the access it gives and no other.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

# /dev/kmsg (c 1:11) is not in runc's default list and needs no capability to be opened for
# writing: a refusal can only be the device filter's. /dev/nullb0 (null_blk), when there,
# is opened for reading and writing likewise.
blk=""
[ -e /sys/block/nullb0/dev ] && blk=$(cat /sys/block/nullb0/dev)
script='
echo x >/dev/null && echo NULL_OK
echo x >/dev/zero && echo ZERO_OK
echo vmtest >/dev/kmsg && echo KMSG_WRITE
mknod /tmp/kmsg c 1 11 && echo MKNOD_OK
echo vmtest >/tmp/kmsg && echo MKNODED_WRITE
if [ -e /dev/nullb0 ]; then
	head -c 512 /dev/nullb0 >/dev/null && echo BLK_READ
	dd if=/dev/zero of=/dev/nullb0 bs=512 count=1 2>/dev/null && echo BLK_WRITE
fi
echo DONE'
config=".linux.devices = [{\"path\": \"/dev/kmsg\", \"type\": \"c\", \"major\": 1, \"minor\": 11,
		\"fileMode\": 438}]
	| .process.capabilities.bounding += [\"CAP_MKNOD\"]
	| .process.capabilities.effective += [\"CAP_MKNOD\"]
	| .process.capabilities.permitted += [\"CAP_MKNOD\"]
	| .process.args = [\"sh\", \"-c\", $(printf '%s' "$script" | jq -Rs .)]"
if [ -n "$blk" ]; then
	config="$config | .linux.devices += [{\"path\": \"/dev/nullb0\", \"type\": \"b\",
		\"major\": ${blk%:*}, \"minor\": ${blk#*:}}]"
fi

# run_ctr ID JQ-FILTER: run the container in the foreground; its output in ./ID.out.
run_ctr() {
	cg_bundle "$1" "$2"
	remove_at_exit edgerun "$1"
	rt edgerun run --bundle "$1" "$1" </dev/null >"$1.out" 2>&1
	echo "== $1"
	cat "$1.out"
	grep -q DONE "$1.out" || fail "container $1 did not finish"
}

# saw ID WORD: whether the container ID printed WORD.
saw() {
	grep -qx "$2" "$1.out"
}

run_ctr dev-denied "$config"
saw dev-denied NULL_OK || fail "the default device /dev/null cannot be opened"
saw dev-denied ZERO_OK || fail "the default device /dev/zero cannot be opened"
saw dev-denied KMSG_WRITE && fail "/dev/kmsg (in linux.devices, not allowed) was opened"
grep -q 'kmsg: Operation not permitted' dev-denied.out ||
	fail "opening /dev/kmsg was not refused with EPERM"
saw dev-denied MKNOD_OK || fail "mknod refused (runc's default rules allow it)"
saw dev-denied MKNODED_WRITE && fail "a node made by mknod in the container was opened"
if [ -n "$blk" ]; then
	saw dev-denied BLK_READ && fail "/dev/nullb0 (not allowed) was opened to read"
	saw dev-denied BLK_WRITE && fail "/dev/nullb0 (not allowed) was opened to write"
fi

allow="| .linux.resources.devices += [{\"allow\": true, \"type\": \"c\", \"major\": 1,
		\"minor\": 11, \"access\": \"w\"}]"
if [ -n "$blk" ]; then
	allow="$allow | .linux.resources.devices += [{\"allow\": true, \"type\": \"b\",
		\"major\": ${blk%:*}, \"minor\": ${blk#*:}, \"access\": \"r\"}]"
fi
run_ctr dev-allowed "$config $allow"
saw dev-allowed KMSG_WRITE || fail "/dev/kmsg, allowed for w, cannot be opened to write"
saw dev-allowed MKNOD_OK || fail "mknod refused"
saw dev-allowed MKNODED_WRITE || fail "a node made in the container, allowed for w, not opened"
if [ -n "$blk" ]; then
	saw dev-allowed BLK_READ || fail "/dev/nullb0, allowed for r, cannot be opened to read"
	saw dev-allowed BLK_WRITE && fail "/dev/nullb0, allowed for r only, was opened to write"
else
	echo "no /dev/nullb0: the r/w access bits of a rule were not tested"
fi
exit 0
