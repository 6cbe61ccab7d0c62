/* SPDX-License-Identifier: Apache-2.0 */
/* Offline commands: the declaration (parse, validate), param matching, argv, durations,
 * the journal records' JSON. */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "edge/commands.h"
#include "tap.h"

static int decl(const char *json, struct cmds_decl *d, struct er_error *err)
{
	if (cmds_decl_parse(json, d, err) < 0)
		return -1;
	if (cmds_decl_validate(d, err) < 0) {
		cmds_decl_clear(d);
		return -1;
	}
	return 0;
}

/* The error a declaration gives ("" when it is accepted). */
static char *decl_error(const char *json)
{
	struct cmds_decl d;
	struct er_error err = ER_ERROR_INIT;

	if (decl(json, &d, &err) == 0) {
		cmds_decl_clear(&d);
		return xstrdup("");
	}
	return err.msg;
}

static void test_durations(void)
{
	static const struct {
		const char *s;
		int ok;
		uint64_t ms;
	} cases[] = {
		{"30s", 0, 30000},  {"5m", 0, 300000},
		{"2h", 0, 7200000}, {"1d", 0, 86400000},
		{"250ms", 0, 250},  {"10", 0, 10000},
		{"0s", 0, 0},	    {"", -1, 0},
		{"s", -1, 0},	    {"5x", -1, 0},
		{"-5s", -1, 0},	    {"5 s", -1, 0},
		{"1.5h", -1, 0},    {"9999999999999d", -1, 0},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint64_t ms = 0;
		int r = cmds_parse_duration(cases[i].s, &ms);

		ok(r == cases[i].ok && (r < 0 || ms == cases[i].ms), "duration `%s`", cases[i].s);
	}
}

static void test_regex(void)
{
	static const struct {
		const char *re, *value;
		int want;
	} cases[] = {
		{"^[0-9]{1,3}$", "42", 1},
		{"^[0-9]{1,3}$", "1234", 0},
		{"^[0-9]{1,3}$", "1; rm -rf /", 0},
		{"^[0-9]{1,3}$", "", 0},
		{"[0-9]+", "12a", 0}, /* anchored even without ^ $ */
		{"[0-9]+", "a12", 0},
		{"a|b", "ab", 0}, /* the alternation is inside the anchors */
		{"a|b", "b", 1},
		{"open|close", "close", 1},
		{"[a-z]*", "", 1},
		{"[0-9]+", "1\n2", 0}, /* no line-wise matching */
	};
	struct er_error err = ER_ERROR_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		is_int(cmds_regex_full_match(cases[i].re, cases[i].value, &err), cases[i].want,
		       "regex `%s` on value %zu", cases[i].re, i);
	is_int(cmds_regex_full_match("([0-9]", "1", &err), -1, "a bad regex is an error");
	ok(err.msg && strstr(err.msg, "invalid regular expression"), "its message: %s", err.msg);
	er_clear(&err);
}

#define VALVE                                                                                      \
	"{\"set-valve\": {\"args\": [\"/bin/ctl\", \"valve\", \"--pos={pos}\", \"{{x}}\"], "       \
	"\"params\": {\"pos\": \"^[0-9]{1,3}$\"}, \"timeout\": 10, \"ttl\": \"5m\", "              \
	"\"user\": {\"uid\": 1000, \"gid\": 100}, \"env\": [\"A=1\"], \"cwd\": \"/tmp\", "         \
	"\"idempotent\": true}, \"ping\": {\"args\": [\"/bin/true\"]}}"

static void test_decl(void)
{
	struct cmds_decl d;
	struct er_error err = ER_ERROR_INIT;
	const struct cmds_command *c;

	if (!ok(decl(VALVE, &d, &err) == 0, "a full declaration parses")) {
		diag("%s", err.msg);
		return;
	}
	is_int((long long)d.n, 2, "two commands");
	c = cmds_decl_find(&d, "set-valve");
	ok(c && c->timeout_ms == 10000 && c->ttl_ms == 300000 && c->has_user && c->uid == 1000 &&
		   c->gid == 100 && c->idempotent && strcmp(c->cwd, "/tmp") == 0 &&
		   strcmp(c->env[0], "A=1") == 0,
	   "every field");
	ok(cmds_decl_find(&d, "nope") == NULL, "an undeclared name is not found");
	cmds_decl_clear(&d);
}

static void test_decl_errors(void)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{"{\"set-valve\": {\"args\": [\"x\", \"{pos}\"], \"params\": {\"pos\": "
		 "\"^[0-9]{1,3$\"}}}",
		 "annotations[\"org.edgerun.commands\"].set-valve.params.pos: invalid regular "
		 "expression `^[0-9]{1,3$`: "},
		{"{\"set-valve\": {\"args\": [\"x\", \"valve\", \"{position}\"], \"params\": "
		 "{\"pos\": "
		 "\"x\"}}}",
		 "annotations[\"org.edgerun.commands\"].set-valve.args[2]: unknown placeholder "
		 "`{position}` (not in params)"},
		{"{\"a\": {\"args\": [\"{pos\"], \"params\": {\"pos\": \"x\"}}}",
		 "annotations[\"org.edgerun.commands\"].a.args[0]: unbalanced `{`"},
		{"{\"a\": {\"args\": [\"x}\"]}}",
		 "annotations[\"org.edgerun.commands\"].a.args[0]: "
		 "unbalanced `}`"},
		{"{\"a\": {\"params\": {}}}",
		 "annotations[\"org.edgerun.commands\"].a.args: missing"},
		{"{\"a\": {\"args\": []}}",
		 "annotations[\"org.edgerun.commands\"].a.args: must not be empty"},
		{"{\"a\": {\"args\": [\"x\"], \"timeout\": \"soon\"}}",
		 "annotations[\"org.edgerun.commands\"].a.timeout: expected seconds or a duration"},
		{"{\"a\": {\"args\": [\"x\"], \"cwd\": \"tmp\"}}",
		 "annotations[\"org.edgerun.commands\"].a.cwd: must be an absolute path"},
		{"{\"a\": {\"args\": [\"x\"], \"env\": [\"NOEQUALS\"]}}",
		 "annotations[\"org.edgerun.commands\"].a.env[0]: expected KEY=VALUE"},
		{"{\"a\": {\"args\": [\"x\"], \"shell\": true}}",
		 "annotations[\"org.edgerun.commands\"].a.shell: unknown field"},
		{"{\"a\": {\"args\": [\"x\"], \"params\": {\"p\": 1}}}",
		 "annotations[\"org.edgerun.commands\"].a.params.p: expected a string"},
		{"[1]", "annotations[\"org.edgerun.commands\"]: "},
		{"{\"a\": {\"args\": [\"{{literal}}\"]}}", ""},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *msg = decl_error(cases[i].json);

		if (!ok(strncmp(msg, cases[i].want, strlen(cases[i].want)) == 0 &&
				(*cases[i].want || !*msg),
			"declaration error %zu", i)) {
			diag("got:  %s", msg);
			diag("want: %s...", cases[i].want);
		}
		free(msg);
	}
}

static int check(const struct cmds_decl *d, const char *name, const char *const *args, char **msg)
{
	struct spec_kv kv[8];
	struct er_error err = ER_ERROR_INIT;
	size_t n = 0;
	int r = 0;

	for (; args[n]; n++)
		if (cmds_param_parse(args[n], &kv[n], &err) < 0) {
			r = -1;
			break;
		}
	if (r == 0)
		r = cmds_request_check(d, name, kv, n, &err);
	for (size_t i = 0; i < n && kv[i].key; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	*msg = err.msg;
	return r;
}

static void test_requests(void)
{
	static const struct {
		const char *name;
		const char *args[4];
		const char *want; /* NULL: accepted */
	} cases[] = {
		{"set-valve", {"pos=10"}, NULL},
		{"set-valve", {"pos=1; rm -rf /"}, "does not match"},
		{"set-valve", {"pos="}, "does not match"},
		{"set-valve", {"pos=1", "speed=2"}, "param `speed` is not declared"},
		{"set-valve", {"pos=1", "pos=2"}, "given twice"},
		{"set-valve", {NULL}, "param `pos` is missing"},
		{"set-valve", {"=1"}, "expected name=value"},
		{"set-valve", {"pos"}, "expected name=value"},
		{"reboot", {NULL}, "command `reboot` is not declared"},
		{"ping", {NULL}, NULL},
		{"ping", {"x=1"}, "not declared"},
	};
	struct cmds_decl d;
	struct er_error err = ER_ERROR_INIT;

	if (decl(VALVE, &d, &err) < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *msg = NULL;
		int r = check(&d, cases[i].name, cases[i].args, &msg);

		if (!ok(cases[i].want ? r < 0 && msg && strstr(msg, cases[i].want) : r == 0,
			"request %zu (%s %s)", i, cases[i].name,
			cases[i].args[0] ? cases[i].args[0] : ""))
			diag("got: %d %s", r, msg ? msg : "");
		free(msg);
	}
	cmds_decl_clear(&d);
}

static void test_argv(void)
{
	struct cmds_decl d;
	struct er_error err = ER_ERROR_INIT;
	struct spec_kv kv = {.key = (char *)"pos", .value = (char *)"7 ; $(x) {pos}"};
	char **argv;

	if (decl(VALVE, &d, &err) < 0)
		return;
	argv = cmds_build_argv(cmds_decl_find(&d, "set-valve"), &kv, 1, &err);
	ok(argv && strv_len(argv) == 4, "one argv element per declared arg");
	if (argv) {
		is_str(argv[0], "/bin/ctl", "argv[0]");
		is_str(argv[2], "--pos=7 ; $(x) {pos}", "the value is placed verbatim, once");
		is_str(argv[3], "{x}", "{{ and }} are literal braces");
	}
	strv_free(argv);
	cmds_decl_clear(&d);
}

static void test_records(void)
{
	struct spec_kv kv = {.key = (char *)"pos", .value = (char *)"10"};
	struct cmds_rec q = {.type = CMDS_REC_QUEUE,
			     .seq = 7,
			     .ms = 1000,
			     .request_id = (char *)"r",
			     .name = (char *)"set-valve",
			     .params = &kv,
			     .n_params = 1,
			     .deadline_ms = 5000};
	struct cmds_rec s = {.type = CMDS_REC_STATE,
			     .seq = 7,
			     .ms = 2000,
			     .state = CMDS_DONE,
			     .has_exit = true,
			     .exit_status = 3,
			     .duration_ms = 12,
			     .output = (char *)"out\n\"quoted\""};
	struct cmds_rec back;
	struct cmds_entry e = {0};
	struct er_error err = ER_ERROR_INIT;
	char *json = cmds_rec_to_json(&q);

	ok(cmds_rec_from_json(json, strlen(json), &back, &err) == 0 && back.seq == 7 &&
		   back.type == CMDS_REC_QUEUE && strcmp(back.name, "set-valve") == 0 &&
		   back.n_params == 1 && strcmp(back.params[0].value, "10") == 0 &&
		   back.deadline_ms == 5000 && strcmp(back.request_id, "r") == 0,
	   "a queue record round-trips: %s", json);
	cmds_entry_apply(&e, &back);
	cmds_rec_clear(&back);
	free(json);
	json = cmds_rec_to_json(&s);
	ok(cmds_rec_from_json(json, strlen(json), &back, &err) == 0 && back.state == CMDS_DONE &&
		   back.has_exit && back.exit_status == 3 &&
		   strcmp(back.output, "out\n\"quoted\"") == 0,
	   "a state record round-trips");
	ok(!strchr(json, '\n'), "a record is one line");
	cmds_entry_apply(&e, &back);
	ok(e.state == CMDS_DONE && e.exit_status == 3 && e.queued_ms == 1000 && e.ended_ms == 2000,
	   "records fold into an entry");
	cmds_rec_clear(&back);
	free(json);
	json = cmds_entry_to_json(&e);
	ok(strstr(json, "\"seq\":7") && strstr(json, "\"state\":\"done\"") &&
		   strstr(json, "\"exit_status\":3") && strstr(json, "\"request_id\":\"r\""),
	   "the log line: %s", json);
	free(json);
	cmds_entry_clear(&e);
	ok(cmds_rec_from_json("{\"t\":\"state\",\"seq\":1,\"state\":\"zombie\"}", 38, &back, &err) <
		   0,
	   "an unknown state is refused");
	er_clear(&err);
}

static void test_utf8(void)
{
	char s[] = "ok \xc3\xa9 \xff\xfe bad \xe2\x82";
	char *r = cmds_utf8_sanitize(s, sizeof(s) - 1);

	is_str(r, "ok \xc3\xa9 ?? bad ??", "invalid UTF-8 is replaced, valid kept");
}

int main(void)
{
	test_durations();
	test_regex();
	test_decl();
	test_decl_errors();
	test_requests();
	test_argv();
	test_records();
	test_utf8();
	return done_testing();
}
