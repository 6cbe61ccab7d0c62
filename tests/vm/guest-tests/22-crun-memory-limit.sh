#!/bin/sh
# shellcheck shell=dash
# Reference: crun sets memory.max in the container's cgroup in this guest.
# shellcheck source-path=SCRIPTDIR source=../guest-lib.sh
. "$VMTEST_LIB"
memory_limit_test crun
