/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Offline commands (edge/commands.h), the JSON side: the declaration in the annotation
 * `org.edgerun.commands` of config.json, and the records of the durable journal.
 *
 * Declaration (schema in edgerun-command(8)):
 *   {"NAME": {"args": ["/bin/ctl", "valve", "{pos}"], "params": {"pos": "^[0-9]{1,3}$"},
 *             "timeout": 10, "ttl": "5m", "user": {"uid": 0, "gid": 0},
 *             "env": ["K=V"], "cwd": "/", "idempotent": false}, ...}
 * Parsing checks types only; edge/commands.c checks regular expressions and placeholders.
 * Errors name the path: annotations["org.edgerun.commands"].set-valve.timeout: ...
 *
 * Journal record: one compact JSON object per record (framing is edge/journal.c's):
 *   {"t":"queue","seq":1,"ms":...,"rid":"r1","name":"set-valve","params":{"pos":"10"},
 *    "deadline":...,"fg":false}
 *   {"t":"state","seq":1,"ms":...,"state":"running","owner":{"boot":"..","pid":N,"start":N}}
 *   {"t":"state","seq":1,"ms":...,"state":"done","exit":0,"duration":12,"output":"..."}
 *   {"t":"base","seq":41}   (written by purge: the next sequence number is above 41)
 */
#ifndef EDGERUN_SPECCONV_COMMANDS_H
#define EDGERUN_SPECCONV_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "specconv/spec.h"

#define CMDS_ANNOTATION "org.edgerun.commands"
#define CMDS_PATH "annotations[\"" CMDS_ANNOTATION "\"]"
#define CMDS_OUTPUT_MAX 4096 /* bytes of output kept in the journal (the last ones) */

struct cmds_param {
	char *name;
	char *regex; /* POSIX extended; must match the whole value */
};

struct cmds_command {
	char *name;
	char **args; /* at least one; "{param}" placeholders, "{{" and "}}" for braces */
	struct cmds_param *params;
	size_t n_params;
	uint64_t timeout_ms; /* 0: none */
	uint64_t ttl_ms;     /* default ttl of queued entries; 0: none */
	bool has_user;
	uint32_t uid, gid;
	char **env; /* KEY=VALUE, added to the container's process env; NULL: none */
	char *cwd;  /* absolute; NULL: the container's */
	bool idempotent;
};

struct cmds_decl {
	struct cmds_command *cmds; /* in file order */
	size_t n;
};

/* Parses the annotation's value. 0, or -1 with err naming the path. */
int cmds_decl_parse(const char *json, struct cmds_decl *out, struct er_error *err);
void cmds_decl_clear(struct cmds_decl *d);

/* Durations: "30s", "5m", "2h", "1d", "250ms", or a plain number of seconds. 0 or -1. */
int cmds_parse_duration(const char *s, uint64_t *ms);

/* ---- journal records ---- */

enum cmds_state {
	CMDS_QUEUED,
	CMDS_RUNNING,
	CMDS_DONE,
	CMDS_FAILED,
	CMDS_EXPIRED,
	CMDS_INTERRUPTED,
	CMDS__STATE_MAX
};
const char *cmds_state_name(enum cmds_state s);

enum cmds_rec_type { CMDS_REC_QUEUE, CMDS_REC_STATE, CMDS_REC_BASE };

/* Who runs an entry: a `running` entry whose owner is gone was interrupted. */
struct cmds_owner {
	char *boot; /* /proc/sys/kernel/random/boot_id */
	pid_t pid;
	unsigned long long start; /* proc_start_time(pid) */
};

struct cmds_rec {
	enum cmds_rec_type type;
	uint64_t seq;
	int64_t ms; /* wall clock, milliseconds since the epoch */
	/* queue */
	char *request_id; /* NULL: none */
	char *name;
	struct spec_kv *params;
	size_t n_params;
	int64_t deadline_ms; /* 0: none */
	bool foreground;     /* `command run` */
	/* state */
	enum cmds_state state;
	struct cmds_owner owner; /* running */
	bool has_exit;
	int exit_status; /* as a shell reports it */
	int64_t duration_ms;
	char *output; /* the output's tail (valid UTF-8) */
	char *error;
	bool requeued; /* state `queued` again: an idempotent entry to re-run */
};

char *cmds_rec_to_json(const struct cmds_rec *r); /* compact, no newline */
int cmds_rec_from_json(const char *json, size_t len, struct cmds_rec *r, struct er_error *err);
void cmds_rec_clear(struct cmds_rec *r);

/* ---- the audit trail: one entry per sequence number, its records folded ---- */

struct cmds_entry {
	uint64_t seq;
	char *request_id;
	char *name;
	struct spec_kv *params;
	size_t n_params;
	bool foreground;
	enum cmds_state state;
	int64_t queued_ms, deadline_ms, started_ms, ended_ms;
	struct cmds_owner owner;
	bool has_exit;
	int exit_status;
	int64_t duration_ms;
	char *output, *error;
	unsigned int attempts; /* times it went `running` */
};

/* Applies a record to its entry (a queue record fills a fresh one). */
void cmds_entry_apply(struct cmds_entry *e, const struct cmds_rec *r);
void cmds_entry_clear(struct cmds_entry *e);
/* `command log --format json`: one compact object. */
char *cmds_entry_to_json(const struct cmds_entry *e);

/* Replaces bytes that are not valid UTF-8 (and NUL) with '?', in place; returns s. */
char *cmds_utf8_sanitize(char *s, size_t len);

#endif
