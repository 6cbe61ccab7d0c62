/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libcontainer/cgroup on the real cgroups of this host (root only; skipped otherwise).
 *
 * Everything happens under /edgerun-test-<random> in each hierarchy. The checks run in a
 * child process; the parent waits for it and then removes that tree in every hierarchy
 * (killing whatever is left in it), whatever happened, and restores the cgroup2 root's
 * subtree_control if a check enabled a controller there.
 *
 * The same checks run on v1, hybrid and v2 hosts (the cgroup v2 guest runs this binary);
 * on a hybrid host the v2 code (device BPF program, cgroup.freeze) is exercised on the
 * container's cgroup in the cgroup2 tree as well.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/cgroup/cgroup_internal.h"
#include "tap.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static char parent_path[64];
static char last_warning[512];

static void capture(enum er_log_level level, const char *msg)
{
	if (level == ER_LOG_WARN)
		snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

static void msleep(long ms)
{
	nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

/* FILE of the container's cgroup for CTRL; NULL if unreadable. Caller frees. */
static char *rd_all(struct cgroup *cg, const char *ctrl, const char *file)
{
	const char *dir = cgroup_dir(cg, ctrl);
	_cleanup_free_ char *p = dir ? xasprintf("%s/%s", dir, file) : NULL;

	return p ? read_file_at(AT_FDCWD, p, NULL, NULL) : NULL;
}

/* Its first line. */
static char *rd(struct cgroup *cg, const char *ctrl, const char *file)
{
	char *s = rd_all(cg, ctrl, file);

	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

static bool file_is(struct cgroup *cg, const char *ctrl, const char *file, const char *want)
{
	_cleanup_free_ char *got = rd(cg, ctrl, file);

	return is_str(got, want, "%s/%s", ctrl, file);
}

/* diag() for multi-line text */
static void diag_text(const char *what, const char *s)
{
	_cleanup_free_ char *copy = xstrdup(s ? s : "-");
	char *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		diag("%s: %s", what, l);
}

static bool v2(void)
{
	return cgroup_mode() == CGROUP_V2;
}

/* Is controller C (enum cg_ctrl) usable here? v1 mounts, else the cgroup2 root's list. */
static bool have(enum cg_ctrl c)
{
	const char *n1 = cg_ctrl_name(c, false), *n2 = cg_ctrl_name(c, true);
	_cleanup_free_ char *v1dir = xasprintf("/sys/fs/cgroup/%s", n1);
	_cleanup_free_ char *list = NULL;
	struct stat sb;

	if (!v2() && stat(v1dir, &sb) == 0)
		return true;
	if (cgroup_mode() == CGROUP_V1 || !n2)
		return false;
	if (c == CG_FREEZER || c == CG_DEVICES)
		return true;
	list = read_file_at(AT_FDCWD,
			    v2() ? "/sys/fs/cgroup/cgroup.controllers"
				 : "/sys/fs/cgroup/unified/cgroup.controllers",
			    NULL, NULL);
	if (!list)
		return false;
	for (char *save = NULL, *t = strtok_r(list, " \n", &save); t;
	     t = strtok_r(NULL, " \n", &save))
		if (strcmp(t, n2) == 0)
			return true;
	return false;
}

/* ---------------- processes in the cgroup ---------------- */

struct worker {
	pid_t pid;
	int go; /* write end: one byte lets the child start */
};

typedef int (*job_fn)(void *arg);

/* Forks a child that waits for a byte, then runs FN and exits with its result. On v2 it is
 * cloned straight into the cgroup (CLONE_INTO_CGROUP); otherwise cgroup_add_pid moves it. */
static struct worker spawn(struct cgroup *cg, const char *sub, job_fn fn, void *arg)
{
	struct worker w = {-1, -1};
	int p[2];
	int cfd = sub ? -1 : cgroup_clone_fd(cg);
	struct er_error err = ER_ERROR_INIT;

	if (pipe2(p, O_CLOEXEC) < 0)
		return w;
	if (cfd >= 0) {
		struct clone_args a = {.flags = CLONE_INTO_CGROUP,
				       .exit_signal = SIGCHLD,
				       .cgroup = (uint64_t)cfd};

		w.pid = (pid_t)syscall(SYS_clone3, &a, sizeof(a));
		if (w.pid < 0) { /* e.g. ENOSYS under valgrind: what the lifecycle falls back to */
			diag("clone3(CLONE_INTO_CGROUP): %s: fork + add_pid", strerror(errno));
			cfd = -1;
		}
	}
	if (cfd < 0)
		w.pid = fork();
	if (w.pid == 0) {
		char c;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(99);
		_exit(fn(arg));
	}
	close(p[0]);
	w.go = p[1];
	if (w.pid > 0 && cfd < 0 && cgroup_add_pid(cg, w.pid, sub, &err) < 0) {
		diag("add_pid: %s", err.msg);
		er_clear(&err);
	}
	return w;
}

static void start(struct worker *w)
{
	if (write(w->go, "x", 1) != 1)
		diag("start: %s", strerror(errno));
	close(w->go);
	w->go = -1;
}

static int finish(struct worker *w)
{
	int st = -1;

	if (w->go >= 0)
		close(w->go);
	if (w->pid > 0)
		waitpid(w->pid, &st, 0);
	w->pid = -1;
	return st;
}

static char proc_state(pid_t pid)
{
	_cleanup_free_ char *p = xasprintf("/proc/%d/stat", (int)pid);
	_cleanup_free_ char *s = read_file_at(AT_FDCWD, p, NULL, NULL);
	char *rp = s ? strrchr(s, ')') : NULL;

	return rp && rp[1] == ' ' ? rp[2] : '?';
}

static int job_open_devices(void *arg)
{
	int a = open("/dev/null", O_RDWR | O_CLOEXEC), ea = errno;
	int b = open("/dev/zero", O_RDONLY | O_CLOEXEC);

	(void)arg;
	/* 0 = /dev/null refused with EPERM and /dev/zero allowed */
	return (a < 0 && ea == EPERM ? 0 : 1) | (b >= 0 ? 0 : 2);
}

static int job_spin(void *arg)
{
	volatile uint64_t *counter = arg;

	for (;;)
		(*counter)++;
	return 0;
}

static int job_sleep(void *arg)
{
	(void)arg;
	pause();
	return 0;
}

static int job_fork_loop(void *arg)
{
	pid_t kids[256];
	int n = 0;

	(void)arg;
	while (n < 256) {
		pid_t p = fork();

		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p < 0)
			break;
		kids[n++] = p;
	}
	for (int i = 0; i < n; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	return n;
}

static int job_hog(void *arg)
{
	size_t sz = (size_t)(uintptr_t)arg;
	char *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 3;
	for (size_t i = 0; i < sz; i += 4096)
		p[i] = 1;
	return 0;
}

/* ---------------- config ---------------- */

static char acc_rwm[] = "rwm";

struct test_cfg {
	struct spec_linux l;
	struct spec_device_rule deny_all;
	struct spec_device null_dev;
	struct spec_kv huge;
	char path[128];
};

static bool hugetlb_possible(void)
{
	struct stat sb;

	return stat("/sys/kernel/mm/hugepages/hugepages-2048kB", &sb) == 0 && have(CG_HUGETLB);
}

static void make_cfg(struct test_cfg *t, const char *name)
{
	struct spec_resources *r = &t->l.resources;

	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "%s/%s", parent_path, name);
	t->l.cgroups_path = t->path;
	t->l.has_resources = true;
	/* docker's "deny all", then runc's defaults minus /dev/null (listed as a device) */
	t->deny_all = (struct spec_device_rule){
		.allow = false, .type = 'a', .major = -1, .minor = -1, .access = acc_rwm};
	r->devices = &t->deny_all;
	r->n_devices = 1;
	t->null_dev = (struct spec_device){
		.path = (char *)"/dev/null", .type = 'c', .major = 1, .minor = 3};
	t->l.devices = &t->null_dev;
	t->l.n_devices = 1;
	if (have(CG_MEMORY)) {
		r->has_mem_limit = r->has_mem_reservation = true;
		r->mem_limit = 64 << 20;
		r->mem_reservation = 32 << 20;
	}
	if (have(CG_PIDS)) {
		r->has_pids_limit = true;
		r->pids_limit = 16;
	}
	if (have(CG_CPU)) {
		r->has_cpu_shares = r->has_cpu_quota = r->has_cpu_period = true;
		r->cpu_shares = 512;
		r->cpu_quota = 20000;
		r->cpu_period = 100000;
	}
	if (have(CG_CPUSET)) {
		r->cpu_cpus = (char *)"0";
		r->cpu_mems = (char *)"0";
	}
	if (hugetlb_possible()) {
		t->huge = (struct spec_kv){.key = (char *)"2MB", .value = (char *)"4194304"};
		r->hugepage_limits = &t->huge;
		r->n_hugepage_limits = 1;
	}
}

/* ---------------- the checks ---------------- */

static void check_mode(void)
{
	struct statfs s;
	enum cgroup_mode want = CGROUP_V1;

	if (statfs("/sys/fs/cgroup", &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC)
		want = CGROUP_V2;
	else if (statfs("/sys/fs/cgroup/unified", &s) == 0 && s.f_type == CGROUP2_SUPER_MAGIC)
		want = CGROUP_HYBRID;
	is_int(cgroup_mode(), want, "mode detected: %s", cgroup_mode_name(cgroup_mode()));
}

static void check_values(struct cgroup *cg, const struct test_cfg *t)
{
	bool mem = have(CG_MEMORY), cpu = have(CG_CPU);

	if (v2()) {
		if (mem && file_is(cg, "memory", "memory.max", "67108864"))
			file_is(cg, "memory", "memory.low", "33554432");
		if (cpu && file_is(cg, "cpu", "cpu.weight", "20"))
			file_is(cg, "cpu", "cpu.max", "20000 100000");
	} else {
		_cleanup_free_ char *list = rd_all(cg, "devices", "devices.list");

		if (mem && file_is(cg, "memory", "memory.limit_in_bytes", "67108864"))
			file_is(cg, "memory", "memory.soft_limit_in_bytes", "33554432");
		if (cpu && file_is(cg, "cpu", "cpu.shares", "512")) {
			file_is(cg, "cpu", "cpu.cfs_quota_us", "20000");
			file_is(cg, "cpu", "cpu.cfs_period_us", "100000");
		}
		if (have(CG_DEVICES) &&
		    !ok(list && strstr(list, "c 1:5 rwm") && strstr(list, "c 10:200 rwm") &&
				!strstr(list, "c 1:3 ") && !strstr(list, "a *:*"),
			"devices.list: allow-list of runc's defaults minus /dev/null"))
			diag_text("devices.list", list);
	}
	if (have(CG_PIDS))
		file_is(cg, "pids", "pids.max", "16");
	if (have(CG_CPUSET) && file_is(cg, "cpuset", "cpuset.cpus", "0"))
		file_is(cg, "cpuset", "cpuset.mems", "0");
	if (t->l.resources.n_hugepage_limits)
		file_is(cg, "hugetlb",
			cgroup_dir(cg, "hugetlb") && strstr(cgroup_dir(cg, "hugetlb"), "/hugetlb/")
				? "hugetlb.2MB.limit_in_bytes"
				: "hugetlb.2MB.max",
			"4194304");
	if (!mem || !cpu || !have(CG_PIDS) || !have(CG_CPUSET) || !t->l.resources.n_hugepage_limits)
		diag("controllers missing here are not checked (memory %d cpu %d pids %d cpuset %d "
		     "hugetlb %d)",
		     mem, cpu, have(CG_PIDS), have(CG_CPUSET),
		     t->l.resources.n_hugepage_limits > 0);
}

static void check_load(struct cgroup *cg)
{
	struct er_error err = ER_ERROR_INIT;
	struct cgroup *again = cgroup_load(cgroup_saved(cg), &err);

	ok(again != NULL, "load from the saved text: %s", err.msg ? err.msg : "ok");
	if (again) {
		is_str(cgroup_dir(again, "memory"), cgroup_dir(cg, "memory"), "same memory dir");
		is_str(cgroup_saved(again), cgroup_saved(cg), "same saved text");
	}
	cgroup_free(again);
	ok(!cgroup_load("memory-without-path", &err) && err.msg, "bad saved text refused");
	er_clear(&err);
}

static void check_devices(struct cgroup *cg)
{
	struct worker w = spawn(cg, NULL, job_open_devices, NULL);
	int st;

	start(&w);
	st = finish(&w);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "in the cgroup: /dev/null denied (EPERM), /dev/zero allowed (status %d)",
	   WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void check_pids_limit(struct cgroup *cg)
{
	struct worker w = spawn(cg, NULL, job_fork_loop, NULL);
	int st;

	start(&w);
	st = finish(&w);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 15, "fork loop stops at pids.limit 16 (%d children)",
	   WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static void check_freeze(struct cgroup *cg, volatile uint64_t *counter, pid_t pid)
{
	int rc;
	struct er_error err = ER_ERROR_INIT;
	enum cgroup_freezer fs = CGROUP_FREEZER_UNDEFINED;
	uint64_t a, b;
	char state;

	rc = cgroup_freeze(cg, true, &err);
	ok(rc == 0, "freeze: %s", err.msg ? err.msg : "ok");
	cgroup_freezer_state(cg, &fs, &err);
	is_int(fs, CGROUP_FROZEN, "freezer state FROZEN");
	a = *counter;
	msleep(200);
	b = *counter;
	state = proc_state(pid);
	ok(a == b, "no progress while frozen (%llu -> %llu)", (unsigned long long)a,
	   (unsigned long long)b);
	ok(state == 'D' || state == 'T' || state == 'S', "frozen process state %c", state);
	rc = cgroup_freeze(cg, false, &err);
	ok(rc == 0, "thaw: %s", err.msg ? err.msg : "ok");
	cgroup_freezer_state(cg, &fs, &err);
	is_int(fs, CGROUP_THAWED, "freezer state THAWED");
	a = *counter;
	msleep(100);
	ok(*counter > a, "progress again after thaw");
	er_clear(&err);
}

static void check_stats(struct cgroup *cg)
{
	struct er_error err = ER_ERROR_INIT;
	struct er_stats st;
	int rc = cgroup_stats(cg, &st, &err);

	ok(rc == 0, "stats: %s", err.msg ? err.msg : "ok");
	ok(st.cpu.total > 0, "cpu usage %llu ns", (unsigned long long)st.cpu.total);
	if (have(CG_CPU))
		ok(st.cpu.periods > 0, "cpu periods %llu (quota set)",
		   (unsigned long long)st.cpu.periods);
	if (have(CG_MEMORY)) {
		ok(st.memory.usage.usage > 0, "memory usage %llu",
		   (unsigned long long)st.memory.usage.usage);
		is_int((long long)st.memory.usage.limit, 64 << 20, "memory limit in stats");
		ok(st.memory.n_raw > 5, "memory.stat raw entries: %zu", st.memory.n_raw);
	}
	if (have(CG_PIDS)) {
		ok(st.pids.current >= 1, "pids current %llu", (unsigned long long)st.pids.current);
		is_int((long long)st.pids.limit, 16, "pids limit in stats");
	}
	if (have(CG_CPUSET))
		ok(st.cpuset.present && st.cpuset.n_cpus == 1 && st.cpuset.cpus[0] == 0,
		   "cpuset cpus [0]");
	er_stats_free(&st);
	er_clear(&err);
}

static void check_pids_list(struct cgroup *cg, pid_t worker)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	struct er_error err = ER_ERROR_INIT;

	cgroup_pids(cg, true, &pids, &n, &err);
	ok(n == 1 && pids[0] == worker, "pids lists exactly the worker (%zu)", n);
}

static void update_blkio(struct cgroup *cg)
{
	struct er_error err = ER_ERROR_INIT;
	struct spec_resources r = {0};

	r.has_blkio_weight = true;
	r.blkio_weight = 500;
	if (cgroup_apply(cg, &r, &err) == 0) {
		_cleanup_free_ char *a =
			rd(cg, "blkio", v2() ? "io.bfq.weight" : "blkio.bfq.weight");
		_cleanup_free_ char *b = rd(cg, "blkio", v2() ? "io.weight" : "blkio.weight");

		ok((a && strstr(a, "500")) || (b && (strstr(b, "500") || strstr(b, "4950"))),
		   "blkio weight applied (bfq: %s, weight: %s)", a ? a : "-", b ? b : "-");
	} else {
		ok(err.msg && strstr(err.msg, "weight"), "blkio weight: clear error: %s", err.msg);
	}
	er_clear(&err);
}

static void update_unified(struct cgroup *cg)
{
	struct er_error err = ER_ERROR_INIT;
	struct spec_resources r = {0};
	struct spec_kv u = {(char *)"memory.high", (char *)"max"};
	int rc;

	if (v2() && !have(CG_MEMORY))
		u = (struct spec_kv){(char *)"cgroup.max.descendants", (char *)"100"};
	r.unified = &u;
	r.n_unified = 1;
	rc = cgroup_apply(cg, &r, &err);
	if (!v2())
		ok(rc < 0 && err.msg, "unified memory.high refused on %s: %s",
		   cgroup_mode_name(cgroup_mode()), err.msg ? err.msg : "-");
	else if (ok(rc == 0, "unified %s written: %s", u.key, err.msg ? err.msg : "ok"))
		file_is(cg, "", u.key, u.value);
	er_clear(&err);
}

static void check_update(struct cgroup *cg)
{
	struct er_error err = ER_ERROR_INIT;
	struct spec_resources r = {0};
	int rc;

	r.has_pids_limit = have(CG_PIDS);
	r.pids_limit = 32;
	r.has_mem_limit = have(CG_MEMORY);
	r.mem_limit = 48 << 20;
	rc = cgroup_apply(cg, &r, &err);
	ok(rc == 0, "update pids and memory: %s", err.msg ? err.msg : "ok");
	if (have(CG_PIDS))
		file_is(cg, "pids", "pids.max", "32");
	if (have(CG_MEMORY))
		file_is(cg, "memory", v2() ? "memory.max" : "memory.limit_in_bytes", "50331648");

	if (have(CG_CPUSET)) {
		memset(&r, 0, sizeof(r));
		r.cpu_cpus = (char *)"4095";
		rc = cgroup_apply(cg, &r, &err);
		ok(rc < 0 && err.msg && strstr(err.msg, "cpuset.cpus") && strstr(err.msg, "`4095`"),
		   "a value the kernel rejects names file and value: %s", err.msg ? err.msg : "-");
		er_clear(&err);
	}

	memset(&r, 0, sizeof(r));
	r.has_mem_limit = r.has_mem_check_before_update = r.mem_check_before_update = true;
	r.mem_limit = 4096;
	rc = cgroup_apply(cg, &r, &err);
	if (have(CG_MEMORY))
		ok(rc < 0 && err.msg && strstr(err.msg, "below the current usage"),
		   "checkBeforeUpdate refuses a limit below usage: %s", err.msg ? err.msg : "-");
	else
		ok(rc < 0 && err.msg && strstr(err.msg, "no `memory` cgroup controller"),
		   "a missing controller is named: %s", err.msg ? err.msg : "-");
	er_clear(&err);
	if (!v2() && have(CG_CPU) && access("/sys/fs/cgroup/cpu/cpu.rt_runtime_us", F_OK) == 0) {
		/* the test parent has no realtime budget to hand down: the kernel says no */
		memset(&r, 0, sizeof(r));
		r.has_cpu_rt_runtime = true;
		r.cpu_rt_runtime = 10000;
		rc = cgroup_apply(cg, &r, &err);
		ok(rc < 0 && err.msg && strstr(err.msg, "cpu.rt_runtime_us") &&
			   strstr(err.msg, "`10000`") && strstr(err.msg, "realtimeRuntime"),
		   "a refused realtime value names resource, file and value: %s",
		   err.msg ? err.msg : "-");
		er_clear(&err);
	}
	if (!have(CG_NET_CLS)) {
		/* v1/hybrid without net_cls mounted: an error naming it; v2: ignored, warned */
		memset(&r, 0, sizeof(r));
		r.has_net_class_id = true;
		r.net_class_id = 0x100001;
		last_warning[0] = '\0';
		rc = cgroup_apply(cg, &r, &err);
		if (v2())
			ok(rc == 0 && strstr(last_warning, "network"), "network ignored on v2: %s",
			   last_warning);
		else
			ok(rc < 0 && err.msg && strstr(err.msg, "no `net_cls` cgroup controller"),
			   "network without net_cls: %s", err.msg ? err.msg : "-");
		er_clear(&err);
	}
	if (have(CG_BLKIO))
		update_blkio(cg);
	update_unified(cg);
}

static void check_sub(struct cgroup *cg)
{
	struct er_error err = ER_ERROR_INIT;
	struct worker w;
	_cleanup_free_ pid_t *all = NULL, *top = NULL;
	size_t na = 0, nt = 0;
	for (size_t i = 0; i < cg->n; i++) {
		_cleanup_free_ char *p = xasprintf("%s/sub", cg->h[i].dir);

		if (mkdir(p, 0755) < 0)
			diag("mkdir %s: %s", p, strerror(errno));
		if (!cg->h[i].v2 && (cg->h[i].ctl & (1u << CG_CPUSET))) {
			_cleanup_free_ char *c = xasprintf("%s/cpuset.cpus", p);
			_cleanup_free_ char *m = xasprintf("%s/cpuset.mems", p);

			write_file_at(AT_FDCWD, c, 0, 0, "0", 1, NULL);
			write_file_at(AT_FDCWD, m, 0, 0, "0", 1, NULL);
		}
	}
	ok(cgroup_add_pid(cg, getpid(), "../x", &err) < 0, "sub-cgroup with `..` refused");
	er_clear(&err);
	w = spawn(cg, "sub", job_sleep, NULL);
	start(&w);
	cgroup_pids(cg, true, &all, &na, &err);
	cgroup_pids(cg, false, &top, &nt, &err);
	ok(na == 2 && nt == 1, "process in a sub-cgroup: recursive %zu (2), direct %zu (1)", na,
	   nt);
	kill(w.pid, SIGKILL);
	finish(&w);
}

static void check_existing(const struct test_cfg *t, struct cgroup *cg)
{
	struct er_error err = ER_ERROR_INIT;
	struct cgroup_config cfg = {.id = "c1", .linux_ = &t->l};
	struct cgroup *again = cgroup_create(&cfg, &err);

	ok(!again && err.msg && strstr(err.msg, "not empty"),
	   "an existing non-empty cgroup is refused: %s", err.msg ? err.msg : "-");
	cgroup_free(again);
	er_clear(&err);
	if (cgroup_freeze(cg, true, &err) == 0) {
		again = cgroup_create(&cfg, &err);
		ok(!again && err.msg && strstr(err.msg, "unexpectedly frozen"),
		   "a frozen cgroup is refused: %s", err.msg ? err.msg : "-");
		cgroup_free(again);
		er_clear(&err);
		cgroup_freeze(cg, false, &err);
	}
	er_clear(&err);
}

static void check_kill(struct cgroup *cg, struct worker *w)
{
	int rc;
	struct er_error err = ER_ERROR_INIT;
	enum cgroup_freezer fs;
	int st;

	/* a paused container stays paused when signalled with something else than KILL */
	cgroup_freeze(cg, true, &err);
	ok(cgroup_kill_all(cg, SIGCONT, &err) == 0, "kill_all(SIGCONT) on a frozen cgroup");
	cgroup_freezer_state(cg, &fs, &err);
	is_int(fs, CGROUP_FROZEN, "still frozen after a non-KILL signal");
	rc = cgroup_kill_all(cg, SIGKILL, &err);
	ok(rc == 0, "kill_all(SIGKILL): %s", err.msg ? err.msg : "ok");
	st = finish(w);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the worker died of SIGKILL");
	er_clear(&err);
}

static void check_oom(void)
{
	struct er_error err = ER_ERROR_INIT;
	struct test_cfg t;
	struct cgroup_config cfg = {.id = "oom", .linux_ = &t.l};
	struct cgroup *cg;
	struct cgroup_oom *o;
	struct worker w;
	uint64_t count = 0, c;
	bool gone = false;
	int st;

	make_cfg(&t, "oom");
	t.l.resources.mem_limit = 32 << 20;
	/* memory+swap = memory: no swapping out of the OOM (v1 memsw, v2 memory.swap.max 0) */
	t.l.resources.has_mem_swap =
		v2() || access("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) == 0;
	t.l.resources.mem_swap = 32 << 20;
	t.l.resources.has_mem_reservation = false;
	t.l.resources.n_hugepage_limits = 0;
	cg = cgroup_create(&cfg, &err);
	o = cg ? cgroup_oom_open(cg, &err) : NULL;
	ok(o != NULL, "oom notification open: %s", err.msg ? err.msg : "ok");
	if (o && t.l.resources.has_mem_swap)
		file_is(cg, "memory", v2() ? "memory.swap.max" : "memory.memsw.limit_in_bytes",
			v2() ? "0" : "33554432");
	if (!o) {
		cgroup_free(cg);
		er_clear(&err);
		return;
	}
	w = spawn(cg, NULL, job_hog, (void *)(uintptr_t)(128u << 20));
	start(&w);
	st = finish(&w);
	ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the memory hog was OOM-killed");
	for (int i = 0; i < 50 && !count; i++) {
		struct pollfd p = {.fd = cgroup_oom_fd(o), .events = POLLIN};

		poll(&p, 1, 100);
		cgroup_oom_read(o, &c, &gone, &err);
		count += c;
	}
	ok(count >= 1, "oom event seen (%llu)", (unsigned long long)count);
	cgroup_destroy(cg, &err);
	for (int i = 0; i < 20 && !gone; i++) {
		struct pollfd p = {.fd = cgroup_oom_fd(o), .events = POLLIN};

		poll(&p, 1, 100);
		cgroup_oom_read(o, &c, &gone, &err);
	}
	ok(gone, "oom watcher notices the cgroup is gone");
	cgroup_oom_close(o);
	cgroup_free(cg);
	er_clear(&err);
}

/* hybrid: the v2 code on the container's cgroup in the cgroup2 tree */
static void check_v2_on_hybrid(struct cgroup *cg, volatile uint64_t *counter)
{
	int rc;
	struct er_error err = ER_ERROR_INIT;
	struct cg_dev_emu e;
	struct spec_device_rule deny_zero[] = {{.allow = false,
						.type = 'c',
						.has_major = true,
						.has_minor = true,
						.major = 1,
						.minor = 5,
						.access = acc_rwm}};
	struct worker w;
	uint64_t a;
	int st;

	if (!cg->v2 || cg->v2->fd < 0)
		return;
	cg_dev_emu_from_spec(&e, deny_zero, 1, &err);
	rc = cg_bpf_devices_attach(cg->v2->fd, &e, &err);
	ok(rc == 0, "hybrid: BPF device filter attached: %s", err.msg ? err.msg : "ok");
	ok(cg_bpf_devices_attach(cg->v2->fd, &e, &err) == 0 &&
		   cg_bpf_devices_count(cg->v2->fd) == 1,
	   "hybrid: re-attached, the old program detached (%d)", cg_bpf_devices_count(cg->v2->fd));
	cg_dev_emu_free(&e);
	w = spawn(cg, NULL, job_open_devices, NULL);
	start(&w);
	st = finish(&w);
	/* v1 denies /dev/null, the BPF program denies /dev/zero */
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 2, "hybrid: BPF program denies /dev/zero (%d)",
	   WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	rc = cg_v2_ops.freeze(cg->v2, true, &err);
	ok(rc == 0, "hybrid: cgroup.freeze: %s", err.msg ? err.msg : "ok");
	a = *counter;
	msleep(150);
	ok(*counter == a, "hybrid: no progress while frozen by cgroup.freeze");
	ok(cg_v2_ops.freeze(cg->v2, false, &err) == 0, "hybrid: cgroup.freeze 0");
	a = *counter;
	msleep(100);
	ok(*counter > a, "hybrid: progress after cgroup.freeze 0");
	er_clear(&err);
}

static void check_destroy(struct cgroup *cg)
{
	int rc;
	struct er_error err = ER_ERROR_INIT;
	const char *ctrls[] = {"memory", "pids", "cpu", "devices", "freezer", "cpuset", ""};
	_cleanup_free_ char *dirs[ARRAY_SIZE(ctrls)] = {0};
	bool all_gone = true;

	for (size_t i = 0; i < ARRAY_SIZE(ctrls); i++)
		dirs[i] = cgroup_dir(cg, ctrls[i]) ? xstrdup(cgroup_dir(cg, ctrls[i])) : NULL;
	rc = cgroup_destroy(cg, &err);
	ok(rc == 0, "destroy: %s", err.msg ? err.msg : "ok");
	for (size_t i = 0; i < ARRAY_SIZE(ctrls); i++) {
		struct stat sb;

		if (dirs[i] && stat(dirs[i], &sb) == 0) {
			diag("left behind: %s", dirs[i]);
			all_gone = false;
		}
		free(dirs[i]);
		dirs[i] = NULL;
	}
	ok(all_gone, "no cgroup directory left in any hierarchy");
	ok(cgroup_destroy(cg, &err) == 0, "destroy again is fine");
	er_clear(&err);
}

static void run_checks(void)
{
	struct er_error err = ER_ERROR_INIT;
	struct test_cfg t;
	struct cgroup_config cfg = {.id = "c1", .linux_ = &t.l};
	struct cgroup *cg;
	volatile uint64_t *counter;
	struct worker spin;

	check_mode();
	make_cfg(&t, "c1");
	cg = cgroup_create(&cfg, &err);
	if (!ok(cg != NULL, "create: %s", err.msg ? err.msg : "ok")) {
		er_clear(&err);
		return;
	}
	diag_text("saved", cgroup_saved(cg));
	check_values(cg, &t);
	check_load(cg);
	check_devices(cg);
	if (have(CG_PIDS))
		check_pids_limit(cg);
	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	spin = spawn(cg, NULL, job_spin, (void *)counter);
	start(&spin);
	msleep(300);
	check_pids_list(cg, spin.pid);
	check_freeze(cg, counter, spin.pid);
	check_stats(cg);
	check_update(cg);
	if (cgroup_mode() == CGROUP_HYBRID)
		check_v2_on_hybrid(cg, counter);
	check_existing(&t, cg);
	check_sub(cg);
	check_kill(cg, &spin);
	check_destroy(cg);
	cgroup_free(cg);
	munmap((void *)counter, 4096);
	if (have(CG_MEMORY))
		check_oom();
	er_clear(&err);
}

/* ---------------- the parent: clean up whatever happened ---------------- */

static void kill_tree(const char *dir)
{
	_cleanup_free_ char *procs = xasprintf("%s/cgroup.procs", dir);
	_cleanup_free_ char *s = read_file_at(AT_FDCWD, procs, NULL, NULL);

	for (char *l = s, *save = NULL, *t = l ? strtok_r(l, "\n", &save) : NULL; t;
	     t = strtok_r(NULL, "\n", &save))
		kill(atoi(t), SIGKILL);
}

static void remove_tree(const char *dir, int depth)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;
	_cleanup_free_ char *fz = xasprintf("%s/freezer.state", dir);
	_cleanup_free_ char *f2 = xasprintf("%s/cgroup.freeze", dir);

	if (!d || depth > 16)
		return;
	write_file_at(AT_FDCWD, fz, 0, 0, "THAWED", 6, NULL);
	write_file_at(AT_FDCWD, f2, 0, 0, "0", 1, NULL);
	kill_tree(dir);
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = xasprintf("%s/%s", dir, de->d_name);
		remove_tree(sub, depth + 1);
	}
	for (int i = 0; i < 50 && rmdir(dir) < 0 && errno == EBUSY; i++)
		msleep(20);
}

static int cleanup(const char *unified_subtree_before)
{
	_cleanup_free_ char *mi = read_file_at(AT_FDCWD, "/proc/self/mountinfo", NULL, NULL);
	int left = 0;

	for (char *save = NULL, *l = mi ? strtok_r(mi, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char root[256], mnt[256];
		char *dash = strstr(l, " - ");
		_cleanup_free_ char *dir = NULL;
		struct stat sb;

		if (!dash ||
		    (strncmp(dash, " - cgroup ", 10) != 0 && strncmp(dash, " - cgroup2 ", 11) != 0))
			continue;
		if (sscanf(l, "%*s %*s %*s %255s %255s", root, mnt) != 2)
			continue;
		dir = xasprintf("%s%s", mnt, parent_path);
		remove_tree(dir, 0);
		if (stat(dir, &sb) == 0) {
			printf("# cleanup: `%s` is left behind\n", dir);
			left++;
		}
	}
	if (unified_subtree_before) {
		const char *p = v2() ? "/sys/fs/cgroup/cgroup.subtree_control"
				     : "/sys/fs/cgroup/unified/cgroup.subtree_control";
		_cleanup_free_ char *now = read_file_at(AT_FDCWD, p, NULL, NULL);

		if (now && strstr(now, "hugetlb") && !strstr(unified_subtree_before, "hugetlb") &&
		    write_file_at(AT_FDCWD, p, 0, 0, "-hugetlb", 8, NULL) < 0)
			printf("# cleanup: could not restore `%s`\n", p);
	}
	return left;
}

int main(void)
{
	_cleanup_free_ char *subtree = NULL;
	unsigned seed;
	int st = 0;
	pid_t pid;

	if (geteuid() != 0 || cgroup_mode() == CGROUP_UNAVAILABLE) {
		printf("1..0 # SKIP needs root and cgroups\n");
		return 0;
	}
	seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	snprintf(parent_path, sizeof(parent_path), "/edgerun-test-%08x", rand_r(&seed));
	subtree = read_file_at(AT_FDCWD,
			       v2() ? "/sys/fs/cgroup/cgroup.subtree_control"
				    : "/sys/fs/cgroup/unified/cgroup.subtree_control",
			       NULL, NULL);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		er_log_set_sink(capture);
		run_checks();
		_exit(done_testing());
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		st = -1;
	if (cleanup(subtree) > 0)
		return 1;
	if (!WIFEXITED(st)) {
		printf("# the checks died (status %d)\n", st);
		return 1;
	}
	return WEXITSTATUS(st);
}
