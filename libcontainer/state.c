/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's state directory ROOT/ID: creation, locking, state.json, liveness of the
 * init process, pid files, removal.
 *
 * Commands on one container serialise on flock(ROOT/ID). state.json is replaced atomically
 * (temp file + rename) so readers that do not lock (list) always see a whole file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/internal.h"

#define STATE_TMP_FILE ".state.json.tmp"

/* Sets a message without the strerror suffix but keeps errnum for callers to test. */
__attribute__((format(printf, 3, 4))) static int set_plain(struct er_error *err, int errnum,
							   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	er_setv(err, 0, fmt, ap);
	va_end(ap);
	if (err)
		err->errnum = errnum;
	return -1;
}

int state_lock(int dirfd, struct er_error *err)
{
	while (flock(dirfd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return er_set(err, errno, "lock container state directory");
	}
	return 0;
}

void state_unlock(int dirfd)
{
	if (dirfd >= 0)
		(void)flock(dirfd, LOCK_UN);
}

static int open_locked(const char *path, struct er_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return er_set(err, errno, "open `%s`", path);
	if (state_lock(fd, err) < 0)
		return -1;
	return TAKE_FD(fd);
}

int state_dir_create(const char *root, const char *id, struct er_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", root, id);

	if (mkdir_p(root, 0700, err) < 0)
		return er_prefix(err, "create state root");
	if (mkdir(dir, 0711) < 0) {
		if (errno == EEXIST)
			return set_plain(err, EEXIST, "container with id exists: %s", id);
		return er_set(err, errno, "mkdir `%s`", dir);
	}
	er_debug("created state directory %s", dir);
	return open_locked(dir, err);
}

int state_dir_open(const char *root, const char *id, struct er_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", root, id);
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat sb;

	if (fd < 0 && errno == ENOENT)
		return set_plain(err, ENOENT, "container `%s` does not exist", id);
	if (fd < 0)
		return er_set(err, errno, "open `%s`", dir);
	if (state_lock(fd, err) < 0)
		return -1;
	/* a creation in progress (no state.json yet) or a delete that won the lock */
	if (fstatat(fd, ER_STATE_FILE, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return set_plain(err, ENOENT, "container `%s` does not exist", id);
		return er_set(err, errno, "stat `%s/%s`", dir, ER_STATE_FILE);
	}
	return TAKE_FD(fd);
}

/* Removes the contents of dirfd, recursing into directories. */
static int remove_contents(int dirfd, struct er_error *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = dup(dirfd);
	struct dirent *de;

	if (fd < 0)
		return er_set(err, errno, "dup");
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return er_set(err, errno, "opendir");
	}
	rewinddir(d);
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == 0)
			continue;
		if (errno == EISDIR) {
			_cleanup_close_ int sub = openat(
				dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0)
				return er_set(err, errno, "open `%s`", de->d_name);
			if (remove_contents(sub, err) < 0)
				return -1;
			if (unlinkat(dirfd, de->d_name, AT_REMOVEDIR) == 0)
				continue;
		}
		if (errno != ENOENT)
			return er_set(err, errno, "remove `%s`", de->d_name);
	}
	if (errno)
		return er_set(err, errno, "readdir");
	return 0;
}

int state_dir_remove(int dirfd, const char *dir_path, struct er_error *err)
{
	if (remove_contents(dirfd, err) < 0)
		return er_prefix(err, "remove `%s`", dir_path);
	if (rmdir(dir_path) < 0 && errno != ENOENT)
		return er_set(err, errno, "remove `%s`", dir_path);
	er_debug("removed state directory %s", dir_path);
	return 0;
}

int state_dir_remove_stale(const char *root, const char *id, struct er_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", root, id);
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat sb;

	if (fd < 0)
		return errno == ENOENT ? 0 : er_set(err, errno, "open `%s`", dir);
	/* a create in progress holds the lock; leave its directory alone */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return 0;
	if (fstatat(fd, ER_STATE_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	er_debug("removing %s: it has no %s (interrupted create)", dir, ER_STATE_FILE);
	return state_dir_remove(fd, dir, err);
}

int state_read(int dirfd, struct er_state *st, struct er_error *err)
{
	_cleanup_free_ char *json = read_file_at(dirfd, ER_STATE_FILE, NULL, err);

	if (!json)
		return -1;
	if (state_from_file_json(json, st, err) < 0)
		return er_prefix(err, "parse `%s`", ER_STATE_FILE);
	return 0;
}

int state_write(int dirfd, const struct er_state *st, struct er_error *err)
{
	_cleanup_free_ char *json = state_to_file_json(st);

	size_t len = strlen(json);

	if (write_file_at(dirfd, STATE_TMP_FILE, O_CREAT | O_TRUNC, 0600, json, len, err) < 0)
		return er_prefix(err, "save state");
	if (renameat(dirfd, STATE_TMP_FILE, dirfd, ER_STATE_FILE) < 0) {
		er_set(err, errno, "save state: rename `%s`", STATE_TMP_FILE);
		(void)unlinkat(dirfd, STATE_TMP_FILE, 0);
		return -1;
	}
	return 0;
}

int state_init_pidfd(const struct er_state *st)
{
	struct pollfd pfd;
	int fd;

	if (st->pid <= 0)
		return -1;
	fd = pidfd_open(st->pid, 0);
	if (fd < 0)
		return -1;
	/* The pidfd pins the process: it is init if its start time is the one saved, and it
	 * has not exited if the pidfd is not readable (a zombie's is). */
	pfd = (struct pollfd){.fd = fd, .events = POLLIN};
	if (proc_start_time(st->pid) != st->start_time || poll(&pfd, 1, 0) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void state_refresh(int dirfd, struct er_state *st)
{
	struct stat sb;

	/* A look, not a hold (state, list): /proc/PID/stat alone tells whether init lives (no
	 * pidfd to open and poll for each container): the saved start time, and not a zombie
	 * or dead. */
	if (st->status == ST_STOPPED || !proc_alive(st->pid, st->start_time)) {
		st->status = ST_STOPPED;
		st->pid = 0;
		return;
	}
	/* Seam for the cgroups issue: a frozen cgroup makes a running container ST_PAUSED. */
	if (fstatat(dirfd, ER_EXEC_FIFO, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		st->status = ST_CREATED;
	else
		st->status = ST_RUNNING;
}

int state_write_pid_file(const char *path, pid_t pid, struct er_error *err)
{
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *tmp = NULL;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	if (!slash)
		return er_set(err, EINVAL, "pid file `%s`: not an absolute path", path);
	tmp = xasprintf("%.*s/.%s", (int)(slash - path), path, slash + 1);
	if (write_file_at(AT_FDCWD, tmp, O_CREAT | O_TRUNC, 0644, buf, (size_t)n, err) < 0)
		return er_prefix(err, "write pid file");
	if (rename(tmp, path) < 0) {
		er_set(err, errno, "write pid file: rename `%s` to `%s`", tmp, path);
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}
