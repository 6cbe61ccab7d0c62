/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verified-digest cache of signed bundles: ROOT/.digests/<sha256 of the rootfs path>,
 * one file per rootfs, mapping a file's stat key (device, inode, size, mtime, ctime, all in
 * nanoseconds) to the SHA-256 of its content as this program computed it. An unchanged
 * bundle then re-verifies with a stat walk. The cache holds what was read, never what a
 * manifest claims, so it is independent of any signature.
 *
 * Any write to a file changes its ctime, which no unprivileged user can set back; the cache
 * is only trusted when the directory (0700) and the file (0600) belong to the effective
 * user and nobody else can write them. File layout (native byte order, local only):
 *   header  { "ERDGST01", u32 count, u32 record size }
 *   records { u64 dev, ino, size; i64 mtime_s, ctime_s; u32 mtime_ns, ctime_ns; sha256;
 *             u32 caps length; security.capability[28] } (setxattr changes ctime too)
 *           sorted by (dev, ino)
 *   trailer SHA-256 of header + records (a damaged file is ignored)
 * Files are written to a temp file and renamed; at most CACHE_MAX_FILES rootfs are kept.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "edge/signed.h"

#define CACHE_DIR ".digests"
#define CACHE_MAGIC "ERDGST03"
#define CACHE_MAX_FILES 64
#define CACHE_MAX_BYTES (512u << 20)

struct rec {
	uint64_t dev, ino, size;
	int64_t mtime_s, ctime_s;
	uint32_t mtime_ns, ctime_ns;
	unsigned char sha256[MANIFEST_SHA256_LEN];
	uint32_t caps_len;
	unsigned char caps[MANIFEST_CAPS_MAX];
};

struct header {
	char magic[8];
	uint32_t count;
	uint32_t rec_size;
	uint32_t has_sig, pad;
	unsigned char sig_tag[MANIFEST_SHA256_LEN];
};

struct sb_dcache {
	char *root, *dir, *name;
	bool usable; /* the directory is private (or absent) */
	bool dirty;  /* new digests or signature tag to save */
	bool has_old_sig, has_sig;
	unsigned char old_sig[MANIFEST_SHA256_LEN], sig[MANIFEST_SHA256_LEN];
	struct rec *old;
	size_t n_old;
	struct rec *cur; /* hits and new digests of this run */
	size_t n_cur, cap_cur;
};

static void rec_from_stat(struct rec *r, const struct stat *st)
{
	memset(r, 0, sizeof(*r));
	r->dev = st->st_dev;
	r->ino = st->st_ino;
	r->size = (uint64_t)st->st_size;
	r->mtime_s = st->st_mtim.tv_sec;
	r->mtime_ns = (uint32_t)st->st_mtim.tv_nsec;
	r->ctime_s = st->st_ctim.tv_sec;
	r->ctime_ns = (uint32_t)st->st_ctim.tv_nsec;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

char *sb_dcache_name(const char *rootfs_path)
{
	unsigned char sha[MANIFEST_SHA256_LEN];
	char hex[65];

	sb_sha256(rootfs_path, strlen(rootfs_path), sha);
	manifest_hex(sha, hex);
	return xstrdup(hex);
}

/* Owned by us, of the right type, and nobody else may write (or read) it. */
static bool private_enough(const struct stat *st, mode_t type)
{
	return (st->st_mode & S_IFMT) == type && st->st_uid == geteuid() &&
	       (st->st_mode & 077) == 0;
}

/* fd of the cache directory, checked; -1 if absent or not private (then c->usable false). */
static int open_dir(struct sb_dcache *c)
{
	_cleanup_close_ int fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		if (errno != ENOENT) {
			er_warn("digest cache `%s`: %s: not used", c->dir, er_strerror(errno));
			c->usable = false;
		}
		return -1;
	}
	if (fstat(fd, &st) < 0 || !private_enough(&st, S_IFDIR)) {
		er_warn("digest cache `%s` is not a private directory of uid %u (mode 0700): "
			"not used",
			c->dir, (unsigned int)geteuid());
		c->usable = false;
		return -1;
	}
	return TAKE_FD(fd);
}

static void load(struct sb_dcache *c, int dfd)
{
	_cleanup_close_ int fd = openat(dfd, c->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	unsigned char sha[MANIFEST_SHA256_LEN];
	struct header h;
	struct stat st;
	size_t len = 0;

	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !private_enough(&st, S_IFREG) ||
	    (uint64_t)st.st_size > CACHE_MAX_BYTES) {
		er_warn("digest cache file `%s/%s` is not a private file: ignored", c->dir,
			c->name);
		return;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	if (read_all(fd, buf, (size_t)st.st_size) != st.st_size)
		return;
	len = (size_t)st.st_size;
	if (len < sizeof(h) + sizeof(sha))
		goto damaged;
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, CACHE_MAGIC, 8) || h.rec_size != sizeof(struct rec) ||
	    len != sizeof(h) + (size_t)h.count * sizeof(struct rec) + sizeof(sha))
		goto damaged;
	sb_sha256(buf, len - sizeof(sha), sha);
	if (memcmp(sha, buf + len - sizeof(sha), sizeof(sha)))
		goto damaged;
	c->n_old = h.count;
	c->has_old_sig = h.has_sig == 1;
	memcpy(c->old_sig, h.sig_tag, sizeof(c->old_sig));
	c->old = xmalloc(c->n_old ? c->n_old * sizeof(struct rec) : 1);
	memcpy(c->old, buf + sizeof(h), c->n_old * sizeof(struct rec));
	er_debug("digest cache: %zu digests loaded from `%s/%s`", c->n_old, c->dir, c->name);
	return;
damaged:
	er_debug("digest cache `%s/%s` is damaged: ignored", c->dir, c->name);
}

struct sb_dcache *sb_dcache_open(const char *root, const char *rootfs_path)
{
	struct sb_dcache *c = xcalloc(1, sizeof(*c));
	_cleanup_close_ int dfd = -1;

	c->root = xstrdup(root);
	c->dir = xasprintf("%s/" CACHE_DIR, root);
	c->name = sb_dcache_name(rootfs_path);
	c->usable = true;
	dfd = open_dir(c);
	if (dfd >= 0)
		load(c, dfd);
	return c;
}

static void cur_add(struct sb_dcache *c, const struct rec *r)
{
	if (c->n_cur == c->cap_cur) {
		c->cap_cur = c->cap_cur ? c->cap_cur * 2 : 256;
		c->cur = xrealloc(c->cur, c->cap_cur * sizeof(*c->cur));
	}
	c->cur[c->n_cur++] = *r;
}

bool sb_dcache_lookup(struct sb_dcache *c, const struct stat *st, struct sb_hash_job *job)
{
	struct rec key;
	const struct rec *hit;

	if (!c->usable || !c->n_old)
		return false;
	rec_from_stat(&key, st);
	hit = bsearch(&key, c->old, c->n_old, sizeof(key), rec_cmp);
	if (!hit || hit->size != key.size || hit->mtime_s != key.mtime_s ||
	    hit->mtime_ns != key.mtime_ns || hit->ctime_s != key.ctime_s ||
	    hit->ctime_ns != key.ctime_ns || hit->caps_len > MANIFEST_CAPS_MAX)
		return false;
	memcpy(job->sha256, hit->sha256, MANIFEST_SHA256_LEN);
	job->caps_len = hit->caps_len;
	memcpy(job->caps, hit->caps, MANIFEST_CAPS_MAX);
	cur_add(c, hit);
	return true;
}

void sb_dcache_put(struct sb_dcache *c, const struct stat *st, const struct sb_hash_job *job)
{
	struct rec r;

	if (!c->usable)
		return;
	rec_from_stat(&r, st);
	memcpy(r.sha256, job->sha256, MANIFEST_SHA256_LEN);
	r.caps_len = (uint32_t)job->caps_len;
	memcpy(r.caps, job->caps, MANIFEST_CAPS_MAX);
	cur_add(c, &r);
	c->dirty = true;
}

bool sb_dcache_sig_known(struct sb_dcache *c, const unsigned char tag[MANIFEST_SHA256_LEN])
{
	if (!c || !c->usable || !c->has_old_sig || memcmp(c->old_sig, tag, sizeof(c->old_sig)))
		return false;
	memcpy(c->sig, tag, sizeof(c->sig));
	c->has_sig = true;
	return true;
}

void sb_dcache_sig_put(struct sb_dcache *c, const unsigned char tag[MANIFEST_SHA256_LEN])
{
	if (!c || !c->usable)
		return;
	memcpy(c->sig, tag, sizeof(c->sig));
	c->has_sig = true;
	c->dirty = true;
}

/* Keeps at most CACHE_MAX_FILES cache files: the least recently written go. */
static void evict(int dfd, const char *keep)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char oldest[NAME_MAX + 1] = "";
	struct timespec oldest_t = {0};
	size_t n = 0;
	struct dirent *de;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, keep) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		n++;
		if (!oldest[0] || st.st_mtim.tv_sec < oldest_t.tv_sec) {
			snprintf(oldest, sizeof(oldest), "%s", de->d_name);
			oldest_t = st.st_mtim;
		}
	}
	if (n >= CACHE_MAX_FILES && oldest[0]) {
		er_debug("digest cache: evict `%s`", oldest);
		unlinkat(dfd, oldest, 0);
	}
}

static int write_cache(struct sb_dcache *c, int dfd, struct er_error *err)
{
	_cleanup_free_ char *tmp = xasprintf(".tmp-%d-%s", (int)getpid(), c->name);
	struct header h = {
		.count = (uint32_t)c->n_cur, .rec_size = sizeof(struct rec), .has_sig = c->has_sig};
	size_t len = sizeof(h) + c->n_cur * sizeof(struct rec);
	_cleanup_free_ char *buf = xmalloc(len + MANIFEST_SHA256_LEN);
	_cleanup_close_ int fd = -1;

	memcpy(h.magic, CACHE_MAGIC, 8);
	memcpy(h.sig_tag, c->sig, sizeof(h.sig_tag));
	memcpy(buf, &h, sizeof(h));
	if (c->n_cur)
		memcpy(buf + sizeof(h), c->cur, c->n_cur * sizeof(struct rec));
	sb_sha256(buf, len, (unsigned char *)buf + len);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return er_set(err, errno, "create `%s/%s`", c->dir, tmp);
	if (fchmod(fd, 0600) < 0 || write_all(fd, buf, len + MANIFEST_SHA256_LEN) < 0 ||
	    renameat(dfd, tmp, dfd, c->name) < 0) {
		er_set(err, errno, "write `%s/%s`", c->dir, c->name);
		unlinkat(dfd, tmp, 0);
		return -1;
	}
	return 0;
}

void sb_dcache_save(struct sb_dcache *c)
{
	struct er_error err = ER_ERROR_INIT;
	_cleanup_close_ int dfd = -1;
	size_t j = 0;

	if (!c || !c->usable || !c->dirty)
		return;
	if (mkdir_p(c->root, 0700, &err) < 0 || (mkdir(c->dir, 0700) < 0 && errno != EEXIST &&
						 er_set(&err, errno, "mkdir `%s`", c->dir) < 0)) {
		er_debug("digest cache not saved: %s", err.msg);
		er_clear(&err);
		return;
	}
	dfd = open_dir(c);
	if (dfd < 0)
		return;
	if (c->n_cur)
		qsort(c->cur, c->n_cur, sizeof(*c->cur), rec_cmp);
	for (size_t i = 0; i < c->n_cur; i++) {
		if (j && !rec_cmp(&c->cur[j - 1], &c->cur[i]))
			continue; /* the same inode twice (hard links) */
		c->cur[j++] = c->cur[i];
	}
	c->n_cur = j;
	evict(dfd, c->name);
	if (write_cache(c, dfd, &err) < 0) {
		er_debug("digest cache not saved: %s", err.msg);
		er_clear(&err);
		return;
	}
	er_debug("digest cache: %zu digests saved to `%s/%s`", c->n_cur, c->dir, c->name);
}

void sb_dcache_free(struct sb_dcache *c)
{
	if (!c)
		return;
	free(c->root);
	free(c->dir);
	free(c->name);
	free(c->old);
	free(c->cur);
	free(c);
}
