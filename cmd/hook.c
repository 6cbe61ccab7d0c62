/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun hook verify: an OCI hook (createRuntime, prestart, ...) that verifies the bundle
 * of the container state it reads on stdin, for runc, crun or edgerun. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "edge/signed.h"
#include "specconv/state.h"

#define HOOK_STATE_MAX (1u << 20)

const struct cmd_verb cmd_hook_verb = {
	.name = "hook",
	.summary = "OCI hooks: `hook verify` verifies the container's bundle",
	.args_usage = "verify",
	.description =
		"DESCRIPTION:\n"
		"   \"hook verify\" reads the container state (JSON, as OCI hooks get it) on "
		"stdin\n"
		"and verifies its bundle like \"" CMD_NAME " verify\" (trust store: the global\n"
		"--trust-dir). It exits 0 when the bundle verifies, else 1 with every problem on\n"
		"stderr, so the runtime stops the container. As a createRuntime hook:\n"
		"    \"hooks\": {\"createRuntime\": [{\"path\": \"/usr/local/sbin/edgerun\",\n"
		"                \"args\": [\"edgerun\", \"hook\", \"verify\"]}]}\n"
		"See edgerun-hook(8).",
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_hook,
};

/* The bundle path of the state JSON on stdin. */
static char *state_bundle(struct er_error *err)
{
	_cleanup_free_ char *buf = xmalloc(HOOK_STATE_MAX + 1);
	struct er_state st;
	char *bundle;
	ssize_t n = read_all(STDIN_FILENO, buf, HOOK_STATE_MAX + 1);

	if (n < 0)
		return er_set(err, 0, "read the state on stdin"), NULL;
	if ((size_t)n > HOOK_STATE_MAX)
		return er_set(err, 0, "the state on stdin is too large"), NULL;
	buf[n] = '\0';
	if (state_from_file_json(buf, &st, err) < 0)
		return er_prefix(err, "container state on stdin"), NULL;
	if (!st.bundle || st.bundle[0] != '/') {
		state_clear(&st);
		return er_set(err, 0, "container state on stdin: no absolute `bundle`"), NULL;
	}
	bundle = TAKE_PTR(st.bundle);
	state_clear(&st);
	return bundle;
}

static int hook_verify(const struct cmd_ctx *ctx, struct er_error *err)
{
	_cleanup_free_ char *bundle = state_bundle(err);
	struct sb_report rep = {0};
	struct spec *spec;
	struct sb_verify_opts o = {
		.trust_dir = ctx->g->trust_dir,
		.cache_root = ctx->g->root,
	};
	int r;

	if (!bundle)
		return -1;
	spec = spec_load(bundle, err);
	if (!spec)
		return er_prefix(err, "hook verify: bundle `%s`", bundle);
	o.bundle = bundle;
	o.root_path = spec->root_path;
	r = sb_verify(&o, &rep, err);
	spec_free(spec);
	if (r < 0)
		return er_prefix(err, "hook verify: bundle `%s`", bundle);
	for (size_t i = 0; i < rep.n_problems; i++) {
		_cleanup_free_ char *line = sb_problem_text(&rep.problems[i]);

		fprintf(stderr, "%s\n", line);
	}
	r = 0;
	if (rep.n_problems)
		r = er_set(err, 0, "hook verify: bundle `%s` failed verification: %zu problem%s",
			   bundle, rep.n_problems, rep.n_problems == 1 ? "" : "s");
	sb_report_clear(&rep);
	return r;
}

int cmd_hook(const struct cmd_ctx *ctx, struct er_error *err)
{
	if (!strcmp(ctx->args[0], "verify"))
		return hook_verify(ctx, err);
	return er_set(err, 0, "hook: unknown hook `%s` (known: verify)", ctx->args[0]);
}
