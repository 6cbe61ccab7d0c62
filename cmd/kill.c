/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun kill [--all] ID [SIGNAL] */
#include "cmd/cmd.h"

static const struct cmd_opt kill_opts[] = {
	{"all", 'a', NULL, "send the specified signal to all processes inside the container"},
	{NULL},
};

const struct cmd_verb cmd_kill_verb = {
	.name = "kill",
	.summary = "kill sends the specified signal (default: SIGTERM) to the container's init "
		   "process",
	.args_usage = "<container-id> [signal]",
	.description =
		"Where \"<container-id>\" is the name for the instance of the container and\n"
		"\"[signal]\" is the signal to be sent to the init process: a name (KILL, "
		"SIGKILL,\n"
		"kill, RTMIN+3) or a number.\n\n"
		"EXAMPLE:\n"
		"To send a \"KILL\" signal to the init process of the \"ubuntu01\" container:\n\n"
		"       # " CMD_NAME " kill ubuntu01 KILL\n\n"
		"--all signals every process in the container's cgroup.",
	.opts = kill_opts,
	.min_args = 1,
	.max_args = 2,
	.fn = cmd_kill,
};

int cmd_kill(const struct cmd_ctx *ctx, struct er_error *err)
{
	struct er_container *c = NULL;
	int sig = er_parse_signal(ctx->n_args > 1 ? ctx->args[1] : "SIGTERM", err);
	int r;

	if (sig < 0)
		return -1;
	if (er_container_load(ctx->g->root, ctx->args[0], &c, err) < 0)
		return -1;
	r = er_container_kill(c, sig, cmd_opt_bool(ctx, "all"), err);
	er_container_free(c);
	return r;
}
