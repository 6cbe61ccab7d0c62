/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun state ID: the container's state as JSON. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"

const struct cmd_verb cmd_state_verb = {
	.name = "state",
	.summary = "output the state of a container",
	.args_usage = "<container-id>",
	.description =
		"Where \"<container-id>\" is your name for the instance of the container.\n\n"
		"DESCRIPTION:\n"
		"   The state command outputs current state information for the\n"
		"instance of a container.",
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_state,
};

int cmd_state(const struct cmd_ctx *ctx, struct er_error *err)
{
	struct er_container *c = NULL;
	char *json;

	if (er_container_load(ctx->g->root, ctx->args[0], &c, err) < 0)
		return -1;
	json = state_to_json(er_container_state(c), true);
	er_container_free(c);
	printf("%s\n", json);
	free(json);
	return 0;
}
