/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's cgroup in the lifecycle (container.h): created with the container, used by
 * kill --all, delete, state (paused), and by pause, resume, update, ps and events. The
 * cgroup itself is libcontainer/cgroup/'s; this file only ties it to ROOT/ID's state.
 *
 *   create   cgroup_create -> state.cgroup_path (+ state.resources_json) -> the init is
 *            cloned into it / moved there before GO (process.c)
 *   state    created/running + frozen cgroup = paused
 *   delete   cgroup_kill_all(SIGKILL) (thaws), init reaped, cgroup_destroy
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/cgroup/cgroup.h"
#include "libcontainer/container.h"
#include "libcontainer/internal.h"

extern char **environ;

struct er_oom {
	struct cgroup_oom *o;
};

struct cgroup *container_cgroup(struct er_container *c, struct er_error *err)
{
	if (c->cg)
		return c->cg;
	if (!c->state.cgroup_path || !c->state.cgroup_path[0]) {
		er_set(err, 0, "container `%s` has no cgroup", c->id);
		return NULL;
	}
	c->cg = cgroup_load(c->state.cgroup_path, err);
	return c->cg;
}

void container_cgroup_free(struct er_container *c)
{
	cgroup_free(c->cg);
	c->cg = NULL;
	if (c->resources) {
		spec_resources_clear(c->resources);
		free(c->resources);
		c->resources = NULL;
	}
}

/* Any limit besides the device list (which every default config carries). */
static bool limits_requested(const struct spec_resources *r)
{
	return r->has_mem_limit || r->has_mem_reservation || r->has_mem_swap || r->has_cpu_shares ||
	       r->has_cpu_quota || r->has_cpu_period || r->cpu_cpus || r->cpu_mems ||
	       r->has_pids_limit || r->has_blkio_weight || r->n_blkio_weight_devices ||
	       r->n_throttle_read_bps || r->n_throttle_write_bps || r->n_throttle_read_iops ||
	       r->n_throttle_write_iops || r->n_hugepage_limits || r->n_unified || r->n_rdma;
}

int container_cgroup_create(struct er_container *c, const struct spec *spec, struct er_error *err)
{
	const struct spec_linux *l = spec->linux_;

	if (cgroup_mode() == CGROUP_UNAVAILABLE) {
		if (l && l->has_resources && limits_requested(&l->resources))
			return er_set(
				err, 0,
				"linux.resources: no cgroup filesystem is mounted on this host");
		er_debug("no cgroup filesystem: container %s runs without a cgroup", c->id);
		return 0;
	}
	c->cg = cgroup_create(&(struct cgroup_config){.id = c->id, .linux_ = l}, err);
	if (!c->cg)
		return -1;
	c->state.cgroup_path = xstrdup(cgroup_saved(c->cg));
	if (l && l->has_resources)
		c->state.resources_json = spec_resources_to_json(&l->resources);
	return 0;
}

/* The OOM kills counted in the container's memory cgroup (v1 memory.oom_control, v2
 * memory.events); 0 when unknown. */
static uint64_t oom_kills(struct cgroup *cg)
{
	static const char *const files[] = {"memory.events", "memory.oom_control"};
	const char *dir = cgroup_dir(cg, "memory");
	uint64_t n = 0;

	for (size_t i = 0; dir && i < ARRAY_SIZE(files) && !n; i++) {
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, files[i]);
		_cleanup_free_ char *text = read_file_at(AT_FDCWD, path, NULL, NULL);
		const char *line = text ? strstr(text, "oom_kill ") : NULL;

		if (line && (line == text || line[-1] == '\n'))
			n = strtoull(line + strlen("oom_kill "), NULL, 10);
	}
	return n;
}

void container_cgroup_explain(struct er_container *c, const struct spec *spec, struct er_error *err)
{
	const struct spec_resources *r = spec->linux_ ? &spec->linux_->resources : NULL;

	if (!c->cg || !r || !r->has_mem_limit || !oom_kills(c->cg))
		return;
	er_prefix(err,
		  "linux.resources.memory.limit `%lld` is too small: the OOM killer killed the "
		  "container's init",
		  (long long)r->mem_limit);
}

void container_state_paused(struct er_state *st, struct cgroup **cg)
{
	struct er_error e = ER_ERROR_INIT;
	enum cgroup_freezer fs = CGROUP_FREEZER_UNDEFINED;

	if ((st->status != ST_RUNNING && st->status != ST_CREATED) || !st->cgroup_path)
		return;
	if (*cg ? cgroup_freezer_state(*cg, &fs, &e) == 0
		: cgroup_saved_freezer_state(st->cgroup_path, &fs, &e) == 0) {
		if (fs == CGROUP_FROZEN)
			st->status = ST_PAUSED;
	}
	if (e.msg)
		er_debug("container %s: freezer state: %s", st->id, e.msg);
	er_clear(&e);
}

void container_cgroup_refresh(struct er_container *c)
{
	container_state_paused(&c->state, &c->cg);
}

void container_cgroup_kill(struct er_container *c)
{
	struct er_error e = ER_ERROR_INIT;
	struct cgroup *cg;

	if (!c->state.cgroup_path)
		return;
	cg = container_cgroup(c, &e);
	if (!cg || cgroup_kill_all(cg, SIGKILL, &e) < 0)
		er_warn("container `%s`: kill the processes of its cgroup: %s", c->id, e.msg);
	er_clear(&e);
}

void container_cgroup_destroy(struct er_container *c)
{
	struct er_error e = ER_ERROR_INIT;
	struct cgroup *cg;

	if (!c->state.cgroup_path)
		return;
	cg = container_cgroup(c, &e);
	if (!cg || cgroup_destroy(cg, &e) < 0)
		er_warn("container `%s`: remove its cgroup: %s", c->id, e.msg);
	er_clear(&e);
}

/* ---------------- pause / resume ---------------- */

int er_container_pause(struct er_container *c, struct er_error *err)
{
	const struct er_state *st = er_container_state(c);
	struct cgroup *cg;

	if (st->status != ST_RUNNING && st->status != ST_CREATED)
		return er_set(err, 0, "container not running");
	cg = container_cgroup(c, err);
	if (!cg || cgroup_freeze(cg, true, err) < 0)
		return er_prefix(err, "pause container `%s`", c->id);
	c->state.status = ST_PAUSED;
	er_debug("container %s paused", c->id);
	return 0;
}

int er_container_resume(struct er_container *c, struct er_error *err)
{
	const struct er_state *st = er_container_state(c);
	struct cgroup *cg;

	if (st->status != ST_PAUSED)
		return er_set(err, 0, "container not paused");
	cg = container_cgroup(c, err);
	if (!cg || cgroup_freeze(cg, false, err) < 0)
		return er_prefix(err, "resume container `%s`", c->id);
	state_refresh(c->dirfd, &c->state);
	er_debug("container %s resumed", c->id);
	return 0;
}

/* ---------------- update ---------------- */

const struct spec_resources *er_container_resources(struct er_container *c, struct er_error *err)
{
	const char *json = c->state.resources_json;

	if (c->resources || !json)
		return c->resources;
	c->resources = xcalloc(1, sizeof(*c->resources));
	if (spec_resources_parse(json, strlen(json), "state.json resources", c->resources, err) <
	    0) {
		free(c->resources);
		c->resources = NULL;
	}
	return c->resources;
}

/* The fields to write: R, with the device rules completed by runc's defaults and, for the
 * v2 swap conversion (memory.swap.max = swap - limit), the saved memory limit. */
static void update_fields(const struct spec_resources *r, const struct spec_resources *cur,
			  struct spec_resources *out, struct spec_device_rule **rules)
{
	*out = *r;
	*rules = NULL;
	if (r->n_devices) {
		struct spec_linux l = {.has_resources = true, .resources = *r};

		*rules = cgroup_device_rules(&l, &out->n_devices);
		out->devices = *rules;
	}
	if (r->has_mem_swap && !r->has_mem_limit && cur && cur->has_mem_limit) {
		out->has_mem_limit = true;
		out->mem_limit = cur->mem_limit;
	}
}

int er_container_update(struct er_container *c, const struct spec_resources *r,
			struct er_error *err)
{
	const struct er_state *st = er_container_state(c);
	_cleanup_free_ struct spec_device_rule *rules = NULL;
	struct spec_resources apply, *merged;
	const struct spec_resources *cur;
	struct er_error e = ER_ERROR_INIT;
	struct cgroup *cg;

	if (st->status == ST_STOPPED)
		return er_set(err, 0, "container not running");
	cg = container_cgroup(c, err);
	if (!cg)
		return er_prefix(err, "update container `%s`", c->id);
	cur = er_container_resources(c, &e);
	if (e.msg)
		er_warn("container `%s`: %s", c->id, e.msg);
	er_clear(&e);
	update_fields(r, cur, &apply, &rules);
	if (cgroup_apply(cg, &apply, err) < 0)
		return er_prefix(err, "update container `%s`", c->id);
	if (!c->resources)
		c->resources = xcalloc(1, sizeof(*c->resources));
	merged = c->resources;
	spec_resources_merge(merged, r);
	free(c->state.resources_json);
	c->state.resources_json = spec_resources_to_json(merged);
	if (state_write(c->dirfd, &c->state, err) < 0)
		return er_prefix(err, "update container `%s`: save its state", c->id);
	er_debug("container %s: resources updated", c->id);
	return 0;
}

/* ---------------- ps / events ---------------- */

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int er_container_pids(struct er_container *c, pid_t **pids, size_t *n, struct er_error *err)
{
	const struct er_state *st = er_container_state(c);
	struct cgroup *cg;

	*pids = NULL;
	*n = 0;
	if (st->status == ST_STOPPED)
		return er_set(err, 0, "container not running");
	cg = container_cgroup(c, err);
	if (!cg || cgroup_pids(cg, true, pids, n, err) < 0)
		return er_prefix(err, "list the processes of container `%s`", c->id);
	qsort(*pids, *n, sizeof(**pids), cmp_pid);
	return 0;
}

int er_container_stats(struct er_container *c, struct er_stats *st, struct er_error *err)
{
	const struct er_state *s = er_container_state(c);
	struct cgroup *cg;

	memset(st, 0, sizeof(*st));
	if (s->status == ST_STOPPED)
		return er_set(err, 0, "container with id %s is not running", c->id);
	cg = container_cgroup(c, err);
	if (!cg || cgroup_stats(cg, st, err) < 0)
		return er_prefix(err, "statistics of container `%s`", c->id);
	return 0;
}

struct er_oom *er_container_oom_open(struct er_container *c, struct er_error *err)
{
	struct cgroup *cg = container_cgroup(c, err);
	struct cgroup_oom *o;
	struct er_oom *w;

	if (!cg)
		return NULL;
	o = cgroup_oom_open(cg, err);
	if (!o)
		return NULL;
	w = xcalloc(1, sizeof(*w));
	w->o = o;
	return w;
}

int er_container_oom_fd(const struct er_oom *o)
{
	return cgroup_oom_fd(o->o);
}

int er_container_oom_read(struct er_oom *o, uint64_t *count, bool *gone, struct er_error *err)
{
	return cgroup_oom_read(o->o, count, gone, err);
}

void er_container_oom_close(struct er_oom *o)
{
	if (!o)
		return;
	cgroup_oom_close(o->o);
	free(o);
}

/* Everything until EOF, NUL-terminated; NULL on a read error. */
static char *read_to_eof(int fd)
{
	size_t cap = 16384, len = 0;
	char *buf = xmalloc(cap);

	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (cap - len < 4096) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	buf[len] = '\0';
	return buf;
}

/* ps(1) with its stdout captured; stderr and stdin stay the caller's. */
int er_run_ps(char *const *args, char **out, struct er_error *err)
{
	static char *const def[] = {"-ef", NULL};
	_cleanup_strv_ char **argv = NULL;
	posix_spawn_file_actions_t fa;
	_cleanup_close_ int rd = -1;
	int fds[2], status, r;
	pid_t pid;

	*out = NULL;
	strv_push(&argv, xstrdup("ps"));
	for (char *const *a = args ? args : def; *a; a++)
		strv_push(&argv, xstrdup(*a));
	if (pipe2(fds, O_CLOEXEC) < 0)
		return er_set(err, errno, "pipe");
	rd = fds[0];
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	r = posix_spawnp(&pid, "ps", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r != 0)
		return er_set(err, r, "run `ps`");
	*out = read_to_eof(rd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!*out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(*out);
		*out = NULL;
		return er_set(err, 0, "ps %s: %s", argv[1] ? argv[1] : "",
			      WIFEXITED(status) ? "exit status non-zero" : "killed by a signal");
	}
	return 0;
}
