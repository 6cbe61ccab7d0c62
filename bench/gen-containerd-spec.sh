#!/usr/bin/env bash
# bench/gen-containerd-spec.sh: regenerate bench/containerd-default-spec.json, the config
# containerd hands to the runtime for `ctr run --seccomp` (its default seccomp profile, 14
# capabilities, masked and read-only paths). `ctr oci spec` alone has no seccomp section, so
# this starts a private containerd, runs a busybox rootfs through it with a runc wrapper that
# copies the bundle's config.json, and stops the daemon again. Needs root and the containerd
# package (installed if missing).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$BENCH_DIR/containerd-default-spec.json}

[ "$(id -u)" -eq 0 ] || {
	echo "gen-containerd-spec: needs root" >&2
	exit 1
}
command -v ctr >/dev/null 2>&1 || apt-get install -y containerd >/dev/null

WORK=$(mktemp -d /tmp/edgerun-ctrd.XXXXXX)
DAEMON=
cleanup() {
	if [ -n "$DAEMON" ]; then
		kill "$DAEMON" 2>/dev/null || true
		wait "$DAEMON" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

cat >"$WORK/config.toml" <<EOF
version = 2
root = "$WORK/root"
state = "$WORK/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$WORK/sock"
[ttrpc]
  address = "$WORK/sock.ttrpc"
EOF

cat >"$WORK/runc-wrap" <<EOF
#!/bin/sh
prev=
for a in "\$@"; do
	if [ "\$prev" = --bundle ]; then cp "\$a/config.json" "$WORK/captured.json"; fi
	prev=\$a
done
exec runc "\$@"
EOF
chmod +x "$WORK/runc-wrap"

mkdir -p "$WORK/rootfs/bin"
cp /bin/busybox "$WORK/rootfs/bin/busybox"
ln -s busybox "$WORK/rootfs/bin/true"

containerd --config "$WORK/config.toml" >"$WORK/containerd.log" 2>&1 &
DAEMON=$!
for _ in $(seq 50); do
	[ -S "$WORK/sock" ] && break
	sleep 0.1
done
ctr --address "$WORK/sock" run --rm --rootfs --seccomp --runc-binary "$WORK/runc-wrap" \
	"$WORK/rootfs" edgerun-spec-gen /bin/true

# the bundle-specific parts are set by bench/run.sh
jq '.root = {path: "rootfs"} | del(.linux.cgroupsPath)' "$WORK/captured.json" >"$OUT"
echo "wrote $OUT"
