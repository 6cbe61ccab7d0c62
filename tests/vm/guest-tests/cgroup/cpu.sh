#!/bin/sh
# shellcheck shell=dash
# linux.resources.cpu on cgroup v2: quota/period -> cpu.max, shares -> cpu.weight with
# runc's conversion 1 + ((shares - 2) * 9999) / 262142, burst -> cpu.max.burst, idle ->
# cpu.idle; and the quota throttles a busy loop (cpu.stat).
# shellcheck source-path=SCRIPTDIR source=../../guest-lib.sh
. "$VMTEST_LIB"

weight() {
	echo $((1 + (($1 - 2) * 9999) / 262142))
}

# A busy loop at 20 % of one cpu.
cg_start cpu-quota '.linux.resources.cpu = {"shares": 1024, "quota": 20000, "period": 100000}
	| .process.args = ["sh", "-c", "while :; do :; done"]'
cg_check cpu.max "20000 100000"
cg_check cpu.weight "$(weight 1024)"
check_eq "$(weight 1024)" 39 "runc's cpu.weight for 1024 shares"
sleep 1
u0=$(cg_key cpu.stat usage_usec)
t0=$(cut -d' ' -f1 /proc/uptime)
sleep 3
u1=$(cg_key cpu.stat usage_usec)
t1=$(cut -d' ' -f1 /proc/uptime)
cat "$CG/cpu.stat"
share=$(awk "BEGIN { printf \"%d\", 100 * ($u1 - $u0) / (1000000 * ($t1 - $t0)) }")
echo "the busy loop used $share % of a cpu"
[ "$(cg_key cpu.stat nr_throttled)" -ge 1 ] || fail "cpu.stat: never throttled"
[ "$share" -le 35 ] || fail "a 20 % quota let the busy loop use $share % of a cpu"
[ "$share" -ge 5 ] || fail "the busy loop hardly ran ($share % of a cpu)"
ctr_remove edgerun cpu-quota

# The other values: no quota (max) with a period, a burst, shares at both ends.
for shares in 2 512 262144; do
	cg_create "cpu-$shares" ".linux.resources.cpu = {\"shares\": $shares, \"quota\": -1,
		\"period\": 50000}"
	cg_check cpu.weight "$(weight "$shares")"
	cg_check cpu.max "max 50000"
	rt edgerun delete "cpu-$shares" || fail "edgerun delete cpu-$shares"
done
check_eq "$(weight 2) $(weight 262144)" "1 10000" "runc's cpu.weight range"

cg_create cpu-burst '.linux.resources.cpu = {"quota": 50000, "period": 100000, "burst": 10000}'
cg_check cpu.max "50000 100000"
cg_check cpu.max.burst 10000
rt edgerun delete cpu-burst || fail "edgerun delete cpu-burst"

cg_create cpu-idle '.linux.resources.cpu = {"idle": 1}'
cg_check cpu.idle 1
rt edgerun delete cpu-idle || fail "edgerun delete cpu-idle"
