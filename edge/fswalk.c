/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rootfs walk of signed bundles: every object below a directory fd, seen with lstat
 * semantics, never following a symlink (fstatat AT_SYMLINK_NOFOLLOW, openat O_NOFOLLOW),
 * and the in-tree open that the hashing workers use (no symlink in any component).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "edge/signed.h"

#define WALK_MAX_DEPTH 256
#define OPENAT2_RETRIES 16

enum manifest_type sb_mode_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return MF_DIR;
	case S_IFLNK:
		return MF_SYMLINK;
	case S_IFCHR:
		return MF_CHAR;
	case S_IFBLK:
		return MF_BLOCK;
	case S_IFIFO:
		return MF_FIFO;
	case S_IFSOCK:
		return MF_SOCKET;
	default:
		return MF_FILE;
	}
}

struct walk {
	struct sb_node *nodes;
	size_t n, cap;
};

static struct sb_node *walk_add(struct walk *w, char *path, const struct stat *st)
{
	struct sb_node *node;

	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->nodes = xrealloc(w->nodes, w->cap * sizeof(*w->nodes));
	}
	node = &w->nodes[w->n++];
	*node = (struct sb_node){.path = path, .st = *st};
	return node;
}

static char *read_link(int dirfd, const char *name, size_t hint, struct er_error *err)
{
	size_t size = hint + 2 > 64 ? hint + 2 : 64;

	for (;;) {
		char *buf = xmalloc(size);
		ssize_t n = readlinkat(dirfd, name, buf, size);

		if (n < 0) {
			er_set(err, errno, "readlink `%s`", name);
			free(buf);
			return NULL;
		}
		if ((size_t)n < size) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
		if (size > 1 << 20) {
			er_set(err, 0, "readlink `%s`: target too long", name);
			return NULL;
		}
		size *= 2;
	}
}

static int walk_dir(struct walk *w, int fd, const char *rel, int depth, struct er_error *err);

/* One directory entry NAME of directory DFD (path REL). */
static int walk_entry(struct walk *w, int dfd, const char *rel, const char *name, int depth,
		      struct er_error *err)
{
	_cleanup_free_ char *path = NULL;
	struct sb_node *node;
	struct stat st, st2;
	int sub;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0; /* gone meanwhile: the comparison reports it missing */
		return er_set(err, errno, "stat `%s/%s`", rel, name);
	}
	path = strcmp(rel, ".") ? xasprintf("%s/%s", rel, name) : xstrdup(name);
	if (S_ISLNK(st.st_mode)) {
		char *target = read_link(dfd, name, (size_t)st.st_size, err);

		if (!target)
			return er_prefix(err, "walk `%s`", path);
		node = walk_add(w, TAKE_PTR(path), &st);
		node->target = target;
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		walk_add(w, TAKE_PTR(path), &st);
		return 0;
	}
	sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return er_set(err, errno, "open directory `%s`", path);
	if (fstat(sub, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
		close(sub);
		return er_set(err, 0, "directory `%s` was replaced during the walk", path);
	}
	walk_add(w, xstrdup(path), &st2);
	return walk_dir(w, sub, path, depth + 1, err);
}

/* Walks the directory open at FD (owned: closed here). */
static int walk_dir(struct walk *w, int fd, const char *rel, int depth, struct er_error *err)
{
	_cleanup_closedir_ DIR *d = NULL;

	if (depth > WALK_MAX_DEPTH) {
		close(fd);
		return er_set(err, 0, "`%s`: directories nested deeper than %d", rel,
			      WALK_MAX_DEPTH);
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return er_set(err, errno, "open directory `%s`", rel);
	}
	for (;;) {
		struct dirent *de;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				return er_set(err, errno, "read directory `%s`", rel);
			return 0;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (walk_entry(w, dirfd(d), rel, de->d_name, depth, err) < 0)
			return -1;
	}
}

static int node_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sb_node *)a)->path, ((const struct sb_node *)b)->path);
}

int sb_walk(int rootfd, struct sb_node **out, size_t *n, struct er_error *err)
{
	struct walk w = {0};
	struct stat st;
	int fd;

	if (fstat(rootfd, &st) < 0)
		return er_set(err, errno, "stat the root directory");
	walk_add(&w, xstrdup("."), &st);
	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return er_set(err, errno, "open the root directory");
	if (walk_dir(&w, fd, ".", 0, err) < 0) {
		sb_nodes_free(w.nodes, w.n);
		return -1;
	}
	qsort(w.nodes, w.n, sizeof(*w.nodes), node_cmp);
	*out = w.nodes;
	*n = w.n;
	return 0;
}

void sb_nodes_free(struct sb_node *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(nodes[i].path);
		free(nodes[i].target);
	}
	free(nodes);
}

/* Component by component, each opened with O_NOFOLLOW (kernels without openat2). */
static int open_walk(int rootfd, const char *path, int flags)
{
	_cleanup_free_ char *copy = xstrdup(path);
	_cleanup_close_ int cur = -1;
	char *save = NULL;
	char *comp = strtok_r(copy, "/", &save);
	int dfd = rootfd;

	while (comp) {
		char *next = strtok_r(NULL, "/", &save);
		int fd;

		if (!strcmp(comp, "..") || !strcmp(comp, "."))
			return -EXDEV;
		if (next)
			fd = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		else
			fd = openat(dfd, comp, flags | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (cur >= 0)
			close(cur);
		cur = fd;
		dfd = fd;
		comp = next;
	}
	if (cur < 0)
		return -EINVAL;
	return TAKE_FD(cur);
}

int sb_open_beneath(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	for (int i = 0; i < OPENAT2_RETRIES; i++) {
		long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

		if (fd >= 0)
			return (int)fd;
		if (errno == ENOSYS || errno == E2BIG)
			return open_walk(rootfd, path, flags);
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
	}
	return -EAGAIN;
}

char *sb_read_fd(int fd, const char *path, size_t max, size_t *len, struct er_error *err)
{
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) < 0) {
		er_set(err, errno, "stat `%s`", path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		er_set(err, 0, "`%s` is not a regular file", path);
		return NULL;
	}
	if ((uint64_t)st.st_size > max) {
		er_set(err, 0, "`%s` is too large (%lld bytes, at most %zu)", path,
		       (long long)st.st_size, max);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	n = read_all(fd, buf, (size_t)st.st_size);
	if (n < 0) {
		er_set(err, errno, "read `%s`", path);
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return TAKE_PTR(buf);
}

char *sb_read_file(int dirfd, const char *path, bool nofollow, size_t max, size_t *len,
		   struct er_error *err)
{
	int flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
	_cleanup_close_ int fd = openat(dirfd, path, flags);

	if (fd < 0) {
		er_set(err, errno, "open `%s`", path);
		return NULL;
	}
	return sb_read_fd(fd, path, max, len, err);
}
