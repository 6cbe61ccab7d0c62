/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The child's side: hand the prepared program to seccomp(2). Runs in the container's init
 * between fork and exec: no allocation and no libseccomp on the success path.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp/seccomp.h"

int seccomp_load(const struct seccomp_prog *p, struct er_error *err)
{
	struct sock_fprog prog;
	long r;

	if (!p || !p->insns || p->n_insns == 0 || p->n_insns > BPF_MAXINSNS)
		return er_set(err, EINVAL, "load seccomp filter: bad program (%zu instructions)",
			      p ? p->n_insns : 0);
	if (p->notify != !!(p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return er_set(err, EINVAL, "load seccomp filter: listener flag does not match");
	prog = (struct sock_fprog){.len = (unsigned short)p->n_insns, .filter = p->insns};
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);
	if (r < 0)
		return er_set(err, errno, "load seccomp filter");
	return p->notify ? (int)r : 0; /* the listener fd: the kernel makes it O_CLOEXEC */
}

void seccomp_prog_free(struct seccomp_prog *p)
{
	if (!p)
		return;
	free(p->insns);
	p->insns = NULL;
	p->n_insns = 0;
}
