/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun seal --bundle B [--firmware PATH]... [--key KEY]: write the bundle's manifest. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "edge/signed.h"

static const struct cmd_opt seal_opts[] = {
	{"bundle", 'b', "value", "path to the root of the bundle directory (default: .)"},
	{"firmware", 0, "value",
	 "a file outside the rootfs (absolute host path) to cover too; may be repeated",
	 .repeat = true},
	{"key", 0, "value",
	 "PEM private key (ECDSA, Ed25519 or RSA) to sign the manifest with; without it the "
	 "manifest is left for signing elsewhere"},
	{NULL},
};

const struct cmd_verb cmd_seal_verb = {
	.name = "seal",
	.summary = "write a bundle's signed manifest",
	.args_usage = "",
	.description =
		"DESCRIPTION:\n"
		"   The seal command records every object of the bundle's rootfs (type, mode,\n"
		"owner; size, SHA-256 and capabilities of files; symlink targets; device\n"
		"numbers), the digest of config.json and of each --firmware file in\n"
		"\"edgerun.manifest\", and with --key signs it into \"edgerun.manifest.sig\"\n"
		"(base64). The same signature can be made elsewhere:\n"
		"    openssl dgst -sha256 -sign KEY.pem edgerun.manifest | base64 > "
		"edgerun.manifest.sig\n"
		"See edgerun-seal(8).",
	.opts = seal_opts,
	.min_args = 0,
	.max_args = 0,
	.fn = cmd_seal,
};

/* Progress on a terminal: "\r" + the text, a final newline from cmd_signed_progress_end. */
void cmd_signed_progress(const struct sb_progress *p, void *arg)
{
	_cleanup_free_ char *text = sb_progress_text(p);

	(void)arg;
	fprintf(stderr, "\r\033[K%s: %s", CMD_NAME, text);
	if (p->files_done == p->files_total)
		fputc('\n', stderr);
	fflush(stderr);
}

int cmd_seal(const struct cmd_ctx *ctx, struct er_error *err)
{
	const char *b = cmd_opt_str(ctx, "bundle");
	const char *key = cmd_opt_str(ctx, "key");
	_cleanup_free_ char *bundle = cmd_abs_path(b && *b ? b : ".");
	_cleanup_free_ char *key_path = key && *key ? cmd_abs_path(key) : NULL;
	struct sb_seal_result res = {0};
	struct spec *spec = spec_load(bundle, err);
	struct sb_seal_opts o = {
		.bundle = bundle,
		.firmware = cmd_opt_list(ctx, "firmware"),
		.key_path = key_path,
		.cache_root = ctx->g->root,
		.progress = isatty(STDERR_FILENO) ? cmd_signed_progress : NULL,
	};
	int r;

	if (!spec)
		return -1;
	o.root_path = spec->root_path;
	r = sb_seal(&o, &res, err);
	spec_free(spec);
	if (r < 0)
		return er_prefix(err, "seal bundle `%s`", bundle);
	printf("sealed %s: %zu entries (%zu files, %.1f MB), %zu firmware; %s%s\n", bundle,
	       res.n_entries, res.n_files, (double)res.bytes / 1e6, res.n_firmware,
	       res.key_type ? "signed with " : "unsigned",
	       res.key_type ? res.key_type : (res.removed_sig ? " (old signature removed)" : ""));
	sb_seal_result_clear(&res);
	return 0;
}
