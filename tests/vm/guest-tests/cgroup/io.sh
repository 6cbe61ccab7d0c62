#!/bin/sh
# shellcheck shell=dash
# linux.resources.blockIO on cgroup v2 with a real block device (/dev/nullb0 of null_blk):
# weight -> io.weight (runc's conversion 1 + (weight - 10) * 9999 / 990), throttle*Device ->
# io.max, and a write throttle slows the container's direct writes to the device down.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

[ -e /sys/block/nullb0/dev ] ||
	skip "no block device in the guest (the null_blk module was not in the image)"
dev=$(cat /sys/block/nullb0/dev)
maj=${dev%:*} min=${dev#*:}

io_weight() {
	echo $((1 + ($1 - 10) * 9999 / 990))
}

# 3 MiB of direct writes at 1 MiB/s: at least 2 s.
cg_start io ".linux.resources.blockIO = {\"weight\": 500,
		\"throttleWriteBpsDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 1048576}],
		\"throttleReadIOPSDevice\": [{\"major\": $maj, \"minor\": $min, \"rate\": 100}]}
	| .linux.devices = [{\"path\": \"/dev/nullb0\", \"type\": \"b\", \"major\": $maj,
		\"minor\": $min}]
	| .linux.resources.devices += [{\"allow\": true, \"type\": \"b\", \"major\": $maj,
		\"minor\": $min, \"access\": \"rw\"}]
	| .process.args = [\"sh\", \"-c\", \"
		t0=\$(cut -d' ' -f1 /proc/uptime)
		dd if=/dev/zero of=/dev/nullb0 bs=65536 count=48 oflag=direct 2>/tmp/dd.err || exit 1
		t1=\$(cut -d' ' -f1 /proc/uptime)
		echo \$t0 \$t1 >/tmp/dd.time
		exec sleep 100\"]"
check_eq "$(io_weight 500)" 4950 "runc's io.weight for blkio weight 500"
cg_check io.weight "default $(io_weight 500)"
cat "$CG/io.max"
grep -qx "$dev rbps=max wbps=1048576 riops=100 wiops=max" "$CG/io.max" ||
	fail "io.max does not hold the throttles of $dev"
wait_for 60 test -s io/rootfs/tmp/dd.time || { cat io/rootfs/tmp/dd.err; fail "dd did not end"; }
cat io/rootfs/tmp/dd.err
secs=$(awk '{ printf "%.1f", $2 - $1 }' io/rootfs/tmp/dd.time)
echo "3 MiB written in $secs s; io.stat: $(cat "$CG/io.stat")"
awk "BEGIN { exit !($secs >= 1.8) }" || fail "3 MiB at 1 MiB/s took only $secs s"
wbytes=$(sed -n "s/^$dev .*wbytes=\([0-9]*\).*/\1/p" "$CG/io.stat")
[ "${wbytes:-0}" -ge 3145728 ] || fail "io.stat counts ${wbytes:-0} bytes written to $dev"
ctr_remove edgerun io
cg_gone "$CG"

# weightDevice: a per-device io.weight works once the io.cost controller is on for the
# device (without it the kernel has no per-device weight to set).
root_qos=/sys/fs/cgroup/io.cost.qos
[ -e "$root_qos" ] || skip "no io.cost.qos: the kernel has no per-device io.weight"
echo "$dev enable=1" >"$root_qos" || fail "cannot enable io.cost on $dev"
cg_create io-dev ".linux.resources.blockIO = {\"weight\": 100,
	\"weightDevice\": [{\"major\": $maj, \"minor\": $min, \"weight\": 200}]}"
echo "io.weight: $(cat "$CG/io.weight")"
grep -qx "default $(io_weight 100)" "$CG/io.weight" || fail "io.weight default"
grep -qx "$dev $(io_weight 200)" "$CG/io.weight" || fail "io.weight of $dev"
rt edgerun delete io-dev || fail "edgerun delete io-dev"
echo "$dev enable=0" >"$root_qos"
