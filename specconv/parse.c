/* SPDX-License-Identifier: Apache-2.0 */
/* Typed json-c access with JSON-path error messages (see parse.h). */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "specconv/parse.h"

/* ---- paths ---- */

struct strbuf {
	char *s;
	size_t len, cap;
};

static void sb_append(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_puts(struct strbuf *b, const char *s)
{
	sb_append(b, s, strlen(s));
}

/* Member names that read well after a dot; anything else is shown as ["name"]. */
static bool is_plain_key(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-')
			return false;
	return true;
}

static void render(struct strbuf *b, const struct jpath *p)
{
	char num[32];

	if (!p)
		return;
	render(b, p->up);
	if (!p->key) {
		snprintf(num, sizeof(num), "[%zu]", p->index);
		sb_puts(b, num);
	} else if (is_plain_key(p->key)) {
		if (p->up)
			sb_puts(b, ".");
		sb_puts(b, p->key);
	} else {
		sb_puts(b, "[\"");
		sb_puts(b, p->key);
		sb_puts(b, "\"]");
	}
}

char *jpath_render(const struct jpath *p)
{
	struct strbuf b = {0};

	sb_append(&b, "", 0);
	render(&b, p);
	return b.s;
}

int jerr(struct er_error *err, const struct jpath *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	er_setv(err, 0, fmt, ap);
	va_end(ap);
	if (p) {
		char *where = jpath_render(p);
		er_prefix(err, "%s", where);
		free(where);
	}
	return -1;
}

/* ---- documents ---- */

static void line_col(const char *buf, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static bool only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

json_object *json_parse_doc(const char *buf, size_t len, const char *doc, struct er_error *err)
{
	struct json_tokener *tok;
	json_object *obj;
	enum json_tokener_error jerror;
	const char *why = NULL;
	size_t end, line, col;

	if (len > INT32_MAX) {
		er_set(err, 0, "%s%sfile too large", doc ? doc : "", doc ? ": " : "");
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT
#ifdef JSON_TOKENER_VALIDATE_UTF8
					    | JSON_TOKENER_VALIDATE_UTF8
#endif
	);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerror = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!obj && jerror == json_tokener_continue)
		why = len == 0 || only_space(buf, len) ? "empty document"
						       : "unexpected end of input";
	else if (!obj && jerror != json_tokener_success)
		why = json_tokener_error_desc(jerror);
	else if (end < len && !only_space(buf + end, len - end))
		why = "unexpected data after the top-level value";
	json_tokener_free(tok);
	if (why) {
		json_object_put(obj);
		while (end < len && isspace((unsigned char)buf[end]))
			end++; /* point at the offending character, not the blanks before it */
		line_col(buf, end < len ? end : len, &line, &col);
		er_set(err, 0, "%s%sinvalid JSON: %s (line %zu, column %zu)", doc ? doc : "",
		       doc ? ": " : "", why, line, col);
		return NULL;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		er_set(err, 0, "%s%sexpected a JSON object at the top level", doc ? doc : "",
		       doc ? ": " : "");
		return NULL;
	}
	return obj;
}

/* ---- values ---- */

static const char *type_word(enum json_type t)
{
	switch (t) {
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	case json_type_boolean:
		return "a boolean";
	case json_type_int:
		return "an integer";
	case json_type_double:
		return "a number";
	case json_type_null:
		return "null";
	}
	return "a value";
}

int jv_expect(json_object *v, enum json_type type, const struct jpath *p, struct er_error *err)
{
	if (json_object_is_type(v, type))
		return 0;
	return jerr(err, p, "expected %s", type_word(type));
}

int jv_u64(json_object *v, const struct jpath *p, uint64_t max, uint64_t *out, struct er_error *err)
{
	uint64_t u;

	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return jerr(err, p, "expected a non-negative integer");
	u = json_object_get_uint64(v);
	if (u > max)
		return jerr(err, p, "value %" PRIu64 " out of range (0 to %" PRIu64 ")", u, max);
	*out = u;
	return 0;
}

int jv_i64(json_object *v, const struct jpath *p, int64_t min, int64_t max, int64_t *out,
	   struct er_error *err)
{
	int64_t i;

	if (!json_object_is_type(v, json_type_int))
		return jerr(err, p, "expected an integer");
	i = json_object_get_int64(v);
	/* json-c keeps values above INT64_MAX as uint64 and clamps get_int64 */
	if (i >= 0 && json_object_get_uint64(v) > (uint64_t)INT64_MAX)
		return jerr(err, p, "value %" PRIu64 " out of range (%" PRId64 " to %" PRId64 ")",
			    json_object_get_uint64(v), min, max);
	if (i < min || i > max)
		return jerr(err, p, "value %" PRId64 " out of range (%" PRId64 " to %" PRId64 ")",
			    i, min, max);
	*out = i;
	return 0;
}

/* A string without NUL bytes: C code would silently cut it at the first one. */
static int jv_cstr(json_object *v, const struct jpath *p, const char **out, struct er_error *err)
{
	if (jv_expect(v, json_type_string, p, err) < 0)
		return -1;
	*out = json_object_get_string(v);
	if (strlen(*out) != (size_t)json_object_get_string_len(v))
		return jerr(err, p, "contains a NUL character");
	return 0;
}

/* ---- members ---- */

int jget(json_object *obj, const char *key, enum json_type type, bool required,
	 const struct jpath *p, json_object **out, struct er_error *err)
{
	json_object *v = NULL;

	*out = NULL;
	if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null)) {
		if (required)
			return jerr(err, JP_KEY(p, key), "missing");
		return 0;
	}
	if (jv_expect(v, type, JP_KEY(p, key), err) < 0)
		return -1;
	*out = v;
	return 1;
}

int jget_str(json_object *obj, const char *key, bool required, const struct jpath *p, char **out,
	     struct er_error *err)
{
	json_object *v;
	const char *str;
	int r = jget(obj, key, json_type_string, required, p, &v, err);

	if (r <= 0)
		return r;
	if (jv_cstr(v, JP_KEY(p, key), &str, err) < 0)
		return -1;
	*out = xstrdup(str);
	return 1;
}

int jget_bool(json_object *obj, const char *key, const struct jpath *p, bool *out,
	      struct er_error *err)
{
	json_object *v;
	int r = jget(obj, key, json_type_boolean, false, p, &v, err);

	if (r > 0)
		*out = json_object_get_boolean(v);
	return r;
}

static int jget_any(json_object *obj, const char *key, bool required, const struct jpath *p,
		    json_object **out, struct er_error *err)
{
	*out = NULL;
	if (!json_object_object_get_ex(obj, key, out) ||
	    json_object_is_type(*out, json_type_null)) {
		*out = NULL;
		if (required)
			return jerr(err, JP_KEY(p, key), "missing");
		return 0;
	}
	return 1;
}

int jget_u64(json_object *obj, const char *key, bool required, uint64_t max, const struct jpath *p,
	     uint64_t *out, struct er_error *err)
{
	json_object *v;
	int r = jget_any(obj, key, required, p, &v, err);

	if (r <= 0)
		return r;
	return jv_u64(v, JP_KEY(p, key), max, out, err) < 0 ? -1 : 1;
}

int jget_u32(json_object *obj, const char *key, bool required, const struct jpath *p, uint32_t *out,
	     struct er_error *err)
{
	uint64_t u = 0;
	int r = jget_u64(obj, key, required, UINT32_MAX, p, &u, err);

	if (r > 0)
		*out = (uint32_t)u;
	return r;
}

int jget_i64(json_object *obj, const char *key, bool required, int64_t min, int64_t max,
	     const struct jpath *p, int64_t *out, struct er_error *err)
{
	json_object *v;
	int r = jget_any(obj, key, required, p, &v, err);

	if (r <= 0)
		return r;
	return jv_i64(v, JP_KEY(p, key), min, max, out, err) < 0 ? -1 : 1;
}

int jget_array(json_object *obj, const char *key, bool required, const struct jpath *p,
	       json_object **out, size_t *n, struct er_error *err)
{
	int r = jget(obj, key, json_type_array, required, p, out, err);

	*n = r > 0 ? json_object_array_length(*out) : 0;
	return r;
}

int jget_strv(json_object *obj, const char *key, const struct jpath *p, char ***out,
	      struct er_error *err)
{
	json_object *arr;
	size_t n;
	char **v;
	int r = jget_array(obj, key, false, p, &arr, &n, err);

	if (r <= 0)
		return r;
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		const char *str;

		if (jv_cstr(json_object_array_get_idx(arr, i), JP_IDX(JP_KEY(p, key), i), &str,
			    err) < 0) {
			strv_free(v);
			return -1;
		}
		v[i] = xstrdup(str);
	}
	*out = v;
	return 1;
}

int jget_kv(json_object *obj, const char *key, const struct jpath *p, struct spec_kv **out,
	    size_t *n, struct er_error *err)
{
	json_object *map;
	const struct jpath *mp = JP_KEY(p, key);
	size_t i = 0;
	int r = jget(obj, key, json_type_object, false, p, &map, err);

	if (r <= 0)
		return r;
	*n = (size_t)json_object_object_length(map);
	*out = xcalloc(*n ? *n : 1, sizeof(**out));
	json_object_object_foreach(map, k, val)
	{
		const char *str;

		if (jv_cstr(val, JP_KEY(mp, k), &str, err) < 0)
			return -1;
		(*out)[i].key = xstrdup(k);
		(*out)[i].value = xstrdup(str);
		i++;
	}
	return 1;
}

int jget_idmaps(json_object *obj, const char *key, const struct jpath *p, struct spec_idmap **out,
		size_t *n, struct er_error *err)
{
	json_object *arr;
	const struct jpath *ap = JP_KEY(p, key);
	int r = jget_array(obj, key, false, p, &arr, n, err);

	if (r <= 0)
		return r;
	*out = xcalloc(*n ? *n : 1, sizeof(**out));
	for (size_t i = 0; i < *n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		const struct jpath *ep = JP_IDX(ap, i);
		struct spec_idmap *m = &(*out)[i];

		if (jv_expect(e, json_type_object, ep, err) < 0 ||
		    jget_u32(e, "containerID", true, ep, &m->container_id, err) < 0 ||
		    jget_u32(e, "hostID", true, ep, &m->host_id, err) < 0 ||
		    jget_u32(e, "size", true, ep, &m->size, err) < 0)
			return -1;
		if (m->size == 0)
			return jerr(err, JP_KEY(ep, "size"), "must be greater than zero");
	}
	return 1;
}

int jcheck_abs(const char *s, const struct jpath *p, struct er_error *err)
{
	if (s[0] != '/')
		return jerr(err, p, "must be an absolute path");
	return 0;
}

const struct name_value *name_lookup(const struct name_value *tbl, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(tbl[i].name, name) == 0)
			return &tbl[i];
	return NULL;
}

void spec_kv_free(struct spec_kv *kv, size_t n)
{
	if (!kv)
		return;
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}
