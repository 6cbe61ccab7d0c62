/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers shared by every layer: memory, string vectors, files, numbers, time. */
#ifndef EDGERUN_COMMON_UTIL_H
#define EDGERUN_COMMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation failure aborts: there is nothing sensible a runtime can do without memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
void strv_free(char **v);
char **strv_dup(char *const *v);
void strv_push(char ***v, char *s); /* takes ownership of s */

bool str_has_prefix(const char *s, const char *prefix);

/* Lexical clean: no "//", "." or trailing "/"; ".." removes the previous component but
 * never climbs above the start ("/.." is "/", "a/../.." is ""). Absolute stays absolute. */
char *path_clean(const char *p);

/* Whole-file helpers. read_file_at returns a NUL-terminated buffer (length in *len if non-NULL).
 * write_file_at writes all bytes (O_WRONLY|O_TRUNC, creating with mode if O_CREAT given in flags). */
char *read_file_at(int dirfd, const char *path, size_t *len, struct er_error *err);
int write_file_at(int dirfd, const char *path, int flags, mode_t mode, const void *buf, size_t len,
		  struct er_error *err);
/* write(2)/read(2) loops that handle EINTR and short counts. */
ssize_t write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len);

/* mkdir -p on an absolute host path (not for paths inside a container rootfs: use pathrs). */
int mkdir_p(const char *path, mode_t mode, struct er_error *err);

/* Strict number parsing: whole string, no sign for unsigned, range checked. 0 or -1. */
int parse_u64(const char *s, uint64_t *out);
int parse_i64(const char *s, int64_t *out);

/* RFC 3339 UTC with nanoseconds, as runc writes `created`: 2026-11-28T19:32:36.123456789Z */
char *now_rfc3339(void);
struct timespec;
char *rfc3339_utc(const struct timespec *t); /* the same for T */

/* Start time of a process (field 22 of /proc/PID/stat, clock ticks since boot); 0 if gone. */
unsigned long long proc_start_time(pid_t pid);
/* The same, and the process's state letter (R, S, Z, ...) into *STATE when not NULL. */
unsigned long long proc_stat(pid_t pid, char *state);
/* Whether PID is the process that started at START (proc_start_time) and has neither exited
 * nor become a zombie: a look, without pinning it. */
bool proc_alive(pid_t pid, unsigned long long start);

#endif
