/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun run [create's options] [--detach] [--keep] ID: create + start (+ wait + delete). */
#include "cmd/cmd.h"
#include "common/log.h"
#include "edge/commands.h"

static const struct cmd_opt run_opts[] = {
	CMD_CREATE_OPTS,
	{"detach", 'd', NULL, "detach from the container's process"},
	{"keep", 0, NULL, "do not delete the container after it exits"},
	{"no-subreaper", 0, NULL,
	 "accepted for compatibility: " CMD_NAME
	 " is a subreaper only while it waits in the foreground"},
	{NULL},
};

const struct cmd_verb cmd_run_verb = {
	.name = "run",
	.summary = "create and run a container",
	.args_usage = "<container-id>",
	.description = CMD_NEW_ID_HELP
	"DESCRIPTION:\n"
	"   The run command creates an instance of a container for a bundle and starts "
	"it.\n"
	"Without --detach it waits for the container's process, forwards signals to it,\n"
	"connects the terminal when process.terminal is set, exits with its status (128+N\n"
	"when killed by signal N) and deletes the container unless --keep is given.",
	.opts = run_opts,
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_run,
};

static void delete_quietly(struct er_container *c)
{
	struct er_error e = ER_ERROR_INIT;

	if (er_container_delete(c, true, &e) < 0)
		er_warn("%s", e.msg);
	er_clear(&e);
}

int cmd_run(const struct cmd_ctx *ctx, struct er_error *err)
{
	bool detach = cmd_opt_bool(ctx, "detach");
	struct cmd_create_args a = {0};
	struct er_container *c = NULL;
	int r = -1;

	if (cmd_create_args_load(ctx, detach, &a, err) < 0)
		goto out;
	a.o.foreground = !detach;
	a.o.foreground_tty = !detach && a.spec->process && a.spec->process->terminal;
	if (er_container_create(&a.o, a.spec, &c, err) < 0)
		goto out;
	if (er_container_start(c, err) < 0) {
		delete_quietly(c);
		goto out;
	}
	cmds_after_start(ctx->g->root, ctx->g->spool, ctx->args[0]);
	if (detach) {
		r = 0;
		goto out;
	}
	r = er_container_wait_foreground(c, err);
	if (!cmd_opt_bool(ctx, "keep"))
		delete_quietly(c);
out:
	er_container_free(c);
	cmd_create_args_free(&a);
	return r;
}
