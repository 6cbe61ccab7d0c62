/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command line: one file per verb (cmd/create.c defines cmd_create() and its
 * cmd_create_verb), main.c holds the verb table, the global options, the option parser and
 * the only place that prints an error and exits.
 *
 * A verb function returns the process exit status (>= 0), or -1 with err set; main.c
 * prints the error (text or runc's JSON log line) and exits 1.
 */
#ifndef EDGERUN_CMD_CMD_H
#define EDGERUN_CMD_CMD_H

#include <stdbool.h>

#include "common/error.h"
#include "libcontainer/container.h"

#define CMD_NAME "edgerun"

/* the Makefile defines both; a build without it still compiles */
#ifndef EDGERUN_VERSION
#define EDGERUN_VERSION "unknown"
#endif
#ifndef EDGERUN_COMMIT
#define EDGERUN_COMMIT "unknown"
#endif

#define ER_DEFAULT_TRUST_DIR "/etc/edgerun/trust.d"
#define ER_DEFAULT_SPOOL "/var/lib/edgerun/commands"

struct cmd_global {
	const char *root;      /* --root, absolute */
	bool systemd_cgroup;   /* --systemd-cgroup */
	bool require_signed;   /* --require-signed (signed bundles, edge/) */
	const char *trust_dir; /* --trust-dir, absolute */
	const char *spool;     /* --spool, absolute (offline commands, edge/) */
};

/* One option of a verb. Long names work with one or two dashes ("-bundle", "--bundle"),
 * values as "--bundle DIR" or "--bundle=DIR"; options may come anywhere, "--" ends them. */
struct cmd_opt {
	const char *name;	/* long name; NULL ends a table */
	char short_name;	/* 0 = none */
	const char *value_name; /* NULL: a boolean flag; else it takes a value ("value") */
	const char *help;
	bool repeat; /* may be given several times (exec --env): every value in cmd_opt_list */
};

struct cmd_ctx;

struct cmd_verb {
	const char *name;
	const char *summary;	    /* one line, for the command list */
	const char *args_usage;	    /* "<container-id>" */
	const char *description;    /* help text after USAGE; may be NULL */
	const struct cmd_opt *opts; /* NULL-name terminated; may be NULL */
	int min_args, max_args;	    /* positional arguments; max_args -1 = no limit */
	bool options_end_at_args;   /* the first argument ends the options (ps: the rest is
				     * for ps(1), as runc's SkipArgReorder) */
	int (*fn)(const struct cmd_ctx *ctx, struct er_error *err);
	int fail_status; /* exit status when fn fails (0: 1); exec: 255, as runc */
};

struct cmd_ctx {
	const struct cmd_global *g;
	const struct cmd_verb *verb;
	char **args; /* positional arguments */
	int n_args;
	const char **vals;   /* per verb->opts entry: value, "true" for a flag, or NULL */
	const char ***lists; /* per verb->opts entry with `repeat`: NULL-terminated, or NULL */
};

/* Option values by long name. cmd_opt_bool: set and not a false value ("false", "0", ...). */
const char *cmd_opt_str(const struct cmd_ctx *ctx, const char *name);
bool cmd_opt_bool(const struct cmd_ctx *ctx, const char *name);
/* Every value of a `repeat` option in command-line order (NULL-terminated), NULL if none. */
const char *const *cmd_opt_list(const struct cmd_ctx *ctx, const char *name);

/* PATH made absolute against the current directory and cleaned lexically (like Go's
 * filepath.Abs): "." -> cwd, "a/../b" -> "cwd/b". */
char *cmd_abs_path(const char *path);

/* The help paragraph of verbs that name a new container (create, run). */
#define CMD_NEW_ID_HELP                                                                            \
	"Where \"<container-id>\" is your name for the instance of the container that you\n"       \
	"are starting. The name you provide for the container instance must be unique on\n"        \
	"your host.\n\n"

/* create and run share their options and the bundle/spec loading. */
/* clang-format off */
#define CMD_CREATE_OPTS \
	{"bundle", 'b', "value", \
	 "path to the root of the bundle directory, defaults to the current directory"}, \
	{"console-socket", 0, "value", \
	 "path to an AF_UNIX socket which will receive a file descriptor referencing the " \
	 "master end of the console's pseudoterminal"}, \
	{"pid-file", 0, "value", "specify the file to write the process id to"}, \
	{"no-pivot", 0, NULL, \
	 "do not use pivot root to jail process inside rootfs.  This should be used whenever " \
	 "the rootfs is on top of a ramdisk"}, \
	{"no-new-keyring", 0, NULL, \
	 "do not create a new session keyring for the container.  This will cause the " \
	 "container to inherit the calling processes session key"}, \
	{"preserve-fds", 0, "value", \
	 "Pass N additional file descriptors to the container (stdio + N in total) (default: 0)"}
/* clang-format on */

struct cmd_create_args {
	struct er_create_opts o;
	struct spec *spec;
	char *bundle, *pid_file, *console_socket; /* owned, absolute */
};

/* Reads create's options, loads the spec and checks the terminal options against it
 * (DETACH: the caller will not stay attached, as `create` and `run -d`). */
int cmd_create_args_load(const struct cmd_ctx *ctx, bool detach, struct cmd_create_args *a,
			 struct er_error *err);
void cmd_create_args_free(struct cmd_create_args *a);

extern const struct cmd_verb cmd_features_verb;
extern const struct cmd_verb cmd_command_verb;
extern const struct cmd_verb cmd_exec_verb;
extern const struct cmd_verb cmd_create_verb, cmd_delete_verb, cmd_events_verb, cmd_kill_verb,
	cmd_list_verb, cmd_pause_verb, cmd_ps_verb, cmd_resume_verb, cmd_run_verb, cmd_spec_verb,
	cmd_start_verb, cmd_state_verb, cmd_update_verb;
extern const struct cmd_verb cmd_hook_verb, cmd_seal_verb, cmd_verify_verb; /* signed bundles */
int cmd_hook(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_seal(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_verify(const struct cmd_ctx *ctx, struct er_error *err);
struct sb_progress;
void cmd_signed_progress(const struct sb_progress *p, void *arg); /* seal, verify (seal.c) */

int cmd_command(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_create(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_delete(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_events(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_exec(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_features(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_kill(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_list(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_pause(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_ps(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_resume(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_run(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_spec(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_start(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_state(const struct cmd_ctx *ctx, struct er_error *err);
int cmd_update(const struct cmd_ctx *ctx, struct er_error *err);

#endif
