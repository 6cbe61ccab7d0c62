/* SPDX-License-Identifier: Apache-2.0 */
/* Offline commands: the declaration annotation and the journal records (see commands.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "specconv/commands.h"
#include "specconv/parse.h"

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_putp)

/* ---------------- durations ---------------- */

int cmds_parse_duration(const char *s, uint64_t *ms)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
	size_t digits = strspn(s, "0123456789");
	_cleanup_free_ char *num = NULL;
	uint64_t v;

	if (!digits || digits > 12)
		return -1;
	num = xstrndup(s, digits);
	if (parse_u64(num, &v) < 0)
		return -1;
	if (!s[digits]) {
		*ms = v * 1000;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(s + digits, units[i].suffix) == 0) {
			*ms = v * units[i].ms;
			return 0;
		}
	}
	return -1;
}

/* ---------------- the declaration ---------------- */

static void command_clear(struct cmds_command *c)
{
	free(c->name);
	strv_free(c->args);
	for (size_t i = 0; i < c->n_params; i++) {
		free(c->params[i].name);
		free(c->params[i].regex);
	}
	free(c->params);
	strv_free(c->env);
	free(c->cwd);
	memset(c, 0, sizeof(*c));
}

void cmds_decl_clear(struct cmds_decl *d)
{
	for (size_t i = 0; i < d->n; i++)
		command_clear(&d->cmds[i]);
	free(d->cmds);
	d->cmds = NULL;
	d->n = 0;
}

/* "timeout" and "ttl": a number of seconds or a duration string. */
static int get_duration(json_object *o, const char *key, const struct jpath *p, uint64_t *ms,
			struct er_error *err)
{
	json_object *v;
	const struct jpath *kp = JP_KEY(p, key);

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		uint64_t secs;

		if (jv_u64(v, kp, UINT32_MAX, &secs, err) < 0)
			return -1;
		*ms = secs * 1000;
		return 1;
	}
	if (!json_object_is_type(v, json_type_string) ||
	    cmds_parse_duration(json_object_get_string(v), ms) < 0)
		return jerr(err, kp,
			    "expected seconds or a duration such as \"30s\", \"5m\", \"2h\", "
			    "\"1d\"");
	return 1;
}

static int parse_user(json_object *o, const struct jpath *p, struct cmds_command *c,
		      struct er_error *err)
{
	json_object *u;
	int r = jget(o, "user", json_type_object, false, p, &u, err);

	if (r <= 0)
		return r;
	if (jget_u32(u, "uid", true, JP_KEY(p, "user"), &c->uid, err) < 0 ||
	    jget_u32(u, "gid", false, JP_KEY(p, "user"), &c->gid, err) < 0)
		return -1;
	c->has_user = true;
	return 0;
}

static int parse_params(json_object *o, const struct jpath *p, struct cmds_command *c,
			struct er_error *err)
{
	struct spec_kv *kv = NULL;
	size_t n = 0;
	int r = jget_kv(o, "params", p, &kv, &n, err);

	if (r < 0) {
		spec_kv_free(kv, n);
		return -1;
	}
	c->params = xcalloc(n ? n : 1, sizeof(*c->params));
	for (size_t i = 0; i < n; i++) {
		c->params[i].name = TAKE_PTR(kv[i].key);
		c->params[i].regex = TAKE_PTR(kv[i].value);
	}
	c->n_params = n;
	free(kv);
	return 0;
}

static const char *const command_keys[] = {"args", "params", "timeout", "ttl",
					   "user", "env",    "cwd",	"idempotent"};

static int check_keys(json_object *o, const struct jpath *p, struct er_error *err)
{
	json_object_object_foreach(o, k, v)
	{
		bool known = false;

		(void)v;
		for (size_t i = 0; i < ARRAY_SIZE(command_keys) && !known; i++)
			known = strcmp(k, command_keys[i]) == 0;
		if (!known)
			return jerr(err, JP_KEY(p, k), "unknown field");
	}
	return 0;
}

static int parse_command(json_object *o, const struct jpath *p, struct cmds_command *c,
			 struct er_error *err)
{
	if (jv_expect(o, json_type_object, p, err) < 0 || check_keys(o, p, err) < 0)
		return -1;
	if (jget_strv(o, "args", p, &c->args, err) < 0)
		return -1;
	if (!c->args)
		return jerr(err, JP_KEY(p, "args"), "missing");
	if (!c->args[0])
		return jerr(err, JP_KEY(p, "args"), "must not be empty");
	if (parse_params(o, p, c, err) < 0 ||
	    get_duration(o, "timeout", p, &c->timeout_ms, err) < 0 ||
	    get_duration(o, "ttl", p, &c->ttl_ms, err) < 0 || parse_user(o, p, c, err) < 0 ||
	    jget_strv(o, "env", p, &c->env, err) < 0 ||
	    jget_str(o, "cwd", false, p, &c->cwd, err) < 0 ||
	    jget_bool(o, "idempotent", p, &c->idempotent, err) < 0)
		return -1;
	for (size_t i = 0; c->env && c->env[i]; i++) {
		const char *eq = strchr(c->env[i], '=');

		if (!eq || eq == c->env[i])
			return jerr(err, JP_IDX(JP_KEY(p, "env"), i), "expected KEY=VALUE");
	}
	if (c->cwd && jcheck_abs(c->cwd, JP_KEY(p, "cwd"), err) < 0)
		return -1;
	return 0;
}

int cmds_decl_parse(const char *json, struct cmds_decl *out, struct er_error *err)
{
	const struct jpath *root = JP_KEY(JP_KEY(NULL, "annotations"), CMDS_ANNOTATION);
	_cleanup_json_ json_object *o = NULL;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	o = json_parse_doc(json, strlen(json), CMDS_PATH, err);
	if (!o)
		return -1;
	out->cmds = xcalloc((size_t)json_object_object_length(o) + 1, sizeof(*out->cmds));
	json_object_object_foreach(o, name, v)
	{
		struct cmds_command *c = &out->cmds[i++];

		out->n = i;
		c->name = xstrdup(name);
		if (parse_command(v, JP_KEY(root, name), c, err) < 0) {
			cmds_decl_clear(out);
			return -1;
		}
	}
	return 0;
}

/* ---------------- states ---------------- */

static const char *const state_names[CMDS__STATE_MAX] = {
	[CMDS_QUEUED] = "queued", [CMDS_RUNNING] = "running", [CMDS_DONE] = "done",
	[CMDS_FAILED] = "failed", [CMDS_EXPIRED] = "expired", [CMDS_INTERRUPTED] = "interrupted",
};

const char *cmds_state_name(enum cmds_state s)
{
	return s < CMDS__STATE_MAX ? state_names[s] : "unknown";
}

static int state_from_name(const char *s, enum cmds_state *out)
{
	for (int i = 0; i < CMDS__STATE_MAX; i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum cmds_state)i;
			return 0;
		}
	}
	return -1;
}

/* ---------------- UTF-8 ---------------- */

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] && s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

char *cmds_utf8_sanitize(char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq((unsigned char *)s + i, len - i);

		if (!n) {
			s[i++] = '?';
			continue;
		}
		i += n;
	}
	return s;
}

/* ---------------- records ---------------- */

static void put_str(json_object *o, const char *key, const char *v)
{
	if (v)
		json_object_object_add(o, key, json_object_new_string(v));
}

static void put_i64(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static json_object *params_json(const struct spec_kv *kv, size_t n)
{
	json_object *p = json_object_new_object();

	for (size_t i = 0; i < n; i++)
		json_object_object_add(p, kv[i].key, json_object_new_string(kv[i].value));
	return p;
}

static json_object *owner_json(const struct cmds_owner *w)
{
	json_object *o = json_object_new_object();

	put_str(o, "boot", w->boot ? w->boot : "");
	put_i64(o, "pid", w->pid);
	json_object_object_add(o, "start", json_object_new_uint64(w->start));
	return o;
}

static char *to_string(json_object *o)
{
	char *s = xstrdup(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(o);
	return s;
}

char *cmds_rec_to_json(const struct cmds_rec *r)
{
	static const char *const types[] = {"queue", "state", "base"};
	json_object *o = json_object_new_object();

	put_str(o, "t", types[r->type]);
	json_object_object_add(o, "seq", json_object_new_uint64(r->seq));
	if (r->type == CMDS_REC_BASE)
		return to_string(o);
	put_i64(o, "ms", r->ms);
	if (r->type == CMDS_REC_QUEUE) {
		put_str(o, "rid", r->request_id);
		put_str(o, "name", r->name ? r->name : "");
		json_object_object_add(o, "params", params_json(r->params, r->n_params));
		if (r->deadline_ms)
			put_i64(o, "deadline", r->deadline_ms);
		if (r->foreground)
			json_object_object_add(o, "fg", json_object_new_boolean(true));
		return to_string(o);
	}
	put_str(o, "state", cmds_state_name(r->state));
	if (r->state == CMDS_RUNNING)
		json_object_object_add(o, "owner", owner_json(&r->owner));
	if (r->has_exit)
		put_i64(o, "exit", r->exit_status);
	if (r->has_exit)
		put_i64(o, "duration", r->duration_ms);
	put_str(o, "output", r->output);
	put_str(o, "error", r->error);
	if (r->requeued)
		json_object_object_add(o, "requeued", json_object_new_boolean(true));
	return to_string(o);
}

static int get_owner(json_object *o, const struct jpath *p, struct cmds_owner *w,
		     struct er_error *err)
{
	json_object *v;
	const struct jpath *op = JP_KEY(p, "owner");
	int64_t pid;
	uint64_t start;
	int r = jget(o, "owner", json_type_object, false, p, &v, err);

	if (r <= 0)
		return r;
	if (jget_str(v, "boot", false, op, &w->boot, err) < 0 ||
	    jget_i64(v, "pid", true, 0, INT32_MAX, op, &pid, err) < 0 ||
	    jget_u64(v, "start", false, UINT64_MAX, op, &start, err) < 0)
		return -1;
	w->pid = (pid_t)pid;
	w->start = start;
	return 0;
}

static int rec_queue(json_object *o, struct cmds_rec *r, struct er_error *err)
{
	if (jget_str(o, "rid", false, NULL, &r->request_id, err) < 0 ||
	    jget_str(o, "name", true, NULL, &r->name, err) < 0 ||
	    jget_kv(o, "params", NULL, &r->params, &r->n_params, err) < 0 ||
	    jget_i64(o, "deadline", false, 0, INT64_MAX, NULL, &r->deadline_ms, err) < 0 ||
	    jget_bool(o, "fg", NULL, &r->foreground, err) < 0)
		return -1;
	return 0;
}

static int rec_state(json_object *o, struct cmds_rec *r, struct er_error *err)
{
	_cleanup_free_ char *state = NULL;
	int64_t v = 0;
	int has;

	if (jget_str(o, "state", true, NULL, &state, err) < 0)
		return -1;
	if (state_from_name(state, &r->state) < 0)
		return er_set(err, 0, "state: unknown state `%s`", state);
	has = jget_i64(o, "exit", false, INT32_MIN, INT32_MAX, NULL, &v, err);
	if (has < 0)
		return -1;
	r->has_exit = has > 0;
	r->exit_status = (int)v;
	if (jget_i64(o, "duration", false, 0, INT64_MAX, NULL, &r->duration_ms, err) < 0 ||
	    jget_str(o, "output", false, NULL, &r->output, err) < 0 ||
	    jget_str(o, "error", false, NULL, &r->error, err) < 0 ||
	    jget_bool(o, "requeued", NULL, &r->requeued, err) < 0 ||
	    get_owner(o, NULL, &r->owner, err) < 0)
		return -1;
	return 0;
}

int cmds_rec_from_json(const char *json, size_t len, struct cmds_rec *r, struct er_error *err)
{
	_cleanup_json_ json_object *o = NULL;
	_cleanup_free_ char *t = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	o = json_parse_doc(json, len, "record", err);
	if (!o)
		return -1;
	if (jget_str(o, "t", true, NULL, &t, err) < 0 ||
	    jget_u64(o, "seq", true, UINT64_MAX, NULL, &r->seq, err) < 0 ||
	    jget_i64(o, "ms", false, INT64_MIN, INT64_MAX, NULL, &r->ms, err) < 0)
		return -1;
	if (strcmp(t, "queue") == 0) {
		r->type = CMDS_REC_QUEUE;
		rc = rec_queue(o, r, err);
	} else if (strcmp(t, "state") == 0) {
		r->type = CMDS_REC_STATE;
		rc = rec_state(o, r, err);
	} else if (strcmp(t, "base") == 0) {
		r->type = CMDS_REC_BASE;
		rc = 0;
	} else {
		rc = er_set(err, 0, "t: unknown record type `%s`", t);
	}
	if (rc < 0)
		cmds_rec_clear(r);
	return rc;
}

static void owner_clear(struct cmds_owner *w)
{
	free(w->boot);
	memset(w, 0, sizeof(*w));
}

void cmds_rec_clear(struct cmds_rec *r)
{
	free(r->request_id);
	free(r->name);
	spec_kv_free(r->params, r->n_params);
	owner_clear(&r->owner);
	free(r->output);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

/* ---------------- entries ---------------- */

static void replace(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? xstrdup(src) : NULL;
}

static void apply_state(struct cmds_entry *e, const struct cmds_rec *r)
{
	e->state = r->state;
	switch (r->state) {
	case CMDS_QUEUED: /* requeued: a fresh attempt */
		e->has_exit = false;
		replace(&e->output, NULL);
		replace(&e->error, r->error);
		break;
	case CMDS_RUNNING:
		e->started_ms = r->ms;
		e->ended_ms = 0;
		e->attempts++;
		owner_clear(&e->owner);
		e->owner = r->owner;
		e->owner.boot = r->owner.boot ? xstrdup(r->owner.boot) : NULL;
		break;
	default:
		e->ended_ms = r->ms;
		e->has_exit = r->has_exit;
		e->exit_status = r->exit_status;
		e->duration_ms = r->duration_ms;
		replace(&e->output, r->output);
		replace(&e->error, r->error);
		break;
	}
}

void cmds_entry_apply(struct cmds_entry *e, const struct cmds_rec *r)
{
	if (r->type == CMDS_REC_STATE) {
		apply_state(e, r);
		return;
	}
	if (r->type != CMDS_REC_QUEUE)
		return;
	cmds_entry_clear(e);
	e->seq = r->seq;
	e->request_id = r->request_id ? xstrdup(r->request_id) : NULL;
	e->name = xstrdup(r->name);
	e->n_params = r->n_params;
	e->params = xcalloc(r->n_params ? r->n_params : 1, sizeof(*e->params));
	for (size_t i = 0; i < r->n_params; i++) {
		e->params[i].key = xstrdup(r->params[i].key);
		e->params[i].value = xstrdup(r->params[i].value);
	}
	e->foreground = r->foreground;
	e->state = CMDS_QUEUED;
	e->queued_ms = r->ms;
	e->deadline_ms = r->deadline_ms;
}

void cmds_entry_clear(struct cmds_entry *e)
{
	free(e->request_id);
	free(e->name);
	spec_kv_free(e->params, e->n_params);
	owner_clear(&e->owner);
	free(e->output);
	free(e->error);
	memset(e, 0, sizeof(*e));
}

/* RFC 3339 UTC with milliseconds */
static void put_time(json_object *o, const char *key, int64_t ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char buf[64], out[80];

	if (!ms || !gmtime_r(&secs, &tm))
		return;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, sizeof(out), "%s.%03dZ", buf, (int)(ms % 1000));
	put_str(o, key, out);
}

char *cmds_entry_to_json(const struct cmds_entry *e)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "seq", json_object_new_uint64(e->seq));
	json_object_object_add(o, "request_id",
			       e->request_id ? json_object_new_string(e->request_id) : NULL);
	put_str(o, "name", e->name);
	json_object_object_add(o, "params", params_json(e->params, e->n_params));
	put_str(o, "state", cmds_state_name(e->state));
	put_str(o, "via", e->foreground ? "run" : "queue");
	put_time(o, "queued", e->queued_ms);
	put_time(o, "deadline", e->deadline_ms);
	put_time(o, "started", e->started_ms);
	put_time(o, "ended", e->ended_ms);
	if (e->has_exit)
		put_i64(o, "exit_status", e->exit_status);
	if (e->has_exit)
		put_i64(o, "duration_ms", e->duration_ms);
	if (e->attempts > 1)
		put_i64(o, "attempts", e->attempts);
	put_str(o, "output", e->output);
	put_str(o, "error", e->error);
	return to_string(o);
}
