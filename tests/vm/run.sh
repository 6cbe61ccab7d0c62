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
# VMTEST_ACCEL (tcg; kvm where it works), VMTEST_TIMEOUT (300 s for the whole boot),
# VMTEST_MEM (1G), VMTEST_SMP (2). The guest's console is kept in $BUILD/vm/console.log.
# See tests/vm/README.md.
set -euo pipefail

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$REPO/$BUILD" ;; esac
export BUILD
EDGERUN=${EDGERUN:-$REPO/edgerun}
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${VMTEST_TIMEOUT:-300}
# Uncompressed: under TCG the guest unpacks it about 1.5 s faster than a .cpio.gz.
INITRAMFS=${VMTEST_INITRAMFS:-$BUILD/vm/initramfs.cpio}
CONSOLE=$BUILD/vm/console.log

rebuild=0 verbose=0 only="" shell=0
while [[ $# -gt 0 ]]; do
	case "$1" in
	--rebuild) rebuild=1 ;;
	--verbose) verbose=1 ;;
	--only)
		[[ $# -ge 2 ]] || { echo "run.sh: --only needs a REGEX" >&2; exit 2; }
		only=$2
		[[ "$only" != *[[:space:]]* ]] || { echo "run.sh: --only REGEX cannot hold spaces" >&2; exit 2; }
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

# The initramfs is rebuilt when it is older than anything that goes into it.
stale() {
	[[ $rebuild == 1 || ! -s "$INITRAMFS" ]] && return 0
	[[ -n "$(find "$EDGERUN" "$VM_DIR/init" "$VM_DIR/build-initramfs.sh" "$VM_DIR/guest-lib.sh" \
		"$VM_DIR/guest-tests" "$REPO/tests/unit/fixtures" "$BUILD/tests" \
		-newer "$INITRAMFS" \( -type f -o -type l \) ! -name '*.d' -print -quit 2>/dev/null)" ]]
}
if stale; then
	"$VM_DIR/build-initramfs.sh" "$INITRAMFS" >&2 || bail "cannot build the initramfs"
fi

# boot_image: the kernel to hand qemu. Debian's vmlinuz decompresses itself, which takes
# some 8 s under TCG; the ELF inside it boots straight away (PVH entry), so it is extracted
# once into $BUILD/vm. VMTEST_VMLINUX=0, a kernel without a PVH note or a failed extraction
# use the vmlinuz as it is.
boot_image() {
	local out magic off tool
	out="$BUILD/vm/vmlinux-$(basename "$KERNEL" | sed 's/^vmlinuz-//')"
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
qemu_args=(-accel "${VMTEST_ACCEL:-tcg}" -cpu max -m "${VMTEST_MEM:-1G}" -smp "${VMTEST_SMP:-2}"
	-nographic -no-reboot -nodefaults -kernel "$IMAGE" -initrd "$INITRAMFS")

if [[ $shell == 1 ]]; then
	exec "$QEMU" "${qemu_args[@]}" -serial mon:stdio -append "$append VMTEST_SHELL=1"
fi

echo "# booting $(basename "$KERNEL") under qemu (${VMTEST_ACCEL:-tcg}), timeout $TIMEOUT s" >&2
start=$SECONDS
rc=0
timeout --kill-after=10 "$TIMEOUT" "$QEMU" "${qemu_args[@]}" -serial "file:$CONSOLE" \
	-append "$append" </dev/null >&2 || rc=$?
elapsed=$((SECONDS - start))

# The guest's report: lines `VMTEST ...` on its console (kernel messages may precede them).
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
