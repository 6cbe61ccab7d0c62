/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Between the parts of seccomp/ (and its unit tests); callers use seccomp.h.
 *   compile.c  profile -> flags (checked against the kernel) and profile -> BPF (libseccomp)
 *   enosys.c   the ENOSYS prologue (pure: a table in, instructions out)
 *   cache.c    the digest of a profile and the CACHE/<hex>.bpf files; seccomp_prepare
 *   load.c     seccomp(2) in the child
 *   notify.c   the listener fd hand-off
 */
#ifndef EDGERUN_SECCOMP_INTERNAL_H
#define EDGERUN_SECCOMP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "seccomp/seccomp.h"

#define SECCOMP_DIGEST_LEN 32 /* SHA-256 */

/* The seccomp(2) flags for SC: its `flags` (each one checked against the running kernel),
 * plus NEW_LISTENER (and TSYNC_ESRCH with TSYNC) when a rule uses SCMP_ACT_NOTIFY. Refuses
 * what cannot work, naming the JSON path: unknown flags, SCMP_ACT_NOTIFY as the default. */
int seccomp_profile_flags(const struct spec_seccomp *sc, unsigned int *flags, bool *notify,
			  struct er_error *err);
/* Flags treated as unknown to the kernel whatever it says (unit tests); 0 normally. */
extern unsigned int seccomp_flags_refused_for_tests;

/* Compiles SC with libseccomp and prepends the ENOSYS prologue: out->insns and
 * out->n_insns (flags, notify and from_cache are left to the caller). */
int seccomp_compile(const struct spec_seccomp *sc, struct seccomp_prog *out, struct er_error *err);

/* One audit architecture of the filter, for the ENOSYS prologue. Syscall numbers above
 * `max` get ENOSYS; 0 = no check. On x86_64, `max_x32` is the bound for x32 calls (those
 * with bit 30 set; the bound includes the bit), 0 = no check. */
struct enosys_arch {
	uint32_t audit_arch; /* AUDIT_ARCH_* */
	uint32_t max;
	uint32_t max_x32;
};
#define ENOSYS_MAX_ARCHES 24
#define ENOSYS_STUB_MAX 256
/* Writes the prologue for N entries to OUT (room for ENOSYS_STUB_MAX); returns its length,
 * 0 when there is nothing to check, -1 when it would not fit. */
int seccomp_enosys_stub(const struct enosys_arch *arches, size_t n, struct sock_filter *out);

/* SHA-256 of the canonical encoding of SC, the native architecture, the kernel release,
 * libseccomp's version and the cache format version: the cache key. */
void seccomp_profile_digest(const struct spec_seccomp *sc, uint8_t out[SECCOMP_DIGEST_LEN]);

#endif
