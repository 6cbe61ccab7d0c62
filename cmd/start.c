/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun start ID: run the user's program of a created container. */
#include "cmd/cmd.h"
#include "edge/commands.h"

const struct cmd_verb cmd_start_verb = {
	.name = "start",
	.summary = "executes the user defined process in a created container",
	.args_usage = "<container-id>",
	.description =
		"Where \"<container-id>\" is the name of a container made by \"" CMD_NAME
		" create\".\n\n"
		"DESCRIPTION:\n"
		"   The start command executes the user defined process in a created container\n"
		"and runs the specification's poststart hooks.",
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_start,
};

int cmd_start(const struct cmd_ctx *ctx, struct er_error *err)
{
	struct er_container *c = NULL;
	int r;

	if (er_container_load(ctx->g->root, ctx->args[0], &c, err) < 0)
		return -1;
	r = er_container_start(c, err);
	if (r == 0)
		cmds_after_start(ctx->g->root, ctx->g->spool, ctx->args[0]);
	er_container_free(c);
	return r;
}
