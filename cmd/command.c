/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgerun command list|run|queue|log|purge ID ...: the declared offline commands of a
 * container (edge/commands.h, edgerun-command(8)).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "edge/commands.h"

/* clang-format off */
static const struct cmd_opt command_opts[] = {
	{"request-id", 0, "value",
	 "queue: an idempotency key; the same id queued twice is stored once"},
	{"ttl", 0, "value",
	 "queue: drop the entry (expired) unless it starts within this duration (30s, 5m, 2h, 1d)"},
	{"bundle", 'b', "value",
	 "queue, list: the bundle whose config.json declares the commands, for a container "
	 "that does not exist yet"},
	{"since", 0, "value", "log: only entries with a sequence number above this one"},
	{"format", 'f', "value", "log: text (default) or json (one object per line)"},
	{"before", 0, "value",
	 "purge: only entries with a sequence number below this one (default: every finished "
	 "entry)"},
	{NULL},
};
/* clang-format on */

const struct cmd_verb cmd_command_verb = {
	.name = "command",
	.summary = "declared offline commands: list, run, queue, log, purge",
	.args_usage = "list|run|queue|log|purge <container-id> [<name> [param=value]...]",
	.description =
		"   list ID                      the commands the container declares (annotation\n"
		"                                org.edgerun.commands) and their params\n"
		"   run ID NAME [p=v]...         run one now in the running container; prints its\n"
		"                                output, exits with its status, records it\n"
		"   queue ID NAME [p=v]...       append it durably to the container's journal and\n"
		"                                print its sequence number; it runs once, in "
		"order,\n"
		"                                while the container runs (now, or after `start`)\n"
		"   log ID                       the audit trail (--since SEQ, --format json)\n"
		"   purge ID                     drop finished entries (--before SEQ)\n\n"
		"The journal lives under --spool (default " ER_DEFAULT_SPOOL ").\n"
		"Errors of the command itself exit 255, so that `run` passes the program's\n"
		"status through. See edgerun-command(8).",
	.opts = command_opts,
	.min_args = 2,
	.max_args = -1,
	.fn = cmd_command,
	.fail_status = 255,
};

struct params {
	struct spec_kv *kv;
	size_t n;
};

static void params_clear(struct params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->kv[i].key);
		free(p->kv[i].value);
	}
	free(p->kv);
}

static int parse_params(const struct cmd_ctx *ctx, struct params *p, struct er_error *err)
{
	size_t n = ctx->n_args > 3 ? (size_t)ctx->n_args - 3 : 0;

	if (ctx->n_args < 3)
		return er_set(err, 0, "%s: missing the command name", ctx->args[0]);
	p->kv = xcalloc(n ? n : 1, sizeof(*p->kv));
	for (size_t i = 0; i < n; i++, p->n++)
		if (cmds_param_parse(ctx->args[3 + i], &p->kv[i], err) < 0)
			return -1;
	return 0;
}

static int parse_seq(const struct cmd_ctx *ctx, const char *opt, uint64_t *out,
		     struct er_error *err)
{
	const char *v = cmd_opt_str(ctx, opt);

	*out = 0;
	if (v && parse_u64(v, out) < 0)
		return er_set(err, 0, "invalid --%s `%s`: expected a sequence number", opt, v);
	return 0;
}

/* Options that belong to other subcommands are refused, not ignored. */
static int check_opts(const struct cmd_ctx *ctx, const char *const *allowed, struct er_error *err)
{
	for (size_t i = 0; command_opts[i].name; i++) {
		bool ok = false;

		if (!cmd_opt_str(ctx, command_opts[i].name))
			continue;
		for (size_t k = 0; allowed[k] && !ok; k++)
			ok = strcmp(allowed[k], command_opts[i].name) == 0;
		if (!ok)
			return er_set(err, 0, "command %s: --%s does not apply", ctx->args[0],
				      command_opts[i].name);
	}
	return 0;
}

static char *bundle_opt(const struct cmd_ctx *ctx)
{
	const char *b = cmd_opt_str(ctx, "bundle");

	return b && *b ? cmd_abs_path(b) : NULL;
}

/* ---------------- list ---------------- */

static void print_duration(const char *label, uint64_t ms)
{
	if (!ms)
		return;
	if (ms % 1000)
		printf(" %s=%" PRIu64 "ms", label, ms);
	else
		printf(" %s=%" PRIu64 "s", label, ms / 1000);
}

static int do_list(const struct cmd_ctx *ctx, struct er_error *err)
{
	static const char *const allowed[] = {"bundle", NULL};
	_cleanup_free_ char *bundle = bundle_opt(ctx);
	struct cmds_decl d;
	int r;

	if (check_opts(ctx, allowed, err) < 0)
		return -1;
	if (ctx->n_args != 2)
		return er_set(err, 0, "list: expected only the container id");
	r = cmds_decl_for(ctx->g->root, ctx->g->spool, ctx->args[1], bundle, &d, NULL, err);
	if (r < 0)
		return -1;
	for (size_t i = 0; i < d.n; i++) {
		const struct cmds_command *c = &d.cmds[i];

		printf("%s", c->name);
		for (size_t k = 0; k < c->n_params; k++)
			printf(" %s=%s", c->params[k].name, c->params[k].regex);
		print_duration("timeout", c->timeout_ms);
		print_duration("ttl", c->ttl_ms);
		if (c->idempotent)
			printf(" idempotent");
		printf("\n");
	}
	cmds_decl_clear(&d);
	return 0;
}

/* ---------------- run, queue ---------------- */

static int do_run(const struct cmd_ctx *ctx, struct er_error *err)
{
	static const char *const allowed[] = {NULL};
	struct params p = {0};
	int status = 0, r = -1;

	if (check_opts(ctx, allowed, err) == 0 && parse_params(ctx, &p, err) == 0 &&
	    cmds_run_now(ctx->g->root, ctx->g->spool, ctx->args[1], ctx->args[2], p.kv, p.n,
			 &status, err) == 0)
		r = status;
	params_clear(&p);
	return r;
}

static int do_queue(const struct cmd_ctx *ctx, struct er_error *err)
{
	static const char *const allowed[] = {"request-id", "ttl", "bundle", NULL};
	_cleanup_free_ char *bundle = bundle_opt(ctx);
	const char *ttl = cmd_opt_str(ctx, "ttl");
	struct params p = {0};
	struct cmds_queue_req rq = {
		.root = ctx->g->root,
		.spool = ctx->g->spool,
		.id = ctx->args[1],
		.bundle = bundle,
		.name = ctx->n_args > 2 ? ctx->args[2] : NULL,
		.request_id = cmd_opt_str(ctx, "request-id"),
	};
	uint64_t seq;
	bool existed;
	int r = -1;

	if (check_opts(ctx, allowed, err) < 0 || parse_params(ctx, &p, err) < 0)
		goto out;
	if (ttl && (cmds_parse_duration(ttl, &rq.ttl_ms) < 0 || !rq.ttl_ms)) {
		er_set(err, 0, "invalid --ttl `%s`: expected a duration such as 30s, 5m, 2h, 1d",
		       ttl);
		goto out;
	}
	rq.has_ttl = ttl != NULL;
	if (rq.request_id && !*rq.request_id) {
		er_set(err, 0, "--request-id must not be empty");
		goto out;
	}
	rq.params = p.kv;
	rq.n_params = p.n;
	if (cmds_queue(&rq, &seq, &existed, err) < 0)
		goto out;
	printf("%" PRIu64 "\n", seq);
	r = 0;
out:
	params_clear(&p);
	return r;
}

/* ---------------- log, purge ---------------- */

static void print_text(const struct cmds_entry *e)
{
	printf("%" PRIu64 " %s %s", e->seq, cmds_state_name(e->state), e->name);
	for (size_t k = 0; k < e->n_params; k++)
		printf(" %s=%s", e->params[k].key, e->params[k].value);
	if (e->has_exit)
		printf(" exit=%d duration=%" PRId64 "ms", e->exit_status, e->duration_ms);
	if (e->request_id)
		printf(" request-id=%s", e->request_id);
	if (e->error)
		printf(" (%s)", e->error);
	printf("\n");
}

static int open_journal(const struct cmd_ctx *ctx, struct journal **j, struct er_error *err)
{
	if (er_validate_id(ctx->args[1], err) < 0)
		return -1;
	if (ctx->n_args != 2)
		return er_set(err, 0, "%s: expected only the container id", ctx->args[0]);
	if (journal_open(ctx->g->spool, ctx->args[1], false, j, err) == 0)
		return 1;
	if (err->errnum != ENOENT)
		return -1;
	er_clear(err);
	return 0;
}

static int do_log(const struct cmd_ctx *ctx, struct er_error *err)
{
	static const char *const allowed[] = {"since", "format", NULL};
	const char *format = cmd_opt_str(ctx, "format");
	struct journal *j = NULL;
	struct journal_view v = {0};
	bool json = format && strcmp(format, "json") == 0;
	uint64_t since;
	int r;

	if (check_opts(ctx, allowed, err) < 0 || parse_seq(ctx, "since", &since, err) < 0)
		return -1;
	if (format && !json && strcmp(format, "text") != 0)
		return er_set(err, 0, "invalid --format `%s`: text or json", format);
	r = open_journal(ctx, &j, err);
	if (r <= 0)
		return r;
	r = journal_refresh(j, &v, err);
	for (size_t i = 0; r == 0 && i < v.n; i++) {
		if (v.e[i].seq <= since)
			continue;
		if (json) {
			_cleanup_free_ char *line = cmds_entry_to_json(&v.e[i]);

			printf("%s\n", line);
		} else {
			print_text(&v.e[i]);
		}
	}
	journal_view_clear(&v);
	journal_close(j);
	return r;
}

static int do_purge(const struct cmd_ctx *ctx, struct er_error *err)
{
	static const char *const allowed[] = {"before", NULL};
	struct journal *j = NULL;
	uint64_t before;
	size_t dropped = 0;
	int r;

	if (check_opts(ctx, allowed, err) < 0 || parse_seq(ctx, "before", &before, err) < 0)
		return -1;
	if (cmd_opt_str(ctx, "before") && !before)
		return er_set(err, 0, "invalid --before `0`: sequence numbers start at 1");
	r = open_journal(ctx, &j, err);
	if (r <= 0)
		return r;
	r = journal_purge(j, before, &dropped, err);
	journal_close(j);
	return r;
}

int cmd_command(const struct cmd_ctx *ctx, struct er_error *err)
{
	static const struct {
		const char *name;
		int (*fn)(const struct cmd_ctx *ctx, struct er_error *err);
	} subs[] = {{"list", do_list},
		    {"run", do_run},
		    {"queue", do_queue},
		    {"log", do_log},
		    {"purge", do_purge}};

	for (size_t i = 0; i < ARRAY_SIZE(subs); i++) {
		if (strcmp(ctx->args[0], subs[i].name) != 0)
			continue;
		if (er_validate_id(ctx->args[1], err) < 0)
			return -1;
		return subs[i].fn(ctx, err);
	}
	return er_set(err, 0, "unknown subcommand `%s`: list, run, queue, log or purge",
		      ctx->args[0]);
}
