#!/usr/bin/env bats
# Signed bundles (issue 7): seal, verify, interop with openssl, every tamper case, the
# digest cache, the policy in front of create/run, and `hook verify` under runc.

load helpers

function setup() {
	requires root
	setup_bundle
	KEYS="$TESTDIR/keys"
	TRUST="$TESTDIR/trust"
	mkdir -p "$KEYS" "$TRUST"
	chmod 0755 "$TRUST"
	set_args true
	# the host's /etc/edgerun/policy.json must not decide these tests
	export EDGERUN_POLICY="$TESTDIR/policy.json"
	SB_ID="sb_${TESTDIR##*.}"
}

function teardown() {
	teardown_bundle
}

# new_key TYPE NAME [untrusted]: KEYS/NAME.pem (private) and KEYS/NAME.pub, the public key
# copied into the trust store unless "untrusted".
function new_key() {
	local k="$KEYS/$2.pem"
	case "$1" in
	p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$k" ;;
	p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$k" ;;
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$k" ;;
	ed25519) openssl genpkey -algorithm ed25519 -out "$k" ;;
	*) fail "new_key: unknown type $1" ;;
	esac 2>/dev/null || fail "cannot make a $1 key"
	openssl pkey -in "$k" -pubout -out "$KEYS/$2.pub"
	if [[ "${3:-}" != untrusted ]]; then
		cp "$KEYS/$2.pub" "$TRUST/$2.pub"
	fi
}

# seal [ARGS...]: edgerun seal of $BUNDLE, must succeed.
function seal() {
	run -0 edgerun seal --bundle "$BUNDLE" "$@"
}

# seal_signed [NAME [ARGS...]]: seal signed with KEYS/NAME.pem (default: a trusted P-256
# key "vendor", made on first use).
function seal_signed() {
	local name=${1:-vendor}
	[[ -e "$KEYS/$name.pem" ]] || new_key p256 "$name"
	seal --key "$KEYS/$name.pem" "${@:2}"
}

# verify_ok [ARGS...] / verify_fails [ARGS...]: edgerun verify of $BUNDLE with $TRUST.
function verify_ok() {
	run -0 edgerun verify --bundle "$BUNDLE" --trust-dir "$TRUST" "$@"
	[[ "${#lines[@]}" -eq 1 && "$output" == "verified $BUNDLE: "* ]]
}

function verify_fails() {
	run -1 edgerun verify --bundle "$BUNDLE" --trust-dir "$TRUST"
}

# has_line TEXT...: some line of $output holds every TEXT.
function has_line() {
	local l t ok
	for l in "${lines[@]}"; do
		ok=1
		for t in "$@"; do
			[[ "$l" == *"$t"* ]] || ok=0
		done
		[[ "$ok" -eq 1 ]] && return 0
	done
	fail "no line with \`$*' in: $output"
}

# change_byte FILE: overwrite the first byte of FILE (size kept).
function change_byte() {
	local b
	b=$(head -c1 "$1")
	if [[ "$b" == X ]]; then b=Y; else b=X; fi
	printf '%s' "$b" | dd of="$1" bs=1 seek=0 conv=notrunc status=none
}

# ---- seal and verify ------------------------------------------------------------------------

@test "seal writes a canonical manifest of every rootfs object; verify passes with one line" {
	mknod "$ROOTFS/dev/null1" c 1 3
	mkfifo "$ROOTFS/tmp/fifo"
	chmod 4755 "$ROOTFS/bin/busybox"
	seal_signed
	[[ "$output" == "sealed $BUNDLE: "*"signed with ECDSA P-256" ]]
	local m="$BUNDLE/edgerun.manifest"
	# canonical: one line without a trailing newline, members sorted, entries sorted by path
	[[ "$(wc -l <"$m")" -eq 0 ]]
	[[ "$(jq -cS . "$m" | tr -d '\n')" == "$(cat "$m")" ]]
	[[ "$(jq -r '.entries[].path' "$m")" == "$(jq -r '.entries[].path' "$m" | LC_ALL=C sort)" ]]
	[[ "$(jq -r .version "$m")" == 1 ]]
	[[ "$(jq -r .config.sha256 "$m")" == "$(sha256sum <config.json | cut -d' ' -f1)" ]]
	[[ "$(jq -r '.entries[] | select(.path == "bin/busybox") | .sha256' "$m")" == \
		"$(sha256sum <"$ROOTFS/bin/busybox" | cut -d' ' -f1)" ]]
	[[ "$(jq -r '.entries[] | select(.path == "bin/busybox") | .mode' "$m")" == 4755 ]]
	[[ "$(jq -r '.entries[] | select(.path == "bin/sh") | .target' "$m")" == busybox ]]
	[[ "$(jq -c '.entries[] | select(.path == "dev/null1") | [.type, .major, .minor]' "$m")" == '["char",1,3]' ]]
	[[ "$(jq -r '.entries[] | select(.path == "tmp/fifo") | .type' "$m")" == fifo ]]
	[[ "$(jq -r '.entries[] | select(.path == ".") | .type' "$m")" == dir ]]
	[[ "$(jq '.entries | length' "$m")" -eq "$(find "$ROOTFS" | wc -l)" ]]
	verify_ok
	[[ "$output" == *"signed by vendor.pub"* ]]
}

@test "the walk never follows symlinks: a link to / covers the link, not the host" {
	ln -s / "$ROOTFS/hostroot"
	ln -s /etc/passwd "$ROOTFS/etc/hostpasswd"
	seal_signed
	local m="$BUNDLE/edgerun.manifest"
	[[ "$(jq '[.entries[] | select(.path | startswith("hostroot/"))] | length' "$m")" -eq 0 ]]
	[[ "$(jq -r '.entries[] | select(.path == "hostroot") | .type' "$m")" == symlink ]]
	verify_ok
}

@test "seal without --key leaves the manifest for signing elsewhere and removes an old signature" {
	seal_signed
	[[ -e "$BUNDLE/edgerun.manifest.sig" ]]
	seal
	[[ "$output" == *"unsigned (old signature removed)"* ]]
	[[ ! -e "$BUNDLE/edgerun.manifest.sig" ]]
	verify_fails
	has_line "edgerun.manifest.sig: missing signature"
}

@test "seal refuses a relative firmware path, a missing key and an unsupported key" {
	run -1 edgerun seal --bundle "$BUNDLE" --firmware fw.bin
	[[ "$output" == *"firmware \`fw.bin\`: must be an absolute path"* ]]
	run -1 edgerun seal --bundle "$BUNDLE" --key "$KEYS/nope.pem"
	[[ "$output" == *"nope.pem"*"no such file or directory"* ]]
	openssl genpkey -algorithm x25519 -out "$KEYS/x.pem" 2>/dev/null
	run -1 edgerun seal --bundle "$BUNDLE" --key "$KEYS/x.pem"
	[[ "$output" == *"unsupported key type"* ]]
	[[ ! -e "$BUNDLE/edgerun.manifest" ]]
}

@test "seal and verify show progress (files, bytes, rate) on a terminal only" {
	command -v script >/dev/null || skip "needs script(1)"
	new_key p256 vendor
	run -0 script -qec "$EDGERUN --root $ROOT seal --bundle $BUNDLE --key $KEYS/vendor.pem" /dev/null
	[[ "$output" == *"files, "*" MB, "*" MB/s"* ]]
	run -0 script -qec "$EDGERUN --root $ROOT verify --bundle $BUNDLE --trust-dir $TRUST --no-cache" /dev/null
	[[ "$output" == *"files, "*" MB, "*" MB/s"* && "$output" == *"verified $BUNDLE"* ]]
	verify_ok --no-cache
	[[ "$output" != *"MB/s"* ]]
}

@test "a manifest or signature that is a symlink is not followed; a firmware path must be a regular file" {
	seal_signed
	mv "$BUNDLE/edgerun.manifest" "$TESTDIR/m"
	ln -s "$TESTDIR/m" "$BUNDLE/edgerun.manifest"
	verify_fails
	has_line "edgerun.manifest: invalid manifest"
	rm "$BUNDLE/edgerun.manifest"
	mv "$TESTDIR/m" "$BUNDLE/edgerun.manifest"
	mv "$BUNDLE/edgerun.manifest.sig" "$TESTDIR/s"
	ln -s "$TESTDIR/s" "$BUNDLE/edgerun.manifest.sig"
	verify_fails
	has_line "edgerun.manifest.sig: bad signature"
	run -1 edgerun seal --bundle "$BUNDLE" --firmware "$TESTDIR"
	[[ "$output" == *"firmware \`$TESTDIR\`: not a regular file"* ]]
}

# ---- interop --------------------------------------------------------------------------------

@test "interop: edgerun seal --key signatures verify with openssl (P-256, RSA, Ed25519)" {
	local t
	for t in p256 rsa; do
		new_key "$t" "k$t"
		seal_signed "k$t"
		base64 -d "$BUNDLE/edgerun.manifest.sig" >"$TESTDIR/sig.bin"
		run -0 openssl dgst -sha256 -verify "$KEYS/k$t.pub" -signature "$TESTDIR/sig.bin" \
			"$BUNDLE/edgerun.manifest"
		[[ "$output" == "Verified OK" ]]
	done
	new_key ed25519 ked
	seal_signed ked
	[[ "$output" == *"signed with Ed25519" ]]
	base64 -d "$BUNDLE/edgerun.manifest.sig" >"$TESTDIR/sig.bin"
	run -0 openssl pkeyutl -verify -pubin -inkey "$KEYS/ked.pub" -rawin \
		-in "$BUNDLE/edgerun.manifest" -sigfile "$TESTDIR/sig.bin"
	[[ "$output" == *"Signature Verified Successfully"* ]]
}

@test "interop: openssl dgst -sha256 -sign signatures verify (ECDSA P-256 and P-384, RSA PKCS#1 v1.5 and PSS)" {
	local t
	seal
	for t in p256 p384 rsa; do
		new_key "$t" "k$t"
		openssl dgst -sha256 -sign "$KEYS/k$t.pem" "$BUNDLE/edgerun.manifest" |
			base64 >"$BUNDLE/edgerun.manifest.sig"
		verify_ok
		[[ "$output" == *"signed by k$t.pub"* ]]
	done
	openssl dgst -sha256 -sign "$KEYS/krsa.pem" -sigopt rsa_padding_mode:pss \
		-sigopt rsa_pss_saltlen:32 "$BUNDLE/edgerun.manifest" | base64 -w0 >"$BUNDLE/edgerun.manifest.sig"
	verify_ok
	[[ "$output" == *"signed by krsa.pub"* ]]
}

@test "interop: openssl pkeyutl -sign -rawin (Ed25519) verifies; base64 with or without line breaks" {
	seal
	new_key ed25519 ked
	openssl pkeyutl -sign -inkey "$KEYS/ked.pem" -rawin -in "$BUNDLE/edgerun.manifest" |
		base64 -w 20 >"$BUNDLE/edgerun.manifest.sig"
	[[ "$(wc -l <"$BUNDLE/edgerun.manifest.sig")" -gt 2 ]]
	verify_ok
	[[ "$output" == *"signed by ked.pub"* ]]
}

@test "a signature by a key that is not in the trust store is refused; removing a key revokes it" {
	new_key p256 other untrusted
	new_key p256 vendor
	seal_signed other
	verify_fails
	has_line "edgerun.manifest.sig: signer not trusted"
	seal_signed vendor
	verify_ok
	rm "$TRUST/vendor.pub"
	cp "$KEYS/other.pub" "$TRUST/"
	verify_fails
	has_line "edgerun.manifest.sig: signer not trusted"
}

@test "an empty or missing trust store refuses every bundle" {
	seal_signed
	rm -f "$TRUST"/*
	verify_fails
	has_line "$TRUST: empty trust store"
	echo "not a key" >"$TRUST/junk.pem"
	verify_fails
	has_line "$TRUST: empty trust store" "no usable public key"
	run -1 edgerun verify --bundle "$BUNDLE" --trust-dir "$TESTDIR/nowhere"
	has_line "$TESTDIR/nowhere: empty trust store"
}

@test "a trust store writable by others is refused" {
	seal_signed
	chmod 0777 "$TRUST"
	verify_fails
	has_line "$TRUST: unsafe trust store"
}

@test "truncated, garbage, empty and missing signatures are refused and named" {
	seal_signed
	local sig="$BUNDLE/edgerun.manifest.sig" good
	good=$(cat "$sig")
	head -c 40 <<<"$good" >"$sig"
	verify_fails
	has_line "edgerun.manifest.sig: bad signature"
	base64 -d <<<"$good" | head -c 30 | base64 >"$sig"
	verify_fails
	has_line "edgerun.manifest.sig: bad signature" "truncated or garbage"
	head -c 70 /dev/urandom | base64 >"$sig"
	verify_fails
	has_line "edgerun.manifest.sig: bad signature"
	echo '!!!! not base64 !!!!' >"$sig"
	verify_fails
	has_line "edgerun.manifest.sig: bad signature" "not base64"
	: >"$sig"
	verify_fails
	has_line "edgerun.manifest.sig: bad signature"
	rm "$sig"
	verify_fails
	has_line "edgerun.manifest.sig: missing signature"
}

@test "a manifest edited after signing is refused" {
	seal_signed
	local m="$BUNDLE/edgerun.manifest"
	# a valid, canonical manifest that allows a different busybox
	sed -i 's/"path":"bin\/busybox","sha256":"[0-9a-f]*"/"path":"bin\/busybox","sha256":"'"$(printf '0%.0s' {1..64})"'"/' "$m"
	grep -q '"sha256":"0000000000' "$m"
	verify_fails
	has_line "edgerun.manifest.sig: signer not trusted" "changed after signing"
	has_line "/bin/busybox: modified"
}

@test "a manifest that is not canonical is refused even when validly signed" {
	seal
	new_key p256 vendor
	jq . "$BUNDLE/edgerun.manifest" >"$TESTDIR/pretty" && mv "$TESTDIR/pretty" "$BUNDLE/edgerun.manifest"
	openssl dgst -sha256 -sign "$KEYS/vendor.pem" "$BUNDLE/edgerun.manifest" | base64 >"$BUNDLE/edgerun.manifest.sig"
	verify_fails
	has_line "edgerun.manifest: invalid manifest" "not in canonical form"
	rm "$BUNDLE/edgerun.manifest"
	verify_fails
	has_line "edgerun.manifest: missing manifest"
}

# ---- tampering ------------------------------------------------------------------------------

@test "every tamper case is refused and each is named by its path" {
	local fw="$TESTDIR/fw.bin"
	head -c 4096 /dev/urandom >"$fw"
	mkdir -p "$ROOTFS/opt/data"
	echo keep >"$ROOTFS/opt/data/file"
	echo gone >"$ROOTFS/etc/removed"
	mknod "$ROOTFS/dev/dev1" c 1 3
	seal_signed vendor --firmware "$fw"
	verify_ok
	change_byte "$ROOTFS/etc/passwd"              # one byte, same size
	echo new >"$ROOTFS/etc/added"                 # a file added
	rm "$ROOTFS/etc/removed"                      # a file removed
	chmod u+s "$ROOTFS/bin/busybox"               # setuid added
	chown 1000:1000 "$ROOTFS/etc/group"           # owner changed
	ln -sfn /tmp/evil "$ROOTFS/bin/sh"            # symlink retargeted
	rm -rf "$ROOTFS/opt/data"                     # a directory replaced by a symlink
	ln -s /tmp "$ROOTFS/opt/data"
	rm "$ROOTFS/dev/dev1"                         # a device renumbered
	mknod "$ROOTFS/dev/dev1" c 1 5
	update_config '.process.args = ["sh", "-c", "evil"]' # config.json args changed
	change_byte "$fw"                             # firmware outside the rootfs changed
	verify_fails
	has_line "/etc/passwd: modified" "sha256"
	has_line "/etc/added: added"
	has_line "/etc/removed: missing"
	has_line "/bin/busybox: mode changed (0755 -> 4755)"
	has_line "/etc/group: owner changed (0:0 -> 1000:1000)"
	has_line "/bin/sh: symlink retargeted (\`busybox\` -> \`/tmp/evil\`)"
	has_line "/opt/data: type changed (dir -> symlink)"
	has_line "/opt/data/file: missing"
	has_line "/dev/dev1: device changed (1:3 -> 1:5)"
	has_line "config.json: modified"
	has_line "$fw: firmware modified"
	[[ "$(grep -vc '^time=' <<<"$output")" -eq 11 ]] || fail "expected exactly 11 problems"
	has_line "failed verification: 11 problems"
}

@test "file capabilities (security.capability) are sealed; adding, changing or removing them is named" {
	command -v setcap >/dev/null || skip "needs setcap"
	echo tool >"$ROOTFS/bin/tool"
	echo ping >"$ROOTFS/bin/ping"
	setcap cap_net_raw+ep "$ROOTFS/bin/ping"
	seal_signed
	[[ "$(jq -r '.entries[] | select(.path == "bin/ping") | .caps' "$BUNDLE/edgerun.manifest")" =~ ^[0-9a-f]{40}$ ]]
	[[ "$(jq -r '.entries[] | select(.path == "bin/tool") | .caps' "$BUNDLE/edgerun.manifest")" == null ]]
	age_files
	verify_ok
	verify_ok
	[[ "$output" == *"0.0 MB hashed"* ]]
	setcap cap_sys_admin+ep "$ROOTFS/bin/tool"
	setcap cap_sys_admin+ep "$ROOTFS/bin/ping"
	verify_fails
	has_line "/bin/tool: capabilities changed (none -> "
	has_line "/bin/ping: capabilities changed ("
	setcap -r "$ROOTFS/bin/tool"
	setcap -r "$ROOTFS/bin/ping"
	verify_fails
	has_line "/bin/ping: capabilities changed (" "-> none)"
	[[ "$output" != *"/bin/tool"* ]]
}

@test "a missing firmware file and a grown rootfs file are named" {
	local fw="$TESTDIR/fw.bin"
	echo firmware >"$fw"
	seal_signed vendor --firmware "$fw"
	rm "$fw"
	echo more >>"$ROOTFS/etc/passwd"
	verify_fails
	has_line "$fw: firmware missing"
	has_line "/etc/passwd: modified (size"
}

# ---- the digest cache -----------------------------------------------------------------------

# The cache takes digests only of files whose ctime is 2 s old (see hashpool.c).
function age_files() {
	sleep 2.2
}

@test "cache: an unchanged bundle re-verifies from the cache; --no-cache hashes everything" {
	seal_signed
	age_files
	verify_ok
	verify_ok
	local files
	files=$(find "$ROOTFS" -type f | wc -l)
	[[ "$output" == *"($files files, 0.0 MB hashed, $files cached)"* ]]
	verify_ok --no-cache
	[[ "$output" == *", 0 cached)"* && "$output" != *" 0.0 MB hashed"* ]]
}

@test "cache: a file changed after a cached verify is caught (same size and mtime)" {
	seal_signed
	age_files
	verify_ok
	verify_ok
	[[ "$output" == *"0.0 MB hashed"* ]]
	local f="$ROOTFS/etc/passwd" mtime
	mtime=$(stat -c %y "$f")
	change_byte "$f"
	touch -d "$mtime" "$f"
	[[ "$(stat -c %y "$f")" == "$mtime" ]]
	verify_fails
	has_line "/etc/passwd: modified" "sha256"
}

@test "cache: directory 0700 and files 0600 of root; a non-root user cannot write them" {
	seal_signed
	age_files
	verify_ok
	local dir="$ROOT/.digests" f
	[[ "$(stat -c '%a %u' "$dir")" == "700 0" ]]
	f=$(find "$dir" -type f)
	[[ -n "$f" && "$(stat -c '%a %u' "$f")" == "600 0" ]]
	run ! setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "echo x >>'$f'"
	run ! setpriv --reuid=65534 --regid=65534 --clear-groups touch "$dir/poison"
	[[ ! -e "$dir/poison" ]]
}

@test "cache: a cache file or directory that others could have written is not used" {
	seal_signed
	age_files
	verify_ok
	verify_ok
	[[ "$output" != *", 0 cached)"* ]]
	local dir="$ROOT/.digests" f
	f=$(find "$dir" -type f)
	chown 65534 "$f"
	run -0 edgerun verify --bundle "$BUNDLE" --trust-dir "$TRUST"
	[[ "$output" == *"is not a private file: ignored"* && "$output" == *", 0 cached)"* ]]
	chown 0 "$f"
	chmod 0600 "$f"
	chmod 0777 "$dir"
	run -0 edgerun verify --bundle "$BUNDLE" --trust-dir "$TRUST"
	[[ "$output" == *"not a private directory"* && "$output" == *", 0 cached)"* ]]
	chmod 0700 "$dir"
	verify_ok
	[[ "$output" != *", 0 cached)"* ]]
}

@test "cache: concurrent verifications of one bundle all pass and leave one valid cache file" {
	seal_signed
	age_files
	local i pids=()
	for i in 1 2 3 4 5 6; do
		edgerun verify --bundle "$BUNDLE" --trust-dir "$TRUST" --no-cache >"$TESTDIR/v$i" 2>&1 &
		pids+=($!)
		edgerun verify --bundle "$BUNDLE" --trust-dir "$TRUST" >"$TESTDIR/c$i" 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i"
	done
	[[ "$(find "$ROOT/.digests" -type f | wc -l)" -eq 1 ]]
	[[ -z "$(find "$ROOT/.digests" -name '.tmp*')" ]]
	verify_ok
	[[ "$output" == *"0.0 MB hashed"* ]]
}

@test "cache: a damaged cache file is ignored" {
	seal_signed
	age_files
	verify_ok
	local f
	f=$(find "$ROOT/.digests" -type f)
	change_byte "$f"
	verify_ok
	[[ "$output" == *", 0 cached)"* ]]
}

# ---- create and run -------------------------------------------------------------------------

# nothing_left_of ID: no state, cgroup (default path), mount or process of container ID.
function nothing_left_of() {
	local h
	[[ ! -e "$ROOT/$1" ]] || fail "state dir left"
	run ! edgerun state "$1"
	for h in $(cgroup_hierarchies); do
		[[ ! -e "$(cgroup_path_dir "$h" "$(cgroup_path self "$h")")/$1" ]] || fail "$h: cgroup left"
	done
	! grep -q " $TESTDIR/" /proc/self/mountinfo || fail "mount left"
	[[ -z "$(_leftover_pids)" ]] || fail "processes left: $(_leftover_pids)"
}

@test "a signed bundle runs; a tampered one does not, with the report in --log json and nothing left" {
	set_args sh -c 'echo signed-ok'
	seal_signed
	erun -0 --trust-dir "$TRUST" run "$SB_ID"
	[[ "$output" == *signed-ok* ]]
	echo evil >"$ROOTFS/bin/evil"
	chmod u+s "$ROOTFS/bin/busybox"
	erun -1 --trust-dir "$TRUST" --log "$TESTDIR/log.json" --log-format json run "$SB_ID"
	[[ "$output" == *"failed verification (2 problems)"*"/bin/busybox: mode changed"* ]]
	run -0 jq -r 'select(.level == "error") | .msg' "$TESTDIR/log.json"
	[[ "$output" == *"failed verification"*"/bin/busybox: mode changed (0755 -> 4755)"*"/bin/evil: added"* ]]
	nothing_left_of "$SB_ID"
	erun -1 --trust-dir "$TRUST" create "$SB_ID"
	[[ "$output" == *"/bin/evil: added"* ]]
	nothing_left_of "$SB_ID"
}

@test "create of a bundle with a manifest always verifies; an unsigned bundle still runs without policy" {
	erun -0 run "$SB_ID"
	seal
	erun -1 --trust-dir "$TRUST" run "$SB_ID"
	[[ "$output" == *"edgerun.manifest.sig: missing signature"* ]]
	nothing_left_of "$SB_ID"
}

@test "--require-signed refuses an unsigned bundle and runs a signed one" {
	erun -1 --require-signed --trust-dir "$TRUST" run "$SB_ID"
	[[ "$output" == *"is not signed"*"--require-signed requires signed bundles"* ]]
	nothing_left_of "$SB_ID"
	seal_signed
	erun -0 --require-signed --trust-dir "$TRUST" run "$SB_ID"
}

@test "annotation org.edgerun.verify=required refuses an unsigned bundle; unknown values are errors" {
	update_config '.annotations["org.edgerun.verify"] = "required"'
	erun -1 --trust-dir "$TRUST" run "$SB_ID"
	[[ "$output" == *"annotation org.edgerun.verify=required requires signed bundles"* ]]
	nothing_left_of "$SB_ID"
	seal_signed
	erun -0 --trust-dir "$TRUST" run "$SB_ID"
	update_config '.annotations["org.edgerun.verify"] = "maybe"'
	rm "$BUNDLE/edgerun.manifest"
	erun -1 run "$SB_ID"
	[[ "$output" == *"unknown value \`maybe\`"* ]]
}

@test "policy file (EDGERUN_POLICY): requireSigned refuses an unsigned bundle; a bad policy fails closed" {
	echo '{"requireSigned": true}' >"$EDGERUN_POLICY"
	erun -1 --trust-dir "$TRUST" run "$SB_ID"
	[[ "$output" == *"policy \`$EDGERUN_POLICY\` requires signed bundles"* ]]
	nothing_left_of "$SB_ID"
	seal_signed
	erun -0 --trust-dir "$TRUST" run "$SB_ID"
	echo '{"requireSigned": false}' >"$EDGERUN_POLICY"
	rm "$BUNDLE/edgerun.manifest"
	erun -0 run "$SB_ID"
	echo '{"requireSigned": "yes"}' >"$EDGERUN_POLICY"
	erun -1 run "$SB_ID"
	[[ "$output" == *"policy \`$EDGERUN_POLICY\`: requireSigned: expected a boolean"* ]]
	echo '{"requiresigned": true}' >"$EDGERUN_POLICY"
	erun -1 run "$SB_ID"
	[[ "$output" == *"requiresigned: unknown member"* ]]
}

# ---- hook verify ----------------------------------------------------------------------------

@test "hook verify as a createRuntime hook of runc: a signed bundle runs, a tampered one is stopped" {
	command -v runc >/dev/null || skip "runc is not installed"
	local rroot="$TESTDIR/runc-root"
	set_args sh -c 'echo runc-ok'
	update_config '.hooks.createRuntime = [{path: $e, args: ["edgerun", "--root", $r, "--trust-dir", $t, "hook", "verify"]}]' \
		--arg e "$EDGERUN" --arg r "$ROOT" --arg t "$TRUST"
	seal_signed
	run -0 runc --root "$rroot" run --bundle "$BUNDLE" "$SB_ID" </dev/null
	[[ "$output" == *runc-ok* ]]
	change_byte "$ROOTFS/etc/passwd"
	run ! runc --root "$rroot" run --bundle "$BUNDLE" "$SB_ID" </dev/null
	[[ "$output" == *"/etc/passwd: modified"* ]]
	[[ "$output" != *runc-ok* ]]
	run -0 runc --root "$rroot" list -q
	[[ -z "$output" ]]
}

@test "hook verify reads the state on stdin; errors name what is wrong" {
	seal_signed
	run -0 edgerun --trust-dir "$TRUST" hook verify <<<"{\"ociVersion\":\"1.0.2\",\"id\":\"x\",\"status\":\"creating\",\"pid\":1,\"bundle\":\"$BUNDLE\"}"
	[[ -z "$output" ]]
	echo evil >"$ROOTFS/evil"
	run -1 edgerun --trust-dir "$TRUST" hook verify <<<"{\"ociVersion\":\"1.0.2\",\"id\":\"x\",\"status\":\"creating\",\"bundle\":\"$BUNDLE\"}"
	has_line "/evil: added"
	run -1 edgerun hook verify <<<"not json"
	[[ "$output" == *"container state on stdin"* ]]
	run -1 edgerun hook nope </dev/null
	[[ "$output" == *"unknown hook \`nope\`"* ]]
}
