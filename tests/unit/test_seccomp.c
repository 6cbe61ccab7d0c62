/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp/: profiles compiled and loaded in forked children (each sets no_new_privs first),
 * the ENOSYS prologue (in the kernel and in a small BPF interpreter), notify listeners,
 * flags, errors, and the compiled-filter cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "seccomp/internal.h"
#include "seccomp/seccomp.h"
#include "specconv/state.h"
#include "tap.h"

#define NOPID 0x10000001L /* above any pid_max: getpgid/kill on it fail with ESRCH */
#define KILLED 1000	  /* run_in_child: 1000 + signal when the child was killed */
#define X32_BIT 0x40000000L

static char tmpdir[] = "/tmp/edgerun-seccomp-XXXXXX";

/* ---------------- debug log capture ---------------- */

static char *logbuf;

static void capture(enum er_log_level level, const char *msg)
{
	char *old = logbuf;

	(void)level;
	logbuf = xasprintf("%s%s\n", old ? old : "", msg);
	free(old);
}

static bool log_has(const char *s)
{
	return logbuf && strstr(logbuf, s);
}

static void log_reset(void)
{
	free(logbuf);
	logbuf = NULL;
}

/* ---------------- profiles ---------------- */

static char *n_uname[] = {"uname", NULL};
static char *n_getcwd[] = {"getcwd", NULL};
static char *n_getpgid[] = {"getpgid", NULL};
static char *n_kill[] = {"kill", NULL};
static char *n_getppid[] = {"getppid", NULL};
static char *n_exits[] = {"exit", "exit_group", NULL};

static struct spec_seccomp allow_with(struct spec_seccomp_rule *rules, size_t n)
{
	return (struct spec_seccomp){
		.default_action = SCMP_ACT_ALLOW, .rules = rules, .n_rules = n};
}

static struct spec_seccomp_rule errno_rule(char **names, uint32_t e)
{
	return (struct spec_seccomp_rule){
		.names = names, .action = SCMP_ACT_ERRNO(0), .has_errno_ret = true, .errno_ret = e};
}

static bool prepare_ok(const struct spec_seccomp *sc, const char *cache, struct seccomp_prog *p,
		       const char *what)
{
	struct er_error err = ER_ERROR_INIT;
	bool pass = ok(seccomp_prepare(sc, cache, p, &err) == 0, "%s: prepared", what);

	if (!pass)
		diag("%s", err.msg);
	er_clear(&err);
	return pass;
}

static char *prepare_error(const struct spec_seccomp *sc)
{
	struct er_error err = ER_ERROR_INIT;
	struct seccomp_prog p;

	if (seccomp_prepare(sc, NULL, &p, &err) == 0) {
		seccomp_prog_free(&p);
		return xstrdup("(no error)");
	}
	return err.msg;
}

/* ---------------- children ---------------- */

/* exit_group(2) itself: under a filter, _exit() of a sanitizer build would run its leak
 * checker, whose syscalls the filter refuses */
__attribute__((noreturn)) static void child_exit(int code)
{
	for (;;) {
#if defined(__x86_64__)
		__asm__ volatile("syscall"
				 :
				 : "a"((long)SYS_exit_group), "D"((long)code)
				 : "rcx", "r11", "memory");
#else
		syscall(SYS_exit_group, code);
#endif
	}
}

static void child_setup(void)
{
	struct rlimit none = {0, 0};

	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(201);
}

static int wait_code(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	if (WIFSIGNALED(st))
		return KILLED + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* The errno of syscall NR, 0 on success, without libc's wrapper (which a sanitizer
 * build follows with calls of its own that a strict filter refuses). */
static int raw_errno(long nr, long a0, long a1)
{
#if defined(__x86_64__)
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(0L)
			 : "rcx", "r11", "memory");
	return r < 0 && r > -4096 ? (int)-r : 0;
#else
	return syscall(nr, a0, a1, 0, 0, 0) < 0 ? errno : 0;
#endif
}

/* In a child under P: syscall(NR, A0, A1); the child's exit code is the errno (0 when the
 * call succeeded), or KILLED + signal. */
static int errno_in_child(const struct seccomp_prog *p, long nr, long a0, long a1)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct er_error err = ER_ERROR_INIT;

		child_setup();
		if (seccomp_load(p, &err) < 0)
			child_exit(200);
		child_exit(raw_errno(nr, a0, a1));
	}
	return wait_code(pid);
}

static char cwdbuf[4096];

static void test_actions(void)
{
	struct spec_seccomp_rule rules[] = {
		errno_rule(n_uname, 42),
		{.names = n_getcwd, .action = SCMP_ACT_ERRNO(0)}, /* no errnoRet: EPERM */
		{.names = n_getppid, .action = SCMP_ACT_KILL_PROCESS},
	};
	struct spec_seccomp sc = allow_with(rules, ARRAY_SIZE(rules));
	struct seccomp_prog p;
	char u[6 * 65];

	if (!prepare_ok(&sc, NULL, &p, "actions"))
		return;
	is_int(errno_in_child(&p, SYS_uname, (long)u, 0), 42, "SCMP_ACT_ERRNO returns errnoRet");
	is_int(errno_in_child(&p, SYS_getcwd, (long)cwdbuf, sizeof(cwdbuf)), EPERM,
	       "SCMP_ACT_ERRNO without errnoRet returns EPERM");
	is_int(errno_in_child(&p, SYS_getppid, 0, 0), KILLED + SIGSYS,
	       "SCMP_ACT_KILL_PROCESS kills with SIGSYS");
	is_int(errno_in_child(&p, SYS_getpid, 0, 0), 0, "other syscalls take the default ALLOW");
	seccomp_prog_free(&p);

	rules[2].action = SCMP_ACT_TRAP;
	if (prepare_ok(&sc, NULL, &p, "trap")) {
		is_int(errno_in_child(&p, SYS_getppid, 0, 0), KILLED + SIGSYS,
		       "SCMP_ACT_TRAP raises SIGSYS");
		seccomp_prog_free(&p);
	}
	rules[2].action = SCMP_ACT_KILL_THREAD;
	if (prepare_ok(&sc, NULL, &p, "kill thread")) {
		is_int(errno_in_child(&p, SYS_getppid, 0, 0), KILLED + SIGSYS,
		       "SCMP_ACT_KILL_THREAD kills the (single-threaded) child with SIGSYS");
		seccomp_prog_free(&p);
	}
	rules[2].action = SCMP_ACT_LOG;
	if (prepare_ok(&sc, NULL, &p, "log")) {
		is_int(errno_in_child(&p, SYS_getppid, 0, 0), 0, "SCMP_ACT_LOG lets the call run");
		seccomp_prog_free(&p);
	}
	rules[2].action = SCMP_ACT_TRACE(0);
	if (prepare_ok(&sc, NULL, &p, "trace")) {
		is_int(errno_in_child(&p, SYS_getppid, 0, 0), ENOSYS,
		       "SCMP_ACT_TRACE without a tracer: ENOSYS");
		seccomp_prog_free(&p);
	}
}

static void test_args(void)
{
	struct spec_seccomp_arg eq[] = {{.index = 0, .value = NOPID + 5, .op = SCMP_CMP_EQ}};
	struct spec_seccomp_arg both[] = {{.index = 0, .value = NOPID, .op = SCMP_CMP_EQ},
					  {.index = 1, .value = 0, .op = SCMP_CMP_EQ}};
	struct spec_seccomp_arg either[] = {{.index = 0, .value = NOPID + 1, .op = SCMP_CMP_EQ},
					    {.index = 0, .value = NOPID + 2, .op = SCMP_CMP_EQ}};
	struct spec_seccomp_rule rules[] = {errno_rule(n_getpgid, 42), errno_rule(n_kill, 43)};
	struct spec_seccomp sc = allow_with(rules, ARRAY_SIZE(rules));
	struct seccomp_prog p;

	rules[0].args = eq;
	rules[0].n_args = 1;
	rules[1].args = both;
	rules[1].n_args = 2;
	if (!prepare_ok(&sc, NULL, &p, "args"))
		return;
	is_int(errno_in_child(&p, SYS_getpgid, NOPID + 5, 0), 42, "args: EQ matches its value");
	is_int(errno_in_child(&p, SYS_getpgid, NOPID + 6, 0), ESRCH, "args: EQ only that value");
	is_int(errno_in_child(&p, SYS_getpgid, 0, 0), 0, "args: getpgid(0) runs");
	is_int(errno_in_child(&p, SYS_kill, NOPID, 0), 43, "args: two indices, both match");
	is_int(errno_in_child(&p, SYS_kill, NOPID, SIGCONT), ESRCH, "args: two indices are an AND");
	seccomp_prog_free(&p);

	rules[0].args = either;
	rules[0].n_args = 2;
	if (!prepare_ok(&sc, NULL, &p, "args on one index"))
		return;
	is_int(errno_in_child(&p, SYS_getpgid, NOPID + 1, 0), 42, "args: same index, first value");
	is_int(errno_in_child(&p, SYS_getpgid, NOPID + 2, 0), 42,
	       "args: same index, second value (an OR, as runc)");
	is_int(errno_in_child(&p, SYS_getpgid, NOPID + 3, 0), ESRCH,
	       "args: same index, other values run");
	seccomp_prog_free(&p);
}

static void test_operators(void)
{
	static const struct {
		int op;
		const char *name;
		int below, at, above;
	} ops[] = {
		{SCMP_CMP_NE, "NE", 1, 0, 1}, {SCMP_CMP_LT, "LT", 1, 0, 0},
		{SCMP_CMP_LE, "LE", 1, 1, 0}, {SCMP_CMP_EQ, "EQ", 0, 1, 0},
		{SCMP_CMP_GE, "GE", 0, 1, 1}, {SCMP_CMP_GT, "GT", 0, 0, 1},
	};
	const long base = NOPID + 100;

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		struct spec_seccomp_arg a = {.index = 0, .value = (uint64_t)base, .op = ops[i].op};
		struct spec_seccomp_rule r = errno_rule(n_getpgid, 42);
		struct spec_seccomp sc = allow_with(&r, 1);
		struct seccomp_prog p;
		int got[3];

		r.args = &a;
		r.n_args = 1;
		if (!prepare_ok(&sc, NULL, &p, ops[i].name))
			continue;
		for (int d = -1; d <= 1; d++)
			got[d + 1] = errno_in_child(&p, SYS_getpgid, base + d, 0) == 42;
		ok(got[0] == ops[i].below && got[1] == ops[i].at && got[2] == ops[i].above,
		   "SCMP_CMP_%s: below/at/above the value match %d/%d/%d", ops[i].name, got[0],
		   got[1], got[2]);
		seccomp_prog_free(&p);
	}
}

static void test_masked_eq(void)
{
	/* value is the mask, valueTwo the datum: (arg & 0xff) == 0x42 */
	struct spec_seccomp_arg a = {
		.index = 0, .value = 0xff, .value_two = 0x42, .op = SCMP_CMP_MASKED_EQ};
	struct spec_seccomp_rule r = errno_rule(n_getpgid, 42);
	struct spec_seccomp sc = allow_with(&r, 1);
	struct seccomp_prog p;

	r.args = &a;
	r.n_args = 1;
	if (!prepare_ok(&sc, NULL, &p, "masked_eq"))
		return;
	is_int(errno_in_child(&p, SYS_getpgid, 0x10000042, 0), 42, "MASKED_EQ: masked bits match");
	is_int(errno_in_child(&p, SYS_getpgid, 0x7fff0042, 0), 42,
	       "MASKED_EQ: bits outside the mask do not matter");
	is_int(errno_in_child(&p, SYS_getpgid, 0x10000043, 0), ESRCH,
	       "MASKED_EQ: other masked bits do not match");
	seccomp_prog_free(&p);
}

static void test_unknown_names(void)
{
	char *names[] = {"no_such_syscall_edgerun", "uname", NULL};
	struct spec_seccomp_rule r = errno_rule(names, 42);
	struct spec_seccomp sc = allow_with(&r, 1);
	struct seccomp_prog p;
	char u[6 * 65];

	log_reset();
	if (!prepare_ok(&sc, NULL, &p, "unknown syscall name"))
		return;
	ok(log_has("seccomp: unknown syscall `no_such_syscall_edgerun` skipped"),
	   "unknown syscall name: debug line");
	is_int(errno_in_child(&p, SYS_uname, (long)u, 0), 42,
	       "unknown syscall name: the rule's other names still apply");
	seccomp_prog_free(&p);
}

/* A rule with the default action is skipped (libseccomp would refuse it). */
static void test_redundant_rule(void)
{
	struct spec_seccomp_rule rules[] = {{.names = n_getppid, .action = SCMP_ACT_ALLOW},
					    errno_rule(n_uname, 42)};
	struct spec_seccomp sc = allow_with(rules, 2);
	struct seccomp_prog p;
	char u[6 * 65];

	if (!prepare_ok(&sc, NULL, &p, "rule with the default action"))
		return;
	is_int(errno_in_child(&p, SYS_uname, (long)u, 0), 42,
	       "rule with the default action skipped, the others apply");
	seccomp_prog_free(&p);
}

/* ---------------- ENOSYS ---------------- */

static void test_enosys_kernel(void)
{
	struct spec_seccomp_rule rules[] = {{.names = n_exits, .action = SCMP_ACT_ALLOW},
					    {.names = n_getcwd, .action = SCMP_ACT_ERRNO(0)}};
	struct spec_seccomp sc = {
		.default_action = SCMP_ACT_ERRNO(0), .rules = rules, .n_rules = 2};
	struct seccomp_prog p;

	if (!prepare_ok(&sc, NULL, &p, "enosys"))
		return;
	is_int(errno_in_child(&p, 1000, 0, 0), ENOSYS, "syscall 1000: ENOSYS under ERRNO(EPERM)");
	is_int(errno_in_child(&p, SYS_getcwd, (long)cwdbuf, 10), EPERM, "named and denied: EPERM");
	is_int(errno_in_child(&p, SYS_getppid, 0, 0), EPERM,
	       "not named, older than the profile's newest: the default EPERM");
	is_int(errno_in_child(&p, SYS_clone3, 0, 0), ENOSYS,
	       "clone3, newer than every syscall the profile names: ENOSYS");
	seccomp_prog_free(&p);

	sc.default_action = SCMP_ACT_KILL_PROCESS;
	rules[1].action = SCMP_ACT_ALLOW;
	if (prepare_ok(&sc, NULL, &p, "enosys under KILL_PROCESS")) {
		is_int(errno_in_child(&p, 1000, 0, 0), ENOSYS,
		       "syscall 1000: ENOSYS under KILL_PROCESS");
		is_int(errno_in_child(&p, SYS_getppid, 0, 0), KILLED + SIGSYS,
		       "not named, older: killed");
		seccomp_prog_free(&p);
	}

	/* x32 calls (bit 30) are checked against the profile's x32 numbers */
	char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", NULL};
	sc.default_action = SCMP_ACT_ERRNO(0);
	sc.architectures = arches;
	rules[1].action = SCMP_ACT_ERRNO(0);
	if (prepare_ok(&sc, NULL, &p, "enosys with x32")) {
		is_int(errno_in_child(&p, X32_BIT | 1000, 0, 0), ENOSYS,
		       "x32 syscall 1000: ENOSYS");
		is_int(errno_in_child(&p, X32_BIT | SYS_getppid, 0, 0), EPERM,
		       "x32 getppid (not named, older): EPERM");
		seccomp_prog_free(&p);
	}
}

/* A small interpreter for the instructions the prologue uses. */
static uint32_t run_bpf(const struct sock_filter *f, size_t n, uint32_t arch, uint32_t nr)
{
	uint32_t a = 0;

	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			a = i->k == 4 ? arch : i->k == 0 ? nr : 0xdeadbeef;
			break;
		case BPF_JMP | BPF_JA:
			pc += i->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > i->k ? i->jt : i->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (a & i->k) ? i->jt : i->jf;
			break;
		case BPF_RET | BPF_K:
			return i->k;
		default:
			return 0xbad;
		}
	}
	return 0xbad; /* ran off the end */
}

static void test_enosys_stub(void)
{
	const uint32_t enosys = SECCOMP_RET_ERRNO | ENOSYS, filter = 0x7fff1234;
	struct enosys_arch t[] = {
		{.audit_arch = AUDIT_ARCH_X86_64, .max = 300, .max_x32 = X32_BIT | 200},
		{.audit_arch = AUDIT_ARCH_I386, .max = 400},
		{.audit_arch = AUDIT_ARCH_S390X, .max = 100},
		{.audit_arch = AUDIT_ARCH_AARCH64, .max = 0}, /* names nothing: no check */
	};
	struct sock_filter prog[ENOSYS_STUB_MAX + 1];
	int n = seccomp_enosys_stub(t, ARRAY_SIZE(t), prog);
	struct enosys_arch many[ENOSYS_MAX_ARCHES + 1];

	if (!ok(n > 0, "stub: built (%d instructions)", n))
		return;
	prog[n] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, filter);
	n++;
	is_int(run_bpf(prog, n, AUDIT_ARCH_X86_64, 300), filter, "stub: x86_64 at max: filter");
	is_int(run_bpf(prog, n, AUDIT_ARCH_X86_64, 301), enosys, "stub: x86_64 above: ENOSYS");
	is_int(run_bpf(prog, n, AUDIT_ARCH_X86_64, X32_BIT | 200), filter,
	       "stub: x32 at its max: filter");
	is_int(run_bpf(prog, n, AUDIT_ARCH_X86_64, X32_BIT | 201), enosys,
	       "stub: x32 above its max: ENOSYS");
	is_int(run_bpf(prog, n, AUDIT_ARCH_I386, 400), filter, "stub: i386 at max: filter");
	is_int(run_bpf(prog, n, AUDIT_ARCH_I386, 401), enosys, "stub: i386 above: ENOSYS");
	is_int(run_bpf(prog, n, AUDIT_ARCH_S390X, 0), enosys, "stub: s390x setup(0): ENOSYS");
	is_int(run_bpf(prog, n, AUDIT_ARCH_S390X, 50), filter, "stub: s390x below: filter");
	is_int(run_bpf(prog, n, AUDIT_ARCH_AARCH64, 5000), filter,
	       "stub: an arch with no named syscall: filter");
	is_int(run_bpf(prog, n, AUDIT_ARCH_ARM, 5000), filter, "stub: other arch: filter");

	t[0].max_x32 = 0;
	n = seccomp_enosys_stub(t, 1, prog);
	prog[n] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, filter);
	is_int(run_bpf(prog, n + 1, AUDIT_ARCH_X86_64, X32_BIT | 5000), filter,
	       "stub: x32 calls without x32 in the filter: libseccomp decides");
	is_int(seccomp_enosys_stub(t, 0, prog), 0, "stub: no architecture, no stub");
	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct enosys_arch){.audit_arch = (uint32_t)i + 1, .max = 10};
	is_int(seccomp_enosys_stub(many, ARRAY_SIZE(many), prog), -1, "stub: too many arches");
}

/* int $0x80 from a 64-bit process: the i386 table, AUDIT_ARCH_I386 */
static long int80(long nr)
{
#if defined(__x86_64__)
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr) : "memory");
	return r;
#else
	(void)nr;
	return -ENOSYS;
#endif
}

static void test_enosys_i386(void)
{
	char *arches[] = {"SCMP_ARCH_X86", NULL};
	struct spec_seccomp_rule rules[] = {{.names = n_exits, .action = SCMP_ACT_ALLOW}};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ERRNO(0),
				  .architectures = arches,
				  .rules = rules,
				  .n_rules = 1};
	struct seccomp_prog p;
	pid_t pid;

	fflush(stdout);
	pid = fork(); /* without ia32 emulation, int 0x80 is a SIGSEGV */
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (null >= 0)
			dup2(null, STDERR_FILENO); /* a sanitizer build reports the SIGSEGV */
		child_setup();
		_exit(int80(64 /* i386 getppid */) > 0 ? 0 : 1);
	}
	if (wait_code(pid) != 0) {
		ok(1, "i386: skipped, no ia32 emulation in this kernel");
		return;
	}
	if (!prepare_ok(&sc, NULL, &p, "i386"))
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct er_error err = ER_ERROR_INIT;

		child_setup();
		if (seccomp_load(&p, &err) < 0)
			child_exit(200);
		if (int80(1000) != -ENOSYS)
			child_exit(1);
		child_exit(int80(64) == -EPERM ? 0 : 2);
	}
	is_int(wait_code(pid), 0, "i386 (int 0x80): 1000 gets ENOSYS, getppid EPERM");
	seccomp_prog_free(&p);
}

/* ---------------- notify ---------------- */

static int send_fd(int sock, int fd)
{
	char c = 'f';
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl = {0};
	struct iovec iov = {.iov_base = &c, .iov_len = 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.buf,
			   .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

/* Reads what arrives on SOCK (up to CAP-1 bytes, NUL-terminated) and the fd with it. */
static int recv_fd(int sock, char *buf, size_t cap)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl = {0};
	struct iovec iov = {.iov_base = buf, .iov_len = cap - 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.buf,
			   .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *cm;
	ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	int fd = -1;

	if (n < 0)
		return -1;
	buf[n] = '\0';
	cm = CMSG_FIRSTHDR(&m);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static void notify_child(const struct seccomp_prog *p, int sock)
{
	struct er_error err = ER_ERROR_INIT;
	int fd;

	child_setup();
	fd = seccomp_load(p, &err);
	if (fd < 0)
		child_exit(200);
	if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
		child_exit(3);
	if (send_fd(sock, fd) < 0)
		child_exit(4);
	close(fd);
	/* blocks until the agent answers */
	child_exit(syscall(SYS_getpgid, NOPID) == 4242 ? 0 : 5);
}

static int listen_at(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 1) < 0) {
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

/* The agent: the notification for getpgid(NOPID), answered with 4242. */
static bool answer_notification(int listener)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct pollfd pfd = {.fd = listener, .events = POLLIN};

	memset(&req, 0, sizeof(req));
	if (poll(&pfd, 1, 10000) != 1 || ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return false;
	if (req.data.nr != SYS_getpgid || req.data.args[0] != (uint64_t)NOPID)
		return false;
	resp = (struct seccomp_notif_resp){.id = req.id, .val = 4242, .error = 0, .flags = 0};
	return ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
}

static void test_notify(void)
{
	struct spec_seccomp_rule r = {.names = n_getpgid, .action = SCMP_ACT_NOTIFY};
	struct spec_seccomp sc = allow_with(&r, 1);
	struct er_state st = {.oci_version = "1.0.2",
			      .id = "ctr",
			      .status = ST_CREATED,
			      .pid = 77,
			      .bundle = "/b"};
	static const char *const fds[] = {"seccompFd"};
	_cleanup_free_ char *json = state_process_json(&st, fds, 1, 77, "meta");
	_cleanup_free_ char *sock_path = xasprintf("%s/agent.sock", tmpdir);
	_cleanup_close_ int agent = -1, conn = -1, fd = -1, listener = -1;
	struct er_error err = ER_ERROR_INIT;
	struct seccomp_prog p;
	int sv[2];
	char buf[4096];
	pid_t pid;

	if (!prepare_ok(&sc, NULL, &p, "notify"))
		return;
	ok(p.notify && (p.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER), "notify: listener flag set");
	agent = listen_at(sock_path);
	if (!ok(agent >= 0 && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0,
		"notify: agent socket and child channel")) {
		seccomp_prog_free(&p);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		notify_child(&p, sv[1]);
	close(sv[1]);
	fd = recv_fd(sv[0], buf, sizeof(buf));
	close(sv[0]);
	ok(fd >= 0, "notify: seccomp_load returned a listener fd");
	if (!ok(seccomp_send_listener(sock_path, fd, json, &err) == 0,
		"notify: seccomp_send_listener"))
		diag("%s", err.msg);
	er_clear(&err);
	conn = accept4(agent, NULL, NULL, SOCK_CLOEXEC);
	listener = conn < 0 ? -1 : recv_fd(conn, buf, sizeof(buf));
	ok(listener >= 0, "notify: the agent received an fd");
	is_str(buf, json, "notify: with the container process state as payload");
	ok(listener >= 0 && answer_notification(listener),
	   "notify: the agent received getpgid's notification and answered");
	is_int(wait_code(pid), 0, "notify: the child got the agent's answer");
	seccomp_prog_free(&p);

	is_str(err.msg, NULL, "no error left");
	seccomp_send_listener("/nonexistent/edgerun.sock", 0, json, &err);
	is_str(err.msg,
	       "connect to seccomp listener `/nonexistent/edgerun.sock`: no such file or directory",
	       "notify: send error names the path");
	er_clear(&err);
}

/* ---------------- flags and errors ---------------- */

static void test_flags(void)
{
	char *f_all[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
			 "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL};
	char *f_bad[] = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_NOPE", NULL};
	char *f_wait[] = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};
	char *f_tsync[] = {"SECCOMP_FILTER_FLAG_TSYNC", NULL};
	char *noflags[] = {NULL};
	struct spec_seccomp_rule r = errno_rule(n_uname, 42);
	struct spec_seccomp sc = allow_with(&r, 1);
	struct seccomp_prog p;
	_cleanup_free_ char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL;
	char u[6 * 65];

	if (prepare_ok(&sc, NULL, &p, "no flags")) {
		is_int(p.flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW,
		       "flags: none given, SPEC_ALLOW (as crun and runc >= 1.2)");
		seccomp_prog_free(&p);
	}
	sc.flags = noflags;
	if (prepare_ok(&sc, NULL, &p, "empty flags")) {
		is_int(p.flags, 0, "flags: an empty list means none");
		seccomp_prog_free(&p);
	}
	sc.flags = f_all;
	if (prepare_ok(&sc, NULL, &p, "flags")) {
		is_int(p.flags,
		       SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
			       SECCOMP_FILTER_FLAG_SPEC_ALLOW,
		       "flags: TSYNC, LOG, SPEC_ALLOW passed to seccomp(2)");
		is_int(errno_in_child(&p, SYS_uname, (long)u, 0), 42, "flags: the filter loads");
		seccomp_prog_free(&p);
	}
	sc.flags = f_bad;
	e1 = prepare_error(&sc);
	is_str(e1, "linux.seccomp.flags[1]: unknown seccomp flag `SECCOMP_FILTER_FLAG_NOPE`",
	       "flags: unknown flag");
	sc.flags = f_all;
	seccomp_flags_refused_for_tests = SECCOMP_FILTER_FLAG_LOG;
	e2 = prepare_error(&sc);
	seccomp_flags_refused_for_tests = 0;
	is_str(e2,
	       "linux.seccomp.flags[1]: `SECCOMP_FILTER_FLAG_LOG` is not supported by the running "
	       "kernel",
	       "flags: a flag the kernel does not know");
	sc.flags = f_wait;
	e3 = prepare_error(&sc);
	is_str(e3,
	       "linux.seccomp.flags: `SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV` needs a rule with "
	       "SCMP_ACT_NOTIFY",
	       "flags: WAIT_KILLABLE_RECV without a notify rule");
	r.action = SCMP_ACT_NOTIFY;
	if (prepare_ok(&sc, NULL, &p, "WAIT_KILLABLE_RECV with notify")) {
		is_int(p.flags,
		       SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER,
		       "flags: WAIT_KILLABLE_RECV with NEW_LISTENER");
		seccomp_prog_free(&p);
	}
	sc.flags = f_tsync;
	if (prepare_ok(&sc, NULL, &p, "TSYNC with notify")) {
		is_int(p.flags,
		       SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH |
			       SECCOMP_FILTER_FLAG_NEW_LISTENER,
		       "flags: TSYNC with a listener adds TSYNC_ESRCH");
		is_int(errno_in_child(&p, SYS_getpid, 0, 0), 0, "flags: TSYNC + listener loads");
		seccomp_prog_free(&p);
	}
	sc.flags = NULL;
	sc.default_action = SCMP_ACT_NOTIFY;
	e4 = prepare_error(&sc);
	is_str(e4, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action",
	       "SCMP_ACT_NOTIFY as the default action is refused");
}

static void test_errors(void)
{
	char *arches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_FOO", NULL};
	struct spec_seccomp_arg bad_op = {.index = 0, .value = 1, .op = 0};
	struct spec_seccomp_rule rules[] = {errno_rule(n_uname, 42), errno_rule(n_getpgid, 42)};
	struct spec_seccomp sc = allow_with(rules, 2);
	struct er_error err = ER_ERROR_INIT;
	struct seccomp_prog p;
	_cleanup_free_ char *e1 = NULL, *e2 = NULL;

	sc.architectures = arches;
	e1 = prepare_error(&sc);
	is_str(e1, "linux.seccomp.architectures[1]: unknown architecture `SCMP_ARCH_FOO`",
	       "unknown architecture names its JSON path");
	sc.architectures = NULL;
	rules[1].args = &bad_op;
	rules[1].n_args = 1;
	e2 = prepare_error(&sc);
	is_str(e2, "linux.seccomp.syscalls[1]: add rule for `getpgid`: invalid argument",
	       "libseccomp's refusal names the rule");

	rules[1].n_args = 0;
	if (!prepare_ok(&sc, NULL, &p, "load errors"))
		return;
	p.flags = 1u << 20;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		child_setup();
		seccomp_load(&p, &err);
		_exit(err.msg && strcmp(err.msg, "load seccomp filter: invalid argument") == 0 ? 0
											       : 1);
	}
	is_int(wait_code(pid), 0, "seccomp_load error names the step and errno");
	seccomp_prog_free(&p);
}

/* A profile parsed by specconv, loaded. */
static void test_from_json(void)
{
	static const char json[] =
		"{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, \"linux\": "
		"{\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
		"[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"], \"syscalls\": ["
		"{\"names\": [\"getpgid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42, "
		"\"args\": [{\"index\": 0, \"value\": 255, \"valueTwo\": 66, \"op\": "
		"\"SCMP_CMP_MASKED_EQ\"}]}, {\"names\": [\"uname\", \"bogus_call\"], \"action\": "
		"\"SCMP_ACT_ERRNO\"}]}}}";
	struct er_error err = ER_ERROR_INIT;
	struct spec *s = spec_parse(json, strlen(json), "/tmp", &err);
	struct seccomp_prog p;
	char u[6 * 65];

	if (!ok(s && s->linux_ && s->linux_->seccomp, "json profile parsed")) {
		diag("%s", err.msg);
		er_clear(&err);
		spec_free(s);
		return;
	}
	if (prepare_ok(s->linux_->seccomp, NULL, &p, "json profile")) {
		is_int(errno_in_child(&p, SYS_getpgid, 0x10000042, 0), 42,
		       "json profile: MASKED_EQ rule applies");
		is_int(errno_in_child(&p, SYS_uname, (long)u, 0), EPERM,
		       "json profile: ERRNO without errnoRet is EPERM");
		seccomp_prog_free(&p);
	}
	spec_free(s);
}

/* ---------------- cache ---------------- */

static char *entry_path(const char *cache, const struct spec_seccomp *sc)
{
	uint8_t d[SECCOMP_DIGEST_LEN];
	char hex[2 * SECCOMP_DIGEST_LEN + 1];

	seccomp_profile_digest(sc, d);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return xasprintf("%s/%s.bpf", cache, hex);
}

static size_t count_entries(const char *cache, size_t *tmp)
{
	_cleanup_closedir_ DIR *d = opendir(cache);
	struct dirent *de;
	size_t n = 0;

	if (tmp)
		*tmp = 0;
	while (d && (de = readdir(d))) {
		if (str_has_prefix(de->d_name, ".tmp-") && tmp)
			(*tmp)++;
		else if (strlen(de->d_name) == 68 && strstr(de->d_name, ".bpf"))
			n++;
	}
	return n;
}

static bool same_prog(const struct seccomp_prog *a, const struct seccomp_prog *b)
{
	return a->n_insns == b->n_insns && a->flags == b->flags && a->notify == b->notify &&
	       memcmp(a->insns, b->insns, a->n_insns * sizeof(*a->insns)) == 0;
}

static void corrupt(const char *path, const char *how)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;

	data = read_file_at(AT_FDCWD, path, &len, NULL);
	if (!data)
		return;
	if (strcmp(how, "truncated") == 0)
		len /= 2;
	else if (strcmp(how, "flipped") == 0)
		data[len - 3] ^= 0x10;
	else if (strcmp(how, "magic") == 0)
		data[0] = 'X';
	else if (strcmp(how, "empty") == 0)
		len = 0;
	write_file_at(AT_FDCWD, path, O_CREAT | O_TRUNC, 0600, data, len, NULL);
	if (strcmp(how, "longer") == 0) {
		int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

		if (fd >= 0) {
			(void)!write(fd, "x", 1);
			close(fd);
		}
	}
}

static void test_cache_basic(void)
{
	_cleanup_free_ char *cache = seccomp_cache_dir(tmpdir);
	struct spec_seccomp_rule rules[] = {errno_rule(n_uname, 42),
					    {.names = n_getpgid, .action = SCMP_ACT_NOTIFY}};
	struct spec_seccomp sc = allow_with(rules, 2);
	_cleanup_free_ char *path = entry_path(cache, &sc);
	static const char *const hows[] = {"truncated", "flipped", "magic", "empty", "longer"};
	struct seccomp_prog first, again;
	struct stat st;

	ok(str_has_prefix(cache, tmpdir) && strcmp(cache + strlen(tmpdir), "/.seccomp") == 0,
	   "cache dir is ROOT/.seccomp");
	log_reset();
	if (!prepare_ok(&sc, cache, &first, "cache: first"))
		return;
	ok(!first.from_cache && log_has("seccomp: profile compiled (") && log_has(") and cached"),
	   "cache: first prepare compiles and caches");
	ok(stat(cache, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700,
	   "cache: directory created 0700");
	ok(access(path, F_OK) == 0 && count_entries(cache, NULL) == 1, "cache: one entry");

	log_reset();
	if (prepare_ok(&sc, cache, &again, "cache: second")) {
		ok(again.from_cache && log_has("seccomp: profile cache hit ("),
		   "cache: second prepare is a hit");
		ok(same_prog(&first, &again), "cache: same instructions, flags and notify");
		seccomp_prog_free(&again);
	}
	for (size_t i = 0; i < ARRAY_SIZE(hows); i++) {
		corrupt(path, hows[i]);
		log_reset();
		if (!prepare_ok(&sc, cache, &again, hows[i]))
			continue;
		ok(!again.from_cache && log_has("corrupt, recompiling") &&
			   same_prog(&first, &again),
		   "cache: %s entry detected and recompiled", hows[i]);
		seccomp_prog_free(&again);
		if (prepare_ok(&sc, cache, &again, hows[i])) {
			ok(again.from_cache && same_prog(&first, &again),
			   "cache: %s entry rewritten whole", hows[i]);
			seccomp_prog_free(&again);
		}
	}
	seccomp_prog_free(&first);
}

static void test_cache_unusable(void)
{
	_cleanup_free_ char *file = xasprintf("%s/plainfile", tmpdir);
	_cleanup_free_ char *open_dir = xasprintf("%s/world", tmpdir);
	struct spec_seccomp_rule r = errno_rule(n_uname, 42);
	struct spec_seccomp sc = allow_with(&r, 1);
	struct seccomp_prog p;

	log_reset();
	if (prepare_ok(&sc, "/nonexistent-edgerun/x/.seccomp", &p, "missing cache parent")) {
		ok(!p.from_cache && log_has("caching disabled"),
		   "cache: unusable directory disables caching");
		seccomp_prog_free(&p);
	}
	write_file_at(AT_FDCWD, file, O_CREAT, 0600, "x", 1, NULL);
	log_reset();
	if (prepare_ok(&sc, file, &p, "cache path is a file")) {
		ok(!p.from_cache && log_has("caching disabled"), "cache: a file is not a cache");
		seccomp_prog_free(&p);
	}
	mkdir(open_dir, 0700);
	chmod(open_dir, 0777);
	log_reset();
	if (prepare_ok(&sc, open_dir, &p, "world-writable cache")) {
		ok(log_has("not private") && count_entries(open_dir, NULL) == 0,
		   "cache: a world-writable directory is not trusted");
		seccomp_prog_free(&p);
	}
	log_reset();
	if (prepare_ok(&sc, NULL, &p, "no cache")) {
		ok(!p.from_cache && log_has("not cached"), "cache: none asked for");
		seccomp_prog_free(&p);
	}
}

static void test_cache_concurrent(void)
{
	_cleanup_free_ char *cache = xasprintf("%s/concurrent", tmpdir);
	struct spec_seccomp_rule rules[] = {errno_rule(n_uname, 42),
					    errno_rule(n_getcwd, 7),
					    {.names = n_getppid, .action = SCMP_ACT_KILL}};
	struct spec_seccomp sc = {.default_action = SCMP_ACT_ALLOW, .rules = rules, .n_rules = 3};
	_cleanup_free_ char *path = entry_path(cache, &sc);
	struct seccomp_prog ref, p;
	int bad = 0;
	size_t tmp = 0;

	if (!prepare_ok(&sc, NULL, &ref, "concurrent: reference"))
		return;
	for (int round = 0; round < 5; round++) {
		pid_t kids[8];
		int go[2];

		unlink(path);
		if (pipe2(go, O_CLOEXEC) < 0)
			break;
		fflush(stdout);
		for (size_t i = 0; i < ARRAY_SIZE(kids); i++) {
			kids[i] = fork();
			if (kids[i] == 0) {
				struct er_error err = ER_ERROR_INIT;
				struct seccomp_prog mine;
				char c;

				close(go[1]);
				(void)!read(go[0], &c, 1);
				log_reset();
				if (seccomp_prepare(&sc, cache, &mine, &err) < 0)
					_exit(1);
				if (log_has("corrupt")) /* saw another writer's half entry */
					_exit(3);
				_exit(same_prog(&mine, &ref) ? 0 : 2);
			}
		}
		close(go[0]);
		close(go[1]); /* everyone starts at once */
		for (size_t i = 0; i < ARRAY_SIZE(kids); i++)
			bad += wait_code(kids[i]) != 0;
	}
	is_int(bad, 0, "cache: 8 concurrent writers x 5 rounds: no half entry seen, right program");
	is_int((long long)count_entries(cache, &tmp), 1, "cache: one entry after them");
	is_int((long long)tmp, 0, "cache: no temporary file left");
	if (prepare_ok(&sc, cache, &p, "concurrent: after")) {
		ok(p.from_cache && same_prog(&p, &ref), "cache: the entry they left is valid");
		seccomp_prog_free(&p);
	}
	seccomp_prog_free(&ref);
}

static void set_mtime(const char *path, time_t t)
{
	struct timespec ts[2] = {{.tv_sec = t}, {.tv_sec = t}};

	utimensat(AT_FDCWD, path, ts, 0);
}

static void test_cache_eviction(void)
{
	_cleanup_free_ char *cache = xasprintf("%s/evict", tmpdir);
	_cleanup_free_ char *stale = NULL;
	struct spec_seccomp_rule r = errno_rule(n_uname, 1);
	struct spec_seccomp sc = allow_with(&r, 1);
	const time_t base = time(NULL) - 100000;
	char *paths[SECCOMP_CACHE_MAX_ENTRIES + 3] = {0};
	struct seccomp_prog p;
	int failed = 0;

	for (int i = 0; i < SECCOMP_CACHE_MAX_ENTRIES; i++) {
		r.errno_ret = (uint32_t)i + 1;
		if (seccomp_prepare(&sc, cache, &p, NULL) < 0) {
			failed++;
			continue;
		}
		seccomp_prog_free(&p);
		paths[i] = entry_path(cache, &sc);
		set_mtime(paths[i], base + i);
	}
	is_int(failed, 0, "eviction: %d profiles cached", SECCOMP_CACHE_MAX_ENTRIES);
	is_int((long long)count_entries(cache, NULL), SECCOMP_CACHE_MAX_ENTRIES,
	       "eviction: all of them kept up to the bound");
	stale = xasprintf("%s/.tmp-dead-writer", cache);
	write_file_at(AT_FDCWD, stale, O_CREAT, 0600, "x", 1, NULL);
	set_mtime(stale, base);

	/* a hit on the oldest makes it the most recent */
	r.errno_ret = 1;
	if (seccomp_prepare(&sc, cache, &p, NULL) == 0) {
		ok(p.from_cache, "eviction: hit on the oldest entry");
		seccomp_prog_free(&p);
	}
	log_reset();
	r.errno_ret = 1000;
	if (seccomp_prepare(&sc, cache, &p, NULL) == 0)
		seccomp_prog_free(&p);
	paths[SECCOMP_CACHE_MAX_ENTRIES] = entry_path(cache, &sc);
	is_int((long long)count_entries(cache, NULL), SECCOMP_CACHE_MAX_ENTRIES,
	       "eviction: one more entry, still at the bound");
	ok(access(paths[SECCOMP_CACHE_MAX_ENTRIES], F_OK) == 0, "eviction: the new entry is kept");
	ok(access(paths[0], F_OK) == 0, "eviction: the entry just hit is kept");
	ok(access(paths[1], F_OK) < 0, "eviction: the least recently used entry is gone");
	ok(access(paths[2], F_OK) == 0, "eviction: the next one stays");
	ok(log_has("evicted 1 old entries"), "eviction: debug line");
	ok(access(stale, F_OK) < 0, "eviction: an old temporary file is removed");
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		free(paths[i]);
}

static void digest_of(const struct spec_seccomp *sc, uint8_t d[SECCOMP_DIGEST_LEN])
{
	seccomp_profile_digest(sc, d);
}

static void test_digest(void)
{
	char *archs[] = {"SCMP_ARCH_X86_64", NULL}, *archs2[] = {"SCMP_ARCH_X86", NULL};
	char *flags[] = {"SECCOMP_FILTER_FLAG_LOG", NULL}, *noflags[] = {NULL};
	char *ab_c[] = {"ab", "c", NULL}, *a_bc[] = {"a", "bc", NULL};
	struct spec_seccomp_arg args[] = {{.index = 1, .value = 2, .value_two = 3, .op = 4}};
	struct spec_seccomp_rule rules[] = {{.names = ab_c,
					     .action = SCMP_ACT_ERRNO(0),
					     .has_errno_ret = true,
					     .errno_ret = 5,
					     .args = args,
					     .n_args = 1}};
	const struct spec_seccomp base = {.default_action = SCMP_ACT_ERRNO(0),
					  .has_default_errno_ret = true,
					  .default_errno_ret = 1,
					  .architectures = archs,
					  .flags = flags,
					  .listener_path = "/l",
					  .listener_metadata = "m",
					  .rules = rules,
					  .n_rules = 1};
	uint8_t d0[SECCOMP_DIGEST_LEN], d[SECCOMP_DIGEST_LEN];
	struct spec_seccomp s;
	struct spec_seccomp_rule r0 = rules[0];
	struct spec_seccomp_arg a0 = args[0];
	int same = 0, n = 0;

#define CHANGED(stmt)                                                                              \
	do {                                                                                       \
		s = base;                                                                          \
		rules[0] = r0;                                                                     \
		args[0] = a0;                                                                      \
		stmt;                                                                              \
		digest_of(&s, d);                                                                  \
		n++;                                                                               \
		if (memcmp(d, d0, sizeof(d)) == 0) {                                               \
			same++;                                                                    \
			diag("digest unchanged by: %s", #stmt);                                    \
		}                                                                                  \
	} while (0)

	digest_of(&base, d0);
	s = base;
	digest_of(&s, d);
	ok(memcmp(d, d0, sizeof(d)) == 0, "digest: same profile, same digest");
	CHANGED(s.default_action = SCMP_ACT_KILL);
	CHANGED(s.has_default_errno_ret = false);
	CHANGED(s.default_errno_ret = 2);
	CHANGED(s.architectures = archs2);
	CHANGED(s.architectures = NULL);
	CHANGED(s.flags = NULL);
	CHANGED(s.flags = noflags);
	CHANGED(s.listener_path = NULL);
	CHANGED(s.listener_path = "");
	CHANGED(s.listener_path = "/m");
	CHANGED(s.listener_metadata = NULL);
	CHANGED(s.listener_metadata = "n");
	CHANGED(s.n_rules = 0);
	CHANGED(rules[0].names = a_bc);
	CHANGED(rules[0].action = SCMP_ACT_TRACE(0));
	CHANGED(rules[0].has_errno_ret = false);
	CHANGED(rules[0].errno_ret = 6);
	CHANGED(rules[0].n_args = 0);
	CHANGED(args[0].index = 2);
	CHANGED(args[0].value = 3);
	CHANGED(args[0].value_two = 4);
	CHANGED(args[0].op = 5);
	is_int(same, 0, "digest: each of %d single-field changes changes the digest", n);
#undef CHANGED
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* containerd's default profile (the integration tests' fixture): refuses what it should,
 * lets the rest run, and is a cache hit the second time. */
static void test_containerd_profile(void)
{
	static const char fixture[] = "tests/integration/fixtures/seccomp-containerd-default.json";
	_cleanup_free_ char *profile = read_file_at(AT_FDCWD, fixture, NULL, NULL);
	_cleanup_free_ char *json = NULL, *cache = xasprintf("%s/containerd", tmpdir);
	struct er_error err = ER_ERROR_INIT;
	struct seccomp_prog cold, hot;
	struct timespec t0;
	struct spec *s;
	double cold_ms, hot_ms;
	char u[6 * 65];

	if (!profile) {
		ok(1, "containerd profile: skipped, no %s here", fixture);
		return;
	}
	json = xasprintf("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, "
			 "\"linux\": {\"seccomp\": %s}}",
			 profile);
	s = spec_parse(json, strlen(json), "/tmp", &err);
	if (!ok(s && s->linux_ && s->linux_->seccomp, "containerd profile: parsed")) {
		diag("%s", err.msg);
		er_clear(&err);
		spec_free(s);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!prepare_ok(s->linux_->seccomp, cache, &cold, "containerd profile: cold")) {
		spec_free(s);
		return;
	}
	cold_ms = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (prepare_ok(s->linux_->seccomp, cache, &hot, "containerd profile: cached")) {
		hot_ms = ms_since(&t0);
		ok(hot.from_cache && same_prog(&cold, &hot), "containerd profile: cache hit, same");
		diag("containerd profile: %zu instructions, compiled in %.2f ms, from the cache in "
		     "%.3f ms",
		     cold.n_insns, cold_ms, hot_ms);
		seccomp_prog_free(&hot);
	}
	is_int(errno_in_child(&cold, SYS_getpid, 0, 0), 0, "containerd profile: getpid runs");
	is_int(errno_in_child(&cold, SYS_uname, (long)u, 0), 0, "containerd profile: uname runs");
	is_int(errno_in_child(&cold, SYS_unshare, 0x00020000 /* CLONE_NEWNS */, 0), EPERM,
	       "containerd profile: unshare refused");
	is_int(errno_in_child(&cold, SYS_keyctl, 0, 0), EPERM,
	       "containerd profile: keyctl refused");
	is_int(errno_in_child(&cold, SYS_mount, 0, 0), EPERM, "containerd profile: mount refused");
	is_int(errno_in_child(&cold, SYS_clone3, 0, 0), ENOSYS,
	       "containerd profile: clone3 gets its rule's ENOSYS");
	is_int(errno_in_child(&cold, 1000, 0, 0), ENOSYS,
	       "containerd profile: a syscall newer than the profile gets ENOSYS");
	seccomp_prog_free(&cold);
	spec_free(s);
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	(void)remove(path); /* best effort */
	return 0;
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		printf("1..0 # SKIP cannot create a temporary directory\n");
		return 0;
	}
	er_debug_enabled = true;
	er_log_set_sink(capture);
	signal(SIGPIPE, SIG_IGN);

	test_actions();
	test_args();
	test_operators();
	test_masked_eq();
	test_unknown_names();
	test_redundant_rule();
	test_enosys_kernel();
	test_enosys_stub();
	test_enosys_i386();
	test_notify();
	test_flags();
	test_errors();
	test_from_json();
	test_digest();
	test_cache_basic();
	test_cache_unusable();
	test_cache_concurrent();
	test_cache_eviction();
	test_containerd_profile();

	log_reset();
	nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
