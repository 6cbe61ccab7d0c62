/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's filesystem, set up by its init inside the new mount namespace:
 *
 *   rootfs_prepare   / becomes rslave (or linux.rootfsPropagation); the rootfs is bound
 *                    onto itself; spec mounts in order; devices and /dev links
 *   rootfs_pivot     pivot_root(".", ".") and a lazy unmount of the old root, or with
 *                    --no-pivot MS_MOVE onto / and chroot; stdio /dev/null re-opened
 *   rootfs_finalize  delayed read-only remounts (tmpfs, /dev), root.readonly,
 *                    readonlyPaths, maskedPaths (runc's order), umask
 *
 * Paths inside the container go through pathrs; mounts through mount.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/internal.h"
#include "libcontainer/rootfs_internal.h"

/* ---- paths ---- */

char *rootfs_clean_path(const char *p)
{
	_cleanup_free_ char *abs = p[0] == '/' ? NULL : xasprintf("/%s", p);

	return path_clean(abs ? abs : p);
}

bool rootfs_path_is(const char *p, const char *clean)
{
	if (!p)
		return false;
	_cleanup_free_ char *c = rootfs_clean_path(p);
	return strcmp(c, clean) == 0;
}

/* ---- prepare ---- */

struct parent_mount {
	const char *path;
	char *best;
	size_t best_len;
	bool shared;
};

static int find_parent_mount(const struct mountinfo_entry *e, void *data)
{
	struct parent_mount *pm = data;
	size_t n = strlen(e->mountpoint);
	bool under =
		strcmp(e->mountpoint, "/") == 0 || (strncmp(pm->path, e->mountpoint, n) == 0 &&
						    (pm->path[n] == '/' || pm->path[n] == '\0'));
	if (!under || (pm->best && n < pm->best_len))
		return 0;
	free(pm->best);
	pm->best = xstrdup(e->mountpoint);
	pm->best_len = n;
	pm->shared = strstr(e->optional, "shared:") != NULL;
	return 0;
}

/* pivot_root refuses a new root whose parent mount is shared, and a bind there would
 * propagate: make that one mount private (not recursively), as runc does. */
static int make_parent_private(const char *root, struct er_error *err)
{
	struct parent_mount pm = {.path = root};
	if (mountinfo_foreach(find_parent_mount, &pm, err) < 0)
		return -1;
	int ret = 0;
	if (pm.best && pm.shared && mount(NULL, pm.best, NULL, MS_PRIVATE, NULL) < 0)
		ret = er_set(err, errno, "make `%s` private", pm.best);
	free(pm.best);
	return ret;
}

static int open_rootfs(const struct rootfs_config *rc, struct er_error *err)
{
	int fd = open(rc->spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return er_set(err, errno, "open rootfs `%s`", rc->spec->root_path);
	return fd;
}

int rootfs_prepare(const struct rootfs_config *rc, struct er_error *err)
{
	const struct spec *s = rc->spec;
	const char *root = s->root_path;
	unsigned long prop = MS_SLAVE | MS_REC;

	if (s->linux_ && s->linux_->rootfs_propagation)
		prop = s->linux_->rootfs_propagation;
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return er_set(err, errno, "set rootfs propagation of `/`");
	if (make_parent_private(root, err) < 0)
		return -1;
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return er_set(err, errno, "bind rootfs `%s` onto itself", root);

	_cleanup_close_ int rootfd = open_rootfs(rc, err);
	if (rootfd < 0)
		return -1;
	struct mount_ctx ctx = {
		.rootfd = rootfd,
		.root_path = root,
		.bundle = rc->bundle,
		.in_userns = rc->in_userns,
		.in_cgroupns = rc->in_cgroupns,
	};
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		er_debug("mount %s on %s (type %s)", m->source ? m->source : "none", m->destination,
			 m->type ? m->type : "none");
		int premade = rc->mount_fds ? rc->mount_fds[i] : -1;
		if (mount_spec_entry(&ctx, m, premade, err) < 0)
			return er_prefix(err, "mount `%s` on `%s`", m->source ? m->source : "none",
					 m->destination);
	}
	if (devices_needed(s) && devices_create(rc, rootfd, err) < 0)
		return er_prefix(err, "create devices");
	return 0;
}

int rootfs_open_mount_sources(const struct spec *spec, const char *bundle, int **fds,
			      struct er_error *err)
{
	int *v = xmalloc((spec->n_mounts ? spec->n_mounts : 1) * sizeof(*v));
	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (mount_open_source(&spec->mounts[i], bundle, &v[i], err) < 0) {
			rootfs_close_mount_sources(v, i);
			return -1;
		}
	}
	*fds = v;
	return 0;
}

void rootfs_close_mount_sources(int *fds, size_t n)
{
	for (size_t i = 0; fds && i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}

/* ---- pivot ---- */

static int do_pivot_root(struct er_error *err)
{
	_cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0)
		return er_set(err, errno, "open `/`");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return er_set(err, errno, "pivot_root");
	/* The old root is now stacked under the new one, at "." for us. */
	if (fchdir(oldroot) < 0)
		return er_set(err, errno, "chdir to the old root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return er_set(err, errno, "make the old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return er_set(err, errno, "unmount the old root");
	return 0;
}

struct host_pseudo {
	const char *root;
	char **paths;
};

static int collect_host_pseudo(const struct mountinfo_entry *e, void *data)
{
	struct host_pseudo *hp = data;
	size_t rl = strlen(hp->root);
	if (strcmp(e->root, "/") != 0 ||
	    (strcmp(e->fstype, "proc") != 0 && strcmp(e->fstype, "sysfs") != 0))
		return 0;
	if (strncmp(e->mountpoint, hp->root, rl) == 0 &&
	    (e->mountpoint[rl] == '/' || e->mountpoint[rl] == '\0'))
		return 0;
	strv_push(&hp->paths, xstrdup(e->mountpoint));
	return 0;
}

/* --no-pivot: the host's full procfs and sysfs would stay reachable in our namespace
 * (and make the kernel refuse new procfs mounts in user namespaces): detach them, or
 * cover them when we may not, then move the rootfs onto / and chroot. */
static int move_root(const char *root, struct er_error *err)
{
	struct host_pseudo hp = {.root = root, .paths = NULL};
	if (mountinfo_foreach(collect_host_pseudo, &hp, err) < 0)
		return -1;
	_cleanup_strv_ char **paths = hp.paths;
	for (size_t i = 0; paths && paths[i]; i++) {
		if (mount(NULL, paths[i], NULL, MS_SLAVE | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			return er_set(err, errno, "make `%s` rslave", paths[i]);
		}
		if (umount2(paths[i], MNT_DETACH) == 0)
			continue;
		if (errno != EINVAL && errno != EPERM)
			return er_set(err, errno, "unmount `%s`", paths[i]);
		if (mount("tmpfs", paths[i], "tmpfs", 0, NULL) < 0)
			return er_set(err, errno, "cover `%s`", paths[i]);
	}
	if (mount(root, "/", NULL, MS_MOVE, NULL) < 0)
		return er_set(err, errno, "move rootfs onto `/`");
	if (chroot(".") < 0)
		return er_set(err, errno, "chroot");
	return 0;
}

int rootfs_pivot(const struct rootfs_config *rc, struct er_error *err)
{
	const char *root = rc->spec->root_path;
	_cleanup_close_ int rootfd = open(root, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (rootfd < 0)
		return er_set(err, errno, "open rootfs `%s`", root);
	if (fchdir(rootfd) < 0)
		return er_set(err, errno, "chdir to rootfs `%s`", root);
	if ((rc->no_pivot ? move_root(root, err) : do_pivot_root(err)) < 0)
		return er_prefix(err, "%s",
				 rc->no_pivot ? "move into rootfs" : "pivot into rootfs");
	if (chdir("/") < 0)
		return er_set(err, errno, "chdir `/`");
	if (devices_needed(rc->spec) && devices_reopen_stdio(err) < 0)
		return -1;
	return 0;
}

/* ---- finalize (after pivot: "/" is the container's) ---- */

static int remount_rdonly(int rootfd, const char *path, struct er_error *err)
{
	_cleanup_close_ int fd = pathrs_open(rootfd, path, O_PATH, 0, err);
	if (fd < 0)
		return -1;
	if (mnt_setattr(fd, false, MOUNT_ATTR_RDONLY, 0, err) < 0)
		return er_prefix(err, "remount `%s` read-only", path);
	return 0;
}

/* The path is missing (skip it) or an error. */
static bool skip_missing(int fd, struct er_error *err)
{
	if (fd >= 0 || (err->errnum != ENOENT && err->errnum != ENOTDIR))
		return false;
	er_clear(err);
	return true;
}

static int readonly_path(int rootfd, const char *path, struct er_error *err)
{
	_cleanup_close_ int fd = pathrs_open(rootfd, path, O_PATH, 0, err);
	if (skip_missing(fd, err))
		return 0;
	if (fd < 0)
		return -1;
	struct mnt_req r = {
		.source = "",
		.src_dirfd = fd,
		.recursive = true,
		.flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
	};
	_cleanup_close_ int mfd = mnt_make(&r, rootfd, path, fd, err);
	return mfd < 0 ? -1 : 0;
}

static int masked_path(int rootfd, const char *path, struct er_error *err)
{
	_cleanup_close_ int fd = pathrs_open(rootfd, path, O_PATH, 0, err);
	if (skip_missing(fd, err))
		return 0;
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return fd < 0 ? -1 : er_set(err, errno, "stat `%s`", path);

	struct mnt_req r = {.src_dirfd = AT_FDCWD};
	_cleanup_close_ int nullfd = -1;
	if (S_ISDIR(st.st_mode)) {
		r.fstype = "tmpfs";
		r.source = "tmpfs";
		r.flags = MS_RDONLY;
	} else {
		struct stat nst;
		nullfd = pathrs_open(rootfd, "/dev/null", O_PATH, 0, err);
		if (nullfd < 0)
			return -1;
		if (fstat(nullfd, &nst) < 0 || !S_ISCHR(nst.st_mode) ||
		    nst.st_rdev != makedev(1, 3))
			return er_set(err, 0,
				      "cannot mask `%s`: `/dev/null` is not the null device", path);
		r.source = "";
		r.src_dirfd = nullfd;
	}
	_cleanup_close_ int mfd = mnt_make(&r, rootfd, path, fd, err);
	return mfd < 0 ? -1 : 0;
}

int rootfs_finalize(const struct rootfs_config *rc, struct er_error *err)
{
	const struct spec *s = rc->spec;
	_cleanup_close_ int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return er_set(err, errno, "open `/`");

	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		if ((m->flags & MS_RDONLY) && mount_delays_rdonly(m) &&
		    remount_rdonly(rootfd, m->destination, err) < 0)
			return -1;
	}
	if (s->root_readonly && mnt_setattr(rootfd, false, MOUNT_ATTR_RDONLY, 0, err) < 0)
		return er_prefix(err, "make the rootfs read-only");

	if (s->linux_) {
		for (char **p = s->linux_->readonly_paths; p && *p; p++)
			if (readonly_path(rootfd, *p, err) < 0)
				return er_prefix(err, "make `%s` read-only", *p);
		for (char **p = s->linux_->masked_paths; p && *p; p++)
			if (masked_path(rootfd, *p, err) < 0)
				return er_prefix(err, "mask `%s`", *p);
	}
	if (s->process && s->process->user.has_umask)
		umask((mode_t)s->process->user.umask & 0777);
	else
		umask(0022);
	return 0;
}
