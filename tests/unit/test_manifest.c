/* SPDX-License-Identifier: Apache-2.0 */
/* specconv/manifest.c: the canonical encoding, the parse round trip, what is refused; the
 * policy file; edge/'s base64 decoding of signatures. */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "edge/signed.h"
#include "specconv/manifest.h"
#include "tap.h"

static struct manifest_entry sample_entries[] = {
	{.path = ".", .type = MF_DIR, .mode = 0755},
	{.path = "bin", .type = MF_DIR, .mode = 0755},
	{.path = "bin/sh", .type = MF_SYMLINK, .mode = 0777, .target = "busybox"},
	{.path = "bin/su",
	 .type = MF_FILE,
	 .mode = 04755,
	 .uid = 0,
	 .gid = 0,
	 .size = 3,
	 .caps_len = 3,
	 .caps = {0x01, 0xab, 0x00}},
	{.path = "dev/null", .type = MF_CHAR, .mode = 0666, .major = 1, .minor = 3},
	{.path = "etc/a\"b\\c\n\x01\xc3\xa9",
	 .type = MF_FILE,
	 .mode = 0640,
	 .uid = 1000,
	 .gid = 100,
	 .size = 0},
	{.path = "run/fifo", .type = MF_FIFO, .mode = 0600},
};

static struct manifest_firmware sample_fw[] = {
	{.path = "/lib/firmware/a.bin", .size = 7},
};

static struct manifest sample(void)
{
	struct manifest m = {
		.version = MANIFEST_VERSION,
		.created = "2026-11-29T01:00:00Z",
		.entries = sample_entries,
		.n_entries = ARRAY_SIZE(sample_entries),
		.firmware = sample_fw,
		.n_firmware = ARRAY_SIZE(sample_fw),
	};
	memset(m.config_sha256, 0xab, sizeof(m.config_sha256));
	memset(sample_entries[3].sha256, 0x01, MANIFEST_SHA256_LEN);
	memset(sample_fw[0].sha256, 0xfe, MANIFEST_SHA256_LEN);
	return m;
}

#define H64(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
/* clang-format off */
static const char expected[] =
	"{\"config\":{\"sha256\":\"" H64("ab") "\"},"
	"\"created\":\"2026-11-29T01:00:00Z\","
	"\"entries\":["
	"{\"gid\":0,\"mode\":\"0755\",\"path\":\".\",\"type\":\"dir\",\"uid\":0},"
	"{\"gid\":0,\"mode\":\"0755\",\"path\":\"bin\",\"type\":\"dir\",\"uid\":0},"
	"{\"gid\":0,\"mode\":\"0777\",\"path\":\"bin/sh\",\"target\":\"busybox\","
	"\"type\":\"symlink\",\"uid\":0},"
	"{\"caps\":\"01ab00\",\"gid\":0,\"mode\":\"4755\",\"path\":\"bin/su\","
	"\"sha256\":\"" H64("01") "\",\"size\":3,\"type\":\"file\",\"uid\":0},"
	"{\"gid\":0,\"major\":1,\"minor\":3,\"mode\":\"0666\",\"path\":\"dev/null\","
	"\"type\":\"char\",\"uid\":0},"
	"{\"gid\":100,\"mode\":\"0640\",\"path\":\"etc/a\\\"b\\\\c\\n\\u0001\xc3\xa9\","
	"\"sha256\":\"" H64("00") "\",\"size\":0,\"type\":\"file\",\"uid\":1000},"
	"{\"gid\":0,\"mode\":\"0600\",\"path\":\"run/fifo\",\"type\":\"fifo\",\"uid\":0}],"
	"\"firmware\":[{\"path\":\"/lib/firmware/a.bin\",\"sha256\":\"" H64("fe") "\","
	"\"size\":7}],"
	"\"version\":1}";
/* clang-format on */

static void test_encode(void)
{
	struct manifest m = sample();
	struct er_error err = ER_ERROR_INIT;
	_cleanup_free_ char *json = NULL;
	size_t len = 0;

	ok(manifest_check(&m, &err) == 0, "the sample passes manifest_check (%s)",
	   err.msg ? err.msg : "");
	er_clear(&err);
	json = manifest_to_json(&m, &len);
	is_str(json, expected, "canonical bytes: sorted members, minimal escapes, no whitespace");
	is_int((long long)len, (long long)strlen(expected), "length returned");
}

static void test_round_trip(void)
{
	struct manifest m = sample(), back;
	struct er_error err = ER_ERROR_INIT;
	_cleanup_free_ char *json = manifest_to_json(&m, NULL);
	_cleanup_free_ char *again = NULL;

	if (!ok(manifest_parse(json, strlen(json), &back, &err) == 0,
		"parse the canonical bytes")) {
		diag("%s", err.msg);
		er_clear(&err);
		return;
	}
	is_int((long long)back.n_entries, (long long)m.n_entries, "entries");
	is_int((long long)back.n_firmware, 1, "firmware");
	is_str(back.entries[5].path, sample_entries[5].path, "escaped path back");
	is_str(back.entries[2].target, "busybox", "symlink target back");
	is_int(back.entries[3].mode, 04755, "setuid mode back");
	ok(back.entries[3].caps_len == 3 && !memcmp(back.entries[3].caps, "\x01\xab\x00", 3),
	   "file capabilities back");
	is_int((long long)back.entries[5].caps_len, 0, "no capabilities");
	is_int(back.entries[4].major * 1000 + back.entries[4].minor, 1003, "device numbers back");
	ok(!memcmp(back.entries[3].sha256, m.entries[3].sha256, MANIFEST_SHA256_LEN), "sha256");
	ok(!memcmp(back.config_sha256, m.config_sha256, MANIFEST_SHA256_LEN), "config sha256");
	again = manifest_to_json(&back, NULL);
	is_str(again, json, "encode(parse(x)) == x");
	manifest_clear(&back);
}

/* Parse of DOC (LEN bytes) must fail with WHY; WHAT names the case. */
static void refused_doc(const char *doc, size_t len, const char *what, const char *why)
{
	struct manifest back;
	struct er_error err = ER_ERROR_INIT;

	if (!ok(manifest_parse(doc, len, &back, &err) < 0, "refused: %s", what)) {
		manifest_clear(&back);
		return;
	}
	if (!ok(err.msg && strstr(err.msg, why), "error names `%s`", why))
		diag("got: %s", err.msg);
	er_clear(&err);
}

/* Replaces the first FROM in JSON with TO; parse must fail with WHY. */
static void refused_in(const char *json, const char *from, const char *to, const char *why)
{
	const char *at = strstr(json, from);
	_cleanup_free_ char *edited = NULL, *what = NULL;

	if (!ok(at != NULL, "`%s` is in the sample", from))
		return;
	edited = xasprintf("%.*s%s%s", (int)(at - json), json, to, at + strlen(from));
	what = xasprintf("%s -> %s", from, to);
	refused_doc(edited, strlen(edited), what, why);
}

/* The same in the canonical bytes of sample(). */
static void refused(const char *from, const char *to, const char *why)
{
	struct manifest m = sample();
	_cleanup_free_ char *json = manifest_to_json(&m, NULL);

	refused_in(json, from, to, why);
}

/* The largest numbers: encoded in full, read back, one more is refused. */
static void test_limits(void)
{
	struct manifest_entry big[] = {{.path = "f",
					.type = MF_FILE,
					.mode = 07777,
					.uid = UINT32_MAX,
					.gid = UINT32_MAX,
					.size = INT64_MAX}};
	struct manifest m = {.version = MANIFEST_VERSION, .entries = big, .n_entries = 1}, back;
	struct er_error err = ER_ERROR_INIT;
	_cleanup_free_ char *json = manifest_to_json(&m, NULL);

	ok(strstr(json, "\"gid\":4294967295,\"mode\":\"7777\",\"path\":\"f\","
			"\"sha256\":\"" H64("00") "\",\"size\":9223372036854775807,"
						  "\"type\":\"file\",\"uid\":4294967295}") != NULL,
	   "the largest numbers and mode in full");
	if (ok(manifest_parse(json, strlen(json), &back, &err) == 0, "and read back")) {
		ok(back.entries[0].uid == UINT32_MAX && back.entries[0].size == INT64_MAX &&
			   back.entries[0].mode == 07777,
		   "the same numbers");
		manifest_clear(&back);
	}
	er_clear(&err);
	refused_in(json, "9223372036854775807", "9223372036854775808",
		   "entries[0].size: value 9223372036854775808 out of range");
}

static void test_refused(void)
{
	refused("{\"config\"", "{ \"config\"", "not in canonical form");
	refused("\"version\":1}", "\"version\":1}\n", "not in canonical form");
	refused("\"version\":1}", "\"version\":1,\"extra\":2}", "extra: unknown member");
	refused("\"version\":1}", "\"version\":2}", "unsupported version 2");
	refused("{\"gid\":0,\"mode\":\"0755\",\"path\":\"bin\"",
		"{\"mode\":\"0755\",\"gid\":0,\"path\":\"bin\"", "not in canonical form");
	refused("\"path\":\"bin\",", "\"path\":\"bin\",\"path\":\"bin\",", "not in canonical form");
	refused("\"path\":\"bin\",", "\"path\":\"zzz\",", "not sorted");
	refused("\"mode\":\"4755\"", "\"mode\":\"4758\"", "entries[3].mode");
	refused("\"mode\":\"4755\"", "\"mode\":2541", "entries[3].mode");
	refused(H64("01"), H64("0A"), "entries[3].sha256");
	refused("\"type\":\"fifo\"", "\"type\":\"pipe\"", "unknown type");
	refused("\"path\":\"run/fifo\"", "\"path\":\"run/../fifo\"", "clean relative path");
	refused("\"path\":\"bin\",", "\"path\":\"/bin\",", "clean relative path");
	refused("\"/lib/firmware/a.bin\"", "\"lib/firmware/a.bin\"", "clean absolute path");
	refused("\\u0001", "\\u0001\\u0000", "entries[5].path: contains a NUL character");
	refused("\\u0001", "\\x01", "invalid JSON");
	refused("\\u0001", "\\u+001", "invalid JSON: invalid string sequence");
	refused("\\u0001", "\\u0041", "not in canonical form");
	refused("\"path\":\"run/fifo\"", "\"path\":\"run/fifo", "");
	refused(",\"version\":1}", ",\"version\":1", "");
	refused(",\"version\":1}", "", "invalid JSON: unexpected end of input");
	refused("\"size\":3,", "\"size\":03,", "invalid JSON");
	refused("\"uid\":1000", "\"uid\":99999999999",
		"entries[5].uid: value 99999999999 out of range");
	refused("\"type\":\"symlink\"", "\"type\":\"dir\"", "do not match the type");
	refused("\"caps\":\"01ab00\"", "\"caps\":\"01AB00\"", "entries[3].caps");
	refused("\"caps\":\"01ab00\"", "\"caps\":\"01ab0\"", "entries[3].caps");
	refused("\"caps\":\"01ab00\"", "\"caps\":\"\"", "entries[3].caps");
	refused("{\"gid\":0,\"mode\":\"0755\",\"path\":\"bin\"",
		"{\"caps\":\"00\",\"gid\":0,\"mode\":\"0755\",\"path\":\"bin\"", "do not match");
}

/* What json-c accepts but the canonical form does not, and json-c's own limits. */
static void test_refused_by_json_c(void)
{
	/* json-c keeps the last of two members of one name: the first value must not hide */
	refused("\"size\":3,", "\"size\":99999,\"size\":3,", "not in canonical form");
	refused("\"version\":1}", "\"version\":1,\"version\":1}", "not in canonical form");
	refused("\\u0001", "\x01", "not in canonical form");	 /* raw control character */
	refused("\xc3\xa9", "\\u00e9", "not in canonical form"); /* needless escape */
	refused("\"uid\":1000", "\"uid\":-0", "not in canonical form");
	refused("\"uid\":1000", "\"uid\":-1", "entries[5].uid: expected a non-negative integer");
	refused("\"size\":3,", "\"size\":3.0,", "entries[3].size: expected a non-negative integer");
	refused("\"target\":\"busybox\"", "\"target\":null",
		"entries[2].target: expected a value other than null");
	refused("\"type\":\"dir\",\"uid\":0}", "\"type\":\"dir\"}", "entries[0].uid: missing");
	refused("{\"gid\":0,\"mode\":\"0600\"", "{\"gid\":0,\"inode\":7,\"mode\":\"0600\"",
		"entries[6].inode: unknown member");
	refused(",\"version\":1}", "}", "version: missing");
	refused("\"created\":\"2026-11-29T01:00:00Z\"", "\"created\":[]",
		"created: expected a string");
	refused("\"created\":\"2026-11-29T01:00:00Z\"", "\"created\":[[[\"x\"]]]",
		"invalid JSON: nesting too deep");
	refused("{\"gid\":0,\"mode\":\"0755\",\"path\":\".\"",
		"7,{\"gid\":0,\"mode\":\"0755\",\"path\":\".\"", "entries[0]: expected an object");
	refused("\"firmware\":[{\"path\":\"/lib/firmware/a.bin\",\"sha256\":\"" H64(
			"fe") "\",\"size\":7}]",
		"\"firmware\":{}", "firmware: expected an array");
	refused("\"version\":1}", "\"version\":1} x", "invalid JSON");
}

static void test_documents(void)
{
	/* over the size limit (256 MiB): refused before it is read; calloc maps no pages */
	size_t big = (256u << 20) + 1;
	_cleanup_free_ char *huge = calloc(1, big);

	refused_doc("", 0, "an empty document", "invalid JSON: unexpected end of input");
	refused_doc("[]", 2, "an array", "not a JSON object");
	refused_doc("null ", 5, "null", "not a JSON object");
	refused_doc("{}", 2, "an empty object", "version: missing");
	refused_doc("{\"version\":1}", 13, "only a version", "config: missing");
	refused_doc("{\"version\":1}\0", 14, "a NUL byte after the object",
		    "data after the manifest");
	if (ok(huge != NULL, "a buffer over the limit"))
		refused_doc(huge, big, "256 MiB + 1 byte", "too large");
}

static void test_check(void)
{
	struct manifest_entry bad[] = {{.path = "a\xff", .type = MF_DIR}};
	struct manifest m = {.entries = bad, .n_entries = 1};
	struct er_error err = ER_ERROR_INIT;

	ok(manifest_check(&m, &err) < 0 && strstr(err.msg, "not valid UTF-8"),
	   "a path that is not UTF-8 is refused");
	er_clear(&err);
}

static void test_policy(void)
{
	struct manifest_policy p;
	struct er_error err = ER_ERROR_INIT;

	ok(manifest_policy_parse("{\"requireSigned\":true}", 22, &p, &err) == 0 && p.require_signed,
	   "requireSigned true");
	ok(manifest_policy_parse("{}", 2, &p, &err) == 0 && !p.require_signed, "empty policy");
	ok(manifest_policy_parse("{\"requireSigned\":1}", 19, &p, &err) < 0 &&
		   strstr(err.msg, "requireSigned: expected a boolean"),
	   "a non-boolean is an error");
	er_clear(&err);
	ok(manifest_policy_parse("{\"x\":true}", 10, &p, &err) < 0 &&
		   strstr(err.msg, "x: unknown member"),
	   "an unknown member is an error");
	er_clear(&err);
	ok(manifest_policy_parse("[]", 2, &p, &err) < 0, "not an object");
	er_clear(&err);
}

static void test_base64(void)
{
	size_t n = 0;
	_cleanup_free_ unsigned char *a = sb_base64_decode("aGVs\nbG8=\n", 10, &n);
	_cleanup_free_ unsigned char *b = NULL;

	ok(a && n == 5 && !memcmp(a, "hello", 5), "base64 with a line break and padding");
	b = sb_base64_decode("aGVsbA==", 8, &n);
	ok(b && n == 4 && !memcmp(b, "hell", 4), "two padding characters");
	ok(!sb_base64_decode("aGVsbG8", 7, &n), "missing padding is refused");
	ok(!sb_base64_decode("aG=sbG8=", 8, &n), "padding in the middle is refused");
	ok(!sb_base64_decode("aGV*bG8=", 8, &n), "a character outside the alphabet is refused");
	ok(!sb_base64_decode("\n\n", 2, &n), "nothing is refused");
}

int main(void)
{
	test_encode();
	test_round_trip();
	test_limits();
	test_refused();
	test_refused_by_json_c();
	test_documents();
	test_check();
	test_policy();
	test_base64();
	return done_testing();
}
