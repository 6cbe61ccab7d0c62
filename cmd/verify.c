/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun verify --bundle B [--trust-dir D] [--no-cache]: check a bundle against its
 * signed manifest; every problem on its own line. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "edge/signed.h"

static const struct cmd_opt verify_opts[] = {
	{"bundle", 'b', "value", "path to the root of the bundle directory (default: .)"},
	{"trust-dir", 0, "value",
	 "directory of trusted PEM public keys (default: the global --trust-dir, "
	 "\"" ER_DEFAULT_TRUST_DIR "\")"},
	{"no-cache", 0, NULL, "hash every file (neither read nor write the digest cache)"},
	{NULL},
};

const struct cmd_verb cmd_verify_verb = {
	.name = "verify",
	.summary = "verify a bundle against its signed manifest",
	.args_usage = "",
	.description =
		"DESCRIPTION:\n"
		"   The verify command checks the signature of \"edgerun.manifest\" with the keys "
		"of\n"
		"the trust store, then config.json, every object of the rootfs and every firmware\n"
		"file against it. It exits 0 with a one-line summary, or 1 with every problem on\n"
		"its own line (\"PATH: PROBLEM (DETAIL)\"). See edgerun-verify(8).",
	.opts = verify_opts,
	.min_args = 0,
	.max_args = 0,
	.fn = cmd_verify,
};

int cmd_verify(const struct cmd_ctx *ctx, struct er_error *err)
{
	const char *b = cmd_opt_str(ctx, "bundle");
	const char *td = cmd_opt_str(ctx, "trust-dir");
	_cleanup_free_ char *bundle = cmd_abs_path(b && *b ? b : ".");
	_cleanup_free_ char *trust = cmd_abs_path(td && *td ? td : ctx->g->trust_dir);
	struct sb_report rep = {0};
	struct spec *spec = spec_load(bundle, err);
	struct sb_verify_opts o = {
		.bundle = bundle,
		.trust_dir = trust,
		.cache_root = ctx->g->root,
		.no_cache = cmd_opt_bool(ctx, "no-cache"),
		.progress = isatty(STDERR_FILENO) ? cmd_signed_progress : NULL,
	};
	int r;

	if (!spec)
		return er_prefix(err, "verify bundle `%s`", bundle);
	o.root_path = spec->root_path;
	r = sb_verify(&o, &rep, err);
	spec_free(spec);
	if (r < 0)
		return er_prefix(err, "verify bundle `%s`", bundle);
	if (rep.n_problems == 0)
		printf("verified %s: %zu entries (%zu files, %.1f MB hashed, %zu cached), %zu "
		       "firmware; signed by %s; %.0f ms\n",
		       bundle, rep.n_entries, rep.n_files, (double)rep.bytes_hashed / 1e6,
		       rep.n_cached, rep.n_firmware, rep.signer, (double)rep.elapsed_ns / 1e6);
	for (size_t i = 0; i < rep.n_problems; i++) {
		_cleanup_free_ char *line = sb_problem_text(&rep.problems[i]);

		printf("%s\n", line);
	}
	fflush(stdout);
	r = 0;
	if (rep.n_problems)
		r = er_set(err, 0, "bundle `%s` failed verification: %zu problem%s", bundle,
			   rep.n_problems, rep.n_problems == 1 ? "" : "s");
	sb_report_clear(&rep);
	return r;
}
