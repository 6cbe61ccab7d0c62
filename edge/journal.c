/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The durable journal of offline commands: SPOOL/ID/journal, append-only.
 *
 * A record is one line "LEN CRC JSON\n": LEN the decimal byte length of JSON, CRC its
 * CRC-32 (IEEE) in 8 lowercase hex digits. A reader takes every line that checks out and
 * skips the others (a warning); an incomplete last line (a write torn by a crash) is
 * ignored, and cut off under the lock before the next append so that no record is glued
 * to it. Appends are one write(2) of whole lines, then fsync(2), under flock(journal.lock);
 * the file and SPOOL/ID are fsync'ed into their directories when they are made. purge
 * rewrites the file to a temporary one, fsyncs it and renames it over the journal; readers
 * notice the new inode and read it from the start.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "edge/commands.h"

#define JOURNAL "journal"
#define JOURNAL_TMP "journal.tmp"
#define JOURNAL_LOCK "journal.lock"
#define MARKER "queued"

struct journal {
	char *dir; /* SPOOL/ID */
	int dirfd;
};

/* ---------------- framing ---------------- */

uint32_t journal_crc32(const void *buf, size_t len)
{
	static uint32_t table[256];
	static bool ready;
	const unsigned char *p = buf;
	uint32_t crc = 0xffffffffu;

	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		ready = true;
	}
	for (size_t i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}

char *journal_frame(const char *json, size_t *len)
{
	size_t jlen = strlen(json);
	char *s = xasprintf("%zu %08" PRIx32 " %s\n", jlen, journal_crc32(json, jlen), json);

	*len = strlen(s);
	return s;
}

int journal_unframe(const char *buf, size_t len, const char **json, size_t *jlen, size_t *used)
{
	const char *nl = memchr(buf, '\n', len);
	size_t line, n = 0, i = 0;
	uint32_t crc = 0;

	*used = 0;
	if (!nl)
		return 0;
	line = (size_t)(nl - buf);
	*used = line + 1;
	for (; i < line && i < 10 && buf[i] >= '0' && buf[i] <= '9'; i++)
		n = n * 10 + (size_t)(buf[i] - '0');
	if (i == 0 || i >= line || buf[i] != ' ' || (buf[0] == '0' && i > 1))
		return -1;
	i++;
	if (line < i + 9 || buf[i + 8] != ' ')
		return -1;
	for (size_t k = 0; k < 8; k++) {
		char c = buf[i + k];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;

		if (d < 0)
			return -1;
		crc = (crc << 4) | (uint32_t)d;
	}
	i += 9;
	if (line - i != n || journal_crc32(buf + i, n) != crc)
		return -1;
	*json = buf + i;
	*jlen = n;
	return 1;
}

/* ---------------- opening, locking ---------------- */

static int fsync_dir(const char *path, struct er_error *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0)
		return er_set(err, errno, "fsync `%s`", path);
	return 0;
}

/* SPOOL/ID and its journal, each fsync'ed into its directory when made. */
static int make_journal(const char *spool, const char *dir, struct er_error *err)
{
	_cleanup_close_ int dfd = -1, fd = -1;
	_cleanup_free_ char *parent = NULL;
	char *slash;

	if (mkdir_p(spool, 0700, err) < 0)
		return er_prefix(err, "spool");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return er_set(err, errno, "mkdir `%s`", dir);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return er_set(err, errno, "open `%s`", dir);
	fd = openat(dfd, JOURNAL, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST)
		return er_set(err, errno, "create `%s/" JOURNAL "`", dir);
	if (fd < 0)
		return 0;
	/* a new journal: the file, its entry, the directory's entry in the spool (create may
	 * have made the directory without syncing it) and the spool's in its parent */
	if (fsync(fd) < 0 || fsync(dfd) < 0)
		return er_set(err, errno, "fsync `%s/" JOURNAL "`", dir);
	if (fsync_dir(spool, err) < 0)
		return -1;
	parent = path_clean(spool);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		return fsync_dir(parent, err);
	}
	return 0;
}

int journal_open(const char *spool, const char *id, bool create, struct journal **out,
		 struct er_error *err)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", spool, id);
	struct journal *j;
	int fd;

	if (create && make_journal(spool, dir, err) < 0)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return er_set(err, errno, "open journal directory `%s`", dir);
	j = xcalloc(1, sizeof(*j));
	j->dir = TAKE_PTR(dir);
	j->dirfd = fd;
	*out = j;
	return 0;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	close(j->dirfd);
	free(j->dir);
	free(j);
}

int journal_dirfd(const struct journal *j)
{
	return j->dirfd;
}

static int lock(struct journal *j, struct er_error *err)
{
	_cleanup_close_ int fd = openat(j->dirfd, JOURNAL_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return er_set(err, errno, "open `%s/" JOURNAL_LOCK "`", j->dir);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return er_set(err, errno, "lock `%s/" JOURNAL_LOCK "`", j->dir);
	return TAKE_FD(fd);
}

/* ---------------- reading ---------------- */

void journal_view_clear(struct journal_view *v)
{
	for (size_t i = 0; i < v->n; i++)
		cmds_entry_clear(&v->e[i]);
	free(v->e);
	memset(v, 0, sizeof(*v));
}

struct cmds_entry *journal_find(struct journal_view *v, uint64_t seq)
{
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->e[mid].seq == seq)
			return &v->e[mid];
		if (v->e[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void view_apply(struct journal_view *v, const struct cmds_rec *r)
{
	struct cmds_entry *e;

	if (r->type == CMDS_REC_QUEUE && (!v->n || r->seq > v->e[v->n - 1].seq)) {
		if (v->n == v->cap) {
			v->cap = v->cap ? v->cap * 2 : 64;
			v->e = xrealloc(v->e, v->cap * sizeof(*v->e));
		}
		e = &v->e[v->n++];
		memset(e, 0, sizeof(*e));
		cmds_entry_apply(e, r);
	} else if (r->type == CMDS_REC_STATE) {
		e = journal_find(v, r->seq);
		if (e)
			cmds_entry_apply(e, r);
	}
	if (r->seq > v->last_seq)
		v->last_seq = r->seq;
}

/* The line at the start of buf: 1 a record (*r filled), 0 a torn tail, -1 a damaged line
 * (*e may say why); *used as journal_unframe's. */
static int next_record(const char *buf, size_t len, struct cmds_rec *r, size_t *used,
		       struct er_error *e)
{
	const char *json;
	size_t jlen;
	int k = journal_unframe(buf, len, &json, &jlen, used);

	if (k <= 0)
		return k;
	return cmds_rec_from_json(json, jlen, r, e) < 0 ? -1 : 1;
}

/* Applies the complete lines of buf; returns the bytes consumed. */
static size_t view_parse(struct journal *j, struct journal_view *v, const char *buf, size_t len)
{
	size_t off = 0, used;

	for (; off < len; off += used) {
		struct cmds_rec r;
		struct er_error e = ER_ERROR_INIT;
		int k = next_record(buf + off, len - off, &r, &used, &e);

		if (k == 0)
			break;
		if (k > 0) {
			view_apply(v, &r);
			cmds_rec_clear(&r);
			continue;
		}
		v->skipped++;
		er_warn("journal `%s`: skipping a damaged record at byte %lld%s%s", j->dir,
			(long long)(v->offset + (off_t)off), e.msg ? ": " : "", e.msg ? e.msg : "");
		er_clear(&e);
	}
	return off;
}

/* Reads fd from offset to the end it has now. */
static char *read_from(int fd, off_t offset, size_t *len, struct er_error *err)
{
	struct stat st;
	size_t want;
	ssize_t n;
	char *buf;

	if (fstat(fd, &st) < 0 || lseek(fd, offset, SEEK_SET) < 0) {
		er_set(err, errno, "read journal");
		return NULL;
	}
	want = st.st_size > offset ? (size_t)(st.st_size - offset) : 0;
	buf = xmalloc(want + 1);
	n = read_all(fd, buf, want);
	if (n < 0) {
		free(buf);
		er_set(err, errno, "read journal");
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

int journal_refresh(struct journal *j, struct journal_view *v, struct er_error *err)
{
	_cleanup_close_ int fd = openat(j->dirfd, JOURNAL, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len;

	if (fd < 0 && errno == ENOENT) /* the directory only (made at create) */
		return 0;
	if (fd < 0)
		return er_set(err, errno, "open `%s/" JOURNAL "`", j->dir);
	if (fstat(fd, &st) < 0)
		return er_set(err, errno, "stat `%s/" JOURNAL "`", j->dir);
	if (st.st_dev != v->dev || st.st_ino != v->ino || st.st_size < v->offset) {
		journal_view_clear(v);
		v->dev = st.st_dev;
		v->ino = st.st_ino;
	}
	if (st.st_size == v->offset)
		return 0;
	buf = read_from(fd, v->offset, &len, err);
	if (!buf)
		return er_prefix(err, "`%s`", j->dir);
	v->offset += (off_t)view_parse(j, v, buf, len);
	return 0;
}

/* ---------------- writing ---------------- */

/* Cuts an incomplete last line off (a write torn by a crash), so the next record starts on
 * a line of its own. */
static int cut_torn_tail(int fd, struct er_error *err)
{
	struct stat st;
	char buf[4096];
	off_t end;

	if (fstat(fd, &st) < 0)
		return er_set(err, errno, "stat journal");
	end = st.st_size;
	while (end > 0) {
		off_t from = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
		ssize_t n = pread(fd, buf, (size_t)(end - from), from);

		if (n < 0)
			return er_set(err, errno, "read journal");
		if (n == 0)
			break;
		for (ssize_t i = n - 1; i >= 0; i--) {
			if (buf[i] != '\n')
				continue;
			end = from + i + 1;
			goto found;
		}
		end = from;
	}
found:
	if (end == st.st_size)
		return 0;
	er_warn("journal: cutting off a torn last record (%lld bytes)",
		(long long)(st.st_size - end));
	if (ftruncate(fd, end) < 0)
		return er_set(err, errno, "truncate journal");
	return 0;
}

static int append_locked(struct journal *j, const struct cmds_rec *recs, size_t n,
			 struct er_error *err)
{
	_cleanup_close_ int fd = openat(j->dirfd, JOURNAL, O_RDWR | O_APPEND | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;

	if (fd < 0)
		return er_set(err, errno, "open `%s/" JOURNAL "`", j->dir);
	if (cut_torn_tail(fd, err) < 0)
		return er_prefix(err, "`%s`", j->dir);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *json = cmds_rec_to_json(&recs[i]);
		_cleanup_free_ char *line = NULL;
		size_t ll;

		line = journal_frame(json, &ll);
		buf = xrealloc(buf, len + ll);
		memcpy(buf + len, line, ll);
		len += ll;
	}
	if (write_all(fd, buf, len) < 0 || fsync(fd) < 0)
		return er_set(err, errno, "append to `%s/" JOURNAL "`", j->dir);
	return 0;
}

int journal_append(struct journal *j, const struct cmds_rec *recs, size_t n, struct er_error *err)
{
	_cleanup_close_ int lk = lock(j, err);

	if (lk < 0)
		return -1;
	return append_locked(j, recs, n, err);
}

static int make_marker(struct journal *j, struct er_error *err)
{
	int fd = openat(j->dirfd, MARKER, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == EEXIST ? 0 : er_set(err, errno, "create `%s/" MARKER "`", j->dir);
	close(fd);
	if (fsync(j->dirfd) < 0)
		return er_set(err, errno, "fsync `%s`", j->dir);
	return 0;
}

int journal_queue(struct journal *j, struct cmds_rec *q, const struct cmds_rec *extra,
		  uint64_t *seq, bool *existed, struct er_error *err)
{
	_cleanup_close_ int lk = lock(j, err);
	struct journal_view v = {0};
	struct cmds_rec recs[2];
	int r = -1;

	if (lk < 0)
		return -1;
	*existed = false;
	if (journal_refresh(j, &v, err) < 0)
		goto out;
	for (size_t i = 0; q->request_id && i < v.n; i++) {
		if (v.e[i].request_id && strcmp(v.e[i].request_id, q->request_id) == 0) {
			*seq = v.e[i].seq;
			*existed = true;
			r = 0;
			goto out;
		}
	}
	if (!q->foreground && make_marker(j, err) < 0)
		goto out;
	q->seq = v.last_seq + 1;
	recs[0] = *q;
	if (extra) {
		recs[1] = *extra;
		recs[1].seq = q->seq;
	}
	if (append_locked(j, recs, extra ? 2 : 1, err) < 0)
		goto out;
	*seq = q->seq;
	r = 0;
out:
	journal_view_clear(&v);
	return r;
}

static bool is_active(const struct cmds_entry *e)
{
	return e->state == CMDS_QUEUED || e->state == CMDS_RUNNING;
}

int journal_clear_marker_if_idle(struct journal *j, struct er_error *err)
{
	_cleanup_close_ int lk = lock(j, err);
	struct journal_view v = {0};
	bool idle = true;

	if (lk < 0)
		return -1;
	if (journal_refresh(j, &v, err) < 0)
		return -1;
	for (size_t i = 0; i < v.n && idle; i++)
		idle = !is_active(&v.e[i]);
	journal_view_clear(&v);
	if (idle && unlinkat(j->dirfd, MARKER, 0) < 0 && errno != ENOENT)
		return er_set(err, errno, "remove `%s/" MARKER "`", j->dir);
	return idle ? 1 : 0;
}

bool journal_has_marker(const char *spool, const char *id)
{
	_cleanup_free_ char *path = xasprintf("%s/%s/" MARKER, spool, id);

	return access(path, F_OK) == 0;
}

/* ---------------- purge ---------------- */

static bool keep_seq(struct journal_view *v, uint64_t seq, uint64_t before)
{
	struct cmds_entry *e = journal_find(v, seq);

	return e && (is_active(e) || (before && seq >= before));
}

/* The kept lines of buf after a base record. */
static char *purged_copy(struct journal_view *v, const char *buf, size_t len, uint64_t before,
			 size_t *out_len)
{
	struct cmds_rec base = {.type = CMDS_REC_BASE, .seq = v->last_seq};
	_cleanup_free_ char *json = cmds_rec_to_json(&base);
	char *out = journal_frame(json, out_len);
	size_t off = 0;

	for (size_t used; off < len; off += used) {
		struct cmds_rec r;
		struct er_error e = ER_ERROR_INIT;
		int k = next_record(buf + off, len - off, &r, &used, &e);

		er_clear(&e);
		if (k == 0)
			break;
		if (k < 0)
			continue;
		if (r.type != CMDS_REC_BASE && keep_seq(v, r.seq, before)) {
			out = xrealloc(out, *out_len + used);
			memcpy(out + *out_len, buf + off, used);
			*out_len += used;
		}
		cmds_rec_clear(&r);
	}
	return out;
}

static int write_replacement(struct journal *j, const char *buf, size_t len, struct er_error *err)
{
	_cleanup_close_ int fd =
		openat(j->dirfd, JOURNAL_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return er_set(err, errno, "create `%s/" JOURNAL_TMP "`", j->dir);
	if (write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		er_set(err, errno, "write `%s/" JOURNAL_TMP "`", j->dir);
		(void)unlinkat(j->dirfd, JOURNAL_TMP, 0);
		return -1;
	}
	if (renameat(j->dirfd, JOURNAL_TMP, j->dirfd, JOURNAL) < 0 || fsync(j->dirfd) < 0) {
		er_set(err, errno, "replace `%s/" JOURNAL "`", j->dir);
		(void)unlinkat(j->dirfd, JOURNAL_TMP, 0);
		return -1;
	}
	return 0;
}

int journal_purge(struct journal *j, uint64_t before, size_t *dropped, struct er_error *err)
{
	_cleanup_close_ int lk = lock(j, err);
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL, *out = NULL;
	struct journal_view v = {0};
	size_t len, out_len, kept = 0;
	int r = -1;

	if (lk < 0)
		return -1;
	fd = openat(j->dirfd, JOURNAL, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return er_set(err, errno, "open `%s/" JOURNAL "`", j->dir);
	buf = read_from(fd, 0, &len, err);
	if (!buf)
		return -1;
	view_parse(j, &v, buf, len);
	for (size_t i = 0; i < v.n; i++)
		kept += is_active(&v.e[i]) || (before && v.e[i].seq >= before);
	*dropped = v.n - kept;
	if (*dropped == 0 && !v.skipped) {
		r = 0;
		goto out;
	}
	out = purged_copy(&v, buf, len, before, &out_len);
	r = write_replacement(j, out, out_len, err);
out:
	journal_view_clear(&v);
	return r;
}
