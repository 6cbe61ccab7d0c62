/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `verify`: a bundle against its manifest. The signature over the manifest's exact bytes is
 * checked first; then config.json, every rootfs object (walked without following symlinks
 * and compared with the manifest in one merge of two sorted lists) and every firmware file.
 * Every problem is collected, none stops the others (except a missing or unparsable
 * manifest, which leaves nothing to compare with).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/util.h"
#include "edge/signed.h"

#define MANIFEST_MAX_BYTES (256u << 20)
#define SIG_MAX_BYTES (64u << 10)
#define CONFIG_MAX_BYTES (64u << 20)

/* ---------------- comparison ---------------- */

/* "/bin/sh" for "bin/sh", "/" for "." */
static char *shown(const char *path)
{
	return strcmp(path, ".") ? xasprintf("/%s", path) : xstrdup("/");
}

static void add_at(struct sb_report *rep, enum sb_problem_kind kind, const char *path,
		   const char *detail)
{
	_cleanup_free_ char *where = shown(path);

	if (detail)
		sb_report_add(rep, kind, where, "%s", detail);
	else
		sb_report_add(rep, kind, where, NULL);
}

/* Compares everything but content; true when the content must be hashed. */
static bool compare_entry(const struct manifest_entry *e, const struct sb_node *n,
			  struct sb_report *rep)
{
	enum manifest_type t = sb_mode_type(n->st.st_mode);
	uint32_t mode = n->st.st_mode & 07777;
	char buf[128];

	if (t != e->type) {
		snprintf(buf, sizeof(buf), "%s -> %s", manifest_type_name(e->type),
			 manifest_type_name(t));
		add_at(rep, SB_TYPE_CHANGED, e->path, buf);
		return false;
	}
	if (mode != e->mode) {
		snprintf(buf, sizeof(buf), "%04o -> %04o", e->mode, mode);
		add_at(rep, SB_MODE_CHANGED, e->path, buf);
	}
	if (n->st.st_uid != e->uid || n->st.st_gid != e->gid) {
		snprintf(buf, sizeof(buf), "%u:%u -> %u:%u", e->uid, e->gid,
			 (unsigned int)n->st.st_uid, (unsigned int)n->st.st_gid);
		add_at(rep, SB_OWNER_CHANGED, e->path, buf);
	}
	if (t == MF_SYMLINK && strcmp(e->target, n->target)) {
		_cleanup_free_ char *d = xasprintf("`%s` -> `%s`", e->target, n->target);

		add_at(rep, SB_RETARGETED, e->path, d);
	}
	if ((t == MF_CHAR || t == MF_BLOCK) &&
	    (major(n->st.st_rdev) != e->major || minor(n->st.st_rdev) != e->minor)) {
		snprintf(buf, sizeof(buf), "%u:%u -> %u:%u", e->major, e->minor,
			 major(n->st.st_rdev), minor(n->st.st_rdev));
		add_at(rep, SB_DEVICE_CHANGED, e->path, buf);
	}
	if (t != MF_FILE)
		return false;
	if ((uint64_t)n->st.st_size != e->size) {
		snprintf(buf, sizeof(buf), "size %llu -> %llu bytes", (unsigned long long)e->size,
			 (unsigned long long)n->st.st_size);
		add_at(rep, SB_MODIFIED, e->path, buf);
		return false;
	}
	return true;
}

struct check {
	const struct sb_verify_opts *o;
	const struct manifest *m;
	struct sb_report *rep;
	struct sb_hash_job *jobs;
	const void **expect; /* per job: the manifest entry or firmware */
	size_t n_jobs, n_rootfs_jobs;
};

/* One merge of the manifest's entries with the walk, both sorted by path. */
static void compare_tree(struct check *c, int rootfd, struct sb_node *nodes, size_t n)
{
	const struct manifest *m = c->m;
	size_t i = 0, j = 0;

	while (i < m->n_entries || j < n) {
		int cmp = i == m->n_entries ? 1
			  : j == n	    ? -1
					    : strcmp(m->entries[i].path, nodes[j].path);

		if (cmp < 0) {
			add_at(c->rep, SB_MISSING, m->entries[i++].path, NULL);
			continue;
		}
		if (cmp > 0) {
			add_at(c->rep, SB_ADDED, nodes[j].path,
			       manifest_type_name(sb_mode_type(nodes[j].st.st_mode)));
			j++;
			continue;
		}
		if (compare_entry(&m->entries[i], &nodes[j], c->rep)) {
			c->expect[c->n_jobs] = &m->entries[i];
			c->jobs[c->n_jobs++] = (struct sb_hash_job){.dirfd = rootfd,
								    .path = nodes[j].path,
								    .beneath = true,
								    .st = &nodes[j].st};
		}
		i++;
		j++;
	}
	c->n_rootfs_jobs = c->n_jobs;
}

static void short_hex(const unsigned char *sha, char out[13])
{
	char hex[65];

	manifest_hex(sha, hex);
	memcpy(out, hex, 12);
	out[12] = '\0';
}

/* security.capability as hex, "none" when absent. */
static char *caps_text(const unsigned char *caps, size_t len)
{
	char *out = xmalloc(2 * len + 5);

	if (!len) {
		memcpy(out, "none", 5);
		return out;
	}
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", caps[i]);
	return out;
}

/* After hashing: content problems, in manifest order. */
static void compare_digests(struct check *c)
{
	for (size_t k = 0; k < c->n_jobs; k++) {
		const struct sb_hash_job *j = &c->jobs[k];
		bool fw = k >= c->n_rootfs_jobs;
		const struct manifest_firmware *f = c->expect[k];
		const struct manifest_entry *e = c->expect[k];
		const unsigned char *want = fw ? f->sha256 : e->sha256;
		char got_hex[13], want_hex[13], buf[160];

		if (j->errnum == ENOENT && fw) {
			sb_report_add(c->rep, SB_FIRMWARE_MISSING, f->path, NULL);
			continue;
		}
		if (j->errnum) {
			if (fw)
				sb_report_add(c->rep, SB_UNREADABLE, f->path, "%s",
					      sb_hash_error(j->errnum));
			else
				add_at(c->rep, SB_UNREADABLE, e->path, sb_hash_error(j->errnum));
			continue;
		}
		if (fw && j->size != f->size) {
			snprintf(buf, sizeof(buf), "size %llu -> %llu bytes",
				 (unsigned long long)f->size, (unsigned long long)j->size);
			sb_report_add(c->rep, SB_FIRMWARE_MODIFIED, f->path, "%s", buf);
			continue;
		}
		if (!fw && (j->caps_len != e->caps_len || memcmp(j->caps, e->caps, e->caps_len))) {
			_cleanup_free_ char *was = caps_text(e->caps, e->caps_len);
			_cleanup_free_ char *now = caps_text(j->caps, j->caps_len);
			_cleanup_free_ char *d = xasprintf("%s -> %s", was, now);

			add_at(c->rep, SB_CAPS_CHANGED, e->path, d);
		}
		if (!memcmp(j->sha256, want, MANIFEST_SHA256_LEN))
			continue;
		short_hex(j->sha256, got_hex);
		short_hex(want, want_hex);
		snprintf(buf, sizeof(buf), "sha256 %s..., expected %s...", got_hex, want_hex);
		if (fw)
			sb_report_add(c->rep, SB_FIRMWARE_MODIFIED, f->path, "%s", buf);
		else
			add_at(c->rep, SB_MODIFIED, e->path, buf);
	}
}

static void dcache_freep(struct sb_dcache **c)
{
	sb_dcache_free(*c);
}

/* config.json, the rootfs and the firmware against the manifest M. */
static int check_content(const struct sb_verify_opts *o, int bundle_fd, const struct manifest *m,
			 struct sb_dcache *cache, struct sb_report *rep, struct er_error *err)
{
	_cleanup_free_ struct sb_hash_job *jobs =
		xcalloc(m->n_entries + m->n_firmware + 1, sizeof(*jobs));
	_cleanup_free_ const void **expect =
		xcalloc(m->n_entries + m->n_firmware + 1, sizeof(void *));
	struct check c = {.o = o, .m = m, .rep = rep, .jobs = jobs, .expect = expect};
	_cleanup_close_ int rootfd = -1;
	_cleanup_free_ char *config = NULL;
	unsigned char sha[MANIFEST_SHA256_LEN];
	struct er_error e2 = ER_ERROR_INIT;
	struct sb_node *nodes = NULL;
	size_t len = 0, n = 0;
	int r;

	config = sb_read_file(bundle_fd, "config.json", true, CONFIG_MAX_BYTES, &len, &e2);
	if (config)
		sb_sha256(config, len, sha);
	if (!config || memcmp(sha, m->config_sha256, sizeof(sha)))
		sb_report_add(rep, SB_CONFIG_MODIFIED, "config.json", "%s",
			      config ? "sha256 differs from the manifest's" : e2.msg);
	er_clear(&e2);
	rootfd = open(o->root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		sb_report_add(rep, SB_MISSING, o->root_path, "rootfs: %s", er_strerror(errno));
	} else {
		if (sb_walk(rootfd, &nodes, &n, err) < 0)
			return er_prefix(err, "walk `%s`", o->root_path);
		compare_tree(&c, rootfd, nodes, n);
	}
	for (size_t i = 0; i < m->n_firmware; i++) {
		c.expect[c.n_jobs] = &m->firmware[i];
		c.jobs[c.n_jobs++] =
			(struct sb_hash_job){.dirfd = AT_FDCWD, .path = m->firmware[i].path};
	}
	r = sb_hash_jobs(jobs, c.n_jobs, cache, o->progress, o->progress_arg, &rep->bytes_hashed,
			 err);
	if (r == 0) {
		compare_digests(&c);
		for (size_t k = 0; k < c.n_jobs; k++)
			rep->n_cached += jobs[k].cached;
	}
	rep->n_entries = m->n_entries;
	rep->n_firmware = m->n_firmware;
	for (size_t i = 0; i < m->n_entries; i++)
		rep->n_files += m->entries[i].type == MF_FILE;
	sb_nodes_free(nodes, n);
	return r;
}

static void manifest_clearp(struct manifest *m)
{
	manifest_clear(m);
}

/* The signature over BYTES. */
static void check_signature(const struct sb_verify_opts *o, int bundle_fd, const char *bytes,
			    size_t len, struct sb_dcache *cache, struct sb_report *rep)
{
	struct er_error err = ER_ERROR_INIT;
	_cleanup_free_ char *sig = NULL;
	size_t sig_len = 0;

	sig = sb_read_file(bundle_fd, SB_SIGNATURE_NAME, true, SIG_MAX_BYTES, &sig_len, &err);
	if (!sig && err.errnum == ENOENT)
		sb_report_add(rep, SB_SIG_MISSING, SB_SIGNATURE_NAME, "sign the manifest");
	else if (!sig)
		sb_report_add(rep, SB_SIG_BAD, SB_SIGNATURE_NAME, "%s", err.msg);
	else
		sb_sig_check(o->trust_dir, bytes, len, sig, sig_len, cache, &rep->signer, rep);
	er_clear(&err);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int sb_verify(const struct sb_verify_opts *o, struct sb_report *rep, struct er_error *err)
{
	_cleanup_(manifest_clearp) struct manifest m = {0};
	_cleanup_(dcache_freep) struct sb_dcache *cache = NULL;
	_cleanup_close_ int bundle_fd = open(o->bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *bytes = NULL;
	struct er_error e2 = ER_ERROR_INIT;
	uint64_t start = mono_ns();
	size_t len = 0;
	int r = 0;

	memset(rep, 0, sizeof(*rep));
	if (bundle_fd < 0)
		return er_set(err, errno, "open bundle `%s`", o->bundle);
	bytes = sb_read_file(bundle_fd, SB_MANIFEST_NAME, true, MANIFEST_MAX_BYTES, &len, &e2);
	if (!bytes) {
		if (e2.errnum == ENOENT)
			sb_report_add(rep, SB_MANIFEST_MISSING, SB_MANIFEST_NAME,
				      "the bundle is not sealed: see `edgerun seal`");
		else
			sb_report_add(rep, SB_MANIFEST_INVALID, SB_MANIFEST_NAME, "%s", e2.msg);
		er_clear(&e2);
		return 0;
	}
	if (o->cache_root && !o->no_cache)
		cache = sb_dcache_open(o->cache_root, o->root_path);
	check_signature(o, bundle_fd, bytes, len, cache, rep);
	if (manifest_parse(bytes, len, &m, &e2) < 0) {
		sb_report_add(rep, SB_MANIFEST_INVALID, SB_MANIFEST_NAME, "%s", e2.msg);
		er_clear(&e2);
	} else {
		r = check_content(o, bundle_fd, &m, cache, rep, err);
	}
	if (r == 0)
		sb_dcache_save(cache);
	rep->elapsed_ns = mono_ns() - start;
	return r;
}
