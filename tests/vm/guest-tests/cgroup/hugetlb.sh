#!/bin/sh
# shellcheck shell=dash
# linux.resources.hugepageLimits -> hugetlb.<size>.max (and .rsvd.max where the kernel has
# it), enforced: under a 4 MiB limit the container gets 2 huge pages of 2 MiB from a
# hugetlbfs, and not a third.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

grep -qw hugetlb /sys/fs/cgroup/cgroup.subtree_control || skip "no hugetlb controller"
[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2 MiB huge pages"

echo 4 >/proc/sys/vm/nr_hugepages
mkdir huge
at_exit "rm -f $PWD/huge/*; umount $PWD/huge; echo 0 >/proc/sys/vm/nr_hugepages"
mount -t hugetlbfs -o pagesize=2M none huge || fail "mount hugetlbfs"
check_eq "$(cat /proc/sys/vm/nr_hugepages)" 4 "huge pages reserved"

# fallocate on a hugetlbfs takes the huge pages at once, charged to the caller's cgroup.
cg_create hugetlb ".linux.resources.hugepageLimits = [{\"pageSize\": \"2MB\", \"limit\": 4194304}]
	| .mounts += [{\"destination\": \"/huge\", \"type\": \"bind\", \"source\": \"$PWD/huge\",
		\"options\": [\"rbind\", \"rw\"]}]
	| .process.args = [\"sh\", \"-c\", \"
		fallocate -l 2097152 /huge/a && echo A_OK
		fallocate -l 2097152 /huge/b && echo B_OK
		fallocate -l 2097152 /huge/c && echo C_OK
		echo DONE\"]"
cg_check hugetlb.2MB.max 4194304
if [ -e "$CG/hugetlb.2MB.rsvd.max" ]; then
	cg_check hugetlb.2MB.rsvd.max 4194304
fi
rt edgerun start hugetlb || fail "edgerun start hugetlb"
wait_for 20 ctr_stopped edgerun hugetlb || fail "the container did not stop"
cat hugetlb.log
grep -q DONE hugetlb.log || fail "the container did not finish"
{ grep -q A_OK hugetlb.log && grep -q B_OK hugetlb.log; } ||
	fail "2 huge pages refused under a 4 MiB limit"
grep -q C_OK hugetlb.log && fail "a third 2 MiB huge page granted under a 4 MiB limit"
rt edgerun delete hugetlb || fail "edgerun delete hugetlb"
cg_gone "$CG"
