/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun resume ID: thaw a paused container. */
#include "cmd/cmd.h"

const struct cmd_verb cmd_resume_verb = {
	.name = "resume",
	.summary = "resumes all processes that have been previously paused",
	.args_usage = "<container-id>",
	.description =
		"Where \"<container-id>\" is the name for the instance of the container to be\n"
		"resumed.\n\n"
		"DESCRIPTION:\n"
		"   The resume command resumes all processes in the instance of the container.\n\n"
		"Use " CMD_NAME
		" list to identify instances of containers and their current status.",
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_resume,
};

int cmd_resume(const struct cmd_ctx *ctx, struct er_error *err)
{
	struct er_container *c = NULL;
	int r;

	if (er_container_load(ctx->g->root, ctx->args[0], &c, err) < 0)
		return -1;
	r = er_container_resume(c, err);
	er_container_free(c);
	return r;
}
