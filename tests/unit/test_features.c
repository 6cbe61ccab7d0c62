/* SPDX-License-Identifier: Apache-2.0 */
/*
 * specconv/features.c: the document's layout and content, and that every name it lists is
 * one the rest of edgerun really takes (the config parser, the mount options, the seccomp
 * compiler and its kernel flag checks).
 */
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "seccomp/internal.h"
#include "seccomp/seccomp.h"
#include "specconv/features.h"
#include "specconv/spec.h"
#include "tap.h"

/* ---- helpers ---- */

/* JSON written with single quotes, for readability: 'a' -> "a". */
static char *dq(const char *s)
{
	char *out = xstrdup(s);

	for (char *p = out; *p; p++)
		if (*p == '\'')
			*p = '"';
	return out;
}

static struct spec *parse(const char *sq)
{
	_cleanup_free_ char *json = dq(sq);
	struct er_error err = ER_ERROR_INIT;
	struct spec *s = spec_parse(json, strlen(json), "/b", &err);

	if (!s) {
		diag("parse error: %s", err.msg);
		er_clear(&err);
	}
	return s;
}

static bool parses(const char *sq)
{
	struct spec *s = parse(sq);

	spec_free(s);
	return s != NULL;
}

#define DOC(...) "{'ociVersion':'1.3.0','root':{'path':'rootfs'}" __VA_ARGS__ "}"
#define PROC(...) DOC(",'process':{'cwd':'/','args':['sh']" __VA_ARGS__ "}")
#define LINUX(...) DOC(",'linux':{" __VA_ARGS__ "}")
#define SECCOMP(...) LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW'," __VA_ARGS__ "}")

static json_object *get(json_object *o, const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char *save = NULL;

	for (char *k = strtok_r(copy, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, k, &o))
			return NULL;
	return o;
}

/* The keys of an object, in order, joined with spaces. */
static char *keys(json_object *o)
{
	char *out = xstrdup("");

	if (!o)
		return out;
	json_object_object_foreach(o, k, member)
	{
		char *next = xasprintf("%s%s%s", out, *out ? " " : "", k);

		(void)member;
		free(out);
		out = next;
	}
	return out;
}

static bool is_bool(json_object *o, const char *path, bool want)
{
	json_object *v = get(o, path);

	return ok(v && json_object_is_type(v, json_type_boolean) &&
			  (bool)json_object_get_boolean(v) == want,
		  "%s is %s", path, want ? "true" : "false");
}

/* The strings of the array at PATH, NULL-terminated (NULL when absent). */
static char **strings(json_object *o, const char *path)
{
	json_object *a = get(o, path);
	char **out;

	if (!a || !json_object_is_type(a, json_type_array))
		return NULL;
	out = xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < json_object_array_length(a); i++)
		strv_push(&out, xstrdup(json_object_get_string(json_object_array_get_idx(a, i))));
	return out;
}

static bool in(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

/* ---- the builder ---- */

static void test_layout(void)
{
	char *caps[] = {"CAP_CHOWN", "CAP_KILL", NULL};
	char *archs[] = {"SCMP_ARCH_X86_64", NULL};
	char *none[] = {NULL};
	struct spec_features f = {
		.version = "9.9.9",
		.commit = "abc1234",
		.net_devices = true,
		.capabilities = caps,
		.seccomp_archs = archs,
		.seccomp_supported_flags = none,
		.libseccomp_version = "2.5.4",
		.apparmor = true,
	};
	_cleanup_free_ char *text = spec_features_json(&f);
	const char *head = "{\n"
			   "    \"ociVersionMin\": \"1.0.0\",\n"
			   "    \"ociVersionMax\": \"1.3.0\",\n"
			   "    \"hooks\": [\n"
			   "        \"prestart\",\n"
			   "        \"createRuntime\",\n";
	const char *tail = "    \"annotations\": {\n"
			   "        \"io.github.seccomp.libseccomp.version\": \"2.5.4\",\n"
			   "        \"org.edgerun.commit\": \"abc1234\",\n"
			   "        \"org.edgerun.version\": \"9.9.9\"\n"
			   "    }\n"
			   "}\n";
	json_object *doc = json_tokener_parse(text);
	_cleanup_free_ char *top = keys(doc), *lin = keys(get(doc, "linux"));

	ok(!strncmp(text, head, strlen(head)), "runc's layout: 4-space indent, \"key\": value");
	ok(strlen(text) > strlen(tail) && !strcmp(text + strlen(text) - strlen(tail), tail),
	   "annotations sorted by key, one newline at the end");
	ok(strstr(text, "\n        \"capabilities\": [\n"
			"            \"CAP_CHOWN\",\n"
			"            \"CAP_KILL\"\n"
			"        ],\n") != NULL,
	   "nested arrays indented one level deeper");
	ok(strstr(text, "\"supportedFlags\": []\n") != NULL, "an empty list prints as []");
	ok(strstr(text, "\"cgroup\": {\n            \"v1\": true,\n") != NULL, "booleans");
	ok(doc != NULL, "the document parses");
	is_str(top, "ociVersionMin ociVersionMax hooks mountOptions linux annotations",
	       "top-level members in features.md's order");
	is_str(lin,
	       "namespaces capabilities cgroup seccomp apparmor selinux intelRdt "
	       "mountExtensions netDevices",
	       "linux members in features-linux.md's order");
	is_bool(doc, "linux.cgroup.v1", true);
	is_bool(doc, "linux.cgroup.v2", true);
	is_bool(doc, "linux.cgroup.systemd", false);
	is_bool(doc, "linux.cgroup.systemdUser", false);
	is_bool(doc, "linux.cgroup.rdma", true);
	is_bool(doc, "linux.seccomp.enabled", true);
	is_bool(doc, "linux.apparmor.enabled", true);
	is_bool(doc, "linux.selinux.enabled", false);
	is_bool(doc, "linux.intelRdt.enabled", false);
	is_bool(doc, "linux.mountExtensions.idmap.enabled", false);
	is_bool(doc, "linux.netDevices.enabled", true);
	is_str(json_object_get_string(get(doc, "linux.seccomp.archs")), "[ \"SCMP_ARCH_X86_64\" ]",
	       "archs as given");
	json_object_put(doc);
}

static void test_absent(void)
{
	struct spec_features f = {0};
	_cleanup_free_ char *text = spec_features_json(&f);
	json_object *doc = json_tokener_parse(text);

	ok(doc != NULL, "without probed members: parses");
	ok(!get(doc, "linux.capabilities") && !get(doc, "linux.seccomp.archs") &&
		   !get(doc, "linux.seccomp.supportedFlags"),
	   "without probed members: those lists are absent (unknown), not []");
	ok(get(doc, "linux.seccomp.knownFlags") != NULL, "knownFlags are edgerun's own");
	ok(strstr(text, "\"annotations\": {}\n") != NULL, "no annotation: {}");
	is_bool(doc, "linux.netDevices.enabled", false);
	json_object_put(doc);
}

/* ---- every listed name works ---- */

static void test_hooks_and_namespaces(json_object *doc)
{
	_cleanup_strv_ char **hooks = strings(doc, "hooks");
	_cleanup_strv_ char **ns = strings(doc, "linux.namespaces");
	size_t n = strv_len(hooks);

	is_int((long long)n, HOOK__MAX, "hooks: every kind specconv has");
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *doc_sq =
			xasprintf(DOC(",'hooks':{'%s':[{'path':'/bin/true'}]}"), hooks[i]);
		struct spec *s = parse(doc_sq);

		ok(s && s->hooks.n[i] == 1, "hook %s is parsed (as kind %zu)", hooks[i], i);
		spec_free(s);
	}
	ok(in(ns, "time"), "namespaces include time");
	for (size_t i = 0; ns && ns[i]; i++) {
		/* a new user namespace needs its mappings */
		const char *maps = strcmp(ns[i], "user")
					   ? ""
					   : ",'uidMappings':[{'containerID':0,"
					     "'hostID':1000,'size':1}],'gidMappings':"
					     "[{'containerID':0,'hostID':1000,'size':1}]";
		_cleanup_free_ char *sq =
			xasprintf(LINUX("'namespaces':[{'type':'%s'}]%s"), ns[i], maps);

		ok(parses(sq), "namespace %s is taken", ns[i]);
	}
	ok(!parses(LINUX("'namespaces':[{'type':'bogus'}]")), "(an unknown namespace is not)");
}

/* runc's list (runtime-spec features.md) and the idmap options: every name a caller may ask
 * about. edgerun lists a name exactly when mountopts.c takes it as a mount option (not as
 * filesystem data) and it is not an idmapped mount, which edgerun refuses. */
static const char *const mount_universe[] = {
	"acl",		"async",       "atime",		 "bind",
	"defaults",	"dev",	       "diratime",	 "dirsync",
	"exec",		"iversion",    "lazytime",	 "loud",
	"mand",		"noacl",       "noatime",	 "nodev",
	"nodiratime",	"noexec",      "noiversion",	 "nolazytime",
	"nomand",	"norelatime",  "nostrictatime",	 "nosuid",
	"nosymfollow",	"private",     "ratime",	 "rbind",
	"rdev",		"rdiratime",   "relatime",	 "remount",
	"rexec",	"rnoatime",    "rnodev",	 "rnodiratime",
	"rnoexec",	"rnorelatime", "rnostrictatime", "rnosuid",
	"rnosymfollow", "ro",	       "rprivate",	 "rrelatime",
	"rro",		"rrw",	       "rshared",	 "rslave",
	"rstrictatime", "rsuid",       "rsymfollow",	 "runbindable",
	"rw",		"shared",      "silent",	 "slave",
	"strictatime",	"suid",	       "symfollow",	 "sync",
	"tmpcopyup",	"unbindable",  "idmap",		 "ridmap",
};

static bool mount_option_usable(const char *name)
{
	char *opts[] = {(char *)name, NULL};
	struct spec_mount m = {.destination = "/m", .type = "tmpfs", .options = opts};
	struct er_error err = ER_ERROR_INIT;
	bool usable = spec_mount_parse_options(&m, &err) == 0 && !m.data && !m.idmap && !m.ridmap;

	free(m.data);
	er_clear(&err);
	return usable;
}

static void test_mount_options(json_object *doc)
{
	_cleanup_strv_ char **opts = strings(doc, "mountOptions");
	size_t mismatches = 0;

	for (size_t i = 0; opts && opts[i]; i++) {
		bool known = false;

		for (size_t j = 0; j < ARRAY_SIZE(mount_universe); j++)
			known = known || !strcmp(opts[i], mount_universe[j]);
		if (!known || (i > 0 && strcmp(opts[i - 1], opts[i]) >= 0)) {
			diag("mountOptions: `%s` unknown or out of order", opts[i]);
			mismatches++;
		}
	}
	for (size_t j = 0; j < ARRAY_SIZE(mount_universe); j++) {
		if (mount_option_usable(mount_universe[j]) != in(opts, mount_universe[j])) {
			diag("mountOptions: `%s` listed %d, usable %d", mount_universe[j],
			     in(opts, mount_universe[j]), mount_option_usable(mount_universe[j]));
			mismatches++;
		}
	}
	is_int((long long)mismatches, 0, "mountOptions: sorted, exactly the usable options");
	ok(in(opts, "rro") && in(opts, "rnosymfollow") && in(opts, "tmpcopyup"),
	   "mountOptions include the recursive ones and tmpcopyup");
	ok(!in(opts, "idmap") && !in(opts, "ridmap") && !in(opts, "defaults"),
	   "mountOptions leave out idmap, ridmap and filesystem data");
}

static void test_capabilities(json_object *doc)
{
	_cleanup_strv_ char **caps = strings(doc, "linux.capabilities");
	_cleanup_free_ char *list = xstrdup("");
	_cleanup_free_ char *sq = NULL;
	struct spec *s;

	ok(caps && caps[0] && !strcmp(caps[0], "CAP_CHOWN"), "capabilities start at CAP_CHOWN");
	ok(in(caps, "CAP_SYS_ADMIN") && in(caps, "CAP_NET_BIND_SERVICE"),
	   "capabilities include CAP_SYS_ADMIN");
	for (size_t i = 0; caps && caps[i]; i++) {
		char *next = xasprintf("%s%s'%s'", list, i ? "," : "", caps[i]);

		free(list);
		list = next;
	}
	sq = xasprintf(PROC(",'capabilities':{'bounding':[%s]}"), list);
	s = parse(sq);
	is_int(s ? __builtin_popcountll(s->process->caps.bounding) : -1, (long long)strv_len(caps),
	       "every listed capability is a distinct bit of the config's set");
	spec_free(s);
}

static void test_seccomp_names(json_object *doc)
{
	_cleanup_strv_ char **actions = strings(doc, "linux.seccomp.actions");
	_cleanup_strv_ char **ops = strings(doc, "linux.seccomp.operators");

	ok(in(actions, "SCMP_ACT_NOTIFY") && in(actions, "SCMP_ACT_KILL_PROCESS"),
	   "actions include SCMP_ACT_NOTIFY");
	for (size_t i = 0; actions && actions[i]; i++) {
		_cleanup_free_ char *sq = xasprintf(
			SECCOMP("'syscalls':[{'names':['getpid'],'action':'%s'}]"), actions[i]);

		ok(parses(sq), "action %s is taken", actions[i]);
	}
	is_int((long long)strv_len(ops), 7, "seven operators");
	for (size_t i = 0; ops && ops[i]; i++) {
		_cleanup_free_ char *sq = xasprintf(
			SECCOMP("'syscalls':[{'names':['getpid'],'action':'SCMP_ACT_ERRNO',"
				"'args':[{'index':0,'value':1,'op':'%s'}]}]"),
			ops[i]);

		ok(parses(sq), "operator %s is taken", ops[i]);
	}
}

/* libseccomp puts only architectures of the native byte order in one filter (EDOM for the
 * others): each listed arch compiles next to the native one, or is refused for that reason
 * only, never as unknown. */
static bool arch_compiles(const char *arch, struct er_error *err)
{
	char *archs[] = {(char *)arch, NULL};
	char *names[] = {"getpid", NULL};
	struct spec_seccomp_rule rule = {.names = names, .action = SCMP_ACT_ERRNO(0)};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW,
				  .architectures = archs,
				  .rules = &rule,
				  .n_rules = 1};
	struct seccomp_prog prog = {0};
	int r = seccomp_prepare(&sc, NULL, &prog, err);

	seccomp_prog_free(&prog);
	return r == 0;
}

static void test_seccomp_archs(json_object *doc)
{
	_cleanup_strv_ char **archs = strings(doc, "linux.seccomp.archs");
	uint32_t native = seccomp_arch_native();
	size_t bad = 0;

#if defined(__x86_64__)
	ok(in(archs, "SCMP_ARCH_X86_64") && in(archs, "SCMP_ARCH_X86") &&
		   in(archs, "SCMP_ARCH_X32"),
	   "archs include the x86 family");
#endif
	ok(strv_len(archs) >= 16, "archs: libseccomp 2.5's at least (%zu)", strv_len(archs));
	for (size_t i = 0; archs && archs[i]; i++) {
		_cleanup_free_ char *lower = xstrdup(archs[i] + strlen("SCMP_ARCH_"));
		struct er_error err = ER_ERROR_INIT;
		uint32_t token;
		bool same_order;

		for (char *p = lower; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		token = seccomp_arch_resolve_name(lower);
		same_order = token && (token & __AUDIT_ARCH_LE) == (native & __AUDIT_ARCH_LE);
		if (arch_compiles(archs[i], &err) != same_order ||
		    (!same_order && err.errnum != EDOM)) {
			diag("%s: token %#x: %s", archs[i], token, err.msg ? err.msg : "compiles");
			bad++;
		}
		er_clear(&err);
		if (i > 0 && strcmp(archs[i - 1], archs[i]) >= 0) {
			diag("%s: out of order", archs[i]);
			bad++;
		}
	}
	is_int((long long)bad, 0,
	       "archs sorted; each compiles, or only the other byte order is refused (EDOM)");
}

/* A flag is listed as supported exactly when seccomp/compile.c would take it. */
static void test_seccomp_flags(json_object *doc)
{
	_cleanup_strv_ char **known = strings(doc, "linux.seccomp.knownFlags");
	_cleanup_strv_ char **supported = strings(doc, "linux.seccomp.supportedFlags");

	is_int((long long)strv_len(known), 4, "four known flags");
	ok(in(known, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"), "knownFlags: WAIT_KILLABLE_RECV");
	for (size_t i = 0; known && known[i]; i++) {
		char *flags[] = {known[i], NULL};
		char *names[] = {"getpid", NULL};
		bool killable = !strcmp(known[i], "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
		struct spec_seccomp_rule rule = {
			.names = names, .action = killable ? SCMP_ACT_NOTIFY : SCMP_ACT_LOG};
		struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW,
					  .flags = flags,
					  .rules = &rule,
					  .n_rules = 1};
		struct er_error err = ER_ERROR_INIT;
		unsigned int bits = 0;
		bool notify = false;
		bool takes = seccomp_profile_flags(&sc, &bits, &notify, &err) == 0;

		is_int(in(supported, known[i]), takes, "%s: supported %s", known[i],
		       takes ? "(the kernel takes it)" : "(refused here)");
		er_clear(&err);
	}
	for (size_t i = 0; supported && supported[i]; i++)
		ok(in(known, supported[i]), "supported %s is known", supported[i]);
}

static void test_probe(void)
{
	struct spec_features f = {.version = "0", .commit = "c"};
	const struct scmp_version *v = seccomp_version();
	_cleanup_free_ char *want = xasprintf("%u.%u.%u", v->major, v->minor, v->micro);
	_cleanup_free_ char *text = NULL;
	json_object *doc;

	spec_features_probe(&f);
	is_str(f.libseccomp_version, want, "libseccomp version as seccomp_version() says");
	ok(strv_len(f.capabilities) >= 38, "capabilities probed (%zu)", strv_len(f.capabilities));
	spec_features_probe(&f); /* twice: frees the first */
	text = spec_features_json(&f);
	spec_features_free(&f);
	ok(!f.capabilities && !f.libseccomp_version, "spec_features_free resets");
	doc = json_tokener_parse(text);
	if (!ok(doc != NULL, "probed document parses"))
		return;
	test_hooks_and_namespaces(doc);
	test_mount_options(doc);
	test_capabilities(doc);
	test_seccomp_names(doc);
	test_seccomp_archs(doc);
	test_seccomp_flags(doc);
	json_object_put(doc);
}

int main(void)
{
	test_layout();
	test_absent();
	test_probe();
	return done_testing();
}
