/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Offline commands: a declared, durable, audited command queue (edgerun-command(8)).
 *
 *   commands.c  the declaration (org.edgerun.commands): validation, param matching, argv
 *   journal.c   the durable append-only journal SPOOL/ID/journal
 *   drain.c     running entries: the detached drainer, `command run`, the start hook
 *
 * Spool layout, one directory per container id (it outlives the runtime root):
 *   SPOOL/ID/journal      records, one per line: "LEN CRC32 JSON\n" (LEN bytes of JSON,
 *                         CRC32 of them in 8 hex digits); a line that does not check out is
 *                         skipped, a torn last line is cut off before the next append
 *   SPOOL/ID/journal.lock flock: appends and purge
 *   SPOOL/ID/queued       exists while entries may be queued or running (the start hook's
 *                         cheap check)
 *   SPOOL/ID/commands.json the declaration as last seen at create (for `queue` while the
 *                         container does not exist)
 *   SPOOL/ID/drainer.pid  pid of the drainer while one runs; flock(SPOOL/ID) is its lock
 *   SPOOL/ID/exec.PID.pid for a moment: the host pid of the command that PID starts
 *
 * edge/ works on typed structs (specconv/commands.h) and reuses libcontainer's exec.
 */
#ifndef EDGERUN_EDGE_COMMANDS_H
#define EDGERUN_EDGE_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "specconv/commands.h"
#include "specconv/spec.h"

#define CMDS_VALUE_MAX 4096 /* bytes of one param value */

/* ---------------- commands.c: the declaration ---------------- */

/* Checks every command: regular expressions compile, every placeholder names a declared
 * param, braces are balanced. Errors name the path:
 * annotations["org.edgerun.commands"].set-valve.params.pos: invalid regular expression ... */
int cmds_decl_validate(const struct cmds_decl *d, struct er_error *err);

/* The declaration among annotations: 1 with *d filled and validated, 0 when there is none. */
int cmds_decl_from_annotations(const struct spec_kv *a, size_t n, struct cmds_decl *d,
			       struct er_error *err);

const struct cmds_command *cmds_decl_find(const struct cmds_decl *d, const char *name);

/* VALUE matches REGEX in full (POSIX extended). 1 yes, 0 no, -1 bad expression. */
int cmds_regex_full_match(const char *regex, const char *value, struct er_error *err);

/* "name=value" -> (key, value); the name must be non-empty. */
int cmds_param_parse(const char *arg, struct spec_kv *out, struct er_error *err);

/* A request is the declared command NAME with exactly its params, each value matching. */
int cmds_request_check(const struct cmds_decl *d, const char *name, const struct spec_kv *params,
		       size_t n, struct er_error *err);

/* The argv of a checked request: placeholders replaced, one element per declared arg. */
char **cmds_build_argv(const struct cmds_command *c, const struct spec_kv *params, size_t n,
		       struct er_error *err);

/* For `create`: validates the spec's declaration (an error names its path) and keeps a copy
 * of it in SPOOL/ID/commands.json for `queue` while the container does not exist. */
int cmds_check_spec(const char *spool, const char *id, const struct spec *spec,
		    struct er_error *err);

/* The declaration for requests on ID: the container's (root/ID), else BUNDLE/config.json's
 * when bundle is not NULL, else the copy kept at create. 1 found, 0 none. *running (may be
 * NULL): the container exists and runs. */
int cmds_decl_for(const char *root, const char *spool, const char *id, const char *bundle,
		  struct cmds_decl *d, bool *running, struct er_error *err);

/* ---------------- journal.c ---------------- */

/* Framing, exposed for unit tests. journal_frame: "LEN CRC JSON\n" (malloc'ed, *len set).
 * journal_unframe looks at buf[0..len): 1 a valid record (*json, *jlen), 0 an incomplete
 * last line (torn tail), -1 a complete line that does not check out; *used = bytes of the
 * line with its newline (0 for a torn tail). */
char *journal_frame(const char *json, size_t *len);
int journal_unframe(const char *buf, size_t len, const char **json, size_t *jlen, size_t *used);
uint32_t journal_crc32(const void *buf, size_t len);

struct journal;

/* Opens SPOOL/ID (create: made with the journal, durably). Without create, a missing
 * directory or journal is ENOENT. */
int journal_open(const char *spool, const char *id, bool create, struct journal **out,
		 struct er_error *err);
void journal_close(struct journal *j);
int journal_dirfd(const struct journal *j);

/* The folded journal: entries in sequence order. */
struct journal_view {
	struct cmds_entry *e;
	size_t n, cap;
	uint64_t last_seq; /* highest sequence number ever given (base record included) */
	off_t offset;	   /* bytes of the file read */
	dev_t dev;
	ino_t ino;
	size_t skipped; /* lines that did not check out */
};
/* Reads what was appended since the last call (everything after a purge). */
int journal_refresh(struct journal *j, struct journal_view *v, struct er_error *err);
void journal_view_clear(struct journal_view *v);
struct cmds_entry *journal_find(struct journal_view *v, uint64_t seq);

/* Appends records durably (write, fsync) under the journal lock. */
int journal_append(struct journal *j, const struct cmds_rec *recs, size_t n, struct er_error *err);

/* Queues Q (its seq is assigned): under the lock, a request id already in the journal gives
 * its seq and *existed; else Q is appended durably (the `queued` marker made first, except
 * for `command run`'s foreground entries). EXTRA (e.g. `running` for `command run`) follows
 * Q with its seq, in the same write. */
int journal_queue(struct journal *j, struct cmds_rec *q, const struct cmds_rec *extra,
		  uint64_t *seq, bool *existed, struct er_error *err);

/* Drops finished entries with seq < before (0: all finished ones); queued and running ones
 * are kept. Rewrites through a temporary file + rename + fsync under the lock. */
int journal_purge(struct journal *j, uint64_t before, size_t *dropped, struct er_error *err);

/* The `queued` marker: removed, under the lock, when the journal has nothing queued or
 * running. 1 removed (idle), 0 kept, -1 error. */
int journal_clear_marker_if_idle(struct journal *j, struct er_error *err);
bool journal_has_marker(const char *spool, const char *id);

/* ---------------- drain.c ---------------- */

struct cmds_exec_result {
	int status; /* as a shell reports it (code, 128+signal) */
	bool timed_out;
	int64_t duration_ms;
	char *output; /* tail, sanitized */
};

/* Fills an owner record for this process. */
void cmds_owner_self(struct cmds_owner *w);
/* The owner still runs (same boot, same pid start time). */
bool cmds_owner_alive(const struct cmds_owner *w);

/* `command run`: checks, records queue+running, runs in the foreground (output copied to
 * our stdout/stderr as it comes), records the end; *status is the program's. */
int cmds_run_now(const char *root, const char *spool, const char *id, const char *name,
		 const struct spec_kv *params, size_t n, int *status, struct er_error *err);

/* `command queue`: validates against cmds_decl_for()'s declaration, appends durably (the
 * same request id twice: *existed, the first seq), and kicks the drainer when the
 * container runs. ttl: the request's, else the declared default. */
struct cmds_queue_req {
	const char *root, *spool, *id;
	const char *bundle; /* NULL: none */
	const char *name;
	const struct spec_kv *params;
	size_t n_params;
	const char *request_id; /* NULL: none */
	bool has_ttl;
	uint64_t ttl_ms;
};
int cmds_queue(const struct cmds_queue_req *rq, uint64_t *seq, bool *existed, struct er_error *err);

/* Starts the detached drainer for ID (double fork, setsid, stdio /dev/null); returns at
 * once. With check_marker, only when SPOOL/ID/queued exists (the cheap check of start). */
int cmds_drain_kick(const char *root, const char *spool, const char *id, bool check_marker,
		    struct er_error *err);

/* The drainer's body (what the detached process runs); exposed for tests. */
int cmds_drain(const char *root, const char *spool, const char *id, struct er_error *err);

/* For cmd/start.c and cmd/run.c: kick the drainer when entries are queued; never fails
 * (a problem is a warning). */
void cmds_after_start(const char *root, const char *spool, const char *id);

/* Time now, ms since the epoch. */
int64_t cmds_now_ms(void);

#endif
