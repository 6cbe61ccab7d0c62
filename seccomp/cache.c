/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiled-filter cache and seccomp_prepare.
 *
 * Key: SHA-256 over a canonical encoding (fixed-width little-endian integers, strings and
 * lists with a presence byte and a length, every field of struct spec_seccomp in order)
 * of the profile, plus the cache format, libseccomp's version, the native architecture
 * and the kernel release: whatever can change the program, or whether it loads.
 *
 * Entry CACHE/<64 hex>.bpf: struct cache_header, then n_insns struct sock_filter, native
 * byte order (the cache never leaves the machine). It is read with one read(2) and taken
 * only if every check passes (size, magic, format, key, flags, SHA-256 of the program);
 * otherwise it is removed and the profile compiled again. A writer writes a temporary
 * file of its own (O_EXCL) and renames it over the entry, so concurrent writers and
 * readers only ever see whole entries. No fsync: a lost entry is just a miss. After a
 * write, entries beyond SECCOMP_CACHE_MAX_ENTRIES go, least recently used first (a hit
 * touches its entry's mtime).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/sha256.h"
#include "common/util.h"
#include "seccomp/internal.h"

#define CACHE_FORMAT 1
#define CACHE_MAGIC "EDGESCMP"
#define CACHE_SUFFIX ".bpf"
#define CACHE_TMP_PREFIX ".tmp-"
#define CACHE_TMP_MAX_AGE (60 * 60) /* seconds: a leftover of a writer that died */
#define HEX_LEN (2 * SECCOMP_DIGEST_LEN)
#define SHORT_HEX 12 /* digest prefix in debug lines */

struct cache_header {
	char magic[8];
	uint32_t format;
	uint32_t flags;
	uint32_t notify;
	uint32_t n_insns;
	uint8_t key[SECCOMP_DIGEST_LEN];
	uint8_t insns_sha256[SECCOMP_DIGEST_LEN];
};
_Static_assert(sizeof(struct cache_header) == 88, "cache header layout");

#define CACHE_FILE_MAX (sizeof(struct cache_header) + BPF_MAXINSNS * sizeof(struct sock_filter))

char *seccomp_cache_dir(const char *root)
{
	return xasprintf("%s/.seccomp", root);
}

/* ---------------- digest ---------------- */

static void put(struct er_sha256 *md, const void *p, size_t n)
{
	er_sha256_update(md, p, n);
}

static void put_u8(struct er_sha256 *md, uint8_t v)
{
	put(md, &v, 1);
}

static void put_u64(struct er_sha256 *md, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(md, b, sizeof(b));
}

static void put_u32(struct er_sha256 *md, uint32_t v)
{
	uint8_t b[4];

	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(md, b, sizeof(b));
}

/* NULL and "" differ: a presence byte, then the length, then the bytes */
static void put_str(struct er_sha256 *md, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	put_u8(md, s != NULL);
	if (!s)
		return;
	put_u64(md, n);
	put(md, s, n);
}

static void put_strv(struct er_sha256 *md, char *const *v)
{
	put_u8(md, v != NULL);
	if (!v)
		return;
	put_u64(md, strv_len(v));
	for (; *v; v++)
		put_str(md, *v);
}

static void put_rule(struct er_sha256 *md, const struct spec_seccomp_rule *r)
{
	put_strv(md, r->names);
	put_u32(md, r->action);
	put_u8(md, r->has_errno_ret);
	put_u32(md, r->errno_ret);
	put_u64(md, r->n_args);
	for (size_t i = 0; i < r->n_args; i++) {
		put_u32(md, r->args[i].index);
		put_u64(md, r->args[i].value);
		put_u64(md, r->args[i].value_two);
		put_u32(md, (uint32_t)r->args[i].op);
	}
}

static void put_environment(struct er_sha256 *md)
{
	const struct scmp_version *v = seccomp_version();
	struct utsname u;

	put_str(md, "edgerun seccomp cache");
	put_u32(md, CACHE_FORMAT);
	put_u32(md, v->major);
	put_u32(md, v->minor);
	put_u32(md, v->micro);
	put_u32(md, seccomp_arch_native());
	put_str(md, uname(&u) == 0 ? u.release : "");
}

void seccomp_profile_digest(const struct spec_seccomp *sc, uint8_t out[SECCOMP_DIGEST_LEN])
{
	struct er_sha256 ctx, *md = &ctx;

	er_sha256_init(md);
	put_environment(md);
	put_u32(md, sc->default_action);
	put_u8(md, sc->has_default_errno_ret);
	put_u32(md, sc->default_errno_ret);
	put_strv(md, sc->architectures);
	put_strv(md, sc->flags);
	put_str(md, sc->listener_path);
	put_str(md, sc->listener_metadata);
	put_u64(md, sc->n_rules);
	for (size_t i = 0; i < sc->n_rules; i++)
		put_rule(md, &sc->rules[i]);
	er_sha256_final(md, out);
}

static void insns_sha256(const struct sock_filter *insns, size_t n, uint8_t out[SECCOMP_DIGEST_LEN])
{
	er_sha256(insns, n * sizeof(*insns), out);
}

static void to_hex(const uint8_t *d, char hex[HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < SECCOMP_DIGEST_LEN; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 0xf];
	}
	hex[HEX_LEN] = '\0';
}

/* ---------------- entries ---------------- */

struct cache_key {
	uint8_t digest[SECCOMP_DIGEST_LEN];
	char hex[HEX_LEN + 1];
	char name[HEX_LEN + sizeof(CACHE_SUFFIX)];
	unsigned int flags;
	bool notify;
};

/* Why BUF (N bytes) is not a valid entry for K, or NULL when it is. */
static const char *entry_problem(const uint8_t *buf, size_t n, const struct cache_key *k)
{
	struct cache_header h;
	uint8_t sum[SECCOMP_DIGEST_LEN];

	if (n < sizeof(h))
		return "short header";
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0)
		return "bad magic";
	if (h.format != CACHE_FORMAT)
		return "other format";
	if (h.n_insns == 0 || h.n_insns > BPF_MAXINSNS ||
	    n != sizeof(h) + h.n_insns * sizeof(struct sock_filter))
		return "bad length";
	if (memcmp(h.key, k->digest, sizeof(h.key)) != 0)
		return "other profile";
	if (h.flags != k->flags || h.notify != (uint32_t)k->notify)
		return "other flags";
	insns_sha256((const struct sock_filter *)(buf + sizeof(h)), h.n_insns, sum);
	if (memcmp(sum, h.insns_sha256, sizeof(sum)) != 0)
		return "bad digest";
	return NULL;
}

/* 1 hit (OUT filled), 0 miss, -1 corrupt (*why says how). */
static int entry_read(int dirfd, const struct cache_key *k, struct seccomp_prog *out,
		      const char **why)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ uint8_t *buf = NULL;
	ssize_t n;
	size_t n_insns;

	fd = openat(dirfd, k->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		*why = errno == ELOOP ? "a symlink" : "unreadable";
		return errno == ENOENT ? 0 : -1;
	}
	buf = xmalloc(CACHE_FILE_MAX + 1);
	do
		n = read(fd, buf, CACHE_FILE_MAX + 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		*why = "read error";
		return -1;
	}
	*why = entry_problem(buf, (size_t)n, k);
	if (*why)
		return -1;
	n_insns = ((size_t)n - sizeof(struct cache_header)) / sizeof(struct sock_filter);
	out->insns = xmalloc(n_insns * sizeof(struct sock_filter));
	memcpy(out->insns, buf + sizeof(struct cache_header), n_insns * sizeof(struct sock_filter));
	out->n_insns = n_insns;
	(void)futimens(fd, NULL); /* recently used: evicted last */
	return 1;
}

static int write_tmp(int dirfd, const char *tmp, const struct cache_key *k,
		     const struct seccomp_prog *p)
{
	size_t body = p->n_insns * sizeof(struct sock_filter);
	_cleanup_free_ uint8_t *buf = xmalloc(sizeof(struct cache_header) + body);
	struct cache_header h = {.format = CACHE_FORMAT,
				 .flags = p->flags,
				 .notify = p->notify,
				 .n_insns = (uint32_t)p->n_insns};
	int fd, saved;

	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	memcpy(h.key, k->digest, sizeof(h.key));
	insns_sha256(p->insns, p->n_insns, h.insns_sha256);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), p->insns, body);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	if (write_all(fd, buf, sizeof(h) + body) != (ssize_t)(sizeof(h) + body)) {
		saved = errno ? errno : EIO;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

static int entry_write(int dirfd, const struct cache_key *k, const struct seccomp_prog *p,
		       struct er_error *err)
{
	static unsigned int counter;
	struct timespec ts;
	char tmp[128];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(tmp, sizeof(tmp), CACHE_TMP_PREFIX "%.16s-%d-%u-%ld", k->hex, (int)getpid(),
		 counter++, (long)ts.tv_nsec);
	errno = 0;
	if (write_tmp(dirfd, tmp, k, p) < 0 || renameat(dirfd, tmp, dirfd, k->name) < 0) {
		er_set(err, errno ? errno : EIO, "write `%s`", k->name);
		(void)unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

/* ---------------- eviction ---------------- */

struct entry_age {
	struct timespec mtime;
	char name[HEX_LEN + sizeof(CACHE_SUFFIX)];
};

static bool is_entry_name(const char *name)
{
	size_t i;

	for (i = 0; i < HEX_LEN; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return strcmp(name + i, CACHE_SUFFIX) == 0;
}

static int older_first(const void *a, const void *b)
{
	const struct entry_age *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void drop_old_tmp(int dirfd, const char *name, const struct stat *st)
{
	if (time(NULL) - st->st_mtime > CACHE_TMP_MAX_AGE)
		(void)unlinkat(dirfd, name, 0);
}

static void cache_evict(int dirfd, const char *keep)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = fd < 0 ? NULL : fdopendir(fd);
	_cleanup_free_ struct entry_age *v = NULL;
	size_t n = 0, cap = 0, removed = 0;
	struct dirent *de;
	struct stat st;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (str_has_prefix(de->d_name, CACHE_TMP_PREFIX)) {
			drop_old_tmp(dirfd, de->d_name, &st);
			continue;
		}
		if (!is_entry_name(de->d_name) || strcmp(de->d_name, keep) == 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 2 * SECCOMP_CACHE_MAX_ENTRIES;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[n].mtime = st.st_mtim;
		memcpy(v[n].name, de->d_name, sizeof(v[n].name));
		n++;
	}
	/* KEEP (the entry just written) counts as one of the SECCOMP_CACHE_MAX_ENTRIES */
	if (n < SECCOMP_CACHE_MAX_ENTRIES)
		return;
	qsort(v, n, sizeof(*v), older_first);
	for (size_t i = 0; i + SECCOMP_CACHE_MAX_ENTRIES <= n; i++)
		if (unlinkat(dirfd, v[i].name, 0) == 0)
			removed++;
	er_debug("seccomp cache: evicted %zu old entries", removed);
}

/* ---------------- the directory ---------------- */

/* The cache directory, created 0700 if missing; -1 (caching off) when it cannot be used.
 * Only a directory of our own that nobody else can write to is trusted. */
static int cache_open_dir(const char *dir)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		er_debug("seccomp cache: cannot create `%s`: %s; caching disabled", dir,
			 er_strerror(errno));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0) {
		er_debug("seccomp cache: cannot open `%s`: %s; caching disabled", dir,
			 er_strerror(errno));
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		er_debug("seccomp cache: `%s` is not private to this user; caching disabled", dir);
		return -1;
	}
	return TAKE_FD(fd);
}

/* ---------------- seccomp_prepare ---------------- */

static int prepare_cached(const struct spec_seccomp *sc, int dirfd, struct cache_key *k,
			  struct seccomp_prog *out, struct er_error *err)
{
	struct er_error werr = ER_ERROR_INIT;
	const char *why = NULL;
	int r = entry_read(dirfd, k, out, &why);

	if (r > 0) {
		out->from_cache = true;
		er_debug("seccomp: profile cache hit (%.*s)", SHORT_HEX, k->hex);
		return 0;
	}
	if (r < 0) {
		er_debug("seccomp cache: entry %.*s corrupt, recompiling (%s)", SHORT_HEX, k->hex,
			 why);
		(void)unlinkat(dirfd, k->name, 0);
	}
	if (seccomp_compile(sc, out, err) < 0)
		return -1;
	if (entry_write(dirfd, k, out, &werr) < 0) {
		er_debug("seccomp: profile compiled (%.*s), not cached: %s", SHORT_HEX, k->hex,
			 werr.msg);
		er_clear(&werr);
		return 0;
	}
	er_debug("seccomp: profile compiled (%.*s) and cached", SHORT_HEX, k->hex);
	cache_evict(dirfd, k->name);
	return 0;
}

int seccomp_prepare(const struct spec_seccomp *sc, const char *cache_dir, struct seccomp_prog *out,
		    struct er_error *err)
{
	struct cache_key k = {0};
	_cleanup_close_ int dirfd = -1;
	struct seccomp_prog p = {0};

	memset(out, 0, sizeof(*out));
	if (seccomp_profile_flags(sc, &k.flags, &k.notify, err) < 0)
		return -1;
	p.flags = k.flags;
	p.notify = k.notify;
	if (cache_dir)
		dirfd = cache_open_dir(cache_dir);
	if (dirfd >= 0) {
		seccomp_profile_digest(sc, k.digest);
		to_hex(k.digest, k.hex);
		snprintf(k.name, sizeof(k.name), "%s" CACHE_SUFFIX, k.hex);
		if (prepare_cached(sc, dirfd, &k, &p, err) < 0)
			return -1;
	} else {
		if (seccomp_compile(sc, &p, err) < 0)
			return -1;
		er_debug("seccomp: profile compiled, not cached");
	}
	*out = p;
	return 0;
}
