/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		abort();
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		abort();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		abort();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	char *p = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		abort();
	va_end(ap);
	return p;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void er_strv_freep(char ***strv)
{
	strv_free(*strv);
}

char **strv_dup(char *const *v)
{
	size_t n = strv_len(v);
	char **r;

	if (!v)
		return NULL;
	r = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

void strv_push(char ***v, char *s)
{
	size_t n = strv_len(*v);

	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = s;
	(*v)[n + 1] = NULL;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

char *path_clean(const char *p)
{
	bool abs = p[0] == '/';
	size_t top = abs ? 1 : 0, o = 0;
	char *out = xmalloc(strlen(p) + 2);

	if (abs)
		out[o++] = '/';
	for (const char *s = p; *s;) {
		size_t n;

		while (*s == '/')
			s++;
		n = strcspn(s, "/");
		if (n == 0)
			break;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > top && out[o - 1] != '/')
				o--;
			if (o > top)
				o--;
		} else if (n != 1 || s[0] != '.') {
			if (o > top)
				out[o++] = '/';
			memcpy(out + o, s, n);
			o += n;
		}
		s += n;
	}
	out[o] = '\0';
	return out;
}

ssize_t write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t r = write(fd, p + done, len - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)r;
	}
	return (ssize_t)done;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t r = read(fd, p + done, len - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

char *read_file_at(int dirfd, const char *path, size_t *len, struct er_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0) {
		er_set(err, errno, "open `%s`", path);
		return NULL;
	}
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			er_set(err, errno, "read `%s`", path);
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int write_file_at(int dirfd, const char *path, int flags, mode_t mode, const void *buf, size_t len,
		  struct er_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | flags, mode);

	if (fd < 0)
		return er_set(err, errno, "open `%s`", path);
	if (write_all(fd, buf, len) < 0)
		return er_set(err, errno, "write `%s`", path);
	return 0;
}

int mkdir_p(const char *path, mode_t mode, struct er_error *err)
{
	_cleanup_free_ char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return er_set(err, errno, "mkdir `%s`", p);
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return er_set(err, errno, "mkdir `%s`", p);
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s || *s == ' ' || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* Days since 1970-01-01 -> proleptic Gregorian year, month (1-12), day (1-31): the
 * era-based conversion (400-year cycles of 146097 days). */
static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	yoe = z - era * 146097;
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

char *rfc3339_utc(const struct timespec *t)
{
	long long days, secs, y;
	unsigned m, d;
	struct timespec ts = *t;

	/* not gmtime_r/strftime: glibc loads the time zone (/etc/localtime) for them, which
	 * UTC does not need */
	days = ts.tv_sec / 86400;
	secs = ts.tv_sec % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	return xasprintf("%04lld-%02u-%02uT%02lld:%02lld:%02lld.%09ldZ", y, m, d, secs / 3600,
			 secs / 60 % 60, secs % 60, ts.tv_nsec);
}

char *now_rfc3339(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return rfc3339_utc(&ts);
}

unsigned long long proc_start_time(pid_t pid)
{
	return proc_stat(pid, NULL);
}

bool proc_alive(pid_t pid, unsigned long long start)
{
	char state = 0;
	unsigned long long now;

	if (pid <= 0 || !start)
		return false;
	now = proc_stat(pid, &state);
	return now == start && state != 'Z' && state != 'X' && state != 'x';
}

unsigned long long proc_stat(pid_t pid, char *state)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p;
	unsigned long long st = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read_all(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may contain spaces and parens: fields start after the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* after ") " come field 3 (state), field 4 ...; starttime is field 22 */
	p++;
	for (int field = 3; field <= 22; field++) {
		while (*p == ' ')
			p++;
		if (!*p)
			return 0;
		if (field == 3 && state)
			*state = *p;
		if (field == 22)
			break;
		p = strchr(p, ' ');
		if (!p)
			return 0;
	}
	if (sscanf(p, "%llu", &st) != 1)
		return 0;
	return st;
}
