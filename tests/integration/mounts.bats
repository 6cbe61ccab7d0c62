#!/usr/bin/env bats
# mounts: types and options, bind/rbind, ro, propagation, relative sources, destinations
# created as needed, and symlinks in the image that must not redirect a mount outside.

load helpers

function setup() {
	requires root
	setup_bundle
	HOSTDIR="$TESTDIR/hostdir"
	mkdir -p "$HOSTDIR"
	echo "from the host" >"$HOSTDIR/file"
}

# mnt JSON_FIELDS: add a mount, e.g. mnt '"destination": "/mnt", "type": "tmpfs"'.
function mnt() {
	add_mount "{$1}"
}

# mountinfo_line PID MOUNTPOINT: the (top) mountinfo line of MOUNTPOINT seen by PID.
function mountinfo_line() {
	awk -v d="$2" '$5 == d' "/proc/$1/mountinfo" | tail -n 1
}

# start_ct ID: run the container detached (sleeping) and set PID.
function start_ct() {
	erun -0 run -d "$1"
	PID=$(container_pid "$1")
}

@test "tmpfs with options" {
	mnt '"destination": "/mnt/t", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec", "size=1m", "mode=700"]'
	start_ct test_tmpfs
	local line
	line=$(mountinfo_line "$PID" /mnt/t)
	[[ "$line" == *" - tmpfs "* ]]
	[[ "$line" =~ [\ ,]nosuid[\ ,] && "$line" =~ [\ ,]nodev[\ ,] && "$line" =~ [\ ,]noexec[\ ,] ]]
	[[ "$line" == *size=1024k* && "$line" == *mode=700* ]]
	[[ "$(stat -c %a "/proc/$PID/root/mnt/t")" == 700 ]]
}

@test "tmpfs ro" {
	mnt '"destination": "/mnt/t", "type": "tmpfs", "source": "tmpfs", "options": ["ro"]'
	set_args touch /mnt/t/x
	run ! edgerun run test_tmpfs_ro
	[[ "$output" == *"Read-only file system"* ]]
}

@test "proc, sysfs, devpts and mqueue are mounted with their types" {
	start_ct test_types
	[[ "$(mountinfo_line "$PID" /proc)" == *" - proc "* ]]
	[[ "$(mountinfo_line "$PID" /sys)" == *" - sysfs "* ]]
	[[ "$(mountinfo_line "$PID" /dev/pts)" == *" - devpts "* ]]
	[[ "$(mountinfo_line "$PID" /dev/mqueue)" == *" - mqueue "* ]]
	[[ "$(mountinfo_line "$PID" /dev/shm)" == *" - tmpfs "* ]]
}

@test "bind mount of a host directory, read-write" {
	mnt "\"destination\": \"/mnt/h\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"bind\"]"
	set_args sh -c 'cat /mnt/h/file; echo "from the container" > /mnt/h/back'
	run -0 edgerun run test_bind
	[[ "$output" == "from the host" ]]
	[[ "$(cat "$HOSTDIR/back")" == "from the container" ]]
}

@test "bind mount of a host file onto a destination that does not exist" {
	echo "single file" >"$TESTDIR/hostfile"
	mnt "\"destination\": \"/etc/app/hostfile\", \"source\": \"$TESTDIR/hostfile\", \"options\": [\"bind\"]"
	set_args cat /etc/app/hostfile
	run -0 edgerun run test_bindfile
	[[ "$output" == "single file" ]]
	[[ -f "$ROOTFS/etc/app/hostfile" ]]
}

@test "read-only bind mount" {
	mnt "\"destination\": \"/mnt/h\", \"type\": \"bind\", \"source\": \"$HOSTDIR\", \"options\": [\"bind\", \"ro\"]"
	set_args sh -c 'cat /mnt/h/file && touch /mnt/h/new'
	run ! edgerun run test_robind
	[[ "${lines[0]}" == "from the host" ]]
	[[ "$output" == *"Read-only file system"* ]]
	[[ ! -e "$HOSTDIR/new" ]]
	# the host's directory stays writable
	touch "$HOSTDIR/stillrw"
}

@test "rbind carries submounts, bind does not" {
	mkdir "$HOSTDIR/sub"
	mount -t tmpfs -o size=1m tmpfs "$HOSTDIR/sub"
	echo "in the submount" >"$HOSTDIR/sub/subfile"
	mnt "\"destination\": \"/mnt/r\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\"]"
	mnt "\"destination\": \"/mnt/b\", \"source\": \"$HOSTDIR\", \"options\": [\"bind\"]"
	set_args sh -c 'cat /mnt/r/sub/subfile; ls -A /mnt/b/sub | wc -l'
	run -0 edgerun run test_rbind
	[[ "${lines[0]}" == "in the submount" ]]
	[[ "${lines[1]}" == 0 ]]
}

@test "recursive read-only (rro) covers submounts" {
	mkdir "$HOSTDIR/sub"
	mount -t tmpfs -o size=1m tmpfs "$HOSTDIR/sub"
	mnt "\"destination\": \"/mnt/r\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rro\"]"
	set_args sh -c 'touch /mnt/r/sub/x'
	run ! edgerun run test_rro
	[[ "$output" == *"Read-only file system"* ]]
	[[ ! -e "$HOSTDIR/sub/x" ]]
}

# A host directory that is a shared mount, so that propagation can be observed.
function shared_hostdir() {
	mount --bind "$HOSTDIR" "$HOSTDIR"
	mount --make-shared "$HOSTDIR"
	mkdir "$HOSTDIR/late"
}

@test "rslave bind mount receives host mounts made after start" {
	shared_hostdir
	mnt "\"destination\": \"/mnt/h\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rslave\"]"
	start_ct test_rslave
	mount -t tmpfs tmpfs "$HOSTDIR/late"
	echo late >"$HOSTDIR/late/file"
	[[ "$(cat "/proc/$PID/root/mnt/h/late/file")" == late ]]
	[[ "$(mountinfo_line "$PID" /mnt/h)" == *master:* ]]
}

@test "rprivate bind mount does not receive host mounts" {
	shared_hostdir
	mnt "\"destination\": \"/mnt/h\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rprivate\"]"
	start_ct test_rprivate
	mount -t tmpfs tmpfs "$HOSTDIR/late"
	echo late >"$HOSTDIR/late/file"
	[[ ! -e "/proc/$PID/root/mnt/h/late/file" ]]
	local line
	line=$(mountinfo_line "$PID" /mnt/h)
	[[ "$line" != *master:* && "$line" != *shared:* ]]
}

@test "rshared bind mount propagates container mounts to the host" {
	shared_hostdir
	mnt "\"destination\": \"/mnt/h\", \"source\": \"$HOSTDIR\", \"options\": [\"rbind\", \"rshared\"]"
	update_config '.linux.rootfsPropagation = "shared"'
	set_args sh -c 'mount -t tmpfs tmpfs /mnt/h/late && echo inner > /mnt/h/late/file'
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	run -0 edgerun run test_rshared
	[[ "$(cat "$HOSTDIR/late/file")" == inner ]]
}

@test "linux.rootfsPropagation private: the container root has no peer or master" {
	update_config '.linux.rootfsPropagation = "private"'
	start_ct test_rootprivate
	local line
	line=$(mountinfo_line "$PID" /)
	[[ -n "$line" && "$line" != *master:* && "$line" != *shared:* ]]
}

@test "a relative bind source is relative to the bundle" {
	mkdir "$BUNDLE/data"
	echo "bundle data" >"$BUNDLE/data/f"
	cd "$TESTDIR"
	mnt '"destination": "/data", "source": "data", "options": ["bind"]'
	set_args cat /data/f
	run -0 edgerun run --bundle "$BUNDLE" test_relsrc
	[[ "$output" == "bundle data" ]]
}

@test "mount destinations are created as needed" {
	mnt '"destination": "/deep/er/and/deeper", "type": "tmpfs", "source": "tmpfs"'
	set_args sh -c 'grep -c " /deep/er/and/deeper " /proc/self/mountinfo'
	run -0 edgerun run test_mkdir
	[[ "$output" == 1 ]]
	[[ -d "$ROOTFS/deep/er/and/deeper" ]]
}

@test "mounts are done in order" {
	mnt '"destination": "/mnt/a", "type": "tmpfs", "source": "tmpfs"'
	mnt "\"destination\": \"/mnt/a/b\", \"source\": \"$HOSTDIR\", \"options\": [\"bind\"]"
	set_args cat /mnt/a/b/file
	run -0 edgerun run test_order
	[[ "$output" == "from the host" ]]
	# /mnt/a/b was created in the tmpfs, not in the image
	[[ ! -e "$ROOTFS/mnt/a/b" ]]
}

@test "an absolute symlink in the image cannot redirect a mount outside the rootfs" {
	mkdir "$TESTDIR/outside"
	mkdir -p "$ROOTFS/mnt"
	ln -s "$TESTDIR/outside" "$ROOTFS/mnt/evil"
	mnt '"destination": "/mnt/evil/x", "type": "tmpfs", "source": "tmpfs"'
	mnt "\"destination\": \"/mnt/evil/f\", \"source\": \"$HOSTDIR/file\", \"options\": [\"bind\"]"
	set_args true
	erun run test_abslink
	[[ -z "$(ls -A "$TESTDIR/outside")" ]] || fail "created outside: $(ls -A "$TESTDIR/outside")"
}

@test "a relative symlink in the image cannot climb out of the rootfs" {
	mkdir "$TESTDIR/outside"
	ln -s ../../../../../../../../../../../../../../"$TESTDIR/outside" "$ROOTFS/escape"
	mnt '"destination": "/escape/x", "type": "tmpfs", "source": "tmpfs"'
	mnt "\"destination\": \"/escape/sub/f\", \"source\": \"$HOSTDIR/file\", \"options\": [\"bind\"]"
	set_args true
	erun run test_rellink
	[[ -z "$(ls -A "$TESTDIR/outside")" ]] || fail "created outside: $(ls -A "$TESTDIR/outside")"
}

@test "a symlinked destination inside the rootfs is followed within the rootfs" {
	mkdir -p "$ROOTFS/real"
	ln -s /real "$ROOTFS/link"
	mnt '"destination": "/link/t", "type": "tmpfs", "source": "tmpfs"'
	set_args sh -c 'grep -c " /real/t " /proc/self/mountinfo'
	run -0 edgerun run test_inlink
	[[ "$output" == 1 ]]
	[[ -d "$ROOTFS/real/t" ]]
}

@test "the cgroup mount shows the container's own cgroup, without a cgroup namespace" {
	[[ -d /sys/fs/cgroup/memory ]] || skip "needs a cgroup v1 memory hierarchy"
	update_config '.linux.resources.memory = {"limit": 41943040}'
	set_args cat /sys/fs/cgroup/memory/memory.limit_in_bytes
	run -0 edgerun run test_cgmnt
	[[ "$output" == 41943040 ]]
}

@test "the cgroup mount shows the container's own cgroup, in a new cgroup namespace" {
	requires cgroupns
	[[ -d /sys/fs/cgroup/memory ]] || skip "needs a cgroup v1 memory hierarchy"
	set_namespace cgroup
	update_config '.linux.resources.memory = {"limit": 41943040}'
	set_args sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; grep memory /proc/self/cgroup'
	run -0 edgerun run test_cgmntns
	[[ "${lines[0]}" == 41943040 ]]
	[[ "${lines[1]}" == *":memory:/" ]]
}
