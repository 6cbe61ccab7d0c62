/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signing policy in front of `create`/`run` (sb_enforce): verify when the bundle has a
 * manifest, or when signing is required by --require-signed, the policy file or the
 * bundle's annotation; a policy that cannot be read or understood fails closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "edge/signed.h"

#define POLICY_MAX_BYTES (64u << 10)

/* Why signing is required ("" when it is not), or NULL with err set. */
static char *required_by(const struct spec *spec, bool require_signed, struct er_error *err)
{
	const char *path = getenv(SB_POLICY_ENV);
	const char *a = spec_annotation(spec, SB_ANNOTATION);
	struct manifest_policy pol = {0};
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	if (require_signed)
		return xstrdup("--require-signed");
	if (!path || !*path)
		path = SB_DEFAULT_POLICY;
	buf = sb_read_file(AT_FDCWD, path, false, POLICY_MAX_BYTES, &len, err);
	if (!buf && err->errnum != ENOENT) {
		er_prefix(err, "policy");
		return NULL;
	}
	er_clear(err);
	if (buf && manifest_policy_parse(buf, len, &pol, err) < 0) {
		er_prefix(err, "policy `%s`", path);
		return NULL;
	}
	if (pol.require_signed)
		return xasprintf("policy `%s`", path);
	if (a && !strcmp(a, "required"))
		return xstrdup("annotation " SB_ANNOTATION "=required");
	if (a && strcmp(a, "optional") != 0) {
		er_set(err, 0,
		       "annotation `" SB_ANNOTATION "`: unknown value `%s` (expected "
		       "`required` or `optional`)",
		       a);
		return NULL;
	}
	return xstrdup("");
}

int sb_enforce(const char *bundle, const struct spec *spec, bool require_signed,
	       const char *trust_dir, const char *cache_root, struct er_error *err)
{
	_cleanup_free_ char *mpath = xasprintf("%s/" SB_MANIFEST_NAME, bundle);
	_cleanup_free_ char *why = required_by(spec, require_signed, err);
	struct sb_verify_opts o = {
		.bundle = bundle,
		.root_path = spec->root_path,
		.trust_dir = trust_dir,
		.cache_root = cache_root,
	};
	struct sb_report rep = {0};
	struct stat st;
	int r;

	if (!why)
		return -1;
	if (fstatat(AT_FDCWD, mpath, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return er_set(err, errno, "stat `%s`", mpath);
		if (!*why)
			return 0;
		return er_set(err, 0,
			      "bundle `%s` is not signed (no " SB_MANIFEST_NAME
			      ") and %s requires signed bundles",
			      bundle, why);
	}
	if (sb_verify(&o, &rep, err) < 0)
		return er_prefix(err, "verify bundle `%s`", bundle);
	r = 0;
	if (rep.n_problems)
		r = sb_report_error(bundle, &rep, 50, err);
	else
		er_debug("bundle `%s` verified: %zu entries, %zu firmware, signed by `%s`", bundle,
			 rep.n_entries, rep.n_firmware, rep.signer);
	sb_report_clear(&rep);
	return r;
}
