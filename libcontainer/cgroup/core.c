/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup core: mode detection, hierarchies and which controller each one serves, path
 * resolution as runc's cgroupfs driver does it, create / load / destroy, joining, listing
 * and signalling processes, and the dispatch of resources and the freezer to the ops table
 * of the version that serves each controller (v1.c, v2.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "libcontainer/cgroup/cgroup_internal.h"

/* ---------------- controllers ---------------- */

static const struct {
	const char *v1, *v2;
} ctrl_names[CG__MAX] = {
	[CG_CPU] = {"cpu", "cpu"},
	[CG_CPUACCT] = {"cpuacct", NULL},
	[CG_CPUSET] = {"cpuset", "cpuset"},
	[CG_MEMORY] = {"memory", "memory"},
	[CG_DEVICES] = {"devices", "devices"},
	[CG_FREEZER] = {"freezer", "freezer"},
	[CG_BLKIO] = {"blkio", "io"},
	[CG_PIDS] = {"pids", "pids"},
	[CG_HUGETLB] = {"hugetlb", "hugetlb"},
	[CG_NET_CLS] = {"net_cls", NULL},
	[CG_NET_PRIO] = {"net_prio", NULL},
	[CG_PERF_EVENT] = {"perf_event", NULL},
	[CG_RDMA] = {"rdma", "rdma"},
	[CG_MISC] = {"misc", "misc"},
};

const char *cg_ctrl_name(enum cg_ctrl c, bool v2)
{
	if ((unsigned)c >= CG__MAX)
		return NULL;
	return v2 ? ctrl_names[c].v2 : ctrl_names[c].v1;
}

int cg_ctrl_from_name(const char *name, bool v2)
{
	for (int c = 0; c < CG__MAX; c++) {
		const char *n = v2 ? ctrl_names[c].v2 : ctrl_names[c].v1;

		if (n && strcmp(n, name) == 0)
			return c;
	}
	return -1;
}

/* ---------------- what is mounted (once per process) ---------------- */

struct cg_mount {
	char *key;  /* controllers as /proc/self/cgroup prints them, "" for cgroup2 */
	char *mnt;  /* mount point */
	char *root; /* root of the mount inside the hierarchy */
	char *own;  /* the caller's cgroup in this hierarchy */
	bool v2;
	uint32_t ctl;
};

static struct {
	bool done;
	enum cgroup_mode mode;
	struct cg_mount *m;
	size_t n;
} sys;

__attribute__((destructor)) static void sys_free(void)
{
	for (size_t i = 0; i < sys.n; i++) {
		free(sys.m[i].key);
		free(sys.m[i].mnt);
		free(sys.m[i].root);
		free(sys.m[i].own);
	}
	free(sys.m);
	sys.m = NULL;
	sys.n = 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static char *unescape(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* Tokens that identify a v1 hierarchy: controller names and name=X. Mount options ("rw",
 * "xattr", "clone_children", "release_agent=...") and controllers unknown here do not. */
static bool token_counts(const char *t, size_t n)
{
	if (n > 5 && strncmp(t, "name=", 5) == 0)
		return true;
	for (int c = 0; c < CG__MAX; c++)
		if (ctrl_names[c].v1 && strlen(ctrl_names[c].v1) == n &&
		    strncmp(t, ctrl_names[c].v1, n) == 0)
			return true;
	return false;
}

static bool has_token(const char *list, const char *t, size_t n)
{
	for (const char *s = list; *s;) {
		size_t len = strcspn(s, ",");

		if (len == n && strncmp(s, t, n) == 0)
			return true;
		s += len + (s[len] == ',');
	}
	return false;
}

/* Same hierarchy? Every counting token of A is in B and the other way round. */
static bool same_set(const char *a, const char *b)
{
	for (int pass = 0; pass < 2; pass++) {
		const char *x = pass ? b : a, *y = pass ? a : b;

		for (const char *s = x; *s;) {
			size_t len = strcspn(s, ",");

			if (token_counts(s, len) && !has_token(y, s, len))
				return false;
			s += len + (s[len] == ',');
		}
	}
	return true;
}

/* The hierarchy's line of /proc/self/cgroup (its TEXT): controllers ("" for cgroup2) and
 * path. */
static int own_cgroup(const char *text, bool v2, const char *superopts, char **key, char **path)
{
	for (const char *l = text; l && *l;) {
		size_t len = strcspn(l, "\n");
		_cleanup_free_ char *line = xstrndup(l, len);
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		l += len + (l[len] == '\n');
		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		if (v2 ? (strcmp(line, "0") == 0 && !c1[1])
		       : (c1[1] && same_set(c1 + 1, superopts))) {
			*key = xstrdup(c1 + 1);
			*path = xstrdup(c2 + 1);
			return 0;
		}
	}
	return -1;
}

static uint32_t v1_mask(const char *key)
{
	uint32_t m = 0;

	for (int c = 0; c < CG__MAX; c++)
		if (ctrl_names[c].v1 && has_token(key, ctrl_names[c].v1, strlen(ctrl_names[c].v1)))
			m |= 1u << c;
	return m;
}

static void add_mount(const char *self_cgroup, const char *mnt, const char *root,
		      const char *fstype, const char *opts)
{
	bool v2 = strcmp(fstype, "cgroup2") == 0;
	struct cg_mount m = {0};

	if (own_cgroup(self_cgroup, v2, opts, &m.key, &m.own) < 0)
		return;
	for (size_t i = 0; i < sys.n; i++) {
		if (sys.m[i].v2 == v2 && strcmp(sys.m[i].key, m.key) == 0) {
			/* the same hierarchy again (a bind mount, or cgroup2 mounted over the
			 * v1 tmpfs): prefer /sys/fs/cgroup itself, then anything below it */
			if (strcmp(sys.m[i].mnt, "/sys/fs/cgroup") != 0 &&
			    (strcmp(mnt, "/sys/fs/cgroup") == 0 ||
			     (!str_has_prefix(sys.m[i].mnt, "/sys/fs/cgroup/") &&
			      str_has_prefix(mnt, "/sys/fs/cgroup/")))) {
				free(sys.m[i].mnt);
				free(sys.m[i].root);
				sys.m[i].mnt = xstrdup(mnt);
				sys.m[i].root = xstrdup(root);
			}
			free(m.key);
			free(m.own);
			return;
		}
	}
	m.v2 = v2;
	m.mnt = xstrdup(mnt);
	m.root = xstrdup(root);
	m.ctl = v2 ? 0 : v1_mask(m.key);
	/* v1: the known controllers, name=systemd and misc, as runc joins them */
	if (!v2 && !m.ctl && strcmp(m.key, "name=systemd") != 0) {
		free(m.key);
		free(m.own);
		free(m.mnt);
		free(m.root);
		return;
	}
	sys.m = xrealloc(sys.m, (sys.n + 1) * sizeof(*sys.m));
	sys.m[sys.n++] = m;
}

static void parse_mountinfo(void)
{
	_cleanup_free_ char *text = read_file_at(AT_FDCWD, "/proc/self/mountinfo", NULL, NULL);
	_cleanup_free_ char *self_cgroup = NULL;

	for (const char *l = text; l && *l;) {
		size_t len = strcspn(l, "\n");
		_cleanup_free_ char *line = xstrndup(l, len);
		char *f[6] = {0}, *save = NULL, *dash, *fstype, *src, *opts;
		_cleanup_free_ char *mnt = NULL, *root = NULL;
		int i = 0;

		l += len + (l[len] == '\n');
		dash = strstr(line, " - ");
		if (!dash)
			continue;
		*dash = '\0';
		for (char *t = strtok_r(line, " ", &save); t && i < 6;
		     t = strtok_r(NULL, " ", &save))
			f[i++] = t;
		save = NULL;
		fstype = strtok_r(dash + 3, " ", &save);
		src = fstype ? strtok_r(NULL, " ", &save) : NULL;
		opts = src ? strtok_r(NULL, " ", &save) : NULL;
		if (i < 5 || !opts)
			continue;
		if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
			continue;
		root = unescape(f[3]);
		mnt = unescape(f[4]);
		/* read once, when the first cgroup mount shows up */
		if (!self_cgroup)
			self_cgroup = read_file_at(AT_FDCWD, "/proc/self/cgroup", NULL, NULL);
		add_mount(self_cgroup, mnt, root, fstype, opts);
	}
}

static struct cg_mount *find_v2_mount(void)
{
	struct cg_mount *best = NULL;

	for (size_t i = 0; i < sys.n; i++) {
		if (!sys.m[i].v2)
			continue;
		if (!best || strcmp(sys.m[i].mnt, "/sys/fs/cgroup") == 0 ||
		    strcmp(sys.m[i].mnt, "/sys/fs/cgroup/unified") == 0)
			best = &sys.m[i];
	}
	return best;
}

/* Binds to the cgroup2 tree the controllers it offers that no v1 hierarchy serves; the
 * built-in freezer and device filter too when v1 has none. */
static void bind_v2(struct cg_mount *v2, uint32_t v1_bound)
{
	_cleanup_free_ char *path = xasprintf("%s/cgroup.controllers", v2->mnt);
	_cleanup_free_ char *avail = read_file_at(AT_FDCWD, path, NULL, NULL);
	char *save = NULL;

	for (char *t = avail ? strtok_r(avail, " \n", &save) : NULL; t;
	     t = strtok_r(NULL, " \n", &save)) {
		int c = cg_ctrl_from_name(t, true);

		if (c >= 0)
			v2->ctl |= 1u << c;
	}
	v2->ctl |= (1u << CG_FREEZER) | (1u << CG_DEVICES);
	v2->ctl &= ~v1_bound;
}

static void mount_free(struct cg_mount *m)
{
	free(m->key);
	free(m->mnt);
	free(m->root);
	free(m->own);
}

static void detect(void)
{
	struct cg_mount *v2, *keep;
	uint32_t v1_bound = 0;
	size_t n = 0;

	if (sys.done)
		return;
	sys.done = true;
	parse_mountinfo();
	v2 = find_v2_mount();
	for (size_t i = 0; i < sys.n; i++)
		if (!sys.m[i].v2)
			v1_bound |= sys.m[i].ctl;
	if (v2 && (strcmp(v2->mnt, "/sys/fs/cgroup") == 0 || !v1_bound))
		sys.mode = CGROUP_V2;
	else if (v1_bound)
		sys.mode = v2 ? CGROUP_HYBRID : CGROUP_V1;
	else
		sys.mode = CGROUP_UNAVAILABLE;
	/* keep what the mode uses: the v1 hierarchies, then the cgroup2 tree */
	keep = xcalloc(sys.n + 1, sizeof(*keep));
	for (size_t i = 0; i < sys.n; i++) {
		if (!sys.m[i].v2 && sys.mode != CGROUP_V2)
			keep[n++] = sys.m[i];
		else if (&sys.m[i] != v2 || sys.mode == CGROUP_UNAVAILABLE)
			mount_free(&sys.m[i]);
	}
	if (v2 && (sys.mode == CGROUP_V2 || sys.mode == CGROUP_HYBRID)) {
		keep[n] = *v2;
		bind_v2(&keep[n++], sys.mode == CGROUP_V2 ? 0 : v1_bound);
	} else if (v2) {
		mount_free(v2);
	}
	free(sys.m);
	sys.m = keep;
	sys.n = n;
	er_debug("cgroup mode: %s", cgroup_mode_name(sys.mode));
}

enum cgroup_mode cgroup_mode(void)
{
	detect();
	return sys.mode;
}

const char *cgroup_mode_name(enum cgroup_mode m)
{
	switch (m) {
	case CGROUP_V1:
		return "v1";
	case CGROUP_V2:
		return "v2";
	case CGROUP_HYBRID:
		return "hybrid";
	default:
		return "none";
	}
}

/* ---------------- the handle ---------------- */

void cgroup_free(struct cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];

		if (h->fd >= 0)
			close(h->fd);
		free(h->key);
		free(h->mnt);
		free(h->rel);
		free(h->dir);
	}
	free(cg->h);
	free(cg->saved);
	free(cg);
}

/* mnt + the part of rel below the mount's root. */
static char *dir_of(const struct cg_mount *m, const char *rel, struct er_error *err)
{
	size_t rl = strlen(m->root);

	if (strcmp(m->root, "/") == 0)
		return xasprintf("%s%s", m->mnt, rel);
	if (strncmp(rel, m->root, rl) == 0 && (rel[rl] == '/' || !rel[rl]))
		return xasprintf("%s%s", m->mnt, rel + rl);
	er_set(err, 0, "cgroup `%s` is outside the mount `%s` of its hierarchy", rel, m->mnt);
	return NULL;
}

static int open_dir(const char *dir)
{
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void bind(struct cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];

		for (int c = 0; c < CG__MAX; c++)
			if ((h->ctl & (1u << c)) && !cg->by_ctrl[c])
				cg->by_ctrl[c] = h;
		if (h->v2)
			cg->v2 = h;
	}
}

static void make_saved(struct cgroup *cg)
{
	size_t len = 1;

	for (size_t i = 0; i < cg->n; i++)
		len += strlen(cg->h[i].key) + strlen(cg->h[i].rel) + 2;
	cg->saved = xcalloc(1, len);
	for (size_t i = 0, o = 0; i < cg->n; i++)
		o += (size_t)snprintf(cg->saved + o, len - o, "%s:%s\n", cg->h[i].key,
				      cg->h[i].rel);
}

static struct cg_hier *add_hier(struct cgroup *cg, const struct cg_mount *m, char *rel,
				struct er_error *err)
{
	struct cg_hier *h;
	char *dir = dir_of(m, rel, err);

	if (!dir) {
		free(rel);
		return NULL;
	}
	cg->h = xrealloc(cg->h, (cg->n + 1) * sizeof(*cg->h));
	h = &cg->h[cg->n++];
	*h = (struct cg_hier){.key = xstrdup(m->key),
			      .mnt = xstrdup(m->mnt),
			      .rel = rel,
			      .dir = dir,
			      .fd = -1,
			      .v2 = m->v2,
			      .ctl = m->ctl};
	return h;
}

static struct cgroup *handle_new(struct er_error *err)
{
	struct cgroup *cg;

	detect();
	if (sys.mode == CGROUP_UNAVAILABLE) {
		er_set(err, 0, "no cgroup filesystem is mounted");
		return NULL;
	}
	cg = xcalloc(1, sizeof(*cg));
	cg->mode = sys.mode;
	return cg;
}

struct cgroup *cgroup_load(const char *saved, struct er_error *err)
{
	_cleanup_cgroup_ struct cgroup *cg = handle_new(err);

	if (!cg)
		return NULL;
	for (const char *l = saved; l && *l;) {
		size_t len = strcspn(l, "\n");
		_cleanup_free_ char *line = xstrndup(l, len);
		char *colon = strchr(line, ':'); /* controller names hold no ':' */
		const struct cg_mount *m = NULL;

		l += len + (l[len] == '\n');
		if (!*line)
			continue;
		if (!colon || colon[1] != '/') {
			er_set(err, 0, "invalid saved cgroup `%s`", line);
			return NULL;
		}
		*colon = '\0';
		for (size_t i = 0; i < sys.n && !m; i++)
			if ((sys.m[i].v2 && !*line) ||
			    (!sys.m[i].v2 && *line && strcmp(sys.m[i].key, line) == 0))
				m = &sys.m[i];
		if (!m) {
			er_debug("cgroup hierarchy `%s` is not mounted any more", line);
			continue;
		}
		if (!add_hier(cg, m, xstrdup(colon + 1), err))
			return NULL;
	}
	if (!cg->n) {
		er_set(err, 0, "no cgroup in `%s`", saved ? saved : "");
		return NULL;
	}
	for (size_t i = 0; i < cg->n; i++)
		cg->h[i].fd = open_dir(cg->h[i].dir);
	bind(cg);
	make_saved(cg);
	return TAKE_PTR(cg);
}

int cgroup_saved_freezer_state(const char *saved, enum cgroup_freezer *st, struct er_error *err)
{
	_cleanup_free_ char *one = NULL;
	_cleanup_cgroup_ struct cgroup *cg = NULL;

	for (const char *l = saved; l && *l;) {
		size_t len = strcspn(l, "\n"), klen = strcspn(l, ":\n");
		_cleanup_free_ char *key = xstrndup(l, klen);

		if (klen < len && ((klen == 0 && !one) || has_token(key, "freezer", 7))) {
			free(one);
			one = xstrndup(l, len);
			if (klen)
				break; /* the v1 freezer wins over the cgroup2 line */
		}
		l += len + (l[len] == '\n');
	}
	cg = cgroup_load(one ? one : saved, err);
	if (!cg)
		return -1;
	return cgroup_freezer_state(cg, st, err);
}

const char *cgroup_saved(const struct cgroup *cg)
{
	return cg->saved;
}

enum cgroup_mode cgroup_handle_mode(const struct cgroup *cg)
{
	return cg->mode;
}

const char *cgroup_dir(const struct cgroup *cg, const char *controller)
{
	int c;

	if (!*controller)
		return cg->v2 ? cg->v2->dir : NULL;
	c = cg_ctrl_from_name(controller, false);
	if (c < 0)
		c = cg_ctrl_from_name(controller, true);
	if (c < 0 || !cg->by_ctrl[c])
		return NULL;
	return cg->by_ctrl[c]->dir;
}

int cgroup_clone_fd(const struct cgroup *cg)
{
	return cg->mode == CGROUP_V2 && cg->v2 ? cg->v2->fd : -1;
}

/* ---------------- file helpers ---------------- */

int cg_write_fd(int dirfd, const char *dir, const char *file, const char *value, const char *what,
		struct er_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return er_set(err, errno, "%s: open `%s/%s`", what, dir, file);
	do
		n = write(fd, value, len); /* one write: cgroup files take the value whole */
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len)
		return er_set(err, n < 0 ? errno : EIO, "%s: write `%s` to `%s/%s`", what, value,
			      dir, file);
	return 0;
}

/* cpuset.cpus and cpuset.mems: the same files and values on v1 and v2. */
int cg_write_cpuset(const struct cg_hier *h, const struct spec_resources *r, struct er_error *err)
{
	if (r->cpu_cpus && *r->cpu_cpus &&
	    cg_write(h, "cpuset.cpus", r->cpu_cpus, "linux.resources.cpu.cpus", err) < 0)
		return -1;
	if (r->cpu_mems && *r->cpu_mems &&
	    cg_write(h, "cpuset.mems", r->cpu_mems, "linux.resources.cpu.mems", err) < 0)
		return -1;
	return 0;
}

int cg_write(const struct cg_hier *h, const char *file, const char *value, const char *what,
	     struct er_error *err)
{
	if (h->fd < 0)
		return er_set(err, ENOENT, "%s: cgroup `%s`", what, h->dir);
	return cg_write_fd(h->fd, h->dir, file, value, what, err);
}

char *cg_read(const struct cg_hier *h, const char *file, struct er_error *err)
{
	struct er_error e = ER_ERROR_INIT;
	char *s;
	size_t len;

	if (h->fd < 0) {
		er_set(err, ENOENT, "read `%s/%s`", h->dir, file);
		return NULL;
	}
	s = read_file_at(h->fd, file, &len, &e);
	if (!s) {
		er_set(err, e.errnum, "read `%s/%s`", h->dir, file);
		er_clear(&e);
		return NULL;
	}
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		s[--len] = '\0';
	return s;
}

int cg_read_u64(const struct cg_hier *h, const char *file, uint64_t *v, struct er_error *err)
{
	_cleanup_free_ char *s = cg_read(h, file, err);

	if (!s)
		return -1;
	if (strcmp(s, "max") == 0) {
		*v = UINT64_MAX;
		return 0;
	}
	if (parse_u64(s, v) < 0)
		return er_set(err, EINVAL, "read `%s/%s`: not a number: `%s`", h->dir, file, s);
	return 0;
}

int cg_read_key(const struct cg_hier *h, const char *file, const char *key, uint64_t *v)
{
	_cleanup_free_ char *s = cg_read(h, file, NULL);
	size_t kl = strlen(key);

	for (const char *l = s; l && *l;) {
		size_t len = strcspn(l, "\n");

		if (len > kl && strncmp(l, key, kl) == 0 && l[kl] == ' ') {
			_cleanup_free_ char *num = xstrndup(l + kl + 1, len - kl - 1);

			return parse_u64(num, v);
		}
		l += len + (l[len] == '\n');
	}
	return -1;
}

bool cg_has(const struct cg_hier *h, const char *file)
{
	return h->fd >= 0 && faccessat(h->fd, file, F_OK, 0) == 0;
}

static bool listed(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *s = list; s && *s;) {
		size_t len = strcspn(s, " \n");

		if (len == n && strncmp(s, word, n) == 0)
			return true;
		s += len;
		s += strspn(s, " \n");
	}
	return false;
}

int cg_v2_enable(struct cg_hier *h, const char *ctrl, struct er_error *err)
{
	_cleanup_free_ char *mine = cg_read(h, "cgroup.controllers", NULL);
	_cleanup_free_ char *cur = NULL, *value = xasprintf("+%s", ctrl);
	const char *rest = h->dir + strlen(h->mnt);

	if (listed(mine, ctrl))
		return 0;
	cur = xstrdup(h->mnt);
	/* from the root of the tree down to the parent of the container's cgroup */
	while (*rest) {
		_cleanup_free_ char *avail = NULL, *path = xasprintf("%s/cgroup.controllers", cur);
		_cleanup_close_ int fd = open_dir(cur);
		size_t skip = strspn(rest, "/"), n = strcspn(rest + skip, "/");
		char *next;

		avail = read_file_at(AT_FDCWD, path, NULL, NULL);
		if (!listed(avail, ctrl))
			return er_set(err, 0, "cgroup2 controller `%s` is not available in `%s`",
				      ctrl, cur);
		if (fd < 0 || cg_write_fd(fd, cur, "cgroup.subtree_control", value,
					  "enable the controller", err) < 0)
			return fd < 0 ? er_set(err, errno, "open `%s`", cur) : -1;
		next = xasprintf("%s/%.*s", cur, (int)n, rest + skip);
		free(cur);
		cur = next;
		rest += skip + n;
		if (!*rest || strcmp(cur, h->dir) == 0)
			break;
	}
	return 0;
}

/* ---------------- processes ---------------- */

static void read_procs(int dirfd, pid_t **v, size_t *n)
{
	_cleanup_free_ char *s = read_file_at(dirfd, "cgroup.procs", NULL, NULL);

	for (const char *l = s; l && *l;) {
		size_t len = strcspn(l, "\n");
		_cleanup_free_ char *num = xstrndup(l, len);
		uint64_t p;

		l += len + (l[len] == '\n');
		if (parse_u64(num, &p) < 0 || p == 0 || p > INT32_MAX)
			continue;
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = (pid_t)p;
	}
}

static void walk_procs(int dirfd, bool recursive, int depth, pid_t **v, size_t *n)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd;

	read_procs(dirfd, v, n);
	if (!recursive || depth > 64)
		return;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		_cleanup_close_ int sub = -1;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub >= 0)
			walk_procs(sub, true, depth + 1, v, n);
	}
}

/* The hierarchy whose cgroup.procs lists the container's processes. */
static struct cg_hier *primary(const struct cgroup *cg)
{
	static const enum cg_ctrl order[] = {CG_DEVICES, CG_FREEZER, CG_PIDS, CG_MEMORY, CG_CPU};

	if (cg->mode == CGROUP_V2)
		return cg->v2;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		if (cg->by_ctrl[order[i]] && !cg->by_ctrl[order[i]]->v2)
			return cg->by_ctrl[order[i]];
	return cg->n ? &cg->h[0] : NULL;
}

int cgroup_pids(struct cgroup *cg, bool recursive, pid_t **pids, size_t *n, struct er_error *err)
{
	struct cg_hier *h = primary(cg);

	(void)err;
	*pids = NULL;
	*n = 0;
	if (h && h->fd >= 0)
		walk_procs(h->fd, recursive, 0, pids, n);
	return 0;
}

bool cg_populated(const struct cg_hier *h)
{
	_cleanup_free_ pid_t *v = NULL;
	size_t n = 0;

	if (h->fd >= 0)
		walk_procs(h->fd, true, 0, &v, &n);
	return n > 0;
}

static int valid_sub(const char *sub)
{
	if (!*sub || sub[0] == '/' || strchr(sub, '\n'))
		return -1;
	for (const char *s = sub; *s;) {
		size_t n = strcspn(s, "/");

		if (n == 2 && s[0] == '.' && s[1] == '.')
			return -1;
		s += n + (s[n] == '/');
	}
	return 0;
}

static int write_pid(int dirfd, const char *dir, pid_t pid, struct er_error *err)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (int i = 0;; i++) {
		struct er_error e = ER_ERROR_INIT;

		if (cg_write_fd(dirfd, dir, "cgroup.procs", buf, "join the cgroup", &e) == 0)
			return 0;
		/* EINVAL: the task may still be TASK_NEW; runc retries the same way */
		if (e.errnum != EINVAL || i == 4) {
			er_set(err, e.errnum, "%s", e.msg);
			er_clear(&e);
			return -1;
		}
		er_clear(&e);
		nanosleep(&(struct timespec){0, 30 * 1000 * 1000}, NULL);
	}
}

int cgroup_add_pid(struct cgroup *cg, pid_t pid, const char *sub, struct er_error *err)
{
	bool used_sub = false;

	if (sub && valid_sub(sub) < 0)
		return er_set(err, 0, "invalid sub-cgroup `%s`: relative, without `..`", sub);
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		_cleanup_close_ int subfd = -1;
		_cleanup_free_ char *subdir = NULL;

		if (h->fd < 0)
			return er_set(err, ENOENT, "join the cgroup: `%s`", h->dir);
		if (sub && (subfd = openat(h->fd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			subdir = xasprintf("%s/%s", h->dir, sub);
			used_sub = true;
		}
		if (write_pid(subfd >= 0 ? subfd : h->fd, subdir ? subdir : h->dir, pid, err) < 0)
			return -1;
	}
	if (sub && !used_sub)
		return er_set(err, ENOENT, "sub-cgroup `%s` does not exist", sub);
	return 0;
}

/* ---------------- freezer ---------------- */

int cgroup_freeze(struct cgroup *cg, bool frozen, struct er_error *err)
{
	struct cg_hier *h = cg->by_ctrl[CG_FREEZER];

	if (!h)
		return er_set(err, 0, "no freezer cgroup on this host");
	if (h->fd < 0)
		return er_set(err, ENOENT, "freezer cgroup `%s`", h->dir);
	return cg_ops_of(h)->freeze(h, frozen, err);
}

int cgroup_freezer_state(struct cgroup *cg, enum cgroup_freezer *st, struct er_error *err)
{
	struct cg_hier *h = cg->by_ctrl[CG_FREEZER];

	*st = CGROUP_FREEZER_UNDEFINED;
	if (!h || h->fd < 0)
		return 0;
	return cg_ops_of(h)->freezer_state(h, st, err);
}

/* ---------------- kill ---------------- */

static void signal_all(struct cgroup *cg, int sig, size_t *count)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;

	cgroup_pids(cg, true, &pids, &n, NULL);
	for (size_t i = 0; i < n; i++) {
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			er_debug("kill %d: %s", (int)pids[i], er_strerror(errno));
	}
	*count += n;
}

int cgroup_kill_all(struct cgroup *cg, int sig, struct er_error *err)
{
	struct cg_hier *fz = cg->by_ctrl[CG_FREEZER];
	enum cgroup_freezer before = CGROUP_FREEZER_UNDEFINED;
	bool froze = false;
	size_t count = 0;

	if (sig == SIGKILL && cg->v2 && cg_has(cg->v2, "cgroup.kill")) {
		if (cg_write(cg->v2, "cgroup.kill", "1", "kill the container's processes", err) < 0)
			return -1;
		er_debug("cgroup.kill written in `%s`", cg->v2->dir);
		if (cg->mode == CGROUP_V2)
			return 0;
		/* hybrid: someone may have moved a process out of the cgroup2 tree */
	}
	/* freeze first so that nothing forks away between listing and signalling; an empty
	 * cgroup is not frozen: nothing in it can fork, and a v1 freeze/thaw costs milliseconds
	 * (it flips kernel static keys), which every `run` and `delete` would pay */
	if (fz && fz->fd >= 0 && cg_populated(fz)) {
		struct er_error e = ER_ERROR_INIT;

		cgroup_freezer_state(cg, &before, NULL);
		if (cgroup_freeze(cg, true, &e) == 0)
			froze = true;
		else
			er_debug("kill: cannot freeze first: %s", e.msg);
		er_clear(&e);
	}
	signal_all(cg, sig, &count);
	/* a frozen process only dies of SIGKILL once thawed; other signals wait for resume */
	if (froze && (before != CGROUP_FROZEN || sig == SIGKILL)) {
		struct er_error e = ER_ERROR_INIT;

		if (cgroup_freeze(cg, false, &e) < 0) {
			er_set(err, e.errnum, "kill: thaw again: %s", e.msg);
			er_clear(&e);
			return -1;
		}
	}
	er_debug("signal %d sent to %zu processes", sig, count);
	return 0;
}

/* ---------------- create / destroy ---------------- */

static int rmdir_retry(int parentfd, const char *name, const char *shown, struct er_error *err)
{
	long delay_ms = 10;

	for (int i = 0;; i++) {
		if (unlinkat(parentfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || i == 7)
			return er_set(err, errno, "remove cgroup `%s`", shown);
		nanosleep(&(struct timespec){0, delay_ms * 1000 * 1000}, NULL);
		delay_ms *= 2;
	}
}

static int remove_children(int fd, const char *path, int depth, struct er_error *err)
{
	_cleanup_closedir_ DIR *d = NULL;
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	int ret = 0;

	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return errno == ENOENT ? 0 : er_set(err, errno, "list `%s`", path);
	}
	if (depth > 64)
		return er_set(err, ELOOP, "remove cgroup `%s`: too deep", path);
	while ((de = readdir(d))) {
		_cleanup_close_ int sub = -1;
		_cleanup_free_ char *sp = NULL;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sp = xasprintf("%s/%s", path, de->d_name);
		sub = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub >= 0 && remove_children(sub, sp, depth + 1, err) < 0)
			return -1;
		if (rmdir_retry(fd, de->d_name, sp, err) < 0)
			ret = -1;
	}
	return ret;
}

int cgroup_destroy(struct cgroup *cg, struct er_error *err)
{
	int ret = 0;

	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		struct er_error e = ER_ERROR_INIT;

		/* the usual case first: no sub-cgroups (rmdir fails EBUSY with any) */
		if (unlinkat(AT_FDCWD, h->dir, AT_REMOVEDIR) == 0 || errno == ENOENT) {
			if (h->fd >= 0)
				close(h->fd);
			h->fd = -1;
			continue;
		}
		if (h->fd < 0 && (h->fd = open_dir(h->dir)) < 0)
			continue; /* gone already */
		if (remove_children(h->fd, h->dir, 0, &e) < 0 ||
		    rmdir_retry(AT_FDCWD, h->dir, h->dir, &e) < 0) {
			if (ret == 0)
				er_set(err, e.errnum, "%s", e.msg);
			ret = -1;
		}
		er_clear(&e);
		close(h->fd);
		h->fd = -1;
	}
	return ret;
}

/* v1 cpuset: a new cgroup starts with empty cpus/mems and refuses tasks; copy the parent's. */
static int cpuset_inherit(const char *parent, const char *child, struct er_error *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_close_ int cfd = open_dir(child);
		_cleanup_free_ char *mine = NULL, *pv = NULL, *pp = NULL;

		if (cfd < 0)
			return er_set(err, errno, "open `%s`", child);
		mine = read_file_at(cfd, files[i], NULL, NULL);
		if (mine && mine[strspn(mine, " \n")])
			continue;
		pp = xasprintf("%s/%s", parent, files[i]);
		pv = read_file_at(AT_FDCWD, pp, NULL, err);
		if (!pv)
			return er_prefix(err, "cpuset");
		pv[strcspn(pv, "\n")] = '\0';
		if (cg_write_fd(cfd, child, files[i], pv, "cpuset: copy the parent's value", err) <
		    0)
			return -1;
	}
	return 0;
}

/* mkdir -p of h->dir below its mount point; created directories are pushed on *made. */
static int make_dirs(struct cg_hier *h, char ***made, struct er_error *err)
{
	_cleanup_free_ char *cur = xstrdup(h->mnt);
	const char *rest = h->dir + strlen(h->mnt);
	bool cpuset = !h->v2 && (h->ctl & (1u << CG_CPUSET));

	while (*rest) {
		size_t skip = strspn(rest, "/"), n = strcspn(rest + skip, "/");
		char *next;

		if (!n)
			break;
		next = xasprintf("%s/%.*s", cur, (int)n, rest + skip);
		rest += skip + n;
		if (mkdir(next, 0755) == 0) {
			strv_push(made, xstrdup(next));
			if (!*rest || !rest[strspn(rest, "/")])
				h->created = true;
		} else if (errno != EEXIST) {
			er_set(err, errno, "create cgroup `%s`", next);
			free(next);
			return -1;
		}
		if (cpuset && cpuset_inherit(cur, next, err) < 0) {
			free(next);
			return -1;
		}
		free(cur);
		cur = next;
	}
	h->fd = open_dir(h->dir);
	if (h->fd < 0)
		return er_set(err, errno, "open cgroup `%s`", h->dir);
	return 0;
}

static void undo(char **made)
{
	for (size_t i = strv_len(made); i-- > 0;)
		if (rmdir(made[i]) < 0)
			er_debug("undo: remove `%s`: %s", made[i], er_strerror(errno));
}

static int check_existing(struct cgroup *cg, struct er_error *err)
{
	enum cgroup_freezer st;

	if (cgroup_freezer_state(cg, &st, NULL) == 0 && st == CGROUP_FROZEN)
		return er_set(err, 0, "container's cgroup unexpectedly frozen");
	/* every hierarchy: a process may sit in one of them only */
	for (size_t i = 0; i < cg->n; i++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n = 0;

		if (cg->h[i].fd >= 0)
			walk_procs(cg->h[i].fd, true, 0, &pids, &n);
		if (n)
			return er_set(err, EBUSY,
				      "container's cgroup `%s` is not empty: %zu process(es) in it",
				      cg->h[i].dir, n);
	}
	return 0;
}

static int populate(struct cgroup *cg, const struct cgroup_config *cfg, char ***made,
		    struct er_error *err)
{
	const char *path = cfg->linux_ ? cfg->linux_->cgroups_path : NULL;
	bool existed = false;

	for (size_t i = 0; i < sys.n; i++) {
		char *rel = cg_resolve(path, cfg->id, sys.m[i].own, err);

		if (!rel)
			return -1;
		if (path && path[0] == '/' && strcmp(sys.m[i].root, "/") != 0) {
			char *full = xasprintf("%s%s", sys.m[i].root, rel);

			free(rel);
			rel = full;
		}
		if (!add_hier(cg, &sys.m[i], rel, err))
			return -1;
	}
	bind(cg);
	make_saved(cg);
	for (size_t i = 0; i < cg->n; i++) {
		if (make_dirs(&cg->h[i], made, err) < 0)
			return -1;
		existed |= !cg->h[i].created;
	}
	if (cg->mode == CGROUP_V2) {
		/* as runc: every available controller enabled down to the container */
		for (int c = 0; c < CG__MAX; c++) {
			struct er_error e = ER_ERROR_INIT;

			if (c == CG_FREEZER || c == CG_DEVICES || !(cg->v2->ctl & (1u << c)))
				continue;
			if (cg_v2_enable(cg->v2, cg_ctrl_name(c, true), &e) < 0)
				er_debug("cgroup: %s", e.msg);
			er_clear(&e);
		}
	}
	return existed ? check_existing(cg, err) : 0;
}

struct cgroup *cgroup_create(const struct cgroup_config *cfg, struct er_error *err)
{
	_cleanup_cgroup_ struct cgroup *cg = handle_new(err);
	_cleanup_strv_ char **made = NULL;
	_cleanup_free_ struct spec_device_rule *rules = NULL;
	const struct spec_linux *l = cfg->linux_;
	struct spec_resources r = {0};

	if (!cg)
		return NULL;
	if (populate(cg, cfg, &made, err) < 0) {
		undo(made);
		return NULL;
	}
	if (l && l->has_resources)
		r = l->resources;
	if (!cfg->no_default_devices) {
		rules = cgroup_device_rules(l, &r.n_devices);
		r.devices = rules;
	}
	if (cgroup_apply(cg, &r, err) < 0) {
		undo(made);
		return NULL;
	}
	if (er_debug_enabled) {
		_cleanup_free_ char *line = xstrdup(cg->saved);

		for (char *p = line; *p; p++)
			if (*p == '\n')
				*p = p[1] ? ' ' : '\0';
		er_debug("cgroup created: %s", line);
	}
	return TAKE_PTR(cg);
}

/* ---------------- resources ---------------- */

static bool mem_set(const struct spec_resources *r)
{
	return r->has_mem_limit || r->has_mem_reservation || r->has_mem_swap || r->has_mem_kernel ||
	       r->has_mem_kernel_tcp || r->has_mem_swappiness || r->has_mem_disable_oom_killer ||
	       r->has_mem_use_hierarchy;
}

static bool cpu_set(const struct spec_resources *r)
{
	return r->has_cpu_shares || r->has_cpu_quota || r->has_cpu_period || r->has_cpu_burst ||
	       r->has_cpu_rt_runtime || r->has_cpu_rt_period || r->has_cpu_idle;
}

static bool blkio_set(const struct spec_resources *r)
{
	return r->has_blkio_weight || r->has_blkio_leaf_weight || r->n_blkio_weight_devices ||
	       r->n_throttle_read_bps || r->n_throttle_write_bps || r->n_throttle_read_iops ||
	       r->n_throttle_write_iops;
}

static struct cg_hier *need(struct cgroup *cg, enum cg_ctrl c, const char *what,
			    struct er_error *err)
{
	struct cg_hier *h = cg->by_ctrl[c];

	if (!h) {
		const char *name = cg_ctrl_name(c, cg->mode == CGROUP_V2);

		er_set(err, 0, "%s: no `%s` cgroup controller on this host (cgroup %s)", what,
		       name ? name : cg_ctrl_name(c, false), cgroup_mode_name(cg->mode));
		return NULL;
	}
	if (h->fd < 0) {
		er_set(err, ENOENT, "%s: cgroup `%s`", what, h->dir);
		return NULL;
	}
	return h;
}

#define APPLY(ctrl, cond, what, fn)                                                                \
	do {                                                                                       \
		if (cond) {                                                                        \
			struct cg_hier *h_ = need(cg, ctrl, what, err);                            \
			if (!h_ || cg_ops_of(h_)->fn(h_, r, err) < 0)                              \
				return -1;                                                         \
		}                                                                                  \
	} while (0)

int cgroup_apply(struct cgroup *cg, const struct spec_resources *r, struct er_error *err)
{
	if (!r)
		return 0;
	if (r->n_unified && cg->mode == CGROUP_V1)
		return er_set(err, 0,
			      "linux.resources.unified: cgroup v2 files cannot be set on a cgroup "
			      "v1 host");
	APPLY(CG_CPUSET, (r->cpu_cpus && *r->cpu_cpus) || (r->cpu_mems && *r->cpu_mems),
	      "linux.resources.cpu", cpuset);
	if (r->n_devices) {
		struct cg_hier *h = need(cg, CG_DEVICES, "linux.resources.devices", err);

		if (!h || cg_ops_of(h)->devices(h, r->devices, r->n_devices, err) < 0)
			return -1;
	}
	APPLY(CG_MEMORY, mem_set(r), "linux.resources.memory", memory);
	APPLY(CG_CPU, cpu_set(r), "linux.resources.cpu", cpu);
	APPLY(CG_PIDS, r->has_pids_limit, "linux.resources.pids", pids);
	APPLY(CG_BLKIO, blkio_set(r), "linux.resources.blockIO", blkio);
	APPLY(CG_HUGETLB, r->n_hugepage_limits > 0, "linux.resources.hugepageLimits", hugetlb);
	if (cg->mode == CGROUP_V2 && (r->has_net_class_id || r->n_net_priorities)) {
		er_warn("linux.resources.network is ignored: cgroup v2 has no net_cls/net_prio");
	} else {
		APPLY(CG_NET_CLS, r->has_net_class_id, "linux.resources.network.classID", net_cls);
		APPLY(CG_NET_PRIO, r->n_net_priorities > 0, "linux.resources.network.priorities",
		      net_prio);
	}
	APPLY(CG_RDMA, r->n_rdma > 0, "linux.resources.rdma", rdma);
	if (r->n_unified && cg_v2_unified(cg, r, err) < 0)
		return -1;
	return 0;
}

/* ---------------- OOM ---------------- */

struct cgroup_oom *cgroup_oom_open(struct cgroup *cg, struct er_error *err)
{
	struct cg_hier *h = need(cg, CG_MEMORY, "oom notification", err);
	struct cgroup_oom *o;

	if (!h)
		return NULL;
	o = xcalloc(1, sizeof(*o));
	o->fd = o->dirfd = o->ctl_fd = -1;
	o->v2 = h->v2;
	if (cg_ops_of(h)->oom_open(h, o, err) < 0) {
		cgroup_oom_close(o);
		return NULL;
	}
	return o;
}

int cgroup_oom_fd(const struct cgroup_oom *o)
{
	return o->fd;
}

int cgroup_oom_read(struct cgroup_oom *o, uint64_t *count, bool *gone, struct er_error *err)
{
	*count = 0;
	*gone = false;
	return (o->v2 ? &cg_v2_ops : &cg_v1_ops)->oom_read(o, count, gone, err);
}

void cgroup_oom_close(struct cgroup_oom *o)
{
	if (!o)
		return;
	if (o->fd >= 0)
		close(o->fd);
	if (o->dirfd >= 0)
		close(o->dirfd);
	if (o->ctl_fd >= 0)
		close(o->ctl_fd);
	free(o);
}
