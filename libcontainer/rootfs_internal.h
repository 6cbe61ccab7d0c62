/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by rootfs.c, mount.c, devices.c and pathrs.c (not used elsewhere).
 *
 * Every path inside the container is reached through a directory fd of the rootfs and
 * pathrs; mounts are made on the resolved fd (new mount API: open_tree/fsopen + fsmount +
 * move_mount), or with mount(2) on /proc/self/fd/N where the new API is missing.
 */
#ifndef EDGERUN_LIBCONTAINER_ROOTFS_INTERNAL_H
#define EDGERUN_LIBCONTAINER_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "specconv/spec.h"

struct rootfs_config;

/* Tests only: take the fallback paths even where the kernel has the newer syscalls. */
extern bool pathrs_force_fallback; /* component walk instead of openat2 */
extern bool mnt_force_legacy;	   /* mount(2) on /proc/self/fd/N instead of the new API */

/* ---- mount.c ---- */

/* One mount to make on an already resolved destination. */
struct mnt_req {
	const char *fstype;	   /* NULL: bind mount of `source` */
	const char *source;	   /* bind: host path (relative to src_dirfd); fs: its source */
	int src_dirfd;		   /* bind: base for a relative source (AT_FDCWD = cwd) */
	const char *data;	   /* fs options "a=b,c" or NULL */
	bool recursive;		   /* rbind */
	unsigned long flags;	   /* MS_RDONLY MS_NOSUID MS_NODEV MS_NOEXEC atime ... */
	unsigned long clear_flags; /* MS_* cleared explicitly (bind mounts) */
	uint64_t rec_set, rec_clr; /* MOUNT_ATTR_* applied with AT_RECURSIVE */
	unsigned long propagation; /* MS_SHARED|MS_SLAVE|MS_PRIVATE|MS_UNBINDABLE (|MS_REC) */
	bool premade;		   /* premade_fd is a detached mount with its attributes set */
	int premade_fd;
};

/* Mounts `r` on the destination `dstfd` (an O_PATH fd resolved inside the rootfs; `dest`
 * names it for messages and for re-resolving against `rootfd` in the legacy path).
 * Returns an O_PATH fd on the root of the new mount. */
int mnt_make(const struct mnt_req *r, int rootfd, const char *dest, int dstfd,
	     struct er_error *err);
/* mount_setattr() on the mount of `fd` (mount(2) MS_REMOUNT fallback for set only). */
int mnt_setattr(int fd, bool recursive, uint64_t set, uint64_t clr, struct er_error *err);
/* MS_* flags -> MOUNT_ATTR_* (set and clear) for mount_setattr. */
void mnt_flags_to_attr(unsigned long flags, unsigned long clear_flags, uint64_t *set,
		       uint64_t *clr);

/* Performs spec mount `m` inside the rootfs (the whole of a config.json "mounts" entry). */
struct mount_ctx {
	int rootfd;
	const char *root_path; /* host path of the rootfs (for messages and checks) */
	const char *bundle;    /* base of relative bind sources */
	bool in_userns;
	bool in_cgroupns; /* rootfs_config.in_cgroupns */
};
int mount_spec_entry(const struct mount_ctx *ctx, const struct spec_mount *m, int premade_fd,
		     struct er_error *err);
/* Runtime side: *fd = the detached, attributed clone of bind mount m's source, or -1 (not
 * a bind mount, or no open_tree). */
int mount_open_source(const struct spec_mount *m, const char *bundle, int *fd,
		      struct er_error *err);
bool mount_is_bind(const struct spec_mount *m);
/* tmpfs and /dev are mounted read-write and remounted read-only in rootfs_finalize. */
bool mount_delays_rdonly(const struct spec_mount *m);

/* /proc/self/mountinfo, one call per line; a non-zero return stops the walk. */
struct mountinfo_entry {
	const char *root, *mountpoint, *options, *optional, *fstype, *source, *super_options;
};
int mountinfo_foreach(int (*fn)(const struct mountinfo_entry *e, void *data), void *data,
		      struct er_error *err);

/* ---- devices.c ---- */

/* True unless /dev is a bind mount (then the devices come with it). */
bool devices_needed(const struct spec *s);
/* Default + configured device nodes, /dev symlinks and /dev/ptmx inside the rootfs. */
int devices_create(const struct rootfs_config *rc, int rootfd, struct er_error *err);
/* After pivot: stdio that is the host's /dev/null gets the container's instead. */
int devices_reopen_stdio(struct er_error *err);

/* ---- rootfs.c ---- */

/* Lexically cleaned absolute path ("//a/./b/../c/" -> "/a/c"); caller frees. */
char *rootfs_clean_path(const char *p);
bool rootfs_path_is(const char *p, const char *clean);

#endif
