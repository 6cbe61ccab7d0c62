#!/bin/sh
# shellcheck shell=dash
# A container that fills twice its memory limit is OOM-killed by the kernel (exit status
# 137) and memory.events counts the oom_kill.
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"
oom_kill_test edgerun
