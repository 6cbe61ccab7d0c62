/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pathrs: paths resolved inside a tree never leave it, whatever its symlinks say.
 * Every check runs twice: through openat2(RESOLVE_IN_ROOT) and through the
 * component-by-component fallback walk.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.h"
#include "libcontainer/internal.h"
#include "libcontainer/rootfs_internal.h"
#include "tests/unit/tap.h"

static char base[64];	    /* /tmp/rootfs-pathrs-XXXXXX */
static char root[PATH_MAX]; /* base/root: the tree under test */
static int rootfd = -1;

static void put(const char *rel, const char *content)
{
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	FILE *f = fopen(p, "we");
	if (!f) {
		perror(p);
		exit(2);
	}
	fputs(content, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		perror(p);
		exit(2);
	}
}

static void link_(const char *target, const char *rel)
{
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	if (symlink(target, p) < 0) {
		perror(p);
		exit(2);
	}
}

static bool host_exists(const char *rel)
{
	char p[PATH_MAX * 2];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", base, rel);
	return lstat(p, &st) == 0;
}

/* The host path an fd names starts with the tree's root. */
static bool inside(int fd)
{
	char link[64], target[PATH_MAX + 1];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	size_t rl = strlen(root);
	bool in = strncmp(target, root, rl) == 0 && (target[rl] == '/' || target[rl] == '\0');
	if (!in)
		diag("fd resolves to `%s`, outside `%s`", target, root);
	return in;
}

/* Opens PATH inside the tree and returns the file's content ("" for a directory),
 * or "E<errno>" on failure. */
static const char *read_in(const char *path)
{
	static char buf[256];
	struct er_error err = ER_ERROR_INIT;
	int fd = pathrs_open(rootfd, path, O_RDONLY, 0, &err);
	if (fd < 0) {
		snprintf(buf, sizeof(buf), "E%d", err.errnum);
		er_clear(&err);
		return buf;
	}
	if (!inside(fd)) {
		close(fd);
		return "ESCAPED";
	}
	struct stat st;
	fstat(fd, &st);
	ssize_t n = S_ISDIR(st.st_mode) ? 0 : read(fd, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	close(fd);
	return buf;
}

static char *errstr(int e)
{
	static char buf[16];
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

static void build_tree(void)
{
	snprintf(base, sizeof(base), "/tmp/rootfs-pathrs-XXXXXX");
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(root, sizeof(root), "%s/root", base);
	dir("root");
	dir("outside");
	put("outside/secret", "OUTSIDE");
	dir("root/a");
	dir("root/a/b");
	put("root/a/b/c", "inside-c");
	dir("root/etc");
	put("root/etc/passwd", "root-passwd");
	dir("root/deep");
	dir("root/deep/er");
	link_("/etc", "root/abs");
	link_("/etc/passwd", "root/a/b/abs_deep");
	link_("../../../../../../etc", "root/rel_escape");
	link_("../../../..", "root/deep/er/up");
	link_("../outside/secret", "root/esc_secret");
	link_("/../../outside/secret", "root/esc_secret_abs");
	link_("loop2", "root/loop1");
	link_("loop1", "root/loop2");
	link_("self", "root/self");
	link_("a/b", "root/dir_link");
	link_("/nonexist/dir", "root/dangling");
	link_("/made/by/link", "root/dangling_file");
	link_("../../outside/newfile", "root/escape_create");
	link_("/proc/self/root", "root/procroot");
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		perror(root);
		exit(2);
	}
}

static void check_open(const char *mode)
{
	is_str(read_in("a/b/c"), "inside-c", "%s: plain path", mode);
	is_str(read_in("/a/b/c"), "inside-c", "%s: absolute path is inside the root", mode);
	is_str(read_in("/abs/passwd"), "root-passwd", "%s: absolute symlink stays inside", mode);
	is_str(read_in("a/b/abs_deep"), "root-passwd",
	       "%s: deep absolute symlink restarts at the "
	       "root",
	       mode);
	is_str(read_in("rel_escape/passwd"), "root-passwd",
	       "%s: relative symlink with .. stays "
	       "inside",
	       mode);
	is_str(read_in("../../../etc/passwd"), "root-passwd", "%s: leading .. clamps at the root",
	       mode);
	is_str(read_in("deep/er/up/etc/passwd"), "root-passwd", "%s: nested .. symlink clamps",
	       mode);
	is_str(read_in("esc_secret"), errstr(ENOENT),
	       "%s: symlink to a sibling of the root is "
	       "not followed out",
	       mode);
	is_str(read_in("esc_secret_abs"), errstr(ENOENT), "%s: /../.. symlink is not followed out",
	       mode);
	is_str(read_in("loop1"), errstr(ELOOP), "%s: symlink loop gives ELOOP", mode);
	is_str(read_in("self/x"), errstr(ELOOP), "%s: self loop as a directory gives ELOOP", mode);
	is_str(read_in("dir_link/c"), "inside-c", "%s: symlinked directory", mode);
	is_str(read_in("a/b/c/"), errstr(ENOTDIR), "%s: trailing slash on a file", mode);
	is_str(read_in("a/b/c/x"), errstr(ENOTDIR), "%s: file as a directory", mode);
	is_str(read_in("procroot/etc/passwd"), errstr(ENOENT),
	       "%s: /proc/self/root link is "
	       "scoped to the tree",
	       mode);

	struct er_error err = ER_ERROR_INIT;
	struct stat a, b;
	fstat(rootfd, &a);
	int fd = pathrs_open(rootfd, "/..", O_PATH, 0, &err);
	ok(fd >= 0 && fstat(fd, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev,
	   "%s: `/..` is the root itself", mode);
	if (fd >= 0)
		close(fd);
	er_clear(&err);
	fd = pathrs_open(rootfd, "abs", O_PATH | O_NOFOLLOW, 0, &err);
	ok(fd >= 0 && fstat(fd, &b) == 0 && S_ISLNK(b.st_mode),
	   "%s: O_NOFOLLOW|O_PATH opens the last symlink itself", mode);
	if (fd >= 0)
		close(fd);
	er_clear(&err);
	fd = pathrs_open(rootfd, "nope", O_RDONLY, 0, &err);
	ok(fd < 0 && err.errnum == ENOENT && err.msg && strstr(err.msg, "`nope`"),
	   "%s: error names the path: %s", mode, err.msg ? err.msg : "(none)");
	er_clear(&err);
}

static int fd_is_dir_inside(int fd)
{
	struct stat st;
	return fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && inside(fd);
}

static void check_create(const char *mode, const char *tag)
{
	struct er_error err = ER_ERROR_INIT;
	char p[PATH_MAX], q[PATH_MAX];

	snprintf(p, sizeof(p), "abs/new-%s/sub", tag);
	int fd = pathrs_mkdir_all(rootfd, p, 0755, &err);
	snprintf(q, sizeof(q), "root/etc/new-%s/sub", tag);
	ok(fd_is_dir_inside(fd) && host_exists(q), "%s: mkdir_all through an absolute symlink",
	   mode);
	if (fd >= 0)
		close(fd);
	er_clear(&err);

	snprintf(p, sizeof(p), "../../escape-%s/x", tag);
	fd = pathrs_mkdir_all(rootfd, p, 0755, &err);
	snprintf(q, sizeof(q), "root/escape-%s/x", tag);
	char outside[PATH_MAX];
	snprintf(outside, sizeof(outside), "escape-%s", tag);
	ok(fd_is_dir_inside(fd) && host_exists(q) && !host_exists(outside),
	   "%s: mkdir_all with leading .. creates inside", mode);
	if (fd >= 0)
		close(fd);
	er_clear(&err);

	fd = pathrs_mkdir_all(rootfd, "a/b/c/d", 0755, &err);
	ok(fd < 0 && err.errnum == ENOTDIR, "%s: mkdir_all under a file gives ENOTDIR", mode);
	er_clear(&err);

	fd = pathrs_mkdir_all(rootfd, "loop1/x", 0755, &err);
	ok(fd < 0 && err.errnum == ELOOP, "%s: mkdir_all through a loop gives ELOOP", mode);
	er_clear(&err);

	fd = pathrs_mkdir_all(rootfd, "a/b", 0755, &err);
	ok(fd_is_dir_inside(fd), "%s: mkdir_all of an existing directory", mode);
	if (fd >= 0)
		close(fd);
	er_clear(&err);

	snprintf(p, sizeof(p), "abs/file-%s", tag);
	fd = pathrs_create_file(rootfd, p, 0644, &err);
	snprintf(q, sizeof(q), "root/etc/file-%s", tag);
	struct stat st;
	ok(fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && inside(fd) && host_exists(q),
	   "%s: create_file through an absolute symlink", mode);
	if (fd >= 0)
		close(fd);
	er_clear(&err);

	fd = pathrs_create_file(rootfd, "a/b/c", 0644, &err);
	ok(fd >= 0 && inside(fd), "%s: create_file of an existing file", mode);
	if (fd >= 0)
		close(fd);
	er_clear(&err);
}

int main(void)
{
	build_tree();

	pathrs_force_fallback = false;
	check_open("openat2");
	check_create("openat2", "o2");
	pathrs_force_fallback = true;
	check_open("walk");
	check_create("walk", "walk");

	/* Dangling symlinks: the missing target is created inside the tree. */
	pathrs_force_fallback = false;
	struct er_error err = ER_ERROR_INIT;
	int fd = pathrs_mkdir_all(rootfd, "dangling/x", 0755, &err);
	ok(fd_is_dir_inside(fd) && host_exists("root/nonexist/dir/x") &&
		   access("/nonexist", F_OK) < 0,
	   "mkdir_all through a dangling absolute symlink creates its target inside");
	if (fd >= 0)
		close(fd);
	er_clear(&err);
	fd = pathrs_create_file(rootfd, "dangling_file", 0644, &err);
	ok(fd >= 0 && inside(fd) && host_exists("root/made/by/link") && access("/made", F_OK) < 0,
	   "create_file on a dangling symlink creates its target inside: %s",
	   err.msg ? err.msg : "ok");
	if (fd >= 0)
		close(fd);
	er_clear(&err);
	fd = pathrs_create_file(rootfd, "escape_create", 0644, &err);
	ok(fd >= 0 && inside(fd) && host_exists("root/outside/newfile") &&
		   !host_exists("outside/newfile"),
	   "create_file through an escaping relative symlink stays inside");
	if (fd >= 0)
		close(fd);
	er_clear(&err);

	/* The same with the walk. */
	pathrs_force_fallback = true;
	fd = pathrs_mkdir_all(rootfd, "/dangling/y", 0755, &err);
	ok(fd_is_dir_inside(fd) && host_exists("root/nonexist/dir/y"),
	   "walk: mkdir_all through a dangling symlink");
	if (fd >= 0)
		close(fd);
	er_clear(&err);

	close(rootfd);
	/* remove the scratch tree */
	pid_t pid = fork();
	if (pid == 0) {
		execlp("rm", "rm", "-rf", base, (char *)NULL);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	return done_testing();
}
