/* SPDX-License-Identifier: Apache-2.0 */
/* Pure parts of the engine: namespace plan, sysctl paths, program lookup, id/time maps. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "libcontainer/internal.h"
#include "tests/unit/tap.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct fixture {
	struct spec s;
	struct spec_linux l;
	struct spec_namespace ns[10];
	struct spec_idmap map;
};

static struct spec *mk(struct fixture *f, const int *types, const char *const *paths, size_t n)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		f->ns[i].type = types[i];
		f->ns[i].path = paths ? (char *)paths[i] : NULL;
	}
	f->l.namespaces = f->ns;
	f->l.n_namespaces = n;
	f->map = (struct spec_idmap){0, 100000, 65536};
	f->s.linux_ = &f->l;
	return &f->s;
}

static void test_plan_new_only(void)
{
	struct er_error err = ER_ERROR_INIT;
	struct fixture f;
	struct ns_plan p;
	const int t[] = {CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNS};

	ok(ns_plan_build(mk(&f, t, NULL, 5), &p, &err) == 0, "runc's default namespaces");
	is_int((long long)p.clone_flags,
	       CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS,
	       "all of them are clone flags");
	ok(!p.need_helper && p.n_joins == 0 && !p.new_time, "no helper needed");
	ok(ns_plan_has(&p, CLONE_NEWUTS) && !ns_plan_has(&p, CLONE_NEWUSER), "ns_plan_has");

	struct spec empty = {0};
	ok(ns_plan_build(&empty, &p, &err) == 0 && p.clone_flags == 0 && !p.need_helper,
	   "no linux section: nothing to do");
}

static void test_plan_joins_order(void)
{
	struct er_error err = ER_ERROR_INIT;
	struct fixture f;
	struct ns_plan p;
	const int t[] = {CLONE_NEWNS,	CLONE_NEWNET, CLONE_NEWPID,
			 CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS};
	const char *paths[] = {"/proc/1/ns/mnt", "/proc/1/ns/net", NULL, "/proc/1/ns/user", NULL,
			       "/proc/1/ns/uts"};

	ok(ns_plan_build(mk(&f, t, paths, 6), &p, &err) == 0, "mixed joins and new");
	ok(p.need_helper, "joins need the helper");
	is_int((long long)p.n_joins, 4, "four joins");
	is_int(p.joins[0].type, CLONE_NEWUSER, "user namespace joined first");
	is_int(p.joins[1].type, CLONE_NEWUTS, "then uts");
	is_int(p.joins[2].type, CLONE_NEWNET, "then network");
	is_int(p.joins[3].type, CLONE_NEWNS, "mount namespace joined last");
	is_str(p.joins[3].path, "/proc/1/ns/mnt", "paths kept");
	is_int((long long)p.clone_flags, CLONE_NEWPID | CLONE_NEWIPC, "the rest are cloned new");
	ok(ns_plan_has(&p, CLONE_NEWUSER) && ns_plan_has(&p, CLONE_NEWNET), "joined ones count");
	ok(!(p.clone_flags & CLONE_NEWUSER), "a joined user namespace is not created");
}

static void test_plan_time_and_user(void)
{
	struct er_error err = ER_ERROR_INIT;
	struct fixture f;
	struct ns_plan p;
	const int t[] = {CLONE_NEWTIME, CLONE_NEWUSER};

	mk(&f, t, NULL, 2);
	f.l.uid_mappings = f.l.gid_mappings = &f.map;
	f.l.n_uid_mappings = f.l.n_gid_mappings = 1;
	f.l.time_monotonic = (struct spec_time_offset){true, 3600, 0};
	ok(ns_plan_build(&f.s, &p, &err) == 0, "new time + user namespaces");
	ok(p.new_time && p.need_helper, "a new time namespace goes through the helper");
	ok(!(p.clone_flags & CLONE_NEWTIME), "CLONE_NEWTIME is never a clone flag");
	ok(p.clone_flags & CLONE_NEWUSER, "user namespace created by the clone");
	ok(ns_plan_has(&p, CLONE_NEWTIME), "has a time namespace");

	f.l.n_gid_mappings = 0;
	ok(ns_plan_build(&f.s, &p, &err) < 0, "new user namespace without gid mappings");
	is_str(err.msg, "user namespaces enabled, but no gid mappings found", "runc's message");
	er_clear(&err);

	const int t2[] = {CLONE_NEWPID};
	mk(&f, t2, NULL, 1);
	f.l.uid_mappings = &f.map;
	f.l.n_uid_mappings = 1;
	ok(ns_plan_build(&f.s, &p, &err) < 0, "mappings without a user namespace");
	diag("%s", err.msg);
	er_clear(&err);

	mk(&f, t2, NULL, 1);
	f.l.time_boottime = (struct spec_time_offset){true, 1, 0};
	ok(ns_plan_build(&f.s, &p, &err) < 0, "time offsets without a time namespace");
	diag("%s", err.msg);
	er_clear(&err);

	const int t3[] = {CLONE_NEWTIME};
	const char *p3[] = {"/proc/1/ns/time"};
	mk(&f, t3, p3, 1);
	f.l.time_boottime = (struct spec_time_offset){true, 1, 0};
	ok(ns_plan_build(&f.s, &p, &err) < 0, "time offsets with a joined time namespace");
	er_clear(&err);
}

static void test_plan_invalid(void)
{
	struct er_error err = ER_ERROR_INIT;
	struct fixture f;
	struct ns_plan p;
	const int dup[] = {CLONE_NEWNET, CLONE_NEWNET};
	const int bad[] = {0x4};

	ok(ns_plan_build(mk(&f, dup, NULL, 2), &p, &err) < 0, "duplicate namespace refused");
	is_str(err.msg, "linux.namespaces: duplicate `network` namespace", "names the namespace");
	er_clear(&err);
	ok(ns_plan_build(mk(&f, bad, NULL, 1), &p, &err) < 0, "unknown type refused");
	er_clear(&err);
}

static void test_sysctl(void)
{
	struct er_error err = ER_ERROR_INIT;
	char *r;

	r = init_sysctl_relpath("net.ipv4.ip_forward", &err);
	is_str(r, "net/ipv4/ip_forward", "dots become slashes");
	free(r);
	r = init_sysctl_relpath("kernel.shm_rmid_forced", &err);
	is_str(r, "kernel/shm_rmid_forced", "underscores kept");
	free(r);
	r = init_sysctl_relpath("net/ipv4/tcp_syncookies", &err);
	is_str(r, "net/ipv4/tcp_syncookies", "the path form is taken as it is");
	free(r);
	r = init_sysctl_relpath("net/ipv4/conf/eth0.100/forwarding", &err);
	is_str(r, "net/ipv4/conf/eth0.100/forwarding", "dots in the path form stay");
	free(r);
	const char *bad[] = {"",      "net..x", "..",	  "net.",     ".net",
			     "a...b", "/net",	"net//x", "net/../x", "net/"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		r = init_sysctl_relpath(bad[i], &err);
		ok(!r && err.msg, "bad key `%s` refused", bad[i]);
		free(r);
		er_clear(&err);
	}
}

static void test_lookup(void)
{
	struct er_error err = ER_ERROR_INIT;
	char dir[] = "/tmp/engine-lookup-XXXXXX", path[256], *r;

	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/a", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/b", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/a/tool", dir);
	close(open(path, O_CREAT | O_WRONLY, 0644)); /* not executable */
	snprintf(path, sizeof(path), "%s/b/tool", dir);
	close(open(path, O_CREAT | O_WRONLY, 0755));
	snprintf(path, sizeof(path), "%s/a/sub", dir);
	mkdir(path, 0755); /* a directory is not a program */

	char *pathvar = xasprintf("%s/a:%s/b", dir, dir);
	r = init_lookup_exec("tool", pathvar, &err);
	snprintf(path, sizeof(path), "%s/b/tool", dir);
	is_str(r, path, "skips a non-executable file, finds the next one");
	free(r);
	r = init_lookup_exec("sub", pathvar, &err);
	ok(!r, "a directory is not found");
	is_str(err.msg, "exec: \"sub\": executable file not found in $PATH", "runc's message");
	er_clear(&err);
	r = init_lookup_exec("nope", pathvar, &err);
	is_str(err.msg, "exec: \"nope\": executable file not found in $PATH", "not found in $PATH");
	free(r);
	er_clear(&err);

	r = init_lookup_exec("/bin/nope-edgerun", NULL, &err);
	ok(!r, "absolute path that does not exist");
	is_str(err.msg, "exec \"/bin/nope-edgerun\": no such file or directory", "message");
	er_clear(&err);
	snprintf(path, sizeof(path), "%s/a/tool", dir);
	r = init_lookup_exec(path, NULL, &err);
	ok(!r && err.errnum == EACCES, "absolute path that is not executable");
	er_clear(&err);
	r = init_lookup_exec("sh", NULL, &err);
	ok(r && r[0] == '/', "default PATH finds sh (%s)", r ? r : "-");
	free(r);
	r = init_lookup_exec("", NULL, &err);
	ok(!r, "empty argv0 refused");
	er_clear(&err);

	free(pathvar);
	/* remove what we made */
	snprintf(path, sizeof(path), "%s/a/tool", dir), unlink(path);
	snprintf(path, sizeof(path), "%s/b/tool", dir), unlink(path);
	snprintf(path, sizeof(path), "%s/a/sub", dir), rmdir(path);
	snprintf(path, sizeof(path), "%s/a", dir), rmdir(path);
	snprintf(path, sizeof(path), "%s/b", dir), rmdir(path);
	rmdir(dir);
}

static void test_formats(void)
{
	struct spec_idmap m[2] = {{0, 100000, 65536}, {65536, 1000, 1}};
	struct spec_linux l = {0};
	char *s;

	s = userns_format_map(m, 2);
	is_str(s, "0 100000 65536\n65536 1000 1\n", "id map lines");
	free(s);
	s = userns_format_map(m, 0);
	is_str(s, "", "no mappings: empty");
	free(s);
	s = timens_format_offsets(&l);
	is_str(s, "", "no offsets: empty");
	free(s);
	l.time_monotonic = (struct spec_time_offset){true, -60, 5};
	l.time_boottime = (struct spec_time_offset){true, 86400, 0};
	s = timens_format_offsets(&l);
	is_str(s, "monotonic -60 5\nboottime 86400 0\n", "time offsets lines");
	free(s);
}

int main(void)
{
	test_plan_new_only();
	test_plan_joins_order();
	test_plan_time_and_user();
	test_plan_invalid();
	test_sysctl();
	test_lookup();
	test_formats();
	return done_testing();
}
