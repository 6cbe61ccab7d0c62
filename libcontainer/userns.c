/* SPDX-License-Identifier: Apache-2.0 */
/*
 * User and time namespace set-up written from outside the new namespace: id maps
 * (/proc/PID/{uid_map,setgroups,gid_map}) and time offsets (/proc/self/timens_offsets).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/internal.h"

char *userns_format_map(const struct spec_idmap *m, size_t n)
{
	char *out = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", out,
				       m[i].container_id, m[i].host_id, m[i].size);
		free(out);
		out = next;
	}
	return out;
}

/* The kernel takes a map in one write(2) only; a short write is an error. */
static int write_proc_file(const char *path, const char *text, struct er_error *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = strlen(text);
	ssize_t n;

	if (fd < 0)
		return er_set(err, errno, "open `%s`", path);
	n = write(fd, text, len);
	if (n < 0)
		return er_set(err, errno, "write `%s`", path);
	if ((size_t)n != len)
		return er_set(err, 0, "write `%s`: short write", path);
	return 0;
}

int userns_write_maps(pid_t pid, const struct spec_linux *l, bool deny_setgroups,
		      struct er_error *err)
{
	char path[64];

	if (l->n_uid_mappings) {
		_cleanup_free_ char *map = userns_format_map(l->uid_mappings, l->n_uid_mappings);

		snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
		if (write_proc_file(path, map, err) < 0)
			return er_prefix(err, "write uid mappings");
	}
	if (deny_setgroups) {
		snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
		/* Kernels before 3.19 have no such file and no such restriction. */
		if (write_proc_file(path, "deny", err) < 0 && err->errnum != ENOENT)
			return er_prefix(err, "deny setgroups");
		er_clear(err);
	}
	if (l->n_gid_mappings) {
		_cleanup_free_ char *map = userns_format_map(l->gid_mappings, l->n_gid_mappings);

		snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
		if (write_proc_file(path, map, err) < 0)
			return er_prefix(err, "write gid mappings");
	}
	return 0;
}

char *timens_format_offsets(const struct spec_linux *l)
{
	char *out = xstrdup("");

	if (l && l->time_monotonic.present) {
		char *next = xasprintf("%smonotonic %" PRId64 " %" PRIu32 "\n", out,
				       l->time_monotonic.secs, l->time_monotonic.nanosecs);
		free(out);
		out = next;
	}
	if (l && l->time_boottime.present) {
		char *next = xasprintf("%sboottime %" PRId64 " %" PRIu32 "\n", out,
				       l->time_boottime.secs, l->time_boottime.nanosecs);
		free(out);
		out = next;
	}
	return out;
}

int timens_write_offsets(const struct spec_linux *l, struct er_error *err)
{
	_cleanup_free_ char *text = timens_format_offsets(l);

	if (!*text)
		return 0;
	if (write_proc_file("/proc/self/timens_offsets", text, err) < 0)
		return er_prefix(err, "set time namespace offsets");
	return 0;
}

int userns_setgroups_allowed(void)
{
	char buf[16] = "";
	_cleanup_close_ int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	return strncmp(buf, "deny", 4) != 0;
}
