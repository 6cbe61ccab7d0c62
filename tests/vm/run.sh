#!/bin/bash
# Boot the cgroup v2 test guest under qemu and report its tests as TAP (`make test-vm`).
#
#   tests/vm/run.sh [--rebuild] [--verbose] [--only REGEX] [--shell]
#
#   --rebuild      rebuild the initramfs even when it looks up to date
#   --verbose      show the output of every guest test, not only of those that fail
#   --only REGEX   run only the guest tests whose name matches (grep -E, no spaces)
#   --shell        boot interactively: run the tests, then open a shell on the console
#
# Environment: BUILD (build), KERNEL (newest /boot/vmlinuz-*), QEMU (qemu-system-x86_64),
# VMTEST_ACCEL (kvm when /dev/kvm is usable, else tcg), VMTEST_TIMEOUT (600 s for the
# whole boot), VMTEST_MEM (1G), VMTEST_SMP (2), VMTEST_ONLY (as --only), VMTEST_VERBOSE=1
# (as --verbose). The guest's console is kept in $BUILD/vm/console.log. See
# tests/vm/README.md.
set -euo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$REPO/$BUILD" ;; esac
export BUILD
EDGERUN=${EDGERUN:-$REPO/edgerun}
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${VMTEST_TIMEOUT:-600}
# Uncompressed: under TCG the guest unpacks it about 1.5 s faster than a .cpio.gz.
INITRAMFS=${VMTEST_INITRAMFS:-$BUILD/vm/initramfs.cpio}
CONSOLE=$BUILD/vm/console.log

rebuild=0 verbose=${VMTEST_VERBOSE:-0} only=${VMTEST_ONLY:-} shell=0
while [[ $# -gt 0 ]]; do
	case "$1" in
	--rebuild) rebuild=1 ;;
	--verbose) verbose=1 ;;
	--only)
		[[ $# -ge 2 ]] || { echo "run.sh: --only needs a REGEX" >&2; exit 2; }
		only=$2
		shift
		;;
	--shell) shell=1 ;;
	*)
		sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
		exit 2
		;;
	esac
	shift
done

# The regex travels on the kernel command line, where a space would split it.
[[ "$only" != *[[:space:]]* ]] || { echo "run.sh: --only REGEX cannot hold spaces" >&2; exit 2; }

# bail REASON...: a TAP bail-out the host runner counts as a failure.
bail() {
	echo "1..1"
	echo "not ok 1 vm: $1"
	shift
	local line
	for line in "$@"; do
		echo "# $line"
	done
	exit 1
}

command -v "$QEMU" >/dev/null ||
	bail "\`$QEMU' not found" "install it: apt-get install qemu-system-x86"
if [[ -z "${KERNEL:-}" ]]; then
	KERNEL=$(find /boot -maxdepth 1 -name 'vmlinuz-*' 2>/dev/null | sort -V | tail -n 1)
fi
[[ -n "$KERNEL" && -r "$KERNEL" ]] ||
	bail "no guest kernel (/boot/vmlinuz-*; or set KERNEL=)" \
		"install Debian's: apt-get install linux-image-amd64"
[[ -x "$EDGERUN" ]] || bail "no edgerun binary at \`$EDGERUN'" "build it: make"
KVER=$(basename "$KERNEL" | sed 's/^vmlinuz-//')

# The initramfs is rebuilt when it is older than anything that goes into it (a directory too:
# a file was added or removed), or was made for another kernel (it holds its modules).
stale() {
	[[ $rebuild == 1 || ! -s "$INITRAMFS" ]] && return 0
	[[ "$(cat "$INITRAMFS.kver" 2>/dev/null)" == "$KVER" ]] || return 0
	[[ -n "$(find "$EDGERUN" "$VM_DIR/init" "$VM_DIR/build-initramfs.sh" "$VM_DIR/guest-lib.sh" \
		"$VM_DIR/guest-tests" "$REPO/tests/unit/fixtures" "$BUILD/tests" \
		-newer "$INITRAMFS" \( -type f -o -type l -o -type d \) ! -name '*.d' -print -quit \
		2>/dev/null)" ]]
}
if stale; then
	rm -f "$INITRAMFS.kver"
	EDGERUN="$EDGERUN" KVER="$KVER" "$VM_DIR/build-initramfs.sh" "$INITRAMFS" >&2 ||
		bail "cannot build the initramfs"
	echo "$KVER" >"$INITRAMFS.kver"
fi

# boot_image: the kernel to hand qemu. Debian's vmlinuz decompresses itself, which takes
# some 8 s under TCG; the ELF inside it boots straight away (PVH entry), so it is extracted
# once into $BUILD/vm. VMTEST_VMLINUX=0, a kernel without a PVH note or a failed extraction
# use the vmlinuz as it is.
boot_image() {
	local out magic off tool
	out="$BUILD/vm/vmlinux-$KVER"
	if [[ "${VMTEST_VMLINUX:-1}" == 0 ]] || ! command -v readelf >/dev/null; then
		echo "$KERNEL"
		return
	fi
	if [[ -s "$out" && "$out" -nt "$KERNEL" ]]; then
		echo "$out"
		return
	fi
	mkdir -p "$BUILD/vm"
	for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
		tool=${magic%%:*}
		command -v "$tool" >/dev/null || continue
		off=$(LC_ALL=C grep -aboP "${magic#*:}" "$KERNEL" | head -n 1 | cut -d: -f1)
		[[ -n "$off" ]] || continue
		tail -c "+$((off + 1))" "$KERNEL" | "$tool" -dcq >"$out.tmp" 2>/dev/null || true
		if readelf -n "$out.tmp" 2>/dev/null | grep -q 'Xen.*(0x00000012)'; then
			mv "$out.tmp" "$out"
			echo "$out"
			return
		fi
	done
	rm -f "$out.tmp"
	echo "$KERNEL"
}
IMAGE=$(boot_image)

append="console=ttyS0 quiet loglevel=1 panic=-1 cgroup_no_v1=all ${VMTEST_APPEND:-}"
[[ $verbose == 1 ]] && append+=" VMTEST_VERBOSE=1"
[[ -n "$only" ]] && append+=" VMTEST_ONLY=$only"
# KVM when the host offers it (qemu falls back to TCG if it cannot use it after all).
if [[ -z "${VMTEST_ACCEL:-}" ]]; then
	VMTEST_ACCEL=tcg
	[[ -r /dev/kvm && -w /dev/kvm ]] && VMTEST_ACCEL=kvm
fi
accel=(-accel "$VMTEST_ACCEL")
[[ "$VMTEST_ACCEL" == kvm ]] && accel+=(-accel tcg)
qemu_args=("${accel[@]}" -cpu max -m "${VMTEST_MEM:-1G}" -smp "${VMTEST_SMP:-2}"
	-nographic -no-reboot -nodefaults -kernel "$IMAGE" -initrd "$INITRAMFS")

if [[ $shell == 1 ]]; then
	exec "$QEMU" "${qemu_args[@]}" -serial mon:stdio -append "$append VMTEST_SHELL=1"
fi

echo "# booting $(basename "$KERNEL") under qemu ($VMTEST_ACCEL), timeout $TIMEOUT s" >&2
start=$SECONDS
rc=0
# A console left from an earlier run must not be read as this one's.
mkdir -p "$(dirname "$CONSOLE")"
rm -f "$CONSOLE"
timeout --kill-after=10 "$TIMEOUT" "$QEMU" "${qemu_args[@]}" -serial "file:$CONSOLE" \
	-append "$append" </dev/null >&2 || rc=$?
elapsed=$((SECONDS - start))

# The guest's report: lines `VMTEST ...` on its console (kernel messages may precede them).
touch "$CONSOLE"
mapfile -t report < <(tr -d '\r' <"$CONSOLE" | grep -o 'VMTEST .*' | sed 's/^VMTEST //')
n=0 failed=0 skipped=0 done=""
results=() diags=()
for line in "${report[@]}"; do
	case "$line" in
	"ok "*)
		n=$((n + 1))
		[[ "$line" == *" # SKIP"* ]] && skipped=$((skipped + 1))
		results+=("ok $n ${line#ok }")
		;;
	"not ok "*)
		n=$((n + 1))
		failed=$((failed + 1))
		results+=("not ok $n ${line#not ok }")
		;;
	"done "*) done=${line#done } ;;
	"#"*) results+=("$line") ;;
	*) diags+=("# guest: $line") ;;
	esac
done
if [[ -z "$done" ]]; then
	n=$((n + 1))
	failed=$((failed + 1))
	if [[ $rc == 124 || $rc == 137 ]]; then
		results+=("not ok $n vm: the guest did not finish within $TIMEOUT s")
	else
		results+=("not ok $n vm: the guest stopped before its tests ended (qemu exit status $rc)")
	fi
	while IFS= read -r line; do
		results+=("# console: $line")
	done < <(tr -d '\r' <"$CONSOLE" | tail -n 30)
elif [[ $n == 0 ]]; then
	n=1 failed=1
	results+=("not ok 1 vm: the guest ran no tests")
fi

echo "1..$n"
printf '%s\n' "${results[@]}"
[[ ${#diags[@]} -eq 0 ]] || printf '%s\n' "${diags[@]}"
echo "# vm: $((n - failed - skipped)) passed, $failed failed, $skipped skipped in $elapsed s" \
	"(console: $CONSOLE)"
[[ $failed == 0 ]]
