/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun pause ID: freeze every process of the container (its cgroup's freezer). */
#include "cmd/cmd.h"

const struct cmd_verb cmd_pause_verb = {
	.name = "pause",
	.summary = "pause suspends all processes inside the container",
	.args_usage = "<container-id>",
	.description =
		"Where \"<container-id>\" is the name for the instance of the container to be\n"
		"paused.\n\n"
		"DESCRIPTION:\n"
		"   The pause command suspends all processes in the instance of the container.\n\n"
		"Use " CMD_NAME
		" list to identify instances of containers and their current status.",
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_pause,
};

int cmd_pause(const struct cmd_ctx *ctx, struct er_error *err)
{
	struct er_container *c = NULL;
	int r;

	if (er_container_load(ctx->g->root, ctx->args[0], &c, err) < 0)
		return -1;
	r = er_container_pause(c, err);
	er_container_free(c);
	return r;
}
