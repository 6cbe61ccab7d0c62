#!/bin/bash
# oci-image.sh ROOTFS OUT.tar NAME: write an OCI image archive (oci-layout, index.json,
# blobs/sha256/...) of one uncompressed layer holding ROOTFS, named NAME (for
# `ctr image import`). Needs tar, sha256sum and jq; no registry, no umoci.
set -euo pipefail

rootfs=$1
out=$2
name=$3
work=$(mktemp -d /tmp/edgerun-oci.XXXXXX)
trap 'rm -rf "$work"' EXIT
blobs="$work/blobs/sha256"
mkdir -p "$blobs"

# blob FILE: move FILE into blobs/sha256 under its digest; prints "DIGEST SIZE".
blob() {
	local d s
	d=$(sha256sum "$1" | cut -d' ' -f1)
	s=$(stat -c %s "$1")
	mv "$1" "$blobs/$d"
	echo "sha256:$d $s"
}

tar --numeric-owner --owner=0 --group=0 --sort=name -C "$rootfs" -cf "$work/layer" .
read -r layer layer_size < <(blob "$work/layer")

jq -n --arg diff "$layer" '{
	architecture: "amd64", os: "linux",
	config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
		Cmd: ["sh"], WorkingDir: "/"},
	rootfs: {type: "layers", diff_ids: [$diff]}}' >"$work/config"
read -r config config_size < <(blob "$work/config")

jq -n --arg c "$config" --argjson cs "$config_size" --arg l "$layer" --argjson ls "$layer_size" '{
	schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
	config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
	layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' \
	>"$work/manifest"
read -r manifest manifest_size < <(blob "$work/manifest")

jq -n --arg m "$manifest" --argjson ms "$manifest_size" --arg n "$name" '{
	schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
	manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m,
		size: $ms, annotations: {"io.containerd.image.name": $n,
		"org.opencontainers.image.ref.name": ($n | sub(".*:"; ""))}}]}' >"$work/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
tar --numeric-owner --owner=0 --group=0 -C "$work" -cf "$out" oci-layout index.json blobs
