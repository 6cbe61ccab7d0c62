/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI linux.seccomp -> classic BPF, compiled once per distinct profile.
 *
 *   parent (process.c, before the clone)
 *     seccomp_prepare(spec->linux_->seccomp, cache_dir, &prog, err)
 *       digest = SHA-256 over a canonical encoding of the profile (every field of struct
 *                spec_seccomp, in order), the native architecture and libseccomp's version
 *       hit:   CACHE/<hex digest>.bpf read and checked (magic, length, SHA-256 of the body)
 *              -> prog, without touching libseccomp
 *       miss:  libseccomp filter (SCMP_FLTATR_CTL_OPTIMIZE = 2 where available), rules
 *              (unknown syscall names skipped with a debug line), exported to BPF, the
 *              ENOSYS prologue prepended, written to the cache (temp file + rename; the
 *              cache bounded by evicting the oldest entries)
 *   init (init.c, the child: no libseccomp calls, no allocation)
 *     seccomp_load(&prog, err) -> 0, or the listener fd when the profile uses
 *     SCMP_ACT_NOTIFY (SECCOMP_FILTER_FLAG_NEW_LISTENER)
 *   parent again, for SCMP_ACT_NOTIFY
 *     seccomp_send_listener(listenerPath, fd, state_json, err)
 *
 * ENOSYS prologue (as runc): a syscall number above the highest one the profile's
 * libseccomp knows for that architecture, which the profile does not name, returns ENOSYS
 * instead of the default action, so that a newer libc falls back (clone3 -> clone).
 */
#ifndef EDGERUN_SECCOMP_SECCOMP_H
#define EDGERUN_SECCOMP_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "specconv/spec.h"

struct seccomp_prog {
	struct sock_filter *insns; /* malloc'ed */
	size_t n_insns;
	/* SECCOMP_FILTER_FLAG_* for seccomp(2): the profile's flags, plus NEW_LISTENER when
	 * an action is SCMP_ACT_NOTIFY */
	unsigned int flags;
	bool notify;	 /* uses SCMP_ACT_NOTIFY: seccomp_load returns the listener fd */
	bool from_cache; /* for --debug and tests */
};

/* Compiles SC (or takes it from CACHE_DIR; NULL = no cache). A malformed profile was
 * already refused by specconv; errors here are libseccomp's refusals, naming the rule:
 *   linux.seccomp.syscalls[3]: add rule for `read`: invalid argument */
int seccomp_prepare(const struct spec_seccomp *sc, const char *cache_dir, struct seccomp_prog *out,
		    struct er_error *err);
void seccomp_prog_free(struct seccomp_prog *p);

/* libseccomp exports a seccomp_load() of its own: ours links as er_seccomp_load. Its header
 * comes first so that a file may include both, in any order. */
#include <seccomp.h>
#define seccomp_load er_seccomp_load

/* In the child, as the last step it takes (see init.c for when): seccomp(2)
 * SECCOMP_SET_MODE_FILTER with p->flags. Needs no_new_privs or CAP_SYS_ADMIN. Returns the
 * listener fd (CLOEXEC) when p->notify, else 0; -1 with err. Async-signal-safe. */
int seccomp_load(const struct seccomp_prog *p, struct er_error *err);

/* Sends the listener fd to the unix socket at LISTENER_PATH (SCM_RIGHTS) with STATE_JSON
 * (runtime-spec "container process state", specconv's state_process_json) as payload. */
int seccomp_send_listener(const char *listener_path, int fd, const char *state_json,
			  struct er_error *err);

/* The cache directory under a state root: ROOT/.seccomp (ids cannot start with '.'). */
char *seccomp_cache_dir(const char *root);

/* Bound on the cache: entries beyond this many are evicted, oldest first. */
#define SECCOMP_CACHE_MAX_ENTRIES 64

#endif
