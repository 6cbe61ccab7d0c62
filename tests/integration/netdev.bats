#!/usr/bin/env bats
# linux.netDevices (runtime-spec v1.3.0): host interfaces move into the container's network
# namespace, renamed as configured, with their permanent global addresses, and up. A config
# that cannot be honoured fails create with the entry named and moves nothing; a create that
# fails after the move puts the devices back. Delete does not move them out (the spec says
# MUST NOT): the kernel destroys virtual devices with the namespace and returns physical ones.
#
# Every interface and named network namespace has a name unique to the test ($U) and is
# removed in teardown. runc 1.1.5 has no netDevices: the file is skipped against runc.
# jq filters are single-quoted on purpose ($var there is a jq variable):
# shellcheck disable=SC2016

load helpers

function setup() {
	requires root
	skip_if_runc "runc 1.1.5 does not implement linux.netDevices"
	command -v ip >/dev/null || skip "needs iproute2 (ip)"
	setup_bundle
	U=${TESTDIR##*.}
	DEV=er-$U-d
	VETH=er-$U-a
	PEER=er-$U-b
	NETNS=er-$U
	ID=nd_$U
	add_link "$DEV"
	ip addr add 10.203.0.1/24 dev "$DEV"
	ip link set "$DEV" up
}

function teardown() {
	teardown_bundle
	local d
	for d in "$DEV" "${DEV}p" "$VETH" "${VETH}p" "$PEER"; do
		ip link del "$d" 2>/dev/null || true
	done
	ip netns del "$NETNS" 2>/dev/null || true
}

# add_link NAME: a virtual interface NAME on the host: a dummy, or where the kernel has no
# dummy driver a veth whose peer NAMEp stays on the host.
function add_link() {
	ip link add "$1" type dummy 2>/dev/null || ip link add "$1" type veth peer name "$1p"
}

# set_netdevs JSON: linux.netDevices = JSON.
function set_netdevs() {
	update_config '.linux.netDevices = $d' --argjson d "$1"
}

# in_container ID CMD...: runs CMD (host binaries) in the network namespace of ID's init.
function in_container() {
	local pid
	pid=$(container_pid "$1")
	shift
	nsenter -t "$pid" -n "$@"
}

function host_has() {
	ip link show dev "$1" >/dev/null 2>&1
}

function host_lacks() {
	! ip link show dev "$1" >/dev/null 2>&1
}

@test "netDevices: a device moves in renamed, with its global addresses, up; the host loses it" {
	ip -6 addr add fd00:203::1/64 dev "$DEV" nodad
	ip addr add 169.254.203.1/16 scope link dev "$DEV"
	set_netdevs "{\"$DEV\": {\"name\": \"eth5\"}}"
	set_args sh -c 'busybox ip addr show dev eth5 >/tmp/ip.out; exec sleep 3600'
	erun -0 create "$ID"
	erun -0 start "$ID"
	retry 50 0.1 test -s "$ROOTFS/tmp/ip.out"

	# seen from inside, by the container's own busybox
	run cat "$ROOTFS/tmp/ip.out"
	[[ "$output" == *"eth5"* ]]
	[[ "$output" == *"inet 10.203.0.1/24"* ]]
	[[ "$output" == *"inet6 fd00:203::1/64"* ]]
	[[ "$output" == *[\<,]UP[,\>]* ]]
	# only permanent addresses of global scope are carried over (the spec)
	[[ "$output" != *"169.254.203.1"* ]]

	run in_container "$ID" ip -o link show dev eth5
	[ "$status" -eq 0 ]
	[[ "$output" == *[\<,]UP[,\>]* ]]
	host_lacks "$DEV"
	host_lacks eth5
}

@test "netDevices: the name may be kept, or be a template the kernel fills in" {
	add_link "$VETH"
	set_netdevs "{\"$DEV\": {}, \"$VETH\": {\"name\": \"ctr%d\"}}"
	erun -0 create "$ID"
	run -0 in_container "$ID" ip -o addr show dev "$DEV"
	[[ "$output" == *"10.203.0.1/24"* ]]
	run -0 in_container "$ID" ip -o link show dev ctr0
	host_lacks "$DEV"
	host_lacks "$VETH"
}

@test "netDevices: delete leaves devices to the kernel: a virtual one goes with the namespace" {
	set_netdevs "{\"$DEV\": {\"name\": \"eth5\"}}"
	erun -0 create "$ID"
	host_lacks "$DEV"
	erun -0 delete --force "$ID"
	# not moved back (the spec: MUST NOT); the namespace's end destroys a virtual device
	# (and a veth's peer with it)
	retry 50 0.1 host_lacks "$DEV"
	host_lacks "${DEV}p"
	host_lacks eth5
}

@test "netDevices: into a joined network namespace, where the device stays after delete" {
	ip netns add "$NETNS"
	set_namespace network "/var/run/netns/$NETNS"
	set_netdevs "{\"$DEV\": {\"name\": \"eth5\"}}"
	erun -0 create "$ID"
	run -0 ip netns exec "$NETNS" ip -o addr show dev eth5
	[[ "$output" == *"10.203.0.1/24"* ]]
	erun -0 delete --force "$ID"
	run -0 ip netns exec "$NETNS" ip -o addr show dev eth5
	[[ "$output" == *"10.203.0.1/24"* ]]
	host_lacks "$DEV"
}

@test "netDevices: a veth end moves in; the host reaches it through the peer; delete takes both" {
	ip link add "$VETH" type veth peer name "$PEER"
	ip addr add 10.203.1.1/24 dev "$VETH"
	ip link set "$VETH" up
	ip addr add 10.203.1.2/24 dev "$PEER"
	ip link set "$PEER" up
	set_netdevs "{\"$VETH\": {\"name\": \"eth6\"}}"
	erun -0 create "$ID"
	run -0 in_container "$ID" ip -o addr show dev eth6
	[[ "$output" == *"10.203.1.1/24"* ]]
	host_lacks "$VETH"
	host_has "$PEER"
	run -0 busybox ping -c 1 -W 2 10.203.1.1
	erun -0 delete --force "$ID"
	# a veth pair dies with either end's namespace
	retry 50 0.1 host_lacks "$PEER"
}

@test "netDevices: a missing host device fails create, naming the entry, and leaves nothing" {
	set_netdevs "{\"$DEV\": {\"name\": \"eth5\"}, \"er-$U-x\": {}}"
	erun ! create "$ID"
	# (the text log escapes the quotes: linux.netDevices[\"NAME\"])
	[[ "$output" == *"linux.netDevices["*"er-$U-x"*"]: network device \`er-$U-x\` does not exist on the host"* ]]
	run -0 edgerun list -q
	[ -z "$output" ]
	[ ! -e "$ROOT/$ID" ]
	# checked before anything moved: the other device never left
	run -0 ip -o addr show dev "$DEV"
	[[ "$output" == *"10.203.0.1/24"* ]]
}

@test "netDevices: a name taken in the container, or given twice, fails create" {
	set_netdevs "{\"$DEV\": {\"name\": \"lo\"}}"
	erun ! create "$ID"
	[[ "$output" == *"linux.netDevices["*"$DEV"*"]: network device \`lo\` already exists in the container's network namespace"* ]]

	add_link "$VETH"
	set_netdevs "{\"$DEV\": {\"name\": \"eth5\"}, \"$VETH\": {\"name\": \"eth5\"}}"
	erun ! create "$ID"
	[[ "$output" == *"linux.netDevices["*"$VETH"*"]: name \`eth5\` is also given to linux.netDevices["*"$DEV"*"]"* ]]
	host_has "$DEV"
	host_has "$VETH"
	[ ! -e "$ROOT/$ID" ]
}

@test "netDevices: without a network namespace the config is refused" {
	drop_namespace network
	set_netdevs "{\"$DEV\": {}}"
	erun ! create "$ID"
	[[ "$output" == *"linux.netDevices: needs a network namespace"* ]]
	host_has "$DEV"
}

@test "netDevices: a create that fails after the move puts the device back as it was" {
	set_netdevs "{\"$DEV\": {\"name\": \"eth5\"}}"
	set_args /bin/nope
	erun ! create "$ID"
	[[ "$output" == *"/bin/nope"* ]]
	[ ! -e "$ROOT/$ID" ]
	# back under its own name, with its address, up
	run -0 ip -o addr show dev "$DEV"
	[[ "$output" == *"inet 10.203.0.1/24"* ]]
	run -0 ip -o link show dev "$DEV"
	[[ "$output" == *[\<,]UP[,\>]* ]]
	host_lacks eth5
}

@test "netDevices: into a network namespace owned by the container's user namespace" {
	requires userns
	set_namespace user
	update_config '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	set_netdevs "{\"$DEV\": {\"name\": \"eth5\"}}"
	erun -0 create "$ID"
	run -0 in_container "$ID" ip -o addr show dev eth5
	[[ "$output" == *"10.203.0.1/24"* ]]
	host_lacks "$DEV"
}
