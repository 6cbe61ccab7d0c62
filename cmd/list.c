/* SPDX-License-Identifier: Apache-2.0 */
/* edgerun list [-f table|json] [-q] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/util.h"

static const struct cmd_opt list_opts[] = {
	{"format", 'f', "value", "select one of: table or json (default: \"table\")"},
	{"quiet", 'q', NULL, "display only container IDs"},
	{NULL},
};

const struct cmd_verb cmd_list_verb = {
	.name = "list",
	.summary = "lists containers started by " CMD_NAME " with the given root",
	.args_usage = "",
	.description = "Where the given root is specified via the global option \"--root\"\n"
		       "(default: \"" ER_DEFAULT_ROOT "\").\n\n"
		       "EXAMPLE 1:\n"
		       "To list containers created via the default \"--root\":\n"
		       "       # " CMD_NAME " list\n\n"
		       "EXAMPLE 2:\n"
		       "To list containers created using a non-default value for \"--root\":\n"
		       "       # " CMD_NAME " --root value list",
	.opts = list_opts,
	.min_args = 0,
	.max_args = 0,
	.fn = cmd_list,
};

#define N_COLS 6

struct rows {
	char *(*cells)[N_COLS];
	size_t n;
};

static int collect(const struct er_state *st, void *userdata)
{
	struct rows *r = userdata;
	char **row;

	r->cells = xrealloc(r->cells, (r->n + 1) * sizeof(*r->cells));
	row = r->cells[r->n++];
	row[0] = xstrdup(st->id);
	row[1] = xasprintf("%d", (int)st->pid);
	row[2] = xstrdup(er_status_name(st->status));
	row[3] = xstrdup(st->bundle ? st->bundle : "");
	row[4] = xstrdup(st->created ? st->created : "");
	row[5] = xstrdup(st->owner ? st->owner : "");
	return 0;
}

/* display width in characters (UTF-8 code points), as Go's tabwriter counts */
static size_t width_of(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Go's tabwriter with runc's settings (minwidth 12, padding 3, spaces): every column but
 * the last is as wide as its widest cell + 3, at least 12. */
static void print_table(const struct rows *r)
{
	static const char *const header[N_COLS] = {"ID",     "PID",	"STATUS",
						   "BUNDLE", "CREATED", "OWNER"};
	size_t w[N_COLS];

	for (int c = 0; c < N_COLS - 1; c++) {
		w[c] = width_of(header[c]);
		for (size_t i = 0; i < r->n; i++) {
			size_t x = width_of(r->cells[i][c]);

			w[c] = x > w[c] ? x : w[c];
		}
		w[c] = w[c] + 3 < 12 ? 12 : w[c] + 3;
	}
	for (size_t i = 0; i <= r->n; i++) {
		const char *const *row = i == 0 ? header : (const char *const *)r->cells[i - 1];

		for (int c = 0; c < N_COLS - 1; c++)
			printf("%s%*s", row[c], (int)(w[c] - width_of(row[c])), "");
		printf("%s\n", row[N_COLS - 1]);
	}
}

static int print_json(const char *root, struct er_error *err);

int cmd_list(const struct cmd_ctx *ctx, struct er_error *err)
{
	const char *format = cmd_opt_str(ctx, "format");
	struct rows r = {0};
	int ret = 0;

	if (!format)
		format = "table";
	if (!cmd_opt_bool(ctx, "quiet") && strcmp(format, "table") && strcmp(format, "json"))
		return er_set(err, 0, "invalid format option");
	if (!cmd_opt_bool(ctx, "quiet") && !strcmp(format, "json"))
		return print_json(ctx->g->root, err);
	if (er_container_list(ctx->g->root, collect, &r, err) < 0)
		ret = -1;
	else if (cmd_opt_bool(ctx, "quiet"))
		for (size_t i = 0; i < r.n; i++)
			printf("%s\n", r.cells[i][0]);
	else
		print_table(&r);
	for (size_t i = 0; i < r.n; i++)
		for (int c = 0; c < N_COLS; c++)
			free(r.cells[i][c]);
	free(r.cells);
	return ret;
}

/* The objects `state` prints, in an array ("[]" when empty, where runc prints "null"). */
static int print_one_json(const struct er_state *st, void *userdata)
{
	bool *first = userdata;
	_cleanup_free_ char *json = state_to_json(st, true);

	printf("%s%s", *first ? "[\n" : ",\n", json);
	*first = false;
	return 0;
}

static int print_json(const char *root, struct er_error *err)
{
	bool first = true;
	int r = er_container_list(root, print_one_json, &first, err);

	printf(first ? "[]\n" : "\n]\n");
	return r;
}
