/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `seal`: a bundle -> its manifest (B/edgerun.manifest) and, with a key, its signature
 * (B/edgerun.manifest.sig). The rootfs is walked without following symlinks, regular files
 * and firmware files are hashed in parallel, and both files are written through a temp
 * file, fsync and rename, so a reader sees the old or the new manifest, never half of one.
 */
#include <errno.h>
#include <fcntl.h>
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

#define CONFIG_MAX_BYTES (64u << 20)

static void manifest_clearp(struct manifest *m)
{
	manifest_clear(m);
}

static void dcache_freep(struct sb_dcache **c)
{
	sb_dcache_free(*c);
}

/* RFC 3339 creation time; SOURCE_DATE_EPOCH (reproducible builds) wins over the clock. */
static char *creation_time(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	uint64_t secs;
	struct tm tm;
	time_t t;
	char buf[64];

	if (!sde || parse_u64(sde, &secs) < 0)
		return now_rfc3339();
	t = (time_t)secs;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/* Writes BUF to DFD/NAME through a temp file, fsync and rename. */
static int write_atomic(int dfd, const char *name, const char *buf, size_t len,
			struct er_error *err)
{
	_cleanup_free_ char *tmp = xasprintf(".%s.tmp-%d", name, (int)getpid());
	_cleanup_close_ int fd =
		openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0)
		return er_set(err, errno, "create `%s`", tmp);
	if (write_all(fd, buf, len) < 0 || fsync(fd) < 0 || renameat(dfd, tmp, dfd, name) < 0) {
		er_set(err, errno, "write `%s`", name);
		unlinkat(dfd, tmp, 0);
		return -1;
	}
	return 0;
}

static void fill_entry(struct manifest_entry *e, struct sb_node *n)
{
	e->path = xstrdup(n->path);
	e->type = sb_mode_type(n->st.st_mode);
	e->mode = n->st.st_mode & 07777;
	e->uid = n->st.st_uid;
	e->gid = n->st.st_gid;
	if (e->type == MF_SYMLINK)
		e->target = xstrdup(n->target);
	if (e->type == MF_CHAR || e->type == MF_BLOCK) {
		e->major = major(n->st.st_rdev);
		e->minor = minor(n->st.st_rdev);
	}
}

static int fw_cmp(const void *a, const void *b)
{
	return strcmp(((const struct manifest_firmware *)a)->path,
		      ((const struct manifest_firmware *)b)->path);
}

/* Firmware paths: absolute, cleaned, sorted, no duplicates. */
static int firmware_list(const char *const *paths, struct manifest *m, struct er_error *err)
{
	size_t n = 0;

	while (paths && paths[n])
		n++;
	m->firmware = xcalloc(n ? n : 1, sizeof(*m->firmware));
	for (size_t i = 0; i < n; i++) {
		if (paths[i][0] != '/')
			return er_set(err, 0, "firmware `%s`: must be an absolute path", paths[i]);
		m->firmware[m->n_firmware++].path = path_clean(paths[i]);
	}
	qsort(m->firmware, m->n_firmware, sizeof(*m->firmware), fw_cmp);
	for (size_t i = 1; i < m->n_firmware; i++) {
		if (!strcmp(m->firmware[i - 1].path, m->firmware[i].path))
			return er_set(err, 0, "firmware `%s` given twice", m->firmware[i].path);
	}
	return 0;
}

/* Hashes the rootfs's regular files and the firmware; fills the manifest's digests. */
static int hash_all(const struct sb_seal_opts *o, int rootfd, struct sb_node *nodes, size_t n,
		    struct manifest *m, struct sb_seal_result *res, struct er_error *err)
{
	_cleanup_free_ struct sb_hash_job *jobs = xcalloc(n + m->n_firmware + 1, sizeof(*jobs));
	_cleanup_free_ size_t *entry_of = xcalloc(n + 1, sizeof(*entry_of));
	_cleanup_(dcache_freep) struct sb_dcache *cache = NULL;
	size_t nj = 0, nf;
	uint64_t bytes = 0;

	for (size_t i = 0; i < n; i++) {
		if (m->entries[i].type != MF_FILE)
			continue;
		entry_of[nj] = i;
		jobs[nj++] = (struct sb_hash_job){.dirfd = rootfd,
						  .path = nodes[i].path,
						  .beneath = true,
						  .st = &nodes[i].st};
	}
	nf = nj;
	for (size_t i = 0; i < m->n_firmware; i++)
		jobs[nj++] = (struct sb_hash_job){.dirfd = AT_FDCWD, .path = m->firmware[i].path};
	if (o->cache_root)
		cache = sb_dcache_open(o->cache_root, o->root_path);
	if (sb_hash_jobs(jobs, nj, cache, o->progress, o->progress_arg, &bytes, err) < 0)
		return -1;
	for (size_t j = 0; j < nj; j++) {
		const char *what = j < nf ? "file" : "firmware";

		if (jobs[j].errnum)
			return er_set(err, 0, "%s `%s`: %s", what, jobs[j].path,
				      sb_hash_error(jobs[j].errnum));
		if (j < nf) {
			struct manifest_entry *e = &m->entries[entry_of[j]];

			memcpy(e->sha256, jobs[j].sha256, MANIFEST_SHA256_LEN);
			e->size = jobs[j].size;
			e->caps_len = jobs[j].caps_len;
			memcpy(e->caps, jobs[j].caps, MANIFEST_CAPS_MAX);
		} else {
			memcpy(m->firmware[j - nf].sha256, jobs[j].sha256, MANIFEST_SHA256_LEN);
			m->firmware[j - nf].size = jobs[j].size;
		}
		res->bytes += jobs[j].size;
	}
	res->n_files = nf;
	sb_dcache_save(cache);
	return 0;
}

/* The manifest of the bundle, built from the walk and the digests. */
static int build(const struct sb_seal_opts *o, int bundle_fd, struct manifest *m,
		 struct sb_seal_result *res, struct er_error *err)
{
	_cleanup_free_ char *config = NULL;
	_cleanup_close_ int rootfd = -1;
	struct sb_node *nodes = NULL;
	struct stat bst, rst;
	size_t len = 0, n = 0;
	int r;

	config = sb_read_file(bundle_fd, "config.json", true, CONFIG_MAX_BYTES, &len, err);
	if (!config)
		return -1;
	sb_sha256(config, len, m->config_sha256);
	rootfd = open(o->root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return er_set(err, errno, "open rootfs `%s`", o->root_path);
	if (fstat(bundle_fd, &bst) < 0 || fstat(rootfd, &rst) < 0)
		return er_set(err, errno, "stat `%s`", o->root_path);
	if (bst.st_dev == rst.st_dev && bst.st_ino == rst.st_ino)
		return er_set(err, 0, "root.path is the bundle directory itself: not supported");
	if (firmware_list(o->firmware, m, err) < 0 || sb_walk(rootfd, &nodes, &n, err) < 0)
		return -1;
	m->entries = xcalloc(n ? n : 1, sizeof(*m->entries));
	m->n_entries = n;
	for (size_t i = 0; i < n; i++)
		fill_entry(&m->entries[i], &nodes[i]);
	r = hash_all(o, rootfd, nodes, n, m, res, err);
	sb_nodes_free(nodes, n);
	res->n_entries = m->n_entries;
	res->n_firmware = m->n_firmware;
	return r;
}

int sb_seal(const struct sb_seal_opts *o, struct sb_seal_result *res, struct er_error *err)
{
	_cleanup_(manifest_clearp) struct manifest m = {.version = MANIFEST_VERSION};
	_cleanup_close_ int bundle_fd = open(o->bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *json = NULL, *sig = NULL;
	size_t len = 0;

	memset(res, 0, sizeof(*res));
	if (bundle_fd < 0)
		return er_set(err, errno, "open bundle `%s`", o->bundle);
	if (build(o, bundle_fd, &m, res, err) < 0)
		return -1;
	m.created = creation_time();
	if (manifest_check(&m, err) < 0)
		return -1;
	json = manifest_to_json(&m, &len);
	if (o->key_path && sb_sign(o->key_path, json, len, &sig, &res->key_type, err) < 0)
		return -1;
	if (write_atomic(bundle_fd, SB_MANIFEST_NAME, json, len, err) < 0)
		return -1;
	if (sig)
		return write_atomic(bundle_fd, SB_SIGNATURE_NAME, sig, strlen(sig), err);
	if (unlinkat(bundle_fd, SB_SIGNATURE_NAME, 0) == 0)
		res->removed_sig = true;
	else if (errno != ENOENT)
		return er_set(err, errno, "remove the old `%s`", SB_SIGNATURE_NAME);
	return 0;
}

void sb_seal_result_clear(struct sb_seal_result *r)
{
	free(r->key_type);
	memset(r, 0, sizeof(*r));
}
