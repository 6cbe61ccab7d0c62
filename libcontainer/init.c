/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's init, from its clone to execve of the user's program. It runs inside
 * the new namespaces, talks to edgerun over the sync socket (sync.h) and cannot return:
 * every failure goes back as an ERROR message (the step that failed, and why) and _exit(1).
 *
 * Order (each step needs the ones before it):
 *   GO (id maps written) -> unshare(CGROUP) -> setsid -> rootfs_prepare -> HOOKS (prestart, createRuntime in
 *   the parent) -> createContainer hooks -> rootfs_pivot -> pty -> hostname -> sysctl ->
 *   rootfs_finalize (read-only /proc/sys comes last) -> keyring, rlimits, personality,
 *   scheduler, ioprio, LSM -> env -> bounding set, groups, gid, uid, capabilities ->
 *   no_new_privs, umask, cwd, program lookup -> READY -> read exec.fifo -> startContainer
 *   hooks -> close_range -> seccomp -> execve.
 *
 * Seccomp (the BPF program compiled by the parent; see seccomp_point_of): as late as
 * possible, so that our own set-up runs unfiltered, but where seccomp(2) is still allowed:
 *   - right before execve when no_new_privs is set or CAP_SYS_ADMIN stays effective;
 *   - otherwise right before the capabilities are dropped (as runc): the rest of the set-up
 *     then runs under the filter;
 *   - a profile with SCMP_ACT_NOTIFY is loaded during create (before the caps drop, or
 *     after the program lookup) because its listener fd goes to the parent before READY.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/ioprio.h>
#include <linux/keyctl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/internal.h"
#include "libcontainer/sync.h"
#include "seccomp/seccomp.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define DEFAULT_UMASK 0022
/* key permission bits (keyutils.h, not in the uapi headers) */
#define KEY_USR_SEARCH 0x00080000
#define KEY_OTH_SEARCH 0x00000008

/* When the init loads the seccomp filter (see the top of this file). */
enum seccomp_point {
	SECCOMP_NONE,
	SECCOMP_BEFORE_CAPS, /* no no_new_privs and no CAP_SYS_ADMIN at the end */
	SECCOMP_AT_READY,    /* a notify listener to hand over before READY */
	SECCOMP_AT_EXEC,     /* the last step before execve */
};

struct init_ctx {
	const struct init_config *cfg;
	const struct spec *spec;
	const struct spec_process *proc;
	const struct ns_plan *plan;
	int sock, fifo;
	pid_t host_pid; /* our pid as the host sees it (for the hooks' state) */
	bool new_mnt;
	struct rootfs_config rc;
	char **envp;
	char *exec_path;
	enum seccomp_point seccomp_at;
	bool seccomp_loaded;
};

/* ---------------- pure helpers (unit-tested) ---------------- */

char *init_sysctl_relpath(const char *key, struct er_error *err)
{
	char *rel;

	/* "net.ipv4.ip_forward", or the path form "net/ipv4/conf/eth0.100/forwarding" whose
	 * dots belong to the names */
	char sep;

	if (!key || !*key)
		return er_set(err, 0, "sysctl: empty key"), NULL;
	sep = strchr(key, '/') ? '/' : '.';
	rel = xstrdup(key);
	for (char *p = rel, *start = rel;; p++) {
		if (*p != sep && *p != '\0')
			continue;
		size_t n = (size_t)(p - start);

		if (n == 0 || (n == 2 && start[0] == '.' && start[1] == '.')) {
			free(rel);
			return er_set(err, 0, "sysctl `%s`: bad key", key), NULL;
		}
		if (*p == '\0')
			break;
		*p = '/';
		start = p + 1;
	}
	return rel;
}

/* 0 if `path` is an executable non-directory (the mode bits, as Go's LookPath). */
static int check_exec(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno;
	if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111))
		return EACCES;
	return 0;
}

char *init_lookup_exec(const char *argv0, const char *path, struct er_error *err)
{
	int e;

	if (*argv0 && strchr(argv0, '/')) {
		e = check_exec(argv0);
		if (e)
			return er_set(err, e, "exec \"%s\"", argv0), NULL;
		return xstrdup(argv0);
	}
	if (!path)
		path = DEFAULT_PATH;
	for (const char *p = path; *argv0;) {
		const char *end = strchrnul(p, ':');
		int dlen = (int)(end - p);
		_cleanup_free_ char *cand =
			dlen ? xasprintf("%.*s/%s", dlen, p, argv0) : xasprintf("./%s", argv0);

		if (check_exec(cand) == 0)
			return TAKE_PTR(cand);
		if (!*end)
			break;
		p = end + 1;
	}
	return er_set(err, 0, "exec: \"%s\": executable file not found in $PATH", argv0), NULL;
}

/* ---------------- small steps ---------------- */

void init_reset_signals(void)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

/* Waits for GO (maps written), becomes root of a user namespace, starts a session. */
static int step_start(struct init_ctx *c, struct er_error *err)
{
	struct sync_msg msg = SYNC_MSG_INIT;
	int32_t pid;
	int r;

	if (sync_expect(c->sock, SYNC_GO, &msg, err) < 0)
		return -1;
	r = sync_msg_pid(&msg, &pid, err);
	sync_msg_clear(&msg);
	if (r < 0)
		return -1;
	c->host_pid = pid;
	if (ns_plan_has(c->plan, CLONE_NEWUSER)) {
		bool joined = c->plan->joined & CLONE_NEWUSER;

		/* A joined namespace may not map 0: then stay who we are until setup_user. */
		if (setresgid(0, 0, 0) < 0 && !(joined && errno == EINVAL))
			return er_set(err, errno, "become root in the user namespace: setresgid");
		if (setresuid(0, 0, 0) < 0 && !(joined && errno == EINVAL))
			return er_set(err, errno, "become root in the user namespace: setresuid");
		/* the credential change cleared it */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	}
	/* After GO the parent has placed us in our cgroup: that becomes the namespace's root. */
	if ((c->plan->clone_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		return er_set(err, errno, "create cgroup namespace");
	if (setsid() < 0)
		return er_set(err, errno, "setsid");
	return 0;
}

/* Asks the parent to run prestart + createRuntime hooks and waits for them; without such
 * hooks there is nothing to wait for, and the round trip (two context switches) is saved. */
static int step_runtime_hooks(struct init_ctx *c, struct er_error *err)
{
	struct sync_msg msg = SYNC_MSG_INIT;

	if (!c->spec->hooks.n[HOOK_PRESTART] && !c->spec->hooks.n[HOOK_CREATE_RUNTIME])
		return 0;
	if (sync_send(c->sock, SYNC_HOOKS, 0, NULL, 0, -1, err) < 0)
		return -1;
	if (sync_expect(c->sock, SYNC_HOOKS_DONE, &msg, err) < 0)
		return -1;
	sync_msg_clear(&msg);
	return 0;
}

/* createContainer hooks: in our mount namespace before pivot, cwd = the container's root. */
static int step_create_container_hooks(struct init_ctx *c, struct er_error *err)
{
	const struct spec_hooks *h = &c->spec->hooks;
	_cleanup_free_ char *json = NULL;

	if (!h->n[HOOK_CREATE_CONTAINER])
		return 0;
	if (c->new_mnt && chdir(c->spec->root_path) < 0)
		return er_set(err, errno, "createContainer hooks: chdir to `%s`",
			      c->spec->root_path);
	json = hooks_state_json(c->cfg->state, c->host_pid, ST_CREATING);
	return hooks_run(h->list[HOOK_CREATE_CONTAINER], h->n[HOOK_CREATE_CONTAINER],
			 "createContainer", json, err);
}

static int step_terminal(struct init_ctx *c, struct er_error *err)
{
	_cleanup_close_ int master = -1;
	_cleanup_free_ char *name = NULL;

	if (!c->proc->terminal)
		return 0;
	if (terminal_setup(c->proc, c->new_mnt, &master, &name, err) < 0)
		return er_prefix(err, "set up terminal");
	/* From now on stderr is the container's terminal: keep our debug lines out of it. */
	er_debug_enabled = false;
	return sync_send(c->sock, SYNC_PTY, 0, name, strlen(name), master, err);
}

static int step_hostname(struct init_ctx *c, struct er_error *err)
{
	const struct spec *s = c->spec;
	bool uts = ns_plan_has(c->plan, CLONE_NEWUTS);

	if (s->hostname) {
		if (!uts)
			return er_set(err, 0,
				      "unable to set hostname without a private UTS namespace");
		if (sethostname(s->hostname, strlen(s->hostname)) < 0)
			return er_set(err, errno, "set hostname `%s`", s->hostname);
	}
	if (s->domainname) {
		if (!uts)
			return er_set(err, 0,
				      "unable to set domainname without a private UTS namespace");
		if (setdomainname(s->domainname, strlen(s->domainname)) < 0)
			return er_set(err, errno, "set domainname `%s`", s->domainname);
	}
	return 0;
}

/* runc's rule: only sysctls of a namespace the container has of its own. */
static int sysctl_check_ns(const char *orig, const struct ns_plan *plan, struct er_error *err)
{
	_cleanup_free_ char *key = xstrdup(orig); /* the dotted form, for the checks only */
	static const char *const ipc_keys[] = {
		"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
	int need = 0;

	if (strchr(key, '/'))
		for (char *p = key; *p; p++)
			*p = *p == '/' ? '.' : *p == '.' ? '/' : *p;
	for (size_t i = 0; i < ARRAY_SIZE(ipc_keys); i++)
		if (strcmp(key, ipc_keys[i]) == 0)
			need = CLONE_NEWIPC;
	if (str_has_prefix(key, "fs.mqueue."))
		need = CLONE_NEWIPC;
	else if (str_has_prefix(key, "net."))
		need = CLONE_NEWNET;
	else if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		need = CLONE_NEWUTS;
	if (!need)
		return er_set(err, 0, "sysctl `%s` is not in a separate kernel namespace", orig);
	if (!ns_plan_has(plan, need))
		return er_set(err, 0, "sysctl `%s` is not allowed in the host's %s namespace", orig,
			      need == CLONE_NEWNET   ? "network"
			      : need == CLONE_NEWIPC ? "ipc"
						     : "uts");
	return 0;
}

static int step_sysctl(struct init_ctx *c, struct er_error *err)
{
	const struct spec_linux *l = c->spec->linux_;
	_cleanup_close_ int dirfd = -1;
	struct statfs sfs;

	if (!l || !l->n_sysctl)
		return 0;
	dirfd = open("/proc/sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return er_set(err, errno, "sysctl: open `/proc/sys`");
	if (fstatfs(dirfd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return er_set(err, 0, "sysctl: `/proc/sys` is not on procfs");
	for (size_t i = 0; i < l->n_sysctl; i++) {
		const char *key = l->sysctl[i].key, *val = l->sysctl[i].value;
		_cleanup_free_ char *rel = NULL;

		if (sysctl_check_ns(key, c->plan, err) < 0)
			return -1;
		rel = init_sysctl_relpath(key, err);
		if (!rel)
			return -1;
		if (write_file_at(dirfd, rel, O_WRONLY | O_NOFOLLOW, 0, val, strlen(val), err) < 0)
			return er_prefix(err, "sysctl `%s`", key);
	}
	return 0;
}

/* ---------------- process attributes ---------------- */

static int join_session_keyring(const struct init_ctx *c, struct er_error *err)
{
	const char *id = c->cfg->state && c->cfg->state->id ? c->cfg->state->id : "";
	_cleanup_free_ char *name = xasprintf("_ses.%s", id);
	_cleanup_free_ char *desc = NULL;
	long key, len;
	unsigned long perm;
	char *f;

	key = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
	if (key < 0) {
		if (errno == ENOSYS) /* as runc: best effort where keyrings do not exist */
			return 0;
		return er_set(err, errno, "join session keyring `%s`", name);
	}
	/* "type;uid;gid;perm;description": make it searchable as runc does. */
	len = syscall(SYS_keyctl, KEYCTL_DESCRIBE, key, NULL, 0, 0);
	if (len <= 0)
		return er_set(err, errno, "describe session keyring");
	desc = xcalloc(1, (size_t)len + 1);
	if (syscall(SYS_keyctl, KEYCTL_DESCRIBE, key, desc, len, 0) < 0)
		return er_set(err, errno, "describe session keyring");
	f = desc;
	for (int i = 0; i < 3 && f; i++)
		f = strchr(f, ';') ? strchr(f, ';') + 1 : NULL;
	if (!f)
		return er_set(err, EINVAL, "describe session keyring: unexpected `%s`", desc);
	perm = strtoul(f, NULL, 16);
	perm |= ns_plan_has(c->plan, CLONE_NEWUSER) ? KEY_OTH_SEARCH : KEY_USR_SEARCH;
	if (syscall(SYS_keyctl, KEYCTL_SETPERM, key, perm, 0, 0) < 0)
		return er_set(err, errno, "set session keyring permissions");
	return 0;
}

static const char *rlimit_name(int res)
{
	static const char *const names[] = {
		[RLIMIT_CPU] = "RLIMIT_CPU",	       [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
		[RLIMIT_DATA] = "RLIMIT_DATA",	       [RLIMIT_STACK] = "RLIMIT_STACK",
		[RLIMIT_CORE] = "RLIMIT_CORE",	       [RLIMIT_RSS] = "RLIMIT_RSS",
		[RLIMIT_NPROC] = "RLIMIT_NPROC",       [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
		[RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",   [RLIMIT_AS] = "RLIMIT_AS",
		[RLIMIT_LOCKS] = "RLIMIT_LOCKS",       [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
		[RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE", [RLIMIT_NICE] = "RLIMIT_NICE",
		[RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",     [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
	};

	if (res >= 0 && (size_t)res < ARRAY_SIZE(names) && names[res])
		return names[res];
	return "RLIMIT_?";
}

static int set_rlimits(const struct spec_process *p, struct er_error *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct spec_rlimit *r = &p->rlimits[i];
		struct rlimit rl = {.rlim_cur = (rlim_t)r->soft, .rlim_max = (rlim_t)r->hard};

		if (setrlimit((__rlimit_resource_t)r->resource, &rl) < 0)
			return er_set(err, errno, "set rlimit `%s` (soft %llu, hard %llu)",
				      rlimit_name(r->resource), (unsigned long long)r->soft,
				      (unsigned long long)r->hard);
	}
	return 0;
}

/* struct sched_attr of sched_setattr(2), SCHED_ATTR_SIZE_VER0 layout. */
struct er_sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

static int set_sched_and_io(const struct spec_process *p, struct er_error *err)
{
	if (p->has_scheduler) {
		const struct spec_scheduler *s = &p->scheduler;
		struct er_sched_attr a = {
			.size = sizeof(a),
			.sched_policy = (uint32_t)s->policy,
			.sched_flags = s->flags,
			.sched_nice = s->nice,
			.sched_priority = (uint32_t)s->priority,
			.sched_runtime = s->runtime,
			.sched_deadline = s->deadline,
			.sched_period = s->period,
		};

		if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
			return er_set(err, errno, "set scheduler (policy %d)", s->policy);
	}
	if (p->has_io_priority) {
		int v = IOPRIO_PRIO_VALUE(p->io_priority_class, p->io_priority);

		if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, v) < 0)
			return er_set(err, errno, "set io priority (class %d, priority %d)",
				      p->io_priority_class, p->io_priority);
	}
	return 0;
}

/* The label for the next execve; the parent checked the LSM is enabled (lsm_check). */
static int set_exec_label(const char *what, const char *file, const char *fallback,
			  const char *text, struct er_error *err)
{
	int r = write_file_at(AT_FDCWD, file, O_WRONLY, 0, text, strlen(text), err);

	if (r < 0 && fallback) {
		er_clear(err);
		r = write_file_at(AT_FDCWD, fallback, O_WRONLY, 0, text, strlen(text), err);
	}
	return r < 0 ? er_prefix(err, "set %s", what) : 0;
}

int init_process_attributes(const struct spec_process *p, const struct spec_linux *l,
			    struct er_error *err)
{
	if (set_rlimits(p, err) < 0)
		return -1;
	if (l && l->has_personality) {
		if (l->personality_flags && l->personality_flags[0])
			return er_set(err, 0, "linux.personality.flags: `%s` is not supported",
				      l->personality_flags[0]);
		if (personality(l->personality_domain) < 0)
			return er_set(err, errno, "set personality %#lx", l->personality_domain);
	}
	if (set_sched_and_io(p, err) < 0)
		return -1;
	if (p->apparmor_profile) {
		_cleanup_free_ char *t = xasprintf("exec %s", p->apparmor_profile);

		if (set_exec_label("apparmor profile", "/proc/self/attr/apparmor/exec",
				   "/proc/self/attr/exec", t, err) < 0)
			return -1;
	}
	if (p->selinux_label && set_exec_label("selinux label", "/proc/self/attr/exec", NULL,
					       p->selinux_label, err) < 0)
		return -1;
	return 0;
}

static int step_attributes(struct init_ctx *c, struct er_error *err)
{
	if (!c->cfg->no_new_keyring && join_session_keyring(c, err) < 0)
		return -1;
	return init_process_attributes(c->proc, c->spec->linux_, err);
}

/* HOME from the container's /etc/passwd when the spec does not set it ("/" if unknown). */
static char *home_of(uid_t uid)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	while (f && getline(&line, &cap, f) > 0) {
		char *fields[7] = {NULL}, *tok = line;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		/* strsep keeps empty fields (a passwd entry may have an empty gecos) */
		while (n < 7 && (fields[n] = strsep(&tok, ":")))
			n++;
		if (n >= 6 && fields[2][0] && strtoul(fields[2], NULL, 10) == uid && fields[5][0])
			return xstrdup(fields[5]);
	}
	return xstrdup("/");
}

char **init_process_env(const struct spec_process *p)
{
	char **envp = strv_dup(p->env);

	if (!envp)
		envp = xcalloc(1, sizeof(char *));
	if (!env_get(envp, "HOME")) {
		_cleanup_free_ char *home = home_of(p->user.uid);

		strv_push(&envp, xasprintf("HOME=%s", home));
	}
	return envp;
}

static void step_env(struct init_ctx *c)
{
	c->envp = init_process_env(c->proc);
}

/* ---------------- seccomp ---------------- */

/* Whether CAP_SYS_ADMIN is still effective once the user and capabilities are set. */
static bool keeps_sys_admin(const struct spec_process *p)
{
	if (p->caps.present)
		return (p->caps.effective & (UINT64_C(1) << CAP_SYS_ADMIN)) != 0;
	/* no process.capabilities: root keeps ours, any other uid loses them at setresuid */
	return p->user.uid == 0;
}

bool init_seccomp_before_caps(const struct spec_process *p)
{
	return !p->no_new_privileges && !keeps_sys_admin(p);
}

static enum seccomp_point seccomp_point_of(const struct init_config *cfg)
{
	const struct spec_process *p = cfg->spec->process;

	if (!cfg->seccomp)
		return SECCOMP_NONE;
	if (init_seccomp_before_caps(p))
		return SECCOMP_BEFORE_CAPS;
	return cfg->seccomp->notify ? SECCOMP_AT_READY : SECCOMP_AT_EXEC;
}

/*
 * SCMP_ACT_NOTIFY: once the filter is loaded, any syscall of ours may be one that only the
 * listener can answer, and no listener has the fd yet: sending it ourselves could block
 * for ever (a profile that notifies sendmsg). So the init makes no syscall between the
 * load and the hand-off. A helper sharing our fd table (CLONE_FILES), cloned before the
 * load and so not under the filter, reads the fd number from a shared page, sends it to
 * the parent (SECCOMP), waits for SECCOMP_DONE and says so in the page; the init spins on
 * that word meanwhile (bounded by HANDOFF_TIMEOUT_S on the vDSO clock).
 */
enum { HANDOFF_WAIT, HANDOFF_DONE, HANDOFF_FAILED };
#define HANDOFF_NO_FD -2 /* the load failed: the helper has nothing to send */
#define HANDOFF_TIMEOUT_S 60

struct handoff {
	int fd;	   /* the listener (set by the init); -1 until then, HANDOFF_NO_FD */
	int state; /* HANDOFF_* (set by the helper) */
};

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

__attribute__((noreturn)) static void handoff_helper(struct handoff *h, int sock)
{
	const struct timespec tick = {.tv_sec = 0, .tv_nsec = 200 * 1000};
	struct er_error e = ER_ERROR_INIT;
	struct sync_msg msg = SYNC_MSG_INIT;
	int fd;

	/* the init waits for us; if it dies, so do we */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	while ((fd = __atomic_load_n(&h->fd, __ATOMIC_ACQUIRE)) == -1)
		(void)nanosleep(&tick, NULL);
	if (fd == HANDOFF_NO_FD)
		_exit(0);
	if (sync_send(sock, SYNC_SECCOMP, 0, NULL, 0, fd, &e) < 0 ||
	    sync_expect(sock, SYNC_SECCOMP_DONE, &msg, &e) < 0) {
		__atomic_store_n(&h->state, HANDOFF_FAILED, __ATOMIC_RELEASE);
		_exit(1);
	}
	__atomic_store_n(&h->state, HANDOFF_DONE, __ATOMIC_RELEASE);
	_exit(0);
}

/* After the load: no syscall (clock_gettime is the vDSO's) until the helper is done. */
static int handoff_wait(const struct handoff *h)
{
	struct timespec start, now;
	unsigned long spins = 0;
	int state;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((state = __atomic_load_n(&h->state, __ATOMIC_ACQUIRE)) == HANDOFF_WAIT) {
		cpu_relax();
		if (++spins % 65536)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > HANDOFF_TIMEOUT_S)
			break;
	}
	return state;
}

static int load_with_listener(const struct seccomp_prog *prog, int sock, struct er_error *err)
{
	struct handoff *h;
	long helper;
	int fd, state = HANDOFF_FAILED;

	h = mmap(NULL, sizeof(*h), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED)
		return er_set(err, errno, "seccomp: map the listener hand-off page");
	h->fd = -1;
	h->state = HANDOFF_WAIT;
	/* fork-like: the helper runs on a copy of our stack */
	helper = syscall(SYS_clone, CLONE_FILES | SIGCHLD, NULL, NULL, NULL, 0);
	if (helper < 0) {
		er_set(err, errno, "seccomp: clone the listener hand-off helper");
		munmap(h, sizeof(*h));
		return -1;
	}
	if (helper == 0)
		handoff_helper(h, sock);
	fd = seccomp_load(prog, err);
	__atomic_store_n(&h->fd, fd < 0 ? HANDOFF_NO_FD : fd, __ATOMIC_RELEASE);
	if (fd >= 0) {
		state = handoff_wait(h);
		/* from here on the listener answers what it was asked to */
		close(fd);
	}
	if (fd >= 0 && state != HANDOFF_DONE)
		kill((pid_t)helper, SIGKILL); /* may still wait for the parent */
	while (waitpid((pid_t)helper, NULL, 0) < 0 && errno == EINTR)
		;
	munmap(h, sizeof(*h));
	if (fd < 0)
		return -1;
	if (state != HANDOFF_DONE)
		return er_set(err, state == HANDOFF_WAIT ? ETIMEDOUT : EPIPE,
			      "seccomp: hand the listener fd to edgerun");
	return 0;
}

int init_seccomp_load(const struct seccomp_prog *prog, int sock, struct er_error *err)
{
	if (prog->notify)
		return load_with_listener(prog, sock, err);
	return seccomp_load(prog, err) < 0 ? -1 : 0;
}

/* Loads the filter during create (see seccomp_point_of). */
static int step_seccomp(struct init_ctx *c, struct er_error *err)
{
	if (init_seccomp_load(c->cfg->seccomp, c->sock, err) < 0)
		return -1;
	c->seccomp_loaded = true;
	return 0;
}

/* ---------------- user and capabilities ---------------- */

/* Pipes and sockets on stdio (and our own pty) go to the container's user so that it can
 * reopen /dev/stdout; host devices and files are never chowned. */
int init_fix_stdio_owner(const struct spec_process *p, struct er_error *err)
{
	uid_t uid = p->user.uid;
	gid_t gid = p->user.gid;

	for (int fd = 0; fd < 3; fd++) {
		struct stat st;
		bool ours;

		if (fstat(fd, &st) < 0 || st.st_uid == uid)
			continue;
		ours = p->terminal && S_ISCHR(st.st_mode);
		if (!ours && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
			continue;
		if (fchown(fd, uid, gid) == 0)
			continue;
		if (ours)
			return er_set(err, errno, "chown the terminal to %u:%u", uid, gid);
		/* an unmapped owner (user namespace) cannot be changed: leave it */
	}
	return 0;
}

static int set_groups_and_ids(const struct spec_user *u, struct er_error *err)
{
	if (!userns_setgroups_allowed()) {
		if (u->n_additional_gids)
			return er_set(err, 0,
				      "cannot set additional gids: setgroups is denied in this "
				      "user namespace");
	} else if (setgroups(u->n_additional_gids, u->additional_gids) < 0) {
		return er_set(err, errno, "setgroups");
	}
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return er_set(err, errno, "setresgid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return er_set(err, errno, "setresuid %u", u->uid);
	return 0;
}

int init_set_user(const struct spec_process *p, struct er_error *err)
{
	/* Without process.capabilities a non-root user gets none: a plain setuid drops them. */
	if (p->caps.present && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return er_set(err, errno, "prctl(PR_SET_KEEPCAPS)");
	if (caps_drop_bounding(&p->caps, err) < 0)
		return -1;
	if (set_groups_and_ids(&p->user, err) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return er_set(err, errno, "prctl(PR_SET_KEEPCAPS)");
	return caps_apply(&p->caps, err);
}

static int step_user(struct init_ctx *c, struct er_error *err)
{
	if (init_fix_stdio_owner(c->proc, err) < 0)
		return -1;
	/* seccomp(2) needs no_new_privs or CAP_SYS_ADMIN: the last moment we hold the latter */
	if (c->seccomp_at == SECCOMP_BEFORE_CAPS && step_seccomp(c, err) < 0)
		return -1;
	return init_set_user(c->proc, err);
}

/* no_new_privs, umask, cwd and the program; cwd is tried before the user switch too (a
 * directory only root can enter). */
int init_process_final(const struct spec_process *p, bool cwd_done, char *const *envp,
		       char **exec_path, struct er_error *err)
{
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return er_set(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	umask(p->user.has_umask ? (mode_t)p->user.umask : DEFAULT_UMASK);
	if (!cwd_done && chdir(p->cwd) < 0)
		return er_set(err, errno, "chdir to cwd `%s`", p->cwd);
	*exec_path = init_lookup_exec(p->args[0], env_get(envp, "PATH"), err);
	return *exec_path ? 0 : -1;
}

static int step_final(struct init_ctx *c, bool cwd_done, struct er_error *err)
{
	return init_process_final(c->proc, cwd_done, c->envp, &c->exec_path, err);
}

/* ---------------- the whole set-up ---------------- */

static int init_setup(struct init_ctx *c, struct er_error *err)
{
	bool cwd_done;

	if (step_start(c, err) < 0)
		return -1;
	if (c->new_mnt && rootfs_prepare(&c->rc, err) < 0)
		return -1;
	if (step_runtime_hooks(c, err) < 0 || step_create_container_hooks(c, err) < 0)
		return -1;
	if (c->new_mnt && rootfs_pivot(&c->rc, err) < 0)
		return -1;
	/* as runc: a missing cwd is created (before root.readonly applies); "/" is the
	 * container's root now, so absolute symlinks cannot lead out of it */
	if (c->new_mnt && c->proc->cwd && mkdir_p(c->proc->cwd, 0755, err) < 0)
		return er_prefix(err, "create cwd");
	if (step_terminal(c, err) < 0 || step_hostname(c, err) < 0 || step_sysctl(c, err) < 0)
		return -1;
	if (c->new_mnt && rootfs_finalize(&c->rc, err) < 0)
		return -1;
	if (step_attributes(c, err) < 0)
		return -1;
	step_env(c);
	cwd_done = chdir(c->proc->cwd) == 0;
	if (step_user(c, err) < 0 || step_final(c, cwd_done, err) < 0)
		return -1;
	if (c->seccomp_at == SECCOMP_AT_READY)
		return step_seccomp(c, err);
	return 0;
}

/* After READY: nobody listens on the sync socket any more; report to the log sink. */
__attribute__((noreturn)) static void init_fatal(const struct init_ctx *c, const struct er_error *e)
{
	const char *msg = e->msg ? e->msg : "unknown error";

	/* `start` reads this once our end of exec.fifo closes (a pipe holds far more) */
	if (c->cfg->exec_err_fd > STDERR_FILENO)
		(void)write_all(c->cfg->exec_err_fd, msg, strnlen(msg, 4096));
	er_log(ER_LOG_ERROR, "container init: %s", msg);
	_exit(127);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The init inherits every descriptor of the caller: keep stdio, the preserved fds and our
 * own, close the rest now, so nothing of the caller is held while the init waits. */
static void close_caller_fds(const struct init_config *cfg, int sock, int fifo)
{
	size_t n_mounts = cfg->mount_fds ? cfg->spec->n_mounts : 0;
	_cleanup_free_ int *keep = xcalloc(n_mounts + 3, sizeof(int));
	size_t n = 0;
	unsigned int from = 3U + (unsigned int)(cfg->preserve_fds > 0 ? cfg->preserve_fds : 0);

	keep[n++] = sock;
	keep[n++] = fifo;
	keep[n++] = cfg->exec_err_fd;
	for (size_t i = 0; i < n_mounts; i++)
		keep[n++] = cfg->mount_fds[i];
	qsort(keep, n, sizeof(int), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < 0 || (unsigned int)keep[i] < from)
			continue;
		if ((unsigned int)keep[i] > from)
			(void)syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0);
		from = (unsigned int)keep[i] + 1;
	}
	(void)syscall(SYS_close_range, from, ~0U, 0);
}

__attribute__((noreturn)) static void init_wait_and_exec(struct init_ctx *c)
{
	const struct spec_hooks *h = &c->spec->hooks;
	struct er_error e = ER_ERROR_INIT;
	char byte;
	ssize_t n;

	do
		n = read(c->fifo, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1) {
		er_set(&e, n < 0 ? errno : EPIPE, "read exec fifo");
		init_fatal(c, &e);
	}
	/* c->fifo stays open (O_CLOEXEC) until execve: `start` waits for it to close so that
	 * poststart hooks run after the user's program has started. */
	if (h->n[HOOK_START_CONTAINER]) {
		_cleanup_free_ char *json =
			hooks_state_json(c->cfg->state, c->host_pid, ST_CREATED);

		if (hooks_run(h->list[HOOK_START_CONTAINER], h->n[HOOK_START_CONTAINER],
			      "startContainer", json, &e) < 0)
			init_fatal(c, &e);
	}
	/* Before the filter, which may refuse close_range; a filter loaded during create may
	 * refuse it too: every fd of ours is CLOEXEC anyway, so that is no reason to fail. */
	if (syscall(SYS_close_range, 3U + (unsigned int)c->cfg->preserve_fds, ~0U,
		    CLOSE_RANGE_CLOEXEC) < 0 &&
	    errno != ENOSYS && errno != EINVAL && !c->seccomp_loaded) {
		er_set(&e, errno, "close_range");
		init_fatal(c, &e);
	}
	/* the very last step: nothing of ours runs under the filter */
	if (c->seccomp_at == SECCOMP_AT_EXEC && seccomp_load(c->cfg->seccomp, &e) < 0)
		init_fatal(c, &e);
	execve(c->exec_path, c->proc->args, c->envp);
	er_set(&e, errno, "exec \"%s\"", c->exec_path);
	init_fatal(c, &e);
}

void init_main(const struct init_config *cfg, const struct ns_plan *plan, int sock, int fifo_fd)
{
	struct er_error e = ER_ERROR_INIT;
	struct init_ctx c = {
		.cfg = cfg,
		.spec = cfg->spec,
		.proc = cfg->spec->process,
		.plan = plan,
		.sock = sock,
		.fifo = fifo_fd,
		.new_mnt = (plan->clone_flags & CLONE_NEWNS) != 0,
		.seccomp_at = seccomp_point_of(cfg),
		.rc = {.spec = cfg->spec,
		       .mount_fds = cfg->mount_fds,
		       .bundle = cfg->bundle,
		       .no_pivot = cfg->no_pivot,
		       .in_userns = ns_plan_has(plan, CLONE_NEWUSER),
		       .in_cgroupns = ns_plan_has(plan, CLONE_NEWCGROUP)},
	};

	/* also drops the caller's lock on ROOT/ID, so it never outlives `create` */
	close_caller_fds(cfg, sock, fifo_fd);
	init_reset_signals();
	/* Die with edgerun while it still waits for us; a credential change clears this. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (init_setup(&c, &e) < 0) {
		sync_send_error(sock, &e);
		_exit(1);
	}
	(void)prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (sync_send(sock, SYNC_READY, 0, NULL, 0, -1, &e) < 0)
		_exit(1);
	close(sock);
	init_wait_and_exec(&c);
}
