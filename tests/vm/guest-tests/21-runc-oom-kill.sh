#!/bin/sh
# shellcheck shell=dash
# Reference: the kernel OOM-kills a runc container at its memory limit in this guest.
# shellcheck source-path=SCRIPTDIR source=../guest-lib.sh
. "$VMTEST_LIB"
oom_kill_test runc
