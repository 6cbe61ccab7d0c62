/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgerun ps [--format table|json] ID [ps-options]: the processes of a container. json is
 * the array of their (host) pids, as containerd reads it; table is the output of ps(1)
 * (default `ps -ef`) cut down to the header and the lines of the container's processes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/util.h"

static const struct cmd_opt ps_opts[] = {
	{"format", 'f', "value", "select one of: table or json (default: \"table\")"},
	{NULL},
};

const struct cmd_verb cmd_ps_verb = {
	.name = "ps",
	.summary = "ps displays the processes running inside a container",
	.args_usage = "<container-id> [ps options]",
	.description =
		"Where \"<container-id>\" is the name for the instance of the container and\n"
		"\"[ps options]\" are passed to ps(1) (default: -ef). Options of " CMD_NAME
		" ps come\n"
		"before the container id; everything after it goes to ps(1), and a \"--\" right\n"
		"after the id is dropped.\n\n"
		"EXAMPLE:\n"
		"       # " CMD_NAME " ps web\n"
		"       # " CMD_NAME " ps --format json web\n"
		"       # " CMD_NAME " ps web -o pid,stat,comm",
	.opts = ps_opts,
	.min_args = 1,
	.max_args = -1,
	.options_end_at_args = true,
	.fn = cmd_ps,
};

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static void print_json(const pid_t *pids, size_t n)
{
	putchar('[');
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", (int)pids[i]);
	puts("]");
}

/* Field I (0-based) of a whitespace-separated LINE, copied; NULL when it has fewer. */
static char *field(const char *line, int index)
{
	const char *p = line;

	for (int i = 0;; i++) {
		size_t len;

		p += strspn(p, " \t");
		if (!*p)
			return NULL;
		len = strcspn(p, " \t");
		if (i == index)
			return xstrndup(p, len);
		p += len;
	}
}

static int pid_column(const char *header)
{
	for (int i = 0;; i++) {
		_cleanup_free_ char *f = field(header, i);

		if (!f)
			return -1;
		if (!strcmp(f, "PID"))
			return i;
	}
}

/* Prints the header of ps's OUT and the lines whose PID column holds one of PIDS (sorted). */
static int print_table(char *out, const pid_t *pids, size_t n, struct er_error *err)
{
	char *save = NULL, *line = strtok_r(out, "\n", &save);
	int col = line ? pid_column(line) : -1;

	if (col < 0)
		return er_set(err, 0, "couldn't find PID field in ps output");
	puts(line);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		_cleanup_free_ char *f = field(line, col);
		int64_t v;
		pid_t pid;

		if (!f)
			continue;
		if (parse_i64(f, &v) < 0 || v <= 0 || v > INT32_MAX)
			return er_set(err, 0, "unable to parse pid `%s` in ps output", f);
		pid = (pid_t)v;
		if (bsearch(&pid, pids, n, sizeof(*pids), cmp_pid))
			puts(line);
	}
	return 0;
}

int cmd_ps(const struct cmd_ctx *ctx, struct er_error *err)
{
	const char *format = cmd_opt_str(ctx, "format") ?: "table";
	char **ps_args = ctx->args + 1;
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ char *out = NULL;
	struct er_container *c = NULL;
	size_t n = 0;
	int r;

	if (strcmp(format, "table") && strcmp(format, "json"))
		return er_set(err, 0, "invalid format option `%s`: select one of table or json",
			      format);
	if (er_container_load(ctx->g->root, ctx->args[0], &c, err) < 0)
		return -1;
	r = er_container_pids(c, &pids, &n, err);
	er_container_free(c);
	if (r < 0)
		return -1;
	if (!strcmp(format, "json")) {
		print_json(pids, n);
		return 0;
	}
	if (*ps_args && !strcmp(*ps_args, "--"))
		ps_args++;
	qsort(pids, n, sizeof(*pids), cmp_pid);
	if (er_run_ps(*ps_args ? ps_args : NULL, &out, err) < 0)
		return -1;
	return print_table(out, pids, n, err);
}
