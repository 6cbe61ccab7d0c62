/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signed-bundle manifest <-> canonical JSON, and the policy file (see manifest.h).
 *
 * Encoding is done here by hand on purpose: the signed bytes must not change when json-c's
 * printer does. Parsing goes through json-c (parse.h); the result is re-encoded and must
 * give back the exact input bytes.
 */
#include <ctype.h>
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
 * The encoder writes to a memory stream (open_memstream), without stdio's locking. */

struct buf {
	FILE *f;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (fwrite_unlocked(s, 1, n, b->f) != n)
		abort(); /* out of memory */
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void buf_u64(struct buf *b, uint64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);

	buf_add(b, tmp, (size_t)n);
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
				size_t n = strcspn(s, "\"\\\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
						      "\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14"
						      "\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e"
						      "\x1f");

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
	char mode[8];

	snprintf(mode, sizeof(mode), "%04o", e->mode & 07777);
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
char *manifest_to_json(const struct manifest *m, size_t *len)
{
	char *out = NULL;
	size_t n = 0;
	struct buf b = {.f = open_memstream(&out, &n)};
	bool first = true;

	if (!b.f)
		abort();
	buf_add(&b, "{", 1);
	buf_key(&b, &first, "config");
	buf_str(&b, "{\"sha256\":");
	buf_sha(&b, m->config_sha256);
	buf_add(&b, "}", 1);
	buf_key(&b, &first, "created");
	buf_json_str(&b, m->created ? m->created : "");
	buf_key(&b, &first, "entries");
	buf_add(&b, "[", 1);
	for (size_t i = 0; i < m->n_entries; i++) {
		if (i)
			buf_add(&b, ",", 1);
		encode_entry(&b, &m->entries[i]);
	}
	buf_add(&b, "]", 1);
	buf_key(&b, &first, "firmware");
	buf_add(&b, "[", 1);
	for (size_t i = 0; i < m->n_firmware; i++) {
		if (i)
			buf_add(&b, ",", 1);
		encode_firmware(&b, &m->firmware[i]);
	}
	buf_add(&b, "]", 1);
	buf_key(&b, &first, "version");
	buf_u64(&b, m->version);
	buf_add(&b, "}", 1);
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
 * A reader of exactly the canonical grammar, members in their fixed order. Not json-c: it
 * builds a hash table per object, which made parsing a manifest of 5,000 entries two thirds
 * of a cached verification. What the reader accepts is re-encoded and compared byte for
 * byte, so the reader only has to be strict, not complete.
 */

struct rd {
	const char *start, *p, *end;
	char where[48]; /* "entries[3]" */
	struct er_error *err;
};

static size_t rd_off(const struct rd *r)
{
	return (size_t)(r->p - r->start);
}

static int rd_fail(struct rd *r, const char *member, const char *what)
{
	return er_set(r->err, 0, "%s%s%s%s%s at byte %zu", r->where, member ? "." : "",
		      member ? member : "", r->where[0] || member ? ": " : "", what, rd_off(r));
}

static bool rd_peek(const struct rd *r, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(r->end - r->p) >= n && !memcmp(r->p, lit, n);
}

static int rd_lit(struct rd *r, const char *lit)
{
	_cleanup_free_ char *what = NULL;

	if (rd_peek(r, lit)) {
		r->p += strlen(lit);
		return 0;
	}
	what = xasprintf("not in canonical form: expected `%s`", lit);
	return rd_fail(r, NULL, what);
}

static int rd_u64(struct rd *r, const char *member, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *s = r->p;

	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		unsigned int d = (unsigned int)(*r->p - '0');

		if (v > (max - d) / 10)
			return rd_fail(r, member, "number out of range");
		v = v * 10 + d;
		r->p++;
	}
	if (r->p == s || (*s == '0' && r->p - s > 1)) {
		r->p = s;
		return rd_fail(r, member, "expected an unsigned integer");
	}
	*out = v;
	return 0;
}

static int rd_u32(struct rd *r, const char *member, uint32_t *out)
{
	uint64_t v = 0;

	if (rd_u64(r, member, UINT32_MAX, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* A string with the canonical escapes only (\uXXXX for control characters but NUL). */
static int rd_str(struct rd *r, const char *member, char **out)
{
	const char *q;
	char *o;

	if (r->p >= r->end || *r->p != '"')
		return rd_fail(r, member, "expected a string");
	for (q = r->p + 1; q < r->end && *q != '"'; q++) {
		if (*q == '\\')
			q++;
	}
	if (q >= r->end)
		return rd_fail(r, member, "invalid JSON: unterminated string");
	o = *out = xmalloc((size_t)(q - r->p));
	for (r->p++; *r->p != '"'; r->p++) {
		unsigned char ch = (unsigned char)*r->p;
		const char *esc = "\"\"\\\\b\bf\fn\nr\rt\t";
		unsigned int u = 0;

		if (ch < 0x20)
			return rd_fail(r, member, "invalid JSON: control character in a string");
		if (ch != '\\') {
			*o++ = (char)ch;
			continue;
		}
		ch = (unsigned char)*++r->p;
		for (const char *e = esc; *e; e += 2) {
			if (*e == (char)ch) {
				*o++ = e[1];
				goto next;
			}
		}
		if (ch != 'u' || r->end - r->p < 5)
			return rd_fail(r, member, "invalid JSON: bad escape");
		for (int i = 1; i <= 4; i++) {
			unsigned char h = (unsigned char)r->p[i];

			if (!isxdigit(h))
				return rd_fail(r, member, "invalid JSON: bad escape");
			u = u * 16 + (unsigned int)(isdigit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
		}
		if (u == 0 || u >= 0x20)
			return rd_fail(r, member, "not in canonical form: needless \\u escape");
		*o++ = (char)u;
		r->p += 4;
	next:;
	}
	*o = '\0';
	r->p++;
	return 0;
}

static int rd_sha(struct rd *r, const char *member, unsigned char out[MANIFEST_SHA256_LEN])
{
	static const char digits[] = "0123456789abcdef";

	if (r->end - r->p < 66 || r->p[0] != '"' || r->p[65] != '"')
		return rd_fail(r, member, "expected 64 lowercase hexadecimal digits");
	for (size_t i = 0; i < 2 * MANIFEST_SHA256_LEN; i++) {
		const char *d = memchr(digits, r->p[1 + i], 16);

		if (!d || !r->p[1 + i])
			return rd_fail(r, member, "expected 64 lowercase hexadecimal digits");
		out[i / 2] = (unsigned char)((out[i / 2] << 4) | (unsigned char)(d - digits));
	}
	r->p += 66;
	return 0;
}

/* "hex" of 1..MAX bytes. */
static int rd_hex(struct rd *r, const char *member, unsigned char *out, size_t max, size_t *len)
{
	static const char digits[] = "0123456789abcdef";
	const char *q = r->p + 1;
	size_t n = 0;

	if (r->p >= r->end || *r->p != '"')
		return rd_fail(r, member, "expected lowercase hexadecimal digits in a string");
	for (; q + 1 < r->end && *q != '"'; q += 2) {
		const char *hi = memchr(digits, q[0], 16), *lo = memchr(digits, q[1], 16);

		if (!hi || !lo || !q[0] || !q[1] || n == max)
			return rd_fail(r, member,
				       "expected lowercase hexadecimal digits in a string");
		out[n++] = (unsigned char)(((hi - digits) << 4) | (lo - digits));
	}
	if (q >= r->end || *q != '"' || n == 0)
		return rd_fail(r, member, "expected lowercase hexadecimal digits in a string");
	*len = n;
	r->p = q + 1;
	return 0;
}

static int rd_mode(struct rd *r, uint32_t *mode)
{
	uint32_t v = 0;

	if (r->end - r->p < 6 || r->p[0] != '"' || r->p[5] != '"')
		return rd_fail(r, "mode", "expected 4 octal digits in a string");
	for (int i = 1; i <= 4; i++) {
		if (r->p[i] < '0' || r->p[i] > '7')
			return rd_fail(r, "mode", "expected 4 octal digits in a string");
		v = v * 8 + (uint32_t)(r->p[i] - '0');
	}
	*mode = v;
	r->p += 6;
	return 0;
}

static int rd_type(struct rd *r, enum manifest_type *t)
{
	_cleanup_free_ char *s = NULL;

	if (rd_str(r, "type", &s) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++) {
		if (!strcmp(s, type_names[i])) {
			*t = (enum manifest_type)i;
			return 0;
		}
	}
	return rd_fail(r, "type", "unknown type");
}

/* {["caps"] "gid" ["major" "minor"] "mode" "path" ["sha256" "size"] ["target"] "type" "uid"} */
static int rd_entry(struct rd *r, struct manifest_entry *e)
{
	bool dev = false, file = false;

	if (rd_lit(r, "{") < 0)
		return -1;
	if (rd_peek(r, "\"caps\":") &&
	    (rd_lit(r, "\"caps\":") < 0 ||
	     rd_hex(r, "caps", e->caps, MANIFEST_CAPS_MAX, &e->caps_len) < 0 || rd_lit(r, ",") < 0))
		return -1;
	if (rd_lit(r, "\"gid\":") < 0 || rd_u32(r, "gid", &e->gid) < 0)
		return -1;
	if (rd_peek(r, ",\"major\":")) {
		dev = true;
		if (rd_lit(r, ",\"major\":") < 0 || rd_u32(r, "major", &e->major) < 0 ||
		    rd_lit(r, ",\"minor\":") < 0 || rd_u32(r, "minor", &e->minor) < 0)
			return -1;
	}
	if (rd_lit(r, ",\"mode\":") < 0 || rd_mode(r, &e->mode) < 0 ||
	    rd_lit(r, ",\"path\":") < 0 || rd_str(r, "path", &e->path) < 0)
		return -1;
	if (rd_peek(r, ",\"sha256\":")) {
		file = true;
		if (rd_lit(r, ",\"sha256\":") < 0 || rd_sha(r, "sha256", e->sha256) < 0 ||
		    rd_lit(r, ",\"size\":") < 0 || rd_u64(r, "size", INT64_MAX, &e->size) < 0)
			return -1;
	}
	if (rd_peek(r, ",\"target\":") &&
	    (rd_lit(r, ",\"target\":") < 0 || rd_str(r, "target", &e->target) < 0))
		return -1;
	if (rd_lit(r, ",\"type\":") < 0 || rd_type(r, &e->type) < 0 || rd_lit(r, ",\"uid\":") < 0 ||
	    rd_u32(r, "uid", &e->uid) < 0 || rd_lit(r, "}") < 0)
		return -1;
	if (file != (e->type == MF_FILE) || !e->target != (e->type != MF_SYMLINK) ||
	    (e->caps_len && !file) || dev != (e->type == MF_CHAR || e->type == MF_BLOCK))
		return rd_fail(r, "type", "the members do not match the type");
	return 0;
}

static int rd_firmware(struct rd *r, struct manifest_firmware *f)
{
	if (rd_lit(r, "{\"path\":") < 0 || rd_str(r, "path", &f->path) < 0 ||
	    rd_lit(r, ",\"sha256\":") < 0 || rd_sha(r, "sha256", f->sha256) < 0 ||
	    rd_lit(r, ",\"size\":") < 0 || rd_u64(r, "size", INT64_MAX, &f->size) < 0 ||
	    rd_lit(r, "}") < 0)
		return -1;
	return 0;
}

/* "[" item ("," item)* "]" into a growing array of SIZE-byte items. */
static int rd_array(struct rd *r, const char *name, size_t size, void **items, size_t *n,
		    bool is_entry)
{
	size_t cap = 0;

	*items = xcalloc(1, size);
	if (rd_lit(r, "[") < 0)
		return -1;
	if (rd_peek(r, "]"))
		return rd_lit(r, "]");
	do {
		char *item;
		int k;

		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			*items = xrealloc(*items, cap * size);
		}
		item = (char *)*items + *n * size;
		memset(item, 0, size);
		(*n)++;
		snprintf(r->where, sizeof(r->where), "%s[%zu]", name, *n - 1);
		k = is_entry ? rd_entry(r, (struct manifest_entry *)item)
			     : rd_firmware(r, (struct manifest_firmware *)item);
		if (k < 0)
			return -1;
	} while (rd_peek(r, ",") && rd_lit(r, ",") == 0);
	r->where[0] = '\0';
	return rd_lit(r, "]");
}

/* The version comes last in the canonical order but is checked first, so that a manifest
 * of a later format says so instead of failing on a member it does not know. */
static int rd_version(const char *buf, size_t len, struct er_error *err)
{
	static const char key[] = ",\"version\":";
	uint64_t v = 0;
	size_t i;

	if (len < sizeof(key) + 1 || buf[len - 1] != '}')
		return 0; /* the reader reports it */
	for (i = len - 1; i > 0 && buf[i - 1] >= '0' && buf[i - 1] <= '9'; i--)
		;
	if (i < sizeof(key) - 1 || memcmp(buf + i - (sizeof(key) - 1), key, sizeof(key) - 1))
		return 0;
	for (; i < len - 1; i++)
		v = v > UINT32_MAX ? v : v * 10 + (uint64_t)(buf[i] - '0');
	if (v != MANIFEST_VERSION)
		return er_set(err, 0, "version: unsupported version %" PRIu64, v);
	return 0;
}

static int rd_manifest(struct rd *r, struct manifest *m)
{
	uint64_t version = 0;

	if (rd_lit(r, "{\"config\":{\"sha256\":") < 0 ||
	    rd_sha(r, "config.sha256", m->config_sha256) < 0 || rd_lit(r, "},\"created\":") < 0 ||
	    rd_str(r, "created", &m->created) < 0 || rd_lit(r, ",\"entries\":") < 0 ||
	    rd_array(r, "entries", sizeof(*m->entries), (void **)&m->entries, &m->n_entries, true) <
		    0 ||
	    rd_lit(r, ",\"firmware\":") < 0 ||
	    rd_array(r, "firmware", sizeof(*m->firmware), (void **)&m->firmware, &m->n_firmware,
		     false) < 0 ||
	    rd_lit(r, ",\"version\":") < 0 || rd_u64(r, "version", UINT32_MAX, &version) < 0 ||
	    rd_lit(r, "}") < 0)
		return -1;
	if (r->p != r->end)
		return rd_fail(r, NULL,
			       "not in canonical form: unexpected data after the manifest");
	m->version = (unsigned int)version;
	return 0;
}

/* The parsed manifest must encode back to exactly the input. */
static int check_canonical(const char *buf, size_t len, const struct manifest *m,
			   struct er_error *err)
{
	size_t elen = 0, i = 0;
	_cleanup_free_ char *enc = NULL;

	if (manifest_check(m, err) < 0)
		return -1;
	enc = manifest_to_json(m, &elen);
	while (i < len && i < elen && buf[i] == enc[i])
		i++;
	if (i == len && i == elen)
		return 0;
	return er_set(err, 0, "not in canonical form (first difference at byte %zu)", i);
}

int manifest_parse(const char *buf, size_t len, struct manifest *m, struct er_error *err)
{
	struct rd r = {.start = buf, .p = buf, .end = buf + len, .err = err};

	memset(m, 0, sizeof(*m));
	if (rd_version(buf, len, err) < 0 || rd_manifest(&r, m) < 0 ||
	    check_canonical(buf, len, m, err) < 0) {
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
