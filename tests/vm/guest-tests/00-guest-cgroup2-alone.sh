#!/bin/sh
# shellcheck shell=dash
# The guest is a pure cgroup v2 system: cgroup2 is mounted once, at /sys/fs/cgroup, no
# cgroup v1 hierarchy is mounted nor mountable, and / is a tmpfs (pivot_root works).
# shellcheck source-path=SCRIPTDIR source=../guest-lib.sh
. "$VMTEST_LIB"

grep cgroup /proc/mounts
v2=$(awk '$3 == "cgroup2" { print $2 }' /proc/mounts)
check_eq "$v2" /sys/fs/cgroup "cgroup2 mount points"
v1=$(awk '$3 == "cgroup" { print $2 }' /proc/mounts)
check_eq "$v1" "" "cgroup v1 mount points"

cat /proc/self/cgroup
check_eq "$(wc -l </proc/self/cgroup)" 1 "lines of /proc/self/cgroup"
grep -q '^0::/' /proc/self/cgroup || fail "/proc/self/cgroup has no 0:: line"

mkdir -p v1
if mount -t cgroup -o pids cgroup v1 2>/dev/null; then
	umount v1
	fail "a cgroup v1 hierarchy can be mounted (cgroup_no_v1=all missing?)"
fi

root_fs=$(awk '$2 == "/" { t = $3 } END { print t }' /proc/mounts)
check_eq "$root_fs" tmpfs "filesystem of /"
