/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parallel SHA-256 of files for signed bundles: one worker thread per online CPU takes the
 * next file (largest first, so one big file does not finish last), reads it through
 * OpenSSL's SHA-256, and checks that the file did not change while it was read.
 *
 * Digests come from the digest cache when the file's stat key matches; a new digest goes
 * into the cache only when it is stable: the file did not change while it was read and its
 * ctime is at least CACHE_RACY_SECS old, so that a later write cannot keep the same ctime
 * (timestamps are taken from a coarse clock, and some filesystems store whole seconds).
 *
 * The digest is common/sha256.h's (OpenSSL's low-level SHA-256: no provider start-up).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/sha256.h"
#include "common/util.h"
#include "edge/signed.h"

#define HASH_BUF_SIZE (256 * 1024)
#define MAX_WORKERS 64
#define PROGRESS_NS 200000000L
#define CACHE_RACY_SECS 2

struct pool {
	struct sb_hash_job *jobs;
	size_t *order; /* indexes into jobs of the files to hash, largest first */
	size_t n;
	bool *stable; /* per job: digest may be cached */
	atomic_size_t next;
	atomic_uint_fast64_t files_done, bytes_done;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int running; /* workers still running (under lock) */
};

const char *sb_hash_error(int errnum)
{
	if (errnum == ESTALE)
		return "changed while it was read";
	if (errnum == EINVAL)
		return "not a regular file";
	if (errnum == E2BIG)
		return "security.capability attribute larger than any known format";
	return er_strerror(errnum);
}

void sb_sha256(const void *data, size_t len, unsigned char out[MANIFEST_SHA256_LEN])
{
	er_sha256(data, len, out);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static int open_job(const struct sb_hash_job *j)
{
	int flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	int fd;

	if (j->beneath)
		return sb_open_beneath(j->dirfd, j->path, flags);
	fd = openat(j->dirfd, j->path, flags);
	return fd < 0 ? -errno : fd;
}

/* Reads fd to the end into the digest. Bytes read or -errno. */
static int64_t digest_fd(struct pool *p, int fd, struct er_sha256 *sha, unsigned char *buf)
{
	int64_t total = 0;

	for (;;) {
		ssize_t r = read(fd, buf, HASH_BUF_SIZE);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return total;
		er_sha256_update(sha, buf, (size_t)r);
		total += r;
		atomic_fetch_add(&p->bytes_done, (uint64_t)r);
	}
}

/* The file capabilities (security.capability), read with the content: a change of them
 * changes the ctime, so the cache keeps them with the digest. */
static int read_caps(int fd, struct sb_hash_job *j)
{
	ssize_t n = fgetxattr(fd, "security.capability", j->caps, sizeof(j->caps));

	j->caps_len = 0;
	if (n >= 0) {
		j->caps_len = (size_t)n;
		return 0;
	}
	if (errno == ENODATA || errno == ENOTSUP)
		return 0;
	j->errnum = errno == ERANGE ? E2BIG : errno;
	return -1;
}

/* Hashes one file; sets j->errnum on failure. Returns whether the digest is stable. */
static bool hash_one(struct pool *p, struct sb_hash_job *j, unsigned char *buf)
{
	struct er_sha256 sha;
	_cleanup_close_ int fd = open_job(j);
	struct stat before, after;
	struct timespec now;
	int64_t n;

	if (fd < 0) {
		j->errnum = -fd;
		return false;
	}
	if (fstat(fd, &before) < 0) {
		j->errnum = errno;
		return false;
	}
	if (!S_ISREG(before.st_mode) ||
	    (j->st && (before.st_dev != j->st->st_dev || before.st_ino != j->st->st_ino))) {
		j->errnum =
			S_ISREG(before.st_mode) ? ESTALE : EINVAL; /* EINVAL: not a regular file */
		return false;
	}
	if (read_caps(fd, j) < 0)
		return false;
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	er_sha256_init(&sha);
	n = digest_fd(p, fd, &sha, buf);
	er_sha256_final(&sha, j->sha256);
	if (n < 0) {
		j->errnum = (int)-n;
		return false;
	}
	j->size = (uint64_t)n;
	if (fstat(fd, &after) < 0 || !same_stat(&before, &after) || n != before.st_size) {
		j->errnum = ESTALE; /* written while we read it */
		return false;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	return j->st && same_stat(j->st, &after) &&
	       after.st_ctim.tv_sec + CACHE_RACY_SECS <= now.tv_sec;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	unsigned char *buf = xmalloc(HASH_BUF_SIZE);

	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		struct sb_hash_job *j;

		if (i >= p->n)
			break;
		j = &p->jobs[p->order[i]];
		p->stable[p->order[i]] = hash_one(p, j, buf);
		atomic_fetch_add(&p->files_done, 1);
	}
	free(buf);
	pthread_mutex_lock(&p->lock);
	p->running--;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static int workers_count(size_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus < 1)
		cpus = 1;
	if (cpus > MAX_WORKERS)
		cpus = MAX_WORKERS;
	return (size_t)cpus < n ? (int)cpus : (int)n;
}

static void report(struct pool *p, sb_progress_fn fn, void *arg, uint64_t start, uint64_t total)
{
	struct sb_progress pr = {
		.files_done = atomic_load(&p->files_done),
		.files_total = p->n,
		.bytes_done = atomic_load(&p->bytes_done),
		.bytes_total = total,
		.elapsed_ns = now_ns() - start,
	};

	fn(&pr, arg);
}

/* Waits for the workers, calling FN every PROGRESS_NS. */
static void wait_workers(struct pool *p, sb_progress_fn fn, void *arg, uint64_t total)
{
	uint64_t start = now_ns();

	pthread_mutex_lock(&p->lock);
	while (p->running > 0) {
		struct timespec ts;

		if (!fn) {
			pthread_cond_wait(&p->cond, &p->lock);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += PROGRESS_NS;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&p->cond, &p->lock, &ts) == ETIMEDOUT) {
			pthread_mutex_unlock(&p->lock);
			report(p, fn, arg, start, total);
			pthread_mutex_lock(&p->lock);
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (fn)
		report(p, fn, arg, start, total);
}

static int run_workers(struct pool *p, sb_progress_fn fn, void *arg, uint64_t total,
		       struct er_error *err)
{
	int nw = workers_count(p->n), started = 0;
	pthread_t tids[MAX_WORKERS];
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&p->lock, NULL);
	p->running = nw;
	for (; started < nw; started++) {
		int e = pthread_create(&tids[started], NULL, worker, p);

		if (e) {
			er_debug("hash: start worker %d: %s", started, er_strerror(e));
			pthread_mutex_lock(&p->lock);
			p->running -= nw - started;
			pthread_mutex_unlock(&p->lock);
			if (started == 0)
				er_set(err, e, "start a hashing thread");
			break;
		}
	}
	if (started > 0)
		wait_workers(p, fn, arg, total);
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	return started > 0 ? 0 : -1;
}

static uint64_t job_size(const struct sb_hash_job *j)
{
	return j->st ? (uint64_t)j->st->st_size : 0;
}

static int by_size_desc(const void *a, const void *b, void *arg)
{
	const struct sb_hash_job *jobs = arg;
	uint64_t x = job_size(&jobs[*(const size_t *)a]);
	uint64_t y = job_size(&jobs[*(const size_t *)b]);

	return x < y ? 1 : x > y ? -1 : 0;
}

int sb_hash_jobs(struct sb_hash_job *jobs, size_t n, struct sb_dcache *cache, sb_progress_fn fn,
		 void *arg, uint64_t *bytes, struct er_error *err)
{
	struct pool p = {.jobs = jobs};
	_cleanup_free_ size_t *order = xcalloc(n ? n : 1, sizeof(*order));
	_cleanup_free_ bool *stable = xcalloc(n ? n : 1, sizeof(*stable));
	uint64_t total = 0;
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		if (cache && jobs[i].st && sb_dcache_lookup(cache, jobs[i].st, &jobs[i])) {
			jobs[i].cached = true;
			jobs[i].size = (uint64_t)jobs[i].st->st_size;
			continue;
		}
		order[p.n++] = i;
		total += job_size(&jobs[i]);
	}
	*bytes = 0;
	if (p.n == 0)
		return 0;
	qsort_r(order, p.n, sizeof(*order), by_size_desc, jobs);
	p.order = order;
	p.stable = stable;
	r = run_workers(&p, fn, arg, total, err);
	*bytes = atomic_load(&p.bytes_done);
	for (size_t i = 0; cache && r == 0 && i < n; i++) {
		if (stable[i])
			sb_dcache_put(cache, jobs[i].st, &jobs[i]);
	}
	return r;
}
