#!/bin/bash
# Build the initramfs of the cgroup v2 test guest (see tests/vm/README.md).
#
#   tests/vm/build-initramfs.sh [OUTPUT]      # default: $BUILD/vm/initramfs.cpio
#
# OUTPUT is gzip-compressed when its name ends in .gz (run.sh boots the uncompressed one: the
# guest unpacks it faster).
#
# The image holds: /init (tests/vm/init), busybox (its applet links made by /init), edgerun, runc,
# crun and jq when the host has them, every shared library those need (as `ldd` names them,
# the loader included), the guest tests (tests/vm/guest-tests -> /tests/guest, guest-lib.sh
# -> /tests/lib.sh) and every unit-test binary $BUILD/tests/test_* (-> /tests/unit, run from
# /tests/src where tests/unit/fixtures sits as in the tree). Debian's kernel has cgroup2,
# tmpfs, devtmpfs, namespaces and the 8250 serial console built in; the only modules are
# those of VMTEST_MODULES with their dependencies (null_blk: a block device for the io
# controller tests), from /lib/modules/KVER, loaded in order by /init.
#
# Environment: BUILD (build), EDGERUN (./edgerun), BUSYBOX (busybox from PATH; must be the
# static one, package busybox-static), RUNC / CRUN / JQ (found in PATH; set to "" to leave
# out), KVER (the guest kernel's release, for its modules; default: the newest /boot/vmlinuz-*),
# VMTEST_MODULES (null_blk; "" for none; a module that is not found is left out with a note).
set -euo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$REPO/$BUILD" ;; esac
OUT=${1:-$BUILD/vm/initramfs.cpio}
EDGERUN=${EDGERUN:-$REPO/edgerun}
BUSYBOX=${BUSYBOX:-$(command -v busybox || true)}
RUNC=${RUNC-$(command -v runc || true)}
CRUN=${CRUN-$(command -v crun || true)}
JQ=${JQ-$(command -v jq || true)}

die() {
	echo "build-initramfs: $*" >&2
	exit 1
}

[[ -x "$EDGERUN" ]] || die "no edgerun binary at \`$EDGERUN': run \`make' first"
[[ -n "$BUSYBOX" && -x "$BUSYBOX" ]] || die "busybox not found: apt-get install busybox-static"
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	die "\`$BUSYBOX' is dynamically linked: apt-get install busybox-static"
fi

STAGE=$(mktemp -d /tmp/vm-initramfs.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT

# Shared libraries the programs need (ldd's paths, the loader included), copied at the end.
declare -A LIBS=()

# add_libs BINARY: note the shared libraries BINARY needs.
add_libs() {
	local out line
	# ldd fails on a static binary ("not a dynamic executable"): nothing to add.
	out=$(ldd "$1" 2>/dev/null) || return 0
	while read -r line; do
		if [[ "$line" =~ =\>\ (/[^ ]+) ]] || [[ "$line" =~ ^(/[^ ]+) ]]; then
			LIBS[${BASH_REMATCH[1]}]=1
		fi
	done <<<"$out"
}

# add_bin SOURCE DEST: install a program at DEST in the image, with its libraries.
add_bin() {
	install -D -m 0755 "$1" "$STAGE$2"
	add_libs "$1"
}

mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,root,mnt,tests/guest,tests/unit,tests/src/tests/unit}
chmod 1777 "$STAGE/tmp"

# busybox; /init links its applets (busybox --install -s) when the guest starts, which is
# much faster than making some 400 links here.
add_bin "$BUSYBOX" /bin/busybox
ln -s busybox "$STAGE/bin/sh"

add_bin "$EDGERUN" /usr/bin/edgerun
for prog in "$RUNC" "$CRUN" "$JQ"; do
	if [[ -n "$prog" ]]; then
		add_bin "$prog" "/usr/bin/$(basename "$prog")"
	fi
done

# bats (bash and bats-core as Debian's bats package lays them out) and the integration tests,
# for guest tests that run tests/integration/*.bats in the guest.
BASH_BIN=${BASH_BIN-$(command -v bash || true)}
BATS=${BATS-$(command -v bats || true)}
if [[ -n "$BASH_BIN" && -n "$BATS" ]]; then
	add_bin "$BASH_BIN" /bin/bash
	bats_root=$(cd "$(dirname "$(readlink -f "$BATS")")/.." && pwd)
	install -D -m 0755 "$(readlink -f "$BATS")" "$STAGE/usr/bin/bats"
	for d in lib/bats-core libexec/bats-core; do
		if [[ -d "$bats_root/$d" ]]; then
			mkdir -p "$STAGE/usr/$d"
			cp -R "$bats_root/$d/." "$STAGE/usr/$d/"
		fi
	done
	mkdir -p "$STAGE/tests/src/tests"
	cp -R "$REPO/tests/integration" "$STAGE/tests/src/tests/"
fi

# The guest's /init, the guest tests and their helper library.
install -m 0755 "$VM_DIR/init" "$STAGE/init"
install -m 0644 "$VM_DIR/guest-lib.sh" "$STAGE/tests/lib.sh"
cp -R "$VM_DIR/guest-tests/." "$STAGE/tests/guest/"

# Unit-test binaries (TAP), with the fixtures they find relative to the tree's root.
shopt -s nullglob
for t in "$BUILD"/tests/test_*; do
	if [[ -f "$t" && -x "$t" ]]; then
		add_bin "$t" "/tests/unit/$(basename "$t")"
	fi
done
shopt -u nullglob
if [[ -d "$REPO/tests/unit/fixtures" ]]; then
	cp -R "$REPO/tests/unit/fixtures" "$STAGE/tests/src/tests/unit/"
fi

# Kernel modules, dependencies first (modprobe --show-depends), decompressed, listed in load
# order in /etc/vmtest-modules for /init. The guest's tests skip what a missing one needs.
if [[ -z "${KVER:-}" ]]; then
	KVER=$(find /boot -maxdepth 1 -name 'vmlinuz-*' 2>/dev/null | sort -V | tail -n 1)
	KVER=${KVER##*/vmlinuz-}
fi
add_module() {
	local name=$1 line path base
	if ! command -v modprobe >/dev/null || [[ ! -d "/lib/modules/$KVER" ]]; then
		echo "build-initramfs: no modules of kernel \`$KVER' here: $name left out" >&2
		return 0
	fi
	while read -r line; do
		[[ "$line" == insmod\ * ]] || continue
		path=$(awk '{ print $2 }' <<<"$line")
		base=$(basename "$path")
		base=${base%%.ko*}
		grep -qx "$base" "$STAGE/etc/vmtest-modules" && continue
		case "$path" in
		*.ko.xz) xz -dc "$path" ;;
		*.ko.zst) zstd -dcq "$path" ;;
		*.ko.gz) gzip -dc "$path" ;;
		*) cat "$path" ;;
		esac >"$STAGE/lib/modules/$base.ko" || die "cannot copy module \`$path'"
		echo "$base" >>"$STAGE/etc/vmtest-modules"
	done < <(modprobe -S "$KVER" --show-depends "$name" 2>/dev/null ||
		echo "build-initramfs: module $name of kernel $KVER not found: left out" >&2)
}
mkdir -p "$STAGE/lib/modules"
: >"$STAGE/etc/vmtest-modules"
for m in ${VMTEST_MODULES-null_blk}; do
	add_module "$m"
done

if [[ ${#LIBS[@]} -gt 0 ]]; then
	cp -L --parents "${!LIBS[@]}" "$STAGE/"
fi

cat >"$STAGE/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$STAGE/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo "edgerun-vm" >"$STAGE/etc/hostname"
# A loader cache for the copied libraries (the loader also searches these paths by itself).
ldconfig -r "$STAGE" 2>/dev/null || true

mkdir -p "$(dirname "$OUT")"
compress=(cat)
if [[ "$OUT" == *.gz ]]; then
	compress=(gzip -1)
fi
(cd "$STAGE" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc -R 0:0) |
	"${compress[@]}" >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "build-initramfs: wrote $OUT ($(du -k "$OUT" | cut -f1) KiB)" >&2
