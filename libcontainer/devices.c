/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device nodes and /dev links inside the rootfs (runtime-spec "Default Devices" and
 * linux.devices). Every node is made with mknodat() on a parent directory resolved by
 * pathrs, so an image whose /dev is a symlink cannot make us create anything outside the
 * rootfs. In a user namespace (no mknod) the host's node is bind-mounted onto an empty
 * file instead, as runc does.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/internal.h"
#include "libcontainer/rootfs_internal.h"

static const struct spec_device default_devices[] = {
	{.path = "/dev/null", .type = 'c', .major = 1, .minor = 3},
	{.path = "/dev/zero", .type = 'c', .major = 1, .minor = 5},
	{.path = "/dev/full", .type = 'c', .major = 1, .minor = 7},
	{.path = "/dev/random", .type = 'c', .major = 1, .minor = 8},
	{.path = "/dev/urandom", .type = 'c', .major = 1, .minor = 9},
	{.path = "/dev/tty", .type = 'c', .major = 5, .minor = 0},
};

bool devices_needed(const struct spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (mount_is_bind(&s->mounts[i]) &&
		    rootfs_path_is(s->mounts[i].destination, "/dev"))
			return false;
	return true;
}

static mode_t device_mode(const struct spec_device *d)
{
	mode_t perm = d->has_file_mode ? (mode_t)(d->file_mode & 07777) : 0666;
	switch (d->type) {
	case 'b':
		return S_IFBLK | perm;
	case 'p':
		return S_IFIFO | perm;
	default:
		return S_IFCHR | perm; /* 'c' and 'u' */
	}
}

/* Splits an absolute device path into a resolved parent fd and the last component. */
static int open_parent(int rootfd, const char *path, const char **base, struct er_error *err)
{
	_cleanup_free_ char *clean = rootfs_clean_path(path);
	const char *slash = strrchr(path, '/');
	*base = slash ? slash + 1 : path;
	if (!**base || strcmp(*base, ".") == 0 || strcmp(*base, "..") == 0 ||
	    strcmp(clean, "/") == 0)
		return er_set(err, 0, "invalid device path `%s`", path);
	size_t plen = (size_t)(*base - path);
	while (plen > 1 && path[plen - 1] == '/')
		plen--;
	_cleanup_free_ char *parent = xstrndup(path, plen);
	return pathrs_mkdir_all(rootfd, *parent ? parent : "/", 0755, err);
}

/* Bind-mounts the host's node `d->path` onto an empty file at the same place. */
static int bind_device(int rootfd, int dirfd, const char *base, const struct spec_device *d,
		       struct er_error *err)
{
	struct stat st;
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode))
			return er_set(err, EISDIR, "`%s` is a directory", d->path);
		if (S_ISLNK(st.st_mode) && unlinkat(dirfd, base, 0) < 0)
			return er_set(err, errno, "remove symlink `%s`", d->path);
	}
	int wfd =
		openat(dirfd, base, O_CREAT | O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
	if (wfd < 0 && errno != ENXIO)
		return er_set(err, errno, "create `%s`", d->path);
	if (wfd >= 0)
		close(wfd);
	_cleanup_close_ int dstfd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (dstfd < 0)
		return er_set(err, errno, "open `%s`", d->path);
	struct mnt_req r = {.source = d->path, .src_dirfd = AT_FDCWD};
	_cleanup_close_ int fd = mnt_make(&r, rootfd, d->path, dstfd, err);
	if (fd < 0)
		return er_prefix(err, "bind device `%s`", d->path);
	return 0;
}

/* mknod, replacing whatever non-directory the image had there unless it already is the
 * same node. */
static int make_node(int dirfd, const char *base, const struct spec_device *d, mode_t mode,
		     dev_t dev, struct er_error *err)
{
	if (mknodat(dirfd, base, mode, dev) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	struct stat st;
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if ((st.st_mode & S_IFMT) == (mode & S_IFMT) && (S_ISFIFO(mode) || st.st_rdev == dev)) {
		if (fchmodat(dirfd, base, mode & 07777, 0) < 0)
			return -1;
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return er_set(err, EISDIR, "`%s` is a directory", d->path);
	}
	if (unlinkat(dirfd, base, 0) < 0 || mknodat(dirfd, base, mode, dev) < 0)
		return -1;
	return 0;
}

static int create_device(const struct rootfs_config *rc, int rootfd, const struct spec_device *d,
			 struct er_error *err)
{
	const char *base;
	_cleanup_close_ int dirfd = open_parent(rootfd, d->path, &base, err);
	if (dirfd < 0)
		return -1;
	mode_t mode = device_mode(d);
	dev_t dev = S_ISFIFO(mode) ? 0 : makedev((unsigned)d->major, (unsigned)d->minor);

	if (rc->in_userns && !S_ISFIFO(mode))
		return bind_device(rootfd, dirfd, base, d, err);
	if (make_node(dirfd, base, d, mode, dev, err) < 0) {
		if (err->msg)
			return -1;
		if (errno == EPERM && !S_ISFIFO(mode))
			return bind_device(rootfd, dirfd, base, d, err);
		return er_set(err, errno, "mknod `%s`", d->path);
	}
	uid_t uid = d->has_uid ? d->uid : 0;
	gid_t gid = d->has_gid ? d->gid : 0;
	if (fchownat(dirfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return er_set(err, errno, "chown `%s`", d->path);
	return 0;
}

static bool spec_has_device(const struct spec *s, const char *path)
{
	if (!s->linux_)
		return false;
	for (size_t i = 0; i < s->linux_->n_devices; i++)
		if (rootfs_path_is(s->linux_->devices[i].path, path))
			return true;
	return false;
}

static int create_all_devices(const struct rootfs_config *rc, int rootfd, struct er_error *err)
{
	const struct spec *s = rc->spec;
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
		if (spec_has_device(s, default_devices[i].path))
			continue;
		if (create_device(rc, rootfd, &default_devices[i], err) < 0)
			return er_prefix(err, "create device `%s`", default_devices[i].path);
	}
	for (size_t i = 0; s->linux_ && i < s->linux_->n_devices; i++) {
		const struct spec_device *d = &s->linux_->devices[i];
		if (!d->path || d->path[0] != '/')
			return er_set(err, 0, "device path `%s` is not absolute",
				      d->path ? d->path : "");
		if (create_device(rc, rootfd, d, err) < 0)
			return er_prefix(err, "create device `%s`", d->path);
	}
	return 0;
}

/* /dev/fd, /dev/std{in,out,err}, /dev/core (when the kernel has /proc/kcore) and
 * /dev/ptmx -> pts/ptmx, as runc makes them. */
static int create_links(int rootfd, struct er_error *err)
{
	static const char *const links[][2] = {
		{"/proc/self/fd", "fd"},
		{"/proc/self/fd/0", "stdin"},
		{"/proc/self/fd/1", "stdout"},
		{"/proc/self/fd/2", "stderr"},
	};
	_cleanup_close_ int devfd = pathrs_mkdir_all(rootfd, "/dev", 0755, err);
	if (devfd < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][0], devfd, links[i][1]) < 0 && errno != EEXIST)
			return er_set(err, errno, "symlink `/dev/%s`", links[i][1]);
	if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", devfd, "core") < 0 &&
	    errno != EEXIST)
		return er_set(err, errno, "symlink `/dev/core`");

	if (unlinkat(devfd, "ptmx", 0) < 0 && errno != ENOENT)
		return er_set(err, errno, "remove `/dev/ptmx`");
	if (symlinkat("pts/ptmx", devfd, "ptmx") < 0)
		return er_set(err, errno, "symlink `/dev/ptmx`");
	return 0;
}

int devices_create(const struct rootfs_config *rc, int rootfd, struct er_error *err)
{
	mode_t old = umask(0);
	int r = create_all_devices(rc, rootfd, err);
	umask(old);
	if (r < 0)
		return -1;
	return create_links(rootfd, err);
}

int devices_reopen_stdio(struct er_error *err)
{
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	struct stat nst, st;
	if (null < 0 || fstat(null, &nst) < 0)
		return er_set(err, errno, "open the container's `/dev/null`");
	if (!S_ISCHR(nst.st_mode) || nst.st_rdev != makedev(1, 3))
		return er_set(err, 0, "the container's `/dev/null` is not the null device");
	for (int fd = 0; fd < 3; fd++) {
		if (fstat(fd, &st) < 0)
			continue;
		if (S_ISCHR(st.st_mode) && st.st_rdev == nst.st_rdev && dup2(null, fd) < 0)
			return er_set(err, errno, "reopen fd %d on `/dev/null`", fd);
	}
	return 0;
}
