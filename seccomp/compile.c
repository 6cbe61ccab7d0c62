/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp -> classic BPF with libseccomp, as runc builds it:
 *   - actions: SCMP_ACT_ERRNO and SCMP_ACT_TRACE carry errnoRet (EPERM when absent);
 *     a rule whose action is the default action is skipped (libseccomp refuses it);
 *   - a syscall name this libseccomp does not know is skipped with a debug line;
 *   - args: one rule with every condition, or, when two conditions test the same
 *     argument, one rule per condition (their OR); SCMP_CMP_MASKED_EQ takes value as
 *     the mask and valueTwo as the datum;
 *   - architectures: the native one plus those listed (runc adds no others);
 *   - no_new_privs is not libseccomp's business (init sets it), the flags go to
 *     seccomp(2) directly (SPEC_ALLOW when the profile has no `flags`, as crun and
 *     runc >= 1.2), the binary-tree optimisation is used for long profiles;
 *   - the ENOSYS prologue (enosys.c) goes in front unless the default action lets
 *     unknown syscalls through anyway (ALLOW, LOG, TRACE) or is ERRNO(ENOSYS) already.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "seccomp/internal.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* runc's threshold: libseccomp <= 2.5.4 builds a broken tree for an empty profile, and a
 * short profile gains nothing from one. */
#define OPTIMIZE_MIN_SYSCALLS 32

unsigned int seccomp_flags_refused_for_tests;

static void scmp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define _cleanup_scmp_ _cleanup_(scmp_releasep)

/* ---------------- flags ---------------- */

static const struct {
	const char *name;
	unsigned int flag;
} flag_names[] = {
	{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	{"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

/* seccomp(2) checks the flags before it reads the program: EFAULT for a NULL program
 * means the flags were accepted (libseccomp probes the same way). */
static bool kernel_knows_flag(unsigned int flag)
{
	static unsigned int probed, known;
	unsigned int probe = flag;

	if (flag & seccomp_flags_refused_for_tests)
		return false;
	if (probed & flag)
		return known & flag;
	if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		probe |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, probe, NULL) < 0 && errno == EFAULT)
		known |= flag;
	probed |= flag;
	return known & flag;
}

static bool uses_notify(const struct spec_seccomp *sc, size_t *first)
{
	for (size_t i = 0; i < sc->n_rules; i++) {
		if (sc->rules[i].action == SCMP_ACT_NOTIFY) {
			*first = i;
			return true;
		}
	}
	return false;
}

static int flag_bit(const struct spec_seccomp *sc, size_t i, unsigned int *bit,
		    struct er_error *err)
{
	const char *name = sc->flags[i];

	for (size_t j = 0; j < ARRAY_SIZE(flag_names); j++) {
		if (strcmp(flag_names[j].name, name) != 0)
			continue;
		if (!kernel_knows_flag(flag_names[j].flag))
			return er_set(err, 0,
				      "linux.seccomp.flags[%zu]: `%s` is not supported by the "
				      "running kernel",
				      i, name);
		*bit = flag_names[j].flag;
		return 0;
	}
	return er_set(err, 0, "linux.seccomp.flags[%zu]: unknown seccomp flag `%s`", i, name);
}

int seccomp_profile_flags(const struct spec_seccomp *sc, unsigned int *flags, bool *notify,
			  struct er_error *err)
{
	unsigned int f = 0, bit = 0;
	size_t first_notify = 0;

	if (sc->default_action == SCMP_ACT_NOTIFY)
		return er_set(err, 0,
			      "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default "
			      "action");
	for (size_t i = 0; sc->flags && sc->flags[i]; i++) {
		if (flag_bit(sc, i, &bit, err) < 0)
			return -1;
		f |= bit;
	}
	/* no `flags` at all (not even []): SPEC_ALLOW where the kernel has it, as crun and
	 * runc >= 1.2 do; the speculative-store-bypass mitigation costs the container */
	if (!sc->flags && kernel_knows_flag(SECCOMP_FILTER_FLAG_SPEC_ALLOW))
		f |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	*notify = uses_notify(sc, &first_notify);
	if (!*notify) {
		if (f & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
			return er_set(
				err, 0,
				"linux.seccomp.flags: `SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV` "
				"needs a rule with SCMP_ACT_NOTIFY");
		*flags = f;
		return 0;
	}
	if (!kernel_knows_flag(SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return er_set(err, 0,
			      "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY is not supported by "
			      "the running kernel",
			      first_notify);
	f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	/* the kernel takes TSYNC with a listener only when told how to report a thread
	 * that cannot be synchronised */
	if (f & SECCOMP_FILTER_FLAG_TSYNC) {
		if (!kernel_knows_flag(SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
			return er_set(err, 0,
				      "linux.seccomp.flags: `SECCOMP_FILTER_FLAG_TSYNC` with "
				      "SCMP_ACT_NOTIFY is not supported by the running kernel");
		f |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	}
	*flags = f;
	return 0;
}

/* ---------------- architectures ---------------- */

static const struct {
	const char *name;
	uint32_t token;
} arch_names[] = {
	{"SCMP_ARCH_X86", SCMP_ARCH_X86},
	{"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
	{"SCMP_ARCH_X32", SCMP_ARCH_X32},
	{"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
	{"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
	{"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
	{"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
	{"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
	{"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
	{"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
	{"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
	{"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
	{"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
	{"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
	{"SCMP_ARCH_S390", SCMP_ARCH_S390},
	{"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
	{"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
	{"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
	{"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_LOONGARCH64
	{"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#endif
#ifdef SCMP_ARCH_M68K
	{"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#endif
#ifdef SCMP_ARCH_SH
	{"SCMP_ARCH_SH", SCMP_ARCH_SH},
	{"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#endif
};

static int arch_token(const struct spec_seccomp *sc, size_t i, uint32_t *token,
		      struct er_error *err)
{
	for (size_t j = 0; j < ARRAY_SIZE(arch_names); j++) {
		if (strcmp(arch_names[j].name, sc->architectures[i]) == 0) {
			*token = arch_names[j].token;
			return 0;
		}
	}
	return er_set(err, 0, "linux.seccomp.architectures[%zu]: unknown architecture `%s`", i,
		      sc->architectures[i]);
}

static int add_arches(scmp_filter_ctx ctx, const struct spec_seccomp *sc, struct er_error *err)
{
	for (size_t i = 0; sc->architectures && sc->architectures[i]; i++) {
		uint32_t token = 0;
		int rc;

		if (arch_token(sc, i, &token, err) < 0)
			return -1;
		rc = seccomp_arch_add(ctx, token);
		if (rc < 0 && rc != -EEXIST)
			return er_set(err, -rc, "linux.seccomp.architectures[%zu]: add `%s`", i,
				      sc->architectures[i]);
	}
	return 0;
}

/* ---------------- rules ---------------- */

static uint32_t full_action(uint32_t base, bool has_errno, uint32_t errno_ret)
{
	uint32_t data = has_errno ? errno_ret : EPERM;

	if (base == SCMP_ACT_ERRNO(0))
		return SCMP_ACT_ERRNO(data);
	if (base == SCMP_ACT_TRACE(0))
		return SCMP_ACT_TRACE(data);
	return base;
}

static uint32_t default_action(const struct spec_seccomp *sc)
{
	return full_action(sc->default_action, sc->has_default_errno_ret, sc->default_errno_ret);
}

static int add_rule(scmp_filter_ctx ctx, uint32_t action, int nr,
		    const struct spec_seccomp_rule *rule)
{
	_cleanup_free_ struct scmp_arg_cmp *conds = NULL;
	unsigned int per_index[6] = {0};
	bool split = false;
	int rc;

	if (!rule->n_args)
		return seccomp_rule_add_array(ctx, action, nr, 0, NULL);
	conds = xcalloc(rule->n_args, sizeof(*conds));
	for (size_t i = 0; i < rule->n_args; i++) {
		const struct spec_seccomp_arg *a = &rule->args[i];

		conds[i] = (struct scmp_arg_cmp){.arg = a->index,
						 .op = (enum scmp_compare)a->op,
						 .datum_a = a->value,
						 .datum_b = a->value_two};
		if (a->index < ARRAY_SIZE(per_index) && ++per_index[a->index] > 1)
			split = true;
	}
	if (!split)
		return seccomp_rule_add_array(ctx, action, nr, (unsigned int)rule->n_args, conds);
	/* libseccomp cannot test one argument twice in a rule: OR of one-condition rules */
	for (size_t i = 0; i < rule->n_args; i++) {
		rc = seccomp_rule_add_array(ctx, action, nr, 1, &conds[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, const struct spec_seccomp *sc, struct er_error *err)
{
	uint32_t def = default_action(sc);

	for (size_t i = 0; i < sc->n_rules; i++) {
		const struct spec_seccomp_rule *rule = &sc->rules[i];
		uint32_t action = full_action(rule->action, rule->has_errno_ret, rule->errno_ret);

		if (action == def)
			continue; /* redundant, and libseccomp would refuse it */
		for (char **name = rule->names; name && *name; name++) {
			int nr = seccomp_syscall_resolve_name(*name);
			int rc;

			if (nr == __NR_SCMP_ERROR) {
				er_debug("seccomp: unknown syscall `%s` skipped", *name);
				continue;
			}
			rc = add_rule(ctx, action, nr, rule);
			if (rc < 0)
				return er_set(err, -rc,
					      "linux.seccomp.syscalls[%zu]: add rule for `%s`", i,
					      *name);
		}
	}
	return 0;
}

static size_t count_names(const struct spec_seccomp *sc)
{
	size_t n = 0;

	for (size_t i = 0; i < sc->n_rules; i++)
		n += strv_len(sc->rules[i].names);
	return n;
}

static void set_optimize(scmp_filter_ctx ctx, const struct spec_seccomp *sc)
{
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 5)
	const struct scmp_version *v = seccomp_version();
	int rc;

	if (count_names(sc) <= OPTIMIZE_MIN_SYSCALLS)
		return;
	if (v->major < 2 || (v->major == 2 && v->minor < 5)) {
		er_debug("seccomp: libseccomp %u.%u has no binary-tree optimisation", v->major,
			 v->minor);
		return;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc < 0)
		er_debug("seccomp: binary-tree optimisation not available: %s", er_strerror(-rc));
#else
	(void)ctx;
	(void)sc;
#endif
}

static int check_notify_api(const struct spec_seccomp *sc, struct er_error *err)
{
	size_t first;
	unsigned int api;

	if (!uses_notify(sc, &first))
		return 0;
	api = seccomp_api_get();
	if (api < 6)
		return er_set(err, 0,
			      "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY needs libseccomp API "
			      "level 6 (libseccomp >= 2.5.0, Linux >= 5.7), have %u",
			      first, api);
	return 0;
}

static int build_filter(const struct spec_seccomp *sc, scmp_filter_ctx *out, struct er_error *err)
{
	_cleanup_scmp_ scmp_filter_ctx ctx = NULL;
	int rc;

	if (check_notify_api(sc, err) < 0)
		return -1;
	ctx = seccomp_init(default_action(sc));
	if (!ctx)
		return er_set(err, EINVAL, "linux.seccomp.defaultAction: libseccomp refused it");
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc < 0)
		return er_set(err, -rc, "seccomp: clear the no_new_privs attribute");
	if (add_arches(ctx, sc, err) < 0)
		return -1;
	set_optimize(ctx, sc);
	if (add_rules(ctx, sc, err) < 0)
		return -1;
	*out = TAKE_PTR(ctx);
	return 0;
}

/* ---------------- BPF ---------------- */

/* libseccomp 2.5 exports to an fd only: a memfd, read back. */
static int export_bpf(scmp_filter_ctx ctx, struct sock_filter **insns, size_t *n,
		      struct er_error *err)
{
	_cleanup_close_ int fd = memfd_create("edgerun-seccomp", MFD_CLOEXEC);
	_cleanup_free_ struct sock_filter *buf = NULL;
	struct stat st;
	size_t size;
	int rc;

	if (fd < 0)
		return er_set(err, errno, "seccomp: memfd_create");
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return er_set(err, -rc, "seccomp: export the filter");
	if (fstat(fd, &st) < 0)
		return er_set(err, errno, "seccomp: stat the exported filter");
	size = (size_t)st.st_size;
	if (size == 0 || size % sizeof(struct sock_filter))
		return er_set(err, EINVAL, "seccomp: exported filter has %zu bytes", size);
	buf = xmalloc(size);
	errno = 0;
	if (lseek(fd, 0, SEEK_SET) < 0 || read_all(fd, buf, size) != (ssize_t)size)
		return er_set(err, errno ? errno : EIO, "seccomp: read the exported filter");
	*insns = TAKE_PTR(buf);
	*n = size / sizeof(struct sock_filter);
	return 0;
}

static bool wants_enosys(const struct spec_seccomp *sc)
{
	uint32_t base = sc->default_action;

	if (sc->has_default_errno_ret && sc->default_errno_ret == ENOSYS)
		return false;
	/* TRACE counts as permissive: a tracer handles new syscalls itself (as runc) */
	return base != SCMP_ACT_ALLOW && base != SCMP_ACT_LOG && base != SCMP_ACT_TRACE(0);
}

static uint32_t highest_named(const struct spec_seccomp *sc, uint32_t token)
{
	uint32_t max = 0;

	for (size_t i = 0; i < sc->n_rules; i++) {
		for (char **name = sc->rules[i].names; name && *name; name++) {
			int nr = seccomp_syscall_resolve_name_arch(token, *name);

			if (nr >= 0 && (uint32_t)nr > max)
				max = (uint32_t)nr;
		}
	}
	return max;
}

static void note_arch(struct enosys_arch *t, size_t *n, uint32_t token, uint32_t max)
{
	uint32_t audit = token == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : token;
	size_t i;

	for (i = 0; i < *n && t[i].audit_arch != audit; i++)
		;
	if (i == *n) {
		if (*n == ENOSYS_MAX_ARCHES)
			return;
		t[(*n)++] = (struct enosys_arch){.audit_arch = audit};
	}
	if (token == SCMP_ARCH_X32)
		t[i].max_x32 = max;
	else
		t[i].max = max;
}

/* The filter's architectures (native + listed; unknown ones were refused already). */
static size_t enosys_table(const struct spec_seccomp *sc, struct enosys_arch *t)
{
	uint32_t native = seccomp_arch_native();
	size_t n = 0;

	note_arch(t, &n, native, highest_named(sc, native));
	for (size_t i = 0; sc->architectures && sc->architectures[i]; i++) {
		uint32_t token = 0;

		for (size_t j = 0; j < ARRAY_SIZE(arch_names); j++)
			if (strcmp(arch_names[j].name, sc->architectures[i]) == 0)
				token = arch_names[j].token;
		if (token && token != native)
			note_arch(t, &n, token, highest_named(sc, token));
	}
	return n;
}

static int prepend_enosys(const struct spec_seccomp *sc, struct seccomp_prog *p,
			  struct er_error *err)
{
	struct enosys_arch table[ENOSYS_MAX_ARCHES];
	struct sock_filter stub[ENOSYS_STUB_MAX];
	struct sock_filter *all;
	size_t n_table;
	int n;

	if (!wants_enosys(sc))
		return 0;
	n_table = enosys_table(sc, table);
	n = seccomp_enosys_stub(table, n_table, stub);
	if (n < 0)
		return er_set(err, E2BIG, "seccomp: ENOSYS prologue for %zu architectures",
			      n_table);
	if (n == 0)
		return 0;
	all = xmalloc((p->n_insns + (size_t)n) * sizeof(*all));
	memcpy(all, stub, (size_t)n * sizeof(*all));
	memcpy(all + n, p->insns, p->n_insns * sizeof(*all));
	free(p->insns);
	p->insns = all;
	p->n_insns += (size_t)n;
	return 0;
}

int seccomp_compile(const struct spec_seccomp *sc, struct seccomp_prog *out, struct er_error *err)
{
	_cleanup_scmp_ scmp_filter_ctx ctx = NULL;
	struct seccomp_prog p = {0};

	if (build_filter(sc, &ctx, err) < 0 || export_bpf(ctx, &p.insns, &p.n_insns, err) < 0)
		return -1;
	if (prepend_enosys(sc, &p, err) < 0) {
		free(p.insns);
		return -1;
	}
	if (p.n_insns > BPF_MAXINSNS) {
		free(p.insns);
		return er_set(
			err, E2BIG,
			"seccomp: the filter has %zu instructions, the kernel takes at most %d",
			p.n_insns, BPF_MAXINSNS);
	}
	out->insns = p.insns;
	out->n_insns = p.n_insns;
	return 0;
}
