/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mounts inside the container rootfs.
 *
 * The destination is always resolved first (pathrs, inside the rootfs) into an O_PATH fd,
 * and the mount is attached to exactly that fd, so a symlink swapped into the image
 * cannot redirect it. With the new mount API the mount is built detached (open_tree for
 * binds, fsopen/fsconfig/fsmount for filesystems), given its attributes with
 * mount_setattr, attached with move_mount, and its propagation set last. Without it
 * (ENOSYS) mount(2) is called on /proc/self/fd/N, which must then be a real procfs.
 *
 * Attribute semantics are mount_setattr's in both paths: a bind mount keeps its source's
 * flags except those the options set or clear explicitly ("ro", "rw", "nosuid", "suid"...).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/internal.h"
#include "libcontainer/rootfs_internal.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define PROPAGATION_FLAGS (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)
#define COPYUP_MAX_DEPTH 64

bool mnt_force_legacy;

/* ---- flags ---- */

static const struct {
	unsigned long ms;
	uint64_t attr;
} attr_map[] = {
	{MS_RDONLY, MOUNT_ATTR_RDONLY},		{MS_NOSUID, MOUNT_ATTR_NOSUID},
	{MS_NODEV, MOUNT_ATTR_NODEV},		{MS_NOEXEC, MOUNT_ATTR_NOEXEC},
	{MS_NODIRATIME, MOUNT_ATTR_NODIRATIME},
};

void mnt_flags_to_attr(unsigned long flags, unsigned long clear_flags, uint64_t *set, uint64_t *clr)
{
	*set = 0;
	*clr = 0;
	for (size_t i = 0; i < ARRAY_SIZE(attr_map); i++) {
		if (flags & attr_map[i].ms)
			*set |= attr_map[i].attr;
		else if (clear_flags & attr_map[i].ms)
			*clr |= attr_map[i].attr;
	}
	const unsigned long atime = MS_NOATIME | MS_STRICTATIME | MS_RELATIME;
	if (flags & MS_NOATIME)
		*set |= MOUNT_ATTR_NOATIME;
	else if (flags & MS_STRICTATIME)
		*set |= MOUNT_ATTR_STRICTATIME;
	if ((flags | clear_flags) & atime)
		*clr |= MOUNT_ATTR__ATIME; /* with nothing set: relatime */
}

/* MOUNT_ATTR_* -> MS_* for the remount fallback. */
static unsigned long attr_to_ms(uint64_t attr, bool atime_given)
{
	unsigned long ms = 0;
	for (size_t i = 0; i < ARRAY_SIZE(attr_map); i++)
		if (attr & attr_map[i].attr)
			ms |= attr_map[i].ms;
	if (atime_given) {
		uint64_t a = attr & MOUNT_ATTR__ATIME;
		ms |= a == MOUNT_ATTR_NOATIME	    ? MS_NOATIME
		      : a == MOUNT_ATTR_STRICTATIME ? MS_STRICTATIME
						    : MS_RELATIME;
	}
	return ms;
}

/* ---- the /proc/self/fd fallback ---- */

static int proc_fd_path(int fd, char *buf, size_t len, struct er_error *err)
{
	struct statfs sfs;
	if (statfs("/proc", &sfs) < 0)
		return er_set(err, errno, "statfs `/proc`");
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return er_set(err, 0, "`/proc` is not a procfs mount: cannot mount through it");
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return 0;
}

static int legacy_remount(int fd, bool recursive, uint64_t set, uint64_t clr, struct er_error *err)
{
	char path[64];
	struct statvfs sv;

	if (recursive)
		return er_set(err, ENOSYS, "recursive mount attributes need mount_setattr");
	if (fstatvfs(fd, &sv) < 0)
		return er_set(err, errno, "statvfs");
	const unsigned long keep = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME |
				   MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;
	unsigned long cur = sv.f_flag & keep;
	bool atime = clr & MOUNT_ATTR__ATIME;
	if (atime)
		cur &= ~(MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
	unsigned long flags =
		(cur | attr_to_ms(set, atime)) & ~attr_to_ms(clr & ~MOUNT_ATTR__ATIME, false);
	if (proc_fd_path(fd, path, sizeof(path), err) < 0)
		return -1;
	if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
		return er_set(err, errno, "remount");
	return 0;
}

int mnt_setattr(int fd, bool recursive, uint64_t set, uint64_t clr, struct er_error *err)
{
	if (!set && !clr)
		return 0;
	if (!mnt_force_legacy) {
		struct mount_attr attr = {.attr_set = set, .attr_clr = clr};
		unsigned int flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
		if (mount_setattr(fd, "", flags, &attr, sizeof(attr)) == 0)
			return 0;
		if (errno != ENOSYS)
			return er_set(err, errno, "mount_setattr");
	}
	return legacy_remount(fd, recursive, set, clr, err);
}

static int set_propagation(int fd, unsigned long prop, struct er_error *err)
{
	static const unsigned long kinds[] = {MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE};
	bool rec = prop & MS_REC;

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!(prop & kinds[i]))
			continue;
		if (!mnt_force_legacy) {
			struct mount_attr attr = {.propagation = kinds[i]};
			unsigned int fl = AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0);
			if (mount_setattr(fd, "", fl, &attr, sizeof(attr)) == 0)
				continue;
			if (errno != ENOSYS)
				return er_set(err, errno, "set mount propagation");
		}
		char path[64];
		if (proc_fd_path(fd, path, sizeof(path), err) < 0)
			return -1;
		if (mount(NULL, path, NULL, kinds[i] | (rec ? MS_REC : 0), NULL) < 0)
			return er_set(err, errno, "set mount propagation");
	}
	return 0;
}

/* ---- new mount API ---- */

/* Appends the filesystem's own message (read from the fs context) if it left one. */
static int fs_error(int fsfd, int errnum, const char *what, struct er_error *err)
{
	char log[256];
	ssize_t n = read(fsfd, log, sizeof(log) - 1);
	if (n > 2 && log[1] == ' ') {
		while (n > 0 && log[n - 1] == '\n')
			n--;
		log[n] = '\0';
		return er_set(err, errnum, "%s (%s)", what, log + 2);
	}
	return er_set(err, errnum, "%s", what);
}

static int fs_config_data(int fsfd, const char *data, struct er_error *err)
{
	if (!data || !*data)
		return 0;
	_cleanup_free_ char *copy = xstrdup(data);
	char *save = NULL;
	for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(opt, '=');
		int r;
		if (eq) {
			*eq = '\0';
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
		} else {
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
		if (r < 0) {
			int e = errno;
			_cleanup_free_ char *what =
				xasprintf("option `%s%s%s`", opt, eq ? "=" : "", eq ? eq + 1 : "");
			return fs_error(fsfd, e, what, err);
		}
	}
	return 0;
}

/* fsopen + fsconfig + fsmount; returns the detached mount, or -1 with errno ENOSYS
 * (err untouched) when the kernel lacks the API. */
static int fs_create(const struct mnt_req *r, uint64_t attr, struct er_error *err)
{
	static const struct {
		unsigned long ms;
		const char *name;
	} sb_flags[] = {
		{MS_RDONLY, "ro"},
		{MS_SYNCHRONOUS, "sync"},
		{MS_DIRSYNC, "dirsync"},
		{MS_LAZYTIME, "lazytime"},
	};
	_cleanup_close_ int fsfd = fsopen(r->fstype, FSOPEN_CLOEXEC);
	if (fsfd < 0) {
		if (errno == ENOSYS)
			return -1;
		if (errno == ENODEV)
			return er_set(err, 0, "unknown filesystem type `%s`", r->fstype);
		return er_set(err, errno, "fsopen `%s`", r->fstype);
	}
	if (r->source && *r->source &&
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "source", r->source, 0) < 0)
		return fs_error(fsfd, errno, "source", err);
	for (size_t i = 0; i < ARRAY_SIZE(sb_flags); i++) {
		if ((r->flags & sb_flags[i].ms) &&
		    fsconfig(fsfd, FSCONFIG_SET_FLAG, sb_flags[i].name, NULL, 0) < 0)
			return fs_error(fsfd, errno, sb_flags[i].name, err);
	}
	if (fs_config_data(fsfd, r->data, err) < 0)
		return -1;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fs_error(fsfd, errno, "create superblock", err);
	int mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)attr);
	if (mntfd < 0)
		return fs_error(fsfd, errno, "fsmount", err);
	return mntfd;
}

static int bind_clone(const struct mnt_req *r, struct er_error *err)
{
	unsigned int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	if (r->recursive)
		flags |= AT_RECURSIVE;
	if (!*r->source)
		flags |= AT_EMPTY_PATH;
	int fd = open_tree(r->src_dirfd, r->source, flags);
	if (fd < 0 && errno != ENOSYS)
		return er_set(err, errno, "open bind source `%s`", r->source);
	return fd;
}

static int mnt_make_new(const struct mnt_req *r, int dstfd, struct er_error *err)
{
	uint64_t set, clr;
	mnt_flags_to_attr(r->flags, r->clear_flags, &set, &clr);

	_cleanup_close_ int mntfd = -1;
	if (r->premade) {
		/* Cloned and given its attributes on the runtime side. */
		mntfd = fcntl(r->premade_fd, F_DUPFD_CLOEXEC, 3);
		if (mntfd < 0)
			return er_set(err, errno, "dup mount fd");
	} else {
		mntfd = r->fstype ? fs_create(r, set, err) : bind_clone(r, err);
		if (mntfd < 0)
			return -1;
		if (!r->fstype && mnt_setattr(mntfd, false, set, clr, err) < 0)
			return -1;
		if (mnt_setattr(mntfd, true, r->rec_set, r->rec_clr, err) < 0)
			return er_prefix(err, "recursive attributes");
	}
	if (move_mount(mntfd, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return er_set(err, errno, "move_mount");
	if (set_propagation(mntfd, r->propagation, err) < 0)
		return -1;
	return TAKE_FD(mntfd);
}

/* ---- mount(2) fallback ---- */

static int mnt_make_legacy(const struct mnt_req *r, int rootfd, const char *dest, int dstfd,
			   struct er_error *err)
{
	char target[64], source[64];
	if (proc_fd_path(dstfd, target, sizeof(target), err) < 0)
		return -1;

	if (r->fstype) {
		unsigned long flags =
			r->flags & ~(PROPAGATION_FLAGS | MS_REC | MS_BIND | MS_REMOUNT);
		if (mount(r->source, target, r->fstype, flags, r->data) < 0)
			return er_set(err, errno, "mount `%s`", r->fstype);
	} else {
		_cleanup_close_ int srcfd =
			*r->source ? openat(r->src_dirfd, r->source, O_PATH | O_CLOEXEC)
				   : fcntl(r->src_dirfd, F_DUPFD_CLOEXEC, 3);
		if (srcfd < 0)
			return er_set(err, errno, "open bind source `%s`", r->source);
		if (proc_fd_path(srcfd, source, sizeof(source), err) < 0)
			return -1;
		if (mount(source, target, NULL, MS_BIND | (r->recursive ? MS_REC : 0), NULL) < 0)
			return er_set(err, errno, "bind mount `%s`", r->source);
	}
	/* The old fd names the covered directory: re-resolve to reach the new mount. */
	_cleanup_close_ int fd = pathrs_open(rootfd, dest, O_PATH, 0, err);
	if (fd < 0)
		return -1;
	if (!r->fstype) {
		uint64_t set, clr;
		mnt_flags_to_attr(r->flags, r->clear_flags, &set, &clr);
		if (mnt_setattr(fd, false, set, clr, err) < 0)
			return -1;
	}
	if (mnt_setattr(fd, true, r->rec_set, r->rec_clr, err) < 0)
		return er_prefix(err, "recursive attributes");
	if (set_propagation(fd, r->propagation, err) < 0)
		return -1;
	return TAKE_FD(fd);
}

int mnt_make(const struct mnt_req *r, int rootfd, const char *dest, int dstfd, struct er_error *err)
{
	if (!mnt_force_legacy || r->premade) {
		int fd = mnt_make_new(r, dstfd, err);
		if (fd >= 0 || err->msg)
			return fd;
		/* ENOSYS from open_tree/fsopen without an error set: old kernel. */
	}
	return mnt_make_legacy(r, rootfd, dest, dstfd, err);
}

/* ---- /proc/self/mountinfo ---- */

/* Undoes the octal escapes (\040 = space) of mountinfo fields, in place. */
static void unescape(char *s)
{
	char *w = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '7' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*w++ = (char)(((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
			p += 3;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
}

static int mountinfo_parse(char *line, struct mountinfo_entry *e)
{
	char *f[6], *save = NULL, *p = line;
	/* id parent major:minor root mountpoint options [optional...] - fstype source super */
	for (int i = 0; i < 6; i++) {
		f[i] = strtok_r(p, " ", &save);
		p = NULL;
		if (!f[i])
			return -1;
	}
	char *rest = save;
	char *sep = strstr(rest ? rest : "", "- ");
	if (!rest || !sep)
		return -1;
	if (sep == rest) {
		e->optional = "";
	} else {
		sep[-1] = '\0';
		e->optional = rest;
	}
	save = NULL;
	char *fstype = strtok_r(sep + 2, " ", &save);
	char *source = strtok_r(NULL, " ", &save);
	char *super = strtok_r(NULL, " \n", &save);
	if (!fstype || !source)
		return -1;
	unescape(f[3]);
	unescape(f[4]);
	unescape(source);
	e->root = f[3];
	e->mountpoint = f[4];
	e->options = f[5];
	e->fstype = fstype;
	e->source = source;
	e->super_options = super ? super : "";
	return 0;
}

int mountinfo_foreach(int (*fn)(const struct mountinfo_entry *e, void *data), void *data,
		      struct er_error *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return er_set(err, errno, "open `/proc/self/mountinfo`");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		struct mountinfo_entry e;
		line[strcspn(line, "\n")] = '\0';
		if (mountinfo_parse(line, &e) < 0)
			continue;
		int r = fn(&e, data);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	return 0;
}

/* ---- spec mounts ---- */

bool mount_is_bind(const struct spec_mount *m)
{
	return (m->flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
}

bool mount_delays_rdonly(const struct spec_mount *m)
{
	return (m->type && strcmp(m->type, "tmpfs") == 0 && !mount_is_bind(m)) ||
	       rootfs_path_is(m->destination, "/dev");
}

static bool type_is(const struct spec_mount *m, const char *t)
{
	return m->type && strcmp(m->type, t) == 0;
}

/* The destination's path relative to the rootfs, as the kernel resolved it. */
static char *resolved_dest(const struct mount_ctx *ctx, int dstfd, const char *dest)
{
	char link[64], host[PATH_MAX + 1], root[PATH_MAX + 1];
	ssize_t n, rn;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", dstfd);
	n = readlink(link, host, sizeof(host) - 1);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", ctx->rootfd);
	rn = readlink(link, root, sizeof(root) - 1);
	if (n < 0 || rn < 0 || n >= PATH_MAX || rn >= PATH_MAX)
		return rootfs_clean_path(dest);
	host[n] = '\0';
	root[rn] = '\0';
	if (strcmp(root, "/") == 0)
		return xstrdup(host);
	size_t rl = strlen(root);
	if (strncmp(host, root, rl) != 0 || (host[rl] != '/' && host[rl] != '\0'))
		return rootfs_clean_path(dest);
	return xstrdup(host[rl] ? host + rl : "/");
}

/* No mount may land on or inside /proc (where the kernel's protections live), except
 * procfs itself on /proc and the files lxcfs emulates. */
static int check_proc_dest(const struct mount_ctx *ctx, int dstfd, const char *dest,
			   bool source_is_proc, struct er_error *err)
{
	static const char *const allowed[] = {
		"/proc/cpuinfo", "/proc/diskstats",
		"/proc/meminfo", "/proc/stat",
		"/proc/swaps",	 "/proc/uptime",
		"/proc/loadavg", "/proc/slabinfo",
		"/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
	};
	_cleanup_free_ char *rel = resolved_dest(ctx, dstfd, dest);

	if (strcmp(rel, "/proc") == 0) {
		if (source_is_proc)
			return 0;
		return er_set(err, 0, "`%s` cannot be mounted because it is not of type proc", rel);
	}
	if (!str_has_prefix(rel, "/proc/"))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		if (strcmp(rel, allowed[i]) == 0)
			return 0;
	return er_set(err, 0, "`%s` cannot be mounted because it is inside /proc", rel);
}

/* proc and sysfs go on an ordinary directory: never through a symlink of the image. */
static int open_special_dest(const struct mount_ctx *ctx, const struct spec_mount *m,
			     const char *dest, struct er_error *err)
{
	/* dest is clean and absolute: "/proc", "/a/sys" */
	const char *base = strrchr(dest, '/') + 1;
	if (!*base)
		return er_set(err, 0, "filesystem `%s` cannot be mounted on `/`", m->type);
	_cleanup_free_ char *parent =
		base - 1 == dest ? xstrdup("/") : xstrndup(dest, (size_t)(base - 1 - dest));
	_cleanup_close_ int pfd = pathrs_mkdir_all(ctx->rootfd, parent, 0755, err);
	if (pfd < 0)
		return -1;
	struct stat st;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
		return er_set(err, 0,
			      "filesystem `%s` must be mounted on an ordinary directory: "
			      "`%s` is %s in the rootfs",
			      m->type, dest, S_ISLNK(st.st_mode) ? "a symlink" : "not a directory");
	return pathrs_mkdir_all(ctx->rootfd, dest, 0755, err);
}

static void req_from_spec(struct mnt_req *r, const struct spec_mount *m)
{
	*r = (struct mnt_req){
		.fstype = NULL,
		.source = m->source,
		.src_dirfd = AT_FDCWD,
		.data = m->data,
		.recursive = m->flags & MS_REC,
		.flags = m->flags & ~(PROPAGATION_FLAGS | MS_REC | MS_BIND | MS_REMOUNT),
		.clear_flags = m->clear_flags,
		.rec_set = m->rec_attr_set,
		.rec_clr = m->rec_attr_clr,
		.propagation = m->propagation,
	};
	if (mount_delays_rdonly(m))
		r->flags &= ~MS_RDONLY;
}

static char *bind_source(const struct spec_mount *m, const char *bundle)
{
	return m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
}

int mount_open_source(const struct spec_mount *m, const char *bundle, int *fd, struct er_error *err)
{
	*fd = -1;
	if (!mount_is_bind(m) || !m->source || !*m->source || mnt_force_legacy)
		return 0; /* nothing to do here; the init reports what is wrong */
	_cleanup_free_ char *src = bind_source(m, bundle);
	struct mnt_req r;
	req_from_spec(&r, m);
	r.source = src;
	_cleanup_close_ int mntfd = bind_clone(&r, err);
	if (mntfd < 0)
		return err->msg ? er_prefix(err, "mount `%s` on `%s`", src, m->destination) : 0;
	uint64_t set, clr;
	mnt_flags_to_attr(r.flags, r.clear_flags, &set, &clr);
	if (mnt_setattr(mntfd, false, set, clr, err) < 0 ||
	    mnt_setattr(mntfd, true, r.rec_set, r.rec_clr, err) < 0)
		return er_prefix(err, "mount `%s` on `%s`", src, m->destination);
	*fd = TAKE_FD(mntfd);
	return 0;
}

static int mount_bind_entry(const struct mount_ctx *ctx, const struct spec_mount *m,
			    const char *dest, int premade_fd, struct er_error *err)
{
	if (!m->source || !*m->source)
		return er_set(err, 0, "bind mount without a source");
	_cleanup_free_ char *src = bind_source(m, ctx->bundle);
	struct stat st;
	struct statfs sfs;
	if (premade_fd >= 0 ? fstat(premade_fd, &st) < 0 : stat(src, &st) < 0)
		return er_set(err, errno, "bind source `%s`", src);
	_cleanup_close_ int dstfd = S_ISDIR(st.st_mode)
					    ? pathrs_mkdir_all(ctx->rootfd, dest, 0755, err)
					    : pathrs_create_file(ctx->rootfd, dest, 0755, err);
	if (dstfd < 0)
		return -1;
	int r_fs = premade_fd >= 0 ? fstatfs(premade_fd, &sfs) : statfs(src, &sfs);
	if (check_proc_dest(ctx, dstfd, dest, r_fs == 0 && sfs.f_type == PROC_SUPER_MAGIC, err) < 0)
		return -1;

	struct mnt_req r;
	req_from_spec(&r, m);
	r.source = src;
	r.data = NULL;
	r.premade = premade_fd >= 0;
	r.premade_fd = premade_fd;
	_cleanup_close_ int fd = mnt_make(&r, ctx->rootfd, dest, dstfd, err);
	return fd < 0 ? -1 : 0;
}

/* ---- tmpcopyup: copy what the image had under a tmpfs destination into it ---- */

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st,
		     struct er_error *err)
{
	_cleanup_close_ int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return er_set(err, errno, "open `%s`", name);
	_cleanup_close_ int out =
		openat(ddir, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		       st->st_mode & 07777);
	if (out < 0)
		return er_set(err, errno, "create `%s`", name);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write_all(out, buf, (size_t)n) < 0)
			return er_set(err, errno, "write `%s`", name);
	if (n < 0)
		return er_set(err, errno, "read `%s`", name);
	if (fchown(out, st->st_uid, st->st_gid) < 0 || fchmod(out, st->st_mode & 07777) < 0)
		return er_set(err, errno, "set owner of `%s`", name);
	return 0;
}

static int copy_tree(int sdir, int ddir, int depth, struct er_error *err);

static int copy_entry(int sdir, int ddir, const char *name, int depth, struct er_error *err)
{
	struct stat st;
	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return er_set(err, errno, "stat `%s`", name);
	if (S_ISREG(st.st_mode))
		return copy_file(sdir, ddir, name, &st, err);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX + 1];
		ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return er_set(err, errno, "readlink `%s`", name);
		target[n] = '\0';
		if (symlinkat(target, ddir, name) < 0 && errno != EEXIST)
			return er_set(err, errno, "symlink `%s`", name);
	} else if (S_ISDIR(st.st_mode)) {
		if (mkdirat(ddir, name, st.st_mode & 07777) < 0 && errno != EEXIST)
			return er_set(err, errno, "mkdir `%s`", name);
		_cleanup_close_ int s =
			openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int d =
			openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return er_set(err, errno, "open directory `%s`", name);
		if (copy_tree(s, d, depth + 1, err) < 0)
			return er_prefix(err, "%s", name);
		if (fchmod(d, st.st_mode & 07777) < 0)
			return er_set(err, errno, "chmod `%s`", name);
	} else if (mknodat(ddir, name, st.st_mode, st.st_rdev) < 0 && errno != EEXIST) {
		return er_set(err, errno, "mknod `%s`", name);
	}
	if (fchownat(ddir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return er_set(err, errno, "set owner of `%s`", name);
	return 0;
}

static int copy_tree(int sdir, int ddir, int depth, struct er_error *err)
{
	if (depth > COPYUP_MAX_DEPTH)
		return er_set(err, ELOOP, "tmpcopyup");
	int dfd = openat(sdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return er_set(err, errno, "open directory");
	_cleanup_closedir_ DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return er_set(err, errno, "open directory");
	}
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (copy_entry(sdir, ddir, de->d_name, depth, err) < 0)
			return -1;
	}
	if (errno)
		return er_set(err, errno, "read directory");
	return 0;
}

static int mount_fs_entry(const struct mount_ctx *ctx, const struct spec_mount *m, const char *dest,
			  struct er_error *err)
{
	bool special = type_is(m, "proc") || type_is(m, "sysfs");
	struct er_error probe = ER_ERROR_INIT;
	_cleanup_close_ int existing = pathrs_open(ctx->rootfd, dest, O_PATH, 0, &probe);
	er_clear(&probe);
	struct stat st;
	bool existed = existing >= 0 && fstat(existing, &st) == 0 && S_ISDIR(st.st_mode);

	_cleanup_close_ int dstfd = special ? open_special_dest(ctx, m, dest, err)
					    : pathrs_mkdir_all(ctx->rootfd, dest, 0755, err);
	if (dstfd < 0)
		return -1;
	if (check_proc_dest(ctx, dstfd, dest, type_is(m, "proc"), err) < 0)
		return -1;

	struct mnt_req r;
	req_from_spec(&r, m);
	r.fstype = m->type ? m->type : "none";
	_cleanup_free_ char *data = NULL;
	if (type_is(m, "tmpfs") && existed) {
		/* Keep the mode of the directory the image had there. */
		data = m->data ? xasprintf("mode=%04o,%s", st.st_mode & 07777, m->data)
			       : xasprintf("mode=%04o", st.st_mode & 07777);
		r.data = data;
	}
	_cleanup_close_ int below = -1;
	if (m->tmpcopyup && existed)
		below = openat(dstfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	_cleanup_close_ int fd = mnt_make(&r, ctx->rootfd, dest, dstfd, err);
	if (fd < 0 && type_is(m, "sysfs") && ctx->in_userns &&
	    (err->errnum == EPERM || err->errnum == EBUSY)) {
		/* No sysfs of our own without a network namespace: bind the host's. */
		er_debug("sysfs mount refused (%s), binding the host's /sys", err->msg);
		er_clear(err);
		r.fstype = NULL;
		r.source = "/sys";
		r.data = NULL;
		r.recursive = true;
		if (m->flags & MS_RDONLY)
			r.rec_set |= MOUNT_ATTR_RDONLY;
		fd = mnt_make(&r, ctx->rootfd, dest, dstfd, err);
	}
	if (fd < 0)
		return -1;
	if (below >= 0) {
		_cleanup_close_ int top = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (top < 0)
			return er_set(err, errno, "tmpcopyup: open the new mount");
		if (copy_tree(below, top, 0, err) < 0)
			return er_prefix(err, "tmpcopyup");
	}
	return 0;
}

/* ---- cgroup: what runc does for a "cgroup" mount ---- */

struct cg_line {
	char *ctrls; /* "cpu,cpuacct", "name=systemd", "" (v2) */
	char *path;
};

struct cg_state {
	const char *root_path;
	struct cg_line *lines;
	size_t n_lines;
	struct cg_hier {
		char *mountpoint, *source_dir, *ctrls;
	} * hiers;
	size_t n_hiers;
};

static void cg_state_free(struct cg_state *s)
{
	for (size_t i = 0; i < s->n_lines; i++) {
		free(s->lines[i].ctrls);
		free(s->lines[i].path);
	}
	for (size_t i = 0; i < s->n_hiers; i++) {
		free(s->hiers[i].mountpoint);
		free(s->hiers[i].source_dir);
		free(s->hiers[i].ctrls);
	}
	free(s->lines);
	free(s->hiers);
}

static int read_self_cgroup(struct cg_state *s, struct er_error *err)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return er_set(err, errno, "open `/proc/self/cgroup`");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		s->lines = xrealloc(s->lines, (s->n_lines + 1) * sizeof(*s->lines));
		s->lines[s->n_lines].ctrls = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
		s->lines[s->n_lines].path = xstrdup(c2 + 1);
		s->n_lines++;
	}
	return 0;
}

static bool opts_have(const char *opts, const char *tok, size_t len)
{
	for (const char *p = opts; *p;) {
		size_t n = strcspn(p, ",");
		if (n == len && strncmp(p, tok, len) == 0)
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/* Does the v1 hierarchy with these super options carry all of the line's controllers? */
static bool cg_line_matches(const struct cg_line *l, const char *super)
{
	if (!*l->ctrls)
		return false;
	for (const char *p = l->ctrls; *p;) {
		size_t n = strcspn(p, ",");
		if (!opts_have(super, p, n))
			return false;
		p += n;
		if (*p == ',')
			p++;
	}
	return true;
}

/* PATH (from /proc/self/cgroup) relative to a cgroupfs mount whose root is ROOT (from
 * mountinfo): "" or "/sub". In a joined cgroup namespace both are relative to that
 * namespace's root and may start with "/.." (another container's cgroup): they are resolved
 * below a stand-in for the namespace root first. NULL if PATH is not below ROOT. */
static char *cg_rel_to_root(const char *path, const char *root)
{
	static const char base[] = "/ns/ns/ns/ns/ns/ns/ns/ns/ns/ns/ns/ns/ns/ns/ns/ns/ns/ns/ns/ns";
	_cleanup_free_ char *p0 = xasprintf("%s/%s", base, path);
	_cleanup_free_ char *r0 = xasprintf("%s/%s", base, root);
	_cleanup_free_ char *p = path_clean(p0), *r = path_clean(r0);
	size_t rl = strlen(r);

	if (strncmp(p, r, rl) != 0 || (p[rl] != '/' && p[rl] != '\0'))
		return NULL;
	return xstrdup(p + rl);
}

static int cg_collect(const struct mountinfo_entry *e, void *data)
{
	struct cg_state *s = data;
	size_t rl = strlen(s->root_path);
	if (strcmp(e->fstype, "cgroup") != 0)
		return 0;
	if (strncmp(e->mountpoint, s->root_path, rl) == 0 &&
	    (e->mountpoint[rl] == '/' || e->mountpoint[rl] == '\0'))
		return 0; /* one of ours, inside the rootfs */
	for (size_t i = 0; i < s->n_lines; i++) {
		const struct cg_line *l = &s->lines[i];
		if (!cg_line_matches(l, e->super_options))
			continue;
		_cleanup_free_ char *rel = cg_rel_to_root(l->path, e->root);
		if (!rel)
			continue; /* our cgroup is not below this mount's root */
		s->hiers = xrealloc(s->hiers, (s->n_hiers + 1) * sizeof(*s->hiers));
		s->hiers[s->n_hiers].mountpoint = xstrdup(e->mountpoint);
		s->hiers[s->n_hiers].source_dir = xasprintf("%s%s", e->mountpoint, rel);
		s->hiers[s->n_hiers].ctrls = xstrdup(l->ctrls);
		s->n_hiers++;
		break;
	}
	return 0;
}

static int cgroup_v2(const struct mount_ctx *ctx, const struct spec_mount *m, const char *dest,
		     const struct cg_state *s, struct er_error *err)
{
	struct mnt_req r;
	req_from_spec(&r, m);
	_cleanup_free_ char *src = NULL;
	if (ctx->in_cgroupns) {
		r.fstype = "cgroup2";
		r.source = "cgroup2";
		r.data = NULL;
	} else {
		const char *path = "/";
		for (size_t i = 0; i < s->n_lines; i++)
			if (!*s->lines[i].ctrls)
				path = s->lines[i].path;
		src = xasprintf("/sys/fs/cgroup%s", strcmp(path, "/") == 0 ? "" : path);
		r.source = src;
		r.data = NULL;
		r.recursive = true;
	}
	_cleanup_close_ int dstfd = pathrs_mkdir_all(ctx->rootfd, dest, 0755, err);
	if (dstfd < 0)
		return -1;
	_cleanup_close_ int fd = mnt_make(&r, ctx->rootfd, dest, dstfd, err);
	return fd < 0 ? -1 : 0;
}

static int cgroup_v1_one(const struct mount_ctx *ctx, const struct spec_mount *m, const char *dest,
			 int tmpfd, const struct cg_hier *h, bool own_ns, struct er_error *err)
{
	const char *sub = strrchr(h->mountpoint, '/') + 1;
	_cleanup_free_ char *subdest = xasprintf("%s/%s", dest, sub);
	if (mkdirat(tmpfd, sub, 0755) < 0 && errno != EEXIST)
		return er_set(err, errno, "mkdir `%s`", subdest);
	_cleanup_close_ int subfd =
		openat(tmpfd, sub, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (subfd < 0)
		return er_set(err, errno, "open `%s`", subdest);

	struct mnt_req r;
	req_from_spec(&r, m);
	r.data = NULL;
	if (own_ns) {
		r.fstype = "cgroup";
		r.source = "cgroup";
		r.data = h->ctrls;
		r.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (m->flags & MS_RDONLY);
		r.clear_flags = 0;
	} else {
		r.source = h->source_dir;
		r.recursive = true;
	}
	_cleanup_close_ int fd = mnt_make(&r, ctx->rootfd, subdest, subfd, err);
	if (fd < 0)
		return er_prefix(err, "cgroup `%s`", sub);
	/* A co-mounted hierarchy ("cpu,cpuacct") gets a link per controller. */
	if (strchr(sub, ',')) {
		_cleanup_free_ char *names = xstrdup(sub);
		char *save = NULL;
		for (char *c = strtok_r(names, ",", &save); c; c = strtok_r(NULL, ",", &save))
			if (symlinkat(sub, tmpfd, c) < 0 && errno != EEXIST)
				return er_set(err, errno, "symlink `%s/%s`", dest, c);
	}
	return 0;
}

static int cgroup_v1(const struct mount_ctx *ctx, const struct spec_mount *m, const char *dest,
		     struct cg_state *s, struct er_error *err)
{
	if (mountinfo_foreach(cg_collect, s, err) < 0)
		return -1;
	struct mnt_req r = {
		.fstype = "tmpfs",
		.source = "tmpfs",
		.data = "mode=755",
		.flags = MS_NOSUID | MS_NODEV | MS_NOEXEC,
		.propagation = m->propagation,
	};
	_cleanup_close_ int dstfd = pathrs_mkdir_all(ctx->rootfd, dest, 0755, err);
	if (dstfd < 0)
		return -1;
	_cleanup_close_ int tmpfd = mnt_make(&r, ctx->rootfd, dest, dstfd, err);
	if (tmpfd < 0)
		return -1;
	bool own_ns = ctx->in_cgroupns;
	for (size_t i = 0; i < s->n_hiers; i++)
		if (cgroup_v1_one(ctx, m, dest, tmpfd, &s->hiers[i], own_ns, err) < 0)
			return -1;
	if (m->flags & MS_RDONLY)
		return mnt_setattr(tmpfd, false, MOUNT_ATTR_RDONLY, 0, err);
	return 0;
}

static int mount_cgroup_entry(const struct mount_ctx *ctx, const struct spec_mount *m,
			      const char *dest, struct er_error *err)
{
	struct cg_state s = {.root_path = ctx->root_path};
	struct statfs sfs;
	int ret = read_self_cgroup(&s, err);
	if (ret == 0) {
		if (statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
			ret = cgroup_v2(ctx, m, dest, &s, err);
		else
			ret = cgroup_v1(ctx, m, dest, &s, err);
	}
	cg_state_free(&s);
	return ret;
}

int mount_spec_entry(const struct mount_ctx *ctx, const struct spec_mount *m, int premade_fd,
		     struct er_error *err)
{
	if (!m->destination || m->destination[0] != '/')
		return er_set(err, 0, "mount destination `%s` is not absolute",
			      m->destination ? m->destination : "");
	if (m->idmap || m->ridmap)
		return er_set(err, EOPNOTSUPP, "idmapped mounts");
	_cleanup_free_ char *dest = rootfs_clean_path(m->destination);
	if (mount_is_bind(m))
		return mount_bind_entry(ctx, m, dest, premade_fd, err);
	if (type_is(m, "cgroup"))
		return mount_cgroup_entry(ctx, m, dest, err);
	return mount_fs_entry(ctx, m, dest, err);
}
