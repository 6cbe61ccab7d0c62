/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signed-bundle manifest <-> canonical JSON, and the policy file (see manifest.h).
 *
 * Encoding is done here by hand on purpose: the signed bytes must not change when json-c's
 * printer does. Parsing goes through json-c (parse.h); the result is re-encoded and must
 * give back the exact input bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "specconv/manifest.h"
#include "specconv/parse.h"

static const char *const type_names[] = {
	[MF_FILE] = "file",   [MF_DIR] = "dir",	  [MF_SYMLINK] = "symlink", [MF_CHAR] = "char",
	[MF_BLOCK] = "block", [MF_FIFO] = "fifo", [MF_SOCKET] = "socket",
};

const char *manifest_type_name(enum manifest_type t)
{
	if ((unsigned int)t < ARRAY_SIZE(type_names))
		return type_names[t];
	return "unknown";
}

void manifest_hex(const unsigned char sha[MANIFEST_SHA256_LEN], char out[65])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < MANIFEST_SHA256_LEN; i++) {
		out[2 * i] = digits[sha[i] >> 4];
		out[2 * i + 1] = digits[sha[i] & 0xf];
	}
	out[64] = '\0';
}

/* ---------------- output ----------------
 * The encoder writes to a memory stream (open_memstream, without stdio's locking) for
 * manifest_to_json(), or, for manifest_parse()'s canonical check, compares what it would
 * write with the input as it goes: no second copy of a large manifest is made. */

struct buf {
	FILE *f; /* the stream; NULL: compare with want */
	const char *want;
	size_t want_len;
	size_t pos;   /* bytes of want matched so far */
	bool differs; /* at pos */
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	size_t m, i = 0;

	if (b->f) {
		if (fwrite_unlocked(s, 1, n, b->f) != n)
			abort(); /* out of memory */
		return;
	}
	if (b->differs)
		return;
	m = n < b->want_len - b->pos ? n : b->want_len - b->pos;
	if (m == n && !memcmp(s, b->want + b->pos, n)) {
		b->pos += n;
		return;
	}
	while (i < m && s[i] == b->want[b->pos + i])
		i++;
	b->pos += i;
	b->differs = true;
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_u64(struct buf *b, uint64_t v)
{
	char tmp[20]; /* UINT64_MAX has 20 digits */
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_add(b, tmp + i, sizeof(tmp) - i);
}

/* A JSON string with RFC 8785's escapes. */
static void buf_json_str(struct buf *b, const char *s)
{
	static const char digits[] = "0123456789abcdef";

	buf_add(b, "\"", 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char esc[7] = {'\\', 'u', '0', '0', digits[ch >> 4], digits[ch & 0xf], 0};

		switch (ch) {
		case '"':
			buf_add(b, "\\\"", 2);
			break;
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '\b':
			buf_add(b, "\\b", 2);
			break;
		case '\f':
			buf_add(b, "\\f", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\r':
			buf_add(b, "\\r", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		default:
			if (ch < 0x20) {
				buf_add(b, esc, 6);
			} else {
				size_t n = 1;

				while (s[n] && (unsigned char)s[n] >= 0x20 && s[n] != '"' &&
				       s[n] != '\\')
					n++;
				buf_add(b, s, n); /* the run up to the next character to escape */
				s += n - 1;
			}
		}
	}
	buf_add(b, "\"", 1);
}

/* "key": with the comma before every member but the first */
static void buf_key(struct buf *b, bool *first, const char *key)
{
	if (!*first)
		buf_add(b, ",", 1);
	*first = false;
	buf_json_str(b, key);
	buf_add(b, ":", 1);
}

static void buf_hex(struct buf *b, const unsigned char *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	buf_add(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		char two[2] = {digits[data[i] >> 4], digits[data[i] & 0xf]};

		buf_add(b, two, 2);
	}
	buf_add(b, "\"", 1);
}

static void buf_sha(struct buf *b, const unsigned char sha[MANIFEST_SHA256_LEN])
{
	buf_hex(b, sha, MANIFEST_SHA256_LEN);
}

/* ---------------- encoding ---------------- */

/* Members in RFC 8785 order: caps gid major minor mode path sha256 size target type uid. */
static void encode_entry(struct buf *b, const struct manifest_entry *e)
{
	bool first = true;
	bool dev = e->type == MF_CHAR || e->type == MF_BLOCK;
	char mode[5] = {(char)('0' + (e->mode >> 9 & 7)), (char)('0' + (e->mode >> 6 & 7)),
			(char)('0' + (e->mode >> 3 & 7)), (char)('0' + (e->mode & 7)), '\0'};

	buf_add(b, "{", 1);
	if (e->type == MF_FILE && e->caps_len) {
		buf_key(b, &first, "caps");
		buf_hex(b, e->caps, e->caps_len);
	}
	buf_key(b, &first, "gid");
	buf_u64(b, e->gid);
	if (dev) {
		buf_key(b, &first, "major");
		buf_u64(b, e->major);
		buf_key(b, &first, "minor");
		buf_u64(b, e->minor);
	}
	buf_key(b, &first, "mode");
	buf_json_str(b, mode);
	buf_key(b, &first, "path");
	buf_json_str(b, e->path);
	if (e->type == MF_FILE) {
		buf_key(b, &first, "sha256");
		buf_sha(b, e->sha256);
		buf_key(b, &first, "size");
		buf_u64(b, e->size);
	}
	if (e->type == MF_SYMLINK) {
		buf_key(b, &first, "target");
		buf_json_str(b, e->target ? e->target : "");
	}
	buf_key(b, &first, "type");
	buf_json_str(b, manifest_type_name(e->type));
	buf_key(b, &first, "uid");
	buf_u64(b, e->uid);
	buf_add(b, "}", 1);
}

static void encode_firmware(struct buf *b, const struct manifest_firmware *f)
{
	bool first = true;

	buf_add(b, "{", 1);
	buf_key(b, &first, "path");
	buf_json_str(b, f->path);
	buf_key(b, &first, "sha256");
	buf_sha(b, f->sha256);
	buf_key(b, &first, "size");
	buf_u64(b, f->size);
	buf_add(b, "}", 1);
}

/* Members: config created entries firmware version. */
static void encode(struct buf *b, const struct manifest *m)
{
	bool first = true;

	buf_add(b, "{", 1);
	buf_key(b, &first, "config");
	buf_str(b, "{\"sha256\":");
	buf_sha(b, m->config_sha256);
	buf_add(b, "}", 1);
	buf_key(b, &first, "created");
	buf_json_str(b, m->created ? m->created : "");
	buf_key(b, &first, "entries");
	buf_add(b, "[", 1);
	for (size_t i = 0; i < m->n_entries; i++) {
		if (i)
			buf_add(b, ",", 1);
		encode_entry(b, &m->entries[i]);
	}
	buf_add(b, "]", 1);
	buf_key(b, &first, "firmware");
	buf_add(b, "[", 1);
	for (size_t i = 0; i < m->n_firmware; i++) {
		if (i)
			buf_add(b, ",", 1);
		encode_firmware(b, &m->firmware[i]);
	}
	buf_add(b, "]", 1);
	buf_key(b, &first, "version");
	buf_u64(b, m->version);
	buf_add(b, "}", 1);
}

char *manifest_to_json(const struct manifest *m, size_t *len)
{
	char *out = NULL;
	size_t n = 0;
	struct buf b = {.f = open_memstream(&out, &n)};

	if (!b.f)
		abort();
	encode(&b, m);
	if (fclose(b.f) != 0)
		abort();
	if (len)
		*len = n;
	return out;
}

/* ---------------- checks ---------------- */

static bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned int c = *p, n, cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;
		for (unsigned int i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}

/* "." or components joined by single '/', none of them "." or "..". */
static bool rel_path_valid(const char *p)
{
	if (!strcmp(p, "."))
		return true;
	if (!*p || *p == '/')
		return false;
	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return false; /* trailing slash */
	}
	return true;
}

static bool abs_path_valid(const char *p)
{
	_cleanup_free_ char *clean = NULL;

	if (*p != '/')
		return false;
	clean = path_clean(p);
	return !strcmp(clean, p) && strcmp(p, "/") != 0;
}

int manifest_check(const struct manifest *m, struct er_error *err)
{
	for (size_t i = 0; i < m->n_entries; i++) {
		const struct manifest_entry *e = &m->entries[i];

		if (!utf8_valid(e->path))
			return er_set(err, 0, "path `%s` is not valid UTF-8 (not supported)",
				      e->path);
		if (!rel_path_valid(e->path))
			return er_set(err, 0, "path `%s` is not a clean relative path", e->path);
		if (e->caps_len && (e->type != MF_FILE || e->caps_len > MANIFEST_CAPS_MAX))
			return er_set(err, 0, "`%s`: capabilities only on files, at most %d bytes",
				      e->path, MANIFEST_CAPS_MAX);
		if (e->type == MF_SYMLINK && (!e->target || !utf8_valid(e->target)))
			return er_set(err, 0, "symlink `%s`: target is not valid UTF-8", e->path);
		if (i && strcmp(m->entries[i - 1].path, e->path) >= 0)
			return er_set(err, 0, "entries not sorted or duplicate at `%s`", e->path);
	}
	for (size_t i = 0; i < m->n_firmware; i++) {
		const char *p = m->firmware[i].path;

		if (!utf8_valid(p) || !abs_path_valid(p))
			return er_set(err, 0, "firmware path `%s` must be a clean absolute path",
				      p);
		if (i && strcmp(m->firmware[i - 1].path, p) >= 0)
			return er_set(err, 0, "firmware not sorted or duplicate at `%s`", p);
	}
	if (m->created && !utf8_valid(m->created))
		return er_set(err, 0, "creation time is not valid UTF-8");
	return 0;
}

/* ---------------- parsing ----------------
 *
 * json-c reads the bytes (strict grammar, at most MANIFEST_PARSE_MAX bytes, three levels
 * deep); one pass over each object's members (json_object_object_foreach, no lookups by
 * name) fills the structs; the tree is freed, and the structs are re-encoded, which must give
 * back the input byte for byte. That last step is what makes the manifest canonical: json-c
 * 0.16 keeps only the last of two members of one name (the object then has one member, so
 * the duplicate cannot be seen in the tree), and accepts whitespace, any member order, "-0",
 * needless \u escapes and raw control characters in strings; none of them re-encodes to the
 * input. json-c does not validate UTF-8 here (JSON_TOKENER_VALIDATE_UTF8 made its parse 60%
 * slower): manifest_check() validates every free-form string, and every other string must be
 * one of a few ASCII forms. The canonical check compares as it encodes (no second copy).
 */

#define MANIFEST_PARSE_MAX (256u << 20) /* bytes; edge/ reads no more either */
/* json_tokener refuses nesting at its depth - 1: the manifest nests 3 deep (itself, entries,
 * an entry). */
#define MANIFEST_PARSE_DEPTH 4

/* Member names in canonical (that is, sorted) order; a member's index is its slot. */
enum { R_CONFIG, R_CREATED, R_ENTRIES, R_FIRMWARE, R_VERSION, R_N };
static const char *const root_members[R_N] = {"config", "created", "entries", "firmware",
					      "version"};
enum { C_SHA256, C_N };
static const char *const config_members[C_N] = {"sha256"};
enum {
	E_CAPS,
	E_GID,
	E_MAJOR,
	E_MINOR,
	E_MODE,
	E_PATH,
	E_SHA256,
	E_SIZE,
	E_TARGET,
	E_TYPE,
	E_UID,
	E_N
};
static const char *const entry_members[E_N] = {
	"caps", "gid", "major", "minor", "mode", "path", "sha256", "size", "target", "type", "uid",
};
enum { F_PATH, F_SHA256, F_SIZE, F_N };
static const char *const firmware_members[F_N] = {"path", "sha256", "size"};

static json_object *mf_tokenize(const char *buf, size_t len, struct er_error *err)
{
	struct json_tokener *tok;
	json_object *o;
	enum json_tokener_error jerror;
	size_t end;

	if (len > MANIFEST_PARSE_MAX) {
		er_set(err, 0, "too large (%zu bytes, at most %u)", len, MANIFEST_PARSE_MAX);
		return NULL;
	}
	tok = json_tokener_new_ex(MANIFEST_PARSE_DEPTH);
	if (!tok)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerror = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerror != json_tokener_success) {
		er_set(err, 0, "invalid JSON: %s at byte %zu",
		       jerror == json_tokener_continue ? "unexpected end of input"
						       : json_tokener_error_desc(jerror),
		       end);
		return NULL;
	}
	if (end != len || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		er_set(err, 0, "not in canonical form: %s",
		       end != len ? "data after the manifest" : "not a JSON object");
		return NULL;
	}
	return o;
}

static int cmp_name(const void *key, const void *name)
{
	return strcmp(key, *(const char *const *)name);
}

/* O's members into slots[] by name (NAMES sorted, N of them; an absent member's slot is
 * NULL). O must be an object; a member that is not in NAMES, or null, is an error. json-c
 * keeps the members in file order, so in a canonical manifest each one is found by looking
 * on from the one before, most often at the first try; others fall back to a search. */
static int mf_members(json_object *o, const char *const *names, size_t n, json_object **slots,
		      const struct jpath *p, struct er_error *err)
{
	size_t next = 0;

	if (!o)
		return jerr(err, p, "missing");
	if (jv_expect(o, json_type_object, p, err) < 0)
		return -1;
	memset(slots, 0, n * sizeof(*slots));
	json_object_object_foreach(o, key, val)
	{
		size_t i = next;

		while (i < n && strcmp(key, names[i]) != 0)
			i++;
		if (i == n) {
			const char *const *name = bsearch(key, names, n, sizeof(*names), cmp_name);

			if (!name)
				return jerr(err, JP_KEY(p, key), "unknown member");
			i = (size_t)(name - names);
		}
		if (!val)
			return jerr(err, JP_KEY(p, key), "expected a value other than null");
		slots[i] = val;
		next = i + 1;
	}
	return 0;
}

static int mf_u64(json_object *v, const struct jpath *p, uint64_t max, uint64_t *out,
		  struct er_error *err)
{
	if (!v)
		return jerr(err, p, "missing");
	return jv_u64(v, p, max, out, err);
}

static int mf_u32(json_object *v, const struct jpath *p, uint32_t *out, struct er_error *err)
{
	uint64_t u = 0;

	if (mf_u64(v, p, UINT32_MAX, &u, err) < 0)
		return -1;
	*out = (uint32_t)u;
	return 0;
}

/* A string without NUL bytes (C code would cut it at the first one); *s points into V. */
static int mf_str(json_object *v, const struct jpath *p, const char **s, size_t *n,
		  struct er_error *err)
{
	if (!v)
		return jerr(err, p, "missing");
	if (jv_expect(v, json_type_string, p, err) < 0)
		return -1;
	*s = json_object_get_string(v);
	*n = (size_t)json_object_get_string_len(v);
	if (memchr(*s, '\0', *n))
		return jerr(err, p, "contains a NUL character");
	return 0;
}

static int mf_strdup(json_object *v, const struct jpath *p, char **out, struct er_error *err)
{
	const char *s = NULL;
	size_t n = 0;

	if (mf_str(v, p, &s, &n, err) < 0)
		return -1;
	*out = xmalloc(n + 1);
	memcpy(*out, s, n + 1);
	return 0;
}

/* A lowercase hexadecimal digit's value + 1; 0 for any other byte. A table, not branches:
 * the digits of a hash are random, and a branch on them is mispredicted half the time. */
static const unsigned char hex_value[256] = {
	['0'] = 1,  ['1'] = 2,	['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
	['6'] = 7,  ['7'] = 8,	['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* MIN..MAX bytes as lowercase hexadecimal digits; *len the number of bytes. */
static int mf_hex(json_object *v, const struct jpath *p, unsigned char *out, size_t min, size_t max,
		  size_t *len, struct er_error *err)
{
	const char *s = NULL;
	size_t n = 0;

	if (mf_str(v, p, &s, &n, err) < 0)
		return -1;
	if (n % 2 != 0 || n < 2 * min || n > 2 * max)
		goto bad;
	for (size_t i = 0; i < n; i += 2) {
		unsigned int hi = hex_value[(unsigned char)s[i]],
			     lo = hex_value[(unsigned char)s[i + 1]];

		if (!hi || !lo)
			goto bad;
		out[i / 2] = (unsigned char)((hi - 1) << 4 | (lo - 1));
	}
	*len = n / 2;
	return 0;
bad:
	if (min == max)
		return jerr(err, p, "expected %zu lowercase hexadecimal digits", 2 * min);
	return jerr(err, p, "expected %zu to %zu bytes as lowercase hexadecimal digits", min, max);
}

static int mf_sha(json_object *v, const struct jpath *p, unsigned char out[MANIFEST_SHA256_LEN],
		  struct er_error *err)
{
	size_t n = 0;

	return mf_hex(v, p, out, MANIFEST_SHA256_LEN, MANIFEST_SHA256_LEN, &n, err);
}

static int mf_mode(json_object *v, const struct jpath *p, uint32_t *mode, struct er_error *err)
{
	const char *s = NULL;
	size_t n = 0;
	uint32_t m = 0;

	if (mf_str(v, p, &s, &n, err) < 0)
		return -1;
	if (n != 4)
		return jerr(err, p, "expected 4 octal digits in a string");
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return jerr(err, p, "expected 4 octal digits in a string");
		m = m * 8 + (uint32_t)(s[i] - '0');
	}
	*mode = m;
	return 0;
}

static int mf_type(json_object *v, const struct jpath *p, enum manifest_type *t,
		   struct er_error *err)
{
	const char *s = NULL;
	size_t n = 0;

	if (mf_str(v, p, &s, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++) {
		if (!strcmp(s, type_names[i])) {
			*t = (enum manifest_type)i;
			return 0;
		}
	}
	return jerr(err, p, "unknown type");
}

/* {["caps"] "gid" ["major" "minor"] "mode" "path" ["sha256" "size"] ["target"] "type" "uid"} */
static int parse_entry(json_object *o, const struct jpath *p, void *item, struct er_error *err)
{
	struct manifest_entry *e = item;
	json_object *v[E_N];
	bool file, dev;

	if (mf_members(o, entry_members, E_N, v, p, err) < 0 ||
	    mf_type(v[E_TYPE], JP_KEY(p, "type"), &e->type, err) < 0)
		return -1;
	file = e->type == MF_FILE;
	dev = e->type == MF_CHAR || e->type == MF_BLOCK;
	if (!v[E_SHA256] == file || !v[E_SIZE] == file || (v[E_CAPS] && !file) ||
	    !v[E_MAJOR] == dev || !v[E_MINOR] == dev || !v[E_TARGET] == (e->type == MF_SYMLINK))
		return jerr(err, JP_KEY(p, "type"), "the members do not match the type");
	if (mf_strdup(v[E_PATH], JP_KEY(p, "path"), &e->path, err) < 0 ||
	    mf_mode(v[E_MODE], JP_KEY(p, "mode"), &e->mode, err) < 0 ||
	    mf_u32(v[E_UID], JP_KEY(p, "uid"), &e->uid, err) < 0 ||
	    mf_u32(v[E_GID], JP_KEY(p, "gid"), &e->gid, err) < 0)
		return -1;
	if (file && (mf_sha(v[E_SHA256], JP_KEY(p, "sha256"), e->sha256, err) < 0 ||
		     mf_u64(v[E_SIZE], JP_KEY(p, "size"), INT64_MAX, &e->size, err) < 0 ||
		     (v[E_CAPS] && mf_hex(v[E_CAPS], JP_KEY(p, "caps"), e->caps, 1,
					  MANIFEST_CAPS_MAX, &e->caps_len, err) < 0)))
		return -1;
	if (dev && (mf_u32(v[E_MAJOR], JP_KEY(p, "major"), &e->major, err) < 0 ||
		    mf_u32(v[E_MINOR], JP_KEY(p, "minor"), &e->minor, err) < 0))
		return -1;
	if (v[E_TARGET] && mf_strdup(v[E_TARGET], JP_KEY(p, "target"), &e->target, err) < 0)
		return -1;
	return 0;
}

/* {"path" "sha256" "size"} */
static int parse_firmware(json_object *o, const struct jpath *p, void *item, struct er_error *err)
{
	struct manifest_firmware *f = item;
	json_object *v[F_N];

	if (mf_members(o, firmware_members, F_N, v, p, err) < 0 ||
	    mf_strdup(v[F_PATH], JP_KEY(p, "path"), &f->path, err) < 0 ||
	    mf_sha(v[F_SHA256], JP_KEY(p, "sha256"), f->sha256, err) < 0 ||
	    mf_u64(v[F_SIZE], JP_KEY(p, "size"), INT64_MAX, &f->size, err) < 0)
		return -1;
	return 0;
}

/* The array A into a zeroed array of SIZE-byte items, *n of them (set first, so that
 * manifest_clear() frees what a failure leaves half done). */
static int parse_array(json_object *a, const char *name, size_t size,
		       int (*parse)(json_object *, const struct jpath *, void *, struct er_error *),
		       void **items, size_t *n, struct er_error *err)
{
	const struct jpath *p = JP_KEY(NULL, name);

	if (!a)
		return jerr(err, p, "missing");
	if (jv_expect(a, json_type_array, p, err) < 0)
		return -1;
	*n = json_object_array_length(a);
	*items = xcalloc(*n, size);
	for (size_t i = 0; i < *n; i++) {
		if (parse(json_object_array_get_idx(a, i), JP_IDX(p, i), (char *)*items + i * size,
			  err) < 0)
			return -1;
	}
	return 0;
}

/* The version first (its only lookup by name), so that a manifest of a later format says so
 * instead of failing on a member this one does not know. */
static int parse_version(json_object *root, unsigned int *version, struct er_error *err)
{
	json_object *v = NULL;
	uint64_t u = 0;

	json_object_object_get_ex(root, "version", &v);
	if (mf_u64(v, JP_KEY(NULL, "version"), UINT32_MAX, &u, err) < 0)
		return -1;
	if (u != MANIFEST_VERSION)
		return er_set(err, 0, "version: unsupported version %" PRIu64, u);
	*version = (unsigned int)u;
	return 0;
}

static int parse_root(json_object *root, struct manifest *m, struct er_error *err)
{
	json_object *v[R_N], *config[C_N];

	if (parse_version(root, &m->version, err) < 0 ||
	    mf_members(root, root_members, R_N, v, NULL, err) < 0 ||
	    mf_members(v[R_CONFIG], config_members, C_N, config, JP_KEY(NULL, "config"), err) < 0 ||
	    mf_sha(config[C_SHA256], JP_KEY(JP_KEY(NULL, "config"), "sha256"), m->config_sha256,
		   err) < 0 ||
	    mf_strdup(v[R_CREATED], JP_KEY(NULL, "created"), &m->created, err) < 0 ||
	    parse_array(v[R_ENTRIES], "entries", sizeof(*m->entries), parse_entry,
			(void **)&m->entries, &m->n_entries, err) < 0 ||
	    parse_array(v[R_FIRMWARE], "firmware", sizeof(*m->firmware), parse_firmware,
			(void **)&m->firmware, &m->n_firmware, err) < 0)
		return -1;
	return 0;
}

/* The parsed manifest must encode back to exactly the input. */
static int check_canonical(const char *buf, size_t len, const struct manifest *m,
			   struct er_error *err)
{
	struct buf b = {.want = buf, .want_len = len};

	if (manifest_check(m, err) < 0)
		return -1;
	encode(&b, m);
	if (!b.differs && b.pos == len)
		return 0;
	return er_set(err, 0, "not in canonical form (first difference at byte %zu)", b.pos);
}

int manifest_parse(const char *buf, size_t len, struct manifest *m, struct er_error *err)
{
	json_object *root;
	int r;

	memset(m, 0, sizeof(*m));
	root = mf_tokenize(buf, len, err);
	if (!root)
		return -1;
	r = parse_root(root, m, err);
	json_object_put(root); /* the structs hold copies of what they keep */
	if (r < 0 || check_canonical(buf, len, m, err) < 0) {
		manifest_clear(m);
		return -1;
	}
	return 0;
}

void manifest_clear(struct manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_entries; i++) {
		free(m->entries[i].path);
		free(m->entries[i].target);
	}
	for (size_t i = 0; i < m->n_firmware; i++)
		free(m->firmware[i].path);
	free(m->entries);
	free(m->firmware);
	free(m->created);
	memset(m, 0, sizeof(*m));
}

/* ---------------- policy ---------------- */

int manifest_policy_parse(const char *buf, size_t len, struct manifest_policy *p,
			  struct er_error *err)
{
	json_object *o = json_parse_doc(buf, len, NULL, err);
	int r = 0;

	memset(p, 0, sizeof(*p));
	if (!o)
		return -1;
	json_object_object_foreach(o, key, val)
	{
		(void)val;
		if (strcmp(key, "requireSigned") != 0) {
			r = jerr(err, JP_KEY(NULL, key), "unknown member");
			break;
		}
	}
	if (r == 0 && jget_bool(o, "requireSigned", NULL, &p->require_signed, err) < 0)
		r = -1;
	json_object_put(o);
	return r;
}
