/* SPDX-License-Identifier: Apache-2.0 */
/* spec_mount_parse_options: mount options -> flags, propagation, recursive attributes, data. */
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "common/util.h"
#include "specconv/spec.h"
#include "tap.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

struct opt_case {
	const char *type;
	const char *options; /* space-separated; "" is one empty option */
	unsigned long flags, clear_flags, propagation;
	uint64_t rec_set, rec_clr;
	const char *data;
	bool idmap, ridmap, tmpcopyup;
};

#define REC_ATIME MOUNT_ATTR__ATIME

static const struct opt_case cases[] = {
	{"proc", NULL, 0, 0, 0, 0, 0, NULL, false, false, false},
	{"tmpfs", "nosuid noexec nodev", MS_NOSUID | MS_NOEXEC | MS_NODEV, 0, 0, 0, 0, NULL},
	{"tmpfs", "ro rw", 0, MS_RDONLY, 0, 0, 0, NULL},
	{"tmpfs", "rw ro", MS_RDONLY, 0, 0, 0, 0, NULL},
	{"ext4",
	 "sync dirsync remount mand noatime nodiratime relatime strictatime lazytime "
	 "silent iversion nosymfollow",
	 MS_SYNCHRONOUS | MS_DIRSYNC | MS_REMOUNT | MS_MANDLOCK | MS_NOATIME | MS_NODIRATIME |
		 MS_RELATIME | MS_STRICTATIME | MS_LAZYTIME | MS_SILENT | MS_I_VERSION |
		 MS_NOSYMFOLLOW,
	 0, 0, 0, 0, NULL},
	{"ext4",
	 "suid dev exec async nomand atime diratime norelatime nostrictatime nolazytime loud "
	 "noiversion symfollow",
	 0,
	 MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_MANDLOCK | MS_NOATIME |
		 MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME | MS_LAZYTIME | MS_SILENT |
		 MS_I_VERSION | MS_NOSYMFOLLOW,
	 0, 0, 0, NULL},
	{"ext4", "nosuid suid", 0, MS_NOSUID, 0, 0, 0, NULL},
	{"none", "bind", MS_BIND, 0, 0, 0, 0, NULL},
	{"none", "rbind ro", MS_BIND | MS_REC | MS_RDONLY, 0, 0, 0, 0, NULL},
	{"bind", NULL, MS_BIND, 0, 0, 0, 0, NULL},
	{"bind", "rbind", MS_BIND | MS_REC, 0, 0, 0, 0, NULL},
	{NULL, "bind", MS_BIND, 0, 0, 0, 0, NULL},
	{"none", "bind shared", MS_BIND, 0, MS_SHARED, 0, 0, NULL},
	{"none", "bind rshared", MS_BIND, 0, MS_SHARED | MS_REC, 0, 0, NULL},
	{"none", "bind slave", MS_BIND, 0, MS_SLAVE, 0, 0, NULL},
	{"none", "bind rslave", MS_BIND, 0, MS_SLAVE | MS_REC, 0, 0, NULL},
	{"none", "bind private", MS_BIND, 0, MS_PRIVATE, 0, 0, NULL},
	{"none", "bind rprivate", MS_BIND, 0, MS_PRIVATE | MS_REC, 0, 0, NULL},
	{"none", "bind unbindable", MS_BIND, 0, MS_UNBINDABLE, 0, 0, NULL},
	{"none", "bind runbindable", MS_BIND, 0, MS_UNBINDABLE | MS_REC, 0, 0, NULL},
	{"none", "rbind shared rprivate", MS_BIND | MS_REC, 0, MS_PRIVATE | MS_REC, 0, 0, NULL},
	{"none", "rbind rro rnosuid rnodev rnoexec rnodiratime rnosymfollow", MS_BIND | MS_REC, 0,
	 0,
	 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
		 MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW,
	 0, NULL},
	{"none", "rbind rrw rsuid rdev rexec rdiratime rsymfollow", MS_BIND | MS_REC, 0, 0, 0,
	 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
		 MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW,
	 NULL},
	{"none", "rbind rro rrw", MS_BIND | MS_REC, 0, 0, 0, MOUNT_ATTR_RDONLY, NULL},
	{"none", "rbind rrw rro", MS_BIND | MS_REC, 0, 0, MOUNT_ATTR_RDONLY, 0, NULL},
	/* atime modes: one 3-bit field, last one wins, always with the field in attr_clr */
	{"none", "rbind rnoatime", MS_BIND | MS_REC, 0, 0, MOUNT_ATTR_NOATIME, REC_ATIME, NULL},
	{"none", "rbind rstrictatime", MS_BIND | MS_REC, 0, 0, MOUNT_ATTR_STRICTATIME, REC_ATIME,
	 NULL},
	{"none", "rbind rnoatime rrelatime", MS_BIND | MS_REC, 0, 0, MOUNT_ATTR_RELATIME, REC_ATIME,
	 NULL},
	{"none", "rbind rnoatime rstrictatime", MS_BIND | MS_REC, 0, 0, MOUNT_ATTR_STRICTATIME,
	 REC_ATIME, NULL},
	{"none", "rbind ratime", MS_BIND | MS_REC, 0, 0, 0, REC_ATIME, NULL},
	{"none", "rbind rstrictatime rnostrictatime", MS_BIND | MS_REC, 0, 0, 0, REC_ATIME, NULL},
	{"none", "rbind rnorelatime", MS_BIND | MS_REC, 0, 0, 0, REC_ATIME, NULL},
	{"none", "rbind rnoatime rro", MS_BIND | MS_REC, 0, 0,
	 MOUNT_ATTR_NOATIME | MOUNT_ATTR_RDONLY, REC_ATIME, NULL},
	/* filesystem data keeps its order */
	{"tmpfs", "nosuid strictatime mode=755 size=65536k", MS_NOSUID | MS_STRICTATIME, 0, 0, 0, 0,
	 "mode=755,size=65536k"},
	{"devpts", "nosuid noexec newinstance ptmxmode=0666 mode=0620 gid=5", MS_NOSUID | MS_NOEXEC,
	 0, 0, 0, 0, "newinstance,ptmxmode=0666,mode=0620,gid=5"},
	{"overlay", "lowerdir=/a:/b upperdir=/u workdir=/w", 0, 0, 0, 0, 0,
	 "lowerdir=/a:/b,upperdir=/u,workdir=/w"},
	{"tmpfs", "", 0, 0, 0, 0, 0, NULL}, /* an empty option is skipped */
	{"tmpfs", "size=1m  mode=700", 0, 0, 0, 0, 0, "size=1m,mode=700"},
	/* extensions */
	{"none", "bind idmap", MS_BIND, 0, 0, 0, 0, NULL, true, false, false},
	{"none", "rbind ridmap", MS_BIND | MS_REC, 0, 0, 0, 0, NULL, false, true, false},
	{"tmpfs", "tmpcopyup mode=755", 0, 0, 0, 0, 0, "mode=755", false, false, true},
	{"ext4", "RO", 0, 0, 0, 0, 0, "RO"}, /* names are case-sensitive, as in mount(8) */
};

/* "a b" -> {"a", "b", NULL}; "" -> {"", NULL}; NULL -> NULL. Empty words between two spaces
 * become empty options. */
static char **split(const char *s)
{
	char **v = NULL;
	const char *p = s;

	if (!s)
		return NULL;
	v = xcalloc(1, sizeof(*v));
	for (;;) {
		const char *sp = strchr(p, ' ');
		size_t n = sp ? (size_t)(sp - p) : strlen(p);

		strv_push(&v, xstrndup(p, n));
		if (!sp)
			break;
		p = sp + 1;
	}
	return v;
}

static void test_cases(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct opt_case *c = &cases[i];
		struct spec_mount m = {.type = (char *)c->type, .options = split(c->options)};
		struct er_error err = ER_ERROR_INIT;
		const char *name = c->options ? c->options : "(no options)";

		if (!ok(spec_mount_parse_options(&m, &err) == 0, "%s %s: parses", c->type, name)) {
			diag("%s", err.msg);
			er_clear(&err);
		}
		is_int((long long)m.flags, (long long)c->flags, "%s %s: flags", c->type, name);
		is_int((long long)m.clear_flags, (long long)c->clear_flags, "%s %s: clear_flags",
		       c->type, name);
		is_int((long long)m.propagation, (long long)c->propagation, "%s %s: propagation",
		       c->type, name);
		is_int((long long)m.rec_attr_set, (long long)c->rec_set, "%s %s: rec_attr_set",
		       c->type, name);
		is_int((long long)m.rec_attr_clr, (long long)c->rec_clr, "%s %s: rec_attr_clr",
		       c->type, name);
		is_str(m.data, c->data, "%s %s: data", c->type, name);
		ok(m.idmap == c->idmap && m.ridmap == c->ridmap && m.tmpcopyup == c->tmpcopyup,
		   "%s %s: idmap/ridmap/tmpcopyup", c->type, name);
		strv_free(m.options);
		free(m.data);
	}
}

static void test_reparse(void)
{
	struct spec_mount m = {.type = "tmpfs", .options = split("ro mode=755 rshared rro idmap")};
	struct er_error err = ER_ERROR_INIT;

	spec_mount_parse_options(&m, &err);
	strv_free(m.options);
	m.options = split("nosuid size=1m");
	ok(spec_mount_parse_options(&m, &err) == 0, "second parse of the same mount");
	ok(m.flags == MS_NOSUID && !m.propagation && !m.rec_attr_set && !m.idmap,
	   "second parse starts from scratch");
	is_str(m.data, "size=1m", "second parse: data replaced, not appended");
	strv_free(m.options);
	free(m.data);
}

static void test_idmap(void)
{
	struct spec_idmap map = {0, 100000, 65536};
	struct spec_mount m = {.type = "bind", .options = NULL};
	struct er_error err = ER_ERROR_INIT;

	m.uid_mappings = m.gid_mappings = &map;
	m.n_uid_mappings = m.n_gid_mappings = 1;
	ok(spec_mount_parse_options(&m, &err) == 0 && m.idmap && !m.ridmap,
	   "mappings without idmap/ridmap: an idmapped mount");

	m.options = split("rbind ridmap");
	ok(spec_mount_parse_options(&m, &err) == 0 && !m.idmap && m.ridmap,
	   "mappings with ridmap: recursive only");
	strv_free(m.options);
	m.options = NULL;

	m.n_gid_mappings = 0;
	ok(spec_mount_parse_options(&m, &err) < 0, "uidMappings without gidMappings fails");
	is_str(err.msg, "uidMappings and gidMappings must be given together",
	       "uidMappings without gidMappings: message");
	er_clear(&err);

	m.n_gid_mappings = 1;
	m.type = "tmpfs";
	ok(spec_mount_parse_options(&m, &err) < 0, "mappings on a tmpfs mount fail");
	is_str(err.msg, "uidMappings and gidMappings are only for bind mounts",
	       "mappings on a tmpfs mount: message");
	er_clear(&err);
	free(m.data);
}

int main(void)
{
	test_cases();
	test_reparse();
	test_idmap();
	return done_testing();
}
