/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun delete [--force] ID */
#include <errno.h>

#include "cmd/cmd.h"

static const struct cmd_opt delete_opts[] = {
	{"force", 'f', NULL,
	 "Forcibly deletes the container if it is still running (uses SIGKILL)"},
	{NULL},
};

const struct cmd_verb cmd_delete_verb = {
	.name = "delete",
	.summary = "delete any resources held by the container often used with detached container",
	.args_usage = "<container-id>",
	.description =
		"Where \"<container-id>\" is the name for the instance of the container.\n\n"
		"EXAMPLE:\n"
		"If \"" CMD_NAME " list\" shows the container \"ubuntu01\" as \"stopped\" (or\n"
		"\"created\"), the following removes it and runs its poststop hooks:\n\n"
		"       # " CMD_NAME " delete ubuntu01",
	.opts = delete_opts,
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_delete,
};

int cmd_delete(const struct cmd_ctx *ctx, struct er_error *err)
{
	bool force = cmd_opt_bool(ctx, "force");
	struct er_container *c = NULL;
	int r;

	if (er_container_load(ctx->g->root, ctx->args[0], &c, err) < 0) {
		struct er_error e = ER_ERROR_INIT;

		if (err->errnum != ENOENT)
			return -1;
		/* an interrupted create may have left ROOT/ID without state.json (as runc) */
		if (er_container_remove_stale(ctx->g->root, ctx->args[0], &e) < 0) {
			er_clear(err);
			*err = e;
			return -1;
		}
		if (!force)
			return -1;
		er_clear(err);
		return 0;
	}
	r = er_container_delete(c, force, err);
	er_container_free(c);
	return r;
}
