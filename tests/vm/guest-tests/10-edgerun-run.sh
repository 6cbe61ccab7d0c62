#!/bin/sh
# shellcheck shell=dash
# `edgerun run` runs a busybox container in the guest: its own pid namespace and root, its
# output on our stdout and its exit status passed back.
# shellcheck source-path=SCRIPTDIR source=../guest-lib.sh
. "$VMTEST_LIB"

# shellcheck disable=SC2016 # $$ is the container's
make_bundle bundle '.process.args = ["sh", "-c", "echo pid $$; ls /bin/busybox; exit 3"]'
rc=0
out=$(rt edgerun run --bundle bundle vmtest-run </dev/null 2>&1) || rc=$?
echo "$out"
check_eq "$rc" 3 "exit status of edgerun run"
echo "$out" | grep -qx 'pid 1' || fail "the container's process is not pid 1"
echo "$out" | grep -q '^/bin/busybox$' || fail "the container does not see its busybox rootfs"
rt edgerun state vmtest-run >/dev/null 2>&1 && fail "vmtest-run still exists after run"
exit 0
