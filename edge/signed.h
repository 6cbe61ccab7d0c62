/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signed bundles (issue 7): seal a bundle into a manifest (B/edgerun.manifest) and sign it,
 * verify a bundle against its manifest and a trust store, and enforce the verification
 * policy before `create`.
 *
 *   seal:    walk rootfs (never following symlinks) + hash files in parallel
 *            -> struct manifest -> canonical JSON -> edgerun.manifest (+ .sig with --key)
 *   verify:  signature over the manifest's exact bytes with a trusted key, then config.json,
 *            every rootfs object and every firmware file; every problem is collected.
 *
 * Library code: nothing here prints; progress goes through a callback.
 * The first half is the API cmd/ uses; the second half connects the files of edge/.
 */
#ifndef EDGERUN_EDGE_SIGNED_H
#define EDGERUN_EDGE_SIGNED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "common/error.h"
#include "specconv/manifest.h"
#include "specconv/spec.h"

#define SB_MANIFEST_NAME "edgerun.manifest"
#define SB_SIGNATURE_NAME "edgerun.manifest.sig"
#define SB_DEFAULT_POLICY "/etc/edgerun/policy.json"
#define SB_POLICY_ENV "EDGERUN_POLICY" /* overrides the policy file's path (tests) */
#define SB_ANNOTATION "org.edgerun.verify"

/* ---------------- API ---------------- */

struct sb_progress {
	uint64_t files_done, files_total;
	uint64_t bytes_done, bytes_total;
	uint64_t elapsed_ns;
};
/* Called from the calling thread about every 200 ms while files are hashed, and once at the
 * end of the hashing (files_done == files_total). */
typedef void (*sb_progress_fn)(const struct sb_progress *p, void *arg);
/* "120/7000 files, 12.5/210.0 MB, 180.2 MB/s". Caller frees. */
char *sb_progress_text(const struct sb_progress *p);

struct sb_seal_opts {
	const char *bundle;	     /* absolute */
	const char *root_path;	     /* absolute rootfs (spec->root_path) */
	const char *const *firmware; /* absolute host paths, NULL-terminated; may be NULL */
	const char *key_path;	     /* private key PEM; NULL: unsigned */
	const char *cache_root;	     /* runtime root for the digest cache; NULL: no cache */
	sb_progress_fn progress;     /* may be NULL */
	void *progress_arg;
};

struct sb_seal_result {
	size_t n_entries, n_files, n_firmware;
	uint64_t bytes;	  /* bytes of regular files and firmware */
	char *key_type;	  /* "ECDSA P-256", "Ed25519", "RSA 3072" ...; NULL when unsigned */
	bool removed_sig; /* an old edgerun.manifest.sig was removed (unsigned seal) */
};

/* Writes B/edgerun.manifest (and B/edgerun.manifest.sig with a key), both through a temp
 * file and rename. */
int sb_seal(const struct sb_seal_opts *o, struct sb_seal_result *res, struct er_error *err);
void sb_seal_result_clear(struct sb_seal_result *r);

enum sb_problem_kind {
	SB_MANIFEST_MISSING,
	SB_MANIFEST_INVALID,
	SB_SIG_MISSING,
	SB_SIG_BAD,	  /* not base64, truncated, not a signature of any supported form */
	SB_SIG_UNTRUSTED, /* no trusted key verifies it: other signer or manifest changed */
	SB_TRUST_EMPTY,	  /* no usable key in the trust store */
	SB_TRUST_UNSAFE,  /* trust store writable by others */
	SB_CONFIG_MODIFIED,
	SB_MODIFIED, /* content (size or digest) */
	SB_MISSING,
	SB_ADDED,
	SB_TYPE_CHANGED,
	SB_MODE_CHANGED,
	SB_CAPS_CHANGED, /* file capabilities (security.capability) */
	SB_OWNER_CHANGED,
	SB_RETARGETED,
	SB_DEVICE_CHANGED,
	SB_UNREADABLE, /* could not be read or hashed */
	SB_FIRMWARE_MODIFIED,
	SB_FIRMWARE_MISSING,
};

struct sb_problem {
	enum sb_problem_kind kind;
	char *where;  /* "/bin/sh" (rootfs, as seen in the container), "config.json", host path */
	char *detail; /* "0755 -> 4755"; may be NULL */
};

struct sb_report {
	struct sb_problem *problems;
	size_t n_problems;
	size_t n_entries, n_files, n_firmware, n_cached;
	uint64_t bytes_hashed; /* read and hashed in this run (not from the cache) */
	char *signer;	       /* key file name in the trust store, when the signature passed */
	uint64_t elapsed_ns;
};

struct sb_verify_opts {
	const char *bundle;    /* absolute */
	const char *root_path; /* absolute rootfs (spec->root_path) */
	const char *trust_dir;
	const char *cache_root; /* runtime root for the digest cache; NULL: no cache */
	bool no_cache;		/* neither read nor write the cache */
	sb_progress_fn progress;
	void *progress_arg;
};

/* Verifies the bundle. Returns 0 when the verification ran: it passed when
 * rep->n_problems == 0. -1 only when it could not run (bundle unreadable, out of resources). */
int sb_verify(const struct sb_verify_opts *o, struct sb_report *rep, struct er_error *err);
void sb_report_clear(struct sb_report *r);

/* One problem as a line: "/bin/sh: modified (sha256 differs)". Control characters in paths
 * are shown as \xNN. Caller frees. */
char *sb_problem_text(const struct sb_problem *p);
/* "bundle `B` failed verification: N problem(s): a; b; c" with at most MAX problems listed. */
int sb_report_error(const char *bundle, const struct sb_report *rep, size_t max,
		    struct er_error *err);

/* Before `create`/`run`: verifies the bundle when it carries a manifest, or when signing is
 * required (require_signed, the policy file, the annotation org.edgerun.verify=required).
 * Fails with the report in the error; does nothing else. */
int sb_enforce(const char *bundle, const struct spec *spec, bool require_signed,
	       const char *trust_dir, const char *cache_root, struct er_error *err);

/* ---------------- inside edge/ ---------------- */

/* fswalk.c: one rootfs object as lstat saw it. */
struct sb_node {
	char *path; /* relative to the root ("." for the root) */
	struct stat st;
	char *target; /* symlinks */
};
/* Every object below rootfd (and rootfd itself as "."), sorted by path; never follows a
 * symlink nor leaves the tree. */
int sb_walk(int rootfd, struct sb_node **out, size_t *n, struct er_error *err);
void sb_nodes_free(struct sb_node *nodes, size_t n);
/* openat() of a relative PATH below rootfd where no component may be a symlink (openat2
 * RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH, or a component walk with O_NOFOLLOW). fd or -errno. */
int sb_open_beneath(int rootfd, const char *path, int flags);
enum manifest_type sb_mode_type(mode_t mode);
/* A whole file (O_NOFOLLOW with nofollow), NUL-terminated, at most MAX bytes ("too large"
 * beyond); NULL with err set ("open `PATH`: ..."). */
char *sb_read_file(int dirfd, const char *path, bool nofollow, size_t max, size_t *len,
		   struct er_error *err);
/* The same from an open fd (PATH names it in errors). */
char *sb_read_fd(int fd, const char *path, size_t max, size_t *len, struct er_error *err);

/* hashpool.c: parallel SHA-256 of files. */
struct sb_hash_job {
	int dirfd;	  /* rootfd with beneath, or AT_FDCWD for absolute host paths */
	const char *path; /* not owned */
	bool beneath;
	const struct stat *st; /* what the walk saw (cache key, identity check); may be NULL */
	/* results */
	unsigned char sha256[MANIFEST_SHA256_LEN];
	uint64_t size;
	size_t caps_len; /* security.capability of the file (0: none) */
	unsigned char caps[MANIFEST_CAPS_MAX];
	int errnum;  /* 0, or why the file could not be hashed (ESTALE: changed while read) */
	bool cached; /* digest from the cache */
};
struct sb_dcache;
/* Hashes every job (one worker per online CPU), taking digests from CACHE where the stat
 * key matches and putting new stable digests there. Per-file failures go to job->errnum.
 * *bytes gets the bytes read. -1 only when no worker could be started. */
int sb_hash_jobs(struct sb_hash_job *jobs, size_t n, struct sb_dcache *cache, sb_progress_fn fn,
		 void *arg, uint64_t *bytes, struct er_error *err);
/* The text of a job's errnum ("changed while it was read", "not a regular file", ...). */
const char *sb_hash_error(int errnum);
/* SHA-256 of a buffer. */
void sb_sha256(const void *data, size_t len, unsigned char out[MANIFEST_SHA256_LEN]);

/* digest_cache.c: verified digests under ROOT/.digests, per rootfs. */
struct sb_dcache *sb_dcache_open(const char *root, const char *rootfs_path);
/* A digest (and the file capabilities read with it) for this stat key: JOB's sha256, caps. */
bool sb_dcache_lookup(struct sb_dcache *c, const struct stat *st, struct sb_hash_job *job);
void sb_dcache_put(struct sb_dcache *c, const struct stat *st, const struct sb_hash_job *job);
/* The verified-signature tag (see digest_cache.c): known from the last run / remember it. */
bool sb_dcache_sig_known(struct sb_dcache *c, const unsigned char tag[MANIFEST_SHA256_LEN]);
void sb_dcache_sig_put(struct sb_dcache *c, const unsigned char tag[MANIFEST_SHA256_LEN]);
/* Writes the entries put since open (temp + rename) when anything changed. Never fails the
 * caller: problems are logged at debug level. */
void sb_dcache_save(struct sb_dcache *c);
void sb_dcache_free(struct sb_dcache *c);
/* The file name of ROOTFS_PATH's cache (tests and docs). */
char *sb_dcache_name(const char *rootfs_path);

/* signature.c: keys and signatures through libcrypto. */
/* Signs DATA with the PEM private key at KEY_PATH: SHA-256 (EC, RSA PKCS#1 v1.5) or pure
 * EdDSA (Ed25519). *b64 = base64 of the signature + "\n"; *key_type as in sb_seal_result. */
int sb_sign(const char *key_path, const void *data, size_t len, char **b64, char **key_type,
	    struct er_error *err);
/* Checks a base64 signature (line breaks allowed) against every key in TRUST_DIR. Returns
 * 0 with *signer = key file name, or adds the problem to REP and returns 1. CACHE (may be
 * NULL) remembers a verified (manifest, signature, key) triple. */
int sb_sig_check(const char *trust_dir, const void *data, size_t len, const char *sig_b64,
		 size_t sig_len, struct sb_dcache *cache, char **signer, struct sb_report *rep);
/* Base64 decode (whitespace ignored, padding required). NULL if malformed. */
unsigned char *sb_base64_decode(const char *s, size_t len, size_t *out_len);

/* report.c */
void sb_report_add(struct sb_report *r, enum sb_problem_kind kind, const char *where,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
