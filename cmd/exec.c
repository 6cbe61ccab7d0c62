/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgerun exec [options] ID [COMMAND [ARG...]]: run a new process in a living container.
 * As in runc, the options come before the container id (what follows it is the command),
 * and every failure exits 255 ("exec failed: ...") so that a caller can tell it from the
 * program's own status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/util.h"

/* clang-format off */
static const struct cmd_opt exec_opts[] = {
	{"console-socket", 0, "value",
	 "path to an AF_UNIX socket which will receive a file descriptor referencing the master "
	 "end of the console's pseudoterminal"},
	{"cwd", 0, "value", "current working directory in the container"},
	{"env", 'e', "value", "set environment variables", true},
	{"tty", 't', NULL, "allocate a pseudo-TTY"},
	{"user", 'u', "value", "UID (format: <uid>[:<gid>])"},
	{"additional-gids", 'g', "value", "additional gids", true},
	{"process", 'p', "value", "path to the process.json"},
	{"detach", 'd', NULL, "detach from the container's process"},
	{"pid-file", 0, "value", "specify the file to write the process id to"},
	{"process-label", 0, "value",
	 "set the asm process label for the process commonly used with selinux"},
	{"apparmor", 0, "value", "set the apparmor profile for the process"},
	{"no-new-privs", 0, NULL, "set the no new privileges value for the process"},
	{"cap", 'c', "value", "add a capability to the bounding set for the process", true},
	{"preserve-fds", 0, "value",
	 "Pass N additional file descriptors to the container (stdio + N in total) (default: 0)"},
	{"cgroup", 0, "value",
	 "run the process in an (existing) sub-cgroup of the container's; \"/\" is the "
	 "container's cgroup itself"},
	{"ignore-paused", 0, NULL, "allow exec in a paused container"},
	{NULL},
};
/* clang-format on */

const struct cmd_verb cmd_exec_verb = {
	.name = "exec",
	.summary = "execute new process inside the container",
	.args_usage = "<container-id> <command> [command options]  || -p process.json "
		      "<container-id>",
	.description =
		"Where \"<container-id>\" is the name for the instance of the container and\n"
		"\"<command>\" is the command to be executed in the container.\n"
		"\"<command>\" can't be empty unless a \"-p\" flag provided.\n\n"
		"EXAMPLE:\n"
		"For example, if the container is configured to run the linux ps command the\n"
		"following will output a list of processes running in the container:\n\n"
		"       # " CMD_NAME " exec <container-id> ps",
	.opts = exec_opts,
	.min_args = 1,
	.max_args = -1,
	.options_end_at_args = true,
	.fn = cmd_exec,
	.fail_status = 255,
};

struct exec_args {
	struct er_exec_opts o;
	struct spec_process process; /* --process */
	bool has_process;
	char *pid_file, *console_socket; /* owned, absolute */
	uint32_t *gids;
};

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) < 0 || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* --user UID[:GID] */
static int parse_user(const char *s, struct er_exec_opts *o, struct er_error *err)
{
	_cleanup_free_ char *uid = xstrdup(s);
	char *gid = strchr(uid, ':');

	if (gid)
		*gid++ = '\0';
	if (parse_u32(uid, &o->uid) < 0 || (gid && parse_u32(gid, &o->gid) < 0))
		return er_set(err, 0, "invalid --user `%s`: expected <uid>[:<gid>]", s);
	o->has_uid = true;
	o->has_gid = gid != NULL;
	return 0;
}

static int parse_gids(const struct cmd_ctx *ctx, struct exec_args *a, struct er_error *err)
{
	const char *const *list = cmd_opt_list(ctx, "additional-gids");
	size_t n = strv_len((char *const *)list);

	if (!n)
		return 0;
	a->gids = xcalloc(n, sizeof(*a->gids));
	for (size_t i = 0; i < n; i++)
		if (parse_u32(list[i], &a->gids[i]) < 0)
			return er_set(err, 0, "invalid --additional-gids `%s`: expected a gid",
				      list[i]);
	a->o.additional_gids = a->gids;
	a->o.n_additional_gids = n;
	return 0;
}

static int load_process(const char *path, struct exec_args *a, struct er_error *err)
{
	_cleanup_free_ char *json = NULL;
	size_t len = 0;

	json = read_file_at(AT_FDCWD, path, &len, err);
	if (!json)
		return er_prefix(err, "--process");
	if (spec_process_parse(json, len, path, &a->process, err) < 0)
		return -1;
	a->has_process = true;
	a->o.process = &a->process;
	return 0;
}

/* runc's rules for where the pty master goes */
static int check_terminal(const struct exec_args *a, struct er_error *err)
{
	bool tty = a->has_process ? a->process.terminal : a->o.tty;

	if (a->o.detach && tty && !a->console_socket)
		return er_set(err, 0,
			      "cannot allocate tty if " CMD_NAME
			      " will detach without setting console socket");
	if ((!a->o.detach || !tty) && a->console_socket)
		return er_set(err, 0,
			      "cannot use console socket if " CMD_NAME
			      " will not detach or allocate tty");
	return 0;
}

static char *abs_opt(const struct cmd_ctx *ctx, const char *name)
{
	const char *v = cmd_opt_str(ctx, name);

	return v && *v ? cmd_abs_path(v) : NULL;
}

static int exec_args_load(const struct cmd_ctx *ctx, struct exec_args *a, struct er_error *err)
{
	const char *process = cmd_opt_str(ctx, "process");
	const char *user = cmd_opt_str(ctx, "user");
	const char *fds = cmd_opt_str(ctx, "preserve-fds");
	uint64_t n = 0;

	if (fds && (parse_u64(fds, &n) < 0 || n > 65536))
		return er_set(err, 0, "invalid value \"%s\" for flag -preserve-fds", fds);
	if ((!process || !*process) && ctx->n_args < 2)
		return er_set(err, 0, "process args cannot be empty");
	a->o = (struct er_exec_opts){
		.args = ctx->n_args > 1 ? ctx->args + 1 : NULL,
		.cwd = cmd_opt_str(ctx, "cwd"),
		.env = (char *const *)cmd_opt_list(ctx, "env"),
		.caps = (char *const *)cmd_opt_list(ctx, "cap"),
		.tty = cmd_opt_bool(ctx, "tty"),
		.no_new_privs = cmd_opt_bool(ctx, "no-new-privs"),
		.apparmor_profile = cmd_opt_str(ctx, "apparmor"),
		.selinux_label = cmd_opt_str(ctx, "process-label"),
		.detach = cmd_opt_bool(ctx, "detach"),
		.preserve_fds = (int)n,
		.ignore_paused = cmd_opt_bool(ctx, "ignore-paused"),
		.cgroup = cmd_opt_str(ctx, "cgroup"),
	};
	if (a->o.cwd && !*a->o.cwd)
		a->o.cwd = NULL;
	if (a->o.apparmor_profile && !*a->o.apparmor_profile)
		a->o.apparmor_profile = NULL;
	if (a->o.selinux_label && !*a->o.selinux_label)
		a->o.selinux_label = NULL;
	if (user && *user && parse_user(user, &a->o, err) < 0)
		return -1;
	if (parse_gids(ctx, a, err) < 0)
		return -1;
	a->pid_file = abs_opt(ctx, "pid-file");
	a->console_socket = abs_opt(ctx, "console-socket");
	a->o.pid_file = a->pid_file;
	a->o.console_socket = a->console_socket;
	if (process && *process && load_process(process, a, err) < 0)
		return -1;
	return check_terminal(a, err);
}

static void exec_args_free(struct exec_args *a)
{
	if (a->has_process)
		spec_process_clear(&a->process);
	free(a->pid_file);
	free(a->console_socket);
	free(a->gids);
}

int cmd_exec(const struct cmd_ctx *ctx, struct er_error *err)
{
	struct exec_args a = {0};
	struct er_container *c = NULL;
	int r = -1;

	if (ctx->g->systemd_cgroup)
		er_set(err, 0, "systemd cgroup driver is not supported yet");
	else if (exec_args_load(ctx, &a, err) == 0 &&
		 er_container_load(ctx->g->root, ctx->args[0], &c, err) == 0)
		r = er_container_exec(c, &a.o, err);
	er_container_free(c);
	exec_args_free(&a);
	if (r < 0)
		er_prefix(err, "exec failed");
	return r;
}
