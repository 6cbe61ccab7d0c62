/* SPDX-License-Identifier: Apache-2.0 */
/*
 * edgerun's entry point: global options, the verb table, option parsing, help, and the only
 * place that prints an error and exits.
 *
 * Errors and diagnostics go where runc sends them: log lines (text `time=... level=...
 * msg=...` or JSON `{"level":...,"msg":...,"time":...}`) to --log or stderr; with --log the
 * error is also printed plainly on stderr. Usage errors print "Incorrect Usage" and the
 * verb's help on stdout, as runc does. Every error exits 1.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"

/* alphabetical, with features last as in runc's list */
static const struct cmd_verb *const verbs[] = {
	&cmd_command_verb, &cmd_create_verb, &cmd_delete_verb, &cmd_events_verb,   &cmd_exec_verb,
	&cmd_hook_verb,	   &cmd_kill_verb,   &cmd_list_verb,   &cmd_pause_verb,	   &cmd_ps_verb,
	&cmd_resume_verb,  &cmd_run_verb,    &cmd_seal_verb,   &cmd_spec_verb,	   &cmd_start_verb,
	&cmd_state_verb,   &cmd_update_verb, &cmd_verify_verb, &cmd_features_verb,
};

static const struct cmd_opt global_opts[] = {
	{"debug", 0, NULL, "enable debug logging"},
	{"log", 0, "value", "set the log file to write edgerun logs to (default is '/dev/stderr')"},
	{"log-format", 0, "value",
	 "set the log format ('text' (default), or 'json') (default: \"text\")"},
	{"root", 0, "value",
	 "root directory for storage of container state (this should be located in tmpfs) "
	 "(default: \"" ER_DEFAULT_ROOT "\")"},
	{"systemd-cgroup", 0, NULL,
	 "enable systemd cgroup support (not supported yet: commands that need cgroups fail)"},
	{"rootless", 0, "value",
	 "ignore cgroup permission errors ('true', 'false', or 'auto') "
	 "(default: \"auto\"; accepted for compatibility)"},
	{"require-signed", 0, NULL,
	 "refuse to create a container from a bundle without a valid signed manifest"},
	{"trust-dir", 0, "value",
	 "directory of trusted PEM public keys for signed bundles "
	 "(default: \"" ER_DEFAULT_TRUST_DIR "\")"},
	{"spool", 0, "value",
	 "directory of the durable offline-command journals "
	 "(default: \"" ER_DEFAULT_SPOOL "\")"},
	{"help", 'h', NULL, "show help"},
	{"version", 'v', NULL, "print the version"},
	{NULL},
};

/* every verb takes -h/--help */
static const struct cmd_opt help_opt = {"help", 'h', NULL, "show help"};

/* ---------------- logging ---------------- */

static FILE *log_out; /* --log file or stderr */
static bool log_json;
static bool log_to_stderr = true;

/* RFC 3339 in local time with seconds, as logrus prints: 2026-11-28T19:36:26Z */
static void log_time(char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;
	size_t n;
	long off;

	localtime_r(&now, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	if (off == 0)
		snprintf(buf + n, size - n, "Z");
	else
		snprintf(buf + n, size - n, "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 60,
			 labs(off) % 60);
}

/* logrus's text formatter quotes a value unless it is made of [A-Za-z0-9-._/@^+] only */
static bool text_needs_quote(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr("-._/@^+", ch)))
			return true;
	}
	return false;
}

/* Writes S quoted: Go-style escapes for text, JSON escapes for json. */
static void put_quoted(FILE *f, const char *s, bool json)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (ch < 0x20 || ch == 0x7f)
				fprintf(f, json ? "\\u%04x" : "\\x%02x", ch);
			else
				fputc(ch, f);
		}
	}
	fputc('"', f);
}

static const char *level_name(enum er_log_level level)
{
	switch (level) {
	case ER_LOG_ERROR:
		return "error";
	case ER_LOG_WARN:
		return "warning";
	case ER_LOG_INFO:
		return "info";
	case ER_LOG_DEBUG:
		break;
	}
	return "debug";
}

static void log_sink(enum er_log_level level, const char *msg)
{
	FILE *f = log_out ? log_out : stderr;
	char ts[64];

	if (level == ER_LOG_DEBUG && !er_debug_enabled)
		return;
	log_time(ts, sizeof(ts));
	if (log_json) {
		fprintf(f, "{\"level\":\"%s\",\"msg\":", level_name(level));
		put_quoted(f, msg, true);
		fprintf(f, ",\"time\":\"%s\"}\n", ts);
	} else {
		fprintf(f, "time=\"%s\" level=%s msg=", ts, level_name(level));
		if (text_needs_quote(msg))
			put_quoted(f, msg, false);
		else
			fputs(msg, f);
		fputc('\n', f);
	}
	fflush(f);
}

static int log_setup(const char *path, const char *format, struct er_error *err)
{
	if (format && strcmp(format, "text") != 0) {
		if (strcmp(format, "json") != 0)
			return er_set(err, 0, "invalid log-format: %s", format);
		log_json = true;
	}
	if (path && *path && strcmp(path, "/dev/stderr") != 0) {
		log_out = fopen(path, "ae");
		if (!log_out)
			return er_set(err, errno, "open log file `%s`", path);
		log_to_stderr = false;
	}
	er_log_set_sink(log_sink);
	return 0;
}

/* The one place that reports an error: to the log, and plainly on stderr when the log is
 * elsewhere (containerd reads the last error of log.json; a person reads the terminal). */
static int fail(struct er_error *err)
{
	er_log(ER_LOG_ERROR, "%s", err->msg ? err->msg : "unknown error");
	if (!log_to_stderr)
		fprintf(stderr, "%s\n", err->msg ? err->msg : "unknown error");
	er_clear(err);
	return 1;
}

/* ---------------- option values and paths ---------------- */

static int opt_index(const struct cmd_opt *opts, const char *name)
{
	for (int i = 0; opts && opts[i].name; i++) {
		if (!strcmp(opts[i].name, name))
			return i;
	}
	return -1;
}

const char *cmd_opt_str(const struct cmd_ctx *ctx, const char *name)
{
	int i = opt_index(ctx->verb->opts, name);

	return i < 0 ? NULL : ctx->vals[i];
}

static bool parse_bool(const char *v, bool *out)
{
	static const char *const t[] = {"1", "t", "T", "true", "TRUE", "True"};
	static const char *const f[] = {"0", "f", "F", "false", "FALSE", "False"};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		if (!strcmp(v, t[i]))
			return (*out = true);
		if (!strcmp(v, f[i]))
			return !(*out = false);
	}
	return false;
}

bool cmd_opt_bool(const struct cmd_ctx *ctx, const char *name)
{
	const char *v = cmd_opt_str(ctx, name);
	bool b = false;

	return v && parse_bool(v, &b) && b;
}

const char *const *cmd_opt_list(const struct cmd_ctx *ctx, const char *name)
{
	int i = opt_index(ctx->verb->opts, name);

	return i < 0 || !ctx->lists ? NULL : (const char *const *)ctx->lists[i];
}

/* Appends VAL to a `repeat` option's NULL-terminated list (the strings are argv's). */
static void list_push(const char ***list, const char *val)
{
	size_t n = 0;

	while (*list && (*list)[n])
		n++;
	*list = xrealloc(*list, (n + 2) * sizeof(**list));
	(*list)[n] = val;
	(*list)[n + 1] = NULL;
}

char *cmd_abs_path(const char *path)
{
	_cleanup_free_ char *cwd = NULL, *joined = NULL;
	char *out, *o, *p;
	size_t len;

	if (path[0] == '/') {
		joined = xstrdup(path);
	} else {
		cwd = getcwd(NULL, 0);
		joined = xasprintf("%s/%s", cwd ? cwd : "/", path);
	}
	/* lexical clean: drop empty and "." components, let ".." eat one */
	len = strlen(joined);
	out = xmalloc(len + 2);
	o = out;
	for (p = joined; *p;) {
		char *end = strchrnul(p + 1, '/');
		size_t n = (size_t)(end - p);

		/* p points at a '/', the component is p+1 .. end */
		if (n == 1 || (n == 2 && p[1] == '.')) {
			/* empty or "." */
		} else if (n == 3 && p[1] == '.' && p[2] == '.') {
			while (o > out && *--o != '/')
				;
		} else {
			memcpy(o, p, n);
			o += n;
		}
		p = end;
	}
	if (o == out)
		*o++ = '/';
	*o = '\0';
	return out;
}

/* ---------------- option parsing ---------------- */

static const struct cmd_opt *find_opt(const struct cmd_opt *opts, const char *name, size_t len,
				      int *index)
{
	for (int i = 0; opts && opts[i].name; i++) {
		const struct cmd_opt *o = &opts[i];

		if ((strlen(o->name) == len && !strncmp(o->name, name, len)) ||
		    (len == 1 && o->short_name == name[0])) {
			*index = i;
			return o;
		}
	}
	if ((len == 4 && !strncmp(name, "help", 4)) || (len == 1 && name[0] == 'h')) {
		*index = -1;
		return &help_opt;
	}
	return NULL;
}

struct parsed {
	const char **vals;
	const char ***lists; /* per option with `repeat`; NULL for the global options */
	char **args;
	int n_args;
	bool help;
	bool options_end_at_args; /* in: the first positional argument ends the options */
};

/* Parses argv[0..argc): options of OPTS anywhere ("--" ends them) into p->vals, the rest
 * into p->args. With stop_at_arg, stops at the first positional argument (global options
 * before the verb) and returns its index. Usage errors: -1 with err set. */
static int parse_args(const struct cmd_opt *opts, int argc, char **argv, bool stop_at_arg,
		      struct parsed *p, struct er_error *err)
{
	bool only_args = false;
	int i;

	for (i = 0; i < argc; i++) {
		char *a = argv[i], *name, *eq;
		const struct cmd_opt *o;
		const char *val;
		int idx;

		if (only_args || a[0] != '-' || a[1] == '\0') {
			if (stop_at_arg)
				return i;
			p->args[p->n_args++] = a;
			only_args = only_args || p->options_end_at_args;
			continue;
		}
		if (!strcmp(a, "--")) {
			if (stop_at_arg)
				return i + 1;
			only_args = true;
			continue;
		}
		name = a + (a[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		o = find_opt(opts, name, eq ? (size_t)(eq - name) : strlen(name), &idx);
		if (!o)
			return er_set(err, 0, "flag provided but not defined: -%.*s",
				      (int)(eq ? eq - name : (long)strlen(name)), name);
		if (o->value_name) {
			if (eq) {
				val = eq + 1;
			} else if (i + 1 < argc) {
				val = argv[++i];
			} else {
				return er_set(err, 0, "flag needs an argument: -%s", o->name);
			}
		} else {
			bool b;

			val = eq ? eq + 1 : "true";
			if (!parse_bool(val, &b))
				return er_set(err, 0,
					      "invalid boolean value \"%s\" for -%s: parse error",
					      val, o->name);
		}
		if (idx < 0)
			p->help = true;
		else
			p->vals[idx] = val;
		if (idx >= 0 && o->repeat && p->lists)
			list_push(&p->lists[idx], val);
	}
	return i;
}

/* ---------------- help ---------------- */

static char *opt_cell(const struct cmd_opt *o)
{
	const char *sp = o->value_name ? " " : "", *vn = o->value_name ? o->value_name : "";

	if (o->short_name)
		return xasprintf("--%s%s%s, -%c%s%s", o->name, sp, vn, o->short_name, sp, vn);
	return xasprintf("--%s%s%s", o->name, sp, vn);
}

static void print_opts(FILE *f, const struct cmd_opt *opts)
{
	size_t width = 0;

	for (size_t i = 0; opts[i].name; i++) {
		_cleanup_free_ char *cell = opt_cell(&opts[i]);

		if (strlen(cell) > width)
			width = strlen(cell);
	}
	for (size_t i = 0; opts[i].name; i++) {
		_cleanup_free_ char *cell = opt_cell(&opts[i]);

		fprintf(f, "   %-*s  %s\n", (int)width, cell, opts[i].help);
	}
}

static void print_version_block(FILE *f, bool name_line)
{
	const struct scmp_version *v = seccomp_version();

	if (name_line)
		fprintf(f, CMD_NAME " version %s\n", EDGERUN_VERSION);
	else
		fprintf(f, "%s\n", EDGERUN_VERSION);
	fprintf(f, "commit: %s\nspec: %s\n", EDGERUN_COMMIT, ER_OCI_VERSION);
	if (v)
		fprintf(f, "libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

static void print_main_help(FILE *f)
{
	size_t width = 7; /* "help, h" */

	fputs("NAME:\n   " CMD_NAME
	      " - Open Container Initiative runtime for edge devices\n\n" CMD_NAME
	      " runs containers packaged as OCI bundles: a directory holding a\n"
	      "config.json specification and a root filesystem. Its command line follows runc's,\n"
	      "so it can stand in for runc under containerd, podman and scripts.\n\n"
	      "To run a container from the bundle in the current directory:\n\n"
	      "    # " CMD_NAME " run [ -b bundle ] <container-id>\n\n"
	      "USAGE:\n   " CMD_NAME
	      " [global options] command [command options] [arguments...]\n\n"
	      "VERSION:\n   ",
	      f);
	print_version_block(f, false);
	fputs("\nCOMMANDS:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		if (strlen(verbs[i]->name) > width)
			width = strlen(verbs[i]->name);
	}
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(f, "   %-*s  %s\n", (int)width, verbs[i]->name, verbs[i]->summary);
	fprintf(f, "   %-*s  %s\n", (int)width, "help, h",
		"Shows a list of commands or help for one command");
	fputs("\nGLOBAL OPTIONS:\n", f);
	print_opts(f, global_opts);
}

static void print_verb_help(FILE *f, const struct cmd_verb *v)
{
	fprintf(f, "NAME:\n   " CMD_NAME " %s - %s\n\nUSAGE:\n   " CMD_NAME " %s%s%s\n", v->name,
		v->summary, v->name, v->opts ? " [command options] " : " ", v->args_usage);
	if (v->description)
		fprintf(f, "\n%s\n", v->description);
	if (v->opts) {
		fputs("\nOPTIONS:\n", f);
		print_opts(f, v->opts);
	}
}

static bool global_flag(const char *const *gvals, const char *name)
{
	const char *v = gvals[opt_index(global_opts, name)];
	bool b = false;

	return v && parse_bool(v, &b) && b;
}

static const char *global_str(const char *const *gvals, const char *name)
{
	return gvals[opt_index(global_opts, name)];
}

static const struct cmd_verb *find_verb(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		if (!strcmp(verbs[i]->name, name))
			return verbs[i];
	}
	return NULL;
}

/* "Incorrect Usage" + the help on stdout, the reason through the log (as runc). */
static int usage_error(const struct cmd_verb *v, struct er_error *err, bool with_reason)
{
	if (with_reason)
		printf("Incorrect Usage: %s\n\n", err->msg);
	else
		printf("Incorrect Usage.\n\n");
	if (v)
		print_verb_help(stdout, v);
	else
		print_main_help(stdout);
	fflush(stdout);
	return fail(err);
}

static int check_arg_count(const struct cmd_verb *v, int n, struct er_error *err)
{
	if (v->min_args == v->max_args && n != v->min_args)
		return er_set(err, 0, CMD_NAME ": \"%s\" requires exactly %d argument(s)", v->name,
			      v->min_args);
	if (n < v->min_args)
		return er_set(err, 0, CMD_NAME ": \"%s\" requires a minimum of %d argument(s)",
			      v->name, v->min_args);
	if (v->max_args >= 0 && n > v->max_args)
		return er_set(err, 0, CMD_NAME ": \"%s\" requires a maximum of %d argument(s)",
			      v->name, v->max_args);
	return 0;
}

static int run_verb(const struct cmd_verb *v, const struct cmd_global *g, int argc, char **argv)
{
	struct er_error err = ER_ERROR_INIT;
	size_t n_opts = 0;
	int rc;

	while (v->opts && v->opts[n_opts].name)
		n_opts++;
	_cleanup_free_ const char **vals = xcalloc(n_opts + 1, sizeof(char *));
	_cleanup_free_ char **args = xcalloc((size_t)argc + 1, sizeof(char *));
	const char ***lists = xcalloc(n_opts + 1, sizeof(*lists));
	struct parsed p = {.vals = vals,
			   .lists = lists,
			   .args = args,
			   .options_end_at_args = v->options_end_at_args};
	struct cmd_ctx ctx = {.g = g, .verb = v, .vals = vals, .lists = lists, .args = args};

	if (parse_args(v->opts, argc, argv, false, &p, &err) < 0) {
		rc = usage_error(v, &err, true);
	} else if (p.help) {
		print_verb_help(stdout, v);
		rc = 0;
	} else if (check_arg_count(v, p.n_args, &err) < 0) {
		rc = usage_error(v, &err, false);
	} else {
		ctx.n_args = p.n_args;
		er_debug("%s %s: root %s", CMD_NAME, v->name, g->root);
		rc = v->fn(&ctx, &err);
		if (rc < 0) {
			fail(&err);
			rc = v->fail_status ? v->fail_status : 1;
		}
	}
	for (size_t i = 0; i < n_opts; i++)
		free(lists[i]);
	free(lists);
	return rc;
}

/* `help [COMMAND]`, `h [COMMAND]` */
static int help_verb(int argc, char **argv)
{
	struct er_error err = ER_ERROR_INIT;
	const struct cmd_verb *v;

	if (argc == 0) {
		print_main_help(stdout);
		return 0;
	}
	v = find_verb(argv[0]);
	if (!v) {
		er_set(&err, 0, "No help topic for '%s'", argv[0]);
		return fail(&err);
	}
	print_verb_help(stdout, v);
	return 0;
}

int main(int argc, char **argv)
{
	const char *gvals[ARRAY_SIZE(global_opts)] = {0};
	struct parsed p = {.vals = gvals};
	struct er_error err = ER_ERROR_INIT;
	_cleanup_free_ char *root = NULL, *trust_dir = NULL, *spool = NULL;
	struct cmd_global g = {0};
	const struct cmd_verb *v;
	const char *rootless;
	int i;

	er_log_set_sink(log_sink);
	i = 1 + parse_args(global_opts, argc - 1, argv + 1, true, &p, &err);
	if (i <= 0)
		return usage_error(NULL, &err, true);
	if (global_flag(gvals, "version")) {
		print_version_block(stdout, true);
		return 0;
	}
	er_debug_enabled = global_flag(gvals, "debug");
	if (log_setup(global_str(gvals, "log"), global_str(gvals, "log-format"), &err) < 0)
		return fail(&err);
	rootless = global_str(gvals, "rootless");
	if (rootless && strcmp(rootless, "auto") && !parse_bool(rootless, &(bool){false})) {
		er_set(&err, 0, "invalid value for --rootless: %s", rootless);
		return fail(&err);
	}
	root = cmd_abs_path(global_str(gvals, "root") ?: ER_DEFAULT_ROOT);
	g.root = root;
	g.systemd_cgroup = global_flag(gvals, "systemd-cgroup");
	g.require_signed = global_flag(gvals, "require-signed");
	trust_dir = cmd_abs_path(global_str(gvals, "trust-dir") ?: ER_DEFAULT_TRUST_DIR);
	g.trust_dir = trust_dir;
	spool = cmd_abs_path(global_str(gvals, "spool") ?: ER_DEFAULT_SPOOL);
	g.spool = spool;
	if (p.help || i >= argc) {
		print_main_help(stdout);
		return 0;
	}
	if (!strcmp(argv[i], "help") || !strcmp(argv[i], "h"))
		return help_verb(argc - i - 1, argv + i + 1);
	v = find_verb(argv[i]);
	if (!v) {
		er_set(&err, 0, "No help topic for '%s'", argv[i]);
		return fail(&err);
	}
	return run_verb(v, &g, argc - i - 1, argv + i + 1);
}
