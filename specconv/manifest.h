/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The signed-bundle manifest (B/edgerun.manifest) and the signing policy file, as typed
 * structs, and their JSON. See man/edgerun-seal.8 for the format.
 *
 * The manifest's bytes are canonical: RFC 8785 (JSON Canonicalization Scheme) with only
 * strings, integers and arrays/objects: members sorted by name, no whitespace, strings with
 * the minimal escapes (\" \\ \b \f \n \r \t, other control characters as \u00xx), UTF-8
 * otherwise unescaped; entries sorted by path (bytewise) with no duplicates. The encoder
 * does not depend on json-c's output, so the bytes are stable across library versions, and
 * manifest_parse() accepts only those bytes (it re-encodes and compares), so two parsers can
 * never read two different manifests out of one signed document.
 */
#ifndef EDGERUN_SPECCONV_MANIFEST_H
#define EDGERUN_SPECCONV_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define MANIFEST_VERSION 1
#define MANIFEST_SHA256_LEN 32
#define MANIFEST_CAPS_MAX 28 /* security.capability (struct vfs_ns_cap_data: 24 bytes) */

enum manifest_type {
	MF_FILE,
	MF_DIR,
	MF_SYMLINK,
	MF_CHAR,
	MF_BLOCK,
	MF_FIFO,
	MF_SOCKET,
};

/* One object of the rootfs. path is relative to root.path ("." is the root itself, else
 * "bin/sh": no leading "./" or "/", no "." or ".." components). */
struct manifest_entry {
	char *path;
	enum manifest_type type;
	uint32_t mode; /* permission bits with setuid, setgid and sticky (07777) */
	uint32_t uid, gid;
	uint64_t size;				   /* MF_FILE */
	unsigned char sha256[MANIFEST_SHA256_LEN]; /* MF_FILE */
	/* MF_FILE: the raw security.capability attribute (file capabilities); 0 = none */
	size_t caps_len;
	unsigned char caps[MANIFEST_CAPS_MAX];
	char *target;	       /* MF_SYMLINK */
	uint32_t major, minor; /* MF_CHAR, MF_BLOCK */
};

/* A file outside the rootfs (absolute host path, typically a bind mount's source). */
struct manifest_firmware {
	char *path;
	uint64_t size;
	unsigned char sha256[MANIFEST_SHA256_LEN];
};

struct manifest {
	unsigned int version; /* MANIFEST_VERSION */
	char *created;	      /* RFC 3339 */
	unsigned char config_sha256[MANIFEST_SHA256_LEN];
	struct manifest_entry *entries; /* sorted by path */
	size_t n_entries;
	struct manifest_firmware *firmware; /* sorted by path */
	size_t n_firmware;
};

/* "file", "dir", "symlink", "char", "block", "fifo", "socket". */
const char *manifest_type_name(enum manifest_type t);

/* The canonical bytes of M (no trailing newline). Entries and firmware must already be
 * sorted by path without duplicates, and every string valid UTF-8: see manifest_check(). */
char *manifest_to_json(const struct manifest *m, size_t *len);

/* Checks what the encoder needs: sorted unique paths, valid UTF-8, well-formed relative
 * paths, absolute firmware paths. Errors name the entry. */
int manifest_check(const struct manifest *m, struct er_error *err);

/* Parses canonical manifest bytes into *m (zeroed first; left cleared on error). Errors name
 * the JSON path ("entries[3].mode: ...") or say "not in canonical form". */
int manifest_parse(const char *buf, size_t len, struct manifest *m, struct er_error *err);
void manifest_clear(struct manifest *m);

/* The policy file (/etc/edgerun/policy.json): {"requireSigned": true}. Unknown members are
 * errors (a policy that is not understood must not be ignored). */
struct manifest_policy {
	bool require_signed;
};
int manifest_policy_parse(const char *buf, size_t len, struct manifest_policy *p,
			  struct er_error *err);

/* Lowercase hex of a SHA-256 digest into out (65 bytes with the NUL). */
void manifest_hex(const unsigned char sha[MANIFEST_SHA256_LEN], char out[65]);

#endif
