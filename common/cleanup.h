/* SPDX-License-Identifier: Apache-2.0 */
/* Scope-bound cleanup for every resource kind; hand ownership over with TAKE_FD/TAKE_PTR. */
#ifndef EDGERUN_COMMON_CLEANUP_H
#define EDGERUN_COMMON_CLEANUP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

static inline void er_freep(void *p)
{
	free(*(void **)p);
}
static inline void er_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void er_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
static inline void er_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
void er_strv_freep(char ***strv);

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(er_freep)
#define _cleanup_close_ _cleanup_(er_closep)
#define _cleanup_fclose_ _cleanup_(er_fclosep)
#define _cleanup_closedir_ _cleanup_(er_closedirp)
#define _cleanup_strv_ _cleanup_(er_strv_freep)

#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _p = (p);                                                            \
		(p) = NULL;                                                                        \
		_p;                                                                                \
	})
#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _fd = (fd);                                                                    \
		(fd) = -1;                                                                         \
		_fd;                                                                               \
	})

#endif
