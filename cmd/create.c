/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun create [options] ID: set the container up; its program waits for `start`. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "common/util.h"
#include "edge/commands.h"
#include "edge/signed.h"

static const struct cmd_opt create_opts[] = {
	CMD_CREATE_OPTS,
	{NULL},
};

const struct cmd_verb cmd_create_verb = {
	.name = "create",
	.summary = "create a container",
	.args_usage = "<container-id>",
	.description = CMD_NEW_ID_HELP
	"DESCRIPTION:\n"
	"   The create command creates an instance of a container for a bundle: a\n"
	"directory with a specification file named \"config.json\" and a root filesystem.\n"
	"The container's process (process.args of the specification) waits until\n"
	"\"" CMD_NAME " start\" releases it.",
	.opts = create_opts,
	.min_args = 1,
	.max_args = 1,
	.fn = cmd_create,
};

static char *abs_opt(const struct cmd_ctx *ctx, const char *name)
{
	const char *v = cmd_opt_str(ctx, name);

	return v && *v ? cmd_abs_path(v) : NULL;
}

/* runc's rules for where the pty master goes */
static int check_terminal(const struct cmd_create_args *a, bool detach, struct er_error *err)
{
	bool terminal = a->spec->process && a->spec->process->terminal;

	if (detach && terminal && !a->console_socket)
		return er_set(err, 0,
			      "cannot allocate tty if " CMD_NAME
			      " will detach without setting console socket");
	if ((!detach || !terminal) && a->console_socket)
		return er_set(err, 0,
			      "cannot use console socket if " CMD_NAME
			      " will not detach or allocate tty");
	return 0;
}

int cmd_create_args_load(const struct cmd_ctx *ctx, bool detach, struct cmd_create_args *a,
			 struct er_error *err)
{
	const char *fds = cmd_opt_str(ctx, "preserve-fds");
	uint64_t n = 0;

	if (ctx->g->systemd_cgroup)
		return er_set(err, 0, "systemd cgroup driver is not supported yet");
	if (fds && (parse_u64(fds, &n) < 0 || n > 65536))
		return er_set(err, 0, "invalid value \"%s\" for flag -preserve-fds", fds);
	if (er_validate_id(ctx->args[0], err) < 0)
		return -1;
	a->bundle = abs_opt(ctx, "bundle");
	if (!a->bundle)
		a->bundle = cmd_abs_path(".");
	a->pid_file = abs_opt(ctx, "pid-file");
	a->console_socket = abs_opt(ctx, "console-socket");
	a->spec = spec_load(a->bundle, err);
	if (!a->spec)
		return -1;
	if (sb_enforce(a->bundle, a->spec, ctx->g->require_signed, ctx->g->trust_dir, ctx->g->root,
		       err) < 0)
		return -1;
	if (cmds_check_spec(ctx->g->spool, ctx->args[0], a->spec, err) < 0)
		return -1;
	if (check_terminal(a, detach, err) < 0)
		return -1;
	a->o = (struct er_create_opts){
		.root = ctx->g->root,
		.id = ctx->args[0],
		.bundle = a->bundle,
		.pid_file = a->pid_file,
		.console_socket = a->console_socket,
		.no_pivot = cmd_opt_bool(ctx, "no-pivot"),
		.no_new_keyring = cmd_opt_bool(ctx, "no-new-keyring"),
		.preserve_fds = (int)n,
	};
	return 0;
}

void cmd_create_args_free(struct cmd_create_args *a)
{
	spec_free(a->spec);
	free(a->bundle);
	free(a->pid_file);
	free(a->console_socket);
}

int cmd_create(const struct cmd_ctx *ctx, struct er_error *err)
{
	struct cmd_create_args a = {0};
	struct er_container *c = NULL;
	int r = -1;

	if (cmd_create_args_load(ctx, true, &a, err) == 0 &&
	    er_container_create(&a.o, a.spec, &c, err) == 0)
		r = 0;
	er_container_free(c);
	cmd_create_args_free(&a);
	return r;
}
