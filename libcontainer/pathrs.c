/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Safe path resolution inside a container rootfs.
 *
 * A path from config.json (or from the image itself, through its symlinks) must never name
 * anything outside the rootfs. The kernel does this for us with openat2(RESOLVE_IN_ROOT):
 * absolute symlinks and ".." are scoped to the root fd. Where openat2 is missing we walk
 * the path one component at a time with O_NOFOLLOW, keep the directories we went through
 * on a stack so that ".." pops it (and stays at the root), and restart symlink targets
 * from the root (absolute) or the current directory (relative), 40 links at most.
 * Creating directories always uses the walk, since it has to act between components.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/util.h"
#include "libcontainer/internal.h"
#include "libcontainer/rootfs_internal.h"

#define PATHRS_EAGAIN_TRIES 32
#define PATHRS_MAX_LINKS 40
#define PATHRS_MAX_DEPTH 1024

bool pathrs_force_fallback;

static int openat2_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		how.mode = mode;
	for (int i = 0; i < PATHRS_EAGAIN_TRIES; i++) {
		int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			return fd;
	}
	errno = EAGAIN;
	return -1;
}

/* ---- the component walk ---- */

struct walk {
	int fds[PATHRS_MAX_DEPTH]; /* fds[0]: the root; fds[n-1]: the current directory */
	size_t n;
	char *rest; /* what is left of the path to resolve (owned) */
	int links;
};

static void walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n; i++)
		close(w->fds[i]);
	w->n = 0;
	free(w->rest);
	w->rest = NULL;
}

static int walk_top(const struct walk *w)
{
	return w->fds[w->n - 1];
}

static void walk_pop_to(struct walk *w, size_t n)
{
	while (w->n > n)
		close(w->fds[--w->n]);
}

/* Magic links (/proc/self/fd/N, /proc/self/exe, ns links) point at objects, not paths:
 * refuse them as RESOLVE_NO_MAGICLINKS does. On procfs a plain link (`self`, `mounts`)
 * is relative and names a path; a magic one reads as an absolute path or `type:[ino]`. */
static bool is_magic_link(int dirfd, const char *target)
{
	struct statfs sfs;
	if (fstatfs(dirfd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC)
		return false;
	return target[0] == '/' || strstr(target, ":[") != NULL;
}

/* Replaces the component just looked up (a symlink `name` in the current directory) by
 * its target; `next` is what followed it in w->rest. */
static int walk_follow(struct walk *w, int linkfd, const char *name, const char *next)
{
	char target[PATH_MAX + 1];
	ssize_t len;

	if (++w->links > PATHRS_MAX_LINKS) {
		errno = ELOOP;
		return -1;
	}
	if (linkfd >= 0)
		len = readlinkat(linkfd, "", target, sizeof(target));
	else
		len = readlinkat(walk_top(w), name, target, sizeof(target));
	if (len < 0)
		return -1;
	if ((size_t)len >= sizeof(target)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	target[len] = '\0';
	if (len == 0) {
		errno = ENOENT;
		return -1;
	}
	if (is_magic_link(walk_top(w), target)) {
		errno = ELOOP;
		return -1;
	}
	if (target[0] == '/')
		walk_pop_to(w, 1);
	char *rest = xasprintf("%s%s", target, next); /* next is "" or "/..." */
	free(w->rest);
	w->rest = rest;
	return 0;
}

/* Opens one path component of the current directory as O_PATH, creating a directory
 * there if it is missing and `mkdir_mode` >= 0. */
static int walk_open_dir_component(struct walk *w, const char *name, int mkdir_mode)
{
	int fd = openat(walk_top(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT || mkdir_mode < 0)
		return fd;
	if (mkdirat(walk_top(w), name, (mode_t)mkdir_mode) < 0 && errno != EEXIST)
		return -1;
	return openat(walk_top(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

/* Splits the next component off w->rest: returns its length (0 at the end), sets *start
 * to it and *next to what follows. */
static size_t walk_next(const char *rest, const char **start, const char **next)
{
	while (*rest == '/')
		rest++;
	const char *end = strchrnul(rest, '/');
	*start = rest;
	*next = end;
	return (size_t)(end - rest);
}

static bool only_slashes(const char *s)
{
	while (*s == '/')
		s++;
	return *s == '\0';
}

/* Opens the last component with the caller's flags. Returns the fd, -1 with errno set,
 * or -2 when it was a symlink that has been followed (w->rest updated). */
static int walk_open_last(struct walk *w, const char *name, const char *next, int flags,
			  mode_t mode)
{
	if (next[0] != '\0' && !(flags & O_CREAT))
		flags |= O_DIRECTORY; /* "name/" must be a directory */
	if (flags & O_NOFOLLOW)
		return openat(walk_top(w), name, flags | O_CLOEXEC, mode);

	int fd = openat(walk_top(w), name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd >= 0) {
		struct stat st;
		if (!(flags & O_PATH) || fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode))
			return fd;
		int r = walk_follow(w, fd, name, next);
		close(fd);
		return r < 0 ? -1 : -2;
	}
	if (errno != ELOOP && errno != ENOTDIR)
		return -1;
	/* ELOOP (or ENOTDIR with O_DIRECTORY) under O_NOFOLLOW: is it a symlink? */
	int saved = errno;
	struct stat st;
	if (fstatat(walk_top(w), name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode)) {
		errno = saved;
		return -1;
	}
	return walk_follow(w, -1, name, next) < 0 ? -1 : -2;
}

/* The walk itself. With mkdir_mode >= 0 every missing component is created as a
 * directory and the result is an O_PATH|O_DIRECTORY fd (flags are ignored). */
static int walk_resolve(int rootfd, const char *path, int flags, mode_t mode, int mkdir_mode)
{
	struct walk w = {.n = 0, .rest = NULL, .links = 0};
	int ret = -1;

	if (path[0] == '\0') {
		errno = ENOENT;
		return -1;
	}
	w.fds[0] = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (w.fds[0] < 0)
		return -1;
	w.n = 1;
	w.rest = xstrdup(path);

	for (;;) {
		const char *start, *next;
		size_t len = walk_next(w.rest, &start, &next);
		if (len == 0) {
			/* Ended on the current directory ("/", "a/..", "a/."). */
			if (mkdir_mode >= 0)
				ret = openat(walk_top(&w), ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
			else
				ret = openat(walk_top(&w), ".", (flags & ~O_NOFOLLOW) | O_CLOEXEC,
					     mode);
			break;
		}
		_cleanup_free_ char *name = xstrndup(start, len);
		_cleanup_free_ char *after = xstrdup(next);
		bool last = only_slashes(after);

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			if (name[1] == '.' && w.n > 1)
				walk_pop_to(&w, w.n - 1);
			free(w.rest);
			w.rest = TAKE_PTR(after);
			continue;
		}
		if (last && mkdir_mode < 0) {
			int fd = walk_open_last(&w, name, after, flags, mode);
			if (fd == -2)
				continue;
			ret = fd;
			break;
		}
		int fd = walk_open_dir_component(&w, name, mkdir_mode);
		if (fd < 0)
			break;
		struct stat st;
		if (fstat(fd, &st) < 0) {
			close(fd);
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			int r = walk_follow(&w, fd, name, after);
			close(fd);
			if (r < 0)
				break;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			errno = ENOTDIR;
			break;
		}
		if (w.n == PATHRS_MAX_DEPTH) {
			close(fd);
			errno = ENAMETOOLONG;
			break;
		}
		w.fds[w.n++] = fd;
		free(w.rest);
		w.rest = TAKE_PTR(after);
	}
	int saved = errno;
	walk_free(&w);
	errno = saved;
	return ret;
}

/* ---- public ---- */

int pathrs_open(int rootfd, const char *path, int flags, mode_t mode, struct er_error *err)
{
	int fd = -1;
	if (!pathrs_force_fallback) {
		fd = openat2_in_root(rootfd, path, flags, mode);
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS)
			return er_set(err, errno, "open `%s` inside the rootfs", path);
	}
	fd = walk_resolve(rootfd, path, flags, mode, -1);
	if (fd < 0)
		return er_set(err, errno, "open `%s` inside the rootfs", path);
	return fd;
}

int pathrs_mkdir_all(int rootfd, const char *path, mode_t mode, struct er_error *err)
{
	if (!pathrs_force_fallback) {
		int fd = openat2_in_root(rootfd, path, O_PATH | O_DIRECTORY, 0);
		if (fd >= 0)
			return fd;
		if (errno != ENOENT && errno != ENOSYS)
			return er_set(err, errno, "mkdir `%s` inside the rootfs", path);
	}
	int fd = walk_resolve(rootfd, path, 0, 0, (int)(mode & 07777));
	if (fd < 0)
		return er_set(err, errno, "mkdir `%s` inside the rootfs", path);
	return fd;
}

/* Splits PATH into its parent and last component; fails for "", "/", "x/.", "x/..". */
static int split_last(const char *path, char **dir, char **base)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	size_t slash = len;
	while (slash > 0 && path[slash - 1] != '/')
		slash--;
	size_t blen = len - slash;
	if (blen == 0 || (blen == 1 && path[slash] == '.') ||
	    (blen == 2 && path[slash] == '.' && path[slash + 1] == '.')) {
		errno = EISDIR;
		return -1;
	}
	*base = xstrndup(path + slash, blen);
	size_t dlen = slash;
	while (dlen > 1 && path[dlen - 1] == '/')
		dlen--;
	*dir = slash == 0 ? xstrdup(".") : xstrndup(path, dlen);
	return 0;
}

static int create_file(int rootfd, const char *path, mode_t mode, int depth, struct er_error *err)
{
	struct er_error ignored = ER_ERROR_INIT;
	int fd = pathrs_open(rootfd, path, O_PATH, 0, &ignored);
	int saved = ignored.errnum;
	er_clear(&ignored);
	if (fd >= 0)
		return fd;
	if (saved != ENOENT)
		return er_set(err, saved, "create `%s` inside the rootfs", path);

	_cleanup_free_ char *dir = NULL, *base = NULL;
	if (split_last(path, &dir, &base) < 0)
		return er_set(err, errno, "create `%s` inside the rootfs", path);
	_cleanup_close_ int dirfd = pathrs_mkdir_all(rootfd, dir, 0755, err);
	if (dirfd < 0)
		return er_prefix(err, "create `%s` inside the rootfs", path);

	const int wflags = O_CREAT | O_WRONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC;
	_cleanup_close_ int wfd = openat(dirfd, base, wflags, mode);
	if (wfd < 0 && errno == ELOOP) {
		/* A dangling symlink: create its target (and its parents), inside the rootfs. */
		char target[PATH_MAX + 1];
		ssize_t n = readlinkat(dirfd, base, target, sizeof(target) - 1);
		if (n <= 0 || depth >= PATHRS_MAX_LINKS)
			return er_set(err, n < 0 ? errno : ELOOP, "create `%s` inside the rootfs",
				      path);
		target[n] = '\0';
		if (is_magic_link(dirfd, target))
			return er_set(err, ELOOP, "create `%s` inside the rootfs", path);
		_cleanup_free_ char *next =
			target[0] == '/' ? xstrdup(target) : xasprintf("%s/%s", dir, target);
		return create_file(rootfd, next, mode, depth + 1, err);
	}
	if (wfd < 0)
		return er_set(err, errno, "create `%s` inside the rootfs", path);
	return pathrs_open(rootfd, path, O_PATH, 0, err);
}

int pathrs_create_file(int rootfd, const char *path, mode_t mode, struct er_error *err)
{
	return create_file(rootfd, path, mode, 0, err);
}
