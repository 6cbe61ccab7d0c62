/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ENOSYS prologue, prepended to libseccomp's program (the idea is runc's patchbpf):
 * a syscall newer than every syscall the profile names, for that architecture, returns
 * ENOSYS instead of the default action, so that libc falls back (clone3 -> clone).
 *
 *        ld  arch
 *   A0:  jeq AUDIT_ARCH_0, 0, A1         one block per architecture of the filter
 *        ld  nr
 *        jeq 0, ENOSYS, 0                s390/s390x only: setup(2) multiplexes new calls
 *        jset 0x40000000, X32, 0         x86_64 only: x32 calls have bit 30 set
 *        jgt MAX_0, ENOSYS, FILTER
 *   X32: jgt MAX_X32, ENOSYS, FILTER
 *   A1:  ...
 *        ja  FILTER                      other architectures: libseccomp decides
 *   ENOSYS: ret ERRNO(ENOSYS)
 *   FILTER: libseccomp's program
 *
 * Every jump goes forward, to a label resolved once the prologue is laid out.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>

#include "seccomp/internal.h"

#define X32_SYSCALL_BIT 0x40000000u

enum { L_ENOSYS, L_FILTER, L_FIRST_ARCH };
#define N_LABELS (L_FIRST_ARCH + 2 * ENOSYS_MAX_ARCHES + 1)
#define N_FIXUPS (3 * ENOSYS_STUB_MAX)

struct fixup {
	size_t at;
	int field; /* 't', 'f' or 'k' (ja) */
	int label;
};

struct bpf_asm {
	struct sock_filter *insn;
	size_t n;
	bool overflow;
	long label_at[N_LABELS]; /* -1 = not placed yet */
	struct fixup fix[N_FIXUPS];
	size_t n_fix;
};

static void emit(struct bpf_asm *a, uint16_t code, uint32_t k)
{
	if (a->n >= ENOSYS_STUB_MAX) {
		a->overflow = true;
		return;
	}
	a->insn[a->n++] = (struct sock_filter){.code = code, .jt = 0, .jf = 0, .k = k};
}

/* The last instruction's FIELD jumps to LABEL (< 0: falls through). */
static void jump_to(struct bpf_asm *a, int field, int label)
{
	if (label < 0 || a->n == 0)
		return;
	if (a->n_fix >= N_FIXUPS) {
		a->overflow = true;
		return;
	}
	a->fix[a->n_fix++] = (struct fixup){.at = a->n - 1, .field = field, .label = label};
}

static void cond(struct bpf_asm *a, uint16_t op, uint32_t k, int jt, int jf)
{
	emit(a, BPF_JMP | op | BPF_K, k);
	jump_to(a, 't', jt);
	jump_to(a, 'f', jf);
}

static void place(struct bpf_asm *a, int label)
{
	a->label_at[label] = (long)a->n;
}

static int resolve(struct bpf_asm *a)
{
	for (size_t i = 0; i < a->n_fix; i++) {
		const struct fixup *f = &a->fix[i];
		long to = a->label_at[f->label];
		long off = to - (long)f->at - 1;
		struct sock_filter *in = &a->insn[f->at];

		if (to < 0 || off < 0 || (f->field != 'k' && off > 255))
			return -1;
		if (f->field == 't')
			in->jt = (uint8_t)off;
		else if (f->field == 'f')
			in->jf = (uint8_t)off;
		else
			in->k = (uint32_t)off;
	}
	return 0;
}

static void arch_block(struct bpf_asm *a, const struct enosys_arch *e, int next, int x32)
{
	bool x86_64 = e->audit_arch == AUDIT_ARCH_X86_64;

	cond(a, BPF_JEQ, e->audit_arch, -1, next);
	emit(a, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	if (e->audit_arch == AUDIT_ARCH_S390 || e->audit_arch == AUDIT_ARCH_S390X)
		cond(a, BPF_JEQ, 0, L_ENOSYS, -1);
	if (x86_64)
		cond(a, BPF_JSET, X32_SYSCALL_BIT, x32, -1);
	if (e->max) {
		cond(a, BPF_JGT, e->max, L_ENOSYS, L_FILTER);
	} else {
		emit(a, BPF_JMP | BPF_JA, 0);
		jump_to(a, 'k', L_FILTER);
	}
	if (!x86_64)
		return;
	place(a, x32);
	if (e->max_x32) {
		cond(a, BPF_JGT, e->max_x32, L_ENOSYS, L_FILTER);
	} else {
		emit(a, BPF_JMP | BPF_JA, 0);
		jump_to(a, 'k', L_FILTER);
	}
}

int seccomp_enosys_stub(const struct enosys_arch *arches, size_t n, struct sock_filter *out)
{
	struct bpf_asm a = {.insn = out};
	const struct enosys_arch *use[ENOSYS_MAX_ARCHES];
	size_t n_use = 0;

	for (size_t i = 0; i < n; i++) {
		if (!arches[i].max && !arches[i].max_x32)
			continue;
		if (n_use == ENOSYS_MAX_ARCHES)
			return -1;
		use[n_use++] = &arches[i];
	}
	if (!n_use)
		return 0;
	for (size_t i = 0; i < N_LABELS; i++)
		a.label_at[i] = -1;

	emit(&a, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	for (size_t i = 0; i < n_use; i++) {
		int here = L_FIRST_ARCH + 2 * (int)i;

		place(&a, here);
		arch_block(&a, use[i], here + 2, here + 1);
	}
	place(&a, L_FIRST_ARCH + 2 * (int)n_use);
	emit(&a, BPF_JMP | BPF_JA, 0);
	jump_to(&a, 'k', L_FILTER);
	place(&a, L_ENOSYS);
	emit(&a, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
	place(&a, L_FILTER);
	if (a.overflow || resolve(&a) < 0)
		return -1;
	return (int)a.n;
}
